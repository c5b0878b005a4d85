/* JMAP requests on a helper thread (sync/jmap_async.h). */
#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "src/base/err.h"
#include "sync/jmap/jmap_async.h"

static void *
async_main(void *arg)
{
	struct jmap_async *a = arg;
	a->rc = jmap_req_send(a->j, a->r, &a->err);
	return NULL;
}

void
jmap_async_start(struct jmap_async *a, struct jmap *j, jmap_req *r)
{
	sigset_t all, old;

	a->j = j;
	a->r = r;
	a->err = NULL;
	a->rc = TERN_OK;
	a->pending = 1;
	/* Signals are for the UI thread (and the CLI's handler): a full mask,
	 * as the worker's own. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	a->started = pthread_create(&a->thread, NULL, async_main, a) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* No thread to be had: the same request here, only not overlapped. */
	if (!a->started)
		async_main(a);
}

int
jmap_async_join(struct jmap_async *a, char **err)
{
	if (!a->pending)
		return TERN_EINVAL;
	if (a->started)
		pthread_join(a->thread, NULL);
	a->started = a->pending = 0;
	if (err)
		*err = a->err;
	else
		free(a->err);
	a->err = NULL;
	return a->rc;
}
