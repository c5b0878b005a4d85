#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_thread.h"
#include "db/db_view.h"
#include "src/base/err.h"
#include "src/base/util.h"
#include "ui/msglist_int.h"

/* Collapsed threads. The state is "all collapsed but these" or "only these
 * collapsed", so collapsing or expanding all costs nothing whatever the
 * size of the mailbox; a thread's state is a binary search. A collapsed
 * thread's row is built from db_thread_summary (an aggregate over the
 * thread's messages in SQL) and its first message, never from the thread's
 * rows, so a collapsed page costs its threads' index entries, not their
 * messages. */

static struct ml_fold *
fold_of(msglist *l)
{
	for (size_t i = 0; i < l->nfolds; i++)
		if (l->folds[i].mailbox_id == l->mailbox_id)
			return &l->folds[i];
	l->folds = xrealloc(l->folds, (l->nfolds + 1) * sizeof *l->folds);
	l->folds[l->nfolds] = (struct ml_fold){ l->mailbox_id, l->fold_default, NULL, 0, 0 };
	return &l->folds[l->nfolds++];
}

static size_t
id_pos(const struct ml_fold *f, int64_t id, int *found)
{
	size_t lo = 0, hi = f->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (f->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < f->n && f->ids[lo] == id;
	return lo;
}

int
thread_folded(msglist *l, int64_t thread_id)
{
	const struct ml_fold *f;
	int found;
	if (l->mode != ML_THREADS)
		return 0;
	f = fold_of(l);
	id_pos(f, thread_id, &found);
	return f->all ^ found;
}

static void
fold_set(msglist *l, int64_t thread_id, int collapsed)
{
	struct ml_fold *f = fold_of(l);
	int found;
	size_t i = id_pos(f, thread_id, &found);
	int want = collapsed ^ f->all;       /* an exception to "all" */
	if (want == found)
		return;
	if (found) {
		memmove(&f->ids[i], &f->ids[i + 1], (f->n - i - 1) * sizeof *f->ids);
		f->n--;
		return;
	}
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->ids = xrealloc(f->ids, f->cap * sizeof *f->ids);
	}
	memmove(&f->ids[i + 1], &f->ids[i], (f->n - i) * sizeof *f->ids);
	f->ids[i] = thread_id;
	f->n++;
}

void
ml_fold_free(msglist *l)
{
	for (size_t i = 0; i < l->nfolds; i++)
		free(l->folds[i].ids);
	free(l->folds);
	l->folds = NULL;
	l->nfolds = 0;
	rv_free(&l->fs);
}

void
ml_fold_default(msglist *l, int collapsed)
{
	l->fold_default = !!collapsed;
}

int
thread_rows(msglist *l, const struct thread_ref *t, const struct rowvec **rows)
{
	struct thread_sum s;
	struct msg_row m = { 0 };
	int rc;

	if (!thread_folded(l, t->thread_id))
		return thread_tree(l, t, rows);
	rv_clear(&l->fs);
	*rows = &l->fs;
	rc = db_thread_summary(l->d, l->mailbox_id, t->thread_id, &s);
	if (rc == TERN_ENOTFOUND)
		return TERN_OK;           /* gone since the page was read */
	if (rc != TERN_OK)
		return rc;
	if ((rc = db_message_get(l->d, s.first_id, &m)) != TERN_OK)
		return rc == TERN_ENOTFOUND ? TERN_OK : rc;
	m.mailbox_id = l->mailbox_id;
	rv_push(&l->fs, &m, (struct lkey){ .a = t->latest_at, .b = t->thread_id }, 0);
	/* A thread of one message looks as it does expanded. */
	if (s.n > 1) {
		l->fs.v[0].fold_n = s.n;
		l->fs.v[0].fold_unread = s.unread > 0;
		l->fs.v[0].fold_flagged = s.flagged;
	}
	db_msg_row_free(&m);
	return TERN_OK;
}

/* The window again at thread (latest_at, thread_id)'s first row, on the
 * screen row the cursor had. */
static void
reload_at_thread(msglist *l, int64_t latest_at, int64_t thread_id)
{
	struct lkey k = { .a = latest_at, .b = thread_id };
	ml_load_at(l, &k, l->cur - l->top);
}

int
ml_fold(msglist *l, enum ml_fold_how how, int64_t *n)
{
	struct thread_ref t;
	int collapse;

	*n = 0;
	if (l->mode != ML_THREADS || !l->w.n)
		return TERN_EINVAL;
	t = (struct thread_ref){ l->w.v[l->cur].k.a, l->w.v[l->cur].k.b, 0 };
	if (db_thread_of(l->d, l->mailbox_id, l->w.v[l->cur].m.id, &t) == TERN_OK)
		*n = t.n;
	collapse = how == ML_FOLD_CLOSE ? 1 : how == ML_FOLD_OPEN ? 0 : !thread_folded(l, t.thread_id);
	fold_set(l, t.thread_id, collapse);
	reload_at_thread(l, t.latest_at, t.thread_id);
	return collapse;
}

int
ml_fold_all(msglist *l, int collapse)
{
	struct ml_fold *f;
	const struct lrow *r;
	if (l->mode != ML_THREADS)
		return TERN_EINVAL;
	r = l->w.n ? &l->w.v[l->cur] : NULL;
	if (collapse < 0)
		collapse = !(r && thread_folded(l, r->k.b));
	f = fold_of(l);
	f->all = collapse;
	f->n = 0;
	if (r)
		reload_at_thread(l, r->k.a, r->k.b);
	return collapse;
}

int
ml_row_fold(const msglist *l, int i, struct ml_thread_fold *f)
{
	int k = l->top + i;
	const struct lrow *r;
	if (i < 0 || i >= l->height || k >= l->w.n || !l->w.v[k].fold_n)
		return 0;
	r = &l->w.v[k];
	if (f)
		*f = (struct ml_thread_fold){ r->fold_n, r->fold_unread, r->fold_flagged };
	return 1;
}

int
ml_current_fold(const msglist *l, struct ml_thread_fold *f)
{
	return l->w.n ? ml_row_fold(l, l->cur - l->top, f) : 0;
}

int
ml_current_thread(msglist *l, int64_t **ids, size_t *n)
{
	const struct lrow *r;
	*ids = NULL;
	*n = 0;
	if (l->mode != ML_THREADS || !l->w.n || !l->w.v[l->cur].fold_n)
		return 0;
	r = &l->w.v[l->cur];
	if (db_thread_ids(l->d, l->mailbox_id, r->k.b, ids, n) != TERN_OK || !*n) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return 0;
	}
	return 1;
}
