/* Reading mail: a raw RFC 5322 message parsed into a tree of MIME parts,
 * with headers decoded to UTF-8 (RFC 2047), transfer encodings undone and
 * charsets converted. Mail is untrusted: malformed input never fails the
 * whole message; the worst case is one text part holding the raw body.
 *
 * Ownership: mime_parse() copies the raw bytes; the mime_msg owns them and
 * every part. A const mime_part * lives as long as its mime_msg. Every
 * char * returned by a function here is the caller's to free(). */
#ifndef TERN_MIME_H
#define TERN_MIME_H

#include <stddef.h>
#include <stdint.h>

typedef struct mime_msg mime_msg;
typedef struct mime_part mime_part;

/* Parts nested deeper than this are not descended into. */
#define MIME_MAX_DEPTH 32

/* --- Addresses --------------------------------------------------------- */

/* One mailbox; name is NULL when there is none. Both UTF-8. */
struct mail_addr {
	char *name;
	char *addr;
};
struct mail_addr_list {
	struct mail_addr *v;
	size_t n;
};

/* Parses an address-list header value, raw (RFC 2047 words are decoded)
 * or as a person typed it (UTF-8). Group syntax is flattened. Tolerant:
 * never fails, an unparsable item is kept as an address. */
void mail_addr_parse(const char *value, struct mail_addr_list *out);
void mail_addr_add(struct mail_addr_list *l, const char *name, const char *addr);
/* Whether l holds addr (ASCII case-insensitive). */
int mail_addr_has(const struct mail_addr_list *l, const char *addr);
/* "Name <a@b>, c@d" for display and for editing (UTF-8, not encoded). */
char *mail_addr_format(const struct mail_addr_list *l);
void mail_addr_free(struct mail_addr_list *l);

/* --- Messages ------------------------------------------------------------ */

/* TERN_OK always for non-empty input (a broken structure degrades to one
 * text part); TERN_EINVAL for empty input. */
int mime_parse(const char *raw, size_t len, mime_msg **out);
void mime_free(mime_msg *m);

/* The first header called name (case-insensitive): unfolded and RFC 2047
 * decoded to UTF-8 (mime_header), or unfolded only (mime_header_raw).
 * NULL if absent. */
char *mime_header(const mime_msg *m, const char *name);
char *mime_header_raw(const mime_msg *m, const char *name);
/* The addresses of header name (From, To, Cc, Reply-To...). */
void mime_header_addrs(const mime_msg *m, const char *name, struct mail_addr_list *out);
/* The Date header as Unix seconds, 0 if missing or unparsable. */
int64_t mime_date(const mime_msg *m);
/* An RFC 5322 date-time (a Date field's value, an IMAP ENVELOPE date) as
 * Unix seconds; two-digit years as RFC 5322 4.3 says. 0 if s is NULL, does
 * not parse, or falls outside 1970..9999. */
int64_t mime_date_parse(const char *s);

/* --- Parts --------------------------------------------------------------- */

const mime_part *mime_root(const mime_msg *m);
/* Depth-first over every part, root first; cb returns non-zero to stop. */
typedef int (*mime_part_cb)(const mime_part *p, int depth, void *ctx);
void mime_walk(const mime_msg *m, mime_part_cb cb, void *ctx);

size_t mime_part_count(const mime_part *p);               /* children */
const mime_part *mime_part_child(const mime_part *p, size_t i);
/* IMAP section number ("1", "2.1"); "" for a multipart root. */
const char *mime_part_id(const mime_part *p);
/* Lower-case "type/subtype"; text/plain when the part said nothing. */
const char *mime_part_type(const mime_part *p);
int mime_part_is(const mime_part *p, const char *type);   /* "text/html" or "multipart/" */
/* The decoded value of parameter base (lower case) among n name/value
 * pairs as written (a BODYSTRUCTURE's): RFC 2231 forms (base*, base*0,
 * base*0*...) win over the plain one, which may hold RFC 2047 words. NULL if
 * absent; the caller frees. */
char *mime_param_lookup(const char *const *names, const char *const *values, size_t n, const char *base);
/* A Content-Type parameter, RFC 2231 continuations joined and decoded. */
const char *mime_part_param(const mime_part *p, const char *name);
/* Decoded file name from Content-Disposition or Content-Type name; NULL if none. */
const char *mime_part_filename(const mime_part *p);
int mime_part_is_attachment(const mime_part *p);
/* Content-Disposition: attachment (not only named). */
int mime_part_disposition_attachment(const mime_part *p);
/* The headers of an encapsulated message/rfc822 part, or NULL. */
const mime_msg *mime_part_message(const mime_part *p);

/* The body with its transfer encoding undone (bytes, may hold NULs). */
int mime_part_data(const mime_part *p, char **out, size_t *len);
/* The body as UTF-8 text: transfer decoding plus charset conversion (an
 * unknown charset falls back, bad bytes become U+FFFD). Never NULL. */
char *mime_part_text(const mime_part *p);

/* --- Attachments --------------------------------------------------------- */

struct mime_attachment {
	char *part_id;
	char *filename;           /* NULL if the part has none */
	char *media_type;
	int64_t size;             /* decoded bytes */
	int is_inline;
};
/* Every part a user would save: named parts, non-text leaves, forwarded
 * messages. */
void mime_attachments(const mime_msg *m, struct mime_attachment **out, size_t *n);
void mime_attachments_free(struct mime_attachment *v, size_t n);
/* The decoded bytes of the part with IMAP section id. TERN_ENOTFOUND. */
int mime_attachment_data(const mime_msg *m, const char *part_id, char **out, size_t *len);

/* --- Text helpers -------------------------------------------------------- */

/* The end of the line that starts at i of s (len bytes), before its CR LF
 * or LF, and in *next where the next line starts (src/mime/mime_hdrs.c). */
size_t mime_line_end(const char *s, size_t len, size_t i, size_t *next);
/* RFC 2047 decoding of a header value to UTF-8 (also unfolds). */
char *mime_decode_header(const char *value);
/* Bytes in charset (NULL: unlabelled) to UTF-8, never failing. */
char *mime_to_utf8(const char *charset, const char *s, size_t len);

#endif
