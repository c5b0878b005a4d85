/* What a person sees: the chosen alternative, flowed text joined, HTML
 * reduced or filtered, forwarded messages inline, attachments listed, and
 * no escape sequence reaching the terminal. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "src/mime/html_text.h"
#include "src/base/textsafe.h"
#include "src/mime/mime_render.h"
#include "src/base/proc.h"
#include "src/base/util.h"

static char *
render(const char *name, const char *order, const char *filter, enum render_headers h)
{
	const char *dir = getenv("TERN_SRCDIR");
	char *path = xasprintf("%s/tests/data/mime/%s", dir ? dir : ".", name), *raw, *out;
	struct render_opts o = { order, filter, 2000, h, 1 };
	size_t len;
	assert_int_equal(file_read_all(path, &raw, &len), TERN_OK);
	out = mime_render_raw(raw, len, &o);
	free(raw);
	free(path);
	return out;
}

static void
assert_has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("missing \"%s\" in:\n%s", needle, hay);
}

static void
assert_lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("unexpected \"%s\" in:\n%s", needle, hay);
}

static void
t_escape_sequences_inert(void **state)
{
	char *s = render("escape.eml", NULL, NULL, RENDER_HDR_DEFAULT);
	(void)state;
	/* No ESC, BEL or C1 CSI byte survives; they show as marks. */
	assert_null(strchr(s, '\x1b'));
	assert_null(strchr(s, '\x07'));
	assert_lacks(s, "\xc2\x9b");
	assert_has(s, "Subject: Hi ^[[31mRED^[[0m ^[]0;pwned^G\n");
	assert_has(s, "From: \"Evil^[[31m\" <evil@example.org>\n");
	assert_has(s, "body ^[[2J clear ^[]0;title^G osc <U+009B> csi\n");
	free(s);
	/* Bidi controls that reorder a line: overrides and isolates. */
	s = text_sanitize("a\xE2\x81\xA6" "b\xE2\x81\xA9" "c\xE2\x80\xAE" "d\xE2\x80\x8B", 0);
	assert_string_equal(s, "a<U+2066>b<U+2069>c<U+202E>d\xE2\x80\x8B");
	free(s);
	/* Every bidi control alike (a raw pop or mark would still act), and the
	 * line and paragraph separators; a zero-width space is harmless. */
	s = text_sanitize("1\xE2\x80\xAA" "2\xE2\x80\xAB" "3\xE2\x80\xAC" "4\xE2\x80\xAD"
	                  "5\xE2\x80\x8E" "6\xE2\x80\x8F" "7\xD8\x9C" "8\xE2\x80\xA8"
	                  "9\xE2\x80\xA9" "0\xE2\x81\xA7" "\xE2\x81\xA8" "\xE2\x80\xA7", 0);
	assert_string_equal(s, "1<U+202A>2<U+202B>3<U+202C>4<U+202D>5<U+200E>6<U+200F>7<U+061C>"
	                    "8<U+2028>9<U+2029>0<U+2067><U+2068>\xE2\x80\xA7");
	free(s);
	s = render("escape.eml", NULL, NULL, RENDER_HDR_ALL);
	assert_null(strchr(s, '\x1b'));
	assert_has(s, "MIME-Version: 1.0\n");
	free(s);
}

/* A multipart without its close delimiter is read to the end of the
 * message, like mutt: every part after an inner boundary is shown, and a
 * last part keeps its "-- " signature and "- " lines. */
static void
t_unterminated_multipart(void **state)
{
	char *s = render("unterminated.eml", NULL, NULL, RENDER_HDR_NONE);
	(void)state;
	assert_string_equal(s, "first part\n\ninner plain\n\nunterminated html\n\ndeep one\n\n"
	                    "deep two\n- a list item\n-- \nthe signature\n");
	free(s);
}

static void
t_alternative_order(void **state)
{
	char *s = render("alternative.eml", NULL, NULL, RENDER_HDR_NONE);
	(void)state;
	assert_string_equal(s, "PLAIN VERSION\n");
	free(s);
	s = render("alternative.eml", "text/html text/plain", NULL, RENDER_HDR_NONE);
	assert_string_equal(s, "HTML VERSION\n");
	free(s);
	s = render("alternative.eml", "text/enriched", NULL, RENDER_HDR_NONE);
	assert_string_equal(s, "HTML VERSION\n");   /* nothing wanted: the last text part */
	free(s);
}

static void
t_flowed(void **state)
{
	char *s = render("flowed.eml", NULL, NULL, RENDER_HDR_NONE);
	(void)state;
	assert_string_equal(s, "This is a long paragraph that was wrapped by the sender.\n"
	                       ">> quoted line one continues here\n"
	                       ">not a quote, stuffed\n"
	                       "\n"
	                       "-- \n"
	                       "sig line\n");
	free(s);
}

static void
t_html(void **state)
{
	char *s = render("html-only.eml", NULL, NULL, RENDER_HDR_NONE);
	(void)state;
	assert_string_equal(s, "Hello World\n"
	                       "\n"
	                       "Fish & chips <3 €5 ☺ é\n"
	                       "\n"
	                       "* one\n"
	                       "* two\n"
	                       "\n"
	                       "See our site <https://example.com/x>.\n"
	                       "\n"
	                       "line1\n"
	                       "line2\n");
	free(s);

	static const struct { const char *in, *out; } cases[] = {
		{ "<a href=\"https://x.org\">https://x.org</a>", "https://x.org\n" },
		{ "<a href=\"mailto:a@x.org\">a@x.org</a>", "a@x.org\n" },
		{ "<a href=\"javascript:evil()\">click</a>", "click\n" },
		{ "a&#0;b &#x110000; &#150; &bogus; &amp", "a\xEF\xBF\xBD""b \xEF\xBF\xBD – &bogus; &\n" },
		{ "<blockquote>quoted<br>two</blockquote>after", "> quoted\n> two\nafter\n" },
		{ "<pre>  keep\n    this</pre>", "  keep\n    this\n" },
		{ "<ul><li>a<ul><li>b</li></ul></li></ul>", "* a\n  * b\n" },
		{ "x < y and <unclosed", "x < y and <unclosed\n" },
		{ "<!-- never ends", "" },
		{ "<head><title>t</title><body>text", "text\n" },
		{ "<img src=x alt=\"logo\"> <STYLE>b{}</STYLE>word", "[logo] word\n" },
		{ "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc\n" },
		/* A quote never closed ends at the line: the rest is still text. */
		{ "<p><a href='x>link</a></p>\n<p>More text</p>", "More text\n" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *t = html_to_text(cases[i].in, strlen(cases[i].in));
		assert_string_equal(t, cases[i].out);
		free(t);
	}
}

static void
t_html_filter(void **state)
{
	char *s;
	(void)state;
	/* The filter runs without a shell: its words are its argv. */
	s = render("alternative.eml", "text/html", "sed -e \"s/VERSION/FILTERED; $(touch x)/\"", RENDER_HDR_NONE);
	assert_has(s, "FILTERED; $(touch x)");
	free(s);
	/* A filter that hangs is killed at the timeout; the built-in reducer takes over. */
	s = render("html-only.eml", NULL, "sleep 30", RENDER_HDR_NONE);
	assert_has(s, "See our site <https://example.com/x>.");
	free(s);
	s = render("html-only.eml", NULL, "/nonexistent/filter", RENDER_HDR_NONE);
	assert_has(s, "* one");
	free(s);
	s = render("html-only.eml", NULL, "false", RENDER_HDR_NONE);
	assert_has(s, "* one");
	free(s);

	char **argv = proc_split("w3m -dump 'a b' \"c \\\"d\\\"\" e\\ f");
	assert_string_equal(argv[0], "w3m");
	assert_string_equal(argv[2], "a b");
	assert_string_equal(argv[3], "c \"d\"");
	assert_string_equal(argv[4], "e f");
	assert_null(argv[5]);
	proc_argv_free(argv);
	assert_null(proc_split("   "));
}

static void
t_forward_and_attachments(void **state)
{
	char *s = render("forward.eml", NULL, NULL, RENDER_HDR_DEFAULT);
	(void)state;
	assert_string_equal(s, "From: fw@example.org\n"
	                       "To: b@example.org\n"
	                       "Subject: Fwd: report\n"
	                       "\n"
	                       "See below.\n"
	                       "\n"
	                       "---------- Forwarded message ----------\n"
	                       "From: Zöe <zoe@example.net>\n"
	                       "To: fw@example.org\n"
	                       "Date: Fri, 1 May 2026 09:00:00 +0000\n"
	                       "Subject: Quarterly réport\n"
	                       "\n"
	                       "Inner body text.\n"
	                       "\n"
	                       "-- Attachments --\n"
	                       "[2] (forwarded message) (message/rfc822, 447 B)\n"
	                       "[2.2] q.pdf (application/pdf, 12 B)\n");
	free(s);
	s = render("rfc2231.eml", NULL, NULL, RENDER_HDR_NONE);
	assert_string_equal(s, "body\n"
	                       "\n"
	                       "-- Attachments --\n"
	                       "[2] € rates.pdf (application/pdf, 4 B)\n"
	                       "[3] résumé très long.txt (text/plain, 5 B)\n"
	                       "[4] über.png (image/png, 8 B)\n");
	free(s);
}

static void
t_index_text(void **state)
{
	const char *dir = getenv("TERN_SRCDIR");
	char *path = xasprintf("%s/tests/data/mime/forward.eml", dir ? dir : "."), *raw, *t;
	size_t len;
	(void)state;
	assert_int_equal(file_read_all(path, &raw, &len), TERN_OK);
	t = mime_text_for_index(raw, len);
	/* The body only: no Subject ("Fwd: report"), no attachment name
	 * (q.pdf); those have index columns of their own. */
	assert_string_equal(t, "See below.\n\n---------- Forwarded message ----------\n"
	                       "From: Zöe <zoe@example.net>\nTo: fw@example.org\n"
	                       "Date: Fri, 1 May 2026 09:00:00 +0000\nSubject: Quarterly réport\n\n"
	                       "Inner body text.\n");
	free(t);
	free(raw);
	free(path);
	t = mime_text_for_index("", 0);
	assert_string_equal(t, "");
	free(t);
}

/* What a non-UTF-8 locale shows (issue 23 #1): readable, told apart,
 * never blank; tabs and newlines kept. */
static void
t_ascii(void **state)
{
	char *s;
	(void)state;
	s = text_ascii("Jörg Köhler — Отчёты «Щука» Straße Œuvre e\xcc\x81 │├└ 漢 \xef\xbf\xbd\tok\n");
	assert_string_equal(s, "Jorg Kohler -- Otchyoty <<Shchuka>> Strasse OEuvre e |+` ? ?\tok\n");
	free(s);
	s = text_ascii("");
	assert_string_equal(s, "");
	free(s);
	s = text_ascii("bad \xff byte");
	assert_string_equal(s, "bad ? byte");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_escape_sequences_inert),
		cmocka_unit_test(t_unterminated_multipart),
		cmocka_unit_test(t_alternative_order),
		cmocka_unit_test(t_flowed),
		cmocka_unit_test(t_html),
		cmocka_unit_test(t_html_filter),
		cmocka_unit_test(t_forward_and_attachments),
		cmocka_unit_test(t_index_text),
		cmocka_unit_test(t_ascii),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
