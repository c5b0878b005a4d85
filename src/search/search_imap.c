/* A parsed query as IMAP SEARCH criteria (RFC 3501 6.4.4), for
 * "UID SEARCH CHARSET UTF-8 <criteria>" in one selected mailbox. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "src/base/fold.h"
#include "src/search/search_ast.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"

struct imap_ctx {
	const char *mailbox_name;
	const char *mailbox_role;
	int literal_plus;
};

/* A quoted string when it is plain 7-bit text (RFC 3501 9: quoted chars are
 * CHAR minus CR/LF), else a literal: UTF-8 cannot travel quoted. */
static void
astring(strbuf *sb, const char *s, const struct imap_ctx *c)
{
	int plain = 1;
	for (const char *t = s; *t; t++)
		if ((unsigned char)*t >= 0x80 || *t == '\r' || *t == '\n')
			plain = 0;
	if (!plain) {
		sb_printf(sb, "{%zu%s}\r\n", strlen(s), c->literal_plus ? "+" : "");
		sb_adds(sb, s);
		return;
	}
	sb_addc(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_addc(sb, '\\');
		sb_addc(sb, *s);
	}
	sb_addc(sb, '"');
}

/* IMAP dates have no time and are compared in the server's zone (6.4.4):
 * the local calendar day is the nearest we can say. */
static void
imap_date(strbuf *sb, int64_t t)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	sb_printf(sb, "%d-%s-%d", tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900);
}

static int
same_mailbox(const char *want, const struct imap_ctx *c)
{
	return (c->mailbox_name && fold_equal(want, c->mailbox_name)) ||
	       (c->mailbox_role && str_ieq(want, c->mailbox_role));
}

static void
emit(strbuf *sb, const struct search_node *n, const struct imap_ctx *c, int top)
{
	static const char *const keys[] = { "TEXT", "FROM", "TO", "CC", "SUBJECT", "BODY" };
	switch (n->kind) {
	case SK_AND:
		/* A criteria list is already a conjunction; nested ones need parens. */
		if (!top)
			sb_addc(sb, '(');
		for (size_t k = 0; k < n->nkids; k++) {
			if (k)
				sb_addc(sb, ' ');
			emit(sb, n->kids[k], c, 0);
		}
		if (!top)
			sb_addc(sb, ')');
		return;
	case SK_OR:
		/* OR is binary in IMAP: a OR b OR c is OR a (OR b c). */
		for (size_t k = 0; k + 1 < n->nkids; k++)
			sb_adds(sb, "OR ");
		for (size_t k = 0; k < n->nkids; k++) {
			if (k)
				sb_addc(sb, ' ');
			emit(sb, n->kids[k], c, 0);
		}
		return;
	case SK_NOT:
		sb_adds(sb, "NOT ");
		emit(sb, n->kids[0], c, 0);
		return;
	case SK_TEXT:
		/* IMAP matches substrings, so word* needs nothing more. */
		sb_printf(sb, "%s ", keys[n->field]);
		astring(sb, n->text, c);
		return;
	case SK_IN:
		/* One SEARCH sees one mailbox: in: is decided here. */
		sb_adds(sb, same_mailbox(n->text, c) ? "ALL" : "NOT ALL");
		return;
	case SK_UNREAD: sb_adds(sb, "UNSEEN"); return;
	case SK_READ: sb_adds(sb, "SEEN"); return;
	case SK_FLAGGED: sb_adds(sb, "FLAGGED"); return;
	case SK_ATTACHMENT:
		/* IMAP has no attachment criterion; RFC 9051 servers set the
		 * $HasAttachment keyword, older ones have a multipart/mixed top. */
		sb_adds(sb, "OR KEYWORD $HasAttachment HEADER Content-Type \"multipart/mixed\"");
		return;
	case SK_BEFORE: sb_adds(sb, "BEFORE "); imap_date(sb, n->value); return;
	case SK_AFTER: sb_adds(sb, "SINCE "); imap_date(sb, n->value); return;
	case SK_LARGER: sb_printf(sb, "LARGER %lld", (long long)n->value); return;
	case SK_SMALLER: sb_printf(sb, "SMALLER %lld", (long long)n->value); return;
	}
}

char *
search_query_to_imap(const search_query *q, const char *mailbox_name, const char *mailbox_role,
                     int literal_plus)
{
	struct imap_ctx c = { mailbox_name, mailbox_role, literal_plus };
	strbuf sb = STRBUF_INIT;
	emit(&sb, q->root, &c, 1);
	return sb_steal(&sb);
}
