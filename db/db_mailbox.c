#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_mailbox.h"
#include "db/db_int.h"
#include "db/db_queue.h"
#include "src/base/err.h"
#include "src/base/util.h"

#define MB_COLS "id, account_id, coalesce(parent_id, 0), remote_id, name, delim, role, selectable, total, unread"

void
db_mailbox_row_free(struct mailbox_row *r)
{
	if (!r)
		return;
	free(r->remote_id);
	free(r->name);
	free(r->delim);
	free(r->role);
	memset(r, 0, sizeof *r);
}

static void
row_read(sqlite3_stmt *st, struct mailbox_row *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->account_id = sqlite3_column_int64(st, 1);
	r->parent_id = sqlite3_column_int64(st, 2);
	r->remote_id = xstrdup((const char *)sqlite3_column_text(st, 3));
	r->name = xstrdup((const char *)sqlite3_column_text(st, 4));
	r->delim = xstrdup((const char *)sqlite3_column_text(st, 5));
	r->role = xstrdup((const char *)sqlite3_column_text(st, 6));
	r->selectable = sqlite3_column_int(st, 7);
	r->total = sqlite3_column_int64(st, 8);
	r->unread = sqlite3_column_int64(st, 9);
}

/* Steps st once; fills out on a row. */
static int
one_row(sqlite3_stmt *st, struct mailbox_row *out)
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
db_mailbox_get(db *d, int64_t id, struct mailbox_row *out)
{
	static const char sql[] = "SELECT " MB_COLS " FROM mailbox WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, id);
	return one_row(st, out);
}

int
db_mailbox_by_remote(db *d, int64_t account_id, const char *remote_id, struct mailbox_row *out)
{
	static const char sql[] = "SELECT " MB_COLS " FROM mailbox WHERE account_id = ? AND remote_id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, remote_id, -1, SQLITE_STATIC);
	return one_row(st, out);
}

/* By the role's text as stored: also a JMAP role tern has no enum for
 * ("important"), which `in:` and db_mailbox_find may name. */
static int
by_role_text(db *d, int64_t account_id, const char *role, struct mailbox_row *out)
{
	static const char sql[] =
		"SELECT " MB_COLS " FROM mailbox WHERE account_id = ? AND role = ? ORDER BY selectable DESC, id LIMIT 1";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
	return one_row(st, out);
}

int
db_mailbox_by_role(db *d, int64_t account_id, enum mailbox_role role, struct mailbox_row *out)
{
	const char *name = mailbox_role_name(role);
	return name ? by_role_text(d, account_id, name, out) : TERN_ENOTFOUND;
}

int
db_mailbox_find(db *d, int64_t account_id, const char *name_or_role, struct mailbox_row *out)
{
	static const char exact[] = "SELECT " MB_COLS " FROM mailbox WHERE account_id = ? AND name = ? AND delete_pending = 0";
	/* Two rows tell an ambiguous name from a unique one. */
	static const char nocase[] =
		"SELECT " MB_COLS " FROM mailbox WHERE account_id = ? AND tern_fold(name) = tern_fold(?) AND delete_pending = 0 LIMIT 2";
	sqlite3_stmt *st;
	char *role;
	int rc;

	st = db_stmt(d, exact);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, name_or_role, -1, SQLITE_STATIC);
	if ((rc = one_row(st, out)) != TERN_ENOTFOUND)
		return rc;
	role = xstrdup(name_or_role);
	str_lower(role);
	rc = by_role_text(d, account_id, role, out);
	free(role);
	if (rc != TERN_ENOTFOUND)
		return rc;
	st = db_stmt(d, nocase);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, name_or_role, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
	}
	row_read(st, out);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return TERN_OK;
	/* "work" beside "Work" and "WORK": picking one would act on a
	 * mailbox the user may not mean. */
	db_mailbox_row_free(out);
	return rc == SQLITE_ROW ? TERN_EINVAL : TERN_EDB;
}

static int
each(db *d, int64_t account_id, int with_hidden, db_mailbox_cb cb, void *ctx)
{
	/* Not cached: a callback may call db_mailbox_each again. */
	static const char sql[] =
		"SELECT " MB_COLS " FROM mailbox WHERE account_id = ? AND (delete_pending = 0 OR ?) ORDER BY "
		"CASE role WHEN 'inbox' THEN 0 WHEN 'drafts' THEN 1 WHEN 'sent' THEN 2 "
		"WHEN 'archive' THEN 3 WHEN 'junk' THEN 4 WHEN 'trash' THEN 5 ELSE 6 END, "
		"name COLLATE NOCASE";
	sqlite3_stmt *st;
	int rc = TERN_OK, s;

	if (sqlite3_prepare_v2(db_sqlite(d), sql, -1, &st, NULL) != SQLITE_OK)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int(st, 2, with_hidden);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct mailbox_row r;
		int stop;
		row_read(st, &r);
		stop = cb(&r, ctx);
		db_mailbox_row_free(&r);
		if (stop)
			break;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = TERN_EDB;
	sqlite3_finalize(st);
	return rc;
}

int
db_mailbox_each(db *d, int64_t account_id, db_mailbox_cb cb, void *ctx)
{
	return each(d, account_id, 0, cb, ctx);
}

int
db_mailbox_each_all(db *d, int64_t account_id, db_mailbox_cb cb, void *ctx)
{
	return each(d, account_id, 1, cb, ctx);
}

int
db_mailbox_upsert(db *d, int64_t account_id, const struct mailbox_info *mi, int64_t *id)
{
	static const char parent_q[] = "SELECT id FROM mailbox WHERE account_id = ? AND remote_id = ?";
	static const char ins[] =
		"INSERT INTO mailbox (account_id, remote_id, name, delim, role, parent_id, selectable, subscribed) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
		"ON CONFLICT (account_id, remote_id) DO UPDATE SET name = ?3, delim = ?4, role = ?5, "
		"parent_id = ?6, selectable = ?7, subscribed = ?8 RETURNING id";
	sqlite3_stmt *st;
	int64_t parent = 0;
	int rc;

	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	if (mi->parent_remote_id) {
		st = db_stmt(d, parent_q);
		if (!st)
			goto fail;
		sqlite3_bind_int64(st, 1, account_id);
		sqlite3_bind_text(st, 2, mi->parent_remote_id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			parent = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	st = db_stmt(d, ins);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, mi->remote_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, mi->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, mi->delim ? mi->delim : "/", -1, SQLITE_STATIC);
	if (mi->role)
		sqlite3_bind_text(st, 5, mi->role, -1, SQLITE_STATIC);
	if (parent)
		sqlite3_bind_int64(st, 6, parent);
	sqlite3_bind_int(st, 7, mi->selectable);
	sqlite3_bind_int(st, 8, mi->subscribed);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		goto fail;
	}
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (mi->has_counts && db_mailbox_set_counts(d, *id, mi->total, mi->unread) != TERN_OK)
		goto fail;
	return db_commit(d);
fail:
	db_rollback(d);
	return TERN_EDB;
}

int
db_mailbox_set_counts(db *d, int64_t id, int64_t total, int64_t unread)
{
	static const char sql[] = "UPDATE mailbox SET total = ?, unread = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, total);
	sqlite3_bind_int64(st, 2, unread);
	sqlite3_bind_int64(st, 3, id);
	return db_step_done(d, st);
}

int
db_mailbox_recount(db *d, int64_t id)
{
	static const char sql[] =
		"UPDATE mailbox SET "
		"total = (SELECT count(*) FROM message_mailbox WHERE mailbox_id = ?1 AND hidden = 0), "
		"unread = (SELECT count(*) FROM message_mailbox mm JOIN message m ON m.id = mm.message_id "
		"          WHERE mm.mailbox_id = ?1 AND mm.hidden = 0 AND m.seen = 0) "
		"WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, id);
	return db_step_done(d, st);
}

int
db_mailbox_delete(db *d, int64_t id)
{
	static const char orphans[] =
		"DELETE FROM message WHERE id IN (SELECT message_id FROM message_mailbox mm WHERE mm.mailbox_id = ?1 "
		"AND NOT EXISTS (SELECT 1 FROM message_mailbox o WHERE o.message_id = mm.message_id AND o.mailbox_id <> ?1))";
	static const char del[] = "DELETE FROM mailbox WHERE id = ?";
	struct mailbox_row row = { 0 };
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	/* What was on its way there fails now, naming the folder (the row
	 * and its name go next), and a message being moved there is shown
	 * again in its source. */
	if ((rc = db_mailbox_get(d, id, &row)) == TERN_OK) {
		char *why = xasprintf("%s no longer exists on the server", row.name);
		rc = db_queue_fail_into(d, id, why);
		free(why);
	}
	db_mailbox_row_free(&row);
	if (rc != TERN_OK && rc != TERN_ENOTFOUND)
		goto fail;
	st = db_stmt(d, orphans);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if (db_step_done(d, st) != TERN_OK)
		goto fail;
	st = db_stmt(d, del);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if (db_step_done(d, st) != TERN_OK)
		goto fail;
	return db_commit(d);
fail:
	db_rollback(d);
	return TERN_EDB;
}

int
db_mailbox_unpushed(db *d, int64_t id, int *unpushed)
{
	static const char sql[] =
		"SELECT 1 FROM pending_change WHERE resource_type = 'Mailbox' AND resource_id = ? "
		"AND change_type = 'mailbox_create' LIMIT 1";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	*unpushed = 0;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	*unpushed = rc == SQLITE_ROW;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? TERN_OK : TERN_EDB;
}

int
db_mailbox_set_remote(db *d, int64_t id, const char *remote_id)
{
	static const char sql[] = "UPDATE mailbox SET remote_id = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_text(st, 1, remote_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	return db_step_done(d, st);
}
