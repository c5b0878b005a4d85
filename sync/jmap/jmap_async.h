/* A JMAP request sent on a thread of its own, so that the worker stores
 * one page of a first load while the next is on its way (jmap_emails.c).
 * While a request is in flight the struct jmap is that thread's: the
 * caller uses neither it nor the request until jmap_async_join(). The
 * caller keeps owning the request (jmap_req_free after the join). */
#ifndef TERN_JMAP_ASYNC_H
#define TERN_JMAP_ASYNC_H

#include <pthread.h>

#include "sync/jmap/jmap_call.h"

struct jmap_async {
	struct jmap *j;
	jmap_req *r;
	char *err;
	int rc;
	int started;               /* a thread runs it (else it ran in start) */
	int pending;               /* started and not joined yet */
	pthread_t thread;
};

void jmap_async_start(struct jmap_async *a, struct jmap *j, jmap_req *r);
/* jmap_req_send's result; its message goes to *err (freed if err is NULL). */
int jmap_async_join(struct jmap_async *a, char **err);

#endif
