/* The local search index: results of a parsed query (src/search.h) a screen
 * at a time, newest first, and the results a server search added. A search
 * is a virtual mailbox: pages mirror db_message_page() (db/db_message.h), so
 * the message list can show them and act on them like any mailbox.
 *
 * Order: local results first (newest first), then the server's extra
 * results (newest first), so rows already shown never move when the
 * server answers. */
#ifndef TERN_DB_SEARCH_H
#define TERN_DB_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"
#include "db/db_message.h"
#include "src/search/search.h"

/* The accounts searched: ids[0..n); n == 0 means every account. */
struct search_scope {
	const int64_t *account_ids;
	size_t n;
};

/* The last row of a page, where the next one starts. */
struct search_cursor {
	int server;               /* the row came from the server's results */
	int64_t received_at;
	int64_t id;
};

/* cb gets each row (owned by the call) and whether only the server found it;
 * non-zero stops. r->mailbox_id is one visible mailbox of the message. */
typedef int (*db_search_cb)(const struct msg_row *r, int server_hit, void *ctx);

/* One page in display order. after: the previous page's last row (NULL: the
 * top); backward: the page before after (NULL: the bottom), still delivered
 * in display order. TERN_EDB on a database error. */
int db_search_page(db *d, const search_query *q, const struct search_scope *sc,
                   const struct search_cursor *after, int backward, int limit,
                   db_search_cb cb, void *ctx);
/* A limit: the rows of one mailbox matching q, in the mailbox's own order
 * (db_message_page: the mailbox row's date, then id), local matches only.
 * The cursor's server field is ignored. */
int db_search_limit_page(db *d, const search_query *q, int64_t mailbox_id, const struct search_cursor *after,
                         int backward, int limit, db_search_cb cb, void *ctx);
/* Counts up to max (a limit's count is on screen: it must not cost the
 * size of the mailbox); *n is -1 when there are more. */
int db_search_limit_count(db *d, const search_query *q, int64_t mailbox_id, int64_t max, int64_t *n);
/* How many rows the search has: local matches, and server-only ones. */
int db_search_count(db *d, const search_query *q, const struct search_scope *sc,
                    int64_t *local, int64_t *server);

/* Server results of q for one account, replacing earlier ones (call
 * db_search_hits_clear, then add per mailbox, in one transaction). Unknown
 * UIDs / ids (not synced yet) are skipped; *added counts the rest. */
int db_search_hits_clear(db *d, const search_query *q, int64_t account_id);
int db_search_hits_add_uids(db *d, const search_query *q, int64_t mailbox_id,
                            const uint32_t *uids, size_t n, int64_t *added);
int db_search_hits_add_email_ids(db *d, const search_query *q, int64_t account_id,
                                 const char *const *email_ids, size_t n, int64_t *added);

/* Messages of the account received since `since` whose body is not cached,
 * newest first: what a prefetch fetches. Fills ids[0..*n), *n <= max. */
int db_search_uncached(db *d, int64_t account_id, int64_t since, int64_t *ids, int max, int *n);
/* Whether the account has any message without a cached body (a server
 * search can then find what the index cannot). */
int db_search_has_uncached(db *d, int64_t account_id, int *yes);

/* Bodies cached before the index existed, waiting to be indexed: up to max
 * ids, oldest first; db_search_reindex_done() takes one off the list. */
int db_search_reindex_next(db *d, int64_t *ids, int max, int *n);
int db_search_reindex_done(db *d, int64_t message_id);
/* Puts text in the message's body column of the index (inside the caller's
 * transaction, next to the body). */
int db_search_index_body(db *d, int64_t message_id, const char *text);
/* Indexes the messages listed in search_pending (db_flush_new). */
int db_search_index_new(db *d);

#endif
