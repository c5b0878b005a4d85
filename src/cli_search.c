/* tern search: the local index, newest first, then the results a server
 * search of the same query stored (db_search_hits_*), marked as such. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "body.h"
#include "cli.h"
#include "db/db_account.h"
#include "db/db_mailbox.h"
#include "db/db_search.h"
#include "err.h"
#include "jsonout.h"
#include "search.h"
#include "strbuf.h"
#include "textsafe.h"
#include "util.h"

static const char usage[] =
	"usage: tern search [--json] [--limit N] ACCOUNT QUERY...\n"
	"       tern search [--json] [--limit N] --all QUERY...";

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

/* The columns and JSON fields of `tern list`, plus "server". */
static int
print_row(const struct msg_row *m, int server_hit, void *ctx)
{
	struct out *o = ctx;
	strbuf sb = STRBUF_INIT;
	char date[32];
	char *from = *m->from_name && *m->from_addr ? xasprintf("%s <%s>", m->from_name, m->from_addr)
	                                           : xstrdup(*m->from_name ? m->from_name : m->from_addr);

	if (server_hit && !o->server_heading && !o->json) {
		fflush(stdout);
		fprintf(stderr, "tern: found on the server only (bodies not cached here):\n");
		o->server_heading = 1;
	}
	if (o->json) {
		time_rfc3339(m->sent_at ? m->sent_at : m->received_at, date, sizeof date);
		json_begin(&sb);
		json_int(&sb, "id", m->id);
		json_str(&sb, "account", account_name(o, m->account_id));
		json_str(&sb, "mailbox", mailbox_name(o, m->mailbox_id));
		if (m->email_id)
			json_str(&sb, "email_id", m->email_id);
		else
			json_int(&sb, "uid", m->uid);
		json_str(&sb, "message_id", *m->message_id ? m->message_id : NULL);
		json_str(&sb, "subject", m->subject);
		json_str(&sb, "from", from);
		json_str(&sb, "to", m->to_list);
		json_str(&sb, "date", date);
		json_bool(&sb, "seen", !!(m->flags & MSG_SEEN));
		json_bool(&sb, "flagged", !!(m->flags & MSG_FLAGGED));
		json_bool(&sb, "answered", !!(m->flags & MSG_ANSWERED));
		json_bool(&sb, "draft", !!(m->flags & MSG_DRAFT));
		json_int(&sb, "size", m->size);
		json_bool(&sb, "has_attachments", m->has_attachment);
		json_bool(&sb, "pending", m->pending);
		json_bool(&sb, "failed", m->failed);
		json_bool(&sb, "server", server_hit);
		json_end(&sb);
	} else {
		time_t t = (time_t)(m->sent_at ? m->sent_at : m->received_at);
		struct tm tm;
		char *sf = text_sanitize(from, 0), *ss = text_sanitize(m->subject, 0);
		localtime_r(&t, &tm);
		strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
		sb_printf(&sb, "%8lld  %s  %c%c%c%c%c  %-28.28s  %s", (long long)m->id, date,
		          (m->flags & MSG_SEEN) ? ' ' : 'N', (m->flags & MSG_FLAGGED) ? '!' : ' ',
		          (m->flags & MSG_ANSWERED) ? 'r' : ' ', m->has_attachment ? '+' : ' ',
		          m->failed ? 'E' : m->pending ? '~' : ' ', sf, ss);
		free(sf);
		free(ss);
	}
	sb_addc(&sb, '\n');
	fwrite(sb.buf, 1, sb.len, stdout);
	sb_free(&sb);
	free(from);
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
	int all = 0, rc = EXIT_OK, left;
	const char *account = NULL;
	strbuf text = STRBUF_INIT;
	search_query *q = NULL;
	struct search_error perr = { 0 };
	int64_t *ids = NULL;
	const struct account_cfg **accts = NULL;
	size_t n = 0;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--json") == 0)
			o.json = 1;
		else if (strcmp(argv[i], "--all") == 0)
			all = 1;
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
	if (!all && i < argc)
		account = argv[i++];
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
	} else
		rc = add_account(c, account, &ids, &accts, &n);
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
