/* One account's sync work (sync/runner.h). */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_account.h"
#include "db/db_queue.h"
#include "db/db_sync.h"
#include "src/base/err.h"
#include "src/base/lock.h"
#include "src/base/log.h"
#include "src/search/search.h"
#include "sync/hooks.h"
#include "sync/prefetch.h"
#include "sync/retry.h"
#include "sync/runner.h"
#include "src/base/wakepipe.h"
#include "src/base/util.h"

struct runner {
	const struct sync_env *env;
	const struct engine_ops *ops;
	db *db;
	acct_lock *lock;
	struct wakepipe wake;     /* the FIFO, or -1s without the lock */
	int notify_fd;
	char *password;
	void *st;                 /* engine state while connected */
	void *pending;            /* engine state while it connects (ctx.connecting) */
	pthread_mutex_t st_mu;    /* st and pending against runner_stop() from other threads */
	stop_flag stop;
	struct sync_ctx ctx;
	void *serve_data;
	prefetch *pf;             /* bodies the server refused, kept across steps */
	int quiet;                /* no lock: leave the account's status to its holder */
	int failure_told;         /* sync_failed ran; again only after a success */
};

int
runner_err_is_connection(int rc)
{
	return tern_err_reconnect(rc);
}

char *
runner_fifo_path(const struct sync_env *env)
{
	return xasprintf("%s/locks/%s.wake", env->data_dir, env->acct->name);
}

static void
notify_committed(struct sync_ctx *ctx)
{
	runner *r = ctx->runtime;
	wakepipe_poke(r->notify_fd);
}

static void
note_connecting(struct sync_ctx *ctx, void *st)
{
	runner *r = ctx->runtime;
	pthread_mutex_lock(&r->st_mu);
	r->pending = st;
	/* A stop that came before the state existed. */
	if (st && r->stop)
		r->ops->interrupt(st);
	pthread_mutex_unlock(&r->st_mu);
}

static void
note_progress(struct sync_ctx *ctx, const char *detail)
{
	runner *r = ctx->runtime;
	runner_status(r, "syncing", detail, NULL);
}

int
runner_open(const struct sync_env *env, int with_lock, runner **out, char **err)
{
	runner *r = xcalloc(1, sizeof *r);
	pid_t holder = 0;
	char *fifo = NULL;
	int rc;

	*out = NULL;
	r->env = env;
	r->notify_fd = -1;
	r->wake.rd = r->wake.wr = -1;
	pthread_mutex_init(&r->st_mu, NULL);
	r->quiet = !with_lock;
	r->ops = env->acct->protocol == PROTO_JMAP ? engine_jmap() : engine_imap();
	if (with_lock) {
		rc = lock_acquire(env->data_dir, env->acct->name, &r->lock, &holder);
		if (rc != TERN_OK) {
			*err = rc == TERN_EBUSY && holder ?
				xasprintf("account '%s' is being synced by another tern (pid %ld)",
				          env->acct->name, (long)holder) :
				xasprintf("account '%s': %s", env->acct->name, tern_strerror(rc));
			goto fail;
		}
		fifo = runner_fifo_path(env);
		if ((rc = wakepipe_open_fifo(&r->wake, fifo)) != TERN_OK) {
			*err = xasprintf("cannot open %s", fifo);
			goto fail;
		}
		free(fifo);
		fifo = NULL;
	}
	if ((rc = db_open(env->db_path, &r->db, err)) != TERN_OK)
		goto fail;
	r->ctx.env = env;
	r->ctx.db = r->db;
	r->ctx.stop = &r->stop;
	r->ctx.wake_fd = r->wake.rd;
	r->ctx.committed = notify_committed;
	r->ctx.progress = note_progress;
	r->ctx.connecting = note_connecting;
	r->ctx.runtime = r;
	/* Events are told by the process that syncs the account, once. */
	if (with_lock)
		r->ctx.sent = hooks_mail_sent;
	rc = db_account_ensure(r->db, env->acct->name, env->acct->protocol == PROTO_JMAP ? "jmap" : "imap",
	                       env->acct->email, &r->ctx.account_id);
	if (rc != TERN_OK) {
		*err = xasprintf("account '%s': %s", env->acct->name, tern_strerror(rc));
		goto fail;
	}
	*out = r;
	return TERN_OK;
fail:
	free(fifo);
	runner_close(r);
	return rc;
}

void
runner_close(runner *r)
{
	if (!r)
		return;
	runner_disconnect(r);
	if (r->db)
		db_close(r->db);
	wakepipe_close(&r->wake);
	lock_release(r->lock);
	if (r->password) {
		explicit_bzero(r->password, strlen(r->password));
		free(r->password);
	}
	prefetch_free(r->pf);
	pthread_mutex_destroy(&r->st_mu);
	free(r);
}

void
runner_set_notify(runner *r, int notify_fd)
{
	r->notify_fd = notify_fd;
}

void
runner_set_serve(runner *r, void (*serve)(struct sync_ctx *ctx), void *data)
{
	r->ctx.serve = serve;
	r->serve_data = data;
}

void *
runner_serve_data(struct sync_ctx *ctx)
{
	return ((runner *)ctx->runtime)->serve_data;
}

int runner_connected(runner *r) { return r->st != NULL; }
int runner_stopping(runner *r) { return r->stop; }
int runner_wake_fd(runner *r) { return r->wake.rd; }
int runner_wake_wr(runner *r) { return r->wake.wr; }
db *runner_db(runner *r) { return r->db; }
int64_t runner_account_id(runner *r) { return r->ctx.account_id; }

int
runner_poll_ms(runner *r)
{
	int s = r->env->acct->poll_interval > 0 ? r->env->acct->poll_interval : 60;
	return r->st && r->ops->poll_ms ? r->ops->poll_ms(r->st, s * 1000) : s * 1000;
}

void
runner_status(runner *r, const char *state, const char *detail, const char *last_error)
{
	if (r->quiet || db_begin(r->db) != TERN_OK)
		return;
	if (db_status_set(r->db, r->ctx.account_id, state, detail ? detail : "", last_error) == TERN_OK &&
	    db_commit(r->db) == TERN_OK) {
		wakepipe_poke(r->notify_fd);
		return;
	}
	db_rollback(r->db);
}

/* The account's sync failed: the hook hears of it once until a cycle
 * succeeds again (backoff retries are not new events). */
static void
tell_failure(runner *r, int rc, const char *error)
{
	if (r->quiet || r->failure_told || rc == TERN_ECANCELLED)
		return;
	r->failure_told = 1;
	hooks_sync_failed(&r->ctx, rc, error);
}

static const char *
failure_state(int rc)
{
	return runner_err_is_connection(rc) ? "offline" : "error";
}

/* A cycle that could not even connect still leaves its sync_log row, so
 * the history shows since when an account has been failing. */
static void
log_failed_cycle(runner *r, const char *error)
{
	struct sync_counts none = { 0 };
	int64_t id = 0;
	if (r->quiet || db_begin(r->db) != TERN_OK)
		return;
	if (db_sync_log_start(r->db, r->ctx.account_id, r->ops->name, &id) == TERN_OK &&
	    db_sync_log_end(r->db, id, "error", error, &none) == TERN_OK)
		db_commit(r->db);
	else
		db_rollback(r->db);
}

static void
forget_password(runner *r)
{
	if (r->password) {
		explicit_bzero(r->password, strlen(r->password));
		free(r->password);
	}
	r->password = NULL;
	r->ctx.password = NULL;
}

/* An access token lives an hour or so: a refused one is most likely
 * expired. The token command is run once more and the login tried once
 * more; a second refusal names the command, for the user to look at. */
static int
renew_token(runner *r, void **st, int rc, char **err)
{
	char *why = *err ? *err : xstrdup(tern_strerror(rc));
	*err = NULL;
	log_info("%s: the server refused the access token; running oauth_token_cmd again", r->env->acct->name);
	forget_password(r);
	if ((rc = conf_password(r->env->acct, &r->password, err)) != TERN_OK) {
		free(why);
		return rc;
	}
	free(why);
	r->ctx.password = r->password;
	*st = NULL;
	rc = r->ops->connect(&r->ctx, st, err);
	if (rc == TERN_EAUTH) {
		char *first = *err;
		*err = xasprintf("the token from oauth_token_cmd was refused: %s", first ? first : tern_strerror(rc));
		free(first);
	}
	return rc;
}

int
runner_connect(runner *r, char **err)
{
	void *st = NULL;
	int rc;

	if (r->st)
		return TERN_OK;
	if (r->stop)
		return TERN_ECANCELLED;
	if (!r->password && (rc = conf_password(r->env->acct, &r->password, err)) != TERN_OK) {
		runner_status(r, "error", "", *err);
		tell_failure(r, TERN_ECONFIG, *err);
		return TERN_ECONFIG;
	}
	r->ctx.password = r->password;
	runner_status(r, "connecting", r->env->acct->imap_host ? r->env->acct->imap_host : "", NULL);
	rc = r->ops->connect(&r->ctx, &st, err);
	if (rc == TERN_OK && r->stop) {
		pthread_mutex_lock(&r->st_mu);
		r->pending = NULL;
		pthread_mutex_unlock(&r->st_mu);
		r->ops->disconnect(st);
		return TERN_ECANCELLED;
	}
	if (rc != TERN_OK && r->stop)
		return TERN_ECANCELLED;
	if (rc == TERN_EAUTH && conf_uses_token(r->env->acct))
		rc = renew_token(r, &st, rc, err);
	if (rc != TERN_OK && r->stop)
		return TERN_ECANCELLED;
	/* A password fixed meanwhile (in pass, say) is read again next time,
	 * instead of trying the refused one for ever. */
	if (rc == TERN_EAUTH)
		forget_password(r);
	if (rc != TERN_OK) {
		log_warn("%s: connect: %s: %s", r->env->acct->name, tern_strerror(rc), *err ? *err : "");
		runner_status(r, failure_state(rc), "", *err ? *err : tern_strerror(rc));
		log_failed_cycle(r, *err ? *err : tern_strerror(rc));
		tell_failure(r, rc, *err);
		return rc;
	}
	pthread_mutex_lock(&r->st_mu);
	r->st = st;
	r->pending = NULL;
	pthread_mutex_unlock(&r->st_mu);
	log_info("%s: connected", r->env->acct->name);
	return TERN_OK;
}

void
runner_disconnect(runner *r)
{
	void *st;
	pthread_mutex_lock(&r->st_mu);
	st = r->st;
	r->st = NULL;
	pthread_mutex_unlock(&r->st_mu);
	if (st)
		r->ops->disconnect(st);
}

void
runner_stop(runner *r)
{
	r->stop = 1;
	wakepipe_poke(r->wake.wr);
	pthread_mutex_lock(&r->st_mu);
	if (r->st)
		r->ops->interrupt(r->st);
	else if (r->pending)
		r->ops->interrupt(r->pending);
	pthread_mutex_unlock(&r->st_mu);
}

int
runner_queue_due(runner *r)
{
	struct queue_row q;
	if (db_queue_next(r->db, r->ctx.account_id, time_now(), 0, &q) != TERN_OK)
		return 0;
	db_queue_row_free(&q);
	return 1;
}

static int
queue_write(runner *r, int64_t id, enum queue_action a, const char *error, int64_t delay_s)
{
	int rc;
	if ((rc = db_begin(r->db)) != TERN_OK)
		return rc;
	switch (a) {
	case QA_DONE: rc = db_queue_done(r->db, id); break;
	case QA_DISCONNECT: rc = db_queue_set_status(r->db, id, QUEUE_QUEUED); break;
	case QA_RETRY: rc = db_queue_fail(r->db, id, error, 0, time_now() + delay_s); break;
	case QA_FAILED: rc = db_queue_fail(r->db, id, error, 1, 0); break;
	}
	if (rc != TERN_OK) {
		db_rollback(r->db);
		return rc;
	}
	return db_commit(r->db);
}

/* Rows are marked 'sending' before the server is touched, so a crash
 * leaves a trace the engine can check (e.g. an outbox stage) instead of a
 * silent repeat. A row the user took back (undo) between its read and
 * here is not claimed: it leaves the batch, and the server never hears of
 * it. *n becomes the number claimed (rows[0..*n), in order). */
static int
mark_sending(runner *r, struct queue_row *rows, int *n)
{
	int rc, kept = 0;
	if ((rc = db_begin(r->db)) != TERN_OK)
		return rc;
	for (int i = 0; i < *n && rc == TERN_OK; i++) {
		int claimed = 0;
		if ((rc = db_queue_claim(r->db, rows[i].id, &claimed)) == TERN_OK && claimed)
			rows[kept++] = rows[i];
		else
			db_queue_row_free(&rows[i]);
	}
	if (rc != TERN_OK) {
		/* The rows freed above are gone from the batch either way. */
		db_rollback(r->db);
		for (int i = kept; i < *n; i++)
			memset(&rows[i], 0, sizeof rows[i]);
		*n = kept;
		return rc;
	}
	for (int i = kept; i < *n; i++)
		memset(&rows[i], 0, sizeof rows[i]);
	*n = kept;
	return db_commit(r->db);
}

#define DRAIN_BATCH 256

/* Carries the due changes to the server, oldest first: in batches when the
 * engine takes several at once (push_changes), else one by one. Each row's
 * result goes through the queue policy (retry_queue_action). */
static int
drain(runner *r, char **err)
{
	int max = r->ops->push_changes ? DRAIN_BATCH : 1;
	struct queue_row *rows = xcalloc((size_t)max, sizeof *rows);
	int *rcs = xcalloc((size_t)max, sizeof *rcs);
	char **errs = xcalloc((size_t)max, sizeof *errs);
	int64_t after = 0;
	int rc = TERN_OK, disc = TERN_OK;

	while (!r->stop && rc == TERN_OK && disc == TERN_OK) {
		int n = 0;
		while (n < max && db_queue_next(r->db, r->ctx.account_id, time_now(), after, &rows[n]) == TERN_OK)
			after = rows[n++].id;
		if (n == 0)
			break;
		if ((rc = mark_sending(r, rows, &n)) == TERN_OK && n > 0) {
			runner_status(r, "syncing", "sending changes", NULL);
			if (r->ops->push_changes) {
				r->ops->push_changes(r->st, &r->ctx, rows, n, rcs, errs);
			} else {
				errs[0] = NULL;
				rcs[0] = r->ops->push_change(r->st, &r->ctx, &rows[0], &errs[0]);
			}
		}
		for (int i = 0; i < n; i++) {
			struct queue_row *q = &rows[i];
			int64_t delay = 0;
			enum queue_action a;
			int prc = rcs[i], wrc;
			char *perr = errs[i];
			errs[i] = NULL;
			if (rc != TERN_OK) {   /* not sent: the rows could not be marked */
				db_queue_row_free(q);
				free(perr);
				continue;
			}
			if (prc != TERN_OK && r->stop)
				prc = TERN_ECANCELLED;
			a = retry_queue_action(prc, q->attempts, &delay);
			if (a != QA_DONE)
				log_warn("%s: change %lld (%s): %s: %s", r->env->acct->name, (long long)q->id,
				         change_kind_name(q->change.kind), tern_strerror(prc), perr ? perr : "");
			wrc = queue_write(r, q->id, a, perr ? perr : tern_strerror(prc), delay);
			if (a == QA_DONE)
				r->ctx.counts.pushed++;
			if (a == QA_DISCONNECT && disc == TERN_OK) {
				disc = prc;
				*err = perr;
				perr = NULL;
			}
			if (wrc != TERN_OK)
				rc = wrc;
			free(perr);
			db_queue_row_free(q);
		}
		wakepipe_poke(r->notify_fd);
	}
	free(rows);
	free(rcs);
	free(errs);
	return disc != TERN_OK ? disc : rc;
}

int
runner_cycle(runner *r, int what, char **err)
{
	int64_t log_id = 0;
	int rc = TERN_OK;
	char *e = NULL;

	db_tx_reset(r->db);   /* a path that left one open must not block the UI */

	if (!r->st)
		return TERN_EOFFLINE;
	memset(&r->ctx.counts, 0, sizeof r->ctx.counts);
	if (db_begin(r->db) == TERN_OK) {
		if (db_sync_log_start(r->db, r->ctx.account_id, r->ops->name, &log_id) == TERN_OK)
			db_commit(r->db);
		else
			db_rollback(r->db);
	}
	runner_status(r, "syncing", "", NULL);
	if (what & RUN_PUSH)
		rc = drain(r, &e);
	if (rc == TERN_OK && (what & RUN_SYNC) && !r->stop)
		rc = r->ops->sync_all(r->st, &r->ctx, &e);
	else if (rc == TERN_OK && (what & RUN_INBOX) && !r->stop)
		rc = r->ops->sync_inbox ? r->ops->sync_inbox(r->st, &r->ctx, &e) : r->ops->sync_all(r->st, &r->ctx, &e);
	if (rc != TERN_OK && r->stop)
		rc = TERN_ECANCELLED;
	if (rc == TERN_OK && r->stop)
		rc = TERN_ECANCELLED;
	if (log_id && db_begin(r->db) == TERN_OK) {
		const char *result = rc == TERN_OK ? "ok" : rc == TERN_ECANCELLED ? "cancelled" : "error";
		if (db_sync_log_end(r->db, log_id, result, rc == TERN_OK ? NULL : (e ? e : tern_strerror(rc)),
		                    &r->ctx.counts) == TERN_OK)
			db_commit(r->db);
		else
			db_rollback(r->db);
	}
	if (rc == TERN_OK)
		runner_status(r, "idle", "", "");
	else if (rc != TERN_ECANCELLED)
		runner_status(r, failure_state(rc), "", e ? e : tern_strerror(rc));
	if (rc != TERN_OK) {
		log_warn("%s: cycle: %s: %s", r->env->acct->name, tern_strerror(rc), e ? e : "");
		if (!e)
			e = xstrdup(tern_strerror(rc));
		tell_failure(r, rc, e);
		*err = e;
	} else {
		free(e);
	}
	wakepipe_poke(r->notify_fd);
	if (rc == TERN_OK && !r->quiet) {
		r->failure_told = 0;
		hooks_mail_received(&r->ctx);
	}
	return rc;
}

int
runner_fetch_body(runner *r, int64_t msg_id, char **err)
{
	int rc;
	if (!r->st)
		return TERN_EOFFLINE;
	rc = r->ops->fetch_body(r->st, &r->ctx, msg_id, err);
	if (rc != TERN_OK && r->stop)
		rc = TERN_ECANCELLED;
	return rc;
}

int
runner_server_search(runner *r, const char *text, char **err)
{
	struct search_error serr = { 0 };
	search_query *q = NULL;
	int rc;

	if (!r->ops->server_search) {
		*err = xasprintf("%s accounts have no server search", r->ops->name);
		return TERN_EINVAL;
	}
	if (!r->st)
		return TERN_EOFFLINE;
	if ((rc = search_parse(text ? text : "", time_now(), &q, &serr)) != TERN_OK) {
		*err = xstrdup(serr.message ? serr.message : "bad query");
		search_error_free(&serr);
		return rc;
	}
	rc = r->ops->server_search(r->st, &r->ctx, q, err);
	search_query_free(q);
	return rc;
}

int
runner_prefetch(runner *r, int *more, char **err)
{
	int rc;
	*more = 0;
	if (!r->st)
		return TERN_EOFFLINE;
	if (!r->pf)
		r->pf = prefetch_new();
	rc = prefetch_step(r->pf, r->ops, r->st, &r->ctx, r->env->acct->prefetch_days, 16, more);
	if (rc != TERN_OK && r->stop)
		rc = TERN_ECANCELLED;
	if (rc != TERN_OK && !*err)
		*err = xstrdup(tern_strerror(rc));
	return rc;
}

int
runner_has_inbox_sync(runner *r)
{
	return r->ops->sync_inbox != NULL;
}

int
runner_wait(runner *r, int max_ms, char **err)
{
	if (!r->st)
		return TERN_EOFFLINE;
	if (r->stop)
		return TERN_ECANCELLED;
	return r->ops->wait(r->st, &r->ctx, max_ms, err);
}

void
runner_counts(runner *r, struct sync_counts *out)
{
	*out = r->ctx.counts;
}
