/* A growable byte buffer, always NUL-terminated. The caller owns buf and
 * frees it with sb_free() or takes it with sb_steal(). */
#ifndef TERN_STRBUF_H
#define TERN_STRBUF_H

#include <stddef.h>

typedef struct {
	char *buf;
	size_t len;
	size_t cap;
} strbuf;

#define STRBUF_INIT { NULL, 0, 0 }

void sb_grow(strbuf *sb, size_t extra);
void sb_add(strbuf *sb, const void *data, size_t len);
void sb_adds(strbuf *sb, const char *s);
void sb_addc(strbuf *sb, char c);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* data in base64 (RFC 4648, with padding, no line breaks). The room is
 * made first, so a secret is never left behind in a grown-out buffer. */
void sb_add_base64(strbuf *sb, const void *data, size_t len);
void sb_reset(strbuf *sb);
char *sb_steal(strbuf *sb);           /* returns the buffer ("" if empty); sb is reset */
void sb_free(strbuf *sb);

#endif
