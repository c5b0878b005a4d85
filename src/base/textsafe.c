#include "config.h"

#include <langinfo.h>
#include <string.h>

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

int
text_ascii_only(void)
{
	/* The locale is set once at start (main.c), so asked once. */
	static int ascii = -1;
	if (ascii < 0) {
		const char *cs = nl_langinfo(CODESET);
		ascii = !(cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0));
	}
	return ascii;
}

/* Latin-1 letters U+00C0..U+00FF without their accents; '.' is one of the
 * few that need more than one letter (see latin_more). */
static const char latin1[] =
	"AAAAAA.CEEEEIIII" "DNOOOOOxOUUUUY.." "aaaaaa.ceeeeiiii" "dnooooo/ouuuuy.y";
/* Latin Extended-A, U+0100..U+017F, pairwise upper and lower case. */
static const char latin_a[] =
	"AaAaAaCcCcCcCcDd" "DdEeEeEeEeEeGgGg" "GgGgHhHhIiIiIiIi" "Ii..JjKkkLlLlLlL"
	"lLlNnNnNnn..OoOo" "Oo..RrRrRrSsSsSs" "SsTtTtTtUuUuUuUu" "UuUuWwYyYZzZzZzs";
static const struct { unsigned long cp; const char *s; } latin_more[] = {
	{ 0xC6, "AE" }, { 0xDE, "Th" }, { 0xDF, "ss" }, { 0xE6, "ae" }, { 0xFE, "th" },
	{ 0x132, "IJ" }, { 0x133, "ij" }, { 0x14A, "Ng" }, { 0x14B, "ng" }, { 0x152, "OE" }, { 0x153, "oe" },
};
/* Russian (and the common Ukrainian and Belarusian letters), as in
 * passports: readable and one-to-one enough to tell names apart. */
static const char *const cyrillic[32] = {
	"A", "B", "V", "G", "D", "E", "Zh", "Z", "I", "J", "K", "L", "M", "N", "O", "P",
	"R", "S", "T", "U", "F", "Kh", "Ts", "Ch", "Sh", "Shch", "\"", "Y", "'", "E", "Yu", "Ya",
};
static const struct { unsigned long cp; const char *s; } punct[] = {
	{ 0xA0, " " }, { 0xA9, "(c)" }, { 0xAB, "<<" }, { 0xAD, "-" }, { 0xAE, "(R)" }, { 0xB0, "o" },
	{ 0xB7, "." }, { 0xBB, ">>" }, { 0x401, "Yo" }, { 0x451, "yo" }, { 0x404, "Ye" }, { 0x454, "ye" },
	{ 0x406, "I" }, { 0x456, "i" }, { 0x407, "Yi" }, { 0x457, "yi" }, { 0x40E, "U" }, { 0x45E, "u" },
	{ 0x2010, "-" }, { 0x2011, "-" }, { 0x2012, "-" }, { 0x2013, "-" }, { 0x2014, "--" },
	{ 0x2015, "--" }, { 0x2018, "'" }, { 0x2019, "'" }, { 0x201A, "," }, { 0x201C, "\"" },
	{ 0x201D, "\"" }, { 0x201E, "\"" }, { 0x2022, "*" }, { 0x2026, "..." }, { 0x2039, "<" },
	{ 0x203A, ">" }, { 0x20AC, "EUR" }, { 0x2122, "(TM)" }, { 0x2190, "<-" }, { 0x2192, "->" },
	{ 0x2191, "^" }, { 0x2193, "v" }, { 0xFFFD, "?" },
};

/* Box drawing (U+2500..U+257F): lines become - and |, corners and tees
 * +, as mutt's ascii_chars draws its thread tree. */
static const char *
box_ascii(unsigned long cp)
{
	switch (cp) {
	case 0x2500: case 0x2501: case 0x2504: case 0x2505: case 0x2508: case 0x2509:
	case 0x254C: case 0x254D: case 0x2550: case 0x2574: case 0x2576: case 0x2578: case 0x257A:
		return "-";
	case 0x2502: case 0x2503: case 0x2506: case 0x2507: case 0x250A: case 0x250B:
	case 0x254E: case 0x254F: case 0x2551: case 0x2575: case 0x2577: case 0x2579: case 0x257B:
		return "|";
	case 0x2514: case 0x2515: case 0x2516: case 0x2517: case 0x255A: case 0x2570:
		return "`";
	default:
		return "+";
	}
}

/* The ASCII for code point cp; one[2] holds a one-letter answer. NULL
 * drops it (a combining accent: the letter it sits on shows). */
static const char *
ascii_for(unsigned long cp, char one[2])
{
	one[1] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(latin_more); i++)
		if (latin_more[i].cp == cp)
			return latin_more[i].s;
	for (size_t i = 0; i < ARRAY_LEN(punct); i++)
		if (punct[i].cp == cp)
			return punct[i].s;
	if (cp >= 0xC0 && cp <= 0xFF && latin1[cp - 0xC0] != '.') {
		one[0] = latin1[cp - 0xC0];
		return one;
	}
	if (cp >= 0x100 && cp <= 0x17F && latin_a[cp - 0x100] != '.') {
		one[0] = latin_a[cp - 0x100];
		return one;
	}
	if (cp >= 0x410 && cp <= 0x42F)
		return cyrillic[cp - 0x410];
	if (cp >= 0x2500 && cp <= 0x257F)
		return box_ascii(cp);
	if (cp >= 0x300 && cp <= 0x36F)
		return NULL;
	return "?";
}

char *
text_ascii(const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : ""), *end = s + strlen((const char *)s);
	strbuf sb = STRBUF_INIT;

	sb_grow(&sb, (size_t)(end - s) + 1);
	while (s < end) {
		size_t n = utf8_seq_len(s, (size_t)(end - s));
		unsigned long cp;
		char one[2];
		const char *rep;
		if (n <= 1) {
			sb_addc(&sb, n ? (char)*s : '?');
			s++;
			continue;
		}
		cp = utf8_code_point(s, n);
		s += n;
		if (cp >= 0x430 && cp <= 0x44F) {
			/* Lowercase: the uppercase spelling's first letter lowered
			 * ("Shch" -> "shch"). */
			const char *u = cyrillic[cp - 0x430];
			sb_addc(&sb, (char)(u[0] >= 'A' && u[0] <= 'Z' ? u[0] + ('a' - 'A') : u[0]));
			sb_adds(&sb, u + 1);
		} else if ((rep = ascii_for(cp, one)) != NULL) {
			sb_adds(&sb, rep);
		}
	}
	return sb_steal(&sb);
}
