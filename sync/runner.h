/* One account's sync work, shared by the worker thread (worker.c) and the
 * foreground commands (sync_cli.c): the account lock, the thread's own
 * database connection, the engine (IMAP or JMAP by the account's protocol),
 * the queue drain and the cycle with its sync_log row and live status.
 * A runner is used by one thread; only runner_interrupt() and
 * runner_stop_flag() may be used from others. */
#ifndef TERN_RUNNER_H
#define TERN_RUNNER_H

#include <stdint.h>
#include "sync/engine.h"

typedef struct runner runner;

enum {
	RUN_PUSH = 1,   /* drain the outbound queue */
	RUN_SYNC = 2,   /* mailboxes and every folder */
	RUN_INBOX = 4   /* new mail: INBOX only (engine_ops.sync_inbox) */
};

/* Opens the database and, when with_lock, takes the account lock
 * (TERN_EBUSY: another process syncs it) and its wake FIFO
 * (DATA_DIR/locks/ACCOUNT.wake), whose read end runner_wake_fd() gives.
 * *err (caller frees) on failure. */
int runner_open(const struct sync_env *env, int with_lock, runner **out, char **err);
void runner_close(runner *r);

/* The path of an account's wake FIFO (caller frees). */
char *runner_fifo_path(const struct sync_env *env);

/* Who hears about committed batches (the UI's self-pipe), or -1. */
void runner_set_notify(runner *r, int notify_fd);
/* Between batches of a long sync, the engine calls serve(ctx) (the worker
 * answers urgent requests there). */
void runner_set_serve(runner *r, void (*serve)(struct sync_ctx *ctx), void *data);
void *runner_serve_data(struct sync_ctx *ctx);

int runner_connected(runner *r);
/* Reads the password (once) and connects; status "connecting", then
 * "error"/"offline" on failure. */
int runner_connect(runner *r, char **err);
void runner_disconnect(runner *r);

/* Whether the engine has a new-mail path (RUN_INBOX) of its own. */
int runner_has_inbox_sync(runner *r);
/* One cycle (what: RUN_PUSH|RUN_SYNC or RUN_INBOX) with its sync_log row. A failed item
 * of the queue does not fail the cycle; a connection failure does (the
 * caller disconnects and backs off). */
int runner_cycle(runner *r, int what, char **err);
/* What the last cycle changed. */
void runner_counts(runner *r, struct sync_counts *out);
/* Whether queued changes are due now. */
int runner_queue_due(runner *r);
int runner_fetch_body(runner *r, int64_t msg_id, char **err);
int runner_server_search(runner *r, const char *text, char **err);
/* One step of the background prefetch (sync/prefetch.h, prefetch_days of
 * the account): *more when there is work left. */
int runner_prefetch(runner *r, int *more, char **err);
int runner_wait(runner *r, int max_ms, char **err);

/* Live status for the UI; detail/last_error as db_status_set(). */
void runner_status(runner *r, const char *state, const char *detail, const char *last_error);

/* From any thread: stop (sets the flag, interrupts blocked I/O). */
void runner_stop(runner *r);
int runner_stopping(runner *r);
int runner_wake_fd(runner *r);
int runner_wake_wr(runner *r);
db *runner_db(runner *r);
int64_t runner_account_id(runner *r);
int runner_poll_ms(runner *r);

/* Connection-level failures: reconnect with backoff (the error table's
 * tern_err_reconnect). */
int runner_err_is_connection(int rc);

#endif
