/* Case folding beyond ASCII (src/fold.c), in the process's locale and in
 * the C locale alike: tern's text is UTF-8 whatever the user's locale. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/fold.h"

static void
check_all(void)
{
	char *s = fold_case("Été ОТЧЁТЫ Straße Łódź Œuvre e\xcc\x81");
	assert_string_equal(s, "ete отчеты straße lodz œuvre e");
	free(s);
	assert_true(fold_contains("Fête", "ete"));
	assert_true(fold_equal("Été", "ete"));
	assert_true(fold_contains("Отчёты", "отчет"));
	assert_true(fold_contains("Été", "été"));
	assert_true(fold_contains("Отчёты", "отч"));
	assert_true(fold_contains("Archive/Отчёты 2026", "ОТЧЁТ"));
	assert_true(fold_contains("INBOX", "inbox"));
	assert_true(fold_contains("anything", ""));
	assert_false(fold_contains("Sent", "été"));
	assert_true(fold_equal("ÉTÉ", "été"));
	assert_false(fold_equal("été", "eta"));
	/* Invalid bytes stay as they are, and never match half a character. */
	s = fold_case("A\xff\xc3");
	assert_string_equal(s, "a\xff\xc3");
	free(s);
	assert_false(fold_contains("\xc3\xa9", "\xa9"));
}

static void
t_utf8_locale(void **state)
{
	(void)state;
	setlocale(LC_ALL, "C.UTF-8");
	check_all();
}

static void
t_c_locale(void **state)
{
	(void)state;
	setlocale(LC_ALL, "C");
	check_all();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_utf8_locale),
		cmocka_unit_test(t_c_locale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
