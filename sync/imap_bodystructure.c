/* Attachments from BODYSTRUCTURE (RFC 3501 7.4.2): file name, media type,
 * size and the part id BODY[<id>] fetches. A part is an attachment when it
 * says so (Content-Disposition), has a file name, or is neither text nor
 * multipart; inline parts with a name (pictures in HTML) are kept as
 * inline. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "sync/imap.h"
#include "util.h"

#define MAX_ATTACHMENTS 256
#define MAX_DEPTH 32

static const char *
param_get(const struct mailimap_body_fld_param *p, const char *name)
{
	if (!p || !p->pa_list)
		return NULL;
	for (clistiter *it = clist_begin(p->pa_list); it; it = clist_next(it)) {
		const struct mailimap_single_body_fld_param *sp = clist_content(it);
		if (sp && sp->pa_name && sp->pa_value && strcasecmp(sp->pa_name, name) == 0)
			return sp->pa_value;
	}
	return NULL;
}

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decodes v onto raw (RFC 2231 extended value, no charset part). */
static void
pct_decode(strbuf *raw, const char *v)
{
	for (const char *p = v; *p; p++) {
		int h, l;
		if (*p == '%' && (h = hexval(p[1])) >= 0 && (l = hexval(p[2])) >= 0) {
			sb_addc(raw, (char)(h * 16 + l));
			p += 2;
		} else {
			sb_addc(raw, *p);
		}
	}
}

/* RFC 2231 name*=charset'lang'%XX..., converted to UTF-8. */
static char *
rfc2231_decode(const char *v)
{
	const char *q1 = strchr(v, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
	strbuf raw = STRBUF_INIT;
	char *charset, *out = NULL;

	if (!q2)
		return xstrdup(v);
	charset = xstrndup(v, (size_t)(q1 - v));
	pct_decode(&raw, q2 + 1);
	if (*charset && strcasecmp(charset, "utf-8") != 0 &&
	    charconv("utf-8", charset, raw.buf ? raw.buf : "", raw.len, &out) == MAIL_CHARCONV_NO_ERROR && out) {
		char *r = xstrdup(out);
		free(out);
		sb_free(&raw);
		free(charset);
		return r;
	}
	free(out);
	free(charset);
	return raw.len ? sb_steal(&raw) : (sb_free(&raw), xstrdup(""));
}

/* RFC 2231 continuations: name*0*=charset'lang'%XX.., name*1*=.., name*2=..
 * (Outlook and Gmail split long non-ASCII names this way), joined and
 * converted to UTF-8; NULL when there are none. */
static char *
rfc2231_join(const struct mailimap_body_fld_param *list, const char *base)
{
	strbuf raw = STRBUF_INIT;
	char *charset = NULL, *out = NULL, key[48];
	int n;

	for (n = 0; n < 100; n++) {
		const char *v;
		snprintf(key, sizeof key, "%s*%d*", base, n);
		if ((v = param_get(list, key)) != NULL) {
			const char *q1 = n == 0 ? strchr(v, '\'') : NULL, *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
			if (q2) {
				charset = xstrndup(v, (size_t)(q1 - v));
				v = q2 + 1;
			}
			pct_decode(&raw, v);
			continue;
		}
		snprintf(key, sizeof key, "%s*%d", base, n);
		if ((v = param_get(list, key)) == NULL)
			break;
		sb_adds(&raw, v);
	}
	if (n == 0) {
		sb_free(&raw);
		return NULL;
	}
	if (charset && *charset && strcasecmp(charset, "utf-8") != 0 &&
	    charconv("utf-8", charset, raw.buf ? raw.buf : "", raw.len, &out) == MAIL_CHARCONV_NO_ERROR && out) {
		char *r = xstrdup(out);
		free(out);
		sb_free(&raw);
		free(charset);
		return r;
	}
	free(out);
	free(charset);
	return raw.len ? sb_steal(&raw) : (sb_free(&raw), xstrdup(""));
}

/* The filename parameter of the disposition, else the name of the type:
 * plain, RFC 2231 (name*, or continued as name*0*, name*1...) or RFC 2047
 * encoded. */
static char *
part_filename(const struct mailimap_body_fld_dsp *dsp, const struct mailimap_body_fields *f)
{
	const struct mailimap_body_fld_param *lists[2] = { dsp ? dsp->dsp_attributes : NULL,
	                                                   f ? f->bd_parameter : NULL };
	const char *names[2] = { "filename", "name" };
	for (int i = 0; i < 2; i++) {
		char star[16];
		const char *v;
		snprintf(star, sizeof star, "%s*", names[i]);
		char *joined;
		if ((v = param_get(lists[i], star)) != NULL)
			return rfc2231_decode(v);
		if ((joined = rfc2231_join(lists[i], names[i])) != NULL)
			return joined;
		if ((v = param_get(lists[i], names[i])) != NULL)
			return imap_decode_header(v);
	}
	return NULL;
}

static const char *
basic_type(const struct mailimap_media_basic *mb)
{
	switch (mb->med_type) {
	case MAILIMAP_MEDIA_BASIC_APPLICATION: return "application";
	case MAILIMAP_MEDIA_BASIC_AUDIO: return "audio";
	case MAILIMAP_MEDIA_BASIC_IMAGE: return "image";
	case MAILIMAP_MEDIA_BASIC_MESSAGE: return "message";
	case MAILIMAP_MEDIA_BASIC_VIDEO: return "video";
	default: return mb->med_basic_type ? mb->med_basic_type : "application";
	}
}

static void
add(struct imap_msg *m, const char *part, char *filename, const char *type, const char *sub,
    int64_t size, int is_inline)
{
	struct msg_attachment *a;
	char *mt;
	if (m->natt >= MAX_ATTACHMENTS) {
		free(filename);
		return;
	}
	m->att = xrealloc(m->att, (m->natt + 1) * sizeof *m->att);
	a = &m->att[m->natt++];
	memset(a, 0, sizeof *a);
	mt = xasprintf("%s/%s", type, sub ? sub : "octet-stream");
	str_lower(mt);
	a->part_id = xstrdup(part);
	a->filename = filename;
	a->media_type = mt;
	a->size = size;
	a->is_inline = is_inline;
}

/* The size a user means: BODYSTRUCTURE gives the encoded one, a third
 * too big for base64 (76 characters and CRLF hold 57 bytes a line). */
static int64_t
decoded_size(const struct mailimap_body_fields *f)
{
	int64_t n = f ? (int64_t)f->bd_size : 0;
	if (f && f->bd_encoding && f->bd_encoding->enc_type == MAILIMAP_BODY_FLD_ENC_BASE64)
		return n * 57 / 78;
	return n;
}

static void
walk(const struct mailimap_body *b, const char *part, int depth, struct imap_msg *m)
{
	if (!b || depth > MAX_DEPTH)
		return;
	if (b->bd_type == MAILIMAP_BODY_MPART) {
		const struct mailimap_body_type_mpart *mp = b->bd_data.bd_body_mpart;
		int i = 1;
		if (!mp || !mp->bd_list)
			return;
		for (clistiter *it = clist_begin(mp->bd_list); it; it = clist_next(it), i++) {
			char *child = *part ? xasprintf("%s.%d", part, i) : xasprintf("%d", i);
			walk(clist_content(it), child, depth + 1, m);
			free(child);
		}
		return;
	}
	if (b->bd_type != MAILIMAP_BODY_1PART || !b->bd_data.bd_body_1part)
		return;
	{
		const struct mailimap_body_type_1part *p = b->bd_data.bd_body_1part;
		const struct mailimap_body_fld_dsp *dsp = p->bd_ext_1part ? p->bd_ext_1part->bd_disposition : NULL;
		const struct mailimap_body_fields *f = NULL;
		const char *type = "application", *sub = NULL;
		int is_text = 0, explicit_att = dsp && dsp->dsp_type && strcasecmp(dsp->dsp_type, "attachment") == 0;
		int explicit_inline = dsp && dsp->dsp_type && strcasecmp(dsp->dsp_type, "inline") == 0;
		const char *id = *part ? part : "1";
		char *filename;

		switch (p->bd_type) {
		case MAILIMAP_BODY_TYPE_1PART_BASIC:
			if (!p->bd_data.bd_type_basic || !p->bd_data.bd_type_basic->bd_media_basic)
				return;
			f = p->bd_data.bd_type_basic->bd_fields;
			type = basic_type(p->bd_data.bd_type_basic->bd_media_basic);
			sub = p->bd_data.bd_type_basic->bd_media_basic->med_subtype;
			break;
		case MAILIMAP_BODY_TYPE_1PART_TEXT:
			if (!p->bd_data.bd_type_text)
				return;
			f = p->bd_data.bd_type_text->bd_fields;
			type = "text";
			sub = p->bd_data.bd_type_text->bd_media_text;
			is_text = 1;
			break;
		case MAILIMAP_BODY_TYPE_1PART_MSG:
			if (!p->bd_data.bd_type_msg)
				return;
			/* A forwarded message is one attachment; its own parts are its business. */
			f = p->bd_data.bd_type_msg->bd_fields;
			type = "message";
			sub = "rfc822";
			break;
		default:
			return;
		}
		filename = part_filename(dsp, f);
		if (explicit_att || filename || !is_text)
			add(m, id, filename, type, sub, decoded_size(f), explicit_inline && !explicit_att);
		else
			free(filename);
	}
}

void
imap_bodystructure_attachments(const struct mailimap_body *b, struct imap_msg *m)
{
	/* A single-part message's only part is BODY[1] (RFC 3501 6.4.5). */
	walk(b, "", 0, m);
}
