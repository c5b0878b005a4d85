#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_change.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "db/db_search.h"
#include "db/db_view.h"
#include "src/base/err.h"
#include "src/search/search.h"
#include "src/base/strbuf.h"
#include "ui/app.h"
#include "ui/modal.h"
#include "ui/pager.h"
#include "src/base/util.h"

/* Triage writes the new local state and a queue row in one transaction
 * (db_change_*), so the screen shows it at once; then the account's worker
 * is woken to push it. Undo takes a change back while it is still queued
 * (db_change_revert), else queues its inverse. */

enum undo_kind { U_FLAG, U_MOVE, U_DELETE };

struct undo_item {
	enum undo_kind kind;
	int64_t msg, change_id, from, to;
	unsigned flag;
	int on;
};

struct undo_group {
	struct undo_item *v;
	size_t n;
	char *what;
	struct undo_group *next;
};

#define UNDO_DEPTH 50

static void
group_free(struct undo_group *g)
{
	free(g->v);
	free(g->what);
	free(g);
}

void
triage_free(struct app *a)
{
	while (a->undo) {
		struct undo_group *g = a->undo;
		a->undo = g->next;
		group_free(g);
	}
	free(a->move_ids);
	a->move_ids = NULL;
	a->nmove = 0;
}

static void
undo_push(struct app *a, struct undo_group *g)
{
	struct undo_group **pp = &a->undo;
	int depth = 0;
	if (!g->n) {
		group_free(g);
		return;
	}
	g->next = a->undo;
	a->undo = g;
	for (; *pp && depth < UNDO_DEPTH; pp = &(*pp)->next)
		depth++;
	while (*pp) {             /* forget the oldest */
		struct undo_group *old = *pp;
		*pp = old->next;
		group_free(old);
	}
}

static void
undo_add(struct undo_group *g, struct undo_item it)
{
	g->v = xrealloc(g->v, (g->n + 1) * sizeof *g->v);
	g->v[g->n++] = it;
}

/* Whether a tagged message is still in the list: in the open mailbox, or
 * (search results) still stored at all. */
static int
still_listed(struct app *a, int64_t id)
{
	struct msg_row m = { 0 };
	int ok;
	if (a->open_mailbox)
		return db_view_in_mailbox(a->d, a->open_mailbox, id) == 1;
	ok = db_message_get(a->d, id, &m) == TERN_OK;
	db_msg_row_free(&m);
	return ok;
}

/* The messages an action works on: the tagged ones after tag-prefix (less
 * those a sync or another client took out of the list meanwhile: they are
 * untagged), else the one under the cursor or in the pager. Caller frees. */
static int64_t *
targets(struct app *a, size_t *n)
{
	const struct msg_row *cur = app_current(a);
	int64_t *v;
	if (a->tag_prefix) {
		size_t k = 0, gone = 0;
		a->tag_prefix = 0;
		v = xcalloc(a->ntags + 1, sizeof *v);
		for (size_t i = 0; i < a->ntags; i++)
			if (still_listed(a, a->tags[i]))
				v[k++] = a->tags[i];
			else
				gone++;
		memcpy(a->tags, v, k * sizeof *v);
		a->ntags = k;
		if (gone)
			app_say(a, 1, "%zu tagged message%s left this list and %s untagged", gone,
			        gone == 1 ? "" : "s", gone == 1 ? "was" : "were");
		*n = k;
		return v;
	}
	/* A collapsed thread in the list: all of it, as mutt does. */
	if (a->focus == PANE_LIST && ml_current_thread(a->ml, &v, n))
		return v;
	*n = cur ? 1 : 0;
	v = xcalloc(1, sizeof *v);
	if (cur)
		v[0] = cur->id;
	return v;
}

/* The account of a message, if local changes may be made to it now. *gone
 * (may be NULL) is set when the message is no longer stored: a sync saw the
 * server remove it. */
static struct ui_account *
writable_or_gone(struct app *a, int64_t msg, struct msg_row *m, int *gone)
{
	struct ui_account *u;
	int rc = db_message_get(a->d, msg, m);
	if (gone)
		*gone = rc == TERN_ENOTFOUND;
	if (rc != TERN_OK)
		return NULL;
	u = app_account(a, m->account_id);
	if (u && u->readonly) {
		app_say(a, 1, "%s is read-only here: another tern process syncs it", u->cfg->name);
		return NULL;
	}
	return u;
}

static struct ui_account *
writable(struct app *a, int64_t msg, struct msg_row *m)
{
	return writable_or_gone(a, msg, m, NULL);
}

/* Whether a delete from mailbox from removes the message for good rather
 * than moving it to the Trash: the account deletes without one
 * (delete_to_trash = no), or the message is in the Trash already. Without a
 * Trash mailbox a delete is refused (db_change_delete), not done for good. */
static int
deletes_for_good(struct app *a, const struct ui_account *u, int64_t from)
{
	struct mailbox_row trash = { 0 };
	int r;
	if (!u->cfg->delete_to_trash)
		return 1;
	r = db_mailbox_by_role(a->d, u->id, MAILBOX_ROLE_TRASH, &trash) == TERN_OK && trash.id == from;
	db_mailbox_row_free(&trash);
	return r;
}

static void
done(struct app *a, struct ui_account **woke, size_t nwoke)
{
	for (size_t i = 0; i < nwoke; i++)
		worker_wake(woke[i]->w);
	a->data_version = db_data_version(a->d);
	app_refresh(a);
}

static void
note_account(struct ui_account **woke, size_t *n, struct ui_account *u)
{
	for (size_t i = 0; i < *n; i++)
		if (woke[i] == u)
			return;
	woke[(*n)++] = u;
}

static void
toggle(struct app *a, unsigned flag, const int64_t *ids, size_t n)
{
	struct undo_group *g = xcalloc(1, sizeof *g);
	struct ui_account **woke = xcalloc(a->nacc + 1, sizeof *woke);
	size_t nwoke = 0, changed = 0, gone = 0;
	int on = 0, fails = 0;

	/* On a set: if any lacks the flag, set it on all; else clear all. */
	for (size_t i = 0; i < n; i++) {
		struct msg_row m = { 0 };
		if (db_message_get(a->d, ids[i], &m) == TERN_OK && !(m.flags & flag))
			on = 1;
		db_msg_row_free(&m);
	}
	for (size_t i = 0; i < n; i++) {
		struct msg_row m = { 0 };
		int is_gone = 0;
		struct ui_account *u = writable_or_gone(a, ids[i], &m, &is_gone);
		int64_t change = 0;
		gone += is_gone;
		if (u && db_change_flag(a->d, ids[i], flag, on, &change) == TERN_OK) {
			if (change) {
				undo_add(g, (struct undo_item){ U_FLAG, ids[i], change, 0, 0, flag, on });
				changed++;
			}
			note_account(woke, &nwoke, u);
		} else if (u) {
			fails++;
		}
		db_msg_row_free(&m);
	}
	g->what = xstrdup(flag == MSG_SEEN ? (on ? "mark read" : "mark unread") : (on ? "flag" : "unflag"));
	/* As a delete says it: a key that changed nothing must say why. */
	if (n == 1 && gone)
		app_say(a, 1, "the message is gone: a sync saw it removed on the server");
	else if (fails)
		app_say(a, 1, "%d changes failed (database)", fails);
	else if (gone)
		app_say(a, 1, "%s: %zu of %zu (%zu gone: removed on the server)", g->what, changed, n, gone);
	else if (n > 1)
		app_say(a, 0, "%s: %zu message%s", g->what, changed, changed == 1 ? "" : "s");
	undo_push(a, g);
	done(a, woke, nwoke);
	free(woke);
}

/* Where move_or_delete sends each message. */
enum dest { DEST_MAILBOX, DEST_TRASH, DEST_ARCHIVE };

/* Moves ids out of the mailbox they are listed from: into mailbox to, to
 * Trash (delete), or to the archive of each message's own account (search
 * results may hold several accounts). */
static void
move_or_delete(struct app *a, const int64_t *ids, size_t n, enum dest dest, int64_t to, const char *what)
{
	struct undo_group *g = xcalloc(1, sizeof *g);
	struct ui_account **woke = xcalloc(a->nacc + 1, sizeof *woke);
	size_t nwoke = 0, moved = 0, for_good = 0;
	int fails = 0, no_archive = 0, already = 0, gone = 0, no_trash = 0;

	for (size_t i = 0; i < n; i++) {
		struct msg_row m = { 0 };
		int is_gone = 0;
		struct ui_account *u = writable_or_gone(a, ids[i], &m, &is_gone);
		int64_t change = 0, from = a->open_mailbox, dst = to;
		int rc;
		if (!u) {
			gone += is_gone;
			db_msg_row_free(&m);
			continue;
		}
		if (!from)
			from = m.mailbox_id;
		if (dest == DEST_ARCHIVE) {
			struct mailbox_row r = { 0 };
			dst = db_mailbox_by_role(a->d, u->id, MAILBOX_ROLE_ARCHIVE, &r) == TERN_OK ? r.id : 0;
			db_mailbox_row_free(&r);
			if (!dst) {
				no_archive++;
				db_msg_row_free(&m);
				continue;
			}
		}
		if (dest != DEST_TRASH && dst == from) {
			already++;
			db_msg_row_free(&m);
			continue;
		}
		if (dest != DEST_TRASH) {
			rc = db_change_move(a->d, ids[i], from, dst, &change);
			if (rc == TERN_OK)
				undo_add(g, (struct undo_item){ U_MOVE, ids[i], change, from, dst, 0, 0 });
		} else {
			struct mailbox_row trash = { 0 };
			int to_trash = u->cfg->delete_to_trash;
			int has_trash = to_trash && db_mailbox_by_role(a->d, u->id, MAILBOX_ROLE_TRASH, &trash) == TERN_OK &&
			                trash.id != from;
			rc = db_change_delete(a->d, ids[i], from, to_trash, &change);
			if (rc == TERN_OK) {
				undo_add(g, (struct undo_item){ has_trash ? U_MOVE : U_DELETE, ids[i], change, from,
				                                has_trash ? trash.id : 0, 0, 0 });
				for_good += !has_trash;
			}
			db_mailbox_row_free(&trash);
		}
		if (rc == TERN_OK) {
			moved++;
			app_tag(a, ids[i], 0);
			note_account(woke, &nwoke, u);
		} else if (rc == TERN_ENOTFOUND) {
			gone++;           /* no longer in that mailbox (a sync moved it) */
		} else if (rc == TERN_ENOTRASH) {
			no_trash++;
		} else {
			fails++;
		}
		db_msg_row_free(&m);
	}
	g->what = xstrdup(for_good && for_good == moved ? "deleted for good" : what);
	if (n == 1 && gone)
		app_say(a, 1, "the message is gone: a sync saw it removed on the server");
	else if (n == 1 && no_trash)
		app_say(a, 1, "this account has no Trash mailbox (delete_to_trash = no deletes for good)");
	else if (n == 1 && no_archive)
		app_say(a, 1, "this account has no archive mailbox");
	else if (n == 1 && already)
		app_say(a, 1, dest == DEST_ARCHIVE ? "already in the archive" : "already in this mailbox");
	else if (fails || no_archive || already || gone || no_trash)
		app_say(a, 1, "%s: %zu of %zu%s%s%s%s%s", g->what, moved, n,
		        fails ? "; the database refused some (a change in progress?)" : "",
		        no_archive ? "; some accounts have no archive mailbox" : "",
		        no_trash ? "; some accounts have no Trash mailbox" : "",
		        already ? "; some were there already" : "",
		        gone ? "; some are gone (removed on the server)" : "");
	else if (for_good && for_good < moved)
		app_say(a, 0, "%s: %zu messages, %zu of them for good", what, moved, for_good);
	else
		app_say(a, 0, "%s: %zu message%s", g->what, moved, moved == 1 ? "" : "s");
	undo_push(a, g);
	if (a->pg && moved)
		pager_close(a);
	done(a, woke, nwoke);
	free(woke);
}

void
triage_move_to(struct app *a, int64_t mailbox_id)
{
	int64_t *ids = a->move_ids;
	size_t n = a->nmove;
	a->move_ids = NULL;
	a->nmove = 0;
	move_or_delete(a, ids, n, DEST_MAILBOX, mailbox_id, "moved");
	free(ids);
}

void
triage_move_now(struct app *a, int64_t mailbox_id)
{
	size_t n = 0;
	int64_t *ids = targets(a, &n);
	if (n)
		move_or_delete(a, ids, n, DEST_MAILBOX, mailbox_id, "moved");
	else
		app_say(a, 1, "no message");
	free(ids);
}

static void
undo(struct app *a)
{
	struct undo_group *g = a->undo;
	struct ui_account **woke;
	size_t nwoke = 0;
	int lost = 0, lost_for_good = 0;

	if (!g) {
		app_say(a, 1, "nothing to undo");
		return;
	}
	a->undo = g->next;
	woke = xcalloc(a->nacc + 1, sizeof *woke);
	for (size_t i = g->n; i-- > 0;) {
		const struct undo_item *it = &g->v[i];
		struct msg_row m = { 0 };
		struct ui_account *u = writable(a, it->msg, &m);
		int64_t change = 0;
		int rc;
		db_msg_row_free(&m);
		if (!u) {
			lost++;
			lost_for_good += it->kind == U_DELETE;
			continue;
		}
		note_account(woke, &nwoke, u);
		/* Still queued: take it back, the server never hears of it. */
		rc = db_change_revert(a->d, it->change_id);
		if (rc == TERN_OK)
			continue;
		/* Done (or being sent): queue the inverse. */
		if (it->kind == U_FLAG)
			rc = db_change_flag(a->d, it->msg, it->flag, !it->on, &change);
		else if (it->kind == U_MOVE)
			rc = db_change_move(a->d, it->msg, it->to, it->from, &change);
		else
			rc = TERN_ENOTFOUND;     /* expunged on the server: gone */
		if (rc != TERN_OK) {
			lost++;
			lost_for_good += it->kind == U_DELETE;
		}
	}
	if (lost && lost_for_good == lost)
		app_say(a, 1, "cannot undo: %d message%s deleted for good (the server has expunged %s)",
		        lost, lost == 1 ? " was" : "s were", lost == 1 ? "it" : "them");
	else if (lost)
		app_say(a, 1, "undo %s: %d message%s could not be restored", g->what, lost, lost == 1 ? "" : "s");
	else
		app_say(a, 0, "undone: %s", g->what);
	done(a, woke, nwoke);
	/* The cursor goes back to what was undone, as it left it. */
	{
		struct msg_row m = { 0 };
		if (db_message_get(a->d, g->v[0].msg, &m) == TERN_OK)
			ml_focus(a->ml, &m);
		db_msg_row_free(&m);
	}
	group_free(g);
	free(woke);
}

struct failed_scan {
	const int64_t *ids;       /* NULL: every failed row */
	size_t n;
	int64_t *found;
	size_t nfound, nsends;
};

static int
failed_cb(const struct queue_row *r, void *ctx)
{
	struct failed_scan *s = ctx;
	int take = !s->ids;
	if (r->status != QUEUE_FAILED)
		return 0;
	for (size_t i = 0; !take && i < s->n; i++)
		take = r->resource_type == RESOURCE_EMAIL && s->ids[i] == r->resource_id;
	if (take) {
		s->found = xrealloc(s->found, (s->nfound + 1) * sizeof *s->found);
		s->found[s->nfound++] = r->id;
		if (r->change.kind == CHANGE_SEND)
			s->nsends++;
	}
	return 0;
}

/* Failed rows of every account: of the messages ids, or (ids NULL) all. */
static void
failed_scan(struct app *a, struct failed_scan *s)
{
	for (size_t i = 0; i < a->nacc; i++)
		if (!a->acc[i].readonly)
			db_queue_each(a->d, a->acc[i].id, failed_cb, s);
}

static void
retry_or_drop_rows(struct app *a, const int64_t *rows, size_t n, int drop, const char *what)
{
	int fails = 0;
	for (size_t i = 0; i < n; i++)
		if ((drop ? db_change_revert(a->d, rows[i]) : db_queue_retry(a->d, rows[i])) != TERN_OK)
			fails++;
	app_say(a, fails ? 1 : 0, "%s %zu %s%s%s", drop ? "dropped" : "retrying", n, what, n == 1 ? "" : "s",
	        fails ? " (some could not be: being sent?)" : "");
	/* Wake every worker: the rows may be of several accounts. */
	{
		struct ui_account **woke = xcalloc(a->nacc + 1, sizeof *woke);
		size_t k = 0;
		for (size_t i = 0; i < a->nacc; i++)
			if (a->acc[i].w)
				woke[k++] = &a->acc[i];
		done(a, woke, k);
		free(woke);
	}
}

struct drop_ask {
	int64_t *rows;
	size_t n;
};

static void
drop_ask_free(void *ctx)
{
	struct drop_ask *d = ctx;
	free(d->rows);
	free(d);
}

static void
drop_answer(struct app *a, int answer, void *ctx)
{
	struct drop_ask *d = ctx;
	if (answer == CONFIRM_YES)
		retry_or_drop_rows(a, d->rows, d->n, 1, "failed change");
	else
		app_say(a, 0, "nothing dropped");
	drop_ask_free(d);
}

/* Failed queue rows of the messages: retried, or dropped (the local state
 * goes back to what the server has). When the messages have none, the
 * status line's note is what the user acts on: every failed row of every
 * account, sends included (a failed send is not a message in the list).
 * Dropping those asks first, since a dropped send is a lost message. */
static void
retry_or_drop(struct app *a, const int64_t *ids, size_t n, int drop)
{
	struct failed_scan s = { ids, n, NULL, 0, 0 };
	failed_scan(a, &s);
	if (s.nfound) {
		retry_or_drop_rows(a, s.found, s.nfound, drop, "failed change");
		free(s.found);
		return;
	}
	s.ids = NULL;
	failed_scan(a, &s);
	if (!s.nfound) {
		app_say(a, 1, "nothing has failed");
	} else if (!drop) {
		retry_or_drop_rows(a, s.found, s.nfound, 0, s.nsends == s.nfound ? "failed send" : "failed change");
	} else {
		struct drop_ask *d = xcalloc(1, sizeof *d);
		char *q = s.nsends ?
			xasprintf("Drop %zu failed change%s, %zu of them unsent message%s (lost for good)?",
			          s.nfound, s.nfound == 1 ? "" : "s", s.nsends, s.nsends == 1 ? "" : "s") :
			xasprintf("Drop %zu failed change%s (of other messages)?", s.nfound,
			          s.nfound == 1 ? "" : "s");
		d->rows = s.found;
		d->n = s.nfound;
		s.found = NULL;
		confirm_open(a, q, 0, drop_answer, d, drop_ask_free);
		free(q);
	}
	free(s.found);
}

static void
move_picked(struct app *a, int64_t mailbox_id)
{
	triage_move_to(a, mailbox_id);
}

struct delete_ask {
	int64_t *ids;
	size_t n;
};

static void
delete_ask_free(void *ctx)
{
	struct delete_ask *d = ctx;
	free(d->ids);
	free(d);
}

static void
delete_answer(struct app *a, int answer, void *ctx)
{
	struct delete_ask *d = ctx;
	if (answer == CONFIRM_YES)
		move_or_delete(a, d->ids, d->n, DEST_TRASH, 0, "deleted");
	else
		app_say(a, 0, "nothing deleted");
	delete_ask_free(d);
}

/* A delete that cannot be taken back (from the Trash, or without one) asks
 * first, as mutt asks before purging: 1 when the question took ids. */
static int
delete_ask(struct app *a, int64_t *ids, size_t n)
{
	size_t for_good = 0;
	struct delete_ask *d;
	char *q;

	for (size_t i = 0; i < n; i++) {
		struct msg_row m = { 0 };
		struct ui_account *u = writable(a, ids[i], &m);
		if (u && deletes_for_good(a, u, a->open_mailbox ? a->open_mailbox : m.mailbox_id))
			for_good++;
		db_msg_row_free(&m);
	}
	if (!for_good)
		return 0;
	q = for_good == n ? xasprintf("Delete %zu message%s for good?", n, n == 1 ? "" : "s") :
	    xasprintf("Delete %zu messages, %zu of them for good?", n, for_good);
	d = xcalloc(1, sizeof *d);
	d->ids = ids;
	d->n = n;
	confirm_open(a, q, 0, delete_answer, d, delete_ask_free);
	free(q);
	return 1;
}

/* The picker offers the mailboxes of the messages' account. A move cannot
 * cross accounts, so a set from several (search-all results) is refused
 * before anything is picked. Takes ids. */
static void
move_pick(struct app *a, int64_t *ids, size_t n, int thread)
{
	int64_t account = 0;
	for (size_t i = 0; i < n; i++) {
		struct msg_row m = { 0 };
		if (db_message_get(a->d, ids[i], &m) == TERN_OK) {
			if (account && m.account_id != account) {
				db_msg_row_free(&m);
				app_say(a, 1, "the tagged messages are in several accounts: move them one account at a time");
				free(ids);
				return;
			}
			account = m.account_id;
		}
		db_msg_row_free(&m);
	}
	if (!account) {
		app_say(a, 1, "the message is gone");
		free(ids);
		return;
	}
	free(a->move_ids);
	a->move_ids = ids;
	a->nmove = n;
	picker_open(a, thread ? "Move thread to" : n > 1 ? "Move tagged to" : "Move to", account, move_picked);
}

void
triage_do(struct app *a, enum ui_action act)
{
	size_t n;
	int64_t *ids;
	int resolve, thread;

	if (act == ACT_UNDO) {
		undo(a);
		return;
	}
	if (act != ACT_TOGGLE_READ && act != ACT_TOGGLE_FLAGGED && act != ACT_DELETE && act != ACT_ARCHIVE &&
	    act != ACT_MOVE && act != ACT_RETRY && act != ACT_DROP) {
		/* The list's and the pager's keys end here when nothing else
		 * took them: say so rather than nothing. */
		app_say(a, 1, "%s does nothing %s", keymap_action_name(act),
		        a->focus == PANE_PAGER ? "in the pager" : "in the list (open a message first?)");
		return;
	}
	/* mutt's resolve: a flag set on the message under the cursor moves on
	 * to the next (a move or delete takes the row away, and the next one
	 * comes under the cursor by itself). */
	resolve = a->cfg->resolve && !a->tag_prefix && a->focus == PANE_LIST &&
	          (act == ACT_TOGGLE_READ || act == ACT_TOGGLE_FLAGGED);
	thread = !a->tag_prefix && a->focus == PANE_LIST && ml_current_fold(a->ml, NULL);
	ids = targets(a, &n);
	if (!n && act != ACT_RETRY && act != ACT_DROP) {
		app_say(a, 1, "no message");
		free(ids);
		return;
	}
	switch (act) {
	case ACT_TOGGLE_READ: toggle(a, MSG_SEEN, ids, n); break;
	case ACT_TOGGLE_FLAGGED: toggle(a, MSG_FLAGGED, ids, n); break;
	case ACT_DELETE:
		if (delete_ask(a, ids, n))
			ids = NULL;       /* the question has them */
		else
			move_or_delete(a, ids, n, DEST_TRASH, 0, "deleted");
		break;
	case ACT_ARCHIVE: move_or_delete(a, ids, n, DEST_ARCHIVE, 0, "archived"); break;
	case ACT_RETRY: retry_or_drop(a, ids, n, 0); break;
	case ACT_DROP: retry_or_drop(a, ids, n, 1); break;
	case ACT_MOVE:
		move_pick(a, ids, n, thread);
		ids = NULL;
		break;
	default:
		break;
	}
	if (resolve)
		ml_move(a->ml, 1);
	free(ids);
}

struct tag_scan {
	struct app *a;
	int64_t mailbox;          /* only messages listed here (0: any) */
	size_t seen, added;
	struct search_cursor last;
};

static int
tag_cb(const struct msg_row *r, int server_hit, void *ctx)
{
	struct tag_scan *t = ctx;
	struct app *a = t->a;
	t->seen++;
	t->last.server = server_hit;
	t->last.received_at = r->received_at;
	t->last.id = r->id;
	/* in:"NAME" narrows the search, but a name can also be some other
	 * mailbox's role: the list's own mailbox decides. */
	if (t->mailbox && db_view_in_mailbox(a->d, t->mailbox, r->id) != 1)
		return 0;
	if (a->ntags == a->tags_cap) {
		a->tags_cap = a->tags_cap ? a->tags_cap * 2 : 64;
		a->tags = xrealloc(a->tags, a->tags_cap * sizeof *a->tags);
	}
	a->tags[a->ntags++] = r->id;
	t->added++;
	return 0;
}

static int
cmp_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

static void
tag_pattern_done(struct app *a, const char *text, void *ctx)
{
	(void)ctx;
	if (*text)
		triage_tag_pattern(a, text);
}

void
triage_tag_prompt(struct app *a, const char *initial)
{
	prompt_open(a, "Tag matching: ", initial, tag_pattern_done, NULL);
}

/* Tags what the pattern matches among the messages of the list: the open
 * mailbox (its own account), or the search results (the pattern ANDed with
 * the list's query, over the list's accounts). */
void
triage_tag_pattern(struct app *a, const char *query)
{
	struct search_scope sc = { NULL, 0 };
	struct search_error e = { 0 };
	struct tag_scan t = { a, 0, 0, 0, { 0, 0, 0 } };
	struct mailbox_row mb = { 0 };
	int64_t account = 0;
	search_query *q = NULL;
	char *text = NULL;
	size_t j = 0;

	if (a->open_mailbox) {
		if (db_mailbox_get(a->d, a->open_mailbox, &mb) != TERN_OK) {
			app_say(a, 1, "the mailbox is gone");
			return;
		}
		account = mb.account_id;
		t.mailbox = mb.id;
		/* In a limit, only what the limit shows. */
		text = ml_limited(a->ml) && a->limit_text ? xasprintf("(%s) (%s)", query, a->limit_text) : xstrdup(query);
		if (!strchr(mb.name, '"')) {
			char *in = xasprintf("(%s) in:\"%s\"", text, mb.name);
			free(text);
			text = in;
		}
		db_mailbox_row_free(&mb);
	} else if (a->search_text) {
		account = ml_account(a->ml);
		text = xasprintf("(%s) (%s)", query, a->search_text);
	} else {
		app_say(a, 1, "no list to tag in");
		return;
	}
	if (account) {
		sc.account_ids = &account;
		sc.n = 1;
	}
	if (search_parse(text, time_now(), &q, &e) != TERN_OK) {
		app_say(a, 1, "bad pattern: %s", e.message ? e.message : "?");
		triage_tag_prompt(a, query);
		prompt_note(a, a->msg);
		search_error_free(&e);
		free(text);
		return;
	}
	/* Ids only, in pages: even a million matches is a few MB. */
	for (;;) {
		size_t before = t.seen;
		struct search_cursor c = t.last;
		if (db_search_page(a->d, q, &sc, t.seen ? &c : NULL, 0, 1000, tag_cb, &t) != TERN_OK ||
		    t.seen - before < 1000)
			break;
	}
	qsort(a->tags, a->ntags, sizeof *a->tags, cmp_id);
	for (size_t i = 0; i < a->ntags; i++)
		if (j == 0 || a->tags[j - 1] != a->tags[i])
			a->tags[j++] = a->tags[i];
	a->ntags = j;
	app_say(a, 0, "%zu messages match; %zu tagged in all", t.added, a->ntags);
	search_query_free(q);
	free(text);
}
