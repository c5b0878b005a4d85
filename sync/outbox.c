/* The outbox state machine (sync/outbox.h). */
#include "config.h"

#include <stdlib.h>

#include "db/db_queue.h"
#include "src/base/crashpoint.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/outbox.h"
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

int
outbox_smtp_submit(const struct account_cfg *acct, struct outbox_send *s, int *unknown, char **err)
{
	struct smtp_hook hook = { at_data, s };
	struct smtp_envelope env;
	int rc;

	*unknown = 0;
	if (smtp_envelope_build(s->raw, s->len, &env, err) != TERN_OK)
		return TERN_EREFUSED;
	rc = smtp_send(acct, s->ctx->password, &env, &hook, s->ctx->stop, unknown, err);
	smtp_envelope_free(&env);
	/* The SMTP server is a connection of its own: when it cannot be
	 * reached the account's connection is fine, and the send waits for a
	 * later try with the reason shown, for both engines alike. */
	if (rc == TERN_ENET || rc == TERN_ETIMEOUT)
		rc = TERN_ETEMPFAIL;
	return rc;
}
