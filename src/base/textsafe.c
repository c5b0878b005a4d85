#include "config.h"

#include <string.h>

#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "src/base/util.h"

/* Length of a valid UTF-8 sequence at s (within end), 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, const unsigned char *end)
{
	size_t n;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	if ((size_t)(end - s) < n)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if (n == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0)))
		return 0;
	if (n == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90)))
		return 0;
	return n;
}

/* The code point of a valid sequence of n bytes (utf8_seq checked it). */
static unsigned long
utf8_value(const unsigned char *s, size_t n)
{
	static const unsigned char lead_mask[] = { 0, 0x7F, 0x1F, 0x0F, 0x07 };
	unsigned long cp = s[0] & lead_mask[n];
	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3F);
	return cp;
}

/* The bidi controls (Unicode's Bidi_Control set: the marks U+061C, U+200E,
 * U+200F, the embeddings, pops and overrides U+202A..U+202E, the isolates
 * U+2066..U+2069) can make a line read differently than it is, and the
 * line and paragraph separators U+2028/U+2029 break a line where the screen
 * does not expect one. All are shown as marks, alike: a pop or a mark left
 * raw after its opener was escaped would still act on what follows. */
static int
is_inert_format(unsigned long cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

char *
text_sanitize_n(const char *str, size_t len, int flags)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + len;
	strbuf sb = STRBUF_INIT;

	sb_grow(&sb, len);
	while (s < end) {
		size_t n;
		if (*s == '\n' && (flags & TEXT_KEEP_NEWLINES)) {
			sb_addc(&sb, '\n');
			s++;
		} else if (*s == '\t' && (flags & TEXT_KEEP_TABS)) {
			sb_addc(&sb, '\t');
			s++;
		} else if (*s == '\r' && (flags & TEXT_KEEP_NEWLINES) && s + 1 < end && s[1] == '\n') {
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			sb_addc(&sb, '^');
			sb_addc(&sb, *s == 0x7f ? '?' : (char)(*s + 0x40));
			s++;
		} else if ((n = utf8_seq(s, end)) == 0) {
			sb_adds(&sb, "\xEF\xBF\xBD");
			s++;
		} else if (n == 2 && s[0] == 0xC2 && s[1] < 0xA0) {
			/* C1 controls (U+0080..U+009F): 0x9B is a one-byte CSI on some terminals. */
			sb_printf(&sb, "<U+%04X>", s[1]);
			s += 2;
		} else if (n >= 2 && is_inert_format(utf8_value(s, n))) {
			sb_printf(&sb, "<U+%04X>", (unsigned)utf8_value(s, n));
			s += n;
		} else {
			sb_add(&sb, s, n);
			s += n;
		}
	}
	return sb_steal(&sb);
}

char *
text_sanitize(const char *s, int flags)
{
	return text_sanitize_n(s ? s : "", s ? strlen(s) : 0, flags);
}
