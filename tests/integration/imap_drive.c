/* imap_drive: the sync entry points the CLI has no command for yet, for
 * the imap_*.sh tests:
 *   imap_drive -c CONFIG ACCOUNT fetch MSGID   sync_fetch_body() (what tern show calls)
 *   imap_drive -c CONFIG ACCOUNT stop MS       a worker thread runs MS ms (reaching IDLE),
 *                                              then worker_stop(); prints "stopped in N ms" */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/config/conf.h"
#include "src/base/err.h"
#include "sync/sync.h"
#include "sync/worker.h"
#include "src/base/util.h"

int
main(int argc, char **argv)
{
	struct config *cfg = NULL;
	const struct account_cfg *acct;
	struct sync_env env;
	char *err = NULL, *warn = NULL, *dbpath;
	int rc;

	if (argc < 6 || strcmp(argv[1], "-c") != 0) {
		fprintf(stderr, "usage: imap_drive -c CONFIG ACCOUNT fetch MSGID | stop MS\n");
		return 2;
	}
	if (conf_load(argv[2], 1, &cfg, &err, &warn) != TERN_OK || !(acct = conf_account(cfg, argv[3]))) {
		fprintf(stderr, "imap_drive: %s\n", err ? err : "no such account");
		return 2;
	}
	dbpath = xasprintf("%s/tern.db", cfg->data_dir);
	env = (struct sync_env){ cfg, acct, cfg->data_dir, dbpath };
	if (strcmp(argv[4], "fetch") == 0) {
		rc = sync_fetch_body(&env, strtoll(argv[5], NULL, 10), &err);
		printf("%s%s%s\n", rc == TERN_OK ? "ok" : tern_strerror(rc), err ? ": " : "", err ? err : "");
	} else {
		worker *w = NULL;
		int64_t t0;
		if ((rc = worker_start(&env, -1, &w, &err)) == TERN_OK) {
			usleep((useconds_t)atoi(argv[5]) * 1000);
			t0 = time_mono_ms();
			worker_stop(w);
			printf("stopped in %lld ms\n", (long long)(time_mono_ms() - t0));
		} else {
			printf("%s: %s\n", tern_strerror(rc), err ? err : "");
		}
	}
	free(err);
	free(warn);
	free(dbpath);
	conf_free(cfg);
	return rc == TERN_OK ? 0 : 1;
}
