/* Messages we build are read back by a parser that is not ours (Python's
 * email package, policy=default): headers must decode to what the user
 * wrote and attachments must be byte-identical. Our own parser must agree. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/base/err.h"
#include "src/mime/mime.h"
#include "src/mime/mime_build.h"
#include "src/mime/mime_render.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"

static char dir[] = "/tmp/tern-test-build.XXXXXX";

static char *
tmp_file(const char *name, const char *data, size_t len)
{
	char *p = xasprintf("%s/%s", dir, name);
	assert_int_equal(file_write_all(p, data, len, 0600), TERN_OK);
	return p;
}

/* Python's view of the message, plus the SHA-256 of each original file. */
static char *
python_view(const char *raw, size_t len, char **files, size_t nfiles)
{
	const char *src = getenv("TERN_SRCDIR");
	char *msg = tmp_file("msg.eml", raw, len);
	strbuf cmd = STRBUF_INIT, out = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f;

	sb_printf(&cmd, "/usr/bin/python3 '%s/tests/unit/mime_check.py' '%s'", src ? src : ".", msg);
	for (size_t i = 0; i < nfiles; i++)
		sb_printf(&cmd, " '%s'", files[i]);
	f = popen(cmd.buf, "r");
	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_add(&out, buf, n);
	assert_int_equal(pclose(f), 0);
	sb_free(&cmd);
	free(msg);
	return sb_steal(&out);
}

static void
assert_line(const char *view, const char *line)
{
	char *want = xasprintf("%s\n", line);
	if (!strstr(view, want))
		fail_msg("python did not see \"%s\" in:\n%s", line, view);
	free(want);
}

static char *
sha_line(const char *view, size_t i)
{
	const char *p = view;
	for (size_t k = 0; k <= i; k++) {
		p = strstr(p, "file: ");
		assert_non_null(p);
		p += 6;
	}
	return xstrndup(p, 64);
}

static void
t_full_message(void **state)
{
	char bin[256 + 5], *files[4], *raw, *err, *view;
	const char *text_att = "line one\r\nline two\nno final newline \t";
	size_t len;
	(void)state;

	for (int i = 0; i < 256; i++)
		bin[i] = (char)i;
	memcpy(bin + 256, "\r\n\n\r.", 5);
	files[0] = tmp_file("bin.dat", bin, sizeof bin);
	files[1] = tmp_file("text.txt", text_att, strlen(text_att));
	files[2] = tmp_file("mem.bin", "\x00\xff\x00", 3);
	const char *dirs = getenv("TERN_SRCDIR");
	files[3] = xasprintf("%s/tests/data/mime/forward.eml", dirs ? dirs : ".");

	struct mime_attach att[] = {
		{ files[0], NULL, 0, "Résumé €uro très très très très long file name 2026 — final.pdf", NULL },
		{ files[1], NULL, 0, NULL, NULL },
		{ NULL, "\x00\xff\x00", 3, "mem.bin", NULL },
		{ files[3], NULL, 0, NULL, "message/rfc822" },
	};
	struct mime_draft d = {
		"Jürgen Müller <jm@example.de>",
		"\"Doe, Jane\" <jane@example.org>, 山田太郎 <taro@example.jp>",
		"x@example.com", "Secret Böb <bob@example.net>",
		"Grüße — a very long subject line that needs folding because it goes on and on 日本語",
		"Hällo,\nthis line has a trailing blank \nFrom here on\n= equals\n"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		"<parent@example.org>", "<root@example.org> <parent@example.org>",
		"<fixed-id@example.de>", 1795000000, NULL, 0, att, ARRAY_LEN(att),
	};
	assert_int_equal(mime_build(&d, &raw, &len, &err), TERN_OK);
	view = python_view(raw, len, files, 3);
	assert_line(view, "from: Jürgen Müller <jm@example.de>");
	assert_line(view, "addr-to: Doe, Jane|jane@example.org");
	assert_line(view, "addr-to: 山田太郎|taro@example.jp");
	assert_line(view, "addr-cc: |x@example.com");
	assert_line(view, "bcc: Secret Böb <bob@example.net>");
	assert_line(view, "subject: Grüße — a very long subject line that needs folding because it goes on and on 日本語");
	assert_line(view, "message-id: <fixed-id@example.de>");
	assert_line(view, "in-reply-to: <parent@example.org>");
	assert_line(view, "references: <root@example.org> <parent@example.org>");
	assert_line(view, "body-cte: quoted-printable");
	assert_line(view, "body: Hällo,\\nthis line has a trailing blank \\nFrom here on\\n= equals\\n"
	                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\n");
	assert_line(view, "attachment: forward.eml|message/rfc822|subject=Fwd: report");
	assert_line(view, "defects: 0");
	assert_line(view, "crlf: yes");
	assert_line(view, "long-lines: 0");
	assert_line(view, "header-over-78: 0");
	assert_line(view, "encoded-words-over-75: 0");
	/* Byte-identical attachments: the decoded parts hash like the files. */
	for (size_t i = 0; i < 3; i++) {
		static const char *const names[] = {
			"Résumé €uro très très très très long file name 2026 — final.pdf|application/pdf",
			"text.txt|text/plain", "mem.bin|application/octet-stream" };
		char *sha = sha_line(view, i), *line = xasprintf("attachment: %s|%s", names[i], sha);
		assert_line(view, line);
		free(line);
		free(sha);
	}
	free(view);

	/* Our own parser reads the same. */
	mime_msg *m;
	struct mime_attachment *a;
	size_t n;
	char *s, *data;
	assert_int_equal(mime_parse(raw, len, &m), TERN_OK);
	s = mime_header(m, "Subject");
	assert_string_equal(s, d.subject);
	free(s);
	mime_attachments(m, &a, &n);
	assert_int_equal(n, 4 + 2);     /* and, inside the forward, its message and PDF */
	assert_string_equal(a[0].filename, att[0].filename);
	assert_int_equal(mime_attachment_data(m, a[0].part_id, &data, &len), TERN_OK);
	assert_int_equal(len, sizeof bin);
	assert_memory_equal(data, bin, sizeof bin);
	free(data);
	mime_attachments_free(a, n);
	mime_free(m);
	free(raw);
	for (size_t i = 0; i < 4; i++) {
		if (i < 3)                /* files[3] is a fixture */
			unlink(files[i]);
		free(files[i]);
	}
}

static void
t_plain_ascii(void **state)
{
	struct mime_draft d = { "me@example.org", "you@example.org", NULL, NULL, "Hello",
	                        "Short ASCII body.\n", NULL, NULL, NULL, 0, "tern-test", 0, NULL, 0 };
	char *raw, *err, *view;
	size_t len;
	(void)state;
	assert_int_equal(mime_build(&d, &raw, &len, &err), TERN_OK);
	assert_non_null(strstr(raw, "\r\nContent-Transfer-Encoding: 7bit\r\n"));
	assert_null(strstr(raw, "multipart"));
	assert_non_null(strstr(raw, "\r\nUser-Agent: tern-test\r\n"));
	assert_non_null(strstr(raw, "\r\nMessage-ID: <"));
	view = python_view(raw, len, NULL, 0);
	assert_line(view, "body: Short ASCII body.\\n");
	assert_line(view, "defects: 0");
	free(view);
	free(raw);
}

/* Unstructured headers read back as typed: runs of blanks kept, a word too
 * long for any line (a pasted URL) still within 78 columns. */
static void
t_subject_as_typed(void **state)
{
	static const char *const subjects[] = {
		"a  b   c",
		"see https://example.org/a/very/long/path/that/goes/on/and/on/and/on/and/on/index.html?x=1 ok",
		"word word word word word word word word word word word word word word word  two  blanks",
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(subjects); i++) {
		struct mime_draft d = { "me@example.org", "you@example.org", NULL, NULL, subjects[i],
		                        "x\n", NULL, NULL, NULL, 0, NULL, 0, NULL, 0 };
		char *raw, *err, *view, *want;
		size_t len;
		mime_msg *m;
		assert_int_equal(mime_build(&d, &raw, &len, &err), TERN_OK);
		view = python_view(raw, len, NULL, 0);
		want = xasprintf("subject: %s", subjects[i]);
		assert_line(view, want);
		assert_line(view, "header-over-78: 0");
		assert_line(view, "encoded-words-over-75: 0");
		assert_line(view, "defects: 0");
		assert_int_equal(mime_parse(raw, len, &m), TERN_OK);
		free(want);
		want = mime_header(m, "Subject");
		assert_string_equal(want, subjects[i]);
		free(want);
		mime_free(m);
		free(view);
		free(raw);
	}
}

static void
t_header_injection(void **state)
{
	struct mime_draft d = { "me@example.org", "you@example.org", NULL, NULL,
	                        "Hi\r\nBcc: victim@example.org", "x\n", NULL, NULL, NULL, 0, NULL, 0, NULL, 0 };
	char *raw, *err, *view;
	size_t len;
	(void)state;
	assert_int_equal(mime_build(&d, &raw, &len, &err), TERN_OK);
	view = python_view(raw, len, NULL, 0);
	assert_line(view, "subject: Hi  Bcc: victim@example.org");   /* CR and LF became blanks */
	assert_null(strstr(view, "bcc:"));
	free(view);
	free(raw);
}

/* The wire text of a built message's body, as a reader decodes it. */
static char *
wire_body(const char *raw, size_t len)
{
	char *view = python_view(raw, len, NULL, 0), *b = strstr(view, "\nbody: "), *e, *out;
	assert_non_null(b);
	b += 7;
	e = strchr(b, '\n');
	out = xstrndup(b, e ? (size_t)(e - b) : strlen(b));
	free(view);
	return out;
}

/* format=flowed (RFC 3676) as sent: long lines soft-broken at 72
 * characters (the blank kept at the end), short lines hard, space-stuffing
 * where a reader would see stuffing, a quote or "From ", quoted lines
 * flowed within their depth, the signature separator kept; and the pager
 * gives the paragraphs back. With QP too (non-ASCII text). */
static void
t_flowed_roundtrip(void **state)
{
	const char *para = "This paragraph is much longer than seventy-two columns, so format=flowed "
	                   "must wrap it with soft breaks that a reader joins again into one line.";
	char *a70 = xasprintf("%.70s", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	char *quote = xasprintf(">> %s", para);
	char *umlauts = xasprintf("Grüße aus Köln, %s", para);
	char *body = xasprintf("%s\nshort line\nanother\n%s > b\n%s From me\n%s\n> quoted stays\n From stuffed\n%s\n-- \nsig\n",
	                       para, a70, a70, quote, umlauts);
	struct mime_draft d = { "me@example.org", "you@example.org", NULL, NULL, "flowed", body,
	                        NULL, NULL, NULL, 0, NULL, 1, NULL, 0 };
	struct render_opts o = { NULL, NULL, 0, RENDER_HDR_NONE, 0 };
	char *raw, *err, *text, *want, *wire, *view, *w;
	size_t len;
	mime_msg *m;
	(void)state;
	assert_int_equal(mime_build(&d, &raw, &len, &err), TERN_OK);
	view = python_view(raw, len, NULL, 0);
	assert_line(view, "body-format: flowed");
	assert_line(view, "body-cte: quoted-printable");
	assert_line(view, "long-lines: 0");
	free(view);
	wire = wire_body(raw, len);
	/* Every line within 72 characters (ü and ö count one each). */
	for (char *l = wire; *l;) {
		char *e = strstr(l, "\\n");
		size_t chars = 0;
		for (char *c = l; c < (e ? e : l + strlen(l)); c++)
			chars += ((unsigned char)*c & 0xC0) != 0x80;
		if (chars > 72)
			fail_msg("a line of %zu characters: %.*s", chars, (int)(e ? e - l : (long)strlen(l)), l);
		l = e ? e + 2 : l + strlen(l);
	}
	assert_non_null(strstr(wire, "This paragraph is much longer than seventy-two columns, so \\nformat=flowed must wrap"));
	assert_non_null(strstr(wire, "\\nshort line\\nanother\\n"));
	w = xasprintf("%s \\n > b\\n%s \\n From me\\n", a70, a70);
	assert_non_null(strstr(wire, w));
	free(w);
	assert_non_null(strstr(wire, "\\n>> This paragraph is much longer than seventy-two columns, so \\n>> format=flowed"));
	assert_non_null(strstr(wire, "\\n> quoted stays\\n  From stuffed\\n"));
	assert_non_null(strstr(wire, "\\n-- \\nsig\\n"));
	free(wire);

	assert_int_equal(mime_parse(raw, len, &m), TERN_OK);
	text = mime_render_body(m, &o);
	want = xasprintf("%s\nshort line\nanother\n%s > b\n%s From me\n%s\n> quoted stays\n From stuffed\n%s\n-- \nsig\n",
	                 para, a70, a70, quote, umlauts);
	assert_string_equal(text, want);
	free(want);
	free(text);
	mime_free(m);
	free(raw);

	/* text_flowed = no: sent as written. */
	d.flowed = 0;
	assert_int_equal(mime_build(&d, &raw, &len, &err), TERN_OK);
	view = python_view(raw, len, NULL, 0);
	assert_line(view, "body-format: ");
	free(view);
	free(raw);
	free(body);
	free(quote);
	free(umlauts);
	free(a70);
}

/* `tern send` of a message without MIME headers: its body is the user's
 * plain text, sent flowed as the composer's (ASCII stays 7bit). */
static void
t_raw_encode_flowed(void **state)
{
	const char *raw = "Subject: hi\r\nTo: a@b.c\r\n\r\nThis paragraph is much longer than seventy-two columns, so it "
	                  "is wrapped with a soft break.\r\nFrom the start\r\n";
	size_t len;
	int notes = 0;
	char *out, *view;
	(void)state;
	out = mime_raw_encode(raw, strlen(raw), 1, &len, &notes);
	assert_non_null(out);
	view = python_view(out, len, NULL, 0);
	assert_line(view, "body-format: flowed");
	assert_line(view, "body-cte: 7bit");
	assert_line(view, "body: This paragraph is much longer than seventy-two columns, so it is \\nwrapped with a soft break.\\n From the start\\n");
	free(view);
	free(out);
	/* The writer's own MIME stays theirs. */
	assert_null(mime_raw_encode("MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nx\r\n", 50, 1, &len, &notes));
}

static void
t_errors(void **state)
{
	struct mime_attach missing = { "/nonexistent/file.pdf", NULL, 0, NULL, NULL };
	struct mime_draft d = { NULL, "you@example.org", NULL, NULL, "s", "b", NULL, NULL, NULL, 0, NULL, 0, NULL, 0 };
	char *raw, *err;
	size_t len;
	(void)state;
	assert_int_equal(mime_build(&d, &raw, &len, &err), TERN_EINVAL);
	assert_non_null(strstr(err, "From"));
	free(err);
	d.from = "a@x.org, b@x.org";
	assert_int_equal(mime_build(&d, &raw, &len, &err), TERN_EINVAL);
	free(err);
	d.from = "me@example.org";
	d.to = "Jane, bob@example.org";
	assert_int_equal(mime_build(&d, &raw, &len, &err), TERN_EINVAL);
	assert_non_null(strstr(err, "'Jane'"));
	free(err);
	d.to = "you@example.org";
	d.att = &missing;
	d.natt = 1;
	assert_int_equal(mime_build(&d, &raw, &len, &err), TERN_EIO);
	assert_null(raw);
	free(err);
	assert_string_equal(mime_type_by_name("x.PDF"), "application/pdf");
	assert_null(mime_type_by_name("noext"));
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

/* `tern send` of a message typed with raw UTF-8 and no MIME headers: the
 * header is encoded, the body declared and quoted-printable, and a reader
 * sees exactly what was typed; ASCII fields keep their bytes. A message
 * with MIME headers, or one all ASCII, is left alone. */
static void
t_raw_encode(void **state)
{
	const char *raw = "From: Jürgen Müller <jm@example.de>\n"
	                  "To: \"Doe, Jane\" <jane@example.org>, 山田太郎 <taro@example.jp>\n"
	                  "Subject: Été à Paris — a subject long enough that it has to be folded somewhere along\n"
	                  " the way\n"
	                  "X-Ascii: kept   as\n"
	                  "  it was\n"
	                  "Message-ID: <r1@example.de>\n"
	                  "\n"
	                  "Grüße aus Köln,\nFrom here on = equals\n";
	const char *mime = "Subject: Été\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n\nx\xe9\n";
	const char *ascii = "Subject: hi\nTo: a@b.c\n\nplain\n";
	const char *head_only = "Subject: Café\r\nTo: a@b.c\r\n\r\nplain\r\n";
	size_t len;
	int notes;
	char *out, *view;
	(void)state;

	out = mime_raw_encode(raw, strlen(raw), 0, &len, &notes);
	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	view = python_view(out, len, NULL, 0);
	assert_line(view, "from: Jürgen Müller <jm@example.de>");
	assert_line(view, "addr-to: Doe, Jane|jane@example.org");
	assert_line(view, "addr-to: 山田太郎|taro@example.jp");
	assert_line(view, "subject: Été à Paris — a subject long enough that it has to be folded somewhere along the way");
	assert_line(view, "message-id: <r1@example.de>");
	assert_line(view, "body-type: text/plain");
	assert_line(view, "body-cte: quoted-printable");
	assert_line(view, "body: Grüße aus Köln,\\nFrom here on = equals\\n");
	assert_line(view, "defects: 0");
	assert_line(view, "header-over-78: 0");
	free(view);
	assert_non_null(strstr(out, "MIME-Version: 1.0\r\n"));
	assert_non_null(strstr(out, "Content-Type: text/plain; charset=utf-8\r\n"));
	assert_non_null(strstr(out, "X-Ascii: kept   as\n  it was\n"));
	for (size_t i = 0; i < len; i++)
		assert_true((unsigned char)out[i] < 0x80);
	free(out);

	assert_null(mime_raw_encode(mime, strlen(mime), 0, &len, &notes));
	assert_null(mime_raw_encode(ascii, strlen(ascii), 0, &len, &notes));

	/* Only the header needs it: encoded words, no MIME headers added. */
	out = mime_raw_encode(head_only, strlen(head_only), 0, &len, &notes);
	assert_non_null(out);
	assert_string_equal(out, "Subject: =?UTF-8?B?Q2Fmw6k=?=\r\nTo: a@b.c\r\n\r\nplain\r\n");
	free(out);
}

/* `tern send` of a body with a 2000-octet line, and of a Latin-1 body:
 * quoted-printable keeps every line short and the reader gets the line
 * whole; the Latin-1 text arrives as the same characters, labelled right.
 * With MIME headers of its own the message is the writer's: the long
 * line is found (for the refusal) and nothing is changed. */
static void
t_raw_long_latin1(void **state)
{
	strbuf in = STRBUF_INIT;
	const char *latin1 = "Subject: x\nTo: a@b.c\n\nCaf\xe9 cr\xe8me \x80 5\n";
	size_t len, octets;
	int notes;
	char *out, *view, *expect;
	(void)state;

	sb_adds(&in, "Subject: long\nTo: a@b.c\n\nfirst\n");
	for (int i = 0; i < 2000; i++)
		sb_addc(&in, (char)('a' + i % 26));
	sb_adds(&in, "\nlast\n");
	assert_int_equal(mime_raw_long_line(in.buf, in.len, 0, &octets), 5);
	assert_int_equal(octets, 2000);
	out = mime_raw_encode(in.buf, in.len, 0, &len, &notes);
	assert_non_null(out);
	assert_int_equal(notes, 0);
	assert_int_equal(mime_raw_long_line(out, len, 0, &octets), 0);
	view = python_view(out, len, NULL, 0);
	assert_line(view, "body-cte: quoted-printable");
	expect = xasprintf("body: first\\n%.*s\\nlast\\n", 2000, in.buf + strlen("Subject: long\nTo: a@b.c\n\nfirst\n"));
	assert_line(view, expect);
	free(expect);
	free(view);
	free(out);

	out = mime_raw_encode(latin1, strlen(latin1), 0, &len, &notes);
	assert_non_null(out);
	assert_int_equal(notes, MIME_RAW_CONVERTED);
	view = python_view(out, len, NULL, 0);
	assert_line(view, "body: Café crème € 5\\n");
	assert_line(view, "defects: 0");
	free(view);
	free(out);

	sb_reset(&in);
	sb_adds(&in, "Subject: own\nMIME-Version: 1.0\nContent-Type: text/plain\n\n");
	for (int i = 0; i < 1200; i++)
		sb_addc(&in, 'x');
	assert_null(mime_raw_encode(in.buf, in.len, 0, &len, &notes));
	assert_int_equal(mime_raw_long_line(in.buf, in.len, 0, &octets), 5);
	assert_int_equal(octets, 1200);
	sb_free(&in);
}

static int
teardown(void **state)
{
	char *p = xasprintf("%s/msg.eml", dir);
	(void)state;
	unlink(p);
	free(p);
	rmdir(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_full_message),
		cmocka_unit_test(t_plain_ascii),
		cmocka_unit_test(t_subject_as_typed),
		cmocka_unit_test(t_header_injection),
		cmocka_unit_test(t_flowed_roundtrip),
		cmocka_unit_test(t_raw_encode_flowed),
		cmocka_unit_test(t_errors),
		cmocka_unit_test(t_raw_encode),
		cmocka_unit_test(t_raw_long_latin1),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
