#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui/draw.h"
#include "ui/modal.h"
#include "src/base/util.h"

/* One struct for both kinds: a line editor (done) or a yes/no question
 * (yes_no), which takes one key and has no text. */
struct prompt {
	char *label;
	wchar_t buf[512];
	size_t len;
	prompt_done done;
	confirm_done yes_no;
	int default_yes;
	void *ctx;
	void (*ctx_free)(void *);  /* ctx is the prompt's until done gets it */
};

static prompt *
prompt_new(struct app *a, char *label, void *ctx, void (*ctx_free)(void *))
{
	prompt *p = xcalloc(1, sizeof *p);
	prompt_free(a);
	p->label = label;
	p->ctx = ctx;
	p->ctx_free = ctx_free;
	a->pr = p;
	return p;
}

void
prompt_open(struct app *a, const char *label, const char *initial, prompt_done done, void *ctx)
{
	prompt_open_owned(a, label, initial, done, ctx, NULL);
}

void
prompt_open_owned(struct app *a, const char *label, const char *initial, prompt_done done, void *ctx,
                  void (*ctx_free)(void *))
{
	prompt *p = prompt_new(a, xstrdup(label), ctx, ctx_free);
	p->done = done;
	if (initial) {
		size_t n = mbstowcs(p->buf, initial, ARRAY_LEN(p->buf) - 1);
		p->len = n == (size_t)-1 ? 0 : n;
	}
}

void
confirm_open(struct app *a, const char *question, int default_yes, confirm_done done, void *ctx,
             void (*ctx_free)(void *))
{
	/* The capital letter is the default, as in mutt. */
	prompt *p = prompt_new(a, xasprintf("%s %s ", question, default_yes ? "[Y/n]" : "[y/N]"), ctx, ctx_free);
	p->yes_no = done;
	p->default_yes = default_yes;
}

void
prompt_free(struct app *a)
{
	if (!a->pr)
		return;
	if (a->pr->ctx_free)
		a->pr->ctx_free(a->pr->ctx);
	free(a->pr->label);
	free(a->pr);
	a->pr = NULL;
}

void
prompt_draw(struct app *a)
{
	prompt *p = a->pr;
	char text[4 * ARRAY_LEN(p->buf)];
	int x, w;
	size_t n;

	x = draw_text(LINES - 1, 0, COLS, p->label, 1);
	if (p->yes_no) {
		move(LINES - 1, x < COLS ? x : COLS - 1);
		curs_set(1);
		return;
	}
	p->buf[p->len] = 0;
	n = wcstombs(text, p->buf, sizeof text - 1);
	text[n == (size_t)-1 ? 0 : n] = '\0';
	w = COLS - x - 1;
	/* Long input scrolls: its end stays visible. */
	{
		const char *tail = text;
		while (*tail && draw_width(tail) > w) {
			int k = mblen(tail, strlen(tail));
			tail += k > 0 ? k : 1;
		}
		x += draw_text(LINES - 1, x, w, tail, 0);
	}
	move(LINES - 1, x);
	curs_set(1);
}

/* One key answers: y/Y, n/N, Esc, Enter (the default). Any other key is
 * ignored and the question stays, so a command key typed too early is not
 * taken for an answer. */
static void
confirm_key(struct app *a, int key)
{
	prompt *p = a->pr;
	confirm_done done = p->yes_no;
	void *ctx = p->ctx;
	int answer;

	switch (key) {
	case 'y': case 'Y': answer = CONFIRM_YES; break;
	case 'n': case 'N': answer = CONFIRM_NO; break;
	case 27: answer = CONFIRM_ESC; break;
	case '\r': case '\n': case KEYMAP_FN + KEY_ENTER:
		answer = p->default_yes ? CONFIRM_YES : CONFIRM_NO;
		break;
	default:
		return;
	}
	p->ctx_free = NULL;           /* done owns it now */
	prompt_free(a);
	curs_set(0);
	done(a, answer, ctx);
}

void
prompt_key(struct app *a, int key)
{
	prompt *p = a->pr;
	char text[4 * ARRAY_LEN(p->buf)];
	size_t n;

	if (p->yes_no) {
		confirm_key(a, key);
		return;
	}
	switch (key) {
	case 27:
		prompt_free(a);
		curs_set(0);
		return;
	case '\r':
	case '\n':
	case KEYMAP_FN + KEY_ENTER: {
		prompt_done done = p->done;
		void *ctx = p->ctx;
		p->ctx_free = NULL;       /* done owns it now */
		p->buf[p->len] = 0;
		n = wcstombs(text, p->buf, sizeof text - 1);
		text[n == (size_t)-1 ? 0 : n] = '\0';
		prompt_free(a);
		curs_set(0);
		done(a, text, ctx);
		return;
	}
	case 127:
	case 8:
	case KEYMAP_FN + KEY_BACKSPACE:
		if (p->len)
			p->len--;
		return;
	case 21:            /* ^U clears, as in a shell */
		p->len = 0;
		return;
	default:
		if (key >= ' ' && key < KEYMAP_FN && key != 127 && p->len + 1 < ARRAY_LEN(p->buf))
			p->buf[p->len++] = (wchar_t)key;
		return;
	}
}
