/* Queued outbox rows: "send" (SMTP, then a copy with \Seen in the folder
 * whose role is sent, unless copy_to_sent = no), through the outbox state
 * machine (sync/outbox.h), and "append" (APPEND with flags). A copy in
 * Sent (the server files submissions itself, or our APPEND before a crash)
 * is the only proof an SMTP transaction whose outcome is unknown can have. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_imap.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/imap/imap.h"
#include "sync/net/smtp_send.h"
#include "src/base/util.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/outbox.h"
#include "src/base/util.h"

static int
already_in_sent(struct imap *im, struct sync_ctx *ctx, int64_t outbox_id, int *found, char **err)
{
	struct mailbox_row sent = { 0 };
	char *msgid = NULL;
	uint32_t uid;
	int rc;

	*found = 0;
	if (db_mailbox_by_role(ctx->db, im->account_id, MAILBOX_ROLE_SENT, &sent) != TERN_OK ||
	    db_imap_outbox_msgid(ctx->db, outbox_id, &msgid) != TERN_OK || !*msgid) {
		db_mailbox_row_free(&sent);
		free(msgid);
		return TERN_OK;
	}
	rc = imap_find_msgid(im, sent.remote_id, msgid, &uid, err);
	if (rc == TERN_OK)
		*found = 1;
	else if (rc == TERN_ENOTFOUND)
		rc = TERN_OK;
	db_mailbox_row_free(&sent);
	free(msgid);
	return rc;
}

/* Files the sent message in the Sent folder (found by role), once: a copy
 * already there (the server filed it, or our APPEND before a crash) is
 * enough. */
static int
file_in_sent(struct imap *im, struct sync_ctx *ctx, int64_t outbox_id, const char *raw, size_t len,
             char **err)
{
	struct mailbox_row sent = { 0 };
	uint32_t uid;
	int found = 0, rc;

	if (!im->acct->copy_to_sent)
		return TERN_OK;
	rc = db_mailbox_by_role(ctx->db, im->account_id, MAILBOX_ROLE_SENT, &sent);
	if (rc == TERN_ENOTFOUND) {
		log_warn("imap %s: no Sent folder: the sent message is not filed", im->acct->name);
		return TERN_OK;
	}
	if (rc == TERN_OK && (rc = already_in_sent(im, ctx, outbox_id, &found, err)) == TERN_OK && !found)
		rc = imap_append(im, sent.remote_id, raw, len, MSG_SEEN, &uid, err);
	if (found)
		log_info("imap %s: outbox %lld is in Sent already; not filed twice", im->acct->name,
		         (long long)outbox_id);
	db_mailbox_row_free(&sent);
	return rc;
}

static int
send_verify(void *eng, struct outbox_send *s, enum outbox_proof *proof, char **err)
{
	int found = 0, rc = already_in_sent(eng, s->ctx, s->q->resource_id, &found, err);
	*proof = found ? OUTBOX_PROOF_SENT : OUTBOX_PROOF_NONE;
	return rc;
}

static int
send_submit(void *eng, struct outbox_send *s, int *unknown, char **err)
{
	struct imap *im = eng;
	return outbox_smtp_submit(im->acct, s, unknown, err);
}

static int
send_file(void *eng, struct outbox_send *s, char **err)
{
	return file_in_sent(eng, s->ctx, s->q->resource_id, s->raw, s->len, err);
}

static const struct outbox_ops imap_outbox = { send_verify, send_submit, send_file };

static int
push_send(struct imap *im, struct sync_ctx *ctx, const struct queue_row *q, const char *raw, size_t len,
          enum outbox_stage stage, char **err)
{
	char *who = xasprintf("imap %s", im->acct->name);
	struct outbox_send s = { ctx, q, who, raw, len, stage, 0 };
	int rc = outbox_run(&imap_outbox, im, &s, err);
	free(who);
	return rc;
}

/* A stored draft: its local row (db_change_append) takes the UID UIDPLUS
 * gave, in the transaction that ends the change, so the folder's sync finds
 * it there instead of adding the server's copy beside it. Without UIDPLUS
 * the sync adopts it by its Message-ID. */
static int
appended(struct sync_ctx *ctx, const struct queue_row *q, int64_t mailbox, uint32_t uid)
{
	int64_t msg = q->change.u.append.message;
	int rc = db_begin(ctx->db);
	if (rc == TERN_OK && msg && uid)
		rc = db_imap_set_uid(ctx->db, msg, mailbox, uid);
	if (rc == TERN_OK && (rc = db_outbox_delete(ctx->db, q->resource_id)) == TERN_OK)
		return db_commit(ctx->db);
	db_rollback(ctx->db);
	return rc == TERN_OK ? TERN_EDB : rc;
}

static int
push_append(struct imap *im, struct sync_ctx *ctx, const struct queue_row *q, const char *raw, size_t len,
            char **err)
{
	int64_t mb = q->change.u.append.mailbox;
	struct mailbox_row row = { 0 };
	char *msgid = NULL;
	uint32_t uid;
	int rc;

	if ((rc = db_mailbox_get(ctx->db, mb, &row)) != TERN_OK) {
		/* As for a move (imap_push.c): the reason that names the folder. */
		*err = xstrdup(q->last_error && *q->last_error ? q->last_error :
		               "the folder to store it in no longer exists on the server");
		return TERN_EREFUSED;
	}
	/* An APPEND that a crash kept from being recorded is not repeated:
	 * every postpone builds a new Message-ID, so one already in the
	 * folder is this very draft. */
	if (db_imap_outbox_msgid(ctx->db, q->resource_id, &msgid) == TERN_OK &&
	    (rc = imap_find_msgid(im, row.remote_id, msgid, &uid, err)) == TERN_OK)
		log_info("imap %s: outbox %lld is in %s already; not stored twice", im->acct->name,
		         (long long)q->resource_id, row.name);
	else if (rc == TERN_OK || rc == TERN_ENOTFOUND)
		rc = imap_append(im, row.remote_id, raw, len, q->change.u.append.flags, &uid, err);
	db_mailbox_row_free(&row);
	free(msgid);
	return rc == TERN_OK ? appended(ctx, q, mb, uid) : rc;
}

int
imap_push_outbox(struct imap *im, struct sync_ctx *ctx, const struct queue_row *q, char **err)
{
	enum outbox_stage stage;
	char *raw = NULL;
	size_t len = 0;
	int rc = db_outbox_get(ctx->db, q->resource_id, &raw, &len, &stage);

	if (rc == TERN_ENOTFOUND)
		return TERN_OK;   /* finished before a crash took the queue row's removal */
	if (rc != TERN_OK)
		return rc;
	if (q->change.kind == CHANGE_SEND)
		rc = push_send(im, ctx, q, raw, len, stage, err);
	else if (q->change.kind == CHANGE_APPEND)
		rc = push_append(im, ctx, q, raw, len, err);
	else {
		*err = xasprintf("unknown outbox change '%s'", change_kind_name(q->change.kind));
		rc = TERN_EINVAL;
	}
	free(raw);
	return rc;
}
