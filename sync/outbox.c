/* The outbox state machine (sync/outbox.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_queue.h"
#include "src/base/crashpoint.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "src/base/proc.h"
#include "src/base/strbuf.h"
#include "sync/outbox.h"
#include "sync/net/sendmail.h"
#include "sync/net/smtp_send.h"
#include "src/base/util.h"

static int
set_stage(struct outbox_send *s, enum outbox_stage stage)
{
	db *d = s->ctx->db;
	int rc = db_begin(d);
	if (rc == TERN_OK && (rc = db_outbox_set_stage(d, s->q->resource_id, stage)) == TERN_OK &&
	    (rc = db_commit(d)) == TERN_OK) {
		s->stage = stage;
		return TERN_OK;
	}
	db_rollback(d);
	return rc == TERN_OK ? TERN_EDB : rc;
}

int
outbox_no_return(struct outbox_send *s)
{
	return set_stage(s, OUTBOX_SUBMITTING);
}

/* The outbox row and its queue row go together: no restart finds one
 * without the other. */
static int
finish(struct outbox_send *s)
{
	db *d = s->ctx->db;
	int rc = db_begin(d);
	if (rc == TERN_OK && (rc = db_outbox_delete(d, s->q->resource_id)) == TERN_OK &&
	    (rc = db_queue_done(d, s->q->id)) == TERN_OK)
		return db_commit(d);
	db_rollback(d);
	return rc == TERN_OK ? TERN_EDB : rc;
}

static void
set_err(char **err, const char *text)
{
	free(*err);
	*err = xstrdup(text);
}

int
outbox_run(const struct outbox_ops *ops, void *eng, struct outbox_send *s, char **err)
{
	enum outbox_proof proof;
	int rc = TERN_OK, unknown = 0, failed = TERN_OK;

	s->resumed = s->stage != OUTBOX_QUEUED;
	if (s->stage == OUTBOX_SUBMITTING)
		goto verify;
	if (s->stage == OUTBOX_SUBMITTED)
		goto file;
submit:
	rc = ops->submit(eng, s, &unknown, err);
	if (rc == TERN_OK)
		goto submitted;
	if (s->stage != OUTBOX_SUBMITTING)
		return rc;   /* nothing left the house */
	if (!unknown) {
		/* The server answered (a refusal, say): nothing went. */
		int src = set_stage(s, OUTBOX_QUEUED);
		return src != TERN_OK ? src : rc;
	}
	log_warn("%s: outbox %lld: %s", s->who, (long long)s->q->resource_id, *err ? *err : tern_strerror(rc));
	failed = rc;
verify:
	/* Past the point of no return without an answer: only the server
	 * can tell. A failure to ask leaves the stage for the next attempt. */
	proof = OUTBOX_PROOF_NONE;
	if ((rc = ops->verify(eng, s, &proof, err)) != TERN_OK)
		return rc;
	switch (proof) {
	case OUTBOX_PROOF_SENT:
		log_info("%s: outbox %lld was sent before a restart; not sending again", s->who,
		         (long long)s->q->resource_id);
		/* Its stage never said so: the hook has not heard of it. */
		if (s->ctx->sent)
			s->ctx->sent(s->ctx, s->q->resource_id, s->raw, s->len);
		return finish(s);
	case OUTBOX_PROOF_NOT_SENT:
		log_info("%s: outbox %lld did not reach the server; sending it", s->who, (long long)s->q->resource_id);
		if (failed != TERN_OK) {
			/* This attempt's own failure: the error table decides when
			 * to try again. */
			rc = set_stage(s, OUTBOX_QUEUED);
			return rc != TERN_OK ? rc : failed;
		}
		goto submit;
	case OUTBOX_PROOF_NONE:
		break;
	}
	/* Sending again could deliver twice: the user decides. */
	log_warn("%s: outbox %lld: the outcome is unknown; not resending by itself", s->who,
	         (long long)s->q->resource_id);
	set_err(err, SMTP_OUTCOME_UNKNOWN);
	return TERN_EREFUSED;
submitted:
	if ((rc = set_stage(s, OUTBOX_SUBMITTED)) != TERN_OK)
		return rc;
	log_info("%s: outbox %lld sent", s->who, (long long)s->q->resource_id);
	crashpoint("outbox-submitted");
	if (s->ctx->sent)
		s->ctx->sent(s->ctx, s->q->resource_id, s->raw, s->len);
file:
	if ((rc = ops->file(eng, s, err)) != TERN_OK)
		return rc;
	return finish(s);
}

static int
at_data(void *arg)
{
	return outbox_no_return(arg);
}

static int
smtp_retry_token(const struct account_cfg *acct, struct outbox_send *s, const struct smtp_envelope *env,
                 const struct smtp_hook *hook, int *unknown, char **err)
{
	char *token = NULL, *why = NULL;
	int rc;

	log_info("%s: the SMTP server refused the access token; running oauth_token_cmd again", s->who);
	if ((rc = conf_password(acct, &token, &why)) != TERN_OK) {
		free(*err);
		*err = why;
		return rc;
	}
	free(*err);
	*err = NULL;
	rc = smtp_send(acct, token, env, hook, s->ctx->stop, unknown, err);
	explicit_bzero(token, strlen(token));
	free(token);
	if (rc == TERN_EAUTH) {
		char *first = *err;
		*err = xasprintf("the token from oauth_token_cmd was refused: %s", first ? first : tern_strerror(rc));
		free(first);
	}
	return rc;
}

/* How long an identity's sendmail command may take to take the message. */
#define SENDMAIL_TIMEOUT_MS 120000

/* The identity a message is sent as when it has a way out of its own. */
static const struct identity_cfg *
own_way(const struct account_cfg *acct, const char *from)
{
	const struct identity_cfg *id = conf_identity_by_email(acct, from);
	return id && (id->sendmail || id->smtp_host || id->smtp_port || id->smtp_tls_set || id->username ||
	              id->password_cmd) ? id : NULL;
}

int
outbox_identity_routes(const struct account_cfg *acct, const char *raw, size_t len)
{
	struct smtp_envelope env;
	char *err = NULL;
	int yes = 0;
	if (smtp_envelope_build(raw, len, &env, &err) == TERN_OK) {
		yes = own_way(acct, env.from) != NULL;
		smtp_envelope_free(&env);
	}
	free(err);
	return yes;
}

/* The identity's sendmail command, as mutt runs $sendmail: the message
 * (LF line ends, no Bcc) on stdin, the recipients as arguments. */
static int
sendmail_run(const struct identity_cfg *id, const struct smtp_envelope *env, struct outbox_send *s,
             int *unknown, char **err)
{
	char **argv = xcalloc(env->nrcpt + 5, sizeof *argv), *out = NULL, *cmd = xasprintf("%s \"$@\"", id->sendmail);
	strbuf msg = STRBUF_INIT;
	size_t outlen = 0, k = 0;
	int rc, status = -1;

	argv[k++] = "/bin/sh";
	argv[k++] = "-c";
	argv[k++] = cmd;
	argv[k++] = "sendmail";
	for (size_t i = 0; i < env->nrcpt; i++)
		argv[k++] = env->rcpt[i];
	for (size_t i = 0; i < env->len; i++)
		if (!(env->data[i] == '\r' && i + 1 < env->len && env->data[i + 1] == '\n'))
			sb_addc(&msg, env->data[i]);
	/* The command may deliver as soon as it reads: past this, a crash
	 * leaves the outcome to the user. */
	if ((rc = outbox_no_return(s)) != TERN_OK)
		goto out;
	rc = proc_run_status(argv, msg.buf ? msg.buf : "", msg.len, SENDMAIL_TIMEOUT_MS, &out, &outlen, &status);
	if (rc == TERN_ETIMEOUT) {
		*unknown = 1;
		*err = xasprintf("identity '%s': sendmail did not finish within %d s", id->name, SENDMAIL_TIMEOUT_MS / 1000);
	} else if (rc != TERN_OK) {
		/* It said no (its exit status): nothing went. */
		*err = xasprintf("identity '%s': sendmail command failed (exit status %d)", id->name, status);
		rc = TERN_ETEMPFAIL;
	} else {
		log_info("%s: outbox %lld handed to identity '%s''s sendmail", s->who, (long long)s->q->resource_id, id->name);
	}
out:
	free(out);
	free(cmd);
	free(argv);
	sb_free(&msg);
	return rc;
}

int
outbox_smtp_submit(const struct account_cfg *acct, struct outbox_send *s, int *unknown, char **err)
{
	struct smtp_hook hook = { at_data, s };
	struct smtp_envelope env;
	const struct identity_cfg *id;
	struct account_cfg over;
	const char *password = s->ctx->password;
	char *own_password = NULL;
	int rc;

	*unknown = 0;
	if (smtp_envelope_build(s->raw, s->len, &env, err) != TERN_OK)
		return TERN_EREFUSED;
	/* The account's sendmail, unless the From's identity has a way out
	 * of its own. */
	if (account_sendmail(acct) && !own_way(acct, env.from)) {
		smtp_envelope_free(&env);
		return sendmail_send(acct, account_sendmail(acct), s->raw, s->len, &hook, unknown, err);
	}
	/* The identity of the From, if it goes out its own way: its sendmail,
	 * or its SMTP settings over the account's (same login). */
	id = own_way(acct, env.from);
	if (id && id->sendmail) {
		rc = sendmail_run(id, &env, s, unknown, err);
		smtp_envelope_free(&env);
		return rc;
	}
	if (id) {
		over = *acct;
		over.smtp_host = id->smtp_host ? id->smtp_host : acct->smtp_host;
		over.smtp_tls = id->smtp_tls_set ? id->smtp_tls : acct->smtp_tls;
		over.smtp_port = id->smtp_port ? id->smtp_port :
		                 id->smtp_host || id->smtp_tls_set ? (over.smtp_tls == TLS_IMPLICIT ? 465 : 587) :
		                 acct->smtp_port;
		over.username = id->username ? id->username : acct->username;
		if (id->password_cmd) {
			/* Its own login: asked for each send, never kept. */
			over.password = NULL;
			over.password_cmd = id->password_cmd;
			if (conf_password(&over, &own_password, err) != TERN_OK) {
				smtp_envelope_free(&env);
				return TERN_ETEMPFAIL;
			}
			password = own_password;
		}
		acct = &over;
	}
	rc = smtp_send(acct, password, &env, &hook, s->ctx->stop, unknown, err);
	/* A refused token is most likely expired: a fresh one from the
	 * command, one more try (nothing of the message went yet). */
	if (rc == TERN_EAUTH && !id && conf_uses_token(acct) && !*unknown && s->stage != OUTBOX_SUBMITTING)
		rc = smtp_retry_token(acct, s, &env, &hook, unknown, err);
	smtp_envelope_free(&env);
	if (own_password) {
		explicit_bzero(own_password, strlen(own_password));
		free(own_password);
	}
	/* The SMTP server is a connection of its own: when it cannot be
	 * reached the account's connection is fine, and the send waits for a
	 * later try with the reason shown, for both engines alike. */
	if (rc == TERN_ENET || rc == TERN_ETIMEOUT)
		rc = TERN_ETEMPFAIL;
	return rc;
}
