/* Background body prefetch (prefetch_days in the config), so reading and
 * full-text search work offline. The worker calls prefetch_step() when it
 * is idle (nothing queued, no server change waiting), again while *more. */
#ifndef TERN_PREFETCH_H
#define TERN_PREFETCH_H

#include "sync/engine.h"

typedef struct prefetch prefetch;

prefetch *prefetch_new(void);
void prefetch_free(prefetch *p);

/* Fetches (ops->fetch_body) up to batch bodies of messages received in the
 * last days days that are not cached, newest first; first it indexes any
 * body cached before the search index existed. Returns early, with *more
 * set, when the wake pipe is readable (the UI wants the worker); returns
 * TERN_ECANCELLED when *ctx->stop. A message the server refuses is skipped
 * for the life of p; a connection-level error is returned (the worker's
 * backoff applies) and the step can be repeated. */
int prefetch_step(prefetch *p, const struct engine_ops *ops, void *st, struct sync_ctx *ctx,
                  int days, int batch, int *more);

#endif
