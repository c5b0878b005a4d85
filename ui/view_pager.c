#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "body_text.h"
#include "db/db_change.h"
#include "db/db_message.h"
#include "err.h"
#include "strbuf.h"
#include "textsafe.h"
#include "ui/app.h"
#include "ui/draw.h"
#include "ui/modal.h"
#include "ui/pager.h"
#include "util.h"

enum pg_state { PG_LOADING, PG_READY, PG_UNAVAILABLE };

struct pline {
	size_t off, len;
};

struct pager {
	struct msg_row m;
	enum pg_state state;
	char *why;                /* PG_UNAVAILABLE: what to tell the user */
	char *raw;
	size_t rawlen;
	int all_headers, raw_mode, show_att;
	char *text;               /* safe text: no control characters but \n */
	struct pline *lines;
	size_t nlines;
	int wrap_w;
	size_t top;
	char *find;
	size_t find_line;         /* line of the last match + 1, 0 none */
};

static void
pager_free(pager *p)
{
	db_msg_row_free(&p->m);
	free(p->why);
	free(p->raw);
	free(p->text);
	free(p->lines);
	free(p->find);
	free(p);
}

static void
add_header(strbuf *sb, const char *name, const char *value)
{
	if (value && *value)
		sb_printf(sb, "%s: %s\n", name, value);
}

struct att_list {
	strbuf *sb;
	int n;
};

static int
att_cb(const struct msg_attachment *at, void *ctx)
{
	struct att_list *l = ctx;
	const char *unit = "B";
	double size = (double)at->size;
	if (size >= 1024 * 1024) {
		size /= 1024 * 1024;
		unit = "MB";
	} else if (size >= 1024) {
		size /= 1024;
		unit = "kB";
	}
	sb_printf(l->sb, "[%d] %s (%s, %.*f %s)%s\n", ++l->n, at->filename && *at->filename ? at->filename :
	          "(no name)", at->media_type ? at->media_type : "?", *unit == 'B' ? 0 : 1, size, unit,
	          at->is_inline ? " inline" : "");
	return 0;
}

/* The text to show, before wrapping: headers, body, attachment list. */
static void
compose(struct app *a, pager *p)
{
	strbuf sb = STRBUF_INIT;
	char date[64];
	time_t t = (time_t)(p->m.sent_at ? p->m.sent_at : p->m.received_at);
	struct tm tm;

	if (p->raw_mode && p->raw) {
		sb_add(&sb, p->raw, p->rawlen);
	} else {
		if (p->all_headers && p->raw) {
			const char *end = strstr(p->raw, "\r\n\r\n");
			const char *end2 = strstr(p->raw, "\n\n");
			if (!end || (end2 && end2 < end))
				end = end2;
			sb_add(&sb, p->raw, end ? (size_t)(end - p->raw) : p->rawlen);
			sb_adds(&sb, "\n");
		} else {
			char from[600];
			snprintf(from, sizeof from, *p->m.from_name ? "%s <%s>" : "%s%s", p->m.from_name, p->m.from_addr);
			localtime_r(&t, &tm);
			strftime(date, sizeof date, "%a, %d %b %Y %H:%M", &tm);
			add_header(&sb, "From", from);
			add_header(&sb, "To", p->m.to_list);
			add_header(&sb, "Cc", p->m.cc_list);
			add_header(&sb, "Date", date);
			add_header(&sb, "Subject", p->m.subject);
		}
		sb_adds(&sb, "\n");
		if (p->state == PG_LOADING)
			sb_adds(&sb, "loading…\n");
		else if (p->state == PG_UNAVAILABLE)
			sb_printf(&sb, "%s\n", p->why ? p->why : "not available");
		else {
			char *body = body_text_extract(p->raw, p->rawlen);
			sb_adds(&sb, body);
			free(body);
		}
		if (p->show_att || p->m.has_attachment) {
			struct att_list l = { &sb, 0 };
			sb_adds(&sb, "\n");
			db_attachment_each(a->d, p->m.id, att_cb, &l);
			if (l.n == 0 && p->show_att)
				sb_adds(&sb, "(no attachments)\n");
		}
	}
	free(p->text);
	{
		/* Untrusted from here on: controls become ^X, tabs become spaces. */
		char *safe = text_sanitize_n(sb.buf ? sb.buf : "", sb.len, TEXT_KEEP_NEWLINES | TEXT_KEEP_TABS);
		strbuf out = STRBUF_INIT;
		int col = 0;
		for (const char *s = safe; *s; s++) {
			if (*s == '\t') {
				do
					sb_addc(&out, ' ');
				while (++col % 8);
				continue;
			}
			col = *s == '\n' ? 0 : col + 1;
			if (*s != '\r')
				sb_addc(&out, *s);
		}
		free(safe);
		p->text = sb_steal(&out);
	}
	sb_free(&sb);
	p->wrap_w = 0;
}

/* Splits the text into screen lines of at most w cells, at a space when
 * the line has one, by display width (wide characters count two). */
static void
wrap(pager *p, int w)
{
	size_t cap = 64, n = 0;
	const char *s = p->text;

	free(p->lines);
	p->lines = xcalloc(cap, sizeof *p->lines);
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		do {
			size_t fit = draw_fit(s, len, w, NULL), cut = fit;
			if (fit < len) {
				size_t sp = fit;
				while (sp > 0 && s[sp - 1] != ' ')
					sp--;
				if (sp > 0)
					cut = sp;
				if (cut == 0)
					cut = 1;
			}
			if (n == cap) {
				cap *= 2;
				p->lines = xrealloc(p->lines, cap * sizeof *p->lines);
			}
			p->lines[n].off = (size_t)(s - p->text);
			p->lines[n].len = cut;
			n++;
			s += cut;
			len -= cut;
		} while (len > 0);
		s = nl ? nl + 1 : s;
		if (!nl)
			break;
	}
	p->nlines = n;
	p->wrap_w = w;
}

static void
load_body(struct app *a, pager *p)
{
	struct ui_account *u = app_account(a, p->m.account_id);
	free(p->raw);
	p->raw = NULL;
	if (db_body_get(a->d, p->m.id, &p->raw, &p->rawlen) == TERN_OK) {
		p->state = PG_READY;
	} else if (u && u->w) {
		if (p->state != PG_LOADING)
			worker_request(u->w, WREQ_FETCH_BODY, p->m.id, NULL, NULL);
		p->state = PG_LOADING;
	} else {
		p->state = PG_UNAVAILABLE;
		free(p->why);
		p->why = xstrdup(u && u->readonly ?
		                 "not cached — another tern process syncs this account; open it there" :
		                 "offline — not cached");
	}
	compose(a, p);
}

void
pager_open(struct app *a, const struct msg_row *m)
{
	pager *p = xcalloc(1, sizeof *p);
	struct ui_account *u = app_account(a, m->account_id);

	if (a->pg)
		pager_close(a);
	if (db_message_get(a->d, m->id, &p->m) != TERN_OK) {
		free(p);
		app_say(a, 1, "the message is gone");
		return;
	}
	p->state = PG_UNAVAILABLE;
	a->pg = p;
	a->focus = PANE_PAGER;
	load_body(a, p);
	/* As mutt does: reading marks read, through the queue like any change. */
	if (a->cfg->mark_read && !(p->m.flags & MSG_SEEN) && u && !u->readonly) {
		int64_t change;
		if (db_change_flag(a->d, m->id, MSG_SEEN, 1, &change) == TERN_OK) {
			worker_wake(u->w);
			p->m.flags |= MSG_SEEN;
			a->data_version = db_data_version(a->d);
			app_refresh(a);
		}
	}
}

void
pager_close(struct app *a)
{
	if (!a->pg)
		return;
	pager_free(a->pg);
	a->pg = NULL;
	if (a->focus == PANE_PAGER)
		a->focus = PANE_LIST;
}

void
pager_draw(struct app *a, int y, int x, int h, int w)
{
	pager *p = a->pg;
	char title[512];
	char *line = NULL;
	size_t cap = 0;

	if (p->wrap_w != w)
		wrap(p, w > 1 ? w : 1);
	if (p->top + 1 > p->nlines)
		p->top = p->nlines ? p->nlines - 1 : 0;
	snprintf(title, sizeof title, "%s%s  (%zu/%zu lines)", p->raw_mode ? "[raw] " : "", p->m.subject,
	         p->nlines ? p->top + 1 : 0, p->nlines);
	attron(A_REVERSE | A_BOLD);
	draw_text(y, x, w, title, 1);
	attroff(A_REVERSE | A_BOLD);
	for (int i = 0; i < h - 1; i++) {
		size_t k = p->top + (size_t)i;
		if (k >= p->nlines)
			break;
		if (p->lines[k].len + 1 > cap) {
			cap = p->lines[k].len + 1;
			line = xrealloc(line, cap);
		}
		memcpy(line, p->text + p->lines[k].off, p->lines[k].len);
		line[p->lines[k].len] = '\0';
		if (p->find_line == k + 1)
			attron(A_REVERSE);
		draw_text(y + 1 + i, x, w, line, 1);
		attroff(A_REVERSE);
	}
	free(line);
}

/* The next line at or after from containing the text (case-insensitive). */
static void
find_from(struct app *a, pager *p, size_t from)
{
	for (size_t k = from; k < p->nlines; k++) {
		char *line = xstrndup(p->text + p->lines[k].off, p->lines[k].len);
		int hit = strcasestr(line, p->find) != NULL;
		free(line);
		if (hit) {
			p->find_line = k + 1;
			p->top = k > 2 ? k - 2 : 0;
			return;
		}
	}
	p->find_line = 0;
	app_say(a, 1, "not found: %s", p->find);
}

static void
find_done(struct app *a, const char *text, void *ctx)
{
	(void)ctx;
	if (!a->pg || !*text)
		return;
	free(a->pg->find);
	a->pg->find = xstrdup(text);
	find_from(a, a->pg, 0);
}

void
pager_key(struct app *a, enum ui_action act)
{
	pager *p = a->pg;
	size_t page = a->main_h > 3 ? (size_t)a->main_h - 2 : 1;

	switch (act) {
	case ACT_DOWN:
		p->top++;
		break;
	case ACT_UP:
		if (p->top)
			p->top--;
		break;
	case ACT_PAGE_DOWN:
		p->top += page;
		break;
	case ACT_PAGE_UP:
		p->top = p->top > page ? p->top - page : 0;
		break;
	case ACT_HALF_DOWN:
		p->top += page / 2;
		break;
	case ACT_HALF_UP:
		p->top = p->top > page / 2 ? p->top - page / 2 : 0;
		break;
	case ACT_TOP:
		p->top = 0;
		break;
	case ACT_BOTTOM:
		p->top = p->nlines > page ? p->nlines - page : 0;
		break;
	case ACT_HEADERS:
		p->all_headers = !p->all_headers;
		compose(a, p);
		break;
	case ACT_RAW:
		if (!p->raw)
			app_say(a, 1, "the message is not cached");
		p->raw_mode = p->raw && !p->raw_mode;
		compose(a, p);
		break;
	case ACT_FIND:
		prompt_open(a, "Find: ", p->find, find_done, NULL);
		break;
	case ACT_FIND_NEXT:
		if (p->find)
			find_from(a, p, p->find_line);
		else
			app_say(a, 1, "no search yet");
		break;
	case ACT_ATTACHMENTS:
		p->show_att = !p->show_att;
		compose(a, p);
		break;
	default:
		triage_do(a, act);
		break;
	}
}

void
pager_reply(struct app *a, const struct wreply *r)
{
	pager *p = a->pg;
	if (!p || r->arg != p->m.id || p->state != PG_LOADING)
		return;
	if (r->status == TERN_OK) {
		p->state = PG_UNAVAILABLE;
		load_body(a, p);
		if (p->state != PG_READY) {
			p->why = xstrdup("the server sent no body");
			compose(a, p);
		}
		return;
	}
	p->state = PG_UNAVAILABLE;
	free(p->why);
	p->why = r->status == TERN_EOFFLINE ? xstrdup("offline — not cached") :
	         xasprintf("cannot fetch the message: %s", r->error ? r->error : tern_strerror(r->status));
	compose(a, p);
}

void
pager_refresh(struct app *a)
{
	pager *p = a->pg;
	/* The body may have arrived through a sync or another process. */
	if (p->state != PG_READY && db_body_get(a->d, p->m.id, &p->raw, &p->rawlen) == TERN_OK) {
		p->state = PG_READY;
		compose(a, p);
	}
}
