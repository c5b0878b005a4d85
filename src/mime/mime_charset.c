/* Charsets to UTF-8 (iconv), and RFC 2047 encoded words in headers.
 * Labels in real mail are often wrong or vendor-specific, so names map to
 * the superset that senders actually meant (the WHATWG Encoding Standard's
 * choices: latin1 is windows-1252, gb2312 is GB18030, Shift_JIS is CP932).
 * Nothing here fails: an unknown label is treated as unlabelled text, and
 * bytes that do not convert become U+FFFD. */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/mime/mime_int.h"
#include "src/base/util.h"
#include "src/mime/mime_int.h"
#include "src/base/utf8.h"
#include "src/base/util.h"

#define REPLACEMENT "\xEF\xBF\xBD"

static const struct {
	const char *label;
	const char *iconv;        /* NULL: unlabelled (UTF-8 if valid, else windows-1252) */
} aliases[] = {
	{ "utf-8", "UTF-8" }, { "utf8", "UTF-8" }, { "unicode-1-1-utf-8", "UTF-8" },
	{ "x-unicode20utf8", "UTF-8" },
	{ "us-ascii", NULL }, { "ascii", NULL }, { "ansi_x3.4-1968", NULL },
	{ "unknown-8bit", NULL }, { "x-unknown", NULL }, { "unknown", NULL },
	{ "default", NULL }, { "x-user-defined", NULL }, { "8bit", NULL }, { "", NULL },
	{ "iso-8859-1", "WINDOWS-1252" }, { "iso8859-1", "WINDOWS-1252" },
	{ "iso_8859-1", "WINDOWS-1252" }, { "latin1", "WINDOWS-1252" },
	{ "latin-1", "WINDOWS-1252" }, { "l1", "WINDOWS-1252" }, { "cp819", "WINDOWS-1252" },
	{ "windows-1252", "WINDOWS-1252" }, { "cp1252", "WINDOWS-1252" },
	{ "x-cp1252", "WINDOWS-1252" },
	{ "iso-8859-9", "WINDOWS-1254" }, { "latin5", "WINDOWS-1254" },
	{ "iso-8859-11", "CP874" }, { "tis-620", "CP874" }, { "windows-874", "CP874" },
	{ "ks_c_5601-1987", "CP949" }, { "ks_c_5601", "CP949" }, { "ksc5601", "CP949" },
	{ "euc-kr", "CP949" }, { "windows-949", "CP949" }, { "x-windows-949", "CP949" },
	{ "gb2312", "GB18030" }, { "gbk", "GB18030" }, { "x-gbk", "GB18030" },
	{ "cp936", "GB18030" }, { "euc-cn", "GB18030" }, { "csgb2312", "GB18030" },
	{ "gb_2312-80", "GB18030" }, { "chinese", "GB18030" }, { "gb18030", "GB18030" },
	{ "big5", "BIG5-HKSCS" }, { "x-big5", "BIG5-HKSCS" }, { "big5-hkscs", "BIG5-HKSCS" },
	{ "cn-big5", "BIG5-HKSCS" },
	{ "shift_jis", "CP932" }, { "shift-jis", "CP932" }, { "sjis", "CP932" },
	{ "x-sjis", "CP932" }, { "ms_kanji", "CP932" }, { "csshiftjis", "CP932" },
	{ "windows-31j", "CP932" }, { "cp932", "CP932" }, { "ms932", "CP932" },
	{ "euc-jp", "EUC-JP-MS" }, { "x-euc-jp", "EUC-JP-MS" },
	/* ISO-2022-JP-2 decodes plain ISO-2022-JP and its common extensions. */
	{ "iso-2022-jp", "ISO-2022-JP-2" }, { "csiso2022jp", "ISO-2022-JP-2" },
	{ "iso-2022-jp-2", "ISO-2022-JP-2" },
	{ "x-mac-roman", "MACINTOSH" }, { "macintosh", "MACINTOSH" }, { "mac", "MACINTOSH" },
	{ "unicode-1-1-utf-7", "UTF-7" }, { "utf-7", "UTF-7" },
};

/* The iconv name for a label; *unlabelled when none applies. */
static const char *
charset_lookup(const char *label, char *buf, size_t bufsz, int *unlabelled)
{
	size_t n = 0;

	*unlabelled = 0;
	if (!label) {
		*unlabelled = 1;
		return NULL;
	}
	while (*label == ' ' || *label == '"' || *label == '\'')
		label++;
	for (; label[n] && label[n] != '"' && label[n] != ' ' && label[n] != '*'; n++) {
		unsigned char c = (unsigned char)label[n];
		int ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		         c == '-' || c == '_' || c == '.' || c == ':' || c == '+';
		/* A label is a token; anything else is no charset iconv knows. */
		if (!ok || n + 1 >= bufsz) {
			*unlabelled = 1;
			return NULL;
		}
		buf[n] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	buf[n] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(aliases); i++)
		if (strcmp(buf, aliases[i].label) == 0) {
			*unlabelled = aliases[i].iconv == NULL;
			return aliases[i].iconv;
		}
	return buf;
}

void
mime_utf8_repair(const char *s, size_t n, strbuf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	sb_grow(out, n);
	out->buf[out->len] = '\0';   /* sb_grow leaves it unterminated */
	while (i < n) {
		if (p[i] == 0) {
			i++;
		} else if ((k = utf8_seq_len(p + i, n - i)) == 0) {
			sb_adds(out, REPLACEMENT);
			i++;
		} else {
			sb_add(out, p + i, k);
			i += k;
		}
	}
}

/* Converters are kept per thread, a few at a time: iconv_open() loads the
 * charset's gconv module and iconv_close() unloads it, which cost more than
 * the conversion of a header (a first sync decodes tens of thousands). */
#define CD_CACHE 4

struct cd_cache {
	struct {
		char cs[48];
		iconv_t cd;
	} e[CD_CACHE];
	unsigned next;
};

static pthread_key_t cd_key;
static pthread_once_t cd_once = PTHREAD_ONCE_INIT;

static void
cd_cache_free(void *p)
{
	struct cd_cache *c = p;
	for (int i = 0; i < CD_CACHE; i++)
		if (c->e[i].cs[0])
			iconv_close(c->e[i].cd);
	free(c);
}

static void
cd_key_make(void)
{
	pthread_key_create(&cd_key, cd_cache_free);
}

/* A converter from cs to UTF-8 in its initial state, or (iconv_t)-1. */
static iconv_t
cd_get(const char *cs)
{
	struct cd_cache *c;
	iconv_t cd;
	unsigned k;

	if (strlen(cs) >= sizeof c->e[0].cs)
		return iconv_open("UTF-8", cs);
	pthread_once(&cd_once, cd_key_make);
	if (!(c = pthread_getspecific(cd_key))) {
		c = xcalloc(1, sizeof *c);
		pthread_setspecific(cd_key, c);
	}
	for (int i = 0; i < CD_CACHE; i++)
		if (strcmp(c->e[i].cs, cs) == 0) {
			iconv(c->e[i].cd, NULL, NULL, NULL, NULL);
			return c->e[i].cd;
		}
	if ((cd = iconv_open("UTF-8", cs)) == (iconv_t)-1)
		return cd;
	k = c->next++ % CD_CACHE;
	if (c->e[k].cs[0])
		iconv_close(c->e[k].cd);
	memcpy(c->e[k].cs, cs, strlen(cs) + 1);
	c->e[k].cd = cd;
	return cd;
}

static void
cd_put(const char *cs, iconv_t cd)
{
	if (strlen(cs) >= sizeof ((struct cd_cache *)0)->e[0].cs)
		iconv_close(cd);
}

/* iconv with U+FFFD for each byte it cannot convert. 0 if cs is unknown. */
static int
convert(const char *cs, const char *s, size_t n, strbuf *out)
{
	iconv_t cd = cd_get(cs);
	char *in = (char *)s;
	size_t left = n;
	strbuf tmp = STRBUF_INIT;

	if (cd == (iconv_t)-1)
		return 0;
	sb_grow(&tmp, n * 2 + 16);
	while (left > 0) {
		char *o = tmp.buf + tmp.len;
		size_t room = tmp.cap - tmp.len - 1, before = room;
		size_t r = iconv(cd, &in, &left, &o, &room);
		tmp.len += before - room;
		tmp.buf[tmp.len] = '\0';
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG) {
			sb_grow(&tmp, left * 2 + 64);
		} else if (errno == EILSEQ) {
			sb_adds(&tmp, REPLACEMENT);
			in++;
			left--;
		} else {
			sb_adds(&tmp, REPLACEMENT);   /* EINVAL: truncated sequence at the end */
			break;
		}
	}
	/* Flush a stateful decoder (ISO-2022-JP ends in ASCII anyway). */
	{
		char *o;
		size_t room, before;
		sb_grow(&tmp, 16);
		o = tmp.buf + tmp.len;
		room = before = tmp.cap - tmp.len - 1;
		iconv(cd, NULL, NULL, &o, &room);
		tmp.len += before - room;
		tmp.buf[tmp.len] = '\0';
	}
	cd_put(cs, cd);
	mime_utf8_repair(tmp.buf, tmp.len, out);
	sb_free(&tmp);
	return 1;
}

static void
to_utf8(const char *charset, const char *s, size_t n, strbuf *out)
{
	char buf[48];
	int unlabelled;
	const char *cs = charset_lookup(charset, buf, sizeof buf, &unlabelled);

	if (!unlabelled && strcmp(cs, "UTF-8") == 0) {
		mime_utf8_repair(s, n, out);
		return;
	}
	if (!unlabelled && convert(cs, s, n, out))
		return;
	/* Unlabelled or unknown: UTF-8 if it is valid, else the usual 8-bit set. */
	if (utf8_valid(s, n) || !convert("WINDOWS-1252", s, n, out))
		mime_utf8_repair(s, n, out);
}

char *
mime_to_utf8(const char *charset, const char *s, size_t len)
{
	strbuf out = STRBUF_INIT;
	to_utf8(charset, s ? s : "", s ? len : 0, &out);
	return sb_steal(&out);
}

/* --- RFC 2047 -------------------------------------------------------------- */

struct eword {
	char charset[48];
	const char *end;          /* just past "?=" */
};

/* An encoded word "=?cs[*lang]?B|Q?text?=" at p; its bytes go to bytes. */
static int
eword_parse(const char *p, const char *end, struct eword *w, strbuf *bytes)
{
	const char *q = p + 2, *cs, *text;
	char enc;
	size_t n = 0;

	if (end - p < 8 || p[0] != '=' || p[1] != '?')
		return 0;
	cs = q;
	while (q < end && *q != '?' && *q != ' ' && q - cs < 40)
		q++;
	if (q >= end || *q != '?' || q == cs)
		return 0;
	for (const char *c = cs; c < q && *c != '*'; c++)
		w->charset[n++] = *c;
	w->charset[n] = '\0';
	if (q + 3 > end || q[2] != '?')
		return 0;
	enc = (char)(q[1] | 0x20);
	if (enc != 'b' && enc != 'q')
		return 0;
	text = q + 3;
	/* RFC 2047 words are at most 75 characters; broken mailers write longer
	 * ones, but a bound keeps scanning linear. */
	for (q = text; q + 1 < end && q - text < 1024; q++) {
		if (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
			return 0;
		if (q[0] == '?' && q[1] == '=')
			break;
	}
	if (q + 1 >= end || q[0] != '?' || q[1] != '=')
		return 0;
	if (enc == 'b')
		mime_b64_decode(text, (size_t)(q - text), bytes);
	else
		mime_qp_decode(text, (size_t)(q - text), bytes, 1);
	w->end = q + 2;
	return 1;
}

char *
mime_decode_header(const char *value)
{
	strbuf out = STRBUF_INIT, pend = STRBUF_INIT, unf = STRBUF_INIT;
	char pend_cs[48] = "";
	const char *p, *end;

	if (!value)
		return xstrdup("");
	/* Unfold (RFC 5322 2.2.3): line breaks go, the blank after them stays. */
	for (p = value; *p; p++)
		if (*p != '\r' && *p != '\n')
			sb_addc(&unf, *p == '\t' ? ' ' : *p);
	sb_addc(&unf, '\0');
	unf.len--;
	p = unf.buf;
	end = unf.buf + unf.len;
	while (p < end) {
		struct eword w;
		strbuf bytes = STRBUF_INIT;
		if (p[0] == '=' && p + 1 < end && p[1] == '?' && eword_parse(p, end, &w, &bytes)) {
			/* Adjacent words in one charset are joined before conversion: a
			 * multi-byte character may be split across them. */
			if (pend.len && strcasecmp(pend_cs, w.charset) != 0) {
				to_utf8(pend_cs, pend.buf, pend.len, &out);
				sb_reset(&pend);
			}
			memcpy(pend_cs, w.charset, sizeof pend_cs);
			sb_add(&pend, bytes.buf ? bytes.buf : "", bytes.len);
			sb_free(&bytes);
			p = w.end;
			/* Blanks between two encoded words are not displayed (6.2). */
			const char *q = p;
			while (q < end && *q == ' ')
				q++;
			if (q > p && q + 1 < end && q[0] == '=' && q[1] == '?' && eword_parse(q, end, &w, &bytes))
				p = q;
			sb_free(&bytes);
			continue;
		}
		sb_free(&bytes);
		if (pend.len) {
			to_utf8(pend_cs, pend.buf, pend.len, &out);
			sb_reset(&pend);
		}
		const char *run = p++;
		while (p < end && !(p[0] == '=' && p + 1 < end && p[1] == '?'))
			p++;
		to_utf8(NULL, run, (size_t)(p - run), &out);
	}
	if (pend.len)
		to_utf8(pend_cs, pend.buf, pend.len, &out);
	sb_free(&pend);
	sb_free(&unf);
	return sb_steal(&out);
}
