#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_queue.h"
#include "err.h"
#include "ui/app.h"
#include "ui/pager.h"
#include "util.h"

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
	/* Depth from the parent chain already listed (children follow their
	 * parent in db_mailbox_each's order). */
	for (size_t i = 0; i + 1 < l->n; i++)
		if (r->parent_id && l->v[i].r.id == r->parent_id)
			e->depth = l->v[i].depth + 1;
	return 0;
}

static void
free_mailboxes(struct app *a)
{
	for (size_t i = 0; i < a->nmb; i++)
		db_mailbox_row_free(&a->mb[i].r);
	free(a->mb);
	a->mb = NULL;
	a->nmb = 0;
}

void
app_load_mailboxes(struct app *a)
{
	struct mb_load l = { 0 };
	int64_t keep = a->nmb ? a->mb[a->mb_cur].r.id : a->open_mailbox;
	if (!a->nacc)
		return;
	db_mailbox_each(a->d, a->acc[a->cur_acc].id, mb_cb, &l);
	free_mailboxes(a);
	a->mb = l.v;
	a->nmb = l.n;
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
	free(a->list_title);
	a->list_title = xstrdup(r.name);
	ml_open_mailbox(a->ml, mailbox_id, a->threaded);
	app_load_mailboxes(a);
	for (size_t i = 0; i < a->nmb; i++)
		if (a->mb[i].r.id == mailbox_id)
			a->mb_cur = i;
	a->focus = PANE_LIST;
	db_mailbox_row_free(&r);
}

/* Keeps the error of the last failed row (rows come oldest first). */
static int
newest_failed(const struct queue_row *r, void *ctx)
{
	char **err = ctx;
	if (str_eq(r->status, "failed") && r->last_error && *r->last_error) {
		free(*err);
		*err = xstrdup(r->last_error);
	}
	return 0;
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
			db_queue_each(a->d, u->id, newest_failed, &u->failed_error);
	}
	app_load_mailboxes(a);
	ml_refresh(a->ml);
	if (a->pg)
		pager_refresh(a);
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
