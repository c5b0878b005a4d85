/* jmap_drive: runs the JMAP engine (engine_jmap()) in the foreground the
 * way the worker runtime does, for the jmap_*.sh tests:
 *   jmap_drive -c CONFIG [-d DATADIR] ACCOUNT COMMAND [ARGS]
 *   session            the session as the engine sees it (key=value lines)
 *   sync               drain the queue, then one full cycle; prints counts
 *   push               drain the queue only
 *   watch N MAX_MS     sync, then N times: wait (push or poll), drain, sync;
 *                      prints "woke MS" after each wait (SIGTERM stops it)
 *   fetch MSGID        download and cache one body
 *   search QUERY       server search; prints the number of hits stored
 *   echo N             Core/echo of {"n": N} (tern's JSON writer, the server,
 *                      tern's reader): prints "n=V" as answered */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/config/conf.h"
#include "db/db.h"
#include "db/db_account.h"
#include "db/db_queue.h"
#include "db/db_search.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "src/search/search.h"
#include "sync/engine.h"
#include "sync/jmap/jmap.h"
#include "sync/jmap/jmap_call.h"
#include "sync/jmap/jmap_json.h"
#include "src/base/util.h"
#include "sync/retry.h"
#include "src/base/util.h"

static stop_flag stop;
static int wake_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
	if (write(wake_pipe[1], "x", 1) < 0)
		return;
}

static void
committed(struct sync_ctx *ctx)
{
	(void)ctx;
}

static void
progress(struct sync_ctx *ctx, const char *detail)
{
	(void)ctx;
	fprintf(stderr, "progress %s\n", detail);
}

static int
drain(const struct engine_ops *ops, void *st, struct sync_ctx *ctx)
{
	int64_t after = 0;
	struct queue_row q;
	int worst = TERN_OK;
	while (db_queue_next(ctx->db, ctx->account_id, time_now(), after, &q) == TERN_OK) {
		char *err = NULL;
		int rc;
		after = q.id;
		db_queue_set_status(ctx->db, q.id, QUEUE_SENDING);
		rc = ops->push_change(st, ctx, &q, &err);
		if (rc == TERN_OK) {
			db_queue_done(ctx->db, q.id);
			ctx->counts.pushed++;   /* as the runtime does (runner.c) */
		} else {
			int64_t delay;
			/* The runtime's policy (sync/retry.c), without the delay. */
			enum queue_action a = retry_queue_action(rc, q.attempts, &delay);
			printf("change %lld: %s: %s\n", (long long)q.id, tern_strerror(rc), err ? err : "");
			if (a == QA_DISCONNECT) {
				db_queue_set_status(ctx->db, q.id, QUEUE_QUEUED);
				worst = rc;
			} else {
				db_queue_fail(ctx->db, q.id, err ? err : tern_strerror(rc), a == QA_FAILED, time_now());
			}
		}
		free(err);
		db_queue_row_free(&q);
		if (worst != TERN_OK)
			break;
	}
	return worst;
}

static int
cycle(const struct engine_ops *ops, void *st, struct sync_ctx *ctx)
{
	char *err = NULL;
	int rc = drain(ops, st, ctx);
	if (rc == TERN_OK && (rc = ops->sync_all(st, ctx, &err)) != TERN_OK)
		fprintf(stderr, "jmap_drive: sync: %s: %s\n", tern_strerror(rc), err ? err : "");
	free(err);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *conf_path = NULL, *data_dir = NULL;
	struct config *cfg = NULL;
	const struct account_cfg *acct;
	struct sync_env env;
	struct sync_ctx ctx;
	const struct engine_ops *ops = engine_jmap();
	char *err = NULL, *warn = NULL, *password = NULL, *dbpath = NULL;
	void *st = NULL;
	db *d = NULL;
	int64_t account_id, t0;
	int opt, rc = 1;

	while ((opt = getopt(argc, argv, "c:d:")) != -1) {
		if (opt == 'c')
			conf_path = optarg;
		else if (opt == 'd')
			data_dir = optarg;
		else
			return 2;
	}
	if (argc - optind < 2 || !conf_path) {
		fprintf(stderr, "usage: jmap_drive -c CONFIG [-d DATADIR] ACCOUNT COMMAND [ARGS]\n");
		return 2;
	}
	if (getenv("JMAP_DRIVE_LOG")) {
		log_open(getenv("JMAP_DRIVE_LOG"));
		log_set_level(LOG_DEBUG);
	}
	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return 1;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (conf_load(conf_path, 1, &cfg, &err, &warn) != TERN_OK) {
		fprintf(stderr, "jmap_drive: %s\n", err);
		goto out;
	}
	if (!(acct = conf_account(cfg, argv[optind])) || acct->protocol != PROTO_JMAP) {
		fprintf(stderr, "jmap_drive: no JMAP account '%s'\n", argv[optind]);
		goto out;
	}
	if (!data_dir)
		data_dir = cfg->data_dir;
	dbpath = xasprintf("%s/tern.db", data_dir);
	mkdir_p(data_dir, 0700);
	if (db_open(dbpath, &d, &err) != TERN_OK ||
	    db_account_ensure(d, acct->name, "jmap", acct->email, &account_id) != TERN_OK ||
	    conf_password(acct, &password, &err) != TERN_OK) {
		fprintf(stderr, "jmap_drive: %s\n", err ? err : "database error");
		goto out;
	}
	env = (struct sync_env){ cfg, acct, data_dir, dbpath };
	ctx = (struct sync_ctx){ .env = &env, .db = d, .account_id = account_id, .password = password,
	                         .stop = &stop, .wake_fd = wake_pipe[0], .committed = committed,
	                         .progress = getenv("JMAP_DRIVE_PROGRESS") ? progress : NULL };
	t0 = time_mono_ms();
	if ((rc = ops->connect(&ctx, &st, &err)) != TERN_OK) {
		printf("connect: %s: %s\n", tern_strerror(rc), err ? err : "");
		rc = rc == TERN_EAUTH ? 3 : 1;
		goto out;
	}
	const char *cmd = argv[optind + 1];
	if (strcmp(cmd, "session") == 0) {
		struct jmap *j = st;
		printf("api_url=%s\ndownload_url=%s\nupload_url=%s\nevent_source_url=%s\naccount_id=%s\n"
		       "max_objects_in_get=%llu\nmax_calls_in_request=%llu\nmax_size_request=%llu\nsubmission=%d\n",
		       j->sess->api_url, j->sess->download_url, j->sess->upload_url,
		       j->sess->event_source_url ? j->sess->event_source_url : "", j->sess->account_id,
		       (unsigned long long)j->sess->max_objects_in_get,
		       (unsigned long long)j->sess->max_calls_in_request,
		       (unsigned long long)j->sess->max_size_request, j->sess->has_submission);
		rc = 0;
	} else if (strcmp(cmd, "sync") == 0 || strcmp(cmd, "push") == 0) {
		rc = strcmp(cmd, "push") == 0 ? drain(ops, st, &ctx) : cycle(ops, st, &ctx);
		printf("added %lld updated %lld removed %lld pushed %lld ms %lld\n",
		       (long long)ctx.counts.added, (long long)ctx.counts.updated, (long long)ctx.counts.removed,
		       (long long)ctx.counts.pushed, (long long)(time_mono_ms() - t0));
		rc = rc == TERN_OK ? 0 : 1;
	} else if (strcmp(cmd, "watch") == 0 && argc - optind == 4) {
		int n = atoi(argv[optind + 2]), max_ms = atoi(argv[optind + 3]);
		rc = cycle(ops, st, &ctx);
		printf("ready\n");
		fflush(stdout);
		for (int i = 0; i < n && rc == TERN_OK && !stop; i++) {
			int64_t w = time_mono_ms();
			char c;
			rc = ops->wait(st, &ctx, max_ms, &err);
			while (read(wake_pipe[0], &c, 1) == 1)
				;
			if (rc != TERN_OK || stop)
				break;
			printf("woke %lld\n", (long long)(time_mono_ms() - w));
			fflush(stdout);
			rc = cycle(ops, st, &ctx);
			printf("synced added %lld updated %lld removed %lld\n", (long long)ctx.counts.added,
			       (long long)ctx.counts.updated, (long long)ctx.counts.removed);
			fflush(stdout);
		}
		printf("stopped %s\n", tern_strerror(rc));
		rc = rc == TERN_OK || rc == TERN_ECANCELLED ? 0 : 1;
	} else if (strcmp(cmd, "fetch") == 0 && argc - optind == 3) {
		rc = ops->fetch_body(st, &ctx, strtoll(argv[optind + 2], NULL, 10), &err);
		if (rc != TERN_OK)
			printf("fetch: %s: %s\n", tern_strerror(rc), err ? err : "");
		rc = rc == TERN_OK ? 0 : 1;
	} else if (strcmp(cmd, "search") == 0 && argc - optind == 3) {
		search_query *q = NULL;
		struct search_error se = { 0 };
		int64_t local = 0, server = 0;
		if (search_parse(argv[optind + 2], time_now(), &q, &se) != TERN_OK) {
			printf("bad query\n");
			search_error_free(&se);
		} else if ((rc = ops->server_search(st, &ctx, q, &err)) == TERN_OK) {
			struct search_scope sc = { &account_id, 1 };
			db_search_count(d, q, &sc, &local, &server);
			printf("local %lld server %lld\n", (long long)local, (long long)server);
		} else {
			printf("search: %s: %s\n", tern_strerror(rc), err ? err : "");
		}
		search_query_free(q);
		rc = rc == TERN_OK ? 0 : 1;
	} else if (strcmp(cmd, "echo") == 0 && argc - optind == 3) {
		struct jmap *j = st;
		jmap_req *r = jmap_req_new();
		cJSON *a = cJSON_CreateObject(), *res;
		struct jmap_merr me;
		const char *c;
		uint64_t n = 0;
		jmap_add_uint(a, "n", strtoull(argv[optind + 2], NULL, 10));
		c = jmap_req_add(r, "Core/echo", a);
		if ((rc = jmap_req_send(j, r, &err)) == TERN_OK &&
		    (rc = jmap_req_result(r, c, "Core/echo", &res, &me)) != TERN_OK)
			err = jmap_merr_text("Core/echo", &me);
		if (rc == TERN_OK && jmap_uint(res, "n", &n) == TERN_OK)
			printf("n=%llu\n", (unsigned long long)n);
		else
			printf("echo: %s: %s\n", tern_strerror(rc), err ? err : "no n in the answer");
		jmap_req_free(r);
		rc = rc == TERN_OK ? 0 : 1;
	} else {
		fprintf(stderr, "jmap_drive: unknown command '%s'\n", cmd);
		rc = 2;
	}
out:
	if (st)
		ops->disconnect(st);
	if (password) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	db_close(d);
	conf_free(cfg);
	free(dbpath);
	free(err);
	free(warn);
	curl_global_cleanup();
	log_close();
	return rc;
}
