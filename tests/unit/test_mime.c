/* Parsing real-world-shaped mail: header decoding in many charsets, part
 * ids, file names, and broken input that must degrade, never crash. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "src/mime/mime.h"
#include "src/mime/mime_render.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"

static mime_msg *
load(const char *name)
{
	const char *dir = getenv("TERN_SRCDIR");
	char *path = xasprintf("%s/tests/data/mime/%s", dir ? dir : ".", name), *raw;
	size_t len;
	mime_msg *m = NULL;
	assert_int_equal(file_read_all(path, &raw, &len), TERN_OK);
	assert_int_equal(mime_parse(raw, len, &m), TERN_OK);
	free(raw);
	free(path);
	return m;
}

static void
assert_header(const mime_msg *m, const char *name, const char *want)
{
	char *v = mime_header(m, name);
	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

static char *
body_of(const mime_msg *m)
{
	struct render_opts o = { NULL, NULL, 0, RENDER_HDR_NONE, 0 };
	return mime_render_body(m, &o);
}

static void
t_rfc2047_charsets(void **state)
{
	static const struct { const char *file, *subject, *from_name, *body; } cases[] = {
		/* one character split across two encoded words */
		{ "rfc2047-utf8.eml", "Grüße aus Köln — 日本", "Jürgen Müller",
		  "Grüße, das ist ein längerer Satz, der weich umbrochen wird.\n" },
		{ "latin1.eml", "Café crème", "André", "café crème brûlée\n" },
		{ "cp1252.eml", "“Smart” quotes € 5", NULL, "“Quoted” – price € 10\n" },
		{ "iso2022jp.eml", "日本語のテスト", "山田太郎", "こんにちは、世界。\n" },
		{ "sjis.eml", "お知らせ", NULL, "明日の会議は十時からです。\n" },
		{ "korean-chinese.eml", "안녕하세요你好", NULL, "中文内容\n" },
		{ "unknown-charset.eml", "naïve", NULL, "naïve café\n" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		mime_msg *m = load(cases[i].file);
		struct mail_addr_list from;
		char *body = body_of(m);
		assert_header(m, "Subject", cases[i].subject);
		mime_header_addrs(m, "From", &from);
		assert_int_equal(from.n, 1);
		if (cases[i].from_name)
			assert_string_equal(from.v[0].name, cases[i].from_name);
		assert_string_equal(body, cases[i].body);
		mail_addr_free(&from);
		free(body);
		mime_free(m);
	}
}

static void
t_addresses(void **state)
{
	static const struct { const char *in; size_t n; const char *name0, *addr0, *fmt; } cases[] = {
		{ "\"Doe, Jane\" <jane@example.org>, bob@example.org", 2, "Doe, Jane", "jane@example.org",
		  "\"Doe, Jane\" <jane@example.org>, bob@example.org" },
		{ "=?UTF-8?Q?Ren=C3=A9e?= <r@x.org>", 1, "Renée", "r@x.org", "Renée <r@x.org>" },
		{ "\"=?utf-8?B?w6k=?=\" <e@x.org>", 1, "é", "e@x.org", "é <e@x.org>" },
		{ "undisclosed-recipients:;", 0, NULL, NULL, "" },
		{ "team: a@x.org, \"B\" <b@x.org>;, c@x.org", 3, NULL, "a@x.org", "a@x.org, B <b@x.org>, c@x.org" },
		{ "a@x.org (Alice Comment)", 1, "Alice Comment", "a@x.org", "Alice Comment <a@x.org>" },
		{ "Jürgen Müller <jm@example.de>", 1, "Jürgen Müller", "jm@example.de", "Jürgen Müller <jm@example.de>" },
		{ "Broken Sender broken@x.org", 1, "Broken Sender", "broken@x.org", "Broken Sender <broken@x.org>" },
		{ "<@route.example:a@x.org>", 1, NULL, "a@x.org", "a@x.org" },
		{ "", 0, NULL, NULL, "" },
		{ ",,, ,", 0, NULL, NULL, "" },
		{ "\"unterminated <a@x.org>", 1, "unterminated <a@x.org>", "unterminated <a@x.org>", NULL },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct mail_addr_list l;
		mail_addr_parse(cases[i].in, &l);
		assert_int_equal(l.n, cases[i].n);
		if (cases[i].n && cases[i].name0 && cases[i].fmt)
			assert_string_equal(l.v[0].name, cases[i].name0);
		if (cases[i].n && cases[i].fmt)
			assert_string_equal(l.v[0].addr, cases[i].addr0);
		if (cases[i].fmt) {
			char *f = mail_addr_format(&l);
			assert_string_equal(f, cases[i].fmt);
			free(f);
		}
		mail_addr_free(&l);
	}
}

static void
t_charset_aliases(void **state)
{
	static const struct { const char *cs, *in, *out; } cases[] = {
		{ "utf8", "caf\xc3\xa9", "café" },
		{ "latin1", "caf\xe9", "café" },
		{ "ISO-8859-1", "\x93q\x94", "“q”" },          /* latin1 means windows-1252 */
		{ "us-ascii", "caf\xc3\xa9", "café" },         /* mislabelled UTF-8 */
		{ "us-ascii", "caf\xe9", "café" },
		{ NULL, "\xe9t\xe9", "été" },
		{ "x-no-such-charset", "caf\xe9", "café" },
		{ "\"><script", "caf\xe9", "café" },
		{ "utf-8", "bad \xff\xfe end", "bad \xEF\xBF\xBD\xEF\xBF\xBD end" },
		{ "windows-1251", "\xcf\xf0\xe8\xe2\xe5\xf2", "Привет" },
		{ "koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет" },
		{ "gb2312", "\xc4\xe3\xba\xc3", "你好" },
		{ "GBK", "\xc4\xe3\xba\xc3", "你好" },
		{ "ks_c_5601-1987", "\xbe\xc8\xb3\xe7", "안녕" },
		{ "shift_jis", "\x82\xa0", "あ" },
		{ "iso-2022-jp", "\x1b$B$\"\x1b(B", "あ" },
		{ "utf-8", "trunc \xe6\x97", "trunc \xEF\xBF\xBD\xEF\xBF\xBD" },
		{ "shift_jis", "cut \x82", "cut \xEF\xBF\xBD" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *o = mime_to_utf8(cases[i].cs, cases[i].in, strlen(cases[i].in));
		assert_string_equal(o, cases[i].out);
		free(o);
	}
}

static void
t_header_words(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "=?UTF-8?B?w6lsw6h2ZQ==?= et =?ISO-8859-1?Q?Andr=E9?=", "élève et André" },
		{ "=?utf-8?q?a?= =?utf-8?q?b?=", "ab" },           /* blanks between words vanish */
		{ "=?utf-8?q?a_b?=\r\n =?utf-8?q?c?=", "a bc" },
		{ "x =?utf-8?q?broken", "x =?utf-8?q?broken" },
		{ "=?bogus?Q?caf=E9?=", "café" },
		{ "=?utf-8*en?Q?lang?=", "lang" },                 /* RFC 2231 language */
		{ "=?utf-8?x?nope?=", "=?utf-8?x?nope?=" },
		{ "plain \xc3\xa9 8bit", "plain é 8bit" },
		{ "=?UTF-8?B?", "=?UTF-8?B?" },
		{ "", "" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *o = mime_decode_header(cases[i].in);
		assert_string_equal(o, cases[i].out);
		free(o);
	}
}

static void
t_parts_and_attachments(void **state)
{
	mime_msg *m = load("rfc2231.eml");
	struct mime_attachment *a;
	size_t n;
	char *data;
	size_t len;
	(void)state;

	mime_attachments(m, &a, &n);
	assert_int_equal(n, 3);
	assert_string_equal(a[0].part_id, "2");
	assert_string_equal(a[0].filename, "€ rates.pdf");
	assert_string_equal(a[0].media_type, "application/pdf");
	assert_int_equal(a[0].size, 4);
	assert_false(a[0].is_inline);
	assert_string_equal(a[1].part_id, "3");
	assert_string_equal(a[1].filename, "résumé très long.txt");   /* continuations */
	assert_string_equal(a[2].filename, "über.png");                /* RFC 2047 in name= */
	assert_string_equal(a[2].media_type, "image/png");
	assert_int_equal(mime_attachment_data(m, "2", &data, &len), TERN_OK);
	assert_int_equal(len, 4);
	assert_memory_equal(data, "\x00\x01\x02\x03", 4);
	free(data);
	assert_int_equal(mime_attachment_data(m, "9.9", &data, &len), TERN_ENOTFOUND);
	mime_attachments_free(a, n);
	mime_free(m);

	/* IMAP section numbers through a forwarded message. */
	m = load("forward.eml");
	mime_attachments(m, &a, &n);
	assert_int_equal(n, 2);
	assert_string_equal(a[0].part_id, "2");
	assert_string_equal(a[0].media_type, "message/rfc822");
	assert_string_equal(a[1].part_id, "2.2");
	assert_string_equal(a[1].filename, "q.pdf");
	assert_int_equal(mime_attachment_data(m, "2.2", &data, &len), TERN_OK);
	assert_int_equal(len, 12);
	assert_memory_equal(data, "%PDF-1.4\n%\xc7\xec", 12);
	free(data);
	mime_attachments_free(a, n);
	const mime_part *fwd = mime_part_child(mime_root(m), 1);
	assert_non_null(mime_part_message(fwd));
	assert_header(mime_part_message(fwd), "Subject", "Quarterly réport");
	assert_string_equal(mime_part_id(mime_part_child(mime_part_child(fwd, 0), 0)), "2.1");
	mime_free(m);

	m = load("alternative.eml");
	assert_string_equal(mime_part_type(mime_root(m)), "multipart/alternative");
	assert_string_equal(mime_part_id(mime_part_child(mime_root(m), 1)), "2");
	assert_string_equal(mime_part_param(mime_part_child(mime_root(m), 1), "charset"), "utf-8");
	mime_free(m);

	m = load("latin1.eml");
	assert_string_equal(mime_part_id(mime_root(m)), "1");      /* a single part is "1" */
	assert_int_equal(mime_date(m), 1772445600);
	mime_free(m);
}

/* One Date parser for the Date header and the IMAP ENVELOPE date. */
static void
t_date(void **state)
{
	(void)state;
	assert_int_equal(mime_date_parse("Wed, 1 May 2024 12:00:00 +0000"), 1714564800);
	assert_int_equal(mime_date_parse("Wed, 1 May 2024 17:30:00 +0530"), 1714564800);
	assert_int_equal(mime_date_parse("Wed, 1 May 2024 06:30:00 -0530"), 1714564800);
	assert_int_equal(mime_date_parse("1 May 2024 12:00 GMT"), 1714564800);
	/* Two-digit years (RFC 5322 4.3): 24 is 2024, 99 is 1999. */
	assert_int_equal(mime_date_parse("Wed, 1 May 24 12:00:00 +0000"), 1714564800);
	assert_int_equal(mime_date_parse("Fri, 31 Dec 99 23:59:59 +0000"), 946684799);
	assert_int_equal(mime_date_parse("Mon, 1 Jan 1900 00:00:00 +0000"), 0);
	assert_int_equal(mime_date_parse("yesterday"), 0);
	assert_int_equal(mime_date_parse(NULL), 0);
}

static void
t_broken(void **state)
{
	mime_msg *m;
	char *body;
	(void)state;

	/* multipart without a boundary: its text is shown, not lost */
	m = load("no-boundary.eml");
	body = body_of(m);
	assert_non_null(strstr(body, "text inside a broken multipart"));
	free(body);
	mime_free(m);

	/* truncated base64, garbage in base64, no closing boundary */
	m = load("truncated.eml");
	body = body_of(m);
	assert_non_null(strstr(body, "Truncated body th"));
	free(body);
	mime_free(m);

	/* no header/body separator, no headers at all, binary junk */
	static const char *junk[] = { "Subject: only a header", "just some text\nmore",
	                              "\r\n\r\n", "Content-Type: multipart/mixed; boundary=\"\"\n\n--\n--\n",
	                              "Content-Type: text/plain; charset=\"\n\n\xff\xfe\x00x",
	                              "Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\n" };
	for (size_t i = 0; i < ARRAY_LEN(junk); i++) {
		assert_int_equal(mime_parse(junk[i], strlen(junk[i]) + (i == 4 ? 3 : 0), &m), TERN_OK);
		body = body_of(m);
		free(body);
		mime_free(m);
	}
	assert_int_equal(mime_parse("", 0, &m), TERN_EINVAL);
	assert_null(m);
}

static void
t_huge_line(void **state)
{
	size_t n = 1024 * 1024;
	strbuf sb = STRBUF_INIT;
	mime_msg *m;
	char *body;
	(void)state;

	sb_adds(&sb, "Subject: ");
	for (size_t i = 0; i < 100000; i++)
		sb_adds(&sb, "=?utf-8?q?x?= ");
	sb_adds(&sb, "\nContent-Type: text/plain; charset=utf-8\n\n");
	for (size_t i = 0; i < n; i++)
		sb_addc(&sb, (char)('a' + i % 26));
	sb_addc(&sb, '\n');
	assert_int_equal(mime_parse(sb.buf, sb.len, &m), TERN_OK);
	body = body_of(m);
	assert_int_equal(strlen(body), n + 1);
	free(body);
	body = mime_header(m, "Subject");
	assert_int_equal(strlen(body), 100000);     /* adjacent words joined, blanks dropped */
	free(body);
	mime_free(m);
	sb_free(&sb);
}

static char *
nested(int depth)
{
	strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "Subject: deep\nMIME-Version: 1.0\n");
	for (int i = 0; i < depth; i++)
		sb_printf(&sb, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i);
	sb_adds(&sb, "Content-Type: text/plain\n\nthe innermost text\n");
	for (int i = depth - 1; i >= 0; i--)
		sb_printf(&sb, "--b%d--\n", i);
	return sb_steal(&sb);
}

static int
max_depth_cb(const mime_part *p, int depth, void *ctx)
{
	(void)p;
	if (depth > *(int *)ctx)
		*(int *)ctx = depth;
	return 0;
}

static void
t_deep_nesting(void **state)
{
	static const int depths[] = { 100, 5000 };
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(depths); i++) {
		char *raw = nested(depths[i]), *body;
		mime_msg *m;
		int max = 0;
		assert_int_equal(mime_parse(raw, strlen(raw), &m), TERN_OK);
		mime_walk(m, max_depth_cb, &max);
		assert_true(max <= MIME_MAX_DEPTH);
		body = body_of(m);
		/* The capped structure shows its raw text, which holds the words. */
		assert_non_null(strstr(body, "the innermost text"));
		free(body);
		mime_free(m);
		free(raw);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_rfc2047_charsets),
		cmocka_unit_test(t_addresses),
		cmocka_unit_test(t_charset_aliases),
		cmocka_unit_test(t_header_words),
		cmocka_unit_test(t_parts_and_attachments),
		cmocka_unit_test(t_date),
		cmocka_unit_test(t_broken),
		cmocka_unit_test(t_huge_line),
		cmocka_unit_test(t_deep_nesting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
