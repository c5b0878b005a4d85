/* The query language of doc/SEARCH.md, by recursive descent:
 *   query   = or EOF
 *   or      = and *("OR" and)
 *   and     = 1*unary               ("AND" between terms is allowed and ignored)
 *   unary   = "-" unary / primary
 *   primary = "(" or ")" / KEY ":" value / '"' phrase '"' / word ["*"]
 * Every node remembers where it came from, so an error can point at it. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/base/err.h"
#include "src/search/search_ast.h"
#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "src/base/util.h"

/* Bounds that keep a pasted or generated query from exhausting the stack or
 * producing SQL too large to prepare. */
#define MAX_DEPTH 32
#define MAX_NODES 256

struct parser {
	const char *s;
	size_t n, i;
	int64_t now;
	int depth, nodes;
	struct search_error *err;
};

static const struct {
	const char *name;
	enum search_field field;
} text_keys[] = {
	{ "from", SF_FROM }, { "to", SF_TO }, { "cc", SF_CC },
	{ "subject", SF_SUBJECT }, { "body", SF_BODY },
};

static void *fail(struct parser *p, size_t pos, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void *
fail(struct parser *p, size_t pos, size_t len, const char *fmt, ...)
{
	va_list ap;
	if (p->err->message)
		return NULL;
	p->err->pos = (int)pos;
	p->err->len = len ? (int)len : 1;
	va_start(ap, fmt);
	p->err->message = xvasprintf(fmt, ap);
	va_end(ap);
	return NULL;
}

static void
node_free(struct search_node *n)
{
	if (!n)
		return;
	for (size_t k = 0; k < n->nkids; k++)
		node_free(n->kids[k]);
	free(n->kids);
	free(n->text);
	free(n);
}

static struct search_node *
node_new(struct parser *p, enum search_kind kind, size_t pos, size_t len)
{
	struct search_node *n;
	if (++p->nodes > MAX_NODES)
		return fail(p, pos, len, "the query is too long (at most %d terms)", MAX_NODES);
	n = xcalloc(1, sizeof *n);
	n->kind = kind;
	n->pos = (int)pos;
	n->len = (int)len;
	return n;
}

static void
node_add(struct search_node *n, struct search_node *kid)
{
	/* (a b) inside an AND, or (a OR b) inside an OR, is the same list. */
	if (kid->kind == n->kind && (kid->kind == SK_AND || kid->kind == SK_OR)) {
		for (size_t k = 0; k < kid->nkids; k++)
			node_add(n, kid->kids[k]);
		kid->nkids = 0;
		node_free(kid);
		return;
	}
	n->kids = xrealloc(n->kids, (n->nkids + 1) * sizeof *n->kids);
	n->kids[n->nkids++] = kid;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int
is_delim(const struct parser *p, size_t i)
{
	return i >= p->n || is_space(p->s[i]) || p->s[i] == '(' || p->s[i] == ')';
}

static void
skip_space(struct parser *p)
{
	while (p->i < p->n && is_space(p->s[p->i]))
		p->i++;
}

/* An operator word (OR, AND) standing alone at the cursor. */
static int
at_operator(const struct parser *p, const char *op)
{
	size_t k = strlen(op);
	return p->i + k <= p->n && memcmp(p->s + p->i, op, k) == 0 && is_delim(p, p->i + k);
}

/* Non-ASCII code points the index's tokenizer (unicode61: letters, digits
 * and private use make words) treats as separators: the punctuation and
 * symbol blocks people actually type or paste ("—", "…", "«»", "€", "→",
 * "、", emoji). Anything else outside ASCII counts as a letter, so an
 * unlisted script is never refused. */
static int
separator_cp(uint32_t c)
{
	static const struct { uint32_t lo, hi; } sep[] = {
		{ 0x0080, 0x00A9 }, { 0x00AB, 0x00B1 }, { 0x00B4, 0x00B4 }, { 0x00B6, 0x00B8 },
		{ 0x00BB, 0x00BB }, { 0x00BF, 0x00BF }, { 0x00D7, 0x00D7 }, { 0x00F7, 0x00F7 },
		{ 0x2000, 0x206F },   /* general punctuation: dashes, quotes, ellipsis */
		{ 0x20A0, 0x20CF },   /* currency */
		{ 0x2100, 0x2101 }, { 0x2190, 0x23FF },   /* arrows, mathematical, technical */
		{ 0x2500, 0x27BF },   /* box drawing, shapes, dingbats */
		{ 0x2E00, 0x2E7F },   /* supplemental punctuation */
		{ 0x3000, 0x3004 }, { 0x3008, 0x3020 }, { 0x3030, 0x3030 },   /* CJK punctuation */
		{ 0xFE30, 0xFE4F }, { 0xFF01, 0xFF0F }, { 0xFF1A, 0xFF20 }, { 0xFF3B, 0xFF40 },
		{ 0xFF5B, 0xFF65 }, { 0x1F000, 0x1FAFF },  /* emoji and pictographs */
	};
	for (size_t k = 0; k < sizeof sep / sizeof sep[0]; k++)
		if (c >= sep[k].lo && c <= sep[k].hi)
			return 1;
	return 0;
}

/* Something to search for: the tokenizer drops everything but letters and
 * digits, so "!!!" or "—" would silently match nothing (or everything). */
static int
searchable(const char *t)
{
	const unsigned char *u = (const unsigned char *)t;
	while (*u) {
		uint32_t c = *u;
		size_t n = 1;
		if (c < 0x80) {
			if (isalnum((int)c))
				return 1;
		} else {
			if (c >= 0xF0 && u[1] && u[2] && u[3]) {
				c = ((c & 7u) << 18) | ((u[1] & 63u) << 12) | ((u[2] & 63u) << 6) | (u[3] & 63u);
				n = 4;
			} else if (c >= 0xE0 && u[1] && u[2]) {
				c = ((c & 15u) << 12) | ((u[1] & 63u) << 6) | (u[2] & 63u);
				n = 3;
			} else if (c >= 0xC0 && u[1]) {
				c = ((c & 31u) << 6) | (u[1] & 63u);
				n = 2;
			}
			if (!separator_cp(c))
				return 1;
		}
		u += n;
	}
	return 0;
}

/* A quoted string at the cursor; *out gets its content. */
static int
quoted(struct parser *p, char **out)
{
	size_t open = p->i;
	const char *end = memchr(p->s + open + 1, '"', p->n - open - 1);
	if (!end) {
		fail(p, open, p->n - open, "this quote is never closed");
		return -1;
	}
	*out = xstrndup(p->s + open + 1, (size_t)(end - p->s) - open - 1);
	p->i = (size_t)(end - p->s) + 1;
	return 0;
}

static struct search_node *
text_node(struct parser *p, enum search_field field, char *text, int phrase, size_t pos, size_t len)
{
	struct search_node *n;
	size_t tl = strlen(text);
	int prefix = 0;

	if (!phrase && tl > 1 && text[tl - 1] == '*') {
		text[--tl] = '\0';
		prefix = 1;
	}
	if (!searchable(text)) {
		if (*text)
			fail(p, pos, len, "'%s' has no letters or digits to search for", text);
		else
			fail(p, pos, len, "empty quotes: nothing to search for");
		free(text);
		return NULL;
	}
	if (!(n = node_new(p, SK_TEXT, pos, len))) {
		free(text);
		return NULL;
	}
	n->field = field;
	n->text = text;
	n->phrase = phrase;
	n->prefix = prefix;
	return n;
}

/* Local midnight of y-m-d, or -1 if there is no such day. */
static int64_t
day_start(int y, int m, int d)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1 };
	time_t t;
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	t = mktime(&tm);
	if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != m - 1)
		return -1;
	return (int64_t)t;
}

static int
parse_date(const struct parser *p, const char *v, int64_t *out)
{
	char unit = 0, sep1, sep2, extra;
	int y, m, d;
	long num;
	struct tm tm;
	time_t now = (time_t)p->now;

	if (str_ieq(v, "today") || str_ieq(v, "yesterday")) {
		localtime_r(&now, &tm);
		*out = day_start(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		if (str_ieq(v, "yesterday")) {
			tm.tm_mday -= 1;
			tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
			tm.tm_isdst = -1;
			*out = (int64_t)mktime(&tm);
		}
		return 0;
	}
	if (sscanf(v, "%4d%c%2d%c%2d%c", &y, &sep1, &m, &sep2, &d, &extra) == 5 &&
	    strlen(v) == 10 && sep1 == sep2 && (sep1 == '-' || sep1 == '/')) {
		*out = day_start(y, m, d);
		return *out < 0 ? -1 : 0;
	}
	if (strlen(v) < 2 || strlen(v) > 7 || !isdigit((unsigned char)v[0]))
		return -1;
	unit = (char)tolower((unsigned char)v[strlen(v) - 1]);
	{
		char *digits = xstrndup(v, strlen(v) - 1);
		int bad = str_to_long(digits, 0, 100000, &num) != 0;
		free(digits);
		if (bad)
			return -1;
	}
	localtime_r(&now, &tm);
	switch (unit) {
	case 'd': *out = p->now - (int64_t)num * 86400; return 0;
	case 'w': *out = p->now - (int64_t)num * 7 * 86400; return 0;
	case 'm': tm.tm_mon -= (int)num; break;
	case 'y': tm.tm_year -= (int)num; break;
	default: return -1;
	}
	tm.tm_isdst = -1;
	*out = (int64_t)mktime(&tm);
	return 0;
}

static int
parse_size(const char *v, int64_t *out)
{
	char *end;
	unsigned long long num;
	int64_t mult = 1;

	if (!isdigit((unsigned char)*v))
		return -1;
	num = strtoull(v, &end, 10);
	switch (tolower((unsigned char)*end)) {
	case 'k': mult = 1024; end++; break;
	case 'm': mult = 1024 * 1024; end++; break;
	case 'g': mult = 1024 * 1024 * 1024; end++; break;
	default: break;
	}
	if (tolower((unsigned char)*end) == 'b')
		end++;
	if (*end || num > (unsigned long long)(INT64_MAX / mult))
		return -1;
	*out = (int64_t)num * mult;
	return 0;
}

/* KEY ":" value, the cursor just after the colon. */
static struct search_node *
keyed(struct parser *p, const char *key, size_t kpos, size_t klen)
{
	struct search_node *n = NULL;
	size_t vpos = p->i, vlen;
	char *v = NULL;
	int phrase = 0;

	if (p->i < p->n && p->s[p->i] == '"') {
		if (quoted(p, &v) < 0)
			return NULL;
		phrase = 1;
	} else {
		while (!is_delim(p, p->i))
			p->i++;
		if (p->i == vpos)
			return fail(p, kpos, klen + 1, "'%s:' needs a value right after the colon", key);
		v = xstrndup(p->s + vpos, p->i - vpos);
	}
	vlen = p->i - vpos;
	for (size_t k = 0; k < ARRAY_LEN(text_keys); k++)
		if (str_ieq(key, text_keys[k].name))
			return text_node(p, text_keys[k].field, v, phrase, kpos, p->i - kpos);

	if (str_ieq(key, "in")) {
		if (!*v)
			fail(p, vpos, vlen, "in: needs a mailbox name or role");
		else if ((n = node_new(p, SK_IN, kpos, p->i - kpos))) {
			n->text = v;
			v = NULL;
		}
	} else if (str_ieq(key, "is")) {
		enum search_kind k = str_ieq(v, "unread") || str_ieq(v, "unseen") ? SK_UNREAD :
		                     str_ieq(v, "read") || str_ieq(v, "seen") ? SK_READ :
		                     str_ieq(v, "flagged") || str_ieq(v, "starred") ? SK_FLAGGED : SK_AND;
		if (k == SK_AND)
			fail(p, vpos, vlen, "unknown state is:%s (use is:unread, is:read or is:flagged)", v);
		else
			n = node_new(p, k, kpos, p->i - kpos);
	} else if (str_ieq(key, "has")) {
		if (!str_ieq(v, "attachment") && !str_ieq(v, "attachments"))
			fail(p, vpos, vlen, "unknown has:%s (use has:attachment)", v);
		else
			n = node_new(p, SK_ATTACHMENT, kpos, p->i - kpos);
	} else if (str_ieq(key, "before") || str_ieq(key, "after")) {
		int64_t t;
		if (parse_date(p, v, &t) < 0)
			fail(p, vpos, vlen, "'%s' is not a date (use YYYY-MM-DD, today, yesterday, "
			     "or an age like 7d, 2w, 3m, 1y)", v);
		else if ((n = node_new(p, str_ieq(key, "before") ? SK_BEFORE : SK_AFTER, kpos, p->i - kpos))) {
			/* As typed, for the canonical form: "7d" must name the same
			 * search a second later. */
			n->value = t;
			n->text = v;
			str_lower(n->text);
			v = NULL;
		}
	} else if (str_ieq(key, "larger") || str_ieq(key, "smaller")) {
		int64_t size;
		if (parse_size(v, &size) < 0)
			fail(p, vpos, vlen, "'%s' is not a size (use bytes, or k, M, G as in 500k or 2M)", v);
		else if ((n = node_new(p, str_ieq(key, "larger") ? SK_LARGER : SK_SMALLER, kpos, p->i - kpos)))
			n->value = size;
	} else
		fail(p, kpos, klen + 1, "unknown search key '%s:' (to search for the text itself, "
		     "put it in quotes)", key);
	free(v);
	return n;
}

static struct search_node *parse_or(struct parser *p);

static struct search_node *
parse_primary(struct parser *p)
{
	size_t start = p->i, j = p->i;
	char *text;

	if (p->s[start] == '(') {
		struct search_node *e;
		if (++p->depth > MAX_DEPTH)
			return fail(p, start, 1, "parentheses nested too deeply");
		p->i++;
		e = parse_or(p);
		p->depth--;
		if (!e)
			return NULL;
		skip_space(p);
		if (p->i >= p->n || p->s[p->i] != ')') {
			node_free(e);
			return fail(p, start, 1, "this '(' is never closed");
		}
		p->i++;
		return e;
	}
	if (p->s[start] == '"') {
		if (quoted(p, &text) < 0)
			return NULL;
		return text_node(p, SF_ANY, text, 1, start, p->i - start);
	}
	while (j < p->n && isalpha((unsigned char)p->s[j]))
		j++;
	if (j > start && j < p->n && p->s[j] == ':') {
		char *key = xstrndup(p->s + start, j - start);
		struct search_node *n;
		p->i = j + 1;
		n = keyed(p, key, start, j - start);
		free(key);
		return n;
	}
	while (!is_delim(p, p->i) && p->s[p->i] != '"')
		p->i++;
	return text_node(p, SF_ANY, xstrndup(p->s + start, p->i - start), 0, start, p->i - start);
}

static struct search_node *
parse_unary(struct parser *p)
{
	size_t start = p->i;
	struct search_node *kid, *n;

	if (p->s[start] != '-')
		return parse_primary(p);
	if (start + 1 >= p->n || is_space(p->s[start + 1]) || p->s[start + 1] == ')')
		return fail(p, start, 1, "'-' must be followed directly by the term to exclude");
	if (++p->depth > MAX_DEPTH)
		return fail(p, start, 1, "negations nested too deeply");
	p->i++;
	kid = parse_unary(p);
	p->depth--;
	if (!kid)
		return NULL;
	if (!(n = node_new(p, SK_NOT, start, p->i - start))) {
		node_free(kid);
		return NULL;
	}
	node_add(n, kid);
	return n;
}

static struct search_node *
parse_and(struct parser *p)
{
	struct search_node *n = NULL, *kid;
	size_t start;

	skip_space(p);
	start = p->i;
	for (;;) {
		skip_space(p);
		if (p->i >= p->n || p->s[p->i] == ')' || at_operator(p, "OR"))
			break;
		if (at_operator(p, "AND")) {
			size_t op = p->i;
			p->i += 3;
			skip_space(p);
			if (!n || p->i >= p->n || p->s[p->i] == ')' || at_operator(p, "OR") || at_operator(p, "AND")) {
				node_free(n);
				return fail(p, op, 3, "'AND' needs a search term on both sides");
			}
			continue;
		}
		if (!(kid = parse_unary(p)))
			goto bad;
		if (!n && !(n = node_new(p, SK_AND, start, 0))) {
			node_free(kid);
			return NULL;
		}
		node_add(n, kid);
	}
	if (!n) {
		if (at_operator(p, "OR"))
			return fail(p, p->i, 2, "'OR' needs a search term on both sides");
		if (p->i < p->n)
			return fail(p, p->i, 1, "%s", p->depth ? "empty parentheses" : "this ')' has no matching '('");
		return fail(p, p->i, 1, "a search term is missing here");
	}
	n->len = (int)(p->i - start);
	if (n->nkids == 1) {
		kid = n->kids[0];
		n->nkids = 0;
		node_free(n);
		return kid;
	}
	return n;
bad:
	node_free(n);
	return NULL;
}

static struct search_node *
parse_or(struct parser *p)
{
	struct search_node *n = NULL, *kid;
	size_t start;

	skip_space(p);
	start = p->i;
	if (!(kid = parse_and(p)))
		return NULL;
	for (;;) {
		size_t op;
		skip_space(p);
		if (!at_operator(p, "OR"))
			break;
		op = p->i;
		p->i += 2;
		skip_space(p);
		if (p->i >= p->n || p->s[p->i] == ')' || at_operator(p, "OR")) {
			fail(p, op, 2, "'OR' needs a search term on both sides");
			goto bad;
		}
		if (!n) {
			if (!(n = node_new(p, SK_OR, start, 0)))
				goto bad;
			node_add(n, kid);
		}
		if (!(kid = parse_and(p)))
			goto bad;
		node_add(n, kid);
		kid = NULL;
	}
	if (!n)
		return kid;
	n->len = (int)(p->i - start);
	return n;
bad:
	node_free(kid);
	node_free(n);
	return NULL;
}

int
search_parse(const char *text, int64_t now, search_query **out, struct search_error *err)
{
	struct parser p = { .s = text, .n = strlen(text), .now = now, .err = err };
	struct search_node *root;

	*out = NULL;
	memset(err, 0, sizeof *err);
	skip_space(&p);
	if (p.i >= p.n) {
		fail(&p, 0, p.n, "empty query: give words to search for, or keys like from: or is:unread");
		return TERN_EINVAL;
	}
	root = parse_or(&p);
	if (root && p.i < p.n) {
		node_free(root);
		root = fail(&p, p.i, 1, "this ')' has no matching '('");
	}
	if (!root) {
		if (!err->message)
			fail(&p, 0, p.n, "bad query");
		return TERN_EINVAL;
	}
	*out = xcalloc(1, sizeof **out);
	(*out)->root = root;
	return TERN_OK;
}

void
search_query_free(search_query *q)
{
	if (!q)
		return;
	node_free(q->root);
	free(q);
}

void
search_error_free(struct search_error *err)
{
	free(err->message);
	err->message = NULL;
}

/* Code points in s[0..len): terminal columns for everything but wide
 * characters, which is close enough for a caret. */
static int
columns(const char *s, size_t len)
{
	int n = 0;
	for (size_t i = 0; i < len && s[i]; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

char *
search_error_format(const char *text, const struct search_error *err)
{
	size_t n = strlen(text), pos = (size_t)err->pos, len = (size_t)err->len;
	char *safe = text_sanitize(text, 0), *before, *span;
	strbuf sb = STRBUF_INIT;
	int lead, width;

	if (pos > n)
		pos = n;
	if (len > n - pos)
		len = n - pos;
	/* Measure the sanitised pieces: a control character shown as ^X is two
	 * columns wide on screen. */
	before = text_sanitize_n(text, pos, 0);
	span = text_sanitize_n(text + pos, len, 0);
	lead = columns(before, strlen(before));
	width = columns(span, strlen(span));
	sb_printf(&sb, "%s (column %d)\n  %s\n  %*s", err->message, lead + 1, safe, lead, "");
	for (int k = 0; k < (width ? width : 1); k++)
		sb_addc(&sb, '^');
	free(safe);
	free(before);
	free(span);
	return sb_steal(&sb);
}

static void
quote(strbuf *sb, const char *t)
{
	sb_addc(sb, '"');
	for (; *t; t++) {
		if (*t == '"' || *t == '\\')
			sb_addc(sb, '\\');
		sb_addc(sb, *t);
	}
	sb_addc(sb, '"');
}

static void
to_string(const struct search_node *n, strbuf *sb)
{
	static const char *const fields[] = { "any", "from", "to", "cc", "subject", "body" };
	switch (n->kind) {
	case SK_AND:
	case SK_OR:
	case SK_NOT:
		sb_adds(sb, n->kind == SK_AND ? "(and" : n->kind == SK_OR ? "(or" : "(not");
		for (size_t k = 0; k < n->nkids; k++) {
			sb_addc(sb, ' ');
			to_string(n->kids[k], sb);
		}
		sb_addc(sb, ')');
		return;
	case SK_TEXT:
		sb_printf(sb, "(%s%s%s ", fields[n->field], n->phrase ? " phrase" : "",
		          n->prefix ? " prefix" : "");
		quote(sb, n->text);
		sb_addc(sb, ')');
		return;
	case SK_IN: sb_adds(sb, "(in "); quote(sb, n->text); sb_addc(sb, ')'); return;
	case SK_UNREAD: sb_adds(sb, "(is unread)"); return;
	case SK_READ: sb_adds(sb, "(is read)"); return;
	case SK_FLAGGED: sb_adds(sb, "(is flagged)"); return;
	case SK_ATTACHMENT: sb_adds(sb, "(has attachment)"); return;
	case SK_BEFORE: sb_adds(sb, "(before "); quote(sb, n->text); sb_addc(sb, ')'); return;
	case SK_AFTER: sb_adds(sb, "(after "); quote(sb, n->text); sb_addc(sb, ')'); return;
	case SK_LARGER: sb_printf(sb, "(larger %lld)", (long long)n->value); return;
	case SK_SMALLER: sb_printf(sb, "(smaller %lld)", (long long)n->value); return;
	}
}

char *
search_query_to_string(const search_query *q)
{
	strbuf sb = STRBUF_INIT;
	to_string(q->root, &sb);
	return sb_steal(&sb);
}

static int
has_text(const struct search_node *n)
{
	if (n->kind == SK_TEXT)
		return 1;
	for (size_t k = 0; k < n->nkids; k++)
		if (has_text(n->kids[k]))
			return 1;
	return 0;
}

int
search_query_has_text(const search_query *q)
{
	return has_text(q->root);
}
