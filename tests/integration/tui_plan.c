/* What the message list costs in SQLite: tui_plan DB MAILBOX OTHER
 * Runs the list the way the TUI does (ui/msglist.c, 40 rows): open MAILBOX
 * flat, the end, the top, three pages down, switch to OTHER and back, the
 * threaded view and its end. After each step it prints
 *   STEP stmts=N steps=V fullscan=F sorts=S
 * (statements run, SQLite VM steps, full-scan steps and sorts, from
 * sqlite3_stmt_status over the statement cache) and then, for every
 * statement the step ran, its EXPLAIN QUERY PLAN lines prefixed "plan:".
 * The shell test compares a 100-message and a 100,000-message mailbox.
 * tui_plan DB MAILBOX --threads: only the threaded view (a mailbox that is
 * one long thread): open, three pages, the end, the top, as bt-STEP; each
 * statement's run count follows its sql: line as "runs: N". */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/db_int.h"
#include "src/base/err.h"
#include "ui/msglist.h"

static void
explain(sqlite3 *s, const char *sql)
{
	sqlite3_stmt *q;
	char *e = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(s, e, -1, &q, NULL) == SQLITE_OK) {
		while (sqlite3_step(q) == SQLITE_ROW)
			printf("plan: %s\n", (const char *)sqlite3_column_text(q, 3));
		sqlite3_finalize(q);
	}
	sqlite3_free(e);
}

/* Sums the counters of every cached statement since the last call (and
 * resets them), then explains the statements that ran. */
static void
report(sqlite3 *s, const char *step)
{
	long long n = 0, vm = 0, scan = 0, sorts = 0;
	const char *ran[64];
	int runs_of[64];
	int nran = 0;

	for (sqlite3_stmt *st = sqlite3_next_stmt(s, NULL); st; st = sqlite3_next_stmt(s, st)) {
		int runs = sqlite3_stmt_status(st, SQLITE_STMTSTATUS_RUN, 1);
		vm += sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 1);
		scan += sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
		sorts += sqlite3_stmt_status(st, SQLITE_STMTSTATUS_SORT, 1);
		n += runs;
		if (runs && nran < 64) {
			runs_of[nran] = runs;
			ran[nran++] = sqlite3_sql(st);
		}
	}
	printf("%s stmts=%lld steps=%lld fullscan=%lld sorts=%lld\n", step, n, vm, scan, sorts);
	for (int i = 0; i < nran; i++) {
		printf("sql: %s\n", ran[i]);
		printf("runs: %d\n", runs_of[i]);
		explain(s, ran[i]);
	}
}

/* Reads the visible rows, as a draw does. */
static int
paint(msglist *l)
{
	const struct msg_row *r;
	int depth, cur, server, rows = 0;
	for (int i = 0; i < 40 && ml_row(l, i, &r, &depth, &cur, &server); i++)
		rows++;
	return rows;
}

int
main(int argc, char **argv)
{
	db *d;
	char *err = NULL;
	msglist *l;
	int64_t pos;
	int from_end;
	sqlite3 *s;

	if (argc != 4) {
		fprintf(stderr, "usage: tui_plan DB MAILBOX_ID OTHER_MAILBOX_ID | DB MAILBOX_ID --threads\n");
		return 2;
	}
	if (db_open(argv[1], &d, &err) != TERN_OK) {
		fprintf(stderr, "tui_plan: %s\n", err);
		free(err);
		return 1;
	}
	s = db_sqlite(d);
	l = ml_new(d);
	ml_set_height(l, 40);
	report(s, "setup");

	if (strcmp(argv[3], "--threads") == 0) {
		if (ml_open_mailbox(l, atoll(argv[2]), 1) != TERN_OK)
			return 1;
		printf("rows=%d\n", paint(l));
		report(s, "bt-open");
		for (int i = 0; i < 3; i++) {
			ml_scroll(l, 40);
			paint(l);
		}
		report(s, "bt-pages");
		ml_end(l);
		paint(l);
		report(s, "bt-end");
		ml_home(l);
		paint(l);
		report(s, "bt-home");
		ml_refresh(l);
		paint(l);
		report(s, "bt-refresh");
		ml_free(l);
		db_close(d);
		return 0;
	}
	if (ml_open_mailbox(l, atoll(argv[2]), 0) != TERN_OK)
		return 1;
	printf("rows=%d\n", paint(l));
	ml_position(l, &pos, &from_end);
	report(s, "open");
	ml_end(l);
	paint(l);
	ml_position(l, &pos, &from_end);
	report(s, "end");
	ml_home(l);
	paint(l);
	ml_position(l, &pos, &from_end);
	report(s, "home");
	for (int i = 0; i < 3; i++) {
		ml_scroll(l, 40);
		paint(l);
		ml_position(l, &pos, &from_end);
	}
	report(s, "pages");
	if (ml_open_mailbox(l, atoll(argv[3]), 0) != TERN_OK || ml_open_mailbox(l, atoll(argv[2]), 0) != TERN_OK)
		return 1;
	paint(l);
	ml_position(l, &pos, &from_end);
	report(s, "switch");
	if (ml_open_mailbox(l, atoll(argv[2]), 1) != TERN_OK)
		return 1;
	paint(l);
	ml_position(l, &pos, &from_end);
	report(s, "threads");
	ml_end(l);
	paint(l);
	ml_position(l, &pos, &from_end);
	report(s, "threads-end");
	ml_free(l);
	db_close(d);
	return 0;
}
