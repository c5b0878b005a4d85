#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_change.h"
#include "db/db_int.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "src/base/err.h"
#include "src/base/util.h"

/* The layout of struct change in its columns; a row of another version is
 * read as CHANGE_UNKNOWN (the engines fail it, naming it), never guessed. */
#define CHANGE_VERSION 1
#define CHANGE_COLS "change_type, change_version, flag, flag_on, from_mailbox, to_mailbox, is_delete, " \
	"append_flags, local_message, mailbox_name, old_name"
#define Q_COLS "id, account_id, resource_type, coalesce(resource_id, 0), created_at, attempts, " \
	"coalesce(last_error, ''), status, next_attempt_at, " CHANGE_COLS
#define Q_CHANGE_AT 9   /* where CHANGE_COLS start in Q_COLS */

/* The one encoder of struct change: binds CHANGE_COLS from parameter at. */
static void
change_encode(sqlite3_stmt *st, int at, const struct change *c)
{
	int64_t from = 0, to = 0, msg = 0;
	unsigned flag = 0, flags = 0;
	const char *name = "", *old = "";
	int on = 0, del = 0;

	switch (c->kind) {
	case CHANGE_FLAG:
		flag = c->u.flag.flag;
		on = !!c->u.flag.on;
		break;
	case CHANGE_MOVE:
		from = c->u.move.from;
		to = c->u.move.to;
		del = !!c->u.move.is_delete;
		break;
	case CHANGE_DELETE:
		from = c->u.del.mailbox;
		break;
	case CHANGE_APPEND:
		to = c->u.append.mailbox;
		flags = c->u.append.flags;
		msg = c->u.append.message;
		break;
	case CHANGE_MAILBOX_CREATE:
	case CHANGE_MAILBOX_RENAME:
	case CHANGE_MAILBOX_DELETE:
		name = c->u.mbox.name;
		old = c->u.mbox.old_name;
		del = !!c->u.mbox.with_messages;
		break;
	case CHANGE_SEND:
	case CHANGE_UNKNOWN:
		break;
	}
	sqlite3_bind_text(st, at, change_kind_name(c->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, at + 1, CHANGE_VERSION);
	sqlite3_bind_int64(st, at + 2, flag);
	sqlite3_bind_int(st, at + 3, on);
	sqlite3_bind_int64(st, at + 4, from);
	sqlite3_bind_int64(st, at + 5, to);
	sqlite3_bind_int(st, at + 6, del);
	sqlite3_bind_int64(st, at + 7, flags);
	sqlite3_bind_int64(st, at + 8, msg);
	sqlite3_bind_text(st, at + 9, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, at + 10, old, -1, SQLITE_TRANSIENT);
}

/* A name column into its fixed field: one that does not fit was never
 * written by this codec, so the row is unreadable rather than cut. */
static int
name_read(sqlite3_stmt *st, int col, char *out)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	size_t n = s ? strlen(s) : 0;
	if (n >= TERN_MAILBOX_NAME_MAX)
		return -1;
	memcpy(out, s ? s : "", n + 1);
	return 0;
}

/* The one decoder: CHANGE_COLS from column at. A kind that does not fit
 * the row's resource is as unreadable as an unknown one. */
static void
change_decode(sqlite3_stmt *st, int at, enum resource_type rt, struct change *c)
{
	memset(c, 0, sizeof *c);
	if (sqlite3_column_int(st, at + 1) != CHANGE_VERSION ||
	    change_kind_parse((const char *)sqlite3_column_text(st, at), &c->kind) != 0 ||
	    change_kind_resource(c->kind) != rt) {
		c->kind = CHANGE_UNKNOWN;
		return;
	}
	switch (c->kind) {
	case CHANGE_FLAG:
		c->u.flag.flag = (unsigned)sqlite3_column_int64(st, at + 2);
		c->u.flag.on = sqlite3_column_int(st, at + 3) != 0;
		/* One flag that a flag change can carry, or nothing to act on. */
		if (c->u.flag.flag != MSG_SEEN && c->u.flag.flag != MSG_FLAGGED && c->u.flag.flag != MSG_ANSWERED)
			c->kind = CHANGE_UNKNOWN;
		break;
	case CHANGE_MOVE:
		c->u.move.from = sqlite3_column_int64(st, at + 4);
		c->u.move.to = sqlite3_column_int64(st, at + 5);
		c->u.move.is_delete = sqlite3_column_int(st, at + 6) != 0;
		break;
	case CHANGE_DELETE:
		c->u.del.mailbox = sqlite3_column_int64(st, at + 4);
		break;
	case CHANGE_APPEND:
		c->u.append.mailbox = sqlite3_column_int64(st, at + 5);
		c->u.append.flags = (unsigned)sqlite3_column_int64(st, at + 7) & (MSG_SEEN | MSG_FLAGGED | MSG_DRAFT);
		c->u.append.message = sqlite3_column_int64(st, at + 8);
		break;
	case CHANGE_MAILBOX_CREATE:
	case CHANGE_MAILBOX_RENAME:
	case CHANGE_MAILBOX_DELETE:
		c->u.mbox.with_messages = sqlite3_column_int(st, at + 6) != 0;
		if (name_read(st, at + 9, c->u.mbox.name) != 0 || name_read(st, at + 10, c->u.mbox.old_name) != 0 ||
		    (c->kind != CHANGE_MAILBOX_DELETE && !c->u.mbox.name[0]))
			c->kind = CHANGE_UNKNOWN;
		break;
	case CHANGE_SEND:
	case CHANGE_UNKNOWN:
		break;
	}
}

void
db_queue_row_free(struct queue_row *r)
{
	if (!r)
		return;
	free(r->last_error);
	memset(r, 0, sizeof *r);
}

static void
row_read(sqlite3_stmt *st, struct queue_row *r)
{
	int known;

	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	r->account_id = sqlite3_column_int64(st, 1);
	/* The schema's CHECK keeps status one of the three; an unknown
	 * resource type reads as an unknown change. */
	known = resource_type_parse((const char *)sqlite3_column_text(st, 2), &r->resource_type) == 0;
	r->resource_id = sqlite3_column_int64(st, 3);
	r->created_at = sqlite3_column_int64(st, 4);
	r->attempts = sqlite3_column_int(st, 5);
	r->last_error = xstrdup((const char *)sqlite3_column_text(st, 6));
	if (queue_status_parse((const char *)sqlite3_column_text(st, 7), &r->status) != 0)
		r->status = QUEUE_QUEUED;
	r->next_attempt_at = sqlite3_column_int64(st, 8);
	change_decode(st, Q_CHANGE_AT, r->resource_type, &r->change);
	if (!known)
		r->change.kind = CHANGE_UNKNOWN;
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
db_queue_add(db *d, int64_t account_id, int64_t resource_id, const struct change *c, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO pending_change (account_id, resource_type, resource_id, created_at, " CHANGE_COLS ") "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st;
	int rc;
	if (c->kind == CHANGE_UNKNOWN)
		return TERN_EINVAL;
	if (!(st = db_stmt(d, sql)))
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, resource_type_name(change_kind_resource(c->kind)), -1, SQLITE_STATIC);
	if (resource_id)
		sqlite3_bind_int64(st, 3, resource_id);
	sqlite3_bind_int64(st, 4, time_now());
	change_encode(st, 5, c);
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
db_queue_set_status(db *d, int64_t id, enum queue_status status)
{
	static const char sql[] = "UPDATE pending_change SET status = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_text(st, 1, queue_status_name(status), -1, SQLITE_STATIC);
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
	if (final && (rc = db_queue_get(d, id, &q)) == TERN_OK && q.status != QUEUE_FAILED)
		rc = db_change_withdraw(d, &q);
	db_queue_row_free(&q);
	if (rc != TERN_OK && rc != TERN_ENOTFOUND)
		goto fail;
	rc = TERN_EDB;
	if (!(st = db_stmt(d, sql)))
		goto fail;
	sqlite3_bind_text(st, 1, error ? error : "unknown error", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, queue_status_name(final ? QUEUE_FAILED : QUEUE_QUEUED), -1, SQLITE_STATIC);
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
	/* Not 'sending': the worker that has it in hand reports its outcome.
	 * Only a move and an append have a to_mailbox (db_queue.h). */
	static const char sql[] = "SELECT id FROM pending_change WHERE status = 'queued' AND to_mailbox = ?1 ORDER BY id";
	/* Those failed already say why now: the folder's name is about to go,
	 * and a retry will meet the same (the engine repeats this reason). */
	static const char relabel[] = "UPDATE pending_change SET last_error = ?2 WHERE status = 'failed' AND to_mailbox = ?1";
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
	if (db_queue_get(d, id, &q) == TERN_OK && q.status == QUEUE_FAILED &&
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
	static const char sql[] = "SELECT " Q_COLS " FROM pending_change WHERE resource_id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int s;

	*flag_mask = 0;
	*moving = 0;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, message_id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct queue_row r;
		row_read(st, &r);
		if (r.resource_type == RESOURCE_EMAIL && r.change.kind == CHANGE_FLAG)
			*flag_mask |= r.change.u.flag.flag & (MSG_SEEN | MSG_FLAGGED | MSG_ANSWERED);
		else if (r.resource_type == RESOURCE_EMAIL && r.status != QUEUE_FAILED &&
		         (r.change.kind == CHANGE_MOVE || r.change.kind == CHANGE_DELETE))
			*moving = 1;
		db_queue_row_free(&r);
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
