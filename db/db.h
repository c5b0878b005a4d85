/* The database handle: one per thread (SQLite connections never cross
 * threads). db_open() applies the pragmas and the numbered migrations.
 * Every write goes through db_begin()/db_commit() (BEGIN IMMEDIATE). */
#ifndef TERN_DB_H
#define TERN_DB_H

#include <stdint.h>

typedef struct db db;

/* The schema version this binary writes. */
int db_schema_latest(void);

/* Opens (creating) path and migrates it to the latest schema in one
 * transaction. A database newer than the binary gives TERN_ETOONEW and is
 * left untouched. *err (caller frees) explains any failure. */
int db_open(const char *path, db **out, char **err);
/* Same, but migrates only up to version (tests of the upgrade path). */
int db_open_at(const char *path, int version, db **out, char **err);
void db_close(db *d);

/* Runs SQL with no result rows and no parameters. TERN_*. */
int db_exec(db *d, const char *sql);

/* Write transactions: BEGIN IMMEDIATE waits for the busy timeout instead of
 * failing on a snapshot conflict. Nesting is counted: only the outermost
 * begin/commit touch SQLite, so db functions can be called inside a caller's
 * transaction. db_rollback() at the outermost level undoes the transaction;
 * nested, it dooms it (every commit up to the outermost then fails). */
int db_begin(db *d);
int db_commit(db *d);
/* The work a commit does for the messages stored in its transaction
 * (search index, address book), set-wise; db_commit() calls it before
 * COMMIT, and readers of that work may call it earlier. */
int db_flush_new(db *d);
void db_rollback(db *d);
/* For the top of a loop (the UI's, a worker's): a transaction some path
 * left open is rolled back and logged, so it can neither hold the write
 * lock nor swallow later writes. 1 if there was one. */
int db_tx_reset(db *d);

/* Changes when another connection committed (PRAGMA data_version). */
int64_t db_data_version(db *d);
int db_schema_version(db *d);
/* The version db_open_at() migrated to (the latest, but for upgrade tests):
 * what the SQL of the db layer may assume. */
int db_opened_version(db *d);

#endif
