#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "src/base/textsafe.h"
#include "ui/draw.h"
#include "src/base/util.h"

/* text_sanitize() of "" returns a buffer without its NUL (src/strbuf.c:
 * sb_grow does not terminate a fresh buffer): empty text never goes there. */
static char *
safe_copy(const char *s)
{
	char *safe = s && *s ? text_sanitize(s, 0) : xstrdup(""), *ascii;
	/* Outside a UTF-8 locale curses draws each byte of a non-ASCII
	 * character as a blank: "Jörg" as "J  rg", Отчёты as nothing. */
	if (!text_ascii_only())
		return safe;
	ascii = text_ascii(safe);
	free(safe);
	return ascii;
}

size_t
draw_fit(const char *s, size_t len, int w, int *used)
{
	mbstate_t ps;
	size_t i = 0;
	int cells = 0;

	memset(&ps, 0, sizeof ps);
	while (i < len) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + i, len - i, &ps);
		int cw;
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&ps, 0, sizeof ps);
			k = 1;
			cw = 1;
		} else {
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		if (cells + cw > w)
			break;
		cells += cw;
		i += k;
	}
	if (used)
		*used = cells;
	return i;
}

int
draw_width(const char *s)
{
	char *safe = safe_copy(s);
	int used = 0;
	draw_fit(safe, strlen(safe), 1 << 30, &used);
	free(safe);
	return used;
}

void
draw_blank(int y, int x, int w)
{
	if (w > 0)
		mvhline(y, x, ' ', w);
}

int
draw_text(int y, int x, int w, const char *s, int pad)
{
	char *safe;
	wchar_t *buf;
	size_t len, n = 0;
	mbstate_t ps;
	int cells = 0;

	if (w <= 0)
		return 0;
	safe = safe_copy(s);
	len = strlen(safe);
	buf = calloc(len + 1, sizeof *buf);
	memset(&ps, 0, sizeof ps);
	for (size_t i = 0; buf && i < len;) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, safe + i, len - i, &ps);
		int cw;
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&ps, 0, sizeof ps);
			wc = 0xFFFD;
			k = 1;
		}
		cw = wcwidth(wc);
		if (cw < 0) {          /* never a control character on the wire */
			wc = 0xFFFD;
			cw = 1;
		}
		/* A combining mark at the start has no cell to join. */
		if (cw == 0 && n == 0) {
			i += k;
			continue;
		}
		if (cells + cw > w)
			break;
		buf[n++] = wc;
		cells += cw;
		i += k;
	}
	if (buf && n)
		mvaddnwstr(y, x, buf, (int)n);
	if (pad && cells < w)
		draw_blank(y, x + cells, w - cells);
	free(buf);
	free(safe);
	return cells;
}
