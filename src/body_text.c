#include "config.h"

#include <libetpan/libetpan.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "body_text.h"
#include "strbuf.h"
#include "util.h"

/* Enough for any real letter; a 50 MB log pasted into a mail would cost
 * seconds to index for words nobody searches. */
#define MAX_TEXT (1024 * 1024)

static int
is_attachment(const struct mailmime *mm)
{
	clistiter *it;
	if (!mm->mm_mime_fields)
		return 0;
	for (it = clist_begin(mm->mm_mime_fields->fld_list); it; it = clist_next(it)) {
		struct mailmime_field *f = clist_content(it);
		if (f->fld_type == MAILMIME_FIELD_DISPOSITION && f->fld_data.fld_disposition &&
		    f->fld_data.fld_disposition->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_ATTACHMENT)
			return 1;
	}
	return 0;
}

static int
encoding_of(const struct mailmime *mm)
{
	clistiter *it;
	if (!mm->mm_mime_fields)
		return MAILMIME_MECHANISM_8BIT;
	for (it = clist_begin(mm->mm_mime_fields->fld_list); it; it = clist_next(it)) {
		struct mailmime_field *f = clist_content(it);
		if (f->fld_type == MAILMIME_FIELD_TRANSFER_ENCODING && f->fld_data.fld_encoding)
			return f->fld_data.fld_encoding->enc_type;
	}
	return MAILMIME_MECHANISM_8BIT;
}

/* "text/plain" -> 'p', "text/html" -> 'h', anything else 0. No
 * Content-Type at all means text/plain (RFC 2045 5.2). */
static int
text_kind(const struct mailmime *mm)
{
	const struct mailmime_content *ct = mm->mm_content_type;
	if (!ct)
		return 'p';
	if (ct->ct_type->tp_type != MAILMIME_TYPE_DISCRETE_TYPE ||
	    ct->ct_type->tp_data.tp_discrete_type->dt_type != MAILMIME_DISCRETE_TYPE_TEXT)
		return 0;
	if (!ct->ct_subtype || strcasecmp(ct->ct_subtype, "plain") == 0)
		return 'p';
	return strcasecmp(ct->ct_subtype, "html") == 0 ? 'h' : 0;
}

/* Tags become spaces, script and style vanish, the common entities are
 * decoded; the index needs words, not layout. */
static void
html_to_text(strbuf *out, const char *s, size_t n)
{
	static const struct { const char *name; const char *text; } ent[] = {
		{ "amp;", "&" }, { "lt;", "<" }, { "gt;", ">" }, { "quot;", "\"" },
		{ "apos;", "'" }, { "nbsp;", " " },
	};
	size_t i = 0;
	while (i < n) {
		if (s[i] == '<') {
			const char *skip_to = NULL;
			if (n - i > 7 && strncasecmp(s + i, "<script", 7) == 0)
				skip_to = "</script";
			else if (n - i > 6 && strncasecmp(s + i, "<style", 6) == 0)
				skip_to = "</style";
			if (skip_to) {
				size_t k = strlen(skip_to);
				while (i < n && !(n - i >= k && strncasecmp(s + i, skip_to, k) == 0))
					i++;
			}
			while (i < n && s[i] != '>')
				i++;
			i++;
			sb_addc(out, ' ');
			continue;
		}
		if (s[i] == '&') {
			size_t k;
			for (k = 0; k < ARRAY_LEN(ent); k++) {
				size_t l = strlen(ent[k].name);
				if (n - i - 1 >= l && strncasecmp(s + i + 1, ent[k].name, l) == 0) {
					sb_adds(out, ent[k].text);
					i += l + 1;
					break;
				}
			}
			if (k < ARRAY_LEN(ent))
				continue;
		}
		sb_addc(out, s[i++]);
	}
}

static void
leaf(const struct mailmime *mm, strbuf *out)
{
	int kind = text_kind(mm);
	const struct mailmime_data *d = mm->mm_data.mm_single;
	char *decoded = NULL, *utf8 = NULL, *charset;
	size_t idx = 0, dlen = 0;

	if (!kind || is_attachment(mm) || !d || d->dt_type != MAILMIME_DATA_TEXT || out->len >= MAX_TEXT)
		return;
	if (mailmime_part_parse(d->dt_data.dt_text.dt_data, d->dt_data.dt_text.dt_length, &idx,
	                        encoding_of(mm), &decoded, &dlen) != MAILIMF_NO_ERROR)
		return;
	charset = mm->mm_content_type ? mailmime_content_charset_get(mm->mm_content_type) : NULL;
	/* Unknown charsets keep their bytes: ASCII words still match. */
	if (charset && strcasecmp(charset, "utf-8") != 0 && strcasecmp(charset, "us-ascii") != 0 &&
	    charconv("utf-8", charset, decoded, dlen, &utf8) == MAIL_CHARCONV_NO_ERROR) {
		mmap_string_unref(decoded);
		decoded = NULL;
	}
	if (out->len)
		sb_addc(out, '\n');
	if (kind == 'h')
		html_to_text(out, utf8 ? utf8 : decoded, utf8 ? strlen(utf8) : dlen);
	else
		sb_add(out, utf8 ? utf8 : decoded, utf8 ? strlen(utf8) : dlen);
	free(utf8);
	if (decoded)
		mmap_string_unref(decoded);
}

static void
walk(const struct mailmime *mm, strbuf *out, int depth)
{
	clistiter *it;
	if (depth > 20)
		return;
	switch (mm->mm_type) {
	case MAILMIME_SINGLE:
		leaf(mm, out);
		return;
	case MAILMIME_MESSAGE:
		if (mm->mm_data.mm_message.mm_msg_mime)
			walk(mm->mm_data.mm_message.mm_msg_mime, out, depth + 1);
		return;
	case MAILMIME_MULTIPLE:
		/* multipart/alternative says one thing several ways: index the
		 * plain part only when there is one. */
		if (mm->mm_content_type && mm->mm_content_type->ct_subtype &&
		    strcasecmp(mm->mm_content_type->ct_subtype, "alternative") == 0) {
			for (it = clist_begin(mm->mm_data.mm_multipart.mm_mp_list); it; it = clist_next(it)) {
				const struct mailmime *kid = clist_content(it);
				if (kid->mm_type == MAILMIME_SINGLE && text_kind(kid) == 'p') {
					leaf(kid, out);
					return;
				}
			}
		}
		for (it = clist_begin(mm->mm_data.mm_multipart.mm_mp_list); it; it = clist_next(it))
			walk(clist_content(it), out, depth + 1);
		return;
	}
}

char *
body_text_extract(const char *raw, size_t len)
{
	struct mailmime *mm = NULL;
	size_t idx = 0;
	strbuf out = STRBUF_INIT;

	if (mailmime_parse(raw, len, &idx, &mm) == MAILIMF_NO_ERROR && mm) {
		walk(mm, &out, 0);
		mailmime_free(mm);
	}
	return sb_steal(&out);
}
