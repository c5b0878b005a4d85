#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/cli.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_sort.h"
#include "db/db_sync.h"
#include "src/base/err.h"
#include "src/base/jsonout.h"
#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "src/base/util.h"

struct print_ctx {
	int json;
	const char *account;
	const char *mailbox;
	int count;
	db *d;                    /* mailboxes: their failure counts */
	int64_t account_id;
	struct sort_spec sort;    /* arrival unless --sort */
	struct sort_cursor last;  /* the last row printed, where the next page starts */
};

static void
put_line(strbuf *sb)
{
	sb_addc(sb, '\n');
	fwrite(sb->buf, 1, sb->len, stdout);
	sb_reset(sb);
}

static int
print_mailbox(const struct mailbox_row *r, void *ctx)
{
	struct print_ctx *p = ctx;
	strbuf sb = STRBUF_INIT;
	/* A folder the server keeps refusing (or answering garbage for) is
	 * left out of the syncs for a while (imap_engine.c): the user sees it
	 * here, not only in the log. */
	int fails = r->remote_id ? db_mailbox_failures(p->d, p->account_id, r->remote_id) : 0;
	if (p->json) {
		json_begin(&sb);
		json_str(&sb, "name", r->name);
		json_str(&sb, "role", r->role);
		json_int(&sb, "total", r->total);
		json_int(&sb, "unread", r->unread);
		json_bool(&sb, "selectable", r->selectable);
		json_int(&sb, "sync_failures", fails);
		json_end(&sb);
	} else {
		char *name = cli_term(text_sanitize(r->name, 0), stdout);
		/* Padded by display width: "Отчёты" is 6 cells but 12 bytes. */
		cli_add_padded(&sb, name, 40);
		sb_printf(&sb, " %-8s %8lld %8lld", r->role ? r->role : "-", (long long)r->total,
		          (long long)r->unread);
		if (fails == 1)
			sb_adds(&sb, "  (its last sync failed: see the log)");
		else if (fails)
			sb_printf(&sb, "  (its last %d syncs failed: see the log)", fails);
		free(name);
	}
	put_line(&sb);
	sb_free(&sb);
	p->count++;
	return 0;
}

int
cmd_mailboxes(struct cli_ctx *c, int argc, char **argv)
{
	struct print_ctx p = { 0 };
	const char *account = NULL;
	int64_t account_id;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			p.json = 1;
		else if (argv[i][0] == '-') {
			cli_error("mailboxes: unknown option '%s'", argv[i]);
			return EXIT_USAGE;
		} else if (!account)
			account = argv[i];
		else {
			cli_error("usage: tern mailboxes [--json] ACCOUNT");
			return EXIT_USAGE;
		}
	}
	if (!account) {
		cli_error("usage: tern mailboxes [--json] ACCOUNT");
		return EXIT_USAGE;
	}
	if ((rc = cli_account(c, account, NULL, &account_id)) != EXIT_OK)
		return rc;
	p.d = c->db;
	p.account_id = account_id;
	if (!p.json)
		printf("%-40s %-8s %8s %8s\n", "MAILBOX", "ROLE", "TOTAL", "UNREAD");
	if (db_mailbox_each(c->db, account_id, print_mailbox, &p) != TERN_OK) {
		cli_error("database error");
		return EXIT_DB;
	}
	/* No mailbox is an empty list, not a failure (scripts create the
	 * account's row this way); stderr says why it is empty. */
	if (p.count == 0 && cli_synced(c, account_id, account) == EXIT_DB)
		return EXIT_DB;
	return EXIT_OK;
}

static int
print_message(const struct msg_row *m, const struct sort_cursor *cur, void *ctx)
{
	struct print_ctx *p = ctx;
	strbuf sb = STRBUF_INIT;

	cli_format_message(&sb, m, p->account, p->mailbox, p->json, -1);
	fwrite(sb.buf, 1, sb.len, stdout);
	sb_free(&sb);
	p->last = *cur;
	p->count++;
	return 0;
}

int
cmd_list(struct cli_ctx *c, int argc, char **argv)
{
	static const char usage[] =
		"usage: tern list [--json] [--limit N] [--sort KEY] [--reverse] ACCOUNT MAILBOX";
	struct print_ctx p = { 0 };
	const char *account = NULL, *mailbox = NULL;
	struct mailbox_row mb = { 0 };
	long limit = 50;
	int64_t account_id;
	int rc, reverse = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			p.json = 1;
		else if (strcmp(argv[i], "--reverse") == 0)
			reverse = 1;
		else if (strcmp(argv[i], "--sort") == 0) {
			if (i + 1 >= argc || sort_parse(argv[i + 1], &p.sort) != TERN_OK) {
				cli_error("--sort needs one of: %s", sort_names());
				return EXIT_USAGE;
			}
			i++;
		} else if (strcmp(argv[i], "--limit") == 0) {
			if (i + 1 >= argc || str_to_long(argv[i + 1], 1, 100000000, &limit) != 0) {
				cli_error("--limit needs a positive number");
				return EXIT_USAGE;
			}
			i++;
		} else if (argv[i][0] == '-') {
			cli_error("list: unknown option '%s'\n%s", argv[i], usage);
			return EXIT_USAGE;
		} else if (!account)
			account = argv[i];
		else if (!mailbox)
			mailbox = argv[i];
		else {
			cli_error("%s", usage);
			return EXIT_USAGE;
		}
	}
	if (!account || !mailbox) {
		cli_error("%s", usage);
		return EXIT_USAGE;
	}
	if ((rc = cli_account(c, account, NULL, &account_id)) != EXIT_OK)
		return rc;
	rc = db_mailbox_find(c->db, account_id, mailbox, &mb);
	if (rc == TERN_ENOTFOUND) {
		if ((rc = cli_synced(c, account_id, account)) != EXIT_OK)
			return rc;
		cli_error("no mailbox '%s' in account '%s' (see 'tern mailboxes %s')", mailbox, account, account);
		return EXIT_FAIL;
	}
	if (rc == TERN_EINVAL) {
		cli_error("'%s' matches several mailboxes in account '%s' when case and accents are ignored; "
		          "give its exact name (see 'tern mailboxes %s')", mailbox, account, account);
		return EXIT_FAIL;
	}
	if (rc != TERN_OK) {
		cli_error("database error");
		return EXIT_DB;
	}
	p.account = account;
	p.mailbox = mb.name;
	if (reverse)
		p.sort.reverse = !p.sort.reverse;
	/* Pages through the index, so memory stays flat whatever the limit. */
	for (long left = limit; left > 0;) {
		int before = p.count, chunk = left > 500 ? 500 : (int)left;
		rc = db_sort_page(c->db, mb.id, &p.sort, p.count ? &p.last : NULL, 0, chunk, print_message, &p);
		if (rc != TERN_OK) {
			cli_error("database error");
			db_mailbox_row_free(&mb);
			return EXIT_DB;
		}
		if (p.count - before < chunk)
			break;
		left -= chunk;
	}
	db_mailbox_row_free(&mb);
	return EXIT_OK;
}
