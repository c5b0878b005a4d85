#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "strbuf.h"
#include "ui/app.h"
#include "ui/draw.h"

/* The status bar: where the user is, where the cursor is, what the workers
 * do (first-sync progress, errors) and what waits in the queue; below it
 * the message line. */
void
status_draw(struct app *a)
{
	strbuf sb = STRBUF_INIT;
	int64_t pos, queued = 0, failed = 0;
	int from_end;
	const char *err = NULL, *failed_err = NULL;

	if (a->open_mailbox) {
		for (size_t i = 0; i < a->nmb; i++)
			if (a->mb[i].r.id == a->open_mailbox)
				sb_printf(&sb, "[%s] %lld unread, %lld messages", a->mb[i].r.name,
				          (long long)a->mb[i].r.unread, (long long)a->mb[i].r.total);
	} else if (a->list_title) {
		sb_printf(&sb, "[%s]", a->list_title);
	}
	if (ml_position(a->ml, &pos, &from_end))
		sb_printf(&sb, from_end && pos > 1 ? " · %lld from end" : from_end ? " · last" : " · %lld",
		          (long long)pos);
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
		if (!err && u->st.last_error && *u->st.last_error)
			err = u->st.last_error;
		if (!err && u->start_error)
			err = u->start_error;
	}
	if (queued)
		sb_printf(&sb, " · %lld queued", (long long)queued);
	if (failed) {
		/* keymap_key_name() has one static buffer: copy the first name. */
		int rk = keymap_key_for(a->km, CTX_INDEX, ACT_RETRY), dk = keymap_key_for(a->km, CTX_INDEX, ACT_DROP);
		char retry[16];
		snprintf(retry, sizeof retry, "%s", rk ? keymap_key_name(rk) : "retry");
		sb_printf(&sb, " · %lld FAILED%s%s (%s retry, %s drop)", (long long)failed, failed_err ? ": " : "",
		          failed_err ? failed_err : "", retry, dk ? keymap_key_name(dk) : "drop");
	}
	if (err)
		sb_printf(&sb, " · error: %s", err);
	attron(A_REVERSE);
	draw_text(LINES - 2, 0, COLS, sb.buf ? sb.buf : "", 1);
	attroff(A_REVERSE);
	sb_free(&sb);
	if (a->msg) {
		if (a->msg_err)
			attron(A_BOLD);
		draw_text(LINES - 1, 0, COLS, a->msg, 1);
		attroff(A_BOLD);
	}
}

/* The help screen: every live binding, by context. */
void
help_draw(struct app *a)
{
	int y = 1, h = LINES - 3, i = 0, row = 0;
	enum ui_ctx ctx;
	enum ui_action act;
	int key;

	attron(A_BOLD);
	draw_text(y, 0, COLS, "Key bindings (bind = CONTEXT KEY ACTION in the config; q closes)", 1);
	attroff(A_BOLD);
	if (a->help_top < 0)
		a->help_top = 0;
	while (keymap_binding(a->km, i, &ctx, &key, &act)) {
		if (i >= a->help_top && row < h - 1) {
			char line[256];
			snprintf(line, sizeof line, "%-10s %-12s %-18s %s", keymap_ctx_name(ctx),
			         keymap_key_name(key), keymap_action_name(act), keymap_action_help(act));
			draw_text(y + 1 + row, 0, COLS, line, 1);
			row++;
		}
		i++;
	}
	if (a->help_top > i - 1)
		a->help_top = i > 0 ? i - 1 : 0;
}

void
help_key(struct app *a, enum ui_action act)
{
	int page = LINES - 5 > 1 ? LINES - 5 : 1;
	switch (act) {
	case ACT_DOWN: a->help_top++; break;
	case ACT_UP: a->help_top--; break;
	case ACT_PAGE_DOWN: case ACT_HALF_DOWN: a->help_top += page; break;
	case ACT_PAGE_UP: case ACT_HALF_UP: a->help_top -= page; break;
	case ACT_TOP: a->help_top = 0; break;
	case ACT_BACK: case ACT_HELP: case ACT_QUIT: a->help = 0; break;
	default: break;
	}
}
