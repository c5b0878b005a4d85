/* Folders from the mailbox pane: create (C), rename (R), delete (D), each
 * a queued change like any other (db_change_mailbox_*), so they work
 * offline and the pane shows the result at once. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/db_change.h"
#include "db/db_mailbox.h"
#include "src/base/err.h"
#include "src/base/util.h"
#include "sync/worker.h"
#include "ui/app.h"
#include "ui/modal.h"

struct mb_edit {
	int64_t account_id;
	int64_t mailbox_id;
	char *name;       /* the folder's name when asked */
};

static void
edit_free(void *p)
{
	struct mb_edit *e = p;
	if (!e)
		return;
	free(e->name);
	free(e);
}

/* The change is queued: the worker carries it, the pane shows it. */
static void
edited(struct app *a, int64_t account_id)
{
	struct ui_account *u = app_account(a, account_id);
	if (u && u->w)
		worker_wake(u->w);
	a->data_version = db_data_version(a->d);
	app_load_mailboxes(a);
	app_refresh(a);
}

static void
say_refusal(struct app *a, int rc, const char *name)
{
	switch (rc) {
	case TERN_EINVAL:
		app_say(a, 1, "'%s' cannot be a folder name", name);
		break;
	case TERN_EBUSY:
		app_say(a, 1, "there is a folder '%s' already", name);
		break;
	case TERN_ENOTFOUND:
		app_say(a, 1, "the folder above '%s' does not exist; create it first", name);
		break;
	default:
		app_say(a, 1, "cannot change folder '%s': %s", name, tern_strerror(rc));
		break;
	}
}

static void
create_answer(struct app *a, const char *text, void *ctx)
{
	struct mb_edit *e = ctx;
	int64_t id, change;
	int rc;
	if (text && *text) {
		if ((rc = db_change_mailbox_create(a->d, e->account_id, text, &id, &change)) != TERN_OK) {
			say_refusal(a, rc, text);
		} else {
			app_say(a, 0, "created folder %s", text);
			edited(a, e->account_id);
		}
	}
	edit_free(e);
}

static void
rename_answer(struct app *a, const char *text, void *ctx)
{
	struct mb_edit *e = ctx;
	int64_t change;
	int rc;
	if (text && *text && strcmp(text, e->name) != 0) {
		if ((rc = db_change_mailbox_rename(a->d, e->mailbox_id, text, &change)) != TERN_OK) {
			say_refusal(a, rc, text);
		} else {
			app_say(a, 0, "renamed %s to %s", e->name, text);
			edited(a, e->account_id);
		}
	}
	edit_free(e);
}

static void
delete_now(struct app *a, struct mb_edit *e, int with_messages)
{
	int64_t change;
	int rc = db_change_mailbox_delete(a->d, e->mailbox_id, with_messages, &change);
	if (rc == TERN_EBUSY)
		app_say(a, 1, "%s has folders under it; delete those first", e->name);
	else if (rc != TERN_OK)
		app_say(a, 1, "cannot delete %s: %s", e->name, tern_strerror(rc));
	else {
		app_say(a, 0, "deleted folder %s", e->name);
		edited(a, e->account_id);
	}
}

static void
delete_answer(struct app *a, int answer, void *ctx)
{
	struct mb_edit *e = ctx;
	if (answer == CONFIRM_YES)
		delete_now(a, e, 1);
	else
		app_say(a, 0, "kept %s", e->name);
	edit_free(e);
}

void
mailbox_edit(struct app *a, enum ui_action act)
{
	const struct mailbox_row *r = a->nmb ? &a->mb[a->mb_cur].r : NULL;
	struct mb_edit *e;
	char *q;

	if (!a->nacc)
		return;
	if (act != ACT_MAILBOX_CREATE && !r)
		return;
	if (act != ACT_MAILBOX_CREATE && mailbox_role_parse(r->role) != MAILBOX_ROLE_NONE) {
		app_say(a, 1, "%s is the account's %s folder: special folders cannot be %s", r->name, r->role,
		        act == ACT_MAILBOX_RENAME ? "renamed" : "deleted");
		return;
	}
	e = xcalloc(1, sizeof *e);
	e->account_id = a->acc[a->cur_acc].id;
	if (act == ACT_MAILBOX_CREATE) {
		prompt_open_owned(a, "Create folder: ", NULL, create_answer, e, edit_free);
		return;
	}
	e->mailbox_id = r->id;
	e->name = xstrdup(r->name);
	if (act == ACT_MAILBOX_RENAME) {
		prompt_open_owned(a, "Rename folder to: ", r->name, rename_answer, e, edit_free);
	} else if (r->total > 0) {
		char n[32];
		fmt_count((uint64_t)r->total, n, sizeof n);
		q = xasprintf("Delete folder %s and its %s message%s?", r->name, n, r->total == 1 ? "" : "s");
		confirm_open(a, q, 0, delete_answer, e, edit_free);
		free(q);
	} else {
		delete_now(a, e, 0);
		edit_free(e);
	}
}
