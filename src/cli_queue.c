#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "db/db_account.h"
#include "db/db_change.h"
#include "db/db_mailbox.h"
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

/* A change as the user would say it, from its payload (see db_queue.h):
 * "+flagged", "-seen", "move → Archive", "delete → Trash" (a delete
 * is a move to Trash), "expunge from Trash", "send", "append → Drafts".
 * *mailbox gets the mailbox it goes to (or is expunged from), NULL if none
 * or gone. Both are the caller's to free; names are not sanitized. */
static char *
describe(db *d, const struct queue_row *r, char **mailbox)
{
	cJSON *p = cJSON_Parse(r->payload ? r->payload : "");
	const char *key = str_eq(r->change_type, "move") ? "to" :
	                  str_eq(r->change_type, "delete") || str_eq(r->change_type, "append") ? "mailbox" : NULL;
	cJSON *mb = key ? cJSON_GetObjectItemCaseSensitive(p, key) : NULL;
	char *out;

	*mailbox = NULL;
	if (cJSON_IsNumber(mb)) {
		struct mailbox_row row = { 0 };
		if (db_mailbox_get(d, (int64_t)mb->valuedouble, &row) == TERN_OK)
			*mailbox = xstrdup(row.name);
		db_mailbox_row_free(&row);
	}
	if (str_eq(r->change_type, "flag")) {
		cJSON *f = cJSON_GetObjectItemCaseSensitive(p, "flag");
		out = cJSON_IsString(f) ? xasprintf("%c%s", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "value")) ? '+' : '-',
		                                   f->valuestring)
		                        : xstrdup("flag");
	} else if (str_eq(r->change_type, "move")) {
		int del = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "delete"));
		out = xasprintf("%s \u2192 %s", del ? "delete" : "move", *mailbox ? *mailbox : "?");
	} else if (str_eq(r->change_type, "delete"))
		out = xasprintf("expunge from %s", *mailbox ? *mailbox : "?");
	else if (str_eq(r->change_type, "append"))
		out = xasprintf("append \u2192 %s", *mailbox ? *mailbox : "?");
	else
		out = xstrdup(r->change_type);
	cJSON_Delete(p);
	return out;
}

static int
print_change(const struct queue_row *r, void *ctx)
{
	struct qctx *q = ctx;
	strbuf sb = STRBUF_INIT;
	char when[32], *account = NULL, *mailbox = NULL, *action;

	db_account_name(q->c->db, r->account_id, &account);
	time_rfc3339(r->created_at, when, sizeof when);
	action = describe(q->c->db, r, &mailbox);
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
		json_str(&sb, "action", action);
		json_str(&sb, "mailbox", mailbox);
		json_end(&sb);
	} else {
		char *e = text_sanitize(r->last_error, 0), *a = text_sanitize(action, 0);
		if (q->n == 0)
			sb_adds(&sb, "CHANGE  ACCOUNT      STATUS       ID  QUEUED                ACTION                    ERROR\n");
		sb_printf(&sb, "%6lld  %-12s %-8s %6lld  %-20s  ", (long long)r->id, account ? account : "?",
		          r->status, (long long)r->resource_id, when);
		/* Padded by display width: a mailbox name may be "Отчёты". */
		cli_add_padded(&sb, a, *e ? 24 : 0);
		if (*e)
			sb_printf(&sb, "  %s", e);
		free(e);
		free(a);
	}
	sb_addc(&sb, '\n');
	fwrite(sb.buf, 1, sb.len, stdout);
	sb_free(&sb);
	free(account);
	free(mailbox);
	free(action);
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
			cli_error("change %lld: %s", (long long)id, tern_strerror(rc));
			return cli_exit_status(rc);
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
