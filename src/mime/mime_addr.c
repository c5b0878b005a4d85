/* Address lists (RFC 5322 3.4), parsed leniently: what real headers and
 * people at an editor write, not only what the grammar allows. Display
 * names are RFC 2047 decoded, including inside quoted strings, as every
 * mail reader does. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "src/mime/mime_int.h"
#include "src/base/util.h"

void
mail_addr_add(struct mail_addr_list *l, const char *name, const char *addr)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n].name = name && *name ? xstrdup(name) : NULL;
	l->v[l->n].addr = xstrdup(addr ? addr : "");
	l->n++;
}

/* Trims and collapses blanks in place. */
static char *
squeeze(char *s)
{
	char *w = s, *r = s;
	int space = 0;
	while (*r == ' ' || *r == '\t')
		r++;
	for (; *r; r++) {
		if (*r == ' ' || *r == '\t') {
			space = 1;
			continue;
		}
		if (space && w != s)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
	return s;
}

static void
finish(struct mail_addr_list *out, strbuf *phrase, strbuf *angle, strbuf *comment, int have_angle)
{
	char *ph = squeeze(sb_steal(phrase)), *an = squeeze(sb_steal(angle));
	char *cm = squeeze(sb_steal(comment));
	char *name = NULL, *addr = NULL;

	if (have_angle) {
		char *colon = an[0] == '@' ? strchr(an, ':') : NULL;   /* obsolete route */
		addr = xstrdup(colon ? colon + 1 : an);
		name = xstrdup(*ph ? ph : cm);
	} else if (*ph) {
		/* No angle brackets: the word with an "@" is the address; other
		 * words are what a sloppy sender meant as the name. */
		char *at = strchr(ph, '@');
		if (at && strchr(ph, ' ')) {
			char *b = at, *e = at;
			while (b > ph && b[-1] != ' ')
				b--;
			while (*e && *e != ' ')
				e++;
			addr = xstrndup(b, (size_t)(e - b));
			memmove(b, e, strlen(e) + 1);
			name = xstrdup(*squeeze(ph) ? ph : cm);
		} else {
			addr = xstrdup(ph);
			name = xstrdup(cm);
		}
	}
	if (addr && *addr) {
		char *dec = name && *name ? mime_decode_header(name) : NULL;
		strbuf a = STRBUF_INIT;
		mime_utf8_repair(addr, strlen(addr), &a);
		mail_addr_add(out, dec ? squeeze(dec) : NULL, a.buf ? a.buf : "");
		sb_free(&a);
		free(dec);
	}
	free(name);
	free(addr);
	free(ph);
	free(an);
	free(cm);
}

void
mail_addr_parse(const char *v, struct mail_addr_list *out)
{
	strbuf phrase = STRBUF_INIT, angle = STRBUF_INIT, comment = STRBUF_INIT;
	int have_angle = 0;
	const char *p = v ? v : "";

	out->v = NULL;
	out->n = 0;
	while (*p) {
		char c = *p;
		if (c == '\r' || c == '\n') {
			p++;
		} else if (c == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				sb_addc(&phrase, *p);
			}
			if (*p)
				p++;
		} else if (c == '(') {
			int depth = 1;
			for (p++; *p && depth > 0; p++) {
				if (*p == '\\' && p[1])
					p++;
				else if (*p == '(')
					depth++;
				else if (*p == ')' && --depth == 0)
					continue;
				sb_addc(&comment, *p);
			}
		} else if (c == '<') {
			sb_reset(&angle);
			for (p++; *p && *p != '>'; p++)
				sb_addc(&angle, *p);
			if (*p)
				p++;
			have_angle = 1;
		} else if (c == ':' && !have_angle) {
			sb_reset(&phrase);      /* "group name:" members follow */
			sb_reset(&comment);
			p++;
		} else if (c == ',' || c == ';') {
			finish(out, &phrase, &angle, &comment, have_angle);
			have_angle = 0;
			p++;
		} else {
			sb_addc(&phrase, c);
			p++;
		}
	}
	finish(out, &phrase, &angle, &comment, have_angle);
}

int
mail_addr_has(const struct mail_addr_list *l, const char *addr)
{
	for (size_t i = 0; addr && i < l->n; i++)
		if (str_ieq(l->v[i].addr, addr))
			return 1;
	return 0;
}

char *
mail_addr_format(const struct mail_addr_list *l)
{
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < l->n; i++) {
		const char *name = l->v[i].name;
		if (i)
			sb_adds(&sb, ", ");
		if (name && *name) {
			if (strpbrk(name, "()<>[]:;@\\,.\"")) {
				sb_addc(&sb, '"');
				for (const char *q = name; *q; q++) {
					if (*q == '"' || *q == '\\')
						sb_addc(&sb, '\\');
					sb_addc(&sb, *q);
				}
				sb_addc(&sb, '"');
			} else {
				sb_adds(&sb, name);
			}
			sb_printf(&sb, " <%s>", l->v[i].addr);
		} else {
			sb_adds(&sb, l->v[i].addr);
		}
	}
	return sb_steal(&sb);
}

void
mail_addr_free(struct mail_addr_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].addr);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
