#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "ui/app.h"
#include "ui/draw.h"

/* "syncing INBOX 12,400/100,000", "error: login refused", "read-only". */
static void
describe(const struct ui_account *u, char *buf, size_t len)
{
	const char *state = u->st.state && *u->st.state ? u->st.state : "offline";
	if (u->readonly)
		snprintf(buf, len, "read-only: another tern syncs it");
	else if (u->start_error)
		snprintf(buf, len, "error: %s", u->start_error);
	else if (u->st.last_error && *u->st.last_error && strcmp(state, "idle") != 0)
		snprintf(buf, len, "%s: %s", state, u->st.last_error);
	else if (u->st.detail && *u->st.detail)
		snprintf(buf, len, "%s %s", state, u->st.detail);
	else
		snprintf(buf, len, "%s", state);
}

void
accounts_draw(struct app *a)
{
	int y = a->acc_y, h = a->acc_h, w = a->side_w;
	int focus = a->focus == PANE_ACCOUNTS;

	attron(focus ? A_REVERSE | A_BOLD : A_BOLD);
	draw_text(y, 0, w, "Accounts", 1);
	attroff(A_REVERSE | A_BOLD);
	if (a->cur_acc < a->acc_top)
		a->acc_top = a->cur_acc;
	if (h > 1 && a->cur_acc >= a->acc_top + (size_t)(h - 1))
		a->acc_top = a->cur_acc - (size_t)(h - 2);
	for (int i = 1; i < h; i++) {
		size_t k = a->acc_top + (size_t)i - 1;
		const struct ui_account *u;
		char line[512], what[400], queued[48] = "";
		if (k >= a->nacc)
			break;
		u = &a->acc[k];
		describe(u, what, sizeof what);
		if (u->failed)
			snprintf(queued, sizeof queued, " [%lld queued, %lld failed]", (long long)u->queued,
			         (long long)u->failed);
		else if (u->queued)
			snprintf(queued, sizeof queued, " [%lld queued]", (long long)u->queued);
		snprintf(line, sizeof line, "%s %s  %s%s", k == a->cur_acc ? ">" : " ", u->cfg->name, what, queued);
		if (k == a->cur_acc && focus)
			attron(A_REVERSE);
		draw_text(y + i, 0, w, line, 1);
		attroff(A_REVERSE);
	}
}

void
accounts_key(struct app *a, enum ui_action act)
{
	size_t before = a->cur_acc;
	if (!a->nacc)
		return;
	switch (act) {
	case ACT_DOWN:
		if (a->cur_acc + 1 < a->nacc)
			a->cur_acc++;
		break;
	case ACT_UP:
		if (a->cur_acc > 0)
			a->cur_acc--;
		break;
	case ACT_TOP:
		a->cur_acc = 0;
		break;
	case ACT_BOTTOM:
		a->cur_acc = a->nacc - 1;
		break;
	case ACT_OPEN:
		a->focus = PANE_MAILBOXES;
		break;
	default:
		return;
	}
	if (before != a->cur_acc) {
		app_load_mailboxes(a);
		a->mb_cur = 0;
		a->mb_top = 0;
	}
}
