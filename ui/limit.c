/* The limit: the open mailbox narrowed to the messages matching a query in
 * the search language (doc/SEARCH.md), as mutt's limit and aerc's filter.
 * Unlike a search it stays in the mailbox: the list keeps the mailbox's
 * order and pages through it a screen at a time with the query as an extra
 * condition (db_search_limit_page), new mail that matches shows up on the
 * next refresh, back (q) does not leave it, and it lasts until cleared or
 * until another mailbox is opened. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/base/err.h"
#include "src/base/util.h"
#include "src/search/search.h"
#include "ui/app.h"
#include "ui/modal.h"
#include "ui/pager.h"

static void
limit_forget(struct app *a)
{
	free(a->limit_text);
	a->limit_text = NULL;
	a->limit_mailbox = 0;
}

void
limit_reopen(struct app *a)
{
	struct search_error e = { 0 };
	search_query *q = NULL;

	if (a->limit_mailbox != a->open_mailbox)
		limit_forget(a);
	/* Parsed again: relative dates (after:7d) move on with the clock. */
	if (a->limit_text && search_parse(a->limit_text, time_now(), &q, &e) == TERN_OK) {
		ml_open_limit(a->ml, q, a->open_mailbox, NULL);
		return;
	}
	search_error_free(&e);
	limit_forget(a);
	ml_open_mailbox(a->ml, a->open_mailbox, a->threaded);
}

/* "all", or nothing but blanks: mutt's way of asking for every message. */
static int
clears(const char *text)
{
	size_t n;
	text += strspn(text, " \t");
	n = strlen(text);
	while (n && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	return n == 0 || (n == 3 && strncasecmp(text, "all", 3) == 0);
}

static void
limit_done(struct app *a, const char *text, void *ctx)
{
	(void)ctx;
	limit_run(a, text);
}

void
limit_run(struct app *a, const char *text)
{
	struct search_error e = { 0 };
	const struct msg_row *cur;
	struct msg_row keep = { 0 };
	search_query *q = NULL;
	int64_t n;

	if (!a->open_mailbox) {
		app_say(a, 1, "a limit narrows a mailbox: open one first (search results are a search already)");
		return;
	}
	if (!clears(text) && search_parse(text, time_now(), &q, &e) != TERN_OK) {
		app_say(a, 1, "bad query: %s (column %d)", e.message ? e.message : "?", e.pos + 1);
		prompt_open(a, "Limit to: ", text, limit_done, NULL);
		prompt_note(a, a->msg);
		search_error_free(&e);
		return;
	}
	if (a->pg)
		pager_close(a);
	/* The cursor stays on its message where the new list has it, as in
	 * mutt: clearing a limit shows the message found among its own. */
	if ((cur = ml_current(a->ml))) {
		keep.id = cur->id;
		keep.received_at = cur->received_at;
	}
	/* Tags belong to the list they were made in: a tagged action never
	 * reaches a message the limit hides. */
	app_untag_all(a);
	a->focus = PANE_LIST;
	if (!q) {
		limit_forget(a);
		ml_open_mailbox(a->ml, a->open_mailbox, a->threaded);
		if (keep.id)
			ml_focus(a->ml, &keep);
		app_say(a, 0, "limit cleared");
		return;
	}
	free(a->limit_text);
	a->limit_text = xstrdup(text);
	a->limit_mailbox = a->open_mailbox;
	ml_open_limit(a->ml, q, a->open_mailbox, keep.id ? &keep : NULL);
	switch (ml_search_count(a->ml, &n)) {
	case 1:
		app_say(a, 0, "%lld message%s match%s", (long long)n, n == 1 ? "" : "s", n == 1 ? "es" : "");
		break;
	case 2:
		app_say(a, 0, "more than %lld messages match", (long long)n);
		break;
	}
}

void
limit_open(struct app *a)
{
	/* The current limit typed in, to refine it; Up recalls older ones. */
	prompt_open(a, "Limit to: ", a->limit_text ? a->limit_text : "", limit_done, NULL);
}
