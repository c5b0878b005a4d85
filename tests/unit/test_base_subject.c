/* reply_base_subject(): the key the subject order sorts by (RFC 5256's
 * base subject, folded). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "src/mime/reply.h"

static void
is(const char *in, const char *want)
{
	char *got = reply_base_subject(in);
	assert_string_equal(got, want);
	free(got);
}

static void
test_prefixes(void **state)
{
	(void)state;
	is("Re: banana", "banana");
	is("RE: Re: Banana", "banana");
	is("AW: Apple pie", "apple pie");
	is("SV: hej", "hej");
	is("Fwd: apple PIE", "apple pie");
	is("Fw: re: x", "x");
	is("Re[2]: count", "count");
	is("  re :  spaced", "spaced");
}

static void
test_list_tags(void **state)
{
	(void)state;
	is("[tern-dev] cherry", "cherry");
	is("Re: [tern-dev] Re: cherry", "cherry");
	/* A tag with nothing after it is the subject. */
	is("[tern-dev]", "[tern-dev]");
	is("[Fwd: inner subject]", "inner subject");
}

static void
test_trailers_and_blanks(void **state)
{
	(void)state;
	is("plan (fwd)", "plan");
	is("two   words\there", "two words here");
	is("", "");
	is(NULL, "");
	is("Été", "ete");
	/* Not a prefix: "Reply" and "Remarks:" keep their words. */
	is("Reply needed", "reply needed");
	is("Remarks: none", "remarks: none");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_list_tags),
		cmocka_unit_test(test_trailers_and_blanks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
