/* The per-account sync worker: one pthread, its own SQLite connection, its
 * own wake pipe. The UI never waits on it: it writes intent to the database
 * and calls worker_wake(), or posts a request; the worker writes results to
 * the database, then writes one byte to notify_fd.
 *
 * Requests and replies, the contract:
 * - Ids: worker_request() assigns each request an id, unique among all the
 *   workers of the process and never 0, and returns it to the caller, who
 *   keeps it to recognise its reply (the reply may be queued before the
 *   call returns, but only the caller's thread takes replies).
 * - Who asked: `from` is the requester's tag (the UI's enum ui_requester),
 *   opaque to the worker and carried unchanged into the reply, so the
 *   requester can route each reply to the one place that handles it.
 * - Exactly one reply per request worker_request() accepted (TERN_OK): the
 *   result, the failure, TERN_EOFFLINE when not connected, TERN_ECANCELLED
 *   when the worker stops. A reply carries the request's id, type, arg and
 *   from; the request's text is the worker's copy and is not returned.
 * - Ownership: worker_request() copies text; the caller keeps nothing the
 *   worker needs. A reply stays queued in the worker (one byte on notify_fd
 *   per reply) until worker_take_reply() moves it to the caller, who owns it
 *   from then on and must wreply_free() it, also when nobody waits for it
 *   any more. Replies never taken are freed by worker_stop(). */
#ifndef TERN_WORKER_H
#define TERN_WORKER_H

#include <stdint.h>
#include "sync/sync.h"

typedef struct worker worker;

enum wreq_type {
	WREQ_FETCH_BODY = 1,   /* arg: message id */
	WREQ_SYNC_NOW,         /* run a cycle now */
	WREQ_SERVER_SEARCH,    /* text: query; results in the database */
	WREQ_UNSUBSCRIBE       /* text: an https: URL for an RFC 8058 one-click POST
	                        * (sync/net/unsubscribe.h); needs no mail server */
};

struct wreply {
	uint64_t req_id;
	int from;              /* the requester's tag, as given to worker_request */
	enum wreq_type type;
	int64_t arg;
	int status;            /* TERN_OK, or the failure (TERN_EOFFLINE when not connected) */
	char *error;           /* NULL or a message for the status line */
};

/* Starts the thread. notify_fd: the UI self-pipe's write end, or -1. The env
 * (and what it points to) must outlive the worker. TERN_EBUSY: another
 * process syncs this account (the UI then reads only). */
int worker_start(const struct sync_env *env, int notify_fd, worker **out, char **err);
/* The queue or the wish to sync changed: look again. Never blocks. */
void worker_wake(worker *w);
/* Never blocks. *req_id (if not NULL) identifies the reply; from: who asks. */
int worker_request(worker *w, enum wreq_type type, int64_t arg, const char *text, int from,
                   uint64_t *req_id);
/* Takes one finished reply; returns 1 if there was one. */
int worker_take_reply(worker *w, struct wreply *out);
void wreply_free(struct wreply *r);
/* Interrupts whatever the worker does and joins it; returns within ~1 s. */
void worker_stop(worker *w);
/* The same for n workers (NULL entries allowed): all are told to stop
 * first, then joined, so the waits overlap instead of adding up. */
void worker_stop_all(worker **ws, int n);

#endif
