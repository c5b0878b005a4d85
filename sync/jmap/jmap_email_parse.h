/* One JMAP Email object (RFC 8621 4.1) checked and turned into what the
 * database stores (struct msg_hdr), plus its mailboxIds. */
#ifndef TERN_JMAP_EMAIL_H
#define TERN_JMAP_EMAIL_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "db/db_message.h"

struct jmap_email {
	struct msg_hdr h;          /* strings owned by this struct */
	const char **mailbox_ids;  /* point into the JSON */
	size_t nmb;
	int has_mailboxes;         /* mailboxIds was in the object */
	int has_keywords;
	int has_received;
};

/* The properties asked for: everything stored, or only what can change
 * (RFC 8621 4.1: only mailboxIds and keywords are mutable). */
cJSON *jmap_email_props(int full);
cJSON *jmap_email_body_props(void);

/* Fills e from o; the mailbox ids point into o, which must outlive e.
 * TERN_EPROTO when the id is missing or invalid. A property of the wrong
 * type: e->h.damaged is set and e holds only the id, mailboxIds and
 * keywords (if those read), size and receivedAt. */
int jmap_email_parse(const cJSON *o, struct jmap_email *e);
void jmap_email_free(struct jmap_email *e);

#endif
