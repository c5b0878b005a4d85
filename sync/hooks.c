/* The [hooks] commands (sync/hooks.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_msgjson.h"
#include "db/db_newmail.h"
#include "db/db_sync.h"
#include "src/base/err.h"
#include "src/base/jsonout.h"
#include "src/base/log.h"
#include "src/base/proc.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"
#include "src/mime/mime.h"
#include "sync/hooks.h"
#include "sync/sync.h"

/* sync_state's row for the mail_received mark: the highest message id
 * already told (or there when the hook was first met). */
#define MARK_RESOURCE "hook:mail_received"
/* Messages per run of mail_received: a larger arrival runs it again. */
#define RECEIVED_BATCH 500

/* Through /bin/sh as password_cmd is, so a hook may be a pipeline. Its
 * stdout and stderr never reach the terminal (proc_run). */
static void
hook_run(const struct sync_ctx *ctx, const char *event, const char *cmd, const strbuf *lines)
{
	char *const argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	char *out = NULL;
	size_t len = 0;
	int status = -1, rc;

	rc = proc_run_status(argv, lines->buf ? lines->buf : "", lines->len, HOOK_TIMEOUT_MS, &out, &len, &status);
	if (rc == TERN_OK)
		log_info("%s: hook %s ran", ctx->env->acct->name, event);
	else if (rc == TERN_ETIMEOUT)
		log_warn("%s: hook %s: killed after %d s", ctx->env->acct->name, event, HOOK_TIMEOUT_MS / 1000);
	else
		log_warn("%s: hook %s failed: %s (exit status %d)", ctx->env->acct->name, event, tern_strerror(rc),
		         status);
	free(out);
}

struct received {
	struct sync_ctx *ctx;
	strbuf lines;
	int64_t last;
	int n;
};

static int
received_one(int64_t message_id, int64_t mailbox_id, void *arg)
{
	struct received *r = arg;
	struct msg_row m = { 0 };
	struct mailbox_row mb = { 0 };

	r->last = message_id;
	r->n++;
	if (db_message_get(r->ctx->db, message_id, &m) != TERN_OK)
		return 0;
	if (db_mailbox_get(r->ctx->db, mailbox_id, &mb) == TERN_OK) {
		db_msg_json(&r->lines, &m, r->ctx->env->acct->name, mb.name, -1);
		sb_addc(&r->lines, '\n');
	}
	db_mailbox_row_free(&mb);
	db_msg_row_free(&m);
	return 0;
}

static int
mark_put(db *d, int64_t account_id, int64_t mark)
{
	char text[32];
	int rc;
	snprintf(text, sizeof text, "%lld", (long long)mark);
	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	if ((rc = db_sync_state_put(d, account_id, MARK_RESOURCE, text)) != TERN_OK) {
		db_rollback(d);
		return rc;
	}
	return db_commit(d);
}

void
hooks_mail_received(struct sync_ctx *ctx)
{
	const char *cmd = ctx->env->cfg->hook_mail_received;
	char *state = NULL;
	int64_t mark, top;

	if (!cmd || !*cmd)
		return;
	if (db_sync_state_get(ctx->db, ctx->account_id, MARK_RESOURCE, &state) != TERN_OK) {
		/* First met: what is stored already arrived before the hook. */
		if (db_newmail_account_mark(ctx->db, ctx->account_id, &top) == TERN_OK)
			mark_put(ctx->db, ctx->account_id, top);
		return;
	}
	mark = strtoll(state, NULL, 10);
	free(state);
	for (;;) {
		struct received r = { ctx, STRBUF_INIT, mark, 0 };
		if (db_newmail_account_mark(ctx->db, ctx->account_id, &top) != TERN_OK || top <= mark)
			break;
		if (db_newmail_received(ctx->db, ctx->account_id, mark, RECEIVED_BATCH, received_one, &r) != TERN_OK) {
			sb_free(&r.lines);
			break;
		}
		/* The mark moves before the command runs: a crash in between
		 * loses the event rather than telling it twice. */
		mark = r.n < RECEIVED_BATCH ? top : r.last;
		if (mark_put(ctx->db, ctx->account_id, mark) != TERN_OK) {
			sb_free(&r.lines);
			break;
		}
		if (r.lines.len)
			hook_run(ctx, "mail_received", cmd, &r.lines);
		sb_free(&r.lines);
		if (r.n < RECEIVED_BATCH || *ctx->stop)
			break;
	}
}

void
hooks_mail_sent(struct sync_ctx *ctx, int64_t outbox_id, const char *raw, size_t len)
{
	const char *cmd = ctx->env->cfg->hook_mail_sent;
	struct mail_addr_list from = { 0 }, to = { 0 }, cc = { 0 };
	strbuf sb = STRBUF_INIT;
	mime_msg *m = NULL;
	char date[32], *subject, *msgid, *f, *t, *c;

	if (!cmd || !*cmd || mime_parse(raw, len, &m) != TERN_OK)
		return;
	subject = mime_header(m, "Subject");
	msgid = mime_header_raw(m, "Message-ID");
	mime_header_addrs(m, "From", &from);
	mime_header_addrs(m, "To", &to);
	mime_header_addrs(m, "Cc", &cc);
	f = mail_addr_format(&from);
	t = mail_addr_format(&to);
	c = mail_addr_format(&cc);
	time_rfc3339(mime_date(m) ? mime_date(m) : time_now(), date, sizeof date);
	/* The fields of tern list --json that a message going out has. */
	json_begin(&sb);
	json_int(&sb, "outbox", outbox_id);
	json_str(&sb, "account", ctx->env->acct->name);
	if (msgid) {
		/* Without the brackets, as tern list prints it. */
		char *id = msgid + strspn(msgid, " <");
		id[strcspn(id, ">")] = '\0';
		json_str(&sb, "message_id", id);
	} else {
		json_null(&sb, "message_id");
	}
	json_str(&sb, "subject", subject ? subject : "");
	json_str(&sb, "from", f);
	json_str(&sb, "to", t);
	json_str(&sb, "cc", c);
	json_str(&sb, "date", date);
	json_int(&sb, "size", (int64_t)len);
	json_end(&sb);
	sb_addc(&sb, '\n');
	hook_run(ctx, "mail_sent", cmd, &sb);
	sb_free(&sb);
	free(subject);
	free(msgid);
	free(f);
	free(t);
	free(c);
	mail_addr_free(&from);
	mail_addr_free(&to);
	mail_addr_free(&cc);
	mime_free(m);
}

void
hooks_sync_failed(struct sync_ctx *ctx, int rc, const char *error)
{
	static const char *const classes[] = {
		[TERN_RETRY_NOW] = "retry-now", [TERN_RETRY_LATER] = "retry-later", [TERN_FINAL] = "final"
	};
	static const char *const scopes[] = {
		[TERN_SCOPE_ITEM] = "item", [TERN_SCOPE_MAILBOX] = "mailbox", [TERN_SCOPE_ACCOUNT] = "account"
	};
	const char *cmd = ctx->env->cfg->hook_sync_failed;
	strbuf sb = STRBUF_INIT;

	if (!cmd || !*cmd)
		return;
	json_begin(&sb);
	json_str(&sb, "account", ctx->env->acct->name);
	json_str(&sb, "class", classes[tern_err_class(rc)]);
	json_str(&sb, "scope", scopes[tern_err_scope(rc)]);
	json_str(&sb, "code", tern_strerror(rc));
	json_str(&sb, "error", error && *error ? error : tern_strerror(rc));
	json_end(&sb);
	sb_addc(&sb, '\n');
	hook_run(ctx, "sync_failed", cmd, &sb);
	sb_free(&sb);
}
