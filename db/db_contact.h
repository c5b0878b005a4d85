/* The address book (table contact) for completion in the composer's
 * address fields: most used first. */
#ifndef TERN_DB_CONTACT_H
#define TERN_DB_CONTACT_H

#include <stdint.h>
#include "db/db.h"

/* Calls cb for up to limit contacts of the account whose address or name
 * starts with prefix (case-insensitive), most used first; cb returns
 * non-zero to stop. TERN_OK. */
typedef int (*db_contact_cb)(const char *addr, const char *name, void *ctx);
int db_contact_complete(db *d, int64_t account_id, const char *prefix, int limit,
                        db_contact_cb cb, void *ctx);

/* Counts the senders of the messages listed in search_pending
 * (db_flush_new): one use per message. */
int db_contact_note_new(db *d);

#endif
