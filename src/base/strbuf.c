#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/strbuf.h"
#include "src/base/util.h"

void
sb_grow(strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return;
	if (sb->cap < 64)
		sb->cap = 64;
	while (sb->cap < need)
		sb->cap *= 2;
	sb->buf = xrealloc(sb->buf, sb->cap);
	sb->buf[sb->len] = '\0';
}

void
sb_add(strbuf *sb, const void *data, size_t len)
{
	sb_grow(sb, len);
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void
sb_adds(strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void
sb_addc(strbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

void
sb_printf(strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_grow(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void
sb_reset(strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

char *
sb_steal(strbuf *sb)
{
	char *b = sb->buf ? sb->buf : xstrdup("");
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return b;
}

void
sb_free(strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

void
sb_add_base64(strbuf *sb, const void *data, size_t len)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	sb_grow(sb, (len + 2) / 3 * 4 + 1);
	for (size_t i = 0; i < len; i += 3) {
		unsigned a = p[i], b = i + 1 < len ? p[i + 1] : 0, c = i + 2 < len ? p[i + 2] : 0;
		sb_addc(sb, b64[a >> 2]);
		sb_addc(sb, b64[((a & 3) << 4) | (b >> 4)]);
		sb_addc(sb, i + 1 < len ? b64[((b & 15) << 2) | (c >> 6)] : '=');
		sb_addc(sb, i + 2 < len ? b64[c & 63] : '=');
	}
}
