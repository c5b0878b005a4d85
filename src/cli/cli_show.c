/* tern show [--raw] ID: the message rendered for reading, or its raw
 * bytes. A body not yet cached is fetched first (without the account's
 * lock: it only reads from the server). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/cli/cli.h"
#include "db/db_message.h"
#include "src/base/err.h"
#include "src/mime/mime_render.h"
#include "sync/sync.h"
#include "src/base/textsafe.h"
#include "src/base/util.h"

static int
fetch(struct cli_ctx *c, int64_t id, char **raw, size_t *len)
{
	const struct account_cfg *acct;
	int64_t account_id;
	char *err = NULL;
	int rc;

	if ((rc = cli_message_account(c, id, &acct, &account_id)) != EXIT_OK)
		return rc;
	rc = db_body_get(c->db, id, raw, len);
	if (rc == TERN_ENOTFOUND) {
		struct sync_env env = { c->cfg, acct, c->data_dir, c->db_path };
		rc = sync_fetch_body(&env, id, &err);
		if (rc != TERN_OK) {
			char *why = cli_term(text_sanitize(err ? err : tern_strerror(rc), 0), stderr);
			if (rc == TERN_ENET || rc == TERN_ETIMEOUT || rc == TERN_EOFFLINE)
				cli_error("message %lld is not downloaded yet, and the server of '%s' cannot "
				          "be reached (offline?): %s", (long long)id, acct->name, why);
			else
				cli_error("message %lld is not downloaded yet, and fetching it from '%s' "
				          "failed: %s", (long long)id, acct->name, why);
			free(why);
			free(err);
			return EXIT_FAIL;
		}
		free(err);
		rc = db_body_get(c->db, id, raw, len);
	}
	if (rc != TERN_OK) {
		cli_error("message %lld: %s", (long long)id,
		          rc == TERN_ENOTFOUND ? "the server has no body for it" : tern_strerror(rc));
		return cli_exit_status(rc);
	}
	return EXIT_OK;
}

int
cmd_show(struct cli_ctx *c, int argc, char **argv)
{
	static const char usage[] = "usage: tern show [--raw] ID";
	const char *id_arg = NULL;
	char *raw = NULL, *text;
	size_t len = 0;
	int64_t id;
	int want_raw = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--raw") == 0) {
			want_raw = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_error("show: unknown option '%s'\n%s", argv[i], usage);
			return EXIT_USAGE;
		} else if (!id_arg) {
			id_arg = argv[i];
		} else {
			cli_error("%s", usage);
			return EXIT_USAGE;
		}
	}
	if (!id_arg) {
		cli_error("%s", usage);
		return EXIT_USAGE;
	}
	if ((rc = cli_parse_id(id_arg, &id)) != EXIT_OK)
		return rc;
	if ((rc = fetch(c, id, &raw, &len)) != EXIT_OK)
		return rc;

	if (want_raw && !isatty(STDOUT_FILENO)) {
		/* Into a file or a pipe the bytes go exactly as stored. */
		text = NULL;
		fwrite(raw, 1, len, stdout);
	} else if (want_raw) {
		text = text_sanitize_n(raw, len, TEXT_KEEP_NEWLINES | TEXT_KEEP_TABS);
	} else {
		struct render_opts o = { c->cfg->alternative_order, c->cfg->html_filter, 0,
		                         RENDER_HDR_DEFAULT, 1 };
		text = mime_render_raw(raw, len, &o);
	}
	if (text) {
		text = cli_term(text, stdout);
		fputs(text, stdout);
	}
	free(text);
	free(raw);
	if (fflush(stdout) != 0) {
		cli_error("show: cannot write the output");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
