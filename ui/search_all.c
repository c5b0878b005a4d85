/* Opening a search as the message list: `/` (one account) and search-all
 * (every account). The results form a virtual mailbox, newest first; each
 * row keeps its own account, so triage actions (ui/triage.c) go to the
 * right worker. The workers concerned are asked for a server search, whose
 * rows join the bottom of the list as they arrive, never holding up the
 * local ones. */
#include "config.h"

#include <stdlib.h>

#include "err.h"
#include "search.h"
#include "ui/app.h"
#include "ui/modal.h"
#include "ui/pager.h"
#include "ui/search_ui.h"
#include "util.h"

void
search_run(struct app *a, const char *text, int all)
{
	struct search_error e = { 0 };
	struct ui_account *u = a->nacc ? &a->acc[a->cur_acc] : NULL;
	search_query *q = NULL;

	if (!*text || !u)
		return;
	if (search_parse(text, time_now(), &q, &e) != TERN_OK) {
		app_say(a, 1, "bad query: %s (column %d)", e.message ? e.message : "?", e.pos + 1);
		search_error_free(&e);
		return;
	}
	if (a->pg)
		pager_close(a);
	/* The server may know what the local index cannot (bodies not cached). */
	if (search_query_has_text(q))
		for (size_t k = 0; k < a->nacc; k++)
			if (a->acc[k].w && (all || &a->acc[k] == u))
				worker_request(a->acc[k].w, WREQ_SERVER_SEARCH, 0, text, NULL);
	ml_open_search(a->ml, q, all ? 0 : u->id);   /* 0: every account */
	a->open_mailbox = 0;
	free(a->list_title);
	a->list_title = xasprintf(all ? "search (all accounts): %s" : "search: %s", text);
	a->focus = PANE_LIST;
}

static void
search_all_done(struct app *a, const char *text, void *ctx)
{
	(void)ctx;
	search_run(a, text, 1);
}

void
search_all_open(struct app *a)
{
	prompt_open(a, "Search all accounts: ", "", search_all_done, NULL);
}
