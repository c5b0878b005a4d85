/* Interruptible name resolution (sync/resolve.h). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/base/err.h"
#include "sync/net/resolve.h"
#include "src/base/util.h"

#define RESOLVE_STEP_MS 100

/* Shared by the caller and the lookup thread; whichever lets go last
 * frees it. */
struct lookup {
	pthread_mutex_t lock;
	pthread_cond_t done_cv;
	int refs;
	int done;
	int gai;                  /* getaddrinfo's result */
	int sys_errno;            /* its errno, for EAI_SYSTEM (errno is per thread) */
	char *host, *service;
	struct addrinfo hints;
	struct addrinfo *res;
};

static void
lookup_unref(struct lookup *l)
{
	int last;

	pthread_mutex_lock(&l->lock);
	last = --l->refs == 0;
	pthread_mutex_unlock(&l->lock);
	if (!last)
		return;
	if (l->res)
		freeaddrinfo(l->res);
	pthread_cond_destroy(&l->done_cv);
	pthread_mutex_destroy(&l->lock);
	free(l->host);
	free(l->service);
	free(l);
}

static void *
lookup_run(void *arg)
{
	struct lookup *l = arg;
	struct addrinfo *res = NULL;
	int r = getaddrinfo(l->host, l->service, &l->hints, &res);

	pthread_mutex_lock(&l->lock);
	l->gai = r;
	l->sys_errno = r == EAI_SYSTEM ? errno : 0;
	l->res = r == 0 ? res : NULL;
	l->done = 1;
	pthread_cond_signal(&l->done_cv);
	pthread_mutex_unlock(&l->lock);
	lookup_unref(l);
	return NULL;
}

static void
deadline_in(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int
resolve_host(const char *host, const char *service, const struct addrinfo *hints, int64_t end_ms,
             stop_flag *stop, struct addrinfo **res, char **err)
{
	struct lookup *l = xcalloc(1, sizeof *l);
	pthread_condattr_t ca;
	pthread_t th;
	int rc = TERN_OK;

	*res = NULL;
	pthread_mutex_init(&l->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->done_cv, &ca);
	pthread_condattr_destroy(&ca);
	l->refs = 2;
	l->host = xstrdup(host);
	l->service = xstrdup(service);
	l->hints = *hints;

	/* Detached: a lookup that outlives its deadline cleans up after itself. */
	if (thread_start_nosig(&th, 1, lookup_run, l) != TERN_OK) {
		l->refs = 1;
		*err = xasprintf("cannot resolve %s: %s", host, strerror(EAGAIN));
		rc = TERN_ENET;
		goto out;
	}

	pthread_mutex_lock(&l->lock);
	while (!l->done && rc == TERN_OK) {
		int64_t left = end_ms - time_mono_ms();
		struct timespec ts;

		if (stop && *stop)
			rc = TERN_ECANCELLED;
		else if (left <= 0)
			rc = TERN_ETIMEOUT;
		else {
			deadline_in(&ts, left < RESOLVE_STEP_MS ? left : RESOLVE_STEP_MS);
			pthread_cond_timedwait(&l->done_cv, &l->lock, &ts);
		}
	}
	if (l->done && rc == TERN_OK) {
		if (l->gai == 0) {
			*res = l->res;
			l->res = NULL;
		} else {
			*err = xasprintf("cannot resolve %s: %s", host,
			                 l->gai == EAI_SYSTEM ? strerror(l->sys_errno) : gai_strerror(l->gai));
			rc = TERN_ENET;
		}
	} else if (rc == TERN_ETIMEOUT) {
		*err = xasprintf("cannot resolve %s: no answer from the resolver", host);
	}
	pthread_mutex_unlock(&l->lock);
out:
	lookup_unref(l);
	return rc;
}
