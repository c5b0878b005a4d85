#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/crlf.h"
#include "db/db_change.h"
#include "db/db_int.h"
#include "db/db_contact.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "src/base/err.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"
#include "db/db_types.h"

struct queue_row;

static int
msg_state(db *d, int64_t msg_id, int64_t *account_id, unsigned *flags)
{
	static const char sql[] =
		"SELECT account_id, seen | (flagged << 1) | (answered << 2) | (draft << 3) | (deleted << 4) FROM message WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, msg_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*account_id = sqlite3_column_int64(st, 0);
		*flags = (unsigned)sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? TERN_OK : rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

/* The visible mailbox a message is in (the first, for a JMAP email in several). */
static int
msg_mailbox(db *d, int64_t msg_id, int64_t *mailbox)
{
	static const char sql[] =
		"SELECT mailbox_id FROM message_mailbox WHERE message_id = ? AND hidden = 0 ORDER BY mailbox_id LIMIT 1";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, msg_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*mailbox = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? TERN_OK : rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

static int
link_state(db *d, int64_t msg_id, int64_t mailbox, int *hidden)
{
	static const char sql[] = "SELECT hidden FROM message_mailbox WHERE message_id = ? AND mailbox_id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, msg_id);
	sqlite3_bind_int64(st, 2, mailbox);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*hidden = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? TERN_OK : rc == SQLITE_DONE ? TERN_ENOTFOUND : TERN_EDB;
}

static int
set_hidden(db *d, int64_t msg_id, int64_t mailbox, int hidden)
{
	static const char sql[] = "UPDATE message_mailbox SET hidden = ? WHERE message_id = ? AND mailbox_id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int(st, 1, hidden);
	sqlite3_bind_int64(st, 2, msg_id);
	sqlite3_bind_int64(st, 3, mailbox);
	return db_step_done(d, st);
}

static int
adjust_counts(db *d, int64_t mailbox, int dtotal, int dunread)
{
	static const char sql[] =
		"UPDATE mailbox SET total = max(0, total + ?), unread = max(0, unread + ?) WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int(st, 1, dtotal);
	sqlite3_bind_int(st, 2, dunread);
	sqlite3_bind_int64(st, 3, mailbox);
	return db_step_done(d, st);
}

static int
received_at(db *d, int64_t msg_id, int64_t *t)
{
	static const char sql[] = "SELECT received_at FROM message WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, msg_id);
	*t = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return TERN_OK;
}

int
db_change_flag(db *d, int64_t msg_id, unsigned flag, int on, int64_t *change_id)
{
	static const char drop_older[] =
		"DELETE FROM pending_change WHERE resource_id = ? AND flag = ? AND status IN ('queued', 'failed')";
	struct change c = { .kind = CHANGE_FLAG, .u.flag = { .flag = flag, .on = !!on } };
	int64_t account_id;
	unsigned flags;
	sqlite3_stmt *st;
	int rc;

	*change_id = 0;
	if (flag != MSG_SEEN && flag != MSG_FLAGGED && flag != MSG_ANSWERED)
		return TERN_EINVAL;
	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	if ((rc = msg_state(d, msg_id, &account_id, &flags)) != TERN_OK)
		goto fail;
	if (!!(flags & flag) == !!on)
		return db_commit(d);   /* nothing to do, nothing written: not a failure */
	rc = TERN_EDB;
	/* A waiting or failed change of the same flag is superseded: the
	 * server only needs the final value, and a retry of the old one must
	 * not undo this one later. Only a flag change has a flag. */
	st = db_stmt(d, drop_older);
	if (!st)
		goto fail;
	sqlite3_bind_int64(st, 1, msg_id);
	sqlite3_bind_int64(st, 2, flag);
	if (db_step_done(d, st) != TERN_OK)
		goto fail;
	if (db_message_set_flags(d, msg_id, on ? (flags | flag) : (flags & ~flag), NULL) != TERN_OK)
		goto fail;
	if (db_queue_add(d, account_id, msg_id, &c, change_id) != TERN_OK)
		goto fail;
	return db_commit(d);
fail:
	db_rollback(d);
	return rc;
}

/* Both moves and deletes-to-trash: hide the source row, show the message in
 * the destination (UID unknown until the server says). */
static int
move_locked(db *d, int64_t msg_id, int64_t account_id, unsigned flags, int64_t from, int64_t to,
            int is_delete, int64_t *change_id)
{
	struct change c = { .kind = CHANGE_MOVE, .u.move = { .from = from, .to = to, .is_delete = is_delete } };
	int64_t when;
	int hidden, unread = !(flags & MSG_SEEN);

	if (from == to)
		return TERN_EINVAL;
	if (link_state(d, msg_id, to, &hidden) == TERN_OK && !hidden)
		return TERN_EINVAL;
	if (set_hidden(d, msg_id, from, 1) != TERN_OK || received_at(d, msg_id, &when) != TERN_OK)
		return TERN_EDB;
	if (db_message_link(d, msg_id, to, 0, when) != TERN_OK)
		return TERN_EDB;
	if (adjust_counts(d, from, -1, -unread) != TERN_OK || adjust_counts(d, to, 1, unread) != TERN_OK)
		return TERN_EDB;
	return db_queue_add(d, account_id, msg_id, &c, change_id);
}

static int
check_in(db *d, int64_t msg_id, int64_t *mailbox)
{
	int hidden, rc;
	if (!*mailbox)
		return msg_mailbox(d, msg_id, mailbox);
	rc = link_state(d, msg_id, *mailbox, &hidden);
	if (rc == TERN_OK && hidden)
		return TERN_ENOTFOUND;
	return rc;
}

int
db_change_move(db *d, int64_t msg_id, int64_t from_mailbox, int64_t to_mailbox, int64_t *change_id)
{
	int64_t account_id;
	unsigned flags;
	struct mailbox_row to = { 0 };
	int rc;

	*change_id = 0;
	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	if ((rc = msg_state(d, msg_id, &account_id, &flags)) != TERN_OK ||
	    (rc = check_in(d, msg_id, &from_mailbox)) != TERN_OK ||
	    (rc = db_mailbox_get(d, to_mailbox, &to)) != TERN_OK)
		goto fail;
	if (to.account_id != account_id || !to.selectable) {
		rc = TERN_EINVAL;
		goto fail;
	}
	if ((rc = move_locked(d, msg_id, account_id, flags, from_mailbox, to_mailbox, 0, change_id)) != TERN_OK)
		goto fail;
	db_mailbox_row_free(&to);
	return db_commit(d);
fail:
	db_mailbox_row_free(&to);
	db_rollback(d);
	return rc;
}

int
db_change_delete(db *d, int64_t msg_id, int64_t mailbox, int to_trash, int64_t *change_id)
{
	int64_t account_id;
	unsigned flags;
	struct mailbox_row trash = { 0 };
	struct change c = { .kind = CHANGE_DELETE };
	int rc;

	*change_id = 0;
	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	if ((rc = msg_state(d, msg_id, &account_id, &flags)) != TERN_OK ||
	    (rc = check_in(d, msg_id, &mailbox)) != TERN_OK)
		goto fail;
	if (to_trash && (db_mailbox_by_role(d, account_id, MAILBOX_ROLE_TRASH, &trash) != TERN_OK || !trash.selectable)) {
		/* delete_to_trash promises that only a delete from the Trash
		 * destroys: without one (the sync could not create it), refuse
		 * rather than expunge. */
		rc = TERN_ENOTRASH;
		goto fail;
	}
	if (to_trash && trash.id != mailbox) {
		rc = move_locked(d, msg_id, account_id, flags, mailbox, trash.id, 1, change_id);
		if (rc != TERN_OK)
			goto fail;
	} else {
		rc = TERN_EDB;
		if (set_hidden(d, msg_id, mailbox, 1) != TERN_OK ||
		    adjust_counts(d, mailbox, -1, (flags & MSG_SEEN) ? 0 : -1) != TERN_OK)
			goto fail;
		c.u.del.mailbox = mailbox;
		if (db_queue_add(d, account_id, msg_id, &c, change_id) != TERN_OK)
			goto fail;
	}
	db_mailbox_row_free(&trash);
	return db_commit(d);
fail:
	db_mailbox_row_free(&trash);
	db_rollback(d);
	return rc;
}

/* The message is stored with CRLF line ends, whatever the caller gave
 * (`tern send` from a script has LF): every engine then hands the server
 * RFC 5322 bytes, which Cyrus's Email/import insists on. */
static int
outbox_add(db *d, int64_t account_id, const char *raw, size_t len, const char *message_id,
           const char *subject, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO outbox (account_id, raw, message_id, subject, created_at) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *st = db_stmt(d, sql);
	strbuf crlf = STRBUF_INIT;
	int rc = TERN_EDB;
	if (!st)
		return TERN_EDB;
	crlf_normalise(raw, len, 0, &crlf);
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_blob64(st, 2, crlf.buf ? crlf.buf : "", crlf.len, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, message_id ? message_id : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, subject ? subject : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, time_now());
	if (db_step_done(d, st) == TERN_OK) {
		*id = db_last_id(d);
		rc = TERN_OK;
	}
	sb_free(&crlf);
	return rc;
}

int
db_change_send(db *d, int64_t account_id, const char *raw, size_t len, const char *message_id,
               const char *subject, int64_t *outbox_id)
{
	struct change c = { .kind = CHANGE_SEND };
	int rc;
	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	/* The address book learns the recipients now, not when the copy in
	 * Sent comes back: the next message to them completes at once. */
	if (outbox_add(d, account_id, raw, len, message_id, subject, outbox_id) != TERN_OK ||
	    db_queue_add(d, account_id, *outbox_id, &c, NULL) != TERN_OK ||
	    db_contact_note_outgoing(d, account_id, raw, len, message_id) != TERN_OK) {
		db_rollback(d);
		return TERN_EDB;
	}
	return db_commit(d);
}

/* The local row of an append: in the mailbox at once, unseen or not as
 * its flags say, with no UID until the server has it. */
static int
append_local(db *d, int64_t account_id, int64_t mailbox, unsigned flags, const struct msg_hdr *h,
             int64_t *msg_id)
{
	struct msg_hdr copy = *h;
	copy.flags = flags;
	if (db_message_insert(d, account_id, &copy, msg_id) != TERN_OK ||
	    db_message_link(d, *msg_id, mailbox, 0, copy.received_at) != TERN_OK ||
	    adjust_counts(d, mailbox, 1, (flags & MSG_SEEN) ? 0 : 1) != TERN_OK)
		return TERN_EDB;
	return TERN_OK;
}

int
db_change_append(db *d, int64_t account_id, int64_t mailbox, const char *raw, size_t len,
                 unsigned flags, const struct msg_hdr *local, int64_t *outbox_id, int64_t *msg_id)
{
	struct change c = { .kind = CHANGE_APPEND };
	int64_t id = 0;
	int rc;

	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	if (local && append_local(d, account_id, mailbox, flags, local, &id) != TERN_OK)
		goto fail;
	/* "message" names the local row: the worker gives it the server's id,
	 * the IMAP sweep of rows without a UID leaves it alone meanwhile. */
	c.u.append.mailbox = mailbox;
	c.u.append.flags = flags & (MSG_SEEN | MSG_FLAGGED | MSG_DRAFT);
	c.u.append.message = id;
	if (outbox_add(d, account_id, raw, len, local ? local->message_id : NULL, local ? local->subject : NULL,
	               outbox_id) != TERN_OK ||
	    db_queue_add(d, account_id, *outbox_id, &c, NULL) != TERN_OK)
		goto fail;
	if (msg_id)
		*msg_id = id;
	return db_commit(d);
fail:
	db_rollback(d);
	return TERN_EDB;
}

int
db_change_append_of(db *d, int64_t msg_id, int64_t *change_id)
{
	static const char sql[] =
		"SELECT id FROM pending_change WHERE local_message = ? AND status IN ('queued', 'failed') LIMIT 1";
	sqlite3_stmt *st = db_stmt(d, sql);
	int rc;
	*change_id = 0;
	if (!msg_id)
		return TERN_OK;   /* 0 is every other row's local_message */
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, msg_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*change_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? TERN_OK : TERN_EDB;
}

/* A reverted append takes its local row with it. */
static int
append_unlocal(db *d, const struct queue_row *q)
{
	int64_t msg = q->change.u.append.message, mb = q->change.u.append.mailbox, account_id;
	unsigned flags;
	int hidden;
	if (!msg || msg_state(d, msg, &account_id, &flags) != TERN_OK)
		return TERN_OK;
	if (link_state(d, msg, mb, &hidden) == TERN_OK && !hidden &&
	    adjust_counts(d, mb, -1, (flags & MSG_SEEN) ? 0 : -1) != TERN_OK)
		return TERN_EDB;
	return db_message_delete(d, msg);
}

int
db_change_withdraw(db *d, const struct queue_row *q)
{
	static const char unlink_sql[] =
		"DELETE FROM message_mailbox WHERE message_id = ? AND mailbox_id = ? AND uid IS NULL";
	int64_t account_id;
	unsigned flags;
	int unread;
	sqlite3_stmt *st;

	if (q->resource_type == RESOURCE_MAILBOX)
		return db_change_mailbox_local(d, q, 0);
	if (q->resource_type != RESOURCE_EMAIL || msg_state(d, q->resource_id, &account_id, &flags) != TERN_OK)
		return TERN_OK;   /* not a message change, or the message is gone */
	unread = !(flags & MSG_SEEN);
	if (q->change.kind == CHANGE_DELETE) {
		int64_t mb = q->change.u.del.mailbox;
		if (set_hidden(d, q->resource_id, mb, 0) != TERN_OK || adjust_counts(d, mb, 1, unread) != TERN_OK)
			return TERN_EDB;
	} else if (q->change.kind == CHANGE_MOVE) {
		int64_t from = q->change.u.move.from, to = q->change.u.move.to;
		if (set_hidden(d, q->resource_id, from, 0) != TERN_OK ||
		    adjust_counts(d, from, 1, unread) != TERN_OK || adjust_counts(d, to, -1, -unread) != TERN_OK)
			return TERN_EDB;
		/* The destination row is only ours while the server has not
		 * confirmed the move (no UID yet). */
		if (!(st = db_stmt(d, unlink_sql)))
			return TERN_EDB;
		sqlite3_bind_int64(st, 1, q->resource_id);
		sqlite3_bind_int64(st, 2, to);
		if (db_step_done(d, st) != TERN_OK)
			return TERN_EDB;
	}
	return TERN_OK;
}

int
db_change_reapply(db *d, const struct queue_row *q)
{
	struct mailbox_row to = { 0 };
	int64_t account_id, when;
	unsigned flags;
	int unread, rc = TERN_OK;

	if (q->resource_type == RESOURCE_MAILBOX)
		return db_change_mailbox_local(d, q, 1);
	if (q->resource_type != RESOURCE_EMAIL || msg_state(d, q->resource_id, &account_id, &flags) != TERN_OK)
		return TERN_OK;
	unread = !(flags & MSG_SEEN);
	if (q->change.kind == CHANGE_DELETE) {
		int64_t mb = q->change.u.del.mailbox;
		if (set_hidden(d, q->resource_id, mb, 1) != TERN_OK || adjust_counts(d, mb, -1, -unread) != TERN_OK)
			rc = TERN_EDB;
	} else if (q->change.kind == CHANGE_MOVE) {
		int64_t from = q->change.u.move.from;
		if (set_hidden(d, q->resource_id, from, 1) != TERN_OK || adjust_counts(d, from, -1, -unread) != TERN_OK)
			return TERN_EDB;
		/* A destination that is gone shows nothing: the worker fails the
		 * retry again, naming it, and the message comes back. */
		if (db_mailbox_get(d, q->change.u.move.to, &to) == TERN_OK &&
		    (received_at(d, q->resource_id, &when) != TERN_OK ||
		     db_message_link(d, q->resource_id, to.id, 0, when) != TERN_OK ||
		     adjust_counts(d, to.id, 1, unread) != TERN_OK))
			rc = TERN_EDB;
		db_mailbox_row_free(&to);
	}
	return rc;
}

int
db_change_revert(db *d, int64_t change_id)
{
	struct queue_row q = { 0 };
	int64_t account_id;
	unsigned flags;
	int rc;

	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	if ((rc = db_queue_get(d, change_id, &q)) != TERN_OK)
		goto fail;
	if (q.status == QUEUE_SENDING) {
		rc = TERN_EBUSY;
		goto fail;
	}
	rc = TERN_EDB;
	switch (q.change.kind) {
	case CHANGE_FLAG: {
		unsigned flag = q.change.u.flag.flag;
		int was = !q.change.u.flag.on;
		if (msg_state(d, q.resource_id, &account_id, &flags) == TERN_OK &&
		    db_message_set_flags(d, q.resource_id, was ? (flags | flag) : (flags & ~flag), NULL) != TERN_OK)
			goto fail;
		break;
	}
	case CHANGE_MOVE:
	case CHANGE_DELETE:
		/* A failed one gave the message back already (db_change_withdraw). */
		if (q.status != QUEUE_FAILED && db_change_withdraw(d, &q) != TERN_OK)
			goto fail;
		break;
	case CHANGE_SEND:
	case CHANGE_APPEND:
		if (db_outbox_delete(d, q.resource_id) != TERN_OK ||
		    (q.change.kind == CHANGE_APPEND && append_unlocal(d, &q) != TERN_OK))
			goto fail;
		break;
	case CHANGE_MAILBOX_CREATE:
		/* The folder never reached the server: it goes, with what was
		 * put in it meanwhile. */
		if (db_mailbox_delete(d, q.resource_id) != TERN_OK)
			goto fail;
		break;
	case CHANGE_MAILBOX_RENAME:
	case CHANGE_MAILBOX_DELETE:
		if (q.status != QUEUE_FAILED && db_change_withdraw(d, &q) != TERN_OK)
			goto fail;
		break;
	case CHANGE_UNKNOWN:
		break;   /* nothing of ours to restore: the row just goes */
	}
	if (db_queue_done(d, change_id) != TERN_OK)
		goto fail;
	db_queue_row_free(&q);
	return db_commit(d);
fail:
	db_queue_row_free(&q);
	db_rollback(d);
	return rc;
}
