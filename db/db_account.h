/* Accounts: one row per [account NAME] of the config, created on demand. */
#ifndef TERN_DB_ACCOUNT_H
#define TERN_DB_ACCOUNT_H

#include <stdint.h>
#include "db/db.h"

/* The id of account name, creating the row if needed. protocol: "imap"/"jmap".
 * A changed protocol for an existing name is TERN_ECONFIG (its data would
 * not fit): the user must remove the account's data first. */
int db_account_ensure(db *d, const char *name, const char *protocol,
                      const char *email, int64_t *id);
/* TERN_ENOTFOUND if the account has never been used. */
int db_account_id(db *d, const char *name, int64_t *id);
/* Caller frees *name. */
int db_account_name(db *d, int64_t id, char **name);

#endif
