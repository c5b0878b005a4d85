#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "db/db_account.h"
#include "db/db_change.h"
#include "db/db_queue.h"
#include "err.h"
#include "jsonout.h"
#include "strbuf.h"
#include "textsafe.h"
#include "util.h"

struct qctx {
	struct cli_ctx *c;
	int json;
	int n;
};

static int
print_change(const struct queue_row *r, void *ctx)
{
	struct qctx *q = ctx;
	strbuf sb = STRBUF_INIT;
	char when[32], *account = NULL;

	db_account_name(q->c->db, r->account_id, &account);
	time_rfc3339(r->created_at, when, sizeof when);
	if (q->json) {
		json_begin(&sb);
		json_int(&sb, "change", r->id);
		json_str(&sb, "account", account);
		json_str(&sb, "type", r->change_type);
		json_int(&sb, r->resource_type[0] == 'O' ? "outbox" : "id", r->resource_id);
		json_str(&sb, "status", r->status);
		json_int(&sb, "attempts", r->attempts);
		json_str(&sb, "error", *r->last_error ? r->last_error : NULL);
		json_str(&sb, "created", when);
		json_end(&sb);
	} else {
		char *e = text_sanitize(r->last_error, 0);
		sb_printf(&sb, "%6lld  %-12s %-7s %-8s %6lld  %s%s%s", (long long)r->id, account ? account : "?",
		          r->change_type, r->status, (long long)r->resource_id, when, *e ? "  " : "", e);
		free(e);
	}
	sb_addc(&sb, '\n');
	fwrite(sb.buf, 1, sb.len, stdout);
	sb_free(&sb);
	free(account);
	q->n++;
	return 0;
}

int
cmd_queue(struct cli_ctx *c, int argc, char **argv)
{
	static const char usage[] =
		"usage: tern queue [--json] [ACCOUNT]  |  tern queue retry CHANGE  |  tern queue drop CHANGE";
	struct qctx q = { c, 0, 0 };
	const char *account = NULL;
	int64_t account_id = 0, id;
	int rc;

	if (argc == 3 && (strcmp(argv[1], "retry") == 0 || strcmp(argv[1], "drop") == 0)) {
		if ((rc = cli_parse_id(argv[2], &id)) != EXIT_OK)
			return rc;
		if ((rc = cli_open_db(c)) != EXIT_OK)
			return rc;
		rc = argv[1][0] == 'r' ? db_queue_retry(c->db, id) : db_change_revert(c->db, id);
		if (rc == TERN_ENOTFOUND) {
			cli_error("no %schange %lld in the queue", argv[1][0] == 'r' ? "failed " : "", (long long)id);
			return EXIT_FAIL;
		}
		if (rc == TERN_EBUSY) {
			cli_error("change %lld is being sent right now", (long long)id);
			return EXIT_FAIL;
		}
		if (rc != TERN_OK) {
			cli_error("database error");
			return EXIT_DB;
		}
		printf(argv[1][0] == 'r' ? "change %lld queued again\n" : "change %lld dropped, local state restored\n",
		       (long long)id);
		return EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			q.json = 1;
		else if (argv[i][0] == '-' || account) {
			cli_error("%s", usage);
			return EXIT_USAGE;
		} else
			account = argv[i];
	}
	if (account) {
		if ((rc = cli_account(c, account, NULL, &account_id)) != EXIT_OK)
			return rc;
	} else if ((rc = cli_open_db(c)) != EXIT_OK)
		return rc;
	if (db_queue_each(c->db, account_id, print_change, &q) != TERN_OK) {
		cli_error("database error");
		return EXIT_DB;
	}
	if (!q.json && q.n == 0)
		printf("the queue is empty\n");
	return EXIT_OK;
}
