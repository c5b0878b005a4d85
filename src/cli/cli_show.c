/* tern show [--raw|--json] ID: the message rendered for reading (with
 * its PGP verdict: a signed message verified, an encrypted one decrypted
 * in memory only), or its raw bytes. A body not yet cached is fetched first (without the account's
 * lock: it only reads from the server). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/cli/cli.h"
#include "db/db_body.h"
#include "db/db_message.h"
#include "src/base/err.h"
#include "src/base/jsonout.h"
#include "src/base/strbuf.h"
#include "src/crypt/crypt.h"
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

/* The rendered message with the verdict line between its header and its
 * body, as the pager shows it. */
static char *
with_verdict(char *text, const struct crypt_view *v)
{
	char *line = crypt_verdict(v), *safe, *gap, *out;

	if (!line)
		return text;
	safe = text_sanitize(line, 0);
	gap = strstr(text, "\n\n");
	if (gap)
		out = xasprintf("%.*s\n%s\n%s", (int)(gap - text + 1), text, safe, gap + 1);
	else
		out = xasprintf("%s\n%s", safe, text);
	free(line);
	free(safe);
	free(text);
	return out;
}

static char *
show_json(int64_t id, const char *raw, size_t len, const struct crypt_view *v, const struct render_opts *o)
{
	strbuf sb = STRBUF_INIT;
	mime_msg *m = NULL;
	char *from = NULL, *subject = NULL, *body = NULL;

	if (mime_parse(raw, len, &m) == TERN_OK) {
		from = mime_header(m, "From");
		subject = mime_header(m, "Subject");
		body = mime_render_body(m, o);
	}
	json_begin(&sb);
	json_int(&sb, "id", id);
	json_str(&sb, "from", from);
	json_str(&sb, "subject", subject);
	json_bool(&sb, "encrypted", v->encrypted);
	json_bool(&sb, "decrypted", v->decrypted);
	/* A nested object: key() puts no comma after its '{'. */
	sb_adds(&sb, ",\"signature\":");
	json_begin(&sb);
	json_str(&sb, "status", crypt_sig_name(v->sig));
	json_str(&sb, "signer", v->signer);
	json_str(&sb, "fingerprint", v->fingerprint);
	json_bool(&sb, "trusted", v->trusted);
	json_end(&sb);
	json_str(&sb, "pgp_error", v->error);
	json_str(&sb, "body", body);
	json_end(&sb);
	sb_addc(&sb, '\n');
	free(from);
	free(subject);
	free(body);
	mime_free(m);
	return sb_steal(&sb);
}

int
cmd_show(struct cli_ctx *c, int argc, char **argv)
{
	static const char usage[] = "usage: tern show [--raw|--json] ID";
	const char *id_arg = NULL;
	char *raw = NULL, *text;
	size_t len = 0;
	int64_t id;
	int want_raw = 0, want_json = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--raw") == 0) {
			want_raw = 1;
		} else if (strcmp(argv[i], "--json") == 0) {
			want_json = 1;
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
		struct crypt_view v;
		/* The decrypted message (v.raw) stays in this process's memory. */
		crypt_open(raw, len, &v);
		if (v.decrypted && c->cfg->cache_decrypted && body_index_text(c->db, id, v.raw, v.len) != TERN_OK)
			cli_error("show: the decrypted text could not be indexed (cache_decrypted)");
		if (want_json) {
			fputs((text = show_json(id, v.raw ? v.raw : raw, v.raw ? v.len : len, &v, &o)), stdout);
			free(text);
			text = NULL;
		} else {
			text = with_verdict(mime_render_raw(v.raw ? v.raw : raw, v.raw ? v.len : len, &o), &v);
		}
		crypt_view_free(&v);
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
