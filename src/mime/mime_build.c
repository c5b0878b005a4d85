/* The header block is written here (RFC 2047 and folding done right, see
 * mime_encode.c); the MIME structure below it by libetpan's writer
 * (mailmime_*_new + mailmime_write_mem). Two libetpan limits are worked
 * around: its quoted-printable writer duplicates a blank before a line
 * break (so text is encoded here and handed over as already encoded), and
 * it always quotes parameter values, which RFC 2231 forbids (so a
 * non-ASCII file name travels in the disposition's extension token). */
#include "config.h"

#include <libetpan/libetpan.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/base/err.h"
#include "src/mime/mime_build.h"
#include "src/mime/mime_int.h"
#include "src/mime/msgid.h"
#include "src/base/proc.h"
#include "src/base/util.h"

static const struct {
	const char *ext;
	const char *type;
} by_ext[] = {
	{ "txt", "text/plain" }, { "text", "text/plain" }, { "log", "text/plain" },
	{ "md", "text/markdown" }, { "csv", "text/csv" }, { "html", "text/html" },
	{ "htm", "text/html" }, { "ics", "text/calendar" }, { "vcf", "text/vcard" },
	{ "pdf", "application/pdf" }, { "zip", "application/zip" },
	{ "gz", "application/gzip" }, { "tgz", "application/gzip" },
	{ "tar", "application/x-tar" }, { "json", "application/json" },
	{ "xml", "application/xml" }, { "doc", "application/msword" },
	{ "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
	{ "xls", "application/vnd.ms-excel" },
	{ "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
	{ "ppt", "application/vnd.ms-powerpoint" },
	{ "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation" },
	{ "odt", "application/vnd.oasis.opendocument.text" },
	{ "ods", "application/vnd.oasis.opendocument.spreadsheet" },
	{ "png", "image/png" }, { "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" },
	{ "gif", "image/gif" }, { "webp", "image/webp" }, { "svg", "image/svg+xml" },
	{ "mp3", "audio/mpeg" }, { "ogg", "audio/ogg" }, { "wav", "audio/wav" },
	{ "mp4", "video/mp4" }, { "eml", "message/rfc822" },
};

const char *
mime_type_by_name(const char *filename)
{
	const char *dot = filename ? strrchr(filename, '.') : NULL;
	for (size_t i = 0; dot && i < ARRAY_LEN(by_ext); i++)
		if (strcasecmp(dot + 1, by_ext[i].ext) == 0)
			return by_ext[i].type;
	return NULL;
}

/* `file --mime-type -b -` on the content: a guess for unknown extensions. */
static char *
type_by_content(const char *data, size_t len)
{
	char *argv[] = { "file", "--mime-type", "-b", "-", NULL };
	char *out = NULL, *res = NULL;
	size_t n = 0;

	if (proc_run(argv, data, len < 65536 ? len : 65536, 5000, &out, &n) == TERN_OK) {
		char *t = str_trim(out);
		t[strcspn(t, " \t\r\n;")] = '\0';
		if (strchr(t, '/') && strlen(t) < 100)
			res = xstrdup(t);
	}
	free(out);
	return res ? res : xstrdup("application/octet-stream");
}

/* --- Parts ------------------------------------------------------------------------ */

static void
add_param(struct mailmime_content *ct, const char *name, const char *value)
{
	struct mailmime_parameter *p = mailmime_param_new_with_data((char *)name, (char *)value);
	if (p && clist_append(ct->ct_parameters, p) != 0)
		mailmime_parameter_free(p);
}

static struct mailmime_content *
content_of(const char *type)
{
	struct mailmime_content *ct = mailmime_content_new_with_str(type);
	return ct ? ct : mailmime_content_new_with_str("application/octet-stream");
}

static struct mailmime *
single_new(struct mailmime_content *ct, struct mailmime_fields *fields,
           const char *data, size_t len, int enc, int encoded)
{
	struct mailmime *m = mailmime_new(MAILMIME_SINGLE, NULL, 0, fields, ct,
	                                  NULL, NULL, NULL, NULL, NULL, NULL);
	if (m)
		m->mm_data.mm_single = mailmime_data_new(MAILMIME_DATA_TEXT, enc, encoded, data, len, NULL);
	return m;
}

/* The text part; *buf holds the encoded text and must outlive the write. */
static struct mailmime *
text_part(const struct mime_draft *d, char **buf)
{
	strbuf sb = STRBUF_INIT;
	char *text = d->flowed ? mime_flowed_encode(d->body ? d->body : "") : NULL;
	const char *t = text ? text : d->body ? d->body : "";
	struct mailmime_content *ct = content_of("text/plain");
	int enc;

	add_param(ct, "charset", "utf-8");
	/* delsp=no, the default, is left out: the soft break is a blank that
	 * stays in the text, which is right for every script. */
	if (d->flowed)
		add_param(ct, "format", "flowed");
	if (mime_text_needs_qp(t)) {
		enc = MAILMIME_MECHANISM_QUOTED_PRINTABLE;
		mime_qp_encode(t, &sb);
	} else {
		enc = MAILMIME_MECHANISM_7BIT;
		for (const char *p = t; *p; p++) {
			if (*p == '\n' && (p == t || p[-1] != '\r'))
				sb_addc(&sb, '\r');
			sb_addc(&sb, *p);
		}
	}
	if (sb.len < 2 || sb.buf[sb.len - 1] != '\n')
		sb_adds(&sb, "\r\n");
	free(text);
	*buf = sb_steal(&sb);
	return single_new(ct, mailmime_fields_new_encoding(enc), *buf, strlen(*buf), enc, 1);
}

static int
is_ascii_token(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80 || (unsigned char)*s < 0x20 || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

/* An attachment part. data must outlive the write. */
static struct mailmime *
attach_part(const char *data, size_t len, const char *type, const char *filename)
{
	int message = strcasecmp(type, "message/rfc822") == 0, enc = MAILMIME_MECHANISM_BASE64;
	struct mailmime_content *ct = content_of(type);
	struct mailmime_disposition *dsp;

	if (message) {
		/* RFC 2046 5.2.1: never base64; 8bit when it has 8-bit bytes. But
		 * lines past 998 octets cannot travel bare, so base64 then. */
		size_t line = 0, longest = 0;
		enc = MAILMIME_MECHANISM_7BIT;
		for (size_t i = 0; i < len; i++) {
			if ((unsigned char)data[i] >= 0x80)
				enc = MAILMIME_MECHANISM_8BIT;
			line = data[i] == '\n' ? 0 : line + 1;
			longest = line > longest ? line : longest;
		}
		if (longest > 990)
			enc = MAILMIME_MECHANISM_BASE64;
	}
	if (!filename || !*filename) {
		dsp = mailmime_disposition_new_with_data(MAILMIME_DISPOSITION_TYPE_ATTACHMENT,
		                                          NULL, NULL, NULL, NULL, (size_t)-1);
	} else if (is_ascii_token(filename) && strlen(filename) < 60) {
		add_param(ct, "name", filename);
		dsp = mailmime_disposition_new_with_data(MAILMIME_DISPOSITION_TYPE_ATTACHMENT,
		                                          xstrdup(filename), NULL, NULL, NULL, (size_t)-1);
	} else {
		char *words = mime_encode_words(filename), *ext = mime_rfc2231_param("filename", filename);
		char *dtype = xasprintf("attachment;\r\n %s", ext);
		/* Old readers only know the RFC 2047 name on Content-Type. */
		add_param(ct, "name", words);
		free(words);
		free(ext);
		dsp = mailmime_disposition_new(mailmime_disposition_type_new(MAILMIME_DISPOSITION_TYPE_EXTENSION, dtype),
		                               clist_new());
	}
	return single_new(ct, mailmime_fields_new_with_data(mailmime_mechanism_new(enc, NULL), NULL, NULL, dsp, NULL),
	                  data, len, enc, enc != MAILMIME_MECHANISM_BASE64);
}

/* --- The message -------------------------------------------------------------------- */

/* Parses an address field; every item must be an address. */
static int
addresses(const char *field, const char *value, struct mail_addr_list *l, char **err)
{
	mail_addr_parse(value, l);
	for (size_t i = 0; i < l->n; i++) {
		const char *a = l->v[i].addr, *at = strchr(a, '@');
		if (!at || at == a || !at[1] || strpbrk(a, " \t<>,;\"")) {
			*err = xasprintf("%s: '%s' is not an e-mail address", field, a);
			return TERN_EINVAL;
		}
	}
	return TERN_OK;
}

static void
headers(const struct mime_draft *d, const struct mail_addr_list *from, const struct mail_addr_list *to,
        const struct mail_addr_list *cc, const struct mail_addr_list *bcc, strbuf *out)
{
	char *date = msgid_date(d->date ? d->date : time_now());
	char *mid = d->message_id ? NULL : msgid_new(from->v[0].addr);

	sb_printf(out, "Date: %s\r\n", date);
	mime_put_addresses(out, "From", from);
	if (to->n)
		mime_put_addresses(out, "To", to);
	if (cc->n)
		mime_put_addresses(out, "Cc", cc);
	if (bcc->n)                   /* the sender drops it (RFC 5322 3.6.3) */
		mime_put_addresses(out, "Bcc", bcc);
	mime_put_unstructured(out, "Subject", d->subject ? d->subject : "");
	mime_put_msgids(out, "Message-ID", d->message_id ? d->message_id : mid);
	if (d->in_reply_to && *d->in_reply_to)
		mime_put_msgids(out, "In-Reply-To", d->in_reply_to);
	if (d->references && *d->references)
		mime_put_msgids(out, "References", d->references);
	mime_put_unstructured(out, "User-Agent", d->user_agent ? d->user_agent : "tern/" PACKAGE_VERSION);
	free(date);
	free(mid);
}

char *
mime_build_address_header(const char *field, const char *name, const char *addr)
{
	struct mail_addr_list l = { 0 };
	strbuf sb = STRBUF_INIT;

	mail_addr_add(&l, name, addr);
	mime_put_addresses(&sb, field, &l);
	mail_addr_free(&l);
	return sb_steal(&sb);
}

int
mime_build(const struct mime_draft *d, char **out, size_t *len, char **err)
{
	struct mail_addr_list from = { 0 }, to = { 0 }, cc = { 0 }, bcc = { 0 };
	char **bufs = xcalloc(d->natt + 1, sizeof *bufs), *text = NULL;
	struct mailmime *root = NULL, *msg = NULL;
	MMAPString *mem = NULL;
	strbuf res = STRBUF_INIT;
	int rc, col = 0;

	*out = NULL;
	*len = 0;
	*err = NULL;
	if ((rc = addresses("From", d->from, &from, err)) != TERN_OK)
		goto done;
	if (from.n != 1) {
		*err = xstrdup(from.n ? "From: give exactly one address" : "From: no address");
		rc = TERN_EINVAL;
		goto done;
	}
	if ((rc = addresses("To", d->to, &to, err)) != TERN_OK ||
	    (rc = addresses("Cc", d->cc, &cc, err)) != TERN_OK ||
	    (rc = addresses("Bcc", d->bcc, &bcc, err)) != TERN_OK)
		goto done;

	root = text_part(d, &text);
	if (d->natt > 0) {
		struct mailmime *mixed = mailmime_multiple_new("multipart/mixed");
		mailmime_add_part(mixed, root);
		root = mixed;
	}
	for (size_t i = 0; i < d->natt; i++) {
		const struct mime_attach *a = &d->att[i];
		const char *data = a->data, *name = a->filename;
		size_t n = a->len;
		char *guess = NULL;
		if (a->path) {
			if (file_read_all(a->path, &bufs[i], &n) != TERN_OK) {
				*err = xasprintf("cannot read attachment %s", a->path);
				rc = TERN_EIO;
				goto done;
			}
			data = bufs[i];
			if (!name)
				name = strrchr(a->path, '/') ? strrchr(a->path, '/') + 1 : a->path;
		}
		const char *type = a->media_type ? a->media_type : mime_type_by_name(name);
		if (!type)
			type = guess = type_by_content(data ? data : "", n);
		mailmime_add_part(root, attach_part(data ? data : "", n, type, name));
		free(guess);
	}

	headers(d, &from, &to, &cc, &bcc, &res);
	msg = mailmime_new_message_data(root);
	root = NULL;                  /* msg owns it now */
	mem = mmap_string_new("");
	if (!msg || !mem || mailmime_write_mem(mem, &col, msg) != MAILIMF_NO_ERROR) {
		*err = xstrdup("could not write the MIME structure");
		rc = TERN_ENOMEM;
		goto done;
	}
	sb_add(&res, mem->str, mem->len);
	*len = res.len;
	*out = sb_steal(&res);
	rc = TERN_OK;
done:
	if (mem)
		mmap_string_free(mem);
	if (msg)
		mailmime_free(msg);
	if (root)
		mailmime_free(root);
	for (size_t i = 0; i < d->natt; i++)
		free(bufs[i]);
	free(bufs);
	free(text);
	sb_free(&res);
	mail_addr_free(&from);
	mail_addr_free(&to);
	mail_addr_free(&cc);
	mail_addr_free(&bcc);
	return rc;
}
