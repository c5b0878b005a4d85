#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/db_int.h"
#include "db/db_schema.h"
#include "db/db_contact.h"
#include "db/db_search.h"
#include "src/base/err.h"
#include "src/base/fold.h"
#include "src/base/log.h"
#include "src/base/util.h"

#define STMT_BUCKETS 256

struct stmt_entry {
	const char *sql;           /* the caller's pointer: the cache key */
	char *text;                /* a copy of the text, to catch a reused pointer */
	sqlite3_stmt *st;
	struct stmt_entry *next;
};

struct db {
	sqlite3 *sq;
	int tx_depth;
	int doomed;                /* a nested level rolled back: the whole transaction goes */
	int version;               /* the schema version it was opened at */
	int search_pending;        /* the schema indexes new messages at commit */
	struct stmt_entry *stmts[STMT_BUCKETS];
};

sqlite3 *
db_sqlite(db *d)
{
	return d->sq;
}

static unsigned
ptr_hash(const void *p)
{
	uintptr_t v = (uintptr_t)p;
	v ^= v >> 17;
	v *= 0x9E3779B1u;
	return (unsigned)(v >> 7) % STMT_BUCKETS;
}

sqlite3_stmt *
db_stmt(db *d, const char *sql)
{
	unsigned h = ptr_hash(sql);
	struct stmt_entry *e;
	sqlite3_stmt *st;

	for (e = d->stmts[h]; e; e = e->next)
		if (e->sql == sql) {
			/* Keyed by pointer for speed; a caller that freed its SQL
			 * and got the same address back for another text would get
			 * the wrong statement. Say so, and prepare the new text
			 * (its entry goes first, so it shadows the stale one). */
			if (strcmp(e->text, sql) != 0) {
				log_error("db: db_stmt given a non-static SQL string (pointer reused); SQL: %.200s", sql);
				break;
			}
			sqlite3_reset(e->st);
			sqlite3_clear_bindings(e->st);
			return e->st;
		}
	if (sqlite3_prepare_v3(d->sq, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		log_error("db: prepare failed: %s; SQL: %.200s", sqlite3_errmsg(d->sq), sql);
		return NULL;
	}
	e = xmalloc(sizeof *e);
	e->sql = sql;
	e->text = xstrdup(sql);
	e->st = st;
	e->next = d->stmts[h];
	d->stmts[h] = e;
	return st;
}

int
db_exec(db *d, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(d->sq, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("db: %s; SQL: %.200s", msg ? msg : "?", sql);
		sqlite3_free(msg);
		return TERN_EDB;
	}
	return TERN_OK;
}

int
db_step_done(db *d, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		log_error("db: step failed: %s", sqlite3_errmsg(d->sq));
		return TERN_EDB;
	}
	return TERN_OK;
}

int64_t
db_last_id(db *d)
{
	return sqlite3_last_insert_rowid(d->sq);
}

int
db_changes(db *d)
{
	return sqlite3_changes(d->sq);
}

int
db_begin(db *d)
{
	if (d->tx_depth++ > 0)
		return TERN_OK;
	if (db_exec(d, "BEGIN IMMEDIATE") != TERN_OK) {
		d->tx_depth = 0;
		return TERN_EDB;
	}
	return TERN_OK;
}

/* New messages are listed in search_pending by a trigger; indexing them
 * here, one statement per kind of work, is what keeps a first sync from
 * writing the FTS index a row at a time (migration 7 says why). */
int
db_flush_new(db *d)
{
	static const char any[] = "SELECT 1 FROM search_pending LIMIT 1";
	static const char clear[] = "DELETE FROM search_pending";
	sqlite3_stmt *st;
	int s;

	if (!d->search_pending)
		return TERN_OK;
	if (!(st = db_stmt(d, any)))
		return TERN_EDB;
	s = sqlite3_step(st);
	sqlite3_reset(st);
	if (s == SQLITE_DONE)
		return TERN_OK;
	if (s != SQLITE_ROW || db_search_index_new(d) != TERN_OK || db_contact_note_new(d) != TERN_OK ||
	    !(st = db_stmt(d, clear)) || db_step_done(d, st) != TERN_OK)
		return TERN_EDB;
	return TERN_OK;
}

int
db_commit(db *d)
{
	if (d->tx_depth <= 0)
		return TERN_EDB;
	if (--d->tx_depth > 0)
		return d->doomed ? TERN_EDB : TERN_OK;
	if (d->doomed) {
		d->doomed = 0;
		db_exec(d, "ROLLBACK");
		return TERN_EDB;
	}
	if (db_flush_new(d) != TERN_OK) {
		db_exec(d, "ROLLBACK");
		return TERN_EDB;
	}
	if (db_exec(d, "COMMIT") != TERN_OK) {
		db_exec(d, "ROLLBACK");
		return TERN_EDB;
	}
	return TERN_OK;
}

/* A nested rollback only dooms the transaction: rolling back there would
 * end the caller's transaction under it, and the caller's next writes would
 * then commit one by one (a failed send lost its draft that way). The
 * outermost level rolls back; until then nothing of it can be committed. */
void
db_rollback(db *d)
{
	if (d->tx_depth <= 0)
		return;
	if (--d->tx_depth > 0) {
		d->doomed = 1;
		return;
	}
	d->doomed = 0;
	db_exec(d, "ROLLBACK");
}

int
db_tx_reset(db *d)
{
	if (d->tx_depth <= 0)
		return 0;
	log_error("db: a transaction was left open (%d level(s)); rolled back", d->tx_depth);
	d->tx_depth = 0;
	d->doomed = 0;
	db_exec(d, "ROLLBACK");
	return 1;
}

static int64_t
pragma_int(db *d, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(d->sq, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int64_t
db_data_version(db *d)
{
	return pragma_int(d, "PRAGMA data_version");
}

int
db_schema_version(db *d)
{
	return (int)pragma_int(d, "PRAGMA user_version");
}

int
db_opened_version(db *d)
{
	return d->version;
}

int
db_schema_latest(void)
{
	return db_migrations_count();
}

/* Applies migrations current+1..target in one transaction, so a failure
 * leaves the file exactly as it was. */
static int
migrate(db *d, int target, char **err)
{
	int cur, rc = TERN_OK;
	char pragma[64];

	if (db_begin(d) != TERN_OK) {
		*err = xasprintf("cannot lock the database: %s", sqlite3_errmsg(d->sq));
		return TERN_EDB;
	}
	cur = db_schema_version(d);
	if (cur > db_schema_latest()) {
		*err = xasprintf("database schema version %d is newer than this tern (%d); "
		                 "upgrade tern (the database was left untouched)", cur, db_schema_latest());
		rc = TERN_ETOONEW;
		goto fail;
	}
	for (int v = cur + 1; v <= target; v++) {
		char *msg = NULL;
		if (sqlite3_exec(d->sq, db_migration_sql(v), NULL, NULL, &msg) != SQLITE_OK) {
			*err = xasprintf("migration %d failed: %s", v, msg ? msg : "?");
			sqlite3_free(msg);
			rc = TERN_EDB;
			goto fail;
		}
	}
	if (target > cur) {
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", target);
		if (db_exec(d, pragma) != TERN_OK) {
			*err = xasprintf("cannot record schema version: %s", sqlite3_errmsg(d->sq));
			rc = TERN_EDB;
			goto fail;
		}
	}
	if (db_commit(d) != TERN_OK) {
		*err = xasprintf("cannot commit migration: %s", sqlite3_errmsg(d->sq));
		return TERN_EDB;
	}
	return TERN_OK;
fail:
	db_rollback(d);
	return rc;
}

/* tern_fold(text): the text lowercased and unaccented in any script
 * (fold_case), for matching user input against names: SQLite's NOCASE and
 * lower() fold ASCII only, so "ete" would not find "Été". NULL stays NULL. */
static void
sql_fold(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const unsigned char *t;
	char *f;
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(cx);
		return;
	}
	t = sqlite3_value_text(argv[0]);
	f = fold_case((const char *)t);
	sqlite3_result_text(cx, f, -1, free);
}

int
db_open_at(const char *path, int version, db **out, char **err)
{
	db *d = xcalloc(1, sizeof *d);
	int rc;

	*out = NULL;
	*err = NULL;
	if (sqlite3_open_v2(path, &d->sq, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		*err = xasprintf("cannot open database %s: %s", path,
		                 d->sq ? sqlite3_errmsg(d->sq) : "out of memory");
		rc = TERN_EDB;
		goto fail;
	}
	sqlite3_busy_timeout(d->sq, 5000);
	sqlite3_extended_result_codes(d->sq, 1);
	if (sqlite3_create_function_v2(d->sq, "tern_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	                               sql_fold, NULL, NULL, NULL) != SQLITE_OK ||
	    db_sort_register(d->sq) != TERN_OK) {
		*err = xasprintf("cannot open database %s: %s", path, sqlite3_errmsg(d->sq));
		rc = TERN_EDB;
		goto fail;
	}
	/* Check the version before anything writes to the file (journal_mode
	 * would): a newer database must be left untouched. */
	if (db_schema_version(d) > db_schema_latest()) {
		*err = xasprintf("database %s has schema version %d, newer than this tern (%d); "
		                 "upgrade tern (the database was left untouched)",
		                 path, db_schema_version(d), db_schema_latest());
		rc = TERN_ETOONEW;
		goto fail;
	}
	if (db_exec(d, "PRAGMA journal_mode=WAL") != TERN_OK ||
	    db_exec(d, "PRAGMA synchronous=NORMAL") != TERN_OK ||
	    db_exec(d, "PRAGMA foreign_keys=ON") != TERN_OK ||
	    db_exec(d, "PRAGMA temp_store=MEMORY") != TERN_OK) {
		*err = xasprintf("cannot configure database %s: %s", path, sqlite3_errmsg(d->sq));
		rc = TERN_EDB;
		goto fail;
	}
	rc = migrate(d, version, err);
	if (rc != TERN_OK) {
		char *inner = *err;
		*err = xasprintf("%s: %s", path, inner);
		free(inner);
		goto fail;
	}
	d->version = version;
	d->search_pending = version >= DB_SCHEMA_SEARCH_PENDING;
	/* Messages written by anything that is not tern's db layer (a script
	 * with sqlite3) are indexed by the next tern that opens the file. */
	if (d->search_pending && pragma_int(d, "SELECT EXISTS (SELECT 1 FROM search_pending)") == 1 &&
	    (db_begin(d) != TERN_OK || db_commit(d) != TERN_OK)) {
		*err = xasprintf("%s: cannot update the search index: %s", path, sqlite3_errmsg(d->sq));
		rc = TERN_EDB;
		goto fail;
	}
	*out = d;
	return TERN_OK;
fail:
	db_close(d);
	return rc;
}

int
db_open(const char *path, db **out, char **err)
{
	return db_open_at(path, db_schema_latest(), out, err);
}

void
db_close(db *d)
{
	if (!d)
		return;
	for (int i = 0; i < STMT_BUCKETS; i++) {
		struct stmt_entry *e = d->stmts[i], *n;
		for (; e; e = n) {
			n = e->next;
			sqlite3_finalize(e->st);
			free(e->text);
			free(e);
		}
	}
	if (d->sq)
		sqlite3_close(d->sq);
	free(d);
}
