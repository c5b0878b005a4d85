/* One message line of `tern list` and `tern search`: both print the same
 * columns and the same --json fields, so a script reads either alike. */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "src/cli/cli.h"
#include "db/db_message.h"
#include "src/base/jsonout.h"
#include "src/base/textsafe.h"
#include "src/base/util.h"

enum { FROM_CELLS = 28 };

/* "Name <addr>" for display, or whichever of the two there is. */
static char *
from_text(const struct msg_row *m)
{
	if (*m->from_name && *m->from_addr)
		return xasprintf("%s <%s>", m->from_name, m->from_addr);
	return xstrdup(*m->from_name ? m->from_name : m->from_addr);
}

static void
format_json(strbuf *sb, const struct msg_row *m, const char *account, const char *mailbox,
            const char *from, int server)
{
	char date[32];

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
}

/* ID DATE FLAGS FROM SUBJECT; the flags as in mutt's index (N ! r), then
 * + for attachments (X: damaged, the server's answer could not be read)
 * and ~ / E for a queued / failed local change. Server
 * text goes through text_sanitize: it never reaches the terminal raw. */
static void
format_text(strbuf *sb, const struct msg_row *m, const char *from)
{
	time_t t = (time_t)(m->sent_at ? m->sent_at : m->received_at);
	char date[32];
	struct tm tm;
	char *sf = cli_term(text_sanitize(from, 0), stdout), *ss = cli_term(text_sanitize(m->subject, 0), stdout);
	int cells;
	/* The From column is cut by display width, never inside a character. */
	size_t fit = cli_fit_cells(sf, FROM_CELLS, &cells);

	localtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
	sb_printf(sb, "%8lld  %s  %c%c%c%c%c  %.*s%*s  %s", (long long)m->id, date,
	          (m->flags & MSG_DELETED) ? 'D' : (m->flags & MSG_SEEN) ? ' ' : 'N', (m->flags & MSG_FLAGGED) ? '!' : ' ',
	          (m->flags & MSG_ANSWERED) ? 'r' : ' ', m->damaged ? 'X' : m->pgp == MSG_PGP_ENCRYPTED ? 'e' : m->pgp == MSG_PGP_SIGNED ? 's' : m->has_attachment ? '+' : ' ',
	          m->failed ? 'E' : m->pending ? '~' : ' ', (int)fit, sf, FROM_CELLS - cells, "", ss);
	free(sf);
	free(ss);
}

void
cli_format_message(strbuf *sb, const struct msg_row *m, const char *account, const char *mailbox,
                   int json, int server)
{
	char *from = from_text(m);

	if (json)
		format_json(sb, m, account, mailbox, from, server);
	else
		format_text(sb, m, from);
	sb_addc(sb, '\n');
	free(from);
}
