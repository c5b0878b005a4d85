/* Queries the screen needs beyond db_message_page(): the threaded view a
 * screen at a time (thread_mailbox, schema 4), and positions counted only up
 * to a bound, so no view ever costs the size of the mailbox. */
#ifndef TERN_DB_VIEW_H
#define TERN_DB_VIEW_H

#include <stdint.h>
#include "db/db.h"
#include "db/db_message.h"

/* A thread as seen from one mailbox: its newest visible message there and
 * how many of its messages are there. Display order: latest_at DESC,
 * thread_id DESC. */
struct thread_ref {
	int64_t latest_at;
	int64_t thread_id;
	int64_t n;
};

/* One page of threads of a mailbox, in display order. after: NULL for the
 * top (or, backward, the bottom); backward: the threads before after,
 * still delivered in display order. cb returns non-zero to stop. */
typedef int (*db_thread_cb)(const struct thread_ref *t, void *ctx);
int db_thread_page(db *d, int64_t mailbox_id, const struct thread_ref *after, int backward,
                   int limit, db_thread_cb cb, void *ctx);
/* The thread of msg_id as seen from mailbox_id. TERN_ENOTFOUND if the
 * message is not visible there. */
int db_thread_of(db *d, int64_t mailbox_id, int64_t msg_id, struct thread_ref *out);
/* The messages of a thread visible in mailbox_id, oldest first (rows owned
 * by the call). Costs the size of the thread. */
int db_thread_messages(db *d, int64_t mailbox_id, int64_t thread_id, db_msg_cb cb, void *ctx);

/* Whether msg_id is listed (not hidden by a pending move) in mailbox_id:
 * 1 yes, 0 no, negative TERN_* on error. */
int db_view_in_mailbox(db *d, int64_t mailbox_id, int64_t msg_id);
/* The account's message whose Message-ID is msgid (without brackets), the
 * newest if several: *id, or TERN_ENOTFOUND. */
int db_view_by_message_id(db *d, int64_t account_id, const char *msgid, int64_t *id);
/* The error of the account's newest failed queue row, for the status line:
 * *err (caller frees) or TERN_ENOTFOUND. Stops at the first one found. */
int db_view_failed_error(db *d, int64_t account_id, char **err);
/* How many rows come before cur in display order, counting at most limit:
 * *pos is -1 when there are more. db_view_after counts the rows after it
 * the same way. */
int db_view_before(db *d, int64_t mailbox_id, const struct msg_cursor *cur, int64_t limit, int64_t *pos);
int db_view_after(db *d, int64_t mailbox_id, const struct msg_cursor *cur, int64_t limit, int64_t *n);
/* The same in the threaded view: messages in the threads before t. */
int db_thread_before(db *d, int64_t mailbox_id, const struct thread_ref *t, int64_t limit, int64_t *pos);

#endif
