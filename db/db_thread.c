#include "config.h"

#include <stdlib.h>

#include "db/db_int.h"
#include "db/db_thread.h"
#include "src/base/err.h"
#include "src/base/util.h"

/* CROSS JOIN, as in db_thread_messages: through message_thread (the
 * thread's size), never through the mailbox's date index. */
#define THREAD_ROWS \
	"FROM message m CROSS JOIN message_mailbox mm " \
	"ON mm.message_id = m.id AND mm.mailbox_id = ?1 AND mm.hidden = 0 WHERE m.thread_id = ?2"

int
db_thread_summary(db *d, int64_t mailbox_id, int64_t thread_id, struct thread_sum *out)
{
	static const char sql[] =
		"SELECT count(*), coalesce(sum(m.seen = 0), 0), coalesce(max(m.flagged <> 0), 0) " THREAD_ROWS;
	static const char first[] = "SELECT m.id " THREAD_ROWS " ORDER BY mm.received_at, m.id LIMIT 1";
	sqlite3_stmt *st;
	int s, rc = TERN_EDB;

	*out = (struct thread_sum){ 0 };
	if (!(st = db_stmt(d, sql)))
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, thread_id);
	if ((s = sqlite3_step(st)) == SQLITE_ROW) {
		out->n = sqlite3_column_int64(st, 0);
		out->unread = sqlite3_column_int64(st, 1);
		out->flagged = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	if (s != SQLITE_ROW)
		goto out;
	if (!out->n) {
		rc = TERN_ENOTFOUND;
		goto out;
	}
	if (!(st = db_stmt(d, first)))
		goto out;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, thread_id);
	if ((s = sqlite3_step(st)) == SQLITE_ROW) {
		out->first_id = sqlite3_column_int64(st, 0);
		rc = TERN_OK;
	} else if (s == SQLITE_DONE) {
		rc = TERN_ENOTFOUND;
	}
	sqlite3_reset(st);
out:
	return rc;
}

int
db_thread_ids(db *d, int64_t mailbox_id, int64_t thread_id, int64_t **ids, size_t *n)
{
	static const char sql[] = "SELECT m.id " THREAD_ROWS " ORDER BY mm.received_at, m.id";
	sqlite3_stmt *st = db_stmt(d, sql);
	size_t cap = 0;
	int s, rc = TERN_OK;

	*ids = NULL;
	*n = 0;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, thread_id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*ids = xrealloc(*ids, cap * sizeof **ids);
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	if (s != SQLITE_DONE)
		rc = TERN_EDB;
	sqlite3_reset(st);
	return rc;
}
