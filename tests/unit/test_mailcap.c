/* Mailcap (src/mailcap.c), as the attachment menu runs it: entries parse
 * or are refused, the right entry is found, and a viewer gets the file name
 * and the media type from the mail as exactly one argument each, whatever
 * they contain, through the same script and exec the menu uses. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/base/err.h"
#include "src/mime/mailcap.h"
#include "src/base/util.h"

static char dir[64];

/* A viewer that writes its arguments, each ended by NUL, to args.out, and
 * what it reads on stdin to stdin.out when asked to. */
#define VIEWER "sh ./args.sh"

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "%s", "/tmp/tern-mailcap-XXXXXX");
	if (!mkdtemp(dir) || chdir(dir) != 0)
		return -1;
	return file_write_all("args.sh",
	                      "printf '%s\\0' \"$@\" > args.out\n"
	                      "[ \"$READ_STDIN\" ] && cat > stdin.out\n"
	                      "exit 0\n",
	                      strlen("printf '%s\\0' \"$@\" > args.out\n"
	                             "[ \"$READ_STDIN\" ] && cat > stdin.out\n"
	                             "exit 0\n"),
	                      0644) == TERN_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

/* Runs the entry's view command the way the attachment menu does:
 * mailcap_script(view, 1), then mailcap_exec() in a child. The exit
 * status. */
static int
run_view(const char *view, const char *file, const char *type)
{
	char *script = mailcap_script(view, 1);
	int st = -1;
	pid_t pid;

	unlink("args.out");
	unlink("PWNED");
	pid = fork();
	if (pid == 0)
		mailcap_exec(script, file, type);
	assert_true(pid > 0);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	free(script);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* The arguments the viewer got, NUL-separated, as one buffer. */
static char *
args_got(size_t *len)
{
	char *s = NULL;
	assert_int_equal(file_read_all("args.out", &s, len), TERN_OK);
	return s;
}

static void
assert_args(const char *const *want, size_t n)
{
	size_t len = 0, off = 0;
	char *got = args_got(&len);
	for (size_t k = 0; k < n; k++) {
		size_t l = strlen(want[k]);
		if (off + l + 1 > len || memcmp(got + off, want[k], l) != 0 || got[off + l] != '\0')
			print_error("argument %zu: wanted [%s], got [%.*s]\n", k, want[k], (int)(len - off),
			            got + off);
		assert_true(off + l + 1 <= len);
		assert_memory_equal(got + off, want[k], l + 1);
		off += l + 1;
	}
	assert_int_equal(off, len);
	free(got);
	/* Nothing in a name ran as a command. */
	assert_int_equal(access("PWNED", F_OK), -1);
}

static const char *const hostile[] = {
	"report.pdf",
	"it's.pdf",
	"say \"hi\".pdf",
	"$(touch PWNED).pdf",
	"`touch PWNED`.pdf",
	"a;touch PWNED;b",
	"'; touch PWNED; '",
	"\"; touch PWNED; \"",
	"x\ntouch PWNED\ny",
	"two  spaces\tand tab",
	"*",
	"back\\slash\\",
	"$HOME ${IFS} $1 $@",
	"%s %t",
};

/* %s with the entry's quoting, or none: the file is one argument. */
static void
t_file_name_is_one_argument(void **state)
{
	(void)state;
	static const char *const views[] = {
		VIEWER " %s", VIEWER " '%s'", VIEWER " \"%s\"",
	};
	for (size_t v = 0; v < ARRAY_LEN(views); v++)
		for (size_t k = 0; k < ARRAY_LEN(hostile); k++) {
			const char *want[] = { hostile[k] };
			assert_int_equal(run_view(views[v], hostile[k], "application/pdf"), 0);
			assert_args(want, 1);
		}
}

/* %s inside a longer quoted word stays inside that word. */
static void
t_file_name_inside_quotes(void **state)
{
	(void)state;
	for (size_t k = 0; k < ARRAY_LEN(hostile); k++) {
		char *prefixed = xasprintf("--file=%s", hostile[k]);
		const char *want[] = { prefixed, prefixed, prefixed, "it's", "x" };
		assert_int_equal(run_view(VIEWER " \"--file=%s\" '--file=%s' --file=%s \"it's\" 'x'", hostile[k],
		                          "application/pdf"),
		                 0);
		assert_args(want, ARRAY_LEN(want));
		free(prefixed);
	}
}

/* %t is the media type, one argument too (the menu sanitises it first,
 * but the command does not depend on that). */
static void
t_type(void **state)
{
	(void)state;
	const char *want[] = { "image/png", "f.png", "type=image/png" };
	assert_int_equal(run_view(VIEWER " %t %s 'type=%t'", "f.png", "image/png"), 0);
	assert_args(want, 3);
	{
		const char *evil[] = { "a/b;touch PWNED", "f" };
		assert_int_equal(run_view(VIEWER " %t %s", "f", "a/b;touch PWNED"), 0);
		assert_args(evil, 2);
	}
}

/* A file name that starts with a dash is no option to the viewer. */
static void
t_leading_dash(void **state)
{
	(void)state;
	const char *want[] = { "./-rf" };
	assert_int_equal(run_view(VIEWER " %s", "-rf", "text/plain"), 0);
	assert_args(want, 1);
}

/* "\x" in an entry is x: "\%s" is the text %s, "\;" a semicolon. */
static void
t_escapes(void **state)
{
	(void)state;
	const char *want[] = { "%s", "a;b", "f" };
	assert_int_equal(run_view(VIEWER " \\%s 'a\\;b' %s", "f", "text/plain"), 0);
	assert_args(want, 3);
}

/* Without %s the viewer reads the file on stdin. */
static void
t_stdin(void **state)
{
	(void)state;
	const char *name = "$(touch PWNED) it's";
	char *got = NULL;
	size_t len = 0;
	assert_int_equal(file_write_all(name, "payload\n", 8, 0600), TERN_OK);
	setenv("READ_STDIN", "1", 1);
	assert_int_equal(run_view(VIEWER, name, "text/plain"), 0);
	unsetenv("READ_STDIN");
	assert_int_equal(file_read_all("stdin.out", &got, &len), TERN_OK);
	assert_int_equal(len, 8);
	assert_memory_equal(got, "payload\n", 8);
	free(got);
	assert_int_equal(access("PWNED", F_OK), -1);
	unlink(name);
}

static void
t_parse(void **state)
{
	(void)state;
	struct mailcap_entry e;

	assert_int_equal(mailcap_entry_parse("image/png; feh %s; test=test -n \"$DISPLAY\"; needsterminal", &e),
	                 TERN_OK);
	assert_string_equal(e.type, "image/png");
	assert_string_equal(e.view, "feh %s");
	assert_string_equal(e.test, "test -n \"$DISPLAY\"");
	assert_false(e.copiousoutput);
	assert_true(e.needsterminal);
	mailcap_entry_free(&e);

	assert_int_equal(mailcap_entry_parse("  text/html ;lynx -dump %s ; COPIOUSOUTPUT;x-foo=bar;Test = true ", &e),
	                 TERN_OK);
	assert_string_equal(e.type, "text/html");
	assert_string_equal(e.view, "lynx -dump %s");
	assert_string_equal(e.test, "true");
	assert_true(e.copiousoutput);
	assert_false(e.needsterminal);
	mailcap_entry_free(&e);

	/* "\;" stays in its field (the script turns it into ";"). */
	assert_int_equal(mailcap_entry_parse("text/*; a \\; b %s; copiousoutput", &e), TERN_OK);
	assert_string_equal(e.view, "a \\; b %s");
	assert_true(e.copiousoutput);
	assert_null(e.test);
	mailcap_entry_free(&e);
}

static void
t_parse_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "   ", "# image/png; feh %s", "#", "image/png", "image/png;", "image/png;   ; copiousoutput",
		"; feh %s", "image png; feh %s", ";;;", "\\", "image/png\\; feh %s",
	};
	for (size_t k = 0; k < ARRAY_LEN(bad); k++) {
		struct mailcap_entry e;
		if (mailcap_entry_parse(bad[k], &e) != TERN_EINVAL)
			print_error("[%s] was taken\n", bad[k]);
		assert_int_equal(mailcap_entry_parse(bad[k], &e), TERN_EINVAL);
		assert_null(e.type);
		assert_null(e.view);
		mailcap_entry_free(&e);
	}
}

static void
t_type_matches(void **state)
{
	(void)state;
	assert_true(mailcap_type_matches("image/png", "image/png"));
	assert_true(mailcap_type_matches("IMAGE/PNG", "image/png"));
	assert_true(mailcap_type_matches("image/*", "image/png"));
	assert_true(mailcap_type_matches("image", "image/png"));
	assert_false(mailcap_type_matches("image/jpeg", "image/png"));
	assert_false(mailcap_type_matches("imag/*", "image/png"));
	assert_false(mailcap_type_matches("imagex/*", "image/png"));
	assert_false(mailcap_type_matches("imag", "image/png"));
	assert_false(mailcap_type_matches("text/*", "image/png"));
}

static void
t_find(void **state)
{
	(void)state;
	const char *first =
		"# a comment; not an entry\n"
		"\n"
		"image/png\n"                                  /* malformed: skipped */
		"image/*; gif-only %s; test=test %t = image/gif\n"  /* fails but for a gif */
		"image/*; first \\\n"
		"  %s; copiousoutput\n"
		"text/plain; in-first %s\n";
	const char *second = "image/gif; second %s; needsterminal\nvideo/*; video %s\n";
	const char *files[] = { "none-such", "mc1", "mc2" };
	struct mailcap_entry e;

	assert_int_equal(file_write_all("mc1", first, strlen(first), 0600), TERN_OK);
	assert_int_equal(file_write_all("mc2", second, strlen(second), 0600), TERN_OK);

	assert_int_equal(mailcap_find(files, 3, "image/png", &e), TERN_OK);
	assert_string_equal(e.type, "image/*");
	assert_string_equal(e.view, "first   %s");   /* the continuation line joined */
	assert_true(e.copiousoutput);
	mailcap_entry_free(&e);

	/* test= sees %t: the gif passes the test the png failed. */
	assert_int_equal(mailcap_find(files, 3, "image/gif", &e), TERN_OK);
	assert_string_equal(e.view, "gif-only %s");
	mailcap_entry_free(&e);

	assert_int_equal(mailcap_find(files, 3, "video/mp4", &e), TERN_OK);
	assert_string_equal(e.view, "video %s");
	assert_false(e.copiousoutput);
	mailcap_entry_free(&e);

	assert_int_equal(mailcap_find(files, 3, "application/pdf", &e), TERN_ENOTFOUND);
	assert_null(e.view);
	assert_int_equal(mailcap_find(files, 1, "image/png", &e), TERN_ENOTFOUND);
	unlink("mc1");
	unlink("mc2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_parse),
		cmocka_unit_test(t_parse_malformed),
		cmocka_unit_test(t_type_matches),
		cmocka_unit_test(t_find),
		cmocka_unit_test(t_file_name_is_one_argument),
		cmocka_unit_test(t_file_name_inside_quotes),
		cmocka_unit_test(t_type),
		cmocka_unit_test(t_leading_dash),
		cmocka_unit_test(t_escapes),
		cmocka_unit_test(t_stdin),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
