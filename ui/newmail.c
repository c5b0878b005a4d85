#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <time.h>

#include "db/db_newmail.h"
#include "src/base/err.h"
#include "src/base/strbuf.h"
#include "ui/app.h"
#include "ui/newmail.h"

/* New mail is learnt from the database, never from the network: a worker
 * stores what arrived and wakes the UI; after the refresh this counts the
 * unread messages stored since the last look. Mail that arrived before
 * tern started (a first sync, a folder synced late) is not news: only
 * what the server received from a few minutes before the start on is
 * announced (the margin covers a server clock a little behind). */
#define NEWMAIL_MARGIN_S 300

struct newmail_scan {
	struct app *a;
	strbuf sb;
	int64_t total;
	int several;              /* name the account: more than one */
};

static int
newmail_cb(int64_t account_id, const char *mailbox, int64_t n, void *ctx)
{
	struct newmail_scan *s = ctx;
	const struct ui_account *u = s->several ? app_account(s->a, account_id) : NULL;
	sb_printf(&s->sb, s->total ? ", %lld in " : "%lld new in ", (long long)n);
	if (u)
		sb_printf(&s->sb, "%s:", u->cfg->name);
	sb_adds(&s->sb, mailbox);
	s->total += n;
	return 0;
}

/* The terminal's title: our own text only (a mailbox name is the
 * server's, and a title is no place for it). */
static void
title_set(const struct app *a)
{
	if (!a->cfg->set_title)
		return;
	if (a->newmail_unseen)
		printf("\033]2;tern (%lld new)\007", (long long)a->newmail_unseen);
	else
		printf("\033]2;tern\007");
	fflush(stdout);
}

void
newmail_start(struct app *a)
{
	a->newmail_since = (int64_t)time(NULL) - NEWMAIL_MARGIN_S;
	if (db_newmail_mark(a->d, &a->newmail_mark) != TERN_OK)
		a->newmail_mark = 0;
	title_set(a);
}

void
newmail_check(struct app *a)
{
	struct newmail_scan s = { a, STRBUF_INIT, 0, a->nacc > 1 };
	int64_t upto;
	/* The mark first: what a worker commits meanwhile is counted next time. */
	if (db_newmail_mark(a->d, &upto) != TERN_OK || upto <= a->newmail_mark)
		return;
	if (db_newmail_count(a->d, a->newmail_mark, upto, a->newmail_since, newmail_cb, &s) == TERN_OK)
		a->newmail_mark = upto;
	if (s.total) {
		app_say(a, 0, "%s", s.sb.buf);
		if (a->cfg->beep_new)
			beep();
		a->newmail_unseen += s.total;
		title_set(a);
	}
	sb_free(&s.sb);
}

void
newmail_seen(struct app *a)
{
	if (!a->newmail_unseen)
		return;
	a->newmail_unseen = 0;
	title_set(a);
}
