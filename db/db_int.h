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

struct queue_row;
/* db_change_mailbox.c, for the queue's withdraw/reapply in db_change.c: a
 * folder change's local state shown (shown 1) or taken back (0). */
int db_change_mailbox_local(db *d, const struct queue_row *q, int shown);

#endif
