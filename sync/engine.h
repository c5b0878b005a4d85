/* The protocol engine interface: what the worker runtime (worker.c) needs
 * from IMAP (imap_*.c) and JMAP (jmap_*.c). One engine state per worker
 * thread; only interrupt() may be called from another thread.
 * Return values are TERN_* codes; the runtime decides from the class what to
 * do (src/err.h: retry now, retry later with backoff, final for the item). */
#ifndef TERN_ENGINE_H
#define TERN_ENGINE_H

#include <stdint.h>
#include "db/db.h"
#include "db/db_queue.h"
#include "db/db_sync.h"
#include "src/search/search.h"
#include "sync/stop.h"
#include "sync/sync.h"

struct sync_ctx {
	const struct sync_env *env;
	db *db;                   /* this thread's connection */
	int64_t account_id;
	const char *password;     /* never log it */
	stop_flag *stop;       /* non-zero: return TERN_ECANCELLED soon */
	int wake_fd;              /* readable when the UI wants attention: include it in waits */
	struct sync_counts counts;/* what this cycle changed (for sync_log) */
	/* Called after each committed batch: wakes the UI. */
	void (*committed)(struct sync_ctx *ctx);
	/* Progress for the status line, e.g. "INBOX 12,400/100,000". */
	void (*progress)(struct sync_ctx *ctx, const char *detail);
	void *runtime;            /* the worker's own data */
	/* NULL, or called by connect() with its state as soon as it exists,
	 * so that a stop can interrupt() it while it still connects; with
	 * NULL before connect() frees it on failure. */
	void (*connecting)(struct sync_ctx *ctx, void *st);
	/* NULL, or called by an engine between batches of a long sync: the
	 * runtime answers urgent requests there (a body the user opened). The
	 * engine must not assume the selected folder is unchanged after it. */
	void (*serve)(struct sync_ctx *ctx);
	/* NULL, or called when a message has gone out (the outbox's stage
	 * says so durably): the mail_sent hook (sync/hooks.h). */
	void (*sent)(struct sync_ctx *ctx, int64_t outbox_id, const char *raw, size_t len);
};

struct engine_ops {
	const char *name;                                  /* "imap", "jmap" */
	int (*connect)(struct sync_ctx *ctx, void **st, char **err);
	void (*disconnect)(void *st);
	/* Carry one queued change to the server. TERN_OK: confirmed (the runtime
	 * removes the row); else the error class decides retry or failure. */
	int (*push_change)(void *st, struct sync_ctx *ctx, const struct queue_row *q, char **err);
	/* NULL, or push_change for n rows at once, in fewer round trips where
	 * the protocol allows (JMAP: one Email/set for many): rcs[i] and
	 * errs[i] (caller frees, may be NULL) are rows[i]'s result. */
	void (*push_changes)(void *st, struct sync_ctx *ctx, const struct queue_row *rows, int n, int *rcs,
	                     char **errs);
	/* Mailboxes and counts, then every folder, newest first, in batches. */
	int (*sync_all)(void *st, struct sync_ctx *ctx, char **err);
	/* NULL, or the new-mail fast path after wait() saw server news: INBOX
	 * only, without the folder list and counts (the poll interval still
	 * brings a full sync_all). */
	int (*sync_inbox)(void *st, struct sync_ctx *ctx, char **err);
	/* Wait for a server change (IDLE / EventSource / poll), wake_fd, or max_ms.
	 * TERN_OK when something may have changed or the time is up; before
	 * max_ms without wake_fd readable means server news. */
	int (*wait)(void *st, struct sync_ctx *ctx, int max_ms, char **err);
	/* From any thread: make wait() and blocked I/O return promptly. */
	void (*interrupt)(void *st);
	/* Fetch and cache one body (body_store()), BODY.PEEK / blob download. */
	int (*fetch_body)(void *st, struct sync_ctx *ctx, int64_t msg_id, char **err);
	/* Run q on the server (IMAP UID SEARCH CHARSET UTF-8 in each selectable
	 * mailbox, imap_search_key_new(); JMAP Email/query with
	 * search_query_to_jmap()) and store what it finds for the account:
	 * db_search_hits_clear(), then db_search_hits_add_uids() /
	 * _add_email_ids(), in one transaction, then ctx->committed().
	 * NULL if the engine cannot search (the local results stand alone). */
	int (*server_search)(void *st, struct sync_ctx *ctx, const search_query *q, char **err);
	/* NULL, or the time the runtime may let pass between full cycles,
	 * given the configured dflt_ms: longer while the server pushes its
	 * changes (a healthy JMAP event stream), so it is not polled as well. */
	int (*poll_ms)(void *st, int dflt_ms);
};

const struct engine_ops *engine_imap(void);
const struct engine_ops *engine_jmap(void);

#endif
