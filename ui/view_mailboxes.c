#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "db/db_sync.h"
#include "ui/colour.h"
#include "ui/app.h"
#include "ui/draw.h"
#include "src/base/util.h"

/* The last component of a path: the hierarchy is shown by indentation.
 * A top-level entry keeps its whole path (its parent may not be listed). */
static const char *
leaf_name(const struct mbox_entry *e)
{
	const struct mailbox_row *r = &e->r;
	const char *d = r->delim && *r->delim ? r->delim : NULL;
	const char *s = r->name, *p;
	if (!d || !r->parent_id || e->depth == 0)
		return s;
	while ((p = strstr(s, d)) != NULL)
		s = p + strlen(d);
	return s;
}

void
mailboxes_draw(struct app *a)
{
	int y = a->mb_y, h = a->mb_h, w = a->side_w;
	int focus = a->focus == PANE_MAILBOXES;
	char title[128];

	snprintf(title, sizeof title, "Mailboxes%s%s", a->nacc ? " — " : "",
	         a->nacc ? a->acc[a->cur_acc].cfg->name : "");
	attron(focus ? A_REVERSE | A_BOLD : A_BOLD);
	draw_text(y, 0, w, title, 1);
	attroff(A_REVERSE | A_BOLD);
	if (a->mb_cur < a->mb_top)
		a->mb_top = a->mb_cur;
	if (h > 1 && a->mb_cur >= a->mb_top + (size_t)(h - 1))
		a->mb_top = a->mb_cur - (size_t)(h - 2);
	if (!a->nmb) {
		draw_text(y + 1, 1, w - 1, "(no mailboxes yet: the first sync lists them)", 1);
		return;
	}
	for (int i = 1; i < h; i++) {
		size_t k = a->mb_top + (size_t)i - 1;
		const struct mbox_entry *e;
		char counts[72], name[300];
		int cw, nw, indent;
		if (k >= a->nmb)
			break;
		e = &a->mb[k];
		indent = e->depth > 6 ? 12 : e->depth * 2;
		/* A \Noselect folder only holds folders: a heading, no count. */
		if (!e->r.selectable)
			counts[0] = '\0';
		else {
			/* Grouped as the status line groups them (1,769). */
			char u[32], t[32];
			fmt_count((uint64_t)e->r.unread, u, sizeof u);
			fmt_count((uint64_t)e->r.total, t, sizeof t);
			if (e->r.unread)
				snprintf(counts, sizeof counts, " %s/%s", u, t);
			else
				snprintf(counts, sizeof counts, " %s", t);
		}
		/* A folder whose last syncs failed (refused, or answered what
		 * tern cannot read; rested after two): a ! before its counts,
		 * as `tern mailboxes` says it in words. */
		if (e->r.selectable && e->r.remote_id && db_mailbox_failures(a->d, e->r.account_id, e->r.remote_id) > 0) {
			char marked[sizeof counts];
			snprintf(marked, sizeof marked, " !%s", counts);
			memcpy(counts, marked, sizeof counts);
		}
		snprintf(name, sizeof name, "%*s%s%s", indent, "", leaf_name(e),
		         !e->r.selectable && e->r.delim ? e->r.delim : "");
		cw = (int)strlen(counts);
		nw = w - 1 - cw;
		if (k == a->mb_cur && focus)
			attron(colour_attr(COL_INDICATOR));
		else if (e->r.id == a->open_mailbox)
			attron(A_BOLD);
		if (e->r.unread)
			attron(A_BOLD);
		if (!e->r.selectable)
			attron(A_DIM);
		draw_text(y + i, 0, 1, e->r.id == a->open_mailbox ? ">" : " ", 1);
		draw_text(y + i, 1, nw > 0 ? nw : 0, name, 1);
		if (nw > 0)
			draw_text(y + i, 1 + nw, cw, counts, 1);
		attrset(A_NORMAL);
	}
}

void
mailboxes_key(struct app *a, enum ui_action act)
{
	int page = a->mb_h > 2 ? a->mb_h - 2 : 1;
	if (act == ACT_MAILBOX_CREATE || act == ACT_MAILBOX_RENAME || act == ACT_MAILBOX_DELETE) {
		mailbox_edit(a, act);
		return;
	}
	if (!a->nmb) {
		if (act == ACT_SEARCH || act == ACT_SEARCH_ALL)
			list_key(a, act);
		else if (act == ACT_OPEN)
			app_say(a, 1, "no mailboxes yet: the first sync lists them");
		return;
	}
	switch (act) {
	case ACT_DOWN:
		if (a->mb_cur + 1 < a->nmb)
			a->mb_cur++;
		break;
	case ACT_UP:
		if (a->mb_cur > 0)
			a->mb_cur--;
		break;
	case ACT_PAGE_DOWN:
	case ACT_HALF_DOWN:
		a->mb_cur = a->mb_cur + (size_t)page < a->nmb ? a->mb_cur + (size_t)page : a->nmb - 1;
		break;
	case ACT_PAGE_UP:
	case ACT_HALF_UP:
		a->mb_cur = a->mb_cur > (size_t)page ? a->mb_cur - (size_t)page : 0;
		break;
	case ACT_TOP:
		a->mb_cur = 0;
		break;
	case ACT_BOTTOM:
		a->mb_cur = a->nmb - 1;
		break;
	case ACT_OPEN:
		if (!a->mb[a->mb_cur].r.selectable)
			app_say(a, 1, "%s cannot hold messages", a->mb[a->mb_cur].r.name);
		else
			app_open_mailbox(a, a->mb[a->mb_cur].r.id);
		break;
	case ACT_SEARCH:
	case ACT_SEARCH_ALL:
		list_key(a, act);
		break;
	default:
		break;
	}
}
