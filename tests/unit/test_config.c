/* The config parser: every error names FILE:LINE and changes nothing; the
 * values a user writes come out as meant. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/config/colour.h"
#include "src/config/conf.h"
#include "src/base/err.h"
#include "src/base/util.h"

static char dir[] = "/tmp/tern-test-config.XXXXXX";

static char *
write_conf(const char *name, const char *text, int mode)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	chmod(path, (mode_t)mode);
	return path;
}

#define ACCT_OK "[account w]\nemail = me@example.org\npassword_cmd = echo secret\nimap_host = imap.example.org\n"

struct bad_case {
	const char *text;
	int line;            /* the line the error must name */
	const char *words;   /* a fragment the message must contain */
};

static const struct bad_case bad[] = {
	{ "[account w\n", 1, "malformed section header" },
	{ "[accounts w]\n", 1, "unknown section" },
	{ "[general]\n", 1, "unknown section" },
	{ "[account ]\n", 1, "account section without a name" },
	{ "[account w] junk\n", 1, "malformed section header" },
	{ "[account a b]\n", 1, "may not contain blanks" },
	{ "[account a/b]\n", 1, "may not contain blanks" },
	{ ACCT_OK "[account w]\n", 5, "already defined on line 1" },
	{ "editor vim\n", 1, "expected 'key = value'" },
	{ " = vim\n", 1, "missing key name" },
	{ "edtor = vim\n", 1, "unknown key 'edtor'" },
	{ ACCT_OK "imap_prot = 993\n", 5, "unknown key 'imap_prot'" },
	{ "imap_host = x\n", 1, "belongs in an [account NAME] section" },
	{ ACCT_OK "editor = vim\n", 5, "is a global key" },
	{ "editor = vim\neditor = emacs\n", 2, "already set on line 1" },
	{ "editor = \"vim\n", 1, "unterminated quoted value" },
	{ "editor = \"vim\" x\n", 1, "text after the closing quote" },
	{ "editor =\n", 1, "needs a value" },
	{ ACCT_OK "imap_port = 99999\n", 5, "from 1 to 65535" },
	{ ACCT_OK "imap_port = 99x\n", 5, "whole number" },
	{ ACCT_OK "poll_interval = 1\n", 5, "from 5 to 86400" },
	{ "threaded = maybe\n", 1, "yes or no" },
	{ ACCT_OK "imap_tls = ssl\n", 5, "implicit, starttls or none" },
	{ ACCT_OK "smtp_tls = tls\n", 5, "implicit, starttls or none" },
	{ "[account w]\nprotocol = pop3\n", 2, "imap or jmap" },
	{ "editor = v\x1bim\n", 1, "control character" },
	{ "[account w]\npassword = x\nimap_host = h\n", 1, "has no 'email'" },
	{ "[account w]\nemail = me\npassword = x\nimap_host = h\n", 2, "must be an address" },
	{ "[account w]\nemail = a@b\npassword = x\npassword_cmd = y\nimap_host = h\n", 4, "both 'password' and 'password_cmd'" },
	{ "[account w]\nemail = a@b\nimap_host = h\n", 1, "neither 'password_cmd' nor 'password'" },
	{ "[account w]\nemail = a@b\npassword = x\n", 1, "has no 'imap_host'" },
	{ ACCT_OK "jmap_url = https://x\n", 5, "'jmap_url' needs 'protocol = jmap'" },
	{ "[account j]\nprotocol = jmap\nemail = a@b\npassword = x\n", 1, "has no 'jmap_url'" },
	{ "[account j]\nprotocol = jmap\nemail = a@b\npassword = x\njmap_url = ftp://x\n", 5, "must start with https://" },
	{ "[account j]\nprotocol = jmap\nemail = a@b\npassword = x\njmap_url = https://x\nimap_host = h\n", 6,
	  "'imap_host' needs 'protocol = imap'" },
	{ ACCT_OK "smtp_port = 587\n", 5, "'smtp_port' without 'smtp_host'" },
	{ ACCT_OK "jmap_auth = bearer\n", 5, "'jmap_auth' needs 'protocol = jmap'" },
	{ "[account j]\nprotocol = jmap\nemail = a@b\npassword = x\njmap_url = https://x\njmap_auth = oauth\n", 6,
	  "must be basic or bearer" },
	{ ACCT_OK "ca_file = /nonexistent/ca.pem\n", 5, "'ca_file' /nonexistent/ca.pem" },
#define ACCT_TOK "[account w]\nemail = me@example.org\nimap_host = imap.example.org\n"
	{ ACCT_TOK "auth = xoauth2\n", 4, "'auth = xoauth2' needs 'oauth_token_cmd'" },
	{ ACCT_TOK "auth = oauthbearer\n", 4, "'auth = oauthbearer' needs 'oauth_token_cmd'" },
	{ ACCT_TOK "auth = oauth\n", 4, "must be password, xoauth2 or oauthbearer" },
	{ ACCT_TOK "oauth_token_cmd = oama access me\n", 4, "'oauth_token_cmd' needs 'auth = xoauth2' or 'auth = oauthbearer'" },
	{ ACCT_OK "auth = xoauth2\noauth_token_cmd = oama access me\n", 6, "both 'oauth_token_cmd' and 'password_cmd'" },
	{ "[account j]\nprotocol = jmap\nemail = a@b\njmap_url = https://x\noauth_token_cmd = t\n", 5,
	  "'oauth_token_cmd' needs 'jmap_auth = bearer'" },
	{ "[account j]\nprotocol = jmap\nemail = a@b\npassword = x\njmap_url = https://x\nauth = xoauth2\n", 6,
	  "'auth' is for IMAP accounts" },
	{ ACCT_OK "sendmail = /nonexistent/sendmail -t\n", 5, "'sendmail' /nonexistent/sendmail: not an executable program" },
	{ ACCT_OK "sendmail = no-such-sendmail-here -t\n", 5, "'sendmail' no-such-sendmail-here: not an executable program in PATH" },
	{ ACCT_OK "sendmail = /tmp -t\n", 5, "'sendmail' /tmp: not an executable program" },
	{ ACCT_OK "smtp_host = s\nsendmail = /bin/cat\n", 6, "both 'sendmail' and 'smtp_host'" },
	{ "[account j]\nprotocol = jmap\nemail = a@b\npassword = x\njmap_url = https://x\nsendmail = /bin/cat\n", 6,
	  "'sendmail' is for IMAP accounts" },
	/* Identities, signatures, the address book. */
	{ ACCT_OK "[identity x]\naccount = nope\nemail = x@example.org\n", 6, "identity 'x' names no account 'nope'" },
	{ ACCT_OK "[identity x]\naccount = ww\nemail = x@example.org\n", 6, "(did you mean w?)" },
	{ ACCT_OK "[identity x]\nemail = x@example.org\n", 5, "identity 'x' has no 'account'" },
	{ ACCT_OK "[identity x]\naccount = w\n", 5, "identity 'x' has no 'email'" },
	{ ACCT_OK "[identity x]\naccount = w\nemail = nobody\n", 7, "must be an address" },
	{ ACCT_OK "[identity x]\naccount = w\nemail = ME@example.org\n", 7, "the address of account 'w' itself" },
	{ ACCT_OK "[identity x]\naccount = w\nemail = x@e.org\n[identity y]\naccount = w\nemail = x@e.org\n", 10,
	  "the address of identity 'x' (line 5)" },
	{ ACCT_OK "[identity x]\naccount = w\nemail = x@e.org\n[identity x]\n", 8, "identity 'x' is already defined on line 5" },
	{ ACCT_OK "[identity]\n", 5, "identity section without a name" },
	{ ACCT_OK "[identity x]\naccount = w\nemail = x@e.org\nimap_host = h\n", 8, "cannot be set for an identity" },
	{ ACCT_OK "[identity x]\naccount = w\nemail = x@e.org\nsmtp_hots = h\n", 8, "(did you mean smtp_host?)" },
	{ ACCT_OK "[identity x]\naccount = w\nemail = x@e.org\nsmtp_port = 25\n", 8, "'smtp_port' without 'smtp_host'" },
	{ ACCT_OK "[identity x]\naccount = w\nemail = x@e.org\nsmtp_tls = yes\n", 8, "implicit, starttls or none" },
	{ ACCT_OK "[identity x]\naccount = w\nemail = x@e.org\nsignature_file = /nonexistent/sig\n", 8,
	  "'signature_file' /nonexistent/sig" },
	{ ACCT_OK "signature_file = /nonexistent/sig\n", 5, "'signature_file' /nonexistent/sig" },
	{ ACCT_OK "signature_file = /etc/hostname\nsignature_cmd = echo x\n", 6, "both set" },
	{ ACCT_OK "account = w\n", 5, "belongs in an [identity NAME] section" },
	{ ACCT_OK "[identity x]\naccount = w\nemail = x@e.org\nsendmail = s\nsmtp_host = h\n", 8, "keep one way out" },
	{ ACCT_OK "address_book_cmd = x\n", 5, "is a global key" },
	{ "adress_book_cmd = x\n", 1, "(did you mean address_book_cmd?)" },
	{ "color quoted cyan default\ncolor qouted cyan default\n", 2, "unknown colour object 'qouted' (did you mean quoted?)" },
	{ "color = flagged rde default\n", 1, "unknown foreground colour 'rde' (did you mean red?)" },
	{ "colour unread default purple\n", 1, "unknown background colour 'purple'" },
	{ "color unread default default bold blink\n", 1, "unknown attribute 'blink'" },
	{ "color unread default default bld\n", 1, "did you mean bold?" },
	{ "color tree color256 default\n", 1, "unknown foreground colour 'color256'" },
	{ "color tree #12345g default\n", 1, "unknown foreground colour '#12345g'" },
	{ "color tree red\n", 1, "color OBJECT FOREGROUND BACKGROUND" },
	{ ACCT_OK "color tree red default\n", 5, "is a global key" },
	{ "text_flowed = sometimes\n", 1, "yes or no" },
	{ "sort = weight\n", 1, "'sort' must be one of date, arrival, from, to, subject, size, flagged, unread" },
	{ "sort.INBOX = date\n", 1, "belongs in an [account NAME] section" },
	{ ACCT_OK "sort.INBOX = weight\n", 5, "'sort.INBOX' must be one of date" },
	{ ACCT_OK "sort.INBOX = date\nsort.INBOX = size\n", 6, "'sort.INBOX' is already set on line 5" },
	{ ACCT_OK "sort. = date\n", 5, "needs a mailbox name" },
};

/* sort and sort.MAILBOX: the list's order, globally and per mailbox. */
static void
t_sort(void **state)
{
	char *path = write_conf("sort", "sort = reverse-size\n" ACCT_OK
	                        "sort.INBOX = Subject\nsort.Lists/tern dev = \"reverse-date\"\n", 0600);
	struct config *cfg = NULL;
	char *err = NULL;
	(void)state;
	assert_int_equal(conf_load(path, 1, &cfg, &err, NULL), TERN_OK);
	assert_int_equal(cfg->sort.order, SORT_SIZE);
	assert_int_equal(cfg->sort.reverse, 1);
	assert_int_equal(cfg->accounts[0].nsorts, 2);
	assert_string_equal(cfg->accounts[0].sorts[0].mailbox, "INBOX");
	assert_int_equal(cfg->accounts[0].sorts[0].sort.order, SORT_SUBJECT);
	assert_int_equal(cfg->accounts[0].sorts[0].sort.reverse, 0);
	assert_string_equal(cfg->accounts[0].sorts[1].mailbox, "Lists/tern dev");
	assert_int_equal(cfg->accounts[0].sorts[1].sort.order, SORT_DATE);
	assert_int_equal(cfg->accounts[0].sorts[1].sort.reverse, 1);
	conf_free(cfg);
	free(path);
	/* Unset: arrival, newest first, as before sorting existed. */
	path = write_conf("nosort", ACCT_OK, 0600);
	assert_int_equal(conf_load(path, 1, &cfg, &err, NULL), TERN_OK);
	assert_int_equal(cfg->sort.order, SORT_ARRIVAL);
	assert_int_equal(cfg->sort.reverse, 0);
	assert_int_equal(cfg->accounts[0].nsorts, 0);
	conf_free(cfg);
	free(path);
}

static void
t_errors_name_file_and_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char *path = write_conf("bad", bad[i].text, 0600);
		char *prefix = xasprintf("%s:%d: ", path, bad[i].line);
		struct config *cfg = (struct config *)0x1;
		char *err = NULL;
		int rc = conf_load(path, 1, &cfg, &err, NULL);
		if (rc != TERN_ECONFIG || !err || !str_has_prefix(err, prefix) || !strstr(err, bad[i].words))
			fail_msg("case %zu (%s): rc=%d err=%s; want %s...%s", i, bad[i].text, rc,
			         err ? err : "(null)", prefix, bad[i].words);
		assert_null(cfg);
		free(err);
		free(prefix);
		free(path);
	}
}

/* Colour lines in both spellings and forms, each colour notation; the
 * global text_flowed is what an account has unless it sets its own. */
static void
t_colour_and_flowed(void **state)
{
	static const char text[] =
		"text_flowed = no\n"
		"color quoted brightblue default\n"
		"color = flagged #d75f00 default bold underline\n"
		"colour indicator color17 white reverse\n"
		"[account a]\nemail = a@example.org\npassword = x\nimap_host = h\n"
		"[account b]\nemail = b@example.org\npassword = x\nimap_host = h\ntext_flowed = yes\n";
	char *path = write_conf("colour", text, 0600), *err = NULL, *why = NULL;
	struct config *cfg;
	struct colour_rule r;
	(void)state;
	assert_int_equal(conf_load(path, 1, &cfg, &err, NULL), TERN_OK);
	assert_int_equal(cfg->text_flowed, 0);
	assert_int_equal(cfg->accounts[0].text_flowed, 0);
	assert_int_equal(cfg->accounts[1].text_flowed, 1);
	assert_int_equal(cfg->colors.n, 3);
	assert_int_equal(colour_rule_parse(cfg->colors.v[0].value, &r, &why), TERN_OK);
	assert_int_equal(r.obj, COL_QUOTED);
	assert_int_equal(r.fg, 12);
	assert_int_equal(r.bg, COLOUR_DEFAULT);
	assert_int_equal(r.attrs, 0);
	assert_int_equal(colour_rule_parse(cfg->colors.v[1].value, &r, &why), TERN_OK);
	assert_int_equal(r.obj, COL_FLAGGED);
	assert_int_equal(r.fg, COLOUR_RGB | 0xd75f00);
	assert_int_equal(r.attrs, CA_BOLD | CA_UNDERLINE);
	assert_int_equal(colour_rule_parse(cfg->colors.v[2].value, &r, &why), TERN_OK);
	assert_int_equal(r.obj, COL_INDICATOR);
	assert_int_equal(r.fg, 17);
	assert_int_equal(r.bg, 7);
	assert_int_equal(r.attrs, CA_REVERSE);
	assert_int_equal(cfg->colors.v[2].line, 4);
	conf_free(cfg);
	free(path);
	/* Unset, flowed is on everywhere. */
	path = write_conf("flowed", ACCT_OK, 0600);
	assert_int_equal(conf_load(path, 1, &cfg, &err, NULL), TERN_OK);
	assert_int_equal(cfg->text_flowed, 1);
	assert_int_equal(cfg->accounts[0].text_flowed, 1);
	conf_free(cfg);
	free(path);
}

static void
t_missing_file(void **state)
{
	struct config *cfg;
	char *err = NULL, *path = xasprintf("%s/none", dir);
	(void)state;
	assert_int_equal(conf_load(path, 1, &cfg, &err, NULL), TERN_ECONFIG);
	assert_non_null(strstr(err, "cannot read"));
	free(err);
	/* Without -c, no config file simply means no accounts yet. */
	assert_int_equal(conf_load(path, 0, &cfg, &err, NULL), TERN_OK);
	assert_int_equal(cfg->naccounts, 0);
	conf_free(cfg);
	free(path);
}

static void
t_values_and_defaults(void **state)
{
	static const char text[] =
		"# global keys\n"
		"editor = vim -u NONE          # comment after blanks\n"
		"html_filter = \"w3m -dump -T text/html # not a comment\"\n"
		"data_dir = ~/mail-data\n"
		"bind = index x delete\n"
		"bind = pager y reply\n"
		"\n"
		"[account work]\n"
		"protocol = imap\n"
		"email = me@example.org\n"
		"name = My Name\n"
		"password = pa#ss\n"
		"imap_host = imap.example.org\n"
		"imap_tls = starttls\n"
		"smtp_host = smtp.example.org\n"
		"smtp_tls = starttls\n"
		"[account fm]\n"
		"protocol = jmap\n"
		"email = you@example.com\n"
		"username = you\n"
		"password_cmd = printf 'from-cmd\\nsecond line\\n'\n"
		"jmap_url = https://api.example.com\n"
		"jmap_auth = bearer\n"
		"poll_interval = 30\n"
		"copy_to_sent = no\n";
	char *path = write_conf("good", text, 0600), *err = NULL, *warn = NULL, *pw = NULL, *url;
	const struct account_cfg *w, *fm;
	struct config *cfg;
	(void)state;

	setenv("HOME", "/home/u", 1);
	assert_int_equal(conf_load(path, 1, &cfg, &err, &warn), TERN_OK);
	assert_null(warn);
	assert_string_equal(cfg->editor, "vim -u NONE");
	assert_string_equal(cfg->html_filter, "w3m -dump -T text/html # not a comment");
	assert_string_equal(cfg->data_dir, "/home/u/mail-data");
	assert_int_equal(cfg->binds.n, 2);
	assert_string_equal(cfg->binds.v[1].value, "pager y reply");
	assert_int_equal(cfg->binds.v[1].line, 6);
	assert_int_equal(cfg->naccounts, 2);

	w = conf_account(cfg, "work");
	assert_non_null(w);
	assert_string_equal(w->username, "me@example.org");   /* defaults to email */
	assert_string_equal(w->password, "pa#ss");           /* '#' not after a blank */
	assert_string_equal(w->real_name, "My Name");
	assert_int_equal(w->imap_port, 143);                  /* starttls default */
	assert_int_equal(w->smtp_port, 587);
	assert_int_equal(w->poll_interval, 60);
	assert_int_equal(w->delete_to_trash, 1);
	assert_int_equal(w->copy_to_sent, 1);
	assert_int_equal(w->jmap_auth, JMAP_AUTH_BASIC);   /* the default */

	fm = conf_account(cfg, "fm");
	assert_non_null(fm);
	assert_int_equal(fm->protocol, PROTO_JMAP);
	assert_int_equal(fm->poll_interval, 30);
	assert_int_equal(fm->copy_to_sent, 0);
	assert_int_equal(fm->jmap_auth, JMAP_AUTH_BEARER);
	assert_int_equal(conf_password(fm, &pw, &err), TERN_OK);
	assert_string_equal(pw, "from-cmd");                  /* first line only */
	free(pw);
	url = conf_jmap_session_url(fm);
	assert_string_equal(url, "https://api.example.com/.well-known/jmap");
	free(url);
	assert_null(conf_account(cfg, "nope"));
	conf_free(cfg);
	free(path);
}

static void
t_warnings(void **state)
{
	char *path = write_conf("warn", ACCT_OK, 0600), *err = NULL, *warn = NULL;
	struct config *cfg;
	(void)state;
	/* An account without smtp_host can read mail but not send it: said. */
	assert_int_equal(conf_load(path, 1, &cfg, &err, &warn), TERN_OK);
	assert_non_null(warn);
	assert_non_null(strstr(warn, ":1: warning: account 'w' has no 'smtp_host'"));
	conf_free(cfg);
	free(warn);
	warn = NULL;
	free(path);
	/* A literal password in a file others can read is allowed, with a warning. */
	path = write_conf("warn", "[account w]\nemail = a@b.c\npassword = s3cret\nimap_host = h\n", 0644);
	assert_int_equal(conf_load(path, 1, &cfg, &err, &warn), TERN_OK);
	assert_non_null(warn);
	assert_non_null(strstr(warn, ":3: warning: a password is stored in a file that others can read"));
	assert_null(strstr(warn, "s3cret"));
	conf_free(cfg);
	free(warn);
	free(path);
}

/* A comment after a section header, as after a value; relative paths are
 * relative to the config file's directory, not to the current one. */
static void
t_header_comment_and_relative_paths(void **state)
{
	char *path = write_conf("rel", "data_dir = mail/data\n[account w] # work\nemail = a@b.c\npassword = x\n"
	                               "imap_host = h\nsmtp_host = s\n", 0600);
	char *err = NULL, *want, *d = xstrdup(path);
	struct config *cfg;
	(void)state;
	*strrchr(d, '/') = '\0';
	want = xasprintf("%s/mail/data", d);
	assert_int_equal(conf_load(path, 1, &cfg, &err, NULL), TERN_OK);
	assert_non_null(conf_account(cfg, "w"));
	assert_string_equal(cfg->data_dir, want);
	conf_free(cfg);
	free(want);
	free(d);
	free(path);
}

static void
t_password_cmd_failure(void **state)
{
	char *path = write_conf("pwfail", "[account w]\nemail = a@b.c\npassword_cmd = exit 3\nimap_host = h\n", 0600);
	char *err = NULL, *pw = NULL;
	struct config *cfg;
	(void)state;
	assert_int_equal(conf_load(path, 1, &cfg, &err, NULL), TERN_OK);
	assert_int_equal(conf_password(conf_account(cfg, "w"), &pw, &err), TERN_ECONFIG);
	assert_null(pw);
	assert_non_null(strstr(err, "exit status 3"));
	free(err);
	conf_free(cfg);
	free(path);
	/* A command that succeeds with an empty first line gives no password. */
	path = write_conf("pwempty", "[account w]\nemail = a@b.c\npassword_cmd = printf '\\nsecond\\n'\nimap_host = h\n", 0600);
	err = NULL;
	assert_int_equal(conf_load(path, 1, &cfg, &err, NULL), TERN_OK);
	assert_int_equal(conf_password(conf_account(cfg, "w"), &pw, &err), TERN_ECONFIG);
	assert_null(pw);
	assert_non_null(strstr(err, "printed an empty first line"));
	free(err);
	conf_free(cfg);
	free(path);
}

/* oauth_token_cmd: the token is what it prints; a failure shows its exit
 * status and first stderr line, never its output; a hang is stopped at
 * the account's timeout. */
static void
t_oauth_token_cmd(void **state)
{
	char *path = write_conf("tok", "[account w]\nemail = a@b.c\nimap_host = h\nauth = oauthbearer\n"
	                        "oauth_token_cmd = printf 'ya29.tok \\nrest\\n'\nsendmail = /bin/cat -t\n", 0600);
	char *err = NULL, *tok = NULL;
	struct config *cfg;
	const struct account_cfg *a;
	(void)state;
	assert_int_equal(conf_load(path, 1, &cfg, &err, NULL), TERN_OK);
	a = conf_account(cfg, "w");
	assert_int_equal(a->auth, AUTH_OAUTHBEARER);
	assert_true(conf_uses_token(a));
	assert_string_equal(account_sendmail(a), "/bin/cat -t");
	assert_int_equal(conf_password(a, &tok, &err), TERN_OK);
	assert_string_equal(tok, "ya29.tok");
	free(tok);
	conf_free(cfg);
	free(path);

	path = write_conf("tokfail", "[account w]\nemail = a@b.c\nimap_host = h\nauth = xoauth2\n"
	                  "oauth_token_cmd = echo secret-out; echo 'oama: no refresh token' >&2; exit 2\n", 0600);
	assert_int_equal(conf_load(path, 1, &cfg, &err, NULL), TERN_OK);
	assert_int_equal(conf_password(conf_account(cfg, "w"), &tok, &err), TERN_ECONFIG);
	assert_null(tok);
	assert_non_null(strstr(err, "oauth_token_cmd failed (exit status 2): oama: no refresh token"));
	assert_null(strstr(err, "secret-out"));
	free(err);
	err = NULL;
	conf_free(cfg);
	free(path);

	path = write_conf("tokhang", "[account w]\nemail = a@b.c\nimap_host = h\nauth = xoauth2\ntimeout = 1\n"
	                  "oauth_token_cmd = sleep 30\n", 0600);
	assert_int_equal(conf_load(path, 1, &cfg, &err, NULL), TERN_OK);
	assert_int_equal(conf_password(conf_account(cfg, "w"), &tok, &err), TERN_ECONFIG);
	assert_non_null(strstr(err, "oauth_token_cmd did not finish within 1 s and was stopped"));
	free(err);
	conf_free(cfg);
	free(path);
}

/* [identity] sections belong to their account in file order, keep their
 * own keys, and a signature comes from its file or its command. */
static void
t_identities(void **state)
{
	char *sigpath = write_conf("sig", "Jo Doe\nexample.org\n\n\n", 0600);
	char *text = xasprintf("address_book_cmd = abook --mutt-query %%s\n"
	                       ACCT_OK "signature_file = %s\n"
	                       "[identity list]\naccount = w\nemail = Lists@example.org\nname = Jo (lists)\n"
	                       "signature_cmd = printf 'from a command\\n'\nsendmail = /usr/sbin/sendmail -oi\n"
	                       "[identity work]\naccount = w\nemail = jo@work.example\n"
	                       "smtp_host = smtp.work.example\nsmtp_port = 2525\nsmtp_tls = starttls\n", sigpath);
	char *path = write_conf("ids", text, 0600);
	char *err = NULL, *sig = NULL;
	struct config *cfg;
	const struct account_cfg *a;
	const struct identity_cfg *id;
	(void)state;

	if (conf_load(path, 1, &cfg, &err, NULL) != TERN_OK)
		fail_msg("%s", err);
	assert_string_equal(cfg->address_book_cmd, "abook --mutt-query %s");
	a = conf_account(cfg, "w");
	assert_int_equal(a->nidentities, 2);
	assert_string_equal(a->identities[0]->name, "list");
	assert_string_equal(a->identities[1]->name, "work");
	id = conf_identity_by_email(a, "lists@EXAMPLE.org");
	assert_ptr_equal(id, a->identities[0]);
	assert_string_equal(id->real_name, "Jo (lists)");
	assert_string_equal(id->sendmail, "/usr/sbin/sendmail -oi");
	assert_null(id->smtp_host);
	assert_null(conf_identity_by_email(a, "me@example.org"));
	id = conf_identity_by_email(a, "jo@work.example");
	assert_string_equal(id->smtp_host, "smtp.work.example");
	assert_int_equal(id->smtp_port, 2525);
	assert_int_equal(id->smtp_tls, TLS_STARTTLS);
	assert_true(id->smtp_tls_set);

	assert_int_equal(conf_signature(a->signature_file, a->signature_cmd, &sig, &err), TERN_OK);
	assert_string_equal(sig, "Jo Doe\nexample.org");
	free(sig);
	id = a->identities[0];
	assert_int_equal(conf_signature(id->signature_file, id->signature_cmd, &sig, &err), TERN_OK);
	assert_string_equal(sig, "from a command");
	free(sig);
	assert_int_equal(conf_signature(NULL, "exit 4", &sig, &err), TERN_EIO);
	assert_null(sig);
	assert_non_null(strstr(err, "exit status 4"));
	free(err);
	conf_free(cfg);
	free(path);
	free(text);
	free(sigpath);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	(void)state;
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_errors_name_file_and_line),
		cmocka_unit_test(t_missing_file),
		cmocka_unit_test(t_colour_and_flowed),
		cmocka_unit_test(t_sort),
		cmocka_unit_test(t_values_and_defaults),
		cmocka_unit_test(t_warnings),
		cmocka_unit_test(t_header_comment_and_relative_paths),
		cmocka_unit_test(t_password_cmd_failure),
		cmocka_unit_test(t_oauth_token_cmd),
		cmocka_unit_test(t_identities),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
