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

#endif
