#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/cli/cli.h"
#include "src/cli/cli.h"
#include "db/db_account.h"
#include "db/db_change.h"
#include "db/db_mailbox.h"
#include "db/db_queue.h"
#include "src/base/err.h"
#include "src/base/jsonout.h"
#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "src/base/util.h"

struct qctx {
	struct cli_ctx *c;
	int json;
	int n;
};

/* A change as the user would say it (see db_queue.h):
 * "+flagged", "-seen", "move → Archive", "delete → Trash" (a delete
 * is a move to Trash), "expunge from Trash", "send", "append → Drafts",
 * "create folder Lists/new", "rename folder A → B", "delete folder A".
 * *mailbox gets the mailbox it goes to (or is expunged from), NULL if none
 * or gone. Both are the caller's to free; names are not sanitized. */
static char *
describe(db *d, const struct queue_row *r, char **mailbox)
{
	const struct change *c = &r->change;
	int64_t mb = c->kind == CHANGE_MOVE ? c->u.move.to : c->kind == CHANGE_DELETE ? c->u.del.mailbox :
	             c->kind == CHANGE_APPEND ? c->u.append.mailbox :
	             r->resource_type == RESOURCE_MAILBOX ? r->resource_id : 0;
	const char *flag;

	*mailbox = NULL;
	if (mb) {
		struct mailbox_row row = { 0 };
		if (db_mailbox_get(d, mb, &row) == TERN_OK)
			*mailbox = xstrdup(row.name);
		db_mailbox_row_free(&row);
	}
	switch (c->kind) {
	case CHANGE_FLAG:
		flag = change_flag_name(c->u.flag.flag);
		return flag ? xasprintf("%c%s", c->u.flag.on ? '+' : '-', flag) : xstrdup("flag");
	case CHANGE_MOVE:
		return xasprintf("%s \u2192 %s", c->u.move.is_delete ? "delete" : "move", *mailbox ? *mailbox : "?");
	case CHANGE_DELETE:
		return xasprintf("expunge from %s", *mailbox ? *mailbox : "?");
	case CHANGE_APPEND:
		return xasprintf("append \u2192 %s", *mailbox ? *mailbox : "?");
	case CHANGE_MAILBOX_CREATE:
		return xasprintf("create folder %s", c->u.mbox.name);
	case CHANGE_MAILBOX_RENAME:
		return xasprintf("rename folder %s \u2192 %s", c->u.mbox.old_name, c->u.mbox.name);
	case CHANGE_MAILBOX_DELETE:
		return xasprintf("delete folder %s%s", *mailbox ? *mailbox : "?",
		                 c->u.mbox.with_messages ? " and its messages" : "");
	default:
		return xstrdup(change_kind_name(c->kind));
	}
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
		json_str(&sb, "type", change_kind_name(r->change.kind));
		json_int(&sb, r->resource_type == RESOURCE_OUTBOX ? "outbox" :
		         r->resource_type == RESOURCE_MAILBOX ? "folder" : "id", r->resource_id);
		json_str(&sb, "status", queue_status_name(r->status));
		json_int(&sb, "attempts", r->attempts);
		json_str(&sb, "error", *r->last_error ? r->last_error : NULL);
		json_str(&sb, "created", when);
		json_str(&sb, "action", action);
		json_str(&sb, "mailbox", mailbox);
		json_end(&sb);
	} else {
		char *e = cli_term(text_sanitize(r->last_error, 0), stdout), *a = cli_term(text_sanitize(action, 0), stdout);
		if (q->n == 0)
			sb_adds(&sb, "CHANGE  ACCOUNT      STATUS       ID  QUEUED                ACTION                    ERROR\n");
		sb_printf(&sb, "%6lld  %-12s %-8s %6lld  %-20s  ", (long long)r->id, account ? account : "?",
		          queue_status_name(r->status), (long long)r->resource_id, when);
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
