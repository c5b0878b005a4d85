/* JMAP-specific queries: messages by their JMAP email id, mailbox
 * membership replaced from an Email's mailboxIds, the sweep after a full
 * resync. Mutators join the caller's transaction (db_begin nests). */
#ifndef TERN_DB_JMAP_H
#define TERN_DB_JMAP_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"

struct db_jmap_msg {
	int64_t id;
	unsigned flags;            /* enum msg_flag */
	char *keywords;            /* other keywords, space-separated */
};
void db_jmap_msg_free(struct db_jmap_msg *m);

/* The message of the account with this email id. TERN_ENOTFOUND if none. */
int db_jmap_message_find(db *d, int64_t account_id, const char *email_id, struct db_jmap_msg *out);
/* The JMAP ids of a local message (caller frees). TERN_ENOTFOUND if the
 * message is gone or has no email id. */
int db_jmap_message_remote(db *d, int64_t msg_id, char **email_id, char **blob_id);
/* The local row of an append (a postponed draft) becomes the email the
 * server created: Email/changes then finds it rather than adding a second.
 * Nothing happens when the message is gone or has an email id. */
int db_jmap_set_remote(db *d, int64_t msg_id, const char *email_id, const char *blob_id);

/* Makes the message's mailboxes exactly mbs[0..n), all visible. Only for a
 * message without a queued move or delete (db_queue_pending_for): a hidden
 * row is then what a failed one left. *changed: whether any row moved. */
int db_jmap_set_mailboxes(db *d, int64_t msg_id, const int64_t *mbs, size_t n, int64_t received_at,
                          int *changed);
/* Removes the message with this email id (Email/changes destroyed).
 * *found: whether there was one. */
int db_jmap_destroy(db *d, int64_t account_id, const char *email_id, int *found);

/* Full resync: the email ids of the account's messages, a page of up to
 * limit with message ids above *after (which advances), leaving out those a
 * queued local change refers to (its push decides). The caller asks the
 * server about each and removes what it does not have. */
int db_jmap_email_ids_page(db *d, int64_t account_id, int64_t *after, int limit, char ***ids, int *n);
void db_jmap_ids_free(char **ids, int n);
/* The remote ids of the mailboxes a message is in locally (hidden rows
 * too). */
int db_jmap_message_mailbox_rids(db *d, int64_t msg_id, char ***rids, int *n);
/* Whether the account has any message. */
int db_jmap_has_messages(db *d, int64_t account_id, int *has);

/* A renamed mailbox: descendants "old/..." become "new/...". */
int db_jmap_mailbox_rename_children(db *d, int64_t account_id, const char *old_name,
                                    const char *new_name);
/* Removes sync_state rows of the account whose resource starts with prefix. */
int db_jmap_state_clear_prefix(db *d, int64_t account_id, const char *prefix);
/* The outbox row's Message-ID (without angle brackets; caller frees). */
int db_jmap_outbox_message_id(db *d, int64_t outbox_id, char **message_id);

#endif
