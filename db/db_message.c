#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_message.h"
#include "db/db_int.h"
#include "db/db_schema.h"
#include "db/db_sort.h"
#include "src/base/err.h"
#include "src/base/util.h"

static char *
col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return xstrdup(t ? (const char *)t : "");
}

void
db_msg_row_read(sqlite3_stmt *st, struct msg_row *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->account_id = sqlite3_column_int64(st, 1);
	r->mailbox_id = sqlite3_column_int64(st, 2);
	r->uid = sqlite3_column_int64(st, 3);
	r->email_id = sqlite3_column_type(st, 4) == SQLITE_NULL ? NULL : col_str(st, 4);
	r->message_id = col_str(st, 5);
	r->in_reply_to = col_str(st, 6);
	r->references = col_str(st, 7);
	r->subject = col_str(st, 8);
	r->from_name = col_str(st, 9);
	r->from_addr = col_str(st, 10);
	r->to_list = col_str(st, 11);
	r->cc_list = col_str(st, 12);
	r->reply_to = col_str(st, 13);
	r->keywords = col_str(st, 14);
	r->preview = col_str(st, 15);
	r->sent_at = sqlite3_column_int64(st, 16);
	r->received_at = sqlite3_column_int64(st, 17);
	r->size = sqlite3_column_int64(st, 18);
	r->flags = (unsigned)sqlite3_column_int(st, 19);
	r->has_attachment = sqlite3_column_int(st, 20);
	r->thread_id = sqlite3_column_int64(st, 21);
	r->pending = sqlite3_column_int(st, 22);
	r->failed = sqlite3_column_int(st, 23);
	r->damaged = sqlite3_column_int(st, 24);
	r->pgp = sqlite3_column_int(st, 25);
}

int
msg_pgp_of_type(const char *t)
{
	while (t && (*t == ' ' || *t == '\t'))
		t++;
	if (!t)
		return MSG_PGP_NONE;
	if (str_ihas_prefix(t, "multipart/encrypted"))
		return MSG_PGP_ENCRYPTED;
	if (str_ihas_prefix(t, "multipart/signed"))
		return MSG_PGP_SIGNED;
	return MSG_PGP_NONE;
}

void
db_msg_row_free(struct msg_row *r)
{
	if (!r)
		return;
	free(r->email_id);
	free(r->message_id);
	free(r->in_reply_to);
	free(r->references);
	free(r->subject);
	free(r->from_name);
	free(r->from_addr);
	free(r->to_list);
	free(r->cc_list);
	free(r->reply_to);
	free(r->keywords);
	free(r->preview);
	memset(r, 0, sizeof *r);
}

static void
bind_str(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_STATIC);
}

/* The thread of one message-id, or 0 if no such message is stored. */
static int
thread_of(db *d, int64_t account_id, const char *msgid, size_t len, int64_t *thread)
{
	static const char sql[] =
		"SELECT coalesce(thread_id, id) FROM message WHERE account_id = ? AND message_id = ? LIMIT 1";
	sqlite3_stmt *st = db_stmt(d, sql);
	int s;

	*thread = 0;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, msgid, (int)len, SQLITE_STATIC);
	if ((s = sqlite3_step(st)) == SQLITE_ROW)
		*thread = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return s == SQLITE_ROW || s == SQLITE_DONE ? TERN_OK : TERN_EDB;
}

/* The nearest ancestor that is stored: In-Reply-To, then References from
 * the last (the parent) back towards the root, so that a reply whose
 * parent is missing still joins its siblings. */
static int
thread_by_ancestors(db *d, int64_t account_id, const struct msg_hdr *h, int64_t *thread)
{
	const char *lists[2] = { h->in_reply_to, h->references };
	int rc = TERN_OK, tries = 0;

	*thread = 0;
	for (int k = 0; k < 2 && !*thread && rc == TERN_OK; k++) {
		const char *s = lists[k] ? lists[k] : "", *end = s + strlen(s);
		/* Words from the end: the last is the nearest ancestor. */
		while (end > s && !*thread && rc == TERN_OK && tries < 20) {
			const char *w;
			while (end > s && end[-1] == ' ')
				end--;
			for (w = end; w > s && w[-1] != ' '; w--)
				;
			if (end > w) {
				rc = thread_of(d, account_id, w, (size_t)(end - w), thread);
				tries++;
			}
			end = w;
			if (k == 0)
				break;   /* In-Reply-To: its last id only */
		}
	}
	return rc;
}

/* Threads are kept as they arrive. A message joins its nearest stored
 * ancestor's thread, else the thread of replies to it that arrived first
 * (a first sync runs newest first, so replies usually precede their
 * parent), else the server's thread id; else it starts its own (*thread 0).
 * The thread is found before the INSERT so the row is written once, and
 * nothing else moves unless the message joins two threads together
 * (*merge: replies in other threads than the one chosen). */
static int
thread_find(db *d, int64_t account_id, const struct msg_hdr *h, int64_t *thread, int *merge)
{
	static const char replies[] =
		"SELECT DISTINCT coalesce(thread_id, id) FROM message WHERE account_id = ? AND in_reply_to = ? LIMIT 8";
	static const char by_remote[] =
		"SELECT coalesce(thread_id, id) FROM message WHERE account_id = ? AND remote_thread_id = ? LIMIT 1";
	sqlite3_stmt *st;
	int s, rc;

	*merge = 0;
	if ((rc = thread_by_ancestors(d, account_id, h, thread)) != TERN_OK)
		return rc;
	if (h->message_id && *h->message_id) {
		if (!(st = db_stmt(d, replies)))
			return TERN_EDB;
		sqlite3_bind_int64(st, 1, account_id);
		sqlite3_bind_text(st, 2, h->message_id, -1, SQLITE_STATIC);
		while ((s = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t t = sqlite3_column_int64(st, 0);
			if (!*thread)
				*thread = t;
			else if (t != *thread)
				*merge = 1;
		}
		sqlite3_reset(st);
		if (s != SQLITE_DONE)
			return TERN_EDB;
	}
	if (!*thread && h->remote_thread_id) {
		if (!(st = db_stmt(d, by_remote)))
			return TERN_EDB;
		sqlite3_bind_int64(st, 1, account_id);
		sqlite3_bind_text(st, 2, h->remote_thread_id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			*thread = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return TERN_OK;
}

/* The message joined threads: replies to it in other threads move to its. */
static int
thread_merge(db *d, int64_t account_id, int64_t id, int64_t thread, const struct msg_hdr *h)
{
	static const char adopt[] =
		"UPDATE message SET thread_id = ?1 WHERE thread_id IN "
		"(SELECT coalesce(thread_id, id) FROM message WHERE account_id = ?2 AND in_reply_to = ?3 AND id <> ?4) "
		"AND thread_id <> ?1";
	sqlite3_stmt *st = db_stmt(d, adopt);

	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, thread);
	sqlite3_bind_int64(st, 2, account_id);
	sqlite3_bind_text(st, 3, h->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, id);
	return db_step_done(d, st);
}

int
db_message_insert(db *d, int64_t account_id, const struct msg_hdr *h, int64_t *id)
{
	static const char next_id[] = "SELECT coalesce(max(id), 0) + 1 FROM message";
	static const char ins[] =
		"INSERT INTO message (id, thread_id, account_id, email_id, blob_id, remote_thread_id, message_id, "
		"in_reply_to, refs, subject, from_name, from_addr, to_list, cc_list, reply_to, sent_at, received_at, "
		"size, seen, flagged, answered, draft, deleted, keywords, has_attachment, preview, modseq, damaged, pgp) "
		"VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	static const char att[] =
		"INSERT INTO attachment (message_id, part_id, filename, media_type, size, blob_id, disposition) "
		"VALUES (?,?,?,?,?,?,?)";
	sqlite3_stmt *st;
	int64_t thread = 0;
	int merge = 0, rc, i = 1;

	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	/* The id is chosen here (as SQLite would: max + 1, under the write
	 * lock) so that a thread of its own can be named in the same INSERT. */
	if (!(st = db_stmt(d, next_id)) || sqlite3_step(st) != SQLITE_ROW) {
		if (st)
			sqlite3_reset(st);
		goto fail;
	}
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (thread_find(d, account_id, h, &thread, &merge) != TERN_OK)
		goto fail;
	if (!thread)
		thread = *id;
	st = db_stmt(d, ins);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, i++, *id);
	sqlite3_bind_int64(st, i++, thread);
	sqlite3_bind_int64(st, i++, account_id);
	if (h->email_id)
		sqlite3_bind_text(st, i, h->email_id, -1, SQLITE_STATIC);
	i++;
	if (h->blob_id)
		sqlite3_bind_text(st, i, h->blob_id, -1, SQLITE_STATIC);
	i++;
	if (h->remote_thread_id)
		sqlite3_bind_text(st, i, h->remote_thread_id, -1, SQLITE_STATIC);
	i++;
	if (h->message_id && *h->message_id)
		sqlite3_bind_text(st, i, h->message_id, -1, SQLITE_STATIC);
	i++;
	bind_str(st, i++, h->in_reply_to);
	bind_str(st, i++, h->references);
	bind_str(st, i++, h->subject);
	bind_str(st, i++, h->from_name);
	bind_str(st, i++, h->from_addr);
	bind_str(st, i++, h->to_list);
	bind_str(st, i++, h->cc_list);
	bind_str(st, i++, h->reply_to);
	sqlite3_bind_int64(st, i++, h->sent_at);
	sqlite3_bind_int64(st, i++, h->received_at);
	sqlite3_bind_int64(st, i++, h->size);
	sqlite3_bind_int(st, i++, !!(h->flags & MSG_SEEN));
	sqlite3_bind_int(st, i++, !!(h->flags & MSG_FLAGGED));
	sqlite3_bind_int(st, i++, !!(h->flags & MSG_ANSWERED));
	sqlite3_bind_int(st, i++, !!(h->flags & MSG_DRAFT));
	sqlite3_bind_int(st, i++, !!(h->flags & MSG_DELETED));
	bind_str(st, i++, h->keywords);
	sqlite3_bind_int(st, i++, h->has_attachment);
	bind_str(st, i++, h->preview);
	sqlite3_bind_int64(st, i++, h->modseq);
	sqlite3_bind_int64(st, i++, h->damaged);
	sqlite3_bind_int(st, i++, h->pgp);
	if (db_step_done(d, st) != TERN_OK)
		goto fail;

	for (size_t k = 0; k < h->natt; k++) {
		const struct msg_attachment *a = &h->att[k];
		st = db_stmt(d, att);
		if (!st)
			goto fail;
		sqlite3_bind_int64(st, 1, *id);
		bind_str(st, 2, a->part_id);
		bind_str(st, 3, a->filename);
		sqlite3_bind_text(st, 4, a->media_type ? a->media_type : "application/octet-stream", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, a->size);
		if (a->blob_id)
			sqlite3_bind_text(st, 6, a->blob_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, a->is_inline ? "inline" : "attachment", -1, SQLITE_STATIC);
		if (db_step_done(d, st) != TERN_OK)
			goto fail;
	}
	if (merge && thread_merge(d, account_id, *id, thread, h) != TERN_OK)
		goto fail;
	return db_commit(d);
fail:
	db_rollback(d);
	return TERN_EDB;
}

int
db_message_link(db *d, int64_t message_id, int64_t mailbox_id, int64_t uid, int64_t received_at)
{
	static const char sql[] =
		/* The order keys come along (schema 15, db/db_sort.h). */
		"INSERT INTO message_mailbox (mailbox_id, message_id, uid, received_at, hidden, sent_at, size, "
		"flagged, unread, sort_subject, sort_from, sort_to) "
		"SELECT ?1, ?2, ?3, ?4, 0, m.sent_at, m.size, m.flagged, 1 - m.seen, "
		"tern_sort_text(4, m.subject, '', '', ''), tern_sort_text(2, '', m.from_name, m.from_addr, ''), "
		"tern_sort_text(3, '', '', '', m.to_list) FROM message m WHERE m.id = ?2 "
		"ON CONFLICT (mailbox_id, message_id) DO UPDATE SET uid = coalesce(?3, uid), hidden = 0";
	/* A database opened at an older version (the upgrade tests write
	 * one): the columns it had. */
	static const char sql14[] =
		"INSERT INTO message_mailbox (mailbox_id, message_id, uid, received_at, hidden) VALUES (?1, ?2, ?3, ?4, 0) "
		"ON CONFLICT (mailbox_id, message_id) DO UPDATE SET uid = coalesce(?3, uid), hidden = 0";
	sqlite3_stmt *st = db_stmt(d, db_opened_version(d) >= DB_SCHEMA_SORT_KEYS ? sql : sql14);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, message_id);
	if (uid > 0)
		sqlite3_bind_int64(st, 3, uid);
	sqlite3_bind_int64(st, 4, received_at);
	return db_step_done(d, st);
}

/* Both through one statement pair: hidden_only keeps a row the user made
 * visible again meanwhile (an undo queued after the move it undoes). */
static int
unlink_row(db *d, int64_t message_id, int64_t mailbox_id, int hidden_only)
{
	static const char del[] = "DELETE FROM message_mailbox WHERE mailbox_id = ?1 AND message_id = ?2 "
	                          "AND (?3 = 0 OR hidden = 1)";
	static const char orphan[] =
		"DELETE FROM message WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM message_mailbox WHERE message_id = ?1)";
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	st = db_stmt(d, del);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, message_id);
	sqlite3_bind_int(st, 3, hidden_only);
	if (db_step_done(d, st) != TERN_OK)
		goto fail;
	st = db_stmt(d, orphan);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, message_id);
	if (db_step_done(d, st) != TERN_OK)
		goto fail;
	return db_commit(d);
fail:
	db_rollback(d);
	return TERN_EDB;
}

int
db_message_unlink(db *d, int64_t message_id, int64_t mailbox_id)
{
	return unlink_row(d, message_id, mailbox_id, 0);
}

int
db_message_unlink_hidden(db *d, int64_t message_id, int64_t mailbox_id)
{
	return unlink_row(d, message_id, mailbox_id, 1);
}

int
db_message_delete(db *d, int64_t id)
{
	static const char sql[] = "DELETE FROM message WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, id);
	return db_step_done(d, st);
}

int
db_message_set_flags(db *d, int64_t id, unsigned flags, const char *keywords)
{
	static const char old_q[] = "SELECT seen FROM message WHERE id = ?";
	static const char upd[] =
		"UPDATE message SET seen = ?2, flagged = ?3, answered = ?4, draft = ?5, deleted = ?7, "
		"keywords = coalesce(?6, keywords) WHERE id = ?1";
	static const char counts[] =
		"UPDATE mailbox SET unread = max(0, unread + ?2) WHERE id IN "
		"(SELECT mailbox_id FROM message_mailbox WHERE message_id = ?1 AND hidden = 0)";
	sqlite3_stmt *st;
	int rc, was_seen, now_seen = !!(flags & MSG_SEEN);

	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	st = db_stmt(d, old_q);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		db_rollback(d);
		return TERN_ENOTFOUND;
	}
	was_seen = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	st = db_stmt(d, upd);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, now_seen);
	sqlite3_bind_int(st, 3, !!(flags & MSG_FLAGGED));
	sqlite3_bind_int(st, 4, !!(flags & MSG_ANSWERED));
	sqlite3_bind_int(st, 5, !!(flags & MSG_DRAFT));
	sqlite3_bind_int(st, 7, !!(flags & MSG_DELETED));
	if (keywords)
		sqlite3_bind_text(st, 6, keywords, -1, SQLITE_STATIC);
	if (db_step_done(d, st) != TERN_OK)
		goto fail;
	if (was_seen != now_seen) {
		st = db_stmt(d, counts);
		if (!st)
			goto fail;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, now_seen ? -1 : 1);
		if (db_step_done(d, st) != TERN_OK)
			goto fail;
	}
	return db_commit(d);
fail:
	db_rollback(d);
	return TERN_EDB;
}

int
db_message_get(db *d, int64_t id, struct msg_row *out)
{
	static const char sql[] =
		"SELECT " MSG_COLS " FROM message m LEFT JOIN message_mailbox mm "
		"ON mm.message_id = m.id AND mm.hidden = 0 WHERE m.id = ? LIMIT 1";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		db_msg_row_read(st, out);
		sqlite3_reset(st);
		return TERN_OK;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

struct plain_cb {
	db_msg_cb cb;
	void *ctx;
};

static int
plain(const struct msg_row *r, const struct sort_cursor *c, void *ctx)
{
	struct plain_cb *p = ctx;
	(void)c;
	return p->cb(r, p->ctx);
}

int
db_message_page(db *d, int64_t mailbox_id, const struct msg_cursor *after, int backward,
                int limit, db_msg_cb cb, void *ctx)
{
	struct sort_cursor c = { 0 };
	struct plain_cb p = { cb, ctx };
	if (after) {
		c.received_at = after->received_at;
		c.id = after->id;
	}
	return db_sort_page(d, mailbox_id, NULL, after ? &c : NULL, backward, limit, plain, &p);
}

int
db_message_position(db *d, int64_t mailbox_id, const struct msg_cursor *cur, int64_t *pos)
{
	static const char sql[] =
		"SELECT count(*) FROM message_mailbox WHERE mailbox_id = ?1 AND hidden = 0 "
		"AND (received_at, message_id) > (?2, ?3)";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	sqlite3_bind_int64(st, 2, cur->received_at);
	sqlite3_bind_int64(st, 3, cur->id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return TERN_EDB;
	}
	*pos = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return TERN_OK;
}

int
db_body_get(db *d, int64_t message_id, char **raw, size_t *len)
{
	static const char sql[] = "SELECT raw FROM body WHERE message_id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, message_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int n = sqlite3_column_bytes(st, 0);
		const void *p = sqlite3_column_blob(st, 0);
		*raw = xmalloc((size_t)n + 1);
		if (n)
			memcpy(*raw, p, (size_t)n);
		(*raw)[n] = '\0';
		*len = (size_t)n;
		sqlite3_reset(st);
		return TERN_OK;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

int
db_body_put(db *d, int64_t message_id, const char *raw, size_t len)
{
	static const char sql[] =
		"INSERT INTO body (message_id, raw, fetched_at) VALUES (?, ?, ?) "
		"ON CONFLICT (message_id) DO UPDATE SET raw = excluded.raw, fetched_at = excluded.fetched_at";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, message_id);
	sqlite3_bind_blob64(st, 2, raw, len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, time_now());
	return db_step_done(d, st);
}

int
db_attachment_each(db *d, int64_t message_id, db_att_cb cb, void *ctx)
{
	static const char sql[] =
		"SELECT part_id, filename, media_type, size, blob_id, disposition FROM attachment "
		"WHERE message_id = ? ORDER BY id";
	sqlite3_stmt *st;
	int s, rc = TERN_OK;

	if (sqlite3_prepare_v2(db_sqlite(d), sql, -1, &st, NULL) != SQLITE_OK)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, message_id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct msg_attachment a = {
			.part_id = (const char *)sqlite3_column_text(st, 0),
			.filename = (const char *)sqlite3_column_text(st, 1),
			.media_type = (const char *)sqlite3_column_text(st, 2),
			.size = sqlite3_column_int64(st, 3),
			.blob_id = (const char *)sqlite3_column_text(st, 4),
			.is_inline = str_eq((const char *)sqlite3_column_text(st, 5), "inline"),
		};
		if (cb(&a, ctx))
			break;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = TERN_EDB;
	sqlite3_finalize(st);
	return rc;
}
