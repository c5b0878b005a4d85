/* Encodings for outgoing mail: header fields folded at 78 columns with
 * RFC 2047 words for non-ASCII text, quoted-printable bodies (RFC 2045
 * 6.7), format=flowed (RFC 3676 4.2) and RFC 2231 parameter values. Input
 * is UTF-8 text from the user; CR, LF and other controls in header text
 * become spaces so that no input can add a header line. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "src/mime/mime_int.h"
#include "src/base/util.h"

#define FOLD_AT 78

static int
needs_encoding(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80 || (s[0] == '=' && s[1] == '?'))
			return 1;
	return 0;
}

/* Bytes in the UTF-8 sequence starting with c (1 for a stray byte). */
static size_t
u8len(unsigned char c)
{
	return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* Header text without controls: a header value is one logical line. */
static char *
clean(const char *s)
{
	char *c = xstrdup(s ? s : "");
	for (char *p = c; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return c;
}

static size_t
col_of(const strbuf *out)
{
	size_t i = out->len;
	while (i > 0 && out->buf[i - 1] != '\n')
		i--;
	return out->len - i;
}

/* Adds a token, folding before it when it would pass FOLD_AT. */
static void
add_token(strbuf *out, const char *tok, size_t n, int space_before)
{
	if (col_of(out) + n + (space_before ? 1 : 0) > FOLD_AT && col_of(out) > 1)
		sb_adds(out, "\r\n ");
	else if (space_before)
		sb_addc(out, ' ');
	sb_add(out, tok, n);
}

/* UTF-8 text as B encoded words, each within 75 characters and split only
 * between characters (RFC 2047 2, 5). */
static void
add_encoded(strbuf *out, const char *s, int space_before)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), i = 0;
	int first = 1;

	while (i < n) {
		size_t take = 0, max = 45, col = col_of(out) + 1;
		/* 45 bytes make 60 base64 characters: 72 with "=?UTF-8?B?" and "?=".
		 * The first word fills what is left of the line, if that is enough
		 * for a few characters; a fold right after "Subject:" is legal but
		 * some parsers then keep a leading blank. */
		if (col + 12 + 8 <= FOLD_AT && (FOLD_AT - col - 12) / 4 * 3 < max)
			max = (FOLD_AT - col - 12) / 4 * 3;
		while (i + take < n) {
			size_t k = u8len((unsigned char)s[i + take]);
			if (take + k > max)
				break;
			take += k;
		}
		if (take == 0)
			take = n - i < 4 ? n - i : 1;
		strbuf w = STRBUF_INIT;
		sb_adds(&w, "=?UTF-8?B?");
		for (size_t j = 0; j < take; j += 3) {
			unsigned a = (unsigned char)s[i + j];
			unsigned b = j + 1 < take ? (unsigned char)s[i + j + 1] : 0;
			unsigned c = j + 2 < take ? (unsigned char)s[i + j + 2] : 0;
			sb_addc(&w, b64[a >> 2]);
			sb_addc(&w, b64[((a & 3) << 4) | (b >> 4)]);
			sb_addc(&w, j + 1 < take ? b64[((b & 15) << 2) | (c >> 6)] : '=');
			sb_addc(&w, j + 2 < take ? b64[c & 63] : '=');
		}
		sb_adds(&w, "?=");
		add_token(out, w.buf, w.len, first ? space_before : 1);
		sb_free(&w);
		first = 0;
		i += take;
	}
}

/* Whether a word of s cannot fit in FOLD_AT columns: the first after
 * "Name: " (a fold right after the colon confuses some parsers), the
 * others on a folded line of their own. */
static int
has_unfoldable_word(const char *name, const char *s)
{
	size_t run = 0, room = FOLD_AT - strlen(name) - 2;
	for (; *s; s++) {
		if (*s == ' ') {
			run = 0;
			room = FOLD_AT - 1;
		} else if (++run > room) {
			return 1;
		}
	}
	return 0;
}

/* Unstructured text (RFC 5322 2.2.3): unfolding removes only the CRLFs, so
 * the blanks between words are kept as they are, a fold goes before a run
 * of them, and "a  b" reads back as the user typed it. A word too long for
 * any line (a pasted URL) is sent as encoded words, which a reader joins
 * again: no line passes 78 columns, let alone RFC 5322's 998. */
void
mime_put_unstructured(strbuf *out, const char *name, const char *value)
{
	char *v = clean(value), *t = str_trim(v);
	sb_printf(out, "%s:", name);
	if (needs_encoding(t) || has_unfoldable_word(name, t)) {
		add_encoded(out, t, 1);
	} else {
		const char *p = t;
		int first = 1;
		while (*p) {
			const char *b = p, *e;
			while (*p == ' ')
				p++;
			e = p;
			while (*e && *e != ' ')
				e++;
			size_t blanks = first ? 1 : (size_t)(p - b), n = (size_t)(e - p);
			if (!first && col_of(out) + blanks + n > FOLD_AT)
				sb_adds(out, "\r\n");   /* the run of blanks starts the next line */
			if (first)
				sb_addc(out, ' ');
			else
				sb_add(out, b, blanks);
			sb_add(out, p, n);
			first = 0;
			p = e;
		}
	}
	sb_adds(out, "\r\n");
	free(v);
}

/* A display name as an atom run, a quoted-string or encoded words. */
static void
add_phrase(strbuf *out, const char *name, int space_before)
{
	char *n = clean(name);
	if (needs_encoding(n)) {
		add_encoded(out, n, space_before);
	} else if (strpbrk(n, "()<>[]:;@\\,.\"")) {
		strbuf q = STRBUF_INIT;
		sb_addc(&q, '"');
		for (const char *p = n; *p; p++) {
			if (*p == '"' || *p == '\\')
				sb_addc(&q, '\\');
			sb_addc(&q, *p);
		}
		sb_addc(&q, '"');
		add_token(out, q.buf, q.len, space_before);
		sb_free(&q);
	} else {
		add_token(out, n, strlen(n), space_before);
	}
	free(n);
}

void
mime_put_addresses(strbuf *out, const char *name, const struct mail_addr_list *l)
{
	sb_printf(out, "%s:", name);
	for (size_t i = 0; i < l->n; i++) {
		char *a = clean(l->v[i].addr);
		if (i)
			sb_addc(out, ',');
		if (l->v[i].name && *l->v[i].name) {
			add_phrase(out, l->v[i].name, 1);
			char *t = xasprintf("<%s>", a);
			add_token(out, t, strlen(t), 1);
			free(t);
		} else {
			add_token(out, a, strlen(a), 1);
		}
		free(a);
	}
	sb_adds(out, "\r\n");
}

void
mime_put_msgids(strbuf *out, const char *name, const char *ids)
{
	char *v = clean(ids);
	int any = 0;
	sb_printf(out, "%s:", name);
	for (char *p = v; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		char *e = p;
		while (*e && *e != ' ' && *e != ',')
			e++;
		if (e > p) {
			int br = *p == '<';
			char *t = xasprintf("%s%.*s%s", br ? "" : "<", (int)(e - p), p, br ? "" : ">");
			add_token(out, t, strlen(t), 1);
			free(t);
			any = 1;
		}
		p = e;
	}
	if (!any)
		sb_adds(out, " <>");
	sb_adds(out, "\r\n");
	free(v);
}

/* --- Bodies ---------------------------------------------------------------------- */

/* RFC 3676 4.2 recommends 72 characters; counted as characters (not
 * bytes), as the reader's screen counts them. */
#define FLOWED_WIDTH 72

static size_t
char_count(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Where to end the first segment of s (n bytes) so it holds at most width
 * characters: after the last blank that fits, else after the first blank
 * (a long word is not cut), else all of it. The blank stays at the end of
 * the segment: that is the soft break. */
static size_t
flowed_cut(const char *s, size_t n, size_t width)
{
	size_t chars = 0, fit = 0;
	if (char_count(s, n) <= width)
		return n;
	for (size_t i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			chars++;
		if (s[i] == ' ' && (i + 1 == n || s[i + 1] != ' ')) {
			if (chars <= width)
				fit = i + 1;
			else
				return fit ? fit : i + 1;
		}
	}
	return fit ? fit : n;
}

char *
mime_flowed_encode(const char *text)
{
	strbuf out = STRBUF_INIT;
	const char *s = text;

	while (*s) {
		const char *nl = strchr(s, '\n'), *c = s;
		size_t len = nl ? (size_t)(nl - s) : strlen(s), depth = 0, width;
		if (len && s[len - 1] == '\r')
			len--;
		/* A quoted line keeps its depth, and is flowed within it: it is
		 * never joined with the lines around it (4.5). */
		while (depth < len && c[depth] == '>')
			depth++;
		c += depth;
		len -= depth;
		if (depth && len && c[0] == ' ')
			c++, len--;
		/* The signature separator keeps its blank (4.3); any other
		 * trailing blank would turn the user's line break soft. */
		if (!(len == 3 && strncmp(c, "-- ", 3) == 0))
			while (len && (c[len - 1] == ' ' || c[len - 1] == '\t'))
				len--;
		width = depth + 1 + 20 > FLOWED_WIDTH ? 20 : FLOWED_WIDTH - depth - (depth ? 1 : 0);
		do {
			size_t cut = flowed_cut(c, len, width);
			for (size_t i = 0; i < depth; i++)
				sb_addc(&out, '>');
			/* Space-stuffing (4.4): after the quote marks always, for
			 * readers that show them; otherwise before what a reader would
			 * take for stuffing or a quote, and "From " for mbox. */
			if (depth ? len > 0 : cut && (c[0] == ' ' || c[0] == '>' || (len >= 5 && strncmp(c, "From ", 5) == 0)))
				sb_addc(&out, ' ');
			sb_add(&out, c, cut);
			sb_addc(&out, '\n');
			c += cut;
			len -= cut;
		} while (len);
		s = nl ? nl + 1 : s + strlen(s);
	}
	return sb_steal(&out);
}

int
mime_text_needs_qp(const char *s)
{
	size_t col = 0;
	for (; *s; s++) {
		if ((unsigned char)*s >= 0x80 || (*s < 0x20 && *s != '\n' && *s != '\t' && *s != '\r'))
			return 1;
		col = *s == '\n' ? 0 : col + 1;
		if (col > 76)
			return 1;
	}
	return 0;
}

void
mime_qp_encode(const char *s, strbuf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;

	while (*s) {
		unsigned char c = (unsigned char)*s;
		int at_eol = s[1] == '\n' || s[1] == '\0' || (s[1] == '\r' && s[2] == '\n');
		char enc[4];
		size_t n;
		if (c == '\r' && s[1] == '\n') {
			s++;
			continue;
		}
		if (c == '\n') {
			sb_adds(out, "\r\n");
			col = 0;
			s++;
			continue;
		}
		/* Literal: printable ASCII but "=", and blanks not at a line end;
		 * "From " at a line start is encoded for mbox readers. */
		if ((c >= 33 && c <= 126 && c != '=' && !(c == 'F' && col == 0 && str_has_prefix(s, "From "))) ||
		    ((c == ' ' || c == '\t') && !at_eol)) {
			enc[0] = (char)c;
			n = 1;
		} else {
			enc[0] = '=';
			enc[1] = hex[c >> 4];
			enc[2] = hex[c & 15];
			n = 3;
		}
		/* A soft break keeps every line within 76 characters (6.7 rule 5). */
		if (col + n > (at_eol ? 76 : 75)) {
			sb_adds(out, "=\r\n");
			col = 0;
		}
		sb_add(out, enc, n);
		col += n;
		s++;
	}
}

char *
mime_rfc2231_param(const char *name, const char *value)
{
	strbuf out = STRBUF_INIT, enc = STRBUF_INIT;
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0, seg = 0;

	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("!#$&+-.^_`|~", *p)) {
			sb_addc(&enc, (char)*p);
		} else {
			sb_addc(&enc, '%');
			sb_addc(&enc, hex[*p >> 4]);
			sb_addc(&enc, hex[*p & 15]);
		}
	}
	if (enc.len <= 50) {
		sb_printf(&out, "%s*=UTF-8''%s", name, enc.buf ? enc.buf : "");
	} else {
		/* Continuations (RFC 2231 3), never splitting a %XX triplet. */
		while (i < enc.len) {
			size_t take = enc.len - i < 50 ? enc.len - i : 50;
			while (take < enc.len - i && take > 2 && (enc.buf[i + take - 1] == '%' || enc.buf[i + take - 2] == '%'))
				take--;
			sb_printf(&out, "%s%s*%zu*=%s%.*s", seg ? ";\r\n " : "", name, seg,
			          seg ? "" : "UTF-8''", (int)take, enc.buf + i);
			i += take;
			seg++;
		}
	}
	sb_free(&enc);
	return sb_steal(&out);
}

char *
mime_encode_words(const char *s)
{
	strbuf out = STRBUF_INIT;
	char *c = clean(s);
	if (needs_encoding(c))
		add_encoded(&out, c, 0);
	else
		sb_adds(&out, c);
	free(c);
	/* A parameter value is one line: words are joined by blanks, not folds. */
	for (size_t i = 0; i + 2 < out.len; i++)
		if (out.buf[i] == '\r' && out.buf[i + 1] == '\n') {
			out.buf[i] = ' ';
			memmove(out.buf + i + 1, out.buf + i + 3, out.len - i - 2);
			out.len -= 2;
		}
	return sb_steal(&out);
}
