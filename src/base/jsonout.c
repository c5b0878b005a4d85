#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "src/base/jsonout.h"

/* Length of the valid UTF-8 sequence at s, or 0 if it is not valid. */
static size_t
utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		return (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0))
			return 0;
		return 3;
	}
	if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		if ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

void
json_quote(strbuf *sb, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
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
		} else if ((n = utf8_len(s)) > 0) {
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
