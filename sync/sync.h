/* Foreground entry points used by the command line: they run the same worker
 * code as the TUI's threads, in the calling thread, holding the account's
 * lock. All return TERN_*; *err (caller frees) says what went wrong, never
 * with a password in it. TERN_EBUSY: another tern process holds the account
 * (its worker will do the work). */
#ifndef TERN_SYNC_H
#define TERN_SYNC_H

#include <stdint.h>
#include "src/config/conf.h"

struct sync_env {
	const struct config *cfg;
	const struct account_cfg *acct;
	const char *data_dir;     /* where the lock files live */
	const char *db_path;
};

struct sync_counts;

/* Once in main(), before any thread (curl, libetpan); TERN_EIO on failure. */
int sync_global_init(void);
void sync_global_cleanup(void);

/* One full cycle: drain the queue, mailboxes, every folder, done. */
int sync_run_once(const struct sync_env *env, char **err);
/* The same, telling what the cycle changed (counts may be NULL). */
int sync_run_once_counted(const struct sync_env *env, struct sync_counts *counts, char **err);
/* Drain the outbound queue only (after a CLI change). When another tern
 * holds the account (TERN_EBUSY), it is woken to send the change now. */
int sync_push(const struct sync_env *env, char **err);
/* Fetch and cache one message body now (tern show). It needs no lock: it
 * only reads from the server, so it works while another tern syncs. */
int sync_fetch_body(const struct sync_env *env, int64_t msg_id, char **err);
/* Run a query (src/search.h syntax) on the server and store what it finds
 * as server hits (db/db_search.h), for tern search. No lock, as above. */
int sync_server_search(const struct sync_env *env, const char *query, char **err);
/* Run until SIGINT/SIGTERM (tern sync without --once): one worker thread
 * per account, stopped cleanly on the signal. The caller must not have
 * started other threads that take these signals. */
int sync_run_forever(const struct sync_env *envs, int n, char **err);

/* The status detail of an account in backoff (account_status.detail),
 * written by the worker; the UI counts it down from updated_at. */
#define RETRY_DETAIL_FMT "retry in %lld s"
/* Seconds left before the retry that detail (written at updated_at, epoch
 * seconds) announces, 0 if due; -1 if detail is no such announcement. */
int64_t sync_retry_left(const char *detail, int64_t updated_at, int64_t now);

#endif
