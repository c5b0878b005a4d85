#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_change.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "db/db_search.h"
#include "err.h"
#include "search.h"
#include "strbuf.h"
#include "ui/app.h"
#include "ui/modal.h"
#include "ui/pager.h"
#include "util.h"

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

/* The messages an action works on: the tagged ones after tag-prefix, else
 * the one under the cursor (or in the pager). Caller frees. */
static int64_t *
targets(struct app *a, size_t *n)
{
	const struct msg_row *cur = ml_current(a->ml);
	int64_t *v;
	if (a->tag_prefix) {
		a->tag_prefix = 0;
		*n = a->ntags;
		v = xcalloc(a->ntags + 1, sizeof *v);
		memcpy(v, a->tags, a->ntags * sizeof *v);
		return v;
	}
	*n = cur ? 1 : 0;
	v = xcalloc(1, sizeof *v);
	if (cur)
		v[0] = cur->id;
	return v;
}

/* The account of a message, if local changes may be made to it now. */
static struct ui_account *
writable(struct app *a, int64_t msg, struct msg_row *m)
{
	struct ui_account *u;
	if (db_message_get(a->d, msg, m) != TERN_OK)
		return NULL;
	u = app_account(a, m->account_id);
	if (u && u->readonly) {
		app_say(a, 1, "%s is read-only here: another tern process syncs it", u->cfg->name);
		return NULL;
	}
	return u;
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
	size_t nwoke = 0, changed = 0;
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
		struct ui_account *u = writable(a, ids[i], &m);
		int64_t change = 0;
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
	if (fails)
		app_say(a, 1, "%d changes failed (database)", fails);
	else if (n > 1)
		app_say(a, 0, "%s: %zu messages", g->what, changed);
	undo_push(a, g);
	done(a, woke, nwoke);
	free(woke);
}

/* Moves (to == 0: delete) ids out of the list's mailbox. */
static void
move_or_delete(struct app *a, const int64_t *ids, size_t n, int64_t to, const char *what)
{
	struct undo_group *g = xcalloc(1, sizeof *g);
	struct ui_account **woke = xcalloc(a->nacc + 1, sizeof *woke);
	size_t nwoke = 0, moved = 0;
	int fails = 0;

	for (size_t i = 0; i < n; i++) {
		struct msg_row m = { 0 };
		struct ui_account *u = writable(a, ids[i], &m);
		int64_t change = 0, from = a->open_mailbox;
		int rc;
		if (!u) {
			db_msg_row_free(&m);
			continue;
		}
		if (!from)
			from = m.mailbox_id;
		if (to) {
			rc = db_change_move(a->d, ids[i], from, to, &change);
			if (rc == TERN_OK)
				undo_add(g, (struct undo_item){ U_MOVE, ids[i], change, from, to, 0, 0 });
		} else {
			struct mailbox_row trash = { 0 };
			int to_trash = u->cfg->delete_to_trash;
			int has_trash = to_trash && db_mailbox_by_role(a->d, u->id, "trash", &trash) == TERN_OK &&
			                trash.id != from;
			rc = db_change_delete(a->d, ids[i], from, to_trash, &change);
			if (rc == TERN_OK)
				undo_add(g, (struct undo_item){ has_trash ? U_MOVE : U_DELETE, ids[i], change, from,
				                                has_trash ? trash.id : 0, 0, 0 });
			db_mailbox_row_free(&trash);
		}
		if (rc == TERN_OK) {
			moved++;
			app_tag(a, ids[i], 0);
			note_account(woke, &nwoke, u);
		} else {
			fails++;
		}
		db_msg_row_free(&m);
	}
	g->what = xstrdup(what);
	if (fails)
		app_say(a, 1, "%s: %d of %zu failed (already there?)", what, fails, n);
	else
		app_say(a, 0, "%s: %zu message%s", what, moved, moved == 1 ? "" : "s");
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
	if (mailbox_id == a->open_mailbox)
		app_say(a, 1, "already in this mailbox");
	else
		move_or_delete(a, ids, n, mailbox_id, "moved");
	free(ids);
}

static void
archive(struct app *a, const int64_t *ids, size_t n)
{
	struct mailbox_row r = { 0 };
	const struct ui_account *u = a->nacc ? &a->acc[a->cur_acc] : NULL;
	if (!u || db_mailbox_by_role(a->d, u->id, "archive", &r) != TERN_OK) {
		app_say(a, 1, "%s has no archive mailbox", u ? u->cfg->name : "this account");
		return;
	}
	if (r.id == a->open_mailbox)
		app_say(a, 1, "already in the archive");
	else
		move_or_delete(a, ids, n, r.id, "archived");
	db_mailbox_row_free(&r);
}

static void
undo(struct app *a)
{
	struct undo_group *g = a->undo;
	struct ui_account **woke;
	size_t nwoke = 0;
	int lost = 0;

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
		if (rc != TERN_OK)
			lost++;
	}
	if (lost)
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
	const int64_t *ids;
	size_t n;
	int64_t *found;
	size_t nfound;
};

static int
failed_cb(const struct queue_row *r, void *ctx)
{
	struct failed_scan *s = ctx;
	if (!str_eq(r->status, "failed") || !str_eq(r->resource_type, "Email"))
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->ids[i] == r->resource_id) {
			s->found = xrealloc(s->found, (s->nfound + 1) * sizeof *s->found);
			s->found[s->nfound++] = r->id;
		}
	return 0;
}

/* Failed queue rows of the messages: retried, or dropped (the local state
 * goes back to what the server has). */
static void
retry_or_drop(struct app *a, const int64_t *ids, size_t n, int drop)
{
	struct failed_scan s = { ids, n, NULL, 0 };
	struct ui_account *u = a->nacc ? &a->acc[a->cur_acc] : NULL;
	int fails = 0;
	if (!u || !n)
		return;
	db_queue_each(a->d, u->id, failed_cb, &s);
	for (size_t i = 0; i < s.nfound; i++)
		if ((drop ? db_change_revert(a->d, s.found[i]) : db_queue_retry(a->d, s.found[i])) != TERN_OK)
			fails++;
	if (!s.nfound)
		app_say(a, 1, "no failed change on %s", n > 1 ? "these messages" : "this message");
	else
		app_say(a, fails ? 1 : 0, "%s %zu failed change%s%s", drop ? "dropped" : "retrying", s.nfound,
		        s.nfound == 1 ? "" : "s", fails ? " (some could not be)" : "");
	free(s.found);
	done(a, &u, 1);
}

static void
move_picked(struct app *a, int64_t mailbox_id)
{
	triage_move_to(a, mailbox_id);
}

void
triage_do(struct app *a, enum ui_action act)
{
	size_t n;
	int64_t *ids;

	if (act == ACT_UNDO) {
		undo(a);
		return;
	}
	if (act != ACT_TOGGLE_READ && act != ACT_TOGGLE_FLAGGED && act != ACT_DELETE && act != ACT_ARCHIVE &&
	    act != ACT_MOVE && act != ACT_RETRY && act != ACT_DROP)
		return;
	ids = targets(a, &n);
	if (!n) {
		app_say(a, 1, "no message");
		free(ids);
		return;
	}
	switch (act) {
	case ACT_TOGGLE_READ: toggle(a, MSG_SEEN, ids, n); break;
	case ACT_TOGGLE_FLAGGED: toggle(a, MSG_FLAGGED, ids, n); break;
	case ACT_DELETE: move_or_delete(a, ids, n, 0, "deleted"); break;
	case ACT_ARCHIVE: archive(a, ids, n); break;
	case ACT_RETRY: retry_or_drop(a, ids, n, 0); break;
	case ACT_DROP: retry_or_drop(a, ids, n, 1); break;
	case ACT_MOVE:
		free(a->move_ids);
		a->move_ids = ids;
		a->nmove = n;
		ids = NULL;
		picker_open(a, n > 1 ? "Move tagged to" : "Move to", move_picked);
		break;
	default:
		break;
	}
	free(ids);
}

struct tag_scan {
	struct app *a;
	size_t added;
	struct search_cursor last;
};

static int
tag_cb(const struct msg_row *r, int server_hit, void *ctx)
{
	struct tag_scan *t = ctx;
	struct app *a = t->a;
	if (a->ntags == a->tags_cap) {
		a->tags_cap = a->tags_cap ? a->tags_cap * 2 : 64;
		a->tags = xrealloc(a->tags, a->tags_cap * sizeof *a->tags);
	}
	a->tags[a->ntags++] = r->id;
	t->added++;
	t->last.server = server_hit;
	t->last.received_at = r->received_at;
	t->last.id = r->id;
	return 0;
}

static int
cmp_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

void
triage_tag_pattern(struct app *a, const char *query)
{
	struct ui_account *u = a->nacc ? &a->acc[a->cur_acc] : NULL;
	struct search_scope sc;
	struct search_error e = { 0 };
	struct tag_scan t = { a, 0, { 0, 0, 0 } };
	search_query *q = NULL;
	char *text = NULL;
	size_t j = 0;

	if (!u)
		return;
	sc.account_ids = &u->id;
	sc.n = 1;
	/* Within the open mailbox: the same query language as search. */
	for (size_t i = 0; i < a->nmb; i++)
		if (a->mb[i].r.id == a->open_mailbox)
			text = xasprintf("(%s) in:\"%s\"", query, a->mb[i].r.name);
	if (!text)
		text = xstrdup(query);
	if (search_parse(text, time_now(), &q, &e) != TERN_OK) {
		app_say(a, 1, "bad pattern: %s", e.message ? e.message : "?");
		search_error_free(&e);
		free(text);
		return;
	}
	/* Ids only, in pages: even a million matches is a few MB. */
	for (;;) {
		size_t before = t.added;
		struct search_cursor c = t.last;
		if (db_search_page(a->d, q, &sc, t.added ? &c : NULL, 0, 1000, tag_cb, &t) != TERN_OK ||
		    t.added - before < 1000)
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
