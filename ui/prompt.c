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
	char *note;               /* drawn before the label (why it came back) */
	wchar_t buf[512];
	size_t len;
	struct history *hist;     /* this label's earlier entries */
	size_t hpos;              /* hist->n: the line being typed */
	char *draft;              /* that line, while an earlier entry shows */
	prompt_done done;
	confirm_done yes_no;
	choice_done pick;         /* a one-key choice among choices */
	const char *choices;
	int default_yes;
	void *ctx;
	void (*ctx_free)(void *);  /* ctx is the prompt's until done gets it */
	prompt_complete complete;  /* Tab; NULL: Tab is typed as nothing */
};

/* What was typed at each prompt (by its label), oldest first, for Up/^P
 * and Down/^N as in mutt. For the session only; main thread. */
enum { HISTORY_MAX = 50 };
struct history {
	char *label;
	char *item[HISTORY_MAX];
	size_t n;
};
static struct history histories[8];

static struct history *
history_for(const char *label)
{
	size_t i;
	for (i = 0; i < ARRAY_LEN(histories) && histories[i].label; i++)
		if (strcmp(histories[i].label, label) == 0)
			return &histories[i];
	if (i == ARRAY_LEN(histories))
		return NULL;          /* more prompts than slots: no history */
	histories[i].label = xstrdup(label);
	return &histories[i];
}

static void
history_add(struct history *h, const char *text)
{
	if (!h || !*text || (h->n && strcmp(h->item[h->n - 1], text) == 0))
		return;
	/* The same entry again moves to the end, not in twice. */
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->item[i], text) == 0) {
			free(h->item[i]);
			memmove(&h->item[i], &h->item[i + 1], (h->n - i - 1) * sizeof h->item[0]);
			h->n--;
			break;
		}
	if (h->n == HISTORY_MAX) {
		free(h->item[0]);
		memmove(&h->item[0], &h->item[1], (HISTORY_MAX - 1) * sizeof h->item[0]);
		h->n--;
	}
	h->item[h->n++] = xstrdup(text);
}

void
prompt_history_free(void)
{
	for (size_t i = 0; i < ARRAY_LEN(histories); i++) {
		for (size_t k = 0; k < histories[i].n; k++)
			free(histories[i].item[k]);
		free(histories[i].label);
		memset(&histories[i], 0, sizeof histories[i]);
	}
}

static void
set_text(prompt *p, const char *text)
{
	size_t n = mbstowcs(p->buf, text, ARRAY_LEN(p->buf) - 1);
	p->len = n == (size_t)-1 ? 0 : n;
}

static char *
get_text(prompt *p)
{
	char text[4 * ARRAY_LEN(p->buf)];
	size_t n;
	p->buf[p->len] = 0;
	n = wcstombs(text, p->buf, sizeof text - 1);
	text[n == (size_t)-1 ? 0 : n] = '\0';
	return xstrdup(text);
}

/* Up (dir -1) or down the history; below the newest entry is the line
 * that was being typed. */
static void
history_step(prompt *p, int dir)
{
	struct history *h = p->hist;
	if (!h || (dir < 0 && p->hpos == 0) || (dir > 0 && p->hpos >= h->n))
		return;
	if (p->hpos == h->n) {
		free(p->draft);
		p->draft = get_text(p);
	}
	p->hpos = dir < 0 ? p->hpos - 1 : p->hpos + 1;
	set_text(p, p->hpos < h->n ? h->item[p->hpos] : p->draft ? p->draft : "");
}

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
	p->hist = history_for(label);
	p->hpos = p->hist ? p->hist->n : 0;
	if (initial)
		set_text(p, initial);
}

void
prompt_set_complete(struct app *a, prompt_complete fn)
{
	if (a->pr && !a->pr->yes_no)
		a->pr->complete = fn;
}

void
prompt_note(struct app *a, const char *note)
{
	if (!a->pr)
		return;
	free(a->pr->note);
	a->pr->note = xstrdup(note);
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
choice_open(struct app *a, const char *question, const char *choices, choice_done done, void *ctx)
{
	prompt *p = prompt_new(a, xstrdup(question), ctx, NULL);
	p->pick = done;
	p->choices = choices;
}

void
prompt_free(struct app *a)
{
	if (!a->pr)
		return;
	if (a->pr->ctx_free)
		a->pr->ctx_free(a->pr->ctx);
	free(a->pr->label);
	free(a->pr->note);
	free(a->pr->draft);
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

	x = 0;
	if (p->note) {
		attron(A_BOLD);
		x = draw_text(LINES - 1, 0, COLS, p->note, 0);
		attroff(A_BOLD);
		x += draw_text(LINES - 1, x, COLS - x, " ", 0);
	}
	x += draw_text(LINES - 1, x, COLS - x, p->label, 1);
	if (p->yes_no || p->pick) {
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
	if (p->pick) {
		/* One of the letters answers, Esc cancels; any other key is
		 * ignored, as for a question. */
		choice_done done = p->pick;
		void *ctx = p->ctx;
		if (key != 27 && (key <= 0 || key >= 128 || !strchr(p->choices, key)))
			return;
		prompt_free(a);
		curs_set(0);
		if (key != 27)
			done(a, key, ctx);
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
		history_add(p->hist, text);
		prompt_free(a);
		curs_set(0);
		done(a, text, ctx);
		return;
	}
	case KEYMAP_FN + KEY_UP:
	case 16:            /* ^P */
		history_step(p, -1);
		return;
	case KEYMAP_FN + KEY_DOWN:
	case 14:            /* ^N */
		history_step(p, 1);
		return;
	case 127:
	case 8:
	case KEYMAP_FN + KEY_BACKSPACE:
		if (p->len)
			p->len--;
		return;
	case 21:            /* ^U clears, as in a shell */
		p->len = 0;
		return;
	case '\t':
		if (p->complete) {
			char *typed = get_text(p), *more;
			free(p->note);
			p->note = NULL;
			if ((more = p->complete(a, typed)) && a->pr == p)
				set_text(p, more);
			free(typed);
			free(more);
		}
		return;
	default:
		if (key >= ' ' && key < KEYMAP_FN && key != 127 && p->len + 1 < ARRAY_LEN(p->buf))
			p->buf[p->len++] = (wchar_t)key;
		return;
	}
}
