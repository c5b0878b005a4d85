#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/base/err.h"
#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "src/base/util.h"
#include "src/mime/listhdr.h"
#include "src/mime/mime_int.h"

/* (text_sanitize of "" returns an unterminated buffer: empty handled here.) */
static char *
inert(const char *s)
{
	return s && *s ? text_sanitize(s, 0) : xstrdup("");
}

void
listhdr_urls(const char *value, char ***out, size_t *nout, int *no)
{
	char **v = NULL;
	size_t n = 0;
	int depth = 0;

	if (no)
		*no = 0;
	for (const char *s = value ? value : ""; *s; s++) {
		/* Comments may hold anything, also '<' (RFC 2369 section 2). */
		if (*s == '(') {
			depth++;
		} else if (*s == ')' && depth > 0) {
			depth--;
		} else if (depth == 0 && *s == '<') {
			const char *e = strchr(s + 1, '>');
			if (!e)
				break;
			/* Whitespace inside the brackets is folding, not URL. */
			strbuf sb = STRBUF_INIT;
			for (const char *p = s + 1; p < e; p++)
				if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
					sb_addc(&sb, *p);
			v = xrealloc(v, (n + 1) * sizeof *v);
			v[n++] = sb_steal(&sb);
			s = e;
		} else if (depth == 0 && n == 0 && no && strncasecmp(s, "NO", 2) == 0 &&
		           (s == value || s[-1] == ' ' || s[-1] == '\t') &&
		           (s[2] == '\0' || s[2] == ' ' || s[2] == '\t' || s[2] == '(')) {
			*no = 1;
			s++;
		}
	}
	*out = v;
	*nout = n;
}

void
listhdr_urls_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* s[0..len) percent-decoded. A NUL decoded from %00 would cut the string
 * short: it becomes a space. */
static char *
pct_decode(const char *s, size_t len)
{
	strbuf sb = STRBUF_INIT;
	char *part = xstrndup(s, len);
	mime_pct_decode(part, &sb);
	free(part);
	for (size_t i = 0; i < sb.len; i++)
		if (sb.buf[i] == '\0')
			sb.buf[i] = ' ';
	return sb_steal(&sb);
}

/* Made inert but keeping the newlines of a body (%0D%0A in the URL). */
static char *
inert_text(const char *s)
{
	strbuf sb = STRBUF_INIT;
	while (*s) {
		size_t n = strcspn(s, "\r\n");
		if (n) {
			char *line = xstrndup(s, n), *t = inert(line);
			sb_adds(&sb, t);
			free(t);
			free(line);
		}
		s += n;
		if (*s == '\r' && s[1] == '\n')
			s++;
		if (*s) {
			sb_addc(&sb, '\n');
			s++;
		}
	}
	return sb_steal(&sb);
}

int
listhdr_mailto_parse(const char *url, struct mailto *out)
{
	const char *p, *q;
	char *to;

	memset(out, 0, sizeof *out);
	if (!url || strncasecmp(url, "mailto:", 7) != 0)
		return TERN_EINVAL;
	p = url + 7;
	q = strchr(p, '?');
	{
		char *raw = pct_decode(p, q ? (size_t)(q - p) : strlen(p));
		to = inert(raw);
		free(raw);
	}
	while (q && *q) {
		const char *name = q + 1, *eq, *end = strchr(name, '&');
		if (!end)
			end = name + strlen(name);
		eq = memchr(name, '=', (size_t)(end - name));
		if (eq) {
			size_t nl = (size_t)(eq - name);
			char *val = pct_decode(eq + 1, (size_t)(end - eq - 1));
			if (nl == 7 && strncasecmp(name, "subject", 7) == 0 && !out->subject)
				out->subject = inert(val);
			else if (nl == 4 && strncasecmp(name, "body", 4) == 0 && !out->body)
				out->body = inert_text(val);
			else if (nl == 2 && strncasecmp(name, "to", 2) == 0 && *val) {
				/* RFC 6068: more recipients in a to= field. */
				char *more = inert(val), *both = *to ? xasprintf("%s, %s", to, more) : xstrdup(more);
				free(more);
				free(to);
				to = both;
			}
			free(val);
		}
		q = *end ? end : NULL;
	}
	if (!*to) {
		free(to);
		listhdr_mailto_free(out);
		return TERN_EINVAL;
	}
	out->to = to;
	return TERN_OK;
}

void
listhdr_mailto_free(struct mailto *m)
{
	free(m->to);
	free(m->subject);
	free(m->body);
	memset(m, 0, sizeof *m);
}

int
listhdr_post_address(const mime_msg *m, char **addr)
{
	char *lp = mime_header_raw(m, "List-Post"), **urls = NULL;
	size_t n = 0;
	int no = 0, rc = TERN_ENOTFOUND;
	struct mail_addr_list mft;

	*addr = NULL;
	listhdr_urls(lp, &urls, &n, &no);
	for (size_t i = 0; i < n && !*addr; i++) {
		struct mailto mt;
		if (listhdr_mailto_parse(urls[i], &mt) == TERN_OK) {
			*addr = mt.to;
			mt.to = NULL;
			listhdr_mailto_free(&mt);
		}
	}
	listhdr_urls_free(urls, n);
	free(lp);
	if (*addr)
		return TERN_OK;
	mime_header_addrs(m, "Mail-Followup-To", &mft);
	if (mft.n > 0) {
		char *f = mail_addr_format(&mft);
		*addr = inert(f);
		free(f);
		rc = TERN_OK;
	} else if (no) {
		rc = TERN_EREFUSED;
	}
	mail_addr_free(&mft);
	return rc;
}

int
listhdr_unsubscribe(const mime_msg *m, struct list_unsub *out)
{
	char *lu = mime_header_raw(m, "List-Unsubscribe"), *post = mime_header_raw(m, "List-Unsubscribe-Post");
	char **urls = NULL;
	size_t n = 0;

	memset(out, 0, sizeof *out);
	listhdr_urls(lu, &urls, &n, NULL);
	for (size_t i = 0; i < n; i++) {
		char **slot = strncasecmp(urls[i], "mailto:", 7) == 0 ? &out->mailto :
		              strncasecmp(urls[i], "https:", 6) == 0 ? &out->https : &out->other;
		if (!*slot)
			*slot = inert(urls[i]);
	}
	listhdr_urls_free(urls, n);
	/* RFC 8058 section 3.1: exactly this key and value ask for one-click. */
	if (post) {
		char *t = str_trim(post);
		out->one_click = strcasecmp(t, "List-Unsubscribe=One-Click") == 0;
	}
	free(lu);
	free(post);
	if (!out->mailto && !out->https && !out->other)
		return TERN_ENOTFOUND;
	{
		char *id = mime_header(m, "List-Id");
		if (id && *id) {
			out->list = inert(str_trim(id));
		} else {
			struct mail_addr_list from;
			mime_header_addrs(m, "From", &from);
			out->list = inert(from.n ? from.v[0].addr : "this list");
			mail_addr_free(&from);
		}
		free(id);
	}
	return TERN_OK;
}

void
listhdr_unsub_free(struct list_unsub *u)
{
	free(u->mailto);
	free(u->https);
	free(u->other);
	free(u->list);
	memset(u, 0, sizeof *u);
}
