/* Local changes, offline-first: each applies the new local state and queues
 * it for the server in one transaction, so the screen shows it at once and
 * the worker pushes it later. */
#ifndef TERN_DB_CHANGE_H
#define TERN_DB_CHANGE_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"

/* flag: MSG_SEEN, MSG_FLAGGED or MSG_ANSWERED. A change to the same flag
 * still waiting in the queue is replaced. No-op (and no queue row, *change_id
 * 0) when the flag already has that value. */
int db_change_flag(db *d, int64_t msg_id, unsigned flag, int on, int64_t *change_id);
/* Moves the message out of from_mailbox (0: the mailbox it is in) into
 * to_mailbox. TERN_EINVAL if it is already there. */
int db_change_move(db *d, int64_t msg_id, int64_t from_mailbox, int64_t to_mailbox, int64_t *change_id);
/* Deletes from mailbox (0: the one it is in): when to_trash a move to the
 * Trash (for good when it is in the Trash already), TERN_ENOTRASH when the
 * account has no Trash; without to_trash for good. */
int db_change_delete(db *d, int64_t msg_id, int64_t mailbox, int to_trash, int64_t *change_id);
/* Queues a complete RFC 5322 message for sending (and filing in Sent). */
int db_change_send(db *d, int64_t account_id, const char *raw, size_t len,
                   const char *message_id, const char *subject, int64_t *outbox_id);
/* Queues a message to be stored in mailbox (e.g. a draft), with flags.
 * local (may be NULL): the message is also in the mailbox at once, as a
 * local row without a UID (*msg_id; the caller caches its body), that the
 * server's copy becomes once the worker has stored it (UIDPLUS gives the
 * UID, JMAP the created id; else the sync adopts it by its Message-ID). */
struct msg_hdr;
int db_change_append(db *d, int64_t account_id, int64_t mailbox, const char *raw, size_t len,
                     unsigned flags, const struct msg_hdr *local, int64_t *outbox_id, int64_t *msg_id);
/* The append (queued or failed, not being stored now) whose local row is
 * msg_id: *change_id, or 0 when there is none. A draft resumed from such a
 * row replaces it by reverting that append. */
int db_change_append_of(db *d, int64_t msg_id, int64_t *change_id);
/* Folders, offline like the rest. Names are full paths with the account's
 * hierarchy separator ("Lists/été"). A create shows the folder at once
 * (*mailbox_id; the server's name or id comes with the push); a rename
 * shows the new name at once, also for the folders under it; a delete hides
 * the folder until the server has deleted it. Refusals, before anything is
 * written: TERN_EINVAL a name that cannot be one, TERN_EBUSY a name that
 * exists (create, rename) or a folder with folders under it or with
 * messages and !with_messages (delete), TERN_ENOTFOUND the parent folder
 * does not exist, TERN_EREFUSED a special folder (a role). */
int db_change_mailbox_create(db *d, int64_t account_id, const char *name, int64_t *mailbox_id, int64_t *change_id);
int db_change_mailbox_rename(db *d, int64_t mailbox_id, const char *new_name, int64_t *change_id);
int db_change_mailbox_delete(db *d, int64_t mailbox_id, int with_messages, int64_t *change_id);
/* For an engine pushing folder change q: its folder (*mb). TERN_ENOTFOUND
 * when it is gone (nothing to carry), TERN_EREFUSED with *err when it is a
 * rename or delete of a folder whose create did not reach the server. */
struct mailbox_row;
struct queue_row;
int db_change_mailbox_target(db *d, const struct queue_row *q, struct mailbox_row *mb, char **err);
/* Whether name could be created in the account now (the refusals above). */
int db_change_mailbox_check(db *d, int64_t account_id, const char *name);
/* Whether name is a folder path at all, with separator delim. */
int db_change_mailbox_name_ok(const char *name, char delim);

/* Takes back a change the worker has not started: restores the local state
 * and removes the row. TERN_EBUSY if it is being sent now, TERN_ENOTFOUND if
 * it is gone (already done: queue the inverse instead). Also used to drop a
 * failed change. */
int db_change_revert(db *d, int64_t change_id);

/* For the queue (db_queue.c), inside its transaction: while a move or
 * delete is failed its message is back in its source mailbox (where the
 * server still has it, shown with its failed mark) instead of in no list at
 * all; a retry hides it again (and shows it in the destination, if that
 * still exists). Other changes: nothing to do. */
struct queue_row;
int db_change_withdraw(db *d, const struct queue_row *q);
int db_change_reapply(db *d, const struct queue_row *q);

#endif
