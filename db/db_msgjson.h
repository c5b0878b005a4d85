/* A message row as the --json lines of `tern list` and `tern search` print
 * it, and as the hooks (sync/hooks.c) hand it to a command: one place for
 * the fields, so a script reads all of them alike. */
#ifndef TERN_DB_MSGJSON_H
#define TERN_DB_MSGJSON_H

#include "db/db_message.h"
#include "src/base/strbuf.h"

/* "Name <addr>", or whichever of the two there is. Caller frees. */
char *db_msg_from_text(const struct msg_row *m);
/* Appends the object (no newline). server < 0: no "server" field. */
void db_msg_json(strbuf *sb, const struct msg_row *m, const char *account, const char *mailbox, int server);

#endif
