/* One UTF-8 check (src/utf8.c) for all of tern: the boundaries of RFC 3629,
 * and the terminal sanitiser and the JSON output agreeing with it on every
 * case (each replaces exactly what it refuses). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/jsonout.h"
#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "src/base/utf8.h"
#include "src/base/util.h"

static const struct {
	const char *s;
	int valid;
	unsigned long cp;         /* of the first sequence, when valid */
} cases[] = {
	{ "a", 1, 'a' },
	{ "\xC2\xA0", 1, 0xA0 },
	{ "\xC3\xA9", 1, 0xE9 },
	{ "\xDF\xBF", 1, 0x7FF },
	{ "\xE0\xA0\x80", 1, 0x800 },
	{ "\xE2\x80\xAE", 1, 0x202E },
	{ "\xED\x9F\xBF", 1, 0xD7FF },
	{ "\xEE\x80\x80", 1, 0xE000 },
	{ "\xEF\xBF\xBF", 1, 0xFFFF },
	{ "\xF0\x90\x80\x80", 1, 0x10000 },
	{ "\xF4\x8F\xBF\xBF", 1, 0x10FFFF },
	{ "\x80", 0, 0 },                       /* a lone continuation byte */
	{ "\xC0\xAF", 0, 0 },                   /* overlong '/' */
	{ "\xC1\xBF", 0, 0 },
	{ "\xE0\x9F\xBF", 0, 0 },               /* overlong three bytes */
	{ "\xED\xA0\x80", 0, 0 },               /* surrogate U+D800 */
	{ "\xED\xBF\xBF", 0, 0 },               /* surrogate U+DFFF */
	{ "\xF0\x8F\xBF\xBF", 0, 0 },           /* overlong four bytes */
	{ "\xF4\x90\x80\x80", 0, 0 },           /* beyond U+10FFFF */
	{ "\xF5\x80\x80\x80", 0, 0 },
	{ "\xFF", 0, 0 },
	{ "\xC3", 0, 0 },                       /* cut short at the end */
	{ "\xE2\x80", 0, 0 },
	{ "\xF0\x90\x80", 0, 0 },
	{ "\xC3" "a", 0, 0 },                   /* cut short by the next character */
	{ "\xE2\x80" "a", 0, 0 },
};

static void
t_boundaries(void **state)
{
	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(cases); k++) {
		const unsigned char *s = (const unsigned char *)cases[k].s;
		size_t len = strlen(cases[k].s), n = utf8_seq_len(s, len);
		if (utf8_valid(cases[k].s, len) != cases[k].valid)
			print_error("case %zu: valid should be %d\n", k, cases[k].valid);
		assert_int_equal(utf8_valid(cases[k].s, len), cases[k].valid);
		if (cases[k].valid) {
			assert_int_equal(n, len);
			assert_int_equal(utf8_code_point(s, n), cases[k].cp);
		} else if (len == 1 || (s[0] >= 0xC2 && s[0] <= 0xF4 && len > 1 && (s[1] & 0xC0) != 0x80)) {
			assert_int_equal(n, 0);
		}
	}
	/* The length bound is respected: a valid sequence is not read past it. */
	assert_int_equal(utf8_seq_len((const unsigned char *)"\xC3\xA9", 1), 0);
	assert_true(utf8_valid("", 0));
}

/* The terminal sanitiser and the JSON writer replace exactly the bytes the
 * check refuses. */
static void
t_users_agree(void **state)
{
	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(cases); k++) {
		/* Formats and separators (U+202E) are made visible on purpose. */
		int format = strcmp(cases[k].s, "\xE2\x80\xAE") == 0;
		char *safe = text_sanitize(cases[k].s, 0);
		strbuf js = STRBUF_INIT;
		json_quote(&js, cases[k].s);
		if (cases[k].valid) {
			if (!format && cases[k].cp >= 0xA0)
				assert_string_equal(safe, cases[k].s);
			assert_null(strstr(js.buf, "\\ufffd"));
		} else {
			assert_non_null(strstr(safe, "\xEF\xBF\xBD"));
			assert_non_null(strstr(js.buf, "\\ufffd"));
		}
		free(safe);
		sb_free(&js);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_boundaries),
		cmocka_unit_test(t_users_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
