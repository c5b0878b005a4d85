/* The per-account sync thread (sync/worker.h): connect with backoff, cycle,
 * wait for the server or a wake-up, answer requests. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/retry.h"
#include "sync/net/unsubscribe.h"
#include "sync/runner.h"
#include "src/base/wakepipe.h"
#include "sync/worker.h"
#include "src/base/util.h"

struct wreq {
	uint64_t id;
	int from;
	enum wreq_type type;
	int64_t arg;
	char *text;
	struct wreq *next;
};

struct wrep {
	struct wreply r;
	struct wrep *next;
};

struct worker {
	runner *r;
	const struct account_cfg *acct;
	char *name;
	int notify_fd;
	pthread_t thread;
	pthread_mutex_t mu;          /* the two lists */
	struct wreq *reqs, **reqs_tail;
	struct wrep *reps, **reps_tail;
	int auth_failures;           /* refused logins in a row */
	int token;                   /* logs in with an access token (oauth_token_cmd) */
	int healthy;                 /* a cycle succeeded since the last outage began */
	int64_t down_since;          /* time_mono_ms() of this outage's first failure */
};

static void
reply(worker *w, const struct wreq *q, int status, char *error)
{
	struct wrep *p = xcalloc(1, sizeof *p);
	p->r.req_id = q->id;
	p->r.from = q->from;
	p->r.type = q->type;
	p->r.arg = q->arg;
	p->r.status = status;
	p->r.error = error;
	pthread_mutex_lock(&w->mu);
	*w->reps_tail = p;
	w->reps_tail = &p->next;
	pthread_mutex_unlock(&w->mu);
	wakepipe_poke(w->notify_fd);
}

static struct wreq *
take_request(worker *w, int only_urgent)
{
	struct wreq **pp, *q = NULL;
	pthread_mutex_lock(&w->mu);
	for (pp = &w->reqs; *pp; pp = &(*pp)->next) {
		if (only_urgent && (*pp)->type != WREQ_FETCH_BODY)
			continue;
		q = *pp;
		*pp = q->next;
		if (!*pp)
			w->reqs_tail = pp;
		break;
	}
	pthread_mutex_unlock(&w->mu);
	return q;
}

static int
has_requests(worker *w)
{
	int any;
	pthread_mutex_lock(&w->mu);
	any = w->reqs != NULL;
	pthread_mutex_unlock(&w->mu);
	return any;
}

static void
wreq_free(struct wreq *q)
{
	free(q->text);
	free(q);
}

static int
stopping(void *w)
{
	return runner_stopping(((worker *)w)->r);
}

/* Answers one request. Returns the status (a connection failure makes the
 * caller reconnect). */
static int
serve_one(worker *w, struct wreq *q)
{
	char *err = NULL;
	int rc;

	/* A web server's business, not the mail server's: it goes whether or
	 * not the account is connected. */
	if (q->type == WREQ_UNSUBSCRIBE) {
		rc = unsubscribe_post(w->acct, q->text, stopping, w, &err);
		reply(w, q, rc, rc == TERN_OK ? (free(err), NULL) : (err ? err : xstrdup(tern_strerror(rc))));
		return TERN_OK;
	}
	if (!runner_connected(w->r)) {
		reply(w, q, TERN_EOFFLINE, xstrdup("not connected"));
		return TERN_EOFFLINE;
	}
	switch (q->type) {
	case WREQ_FETCH_BODY:
		rc = runner_fetch_body(w->r, q->arg, &err);
		break;
	case WREQ_SYNC_NOW:
		rc = runner_cycle(w->r, RUN_PUSH | RUN_SYNC, &err);
		break;
	case WREQ_SERVER_SEARCH:
		rc = runner_server_search(w->r, q->text, &err);
		break;
	default:
		rc = TERN_EINVAL;
		break;
	}
	reply(w, q, rc, rc == TERN_OK ? (free(err), NULL) : (err ? err : xstrdup(tern_strerror(rc))));
	return rc;
}

/* Urgent requests (bodies) answered between the batches of a long sync. */
static void
serve_between(struct sync_ctx *ctx)
{
	worker *w = runner_serve_data(ctx);
	struct wreq *q;
	while (!runner_stopping(w->r) && (q = take_request(w, 1)) != NULL) {
		serve_one(w, q);
		wreq_free(q);
	}
}

static void
serve_all(worker *w, int *conn_rc)
{
	struct wreq *q;
	while (!runner_stopping(w->r) && (q = take_request(w, 0)) != NULL) {
		int rc = serve_one(w, q);
		wreq_free(q);
		if (runner_err_is_connection(rc) && rc != TERN_EOFFLINE) {
			*conn_rc = rc;
			return;
		}
	}
}

static void
fail_requests(worker *w, int status)
{
	struct wreq *q;
	while ((q = take_request(w, 0)) != NULL) {
		if (q->type == WREQ_UNSUBSCRIBE && status == TERN_EOFFLINE)
			serve_one(w, q);      /* needs the web server, not the mail server */
		else
			reply(w, q, status, xstrdup(status == TERN_ECANCELLED ? "stopped" : "not connected"));
		wreq_free(q);
	}
}

/* Sleeps until ms passed, the worker is poked or stopped; whether it was
 * poked. */
static int
nap(worker *w, int64_t ms)
{
	struct pollfd p = { .fd = runner_wake_fd(w->r), .events = POLLIN };
	if (ms <= 0)
		return 0;
	return poll(&p, 1, ms > 600000 ? 600000 : (int)ms) > 0 && wakepipe_drain(p.fd);
}

/* After a refused login: no more attempts until the user asks (a key in
 * the TUI, tern sync, a local change); providers lock accounts out after
 * repeated failed logins. */
static void
wait_for_user(worker *w, const char *err)
{
	runner_status(w->r, "error", w->token ?
	              "access token refused: check oauth_token_cmd, then sync again" :
	              "login refused: fix the password, then sync again", err);
	log_warn("%s: login refused twice; not retrying until asked", w->name);
	while (!runner_stopping(w->r) && !has_requests(w)) {
		struct pollfd p = { .fd = runner_wake_fd(w->r), .events = POLLIN };
		if (poll(&p, 1, 600000) > 0 && wakepipe_drain(p.fd))
			break;
	}
}

static void
backoff(worker *w, int *failures, unsigned *seed, int rc, const char *err)
{
	int64_t ms, until;
	char detail[64];

	if ((*failures)++ == 0)
		w->down_since = time_mono_ms();
	ms = retry_reconnect_ms(*failures, time_mono_ms() - w->down_since, w->healthy, seed);
	runner_disconnect(w->r);
	fail_requests(w, TERN_EOFFLINE);
	if (rc == TERN_EAUTH && ++w->auth_failures >= 2) {
		wait_for_user(w, err);
		w->auth_failures = 0;   /* the user asked: one more full try */
		return;
	}
	snprintf(detail, sizeof detail, RETRY_DETAIL_FMT, (long long)((ms + 999) / 1000));
	/* Every way into backoff says why in the log: a wait or push that
	 * failed (an event stream cut, an IDLE that broke) logs nothing else. */
	log_warn("%s: %s (%s: %s); %s", w->name, runner_err_is_connection(rc) ? "backoff" : "error",
	         tern_strerror(rc), err && *err ? err : "no detail", detail);
	/* Auth, TLS and configuration failures need the user: keep the error
	 * visible; one more try after a refused login (the password is read
	 * again), slow retries for the others. */
	runner_status(w->r, runner_err_is_connection(rc) ? "backoff" : "error", detail, err);
	until = time_mono_ms() + ms;
	while (!runner_stopping(w->r)) {
		int64_t left = until - time_mono_ms();
		if (left <= 0 || has_requests(w))
			break;
		/* A poke is the user acting on the account (a local change to
		 * push, a message to fetch): try now rather than at the end. */
		if (nap(w, left))
			break;
	}
}

static void *
worker_main(void *arg)
{
	worker *w = arg;
	runner *r = w->r;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)w;
	int failures = 0, want = RUN_PUSH | RUN_SYNC, pf_more = 0;
	int64_t next_full = 0;

	while (!runner_stopping(r)) {
		char *err = NULL;
		int rc = TERN_OK;

		if (!runner_connected(r)) {
			if ((rc = runner_connect(r, &err)) != TERN_OK) {
				if (rc != TERN_ECANCELLED)
					backoff(w, &failures, &seed, rc, err);
				free(err);
				continue;
			}
			want = RUN_PUSH | RUN_SYNC;
			w->auth_failures = 0;
		}
		serve_all(w, &rc);
		if (rc == TERN_OK && want) {
			rc = runner_cycle(r, want, &err);
			if (rc == TERN_OK) {
				failures = 0;
				w->healthy = 1;
				if (want & RUN_SYNC)
					next_full = time_mono_ms() + runner_poll_ms(r);
				if (want & (RUN_SYNC | RUN_INBOX))
					pf_more = 1;   /* new mail may want its body */
			}
		}
		want = 0;
		/* Background prefetch (prefetch_days): small steps while nothing
		 * else waits; a request or a poke ends a step early. */
		if (rc == TERN_OK && pf_more && !runner_stopping(r) && !has_requests(w)) {
			rc = runner_prefetch(r, &pf_more, &err);
			if (rc == TERN_OK) {
				if (wakepipe_drain(runner_wake_fd(r)) && runner_queue_due(r))
					want = RUN_PUSH;
				if (time_mono_ms() >= next_full)
					want = RUN_PUSH | RUN_SYNC;
				if (pf_more || want) {
					free(err);
					continue;
				}
			}
		}
		if (rc == TERN_OK && !runner_stopping(r) && !has_requests(w)) {
			int64_t left = next_full - time_mono_ms();
			int poked;
			rc = runner_wait(r, left > 0 ? (int)left : 0, &err);
			poked = wakepipe_drain(runner_wake_fd(r));
			if (rc == TERN_OK) {
				/* The poll interval means a full cycle; a poke a local
				 * change or a request: push it at once; server news before
				 * that (IDLE) the new-mail fast path, INBOX only. */
				if (time_mono_ms() >= next_full)
					want = RUN_PUSH | RUN_SYNC;
				else if (!poked)   /* an engine without that path syncs it all */
					want = RUN_PUSH | (runner_has_inbox_sync(r) ? RUN_INBOX : RUN_SYNC);
				else if (runner_queue_due(r))
					want = RUN_PUSH;
			}
		}
		if (rc != TERN_OK && rc != TERN_ECANCELLED && !runner_stopping(r)) {
			/* The failure table says whose failure it is: the account's
			 * (connection, login, certificate) backs off and reconnects. */
			if (tern_err_scope(rc) == TERN_SCOPE_ACCOUNT)
				backoff(w, &failures, &seed, rc, err);
			else        /* a local failure (database): logged; try again later */
				next_full = time_mono_ms() + runner_poll_ms(r);
		}
		free(err);
	}
	fail_requests(w, TERN_ECANCELLED);
	runner_disconnect(r);
	runner_status(r, "offline", "stopped", NULL);
	return NULL;
}

int
worker_start(const struct sync_env *env, int notify_fd, worker **out, char **err)
{
	worker *w = xcalloc(1, sizeof *w);
	sigset_t all, old;
	int rc;

	*out = NULL;
	if ((rc = runner_open(env, 1, &w->r, err)) != TERN_OK) {
		free(w);
		return rc;
	}
	w->name = xstrdup(env->acct->name);
	w->token = conf_uses_token(env->acct);
	w->acct = env->acct;
	w->notify_fd = notify_fd;
	w->reqs_tail = &w->reqs;
	w->reps_tail = &w->reps;
	pthread_mutex_init(&w->mu, NULL);
	runner_set_notify(w->r, notify_fd);
	runner_set_serve(w->r, serve_between, w);
	/* The thread inherits a full mask: terminal signals (SIGWINCH, SIGINT,
	 * SIGTSTP) always reach the UI thread's poll. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		*err = xasprintf("cannot start a thread: %s", strerror(rc));
		runner_close(w->r);
		pthread_mutex_destroy(&w->mu);
		free(w->name);
		free(w);
		return TERN_EIO;
	}
	*out = w;
	return TERN_OK;
}

void
worker_wake(worker *w)
{
	if (w)
		wakepipe_poke(runner_wake_wr(w->r));
}

/* One counter for every worker: a reply's id names one request in the
 * process, so a requester that asked two accounts (or asked again after
 * switching accounts) cannot take another's reply for its own. */
static atomic_uint_fast64_t last_req_id;

int
worker_request(worker *w, enum wreq_type type, int64_t arg, const char *text, int from,
               uint64_t *req_id)
{
	struct wreq *q;
	if (!w || type < WREQ_FETCH_BODY || type > WREQ_UNSUBSCRIBE)
		return TERN_EINVAL;
	q = xcalloc(1, sizeof *q);
	q->type = type;
	q->arg = arg;
	q->text = xstrdup(text);
	q->from = from;
	q->id = (uint64_t)atomic_fetch_add(&last_req_id, 1) + 1;
	pthread_mutex_lock(&w->mu);
	*w->reqs_tail = q;
	w->reqs_tail = &q->next;
	pthread_mutex_unlock(&w->mu);
	if (req_id)
		*req_id = q->id;
	worker_wake(w);
	return TERN_OK;
}

int
worker_take_reply(worker *w, struct wreply *out)
{
	struct wrep *p;
	if (!w)
		return 0;
	pthread_mutex_lock(&w->mu);
	p = w->reps;
	if (p) {
		w->reps = p->next;
		if (!w->reps)
			w->reps_tail = &w->reps;
	}
	pthread_mutex_unlock(&w->mu);
	if (!p)
		return 0;
	*out = p->r;
	free(p);
	return 1;
}

void
wreply_free(struct wreply *r)
{
	if (!r)
		return;
	free(r->error);
	r->error = NULL;
}

void
worker_stop_all(worker **ws, int n)
{
	for (int i = 0; i < n; i++)
		if (ws[i])
			runner_stop(ws[i]->r);
	for (int i = 0; i < n; i++)
		worker_stop(ws[i]);
}

void
worker_stop(worker *w)
{
	struct wreply r;
	if (!w)
		return;
	runner_stop(w->r);
	pthread_join(w->thread, NULL);
	runner_close(w->r);
	while (worker_take_reply(w, &r))
		wreply_free(&r);
	pthread_mutex_destroy(&w->mu);
	free(w->name);
	free(w);
}
