#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "src/mime/html_text.h"
#include "src/mime/mime_int.h"
#include "src/mime/mime_render.h"
#include "src/base/proc.h"
#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "src/base/util.h"

#define DEFAULT_ORDER "text/plain text/html"
#define INDEX_MAX (1024 * 1024)

struct rctx {
	const struct render_opts *o;
	strbuf out;
	int run_filter;           /* 0 for the index: no child processes there */
	strbuf *shown;            /* non-NULL: only list the messages shown inline */
	int mark_parts;           /* a display: each inline text attachment says which it is */
};

/* --- Text parts ---------------------------------------------------------------- */

/* RFC 3676 4.2: a line ending in a space continues on the next line of the
 * same quote depth; "-- " is the signature separator, never flowed. */
static void
flowed_decode(const char *s, int delsp, strbuf *out)
{
	int para_depth = -1, open = 0;

	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		int depth = 0, flowed;
		const char *c = s;
		if (len && c[len - 1] == '\r')
			len--;
		while (depth < (int)len && c[depth] == '>')
			depth++;
		c += depth;
		len -= (size_t)depth;
		if (len && c[0] == ' ') {        /* space-stuffing */
			c++;
			len--;
		}
		flowed = len > 0 && c[len - 1] == ' ' && !(len == 3 && strncmp(c, "-- ", 3) == 0);
		if (open && depth != para_depth) {
			/* A flowed line followed by another depth: the paragraph ends. */
			sb_addc(out, '\n');
			open = 0;
		}
		if (!open) {
			for (int i = 0; i < depth; i++)
				sb_addc(out, '>');
			if (depth)
				sb_addc(out, ' ');
		}
		sb_add(out, c, flowed && delsp ? len - 1 : len);
		if (flowed) {
			open = 1;
			para_depth = depth;
		} else {
			sb_addc(out, '\n');
			open = 0;
		}
		s = nl ? nl + 1 : s + strlen(s);
	}
	if (open)
		sb_addc(out, '\n');
}

static void
separate(strbuf *out)
{
	if (out->len == 0)
		return;
	if (out->buf[out->len - 1] != '\n')
		sb_addc(out, '\n');
	if (out->len >= 2 && out->buf[out->len - 2] != '\n')
		sb_addc(out, '\n');
}

/* Appends text with CRLF made LF and a final newline. */
static void
add_lines(strbuf *out, const char *s)
{
	for (; *s; s++)
		if (!(s[0] == '\r' && s[1] == '\n'))
			sb_addc(out, *s);
	if (out->len && out->buf[out->len - 1] != '\n')
		sb_addc(out, '\n');
}

static void
render_html(struct rctx *r, const char *html)
{
	const char *f = r->o->html_filter;
	char **argv = r->run_filter ? proc_split(f) : NULL;
	if (argv) {
		char *res = NULL;
		size_t len = 0;
		int to = r->o->filter_timeout_ms > 0 ? r->o->filter_timeout_ms : 5000, rc;
		rc = proc_run(argv, html, strlen(html), to, &res, &len);
		proc_argv_free(argv);
		if (rc == TERN_OK) {
			/* Filters answer in the locale's charset; UTF-8 if it is valid. */
			char *u = mime_to_utf8(NULL, res, len);
			add_lines(&r->out, u);
			free(u);
			free(res);
			return;
		}
		free(res);
	}
	char *t = html_to_text(html, strlen(html));
	add_lines(&r->out, t);
	free(t);
}

static void
render_text(struct rctx *r, const mime_part *p)
{
	char *t = mime_part_text(p);
	const char *fmt = mime_part_param(p, "format"), *delsp = mime_part_param(p, "delsp");

	separate(&r->out);
	/* As mutt marks them: a text part that is also an attachment (an
	 * inline patch after the letter) would otherwise run on from the text
	 * before it. The number is the part id, as the attachment menu and
	 * list show it; parts of the letter itself (unnamed) are not marked. */
	if (r->mark_parts && mime_part_is_attachment(p)) {
		const char *name = mime_part_filename(p);
		char *data = NULL, sz[32];
		size_t len = 0;
		if (mime_part_data(p, &data, &len) != TERN_OK)
			len = 0;
		free(data);
		mime_size_str(sz, sizeof sz, (int64_t)len);
		sb_printf(&r->out, "[-- %s: %s (%s, %s) --]\n", mime_part_id(p), name ? name : "(no name)",
		          mime_part_type(p), sz);
	}
	if (mime_part_is(p, "text/html"))
		render_html(r, t);
	else if (fmt && str_ieq(fmt, "flowed"))
		flowed_decode(t, delsp && str_ieq(delsp, "yes"), &r->out);
	else
		add_lines(&r->out, t);
	free(t);
}

/* --- Structure ------------------------------------------------------------------- */

static void render_part(struct rctx *r, const mime_part *p);

/* Whether p is, or starts with, a part of type t (multipart/related around
 * the HTML is the common case). */
static int
offers(const mime_part *p, const char *t)
{
	for (int i = 0; p && i < MIME_MAX_DEPTH; i++) {
		if (mime_part_is(p, t))
			return 1;
		if (!mime_part_is(p, "multipart/") || mime_part_count(p) == 0)
			return 0;
		p = mime_part_child(p, 0);
	}
	return 0;
}

static const mime_part *
choose_alternative(const struct rctx *r, const mime_part *p)
{
	const char *order = r->o->alternative_order && *r->o->alternative_order ?
	                    r->o->alternative_order : DEFAULT_ORDER;
	size_t n = mime_part_count(p);
	char **words = proc_split(order);

	/* In the user's order; among equals the last, the sender's best (RFC 2046 5.1.4). */
	for (size_t w = 0; words && words[w]; w++) {
		str_lower(words[w]);
		for (size_t i = n; i-- > 0;)
			if (offers(mime_part_child(p, i), words[w])) {
				proc_argv_free(words);
				return mime_part_child(p, i);
			}
	}
	proc_argv_free(words);
	for (size_t i = n; i-- > 0;) {
		const mime_part *k = mime_part_child(p, i);
		if (mime_part_is(k, "text/") || mime_part_is(k, "multipart/"))
			return k;
	}
	return n ? mime_part_child(p, 0) : NULL;
}

static void
header_line(strbuf *out, const char *label, const char *value)
{
	if (value && *value)
		sb_printf(out, "%s: %s\n", label, value);
}

static void
addr_line(strbuf *out, const mime_msg *m, const char *name)
{
	struct mail_addr_list l;
	mime_header_addrs(m, name, &l);
	if (l.n) {
		char *s = mail_addr_format(&l);
		header_line(out, name, s);
		free(s);
	}
	mail_addr_free(&l);
}

static void
headers_block(strbuf *out, const mime_msg *m, enum render_headers which)
{
	if (which == RENDER_HDR_ALL) {
		for (size_t i = 0; i < m->hdrs.n; i++) {
			char *v = mime_decode_header(m->hdrs.v[i].value);
			header_line(out, m->hdrs.v[i].name, v);
			free(v);
		}
		return;
	}
	char *date = mime_header(m, "Date"), *subject = mime_header(m, "Subject");
	addr_line(out, m, "From");
	addr_line(out, m, "To");
	addr_line(out, m, "Cc");
	header_line(out, "Date", date);
	header_line(out, "Subject", subject);
	free(date);
	free(subject);
}

static void
render_children(struct rctx *r, const mime_part *p)
{
	for (size_t i = 0; i < mime_part_count(p); i++)
		render_part(r, mime_part_child(p, i));
}

static void
render_part(struct rctx *r, const mime_part *p)
{
	if (mime_part_is(p, "multipart/alternative")) {
		const mime_part *c = choose_alternative(r, p);
		if (c)
			render_part(r, c);
	} else if (mime_part_is(p, "multipart/related")) {
		/* The root is the first part (senders do not use "start" in
		 * practice); the rest are its images, listed as attachments. */
		const mime_part *root = mime_part_count(p) ? mime_part_child(p, 0) : NULL;
		if (root)
			render_part(r, root);
	} else if (mime_part_is(p, "multipart/encrypted")) {
		separate(&r->out);
		sb_adds(&r->out, "[encrypted message: not shown]\n");
	} else if (mime_part_is(p, "multipart/signed")) {
		if (mime_part_count(p))
			render_part(r, mime_part_child(p, 0));
	} else if (mime_part_is(p, "multipart/")) {
		render_children(r, p);
	} else if (mime_part_message(p) && r->shown) {
		sb_adds(r->shown, mime_part_id(p));
		sb_addc(r->shown, '\n');
		render_children(r, p);
	} else if (mime_part_message(p)) {
		const mime_msg *inner = mime_part_message(p);
		separate(&r->out);
		sb_adds(&r->out, "---------- Forwarded message ----------\n");
		headers_block(&r->out, inner, RENDER_HDR_DEFAULT);
		sb_addc(&r->out, '\n');
		render_children(r, p);
	} else if (mime_part_is(p, "text/") && !mime_part_disposition_attachment(p) && !r->shown) {
		render_text(r, p);
	}
}

void
mime_size_str(char *buf, size_t n, int64_t size)
{
	if (size < 1024)
		snprintf(buf, n, "%lld B", (long long)size);
	else if (size < 1024 * 1024)
		snprintf(buf, n, "%.1f kB", (double)size / 1024);
	else
		snprintf(buf, n, "%.1f MB", (double)size / (1024 * 1024));
}

static void
attachment_list(strbuf *out, const mime_msg *m)
{
	struct mime_attachment *a;
	size_t n;

	mime_attachments(m, &a, &n);
	if (n) {
		separate(out);
		sb_adds(out, "-- Attachments --\n");
	}
	for (size_t i = 0; i < n; i++) {
		char sz[32];
		mime_size_str(sz, sizeof sz, a[i].size);
		const char *name = a[i].filename ? a[i].filename :
		                   str_has_prefix(a[i].media_type, "message/") ? "(forwarded message)" : "(no name)";
		sb_printf(out, "[%s] %s (%s, %s)\n", a[i].part_id, name, a[i].media_type, sz);
	}
	mime_attachments_free(a, n);
}

static char *
finish(strbuf *out)
{
	/* (text_sanitize_n of nothing returns an unterminated buffer) */
	char *s = out->len ? text_sanitize_n(out->buf, out->len, TEXT_KEEP_NEWLINES | TEXT_KEEP_TABS) :
	                     xstrdup("");
	sb_free(out);
	return s;
}

char *
mime_render(const mime_msg *m, const struct render_opts *o)
{
	struct rctx r = { o, STRBUF_INIT, 1, NULL, o->attachments };

	if (o->headers != RENDER_HDR_NONE) {
		headers_block(&r.out, m, o->headers);
		sb_addc(&r.out, '\n');
	}
	render_part(&r, mime_root(m));
	if (o->attachments)
		attachment_list(&r.out, m);
	return finish(&r.out);
}

char *
mime_render_body(const mime_msg *m, const struct render_opts *o)
{
	struct rctx r = { o, STRBUF_INIT, 1, NULL, 0 };
	render_part(&r, mime_root(m));
	return finish(&r.out);
}

char *
mime_render_inline_messages(const mime_msg *m, const struct render_opts *o)
{
	strbuf shown = STRBUF_INIT;
	struct rctx r = { o, STRBUF_INIT, 0, &shown, 0 };
	render_part(&r, mime_root(m));
	sb_free(&r.out);
	return shown.buf ? sb_steal(&shown) : xstrdup("");
}

char *
mime_render_raw(const char *raw, size_t len, const struct render_opts *o)
{
	mime_msg *m = NULL;
	char *s;

	if (mime_parse(raw, len, &m) != TERN_OK)
		return xstrdup("");
	s = mime_render(m, o);
	mime_free(m);
	return s;
}

char *
mime_text_for_index(const char *raw, size_t len)
{
	struct render_opts o = { NULL, NULL, 0, RENDER_HDR_NONE, 0 };
	struct rctx r = { &o, STRBUF_INIT, 0, NULL, 0 };
	mime_msg *m = NULL;

	if (mime_parse(raw, len, &m) != TERN_OK)
		return xstrdup("");
	/* The body only: the Subject and the attachment names have columns of
	 * their own (body: must not find a word of the subject). */
	render_part(&r, mime_root(m));
	mime_free(m);
	/* Enough for any letter; a pasted 50 MB log is not worth indexing. */
	if (r.out.len > INDEX_MAX) {
		size_t cut = INDEX_MAX;
		while (cut > 0 && ((unsigned char)r.out.buf[cut] & 0xC0) == 0x80)
			cut--;          /* never split a UTF-8 sequence */
		r.out.len = cut;
		r.out.buf[cut] = '\0';
	}
	return sb_steal(&r.out);
}
