/* New mail, as the UI learns of it from the database: the messages a
 * worker stored since the last look, counted per mailbox. */
#ifndef TERN_DB_NEWMAIL_H
#define TERN_DB_NEWMAIL_H

#include <stdint.h>
#include "db/db.h"

/* The highest message id stored so far (0 when none): the mark the next
 * db_newmail_count starts after. */
int db_newmail_mark(db *d, int64_t *mark);

/* For each mailbox holding unread, visible messages with an id in
 * (after, upto] that arrived (received_at) at or after since: cb with its
 * account, name and count, the most first. cb returns non-zero to stop. */
typedef int (*db_newmail_cb)(int64_t account_id, const char *mailbox, int64_t n, void *ctx);
int db_newmail_count(db *d, int64_t after, int64_t upto, int64_t since, db_newmail_cb cb, void *ctx);

/* The account's highest message id (0 when none): where the next
 * db_newmail_received starts. */
int db_newmail_account_mark(db *d, int64_t account_id, int64_t *mark);
/* Mail the account received after the mark: its messages with an id above
 * after, unread, listed in a mailbox other than Sent, Drafts, Trash, Junk
 * and Archive (a copy filed there is not mail received), oldest first, at
 * most limit. cb gets each id and one such mailbox; non-zero stops. */
typedef int (*db_newmail_msg_cb)(int64_t message_id, int64_t mailbox_id, void *ctx);
int db_newmail_received(db *d, int64_t account_id, int64_t after, int limit, db_newmail_msg_cb cb, void *ctx);

#endif
