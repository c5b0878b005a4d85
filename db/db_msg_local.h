/* The list entry of a message tern wrote itself (a postponed draft): the
 * same fields a sync engine would give the server's copy, read from the
 * raw message, so the local row looks like the one it will become. */
#ifndef TERN_MSG_LOCAL_H
#define TERN_MSG_LOCAL_H

#include <stddef.h>
#include "db/db_message.h"
#include "src/mime/mime.h"

struct msg_local {
	struct msg_hdr h;          /* points into the fields below */
	char *message_id, *in_reply_to, *references, *subject;
	char *from_name, *from_addr, *to_list, *cc_list, *reply_to;
	struct mime_attachment *mv;
	struct msg_attachment *att;
	size_t natt;
};

/* TERN_OK, or TERN_EINVAL for an empty message. received_at is now. */
int msg_local_read(const char *raw, size_t len, struct msg_local *out);
void msg_local_free(struct msg_local *m);

#endif
