#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "src/base/err.h"
#include "ui/compose.h"
#include "ui/modal.h"
#include "ui/recall.h"

/* The account's Drafts mailbox (0 if it has none) and its drafts' count. */
static int64_t
drafts_box(struct app *a, const struct ui_account *u, int64_t *n, char **name)
{
	struct mailbox_row r = { 0 };
	int64_t id = 0;
	*n = 0;
	if (db_mailbox_by_role(a->d, u->id, MAILBOX_ROLE_DRAFTS, &r) == TERN_OK) {
		id = r.id;
		*n = r.total;
		if (name)
			*name = r.name, r.name = NULL;
	}
	db_mailbox_row_free(&r);
	return id;
}

static int
newest_cb(const struct msg_row *r, void *ctx)
{
	*(int64_t *)ctx = r->id;
	return 1;
}

void
recall_open(struct app *a, struct ui_account *u)
{
	char *name = NULL;
	int64_t n, id = 0, box = drafts_box(a, u, &n, &name);
	struct msg_row m = { 0 };

	if (!box)
		app_say(a, 1, "%s has no Drafts mailbox: nothing was postponed there", u->cfg->name);
	else if (n == 0)
		app_say(a, 1, "no postponed drafts in %s", name);
	else if (n > 1) {
		/* Several: the list is the menu (mutt shows one of its own). */
		app_open_mailbox(a, box);
		a->focus = PANE_LIST;
		app_say(a, 0, "%lld postponed drafts: E resumes the one under the cursor", (long long)n);
	} else if (db_message_page(a->d, box, NULL, 0, 1, newest_cb, &id) != TERN_OK || !id ||
	           db_message_get(a->d, id, &m) != TERN_OK) {
		app_say(a, 1, "cannot read the draft in %s (database)", name);
	} else {
		/* Whatever its flags, a message in Drafts is a draft to resume. */
		m.flags |= MSG_DRAFT;
		compose_action(a, ACT_RESUME, &m);
	}
	db_msg_row_free(&m);
	free(name);
}

static void
ask_answer(struct app *a, int answer, void *ctx)
{
	struct ui_account *u = app_account(a, (int64_t)(intptr_t)ctx);
	if (!u || answer == CONFIRM_ESC)
		return;
	if (answer == CONFIRM_YES)
		recall_open(a, u);
	else
		compose_fresh(a, u);
}

void
recall_ask(struct app *a, struct ui_account *u)
{
	int64_t n;
	if (drafts_box(a, u, &n, NULL) && n > 0) {
		confirm_open(a, n == 1 ? "Resume a postponed draft?" : "Resume one of the postponed drafts?", 0,
		             ask_answer, (void *)(intptr_t)u->id, NULL);
		return;
	}
	compose_fresh(a, u);
}
