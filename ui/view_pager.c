#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include <wctype.h>

#include "db/db_body.h"
#include "db/db_change.h"
#include "db/db_message.h"
#include "src/base/err.h"
#include "src/crypt/crypt.h"
#include "src/mime/mime_render.h"
#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "ui/app.h"
#include "ui/draw.h"
#include "ui/modal.h"
#include "ui/colour.h"
#include "ui/pager.h"
#include "ui/pager_int.h"
#include "src/base/util.h"
#include "ui/request.h"
#include "src/base/util.h"

/* LOADING: the worker fetches the body; RENDERING: a render job runs the
 * html_filter; READY: body holds the rendered text. */
enum pg_state { PG_LOADING, PG_RENDERING, PG_READY, PG_UNAVAILABLE };

struct pline {
	size_t off, len;
	enum colour_obj obj;      /* its colour: that of the text line it is part of */
};

struct pager {
	struct msg_row m;
	enum pg_state state;
	char *why;                /* PG_UNAVAILABLE: what to tell the user */
	char *raw;
	size_t rawlen;
	render_job *job;
	char *body;               /* rendered body and attachment list (safe) */
	struct crypt_view pgp;    /* verdict, and the decrypted message (memory only) */
	char *verdict;            /* its line above the body, or NULL */
	int pgp_done;             /* pgp is for this raw */
	attach_menu *att;         /* the attachment menu, when open */
	int all_headers, raw_mode;
	int marked;               /* mark_read done for this open */
	int refetch;              /* offline, not cached: ask again once connected */
	int seen_down;            /* ... and the account has been seen offline since */
	uint64_t req;             /* PG_LOADING: the body request's id (ui/request.h) */
	char *text;               /* safe text: no control characters but \n */
	struct pline *lines;
	size_t nlines;
	int wrap_w;
	size_t top;
	char *find;
	size_t match_off, match_len; /* in text; match_len 0: none */
};

static void
pager_free(pager *p)
{
	db_msg_row_free(&p->m);
	render_job_drop(p->job);
	attach_close(p->att);
	free(p->why);
	free(p->raw);
	free(p->body);
	crypt_view_free(&p->pgp);
	free(p->verdict);
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

/* Attachments known from the server's structure, before the body is here. */
static int
att_cb(const struct msg_attachment *at, void *ctx)
{
	strbuf *sb = ctx;
	char sz[32];
	mime_size_str(sz, sizeof sz, at->size);
	sb_printf(sb, "[%s] %s (%s, %s)\n", at->part_id ? at->part_id : "?",
	          at->filename && *at->filename ? at->filename : "(no name)",
	          at->media_type ? at->media_type : "?", sz);
	return 0;
}

/* Every header of the raw message, RFC 2047 decoded: the header block
 * alone goes through the renderer, so no filter runs for it. */
static void
all_headers(strbuf *sb, const char *raw, size_t len)
{
	const char *end = strstr(raw, "\r\n\r\n"), *end2 = strstr(raw, "\n\n");
	size_t n;
	struct render_opts ro = { NULL, NULL, 0, RENDER_HDR_ALL, 0 };
	char *h;

	if (!end || (end2 && end2 < end))
		n = end2 ? (size_t)(end2 - raw) + 2 : len;
	else
		n = (size_t)(end - raw) + 4;
	h = mime_render_raw(raw, n, &ro);
	/* The renderer follows the headers with a blank line and the body it
	 * makes of nothing (a multipart without its parts gives a stray
	 * "--"): the headers end at the first blank line. */
	{
		char *blank = strstr(h, "\n\n");
		if (blank)
			blank[1] = '\0';
	}
	sb_adds(sb, h);
	free(h);
}

/* Tabs to spaces by display width; CR dropped (the text is already safe).
 * Linear in the text: a raw view of a message with a big attachment is
 * megabytes. */
static char *
expand_tabs(const char *s)
{
	strbuf out = STRBUF_INIT;
	const char *end = s + strlen(s);
	mbstate_t ps;
	int col = 0;

	memset(&ps, 0, sizeof ps);
	while (*s) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, (size_t)(end - s), &ps);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&ps, 0, sizeof ps);
			n = 1;
			wc = L'?';
		}
		if (*s == '\t') {
			do
				sb_addc(&out, ' ');
			while (++col % 8);
		} else if (*s == '\n') {
			sb_addc(&out, '\n');
			col = 0;
		} else if (*s != '\r') {
			int w = wcwidth(wc);
			sb_add(&out, s, n);
			col += w > 0 ? w : 0;
		}
		s += n;
	}
	return out.buf ? sb_steal(&out) : xstrdup("");
}

/* As mutt does: a message is marked read once it is shown, through the
 * queue like any change; not while it is loading or cannot be shown. The
 * screen catches up on the next turn of the loop (this runs inside a
 * refresh, too). */
static void
mark_shown(struct app *a, pager *p)
{
	struct ui_account *u = app_account(a, p->m.account_id);
	int64_t change;
	if (p->marked || p->state != PG_READY)
		return;
	p->marked = 1;
	if (!a->cfg->mark_read || (p->m.flags & MSG_SEEN) || !u || u->readonly)
		return;
	if (db_change_flag(a->d, p->m.id, MSG_SEEN, 1, &change) == TERN_OK) {
		worker_wake(u->w);
		p->m.flags |= MSG_SEEN;
		a->refresh_pending = 1;
	}
}

/* The text to show, before wrapping: headers, body, attachment list. */
static void
compose(struct app *a, pager *p)
{
	strbuf sb = STRBUF_INIT;
	char date[128];
	time_t t = (time_t)(p->m.sent_at ? p->m.sent_at : p->m.received_at);
	struct tm tm;

	if (p->raw_mode && p->raw) {
		sb_add(&sb, p->raw, p->rawlen);
	} else {
		if (p->all_headers && p->raw) {
			all_headers(&sb, p->raw, p->rawlen);
		} else {
			char *from = *p->m.from_name ? xasprintf("%s <%s>", p->m.from_name, p->m.from_addr) :
			             xstrdup(p->m.from_addr);
			/* Local time, with the seconds and the zone it is in (as the
			 * header's form), or the user's date_format (mutt's). */
			localtime_r(&t, &tm);
			if (!strftime(date, sizeof date, a->cfg->date_format ? a->cfg->date_format :
			              "%a, %d %b %Y %H:%M:%S %z", &tm))
				date[0] = '\0';
			add_header(&sb, "From", from);
			add_header(&sb, "To", p->m.to_list);
			add_header(&sb, "Cc", p->m.cc_list);
			add_header(&sb, "Date", date);
			add_header(&sb, "Subject", p->m.subject);
			free(from);
		}
		sb_adds(&sb, "\n");
		if (p->state == PG_READY) {
			if (p->verdict)
				sb_printf(&sb, "%s\n\n", p->verdict);
			sb_adds(&sb, p->body);
		} else {
			if (p->state == PG_LOADING && p->why)
				sb_printf(&sb, "%s\n", p->why);
			else if (p->state == PG_LOADING || p->state == PG_RENDERING)
				sb_adds(&sb, "loading…\n");
			else
				sb_printf(&sb, "%s\n", p->why ? p->why : "not available");
			if (p->m.has_attachment) {
				sb_adds(&sb, "\n-- Attachments --\n");
				db_attachment_each(a->d, p->m.id, att_cb, &sb);
			}
		}
	}
	free(p->text);
	{
		/* Untrusted from here on: controls become ^X (the rendered body
		 * already is safe; headers from the database and raw text are not). */
		char *safe = sb.len ? text_sanitize_n(sb.buf, sb.len, TEXT_KEEP_NEWLINES | TEXT_KEEP_TABS) :
		             xstrdup("");
		if (text_ascii_only()) {
			/* Wrapped and searched as it is drawn (ui/draw.c). */
			char *ascii = text_ascii(safe);
			free(safe);
			safe = ascii;
		}
		p->text = expand_tabs(safe);
		free(safe);
	}
	sb_free(&sb);
	p->wrap_w = 0;
	p->match_len = 0;
	mark_shown(a, p);
}

/* The last place in s[0..fit) a line may break: after a space, or after
 * a wide character (CJK text breaks between any two); 0 if none. */
static size_t
break_before(const char *s, size_t fit)
{
	size_t i = 0, brk = 0;
	mbstate_t ps;

	memset(&ps, 0, sizeof ps);
	while (i < fit) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + i, fit - i, &ps);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&ps, 0, sizeof ps);
			n = 1;
			wc = 0;
		}
		i += n;
		if (wc == L' ' || (wc && wcwidth(wc) == 2))
			brk = i;
	}
	return brk;
}

/* Where line_object() is in the text. */
struct line_state {
	int in_header, in_sig, in_att;
};

/* The colour of a line of the text: the header block up to the first
 * blank line, quotes by depth (mutt's "> > " counts two), the signature
 * from "-- " on, the attachment markers and list. */
static enum colour_obj
line_object(struct line_state *k, const char *s, size_t len)
{
	int depth = 0;
	if (k->in_header) {
		k->in_header = len > 0;
		return len ? COL_HEADER : COL_NORMAL;
	}
	if ((len == 17 && strncmp(s, "-- Attachments --", 17) == 0) || (len >= 4 && strncmp(s, "[-- ", 4) == 0)) {
		k->in_sig = 0;
		k->in_att = s[0] == '-';
		return COL_ATTACHMENT;
	}
	if (k->in_att && len && s[0] == '[')
		return COL_ATTACHMENT;
	k->in_att = 0;
	if (len == 3 && strncmp(s, "-- ", 3) == 0) {
		k->in_sig = 1;
		return COL_SIGNATURE;
	}
	for (size_t i = 0; i < len && (s[i] == '>' || s[i] == ' '); i++)
		depth += s[i] == '>';
	return depth ? colour_quoted(depth) : k->in_sig ? COL_SIGNATURE : COL_NORMAL;
}

/* Splits the text into screen lines of at most w cells, at a space when
 * the line has one, by display width (wide characters count two). */
static void
wrap(pager *p, int w)
{
	size_t cap = 64, n = 0;
	const char *s = p->text;
	struct line_state k = { 1, 0, 0 };

	free(p->lines);
	p->lines = xcalloc(cap, sizeof *p->lines);
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		enum colour_obj obj = line_object(&k, s, len);
		do {
			size_t fit = draw_fit(s, len, w, NULL), cut = fit;
			if (fit < len) {
				size_t brk = break_before(s, fit);
				if (brk > 0)
					cut = brk;
				if (cut == 0) {
					/* Not even one character fits: take one whole. */
					cut = 1;
					while (cut < len && ((unsigned char)s[cut] & 0xC0) == 0x80)
						cut++;
				}
			}
			if (n == cap) {
				cap *= 2;
				p->lines = xrealloc(p->lines, cap * sizeof *p->lines);
			}
			p->lines[n].off = (size_t)(s - p->text);
			p->lines[n].len = cut;
			p->lines[n].obj = obj;
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

void
pager_crypt_open(const char *raw, size_t len, struct crypt_view *v)
{
	/* Verifying needs no terminal; decrypting may. */
	int handover = crypt_is_encrypted(raw, len);
	if (handover) {
		def_prog_mode();
		endwin();
	}
	crypt_open(raw, len, v);
	if (handover) {
		reset_prog_mode();
		clearok(curscr, TRUE);
		refresh();
	}
}

static void
render(struct app *a, pager *p)
{
	const char *filter = a->cfg->html_filter;
	struct render_opts ro = { a->cfg->alternative_order, NULL, 0, RENDER_HDR_NONE, 1 };

	const char *raw = p->raw;
	size_t len = p->rawlen;

	render_job_drop(p->job);
	p->job = NULL;
	free(p->body);
	p->body = NULL;
	if (p->raw && !p->pgp_done) {
		/* Once per message: gpg runs (and may ask) once. */
		pager_crypt_open(p->raw, p->rawlen, &p->pgp);
		p->verdict = crypt_verdict(&p->pgp);
		p->pgp_done = 1;
		/* Only when the user allows decrypted text on disk. */
		if (p->pgp.decrypted && a->cfg->cache_decrypted)
			body_index_text(a->d, p->m.id, p->pgp.raw, p->pgp.len);
	}
	if (p->pgp.raw) {
		raw = p->pgp.raw;
		len = p->pgp.len;
	}
	/* Only a filter (a child process) can be slow: it runs off the main
	 * thread. The built-in reducer renders in place. */
	if (filter && *filter &&
	    (p->job = render_job_start(raw, len, a->cfg->alternative_order, filter, a->wake.wr))) {
		p->state = PG_RENDERING;
		return;
	}
	p->body = mime_render_raw(raw, len, &ro);
	p->state = PG_READY;
}

/* The worker is connected (syncing or idle), not between attempts. */
static int
account_up(const struct ui_account *u)
{
	const char *st = u && u->st.state ? u->st.state : "";
	return str_eq(st, "idle") || str_eq(st, "syncing");
}

/* The body could not be fetched because the account is offline: once it
 * is seen offline and then connected again, the pager asks once more. The
 * "seen offline" step keeps a fetch that fails while the account still
 * looks connected from asking in a loop. */
static void
want_refetch(struct app *a, pager *p)
{
	p->refetch = 1;
	p->seen_down = !account_up(app_account(a, p->m.account_id));
}

static void
load_body(struct app *a, pager *p)
{
	struct ui_account *u = app_account(a, p->m.account_id);
	free(p->raw);
	p->raw = NULL;
	if (db_body_get(a->d, p->m.id, &p->raw, &p->rawlen) == TERN_OK) {
		render(a, p);
	} else if (u && u->w) {
		const char *st = u->st.state ? u->st.state : "";
		if (p->state != PG_LOADING)
			request_send(u, REQ_PAGER, WREQ_FETCH_BODY, p->m.id, NULL, &p->req);
		p->state = PG_LOADING;
		/* The worker is between attempts: the answer may take a whole
		 * connect timeout. Say so now; the body replaces it if it comes. */
		free(p->why);
		p->why = str_eq(st, "backoff") || str_eq(st, "offline") || str_eq(st, "error") ?
		         xstrdup("offline — not cached (asking the server when it answers…)") : NULL;
		if (p->why)
			want_refetch(a, p);
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
pager_back(struct app *a)
{
	if (a->pg && a->pg->att) {
		attach_close(a->pg->att);
		a->pg->att = NULL;
		return;
	}
	pager_close(a);
}

const struct msg_row *
pager_message(const struct app *a)
{
	return a->pg ? &a->pg->m : NULL;
}

enum ui_ctx
pager_ctx(struct app *a)
{
	return a->pg && a->pg->att ? CTX_ATTACH : CTX_PAGER;
}

attach_menu *
pager_attach_menu(struct app *a)
{
	return a->pg ? a->pg->att : NULL;
}

/* Draws one wrapped line in its colour, the part of the search match on
 * it (a match can run over a wrap) as a search match. */
static void
draw_line(pager *p, size_t k, int y, int x, int w)
{
	const struct pline *l = &p->lines[k];
	size_t mo = p->match_off, me = p->match_off + p->match_len;
	size_t lo = l->off, le = l->off + l->len;
	char *line;

	if (p->match_len && mo < le && me > lo) {
		size_t hs = mo > lo ? mo : lo, he = me < le ? me : le;
		char *a = xstrndup(p->text + lo, hs - lo), *b = xstrndup(p->text + hs, he - hs);
		char *c = xstrndup(p->text + he, le - he);
		int used;
		attrset(colour_attr(l->obj));
		used = draw_text(y, x, w, a, 0);
		attrset(colour_mix(1u << l->obj | 1u << COL_SEARCH));
		used += draw_text(y, x + used, w - used, b, 0);
		attrset(colour_attr(l->obj));
		draw_text(y, x + used, w - used, c, 1);
		attrset(A_NORMAL);
		free(a);
		free(b);
		free(c);
		return;
	}
	line = xstrndup(p->text + lo, l->len);
	attrset(colour_attr(l->obj));
	draw_text(y, x, w, line, 1);
	attrset(A_NORMAL);
	free(line);
}

void
pager_draw(struct app *a, int y, int x, int h, int w)
{
	pager *p = a->pg;
	char *title;

	if (p->state == PG_RENDERING && p->job) {
		char *body = render_job_take(p->job);
		if (body) {
			render_job_drop(p->job);
			p->job = NULL;
			free(p->body);
			p->body = body;
			p->state = PG_READY;
			compose(a, p);
		}
	}
	if (p->att) {
		attach_draw(a, p->att, y, x, h, w);
		return;
	}
	if (p->wrap_w != w)
		wrap(p, w > 1 ? w : 1);
	if (p->top + 1 > p->nlines)
		p->top = p->nlines ? p->nlines - 1 : 0;
	title = xasprintf("%s%s  (%zu/%zu lines)", p->raw_mode ? "[raw] " : p->all_headers ? "[all headers] " : "",
	                  p->m.subject, p->nlines ? p->top + 1 : 0, p->nlines);
	attron(A_REVERSE | A_BOLD);
	draw_text(y, x, w, title, 1);
	attroff(A_REVERSE | A_BOLD);
	free(title);
	for (int i = 0; i < h - 1 && p->top + (size_t)i < p->nlines; i++)
		draw_line(p, p->top + (size_t)i, y + 1 + i, x, w);
}

/* The next character of s[0..n): its lowercase and its length in bytes
 * (an invalid byte is itself, one byte). */
static wint_t
fold_next(const char *s, size_t n, size_t *len)
{
	mbstate_t ps;
	wchar_t wc;
	size_t k;
	memset(&ps, 0, sizeof ps);
	k = mbrtowc(&wc, s, n, &ps);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		*len = 1;
		return (wint_t)(unsigned char)*s;
	}
	*len = k;
	return towlower((wint_t)wc);
}

/* Whether needle matches text at t, ignoring case (any script); *mlen is
 * the match's length in the text's bytes. */
static int
match_at(const char *t, const char *tend, const char *needle, size_t *mlen)
{
	const char *n = needle, *nend = needle + strlen(needle), *p = t;
	while (n < nend) {
		size_t a, b;
		if (p >= tend || fold_next(p, (size_t)(tend - p), &a) != fold_next(n, (size_t)(nend - n), &b))
			return 0;
		p += a;
		n += b;
	}
	*mlen = (size_t)(p - t);
	return 1;
}

/* The first match in text[from..), at a character boundary: its offset,
 * or -1. */
static long
find_in(const char *text, size_t from, const char *needle, size_t *mlen)
{
	size_t n = strlen(text);
	const char *end = text + n;
	if (!*needle)
		return -1;
	for (size_t i = from; i < n; i++) {
		if (((unsigned char)text[i] & 0xC0) == 0x80)
			continue;             /* inside a character */
		if (match_at(text + i, end, needle, mlen))
			return (long)i;
	}
	return -1;
}

/* The next match at or after byte from of the text, ignoring case,
 * wrapping to the top once; scrolls to it. */
static void
find_from(struct app *a, pager *p, size_t from)
{
	size_t lo = 0, hi, mlen = 0;
	long hit = from <= strlen(p->text) ? find_in(p->text, from, p->find, &mlen) : -1;

	if (hit < 0 && from > 0 && (hit = find_in(p->text, 0, p->find, &mlen)) >= 0)
		app_say(a, 0, "search wrapped to the top");
	if (hit < 0) {
		p->match_len = 0;
		app_say(a, 1, "not found: %s", p->find);
		return;
	}
	p->match_off = (size_t)hit;
	p->match_len = mlen;
	if (p->wrap_w == 0)
		wrap(p, a->main_w > 1 ? a->main_w : 1);
	/* The wrapped line holding the match (lines are in text order). */
	hi = p->nlines;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (p->lines[mid].off <= p->match_off)
			lo = mid;
		else
			hi = mid;
	}
	p->top = lo > 2 ? lo - 2 : 0;
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

static void
open_attachments(struct app *a, pager *p)
{
	if (!p->raw) {
		app_say(a, 1, "the message is not here yet");
		return;
	}
	p->att = attach_open(p->raw, p->rawlen);
	if (!p->att)
		app_say(a, 0, "no attachments");
}

/* J / K (and Space at the end): the message after or before the open one
 * in the list, as mutt's pager does. The list's cursor may have left the
 * open message (a refresh, or the message left a search when it was marked
 * read): the list is first put back on it, or where it would be. */
static void
step_message(struct app *a, int dir)
{
	int64_t id = a->pg->m.id;
	const struct msg_row *cur = ml_current(a->ml);
	if (!cur || cur->id != id) {
		ml_focus(a->ml, &a->pg->m);
		cur = ml_current(a->ml);
	}
	if (cur && (cur->id == id || dir < 0))
		ml_move(a->ml, dir);
	cur = ml_current(a->ml);
	if (!cur || cur->id == id) {
		app_say(a, 0, dir > 0 ? "no next message" : "no previous message");
		return;
	}
	pager_open(a, cur);
}

void
pager_key(struct app *a, enum ui_action act)
{
	pager *p = a->pg;
	size_t page = a->main_h > 3 ? (size_t)a->main_h - 2 : 1;
	/* The last line stays at the bottom of the screen: no scrolling into
	 * blank space below the end. */
	size_t shown = a->main_h > 2 ? (size_t)a->main_h - 1 : 1;
	size_t last_top = p->nlines > shown ? p->nlines - shown : 0;

	if (p->att) {
		if (attach_key(a, p->att, act) && a->pg == p) {
			attach_close(p->att);
			p->att = NULL;
		}
		return;
	}
	switch (act) {
	case ACT_DOWN:
		p->top++;
		break;
	case ACT_UP:
		if (p->top)
			p->top--;
		break;
	case ACT_PAGE_DOWN:
		/* At the end, Space goes on to the next message (mutt). */
		if (p->top >= last_top && (p->state == PG_READY || p->state == PG_UNAVAILABLE)) {
			step_message(a, 1);
			return;
		}
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
		p->top = last_top;
		break;
	case ACT_NEXT_MESSAGE:
		step_message(a, 1);
		return;
	case ACT_PREV_MESSAGE:
		step_message(a, -1);
		return;
	case ACT_HEADERS:
		p->all_headers = !p->all_headers;
		if (p->all_headers && !p->raw)
			app_say(a, 1, "all headers once the message is here");
		compose(a, p);
		break;
	case ACT_RAW:
		if (!p->raw)
			app_say(a, 1, "the message is not cached");
		p->raw_mode = p->raw && !p->raw_mode;
		p->top = 0;
		compose(a, p);
		break;
	case ACT_FIND:
		prompt_open(a, "Find: ", p->find, find_done, NULL);
		break;
	case ACT_FIND_NEXT:
		if (p->find)
			find_from(a, p, p->match_len ? p->match_off + 1 : 0);
		else
			app_say(a, 1, "no search yet");
		break;
	case ACT_ATTACHMENTS:
		open_attachments(a, p);
		break;
	default:
		triage_do(a, act);
		return;
	}
	if (p->wrap_w && p->top > last_top)
		p->top = last_top;
}

void
pager_reply(struct app *a, const struct wreply *r)
{
	pager *p = a->pg;
	/* Another pager's (this one was opened after it), or already answered. */
	if (!p || r->req_id != p->req || p->state != PG_LOADING)
		return;
	p->req = 0;
	if (r->status == TERN_OK) {
		free(p->raw);
		p->raw = NULL;
		if (db_body_get(a->d, p->m.id, &p->raw, &p->rawlen) == TERN_OK) {
			render(a, p);
		} else {
			p->state = PG_UNAVAILABLE;
			free(p->why);
			p->why = xstrdup("the server sent no body");
		}
		compose(a, p);
		return;
	}
	p->state = PG_UNAVAILABLE;
	free(p->why);
	p->why = r->status == TERN_EOFFLINE ? xstrdup("offline — not cached") :
	         xasprintf("cannot fetch the message: %s", r->error ? r->error : tern_strerror(r->status));
	if (r->status == TERN_EOFFLINE)
		want_refetch(a, p);
	compose(a, p);
}

void
pager_refresh(struct app *a)
{
	pager *p = a->pg;
	/* The body may have arrived through a sync or another process. */
	if (p->state == PG_LOADING || p->state == PG_UNAVAILABLE) {
		char *raw = NULL;
		size_t len = 0;
		if (db_body_get(a->d, p->m.id, &raw, &len) == TERN_OK) {
			free(p->raw);
			p->raw = raw;
			p->rawlen = len;
			render(a, p);
			compose(a, p);
			p->refetch = 0;
			return;
		}
		free(raw);
	}
	/* Offline when it was opened: the account's state comes through the
	 * database too, so this sees it reconnect and asks again. */
	if (p->refetch) {
		if (!account_up(app_account(a, p->m.account_id))) {
			p->seen_down = 1;
		} else if (p->seen_down && p->state == PG_UNAVAILABLE) {
			p->refetch = 0;
			load_body(a, p);
		}
	}
}
