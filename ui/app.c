#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/db_queue.h"
#include "db/db_view.h"
#include "src/base/err.h"
#include "ui/app.h"
#include "ui/pager.h"
#include "src/base/util.h"

void
app_say(struct app *a, int err, const char *fmt, ...)
{
	va_list ap;
	free(a->msg);
	va_start(ap, fmt);
	a->msg = xvasprintf(fmt, ap);
	va_end(ap);
	a->msg_err = err;
}

struct ui_account *
app_account(struct app *a, int64_t account_id)
{
	for (size_t i = 0; i < a->nacc; i++)
		if (a->acc[i].id == account_id)
			return &a->acc[i];
	return NULL;
}

struct mb_load {
	struct mbox_entry *v;
	size_t n, cap;
};

static int
mb_cb(const struct mailbox_row *r, void *ctx)
{
	struct mb_load *l = ctx;
	struct mbox_entry *e;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	e = &l->v[l->n++];
	e->r = *r;
	e->r.remote_id = xstrdup(r->remote_id);
	e->r.name = xstrdup(r->name);
	e->r.delim = xstrdup(r->delim);
	e->r.role = xstrdup(r->role);
	e->depth = 0;
	return 0;
}

/* Children of one parent are a run of this order: parent, then name. */
static int
by_parent_name(const void *x, const void *y)
{
	const struct mbox_entry *a = *(const struct mbox_entry *const *)x, *b = *(const struct mbox_entry *const *)y;
	int c;
	if (a->r.parent_id != b->r.parent_id)
		return a->r.parent_id < b->r.parent_id ? -1 : 1;
	if ((c = strcasecmp(a->r.name, b->r.name)) != 0)
		return c;
	return a->r.id < b->r.id ? -1 : a->r.id > b->r.id;
}

struct mb_tree {
	struct mbox_entry *in;        /* database order */
	struct mbox_entry **kids;     /* by_parent_name order */
	unsigned char *done;          /* by index into in */
	struct mbox_entry *out;
	size_t n, nout;
};

static void
tree_emit(struct mb_tree *t, struct mbox_entry *e, int depth)
{
	size_t lo = 0, hi = t->n;
	size_t i = (size_t)(e - t->in);
	if (t->done[i])
		return;
	t->done[i] = 1;
	t->out[t->nout] = *e;
	t->out[t->nout++].depth = depth;
	/* The first child: the first entry whose parent is e. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t->kids[mid]->r.parent_id < e->r.id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < t->n && t->kids[lo]->r.parent_id == e->r.id; lo++)
		tree_emit(t, t->kids[lo], depth + 1);
}

static int
cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

/* The pane's order: the top-level mailboxes as the database lists them
 * (Inbox, the other roles, then by name), each followed by its children
 * by name, depth first, so a child is always under its own parent. A
 * mailbox whose parent is not listed counts as top level; a parent cycle
 * (broken server data) is listed flat at the end. */
static void
tree_order(struct mb_load *l)
{
	struct mb_tree t = { l->v, NULL, NULL, NULL, l->n, 0 };
	int64_t *ids;
	if (!l->n)
		return;
	t.kids = xcalloc(l->n, sizeof *t.kids);
	t.done = xcalloc(l->n, 1);
	t.out = xcalloc(l->n, sizeof *t.out);
	ids = xcalloc(l->n, sizeof *ids);
	for (size_t i = 0; i < l->n; i++) {
		t.kids[i] = &l->v[i];
		ids[i] = l->v[i].r.id;
	}
	qsort(t.kids, l->n, sizeof *t.kids, by_parent_name);
	qsort(ids, l->n, sizeof *ids, cmp_i64);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < l->n; i++) {
			int64_t p = l->v[i].r.parent_id;
			if (pass == 1 || !p || !bsearch(&p, ids, l->n, sizeof *ids, cmp_i64))
				tree_emit(&t, &l->v[i], 0);
		}
	free(l->v);
	l->v = t.out;
	free(t.kids);
	free(t.done);
	free(ids);
}

/* The account's mailboxes in the pane's order, each with its depth. */
static void
load_tree(db *d, int64_t account_id, struct mbox_entry **v, size_t *n)
{
	struct mb_load l = { 0 };
	db_mailbox_each(d, account_id, mb_cb, &l);
	tree_order(&l);
	*v = l.v;
	*n = l.n;
}

void
app_mailboxes_free(struct mbox_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		db_mailbox_row_free(&v[i].r);
	free(v);
}

void
app_mailboxes(struct app *a, int64_t account_id, struct mbox_entry **v, size_t *n)
{
	load_tree(a->d, account_id, v, n);
}

static void
free_mailboxes(struct app *a)
{
	app_mailboxes_free(a->mb, a->nmb);
	a->mb = NULL;
	a->nmb = 0;
}

void
app_load_mailboxes(struct app *a)
{
	struct mbox_entry *v;
	size_t n;
	int64_t keep = a->nmb ? a->mb[a->mb_cur].r.id : a->open_mailbox;
	if (!a->nacc)
		return;
	load_tree(a->d, a->acc[a->cur_acc].id, &v, &n);
	free_mailboxes(a);
	a->mb = v;
	a->nmb = n;
	a->mb_cur = 0;
	for (size_t i = 0; i < a->nmb; i++)
		if (a->mb[i].r.id == keep)
			a->mb_cur = i;
}

void
app_open_mailbox(struct app *a, int64_t mailbox_id)
{
	struct mailbox_row r = { 0 };
	if (db_mailbox_get(a->d, mailbox_id, &r) != TERN_OK) {
		app_say(a, 1, "no such mailbox");
		return;
	}
	if (a->pg)
		pager_close(a);
	/* A mailbox of another account: its account becomes the current one. */
	if (a->nacc && a->acc[a->cur_acc].id != r.account_id)
		for (size_t i = 0; i < a->nacc; i++)
			if (a->acc[i].id == r.account_id)
				a->cur_acc = i;
	a->open_mailbox = mailbox_id;
	a->prev_mailbox = 0;
	free(a->search_text);
	a->search_text = NULL;
	free(a->list_title);
	a->list_title = xstrdup(r.name);
	/* Tags belong to the list they were made in (mutt's behaviour): an
	 * action on tags never reaches messages that are not on screen. */
	app_untag_all(a);
	{
		struct ui_account *u = app_account(a, r.account_id);
		struct sort_spec s = app_sort_for(a, mailbox_id, u && u->cfg ? u->cfg->name : NULL, r.name);
		ml_preset_sort(a->ml, &s);
	}
	limit_reopen(a);
	app_load_mailboxes(a);
	for (size_t i = 0; i < a->nmb; i++)
		if (a->mb[i].r.id == mailbox_id)
			a->mb_cur = i;
	a->focus = PANE_LIST;
	db_mailbox_row_free(&r);
}

int
app_open_first(struct app *a)
{
	struct mailbox_row r = { 0 };
	int64_t id = 0;
	if (!a->nacc)
		return 0;
	if (db_mailbox_by_role(a->d, a->acc[0].id, MAILBOX_ROLE_INBOX, &r) == TERN_OK)
		id = r.id;
	db_mailbox_row_free(&r);
	if (!id) {
		struct mbox_entry *v;
		size_t n;
		app_mailboxes(a, a->acc[0].id, &v, &n);
		for (size_t i = 0; i < n && !id; i++)
			if (v[i].r.selectable)
				id = v[i].r.id;
		app_mailboxes_free(v, n);
	}
	if (id)
		app_open_mailbox(a, id);
	return id != 0;
}

void
app_refresh(struct app *a)
{
	for (size_t i = 0; i < a->nacc; i++) {
		struct ui_account *u = &a->acc[i];
		struct account_status st = { 0 };
		if (db_status_get(a->d, u->id, &st) == TERN_OK) {
			db_status_free(&u->st);
			u->st = st;
		}
		db_queue_counts(a->d, u->id, &u->queued, &u->failed);
		free(u->failed_error);
		u->failed_error = NULL;
		if (u->failed)
			db_view_failed_error(a->d, u->id, &u->failed_error);
	}
	/* First run: the first sync has just listed the mailboxes. Open the
	 * inbox as soon as it exists, leaving the focus where the user is. */
	if (!a->open_mailbox && !a->search_text) {
		enum pane keep = a->focus;
		if (app_open_first(a) && keep != PANE_ACCOUNTS)
			a->focus = keep;
	}
	app_load_mailboxes(a);
	ml_refresh(a->ml);
	if (a->pg)
		pager_refresh(a);
}

const struct msg_row *
app_current(const struct app *a)
{
	if (a->focus == PANE_PAGER && a->pg)
		return pager_message(a);
	return ml_current(a->ml);
}

static size_t
tag_find(const struct app *a, int64_t id, int *found)
{
	size_t lo = 0, hi = a->ntags;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (a->tags[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < a->ntags && a->tags[lo] == id;
	return lo;
}

void
app_untag_all(struct app *a)
{
	a->ntags = 0;
	a->tag_prefix = 0;
}

int
app_is_tagged(const struct app *a, int64_t id)
{
	int found;
	tag_find(a, id, &found);
	return found;
}

void
app_tag(struct app *a, int64_t id, int on)
{
	int found;
	size_t i = tag_find(a, id, &found);
	if (on && !found) {
		if (a->ntags == a->tags_cap) {
			a->tags_cap = a->tags_cap ? a->tags_cap * 2 : 64;
			a->tags = xrealloc(a->tags, a->tags_cap * sizeof *a->tags);
		}
		memmove(&a->tags[i + 1], &a->tags[i], (a->ntags - i) * sizeof *a->tags);
		a->tags[i] = id;
		a->ntags++;
	} else if (!on && found) {
		memmove(&a->tags[i], &a->tags[i + 1], (a->ntags - i - 1) * sizeof *a->tags);
		a->ntags--;
	}
}
