/* The JMAP engine's state, shared by the sync/jmap_*.c files only (the rest
 * of tern sees engine_jmap() in sync/engine.h). One per worker thread. */
#ifndef TERN_JMAP_H
#define TERN_JMAP_H

#include <stdint.h>
#include "src/config/conf.h"
#include "sync/engine.h"
#include "sync/jmap/jmap_http.h"
#include "sync/jmap/jmap_session.h"

struct jmap_push;

struct jmap {
	const struct account_cfg *acct;
	int64_t account_id;        /* local account row */
	char *session_url;
	jmap_http *http;
	struct jmap_session *sess;
	int session_stale;         /* a response carried another sessionState */
	uint64_t calls_limit;      /* maxCallsInRequest, lowered on a "limit" error */
	struct jmap_push *push;
	int64_t next_poll_ms;      /* polling: when the next check is due */
};

/* Fetches the session when there is none or it went stale. */
int jmap_session_ensure(struct jmap *j, char **err);

/* Mailboxes: Mailbox/get the first time, Mailbox/changes after; *changed
 * says whether anything was written. */
int jmap_mailboxes_sync(struct jmap *j, struct sync_ctx *ctx, int *changed, char **err);
/* Emails: full load the first time (and after cannotCalculateChanges),
 * Email/changes after. */
int jmap_emails_sync(struct jmap *j, struct sync_ctx *ctx, int *changed, char **err);

/* Outbound: one queue row (flag, move, delete). */
/* A folder change (create, rename, delete) with Mailbox/set. */
int jmap_mailbox_push(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *q, char **err);
int jmap_outbound_push(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *q, char **err);
/* The same for n rows, in as few Email/set calls as maxObjectsInSet allows:
 * rcs[i] and errs[i] (caller frees, may be NULL) for rows[i]. */
void jmap_outbound_push_many(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *rows, int n,
                             int *rcs, char **errs);
/* Outbound: send and append (outbox rows). */
int jmap_submit_push(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *q, char **err);

/* Push: waits for a StateChange, ctx->wake_fd, the poll interval or
 * max_ms, whichever comes first. */
int jmap_push_wait(struct jmap *j, struct sync_ctx *ctx, int max_ms, char **err);
void jmap_push_free(struct jmap *j);
/* Whether an event stream is open and streaming. */
int jmap_push_streaming(const struct jmap *j);
/* Forget the stream (the session changed). */
void jmap_push_reset(struct jmap *j);

#endif
