/* JMAP requests on a helper thread (sync/jmap_async.h). */
#include "config.h"

#include <stdlib.h>

#include "src/base/err.h"
#include "sync/jmap/jmap_async.h"
#include "src/base/err.h"
#include "src/base/util.h"

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
	a->j = j;
	a->r = r;
	a->err = NULL;
	a->rc = TERN_OK;
	a->pending = 1;
	a->started = thread_start_nosig(&a->thread, 0, async_main, a) == TERN_OK;
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
