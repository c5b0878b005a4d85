#include "config.h"

#include <string.h>

#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "src/base/util.h"
#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "src/base/utf8.h"
#include "src/base/util.h"

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
		} else if ((n = utf8_seq_len(s, (size_t)(end - s))) == 0) {
			sb_adds(&sb, "\xEF\xBF\xBD");
			s++;
		} else if (n == 2 && s[0] == 0xC2 && s[1] < 0xA0) {
			/* C1 controls (U+0080..U+009F): 0x9B is a one-byte CSI on some terminals. */
			sb_printf(&sb, "<U+%04X>", s[1]);
			s += 2;
		} else if (n >= 2 && is_inert_format(utf8_code_point(s, n))) {
			sb_printf(&sb, "<U+%04X>", (unsigned)utf8_code_point(s, n));
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
