/* One state machine for "submit, then file in Sent", for both engines
 * (doc/CONFLICTS.md, rule 5). outbox.stage goes queued -> submitting ->
 * submitted -> (row removed); "submitting" is written at the point of no
 * return (outbox_no_return), so that only a send that may really have gone
 * out is held for the user:
 * - queued: nothing reached the server; submit (a crash before the point
 *   of no return leaves it queued: a plain retry).
 * - submitting on entry, or a failure after the point of no return without
 *   the server's answer: the engine looks on the server (verify). Proof it
 *   went: done. Proof it did not: submit again. No proof: the send fails
 *   with SMTP_OUTCOME_UNKNOWN (TERN_EREFUSED) and waits for `tern queue
 *   retry`, which puts the stage back to queued.
 * - submitted: only the copy in Sent is left to file.
 * Each engine plugs its steps in through struct outbox_ops. What the
 * runtime does with a failure is the error table's (src/err.h). */
#ifndef TERN_OUTBOX_H
#define TERN_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "src/config/conf.h"
#include "db/db_queue.h"
#include "sync/engine.h"

/* What the server shows about a send whose outcome was unknown. */
enum outbox_proof {
	OUTBOX_PROOF_NONE,        /* nothing either way: hold it for the user */
	OUTBOX_PROOF_SENT,        /* it went (a copy filed in Sent) */
	OUTBOX_PROOF_NOT_SENT     /* it did not go (JMAP: still a draft) */
};

/* One send in progress. */
struct outbox_send {
	struct sync_ctx *ctx;
	const struct queue_row *q;    /* resource_id is the outbox row */
	const char *who;              /* "imap NAME", for the log */
	const char *raw;
	size_t len;
	enum outbox_stage stage;      /* as recorded */
	int resumed;                  /* the stage on entry was not queued */
};

struct outbox_ops {
	/* What the server shows after a failure past the point of no return. */
	int (*verify)(void *eng, struct outbox_send *s, enum outbox_proof *proof, char **err);
	/* Hands the message over; calls outbox_no_return(s) at the point of
	 * no return and gives up with its code if it fails. *unknown: it
	 * failed after that point without the server's answer. */
	int (*submit)(void *eng, struct outbox_send *s, int *unknown, char **err);
	/* Files the copy in Sent (once), or nothing where the submission did. */
	int (*file)(void *eng, struct outbox_send *s, char **err);
};

/* Moves the send on from s->stage to its end: TERN_OK when done (the
 * outbox and queue rows are gone), else the failure for the error table. */
int outbox_run(const struct outbox_ops *ops, void *eng, struct outbox_send *s, char **err);

/* Records durably that the point of no return starts (stage submitting). */
int outbox_no_return(struct outbox_send *s);

/* The submit step over the account's SMTP server (either engine), or
 * over the way out of the [identity] whose address is the From: its
 * sendmail command, or its SMTP settings. */
int outbox_smtp_submit(const struct account_cfg *acct, struct outbox_send *s, int *unknown, char **err);
/* Whether the message's From is an identity with a way out of its own
 * (then a JMAP account sends it that way, not by EmailSubmission). */
int outbox_identity_routes(const struct account_cfg *acct, const char *raw, size_t len);

#endif
