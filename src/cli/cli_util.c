#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "src/cli/cli.h"
#include "db/db_account.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "src/base/err.h"
#include "src/base/paths.h"
#include "db/db_sync.h"
#include "src/base/err.h"
#include "src/base/paths.h"
#include "src/base/textsafe.h"
#include "ui/keymap.h"
#include "src/base/util.h"

void
cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("tern: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_load_config(struct cli_ctx *c)
{
	char *err = NULL, *warn = NULL;
	keymap *km = NULL;
	if (c->cfg)
		return EXIT_OK;
	if (conf_load(c->config_path, c->config_explicit, &c->cfg, &err, &warn) != TERN_OK) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return EXIT_CONFIG;
	}
	/* The bind lines are part of the file: a bad one is a config error for
	 * every command, as an unknown key is, before anything is touched. The
	 * keymap knows the contexts, keys and actions, so it judges them. */
	if (keymap_new(&c->cfg->binds, &km, &err) != TERN_OK) {
		fprintf(stderr, "%s\n", err);
		free(err);
		free(warn);
		return EXIT_CONFIG;
	}
	keymap_free(km);
	/* Warnings are for `config check` and the TUI, not every script call. */
	c->warnings = warn;
	return EXIT_OK;
}

int
cli_open_db(struct cli_ctx *c)
{
	char *err = NULL;
	int rc;

	if (c->db)
		return EXIT_OK;
	if ((rc = cli_load_config(c)) != EXIT_OK)
		return rc;
	if (!c->data_dir)
		c->data_dir = c->cfg->data_dir ? xstrdup(c->cfg->data_dir) : paths_data_dir();
	if (mkdir_p(c->data_dir, 0700) != TERN_OK) {
		cli_error("cannot create data directory %s", c->data_dir);
		return EXIT_DB;
	}
	free(c->db_path);
	c->db_path = xasprintf("%s/tern.db", c->data_dir);
	if (db_open(c->db_path, &c->db, &err) != TERN_OK) {
		cli_error("%s", err);
		free(err);
		return EXIT_DB;
	}
	return EXIT_OK;
}

int
cli_account(struct cli_ctx *c, const char *name, const struct account_cfg **acct, int64_t *id)
{
	const struct account_cfg *a;
	int rc;

	if ((rc = cli_open_db(c)) != EXIT_OK)
		return rc;
	a = conf_account(c->cfg, name);
	if (!a) {
		if (c->cfg->naccounts == 0)
			cli_error("no account '%s': %s defines no accounts", name,
			          c->cfg->path ? c->cfg->path : c->config_path);
		else
			cli_error("no account '%s' in %s", name, c->cfg->path);
		return EXIT_USAGE;
	}
	rc = db_account_ensure(c->db, a->name, a->protocol == PROTO_JMAP ? "jmap" : "imap", a->email, id);
	if (rc == TERN_ECONFIG) {
		cli_error("account '%s' changed protocol; its stored mail belongs to the old one. "
		          "Rename the account section to start afresh", name);
		return EXIT_CONFIG;
	}
	if (rc != TERN_OK) {
		cli_error("database error for account '%s'", name);
		return EXIT_DB;
	}
	if (acct)
		*acct = a;
	return EXIT_OK;
}

char *
cli_term(char *safe, FILE *f)
{
	char *ascii;
	/* Into a file or a pipe the text stays as stored (a cron job runs
	 * under LANG=C too); only a terminal that cannot show it gets ASCII. */
	if (!text_ascii_only() || !isatty(fileno(f)))
		return safe;
	ascii = text_ascii(safe);
	free(safe);
	return ascii;
}

static int
any_mailbox(const struct mailbox_row *r, void *ctx)
{
	(void)r;
	*(int *)ctx = 1;
	return 1;
}

int
cli_synced(struct cli_ctx *c, int64_t account_id, const char *name)
{
	struct account_status st = { 0 };
	int have = 0;
	char *why;

	if (db_mailbox_each(c->db, account_id, any_mailbox, &have) != TERN_OK) {
		cli_error("database error");
		return EXIT_DB;
	}
	if (have)
		return EXIT_OK;
	/* "no mailbox 'inbox'" would send the user looking for a typo when
	 * the cause is a login that never worked: say that, and the reason
	 * the last attempt gave (the server's words, so made inert). */
	if (db_status_get(c->db, account_id, &st) == TERN_OK && st.last_error && *st.last_error) {
		why = cli_term(text_sanitize(st.last_error, 0), stderr);
		cli_error("account '%s' has not been synced yet: %s\n"
		          "(fix that, then run 'tern sync --once %s')", name, why, name);
		free(why);
	} else {
		cli_error("account '%s' has not been synced yet (run 'tern sync --once %s', or open tern)",
		          name, name);
	}
	db_status_free(&st);
	return EXIT_FAIL;
}

int
cli_exit_status(int rc)
{
	switch (rc) {
	case TERN_OK:
		return EXIT_OK;
	case TERN_EDB:
	case TERN_ETOONEW:
		return EXIT_DB;
	case TERN_ECONFIG:
		return EXIT_CONFIG;
	default:
		return EXIT_FAIL;
	}
}

int
cli_parse_id(const char *arg, int64_t *id)
{
	long v;
	if (str_to_long(arg, 1, 0x7fffffffffffffffL, &v) != 0) {
		cli_error("'%s' is not a message id (a positive number as printed by 'tern list')", arg);
		return EXIT_USAGE;
	}
	*id = v;
	return EXIT_OK;
}

int
cli_message_account(struct cli_ctx *c, int64_t msg_id, const struct account_cfg **acct, int64_t *account_id)
{
	struct msg_row m = { 0 };
	char *name = NULL;
	int rc;

	if ((rc = cli_open_db(c)) != EXIT_OK)
		return rc;
	if (db_message_get(c->db, msg_id, &m) != TERN_OK) {
		cli_error("no message with id %lld", (long long)msg_id);
		return EXIT_FAIL;
	}
	*account_id = m.account_id;
	db_msg_row_free(&m);
	if (db_account_name(c->db, *account_id, &name) != TERN_OK) {
		cli_error("database error");
		return EXIT_DB;
	}
	*acct = conf_account(c->cfg, name);
	if (!*acct) {
		cli_error("message %lld belongs to account '%s', which is no longer in %s",
		          (long long)msg_id, name, c->config_path);
		free(name);
		return EXIT_CONFIG;
	}
	free(name);
	return EXIT_OK;
}

/* The byte length of the longest prefix of s (valid UTF-8, no controls:
 * text_sanitize's output) that fits in max cells; *cells gets its width.
 * Decodes by hand so that a non-UTF-8 locale still never splits a
 * character; widths come from wcwidth where the locale knows them. */
size_t
cli_fit_cells(const char *s, int max, int *cells)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	int used = 0;

	while (u[i]) {
		size_t k = u[i] < 0x80 ? 1 : u[i] < 0xE0 ? 2 : u[i] < 0xF0 ? 3 : 4;
		wchar_t wc = k == 1 ? u[i] : (wchar_t)(u[i] & (0x7F >> k));
		int w;
		for (size_t j = 1; j < k; j++) {
			if ((u[i + j] & 0xC0) != 0x80) {   /* cannot happen after text_sanitize */
				k = j;
				break;
			}
			wc = (wc << 6) | (u[i + j] & 0x3F);
		}
		w = wcwidth(wc);
		if (w < 0)
			w = 1;
		if (used + w > max)
			break;
		used += w;
		i += k;
	}
	*cells = used;
	return i;
}

void
cli_add_padded(strbuf *sb, const char *safe, int cells)
{
	int used;
	cli_fit_cells(safe, 1 << 30, &used);
	sb_adds(sb, safe);
	if (used < cells)
		sb_printf(sb, "%*s", cells - used, "");
}
