#include "config.h"

#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "src/base/fold.h"
#include "src/base/strbuf.h"

/* towlower follows LC_CTYPE: in the C locale it folds ASCII only. A
 * C.UTF-8 locale object (glibc 2.35+, musl) folds all of Unicode; without
 * one the process's locale is used. Made once, never freed. */
static locale_t utf8_loc = (locale_t)0;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void
utf8_init(void)
{
	utf8_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static wint_t
lower(wint_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
	pthread_once(&utf8_once, utf8_init);
	return utf8_loc ? towlower_l(c, utf8_loc) : towlower(c);
}

/* One character of s: its code point and byte length, or -1 with length 1
 * for a byte that does not start a valid UTF-8 sequence. */
static long
decode(const unsigned char *s, size_t *len)
{
	unsigned c = s[0];
	size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
	long cp;
	*len = 1;
	if (!n)
		return -1;
	cp = n == 1 ? (long)c : (long)(c & (0x7F >> n));
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* Overlong forms and surrogates are not characters. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*len = n;
	return cp;
}

static void
encode(strbuf *sb, unsigned long cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	sb_add(sb, b, n);
}

/* The letter without its accent, for what a person types without one:
 * "ete" for "Été", "fete" for "Fête", "ежик" for "ёжик" (sqlite's
 * unicode61 remove_diacritics, which search uses, folds these alike).
 * Latin-1 and Latin Extended-A, indexed from U+00C0; '.' keeps the
 * character (æ, ß, œ, þ: letters of their own, not accented ones). */
static const char latin_base[] =
	"aaaaaa.ceeeeiiii" ".nooooo.ouuuuy.." "aaaaaa.ceeeeiiii" ".nooooo.ouuuuy.y"
	"aaaaaaccccccccdd" "ddeeeeeeeeeegggg" "gggghhhhiiiiiiii" "i...jjkk.lllllll"
	"lllnnnnnnn..oooo" "oo..rrrrrrssssss" "ssttttttuuuuuuuu" "uuuuwwyyyzzzzzzs";

/* cp (already lowercased) without its accent; 0 drops it (a combining
 * mark, as in decomposed "e\u0301"). */
static unsigned long
unaccent(unsigned long cp)
{
	if (cp >= 0xC0 && cp < 0xC0 + sizeof latin_base - 1 && latin_base[cp - 0xC0] != '.')
		return (unsigned char)latin_base[cp - 0xC0];
	if (cp >= 0x300 && cp <= 0x36F)
		return 0;
	if (cp == 0x451)          /* ё */
		return 0x435;
	if (cp == 0x439)          /* й */
		return 0x438;
	return cp;
}

char *
fold_case(const char *s)
{
	strbuf sb = STRBUF_INIT;
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		size_t len;
		long cp = decode(p, &len);
		if (cp < 0) {
			sb_add(&sb, (const char *)p, 1);
		} else {
			wint_t lc = lower((wint_t)cp);
			/* A mapping outside Unicode would be a broken locale: keep it. */
			unsigned long f = unaccent(lc <= 0x10FFFF && !(lc >= 0xD800 && lc <= 0xDFFF) ? (unsigned long)lc
			                                                                              : (unsigned long)cp);
			if (f)
				encode(&sb, f);
		}
		p += len;
	}
	return sb_steal(&sb);
}

int
fold_contains(const char *haystack, const char *needle)
{
	char *h, *n;
	int r;
	if (!needle || !*needle)
		return 1;
	h = fold_case(haystack);
	n = fold_case(needle);
	/* Valid UTF-8 never matches inside a character; a needle of stray
	 * continuation bytes could, so a match must start and end on a
	 * character's edge. */
	{
		size_t nl = strlen(n);
		const char *at = h;
		r = 0;
		while (!r && (at = strstr(at, n)) != NULL) {
			r = ((unsigned char)at[0] & 0xC0) != 0x80 && ((unsigned char)at[nl] & 0xC0) != 0x80;
			at++;
		}
	}
	free(h);
	free(n);
	return r;
}

int
fold_equal(const char *a, const char *b)
{
	char *x = fold_case(a), *y = fold_case(b);
	int r = strcmp(x, y) == 0;
	free(x);
	free(y);
	return r;
}
