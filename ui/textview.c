#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/textsafe.h"
#include "src/base/util.h"
#include "ui/draw.h"
#include "ui/textview.h"

struct textview {
	char *title;
	char **lines;
	size_t n;
	int top;
};

void
textview_free(struct app *a)
{
	struct textview *t = a->tv;
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t->title);
	free(t);
	a->tv = NULL;
}

/* One line of output as it may reach the terminal: tabs expanded, every
 * other control character (an escape sequence from a command or a mail)
 * shown inert. */
static char *
safe_line(const char *s, size_t len)
{
	char *raw = xstrndup(s, len), *out;
	size_t k = 0;
	for (size_t i = 0; i < len; i++)
		if (raw[i] == '\0')
			raw[i] = ' ';
	if (len && raw[len - 1] == '\r')
		raw[--len] = '\0';
	if (!*raw)
		return raw;
	for (size_t i = 0; raw[i]; i++)
		if (raw[i] == '\t')
			k++;
	if (k) {
		char *x = xcalloc(1, len + k * 8 + 1);
		size_t col = 0, j = 0;
		for (size_t i = 0; raw[i]; i++) {
			if (raw[i] == '\t') {
				do
					x[j++] = ' ';
				while (++col % 8);
			} else {
				x[j++] = raw[i];
				if (((unsigned char)raw[i] & 0xC0) != 0x80)
					col++;
			}
		}
		free(raw);
		raw = x;
	}
	out = text_sanitize(raw, 0);
	free(raw);
	return out;
}

void
textview_open(struct app *a, const char *title, const char *text, size_t len)
{
	struct textview *t = xcalloc(1, sizeof *t);
	size_t cap = 0;

	textview_free(a);
	t->title = *title ? text_sanitize(title, 0) : xstrdup("");
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (text + i)) : len - i;
		if (t->n == cap) {
			cap = cap ? cap * 2 : 64;
			t->lines = xrealloc(t->lines, cap * sizeof *t->lines);
		}
		t->lines[t->n++] = safe_line(text + i, l);
		i += l + 1;
	}
	a->tv = t;
}

void
textview_draw(struct app *a)
{
	struct textview *t = a->tv;
	int h = LINES - 3, total = (int)t->n;
	char title[512];

	if (t->top > total - (h - 1))
		t->top = total - (h - 1);
	if (t->top < 0)
		t->top = 0;
	snprintf(title, sizeof title, "%s  %d-%d of %d", t->title, total ? t->top + 1 : 0,
	         t->top + h - 1 < total ? t->top + h - 1 : total, total);
	attron(A_BOLD);
	draw_text(1, 0, COLS, title, 1);
	attroff(A_BOLD);
	for (int row = 0; row < h - 1 && t->top + row < total; row++)
		draw_text(2 + row, 0, COLS, t->lines[t->top + row], 1);
}

void
textview_key(struct app *a, enum ui_action act)
{
	struct textview *t = a->tv;
	int page = LINES - 5 > 1 ? LINES - 5 : 1;
	switch (act) {
	case ACT_DOWN: t->top++; break;
	case ACT_UP: t->top--; break;
	case ACT_PAGE_DOWN: t->top += page; break;
	case ACT_HALF_DOWN: t->top += page / 2; break;
	case ACT_PAGE_UP: t->top -= page; break;
	case ACT_HALF_UP: t->top -= page / 2; break;
	case ACT_TOP: t->top = 0; break;
	case ACT_BOTTOM: t->top = (int)t->n; break;   /* clamped when drawn */
	case ACT_BACK: case ACT_CANCEL: case ACT_QUIT: textview_free(a); return;
	default: break;
	}
	if (t->top < 0)
		t->top = 0;
}
