#include "config.h"

#include <poll.h>
#include <stdlib.h>

#include "db/db_body.h"
#include "db/db_search.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/prefetch.h"
#include "src/base/util.h"

/* Small batches: each body is one round trip, and the worker must get back
 * to the queue and the server's changes soon. */
#define MAX_BATCH 64
#define MAX_SKIP 256

struct prefetch {
	int64_t skip[MAX_SKIP];   /* refused by the server: not asked again */
	int nskip;
};

prefetch *
prefetch_new(void)
{
	return xcalloc(1, sizeof(struct prefetch));
}

void
prefetch_free(prefetch *p)
{
	free(p);
}

static int
skipped(const prefetch *p, int64_t id)
{
	for (int k = 0; k < p->nskip; k++)
		if (p->skip[k] == id)
			return 1;
	return 0;
}

/* The UI wrote to the wake pipe: leave the byte for the worker to read. */
static int
woken(const struct sync_ctx *ctx)
{
	struct pollfd pfd = { .fd = ctx->wake_fd, .events = POLLIN };
	return ctx->wake_fd >= 0 && poll(&pfd, 1, 0) > 0;
}

int
prefetch_step(prefetch *p, const struct engine_ops *ops, void *st, struct sync_ctx *ctx,
              int days, int batch, int *more)
{
	int64_t ids[MAX_BATCH + MAX_SKIP];
	int n = 0, fetched = 0, left = 0, rc;

	*more = 0;
	if ((rc = body_reindex(ctx->db, batch, &left)) != TERN_OK)
		return rc;
	if (left) {
		*more = 1;
		return TERN_OK;
	}
	if (days <= 0 || !ops->fetch_body)
		return TERN_OK;
	if (batch > MAX_BATCH)
		batch = MAX_BATCH;
	/* Ask for the skipped ones too, so a batch of refusals cannot starve
	 * the rest. */
	rc = db_search_uncached(ctx->db, ctx->account_id, time_now() - (int64_t)days * 86400, ids,
	                        batch + p->nskip, &n);
	if (rc != TERN_OK)
		return rc;
	for (int i = 0; i < n && fetched < batch; i++) {
		char *err = NULL;
		if (skipped(p, ids[i]))
			continue;
		if (*ctx->stop)
			return TERN_ECANCELLED;
		if (woken(ctx)) {
			*more = 1;
			return TERN_OK;
		}
		rc = ops->fetch_body(st, ctx, ids[i], &err);
		if (rc == TERN_EREFUSED || rc == TERN_ENOTFOUND) {
			/* This message only: the server will not give it. */
			log_warn("prefetch %s: message %lld skipped: %s", ctx->env->acct->name, (long long)ids[i], err ? err : tern_strerror(rc));
			if (p->nskip < MAX_SKIP)
				p->skip[p->nskip++] = ids[i];
		} else if (rc != TERN_OK) {
			log_info("prefetch %s: stopped: %s", ctx->env->acct->name, err ? err : tern_strerror(rc));
			free(err);
			return rc;
		}
		free(err);
		fetched++;
	}
	*more = fetched == batch;
	return TERN_OK;
}
