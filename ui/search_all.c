/* Opening a search as the message list: `/` (one account) and search-all
 * (every account). The results form a virtual mailbox, newest first; each
 * row keeps its own account, so triage actions (ui/triage.c) go to the
 * right worker. The workers concerned are asked for a server search, whose
 * rows join the bottom of the list as they arrive, never holding up the
 * local ones. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "db/db_mailbox.h"
#include "src/base/err.h"
#include "src/search/search.h"
#include "ui/app.h"
#include "ui/modal.h"
#include "ui/pager.h"
#include "ui/request.h"
#include "ui/search_ui.h"
#include "src/base/util.h"

/* The account a search covers: from the list, the list's own (its mailbox
 * or its search's), whichever account the side panes show; from the
 * mailbox pane, the account shown there. */
static struct ui_account *
list_account(struct app *a)
{
	struct ui_account *u = NULL;
	if (!a->nacc)
		return NULL;
	if (a->focus != PANE_MAILBOXES && a->focus != PANE_ACCOUNTS) {
		struct mailbox_row r = { 0 };
		if (a->open_mailbox && db_mailbox_get(a->d, a->open_mailbox, &r) == TERN_OK)
			u = app_account(a, r.account_id);
		else if (!a->open_mailbox && ml_account(a->ml))
			u = app_account(a, ml_account(a->ml));
		db_mailbox_row_free(&r);
	}
	return u ? u : &a->acc[a->cur_acc];
}

void
search_run(struct app *a, const char *text, int all)
{
	struct search_error e = { 0 };
	struct ui_account *u = list_account(a);
	search_query *q = NULL;

	if (!*text || !u)
		return;
	if (search_parse(text, time_now(), &q, &e) != TERN_OK) {
		app_say(a, 1, "bad query: %s (column %d)", e.message ? e.message : "?", e.pos + 1);
		/* Back for editing, the reason beside it (Esc leaves it). */
		search_open(a, all, text);
		prompt_note(a, a->msg);
		search_error_free(&e);
		return;
	}
	if (a->pg)
		pager_close(a);
	/* back (q) returns to the mailbox the first search started from, on
	 * the message the cursor was on. */
	if (a->open_mailbox) {
		const struct msg_row *cur = ml_current(a->ml);
		a->prev_mailbox = a->open_mailbox;
		a->prev_msg = cur ? cur->id : 0;
		a->prev_msg_at = cur ? cur->received_at : 0;
	}
	app_untag_all(a);
	free(a->search_text);
	a->search_text = xstrdup(text);
	/* The server may know what the local index cannot (bodies not cached). */
	a->search_req = UINT64_MAX;
	if (search_query_has_text(q))
		for (size_t k = 0; k < a->nacc; k++) {
			uint64_t id = 0;
			if (a->acc[k].w && (all || &a->acc[k] == u) &&
			    request_send(&a->acc[k], REQ_SEARCH, WREQ_SERVER_SEARCH, 0, text, &id) == TERN_OK &&
			    id < a->search_req)
				a->search_req = id;
		}
	ml_open_search(a->ml, q, all ? 0 : u->id);   /* 0: every account */
	a->open_mailbox = 0;
	free(a->list_title);
	a->list_title = xasprintf(all ? "search (all accounts): %s" : "search: %s", text);
	a->focus = PANE_LIST;
}

void
search_reply(struct app *a, struct ui_account *u, const struct wreply *r)
{
	/* Ids only grow: one below the open search's first is an earlier
	 * search's, and results the user has left have no list to fill. */
	if (ml_mode(a->ml) != ML_SEARCH || r->req_id < a->search_req)
		return;
	if (r->status != TERN_OK)
		app_say(a, 1, "%s: %s", u->cfg->name, r->error ? r->error : tern_strerror(r->status));
	else
		ml_refresh(a->ml);
}

void
search_leave(struct app *a)
{
	int64_t id = a->prev_msg, at = a->prev_msg_at;
	app_open_mailbox(a, a->prev_mailbox);
	if (id) {
		struct msg_row m = { 0 };
		m.id = id;
		m.received_at = at;
		ml_focus(a->ml, &m);
	}
}

static void
search_one_done(struct app *a, const char *text, void *ctx)
{
	(void)ctx;
	search_run(a, text, 0);
}

static void
search_all_done(struct app *a, const char *text, void *ctx)
{
	(void)ctx;
	search_run(a, text, 1);
}

void
search_open(struct app *a, int all, const char *initial)
{
	prompt_open(a, all ? "Search all accounts: " : "Search: ", initial,
	            all ? search_all_done : search_one_done, NULL);
}

void
search_all_open(struct app *a)
{
	search_open(a, 1, "");
}
