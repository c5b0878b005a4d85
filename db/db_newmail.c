#include "config.h"

#include "db/db_int.h"
#include "db/db_newmail.h"
#include "src/base/err.h"

int
db_newmail_mark(db *d, int64_t *mark)
{
	sqlite3_stmt *st = db_stmt(d, "SELECT coalesce(max(id), 0) FROM message");
	int rc = TERN_EDB;
	*mark = 0;
	if (!st)
		return TERN_EDB;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*mark = sqlite3_column_int64(st, 0);
		rc = TERN_OK;
	}
	sqlite3_reset(st);
	return rc;
}

int
db_newmail_count(db *d, int64_t after, int64_t upto, int64_t since, db_newmail_cb cb, void *ctx)
{
	/* Ids only grow: the new rows are a range of the primary key. */
	static const char sql[] =
		"SELECT mb.account_id, mb.name, count(*) FROM message m "
		"JOIN message_mailbox mm ON mm.message_id = m.id AND mm.hidden = 0 "
		"JOIN mailbox mb ON mb.id = mm.mailbox_id "
		"WHERE m.id > ?1 AND m.id <= ?3 AND m.seen = 0 AND m.received_at >= ?2 "
		"GROUP BY mm.mailbox_id ORDER BY count(*) DESC, mb.name";
	sqlite3_stmt *st = db_stmt(d, sql);
	int s, rc = TERN_OK;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, upto);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		if (cb(sqlite3_column_int64(st, 0), name ? name : "?", sqlite3_column_int64(st, 2), ctx))
			break;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = TERN_EDB;
	sqlite3_reset(st);
	return rc;
}

int
db_newmail_account_mark(db *d, int64_t account_id, int64_t *mark)
{
	sqlite3_stmt *st = db_stmt(d, "SELECT coalesce(max(id), 0) FROM message WHERE account_id = ?");
	int rc = TERN_EDB;
	*mark = 0;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*mark = sqlite3_column_int64(st, 0);
		rc = TERN_OK;
	}
	sqlite3_reset(st);
	return rc;
}

int
db_newmail_received(db *d, int64_t account_id, int64_t after, int limit, db_newmail_msg_cb cb, void *ctx)
{
	static const char sql[] =
		"SELECT m.id, min(mm.mailbox_id) FROM message m "
		"JOIN message_mailbox mm ON mm.message_id = m.id AND mm.hidden = 0 "
		"JOIN mailbox mb ON mb.id = mm.mailbox_id "
		"WHERE m.account_id = ?1 AND m.id > ?2 AND m.seen = 0 "
		"AND coalesce(mb.role, '') NOT IN ('sent', 'drafts', 'trash', 'junk', 'archive') "
		"GROUP BY m.id ORDER BY m.id LIMIT ?3";
	sqlite3_stmt *st = db_stmt(d, sql);
	int s, rc = TERN_OK;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int(st, 3, limit);
	while ((s = sqlite3_step(st)) == SQLITE_ROW)
		if (cb(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), ctx))
			break;
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = TERN_EDB;
	sqlite3_reset(st);
	return rc;
}
