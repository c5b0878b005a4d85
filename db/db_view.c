#include "config.h"

#include <stdlib.h>

#include "db/db_view.h"
#include "db/db_int.h"
#include "src/base/err.h"
#include "src/base/util.h"

int
db_thread_page(db *d, int64_t mailbox_id, const struct thread_ref *after, int backward,
               int limit, db_thread_cb cb, void *ctx)
{
	static const char top[] =
		"SELECT latest_at, thread_id, n FROM thread_mailbox WHERE mailbox_id = ?1 "
		"ORDER BY latest_at DESC, thread_id DESC LIMIT ?4";
	static const char fwd[] =
		"SELECT latest_at, thread_id, n FROM thread_mailbox WHERE mailbox_id = ?1 "
		"AND (latest_at, thread_id) < (?2, ?3) ORDER BY latest_at DESC, thread_id DESC LIMIT ?4";
	static const char bwd[] =
		"SELECT latest_at, thread_id, n FROM thread_mailbox WHERE mailbox_id = ?1 "
		"AND (latest_at, thread_id) > (?2, ?3) ORDER BY latest_at ASC, thread_id ASC LIMIT ?4";
	static const char bottom[] =
		"SELECT latest_at, thread_id, n FROM thread_mailbox WHERE mailbox_id = ?1 "
		"ORDER BY latest_at ASC, thread_id ASC LIMIT ?4";
	struct thread_ref *v;
	sqlite3_stmt *st;
	int n = 0, s = SQLITE_DONE, rc = TERN_OK;

	if (limit <= 0)
		return TERN_OK;
	st = db_stmt(d, after ? (backward ? bwd : fwd) : (backward ? bottom : top));
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	if (after) {
		sqlite3_bind_int64(st, 2, after->latest_at);
		sqlite3_bind_int64(st, 3, after->thread_id);
	}
	sqlite3_bind_int(st, 4, limit);
	v = xcalloc((size_t)limit, sizeof *v);
	while (n < limit && (s = sqlite3_step(st)) == SQLITE_ROW) {
		v[n].latest_at = sqlite3_column_int64(st, 0);
		v[n].thread_id = sqlite3_column_int64(st, 1);
		v[n].n = sqlite3_column_int64(st, 2);
		n++;
	}
	if (n < limit && s != SQLITE_DONE)
		rc = TERN_EDB;
	/* Reset before calling back: the callback queries the thread. */
	sqlite3_reset(st);
	for (int i = 0; i < n && rc == TERN_OK; i++)
		if (cb(&v[backward ? n - 1 - i : i], ctx))
			break;
	free(v);
	return rc;
}

int
db_view_in_mailbox(db *d, int64_t mailbox_id, int64_t msg_id)
{
	static const char sql[] =
		"SELECT 1 FROM message_mailbox WHERE mailbox_id = ?1 AND message_id = ?2 AND hidden = 0";
	sqlite3_stmt *st = db_stmt(d, sql);
	int s;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, msg_id);
	s = sqlite3_step(st);
	sqlite3_reset(st);
	return s == SQLITE_ROW ? 1 : s == SQLITE_DONE ? 0 : TERN_EDB;
}

int
db_view_by_message_id(db *d, int64_t account_id, const char *msgid, int64_t *id)
{
	static const char sql[] =
		"SELECT id FROM message WHERE account_id = ? AND message_id = ? ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st = db_stmt(d, sql);
	int s;
	*id = 0;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, msgid, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return s == SQLITE_ROW ? TERN_OK : s == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

int
db_view_failed_error(db *d, int64_t account_id, char **err)
{
	static const char sql[] =
		"SELECT last_error FROM pending_change WHERE account_id = ? AND status = 'failed' "
		"AND last_error IS NOT NULL AND last_error <> '' ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st = db_stmt(d, sql);
	int s;
	*err = NULL;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		*err = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return s == SQLITE_ROW ? TERN_OK : s == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

int
db_thread_of(db *d, int64_t mailbox_id, int64_t msg_id, struct thread_ref *out)
{
	static const char sql[] =
		"SELECT t.latest_at, t.thread_id, t.n FROM message m "
		"CROSS JOIN message_mailbox mm ON mm.message_id = m.id AND mm.mailbox_id = ?1 AND mm.hidden = 0 "
		"JOIN thread_mailbox t ON t.mailbox_id = ?1 AND t.thread_id = m.thread_id "
		"WHERE m.id = ?2";
	sqlite3_stmt *st = db_stmt(d, sql);
	int s;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, msg_id);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		out->latest_at = sqlite3_column_int64(st, 0);
		out->thread_id = sqlite3_column_int64(st, 1);
		out->n = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return s == SQLITE_ROW ? TERN_OK : s == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

int
db_thread_messages(db *d, int64_t mailbox_id, int64_t thread_id, db_msg_cb cb, void *ctx)
{
	static const char sql[] =
		/* CROSS JOIN: through message_thread (the thread's size), never
		 * through the mailbox's date index (the mailbox's size). */
		"SELECT m.id FROM message m CROSS JOIN message_mailbox mm "
		"ON mm.message_id = m.id AND mm.mailbox_id = ?1 AND mm.hidden = 0 "
		"WHERE m.thread_id = ?2 ORDER BY mm.received_at, m.id";
	sqlite3_stmt *st = db_stmt(d, sql);
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int s, rc = TERN_OK;

	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, thread_id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			ids = xrealloc(ids, cap * sizeof *ids);
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	if (s != SQLITE_DONE)
		rc = TERN_EDB;
	sqlite3_reset(st);
	for (size_t i = 0; i < n && rc == TERN_OK; i++) {
		struct msg_row r = { 0 };
		if ((rc = db_message_get(d, ids[i], &r)) != TERN_OK)
			break;
		r.mailbox_id = mailbox_id;
		s = cb(&r, ctx);
		db_msg_row_free(&r);
		if (s)
			break;
	}
	free(ids);
	return rc;
}

static int
bounded_count(db *d, const char *sql, int64_t mailbox_id, int64_t a, int64_t b, int64_t limit,
              int64_t *out)
{
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, a);
	sqlite3_bind_int64(st, 3, b);
	sqlite3_bind_int64(st, 4, limit);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return TERN_EDB;
	}
	*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (*out >= limit)
		*out = -1;
	return TERN_OK;
}

int
db_view_before(db *d, int64_t mailbox_id, const struct msg_cursor *cur, int64_t limit, int64_t *pos)
{
	static const char sql[] =
		"SELECT count(*) FROM (SELECT 1 FROM message_mailbox WHERE mailbox_id = ?1 AND hidden = 0 "
		"AND (received_at, message_id) > (?2, ?3) LIMIT ?4)";
	return bounded_count(d, sql, mailbox_id, cur->received_at, cur->id, limit, pos);
}

int
db_view_after(db *d, int64_t mailbox_id, const struct msg_cursor *cur, int64_t limit, int64_t *n)
{
	static const char sql[] =
		"SELECT count(*) FROM (SELECT 1 FROM message_mailbox WHERE mailbox_id = ?1 AND hidden = 0 "
		"AND (received_at, message_id) < (?2, ?3) LIMIT ?4)";
	return bounded_count(d, sql, mailbox_id, cur->received_at, cur->id, limit, n);
}

int
db_thread_before(db *d, int64_t mailbox_id, const struct thread_ref *t, int64_t limit, int64_t *pos)
{
	/* Summed over at most limit threads: each holds at least one message. */
	static const char sql[] =
		"SELECT coalesce(sum(n), 0), count(*) FROM (SELECT n FROM thread_mailbox WHERE mailbox_id = ?1 "
		"AND (latest_at, thread_id) > (?2, ?3) LIMIT ?4)";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, t->latest_at);
	sqlite3_bind_int64(st, 3, t->thread_id);
	sqlite3_bind_int64(st, 4, limit);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return TERN_EDB;
	}
	*pos = sqlite3_column_int64(st, 1) >= limit ? -1 : sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return TERN_OK;
}
