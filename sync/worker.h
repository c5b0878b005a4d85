/* The per-account sync worker: one pthread, its own SQLite connection, its
 * own wake pipe. The UI never waits on it: it writes intent to the database
 * and calls worker_wake(), or posts a request; the worker writes results to
 * the database, then writes one byte to notify_fd. Every request gets exactly
 * one reply (worker_take_reply), tagged with its id. */
#ifndef TERN_WORKER_H
#define TERN_WORKER_H

#include <stdint.h>
#include "sync/sync.h"

typedef struct worker worker;

enum wreq_type {
	WREQ_FETCH_BODY = 1,   /* arg: message id */
	WREQ_SYNC_NOW,         /* run a cycle now */
	WREQ_SERVER_SEARCH     /* text: query; results in the database */
};

struct wreply {
	uint64_t req_id;
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
/* Never blocks. *req_id identifies the reply. */
int worker_request(worker *w, enum wreq_type type, int64_t arg, const char *text, uint64_t *req_id);
/* Takes one finished reply; returns 1 if there was one. */
int worker_take_reply(worker *w, struct wreply *out);
void wreply_free(struct wreply *r);
/* Interrupts whatever the worker does and joins it; returns within ~1 s. */
void worker_stop(worker *w);
/* The same for n workers (NULL entries allowed): all are told to stop
 * first, then joined, so the waits overlap instead of adding up. */
void worker_stop_all(worker **ws, int n);

#endif
