#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/base/err.h"
#include "src/mime/listhdr.h"
#include "src/mime/ident.h"
#include "src/base/fold.h"
#include "src/mime/reply.h"
#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "src/base/util.h"

/* One line of untrusted text made inert. (text_sanitize of "" returns an
 * unterminated buffer, so empty input is handled here.) */
static char *
inert(const char *s)
{
	return s && *s ? text_sanitize(s, 0) : xstrdup("");
}

/* RFC 5322 3.6.4 lets References be trimmed; the first id (the thread's
 * root) and the most recent ones are what threading needs. */
#define MAX_REFS 20
#define MAX_REFS_LEN 3000

static const char *const reply_prefixes[] = { "re", "aw", "sv", "antw", "vs", "odp", "ref", "res" };
static const char *const fwd_prefixes[] = { "fwd", "fw", "wg", "tr", "rv", "vb", "enc", "doorst" };

/* Length of a "Re:", "RE[2]:", "Aw (3):" prefix at s from the list, else 0. */
static size_t
prefix_len(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(list[i]), j;
		if (strncasecmp(s, list[i], l) != 0)
			continue;
		j = l;
		if (s[j] == '[' || s[j] == '(') {
			char close = s[j] == '[' ? ']' : ')';
			size_t k = j + 1;
			while (s[k] >= '0' && s[k] <= '9')
				k++;
			if (k == j + 1 || s[k] != close)
				continue;
			j = k + 1;
		}
		while (s[j] == ' ')
			j++;
		if (s[j] == ':')
			return j + 1;
		if (strncmp(s + j, "\xEF\xBC\x9A", 3) == 0)   /* the full-width colon of CJK clients */
			return j + 3;
	}
	return 0;
}

char *
reply_subject(const char *subject, int forward)
{
	const char *s = subject ? subject : "";
	size_t k;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (forward)
			k = prefix_len(s, fwd_prefixes, ARRAY_LEN(fwd_prefixes));
		else
			k = prefix_len(s, reply_prefixes, ARRAY_LEN(reply_prefixes));
		if (!k)
			break;
		s += k;
	}
	return xasprintf("%s %s", forward ? "Fwd:" : "Re:", s);
}

/* A "[list-tag]" at s: its length with the blanks after it, else 0. */
static size_t
blob_len(const char *s)
{
	size_t k = 1;
	if (*s != '[')
		return 0;
	while (s[k] && s[k] != '[' && s[k] != ']')
		k++;
	if (s[k] != ']')
		return 0;
	k++;
	while (s[k] == ' ' || s[k] == '\t')
		k++;
	return k;
}

char *
reply_base_subject(const char *subject)
{
	const char *s = subject ? subject : "";
	char *t, *out, *f;
	size_t n, k;

	/* RFC 5256's base subject: leaders (Re:, Fwd:, their translations,
	 * "[list]" tags) are stripped repeatedly, a "[list]" only when some
	 * subject remains after it. */
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if ((k = prefix_len(s, reply_prefixes, ARRAY_LEN(reply_prefixes))) ||
		    (k = prefix_len(s, fwd_prefixes, ARRAY_LEN(fwd_prefixes)))) {
			s += k;
			continue;
		}
		if ((k = blob_len(s)) && s[k]) {
			s += k;
			continue;
		}
		break;
	}
	/* Whitespace runs become one space; trailers "(fwd)" go. */
	t = out = xmalloc(strlen(s) + 1);
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
			if (t > out && t[-1] != ' ')
				*t++ = ' ';
		} else {
			*t++ = *s;
		}
	}
	*t = '\0';
	for (;;) {
		n = strlen(out);
		while (n && out[n - 1] == ' ')
			out[--n] = '\0';
		if (n >= 5 && strcasecmp(out + n - 5, "(fwd)") == 0)
			out[n - 5] = '\0';
		else
			break;
	}
	/* "[Fwd: subject]": the subject inside. */
	n = strlen(out);
	if (n > 2 && out[0] == '[' && out[n - 1] == ']' &&
	    (k = prefix_len(out + 1, fwd_prefixes, ARRAY_LEN(fwd_prefixes)))) {
		out[n - 1] = '\0';
		t = reply_base_subject(out + 1 + k);
		free(out);
		out = t;
	}
	f = fold_case(out);
	free(out);
	return f;
}

/* The "<...>" ids in s, in order. */
static size_t
msgids(const char *s, char ***out)
{
	char **v = NULL;
	size_t n = 0;
	for (const char *p = s ? s : ""; (p = strchr(p, '<'));) {
		const char *e = strchr(p, '>');
		if (!e)
			break;
		if (e - p > 2 && !memchr(p + 1, '<', (size_t)(e - p - 1))) {
			v = xrealloc(v, (n + 1) * sizeof *v);
			v[n++] = xstrndup(p, (size_t)(e - p + 1));
		}
		p = e + 1;
	}
	/* Stored ids lack brackets (db): take bare words with an "@". */
	if (n == 0 && s && !strchr(s, '<')) {
		char *c = xstrdup(s);
		for (char *w = strtok(c, " \t\r\n,"); w; w = strtok(NULL, " \t\r\n,"))
			if (strchr(w, '@')) {
				v = xrealloc(v, (n + 1) * sizeof *v);
				v[n++] = xasprintf("<%s>", w);
			}
		free(c);
	}
	*out = v;
	return n;
}

static void
ids_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char *
reply_references(const char *references, const char *in_reply_to, const char *message_id)
{
	char **refs, **mid;
	size_t n = msgids(references, &refs), nm, total = 0, start = 1;
	strbuf sb = STRBUF_INIT;

	if (n == 0) {
		ids_free(refs, n);
		n = msgids(in_reply_to, &refs);
		if (n > 1) {              /* In-Reply-To names the parent(s), not a chain */
			for (size_t i = 1; i < n; i++)
				free(refs[i]);
			n = 1;
		}
	}
	nm = msgids(message_id, &mid);
	if (nm && !(n && strcmp(refs[n - 1], mid[0]) == 0)) {
		refs = xrealloc(refs, (n + 1) * sizeof *refs);
		refs[n++] = xstrdup(mid[0]);
	}
	for (size_t i = 0; i < n; i++)
		total += strlen(refs[i]) + 1;
	/* Keep refs[0]; drop from refs[1] on until the rest fits. */
	while (n - start + 1 > MAX_REFS || (total > MAX_REFS_LEN && start < n - 1)) {
		total -= strlen(refs[start]) + 1;
		start++;
		if (start >= n)
			break;
	}
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && i < start)
			continue;
		if (sb.len)
			sb_addc(&sb, ' ');
		sb_adds(&sb, refs[i]);
	}
	ids_free(refs, n);
	ids_free(mid, nm);
	return sb_steal(&sb);
}

/* --- Recipients ------------------------------------------------------------------- */

static int
is_self(const struct reply_self *self, const char *addr)
{
	if (self->email && str_ieq(self->email, addr))
		return 1;
	if (self->alternates) {
		struct mail_addr_list alt;
		int hit;
		mail_addr_parse(self->alternates, &alt);
		hit = mail_addr_has(&alt, addr);
		mail_addr_free(&alt);
		return hit;
	}
	return 0;
}

/* Appends the items of src to dst, except own addresses (when drop_self)
 * and those already in dst or in skip. */
static void
merge(struct mail_addr_list *dst, const struct mail_addr_list *src, const struct mail_addr_list *skip,
      const struct reply_self *self, int drop_self)
{
	for (size_t i = 0; i < src->n; i++) {
		const char *a = src->v[i].addr;
		if ((drop_self && is_self(self, a)) || mail_addr_has(dst, a) || (skip && mail_addr_has(skip, a)))
			continue;
		mail_addr_add(dst, src->v[i].name, a);
	}
}

static void
recipients(const mime_msg *p, enum reply_kind kind, const struct reply_self *self,
           struct mail_addr_list *to, struct mail_addr_list *cc)
{
	struct mail_addr_list from, rt, mrt, mft, pto, pcc;
	const struct mail_addr_list *base;
	int from_me;

	mime_header_addrs(p, "From", &from);
	mime_header_addrs(p, "Reply-To", &rt);
	mime_header_addrs(p, "Mail-Reply-To", &mrt);
	mime_header_addrs(p, "Mail-Followup-To", &mft);
	mime_header_addrs(p, "To", &pto);
	mime_header_addrs(p, "Cc", &pcc);
	from_me = from.n > 0 && is_self(self, from.v[0].addr);
	if (kind == REPLY_ALL && mft.n > 0) {
		/* The sender said where the discussion goes (a list member who
		 * wants no personal copy): that list is the To, with no Cc, as
		 * mutt's honor_followup_to does. Only ourselves in it: ignored. */
		merge(to, &mft, NULL, self, 1);
		if (to->n > 0)
			goto out;
	}
	/* A reply to one's own message goes to its recipients, as in mutt.
	 * Mail-Reply-To (where the author wants personal replies) beats a
	 * Reply-To that a list may have set. */
	base = from_me ? &pto : mrt.n ? &mrt : rt.n ? &rt : &from;
	merge(to, base, NULL, self, 0);
	if (kind == REPLY_ALL) {
		struct mail_addr_list kept = { 0 };
		merge(&kept, to, NULL, self, 1);
		merge(cc, &pto, &kept, self, 1);
		merge(cc, &pcc, &kept, self, 1);
		if (kept.n == 0 && cc->n > 0) {
			/* Every To was us: the first Cc moves up. */
			mail_addr_add(&kept, cc->v[0].name, cc->v[0].addr);
			struct mail_addr_list rest = { 0 };
			for (size_t i = 1; i < cc->n; i++)
				mail_addr_add(&rest, cc->v[i].name, cc->v[i].addr);
			mail_addr_free(cc);
			*cc = rest;
		}
		if (kept.n > 0) {
			mail_addr_free(to);
			*to = kept;
		} else {
			mail_addr_free(&kept);
		}
	}
out:
	mail_addr_free(&from);
	mail_addr_free(&rt);
	mail_addr_free(&mrt);
	mail_addr_free(&mft);
	mail_addr_free(&pto);
	mail_addr_free(&pcc);
}

/* --- Bodies ---------------------------------------------------------------------- */

static char *
sanitized_header(const mime_msg *p, const char *name)
{
	char *v = mime_header(p, name), *s = v ? inert(v) : xstrdup("");
	free(v);
	return s;
}

static char *
sanitized_addrs(const mime_msg *p, const char *name)
{
	struct mail_addr_list l;
	char *f, *s;
	mime_header_addrs(p, name, &l);
	f = mail_addr_format(&l);
	s = inert(f);
	free(f);
	mail_addr_free(&l);
	return s;
}

static char *
body_text(const mime_msg *p, const struct render_opts *ro)
{
	struct render_opts o = *ro;
	char *t;
	size_t n;
	o.headers = RENDER_HDR_NONE;
	o.attachments = 0;
	t = mime_render_body(p, &o);
	n = strlen(t);
	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == ' '))
		t[--n] = '\0';
	return t;
}

static char *
quoted_body(const mime_msg *p, const struct render_opts *ro)
{
	struct mail_addr_list from;
	char *date = sanitized_header(p, "Date"), *text = body_text(p, ro), *who;
	strbuf sb = STRBUF_INIT;
	size_t end = ident_sig_start(text);

	/* The original's signature is not quoted (mutt neither). */
	while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == ' '))
		end--;
	text[end] = '\0';
	mime_header_addrs(p, "From", &from);
	who = inert(from.n ? (from.v[0].name ? from.v[0].name : from.v[0].addr) : "someone");
	if (*date)
		sb_printf(&sb, "On %s, %s wrote:\n", date, who);
	else
		sb_printf(&sb, "%s wrote:\n", who);
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		/* ">" before text that is already a quote, "> " otherwise. */
		sb_adds(&sb, len == 0 ? ">" : s[0] == '>' ? ">" : "> ");
		sb_add(&sb, s, len);
		sb_addc(&sb, '\n');
		s = nl ? nl + 1 : s + len;
	}
	free(who);
	free(date);
	free(text);
	mail_addr_free(&from);
	return sb_steal(&sb);
}

static char *
forward_body(const mime_msg *p, const struct render_opts *ro)
{
	static const char *const names[] = { "From", "Date", "Subject", "To", "Cc" };
	char *text = body_text(p, ro);
	strbuf sb = STRBUF_INIT;

	sb_adds(&sb, "---------- Forwarded message ----------\n");
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		int addr = i == 0 || i >= 3;
		char *v = addr ? sanitized_addrs(p, names[i]) : sanitized_header(p, names[i]);
		if (*v)
			sb_printf(&sb, "%s: %s\n", names[i], v);
		free(v);
	}
	sb_printf(&sb, "\n%s\n", text);
	free(text);
	return sb_steal(&sb);
}

int
reply_make(const mime_msg *p, enum reply_kind kind, const struct reply_self *self,
           const struct render_opts *ro, struct reply *out)
{
	struct mail_addr_list to = { 0 }, cc = { 0 };
	char *subject, *t, *c, *list = NULL;

	memset(out, 0, sizeof *out);
	if (kind == REPLY_LIST) {
		int rc = listhdr_post_address(p, &list);
		if (rc != TERN_OK)
			return rc;
	}
	subject = sanitized_header(p, "Subject");
	out->subject = reply_subject(subject, kind == REPLY_FORWARD);
	free(subject);
	if (kind == REPLY_FORWARD) {
		out->to = xstrdup("");
		out->cc = xstrdup("");
		out->in_reply_to = xstrdup("");
		out->references = xstrdup("");
		out->body = forward_body(p, ro);
		return TERN_OK;
	}
	if (list)
		mail_addr_parse(list, &to);
	else
		recipients(p, kind, self, &to, &cc);
	free(list);
	t = mail_addr_format(&to);
	c = mail_addr_format(&cc);
	out->to = inert(t);
	out->cc = inert(c);
	free(t);
	free(c);
	mail_addr_free(&to);
	mail_addr_free(&cc);

	char *mid = mime_header_raw(p, "Message-ID"), *refs = mime_header_raw(p, "References");
	char *irt = mime_header_raw(p, "In-Reply-To"), **ids;
	size_t n = msgids(mid, &ids);
	out->in_reply_to = inert(n ? ids[0] : "");
	ids_free(ids, n);
	t = reply_references(refs, irt, mid);
	out->references = inert(t);
	free(t);
	free(mid);
	free(refs);
	free(irt);
	out->body = quoted_body(p, ro);
	return TERN_OK;
}

void
reply_free(struct reply *r)
{
	free(r->to);
	free(r->cc);
	free(r->subject);
	free(r->in_reply_to);
	free(r->references);
	free(r->body);
	memset(r, 0, sizeof *r);
}
