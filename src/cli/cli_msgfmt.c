/* One message line of `tern list` and `tern search`: both print the same
 * columns and the same --json fields, so a script reads either alike. */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "src/cli/cli.h"
#include "db/db_message.h"
#include "db/db_msgjson.h"
#include "src/base/textsafe.h"
#include "src/base/util.h"

enum { FROM_CELLS = 28 };

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
	char *from = db_msg_from_text(m);

	if (json)
		db_msg_json(sb, m, account, mailbox, server);
	else
		format_text(sb, m, from);
	sb_addc(sb, '\n');
	free(from);
}
