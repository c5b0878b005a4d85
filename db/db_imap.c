#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_imap.h"
#include "db/db_mailbox.h"
#include "db/db_int.h"
#include "db/db_message.h"
#include "src/base/err.h"
#include "src/base/util.h"

static int
step_row(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	return rc == SQLITE_ROW ? TERN_OK : rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

int
db_imap_uids_range(db *d, int64_t mailbox_id, uint32_t lo, uint32_t hi, struct db_imap_uid *out, size_t max,
                   size_t *n)
{
	static const char sql[] =
		"SELECT mm.uid, mm.message_id, m.seen | (m.flagged << 1) | (m.answered << 2) | (m.draft << 3) | (m.deleted << 4), "
		"mm.hidden FROM message_mailbox mm INDEXED BY mm_uid JOIN message m ON m.id = mm.message_id "
		"WHERE mm.mailbox_id = ? AND mm.uid IS NOT NULL AND mm.uid BETWEEN ? AND ? ORDER BY mm.uid LIMIT ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int s;

	*n = 0;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)max);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_imap_uid *u = &out[(*n)++];
		u->uid = (uint32_t)sqlite3_column_int64(st, 0);
		u->msg_id = sqlite3_column_int64(st, 1);
		u->flags = (unsigned)sqlite3_column_int(st, 2);
		u->hidden = sqlite3_column_int(st, 3);
	}
	sqlite3_reset(st);
	if (s != SQLITE_DONE) {
		*n = 0;
		return TERN_EDB;
	}
	return TERN_OK;
}

int
db_imap_find(db *d, int64_t mailbox_id, uint32_t uid, struct db_imap_uid *out, char **keywords)
{
	static const char sql[] =
		"SELECT mm.message_id, m.seen | (m.flagged << 1) | (m.answered << 2) | (m.draft << 3) | (m.deleted << 4), "
		"mm.hidden, m.keywords FROM message_mailbox mm JOIN message m ON m.id = mm.message_id "
		"WHERE mm.mailbox_id = ? AND mm.uid = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, uid);
	if ((rc = step_row(st)) == TERN_OK) {
		out->uid = uid;
		out->msg_id = sqlite3_column_int64(st, 0);
		out->flags = (unsigned)sqlite3_column_int(st, 1);
		out->hidden = sqlite3_column_int(st, 2);
		if (keywords)
			*keywords = xstrdup((const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_reset(st);
	return rc;
}

int
db_imap_forget(db *d, int64_t mailbox_id, int64_t msg_id)
{
	return db_message_unlink(d, msg_id, mailbox_id);
}

int
db_imap_drop_hidden(db *d, int64_t msg_id, int64_t mailbox_id)
{
	return db_message_unlink_hidden(d, msg_id, mailbox_id);
}

int
db_imap_forget_uids(db *d, int64_t mailbox_id)
{
	static const char sql[] = "UPDATE message_mailbox SET uid = NULL WHERE mailbox_id = ? AND uid IS NOT NULL";
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	if (!(st = db_stmt(d, sql)))
		goto fail;
	sqlite3_bind_int64(st, 1, mailbox_id);
	if (db_step_done(d, st) != TERN_OK)
		goto fail;
	return db_commit(d);
fail:
	db_rollback(d);
	return TERN_EDB;
}

int
db_imap_drop_unadopted(db *d, int64_t mailbox_id, int64_t *removed)
{
	static const char del[] =
		"DELETE FROM message_mailbox WHERE mailbox_id = ?1 AND uid IS NULL AND message_id NOT IN "
		"(SELECT resource_id FROM pending_change WHERE resource_type = 'Email' AND resource_id IS NOT NULL) "
		"AND message_id NOT IN (SELECT local_message FROM pending_change WHERE local_message <> 0)";
	static const char orphans[] =
		"DELETE FROM message WHERE account_id = (SELECT account_id FROM mailbox WHERE id = ?1) "
		"AND NOT EXISTS (SELECT 1 FROM message_mailbox WHERE message_id = message.id)";
	sqlite3_stmt *st;
	int rc;

	*removed = 0;
	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	if (!(st = db_stmt(d, del)))
		goto fail;
	sqlite3_bind_int64(st, 1, mailbox_id);
	if (db_step_done(d, st) != TERN_OK)
		goto fail;
	*removed = db_changes(d);
	if (*removed > 0) {
		if (!(st = db_stmt(d, orphans)))
			goto fail;
		sqlite3_bind_int64(st, 1, mailbox_id);
		if (db_step_done(d, st) != TERN_OK)
			goto fail;
	}
	return db_commit(d);
fail:
	db_rollback(d);
	return TERN_EDB;
}

int
db_imap_max_uid(db *d, int64_t mailbox_id, uint32_t *uid)
{
	static const char sql[] =
		"SELECT coalesce(max(uid), 0) FROM message_mailbox WHERE mailbox_id = ? AND uid IS NOT NULL";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	*uid = 0;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	if ((rc = step_row(st)) == TERN_OK)
		*uid = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

int
db_imap_set_uid(db *d, int64_t msg_id, int64_t mailbox_id, uint32_t uid)
{
	static const char clear[] = "UPDATE message_mailbox SET uid = NULL WHERE mailbox_id = ? AND uid = ? AND message_id <> ?";
	static const char sql[] = "UPDATE message_mailbox SET uid = ? WHERE message_id = ? AND mailbox_id = ?";
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	/* A sync may already have seen the new UID as a "new" message there. */
	if (!(st = db_stmt(d, clear)))
		goto fail;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, uid);
	sqlite3_bind_int64(st, 3, msg_id);
	if (db_step_done(d, st) != TERN_OK)
		goto fail;
	if (!(st = db_stmt(d, sql)))
		goto fail;
	sqlite3_bind_int64(st, 1, uid);
	sqlite3_bind_int64(st, 2, msg_id);
	sqlite3_bind_int64(st, 3, mailbox_id);
	if (db_step_done(d, st) != TERN_OK)
		goto fail;
	return db_commit(d);
fail:
	db_rollback(d);
	return TERN_EDB;
}

int
db_imap_location(db *d, int64_t msg_id, int64_t mailbox_id, int64_t *mb_out, char **remote, uint32_t *uid)
{
	static const char sql[] =
		"SELECT mm.mailbox_id, b.remote_id, mm.uid FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id "
		"WHERE mm.message_id = ?1 AND mm.uid IS NOT NULL AND (?2 = 0 OR mm.mailbox_id = ?2) "
		"ORDER BY mm.hidden, mm.mailbox_id LIMIT 1";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, msg_id);
	sqlite3_bind_int64(st, 2, mailbox_id);
	if ((rc = step_row(st)) == TERN_OK) {
		if (mb_out)
			*mb_out = sqlite3_column_int64(st, 0);
		*remote = xstrdup((const char *)sqlite3_column_text(st, 1));
		*uid = (uint32_t)sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return rc;
}

int
db_imap_queue_drop_for(db *d, int64_t msg_id, int *n)
{
	static const char sql[] =
		"DELETE FROM pending_change WHERE resource_type = 'Email' AND resource_id = ? AND status <> 'failed'";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	*n = 0;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, msg_id);
	if ((rc = db_step_done(d, st)) == TERN_OK)
		*n = db_changes(d);
	return rc;
}

int
db_imap_mailbox_set_remote(db *d, int64_t mailbox_id, const char *remote_id)
{
	return db_mailbox_set_remote(d, mailbox_id, remote_id);
}

int
db_imap_modseq(db *d, int64_t msg_id, int64_t *modseq)
{
	static const char sql[] = "SELECT modseq FROM message WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, msg_id);
	if ((rc = step_row(st)) == TERN_OK)
		*modseq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

int
db_imap_set_modseq(db *d, int64_t msg_id, int64_t modseq)
{
	static const char sql[] = "UPDATE message SET modseq = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, modseq);
	sqlite3_bind_int64(st, 2, msg_id);
	return db_step_done(d, st);
}

int
db_imap_outbox_msgid(db *d, int64_t outbox_id, char **message_id)
{
	static const char sql[] = "SELECT message_id FROM outbox WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, outbox_id);
	if ((rc = step_row(st)) == TERN_OK)
		*message_id = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc;
}

int
db_imap_adopt(db *d, int64_t mailbox_id, const char *message_id, uint32_t uid, int64_t *msg_id)
{
	static const char sql[] =
		"SELECT mm.message_id FROM message_mailbox mm INDEXED BY mm_nouid CROSS JOIN message m "
		"ON m.id = mm.message_id WHERE mm.mailbox_id = ? AND mm.uid IS NULL AND m.message_id = ? LIMIT 1";
	sqlite3_stmt *st;
	int rc;
	if (!message_id || !*message_id)
		return TERN_ENOTFOUND;
	if (!(st = db_stmt(d, sql)))
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_text(st, 2, message_id, -1, SQLITE_STATIC);
	rc = step_row(st);
	if (rc == TERN_OK)
		*msg_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != TERN_OK)
		return rc;
	return db_imap_set_uid(d, *msg_id, mailbox_id, uid);
}

int
db_imap_count(db *d, int64_t mailbox_id, int64_t *n)
{
	static const char sql[] = "SELECT count(*) FROM message_mailbox WHERE mailbox_id = ? AND uid IS NOT NULL";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	if ((rc = step_row(st)) == TERN_OK)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

int
db_imap_damaged_due(db *d, int64_t mailbox_id, int64_t before, uint32_t **uids, size_t *n)
{
	static const char sql[] =
		"SELECT mm.uid FROM message_mailbox mm JOIN message m ON m.id = mm.message_id "
		"WHERE mm.mailbox_id = ? AND mm.uid IS NOT NULL AND m.damaged <> 0 AND m.damaged < ? "
		"ORDER BY mm.uid LIMIT ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	size_t k = 0;
	int r;

	*uids = NULL;
	*n = 0;
	if (!st)
		return TERN_EDB;
	*uids = xcalloc(DB_IMAP_DAMAGED_MAX, sizeof **uids);
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, before);
	sqlite3_bind_int(st, 3, DB_IMAP_DAMAGED_MAX);
	while ((r = sqlite3_step(st)) == SQLITE_ROW && k < DB_IMAP_DAMAGED_MAX)
		(*uids)[k++] = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	*n = k;
	if (r != SQLITE_DONE && r != SQLITE_ROW) {
		free(*uids);
		*uids = NULL;
		*n = 0;
		return TERN_EDB;
	}
	return TERN_OK;
}

int
db_imap_set_damaged(db *d, int64_t msg_id, int64_t when)
{
	static const char sql[] = "UPDATE message SET damaged = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, when);
	sqlite3_bind_int64(st, 2, msg_id);
	return db_step_done(d, st);
}
