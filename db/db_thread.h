/* What a collapsed thread shows (ui/msglist_fold.c): its first message, its
 * size and whether it holds unread or flagged mail, and its message ids for
 * an action on the whole thread. Each costs the size of the thread in one
 * mailbox (through message_thread), never the size of the mailbox. */
#ifndef TERN_DB_THREAD_H
#define TERN_DB_THREAD_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"

struct thread_sum {
	int64_t first_id;         /* the oldest message visible in the mailbox */
	int64_t n;                /* messages visible in the mailbox */
	int64_t unread;
	int flagged;              /* any of them flagged */
};

/* Thread thread_id as seen from mailbox_id. TERN_ENOTFOUND when none of
 * its messages is visible there. */
int db_thread_summary(db *d, int64_t mailbox_id, int64_t thread_id, struct thread_sum *out);
/* The ids of its messages visible in mailbox_id, oldest first: *ids
 * (caller frees) and *n. */
int db_thread_ids(db *d, int64_t mailbox_id, int64_t thread_id, int64_t **ids, size_t *n);

#endif
