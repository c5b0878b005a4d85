/* Reply, reply-all and forward: recipients, subjects, threading headers
 * and the quoted text, as tables. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "src/mime/listhdr.h"
#include "src/mime/ident.h"
#include "src/mime/reply.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"

static const struct reply_self me = { "me@example.org", "alt@example.org, Other@Example.net" };
static const struct render_opts ro = { NULL, NULL, 0, RENDER_HDR_NONE, 0 };

static mime_msg *
parent(const char *headers, const char *body)
{
	char *raw = xasprintf("%s\nMessage-ID: <p@x.org>\nDate: Tue, 24 Nov 2026 06:30:00 +0100\n"
	                      "Content-Type: text/plain; charset=utf-8\n\n%s", headers, body);
	mime_msg *m;
	assert_int_equal(mime_parse(raw, strlen(raw), &m), TERN_OK);
	free(raw);
	return m;
}

static void
t_recipients(void **state)
{
	static const struct {
		const char *headers;
		enum reply_kind kind;
		const char *to, *cc;
	} cases[] = {
		{ "From: Alice <alice@x.org>\nTo: me@example.org", REPLY_SENDER, "Alice <alice@x.org>", "" },
		{ "From: Alice <alice@x.org>\nReply-To: list@x.org\nTo: me@example.org", REPLY_SENDER,
		  "list@x.org", "" },
		{ "From: Alice <alice@x.org>\nTo: me@example.org, Bob <bob@x.org>\n"
		  "Cc: ME@EXAMPLE.ORG, alt@example.org, carol@x.org, BOB@x.org, other@example.NET",
		  REPLY_ALL, "Alice <alice@x.org>", "Bob <bob@x.org>, carol@x.org" },
		{ "From: Alice <alice@x.org>\nReply-To: List <list@x.org>\nTo: list@x.org, me@example.org\n"
		  "Cc: alice@x.org", REPLY_ALL, "List <list@x.org>", "alice@x.org" },
		/* one's own sent message: back to its recipients */
		{ "From: Me <me@example.org>\nTo: Bob <bob@x.org>, me@example.org\nCc: carol@x.org",
		  REPLY_ALL, "Bob <bob@x.org>", "carol@x.org" },
		{ "From: Me <me@example.org>\nTo: Bob <bob@x.org>", REPLY_SENDER, "Bob <bob@x.org>", "" },
		/* the sender also in Cc: not twice */
		{ "From: alice@x.org\nTo: me@example.org\nCc: Alice <ALICE@x.org>, dan@x.org", REPLY_ALL,
		  "alice@x.org", "dan@x.org" },
		/* written to oneself only: the reply still has a recipient */
		{ "From: me@example.org\nTo: me@example.org", REPLY_ALL, "me@example.org", "" },
		/* no From at all */
		{ "To: me@example.org", REPLY_SENDER, "", "" },
		/* Mail-Followup-To: reply-all goes there, without us, and no Cc */
		{ "From: Alice <alice@x.org>\nTo: dev@lists.x.org\nCc: me@example.org, bob@x.org\n"
		  "Mail-Followup-To: dev@lists.x.org, me@example.org", REPLY_ALL, "dev@lists.x.org", "" },
		/* ... but a plain reply still goes to the sender */
		{ "From: Alice <alice@x.org>\nTo: dev@lists.x.org\nMail-Followup-To: dev@lists.x.org",
		  REPLY_SENDER, "Alice <alice@x.org>", "" },
		/* ... and a Mail-Followup-To naming only us is ignored */
		{ "From: Alice <alice@x.org>\nTo: me@example.org\nCc: bob@x.org\nMail-Followup-To: me@example.org",
		  REPLY_ALL, "Alice <alice@x.org>", "bob@x.org" },
		/* Mail-Reply-To beats the Reply-To a list set */
		{ "From: Alice <alice@x.org>\nReply-To: dev@lists.x.org\nMail-Reply-To: Alice <alice+home@x.org>\n"
		  "To: dev@lists.x.org", REPLY_SENDER, "Alice <alice+home@x.org>", "" },
		/* names with RFC 2047 and commas survive */
		{ "From: =?UTF-8?Q?M=C3=BCller=2C_J=C3=BCrgen?= <jm@x.de>\nTo: me@example.org", REPLY_SENDER,
		  "\"Müller, Jürgen\" <jm@x.de>", "" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		mime_msg *m = parent(cases[i].headers, "x\n");
		struct reply r;
		assert_int_equal(reply_make(m, cases[i].kind, &me, &ro, &r), TERN_OK);
		assert_string_equal(r.to, cases[i].to);
		assert_string_equal(r.cc, cases[i].cc);
		assert_string_equal(r.in_reply_to, "<p@x.org>");
		reply_free(&r);
		mime_free(m);
	}
}

static void
t_subjects(void **state)
{
	static const struct { const char *in; int fwd; const char *out; } cases[] = {
		{ "Hello", 0, "Re: Hello" },
		{ "Re: Hello", 0, "Re: Hello" },
		{ "RE: Re: re:Hello", 0, "Re: Hello" },
		{ "Re[2]: Hello", 0, "Re: Hello" },
		{ "Re(3): Hello", 0, "Re: Hello" },
		{ "Aw: Hallo", 0, "Re: Hallo" },
		{ "SV: Hej", 0, "Re: Hej" },
		{ "Fwd: Hello", 0, "Re: Fwd: Hello" },
		{ "Reply to this", 0, "Re: Reply to this" },
		{ "Re[x]: odd", 0, "Re: Re[x]: odd" },
		{ "", 0, "Re: " },
		{ NULL, 0, "Re: " },
		{ "Hello", 1, "Fwd: Hello" },
		{ "Fwd: Hello", 1, "Fwd: Hello" },
		{ "FW: Fw: Hello", 1, "Fwd: Hello" },
		{ "WG: Hallo", 1, "Fwd: Hallo" },
		{ "Re: Hello", 1, "Fwd: Re: Hello" },
		{ "Re\xEF\xBC\x9A 你好", 0, "Re: 你好" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *s = reply_subject(cases[i].in, cases[i].fwd);
		assert_string_equal(s, cases[i].out);
		free(s);
	}
}

static void
t_references(void **state)
{
	static const struct { const char *refs, *irt, *mid, *out; } cases[] = {
		{ "<a@x> <b@x>", "<b@x>", "<c@x>", "<a@x> <b@x> <c@x>" },
		{ NULL, "<b@x>", "<c@x>", "<b@x> <c@x>" },
		{ NULL, "<b@x> <z@x>", "<c@x>", "<b@x> <c@x>" },
		{ NULL, NULL, "<c@x>", "<c@x>" },
		{ "<a@x>\r\n <b@x>", NULL, "<b@x>", "<a@x> <b@x>" },
		{ "a@x b@x", NULL, "c@x", "<a@x> <b@x> <c@x>" },      /* stored without brackets */
		{ "junk <> < ", NULL, NULL, "" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *s = reply_references(cases[i].refs, cases[i].irt, cases[i].mid);
		assert_string_equal(s, cases[i].out);
		free(s);
	}

	/* A long thread keeps its root and the latest ids. */
	strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 40; i++)
		sb_printf(&sb, "<id%d@x> ", i);
	char *s = reply_references(sb.buf, NULL, "<new@x>");
	assert_true(str_has_prefix(s, "<id0@x> <id22@x> "));   /* 20 ids in all */
	assert_non_null(strstr(s, "<id39@x> <new@x>"));
	assert_null(strstr(s, "<id21@x>"));
	free(s);
	sb_free(&sb);
}

static void
t_bodies(void **state)
{
	mime_msg *m = parent("From: Alice <alice@x.org>\nTo: me@example.org, bob@x.org\n"
	                     "Subject: Plans \x1b[31mred", "line one\n\n> earlier\nlast\n\n");
	struct reply r;
	(void)state;

	assert_int_equal(reply_make(m, REPLY_SENDER, &me, &ro, &r), TERN_OK);
	assert_string_equal(r.subject, "Re: Plans ^[[31mred");
	assert_string_equal(r.references, "<p@x.org>");
	assert_string_equal(r.body, "On Tue, 24 Nov 2026 06:30:00 +0100, Alice wrote:\n"
	                            "> line one\n"
	                            ">\n"
	                            ">> earlier\n"
	                            "> last\n");
	reply_free(&r);

	assert_int_equal(reply_make(m, REPLY_FORWARD, &me, &ro, &r), TERN_OK);
	assert_string_equal(r.subject, "Fwd: Plans ^[[31mred");
	assert_string_equal(r.to, "");
	assert_string_equal(r.in_reply_to, "");
	assert_string_equal(r.body, "---------- Forwarded message ----------\n"
	                            "From: Alice <alice@x.org>\n"
	                            "Date: Tue, 24 Nov 2026 06:30:00 +0100\n"
	                            "Subject: Plans ^[[31mred\n"
	                            "To: me@example.org, bob@x.org\n"
	                            "\n"
	                            "line one\n\n> earlier\nlast\n");
	reply_free(&r);
	mime_free(m);
}

/* List reply (mutt's list-reply): List-Post, else Mail-Followup-To. */
static void
t_list_reply(void **state)
{
	static const struct {
		const char *headers;
		int rc;
		const char *to;
	} cases[] = {
		{ "From: Alice <alice@x.org>\nTo: dev@lists.x.org\nCc: me@example.org\n"
		  "List-Post: <mailto:dev@lists.x.org>", TERN_OK, "dev@lists.x.org" },
		/* a comment, a folded line, a query, and an http URL first */
		{ "From: alice@x.org\nTo: me@example.org\nList-Post: (the list) <https://x.org/post>,\n"
		  " <mailto:dev%2Bpost@lists.x.org?subject=hi>", TERN_OK, "dev+post@lists.x.org" },
		{ "From: alice@x.org\nTo: me@example.org\nMail-Followup-To: Dev <dev@lists.x.org>",
		  TERN_OK, "Dev <dev@lists.x.org>" },
		/* List-Post wins over Mail-Followup-To */
		{ "From: alice@x.org\nMail-Followup-To: other@x.org\nList-Post: <mailto:dev@lists.x.org>",
		  TERN_OK, "dev@lists.x.org" },
		{ "From: alice@x.org\nTo: news@lists.x.org\nList-Post: NO (posting not allowed)",
		  TERN_EREFUSED, NULL },
		{ "From: alice@x.org\nTo: me@example.org\nReply-To: list@x.org", TERN_ENOTFOUND, NULL },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		mime_msg *m = parent(cases[i].headers, "x\n");
		struct reply r;
		assert_int_equal(reply_make(m, REPLY_LIST, &me, &ro, &r), cases[i].rc);
		if (cases[i].rc == TERN_OK) {
			assert_string_equal(r.to, cases[i].to);
			assert_string_equal(r.cc, "");
			assert_string_equal(r.in_reply_to, "<p@x.org>");
			assert_non_null(strstr(r.body, "> x"));
			reply_free(&r);
		}
		mime_free(m);
	}
}

/* The identity of a reply: the first of the user's addresses found in To,
 * then Cc, then the delivery headers; none: -1 (the account's own). */
static void
t_ident_pick(void **state)
{
	static const char *const mine[] = { "me@example.org", "lists@example.org", "jo@work.example", "alt@example.org" };
	static const struct {
		const char *headers;
		int want;
	} cases[] = {
		{ "From: a@x.org\nTo: Lists <LISTS@example.org>", 1 },
		{ "From: a@x.org\nTo: dev@lists.x.org\nCc: jo@work.example, me@example.org", 2 },
		{ "From: a@x.org\nTo: me@example.org\nCc: jo@work.example", 0 },
		/* Bcc'd, or through a list: only the delivery headers know. */
		{ "From: a@x.org\nTo: dev@lists.x.org\nDelivered-To: jo@work.example\nX-Original-To: lists@example.org", 2 },
		{ "From: a@x.org\nTo: dev@lists.x.org\nX-Original-To: lists@example.org", 1 },
		{ "From: a@x.org\nTo: alt@example.org", 3 },
		{ "From: jo@work.example\nTo: someone@x.org", -1 },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		mime_msg *m = parent(cases[i].headers, "hi\n");
		int got = ident_pick(m, mine, ARRAY_LEN(mine));
		if (got != cases[i].want)
			fail_msg("case %zu: got %d, want %d", i, got, cases[i].want);
		mime_free(m);
	}
}

static void
t_unsubscribe(void **state)
{
	struct list_unsub u;
	struct mailto mt;
	mime_msg *m;
	(void)state;

	m = parent("From: News <news@x.org>\nList-Id: X News <news.x.org>\n"
	           "List-Unsubscribe: <mailto:leave@x.org?subject=unsubscribe%20me&body=bye%0D%0Anow>,\n"
	           "  <https://x.org/u?id=1&t=2>\nList-Unsubscribe-Post: List-Unsubscribe=One-Click", "x\n");
	assert_int_equal(listhdr_unsubscribe(m, &u), TERN_OK);
	assert_string_equal(u.mailto, "mailto:leave@x.org?subject=unsubscribe%20me&body=bye%0D%0Anow");
	assert_string_equal(u.https, "https://x.org/u?id=1&t=2");
	assert_int_equal(u.one_click, 1);
	assert_null(u.other);
	assert_string_equal(u.list, "X News <news.x.org>");
	assert_int_equal(listhdr_mailto_parse(u.mailto, &mt), TERN_OK);
	assert_string_equal(mt.to, "leave@x.org");
	assert_string_equal(mt.subject, "unsubscribe me");
	assert_string_equal(mt.body, "bye\nnow");
	listhdr_mailto_free(&mt);
	listhdr_unsub_free(&u);
	mime_free(m);

	/* http: only, no one-click: shown, never fetched */
	m = parent("From: news@x.org\nList-Unsubscribe: <http://x.org/u>\n"
	           "List-Unsubscribe-Post: List-Unsubscribe=Maybe", "x\n");
	assert_int_equal(listhdr_unsubscribe(m, &u), TERN_OK);
	assert_null(u.mailto);
	assert_null(u.https);
	assert_int_equal(u.one_click, 0);
	assert_string_equal(u.other, "http://x.org/u");
	assert_string_equal(u.list, "news@x.org");
	listhdr_unsub_free(&u);
	mime_free(m);

	m = parent("From: a@x.org", "x\n");
	assert_int_equal(listhdr_unsubscribe(m, &u), TERN_ENOTFOUND);
	mime_free(m);

	/* control characters never come out; no address is no mailto */
	assert_int_equal(listhdr_mailto_parse("mailto:a@x.org?subject=%1B[2Jhi", &mt), TERN_OK);
	assert_null(strchr(mt.subject, 0x1b));
	listhdr_mailto_free(&mt);
	assert_int_equal(listhdr_mailto_parse("mailto:?subject=x", &mt), TERN_EINVAL);
	assert_int_equal(listhdr_mailto_parse("https://x.org", &mt), TERN_EINVAL);
}

/* A signature goes after "-- "; a swap replaces it without piling up blank
 * lines; an empty one removes it; a reply does not quote the original's. */
static void
t_signatures(void **state)
{
	char *b, *c;
	mime_msg *m;
	struct reply r;
	(void)state;

	b = ident_sig_append("", "Jo\nexample.org");
	assert_string_equal(b, "\n-- \nJo\nexample.org\n");
	c = ident_sig_replace(b, "Work sig");
	assert_string_equal(c, "\n-- \nWork sig\n");
	free(b);
	b = ident_sig_replace(c, "");
	assert_string_equal(b, "");
	free(b);
	free(c);
	b = ident_sig_append("> quoted\n", "S");
	assert_string_equal(b, "> quoted\n\n-- \nS\n");
	c = ident_sig_replace(b, "T");
	assert_string_equal(c, "> quoted\n\n-- \nT\n");
	free(b);
	free(c);
	b = ident_sig_replace("text, no signature", "S");
	assert_string_equal(b, "text, no signature\n\n-- \nS\n");
	free(b);
	assert_int_equal(ident_sig_start("a\n--\nb"), strlen("a\n--\nb"));
	assert_int_equal(ident_sig_start("a\n-- \nb\n-- \nc"), 8);

	m = parent("From: Alice <alice@x.org>\nTo: me@example.org", "Hello\n\n-- \nAlice\nCEO of things\n");
	assert_int_equal(reply_make(m, REPLY_SENDER, &me, &ro, &r), TERN_OK);
	assert_null(strstr(r.body, "CEO"));
	assert_null(strstr(r.body, "> -- "));
	assert_non_null(strstr(r.body, "> Hello\n"));
	assert_string_equal(strstr(r.body, "> Hello"), "> Hello\n");
	reply_free(&r);
	mime_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_recipients),
		cmocka_unit_test(t_subjects),
		cmocka_unit_test(t_references),
		cmocka_unit_test(t_bodies),
		cmocka_unit_test(t_list_reply),
		cmocka_unit_test(t_unsubscribe),
		cmocka_unit_test(t_ident_pick),
		cmocka_unit_test(t_signatures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
