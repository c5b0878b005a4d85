/* The address book (table contact) for completion in the composer's
 * address fields: most used first. The people who write to us and the
 * people we write to are counted. Address lists are parsed with the MIME
 * library's parser (pure string work, no I/O), which is the one place the
 * db layer reads mail syntax. */
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
 * (db_flush_new): one use per message; and for the messages among them
 * that are our own (From is the account's address, or filed in Sent; not
 * drafts), the To and Cc, unless db_contact_note_outgoing() counted that
 * message already when it was queued. */
int db_contact_note_new(db *d);

/* A message of ours being queued for sending (raw RFC 5322): one use for
 * each address of its To, Cc and Bcc, now, in the caller's transaction; its
 * Message-ID is remembered so the copy that later arrives in Sent does not
 * count again. */
int db_contact_note_outgoing(db *d, int64_t account_id, const char *raw, size_t len,
                             const char *message_id);

#endif
