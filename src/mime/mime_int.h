/* Internals shared by the mime_*.c files; not for other modules. */
#ifndef TERN_MIME_INT_H
#define TERN_MIME_INT_H

#include <stddef.h>

#include "src/mime/mime.h"
#include "src/base/strbuf.h"

enum mime_enc { MIME_ENC_IDENTITY, MIME_ENC_QP, MIME_ENC_BASE64 };
enum mime_disp { MIME_DISP_NONE, MIME_DISP_INLINE, MIME_DISP_ATTACHMENT };

struct mime_hdr {
	char *name;
	char *value;              /* unfolded, not decoded */
};
struct mime_hdrs {
	struct mime_hdr *v;
	size_t n;
};

struct mime_param {
	char *name;               /* lower case, RFC 2231 suffixes removed */
	char *value;              /* UTF-8 */
};

struct mime_part {
	char *id;
	char *type;
	struct mime_param *params;
	size_t nparams;
	enum mime_disp disp;
	char *filename;
	enum mime_enc enc;
	const char *body;         /* still transfer-encoded; points into the raw copy */
	size_t body_len;
	mime_msg *msg;            /* message/rfc822: the encapsulated headers */
	struct mime_part **kids;
	size_t nkids;
};

struct mime_msg {
	char *raw;                /* the owned copy (top level only) */
	size_t len;
	struct mime_hdrs hdrs;
	struct mime_part *root;   /* owned only when raw is set */
};

/* mime_close.c: the close delimiters an unterminated message lacks. */
struct mailmime;
struct mime_closer {
	char *boundary;
	int depth;                /* of its multipart in the tree */
};
struct mime_closers {
	struct mime_closer *v;
	size_t n;
};
/* Adds to c the boundaries of the multiparts in libetpan's tree mm whose
 * close delimiter raw lacks; 1 if any was not in c yet. */
int mime_closers_find(const char *raw, size_t len, const struct mailmime *mm, struct mime_closers *c);
/* The text to append to raw to close them all, deepest first. */
char *mime_closers_suffix(const struct mime_closers *c, int ends_in_newline, size_t *out_len);
void mime_closers_free(struct mime_closers *c);

/* mime_hdrs.c: the header block of s; *body_off is where the body starts. */
void mime_hdrs_parse(const char *s, size_t len, struct mime_hdrs *out, size_t *body_off);
const char *mime_hdrs_get(const struct mime_hdrs *h, const char *name);
void mime_hdrs_free(struct mime_hdrs *h);

/* mime_decode.c: transfer decodings, tolerant of garbage and truncation. */
void mime_b64_decode(const char *s, size_t n, strbuf *out);
void mime_qp_decode(const char *s, size_t n, strbuf *out, int header);
/* %XX decoded (RFC 2231 values, URLs); a stray '%' stays. */
void mime_pct_decode(const char *s, strbuf *out);

/* mime_charset.c */
/* Replaces invalid UTF-8 with U+FFFD and drops NULs; appends to out. */
void mime_utf8_repair(const char *s, size_t n, strbuf *out);

/* mime_encode.c: outgoing headers (each adds "Name: value" CRLF, folded). */
void mime_put_unstructured(strbuf *out, const char *name, const char *value);
void mime_put_addresses(strbuf *out, const char *name, const struct mail_addr_list *l);
void mime_put_msgids(strbuf *out, const char *name, const char *ids);
/* RFC 2047 words for a parameter value (no folds); plain ASCII as it is. */
char *mime_encode_words(const char *s);
/* name*=UTF-8''... or its continuations, folded with CRLF SP. */
char *mime_rfc2231_param(const char *name, const char *value);
/* Bodies: flowed text (LF lines), and quoted-printable with CRLF. */
char *mime_flowed_encode(const char *text);
int mime_text_needs_qp(const char *s);
void mime_qp_encode(const char *s, strbuf *out);

#endif
