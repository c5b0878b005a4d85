/* IMAP-specific queries: a folder's messages by UID, what a sync removes,
 * where a message lives on the server. Mutators join the caller's
 * transaction (db_begin nests). */
#ifndef TERN_DB_IMAP_H
#define TERN_DB_IMAP_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"

struct db_imap_uid {
	uint32_t uid;
	int64_t msg_id;
	unsigned flags;            /* enum msg_flag */
	int hidden;                /* a queued move/delete took it away locally */
};

/* The rows of the mailbox with lo <= UID <= hi, ascending, at most max of
 * them into out[] (through the mm_uid index: callers walk a mailbox in
 * pages, never all of it in memory). */
int db_imap_uids_range(db *d, int64_t mailbox_id, uint32_t lo, uint32_t hi, struct db_imap_uid *out, size_t max,
                       size_t *n);
/* The message at (mailbox, uid). TERN_ENOTFOUND if none. keywords may be
 * NULL; else *keywords is the caller's. */
int db_imap_find(db *d, int64_t mailbox_id, uint32_t uid, struct db_imap_uid *out, char **keywords);
/* The server no longer has (mailbox, uid): the row goes, and the message
 * with it unless another mailbox still lists it. */
int db_imap_forget(db *d, int64_t mailbox_id, int64_t msg_id);
/* UIDVALIDITY changed: every row of the mailbox loses its UID (the resync
 * adopts them back by Message-ID, db_imap_adopt). */
int db_imap_forget_uids(db *d, int64_t mailbox_id);
/* Rows of the mailbox still without a UID that no queued change refers to
 * (a move, a delete, the append of a postponed draft) go (and messages no mailbox lists any more); *removed counts them. */
int db_imap_drop_unadopted(db *d, int64_t mailbox_id, int64_t *removed);
/* The highest UID stored for the mailbox, 0 if none. */
int db_imap_max_uid(db *d, int64_t mailbox_id, uint32_t *uid);
/* A row of the mailbox without UID (a move whose new UID was not
 * learnt) for this Message-ID takes uid: *msg_id, else TERN_ENOTFOUND. */
int db_imap_adopt(db *d, int64_t mailbox_id, const char *message_id, uint32_t uid, int64_t *msg_id);
/* How many rows of the mailbox have a UID. */
int db_imap_count(db *d, int64_t mailbox_id, int64_t *n);
/* The server confirmed a move: the destination row gets its UID. */
int db_imap_set_uid(db *d, int64_t msg_id, int64_t mailbox_id, uint32_t uid);
/* Removes the hidden source row of a finished move/delete (and the
 * message when no mailbox lists it any more). */
int db_imap_drop_hidden(db *d, int64_t msg_id, int64_t mailbox_id);
/* Where the message is on the server: a row with a UID, preferring
 * mailbox_id when given (0: any, visible first). *remote: caller frees. */
int db_imap_location(db *d, int64_t msg_id, int64_t mailbox_id, int64_t *mb_out, char **remote,
                     uint32_t *uid);
/* Queued (not failed) changes of a message are dropped: *n says how many.
 * Used when the server deleted the message (doc/CONFLICTS.md). */
int db_imap_queue_drop_for(db *d, int64_t msg_id, int *n);
/* A renamed server folder: the mailbox keeps its id and messages. */
int db_imap_mailbox_set_remote(db *d, int64_t mailbox_id, const char *remote_id);
/* The message's modseq as last seen (0: unknown). */
int db_imap_modseq(db *d, int64_t msg_id, int64_t *modseq);
int db_imap_set_modseq(db *d, int64_t msg_id, int64_t modseq);
/* The outbox row's Message-ID (as stored, maybe with brackets). */
int db_imap_outbox_msgid(db *d, int64_t outbox_id, char **message_id);

/* Damaged messages (message.damaged, migration 13): the UIDs in mailbox_id
 * of those last tried before `before` (unix seconds), ascending, at most
 * DB_IMAP_DAMAGED_MAX; *uids is the caller's to free. */
#define DB_IMAP_DAMAGED_MAX 20
int db_imap_damaged_due(db *d, int64_t mailbox_id, int64_t before, uint32_t **uids, size_t *n);
/* Records another failed attempt at msg_id's headers (when: unix seconds). */
int db_imap_set_damaged(db *d, int64_t msg_id, int64_t when);

#endif
