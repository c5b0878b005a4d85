/* The search query language: every construct parses to the expected tree,
 * every bad query is refused with a message pointing at the right place,
 * and the IMAP and JMAP translators the engines run say the same thing. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/base/err.h"
#include "src/search/search.h"
#include "src/search/search_ast.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"
#include "src/base/err.h"
#include "src/search/search.h"
#include "src/search/search_ast.h"
#include "src/base/strbuf.h"
#include "sync/imap/imap.h"
#include "src/base/util.h"

/* 2023-11-14 22:13:20 UTC; TZ is UTC for the whole test. */
#define NOW 1700000000

static search_query *
parse_ok(const char *text)
{
	search_query *q = NULL;
	struct search_error e = { 0 };
	int rc = search_parse(text, NOW, &q, &e);
	if (rc != TERN_OK)
		print_error("query [%s] refused: %s at %d\n", text, e.message, e.pos);
	assert_int_equal(rc, TERN_OK);
	assert_non_null(q);
	return q;
}

static const struct {
	const char *in;
	const char *tree;
} good[] = {
	{ "hello", "(any \"hello\")" },
	{ "\xe6\x97\xa5\xe6\x9c\xac", "(any \"\xe6\x97\xa5\xe6\x9c\xac\")" },   /* 日本: letters */
	{ "caf\xc3\xa9", "(any \"caf\xc3\xa9\")" },
	{ "\xc2\xb2", "(any \"\xc2\xb2\")" },                                  /* ²: a digit */
	{ "Hello World", "(and (any \"Hello\") (any \"World\"))" },
	{ "  spaced\t out  ", "(and (any \"spaced\") (any \"out\"))" },
	{ "\"exact phrase\"", "(any phrase \"exact phrase\")" },
	{ "a \"b c\" d", "(and (any \"a\") (any phrase \"b c\") (any \"d\"))" },
	{ "from:alice", "(from \"alice\")" },
	{ "FROM:alice", "(from \"alice\")" },
	{ "from:alice@example.org", "(from \"alice@example.org\")" },
	{ "from:\"Ann Example\"", "(from phrase \"Ann Example\")" },
	{ "to:bob cc:carol", "(and (to \"bob\") (cc \"carol\"))" },
	{ "subject:\"weekly report\"", "(subject phrase \"weekly report\")" },
	{ "Subject:report", "(subject \"report\")" },
	{ "body:invoice", "(body \"invoice\")" },
	{ "in:INBOX", "(in \"INBOX\")" },
	{ "in:\"Lists/tern dev\"", "(in \"Lists/tern dev\")" },
	{ "in:sent", "(in \"sent\")" },
	{ "is:unread", "(is unread)" },
	{ "is:UNSEEN", "(is unread)" },
	{ "is:read", "(is read)" },
	{ "is:seen", "(is read)" },
	{ "is:flagged", "(is flagged)" },
	{ "is:starred", "(is flagged)" },
	{ "has:attachment", "(has attachment)" },
	{ "has:attachments", "(has attachment)" },
	{ "before:2024-03-01", "(before \"2024-03-01\")" },
	{ "after:2024/03/01", "(after \"2024/03/01\")" },
	{ "after:7d", "(after \"7d\")" },
	{ "after:2W", "(after \"2w\")" },
	{ "before:3m", "(before \"3m\")" },
	{ "before:1y", "(before \"1y\")" },
	{ "after:today", "(after \"today\")" },
	{ "after:yesterday", "(after \"yesterday\")" },
	{ "larger:500", "(larger 500)" },
	{ "larger:10k", "(larger 10240)" },
	{ "larger:10KB", "(larger 10240)" },
	{ "smaller:2M", "(smaller 2097152)" },
	{ "smaller:1g", "(smaller 1073741824)" },
	{ "-spam", "(not (any \"spam\"))" },
	{ "--a", "(not (not (any \"a\")))" },
	{ "-from:bob", "(not (from \"bob\"))" },
	{ "-\"a b\"", "(not (any phrase \"a b\"))" },
	{ "e-mail", "(any \"e-mail\")" },
	{ "a OR b", "(or (any \"a\") (any \"b\"))" },
	{ "a OR b OR c", "(or (any \"a\") (any \"b\") (any \"c\"))" },
	{ "a b OR c", "(or (and (any \"a\") (any \"b\")) (any \"c\"))" },
	{ "a (b OR c)", "(and (any \"a\") (or (any \"b\") (any \"c\")))" },
	{ "(a OR b) (c OR d)", "(and (or (any \"a\") (any \"b\")) (or (any \"c\") (any \"d\")))" },
	{ "-(a OR b)", "(not (or (any \"a\") (any \"b\")))" },
	{ "((a))", "(any \"a\")" },
	{ "(a b) c", "(and (any \"a\") (any \"b\") (any \"c\"))" },
	{ "(a OR b) OR c", "(or (any \"a\") (any \"b\") (any \"c\"))" },
	{ "a AND b", "(and (any \"a\") (any \"b\"))" },
	{ "black or white", "(and (any \"black\") (any \"or\") (any \"white\"))" },
	{ "meet*", "(any prefix \"meet\")" },
	{ "subject:rep*", "(subject prefix \"rep\")" },
	{ "café", "(any \"café\")" },
	{ "a\"b c\"", "(and (any \"a\") (any phrase \"b c\"))" },
	{ "in:inbox -from:bob is:unread", "(and (in \"inbox\") (not (from \"bob\")) (is unread))" },
	{ "from:a OR to:a -is:read", "(or (from \"a\") (and (to \"a\") (not (is read))))" },
	{ "back\\slash", "(any \"back\\\\slash\")" },
};

static void
t_good(void **state)
{
	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(good); k++) {
		search_query *q = parse_ok(good[k].in);
		char *s = search_query_to_string(q);
		if (strcmp(s, good[k].tree) != 0)
			print_error("query [%s]: got %s, wanted %s\n", good[k].in, s, good[k].tree);
		assert_string_equal(s, good[k].tree);
		free(s);
		search_query_free(q);
	}
}

static int64_t
value_of(const char *text)
{
	search_query *q = parse_ok(text);
	int64_t v = q->root->value;
	search_query_free(q);
	return v;
}

static void
t_values(void **state)
{
	(void)state;
	assert_int_equal(value_of("before:2024-03-01"), 1709251200);
	assert_int_equal(value_of("after:2024/01/15"), 1705276800);
	assert_int_equal(value_of("after:7d"), NOW - 7 * 86400);
	assert_int_equal(value_of("after:2w"), NOW - 14 * 86400);
	assert_int_equal(value_of("after:1m"), 1697321600);   /* 2023-10-14 22:13:20 */
	assert_int_equal(value_of("after:1y"), 1668464000);   /* 2022-11-14 22:13:20 */
	assert_int_equal(value_of("after:today"), 1699920000);
	assert_int_equal(value_of("after:yesterday"), 1699833600);
	assert_int_equal(value_of("before:2024-02-29"), 1709164800);   /* a leap day */
}

static const struct {
	const char *in;
	int pos;
	const char *msg;
} bad[] = {
	{ "", 0, "empty query" },
	{ "   ", 0, "empty query" },
	{ "\"unclosed", 0, "quote is never closed" },
	{ "a \"", 2, "quote is never closed" },
	{ "subject:\"x", 8, "quote is never closed" },
	{ "(a b", 0, "'(' is never closed" },
	{ "x (a (b)", 2, "'(' is never closed" },
	{ "a b)", 3, "')' has no matching '('" },
	{ ")", 0, "')' has no matching '('" },
	{ "()", 1, "empty parentheses" },
	{ "a ( )", 4, "empty parentheses" },
	{ "OR a", 0, "'OR' needs a search term on both sides" },
	{ "a OR", 2, "'OR' needs a search term on both sides" },
	{ "a OR OR b", 2, "'OR' needs a search term on both sides" },
	{ "(a OR) b", 3, "'OR' needs a search term on both sides" },
	{ "a AND", 2, "'AND' needs a search term on both sides" },
	{ "AND a", 0, "'AND' needs a search term on both sides" },
	{ "- a", 0, "'-' must be followed directly" },
	{ "a -", 2, "'-' must be followed directly" },
	{ "(a -)", 3, "'-' must be followed directly" },
	{ "foo:bar", 0, "unknown search key 'foo:'" },
	{ "a http://x", 2, "unknown search key 'http:'" },
	{ "from:", 0, "'from:' needs a value" },
	{ "from: bob", 0, "'from:' needs a value" },
	{ "subject:(a b)", 0, "'subject:' needs a value" },
	{ "in:\"\"", 3, "in: needs a mailbox" },
	{ "is:maybe", 3, "unknown state is:maybe" },
	{ "has:pdf", 4, "unknown has:pdf" },
	{ "before:2024-13-01", 7, "'2024-13-01' is not a date" },
	{ "after:2023-02-30", 6, "is not a date" },
	{ "after:2024-1-5", 6, "is not a date" },
	{ "after:soon", 6, "is not a date" },
	{ "after:7x", 6, "is not a date" },
	{ "after:d", 6, "is not a date" },
	{ "larger:10q", 7, "'10q' is not a size" },
	{ "smaller:k", 8, "is not a size" },
	{ "larger:-5", 7, "is not a size" },
	{ "larger:99999999999999999999", 7, "is not a size" },
	{ "\"\"", 0, "empty quotes" },
	{ "a \"\" b", 2, "empty quotes" },
	{ "!!!", 0, "'!!!' has no letters or digits" },
	{ "from:@", 0, "'@' has no letters or digits" },
	{ "*", 0, "no letters or digits" },
	/* punctuation outside ASCII is no word either (the index drops it) */
	{ "\xe2\x80\x94", 0, "no letters or digits" },          /* — */
	{ "a \xe2\x80\xa6", 2, "no letters or digits" },        /* … */
	{ "\xc2\xab\xc2\xbb", 0, "no letters or digits" },      /* «» */
	{ "subject:\xe2\x82\xac", 0, "no letters or digits" },  /* € */
	{ "\xe3\x80\x81", 0, "no letters or digits" },          /* 、 */
	{ "\xf0\x9f\x8e\x89", 0, "no letters or digits" },      /* 🎉 */
};

static void
t_bad(void **state)
{
	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(bad); k++) {
		search_query *q = NULL;
		struct search_error e = { 0 };
		int rc = search_parse(bad[k].in, NOW, &q, &e);
		if (rc != TERN_EINVAL || !e.message || e.pos != bad[k].pos || !strstr(e.message, bad[k].msg))
			print_error("query [%s]: rc %d pos %d message %s; wanted pos %d, \"%s\"\n", bad[k].in, rc,
			            e.pos, e.message ? e.message : "(none)", bad[k].pos, bad[k].msg);
		assert_int_equal(rc, TERN_EINVAL);
		assert_null(q);
		assert_int_equal(e.pos, bad[k].pos);
		assert_non_null(strstr(e.message, bad[k].msg));
		assert_true(e.len >= 1);
		search_error_free(&e);
	}
}

static void
t_limits(void **state)
{
	strbuf sb = STRBUF_INIT;
	search_query *q = NULL;
	struct search_error e = { 0 };
	(void)state;
	for (int k = 0; k < 40; k++)
		sb_addc(&sb, '(');
	sb_adds(&sb, "a");
	assert_int_equal(search_parse(sb.buf, NOW, &q, &e), TERN_EINVAL);
	assert_non_null(strstr(e.message, "nested too deeply"));
	search_error_free(&e);
	sb_reset(&sb);
	for (int k = 0; k < 300; k++)
		sb_adds(&sb, "w ");
	assert_int_equal(search_parse(sb.buf, NOW, &q, &e), TERN_EINVAL);
	assert_non_null(strstr(e.message, "too long"));
	search_error_free(&e);
	sb_free(&sb);
}

static void
t_error_format(void **state)
{
	const char *text = "café foo:bar";
	search_query *q = NULL;
	struct search_error e = { 0 };
	char *msg;
	(void)state;
	assert_int_equal(search_parse(text, NOW, &q, &e), TERN_EINVAL);
	msg = search_error_format(text, &e);
	/* Columns count characters, not bytes: "café " is five. */
	assert_string_equal(msg, "unknown search key 'foo:' (to search for the text itself, put it in quotes)"
	                         " (column 6)\n  café foo:bar\n       ^^^^");
	free(msg);
	search_error_free(&e);

	/* Control characters are shown inert, and the caret still lines up. */
	text = "a\x1b[31m is:x";
	assert_int_equal(search_parse(text, NOW, &q, &e), TERN_EINVAL);
	msg = search_error_format(text, &e);
	assert_null(strchr(msg, '\x1b'));
	assert_non_null(strstr(msg, "\n  a^[[31m is:x\n             ^"));
	free(msg);
	search_error_free(&e);
}

static void
t_canonical_is_stable(void **state)
{
	search_query *a = parse_ok("FROM:bob   (x OR y) after:7d"), *b;
	char *sa = search_query_to_string(a), *sb;
	struct search_error e = { 0 };
	(void)state;
	/* A second later, relative dates still name the same search. */
	assert_int_equal(search_parse("from:bob (x OR y) after:7D", NOW + 1, &b, &e), TERN_OK);
	sb = search_query_to_string(b);
	assert_string_equal(sa, sb);
	assert_true(search_query_has_text(a));
	free(sa);
	free(sb);
	search_query_free(a);
	search_query_free(b);
	a = parse_ok("is:unread in:inbox larger:1M");
	assert_false(search_query_has_text(a));
	search_query_free(a);
}

/* What production sends: the key tree from imap_search_key_new(), written
 * out by libetpan's own sender into memory, as mailimap_uid_search() and
 * mailimap_uid_search_literalplus() write it to the server. These two
 * senders are exported by libetpan but not declared in its headers. */
int mailimap_uid_search_send(mailstream *fd, const char *charset, struct mailimap_search_key *key);
int mailimap_uid_search_literalplus_send(mailstream *fd, const char *charset,
                                         struct mailimap_search_key *key);

static ssize_t
mem_write(mailstream_low *l, const void *buf, size_t n)
{
	sb_add(l->data, buf, n);
	return (ssize_t)n;
}

static ssize_t
mem_read(mailstream_low *l, void *buf, size_t n)
{
	(void)l, (void)buf, (void)n;
	return -1;
}

static int
mem_close(mailstream_low *l)
{
	(void)l;
	return 0;
}

static int
mem_fd(mailstream_low *l)
{
	(void)l;
	return -1;
}

static void
mem_free(mailstream_low *l)
{
	free(l);
}

static mailstream_low_driver mem_driver = {
	.mailstream_read = mem_read,
	.mailstream_write = mem_write,
	.mailstream_close = mem_close,
	.mailstream_get_fd = mem_fd,
	.mailstream_free = mem_free,
};

/* The command line (after the tag) a UID SEARCH for text sends in the
 * folder name/role. Caller frees. */
static char *
imap_wire(const char *text, const char *name, const char *role, int literal_plus)
{
	search_query *q = parse_ok(text);
	struct mailimap_search_key *key = imap_search_key_new(q, name, role);
	strbuf sb = STRBUF_INIT;
	mailstream *st;
	int r;

	assert_non_null(key);
	st = mailstream_new(mailstream_low_new(&sb, &mem_driver), 8192);
	assert_non_null(st);
	r = literal_plus ? mailimap_uid_search_literalplus_send(st, "UTF-8", key) :
	                   mailimap_uid_search_send(st, "UTF-8", key);
	assert_int_equal(r, MAILIMAP_NO_ERROR);
	assert_int_equal(mailstream_flush(st), 0);
	mailstream_close(st);
	mailimap_search_key_free(key);
	search_query_free(q);
	sb_addc(&sb, '\0');
	return sb_steal(&sb);
}

static const struct {
	const char *in;
	const char *name, *role;
	int literal_plus;
	const char *imap;
} imap[] = {
	{ "hello", "INBOX", "inbox", 1, "UID SEARCH TEXT hello" },
	{ "from:alice hello", "INBOX", "inbox", 1, "UID SEARCH FROM alice TEXT hello" },
	{ "to:a cc:b subject:\"x y\" body:z", "INBOX", NULL, 1,
	  "UID SEARCH TO a CC b SUBJECT \"x y\" BODY z" },
	{ "a OR b", "INBOX", NULL, 1, "UID SEARCH OR TEXT a TEXT b" },
	/* OR is binary in IMAP: a OR b OR c is OR a (OR b c). */
	{ "a OR b OR c", "INBOX", NULL, 1, "UID SEARCH OR TEXT a OR TEXT b TEXT c" },
	{ "(a b) OR c", "INBOX", NULL, 1, "UID SEARCH OR (TEXT a TEXT b) TEXT c" },
	{ "-is:unread larger:10k", "INBOX", NULL, 1, "UID SEARCH NOT UNSEEN LARGER 10240" },
	{ "is:read is:flagged smaller:2M", "INBOX", NULL, 1, "UID SEARCH SEEN FLAGGED SMALLER 2097152" },
	/* One SEARCH sees one folder: in: is ALL there, NOT ALL elsewhere. */
	{ "in:inbox foo", "INBOX", "inbox", 1, "UID SEARCH ALL TEXT foo" },
	{ "in:inbox foo", "Sent", "sent", 1, "UID SEARCH NOT ALL TEXT foo" },
	{ "in:Sent OR in:archive", "Archive", "archive", 1, "UID SEARCH OR NOT ALL ALL" },
	/* A folder name matches ignoring case in any script. */
	{ "in:été", "Été", NULL, 1, "UID SEARCH ALL" },
	{ "in:отчёты", "Été", NULL, 1, "UID SEARCH NOT ALL" },
	{ "before:2024-03-01 after:2024-01-15", "INBOX", NULL, 1,
	  "UID SEARCH BEFORE 1-Mar-2024 SINCE 15-Jan-2024" },
	/* IMAP matches substrings, so word* needs nothing more. */
	{ "meet*", "INBOX", NULL, 1, "UID SEARCH TEXT meet" },
	{ "back\\slash", "INBOX", NULL, 1, "UID SEARCH TEXT \"back\\\\slash\"" },
	{ "\"say \\\"", "INBOX", NULL, 1, "UID SEARCH TEXT \"say \\\\\"" },
	/* UTF-8 travels as a LITERAL+ literal, and only then is CHARSET said. */
	{ "café", "INBOX", NULL, 1, "UID SEARCH CHARSET UTF-8 TEXT {5+}\r\ncafé" },
	{ "from:zoë OR subject:日本", "INBOX", NULL, 1,
	  "UID SEARCH CHARSET UTF-8 OR FROM {4+}\r\nzoë SUBJECT {6+}\r\n日本" },
	/* Without LITERAL+ libetpan 1.9.4 quotes the 8-bit bytes (RFC 9051
	 * allows UTF-8 in quoted strings; Dovecot and Cyrus take them). */
	{ "élan", "INBOX", NULL, 0, "UID SEARCH CHARSET UTF-8 TEXT \"élan\"" },
	{ "has:attachment", "INBOX", NULL, 1,
	  "UID SEARCH OR KEYWORD $HasAttachment HEADER Content-Type \"multipart/mixed\"" },
	/* A control character or a byte that is not UTF-8 never reaches the
	 * wire (libetpan wrote past the end of such a word: fuzz_search). */
	{ "\"a\001b\" caf\xa6", "INBOX", NULL, 1, "UID SEARCH TEXT \"a b\" TEXT \"caf?\"" },
};

static void
t_imap(void **state)
{
	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(imap); k++) {
		char *s = imap_wire(imap[k].in, imap[k].name, imap[k].role, imap[k].literal_plus);
		if (strcmp(s, imap[k].imap) != 0)
			print_error("query [%s]: got [%s], wanted [%s]\n", imap[k].in, s, imap[k].imap);
		assert_string_equal(s, imap[k].imap);
		free(s);
	}
}

static const char *
resolve(const char *name, void *ctx)
{
	(void)ctx;
	return str_ieq(name, "inbox") ? "mb1" : str_ieq(name, "Lists/x") ? "mb7" : NULL;
}

static const struct {
	const char *in;
	const char *json;
} jmap[] = {
	{ "from:alice", "{\"from\":\"alice\"}" },
	{ "hello", "{\"text\":\"hello\"}" },
	{ "a -b", "{\"operator\":\"AND\",\"conditions\":[{\"text\":\"a\"},"
	          "{\"operator\":\"NOT\",\"conditions\":[{\"text\":\"b\"}]}]}" },
	{ "to:a OR cc:a", "{\"operator\":\"OR\",\"conditions\":[{\"to\":\"a\"},{\"cc\":\"a\"}]}" },
	{ "subject:\"x y\" body:z", "{\"operator\":\"AND\",\"conditions\":[{\"subject\":\"x y\"},{\"body\":\"z\"}]}" },
	{ "in:INBOX is:unread", "{\"operator\":\"AND\",\"conditions\":[{\"inMailbox\":\"mb1\"},"
	                        "{\"notKeyword\":\"$seen\"}]}" },
	{ "in:nosuch", "{\"operator\":\"NOT\",\"conditions\":[{}]}" },
	{ "is:read", "{\"hasKeyword\":\"$seen\"}" },
	{ "is:flagged", "{\"hasKeyword\":\"$flagged\"}" },
	{ "has:attachment", "{\"hasAttachment\":true}" },
	{ "larger:10k", "{\"minSize\":10241}" },
	{ "smaller:2M", "{\"maxSize\":2097152}" },
	{ "after:2024-01-15", "{\"after\":\"2024-01-15T00:00:00Z\"}" },
	{ "before:2024-03-01", "{\"before\":\"2024-03-01T00:00:00Z\"}" },
	{ "\"say \\\"", "{\"text\":\"say \\\\\"}" },
};

static void
t_jmap(void **state)
{
	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(jmap); k++) {
		search_query *q = parse_ok(jmap[k].in);
		char *s = search_query_to_jmap(q, resolve, NULL);
		if (strcmp(s, jmap[k].json) != 0)
			print_error("query [%s]: got %s, wanted %s\n", jmap[k].in, s, jmap[k].json);
		assert_string_equal(s, jmap[k].json);
		free(s);
		search_query_free(q);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_good),
		cmocka_unit_test(t_values),
		cmocka_unit_test(t_bad),
		cmocka_unit_test(t_limits),
		cmocka_unit_test(t_error_format),
		cmocka_unit_test(t_canonical_is_stable),
		cmocka_unit_test(t_imap),
		cmocka_unit_test(t_jmap),
	};
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
