/* Mailboxes of an account. Rows returned in a struct mailbox_row are owned by
 * the caller: release the strings with db_mailbox_row_free(). */
#ifndef TERN_DB_MAILBOX_H
#define TERN_DB_MAILBOX_H

#include <stdint.h>
#include "db/db.h"
#include "db/db_types.h"

struct mailbox_row {
	int64_t id;
	int64_t account_id;
	int64_t parent_id;      /* 0: top level */
	char *remote_id;        /* IMAP name as on the wire (modified UTF-7), or JMAP id */
	char *name;             /* full decoded path, e.g. "Lists/tern-dev" */
	char *delim;            /* hierarchy separator ("/" for JMAP) */
	char *role;             /* as stored (mailbox_role_parse), or NULL */
	int selectable;
	int64_t total;
	int64_t unread;
};

/* What a sync engine knows about a server mailbox. */
struct mailbox_info {
	const char *remote_id;
	const char *name;
	const char *delim;
	const char *role;               /* NULL: none */
	const char *parent_remote_id;   /* NULL: top level */
	int selectable;
	int subscribed;
	int has_counts;                 /* total/unread below are valid */
	int64_t total;
	int64_t unread;
};

void db_mailbox_row_free(struct mailbox_row *r);

int db_mailbox_get(db *d, int64_t id, struct mailbox_row *out);
/* By exact name, then by role ("inbox", "sent", ...), then by name ignoring
 * case in any script ("été" finds "Été"). TERN_ENOTFOUND if none,
 * TERN_EINVAL if several mailboxes match only ignoring case. */
int db_mailbox_find(db *d, int64_t account_id, const char *name_or_role, struct mailbox_row *out);
int db_mailbox_by_remote(db *d, int64_t account_id, const char *remote_id, struct mailbox_row *out);
/* The account's mailbox of that role (a selectable one first). */
int db_mailbox_by_role(db *d, int64_t account_id, enum mailbox_role role, struct mailbox_row *out);

/* Calls cb for each mailbox (but those whose delete is waiting): Inbox first, then the other roles, then the
 * rest by path (so children follow their parent). cb returns non-zero to stop. */
typedef int (*db_mailbox_cb)(const struct mailbox_row *r, void *ctx);
int db_mailbox_each(db *d, int64_t account_id, db_mailbox_cb cb, void *ctx);
/* Also those whose delete is waiting: the server still has them and their
 * mail, which a sync keeps in them (an undo shows them whole). */
int db_mailbox_each_all(db *d, int64_t account_id, db_mailbox_cb cb, void *ctx);

/* Insert or update by (account, remote_id); parent resolved by its remote id. */
int db_mailbox_upsert(db *d, int64_t account_id, const struct mailbox_info *mi, int64_t *id);
int db_mailbox_set_counts(db *d, int64_t id, int64_t total, int64_t unread);
/* Recomputes total and unread from the messages stored locally. */
int db_mailbox_recount(db *d, int64_t id);
/* Removes the mailbox; messages that were only there go too. */
int db_mailbox_delete(db *d, int64_t id);
/* The server's name (IMAP) or id (JMAP) for the mailbox. */
int db_mailbox_set_remote(db *d, int64_t id, const char *remote_id);
/* Whether the mailbox was created here and the server does not have it yet
 * (its create is queued or failed): a sync must not take it for a folder
 * deleted on the server. */
int db_mailbox_unpushed(db *d, int64_t id, int *unpushed);

#endif
