#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/cli/cli.h"
#include "src/crypt/crypt.h"
#include "db/db_change.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "src/base/err.h"
#include "src/base/jsonout.h"
#include "src/mime/mime_build.h"
#include "src/mime/msgid.h"
#include "src/base/strbuf.h"
#include "sync/sync.h"
#include "src/base/textsafe.h"
#include "src/base/util.h"

/* Strips --no-sync from argv (it may appear anywhere). */
static int
take_no_sync(int *argc, char **argv)
{
	int found = 0, j = 0;
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--no-sync") == 0)
			found = 1;
		else
			argv[j++] = argv[i];
	}
	*argc = j;
	return found;
}

/* After a local change: push it now if we can; say so either way. The
 * change is already durable, so a failed push is not a failed command. */
static void
push_now(struct cli_ctx *c, const struct account_cfg *acct, int no_sync)
{
	struct sync_env env = { c->cfg, acct, c->data_dir, c->db_path };
	char *err = NULL;
	int rc;

	if (no_sync) {
		printf("queued; the next sync of '%s' sends it\n", acct->name);
		return;
	}
	rc = sync_push(&env, &err);
	if (rc == TERN_OK)
		printf("done\n");
	else if (rc == TERN_EBUSY)
		printf("queued; the tern already syncing '%s' sends it\n", acct->name);
	else
		printf("queued; not sent now (%s); the next sync of '%s' sends it\n",
		       err ? err : tern_strerror(rc), acct->name);
	free(err);
}

int
cmd_flag(struct cli_ctx *c, int argc, char **argv)
{
	static const char usage[] = "usage: tern flag [--no-sync] ID +seen|-seen|+flagged|-flagged|+answered|-answered";
	int no_sync = take_no_sync(&argc, argv), rc, on;
	const struct account_cfg *acct;
	int64_t id, account_id, change;
	unsigned flag;
	const char *what;

	if (argc != 3) {
		cli_error("%s", usage);
		return EXIT_USAGE;
	}
	if ((rc = cli_parse_id(argv[1], &id)) != EXIT_OK)
		return rc;
	what = argv[2];
	if (what[0] != '+' && what[0] != '-') {
		cli_error("'%s': say +FLAG or -FLAG\n%s", what, usage);
		return EXIT_USAGE;
	}
	on = what[0] == '+';
	if (strcmp(what + 1, "seen") == 0 || strcmp(what + 1, "read") == 0)
		flag = MSG_SEEN;
	else if (strcmp(what + 1, "flagged") == 0)
		flag = MSG_FLAGGED;
	else if (strcmp(what + 1, "answered") == 0)
		flag = MSG_ANSWERED;
	else {
		cli_error("unknown flag '%s'\n%s", what + 1, usage);
		return EXIT_USAGE;
	}
	if ((rc = cli_message_account(c, id, &acct, &account_id)) != EXIT_OK)
		return rc;
	if ((rc = db_change_flag(c->db, id, flag, on, &change)) != TERN_OK) {
		cli_error("could not change message %lld: %s", (long long)id, tern_strerror(rc));
		return cli_exit_status(rc);
	}
	if (!change) {
		printf("unchanged: message %lld is already %s%s\n", (long long)id, on ? "" : "not ", what + 1);
		return EXIT_OK;
	}
	push_now(c, acct, no_sync);
	return EXIT_OK;
}

int
cmd_move(struct cli_ctx *c, int argc, char **argv)
{
	static const char usage[] = "usage: tern move [--no-sync] ID MAILBOX";
	int no_sync = take_no_sync(&argc, argv), rc;
	const struct account_cfg *acct;
	struct mailbox_row mb = { 0 };
	int64_t id, account_id, change;

	if (argc != 3) {
		cli_error("%s", usage);
		return EXIT_USAGE;
	}
	if ((rc = cli_parse_id(argv[1], &id)) != EXIT_OK)
		return rc;
	if ((rc = cli_message_account(c, id, &acct, &account_id)) != EXIT_OK)
		return rc;
	if ((rc = db_mailbox_find(c->db, account_id, argv[2], &mb)) != TERN_OK) {
		if (rc == TERN_EINVAL)
			cli_error("'%s' matches several mailboxes in account '%s' when case and accents are ignored; "
			          "give its exact name", argv[2], acct->name);
		else if (rc == TERN_ENOTFOUND)
			cli_error("no mailbox '%s' in account '%s'", argv[2], acct->name);
		else
			cli_error("database error");
		return cli_exit_status(rc);
	}
	rc = db_change_move(c->db, id, 0, mb.id, &change);
	db_mailbox_row_free(&mb);
	if (rc == TERN_EINVAL) {
		cli_error("message %lld is already in '%s' (or it cannot hold messages)", (long long)id, argv[2]);
		return EXIT_FAIL;
	}
	if (rc != TERN_OK) {
		cli_error("could not move message %lld: %s", (long long)id, tern_strerror(rc));
		return cli_exit_status(rc);
	}
	push_now(c, acct, no_sync);
	return EXIT_OK;
}

int
cmd_delete(struct cli_ctx *c, int argc, char **argv)
{
	int no_sync = take_no_sync(&argc, argv), rc;
	const struct account_cfg *acct;
	int64_t id, account_id, change;

	if (argc != 2) {
		cli_error("usage: tern delete [--no-sync] ID");
		return EXIT_USAGE;
	}
	if ((rc = cli_parse_id(argv[1], &id)) != EXIT_OK)
		return rc;
	if ((rc = cli_message_account(c, id, &acct, &account_id)) != EXIT_OK)
		return rc;
	rc = db_change_delete(c->db, id, 0, acct->delete_to_trash, &change);
	if (rc == TERN_ENOTRASH)
		cli_error("could not delete message %lld: account '%s' has no Trash mailbox "
		          "(delete_to_trash = no deletes for good)", (long long)id, acct->name);
	else if (rc != TERN_OK)
		cli_error("could not delete message %lld: %s", (long long)id, tern_strerror(rc));
	if (rc != TERN_OK)
		return cli_exit_status(rc);
	push_now(c, acct, no_sync);
	return EXIT_OK;
}

/* The value of header name in a raw message (first occurrence, unfolded),
 * or NULL. Only for checking and labelling what the user gave us. */
static char *
header_value(const char *raw, size_t len, const char *name)
{
	size_t nlen = strlen(name), i = 0;
	while (i < len) {
		const char *line = raw + i;
		const char *eol = memchr(line, '\n', len - i);
		size_t llen = eol ? (size_t)(eol - line) : len - i;
		if (llen == 0 || (llen == 1 && line[0] == '\r'))
			return NULL;   /* end of the header block */
		if (llen > nlen && strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
			strbuf sb = STRBUF_INIT;
			sb_add(&sb, line + nlen + 1, llen - nlen - 1);
			i += llen + 1;
			while (i < len && (raw[i] == ' ' || raw[i] == '\t')) {
				const char *cont = raw + i;
				const char *ceol = memchr(cont, '\n', len - i);
				size_t clen = ceol ? (size_t)(ceol - cont) : len - i;
				sb_add(&sb, cont, clen);
				i += clen + 1;
			}
			{
				char *v = xstrdup(str_trim(sb.buf));
				sb_free(&sb);
				return v;
			}
		}
		i += llen + 1;
	}
	return NULL;
}

int
cmd_send(struct cli_ctx *c, int argc, char **argv)
{
	int no_sync = take_no_sync(&argc, argv), rc, how = 0, j = 0;
	const struct account_cfg *acct;
	int64_t account_id, outbox;
	char *raw = NULL, *to, *cc, *bcc, *msgid, *subject, *input = NULL;
	size_t len, input_len;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--sign") == 0)
			how |= CRYPT_SIGN;
		else if (strcmp(argv[i], "--encrypt") == 0)
			how |= CRYPT_ENCRYPT;
		else
			argv[j++] = argv[i];
	}
	argc = j;
	if (argc != 2 || argv[1][0] == '-') {
		cli_error("usage: tern send [--no-sync] [--sign] [--encrypt] ACCOUNT < MESSAGE");
		return EXIT_USAGE;
	}
	if ((rc = cli_account(c, argv[1], &acct, &account_id)) != EXIT_OK)
		return rc;
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "tern: reading the message from standard input (end with Ctrl-D)\n");
	if (fd_read_all(STDIN_FILENO, &raw, &len) != TERN_OK || len == 0) {
		cli_error("send: no message on standard input");
		free(raw);
		return EXIT_USAGE;
	}
	if (memchr(raw, '\0', len)) {
		cli_error("send: the message contains NUL bytes; it is not an RFC 5322 message");
		free(raw);
		return EXIT_USAGE;
	}
	input = xstrndup(raw, len);
	input_len = len;
	to = header_value(raw, len, "To");
	cc = header_value(raw, len, "Cc");
	bcc = header_value(raw, len, "Bcc");
	msgid = header_value(raw, len, "Message-ID");
	subject = header_value(raw, len, "Subject");
	if (!to && !cc && !bcc) {
		cli_error("send: the message has no To, Cc or Bcc header: nobody to send it to");
		rc = EXIT_USAGE;
		goto out;
	}
	{
		/* A script's message may lack what every message must have: add
		 * From, Date and Message-ID here, so the queued message is final. */
		char *from = header_value(raw, len, "From"), *date = header_value(raw, len, "Date");
		strbuf sb = STRBUF_INIT;
		if (!from) {
			char *h = mime_build_address_header("From", acct->real_name, acct->email);
			sb_adds(&sb, h);
			free(h);
		}
		if (!date) {
			char *d = msgid_date(time_now());
			sb_printf(&sb, "Date: %s\r\n", d);
			free(d);
		}
		if (!msgid) {
			msgid = msgid_new(acct->email);
			sb_printf(&sb, "Message-ID: %s\r\n", msgid);
		}
		if (sb.len) {
			sb_add(&sb, raw, len);
			free(raw);
			len = sb.len;
			raw = sb_steal(&sb);
		}
		sb_free(&sb);
		free(from);
		free(date);
	}
	{
		/* Raw UTF-8 in the header or body of a message without MIME
		 * headers would go out as undeclared 8-bit, a line past 998
		 * octets be refused by the server once queued: encode it now,
		 * so the queued message is what every server and reader accepts;
		 * its plain text goes flowed, as the composer's does. */
		size_t n, octets, at;
		int notes = 0;
		char *enc = mime_raw_encode(raw, len, acct->text_flowed, &n, &notes);
		if (enc) {
			free(raw);
			raw = enc;
			len = n;
		}
		if (notes & MIME_RAW_CONVERTED)
			fprintf(stderr, "tern: send: the body is not UTF-8: read as Latin-1 (Windows-1252) and sent as UTF-8\n");
		/* What is still too long is tern's to refuse, not to change: the
		 * writer's own MIME structure, or a header field. The line is
		 * counted in what was given, before tern added any field. */
		if (mime_raw_long_line(raw, len, 0, &octets)) {
			at = mime_raw_long_line(input, input_len, 0, &octets);
			cli_error("send: line %zu is %zu octets long, more than the 998 a mail line may have; "
			          "tern re-encodes only the body of a message without MIME headers of its own: "
			          "encode that part (quoted-printable or base64), or fold the header field", at, octets);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (acct->pgp_sign)
		how |= CRYPT_SIGN;
	if (acct->pgp_encrypt_if_possible && !(how & CRYPT_ENCRYPT) && crypt_can_encrypt(raw, len, NULL))
		how |= CRYPT_ENCRYPT;
	if (how) {
		/* Protected before it is queued: the queue, the server and the
		 * Sent copy only ever see the signed or encrypted message. */
		char *prot = NULL, *why = NULL;
		size_t n;
		if (crypt_protect(raw, len, how, acct->pgp_key, &prot, &n, &why) != TERN_OK) {
			char *safe = cli_term(text_sanitize(why, 0), stderr);
			cli_error("send: not sent: %s", safe);
			free(safe);
			free(why);
			rc = EXIT_FAIL;
			goto out;
		}
		free(raw);
		raw = prot;
		len = n;
	}
	if (db_change_send(c->db, account_id, raw, len, msgid, subject, &outbox) != TERN_OK) {
		cli_error("send: could not queue the message (database error)");
		rc = EXIT_DB;
		goto out;
	}
	push_now(c, acct, no_sync);
	rc = EXIT_OK;
out:
	free(input);
	free(raw);
	free(to);
	free(cc);
	free(bcc);
	free(msgid);
	free(subject);
	return rc;
}

/* Strips --force from argv (it may appear anywhere). */
static int
take_force(int *argc, char **argv)
{
	int found = 0, j = 0;
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			found = 1;
		else
			argv[j++] = argv[i];
	}
	*argc = j;
	return found;
}

/* A folder change the server refused (a name it has already, a role it
 * protects) is failed in the queue by the push: the command says so, with
 * the server's words, instead of "done". */
static int
mailbox_outcome(struct cli_ctx *c, const struct account_cfg *acct, int64_t change, int no_sync)
{
	struct queue_row q = { 0 };
	int rc = EXIT_OK;

	push_now(c, acct, no_sync);
	if (!no_sync && db_queue_get(c->db, change, &q) == TERN_OK && q.status == QUEUE_FAILED) {
		char *why = cli_term(text_sanitize(q.last_error, 0), stderr);
		cli_error("the server refused it: %s (tern queue shows it; retry or drop it there)", why);
		free(why);
		rc = EXIT_FAIL;
	}
	db_queue_row_free(&q);
	return rc;
}

static void
mailbox_refusal(int rc, const char *name, const char *acct)
{
	switch (rc) {
	case TERN_EINVAL:
		cli_error("'%s' cannot be a folder name (empty level, separator at an end, control "
		          "characters, * or %%, or too long)", name);
		break;
	case TERN_EBUSY:
		cli_error("account '%s' has a folder '%s' already", acct, name);
		break;
	case TERN_ENOTFOUND:
		cli_error("the folder above '%s' does not exist in account '%s'; create it first", name, acct);
		break;
	default:
		cli_error("could not change folder '%s': %s", name, tern_strerror(rc));
		break;
	}
}

int
cmd_mailbox(struct cli_ctx *c, int argc, char **argv)
{
	static const char usage[] =
		"usage: tern mailbox [--no-sync] create|rename|delete ACCOUNT NAME [NEW-NAME]\n"
		"       (delete [--force] to delete a folder that holds messages, with them)";
	int no_sync = take_no_sync(&argc, argv), force = take_force(&argc, argv), rc;
	const struct account_cfg *acct;
	struct mailbox_row mb = { 0 };
	int64_t account_id, id, change = 0;
	const char *verb = argc > 1 ? argv[1] : "";
	int create = str_eq(verb, "create"), rename = str_eq(verb, "rename"), del = str_eq(verb, "delete");

	if ((!create && !rename && !del) || argc != (rename ? 5 : 4) || (force && !del)) {
		cli_error("%s", usage);
		return EXIT_USAGE;
	}
	if ((rc = cli_account(c, argv[2], &acct, &account_id)) != EXIT_OK)
		return rc;
	if (create) {
		if ((rc = db_change_mailbox_create(c->db, account_id, argv[3], &id, &change)) != TERN_OK) {
			mailbox_refusal(rc, argv[3], acct->name);
			return cli_exit_status(rc);
		}
		return mailbox_outcome(c, acct, change, no_sync);
	}
	if ((rc = db_mailbox_find(c->db, account_id, argv[3], &mb)) != TERN_OK) {
		if (rc == TERN_EINVAL)
			cli_error("'%s' matches several folders in account '%s' when case and accents are ignored; "
			          "give its exact name", argv[3], acct->name);
		else if (rc == TERN_ENOTFOUND)
			cli_error("no folder '%s' in account '%s'", argv[3], acct->name);
		else
			cli_error("database error");
		return cli_exit_status(rc);
	}
	if (mailbox_role_parse(mb.role) != MAILBOX_ROLE_NONE) {
		char *name = cli_term(text_sanitize(mb.name, 0), stderr);
		cli_error("'%s' is the account's %s folder; tern does not %s special folders", name, mb.role, verb);
		free(name);
		db_mailbox_row_free(&mb);
		return EXIT_FAIL;
	}
	if (rename) {
		rc = db_change_mailbox_rename(c->db, mb.id, argv[4], &change);
		if (rc != TERN_OK)
			mailbox_refusal(rc, argv[4], acct->name);
	} else {
		rc = db_change_mailbox_delete(c->db, mb.id, force, &change);
		if (rc == TERN_EBUSY && mb.total > 0 && !force)
			cli_error("folder '%s' holds %lld message%s; give --force to delete them with it",
			          argv[3], (long long)mb.total, mb.total == 1 ? "" : "s");
		else if (rc == TERN_EBUSY)
			cli_error("folder '%s' has folders under it; delete those first", argv[3]);
		else if (rc != TERN_OK)
			cli_error("could not delete folder '%s': %s", argv[3], tern_strerror(rc));
	}
	db_mailbox_row_free(&mb);
	if (rc != TERN_OK)
		return cli_exit_status(rc);
	return mailbox_outcome(c, acct, change, no_sync);
}
