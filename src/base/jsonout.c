#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "src/base/jsonout.h"
#include "src/base/utf8.h"

void
json_quote(strbuf *sb, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + strlen(str);
	sb_addc(sb, '"');
	while (*s) {
		size_t n;
		if (*s == '"' || *s == '\\') {
			sb_addc(sb, '\\');
			sb_addc(sb, (char)*s++);
		} else if (*s == '\n') {
			sb_adds(sb, "\\n");
			s++;
		} else if (*s == '\t') {
			sb_adds(sb, "\\t");
			s++;
		} else if (*s == '\r') {
			sb_adds(sb, "\\r");
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			sb_printf(sb, "\\u%04x", *s++);
		} else if ((n = utf8_seq_len(s, (size_t)(end - s))) > 0) {
			sb_add(sb, s, n);
			s += n;
		} else {
			sb_adds(sb, "\\ufffd");
			s++;
		}
	}
	sb_addc(sb, '"');
}

static void
key(strbuf *sb, const char *k)
{
	if (sb->len && sb->buf[sb->len - 1] != '{')
		sb_addc(sb, ',');
	json_quote(sb, k);
	sb_addc(sb, ':');
}

void
json_begin(strbuf *sb)
{
	sb_addc(sb, '{');
}

void
json_end(strbuf *sb)
{
	sb_addc(sb, '}');
}

void
json_str(strbuf *sb, const char *k, const char *val)
{
	key(sb, k);
	if (val)
		json_quote(sb, val);
	else
		sb_adds(sb, "null");
}

void
json_int(strbuf *sb, const char *k, int64_t val)
{
	key(sb, k);
	sb_printf(sb, "%" PRId64, val);
}

void
json_bool(strbuf *sb, const char *k, int val)
{
	key(sb, k);
	sb_adds(sb, val ? "true" : "false");
}

void
json_null(strbuf *sb, const char *k)
{
	key(sb, k);
	sb_adds(sb, "null");
}
