/* tern search: the local index, newest first, then the results a server
 * search of the same query stored (db_search_hits_*), marked as such. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_body.h"
#include "src/cli/cli.h"
#include "db/db_account.h"
#include "db/db_mailbox.h"
#include "db/db_search.h"
#include "src/base/err.h"
#include "src/search/search.h"
#include "src/base/strbuf.h"
#include "sync/sync.h"
#include "src/base/util.h"

static const char usage[] =
	"usage: tern search [--json] [--limit N] [--server] ACCOUNT QUERY...\n"
	"       tern search [--json] [--limit N] [--server] --all QUERY...";

struct out {
	struct cli_ctx *c;
	int json;
	long left;                /* rows still to print */
	int printed;
	int server_heading;       /* the "found on the server" line was printed */
	struct search_cursor last;
	int64_t mb_id, acct_id;   /* one-entry caches of the names printed */
	char *mb_name, *acct_name;
};

static const char *
mailbox_name(struct out *o, int64_t id)
{
	struct mailbox_row mb = { 0 };
	if (id != o->mb_id || !o->mb_name) {
		free(o->mb_name);
		o->mb_name = db_mailbox_get(o->c->db, id, &mb) == TERN_OK ? xstrdup(mb.name) : xstrdup("");
		o->mb_id = id;
		db_mailbox_row_free(&mb);
	}
	return o->mb_name;
}

static const char *
account_name(struct out *o, int64_t id)
{
	if (id != o->acct_id || !o->acct_name) {
		free(o->acct_name);
		o->acct_name = NULL;
		if (db_account_name(o->c->db, id, &o->acct_name) != TERN_OK)
			o->acct_name = xstrdup("");
		o->acct_id = id;
	}
	return o->acct_name;
}

/* The lines of `tern list`, plus "server" in JSON. */
static int
print_row(const struct msg_row *m, int server_hit, void *ctx)
{
	struct out *o = ctx;
	strbuf sb = STRBUF_INIT;

	if (server_hit && !o->server_heading && !o->json) {
		fflush(stdout);
		fprintf(stderr, "tern: found on the server only (bodies not cached here):\n");
		o->server_heading = 1;
	}
	/* The names cost a lookup: only JSON prints them. */
	cli_format_message(&sb, m, o->json ? account_name(o, m->account_id) : NULL,
	                   o->json ? mailbox_name(o, m->mailbox_id) : NULL, o->json, server_hit);
	fwrite(sb.buf, 1, sb.len, stdout);
	sb_free(&sb);
	o->last = (struct search_cursor){ server_hit, m->received_at, m->id };
	o->printed++;
	return --o->left <= 0;
}

/* Prints rows from where the last call stopped until the limit or the end.
 * The local rows come first, so a second call after a server search prints
 * just what the server added. */
static int
print_more(struct out *o, const search_query *q, const struct search_scope *sc)
{
	while (o->left > 0) {
		int before = o->printed, chunk = o->left > 200 ? 200 : (int)o->left;
		int rc = db_search_page(o->c->db, q, sc, o->printed ? &o->last : NULL, 0, chunk, print_row, o);
		if (rc != TERN_OK)
			return rc;
		if (o->printed - before < chunk)
			break;
	}
	fflush(stdout);
	return TERN_OK;
}

/* --server: the local rows are out already; each account's server is
 * asked, and what it adds is printed after them. An account that cannot be
 * reached is a warning, not a failure: the local results stand. */
static int
ask_servers(struct out *o, const char *text, const search_query *q, const struct search_scope *sc,
            const struct account_cfg *const *accts)
{
	if (!search_query_has_text(q))
		return EXIT_OK;
	for (size_t k = 0; k < sc->n && o->left > 0; k++) {
		struct sync_env env = { o->c->cfg, accts[k], o->c->data_dir, o->c->db_path };
		char *err = NULL;
		int rc = sync_server_search(&env, text, &err);
		if (rc != TERN_OK) {
			cli_error("%s: server search: %s", accts[k]->name, err ? err : tern_strerror(rc));
		}
		free(err);
	}
	if (print_more(o, q, sc) != TERN_OK) {
		cli_error("database error");
		return EXIT_DB;
	}
	return EXIT_OK;
}

static int
add_account(struct cli_ctx *c, const char *name, int64_t **ids, const struct account_cfg ***accts, size_t *n)
{
	const struct account_cfg *a;
	int64_t id;
	int rc = cli_account(c, name, &a, &id);
	if (rc != EXIT_OK)
		return rc;
	*ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
	*accts = xrealloc(*accts, (*n + 1) * sizeof **accts);
	(*ids)[*n] = id;
	(*accts)[(*n)++] = a;
	return EXIT_OK;
}

int
cmd_search(struct cli_ctx *c, int argc, char **argv)
{
	struct out o = { .c = c, .left = 50 };
	int all = 0, server = 0, rc = EXIT_OK, left;
	const char *account = NULL;
	strbuf text = STRBUF_INIT;
	search_query *q = NULL;
	struct search_error perr = { 0 };
	int64_t *ids = NULL;
	const struct account_cfg **accts = NULL;
	size_t n = 0;
	int i;

	/* Only "--" words are options: a single "-" starts a negated term, the
	 * query's first word when it follows --all (tern search --all -is:read). */
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (strcmp(argv[i], "--json") == 0)
			o.json = 1;
		else if (strcmp(argv[i], "--all") == 0)
			all = 1;
		else if (strcmp(argv[i], "--server") == 0)
			server = 1;
		else if (strcmp(argv[i], "--limit") == 0) {
			if (i + 1 >= argc || str_to_long(argv[i + 1], 1, 100000000, &o.left) != 0) {
				cli_error("--limit needs a positive number");
				return EXIT_USAGE;
			}
			i++;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			cli_error("search: unknown option '%s'\n%s", argv[i], usage);
			return EXIT_USAGE;
		}
	}
	if (!all && i < argc) {
		if (argv[i][0] == '-' && strcmp(argv[i - 1], "--") != 0) {
			cli_error("search: the ACCOUNT (or --all) comes before the query\n%s", usage);
			return EXIT_USAGE;
		}
		account = argv[i++];
	}
	/* The rest is the query; several words need no quoting as a whole. */
	for (; i < argc; i++) {
		if (text.len)
			sb_addc(&text, ' ');
		sb_adds(&text, argv[i]);
	}
	if (!text.len) {
		cli_error("%s", usage);
		sb_free(&text);
		return EXIT_USAGE;
	}
	if (search_parse(text.buf, time_now(), &q, &perr) != TERN_OK) {
		char *msg = search_error_format(text.buf, &perr);
		cli_error("bad query: %s", msg);
		free(msg);
		search_error_free(&perr);
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = cli_open_db(c)) != EXIT_OK)
		goto out;
	if (all) {
		for (size_t k = 0; k < c->cfg->naccounts && rc == EXIT_OK; k++)
			rc = add_account(c, c->cfg->accounts[k].name, &ids, &accts, &n);
	} else if ((rc = add_account(c, account, &ids, &accts, &n)) == EXIT_OK)
		rc = cli_synced(c, ids[0], account);
	if (rc != EXIT_OK)
		goto out;
	/* Bodies cached before the index existed are indexed once, here or by
	 * a worker, whichever comes first. */
	if (body_reindex(c->db, 1000000, &left) != TERN_OK) {
		cli_error("database error while indexing");
		rc = EXIT_DB;
		goto out;
	}
	{
		struct search_scope sc = { ids, n };
		if (n == 0 || print_more(&o, q, &sc) != TERN_OK) {
			if (n)
				cli_error("database error");
			rc = n ? EXIT_DB : EXIT_OK;
			goto out;
		}
		if (server)
			rc = ask_servers(&o, text.buf, q, &sc, accts);
	}
out:
	search_query_free(q);
	sb_free(&text);
	free(ids);
	free(accts);
	free(o.mb_name);
	free(o.acct_name);
	return rc;
}
