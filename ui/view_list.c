#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "src/base/err.h"
#include "src/search/search.h"
#include "src/base/err.h"
#include "src/mime/mime.h"
#include "src/search/search.h"
#include "ui/app.h"
#include "ui/colour.h"
#include "ui/draw.h"
#include "ui/glyph.h"
#include "ui/modal.h"
#include "ui/pager.h"
#include "ui/search_ui.h"
#include "src/base/util.h"

/* mutt's habit: the time for today, the day for this year, else the date. */
static void
format_date(int64_t t, char *buf, size_t len)
{
	time_t now = time(NULL), tt = (time_t)t;
	struct tm a, b;
	localtime_r(&now, &a);
	localtime_r(&tt, &b);
	if (a.tm_year == b.tm_year && a.tm_yday == b.tm_yday)
		strftime(buf, len, "%H:%M", &b);
	else if (a.tm_year == b.tm_year)
		strftime(buf, len, "%b %d", &b);
	else
		strftime(buf, len, "%Y-%m-%d", &b);
}

/* Search results: where the row is ("INBOX", or "acct:INBOX" when the
 * results hold several accounts). It follows the message: after a delete
 * or a move the refresh rereads the row, and this shows its new mailbox.
 * Caller frees; NULL when the mailbox is unknown. */
static char *
where_text(struct app *a, const struct msg_row *r, int with_account)
{
	struct mailbox_row mb = { 0 };
	const struct ui_account *u = with_account ? app_account(a, r->account_id) : NULL;
	char *s;
	if (!r->mailbox_id || db_mailbox_get(a->d, r->mailbox_id, &mb) != TERN_OK)
		return u ? xasprintf("%s:?", u->cfg->name) : NULL;
	s = u ? xasprintf("%s:%s", u->cfg->name, mb.name) : xstrdup(mb.name);
	db_mailbox_row_free(&mb);
	return s;
}

/* Levels of the thread tree drawn; deeper rows are drawn at this depth. */
#define TREE_SHOWN 10

/* The thread tree before a subject, as mutt draws it: "│ " where an
 * ancestor's line goes on, then "├>" or, for the last child, "└>". The
 * line characters fall back to ASCII (| + `) outside a UTF-8 locale.
 * Returns the cells used (at most w). */
static int
draw_tree(int y, int x, int w, int depth, uint32_t tree)
{
	int d = depth > TREE_SHOWN ? TREE_SHOWN : depth, n = 0;
	if (depth <= 0)
		return 0;
	for (int lv = 1; lv < d && n + 2 <= w; lv++, n += 2)
		draw_text(y, x + n, 2, tree & (1u << lv) ? glyph(GLYPH_VLINE) : "", 1);
	if (n + 2 <= w) {
		draw_text(y, x + n, 1, glyph(tree & (1u << (depth < 32 ? depth : 31)) ? GLYPH_TEE : GLYPH_CORNER), 0);
		draw_text(y, x + n + 1, 1, ">", 0);
		n += 2;
	}
	return n;
}

/* The first recipient of a message, for the lists of what one wrote
 * (Sent, Drafts): "To name" as mutt shows it. Caller frees. */
static char *
to_text(const struct msg_row *r)
{
	struct mail_addr_list l = { 0 };
	char *s;
	mail_addr_parse(r->to_list ? r->to_list : "", &l);
	s = l.n ? xasprintf("To %s", l.v[0].name && *l.v[0].name ? l.v[0].name : l.v[0].addr) : xstrdup("To (nobody)");
	mail_addr_free(&l);
	return s;
}

static void
draw_row(struct app *a, int y, const struct msg_row *r, int depth, uint32_t tree, int is_cur, int server,
         const struct ml_thread_fold *fold)
{
	int x = a->main_x, w = a->main_w, fromw = w >= 100 ? 24 : w >= 70 ? 18 : 12;
	int search = ml_mode(a->ml) == ML_SEARCH, several = search && !ml_account(a->ml) && a->nacc > 1;
	int boxw = !search ? 0 : w >= 100 ? (several ? 20 : 14) : w >= 70 ? (several ? 16 : 11) : 8;
	char marks[8], date[16];
	const char *from = *r->from_name ? r->from_name : r->from_addr;
	char *to = a->list_shows_to ? to_text(r) : NULL;
	int used;
	unsigned objs = 0;
	attr_t row;

	/* tag, deleted (D) or unread, flagged, attachment, queued (~) or failed (E), found by
	 * the server's search (S: its body is not in the local index) */
	marks[0] = app_is_tagged(a, r->id) ? '*' : ' ';
	/* D first, as in mutt: flagged \Deleted by another client, not expunged. */
	marks[1] = (r->flags & MSG_DELETED) ? 'D' : (r->flags & MSG_SEEN) ? ' ' : 'N';
	marks[2] = (r->flags & MSG_FLAGGED) ? '!' : (r->flags & MSG_ANSWERED) ? 'r' : ' ';
	/* X: damaged, stored from a server answer that could not be read. */
	marks[3] = r->damaged ? 'X' : r->pgp == MSG_PGP_ENCRYPTED ? 'e' : r->pgp == MSG_PGP_SIGNED ? 's' :
	           r->has_attachment ? '+' : ' ';
	marks[4] = r->failed ? 'E' : r->pending ? '~' : ' ';
	marks[5] = server ? 'S' : ' ';
	marks[6] = ' ';
	marks[7] = '\0';
	/* A collapsed thread: N if any of it is unread, ! if any is flagged. */
	if (fold && fold->unread && marks[1] == ' ')
		marks[1] = 'N';
	if (fold && fold->flagged)
		marks[2] = '!';
	/* The Date header, as mutt's %d and `tern list` show it (the arrival
	 * time when it has none); the order stays by arrival. */
	format_date(r->sent_at ? r->sent_at : r->received_at, date, sizeof date);
	if (!(r->flags & MSG_SEEN) || (fold && fold->unread))
		objs |= 1u << COL_UNREAD;
	if ((r->flags & MSG_FLAGGED) || (fold && fold->flagged))
		objs |= 1u << COL_FLAGGED;
	if (r->flags & MSG_DELETED)
		objs |= 1u << COL_DELETED;
	if (marks[0] == '*')
		objs |= 1u << COL_TAGGED;
	if (r->failed)
		objs |= 1u << COL_FAILED;
	if (is_cur && a->focus == PANE_LIST)
		objs |= 1u << COL_INDICATOR;
	/* The cursor of a list without focus stays visible, underlined. */
	row = colour_mix(objs) | (is_cur && a->focus != PANE_LIST ? A_UNDERLINE : A_NORMAL);
	attrset(row);
	draw_text(y, x, 7, marks, 1);
	used = 7;
	draw_text(y, x + used, 11, date, 1);
	used += 11;
	if (boxw) {
		char *where = where_text(a, r, several);
		draw_text(y, x + used, boxw - 1, where ? where : "", 1);
		draw_blank(y, x + used + boxw - 1, 1);
		used += boxw;
		free(where);
	}
	draw_text(y, x + used, fromw, to ? to : from, 1);
	free(to);
	used += fromw + 1;
	draw_blank(y, x + used - 1, 1);
	if (used < w) {
		int sw;
		attrset(colour_mix(objs | 1u << COL_TREE) | (row & A_UNDERLINE));
		sw = draw_tree(y, x + used, w - used, depth, tree);
		attrset(row);
		if (fold) {           /* neomutt's count of a collapsed thread */
			char count[32];
			int cw = snprintf(count, sizeof count, "(%lld) ", (long long)fold->n);
			draw_text(y, x + used + sw, w - used - sw, count, 1);
			sw += cw < w - used - sw ? cw : w - used - sw;
		}
		draw_text(y, x + used + sw, w - used - sw, r->subject, 1);
	}
	attrset(A_NORMAL);
}

void
list_draw(struct app *a)
{
	int y = 1, h = a->main_h;
	char title[400];
	const struct msg_row *r;
	int depth, is_cur, server;

	snprintf(title, sizeof title, "%s%s", a->list_title ? a->list_title : "(no mailbox)",
	         ml_mode(a->ml) == ML_THREADS ? "  (threads)" : "");
	/* In Sent and Drafts the user is the sender: the recipient says more. */
	a->list_shows_to = 0;
	if (a->open_mailbox) {
		struct mailbox_row mb = { 0 };
		if (db_mailbox_get(a->d, a->open_mailbox, &mb) == TERN_OK) {
			enum mailbox_role role = mailbox_role_parse(mb.role);
			a->list_shows_to = role == MAILBOX_ROLE_SENT || role == MAILBOX_ROLE_DRAFTS;
		}
		db_mailbox_row_free(&mb);
	}
	attron(a->focus == PANE_LIST ? A_REVERSE | A_BOLD : A_BOLD);
	draw_text(y, a->main_x, a->main_w, title, 1);
	attroff(A_REVERSE | A_BOLD);
	if (!ml_current(a->ml)) {
		draw_text(y + 1, a->main_x + 1, a->main_w - 1,
		          ml_mode(a->ml) == ML_SEARCH ? "no message matches" : "no messages", 1);
		return;
	}
	for (int i = 0; i < h - 1 && ml_row(a->ml, i, &r, &depth, &is_cur, &server); i++) {
		struct ml_thread_fold f;
		draw_row(a, y + 1 + i, r, depth, ml_row_tree(a->ml, i), is_cur, server,
		         ml_row_fold(a->ml, i, &f) ? &f : NULL);
	}
}

/* Collapse or expand (ui/msglist_fold.c), and say what happened: a thread
 * of one message looks the same either way. */
static void
fold_key(struct app *a, enum ui_action act)
{
	int64_t n = 0;
	int rc;
	if (ml_mode(a->ml) != ML_THREADS) {
		int k = keymap_key_for(a->km, CTX_INDEX, ACT_THREADS);
		app_say(a, 1, "threads collapse in the threaded view (%s)", k ? keymap_key_name(k) : "toggle-threads");
		return;
	}
	if (act == ACT_COLLAPSE_ALL || act == ACT_FOLD_ALL || act == ACT_UNFOLD_ALL) {
		rc = ml_fold_all(a->ml, act == ACT_FOLD_ALL ? 1 : act == ACT_UNFOLD_ALL ? 0 : -1);
		app_say(a, 0, "%s", rc == 1 ? "all threads collapsed" : "all threads expanded");
		return;
	}
	rc = ml_fold(a->ml, act == ACT_FOLD ? ML_FOLD_CLOSE : act == ACT_UNFOLD ? ML_FOLD_OPEN : ML_FOLD_TOGGLE, &n);
	if (rc < 0)
		app_say(a, 1, "no thread here");
	else if (n <= 1)
		app_say(a, 0, "this thread has one message");
	else
		app_say(a, 0, "thread %s: %lld messages", rc ? "collapsed" : "expanded", (long long)n);
}


void
list_key(struct app *a, enum ui_action act)
{
	const struct msg_row *cur = ml_current(a->ml);
	int h = a->main_h - 1;
	int64_t *ids;
	size_t nids;

	switch (act) {
	case ACT_DOWN: ml_move(a->ml, 1); break;
	case ACT_UP: ml_move(a->ml, -1); break;
	case ACT_PAGE_DOWN: ml_scroll(a->ml, h); break;
	case ACT_PAGE_UP: ml_scroll(a->ml, -h); break;
	case ACT_HALF_DOWN: ml_scroll(a->ml, h / 2); break;
	case ACT_HALF_UP: ml_scroll(a->ml, -h / 2); break;
	case ACT_TOP: ml_home(a->ml); break;
	case ACT_BOTTOM: ml_end(a->ml); break;
	case ACT_OPEN:
		/* A collapsed thread opens as neomutt's does: expanded, the
		 * cursor on its first message; Enter again reads it. */
		if (cur && ml_current_fold(a->ml, NULL))
			fold_key(a, ACT_UNFOLD);
		else if (cur)
			pager_open(a, cur);
		else
			app_say(a, 1, "no message to open");
		break;
	case ACT_SEARCH_ALL:
		search_all_open(a);
		break;
	case ACT_SEARCH:
		search_open(a, 0, "");
		break;
	case ACT_NEXT_UNREAD:
		if (ml_next_unread(a->ml) != TERN_OK)
			app_say(a, 0, "no unread message below");
		break;
	case ACT_LIMIT:
		limit_open(a);
		break;
	case ACT_THREADS:
		if (!a->open_mailbox) {
			app_say(a, 1, "search results are not threaded");
			break;
		}
		if (ml_limited(a->ml)) {
			app_say(a, 1, "a limited list is flat: limit to 'all' first");
			break;
		}
		{
			struct msg_row keep = { 0 };
			int had = cur != NULL;
			if (had) {
				keep.id = cur->id;
				keep.received_at = cur->received_at;
			}
			a->threaded = !a->threaded;
			ml_open_mailbox(a->ml, a->open_mailbox, a->threaded);
			if (had)
				ml_focus(a->ml, &keep);
		}
		break;
	case ACT_SORT:
	case ACT_SORT_REVERSE:
		list_sort(a, act == ACT_SORT_REVERSE);
		break;
	case ACT_TAG:
		if (cur && ml_current_thread(a->ml, &ids, &nids)) {
			/* mutt's tag-thread on a collapsed one: all of it, or none
			 * when all of it was tagged. */
			size_t had = 0;
			for (size_t i = 0; i < nids; i++)
				had += app_is_tagged(a, ids[i]) != 0;
			for (size_t i = 0; i < nids; i++)
				app_tag(a, ids[i], had < nids);
			app_say(a, 0, "%s: %zu messages", had < nids ? "tagged" : "untagged", nids);
			free(ids);
			ml_move(a->ml, 1);
		} else if (cur) {
			app_tag(a, cur->id, !app_is_tagged(a, cur->id));
			ml_move(a->ml, 1);
		} else {
			app_say(a, 1, "no message to tag");
		}
		break;
	case ACT_TAG_PATTERN:
		triage_tag_prompt(a, "");
		break;
	case ACT_UNTAG_ALL:
		app_untag_all(a);
		app_say(a, 0, "tags cleared");
		break;
	case ACT_TAG_PREFIX:
		if (!a->ntags)
			app_say(a, 1, "no tagged messages");
		else {
			a->tag_prefix = a->tag_prefix_new = 1;
			app_say(a, 0, "next action on %zu tagged…", a->ntags);
		}
		break;
	case ACT_COLLAPSE_THREAD: case ACT_COLLAPSE_ALL: case ACT_FOLD: case ACT_UNFOLD:
	case ACT_FOLD_ALL: case ACT_UNFOLD_ALL:
		fold_key(a, act);
		break;
	default:
		triage_do(a, act);
		break;
	}
}
