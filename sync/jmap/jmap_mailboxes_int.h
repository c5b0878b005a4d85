/* The step of jmap_mailboxes.c that turns a Mailbox/get list into rows,
 * callable alone so the fuzz harness (tests/fuzz/fuzz_jmap.c) runs it on
 * what a hostile server sends. The engine uses jmap_mailboxes_sync(). */
#ifndef TERN_JMAP_MAILBOXES_INT_H
#define TERN_JMAP_MAILBOXES_INT_H
#include <cjson/cJSON.h>
#include "db/db.h"
#include "sync/jmap/jmap.h"

/* Writes the mailboxes of list (the whole set when full), in the caller's
 * transaction: names, the parentId tree as paths, roles, counts. */
int jmap_mailboxes_apply(struct jmap *j, db *d, const cJSON *list, int full, int *changed);
#endif
