/* What only code inside db/ may use (and tests that set up rows by hand):
 * the raw connection and the statement cache. Everything else goes through
 * the db_*.h functions, so SQL stays in db/. */
#ifndef TERN_DB_INT_H
#define TERN_DB_INT_H

#include <stdint.h>
#include <sqlite3.h>
#include "db/db.h"

/* The raw connection, for code inside db/ only. */
sqlite3 *db_sqlite(db *d);
/* A cached prepared statement for a static SQL string (keyed by pointer),
 * already reset and unbound. NULL on error (logged). A pointer seen before
 * with a different text (a freed, reused buffer) is logged as misuse and
 * prepared afresh, so it never returns another query's statement. */
sqlite3_stmt *db_stmt(db *d, const char *sql);
/* Helpers for db/ code: step a statement that returns no row. */
int db_step_done(db *d, sqlite3_stmt *st);
int64_t db_last_id(db *d);
int db_changes(db *d);

/* A message row as struct msg_row wants it: SELECT MSG_COLS FROM message m
 * JOIN message_mailbox mm ..., read by db_msg_row_read(). */
#define MSG_COLS \
	"m.id, m.account_id, mm.mailbox_id, coalesce(mm.uid, 0), m.email_id, m.message_id, m.in_reply_to, " \
	"m.refs, m.subject, m.from_name, m.from_addr, m.to_list, m.cc_list, m.reply_to, m.keywords, " \
	"m.preview, m.sent_at, m.received_at, m.size, " \
	"m.seen | (m.flagged << 1) | (m.answered << 2) | (m.draft << 3) | (m.deleted << 4), m.has_attachment, " \
	"coalesce(m.thread_id, m.id), " \
	"EXISTS (SELECT 1 FROM pending_change p WHERE p.resource_id = m.id AND p.resource_type = 'Email' AND p.status <> 'failed'), " \
	"EXISTS (SELECT 1 FROM pending_change p WHERE p.resource_id = m.id AND p.resource_type = 'Email' AND p.status = 'failed'), " \
	"m.damaged <> 0, m.pgp"
struct msg_row;
void db_msg_row_read(sqlite3_stmt *st, struct msg_row *r);
/* db_sort.c: tern_sort_text() for SQL (migration 16, db_message_link). */
int db_sort_register(sqlite3 *sq);

struct queue_row;
/* db_change_mailbox.c, for the queue's withdraw/reapply in db_change.c: a
 * folder change's local state shown (shown 1) or taken back (0). */
int db_change_mailbox_local(db *d, const struct queue_row *q, int shown);

#endif
