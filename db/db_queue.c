#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_change.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "err.h"
#include "util.h"

#define Q_COLS "id, account_id, resource_type, coalesce(resource_id, 0), change_type, payload, " \
	"created_at, attempts, last_error, status, next_attempt_at"

void
db_queue_row_free(struct queue_row *r)
{
	if (!r)
		return;
	free(r->resource_type);
	free(r->change_type);
	free(r->payload);
	free(r->last_error);
	free(r->status);
	memset(r, 0, sizeof *r);
}

static void
row_read(sqlite3_stmt *st, struct queue_row *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->account_id = sqlite3_column_int64(st, 1);
	r->resource_type = xstrdup((const char *)sqlite3_column_text(st, 2));
	r->resource_id = sqlite3_column_int64(st, 3);
	r->change_type = xstrdup((const char *)sqlite3_column_text(st, 4));
	r->payload = xstrdup((const char *)sqlite3_column_text(st, 5));
	r->created_at = sqlite3_column_int64(st, 6);
	r->attempts = sqlite3_column_int(st, 7);
	r->last_error = xstrdup(sqlite3_column_type(st, 8) == SQLITE_NULL ? "" : (const char *)sqlite3_column_text(st, 8));
	r->status = xstrdup((const char *)sqlite3_column_text(st, 9));
	r->next_attempt_at = sqlite3_column_int64(st, 10);
}

static int
one_row(sqlite3_stmt *st, struct queue_row *out)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		row_read(st, out);
		sqlite3_reset(st);
		return TERN_OK;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

int
db_queue_add(db *d, int64_t account_id, const char *resource_type, int64_t resource_id,
             const char *change_type, const char *payload, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO pending_change (account_id, resource_type, resource_id, change_type, payload, created_at) "
		"VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, resource_type, -1, SQLITE_STATIC);
	if (resource_id)
		sqlite3_bind_int64(st, 3, resource_id);
	sqlite3_bind_text(st, 4, change_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, payload ? payload : "{}", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, time_now());
	rc = db_step_done(d, st);
	if (rc == TERN_OK && id)
		*id = db_last_id(d);
	return rc;
}

int
db_queue_next(db *d, int64_t account_id, int64_t now, int64_t after_id, struct queue_row *out)
{
	static const char sql[] =
		"SELECT " Q_COLS " FROM pending_change WHERE account_id = ? AND id > ? "
		"AND status <> 'failed' AND next_attempt_at <= ? ORDER BY id LIMIT 1";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, after_id);
	sqlite3_bind_int64(st, 3, now);
	return one_row(st, out);
}

int
db_queue_get(db *d, int64_t id, struct queue_row *out)
{
	static const char sql[] = "SELECT " Q_COLS " FROM pending_change WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, id);
	return one_row(st, out);
}

int
db_queue_set_status(db *d, int64_t id, const char *status)
{
	static const char sql[] = "UPDATE pending_change SET status = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	return db_step_done(d, st);
}

int
db_queue_claim(db *d, int64_t id, int *claimed)
{
	static const char sql[] = "UPDATE pending_change SET status = 'sending' WHERE id = ? AND status IN ('queued', 'sending')";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;

	*claimed = 0;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_step_done(d, st)) == TERN_OK)
		*claimed = sqlite3_changes(db_sqlite(d)) > 0;
	return rc;
}

int
db_queue_done(db *d, int64_t id)
{
	static const char sql[] = "DELETE FROM pending_change WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, id);
	return db_step_done(d, st);
}

int
db_queue_fail(db *d, int64_t id, const char *error, int final, int64_t retry_at)
{
	static const char sql[] =
		"UPDATE pending_change SET attempts = attempts + 1, last_error = ?, status = ?, "
		"next_attempt_at = ? WHERE id = ?";
	struct queue_row q = { 0 };
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	/* The moment a move or delete becomes failed, its message is shown
	 * again where it was (with its failed mark): hidden, it was in no list. */
	if (final && (rc = db_queue_get(d, id, &q)) == TERN_OK && !str_eq(q.status, "failed"))
		rc = db_change_withdraw(d, &q);
	db_queue_row_free(&q);
	if (rc != TERN_OK && rc != TERN_ENOTFOUND)
		goto fail;
	rc = TERN_EDB;
	if (!(st = db_stmt(d, sql)))
		goto fail;
	sqlite3_bind_text(st, 1, error ? error : "unknown error", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, final ? "failed" : "queued", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, retry_at);
	sqlite3_bind_int64(st, 4, id);
	if ((rc = db_step_done(d, st)) != TERN_OK)
		goto fail;
	return db_commit(d);
fail:
	db_rollback(d);
	return rc;
}

int
db_queue_fail_into(db *d, int64_t mailbox_id, const char *error)
{
	/* Not 'sending': the worker that has it in hand reports its outcome. */
#define INTO "((resource_type = 'Email' AND change_type = 'move' AND json_extract(payload, '$.to') = ?1) OR " \
	"(resource_type = 'Outbox' AND change_type = 'append' AND json_extract(payload, '$.mailbox') = ?1))"
	static const char sql[] = "SELECT id FROM pending_change WHERE status = 'queued' AND " INTO " ORDER BY id";
	/* Those failed already say why now: the folder's name is about to go,
	 * and a retry will meet the same (the engine repeats this reason). */
	static const char relabel[] = "UPDATE pending_change SET last_error = ?2 WHERE status = 'failed' AND " INTO;
#undef INTO
	sqlite3_stmt *st;
	int64_t *ids = NULL;
	size_t n = 0;
	int s, rc;

	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	rc = TERN_EDB;
	if (!(st = db_stmt(d, sql)))
		goto fail;
	sqlite3_bind_int64(st, 1, mailbox_id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		ids = xrealloc(ids, (n + 1) * sizeof *ids);
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (s != SQLITE_DONE)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if ((rc = db_queue_fail(d, ids[i], error, 1, 0)) != TERN_OK)
			goto fail;
	rc = TERN_EDB;
	if (!(st = db_stmt(d, relabel)))
		goto fail;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_text(st, 2, error, -1, SQLITE_STATIC);
	if ((rc = db_step_done(d, st)) != TERN_OK)
		goto fail;
	free(ids);
	return db_commit(d);
fail:
	free(ids);
	db_rollback(d);
	return rc;
}

int
db_queue_retry(db *d, int64_t id)
{
	static const char sql[] =
		"UPDATE pending_change SET status = 'queued', attempts = 0, next_attempt_at = 0 "
		"WHERE id = ? AND status = 'failed'";
	/* A send whose outcome was unknown waits for this decision: the user
	 * asks for it to go again, so the engine must not stop at "submitting". */
	static const char resend[] =
		"UPDATE outbox SET stage = 'queued' WHERE stage = 'submitting' AND id = "
		"(SELECT resource_id FROM pending_change WHERE id = ? AND resource_type = 'Outbox')";
	struct queue_row q = { 0 };
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	/* Back in the queue: a move or delete hides its message again. */
	if (db_queue_get(d, id, &q) == TERN_OK && str_eq(q.status, "failed") &&
	    (rc = db_change_reapply(d, &q)) != TERN_OK) {
		db_queue_row_free(&q);
		goto fail;
	}
	db_queue_row_free(&q);
	if (!(st = db_stmt(d, sql))) {
		rc = TERN_EDB;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_step_done(d, st)) != TERN_OK)
		goto fail;
	if (db_changes(d) == 0) {
		/* Nothing written: a caller's own transaction carries on. */
		rc = db_commit(d);
		return rc == TERN_OK ? TERN_ENOTFOUND : rc;
	}
	if (!(st = db_stmt(d, resend))) {
		rc = TERN_EDB;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_step_done(d, st)) != TERN_OK)
		goto fail;
	return db_commit(d);
fail:
	db_rollback(d);
	return rc;
}

int
db_queue_counts(db *d, int64_t account_id, int64_t *queued, int64_t *failed)
{
	static const char sql[] =
		"SELECT coalesce(sum(status <> 'failed'), 0), coalesce(sum(status = 'failed'), 0) "
		"FROM pending_change WHERE ?1 = 0 OR account_id = ?1";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return TERN_EDB;
	}
	if (queued)
		*queued = sqlite3_column_int64(st, 0);
	if (failed)
		*failed = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return TERN_OK;
}

int
db_queue_each(db *d, int64_t account_id, db_queue_cb cb, void *ctx)
{
	static const char sql[] =
		"SELECT " Q_COLS " FROM pending_change WHERE ?1 = 0 OR account_id = ?1 ORDER BY id";
	sqlite3_stmt *st;
	int s, rc = TERN_OK;

	if (sqlite3_prepare_v2(db_sqlite(d), sql, -1, &st, NULL) != SQLITE_OK)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct queue_row r;
		int stop;
		row_read(st, &r);
		stop = cb(&r, ctx);
		db_queue_row_free(&r);
		if (stop)
			break;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = TERN_EDB;
	sqlite3_finalize(st);
	return rc;
}

int
db_queue_pending_for(db *d, int64_t message_id, unsigned *flag_mask, int *moving)
{
	/* A failed flag change still masks its flag: the user sees the intent
	 * marked failed (retry or drop, which restores the server's value),
	 * not a silent revert by the next sync that leaves the row behind. */
	static const char sql[] =
		"SELECT change_type, payload FROM pending_change "
		"WHERE resource_type = 'Email' AND resource_id = ? AND (status <> 'failed' OR change_type = 'flag')";
	sqlite3_stmt *st = db_stmt(d, sql);
	int s;

	*flag_mask = 0;
	*moving = 0;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, message_id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *payload = (const char *)sqlite3_column_text(st, 1);
		if (str_eq(type, "flag")) {
			if (strstr(payload, "\"flag\":\"seen\""))
				*flag_mask |= MSG_SEEN;
			else if (strstr(payload, "\"flag\":\"flagged\""))
				*flag_mask |= MSG_FLAGGED;
			else if (strstr(payload, "\"flag\":\"answered\""))
				*flag_mask |= MSG_ANSWERED;
		} else if (str_eq(type, "move") || str_eq(type, "delete")) {
			*moving = 1;
		}
	}
	sqlite3_reset(st);
	return s == SQLITE_DONE ? TERN_OK : TERN_EDB;
}

static const char *const stage_names[] = {
	[OUTBOX_QUEUED] = "queued",
	[OUTBOX_SUBMITTING] = "submitting",
	[OUTBOX_SUBMITTED] = "submitted",
};

const char *
db_outbox_stage_name(enum outbox_stage stage)
{
	return (size_t)stage < ARRAY_LEN(stage_names) ? stage_names[stage] : "queued";
}

int
db_outbox_stage_parse(const char *name, enum outbox_stage *stage)
{
	for (size_t i = 0; i < ARRAY_LEN(stage_names); i++)
		if (name && str_eq(name, stage_names[i])) {
			*stage = (enum outbox_stage)i;
			return TERN_OK;
		}
	return TERN_EINVAL;
}

int
db_outbox_get(db *d, int64_t id, char **raw, size_t *len, enum outbox_stage *stage)
{
	static const char sql[] = "SELECT raw, stage FROM outbox WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int n = sqlite3_column_bytes(st, 0);
		/* A stage this tern does not know (written by a newer one) is
		 * taken for the unsafe one: nothing is sent twice. */
		if (stage && db_outbox_stage_parse((const char *)sqlite3_column_text(st, 1), stage) != TERN_OK)
			*stage = OUTBOX_SUBMITTING;
		*raw = xmalloc((size_t)n + 1);
		if (n)
			memcpy(*raw, sqlite3_column_blob(st, 0), (size_t)n);
		(*raw)[n] = '\0';
		*len = (size_t)n;
		sqlite3_reset(st);
		return TERN_OK;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

int
db_outbox_set_stage(db *d, int64_t id, enum outbox_stage stage)
{
	static const char sql[] = "UPDATE outbox SET stage = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_text(st, 1, db_outbox_stage_name(stage), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	return db_step_done(d, st);
}

int
db_outbox_delete(db *d, int64_t id)
{
	static const char sql[] = "DELETE FROM outbox WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, id);
	return db_step_done(d, st);
}
