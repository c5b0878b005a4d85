#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/paths.h"
#include "src/base/strbuf.h"
#include "sync/sync.h"
#include "src/base/textsafe.h"
#include "ui/colour.h"
#include "ui/app.h"
#include "ui/draw.h"
#include "src/base/util.h"

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
			attron(colour_attr(COL_INDICATOR));
		draw_text(y + i, 0, w, line, 1);
		attrset(A_NORMAL);
	}
}

void
accounts_key(struct app *a, enum ui_action act)
{
	size_t before = a->cur_acc;
	if (!a->nacc) {
		app_say(a, 1, "no account: the config defines none");
		return;
	}
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
		/* An account with nothing to open yet: why. */
		if (!a->nmb && account_in_trouble(&a->acc[a->cur_acc]))
			a->acc_info = 1;
		else
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

int
account_in_trouble(const struct ui_account *u)
{
	const char *state = u->st.state ? u->st.state : "";
	if (u->readonly)
		return 0;
	return u->start_error || (u->st.last_error && *u->st.last_error && strcmp(state, "idle") != 0 &&
	                          strcmp(state, "syncing") != 0);
}

/* Draws text from row *y on, wrapped at spaces to w cells. */
static void
draw_wrapped(int *y, int x, int w, int last, const char *text)
{
	char *safe = text_sanitize(text && *text ? text : "-", 0);
	char *ascii = text_ascii_only() ? text_ascii(safe) : NULL;
	const char *s = ascii ? ascii : safe;
	size_t len = strlen(s);

	while (len && *y <= last) {
		size_t fit = draw_fit(s, len, w, NULL), cut = fit;
		if (fit < len) {
			while (cut > 0 && s[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = fit ? fit : 1;
		}
		{
			char *line = xstrndup(s, cut);
			draw_text((*y)++, x, w, line, 1);
			free(line);
		}
		s += cut;
		len -= cut;
		while (len && *s == ' ') {
			s++;
			len--;
		}
	}
	free(ascii);
	free(safe);
}

void
account_info_draw(struct app *a)
{
	const struct ui_account *u = &a->acc[a->cur_acc];
	const char *state = u->st.state && *u->st.state ? u->st.state : "offline";
	int sk = keymap_key_for(a->km, CTX_ACCOUNTS, ACT_SYNC_NOW);
	int y = 1, last = LINES - 3, w = COLS - 2;
	char key[16], *dir = paths_state_dir(), *line;
	int64_t left = sync_retry_left(u->st.detail, u->st.updated_at, time_now());

	snprintf(key, sizeof key, "%s", sk ? keymap_key_name(sk) : "sync-now");
	line = u->cfg->protocol == PROTO_JMAP ?
	       xasprintf("Account %s (JMAP, %s)", u->cfg->name, u->cfg->jmap_url ? u->cfg->jmap_url : "-") :
	       xasprintf("Account %s (IMAP, %s port %d)", u->cfg->name, u->cfg->imap_host ? u->cfg->imap_host : "-",
	                 u->cfg->imap_port);
	attron(A_BOLD);
	draw_text(y++, 1, w, line, 1);
	attroff(A_BOLD);
	free(line);
	line = u->start_error ? xstrdup("State: not syncing (its worker did not start)") :
	       left >= 0 ? xasprintf("State: %s, retrying in %lld s", state, (long long)left) :
	       xasprintf("State: %s%s%s", state, u->st.detail && *u->st.detail ? ": " : "",
	                 u->st.detail ? u->st.detail : "");
	draw_wrapped(&y, 1, w, last, line);
	free(line);
	y++;
	draw_wrapped(&y, 1, w, last, "The error:");
	draw_wrapped(&y, 3, w - 2, last, u->start_error ? u->start_error : u->st.last_error);
	y++;
	draw_wrapped(&y, 1, w, last, "What to do:");
	if (u->start_error)
		line = xasprintf("tern could not start syncing this account. Check the configuration "
		                 "(tern config check) and the log, then start tern again.");
	else if (strcmp(state, "error") == 0)
		line = xasprintf("%s: a refused login, a certificate or a setting "
		                 "needs you. Fix the password (password, password_cmd or oauth_token_cmd in the config), the "
		                 "certificate (ca_file) or the setting the error names, then press %s to try again "
		                 "(a fixed command is run again). tern config check validates the config.",
		                 left >= 0 ? "tern tries again now and then, but this will not go away by itself" :
		                 "tern does not retry this by itself", key);
	else
		line = xasprintf("The server cannot be reached: tern keeps retrying by itself, sooner after a "
		                 "connection that worked. Check the network, and the host and port in the config; "
		                 "press %s to try now. Your changes wait in the queue meanwhile.", key);
	draw_wrapped(&y, 3, w - 2, last, line);
	free(line);
	y++;
	line = xasprintf("The log has every attempt: %s/tern.log (lines starting with \"%s:\").",
	                 dir ? dir : "$XDG_STATE_HOME/tern", u->cfg->name);
	draw_wrapped(&y, 1, w, last, line);
	free(line);
	free(dir);
	line = xasprintf("%s: try now · any other key closes", key);
	attron(A_REVERSE);
	draw_text(LINES - 3 > y ? LINES - 3 : y, 1, w, line, 1);
	attroff(A_REVERSE);
	free(line);
}

void
account_info_key(struct app *a, enum ui_action act)
{
	a->acc_info = 0;
	(void)act;
}
