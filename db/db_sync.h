/* Server positions (sync_state), the per-cycle audit trail (sync_log) and
 * each account's live status (account_status, read by the UI and by other
 * processes). Write a position in the same transaction as the data it
 * describes, so a crash never leaves a state ahead of the data. */
#ifndef TERN_DB_SYNC_H
#define TERN_DB_SYNC_H

#include <stdint.h>
#include "db/db.h"

/* resource: "Mailbox", "Email", or "imap:<mailbox remote id>" (IMAP JSON
 * checkpoint {"uidvalidity":..,"uidnext":..,"highestmodseq":..}).
 * TERN_ENOTFOUND if none stored. *state is the caller's. */
int db_sync_state_get(db *d, int64_t account_id, const char *resource, char **state);
/* How many IMAP syncs of folder remote failed in a row (the count the IMAP
 * engine keeps as sync_state "imapfail:<remote>" = "COUNT UNIX-TIME"), 0
 * when the last one went well. */
int db_mailbox_failures(db *d, int64_t account_id, const char *remote);
int db_sync_state_put(db *d, int64_t account_id, const char *resource, const char *state);
int db_sync_state_delete(db *d, int64_t account_id, const char *resource);

struct sync_counts {
	int64_t added, updated, removed, pushed;
};
int db_sync_log_start(db *d, int64_t account_id, const char *protocol, int64_t *log_id);
/* result: "ok", "error" or "cancelled"; error may be NULL. */
int db_sync_log_end(db *d, int64_t log_id, const char *result, const char *error,
                    const struct sync_counts *c);

/* Live status. state: connecting, syncing, idle, offline, error, backoff.
 * detail: e.g. "INBOX 12,400/100,000". last_error NULL leaves it as it is;
 * "" clears it. */
int db_status_set(db *d, int64_t account_id, const char *state, const char *detail,
                  const char *last_error);
struct account_status {
	char *state;
	char *detail;
	char *last_error;         /* "" if none */
	int64_t updated_at;
};
int db_status_get(db *d, int64_t account_id, struct account_status *out);
void db_status_free(struct account_status *s);

#endif
