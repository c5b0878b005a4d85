/* Parts: walking the tree, decoding bodies, and the attachment list. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/base/err.h"
#include "src/mime/mime_int.h"
#include "src/base/util.h"

const mime_part *
mime_root(const mime_msg *m)
{
	return m->root;
}

size_t
mime_part_count(const mime_part *p)
{
	return p->nkids;
}

const mime_part *
mime_part_child(const mime_part *p, size_t i)
{
	return i < p->nkids ? p->kids[i] : NULL;
}

const char *
mime_part_id(const mime_part *p)
{
	return p->id;
}

const char *
mime_part_type(const mime_part *p)
{
	return p->type;
}

int
mime_part_is(const mime_part *p, const char *type)
{
	size_t n = strlen(type);
	if (n && type[n - 1] == '/')
		return strncmp(p->type, type, n) == 0;
	return strcmp(p->type, type) == 0;
}

const char *
mime_part_param(const mime_part *p, const char *name)
{
	for (size_t i = 0; i < p->nparams; i++)
		if (strcasecmp(p->params[i].name, name) == 0)
			return p->params[i].value;
	return NULL;
}

const char *
mime_part_filename(const mime_part *p)
{
	return p->filename;
}

int
mime_part_disposition_attachment(const mime_part *p)
{
	return p->disp == MIME_DISP_ATTACHMENT;
}

const mime_msg *
mime_part_message(const mime_part *p)
{
	return p->msg;
}

int
mime_part_is_attachment(const mime_part *p)
{
	if (mime_part_is(p, "multipart/"))
		return 0;
	if (p->msg)                 /* a forwarded message can be saved whole */
		return 1;
	if (p->disp == MIME_DISP_ATTACHMENT || p->filename)
		return 1;
	return !mime_part_is(p, "text/");
}

static int
walk(const mime_part *p, int depth, mime_part_cb cb, void *ctx)
{
	if (cb(p, depth, ctx))
		return 1;
	for (size_t i = 0; i < p->nkids; i++)
		if (walk(p->kids[i], depth + 1, cb, ctx))
			return 1;
	return 0;
}

void
mime_walk(const mime_msg *m, mime_part_cb cb, void *ctx)
{
	if (m->root)
		walk(m->root, 0, cb, ctx);
}

int
mime_part_data(const mime_part *p, char **out, size_t *len)
{
	strbuf sb = STRBUF_INIT;

	if (p->body && !p->msg) {
		if (p->enc == MIME_ENC_BASE64)
			mime_b64_decode(p->body, p->body_len, &sb);
		else if (p->enc == MIME_ENC_QP)
			mime_qp_decode(p->body, p->body_len, &sb, 0);
		else
			sb_add(&sb, p->body, p->body_len);
	} else if (p->body) {
		sb_add(&sb, p->body, p->body_len);   /* message/rfc822 is never encoded (RFC 2046 5.2.1) */
	}
	*len = sb.len;
	*out = sb_steal(&sb);
	return TERN_OK;
}

/* <meta charset="x"> or <meta http-equiv=... content="...; charset=x"> in
 * the first bytes of an HTML part that has no charset parameter. */
static char *
html_meta_charset(const char *s, size_t n)
{
	size_t lim = n < 2048 ? n : 2048;
	for (size_t i = 0; i + 8 < lim; i++) {
		if (strncasecmp(s + i, "charset=", 8) != 0)
			continue;
		size_t b = i + 8, e;
		while (b < lim && (s[b] == '"' || s[b] == '\'' || s[b] == ' '))
			b++;
		for (e = b; e < lim && e - b < 40 && (s[e] == '-' || s[e] == '_' || s[e] == '.' ||
		     (s[e] >= '0' && s[e] <= '9') || ((s[e] | 0x20) >= 'a' && (s[e] | 0x20) <= 'z')); e++)
			;
		if (e > b)
			return xstrndup(s + b, e - b);
	}
	return NULL;
}

char *
mime_part_text(const mime_part *p)
{
	char *data = NULL, *text, *sniffed = NULL;
	const char *cs = mime_part_param(p, "charset");
	size_t len = 0;

	mime_part_data(p, &data, &len);
	if (!cs && mime_part_is(p, "text/html"))
		cs = sniffed = html_meta_charset(data, len);
	text = mime_to_utf8(cs, data, len);
	free(sniffed);
	free(data);
	return text;
}

/* --- Attachments ---------------------------------------------------------------- */

struct att_ctx {
	struct mime_attachment *v;
	size_t n;
};

static int
att_cb(const mime_part *p, int depth, void *ctx)
{
	struct att_ctx *a = ctx;
	struct mime_attachment *e;
	char *data = NULL;
	size_t len = 0;

	(void)depth;
	if (!mime_part_is_attachment(p))
		return 0;
	mime_part_data(p, &data, &len);
	free(data);
	a->v = xrealloc(a->v, (a->n + 1) * sizeof *a->v);
	e = &a->v[a->n++];
	e->part_id = xstrdup(p->id);
	e->filename = xstrdup(p->filename);
	e->media_type = xstrdup(p->type);
	e->size = (int64_t)len;
	e->is_inline = p->disp != MIME_DISP_ATTACHMENT;
	return 0;
}

void
mime_attachments(const mime_msg *m, struct mime_attachment **out, size_t *n)
{
	struct att_ctx a = { NULL, 0 };
	mime_walk(m, att_cb, &a);
	*out = a.v;
	*n = a.n;
}

void
mime_attachments_free(struct mime_attachment *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].part_id);
		free(v[i].filename);
		free(v[i].media_type);
	}
	free(v);
}

struct find_ctx {
	const char *id;
	const mime_part *found;
};

static int
find_cb(const mime_part *p, int depth, void *ctx)
{
	struct find_ctx *f = ctx;
	(void)depth;
	if (strcmp(p->id, f->id) == 0) {
		f->found = p;
		return 1;
	}
	return 0;
}

int
mime_attachment_data(const mime_msg *m, const char *part_id, char **out, size_t *len)
{
	struct find_ctx f = { part_id, NULL };

	*out = NULL;
	*len = 0;
	mime_walk(m, find_cb, &f);
	if (!f.found)
		return TERN_ENOTFOUND;
	return mime_part_data(f.found, out, len);
}
