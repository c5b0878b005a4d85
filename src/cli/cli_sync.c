/* tern sync [--once] [ACCOUNT...]: headless sync of the named accounts (all
 * by default), each in its own thread. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/cli.h"
#include "db/db_account.h"
#include "db/db_queue.h"
#include "db/db_sync.h"
#include "src/base/err.h"
#include "sync/sync.h"
#include "src/base/textsafe.h"
#include "src/base/util.h"

struct once {
	struct sync_env env;
	struct sync_counts counts;
	int rc;
	char *err;
	int64_t ms;
	pthread_t thread;
	int started;
};

static void *
once_main(void *arg)
{
	struct once *o = arg;
	int64_t t0 = time_mono_ms();
	o->rc = sync_run_once_counted(&o->env, &o->counts, &o->err);
	o->ms = time_mono_ms() - t0;
	return NULL;
}

struct unpushed {
	int n;
	char *first_error;
};

static int
unpushed_cb(const struct queue_row *r, void *ctx)
{
	struct unpushed *u = ctx;
	if (!r->last_error || !*r->last_error)
		return TERN_OK;
	if (u->n++ == 0)
		u->first_error = xstrdup(r->last_error);
	return TERN_OK;
}

/* A cycle whose outbound queue did not go through (a refused send, a TLS
 * failure with smtp_tls = starttls) is not a complete cycle: a script that
 * runs `tern sync --once` must not take the exit status for "sent". */
static int
report_unpushed(struct cli_ctx *c, const struct once *o)
{
	struct unpushed u = { 0, NULL };
	int64_t id;
	char *safe;

	if (db_account_id(c->db, o->env.acct->name, &id) != TERN_OK ||
	    db_queue_each(c->db, id, unpushed_cb, &u) != TERN_OK || u.n == 0)
		return EXIT_OK;
	safe = cli_term(text_sanitize(u.first_error, 0), stderr);   /* server text */
	fprintf(stderr, "tern: %s: error: %d change%s not pushed: %s (see tern queue)\n",
	        o->env.acct->name, u.n, u.n == 1 ? "" : "s", safe);
	free(safe);
	free(u.first_error);
	return EXIT_FAIL;
}

static int
run_once(struct cli_ctx *c, struct once *v, size_t n)
{
	int status = EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		int rc = pthread_create(&v[i].thread, NULL, once_main, &v[i]);
		if (rc != 0) {
			/* Fall back to this thread: the account still gets its cycle. */
			once_main(&v[i]);
			continue;
		}
		v[i].started = 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct once *o = &v[i];
		if (o->started)
			pthread_join(o->thread, NULL);
		if (o->rc == TERN_OK) {
			printf("%s: ok: %lld new, %lld changed, %lld removed, %lld pushed (%.2f s)\n",
			       o->env.acct->name, (long long)o->counts.added, (long long)o->counts.updated,
			       (long long)o->counts.removed, (long long)o->counts.pushed, (double)o->ms / 1000.0);
		} else {
			/* The error quotes the server (a JMAP description, an
			 * IMAP response text): never raw to the terminal. */
			char *why = cli_term(text_sanitize(o->err ? o->err : tern_strerror(o->rc), 0), stderr);
			fflush(stdout);   /* errors go to stderr, in order with the ok lines */
			/* Busy is not a failure of the account: the running tern
			 * syncs it (and was poked); the exit status still says
			 * that this process did not. */
			fprintf(stderr, "tern: %s: %s: %s\n", o->env.acct->name, o->rc == TERN_EBUSY ? "busy" : "error",
			        why);
			free(why);
			status = EXIT_FAIL;
		}
		free(o->err);
	}
	if (cli_open_db(c) != EXIT_OK)
		return EXIT_FAIL;
	for (size_t i = 0; i < n; i++)
		if (v[i].rc == TERN_OK && report_unpushed(c, &v[i]) != EXIT_OK)
			status = EXIT_FAIL;
	return status;
}

int
cmd_sync(struct cli_ctx *c, int argc, char **argv)
{
	struct once *v;
	struct sync_env *envs;
	size_t n = 0;
	int once = 0, rc, first = 1;

	for (; first < argc && argv[first][0] == '-'; first++) {
		if (strcmp(argv[first], "--once") == 0) {
			once = 1;
		} else if (strcmp(argv[first], "--") == 0) {
			first++;
			break;
		} else {
			cli_error("usage: tern sync [--once] [ACCOUNT...]");
			return EXIT_USAGE;
		}
	}
	if ((rc = cli_open_db(c)) != EXIT_OK)
		return rc;
	/* sync is what uses the passwords: a password in a file others can
	 * read is worth saying here too, once (config check says it as well). */
	if (c->warnings && *c->warnings)
		fputs(c->warnings, stderr);
	n = first < argc ? (size_t)(argc - first) : c->cfg->naccounts;
	if (n == 0) {
		cli_error("no accounts configured");
		return EXIT_USAGE;
	}
	v = xcalloc(n, sizeof *v);
	envs = xcalloc(n, sizeof *envs);
	for (size_t i = 0; i < n; i++) {
		const struct account_cfg *a = first < argc ? conf_account(c->cfg, argv[first + (int)i]) :
		                              &c->cfg->accounts[i];
		if (!a) {
			cli_error("no account '%s'", argv[first + (int)i]);
			free(v);
			free(envs);
			return EXIT_USAGE;
		}
		envs[i] = (struct sync_env){ c->cfg, a, c->data_dir, c->db_path };
		v[i].env = envs[i];
	}
	/* The workers open their own connections: ours is not needed and
	 * must not hold a read snapshot meanwhile. */
	db_close(c->db);
	c->db = NULL;
	if (once) {
		rc = run_once(c, v, n);
	} else {
		char *err = NULL;
		int r = sync_run_forever(envs, (int)n, &err);
		if (err) {
			char *why = cli_term(text_sanitize(err, 0), stderr);
			fprintf(stderr, "%s\n", why);
			free(why);
		}
		rc = r == TERN_OK && !err ? EXIT_OK : EXIT_FAIL;
		free(err);
	}
	free(v);
	free(envs);
	return rc;
}
