/* Building an outgoing message: header fields, a UTF-8 text body and
 * attachments in, RFC 5322 bytes with CRLF line endings out. The composer
 * fills a mime_draft with what the user wrote; all strings are UTF-8 and
 * stay the caller's. */
#ifndef TERN_MIME_BUILD_H
#define TERN_MIME_BUILD_H

#include <stddef.h>
#include <stdint.h>

struct mime_attach {
	const char *path;         /* file to read, or NULL when data is set */
	const char *data;         /* in-memory content (len bytes) */
	size_t len;
	const char *filename;     /* NULL: the base name of path */
	/* NULL: from the file name's extension, else `file --mime-type`.
	 * "message/rfc822" attaches a whole message (forward as attachment). */
	const char *media_type;
};

struct mime_draft {
	const char *from;         /* "Name <addr>": exactly one address */
	const char *to, *cc, *bcc;/* address lists as typed; may be NULL */
	const char *subject;
	const char *body;         /* LF or CRLF lines */
	const char *in_reply_to;  /* message ids, with or without <> */
	const char *references;   /* space-separated, oldest first */
	const char *message_id;   /* NULL: a new one on the From domain */
	int64_t date;             /* 0: now */
	const char *user_agent;   /* NULL: "tern/VERSION" */
	int flowed;               /* send the body as format=flowed */
	const struct mime_attach *att;
	size_t natt;
};

/* TERN_OK with *out and *len (caller frees; NUL-terminated). TERN_EINVAL: no
 * or several From addresses, or a recipient that is not an address;
 * TERN_EIO: an attachment cannot be read. *err (caller frees) says which. */
int mime_build(const struct mime_draft *d, char **out, size_t *len, char **err);

/* "Field: Name <addr>" with CRLF, folded, the display name quoted or
 * RFC 2047-encoded as it needs (name NULL or "": the address alone), for
 * adding one address header to a message built elsewhere. Caller frees. */
char *mime_build_address_header(const char *field, const char *name, const char *addr);

/* A message written by hand or by a script (`tern send`) made fit to
 * send: header fields with raw UTF-8 become RFC 2047 words (address fields:
 * the names only), and a body that is not ASCII or has a line longer than
 * 998 octets is declared UTF-8 text/plain (MIME-Version 1.0) and sent
 * quoted-printable; a body that is not valid UTF-8 is read as Windows-1252
 * (Latin-1) and converted (*notes gets MIME_RAW_CONVERTED). With flowed,
 * the body of any such message is sent as format=flowed. A message that
 * has MIME-Version, Content-Type or Content-Transfer-Encoding is left alone.
 * NULL when nothing needs changing, else the new message (*out_len bytes,
 * NUL-terminated; caller frees). */
#define MIME_RAW_CONVERTED 1
char *mime_raw_encode(const char *raw, size_t len, int flowed, size_t *out_len, int *notes);
/* The number (from 1) of the first line at or after byte off that is
 * longer than RFC 5322's 998 octets, with its length in *octets; 0: none. */
size_t mime_raw_long_line(const char *raw, size_t len, size_t off, size_t *octets);

/* The media type for a file name by its extension, NULL if unknown. */
const char *mime_type_by_name(const char *filename);

#endif
