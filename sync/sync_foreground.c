/* The foreground entry points (sync/sync.h): the worker's code run in the
 * calling thread, for the command line. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_sync.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "src/base/strbuf.h"
#include "sync/runner.h"
#include "sync/sync.h"
#include "src/base/wakepipe.h"
#include "sync/worker.h"
#include "src/base/util.h"

static int
run(const struct sync_env *env, int what, struct sync_counts *counts, char **err)
{
	runner *r = NULL;
	int rc;

	*err = NULL;
	if ((rc = runner_open(env, 1, &r, err)) != TERN_OK) {
		if (rc == TERN_EBUSY) {
			/* The holder (the TUI or a tern sync) does the work: now.
			 * Say so, so that the refusal does not read as a failure. */
			char *fifo = runner_fifo_path(env);
			if (wakepipe_poke_path(fifo) && *err) {
				char *was = *err;
				*err = xasprintf("%s, which was asked to sync now", was);
				free(was);
			}
			free(fifo);
		}
		return rc;
	}
	if ((rc = runner_connect(r, err)) == TERN_OK)
		rc = runner_cycle(r, what, err);
	if (counts)
		runner_counts(r, counts);
	if (rc == TERN_OK)
		runner_status(r, "offline", "", NULL);
	runner_close(r);
	return rc;
}

int
sync_run_once_counted(const struct sync_env *env, struct sync_counts *counts, char **err)
{
	return run(env, RUN_PUSH | RUN_SYNC, counts, err);
}

int
sync_run_once(const struct sync_env *env, char **err)
{
	return run(env, RUN_PUSH | RUN_SYNC, NULL, err);
}

int
sync_push(const struct sync_env *env, char **err)
{
	return run(env, RUN_PUSH, NULL, err);
}

int
sync_fetch_body(const struct sync_env *env, int64_t msg_id, char **err)
{
	runner *r = NULL;
	int rc;

	*err = NULL;
	if ((rc = runner_open(env, 0, &r, err)) != TERN_OK)
		return rc;
	if ((rc = runner_connect(r, err)) == TERN_OK)
		rc = runner_fetch_body(r, msg_id, err);
	runner_close(r);
	return rc;
}

int
sync_server_search(const struct sync_env *env, const char *query, char **err)
{
	runner *r = NULL;
	int rc;

	*err = NULL;
	if ((rc = runner_open(env, 0, &r, err)) != TERN_OK)
		return rc;
	if ((rc = runner_connect(r, err)) == TERN_OK)
		rc = runner_server_search(r, query, err);
	runner_close(r);
	return rc;
}

int
sync_run_forever(const struct sync_env *envs, int n, char **err)
{
	worker **w = xcalloc((size_t)(n > 0 ? n : 1), sizeof *w);
	strbuf msg = STRBUF_INIT;
	sigset_t set, old;
	int started = 0, sig = 0, rc = TERN_OK;

	*err = NULL;
	/* Blocked before any worker exists, taken with sigwait: the signal
	 * ends the loop in this thread, where stopping the workers is safe. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	for (int i = 0; i < n; i++) {
		char *e = NULL;
		int r = worker_start(&envs[i], -1, &w[i], &e);
		if (r != TERN_OK) {
			sb_printf(&msg, "%s%s: %s", msg.len ? "\n" : "", envs[i].acct->name, e ? e : tern_strerror(r));
			rc = r;
			free(e);
			continue;
		}
		started++;
	}
	if (started > 0)
		sigwait(&set, &sig);
	log_info("sync: signal %d, stopping %d workers", sig, started);
	worker_stop_all(w, n);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	free(w);
	if (msg.len)
		*err = sb_steal(&msg);
	sb_free(&msg);
	return started > 0 ? TERN_OK : rc;
}
