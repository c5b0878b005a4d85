/* The database: migrations, the outbound queue and sync_state round trips,
 * local changes (offline-first), and screen-sized paging. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_int.h"
#include "db/db_account.h"
#include "db/db_change.h"
#include "db/db_contact.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "db/db_schema.h"
#include "db/db_sort.h"
#include "db/db_types.h"
#include "db/db_search.h"
#include "db/db_sync.h"
#include "db/db_thread.h"
#include "src/base/err.h"
#include "src/search/search.h"
#include "src/base/util.h"

static char dir[] = "/tmp/tern-test-db.XXXXXX";
static int serial;

static char *
new_path(void)
{
	return xasprintf("%s/t%d.db", dir, ++serial);
}

static db *
open_fresh(void)
{
	char *path = new_path(), *err = NULL;
	db *d;
	assert_int_equal(db_open(path, &d, &err), TERN_OK);
	free(path);
	return d;
}

static int64_t
scalar(db *d, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(d), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int64_t
add_mailbox(db *d, int64_t acct, const char *name, const char *role)
{
	struct mailbox_info mi = { .remote_id = name, .name = name, .delim = "/", .role = role,
	                           .selectable = 1, .subscribed = 1 };
	int64_t id;
	assert_int_equal(db_mailbox_upsert(d, acct, &mi, &id), TERN_OK);
	return id;
}

static int64_t
add_message(db *d, int64_t acct, int64_t mailbox, int64_t uid, int64_t when, unsigned flags,
            const char *msgid, const char *irt)
{
	struct msg_hdr h = { .message_id = msgid, .in_reply_to = irt, .subject = "hello",
	                     .from_name = "Ann", .from_addr = "ann@example.org",
	                     .received_at = when, .sent_at = when, .flags = flags, .size = 100 };
	int64_t id;
	assert_int_equal(db_message_insert(d, acct, &h, &id), TERN_OK);
	assert_int_equal(db_message_link(d, id, mailbox, uid, when), TERN_OK);
	return id;
}

static void
t_fresh_database(void **state)
{
	db *d = open_fresh();
	(void)state;
	assert_int_equal(db_schema_version(d), db_schema_latest());
	assert_true(db_schema_latest() >= 2);
	assert_int_equal(scalar(d, "SELECT count(*) FROM sqlite_master WHERE name IN "
	                           "('account','mailbox','message','message_mailbox','body','attachment',"
	                           "'sync_state','pending_change','sync_log','outbox','contact')"), 11);
	/* The pragmas every connection needs. */
	assert_int_equal(scalar(d, "PRAGMA foreign_keys"), 1);
	assert_int_equal(scalar(d, "PRAGMA synchronous"), 1);   /* NORMAL */
	assert_true(scalar(d, "PRAGMA busy_timeout") > 0);
	{
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_prepare_v2(db_sqlite(d), "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
		sqlite3_finalize(st);
	}
	db_close(d);
}

/* From an earlier version, written by the db layer of that version: the
 * mail is there, searchable, threaded, after the upgrade. Version 11: the
 * last before the outbox stages (12), message.damaged (13) and the folder
 * changes (14). */
static void
t_upgrade_from_previous(void **state)
{
	char *path = new_path(), *err = NULL;
	int64_t acct, mb;
	char sql[640];
	db *d;
	(void)state;
	assert_int_equal(db_open_at(path, 11, &d, &err), TERN_OK);
	assert_int_equal(db_schema_version(d), 11);
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	mb = add_mailbox(d, acct, "INBOX", "inbox");
	/* The rows as that version wrote them: only the columns it had (this
	 * version's db_message_insert writes columns added since). */
	snprintf(sql, sizeof sql,
	         "INSERT INTO message (id, thread_id, account_id, message_id, in_reply_to, refs, subject, "
	         "from_name, from_addr, sent_at, received_at, size) VALUES "
	         "(1, 1, %1$lld, 'root@x', '', '', 'hello', 'Ann', 'ann@example.org', 1000, 1000, 100), "
	         "(2, 1, %1$lld, 'child@x', 'root@x', 'root@x', 'hello', 'Ann', 'ann@example.org', 2000, 2000, 100);"
	         "INSERT INTO message_mailbox (mailbox_id, message_id, uid, received_at) VALUES "
	         "(%2$lld, 1, 1, 1000), (%2$lld, 2, 2, 2000);",
	         (long long)acct, (long long)mb);
	assert_int_equal(db_exec(d, sql), TERN_OK);
	/* Sends as the old stages left them: "sending" was written before
	 * the connection was made, so its outcome is unknown. */
	snprintf(sql, sizeof sql,
	         "INSERT INTO outbox (id, account_id, raw, stage, created_at) VALUES "
	         "(1, %1$lld, 'x', 'sending', 0), (2, %1$lld, 'x', 'smtp_sent', 0), (3, %1$lld, 'x', 'queued', 0);",
	         (long long)acct);
	assert_int_equal(db_exec(d, sql), TERN_OK);
	db_close(d);

	assert_int_equal(db_open(path, &d, &err), TERN_OK);
	assert_int_equal(db_schema_version(d), db_schema_latest());
	{
		static const enum outbox_stage want[] = { OUTBOX_SUBMITTING, OUTBOX_SUBMITTED, OUTBOX_QUEUED };
		for (int i = 0; i < 3; i++) {
			enum outbox_stage st;
			char *raw = NULL;
			size_t len;
			assert_int_equal(db_outbox_get(d, i + 1, &raw, &len, &st), TERN_OK);
			assert_int_equal(st, want[i]);
			free(raw);
		}
	}
	assert_int_equal(scalar(d, "SELECT count(*) FROM message"), 2);
	assert_int_equal(scalar(d, "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'hello'"), 2);
	assert_int_equal(scalar(d, "SELECT n FROM thread_mailbox"), 2);
	assert_int_equal(scalar(d, "SELECT count(DISTINCT thread_id) FROM message"), 1);
	assert_int_equal(scalar(d, "SELECT uses FROM contact WHERE addr = 'ann@example.org'"), 2);
	assert_int_equal(scalar(d, "SELECT count(*) FROM message WHERE deleted = 0"), 2);
	assert_int_equal(scalar(d, "SELECT count(*) FROM message WHERE damaged = 0"), 2);
	assert_int_equal(scalar(d, "SELECT count(*) FROM mailbox WHERE delete_pending = 0"), 1);
	/* Migration 15 copied the order keys of the rows already there. */
	assert_int_equal(scalar(d, "SELECT count(*) FROM message_mailbox WHERE sort_subject = 'hello' "
	                        "AND sort_from = 'ann' AND sent_at = message_id * 1000 AND size = 100 "
	                        "AND unread = 1 AND flagged = 0"), 2);
	db_close(d);
	free(path);
}

/* All migrations run in one transaction: one that fails (a table in the
 * way) leaves the file as it was, at its old version. */
static void
t_failed_migration_changes_nothing(void **state)
{
	char *path = new_path(), *err = NULL;
	db *d;
	(void)state;
	assert_int_equal(db_open_at(path, 1, &d, &err), TERN_OK);
	/* Migration 2 creates the table contact: this one is in its way. */
	assert_int_equal(db_exec(d, "CREATE TABLE contact (x); INSERT INTO contact VALUES ('mine')"), TERN_OK);
	db_close(d);

	assert_int_equal(db_open(path, &d, &err), TERN_EDB);
	assert_null(d);
	assert_non_null(strstr(err, "migration 2 failed"));
	free(err);
	err = NULL;
	assert_int_equal(db_open_at(path, 1, &d, &err), TERN_OK);
	assert_int_equal(db_schema_version(d), 1);
	assert_int_equal(scalar(d, "SELECT count(*) FROM contact WHERE x = 'mine'"), 1);
	assert_int_equal(scalar(d, "SELECT count(*) FROM sqlite_master WHERE name IN ('search_fts', 'thread_mailbox')"), 0);
	db_close(d);
	free(path);
}

static void
t_upgrade_keeps_data(void **state)
{
	char *path = new_path(), *err = NULL;
	int64_t acct, mb;
	db *d;
	(void)state;
	/* A database written by version 1 (before the address book), with mail in it. */
	assert_int_equal(db_open_at(path, 1, &d, &err), TERN_OK);
	assert_int_equal(db_schema_version(d), 1);
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	mb = add_mailbox(d, acct, "INBOX", "inbox");
	/* Written the way the old version wrote it: plain rows, no contacts. */
	assert_int_equal(db_exec(d, "INSERT INTO message (id, account_id, message_id, from_name, from_addr, received_at) "
	                            "VALUES (1, 1, 'm1@x', 'Ann', 'ann@example.org', 1000), "
	                            "(2, 1, 'm2@x', 'Ann', 'ANN@example.org', 2000);"
	                            "INSERT INTO message_mailbox (mailbox_id, message_id, uid, received_at) "
	                            "VALUES (1, 1, 1, 1000), (1, 2, 2, 2000)"), TERN_OK);
	(void)mb;
	db_close(d);

	assert_int_equal(db_open(path, &d, &err), TERN_OK);
	assert_int_equal(db_schema_version(d), db_schema_latest());
	assert_int_equal(scalar(d, "SELECT count(*) FROM message"), 2);
	assert_int_equal(scalar(d, "SELECT count(*) FROM mailbox"), 1);
	/* The new version's address book was filled from the mail already there
	 * (migration 2), so were the search index (3, 8) and the threads (4). */
	assert_int_equal(scalar(d, "SELECT uses FROM contact WHERE addr = 'ann@example.org'"), 2);
	assert_int_equal(scalar(d, "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'sender : ann'"), 2);
	assert_int_equal(scalar(d, "SELECT count(*) FROM search_fts WHERE attachments = ''"), 2);
	assert_int_equal(scalar(d, "SELECT count(*) FROM thread_mailbox WHERE mailbox_id = 1"), 2);
	db_close(d);
	free(path);
}

static void
t_too_new_is_left_untouched(void **state)
{
	char *path = new_path(), *err = NULL, *before = NULL, *after = NULL;
	size_t nb, na;
	db *d;
	(void)state;
	{
		sqlite3 *sq;
		char sql[64];
		assert_int_equal(sqlite3_open(path, &sq), SQLITE_OK);
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", db_schema_latest() + 1);
		assert_int_equal(sqlite3_exec(sq, "CREATE TABLE future (x)", NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_exec(sq, sql, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(sq);
	}
	assert_int_equal(file_read_all(path, &before, &nb), TERN_OK);
	assert_int_equal(db_open(path, &d, &err), TERN_ETOONEW);
	assert_null(d);
	assert_non_null(strstr(err, "newer than this tern"));
	assert_int_equal(file_read_all(path, &after, &na), TERN_OK);
	assert_int_equal(nb, na);
	assert_memory_equal(before, after, nb);
	free(err);
	free(before);
	free(after);
	free(path);
}

/* db_stmt keys its cache by pointer; a buffer reused for another text
 * (freed and handed back by malloc) must not get the old statement. */
static void
t_stmt_reused_pointer(void **state)
{
	db *d = open_fresh();
	char *buf = xstrdup("SELECT 1 ");
	sqlite3_stmt *st;
	(void)state;
	assert_non_null(st = db_stmt(d, buf));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	memcpy(buf, "SELECT 22", 9);           /* same pointer, other SQL */
	assert_non_null(st = db_stmt(d, buf));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 22);
	/* And it is cached again under the new text. */
	assert_ptr_equal(db_stmt(d, buf), st);
	free(buf);
	db_close(d);
}

static void
t_sync_state_round_trip(void **state)
{
	db *d = open_fresh();
	char *s = NULL;
	int64_t acct;
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "jmap", "me@x", &acct), TERN_OK);
	assert_int_equal(db_sync_state_get(d, acct, "Email", &s), TERN_ENOTFOUND);
	assert_int_equal(db_sync_state_put(d, acct, "Email", "s1"), TERN_OK);
	assert_int_equal(db_sync_state_put(d, acct, "imap:INBOX", "{\"uidvalidity\":7}"), TERN_OK);
	assert_int_equal(db_sync_state_put(d, acct, "Email", "s2"), TERN_OK);
	assert_int_equal(db_sync_state_get(d, acct, "Email", &s), TERN_OK);
	assert_string_equal(s, "s2");
	free(s);
	assert_int_equal(db_sync_state_get(d, acct, "imap:INBOX", &s), TERN_OK);
	assert_string_equal(s, "{\"uidvalidity\":7}");
	free(s);
	assert_int_equal(db_sync_state_delete(d, acct, "Email"), TERN_OK);
	assert_int_equal(db_sync_state_get(d, acct, "Email", &s), TERN_ENOTFOUND);
	/* Changing the protocol of a known account is refused. */
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_ECONFIG);
	db_close(d);
}

/* A change the user takes back (undo) after the worker read it from the
 * queue, but before the worker took it in hand, is not sent: the claim
 * finds it gone. A row a crash left in hand is taken again. */
static void
t_undone_change_is_not_claimed(void **state)
{
	db *d = open_fresh();
	struct queue_row q = { 0 };
	int64_t acct, mb, trash, m, change;
	int claimed = -1;
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	mb = add_mailbox(d, acct, "INBOX", "inbox");
	trash = add_mailbox(d, acct, "Trash", "trash");
	m = add_message(d, acct, mb, 10, 1000, 0, "m1@x", NULL);
	assert_int_equal(db_mailbox_recount(d, mb), TERN_OK);

	assert_int_equal(db_change_move(d, m, 0, trash, &change), TERN_OK);
	assert_int_equal(db_queue_next(d, acct, time_now(), 0, &q), TERN_OK);
	assert_int_equal(q.id, change);
	/* The user's u lands here, between the read and the claim. */
	assert_int_equal(db_change_revert(d, change), TERN_OK);
	assert_int_equal(db_queue_claim(d, q.id, &claimed), TERN_OK);
	assert_int_equal(claimed, 0);
	db_queue_row_free(&q);
	/* The message is where the user left it, once. */
	assert_int_equal(scalar(d, "SELECT count(*) FROM message_mailbox WHERE hidden = 0"), 1);
	assert_int_equal(scalar(d, "SELECT count(*) FROM message"), 1);

	/* Queued: claimed; taken in hand, the undo is refused (busy). */
	assert_int_equal(db_change_move(d, m, 0, trash, &change), TERN_OK);
	assert_int_equal(db_queue_claim(d, change, &claimed), TERN_OK);
	assert_int_equal(claimed, 1);
	assert_int_equal(scalar(d, "SELECT status = 'sending' FROM pending_change"), 1);
	assert_int_equal(db_change_revert(d, change), TERN_EBUSY);
	/* Left in hand by a crash: taken again. */
	assert_int_equal(db_queue_claim(d, change, &claimed), TERN_OK);
	assert_int_equal(claimed, 1);
	/* Failed meanwhile: not. */
	assert_int_equal(db_queue_fail(d, change, "refused", 1, 0), TERN_OK);
	assert_int_equal(db_queue_claim(d, change, &claimed), TERN_OK);
	assert_int_equal(claimed, 0);
	assert_int_equal(db_change_revert(d, change), TERN_OK);
	db_close(d);
}

/* An undo while the move is on its way queues the inverse (the revert is
 * refused: busy). When the server confirms the first move, its source row
 * is visible again and stays; the inverse's confirmation drops the Trash
 * row. The message ends in INBOX, not in no mailbox at all. */
static void
t_undo_during_push_keeps_the_message(void **state)
{
	db *d = open_fresh();
	int64_t acct, mb, trash, m, change, inverse;
	int claimed;
	char sql[200];
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "jmap", "me@x", &acct), TERN_OK);
	mb = add_mailbox(d, acct, "INBOX", "inbox");
	trash = add_mailbox(d, acct, "Trash", "trash");
	m = add_message(d, acct, mb, 0, 1000, 0, "m1@x", NULL);
	assert_int_equal(db_change_move(d, m, 0, trash, &change), TERN_OK);
	assert_int_equal(db_queue_claim(d, change, &claimed), TERN_OK);
	assert_int_equal(db_change_revert(d, change), TERN_EBUSY);
	assert_int_equal(db_change_move(d, m, trash, mb, &inverse), TERN_OK);
	snprintf(sql, sizeof sql, "SELECT group_concat(mailbox_id || ':' || hidden) FROM "
	         "(SELECT * FROM message_mailbox WHERE message_id = %lld ORDER BY mailbox_id)", (long long)m);
	/* The first move is confirmed: its source goes only if still hidden. */
	assert_int_equal(db_message_unlink_hidden(d, m, mb), TERN_OK);
	assert_int_equal(db_queue_done(d, change), TERN_OK);
	assert_int_equal(scalar(d, "SELECT count(*) FROM message"), 1);
	assert_int_equal(scalar(d, "SELECT count(*) FROM message_mailbox WHERE hidden = 0"), 1);
	/* The inverse is confirmed: the Trash row goes, INBOX stays. */
	assert_int_equal(db_message_unlink_hidden(d, m, trash), TERN_OK);
	assert_int_equal(db_queue_done(d, inverse), TERN_OK);
	assert_int_equal(scalar(d, "SELECT count(*) FROM message"), 1);
	snprintf(sql, sizeof sql, "SELECT mailbox_id FROM message_mailbox WHERE message_id = %lld AND hidden = 0",
	         (long long)m);
	assert_int_equal(scalar(d, sql), mb);
	assert_int_equal(scalar(d, "SELECT count(*) FROM message_mailbox"), 1);
	db_close(d);
}

/* The stage column's one conversion, and the user's retry of a send held
 * as "may have gone out" sending it again. */
static void
t_outbox_stages(void **state)
{
	db *d = open_fresh();
	int64_t acct, outbox, change;
	enum outbox_stage st;
	char *raw = NULL;
	size_t len;
	(void)state;
	for (int i = OUTBOX_QUEUED; i <= OUTBOX_SUBMITTED; i++) {
		assert_int_equal(db_outbox_stage_parse(db_outbox_stage_name((enum outbox_stage)i), &st), TERN_OK);
		assert_int_equal(st, i);
	}
	assert_int_equal(db_outbox_stage_parse("sending", &st), TERN_EINVAL);
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	static const char msg[] = "From: me@x\r\nTo: a@x\r\n\r\nx\r\n";
	assert_int_equal(db_change_send(d, acct, msg, strlen(msg), "<s@x>", "s", &outbox), TERN_OK);
	change = scalar(d, "SELECT id FROM pending_change");
	assert_int_equal(db_outbox_get(d, outbox, &raw, &len, &st), TERN_OK);
	free(raw);
	assert_int_equal(st, OUTBOX_QUEUED);
	assert_int_equal(db_outbox_set_stage(d, outbox, OUTBOX_SUBMITTING), TERN_OK);
	assert_int_equal(db_queue_fail(d, change, "it may have gone out", 1, 0), TERN_OK);
	assert_int_equal(db_queue_retry(d, change), TERN_OK);
	assert_int_equal(db_outbox_get(d, outbox, &raw, &len, &st), TERN_OK);
	free(raw);
	assert_int_equal(st, OUTBOX_QUEUED);
	/* A stage this tern does not know is the unsafe one: never resent. */
	assert_int_equal(db_exec(d, "UPDATE outbox SET stage = 'from-the-future'"), TERN_OK);
	assert_int_equal(db_outbox_get(d, outbox, &raw, &len, &st), TERN_OK);
	free(raw);
	assert_int_equal(st, OUTBOX_SUBMITTING);
	db_close(d);
}

static void
t_queue_round_trip(void **state)
{
	db *d = open_fresh();
	struct queue_row q = { 0 };
	int64_t acct, mb, m, change, change2, queued, failed;
	unsigned mask;
	int moving;
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	mb = add_mailbox(d, acct, "INBOX", "inbox");
	m = add_message(d, acct, mb, 10, 1000, 0, "m1@x", NULL);
	assert_int_equal(db_mailbox_recount(d, mb), TERN_OK);

	/* Local state changes at once, and a queue row records the intent. */
	assert_int_equal(db_change_flag(d, m, MSG_SEEN, 1, &change), TERN_OK);
	assert_true(change > 0);
	assert_int_equal(scalar(d, "SELECT seen FROM message"), 1);
	assert_int_equal(scalar(d, "SELECT unread FROM mailbox"), 0);
	assert_int_equal(db_queue_pending_for(d, m, &mask, &moving), TERN_OK);
	assert_int_equal(mask, MSG_SEEN);
	assert_int_equal(moving, 0);

	/* Setting the same value again queues nothing. */
	assert_int_equal(db_change_flag(d, m, MSG_SEEN, 1, &change2), TERN_OK);
	assert_int_equal(change2, 0);
	/* A second change of the same flag supersedes the first. */
	assert_int_equal(db_change_flag(d, m, MSG_SEEN, 0, &change2), TERN_OK);
	assert_int_equal(scalar(d, "SELECT count(*) FROM pending_change"), 1);

	assert_int_equal(db_queue_next(d, acct, time_now(), 0, &q), TERN_OK);
	assert_int_equal(q.id, change2);
	assert_int_equal(q.resource_type, RESOURCE_EMAIL);
	assert_int_equal(q.change.kind, CHANGE_FLAG);
	assert_int_equal(q.change.u.flag.flag, MSG_SEEN);
	assert_int_equal(q.change.u.flag.on, 0);
	assert_int_equal(q.resource_id, m);

	/* A retryable failure waits; a final one stays visible as failed. */
	assert_int_equal(db_queue_fail(d, q.id, "server busy", 0, time_now() + 60), TERN_OK);
	db_queue_row_free(&q);
	assert_int_equal(db_queue_next(d, acct, time_now(), 0, &q), TERN_ENOTFOUND);
	assert_int_equal(db_queue_next(d, acct, time_now() + 61, 0, &q), TERN_OK);
	assert_int_equal(q.attempts, 1);
	assert_string_equal(q.last_error, "server busy");
	assert_int_equal(db_queue_fail(d, q.id, "NO [CANNOT] read-only", 1, 0), TERN_OK);
	db_queue_row_free(&q);
	assert_int_equal(db_queue_counts(d, acct, &queued, &failed), TERN_OK);
	assert_int_equal(queued, 0);
	assert_int_equal(failed, 1);
	assert_int_equal(db_queue_next(d, acct, time_now() + 1000, 0, &q), TERN_ENOTFOUND);

	assert_int_equal(db_queue_retry(d, change2), TERN_OK);
	assert_int_equal(db_queue_next(d, acct, time_now(), 0, &q), TERN_OK);
	assert_int_equal(q.attempts, 0);
	assert_int_equal(db_queue_done(d, q.id), TERN_OK);
	db_queue_row_free(&q);
	assert_int_equal(scalar(d, "SELECT count(*) FROM pending_change"), 0);
	db_close(d);
}

static void
t_move_delete_and_revert(void **state)
{
	db *d = open_fresh();
	int64_t acct, inbox, archive, trash, m, c1, c2;
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	inbox = add_mailbox(d, acct, "INBOX", "inbox");
	archive = add_mailbox(d, acct, "Archive", "archive");
	trash = add_mailbox(d, acct, "Trash", "trash");
	m = add_message(d, acct, inbox, 5, 1000, 0, "m1@x", NULL);
	assert_int_equal(db_mailbox_recount(d, inbox), TERN_OK);

	assert_int_equal(db_change_move(d, m, 0, archive, &c1), TERN_OK);
	/* The source row stays, hidden, with its UID for the worker. */
	assert_int_equal(scalar(d, "SELECT hidden FROM message_mailbox WHERE uid = 5"), 1);
	assert_int_equal(scalar(d, "SELECT count(*) FROM message_mailbox WHERE hidden = 0 AND uid IS NULL"), 1);
	assert_int_equal(scalar(d, "SELECT total FROM mailbox WHERE name = 'Archive'"), 1);
	assert_int_equal(scalar(d, "SELECT total FROM mailbox WHERE name = 'INBOX'"), 0);
	assert_int_equal(db_change_move(d, m, 0, archive, &c2), TERN_EINVAL);   /* already there */

	/* Undo while queued restores exactly the old state. */
	assert_int_equal(db_change_revert(d, c1), TERN_OK);
	assert_int_equal(scalar(d, "SELECT count(*) FROM message_mailbox"), 1);
	assert_int_equal(scalar(d, "SELECT hidden FROM message_mailbox WHERE uid = 5"), 0);
	assert_int_equal(scalar(d, "SELECT total FROM mailbox WHERE name = 'INBOX'"), 1);
	assert_int_equal(scalar(d, "SELECT count(*) FROM pending_change"), 0);

	/* Delete goes to the Trash; from the Trash it is for good. */
	assert_int_equal(db_change_delete(d, m, 0, 1, &c1), TERN_OK);
	assert_int_equal(scalar(d, "SELECT is_delete FROM pending_change"), 1);
	{
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM message_mailbox WHERE mailbox_id = %lld AND hidden = 0",
		         (long long)trash);
		assert_int_equal(scalar(d, sql), 1);
	}
	assert_int_equal(db_change_delete(d, m, trash, 1, &c2), TERN_OK);
	assert_int_equal(scalar(d, "SELECT change_type = 'delete' FROM pending_change ORDER BY id DESC LIMIT 1"), 1);
	assert_int_equal(scalar(d, "SELECT count(*) FROM message_mailbox WHERE hidden = 0"), 0);
	assert_int_equal(db_change_revert(d, 999999), TERN_ENOTFOUND);
	db_close(d);
}

/* A move or delete that fails is not left hiding its message: the source
 * row is visible again (the list shows it with its failed mark), a retry
 * hides it again, and a drop of the failed change leaves the counts right.
 * A folder that goes from the server fails the moves queued into it,
 * naming it. */
static void
t_failed_move_shows_the_message(void **state)
{
	db *d = open_fresh();
	int64_t acct, inbox, tmp, trash, m, c1, c2;
	struct queue_row q = { 0 };
	char sql[160];
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	inbox = add_mailbox(d, acct, "INBOX", "inbox");
	tmp = add_mailbox(d, acct, "Tmp1", NULL);
	trash = add_mailbox(d, acct, "Trash", "trash");
	m = add_message(d, acct, inbox, 5, 1000, 0, "m1@x", NULL);
	assert_int_equal(db_mailbox_recount(d, inbox), TERN_OK);
	snprintf(sql, sizeof sql, "SELECT hidden FROM message_mailbox WHERE mailbox_id = %lld", (long long)inbox);

	assert_int_equal(db_change_move(d, m, 0, tmp, &c1), TERN_OK);
	assert_int_equal(scalar(d, sql), 1);
	assert_int_equal(db_queue_fail(d, c1, "UID MOVE: Mailbox doesn't exist: Tmp1", 1, 0), TERN_OK);
	/* Back in INBOX, out of Tmp1, the counts as before; the change failed. */
	assert_int_equal(scalar(d, sql), 0);
	assert_int_equal(scalar(d, "SELECT count(*) FROM message_mailbox"), 1);
	assert_int_equal(scalar(d, "SELECT total FROM mailbox WHERE name = 'INBOX'"), 1);
	assert_int_equal(scalar(d, "SELECT total FROM mailbox WHERE name = 'Tmp1'"), 0);
	assert_int_equal(scalar(d, "SELECT status = 'failed' FROM pending_change"), 1);

	/* A retry hides it again and shows it in Tmp1; a second failure, the same. */
	assert_int_equal(db_queue_retry(d, c1), TERN_OK);
	assert_int_equal(scalar(d, sql), 1);
	assert_int_equal(scalar(d, "SELECT total FROM mailbox WHERE name = 'Tmp1'"), 1);
	assert_int_equal(scalar(d, "SELECT total FROM mailbox WHERE name = 'INBOX'"), 0);
	assert_int_equal(db_queue_fail(d, c1, "again", 1, 0), TERN_OK);
	assert_int_equal(scalar(d, sql), 0);
	assert_int_equal(scalar(d, "SELECT total FROM mailbox WHERE name = 'INBOX'"), 1);
	/* Dropping the failed change: nothing to restore twice. */
	assert_int_equal(db_change_revert(d, c1), TERN_OK);
	assert_int_equal(scalar(d, sql), 0);
	assert_int_equal(scalar(d, "SELECT total FROM mailbox WHERE name = 'INBOX'"), 1);
	assert_int_equal(scalar(d, "SELECT total FROM mailbox WHERE name = 'Tmp1'"), 0);
	assert_int_equal(scalar(d, "SELECT count(*) FROM pending_change"), 0);

	/* A delete for good that fails: the same. */
	assert_int_equal(db_change_delete(d, m, 0, 0, &c2), TERN_OK);
	assert_int_equal(scalar(d, sql), 1);
	assert_int_equal(db_queue_fail(d, c2, "NO read-only", 1, 0), TERN_OK);
	assert_int_equal(scalar(d, sql), 0);
	assert_int_equal(scalar(d, "SELECT total FROM mailbox WHERE name = 'INBOX'"), 1);
	assert_int_equal(db_change_revert(d, c2), TERN_OK);
	/* A retryable failure (temporary) keeps it hidden: it is still on its way. */
	assert_int_equal(db_change_delete(d, m, 0, 1, &c2), TERN_OK);
	assert_int_equal(db_queue_fail(d, c2, "connection lost", 0, 0), TERN_OK);
	assert_int_equal(scalar(d, sql), 1);
	assert_int_equal(db_change_revert(d, c2), TERN_OK);
	(void)trash;

	/* Tmp1 gone from the server, a move into it queued: it fails at once,
	 * by name, and the message is back in INBOX. */
	assert_int_equal(db_change_move(d, m, 0, tmp, &c1), TERN_OK);
	assert_int_equal(db_mailbox_delete(d, tmp), TERN_OK);
	assert_int_equal(scalar(d, sql), 0);
	assert_int_equal(scalar(d, "SELECT total FROM mailbox WHERE name = 'INBOX'"), 1);
	assert_int_equal(db_queue_get(d, c1, &q), TERN_OK);
	assert_int_equal(q.status, QUEUE_FAILED);
	assert_string_equal(q.last_error, "Tmp1 no longer exists on the server");
	db_queue_row_free(&q);
	/* Its retry hides it (nowhere to show it) until the worker fails it again. */
	assert_int_equal(db_queue_retry(d, c1), TERN_OK);
	assert_int_equal(scalar(d, sql), 1);
	assert_int_equal(db_queue_fail(d, c1, "Tmp1 no longer exists on the server", 1, 0), TERN_OK);
	assert_int_equal(scalar(d, sql), 0);
	assert_int_equal(scalar(d, "SELECT total FROM mailbox WHERE name = 'INBOX'"), 1);
	db_close(d);
}

struct collect {
	int64_t ids[64];
	int n;
};

static int
collect_cb(const struct msg_row *r, void *ctx)
{
	struct collect *c = ctx;
	c->ids[c->n++] = r->id;
	return 0;
}

/* A failed flag change keeps masking its flag (no silent revert by the
 * next sync), and a newer change of that flag supersedes it. */
static void
t_failed_flag_masks_and_is_superseded(void **state)
{
	db *d = open_fresh();
	int64_t acct, mb, m, c1, c2;
	unsigned mask;
	int moving;
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	mb = add_mailbox(d, acct, "INBOX", "inbox");
	m = add_message(d, acct, mb, 10, 1000, 0, "m1@x", NULL);
	assert_int_equal(db_change_flag(d, m, MSG_FLAGGED, 1, &c1), TERN_OK);
	assert_int_equal(db_queue_fail(d, c1, "NO read-only", 1, 0), TERN_OK);
	assert_int_equal(db_queue_pending_for(d, m, &mask, &moving), TERN_OK);
	assert_int_equal(mask, MSG_FLAGGED);
	assert_int_equal(db_change_flag(d, m, MSG_FLAGGED, 0, &c2), TERN_OK);
	assert_int_equal(scalar(d, "SELECT count(*) FROM pending_change"), 1);
	assert_int_equal(scalar(d, "SELECT status = 'queued' AND flag_on = 0 FROM pending_change"), 1);
	db_close(d);
}

/* delete_to_trash without a Trash refuses instead of destroying. */
static void
t_delete_without_trash_refused(void **state)
{
	db *d = open_fresh();
	int64_t acct, inbox, m, c;
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	inbox = add_mailbox(d, acct, "INBOX", "inbox");
	m = add_message(d, acct, inbox, 5, 1000, 0, "m1@x", NULL);
	assert_int_equal(db_change_delete(d, m, 0, 1, &c), TERN_ENOTRASH);
	assert_int_equal(scalar(d, "SELECT count(*) FROM pending_change"), 0);
	assert_int_equal(scalar(d, "SELECT hidden FROM message_mailbox WHERE uid = 5"), 0);
	assert_int_equal(db_change_delete(d, m, 0, 0, &c), TERN_OK);   /* delete_to_trash = no */
	assert_int_equal(scalar(d, "SELECT change_type = 'delete' FROM pending_change"), 1);
	db_close(d);
}

static void
t_paging_newest_first(void **state)
{
	db *d = open_fresh();
	struct collect c = { { 0 }, 0 };
	struct msg_cursor cur;
	int64_t acct, mb, ids[30], pos;
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	mb = add_mailbox(d, acct, "INBOX", "inbox");
	/* Equal dates break ties by id, so paging never skips or repeats. */
	for (int i = 0; i < 30; i++)
		ids[i] = add_message(d, acct, mb, i + 1, 1000 + i / 3, 0, NULL, NULL);

	assert_int_equal(db_message_page(d, mb, NULL, 0, 10, collect_cb, &c), TERN_OK);
	assert_int_equal(c.n, 10);
	assert_int_equal(c.ids[0], ids[29]);
	assert_int_equal(c.ids[9], ids[20]);
	cur.received_at = 1000 + 20 / 3;
	cur.id = ids[20];
	c.n = 0;
	assert_int_equal(db_message_page(d, mb, &cur, 0, 10, collect_cb, &c), TERN_OK);
	assert_int_equal(c.ids[0], ids[19]);
	assert_int_equal(c.ids[9], ids[10]);
	/* The page before, still newest first. */
	cur.received_at = 1000 + 10 / 3;
	cur.id = ids[10];
	c.n = 0;
	assert_int_equal(db_message_page(d, mb, &cur, 1, 3, collect_cb, &c), TERN_OK);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.ids[0], ids[13]);
	assert_int_equal(c.ids[2], ids[11]);
	/* The end of the mailbox ("G"). */
	c.n = 0;
	assert_int_equal(db_message_page(d, mb, NULL, 1, 2, collect_cb, &c), TERN_OK);
	assert_int_equal(c.ids[1], ids[0]);
	assert_int_equal(db_message_position(d, mb, &cur, &pos), TERN_OK);
	assert_int_equal(pos, 19);

	/* The screen query walks the index in order: no sort of the whole mailbox. */
	{
		sqlite3_stmt *st;
		int sorts = 0, uses_index = 0;
		assert_int_equal(sqlite3_prepare_v2(db_sqlite(d), "EXPLAIN QUERY PLAN SELECT 1 FROM message_mailbox mm "
		                 "JOIN message m ON m.id = mm.message_id WHERE mm.mailbox_id = 1 AND mm.hidden = 0 "
		                 "ORDER BY mm.received_at DESC, mm.message_id DESC LIMIT 10", -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *detail = (const char *)sqlite3_column_text(st, 3);
			sorts += strstr(detail, "TEMP B-TREE") != NULL;
			uses_index += strstr(detail, "mm_date") != NULL;
		}
		sqlite3_finalize(st);
		assert_int_equal(sorts, 0);
		assert_int_equal(uses_index, 1);
	}
	db_close(d);
}

struct walk {
	const struct sort_spec *s;
	int64_t ids[64];
	struct sort_cursor last;
	int n;
};

static int
walk_cb(const struct msg_row *r, const struct sort_cursor *c, void *ctx)
{
	struct walk *w = ctx;
	struct sort_cursor mine;
	w->ids[w->n++] = r->id;
	w->last = *c;
	/* The key computed from the message (the UI does, for the row it
	 * re-sorts around) is the one the index holds. */
	db_sort_cursor(w->s, r, &mine);
	assert_int_equal(mine.key, c->key);
	assert_string_equal(mine.text, c->text);
	assert_int_equal(mine.received_at, c->received_at);
	assert_int_equal(mine.id, c->id);
	return 0;
}

/* Every order pages one row at a time through its index, forward and
 * backward, without skipping or repeating a row among equal keys, and
 * counts the rows before a cursor; a flag change moves the message in the
 * flagged and unread orders. */
static void
t_sorted_paging(void **state)
{
	static const char *const subjects[] = { "Re: b", "a", "AW: B", "[list] a", "c", "Fwd: A" };
	db *d = open_fresh();
	int64_t acct, mb, ids[12];
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	mb = add_mailbox(d, acct, "INBOX", "inbox");
	for (int i = 0; i < 12; i++) {
		char from[32];
		struct msg_hdr h = { .subject = subjects[i % 6], .from_addr = from, .to_list = "Zoe <z@x>",
		                     .received_at = 1000 + i / 2, .sent_at = 5000 - i / 4, .size = 100 * (i % 3),
		                     .flags = i % 5 ? MSG_SEEN : MSG_FLAGGED };
		snprintf(from, sizeof from, "s%d@x", i % 4);
		assert_int_equal(db_message_insert(d, acct, &h, &ids[i]), TERN_OK);
		assert_int_equal(db_message_link(d, ids[i], mb, i + 1, h.received_at), TERN_OK);
	}
	for (int o = 0; o < SORT_COUNT; o++)
		for (int rev = 0; rev < 2; rev++) {
			struct sort_spec s = { (enum sort_order)o, rev };
			struct walk fwd = { &s, { 0 }, { 0 }, 0 }, bwd = { &s, { 0 }, { 0 }, 0 };
			int64_t pos;
			for (int k = 0; k < 13; k++) {
				int before = fwd.n;
				assert_int_equal(db_sort_page(d, mb, &s, k ? &fwd.last : NULL, 0, 1, walk_cb, &fwd), TERN_OK);
				if (fwd.n == before)
					break;
				assert_int_equal(db_sort_before(d, mb, &s, &fwd.last, 100, &pos), TERN_OK);
				assert_int_equal(pos, fwd.n - 1);
			}
			assert_int_equal(fwd.n, 12);
			for (int k = 0; k < 13; k++) {
				int before = bwd.n;
				assert_int_equal(db_sort_page(d, mb, &s, k ? &bwd.last : NULL, 1, 1, walk_cb, &bwd), TERN_OK);
				if (bwd.n == before)
					break;
			}
			assert_int_equal(bwd.n, 12);
			for (int i = 0; i < 12; i++) {
				if (fwd.ids[i] != bwd.ids[11 - i])
					fail_msg("order %d reverse %d: row %d is %lld forward, %lld backward", o, rev, i,
					         (long long)fwd.ids[i], (long long)bwd.ids[11 - i]);
				for (int j = 0; j < i; j++)
					assert_true(fwd.ids[i] != fwd.ids[j]);
			}
			/* The subject order ignores prefixes and case, ties by arrival. */
			if (o == SORT_SUBJECT && !rev) {
				static const int want[] = { 1, 3, 5, 7, 9, 11, 0, 2, 6, 8, 4, 10 };
				for (int i = 0; i < 12; i++)
					assert_int_equal(fwd.ids[i], ids[want[i]]);
			}
		}
	/* Every query of every order (5 each, both ways) is a range scan of
	 * an index. */
	int checked = 0;
	for (sqlite3_stmt *st = sqlite3_next_stmt(db_sqlite(d), NULL); st; st = sqlite3_next_stmt(db_sqlite(d), st)) {
		const char *sql = sqlite3_sql(st);
		char *eqp;
		sqlite3_stmt *q;
		if (!strstr(sql, "message_mailbox mm WHERE") && !strstr(sql, "ORDER BY mm."))
			continue;
		checked++;
		eqp = xasprintf("EXPLAIN QUERY PLAN %s", sql);
		assert_int_equal(sqlite3_prepare_v2(db_sqlite(d), eqp, -1, &q, NULL), SQLITE_OK);
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *detail = (const char *)sqlite3_column_text(q, 3);
			if (strstr(detail, "TEMP B-TREE") || strstr(detail, "SCAN mm"))
				fail_msg("not an index range scan (%s): %s", detail, sql);
		}
		sqlite3_finalize(q);
		free(eqp);
	}
	assert_true(checked >= 5 * 2 * SORT_COUNT);
	/* A flag change moves the message among the flagged (unread) ones,
	 * newest first there. */
	{
		struct sort_spec s = { SORT_FLAGGED, 0 };
		struct walk w = { &s, { 0 }, { 0 }, 0 };
		assert_int_equal(db_message_set_flags(d, ids[3], MSG_SEEN | MSG_FLAGGED, NULL), TERN_OK);
		assert_int_equal(db_sort_page(d, mb, &s, NULL, 0, 5, walk_cb, &w), TERN_OK);
		assert_int_equal(w.ids[0], ids[10]);
		assert_int_equal(w.ids[1], ids[5]);
		assert_int_equal(w.ids[2], ids[3]);
		assert_int_equal(w.ids[3], ids[0]);
		assert_int_equal(w.ids[4], ids[11]);
		s.order = SORT_UNREAD;
		w.n = 0;
		assert_int_equal(db_message_set_flags(d, ids[2], 0, NULL), TERN_OK);
		assert_int_equal(db_sort_page(d, mb, &s, NULL, 0, 5, walk_cb, &w), TERN_OK);
		assert_int_equal(w.ids[0], ids[10]);
		assert_int_equal(w.ids[1], ids[5]);
		assert_int_equal(w.ids[2], ids[2]);
		assert_int_equal(w.ids[3], ids[0]);
		assert_int_equal(w.ids[4], ids[11]);
	}
	db_close(d);
}

static int64_t
thread_of_msg(db *d, int64_t id)
{
	struct msg_row r;
	int64_t t;
	assert_int_equal(db_message_get(d, id, &r), TERN_OK);
	t = r.thread_id;
	db_msg_row_free(&r);
	return t;
}

static void
t_threads_join_as_they_arrive(void **state)
{
	db *d = open_fresh();
	int64_t acct, mb, child, root, other;
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	mb = add_mailbox(d, acct, "INBOX", "inbox");
	/* The reply arrives before its parent: both end in one thread. */
	child = add_message(d, acct, mb, 2, 2000, 0, "c@x", "r@x");
	root = add_message(d, acct, mb, 1, 1000, 0, "r@x", NULL);
	other = add_message(d, acct, mb, 3, 3000, 0, "o@x", NULL);
	{
		struct msg_row a, b, c;
		assert_int_equal(db_message_get(d, child, &a), TERN_OK);
		assert_int_equal(db_message_get(d, root, &b), TERN_OK);
		assert_int_equal(db_message_get(d, other, &c), TERN_OK);
		assert_int_equal(a.thread_id, b.thread_id);
		assert_int_not_equal(a.thread_id, c.thread_id);
		db_msg_row_free(&a);
		db_msg_row_free(&b);
		db_msg_row_free(&c);
	}
	/* Two replies stored before their parent, each in a thread of its own:
	 * the parent joins them into one. */
	{
		int64_t r1 = add_message(d, acct, mb, 10, 5000, 0, "r1@x", "p@x");
		int64_t r2 = add_message(d, acct, mb, 11, 5100, 0, "r2@x", "p@x");
		int64_t p = add_message(d, acct, mb, 9, 4000, 0, "p@x", NULL);
		assert_int_equal(thread_of_msg(d, r1), thread_of_msg(d, p));
		assert_int_equal(thread_of_msg(d, r2), thread_of_msg(d, p));
	}
	/* A reply whose parent is missing joins the thread through References. */
	{
		struct msg_hdr h = { .message_id = "g@x", .in_reply_to = "missing@x",
		                     .references = "r@x missing@x", .subject = "re", .from_addr = "b@x",
		                     .received_at = 6000, .sent_at = 6000, .size = 10 };
		int64_t g;
		assert_int_equal(db_message_insert(d, acct, &h, &g), TERN_OK);
		assert_int_equal(db_message_link(d, g, mb, 20, 6000), TERN_OK);
		assert_int_equal(thread_of_msg(d, g), thread_of_msg(d, root));
	}
	/* thread_mailbox says how many messages each thread has here, and its
	 * newest: the same as recomputing it from the messages. */
	assert_int_equal(scalar(d, "SELECT count(*) FROM thread_mailbox t WHERE n <> "
	                           "(SELECT count(*) FROM message m JOIN message_mailbox mm ON mm.message_id = m.id "
	                           " AND mm.hidden = 0 AND mm.mailbox_id = t.mailbox_id WHERE m.thread_id = t.thread_id) "
	                           "OR latest_at <> (SELECT max(mm.received_at) FROM message m JOIN message_mailbox mm "
	                           " ON mm.message_id = m.id AND mm.hidden = 0 AND mm.mailbox_id = t.mailbox_id "
	                           " WHERE m.thread_id = t.thread_id)"), 0);
	assert_int_equal(scalar(d, "SELECT sum(n) FROM thread_mailbox"), 7);
	db_close(d);
}

/* A collapsed thread's row (ui/msglist_fold.c): its first message, its size,
 * unread and flagged over all of it, and its ids for an action on the
 * whole thread; a message moved away (hidden) no longer counts. */
static void
t_thread_summary(void **state)
{
	db *d = open_fresh();
	int64_t acct, mb, arch, root, r1, r2, other, change, *ids;
	struct thread_sum s;
	size_t n;
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	mb = add_mailbox(d, acct, "INBOX", "inbox");
	arch = add_mailbox(d, acct, "Archive", "archive");
	/* The reply first: the thread's first message is the oldest, not the
	 * first stored. */
	r1 = add_message(d, acct, mb, 2, 2000, 0, "r1@x", "root@x");
	root = add_message(d, acct, mb, 1, 1000, MSG_SEEN, "root@x", NULL);
	r2 = add_message(d, acct, mb, 3, 3000, MSG_SEEN | MSG_FLAGGED, "r2@x", "root@x");
	other = add_message(d, acct, mb, 4, 4000, MSG_SEEN, "o@x", NULL);
	assert_int_equal(db_thread_summary(d, mb, thread_of_msg(d, root), &s), TERN_OK);
	assert_int_equal(s.first_id, root);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.unread, 1);
	assert_int_equal(s.flagged, 1);
	assert_int_equal(db_thread_summary(d, mb, thread_of_msg(d, other), &s), TERN_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.unread + s.flagged, 0);
	assert_int_equal(db_thread_ids(d, mb, thread_of_msg(d, r2), &ids, &n), TERN_OK);
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], root);
	assert_int_equal(ids[1], r1);
	assert_int_equal(ids[2], r2);
	free(ids);
	/* Seen from another mailbox, the thread is not there. */
	assert_int_equal(db_thread_summary(d, arch, thread_of_msg(d, root), &s), TERN_ENOTFOUND);
	/* The unread reply moved to the archive: the thread here holds no unread. */
	assert_int_equal(db_change_move(d, r1, mb, arch, &change), TERN_OK);
	assert_int_equal(db_thread_summary(d, mb, thread_of_msg(d, root), &s), TERN_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.unread, 0);
	assert_int_equal(db_thread_ids(d, mb, thread_of_msg(d, root), &ids, &n), TERN_OK);
	assert_int_equal(n, 2);
	free(ids);
	/* Through the thread's index, never a walk of the mailbox. */
	{
		sqlite3_stmt *st;
		int by_thread = 0;
		assert_int_equal(sqlite3_prepare_v2(db_sqlite(d), "EXPLAIN QUERY PLAN SELECT count(*) FROM message m "
		                 "CROSS JOIN message_mailbox mm ON mm.message_id = m.id AND mm.mailbox_id = 1 AND mm.hidden = 0 "
		                 "WHERE m.thread_id = 1", -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW)
			by_thread += strstr((const char *)sqlite3_column_text(st, 3), "message_thread") != NULL;
		sqlite3_finalize(st);
		assert_int_equal(by_thread, 1);
	}
	db_close(d);
}

static void
t_log_and_status(void **state)
{
	db *d = open_fresh();
	struct sync_counts sc = { 3, 2, 1, 0 };
	struct account_status s;
	int64_t acct, log;
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	assert_int_equal(db_sync_log_start(d, acct, "imap", &log), TERN_OK);
	assert_int_equal(db_sync_log_end(d, log, "ok", NULL, &sc), TERN_OK);
	assert_int_equal(scalar(d, "SELECT added + updated + removed FROM sync_log WHERE result = 'ok' AND ended_at >= started_at"), 6);
	assert_int_equal(db_status_set(d, acct, "error", "", "connection refused"), TERN_OK);
	assert_int_equal(db_status_set(d, acct, "syncing", "INBOX 10/20", NULL), TERN_OK);
	assert_int_equal(db_status_get(d, acct, &s), TERN_OK);
	assert_string_equal(s.state, "syncing");
	assert_string_equal(s.detail, "INBOX 10/20");
	assert_string_equal(s.last_error, "connection refused");   /* kept until cleared */
	db_status_free(&s);
	assert_int_equal(db_status_set(d, acct, "idle", "", ""), TERN_OK);
	assert_int_equal(db_status_get(d, acct, &s), TERN_OK);
	assert_string_equal(s.last_error, "");
	db_status_free(&s);
	db_close(d);
}

struct completions {
	char got[512];
};

static int
completion_cb(const char *addr, const char *name, void *ctx)
{
	struct completions *c = ctx;
	(void)name;
	snprintf(c->got + strlen(c->got), sizeof c->got - strlen(c->got), "%s%s", *c->got ? " " : "", addr);
	return 0;
}

static const char *
complete(db *d, int64_t acct, const char *prefix, struct completions *c)
{
	c->got[0] = '\0';
	assert_int_equal(db_contact_complete(d, acct, prefix, 10, completion_cb, c), TERN_OK);
	return c->got;
}

static int64_t
uses_of(db *d, const char *addr)
{
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT coalesce(max(uses), 0) FROM contact WHERE addr = '%s'", addr);
	return scalar(d, sql);
}

/* Completion learns the people we write to: a queued send counts its To,
 * Cc and Bcc at once, and its copy arriving in Sent does not count again;
 * mail of ours sent from another client counts when it arrives; a draft, or
 * the To of a message someone sent us, does not. */
static void
t_contacts_learn_recipients(void **state)
{
	db *d = open_fresh();
	struct completions c;
	int64_t acct, inbox, sent, drafts, outbox, id;
	const char *raw = "From: Me <me@x.org>\r\nTo: Ann Lee <ann@example.org>, \"Doe, Bo\" <bo@example.org>\r\n"
	                  "Cc: cy@example.org\r\nBcc: dee@example.org\r\nSubject: hi\r\n"
	                  "Message-ID: <q1@x.org>\r\n\r\nTo: notme@example.org\r\n";
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x.org", &acct), TERN_OK);
	inbox = add_mailbox(d, acct, "INBOX", "inbox");
	sent = add_mailbox(d, acct, "Sent", "sent");
	drafts = add_mailbox(d, acct, "Drafts", "drafts");
	/* First thing on this connection: mail of ours arriving in Sent. */
	{
		struct msg_hdr h = { .message_id = "z0@x.org", .subject = "first", .from_addr = "me@x.org",
		                     .to_list = "zed@example.org", .received_at = 50 };
		assert_int_equal(db_begin(d), TERN_OK);
		for (int k = 0; k < 3; k++) {
			char mid[16];
			snprintf(mid, sizeof mid, "z%d@x.org", k);
			h.message_id = mid;
			assert_int_equal(db_message_insert(d, acct, &h, &id), TERN_OK);
			assert_int_equal(db_message_link(d, id, sent, 9 + k, 50), TERN_OK);
		}
		assert_int_equal(db_commit(d), TERN_OK);
		assert_int_equal(uses_of(d, "zed@example.org"), 3);
	}

	assert_int_equal(db_change_send(d, acct, raw, strlen(raw), "<q1@x.org>", "hi", &outbox), TERN_OK);
	assert_string_equal(complete(d, acct, "ann", &c), "ann@example.org");
	assert_string_equal(complete(d, acct, "Doe", &c), "bo@example.org");
	assert_string_equal(complete(d, acct, "cy", &c), "cy@example.org");
	assert_string_equal(complete(d, acct, "dee", &c), "dee@example.org");
	assert_string_equal(complete(d, acct, "notme", &c), "");   /* the body is not headers */
	assert_int_equal(uses_of(d, "ann@example.org"), 1);

	/* Its copy in Sent (as a sync stores it): not counted twice. */
	{
		struct msg_hdr h = { .message_id = "q1@x.org", .subject = "hi", .from_name = "Me", .from_addr = "me@x.org",
		                     .to_list = "Ann Lee <ann@example.org>", .cc_list = "cy@example.org",
		                     .received_at = 100, .flags = MSG_SEEN };
		assert_int_equal(db_begin(d), TERN_OK);
		assert_int_equal(db_message_insert(d, acct, &h, &id), TERN_OK);
		assert_int_equal(db_message_link(d, id, sent, 1, 100), TERN_OK);
		assert_int_equal(db_commit(d), TERN_OK);
	}
	assert_int_equal(uses_of(d, "ann@example.org"), 1);
	assert_int_equal(scalar(d, "SELECT count(*) FROM contact_sent"), 0);   /* matched, forgotten */

	/* Sent from another client: counted when it arrives, in Sent or by From.
	 * An IMAP envelope leaves a comma in a name unquoted. */
	{
		struct msg_hdr h1 = { .message_id = "o1@x.org", .subject = "x", .from_addr = "me@x.org",
		                      .to_list = "Doe, Bo <bo@example.org>", .received_at = 200 };
		struct msg_hdr h2 = { .message_id = "o2@x.org", .subject = "y", .from_addr = "ME@x.org",
		                      .to_list = "eve@example.org", .received_at = 300 };
		struct msg_hdr h3 = { .message_id = "o3@x.org", .subject = "z", .from_addr = "me@x.org",
		                      .to_list = "fay@example.org", .received_at = 400, .flags = MSG_DRAFT };
		struct msg_hdr h4 = { .message_id = "o4@x.org", .subject = "w", .from_addr = "gus@example.org",
		                      .to_list = "me@x.org, hal@example.org", .received_at = 500 };
		assert_int_equal(db_begin(d), TERN_OK);
		assert_int_equal(db_message_insert(d, acct, &h1, &id), TERN_OK);
		assert_int_equal(db_message_link(d, id, sent, 2, 200), TERN_OK);
		assert_int_equal(db_message_insert(d, acct, &h2, &id), TERN_OK);
		assert_int_equal(db_message_link(d, id, inbox, 1, 300), TERN_OK);
		assert_int_equal(db_message_insert(d, acct, &h3, &id), TERN_OK);
		assert_int_equal(db_message_link(d, id, drafts, 1, 400), TERN_OK);
		assert_int_equal(db_message_insert(d, acct, &h4, &id), TERN_OK);
		assert_int_equal(db_message_link(d, id, inbox, 2, 500), TERN_OK);
		assert_int_equal(db_commit(d), TERN_OK);
	}
	assert_int_equal(uses_of(d, "bo@example.org"), 2);
	assert_int_equal(uses_of(d, "eve@example.org"), 1);
	assert_int_equal(uses_of(d, "fay@example.org"), 0);     /* a draft */
	assert_int_equal(uses_of(d, "hal@example.org"), 0);     /* someone else's recipients */
	assert_int_equal(uses_of(d, "gus@example.org"), 1);     /* senders, as before */
	assert_int_equal(scalar(d, "SELECT count(*) FROM contact WHERE addr = 'Doe'"), 0);
	db_close(d);
}

/* Storing one message costs the same in a big database as in a small one:
 * no statement the commit runs (search index, address book) walks a whole
 * table. A full scan of message, once per commit, made first syncs
 * quadratic; SQLite counts such steps per statement. */
static void
t_commit_scans_nothing_big(void **state)
{
	db *d = open_fresh();
	int64_t acct, inbox, sent;
	sqlite3_stmt *st = NULL;
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	inbox = add_mailbox(d, acct, "INBOX", "inbox");
	sent = add_mailbox(d, acct, "Sent", "sent");
	assert_int_equal(db_begin(d), TERN_OK);
	for (int i = 0; i < 3000; i++) {
		char mid[32];
		snprintf(mid, sizeof mid, "m%d@x", i);
		add_message(d, acct, i % 2 ? inbox : sent, i + 1, 1000 + i, 0, mid, i ? "m0@x" : NULL);
	}
	assert_int_equal(db_commit(d), TERN_OK);
	while ((st = sqlite3_next_stmt(db_sqlite(d), st)))
		sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
	assert_int_equal(db_begin(d), TERN_OK);
	add_message(d, acct, sent, 5000, 9000, 0, "new@x", "m1@x");
	assert_int_equal(db_commit(d), TERN_OK);
	while ((st = sqlite3_next_stmt(db_sqlite(d), st))) {
		int steps = sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
		if (steps > 100)
			fail_msg("%d full-scan steps storing one message: %s", steps, sqlite3_sql(st));
	}
	db_close(d);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	(void)state;
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* A no-op inside a caller's transaction leaves it whole; a nested failure
 * dooms it (nothing of it is committed, not even what came after). */
static void
t_nested_transactions(void **state)
{
	db *d = open_fresh();
	int64_t acct, mb, m, change = 0;
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	mb = add_mailbox(d, acct, "INBOX", "inbox");
	m = add_message(d, acct, mb, 1, 1000, MSG_ANSWERED, "m@x", NULL);

	/* Answering an answered message again: the flag is already set. */
	assert_int_equal(db_begin(d), TERN_OK);
	assert_int_equal(db_change_flag(d, m, MSG_ANSWERED, 1, &change), TERN_OK);
	assert_int_equal(db_exec(d, "INSERT INTO sync_state (account_id, resource, state, synced_at) "
	                            "VALUES (1, 'kept', 'x', 0)"), TERN_OK);
	assert_int_equal(db_commit(d), TERN_OK);
	assert_int_equal(scalar(d, "SELECT count(*) FROM sync_state WHERE resource = 'kept'"), 1);

	/* An inner level that fails: the outer commit fails, and nothing of the
	 * transaction, before or after the failure, is in the file. */
	assert_int_equal(db_begin(d), TERN_OK);
	assert_int_equal(db_exec(d, "INSERT INTO sync_state (account_id, resource, state, synced_at) "
	                            "VALUES (1, 'before', 'x', 0)"), TERN_OK);
	assert_int_equal(db_begin(d), TERN_OK);
	db_rollback(d);
	assert_int_equal(db_exec(d, "INSERT INTO sync_state (account_id, resource, state, synced_at) "
	                            "VALUES (1, 'after', 'x', 0)"), TERN_OK);
	assert_int_not_equal(db_commit(d), TERN_OK);
	assert_int_equal(scalar(d, "SELECT count(*) FROM sync_state WHERE resource IN ('before', 'after')"), 0);
	assert_int_equal(db_tx_reset(d), 0);   /* and it is closed */
	db_close(d);
}

static int
count_cb(const struct msg_row *r, int server_hit, void *ctx)
{
	(void)r;
	(void)server_hit;
	++*(int *)ctx;
	return 0;
}

static int
search_hits(db *d, int64_t acct, const char *text)
{
	search_query *q = NULL;
	struct search_error e = { 0 };
	struct search_scope sc = { &acct, 1 };
	int n = 0;
	assert_int_equal(search_parse(text, 1700000000, &q, &e), TERN_OK);
	assert_int_equal(db_search_page(d, q, &sc, NULL, 0, 100, count_cb, &n), TERN_OK);
	search_query_free(q);
	return n;
}

/* Mailbox names typed by the user match ignoring case in any script, as
 * the picker does: "été" opens Été (tern list, tern move, in:); the exact
 * spelling wins; a name that only case tells apart is refused, not
 * guessed. Contact names complete the same way. */
static void
t_mailbox_names_fold(void **state)
{
	db *d = open_fresh();
	struct mailbox_row mb = { 0 };
	struct completions c;
	int64_t acct, ete, otch, exact;
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x.org", &acct), TERN_OK);
	add_mailbox(d, acct, "INBOX", "inbox");
	ete = add_mailbox(d, acct, "Été", NULL);
	otch = add_mailbox(d, acct, "Отчёты", NULL);
	add_mailbox(d, acct, "Work", NULL);
	add_mailbox(d, acct, "WORK", NULL);
	exact = add_mailbox(d, acct, "work", NULL);
	add_mailbox(d, acct, "Ünı", NULL);
	add_mailbox(d, acct, "üNı", NULL);
	assert_int_equal(db_begin(d), TERN_OK);
	add_message(d, acct, ete, 1, 100, 0, "e1@x.org", NULL);
	add_message(d, acct, ete, 2, 200, 0, "e2@x.org", NULL);
	add_message(d, acct, otch, 1, 300, 0, "o1@x.org", NULL);
	{
		/* from: goes through FTS5 (unicode61), which folds on its own. */
		struct msg_hdr h = { .message_id = "f1@x.org", .subject = "Über", .from_name = "Émile Ørsted",
		                     .from_addr = "emile@example.org", .received_at = 400, .size = 10 };
		int64_t id;
		assert_int_equal(db_message_insert(d, acct, &h, &id), TERN_OK);
		assert_int_equal(db_message_link(d, id, otch, 2, 400), TERN_OK);
	}
	assert_int_equal(db_commit(d), TERN_OK);

	assert_int_equal(db_mailbox_find(d, acct, "été", &mb), TERN_OK);
	assert_int_equal(mb.id, ete);
	db_mailbox_row_free(&mb);
	assert_int_equal(db_mailbox_find(d, acct, "ÉTÉ", &mb), TERN_OK);
	assert_int_equal(mb.id, ete);
	db_mailbox_row_free(&mb);
	assert_int_equal(db_mailbox_find(d, acct, "отчёты", &mb), TERN_OK);
	assert_int_equal(mb.id, otch);
	db_mailbox_row_free(&mb);
	assert_int_equal(db_mailbox_find(d, acct, "work", &mb), TERN_OK);
	assert_int_equal(mb.id, exact);
	db_mailbox_row_free(&mb);
	assert_int_equal(db_mailbox_find(d, acct, "üni", &mb), TERN_ENOTFOUND);
	assert_int_equal(db_mailbox_find(d, acct, "ünı", &mb), TERN_EINVAL);
	assert_null(mb.name);
	assert_int_equal(db_mailbox_find(d, acct, "summer", &mb), TERN_ENOTFOUND);

	assert_int_equal(search_hits(d, acct, "in:été"), 2);
	assert_int_equal(search_hits(d, acct, "in:ÉTÉ"), 2);
	assert_int_equal(search_hits(d, acct, "in:отчёты"), 2);
	assert_int_equal(search_hits(d, acct, "in:Été"), 2);
	assert_int_equal(search_hits(d, acct, "-in:été"), 2);
	assert_int_equal(search_hits(d, acct, "from:émile"), 1);
	assert_int_equal(search_hits(d, acct, "from:ØRSTED"), 1);
	assert_int_equal(search_hits(d, acct, "subject:über"), 1);

	{
		const char *raw = "From: Me <me@x.org>\r\nTo: =?utf-8?q?=C3=89lo=C3=AFse?= <elo@example.org>\r\n"
		                  "Subject: hi\r\nMessage-ID: <c1@x.org>\r\n\r\nhi\r\n";
		int64_t outbox;
		assert_int_equal(db_change_send(d, acct, raw, strlen(raw), "<c1@x.org>", "hi", &outbox), TERN_OK);
	}
	assert_string_equal(complete(d, acct, "Élo", &c), "elo@example.org");
	assert_string_equal(complete(d, acct, "élo", &c), "elo@example.org");
	assert_string_equal(complete(d, acct, "ÉLOÏ", &c), "elo@example.org");
	assert_string_equal(complete(d, acct, "elo", &c), "elo@example.org");
	assert_string_equal(complete(d, acct, "lo", &c), "");
	db_close(d);
}

struct rows_seen {
	struct queue_row r[10];
	int n;
};

static int
collect_row(const struct queue_row *r, void *ctx)
{
	struct rows_seen *s = ctx;
	if (s->n < (int)ARRAY_LEN(s->r)) {
		s->r[s->n] = *r;
		s->r[s->n].last_error = xstrdup(r->last_error);
		s->n++;
	}
	return 0;
}

/* Rows queued by the version before typed changes, one of each kind and
 * status, written as it wrote them (JSON payloads): after the upgrade each
 * decodes to the same change, none is lost, and the queue works on them. */
static void
t_upgrade_converts_queued_changes(void **state)
{
	char *path = new_path(), *err = NULL, sql[2048];
	int64_t acct, inbox, trash, arch, drafts, c;
	struct rows_seen s = { .n = 0 };
	unsigned mask;
	int moving;
	db *d;
	(void)state;
	assert_int_equal(db_open_at(path, DB_SCHEMA_TYPED_CHANGE - 1, &d, &err), TERN_OK);
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	inbox = add_mailbox(d, acct, "INBOX", "inbox");
	trash = add_mailbox(d, acct, "Trash", "trash");
	arch = add_mailbox(d, acct, "Archive", "archive");
	drafts = add_mailbox(d, acct, "Drafts", "drafts");
	snprintf(sql, sizeof sql,
	         "INSERT INTO outbox (id, account_id, raw, created_at) VALUES (1, 1, 'x', 0), (2, 1, 'y', 0), (3, 1, 'z', 0);"
	         "INSERT INTO pending_change (id, account_id, resource_type, resource_id, change_type, payload, "
	         "created_at, status, last_error) VALUES "
	         "(1, 1, 'Email', 7, 'flag', '{\"flag\":\"seen\",\"value\":true}', 100, 'queued', NULL),"
	         "(2, 1, 'Email', 7, 'flag', '{\"flag\":\"answered\",\"value\":false}', 101, 'failed', 'NO'),"
	         "(3, 1, 'Email', 8, 'move', '{\"from\":%1$lld,\"to\":%3$lld}', 102, 'queued', NULL),"
	         "(4, 1, 'Email', 9, 'move', '{\"from\":%1$lld,\"to\":%2$lld,\"delete\":true}', 103, 'sending', NULL),"
	         "(5, 1, 'Email', 10, 'delete', '{\"mailbox\":%2$lld}', 104, 'failed', 'gone'),"
	         "(6, 1, 'Outbox', 1, 'send', '{}', 105, 'queued', NULL),"
	         "(7, 1, 'Outbox', 2, 'append', '{\"mailbox\":%4$lld,\"flags\":\"seen draft\",\"message\":11}', 106, 'failed', 'x'),"
	         "(8, 1, 'Outbox', 3, 'append', '{\"mailbox\":%4$lld,\"flags\":\"seen flagged \"}', 107, 'queued', NULL)",
	         (long long)inbox, (long long)trash, (long long)arch, (long long)drafts);
	assert_int_equal(db_exec(d, sql), TERN_OK);
	db_close(d);

	assert_int_equal(db_open(path, &d, &err), TERN_OK);
	assert_int_equal(db_schema_version(d), db_schema_latest());
	assert_int_equal(scalar(d, "SELECT count(*) FROM pragma_table_info('pending_change') WHERE name = 'payload'"), 0);
	assert_int_equal(db_queue_each(d, 0, collect_row, &s), TERN_OK);
	assert_int_equal(s.n, 8);

	assert_int_equal(s.r[0].change.kind, CHANGE_FLAG);
	assert_int_equal(s.r[0].change.u.flag.flag, MSG_SEEN);
	assert_int_equal(s.r[0].change.u.flag.on, 1);
	assert_int_equal(s.r[0].status, QUEUE_QUEUED);
	assert_int_equal(s.r[0].resource_id, 7);
	assert_int_equal(s.r[0].created_at, 100);

	assert_int_equal(s.r[1].change.kind, CHANGE_FLAG);
	assert_int_equal(s.r[1].change.u.flag.flag, MSG_ANSWERED);
	assert_int_equal(s.r[1].change.u.flag.on, 0);
	assert_int_equal(s.r[1].status, QUEUE_FAILED);
	assert_string_equal(s.r[1].last_error, "NO");

	assert_int_equal(s.r[2].change.kind, CHANGE_MOVE);
	assert_int_equal(s.r[2].change.u.move.from, inbox);
	assert_int_equal(s.r[2].change.u.move.to, arch);
	assert_int_equal(s.r[2].change.u.move.is_delete, 0);

	assert_int_equal(s.r[3].change.kind, CHANGE_MOVE);
	assert_int_equal(s.r[3].change.u.move.from, inbox);
	assert_int_equal(s.r[3].change.u.move.to, trash);
	assert_int_equal(s.r[3].change.u.move.is_delete, 1);
	assert_int_equal(s.r[3].status, QUEUE_SENDING);

	assert_int_equal(s.r[4].change.kind, CHANGE_DELETE);
	assert_int_equal(s.r[4].change.u.del.mailbox, trash);
	assert_int_equal(s.r[4].status, QUEUE_FAILED);

	assert_int_equal(s.r[5].change.kind, CHANGE_SEND);
	assert_int_equal(s.r[5].resource_type, RESOURCE_OUTBOX);
	assert_int_equal(s.r[5].resource_id, 1);

	assert_int_equal(s.r[6].change.kind, CHANGE_APPEND);
	assert_int_equal(s.r[6].resource_type, RESOURCE_OUTBOX);
	assert_int_equal(s.r[6].change.u.append.mailbox, drafts);
	assert_int_equal(s.r[6].change.u.append.flags, MSG_SEEN | MSG_DRAFT);
	assert_int_equal(s.r[6].change.u.append.message, 11);

	assert_int_equal(s.r[7].change.kind, CHANGE_APPEND);
	assert_int_equal(s.r[7].change.u.append.flags, MSG_SEEN | MSG_FLAGGED);
	assert_int_equal(s.r[7].change.u.append.message, 0);
	for (int i = 0; i < s.n; i++)
		db_queue_row_free(&s.r[i]);

	/* The queue's own queries read the converted columns. */
	assert_int_equal(db_change_append_of(d, 11, &c), TERN_OK);
	assert_int_equal(c, 7);
	assert_int_equal(db_queue_pending_for(d, 7, &mask, &moving), TERN_OK);
	assert_int_equal(mask, MSG_SEEN | MSG_ANSWERED);
	assert_int_equal(moving, 0);
	assert_int_equal(db_queue_pending_for(d, 9, &mask, &moving), TERN_OK);
	assert_int_equal(moving, 1);
	assert_int_equal(db_queue_fail_into(d, arch, "Archive is gone"), TERN_OK);
	assert_int_equal(scalar(d, "SELECT status = 'failed' AND last_error = 'Archive is gone' FROM pending_change WHERE id = 3"), 1);
	db_close(d);
	free(path);
}

/* Every kind goes through the one codec and comes back as it went in; a
 * row this binary cannot read decodes as unknown, never as another kind. */
static void
t_change_codec_round_trip(void **state)
{
	db *d = open_fresh();
	int64_t acct, id;
	static const struct change in[] = {
		{ .kind = CHANGE_FLAG, .u.flag = { .flag = MSG_FLAGGED, .on = 1 } },
		{ .kind = CHANGE_MOVE, .u.move = { .from = 3, .to = 4, .is_delete = 1 } },
		{ .kind = CHANGE_DELETE, .u.del = { .mailbox = 5 } },
		{ .kind = CHANGE_SEND },
		{ .kind = CHANGE_APPEND, .u.append = { .mailbox = 6, .flags = MSG_DRAFT | MSG_SEEN, .message = 42 } },
	};
	const struct change unknown = { .kind = CHANGE_UNKNOWN };
	struct queue_row q = { 0 };
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	for (size_t i = 0; i < ARRAY_LEN(in); i++) {
		assert_int_equal(db_queue_add(d, acct, 100 + (int64_t)i, &in[i], &id), TERN_OK);
		assert_int_equal(db_queue_get(d, id, &q), TERN_OK);
		assert_memory_equal(&q.change, &in[i], sizeof in[i]);
		assert_int_equal(q.resource_type, change_kind_resource(in[i].kind));
		assert_int_equal(q.status, QUEUE_QUEUED);
		db_queue_row_free(&q);
	}
	assert_int_equal(db_queue_add(d, acct, 1, &unknown, &id), TERN_EINVAL);

	/* Another kind's text, a kind on the wrong resource, a newer layout,
	 * a flag change without one flag. */
	assert_int_equal(db_exec(d, "INSERT INTO pending_change (id, account_id, resource_type, change_type, created_at, "
	                            "change_version, flag) VALUES (50, 1, 'Email', 'label', 0, 1, 0), "
	                            "(51, 1, 'Outbox', 'flag', 0, 1, 1), (52, 1, 'Email', 'flag', 0, 2, 1), "
	                            "(53, 1, 'Email', 'flag', 0, 1, 0), (54, 1, 'Email', 'flag', 0, 1, 3)"), TERN_OK);
	for (int64_t r = 50; r <= 54; r++) {
		assert_int_equal(db_queue_get(d, r, &q), TERN_OK);
		assert_int_equal(q.change.kind, CHANGE_UNKNOWN);
		db_queue_row_free(&q);
	}
	/* Such a row can still be dropped. */
	assert_int_equal(db_change_revert(d, 50), TERN_OK);
	assert_int_equal(db_queue_get(d, 50, &q), TERN_ENOTFOUND);
	db_close(d);
}

/* Each vocabulary's text round-trips, and nothing else parses. */
static void
t_type_names(void **state)
{
	enum queue_status st;
	enum resource_type rt;
	enum change_kind k;
	(void)state;
	for (int i = QUEUE_QUEUED; i <= QUEUE_FAILED; i++) {
		assert_int_equal(queue_status_parse(queue_status_name((enum queue_status)i), &st), 0);
		assert_int_equal(st, i);
	}
	assert_int_equal(queue_status_parse("done", &st), -1);
	for (int i = RESOURCE_EMAIL; i <= RESOURCE_MAILBOX; i++) {
		assert_int_equal(resource_type_parse(resource_type_name((enum resource_type)i), &rt), 0);
		assert_int_equal(rt, i);
	}
	assert_int_equal(resource_type_parse("email", &rt), -1);
	for (int i = CHANGE_FLAG; i <= CHANGE_MAILBOX_DELETE; i++) {
		assert_int_equal(change_kind_parse(change_kind_name((enum change_kind)i), &k), 0);
		assert_int_equal(k, i);
	}
	assert_int_equal(change_kind_parse("unknown", &k), -1);
	assert_int_equal(change_kind_parse(NULL, &k), -1);
	for (int i = MAILBOX_ROLE_INBOX; i <= MAILBOX_ROLE_ARCHIVE; i++)
		assert_int_equal(mailbox_role_parse(mailbox_role_name((enum mailbox_role)i)), i);
	assert_null(mailbox_role_name(MAILBOX_ROLE_NONE));
	assert_int_equal(mailbox_role_parse("important"), MAILBOX_ROLE_NONE);
	assert_int_equal(mailbox_role_parse(NULL), MAILBOX_ROLE_NONE);
	assert_string_equal(change_flag_name(MSG_ANSWERED), "answered");
	assert_null(change_flag_name(MSG_SEEN | MSG_FLAGGED));
}

static int64_t
queued_kind(db *d, enum change_kind k, struct queue_row *q)
{
	char *sql = xasprintf("SELECT id FROM pending_change WHERE change_type = '%s'", change_kind_name(k));
	int64_t id = scalar(d, sql);
	free(sql);
	assert_true(id > 0);
	assert_int_equal(db_queue_get(d, id, q), TERN_OK);
	assert_int_equal(q->change.kind, k);
	assert_int_equal(q->resource_type, RESOURCE_MAILBOX);
	return id;
}

/* Folder changes: the local state at once, the codec round trip, a failure
 * and undo giving back, the refusals before anything is written. */
static void
t_mailbox_changes(void **state)
{
	db *d = open_fresh();
	int64_t acct, inbox, work, mb, kid, change, m;
	struct queue_row q = { 0 };
	(void)state;
	assert_int_equal(db_account_ensure(d, "a", "imap", "me@x", &acct), TERN_OK);
	inbox = add_mailbox(d, acct, "INBOX", "inbox");
	add_mailbox(d, acct, "Trash", "trash");
	work = add_mailbox(d, acct, "Work", NULL);
	m = add_message(d, acct, work, 1, 100, MSG_SEEN, "w1@x", NULL);
	assert_int_equal(db_mailbox_recount(d, work), TERN_OK);

	/* Create: a row at once, its remote id a placeholder, not swept. */
	assert_int_equal(db_change_mailbox_create(d, acct, "Work/Été", &mb, &change), TERN_OK);
	assert_int_equal(scalar(d, "SELECT count(*) FROM mailbox WHERE name = 'Work/Été' AND parent_id IS NOT NULL"), 1);
	{
		int unpushed = 0;
		assert_int_equal(db_mailbox_unpushed(d, mb, &unpushed), TERN_OK);
		assert_true(unpushed);
		assert_int_equal(db_mailbox_unpushed(d, work, &unpushed), TERN_OK);
		assert_false(unpushed);
	}
	queued_kind(d, CHANGE_MAILBOX_CREATE, &q);
	assert_int_equal(q.resource_id, mb);
	assert_string_equal(q.change.u.mbox.name, "Work/Été");
	db_queue_row_free(&q);
	/* Refusals: exists (also ignoring nothing else), no parent, bad names. */
	assert_int_equal(db_change_mailbox_create(d, acct, "Work", &kid, &change), TERN_EBUSY);
	assert_int_equal(db_change_mailbox_create(d, acct, "Nope/x", &kid, &change), TERN_ENOTFOUND);
	assert_int_equal(db_change_mailbox_create(d, acct, "a//b", &kid, &change), TERN_EINVAL);
	assert_int_equal(db_change_mailbox_create(d, acct, "/a", &kid, &change), TERN_EINVAL);
	assert_int_equal(db_change_mailbox_create(d, acct, "a\tb", &kid, &change), TERN_EINVAL);
	assert_int_equal(db_change_mailbox_rename(d, inbox, "Other", &change), TERN_EREFUSED);
	assert_int_equal(db_change_mailbox_rename(d, work, "Work/Été/Old", &change), TERN_EINVAL);
	assert_int_equal(db_change_mailbox_delete(d, inbox, 1, &change), TERN_EREFUSED);

	/* Rename: the new name at once, the folder under it too; a final
	 * failure gives the old names back, a retry the new ones, undo the old. */
	assert_int_equal(db_change_mailbox_rename(d, work, "Job", &change), TERN_OK);
	assert_int_equal(scalar(d, "SELECT count(*) FROM mailbox WHERE name IN ('Job', 'Job/Été')"), 2);
	queued_kind(d, CHANGE_MAILBOX_RENAME, &q);
	assert_string_equal(q.change.u.mbox.name, "Job");
	assert_string_equal(q.change.u.mbox.old_name, "Work");
	db_queue_row_free(&q);
	assert_int_equal(db_queue_fail(d, change, "ALREADYEXISTS", 1, 0), TERN_OK);
	assert_int_equal(scalar(d, "SELECT count(*) FROM mailbox WHERE name IN ('Work', 'Work/Été')"), 2);
	assert_int_equal(db_queue_retry(d, change), TERN_OK);
	assert_int_equal(scalar(d, "SELECT count(*) FROM mailbox WHERE name IN ('Job', 'Job/Été')"), 2);
	assert_int_equal(db_change_revert(d, change), TERN_OK);
	assert_int_equal(scalar(d, "SELECT count(*) FROM mailbox WHERE name IN ('Work', 'Work/Été')"), 2);

	/* Delete: not with a folder under it, not with messages unless agreed;
	 * then hidden (and not found by name), undo shows it again. */
	assert_int_equal(db_change_mailbox_delete(d, work, 1, &change), TERN_EBUSY);
	assert_int_equal(db_change_revert(d, queued_kind(d, CHANGE_MAILBOX_CREATE, &q)), TERN_OK);
	db_queue_row_free(&q);
	assert_int_equal(scalar(d, "SELECT count(*) FROM mailbox WHERE name = 'Work/Été'"), 0);
	assert_int_equal(db_change_mailbox_delete(d, work, 0, &change), TERN_EBUSY);
	assert_int_equal(db_change_mailbox_delete(d, work, 1, &change), TERN_OK);
	{
		struct mailbox_row r = { 0 };
		assert_int_equal(db_mailbox_find(d, acct, "Work", &r), TERN_ENOTFOUND);
		queued_kind(d, CHANGE_MAILBOX_DELETE, &q);
		assert_true(q.change.u.mbox.with_messages);
		db_queue_row_free(&q);
		assert_int_equal(db_change_revert(d, change), TERN_OK);
		assert_int_equal(db_mailbox_find(d, acct, "Work", &r), TERN_OK);
		db_mailbox_row_free(&r);
	}
	assert_int_equal(scalar(d, "SELECT count(*) FROM pending_change"), 0);
	assert_true(m > 0);
	db_close(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_fresh_database),
		cmocka_unit_test(t_upgrade_keeps_data),
		cmocka_unit_test(t_too_new_is_left_untouched),
		cmocka_unit_test(t_upgrade_from_previous),
		cmocka_unit_test(t_failed_migration_changes_nothing),
		cmocka_unit_test(t_upgrade_converts_queued_changes),
		cmocka_unit_test(t_change_codec_round_trip),
		cmocka_unit_test(t_type_names),
		cmocka_unit_test(t_mailbox_changes),
		cmocka_unit_test(t_stmt_reused_pointer),
		cmocka_unit_test(t_sync_state_round_trip),
		cmocka_unit_test(t_queue_round_trip),
		cmocka_unit_test(t_outbox_stages),
		cmocka_unit_test(t_undone_change_is_not_claimed),
		cmocka_unit_test(t_undo_during_push_keeps_the_message),
		cmocka_unit_test(t_move_delete_and_revert),
		cmocka_unit_test(t_delete_without_trash_refused),
		cmocka_unit_test(t_failed_flag_masks_and_is_superseded),
		cmocka_unit_test(t_failed_move_shows_the_message),
		cmocka_unit_test(t_paging_newest_first),
		cmocka_unit_test(t_sorted_paging),
		cmocka_unit_test(t_threads_join_as_they_arrive),
		cmocka_unit_test(t_thread_summary),
		cmocka_unit_test(t_log_and_status),
		cmocka_unit_test(t_nested_transactions),
		cmocka_unit_test(t_contacts_learn_recipients),
		cmocka_unit_test(t_mailbox_names_fold),
		cmocka_unit_test(t_commit_scans_nothing_big),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
