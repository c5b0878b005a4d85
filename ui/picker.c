#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "db/db_mailbox.h"
#include "src/base/err.h"
#include "src/base/fold.h"
#include "ui/colour.h"
#include "ui/draw.h"
#include "ui/glyph.h"
#include "ui/modal.h"
#include "src/base/util.h"

/* The mailbox picker: one account's selectable mailboxes, narrowed to
 * those whose path (or role) contains what was typed, ignoring case and
 * accents. It
 * keeps its own copy of the list (an account has tens or hundreds of
 * mailboxes, not millions): a sync that adds, removes or renames mailboxes
 * while it is open cannot shift what the cursor points at, and the pick is
 * looked up again by id before it is used. */
struct picker {
	char *title;
	char filter[256];
	size_t flen;
	size_t cur, top;
	picker_done done;
	struct mbox_entry *mb;    /* the copy, pane order */
	size_t nmb;
	size_t *match;            /* indexes into mb */
	size_t nmatch;
};

static void
refilter(picker *p)
{
	p->nmatch = 0;
	free(p->match);
	p->match = xcalloc(p->nmb + 1, sizeof *p->match);
	/* The names spelt as typed first, then those that match only with
	 * case and accents folded: "Été" above "Ete" for "Été". */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < p->nmb; i++) {
			const struct mailbox_row *r = &p->mb[i].r;
			int exact = !p->flen || strstr(r->name, p->filter) != NULL;
			if (!r->selectable || exact != !pass)
				continue;
			if (!exact && !fold_contains(r->name, p->filter) && !(r->role && fold_contains(r->role, p->filter)))
				continue;
			p->match[p->nmatch++] = i;
		}
	}
	if (p->cur >= p->nmatch)
		p->cur = p->nmatch ? p->nmatch - 1 : 0;
}

void
picker_open(struct app *a, const char *title, int64_t account_id, picker_done done)
{
	picker *p = xcalloc(1, sizeof *p);
	picker_free(a);
	p->title = xstrdup(title);
	p->done = done;
	app_mailboxes(a, account_id, &p->mb, &p->nmb);
	a->pick = p;
	refilter(p);
}

void
picker_free(struct app *a)
{
	if (!a->pick)
		return;
	free(a->pick->title);
	free(a->pick->match);
	app_mailboxes_free(a->pick->mb, a->pick->nmb);
	free(a->pick);
	a->pick = NULL;
}

/* A frame of h x w cells at y,x, its inside and one column either side cleared, so that
 * nothing of the rows behind shows through or at its edges (a wide
 * character cut at the edge would leave half of itself). */
static void
frame_draw(int y, int x, int h, int w)
{
	for (int i = 0; i < h; i++) {
		if (x > 0)
			draw_blank(y + i, x - 1, 1);
		draw_blank(y + i, x, w);
		if (x + w < COLS)
			draw_blank(y + i, x + w, 1);
	}
	for (int i = 1; i < w - 1; i++) {
		draw_text(y, x + i, 1, glyph(GLYPH_HLINE), 0);
		draw_text(y + h - 1, x + i, 1, glyph(GLYPH_HLINE), 0);
	}
	for (int i = 1; i < h - 1; i++) {
		draw_text(y + i, x, 1, glyph(GLYPH_VLINE), 0);
		draw_text(y + i, x + w - 1, 1, glyph(GLYPH_VLINE), 0);
	}
	draw_text(y, x, 1, glyph(GLYPH_UL), 0);
	draw_text(y, x + w - 1, 1, glyph(GLYPH_UR), 0);
	draw_text(y + h - 1, x, 1, glyph(GLYPH_LL), 0);
	draw_text(y + h - 1, x + w - 1, 1, glyph(GLYPH_LR), 0);
}

void
picker_draw(struct app *a)
{
	picker *p = a->pick;
	/* The frame and a clear column either side fit the screen. */
	int w = COLS - 2 > 62 ? 62 : COLS - 2, h = LINES - 4 > 22 ? 22 : LINES - 4;
	int x = (COLS - w) / 2, y = 1, rows;
	char line[512];

	if (w < 8)
		w = COLS, x = 0;
	if (h < 5)
		h = 5;
	rows = h - 4;             /* frame, filter line, footer */
	if (p->cur < p->top)
		p->top = p->cur;
	if (p->cur >= p->top + (size_t)rows)
		p->top = p->cur - (size_t)(rows - 1);
	frame_draw(y, x, h, w);
	attron(A_REVERSE);
	snprintf(line, sizeof line, " %s: %s_", p->title, p->filter);
	draw_text(y + 1, x + 1, w - 2, line, 1);
	attroff(A_REVERSE);
	for (int i = 0; i < rows; i++) {
		size_t k = p->top + (size_t)i;
		if (k >= p->nmatch)
			continue;
		if (k == p->cur)
			attron(colour_attr(COL_INDICATOR));
		snprintf(line, sizeof line, " %s", p->mb[p->match[k]].r.name);
		draw_text(y + 2 + i, x + 1, w - 2, line, 1);
		attrset(A_NORMAL);
	}
	draw_text(y + h - 2, x + 1, w - 2,
	          p->nmatch ? " type to filter, Enter picks, Esc cancels" : " no mailbox matches", 1);
}

void
picker_key(struct app *a, int key)
{
	picker *p = a->pick;
	switch (key) {
	case 27:
		picker_free(a);
		return;
	case '\r':
	case '\n':
	case KEYMAP_FN + KEY_ENTER:
		if (p->nmatch) {
			picker_done done = p->done;
			struct mailbox_row r = { 0 };
			int64_t id = p->mb[p->match[p->cur]].r.id;
			picker_free(a);
			/* A sync may have removed it since the picker opened. */
			if (db_mailbox_get(a->d, id, &r) != TERN_OK) {
				app_say(a, 1, "that mailbox is gone (removed on the server?)");
				return;
			}
			db_mailbox_row_free(&r);
			done(a, id);
		}
		return;
	case KEYMAP_FN + KEY_DOWN:
	case 14:            /* ^N */
		if (p->cur + 1 < p->nmatch)
			p->cur++;
		return;
	case KEYMAP_FN + KEY_UP:
	case 16:            /* ^P */
		if (p->cur > 0)
			p->cur--;
		return;
	case 127:
	case 8:
	case KEYMAP_FN + KEY_BACKSPACE:
		while (p->flen > 0) {
			/* back over one whole UTF-8 character */
			unsigned char c = (unsigned char)p->filter[--p->flen];
			if ((c & 0xC0) != 0x80)
				break;
		}
		p->filter[p->flen] = '\0';
		refilter(p);
		return;
	default:
		if (key >= ' ' && key < KEYMAP_FN && key != 127) {
			char mb[8];
			mbstate_t ps;
			size_t n;
			memset(&ps, 0, sizeof ps);
			n = wcrtomb(mb, (wchar_t)key, &ps);
			if (n != (size_t)-1 && p->flen + n < sizeof p->filter) {
				memcpy(p->filter + p->flen, mb, n);
				p->flen += n;
				p->filter[p->flen] = '\0';
				p->cur = 0;
				refilter(p);
			}
		}
		return;
	}
}
