/* The durable outbound queue (pending_change) and the raw messages waiting to
 * be sent or appended (outbox). A row is committed before the server is
 * touched and removed only when the server confirmed it.
 *
 * Each row is one struct change (db/db_types.h), stored as typed columns
 * that only this file's codec reads and writes (ids are local ids):
 *   flag    resource_id=message  flag (MSG_SEEN|FLAGGED|ANSWERED), flag_on
 *   move    resource_id=message  from_mailbox, to_mailbox, is_delete (a
 *           delete carried out as a move to Trash)
 *   delete  resource_id=message  from_mailbox: expunge/destroy there
 *   send    resource_id=outbox   (none) submit, then file in Sent
 *   append  resource_id=outbox   to_mailbox, append_flags (MSG_*),
 *           local_message (the local row shown meanwhile, 0 if none)
 *   mailbox_create  resource_id=mailbox  mailbox_name (the local row has
 *           it at once, its remote_id a placeholder until the worker
 *           created it)
 *   mailbox_rename  resource_id=mailbox  mailbox_name (shown at once),
 *           old_name (what undo and a failure give back)
 *   mailbox_delete  resource_id=mailbox  is_delete: the user agreed to
 *           delete the folder's messages too (the folder is hidden meanwhile)
 * Columns of other kinds are 0. change_version is the layout (1); before
 * schema 11 these were a JSON payload, converted by that migration.
 * For move and delete the source row stays in message_mailbox, hidden, with
 * its UID, until the worker has done the change; while the change is
 * failed, the source row is visible again (db_queue_fail). */
#ifndef TERN_DB_QUEUE_H
#define TERN_DB_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"
#include "db/db_types.h"

struct queue_row {
	int64_t id;
	int64_t account_id;
	enum resource_type resource_type;
	int64_t resource_id;
	struct change change;
	int64_t created_at;
	int attempts;
	char *last_error;         /* "" when none */
	enum queue_status status;
	int64_t next_attempt_at;
};

void db_queue_row_free(struct queue_row *r);

/* Queues c about resource_id (a message or an outbox row, as its kind
 * says). *id (may be NULL) gets the row's id. */
int db_queue_add(db *d, int64_t account_id, int64_t resource_id, const struct change *c, int64_t *id);
/* The oldest row of the account with id > after_id that is queued (or was
 * left "sending" by a crash) and due at now. TERN_ENOTFOUND when none. */
int db_queue_next(db *d, int64_t account_id, int64_t now, int64_t after_id, struct queue_row *out);
int db_queue_get(db *d, int64_t id, struct queue_row *out);
int db_queue_set_status(db *d, int64_t id, enum queue_status status);
/* The worker takes a row db_queue_next gave it in hand (status sending):
 * *claimed 0 when it is gone or failed since (the user took it back). */
int db_queue_claim(db *d, int64_t id, int *claimed);
/* The server confirmed it: the row goes. */
int db_queue_done(db *d, int64_t id);
/* Records the error and one more attempt. final: status failed (shown to the
 * user, kept until retried or dropped); else queued again from retry_at. */
int db_queue_fail(db *d, int64_t id, const char *error, int final, int64_t retry_at);
/* The folder mailbox_id is gone from the server: every queued move into it
 * and append to it fails with error (it names the folder); those failed
 * already get error as their reason. */
int db_queue_fail_into(db *d, int64_t mailbox_id, const char *error);
/* A failed row goes back in the queue with its attempts reset; a send
 * whose outcome was unknown (outbox stage submitting) is sent again. */
int db_queue_retry(db *d, int64_t id);
/* account_id 0: all accounts. */
int db_queue_counts(db *d, int64_t account_id, int64_t *queued, int64_t *failed);
typedef int (*db_queue_cb)(const struct queue_row *r, void *ctx);
int db_queue_each(db *d, int64_t account_id, db_queue_cb cb, void *ctx);
/* Which flags of a message have a local change waiting or failed (enum
 * msg_flag), and whether a move/delete of it is waiting: a sync must not
 * overwrite them. */
int db_queue_pending_for(db *d, int64_t message_id, unsigned *flag_mask, int *moving);

/* Outbox. A send's stage (sync/outbox.c moves it on):
 *   queued      nothing has reached the server: a crash means a plain retry
 *   submitting  the point of no return started (SMTP DATA's body going
 *               out, the EmailSubmission/set on its way) and its answer is
 *               not recorded: after a crash the outcome is unknown
 *   submitted   the server took it; only the copy in Sent is left */
enum outbox_stage {
	OUTBOX_QUEUED,
	OUTBOX_SUBMITTING,
	OUTBOX_SUBMITTED
};
/* The column's text and back; TERN_EINVAL for a text that is no stage. */
const char *db_outbox_stage_name(enum outbox_stage stage);
int db_outbox_stage_parse(const char *name, enum outbox_stage *stage);

/* stage may be NULL. */
int db_outbox_get(db *d, int64_t id, char **raw, size_t *len, enum outbox_stage *stage);
int db_outbox_set_stage(db *d, int64_t id, enum outbox_stage stage);
int db_outbox_delete(db *d, int64_t id);

#endif
