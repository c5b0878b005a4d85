#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_account.h"
#include "db/db_int.h"
#include "src/base/err.h"
#include "src/base/util.h"

int
db_account_id(db *d, const char *name, int64_t *id)
{
	static const char sql[] = "SELECT id FROM account WHERE name = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return TERN_OK;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

int
db_account_name(db *d, int64_t id, char **name)
{
	static const char sql[] = "SELECT name FROM account WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*name = xstrdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		return TERN_OK;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

int
db_account_ensure(db *d, const char *name, const char *protocol, const char *email, int64_t *id)
{
	static const char q[] = "SELECT id, protocol, email FROM account WHERE name = ?";
	static const char ins[] =
		"INSERT INTO account (name, protocol, email, created_at) VALUES (?, ?, ?, ?)";
	static const char upd[] = "UPDATE account SET email = ? WHERE id = ?";
	sqlite3_stmt *st;
	int rc;

	st = db_stmt(d, q);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int same = str_eq((const char *)sqlite3_column_text(st, 1), protocol);
		int same_email = str_eq((const char *)sqlite3_column_text(st, 2), email ? email : "");
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (!same)
			return TERN_ECONFIG;
		if (same_email)
			return TERN_OK;
		if ((rc = db_begin(d)) != TERN_OK)
			return rc;
		st = db_stmt(d, upd);
		if (!st) {
			db_rollback(d);
			return TERN_EDB;
		}
		sqlite3_bind_text(st, 1, email ? email : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, *id);
		if (db_step_done(d, st) != TERN_OK) {
			db_rollback(d);
			return TERN_EDB;
		}
		return db_commit(d);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return TERN_EDB;

	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	st = db_stmt(d, ins);
	if (!st) {
		db_rollback(d);
		return TERN_EDB;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, protocol, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, email ? email : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, time_now());
	if (db_step_done(d, st) != TERN_OK) {
		db_rollback(d);
		return TERN_EDB;
	}
	*id = db_last_id(d);
	return db_commit(d);
}
