/* Caching a fetched message body: stores the raw message, and keeps what is
 * derived from it (attachment list, search index) in the same transaction.
 * Engines call this, never db_body_put() directly. */
#ifndef TERN_BODY_H
#define TERN_BODY_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"

int body_store(db *d, int64_t msg_id, const char *raw, size_t len);

/* Indexes up to max bodies that were cached before the search index
 * existed; *left says whether more wait. Cheap when none do. */
int body_reindex(db *d, int max, int *left);

/* The search index's body text of msg_id made from raw instead of the
 * cached body: a message decrypted in memory, when the user allows its text
 * on disk (cache_decrypted = yes). The cached body is left as it is. */
int body_index_text(db *d, int64_t msg_id, const char *raw, size_t len);

#endif
