#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_jmap.h"
#include "db/db_int.h"
#include "db/db_message.h"
#include "src/base/err.h"
#include "src/base/util.h"

void
db_jmap_msg_free(struct db_jmap_msg *m)
{
	if (!m)
		return;
	free(m->keywords);
	memset(m, 0, sizeof *m);
}

int
db_jmap_message_find(db *d, int64_t account_id, const char *email_id, struct db_jmap_msg *out)
{
	static const char sql[] =
		"SELECT id, seen | (flagged << 1) | (answered << 2) | (draft << 3) | (deleted << 4), keywords "
		"FROM message WHERE account_id = ? AND email_id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, email_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *k = sqlite3_column_text(st, 2);
		out->id = sqlite3_column_int64(st, 0);
		out->flags = (unsigned)sqlite3_column_int(st, 1);
		out->keywords = xstrdup(k ? (const char *)k : "");
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? TERN_OK : rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

int
db_jmap_message_remote(db *d, int64_t msg_id, char **email_id, char **blob_id)
{
	static const char sql[] = "SELECT email_id, blob_id FROM message WHERE id = ? AND email_id IS NOT NULL";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, msg_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (email_id)
			*email_id = xstrdup((const char *)sqlite3_column_text(st, 0));
		if (blob_id)
			*blob_id = xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? TERN_OK : rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

int
db_jmap_set_remote(db *d, int64_t msg_id, const char *email_id, const char *blob_id)
{
	static const char sql[] =
		"UPDATE message SET email_id = ?2, blob_id = ?3 WHERE id = ?1 AND email_id IS NULL AND NOT EXISTS "
		"(SELECT 1 FROM message o WHERE o.account_id = message.account_id AND o.email_id = ?2)";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, msg_id);
	sqlite3_bind_text(st, 2, email_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, blob_id, -1, SQLITE_STATIC);
	return db_step_done(d, st);
}

int
db_jmap_set_mailboxes(db *d, int64_t msg_id, const int64_t *mbs, size_t n, int64_t received_at,
                      int *changed)
{
	static const char cur[] = "SELECT mailbox_id, hidden FROM message_mailbox WHERE message_id = ?";
	static const char del[] = "DELETE FROM message_mailbox WHERE message_id = ? AND mailbox_id = ?";
	static const char unhide[] = "UPDATE message_mailbox SET hidden = 0 WHERE message_id = ? AND mailbox_id = ?";
	sqlite3_stmt *st;
	int64_t *have = NULL;
	int *hid = NULL;
	size_t nhave = 0, cap = 0;
	int rc, s;

	*changed = 0;
	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	rc = TERN_EDB;
	if (!(st = db_stmt(d, cur)))
		goto fail;
	sqlite3_bind_int64(st, 1, msg_id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (nhave == cap) {
			cap = cap ? cap * 2 : 8;
			have = xrealloc(have, cap * sizeof *have);
			hid = xrealloc(hid, cap * sizeof *hid);
		}
		have[nhave] = sqlite3_column_int64(st, 0);
		hid[nhave++] = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (s != SQLITE_DONE)
		goto fail;
	for (size_t i = 0; i < nhave; i++) {
		int keep = 0;
		for (size_t k = 0; k < n && !keep; k++)
			keep = mbs[k] == have[i];
		if (keep && !hid[i])
			continue;
		/* A hidden row is the source of a move or delete that is no longer
		 * queued (it failed): the server's view decides, so the message
		 * does not vanish from every local view. */
		if (!(st = db_stmt(d, keep ? unhide : del)))
			goto fail;
		sqlite3_bind_int64(st, 1, msg_id);
		sqlite3_bind_int64(st, 2, have[i]);
		if (db_step_done(d, st) != TERN_OK)
			goto fail;
		*changed = 1;
	}
	for (size_t k = 0; k < n; k++) {
		int present = 0;
		for (size_t i = 0; i < nhave && !present; i++)
			present = have[i] == mbs[k];
		if (present)
			continue;
		if (db_message_link(d, msg_id, mbs[k], 0, received_at) != TERN_OK)
			goto fail;
		*changed = 1;
	}
	free(have);
	free(hid);
	return db_commit(d);
fail:
	free(have);
	free(hid);
	db_rollback(d);
	return rc;
}

int
db_jmap_destroy(db *d, int64_t account_id, const char *email_id, int *found)
{
	static const char sql[] = "DELETE FROM message WHERE account_id = ? AND email_id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, email_id, -1, SQLITE_STATIC);
	rc = db_step_done(d, st);
	*found = rc == TERN_OK && db_changes(d) > 0;
	return rc;
}

int
db_jmap_email_ids_page(db *d, int64_t account_id, int64_t *after, int limit, char ***ids, int *n)
{
	static const char sql[] =
		"SELECT id, email_id FROM message WHERE account_id = ?1 AND id > ?2 AND email_id IS NOT NULL "
		"AND NOT EXISTS (SELECT 1 FROM pending_change p WHERE p.resource_type = 'Email' "
		"AND p.resource_id = message.id) ORDER BY id LIMIT ?3";
	sqlite3_stmt *st = db_stmt(d, sql);
	int s;
	*ids = NULL;
	*n = 0;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, *after);
	sqlite3_bind_int(st, 3, limit);
	*ids = xcalloc((size_t)limit + 1, sizeof **ids);
	while ((s = sqlite3_step(st)) == SQLITE_ROW && *n < limit) {
		*after = sqlite3_column_int64(st, 0);
		(*ids)[(*n)++] = xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (s != SQLITE_ROW && s != SQLITE_DONE) {
		db_jmap_ids_free(*ids, *n);
		*ids = NULL;
		*n = 0;
		return TERN_EDB;
	}
	return TERN_OK;
}

void
db_jmap_ids_free(char **ids, int n)
{
	for (int i = 0; ids && i < n; i++)
		free(ids[i]);
	free(ids);
}

int
db_jmap_message_mailbox_rids(db *d, int64_t msg_id, char ***rids, int *n)
{
	static const char sql[] =
		"SELECT b.remote_id FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id "
		"WHERE mm.message_id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int s;
	*rids = NULL;
	*n = 0;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, msg_id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		*rids = xrealloc(*rids, (size_t)(*n + 1) * sizeof **rids);
		(*rids)[(*n)++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_reset(st);
	if (s != SQLITE_DONE) {
		db_jmap_ids_free(*rids, *n);
		*rids = NULL;
		*n = 0;
		return TERN_EDB;
	}
	return TERN_OK;
}

int
db_jmap_has_messages(db *d, int64_t account_id, int *has)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM message WHERE account_id = ?)";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*has = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? TERN_OK : TERN_EDB;
}

int
db_jmap_mailbox_rename_children(db *d, int64_t account_id, const char *old_name, const char *new_name)
{
	static const char sql[] =
		"UPDATE mailbox SET name = ?3 || substr(name, length(?2) + 1) "
		"WHERE account_id = ?1 AND substr(name, 1, length(?2) + 1) = ?2 || '/'";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, old_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, new_name, -1, SQLITE_STATIC);
	return db_step_done(d, st);
}

int
db_jmap_state_clear_prefix(db *d, int64_t account_id, const char *prefix)
{
	static const char sql[] =
		"DELETE FROM sync_state WHERE account_id = ? AND substr(resource, 1, length(?2)) = ?2";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
	return db_step_done(d, st);
}

int
db_jmap_outbox_message_id(db *d, int64_t outbox_id, char **message_id)
{
	static const char sql[] = "SELECT message_id FROM outbox WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, outbox_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 0);
		size_t len;
		if (m && *m == '<')
			m++;
		len = m ? strlen(m) : 0;
		if (len && m[len - 1] == '>')
			len--;
		*message_id = xstrndup(m ? m : "", len);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? TERN_OK : rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}
