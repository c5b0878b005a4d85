/* The header block of a message or part (RFC 5322 2.2): fields unfolded,
 * kept raw. Tolerant: bare LF, an mbox "From " line, lines without a colon
 * and a message that is all header all parse. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/mime/mime_int.h"
#include "src/base/util.h"

/* More than any real message has; a bound on what garbage can cost. */
#define MAX_HEADERS 4096

size_t
mime_line_end(const char *s, size_t len, size_t i, size_t *next)
{
	const char *nl = memchr(s + i, '\n', len - i);
	size_t e = nl ? (size_t)(nl - s) : len;
	*next = nl ? e + 1 : len;
	if (e > i && s[e - 1] == '\r')
		e--;
	return e;
}

static void
push(struct mime_hdrs *out, size_t *cap, char *name, strbuf *val)
{
	if (out->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		out->v = xrealloc(out->v, *cap * sizeof *out->v);
	}
	while (val->len && (val->buf[val->len - 1] == ' ' || val->buf[val->len - 1] == '\t'))
		val->buf[--val->len] = '\0';
	out->v[out->n].name = name;
	out->v[out->n].value = sb_steal(val);
	out->n++;
}

void
mime_hdrs_parse(const char *s, size_t len, struct mime_hdrs *out, size_t *body_off)
{
	size_t i = 0, cap = 0;
	char *name = NULL;            /* the field being collected */
	strbuf val = STRBUF_INIT;

	out->v = NULL;
	out->n = 0;
	while (i < len) {
		size_t next, e = mime_line_end(s, len, i, &next);
		if (e == i) {                 /* the empty line ends the block */
			i = next;
			break;
		}
		if (s[i] == ' ' || s[i] == '\t') {
			if (name)             /* a continuation of the field before */
				sb_add(&val, s + i, e - i);
			i = next;
			continue;
		}
		const char *colon = memchr(s + i, ':', e - i);
		if (!colon && (name || out->n > 0))
			break;                /* plainly body text: the block has ended */
		if (name) {
			push(out, &cap, name, &val);
			name = NULL;
		}
		if (!colon || out->n >= MAX_HEADERS) {
			i = next;             /* "From " envelope lines, junk */
			continue;
		}
		size_t nl = (size_t)(colon - (s + i));
		while (nl > 0 && (s[i + nl - 1] == ' ' || s[i + nl - 1] == '\t'))
			nl--;
		const char *v = colon + 1;
		while (v < s + e && (*v == ' ' || *v == '\t'))
			v++;
		name = xstrndup(s + i, nl);
		sb_add(&val, v, (size_t)(s + e - v));
		i = next;
	}
	if (name)
		push(out, &cap, name, &val);
	sb_free(&val);
	*body_off = i;
}

const char *
mime_hdrs_get(const struct mime_hdrs *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcasecmp(h->v[i].name, name) == 0)
			return h->v[i].value;
	return NULL;
}

void
mime_hdrs_free(struct mime_hdrs *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].name);
		free(h->v[i].value);
	}
	free(h->v);
	h->v = NULL;
	h->n = 0;
}
