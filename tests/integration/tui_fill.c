/* Fills a tern database for the TUI tests through the db API, the way a
 * sync engine would: tui_fill DB ACCOUNT N [--add] [--evil] [--tree]
 *                              [--big KB] [--prefix TEXT]
 *   N messages into INBOX (newest subject "Message N"), in threads of three
 *   ("Re: " replies), every fifth unread, bodies cached for the odd ones.
 *   --add: N more, newer than any there (a worker's commit).
 *   --evil: one more message whose subject and body hold ANSI/OSC
 *   sequences, cached.
 *   --tree: more mailboxes, to check the hierarchy: INBOX/Sub, Work,
 *   "Work Stuff", Work/Projects.
 *   --big KB: one more message, "Big message", newest, whose cached body is
 *   KB kilobytes of text lines with tabs.
 *   --prefix TEXT: subjects start with TEXT (a second account's messages).
 *   --one-thread: every message answers the one before: one long thread.
 *   --gap: two more, newest: "Gap root" and "Gap reply", whose parent is
 *   missing (In-Reply-To names a message we never got) but whose References
 *   name the root.
 *   --now: the messages arrive now (received and sent at the current
 *   time), as new mail does, not in 2023.
 *   --unread: every message unread.
 *   --box NAME: into mailbox NAME (created if needed) instead of INBOX.
 *   --fork: four more, newest, one branching thread: "Fork root", its
 *   replies "Fork a" and "Fork b", and "Fork a1" answering "Fork a". */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db_body.h"
#include "db/db_int.h"
#include "db/db.h"
#include "db/db_account.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "src/base/err.h"
#include "src/base/util.h"

static int64_t
mailbox(db *d, int64_t acct, const char *name, const char *role, const char *parent)
{
	struct mailbox_info mi = { 0 };
	int64_t id = 0;
	mi.remote_id = name;
	mi.name = name;
	mi.delim = "/";
	mi.role = role;
	mi.parent_remote_id = parent;
	mi.selectable = 1;
	mi.subscribed = 1;
	if (db_mailbox_upsert(d, acct, &mi, &id) != TERN_OK) {
		fprintf(stderr, "tui_fill: mailbox %s\n", name);
		exit(1);
	}
	return id;
}

static const char *prefix = "";
static int one_thread;

static void
add_message(db *d, int64_t acct, int64_t inbox, int64_t k, int64_t when, const char *subject,
            const char *body, unsigned flags)
{
	struct msg_hdr h = { 0 };
	char msgid[96], parent[96], from[64], subj[256];
	int64_t id;

	snprintf(msgid, sizeof msgid, "%sm%lld@fill.test", prefix, (long long)k);
	snprintf(parent, sizeof parent, "%sm%lld@fill.test", prefix, (long long)(k - 1));
	snprintf(from, sizeof from, "sender%lld@fill.test", (long long)(k % 7));
	if (subject)
		snprintf(subj, sizeof subj, "%s", subject);
	else
		snprintf(subj, sizeof subj, "%s%sMessage %lld", k % 3 ? "Re: " : "", prefix, (long long)k);
	h.message_id = msgid;
	h.in_reply_to = k % 3 || (one_thread && k > 1) ? parent : "";
	h.subject = subj;
	h.from_name = "";
	h.from_addr = from;
	h.to_list = "me@fill.test";
	h.sent_at = when;
	h.received_at = when;
	h.size = 1000;
	h.flags = flags;
	if (db_message_insert(d, acct, &h, &id) != TERN_OK ||
	    db_message_link(d, id, inbox, k, when) != TERN_OK) {
		fprintf(stderr, "tui_fill: message %lld\n", (long long)k);
		exit(1);
	}
	if (body) {
		char *raw = xasprintf("From: %s\r\nTo: me@fill.test\r\nSubject: %s\r\nMessage-ID: <%s>\r\n"
		                      "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", from, subj, msgid, body);
		if (db_body_put(d, id, raw, strlen(raw)) != TERN_OK)
			exit(1);
		free(raw);
	}
}

int
main(int argc, char **argv)
{
	db *d;
	char *err = NULL;
	int64_t acct, inbox, n, start = 0, base = 1700000000, big = 0;
	int add = 0, evil = 0, tree = 0, gap = 0, fork = 0, now = 0, unread = 0;
	const char *box = NULL;

	if (argc < 4) {
		fprintf(stderr, "usage: tui_fill DB ACCOUNT N [--add] [--evil] [--tree] [--big KB] [--prefix TEXT]\n");
		return 2;
	}
	for (int i = 4; i < argc; i++) {
		add |= strcmp(argv[i], "--add") == 0;
		evil |= strcmp(argv[i], "--evil") == 0;
		tree |= strcmp(argv[i], "--tree") == 0;
		gap |= strcmp(argv[i], "--gap") == 0;
		fork |= strcmp(argv[i], "--fork") == 0;
		now |= strcmp(argv[i], "--now") == 0;
		unread |= strcmp(argv[i], "--unread") == 0;
		one_thread |= strcmp(argv[i], "--one-thread") == 0;
		if (strcmp(argv[i], "--big") == 0 && i + 1 < argc)
			big = atoll(argv[++i]);
		else if (strcmp(argv[i], "--prefix") == 0 && i + 1 < argc)
			prefix = argv[++i];
		else if (strcmp(argv[i], "--box") == 0 && i + 1 < argc)
			box = argv[++i];
	}
	n = atoll(argv[3]);
	if (db_open(argv[1], &d, &err) != TERN_OK) {
		fprintf(stderr, "tui_fill: %s\n", err);
		return 1;
	}
	if (db_account_ensure(d, argv[2], "imap", "me@fill.test", &acct) != TERN_OK)
		return 1;
	db_begin(d);
	inbox = mailbox(d, acct, "INBOX", "inbox", NULL);
	mailbox(d, acct, "Archive", "archive", NULL);
	mailbox(d, acct, "Trash", "trash", NULL);
	mailbox(d, acct, "Lists", NULL, NULL);
	mailbox(d, acct, "Lists/tern-dev", NULL, "Lists");
	if (tree) {
		mailbox(d, acct, "INBOX/Sub", NULL, "INBOX");
		mailbox(d, acct, "Work", NULL, NULL);
		mailbox(d, acct, "Work Stuff", NULL, NULL);
		mailbox(d, acct, "Work/Projects", NULL, "Work");
	}
	if (box)
		inbox = mailbox(d, acct, box, NULL, strchr(box, '/') ? "Lists" : NULL);
	if (add) {
		sqlite3_stmt *st;
		sqlite3_prepare_v2(db_sqlite(d), "SELECT coalesce(max(uid), 0) FROM message_mailbox", -1, &st, NULL);
		if (sqlite3_step(st) == SQLITE_ROW)
			start = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (now)                  /* the last one arrives this minute */
		base = (int64_t)time(NULL) - (start + n) * 60;
	for (int64_t k = start + 1; k <= start + n; k++) {
		char body[128];
		snprintf(body, sizeof body, "Body of message %lld.\r\nSecond line with the word needle%lld.",
		         (long long)k, (long long)k);
		add_message(d, acct, inbox, k, base + k * 60, NULL, k % 2 ? body : NULL,
		            k % 5 == 0 || unread ? 0 : MSG_SEEN);
	}
	if (evil)
		add_message(d, acct, inbox, start + n + 1, base + (start + n + 1) * 60,
		            "Evil \x1b[31mRED\x1b[0m \x1b]0;PWNED-TITLE\x07 subject",
		            "Body \x1b[2J\x1b]0;PWNED-BODY\x07 with \x1b[41mescapes\x1b[0m and \x9b" "31m C1.",
		            MSG_SEEN);
	if (big) {
		/* Text lines with tabs, the costly case for the pager's layout. */
		char *text = xmalloc((size_t)big * 1024 + 64);
		size_t len = 0;
		while (len + 64 < (size_t)big * 1024)
			len += (size_t)snprintf(text + len, 64, "line %zu\tcolumn\tof a big body\r\n", len);
		memcpy(text + len, "END-OF-BIG", 11);
		add_message(d, acct, inbox, start + n + 2, base + (start + n + 2) * 60, "Big message", text, MSG_SEEN);
		free(text);
	}
	if (gap) {
		struct msg_hdr h = { 0 };
		int64_t id, k = start + n + 3, when = base + k * 60;
		h.from_addr = "gap@fill.test";
		h.to_list = "me@fill.test";
		h.size = 500;
		h.flags = MSG_SEEN;
		h.message_id = "gaproot@fill.test";
		h.subject = "Gap root";
		h.sent_at = h.received_at = when;
		if (db_message_insert(d, acct, &h, &id) != TERN_OK || db_message_link(d, id, inbox, k, when) != TERN_OK)
			return 1;
		h.message_id = "gapreply@fill.test";
		h.in_reply_to = "missing@fill.test";
		h.references = "gaproot@fill.test missing@fill.test";
		h.subject = "Gap reply";
		h.sent_at = h.received_at = when + 60;
		if (db_message_insert(d, acct, &h, &id) != TERN_OK || db_message_link(d, id, inbox, k + 1, when + 60) != TERN_OK)
			return 1;
	}
	if (fork) {
		/* subject, Message-ID, In-Reply-To (References alike) */
		static const char *const f[][3] = {
			{ "Fork root", "forkroot@fill.test", "" },
			{ "Fork a", "forka@fill.test", "forkroot@fill.test" },
			{ "Fork a1", "forka1@fill.test", "forka@fill.test" },
			{ "Fork b", "forkb@fill.test", "forkroot@fill.test" },
		};
		for (int i = 0; i < 4; i++) {
			struct msg_hdr h = { 0 };
			int64_t id, k = start + n + 10 + i, when = base + k * 60;
			h.from_addr = "fork@fill.test";
			h.to_list = "me@fill.test";
			h.size = 500;
			h.flags = MSG_SEEN;
			h.subject = f[i][0];
			h.message_id = f[i][1];
			h.in_reply_to = f[i][2];
			h.references = f[i][2];
			h.sent_at = h.received_at = when;
			if (db_message_insert(d, acct, &h, &id) != TERN_OK ||
			    db_message_link(d, id, inbox, k, when) != TERN_OK)
				return 1;
		}
	}
	db_mailbox_recount(d, inbox);
	if (db_commit(d) != TERN_OK) {
		fprintf(stderr, "tui_fill: commit failed\n");
		return 1;
	}
	db_close(d);
	return 0;
}
