#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/mime/html_text.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"

struct ht {
	strbuf out;
	int line_start;           /* nothing written on the current line yet */
	int space;                /* a collapsed blank is owed before the next word */
	int pre;                  /* inside <pre>: whitespace is kept */
	int quote;                /* <blockquote> depth: lines get "> " */
	int list;                 /* <ul>/<ol> depth, for indenting items */
	char *href;               /* the open <a>'s link */
	size_t link_start;        /* where its text began in out */
};

static void
line_prefix(struct ht *h)
{
	if (!h->line_start)
		return;
	for (int i = 0; i < h->quote; i++)
		sb_addc(&h->out, '>');
	if (h->quote)
		sb_addc(&h->out, ' ');
	h->line_start = 0;
}

static void
put(struct ht *h, const char *s, size_t n)
{
	if (n == 0)
		return;
	line_prefix(h);
	if (h->space)
		sb_addc(&h->out, ' ');
	h->space = 0;
	sb_add(&h->out, s, n);
}

static void
newline(struct ht *h)
{
	sb_addc(&h->out, '\n');
	h->line_start = 1;
	h->space = 0;
}

static void
block(struct ht *h)
{
	if (!h->line_start)
		newline(h);
	h->space = 0;
}

static void
paragraph(struct ht *h)
{
	block(h);
	if (h->out.len >= 2 && !(h->out.buf[h->out.len - 1] == '\n' && h->out.buf[h->out.len - 2] == '\n'))
		newline(h);
}

static void
put_cp(strbuf *sb, unsigned long cp)
{
	if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp < 0x80) {
		sb_addc(sb, (char)cp);
	} else if (cp < 0x800) {
		sb_addc(sb, (char)(0xC0 | (cp >> 6)));
		sb_addc(sb, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		sb_addc(sb, (char)(0xE0 | (cp >> 12)));
		sb_addc(sb, (char)(0x80 | ((cp >> 6) & 0x3F)));
		sb_addc(sb, (char)(0x80 | (cp & 0x3F)));
	} else {
		sb_addc(sb, (char)(0xF0 | (cp >> 18)));
		sb_addc(sb, (char)(0x80 | ((cp >> 12) & 0x3F)));
		sb_addc(sb, (char)(0x80 | ((cp >> 6) & 0x3F)));
		sb_addc(sb, (char)(0x80 | (cp & 0x3F)));
	}
}

static const struct { const char *name; unsigned long cp; } entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
	{ "nbsp", ' ' }, { "copy", 0xA9 }, { "reg", 0xAE }, { "trade", 0x2122 },
	{ "hellip", 0x2026 }, { "mdash", 0x2014 }, { "ndash", 0x2013 }, { "lsquo", 0x2018 },
	{ "rsquo", 0x2019 }, { "ldquo", 0x201C }, { "rdquo", 0x201D }, { "sbquo", 0x201A },
	{ "bdquo", 0x201E }, { "bull", 0x2022 }, { "middot", 0xB7 }, { "laquo", 0xAB },
	{ "raquo", 0xBB }, { "euro", 0x20AC }, { "pound", 0xA3 }, { "yen", 0xA5 },
	{ "cent", 0xA2 }, { "deg", 0xB0 }, { "plusmn", 0xB1 }, { "times", 0xD7 },
	{ "divide", 0xF7 }, { "para", 0xB6 }, { "sect", 0xA7 }, { "iexcl", 0xA1 },
	{ "iquest", 0xBF }, { "auml", 0xE4 }, { "ouml", 0xF6 }, { "uuml", 0xFC },
	{ "Auml", 0xC4 }, { "Ouml", 0xD6 }, { "Uuml", 0xDC }, { "szlig", 0xDF },
	{ "eacute", 0xE9 }, { "egrave", 0xE8 }, { "ecirc", 0xEA }, { "aacute", 0xE1 },
	{ "agrave", 0xE0 }, { "acirc", 0xE2 }, { "ccedil", 0xE7 }, { "ntilde", 0xF1 },
	{ "oacute", 0xF3 }, { "iacute", 0xED }, { "uacute", 0xFA }, { "Eacute", 0xC9 },
	{ "aring", 0xE5 }, { "Aring", 0xC5 }, { "oslash", 0xF8 }, { "Oslash", 0xD8 },
	{ "aelig", 0xE6 }, { "AElig", 0xC6 }, { "rarr", 0x2192 }, { "larr", 0x2190 },
	{ "shy", 0 }, { "zwnj", 0 }, { "zwj", 0 }, { "lrm", 0 }, { "rlm", 0 },
};

/* Decodes the entity at s ("&..."); returns its length, 0 if it is none. */
static size_t
entity(const char *s, size_t n, strbuf *out)
{
	size_t i = 1;
	if (n > 2 && s[1] == '#') {
		unsigned long cp = 0;
		int hex = n > 3 && (s[2] | 0x20) == 'x', digits = 0;
		for (i = hex ? 3 : 2; i < n && digits < 8; i++, digits++) {
			char c = s[i];
			if (c >= '0' && c <= '9')
				cp = cp * (hex ? 16 : 10) + (unsigned long)(c - '0');
			else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
				cp = cp * 16 + (unsigned long)((c | 0x20) - 'a' + 10);
			else
				break;
		}
		if (digits == 0)
			return 0;
		if (i < n && s[i] == ';')
			i++;
		/* Windows-1252 code points sent as numbers (&#150;) meant these. */
		if (cp >= 0x80 && cp <= 0x9F)
			cp = cp == 0x96 ? 0x2013 : cp == 0x97 ? 0x2014 : cp == 0x91 ? 0x2018 :
			     cp == 0x92 ? 0x2019 : cp == 0x93 ? 0x201C : cp == 0x94 ? 0x201D :
			     cp == 0x85 ? 0x2026 : cp == 0x80 ? 0x20AC : cp == 0x95 ? 0x2022 : 0xFFFD;
		put_cp(out, cp);
		return i;
	}
	while (i < n && i < 10 && ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
		i++;
	for (size_t k = 0; k < ARRAY_LEN(entities); k++) {
		size_t l = strlen(entities[k].name);
		if (l == i - 1 && strncmp(s + 1, entities[k].name, l) == 0) {
			if (entities[k].cp)
				put_cp(out, entities[k].cp);
			return i < n && s[i] == ';' ? i + 1 : i;
		}
	}
	return 0;
}

/* Text between tags: entities decoded, blanks collapsed unless in <pre>. */
static void
text(struct ht *h, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		char c = s[i];
		if (c == '&') {
			strbuf e = STRBUF_INIT;
			size_t used = entity(s + i, n - i, &e);
			if (used) {
				if (e.len == 1 && e.buf[0] == ' ' && !h->pre)
					h->space = !h->line_start || h->space;
				else
					put(h, e.buf ? e.buf : "", e.len);
				sb_free(&e);
				i += used;
				continue;
			}
			sb_free(&e);
		}
		if (h->pre && c == '\n') {
			newline(h);
		} else if (h->pre && c != '\r') {
			line_prefix(h);
			sb_addc(&h->out, c);
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
			if (!h->line_start)
				h->space = 1;
		} else {
			size_t j = i + 1;
			while (j < n && s[j] != '&' && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' &&
			       s[j] != '\r' && s[j] != '\f')
				j++;
			put(h, s + i, j - i);
			i = j;
			continue;
		}
		i++;
	}
}

/* The value of attribute name in the tag text t (between "<" and ">"). */
static char *
attr(const char *t, size_t n, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 1; i + nl < n; i++) {
		if ((t[i - 1] != ' ' && t[i - 1] != '\t' && t[i - 1] != '\n') || strncasecmp(t + i, name, nl) != 0)
			continue;
		size_t j = i + nl;
		while (j < n && t[j] == ' ')
			j++;
		if (j >= n || t[j] != '=')
			continue;
		j++;
		while (j < n && t[j] == ' ')
			j++;
		char q = j < n && (t[j] == '"' || t[j] == '\'') ? t[j++] : 0;
		size_t e = j;
		while (e < n && (q ? t[e] != q : (t[e] != ' ' && t[e] != '>')))
			e++;
		strbuf v = STRBUF_INIT;
		for (size_t k = j; k < e;) {
			size_t used = t[k] == '&' ? entity(t + k, e - k, &v) : 0;
			if (used) {
				k += used;
			} else {
				sb_addc(&v, t[k]);
				k++;
			}
		}
		return sb_steal(&v);
	}
	return NULL;
}

static int
is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

static void
link_close(struct ht *h)
{
	if (!h->href)
		return;
	const char *u = h->href, *txt = h->out.buf ? h->out.buf + h->link_start : "";
	size_t tl = h->out.len - h->link_start;
	int useful = (str_ihas_prefix(u, "http:") || str_ihas_prefix(u, "https:") ||
	              str_ihas_prefix(u, "ftp:") || str_ihas_prefix(u, "mailto:"));
	/* The URL adds nothing when the text already is the URL. */
	if (useful && !(tl == strlen(u) && strncmp(txt, u, tl) == 0) &&
	    !(str_ihas_prefix(u, "mailto:") && tl == strlen(u + 7) && strncmp(txt, u + 7, tl) == 0)) {
		strbuf l = STRBUF_INIT;
		sb_printf(&l, "%s<%s>", tl ? " " : "", u);
		h->space = 0;
		put(h, l.buf, l.len);
		sb_free(&l);
	}
	free(h->href);
	h->href = NULL;
}

static void
tag(struct ht *h, const char *t, size_t n)
{
	int close = n > 1 && t[1] == '/';
	const char *name = t + 1 + close;
	size_t nl = 0;

	while (name + nl < t + n && (((name[nl] | 0x20) >= 'a' && (name[nl] | 0x20) <= 'z') ||
	                             (name[nl] >= '0' && name[nl] <= '9')))
		nl++;
	if (is(name, nl, "br")) {
		newline(h);
	} else if (is(name, nl, "p") || (nl == 2 && (name[0] | 0x20) == 'h' && name[1] >= '1' && name[1] <= '6')) {
		paragraph(h);
	} else if (is(name, nl, "li")) {
		block(h);
		if (!close) {
			for (int i = 1; i < h->list; i++)
				put(h, "  ", 2);
			put(h, "* ", 2);
		}
	} else if (is(name, nl, "ul") || is(name, nl, "ol")) {
		h->list += close ? (h->list > 0 ? -1 : 0) : 1;
		block(h);
	} else if (is(name, nl, "blockquote")) {
		block(h);
		h->quote += close ? (h->quote > 0 ? -1 : 0) : 1;
	} else if (is(name, nl, "pre")) {
		block(h);
		h->pre += close ? (h->pre > 0 ? -1 : 0) : 1;
	} else if (is(name, nl, "hr")) {
		block(h);
		put(h, "----", 4);
		newline(h);
	} else if (is(name, nl, "td") || is(name, nl, "th")) {
		if (close)
			h->space = 1;
	} else if (is(name, nl, "div") || is(name, nl, "tr") || is(name, nl, "table") ||
	           is(name, nl, "dt") || is(name, nl, "dd") || is(name, nl, "dl") ||
	           is(name, nl, "section") || is(name, nl, "article") || is(name, nl, "header") ||
	           is(name, nl, "footer") || is(name, nl, "address") || is(name, nl, "form") ||
	           is(name, nl, "center") || is(name, nl, "nav") || is(name, nl, "main")) {
		block(h);
	} else if (is(name, nl, "a")) {
		if (close) {
			link_close(h);
		} else {
			link_close(h);
			h->href = attr(t, n, "href");
			if (h->space && !h->line_start) {   /* the owed blank belongs before the text */
				sb_addc(&h->out, ' ');
				h->space = 0;
			}
			h->link_start = h->out.len;
		}
	} else if (is(name, nl, "img") && !close) {
		char *alt = attr(t, n, "alt");
		if (alt && *alt) {
			put(h, "[", 1);
			put(h, alt, strlen(alt));
			put(h, "]", 1);
		}
		free(alt);
	}
}

/* Index of the end of the element's content ("</name"), or n. The end
 * tag of <head> is optional, so <body> also ends it. */
static size_t
skip_element(const char *s, size_t n, size_t i, const char *name)
{
	size_t l = strlen(name);
	int head = strcmp(name, "head") == 0;
	for (; i + 2 + l <= n; i++) {
		if (s[i] != '<')
			continue;
		if (s[i + 1] == '/' && strncasecmp(s + i + 2, name, l) == 0)
			return i;
		if (head && n - i >= 5 && strncasecmp(s + i + 1, "body", 4) == 0)
			return i;
	}
	return n;
}

/* Tidies the result: no trailing blanks, at most one empty line in a row,
 * none at the start or the end. */
static char *
tidy(const char *s, size_t n)
{
	strbuf out = STRBUF_INIT;
	int blank_run = 0;
	size_t i = 0;

	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - s) : n, k = e;
		while (k > i && (s[k - 1] == ' ' || s[k - 1] == '\t'))
			k--;
		if (k == i) {
			blank_run++;
		} else {
			if (out.len && blank_run)
				sb_addc(&out, '\n');
			blank_run = 0;
			sb_add(&out, s + i, k - i);
			sb_addc(&out, '\n');
		}
		i = nl ? e + 1 : n;
	}
	return sb_steal(&out);
}

char *
html_to_text(const char *s, size_t n)
{
	struct ht h = { STRBUF_INIT, 1, 0, 0, 0, 0, NULL, 0 };
	size_t i = 0;
	char *res;

	while (i < n) {
		if (s[i] != '<') {
			const char *lt = memchr(s + i, '<', n - i);
			size_t e = lt ? (size_t)(lt - s) : n;
			text(&h, s + i, e - i);
			i = e;
			continue;
		}
		if (n - i >= 4 && strncmp(s + i, "<!--", 4) == 0) {
			size_t j = i + 4;
			while (j + 3 <= n && strncmp(s + j, "-->", 3) != 0)
				j++;
			i = j + 3 <= n ? j + 3 : n;
			continue;
		}
		/* The tag runs to the next ">" outside quotes. A quote that runs
		 * past a line end or 1 KB was never closed (<a href='x): it ends
		 * there, so one stray quote cannot turn the rest of the message
		 * into tag text. */
		size_t j = i + 1, qstart = 0;
		char q = 0;
		for (; j < n; j++) {
			if (q) {
				if (s[j] == q)
					q = 0;
				else if (s[j] == '\n' || j - qstart > 1024)
					q = 0;
			} else if (s[j] == '"' || s[j] == '\'') {
				q = s[j];
				qstart = j;
			} else if (s[j] == '>') {
				break;
			}
		}
		if (j >= n) {
			text(&h, s + i, n - i);   /* a stray "<": it was text */
			break;
		}
		const char *name = s + i + 1;
		if (n - i > 7 && (strncasecmp(name, "script", 6) == 0 || strncasecmp(name, "style", 5) == 0 ||
		                  strncasecmp(name, "head", 4) == 0 || strncasecmp(name, "title", 5) == 0)) {
			const char *which = strncasecmp(name, "script", 6) == 0 ? "script" :
			                    strncasecmp(name, "style", 5) == 0 ? "style" :
			                    strncasecmp(name, "head", 4) == 0 ? "head" : "title";
			char after = name[strlen(which)];
			if (after == '>' || after == ' ' || after == '\t' || after == '\n' || after == '/') {
				size_t e = skip_element(s, n, j + 1, which);
				const char *gt = e < n ? memchr(s + e, '>', n - e) : NULL;
				if (e < n && s[e + 1] != '/')
					i = e;        /* <body> after an unclosed <head>: go on from it */
				else
					i = gt ? (size_t)(gt - s) + 1 : n;
				continue;
			}
		}
		if (s[i + 1] != '!' && s[i + 1] != '?')
			tag(&h, s + i, j - i);
		i = j + 1;
	}
	link_close(&h);
	res = tidy(h.out.buf ? h.out.buf : "", h.out.len);
	sb_free(&h.out);
	return res;
}
