#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "src/mime/mime_render.h"
#include "src/mime/mime_render.h"
#include "src/base/wakepipe.h"
#include "ui/pager_int.h"
#include "src/base/util.h"

struct render_job {
	pthread_mutex_t mu;
	char *raw;
	size_t len;
	char *order, *filter;
	int wake_fd;
	char *out;                /* set by the thread */
	int done, dropped;        /* under mu */
};

static void
job_free(struct render_job *j)
{
	pthread_mutex_destroy(&j->mu);
	free(j->raw);
	free(j->order);
	free(j->filter);
	free(j->out);
	free(j);
}

static void *
job_run(void *arg)
{
	struct render_job *j = arg;
	struct render_opts ro = { j->order, j->filter, 0, RENDER_HDR_NONE, 1 };
	char *out = mime_render_raw(j->raw, j->len, &ro);
	int dropped, fd;

	pthread_mutex_lock(&j->mu);
	j->out = out;
	j->done = 1;
	dropped = j->dropped;
	fd = j->wake_fd;
	pthread_mutex_unlock(&j->mu);
	/* From here on j may be freed by the main thread (it saw done): only
	 * the copies are used. */
	if (dropped) {
		job_free(j);
		return NULL;
	}
	wakepipe_poke(fd);
	return NULL;
}

render_job *
render_job_start(const char *raw, size_t len, const char *alternative_order,
                 const char *html_filter, int wake_fd)
{
	struct render_job *j = xcalloc(1, sizeof *j);
	sigset_t all, old;
	pthread_attr_t at;
	pthread_t t;
	int rc;

	pthread_mutex_init(&j->mu, NULL);
	j->raw = xmalloc(len + 1);
	memcpy(j->raw, raw, len);
	j->raw[len] = '\0';
	j->len = len;
	j->order = xstrdup(alternative_order);
	j->filter = xstrdup(html_filter);
	j->wake_fd = wake_fd;
	/* Signals (SIGWINCH, SIGINT) stay with the UI thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &at, job_run, j);
	pthread_attr_destroy(&at);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		job_free(j);
		return NULL;
	}
	return j;
}

char *
render_job_take(render_job *j)
{
	char *out = NULL;
	pthread_mutex_lock(&j->mu);
	if (j->done) {
		out = j->out;
		j->out = NULL;
	}
	pthread_mutex_unlock(&j->mu);
	return out;
}

void
render_job_drop(render_job *j)
{
	int done;
	if (!j)
		return;
	pthread_mutex_lock(&j->mu);
	done = j->done;
	j->dropped = 1;
	pthread_mutex_unlock(&j->mu);
	if (done)
		job_free(j);
}
