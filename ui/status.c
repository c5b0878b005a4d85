#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "db/db_mailbox.h"
#include "src/base/err.h"
#include "src/base/strbuf.h"
#include "src/base/err.h"
#include "src/base/strbuf.h"
#include "sync/sync.h"
#include "ui/colour.h"
#include "ui/app.h"
#include "ui/draw.h"
#include "src/base/util.h"

/* The selected account's trouble, whole: the accounts pane cuts it. What
 * the user can do comes first, as the error may be longer than the line:
 * "work: retrying in 12 s — $ now · cannot connect to ...". */
static void
account_trouble(struct app *a, strbuf *sb, const struct ui_account *u)
{
	const char *state = u->st.state ? u->st.state : "";
	const char *err = u->start_error ? u->start_error : u->st.last_error;
	int sk = keymap_key_for(a->km, CTX_ACCOUNTS, ACT_SYNC_NOW), ik = keymap_key_for(a->km, CTX_ACCOUNTS, ACT_ACCOUNT_INFO);
	char key[16], info[16];
	int64_t left;

	/* keymap_key_name() has one static buffer. */
	snprintf(key, sizeof key, "%s", sk ? keymap_key_name(sk) : "sync-now");
	snprintf(info, sizeof info, "%s", ik ? keymap_key_name(ik) : "account-info");
	if (!account_in_trouble(u))
		return;
	sb_printf(sb, " · %s: ", u->cfg->name);
	if (u->start_error)
		sb_adds(sb, "not syncing");
	else if ((left = sync_retry_left(u->st.detail, u->st.updated_at, time_now())) > 0)
		sb_printf(sb, "retrying in %lld s — %s now", (long long)left, key);
	else if (left == 0 || strcmp(state, "connecting") == 0)
		sb_adds(sb, "retrying now");
	else if (strcmp(state, "error") == 0)
		sb_printf(sb, "not retrying until asked — %s retries", key);
	else
		sb_printf(sb, "%s — %s retries", *state ? state : "offline", key);
	sb_printf(sb, ", %s details · error: %s", info, err);
}

/* The status bar: where the user is, where the cursor is, what the workers
 * do (first-sync progress, errors) and what waits in the queue; below it
 * the message line. */
void
status_draw(struct app *a)
{
	strbuf sb = STRBUF_INIT;
	int64_t pos, queued = 0, failed = 0;
	int from_end;
	const char *failed_err = NULL;
	size_t troubled = 0;

	struct mailbox_row mb = { 0 };
	enum ui_ctx ctx = a->focus == PANE_PAGER ? CTX_PAGER : CTX_INDEX;
	int64_t total = -1;

	/* The list's mailbox, whichever account the panes show. */
	if (a->open_mailbox && db_mailbox_get(a->d, a->open_mailbox, &mb) == TERN_OK) {
		char u[32], t[32];
		int64_t n;
		int more;
		fmt_count((uint64_t)mb.unread, u, sizeof u);
		fmt_count((uint64_t)mb.total, t, sizeof t);
		/* Both views have one row per message of the mailbox (a thread
		 * is always shown whole), so its count is the list's length. */
		total = mb.total;
		if (ml_limited(a->ml) && a->limit_text && (more = ml_search_count(a->ml, &n))) {
			char c[32];
			fmt_count((uint64_t)n, c, sizeof c);
			sb_printf(&sb, "[%s] limit: %s · %s%s of %s messages", mb.name, a->limit_text, c,
			          more == 2 ? "+" : "", t);
			total = more == 2 ? -1 : n;
		} else {
			/* The mailbox pane's counts, in words: "1/6" here would read
			 * as the position that follows. */
			sb_printf(&sb, "[%s] %s unread, %s messages", mb.name, u, t);
		}
		db_mailbox_row_free(&mb);
	} else if (a->list_title) {
		int64_t n;
		sb_printf(&sb, "[%s]", a->list_title);
		if (ml_search_count(a->ml, &n)) {
			char c[32];
			fmt_count((uint64_t)n, c, sizeof c);
			if (n == 0)
				sb_adds(&sb, " no results");
			else
				sb_printf(&sb, " %s result%s", c, n == 1 ? "" : "s");
			total = n;
		}
	}
	if (ml_position(a->ml, &pos, &from_end)) {
		/* "14/2,362" as in mutt when the total is known; counted back
		 * from the end (after G) it gives the position too. */
		int64_t at = !from_end ? pos : total > 0 ? total - pos + 1 : -1;
		if (total > 0 && at >= 1 && at <= total) {
			char n[32], t[32];
			fmt_count((uint64_t)at, n, sizeof n);
			fmt_count((uint64_t)total, t, sizeof t);
			sb_printf(&sb, " · %s/%s", n, t);
		} else {
			sb_printf(&sb, from_end && pos > 1 ? " · %lld from end" : from_end ? " · last" : " · %lld",
			          (long long)pos);
		}
	}
	/* The order when it is not the usual newest first: the line is
	 * short, and what follows (a failed change's error) matters more. */
	if (a->open_mailbox && ml_mode(a->ml) == ML_FLAT &&
	    (ml_sort(a->ml)->order != SORT_ARRIVAL || ml_sort(a->ml)->reverse)) {
		char name[32];
		sb_printf(&sb, " · sort: %s", sort_format(ml_sort(a->ml), name, sizeof name));
	}
	if (a->ntags)
		sb_printf(&sb, " · %zu tagged", a->ntags);
	for (size_t i = 0; i < a->nacc; i++) {
		const struct ui_account *u = &a->acc[i];
		queued += u->queued;
		failed += u->failed;
		if (!failed_err && u->failed_error)
			failed_err = u->failed_error;
		if (u->st.state && (strcmp(u->st.state, "syncing") == 0 || strcmp(u->st.state, "connecting") == 0))
			sb_printf(&sb, " · %s: %s %s", u->cfg->name, u->st.state, u->st.detail ? u->st.detail : "");
		/* Another account's error is counted, never shown as this one's. */
		if (i != a->cur_acc && account_in_trouble(u))
			troubled++;
	}
	if (queued)
		sb_printf(&sb, " · %lld queued", (long long)queued);
	if (failed) {
		/* keymap_key_name() has one static buffer: copy the first name. */
		int rk = keymap_key_for(a->km, ctx, ACT_RETRY), dk = keymap_key_for(a->km, ctx, ACT_DROP);
		char retry[16];
		snprintf(retry, sizeof retry, "%s", rk ? keymap_key_name(rk) : "retry");
		/* The keys first: the server's error can be longer than the line. */
		sb_printf(&sb, " · %lld FAILED (%s retry, %s drop)%s%s", (long long)failed, retry,
		          dk ? keymap_key_name(dk) : "drop", failed_err ? ": " : "", failed_err ? failed_err : "");
	}
	if (troubled)
		sb_printf(&sb, " · %zu other account%s in trouble", troubled, troubled == 1 ? "" : "s");
	if (a->nacc)
		account_trouble(a, &sb, &a->acc[a->cur_acc]);
	attrset(colour_attr(COL_STATUS));
	draw_text(LINES - 2, 0, COLS, sb.buf ? sb.buf : "", 1);
	attrset(A_NORMAL);
	sb_free(&sb);
	if (a->msg) {
		if (a->msg_err)
			attron(A_BOLD);
		draw_text(LINES - 1, 0, COLS, a->msg, 1);
		attroff(A_BOLD);
	}
}

/* Keys of the modal screens, which take every key while open. */
static const char *const modal_help[] = {
	"",
	"Line editing (not rebindable: the keys of a shell's line):",
	"prompt     <Enter>      accept                         <Esc> cancels, ^U clears, <Backspace>, <Tab> completes",
	"prompt     <Up> / ^P    an earlier entry               <Down> / ^N a later one (each prompt has its own history)",
	"picker     (type)       filter the mailboxes           <Enter> picks, <Esc> cancels, ^N/^P or <Down>/<Up>",
	"question   y / n        yes / no, one key              <Enter> the default (the capital in [y/N]), <Esc> no",
	"sort       d r f t s z u F  the order (o, O), one key  date, recv, from, to, subj, size, unread, Flagged; <Esc> keeps it",
};

static int
help_rows(const struct app *a)
{
	int n = 0;
	enum ui_ctx ctx;
	enum ui_action act;
	int key;
	while (keymap_binding(a->km, n, &ctx, &key, &act))
		n++;
	return n + (int)(sizeof modal_help / sizeof modal_help[0]);
}

/* The help screen: every live binding, by context, then the modal keys. */
void
help_draw(struct app *a)
{
	int y = 1, h = LINES - 3, i = 0, row = 0, total = help_rows(a), nb = total - (int)(sizeof modal_help / sizeof modal_help[0]);
	int kq = keymap_key_for(a->km, CTX_INDEX, ACT_BACK);
	enum ui_ctx ctx;
	enum ui_action act;
	int key;
	char title[160];

	/* Never a page past the end: the last page is full. */
	if (a->help_top > total - (h - 1))
		a->help_top = total - (h - 1);
	if (a->help_top < 0)
		a->help_top = 0;
	snprintf(title, sizeof title, "Key bindings (bind = CONTEXT KEY ACTION in the config; %s closes)  %d-%d of %d",
	         kq ? keymap_key_name(kq) : "back", a->help_top + 1,
	         a->help_top + h - 1 < total ? a->help_top + h - 1 : total, total);
	attron(A_BOLD);
	draw_text(y, 0, COLS, title, 1);
	attroff(A_BOLD);
	for (i = a->help_top; i < total && row < h - 1; i++, row++) {
		char line[256];
		if (i < nb && keymap_binding(a->km, i, &ctx, &key, &act))
			snprintf(line, sizeof line, "%-10s %-12s %-18s %s", keymap_ctx_name(ctx),
			         keymap_key_name(key), keymap_action_name(act), keymap_action_help(act));
		else
			snprintf(line, sizeof line, "%s", i >= nb ? modal_help[i - nb] : "");
		draw_text(y + 1 + row, 0, COLS, line, 1);
	}
}

void
help_key(struct app *a, enum ui_action act)
{
	int page = LINES - 5 > 1 ? LINES - 5 : 1;
	switch (act) {
	case ACT_DOWN: a->help_top++; break;
	case ACT_UP: a->help_top--; break;
	case ACT_PAGE_DOWN: a->help_top += page; break;
	case ACT_HALF_DOWN: a->help_top += page / 2; break;
	case ACT_PAGE_UP: a->help_top -= page; break;
	case ACT_HALF_UP: a->help_top -= page / 2; break;
	case ACT_TOP: a->help_top = 0; break;
	case ACT_BOTTOM: a->help_top = help_rows(a); break;   /* clamped when drawn */
	case ACT_BACK: case ACT_CANCEL: case ACT_HELP: case ACT_QUIT: a->help = 0; break;
	default: break;
	}
	if (a->help_top < 0)
		a->help_top = 0;
}
