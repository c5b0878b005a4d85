/* Attachments from BODYSTRUCTURE (RFC 3501 7.4.2): file name, media type,
 * size and the part id BODY[<id>] fetches. A part is an attachment when it
 * says so (Content-Disposition), has a file name, or is neither text nor
 * multipart; inline parts with a name (pictures in HTML) are kept as
 * inline. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "src/mime/mime.h"
#include "sync/imap/imap.h"
#include "src/base/util.h"

#define MAX_ATTACHMENTS 256
#define MAX_DEPTH 32

/* The decoded value of parameter base in a BODYSTRUCTURE list, through the
 * MIME code's decoder (RFC 2231, continuations, RFC 2047 in plain values). */
static char *
param_decoded(const struct mailimap_body_fld_param *p, const char *base)
{
	const char **names, **values;
	size_t n = 0, cap;
	char *res;

	if (!p || !p->pa_list)
		return NULL;
	cap = (size_t)clist_count(p->pa_list) + 1;
	names = xcalloc(cap, sizeof *names);
	values = xcalloc(cap, sizeof *values);
	for (clistiter *it = clist_begin(p->pa_list); it; it = clist_next(it)) {
		const struct mailimap_single_body_fld_param *sp = clist_content(it);
		if (sp && sp->pa_name && sp->pa_value) {
			names[n] = sp->pa_name;
			values[n++] = sp->pa_value;
		}
	}
	res = mime_param_lookup(names, values, n, base);
	free(names);
	free(values);
	return res;
}

/* The filename parameter of the disposition, else the name of the type:
 * plain, RFC 2231 (name*, or continued as name*0*, name*1...) or RFC 2047
 * encoded. */
static char *
part_filename(const struct mailimap_body_fld_dsp *dsp, const struct mailimap_body_fields *f)
{
	char *v = param_decoded(dsp ? dsp->dsp_attributes : NULL, "filename");
	return v ? v : param_decoded(f ? f->bd_parameter : NULL, "name");
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
