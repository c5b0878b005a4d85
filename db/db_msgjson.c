/* A message as one JSON object (db/db_msgjson.h). */
#include "config.h"

#include <stdlib.h>

#include "db/db_msgjson.h"
#include "src/base/jsonout.h"
#include "src/base/util.h"

/* "Name <addr>" for display, or whichever of the two there is. */
char *
db_msg_from_text(const struct msg_row *m)
{
	if (*m->from_name && *m->from_addr)
		return xasprintf("%s <%s>", m->from_name, m->from_addr);
	return xstrdup(*m->from_name ? m->from_name : m->from_addr);
}

void
db_msg_json(strbuf *sb, const struct msg_row *m, const char *account, const char *mailbox, int server)
{
	char date[32];
	char *from = db_msg_from_text(m);

	time_rfc3339(m->sent_at ? m->sent_at : m->received_at, date, sizeof date);
	json_begin(sb);
	json_int(sb, "id", m->id);
	json_str(sb, "account", account);
	json_str(sb, "mailbox", mailbox);
	if (m->email_id)
		json_str(sb, "email_id", m->email_id);
	else
		json_int(sb, "uid", m->uid);
	json_str(sb, "message_id", *m->message_id ? m->message_id : NULL);
	json_str(sb, "subject", m->subject);
	json_str(sb, "from", from);
	json_str(sb, "to", m->to_list);
	json_str(sb, "date", date);
	json_bool(sb, "seen", !!(m->flags & MSG_SEEN));
	json_bool(sb, "flagged", !!(m->flags & MSG_FLAGGED));
	json_bool(sb, "answered", !!(m->flags & MSG_ANSWERED));
	json_bool(sb, "draft", !!(m->flags & MSG_DRAFT));
	json_bool(sb, "deleted", !!(m->flags & MSG_DELETED));
	json_int(sb, "size", m->size);
	json_bool(sb, "has_attachments", m->has_attachment);
	json_bool(sb, "pending", m->pending);
	json_bool(sb, "failed", m->failed);
	json_bool(sb, "damaged", m->damaged);
	json_str(sb, "pgp", m->pgp == MSG_PGP_ENCRYPTED ? "encrypted" : m->pgp == MSG_PGP_SIGNED ? "signed" : NULL);
	if (server >= 0)
		json_bool(sb, "server", server);
	json_end(sb);
	free(from);
}
