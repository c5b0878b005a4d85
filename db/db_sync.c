#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "db/db_sync.h"
#include "db/db_int.h"
#include "src/base/err.h"
#include "src/base/util.h"

static int64_t
now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* One statement as a write transaction of its own (BEGIN IMMEDIATE, like
 * every write), or as part of the caller's when one is open. */
static int
write_one(db *d, sqlite3_stmt *st, int64_t *last_id)
{
	int rc = db_begin(d);
	if (rc != TERN_OK) {
		sqlite3_reset(st);
		return rc;
	}
	if ((rc = db_step_done(d, st)) != TERN_OK) {
		db_rollback(d);
		return rc;
	}
	if (last_id)
		*last_id = db_last_id(d);
	return db_commit(d);
}

int
db_sync_state_get(db *d, int64_t account_id, const char *resource, char **state)
{
	static const char sql[] = "SELECT state FROM sync_state WHERE account_id = ? AND resource = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, resource, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*state = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? TERN_OK : rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

int
db_sync_state_put(db *d, int64_t account_id, const char *resource, const char *state)
{
	static const char sql[] =
		"INSERT INTO sync_state (account_id, resource, state, synced_at) VALUES (?, ?, ?, ?) "
		"ON CONFLICT (account_id, resource) DO UPDATE SET state = excluded.state, synced_at = excluded.synced_at";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, resource, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, time_now());
	return write_one(d, st, NULL);
}

int
db_sync_state_delete(db *d, int64_t account_id, const char *resource)
{
	static const char sql[] = "DELETE FROM sync_state WHERE account_id = ? AND resource = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, resource, -1, SQLITE_STATIC);
	return write_one(d, st, NULL);
}

int
db_sync_log_start(db *d, int64_t account_id, const char *protocol, int64_t *log_id)
{
	static const char sql[] = "INSERT INTO sync_log (account_id, protocol, started_at) VALUES (?, ?, ?)";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, protocol, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now_ms());
	return write_one(d, st, log_id);
}

int
db_sync_log_end(db *d, int64_t log_id, const char *result, const char *error, const struct sync_counts *c)
{
	static const char sql[] =
		"UPDATE sync_log SET ended_at = ?, result = ?, error = ?, added = ?, updated = ?, removed = ?, "
		"pushed = ? WHERE id = ?";
	static const struct sync_counts zero;
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	if (!c)
		c = &zero;
	sqlite3_bind_int64(st, 1, now_ms());
	sqlite3_bind_text(st, 2, result, -1, SQLITE_STATIC);
	if (error)
		sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, c->added);
	sqlite3_bind_int64(st, 5, c->updated);
	sqlite3_bind_int64(st, 6, c->removed);
	sqlite3_bind_int64(st, 7, c->pushed);
	sqlite3_bind_int64(st, 8, log_id);
	return write_one(d, st, NULL);
}

int
db_status_set(db *d, int64_t account_id, const char *state, const char *detail, const char *last_error)
{
	static const char sql[] =
		"INSERT INTO account_status (account_id, state, detail, last_error, updated_at) "
		"VALUES (?1, ?2, ?3, nullif(?4, ''), ?5) "
		"ON CONFLICT (account_id) DO UPDATE SET state = ?2, detail = ?3, "
		"last_error = CASE WHEN ?4 IS NULL THEN last_error ELSE nullif(?4, '') END, updated_at = ?5";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, detail ? detail : "", -1, SQLITE_STATIC);
	if (last_error)
		sqlite3_bind_text(st, 4, last_error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, time_now());
	return write_one(d, st, NULL);
}

int
db_status_get(db *d, int64_t account_id, struct account_status *out)
{
	static const char sql[] =
		"SELECT state, detail, last_error, updated_at FROM account_status WHERE account_id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	memset(out, 0, sizeof *out);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->state = xstrdup((const char *)sqlite3_column_text(st, 0));
		out->detail = xstrdup((const char *)sqlite3_column_text(st, 1));
		out->last_error = xstrdup(sqlite3_column_type(st, 2) == SQLITE_NULL ? "" :
		                          (const char *)sqlite3_column_text(st, 2));
		out->updated_at = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? TERN_OK : rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

void
db_status_free(struct account_status *s)
{
	free(s->state);
	free(s->detail);
	free(s->last_error);
	memset(s, 0, sizeof *s);
}

int
db_mailbox_failures(db *d, int64_t account_id, const char *remote)
{
	char *res = xasprintf("imapfail:%s", remote ? remote : ""), *state = NULL;
	long long count = 0, at = 0;
	if (db_sync_state_get(d, account_id, res, &state) != TERN_OK || !state || sscanf(state, "%lld %lld", &count, &at) != 2)
		count = 0;
	free(state);
	free(res);
	return count > 0 && count < 1000000 ? (int)count : 0;
}
