/* A mailbox in any order of src/base/sortorder.h, a screen at a time.
 * Each order has its key copied into message_mailbox when a message is
 * linked to a mailbox (schema 15) and an index (mailbox, key, received_at,
 * message_id), so a page is a range scan of that index whatever the size
 * of the mailbox, and ties (same subject, same size) fall back to the
 * arrival order, then the id: paging never skips or repeats a row. */
#ifndef TERN_DB_SORT_H
#define TERN_DB_SORT_H

#include <stdint.h>
#include "db/db.h"
#include "db/db_message.h"
#include "src/base/sortorder.h"

/* Text keys are cut to this many bytes (at a character boundary): enough
 * to tell subjects apart, and a cursor holds one without allocating. */
#define SORT_TEXT_MAX 60

/* Where a page starts: a row's key under the order in use. */
struct sort_cursor {
	int64_t key;              /* date, size, flagged, unread */
	char text[SORT_TEXT_MAX + 1];  /* from, to, subject */
	int64_t received_at;
	int64_t id;
};

/* The key text of a message under a text order (from, to, subject), as it
 * is stored: folded, cut to SORT_TEXT_MAX. Caller frees. */
char *db_sort_text(enum sort_order o, const char *subject, const char *from_name,
                   const char *from_addr, const char *to_list);
/* r's cursor under s, computed from the message (as stored at link time). */
void db_sort_cursor(const struct sort_spec *s, const struct msg_row *r, struct sort_cursor *c);

/* As db_message_page, in the order s (NULL: arrival); cb gets each row
 * with its cursor as the index holds it (where a page after it starts). */
typedef int (*db_sort_cb)(const struct msg_row *r, const struct sort_cursor *c, void *ctx);
int db_sort_page(db *d, int64_t mailbox_id, const struct sort_spec *s, const struct sort_cursor *after,
                 int backward, int limit, db_sort_cb cb, void *ctx);
/* How many rows come before cur in the order s, counting at most limit:
 * *pos is -1 when there are more. */
int db_sort_before(db *d, int64_t mailbox_id, const struct sort_spec *s, const struct sort_cursor *cur,
                   int64_t limit, int64_t *pos);
#endif
