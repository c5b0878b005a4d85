/* The LIST step of imap_mailboxes.c on its own: what the server's folder
 * list becomes (names decoded, roles, Noselect, parents), callable alone
 * so the fuzz harness (tests/fuzz/fuzz_imap.c) runs it on what a hostile
 * server sends. The engine uses imap_sync_mailboxes(). */
#ifndef TERN_IMAP_LIST_H
#define TERN_IMAP_LIST_H
#include <stddef.h>
#include <stdint.h>
#include "db/db_types.h"
#include "sync/imap/imap.h"

struct lmb {
	char *remote, *name, *parent;
	char delim[2];
	enum mailbox_role role;
	int selectable;
	int has_status;
	struct imap_status st;
	int64_t id;
};

/* LIST "" "*" on im, without other users' and virtual folders, sorted by
 * wire name, roles from attributes then from names. */
int imap_list_all(struct imap *im, struct lmb **out, size_t *n, char **err);
void imap_list_free(struct lmb *v, size_t n);
#endif
