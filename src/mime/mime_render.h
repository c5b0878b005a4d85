/* A parsed message as text a person reads: the chosen alternative of each
 * multipart/alternative, format=flowed joined, HTML through the user's
 * filter or the built-in reducer, forwarded messages inline with their
 * headers, and the attachment list at the end. Every char * returned is
 * UTF-8, never NULL, and the caller's to free(). */
#ifndef TERN_MIME_RENDER_H
#define TERN_MIME_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "src/mime/mime.h"

enum render_headers { RENDER_HDR_NONE, RENDER_HDR_DEFAULT, RENDER_HDR_ALL };

struct render_opts {
	const char *alternative_order;  /* NULL: "text/plain text/html" */
	const char *html_filter;        /* NULL or "": the built-in reducer */
	int filter_timeout_ms;          /* 0: 5000 */
	enum render_headers headers;    /* DEFAULT: From, To, Cc, Date, Subject */
	int attachments;                /* list attachments at the end */
};

/* Already safe for a terminal: text_sanitize(TEXT_KEEP_NEWLINES|TEXT_KEEP_TABS)
 * has run on the whole result, so callers print it as it is. */
char *mime_render(const mime_msg *m, const struct render_opts *o);
/* The same from raw bytes (an unparsable message renders its raw text). */
char *mime_render_raw(const char *raw, size_t len, const struct render_opts *o);
/* Only the body text (no headers, no attachment list), sanitised: what a
 * reply quotes and a forward includes. */
char *mime_render_body(const mime_msg *m, const struct render_opts *o);
/* The part ids ("2\n2.3\n") of the forwarded messages (message/rfc822)
 * that mime_render_body shows inline, one a line: an inline forward, which
 * includes that text, does not attach them again. */
char *mime_render_inline_messages(const mime_msg *m, const struct render_opts *o);

/* "512 B", "2.9 kB", "1.4 MB": a size as every screen and command shows it
 * (the pager, the attachment menu, the compose screen, tern show). */
void mime_size_str(char *buf, size_t n, int64_t size);

/* For the search index's body column: the body text (HTML reduced by the
 * built-in reducer, no filter is run), without the subject or attachment
 * names (columns of their own). Not sanitised. */
char *mime_text_for_index(const char *raw, size_t len);

#endif
