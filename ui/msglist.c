#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_search.h"
#include "db/db_view.h"
#include "src/base/err.h"
#include "ui/msglist.h"
#include "ui/msglist_int.h"
#include "src/base/util.h"

/* Positions are counted only this far: beyond it, "unknown" is cheaper. */
#define POS_LIMIT 5000
/* A limit's matches are counted this far: "10,000+" beyond. */
#define LIMIT_COUNT_MAX 10000
/* next-unread gives up after this many rows. */
#define SCAN_LIMIT 200000

void
rv_push(struct rowvec *rv, const struct msg_row *m, struct lkey k, int depth)
{
	struct lrow *r;
	if (rv->n == rv->cap) {
		rv->cap = rv->cap ? rv->cap * 2 : 64;
		rv->v = xrealloc(rv->v, (size_t)rv->cap * sizeof *rv->v);
	}
	r = &rv->v[rv->n++];
	r->m = *m;
	r->m.email_id = xstrdup(m->email_id);
	r->m.message_id = xstrdup(m->message_id);
	r->m.in_reply_to = xstrdup(m->in_reply_to);
	r->m.references = xstrdup(m->references);
	r->m.subject = xstrdup(m->subject);
	r->m.from_name = xstrdup(m->from_name);
	r->m.from_addr = xstrdup(m->from_addr);
	r->m.to_list = xstrdup(m->to_list);
	r->m.cc_list = xstrdup(m->cc_list);
	r->m.reply_to = xstrdup(m->reply_to);
	r->m.keywords = xstrdup(m->keywords);
	r->m.preview = xstrdup(m->preview);
	r->k = k;
	r->depth = depth;
	r->tree = 0;
	r->fold_n = 0;
	r->fold_unread = r->fold_flagged = 0;
}

void
rv_push_row(struct rowvec *rv, const struct lrow *r)
{
	rv_push(rv, &r->m, r->k, r->depth);
	rv->v[rv->n - 1].tree = r->tree;
	rv->v[rv->n - 1].fold_n = r->fold_n;
	rv->v[rv->n - 1].fold_unread = r->fold_unread;
	rv->v[rv->n - 1].fold_flagged = r->fold_flagged;
}

void
rv_clear(struct rowvec *rv)
{
	for (int i = 0; i < rv->n; i++)
		db_msg_row_free(&rv->v[i].m);
	rv->n = 0;
}

void
rv_free(struct rowvec *rv)
{
	rv_clear(rv);
	free(rv->v);
	memset(rv, 0, sizeof *rv);
}

/* Removes rows [from, from+k) without freeing others. */
void
rv_cut(struct rowvec *rv, int from, int k)
{
	for (int i = from; i < from + k; i++)
		db_msg_row_free(&rv->v[i].m);
	memmove(&rv->v[from], &rv->v[from + k], (size_t)(rv->n - from - k) * sizeof *rv->v);
	rv->n -= k;
}

/* A row's key in the flat view under order s. */
static struct lkey
flat_key(const struct sort_spec *s, const struct msg_row *r)
{
	struct sort_cursor c;
	struct lkey k = { 0 };
	db_sort_cursor(s, r, &c);
	k.a = c.received_at;
	k.b = c.id;
	k.key = c.key;
	memcpy(k.text, c.text, sizeof k.text);
	return k;
}

static struct sort_cursor
flat_cursor(const struct lkey *k)
{
	struct sort_cursor c;
	c.key = k->key;
	memcpy(c.text, k->text, sizeof c.text);
	c.received_at = k->a;
	c.id = k->b;
	return c;
}

static int
flat_cb(const struct msg_row *r, const struct sort_cursor *c, void *ctx)
{
	struct page_ctx *p = ctx;
	struct lkey k = { 0 };
	k.a = c->received_at;
	k.b = c->id;
	k.key = c->key;
	memcpy(k.text, c->text, sizeof k.text);
	rv_push(p->out, r, k, 0);
	return p->out->n >= p->limit;
}

/* A limit's page comes in arrival order: its rows carry that key. */
static int
limit_cb(const struct msg_row *r, int server_hit, void *ctx)
{
	struct page_ctx *p = ctx;
	struct lkey k = { 0 };
	(void)server_hit;
	k.a = r->received_at;
	k.b = r->id;
	rv_push(p->out, r, k, 0);
	return p->out->n >= p->limit;
}

static int
search_cb(const struct msg_row *r, int server_hit, void *ctx)
{
	struct page_ctx *p = ctx;
	rv_push(p->out, r, (struct lkey){ .a = server_hit, .b = r->received_at, .c = r->id }, 0);
	return p->out->n >= p->limit;
}

/* Up to limit rows after `after` (inclusive: starting at it) or before it,
 * appended to out in display order. after NULL: the top or the bottom. */
static int
fetch(msglist *l, const struct lkey *after, int inclusive, int backward, int limit, struct rowvec *out)
{
	struct page_ctx p = { out, out->n + limit, &l->sort };
	struct lkey k = { 0 };

	if (after) {
		k = *after;
		/* The first row after a key one past this one (in display
		 * order: the id goes up where the order goes down). */
		if (inclusive && l->mode == ML_FLAT)
			k.b += sort_desc(&l->sort) ? 1 : -1;
		else if (inclusive)
			k.c += l->mode == ML_THREADS ? -1 : 1;
	}
	switch (l->mode) {
	case ML_FLAT: {
		/* A limit pages in arrival order (db_search_limit_page); the
		 * other orders are the unlimited list's. */
		if (l->q) {
			struct search_cursor sc = { 0, k.a, k.b };
			return db_search_limit_page(l->d, l->q, l->mailbox_id, after ? &sc : NULL, backward, limit,
			                            limit_cb, &p);
		} else {
			struct sort_cursor c = flat_cursor(&k);
			return db_sort_page(l->d, l->mailbox_id, &l->sort, after ? &c : NULL, backward, limit, flat_cb, &p);
		}
	}
	case ML_SEARCH: {
		struct search_cursor c = { (int)k.a, k.b, k.c };
		/* account 0: every account (search-all) */
		struct search_scope sc = { &l->account_id, l->account_id ? 1 : 0 };
		return db_search_page(l->d, l->q, &sc, after ? &c : NULL, backward, limit, search_cb, &p);
	}
	case ML_THREADS:
		return threads_fetch(l, after ? &k : NULL, backward, limit, out);
	}
	return TERN_EINVAL;
}

/* --- the window ----------------------------------------------------- */

/* Messages in rows [from, to): a collapsed thread's row counts all of its,
 * so positions stay message numbers of the mailbox's total, as mutt's. */
static int64_t
msgs_in(const struct rowvec *rv, int from, int to)
{
	int64_t n = 0;
	for (int i = from; i < to; i++)
		n += rv->v[i].fold_n ? rv->v[i].fold_n : 1;
	return n;
}

static int
page_size(const msglist *l)
{
	return l->height > 4 ? l->height : 4;
}

/* Counts rows before the first of the window, if cheap. */
static void
find_base(msglist *l)
{
	int64_t pos = -1;
	l->base = -1;
	if (l->at_start) {
		l->base = 0;
		return;
	}
	if (l->w.n == 0)
		return;
	if (l->mode == ML_FLAT && l->q) {
		return;           /* a limit: known from the end, or unknown */
	} else if (l->mode == ML_FLAT) {
		struct sort_cursor c = flat_cursor(&l->w.v[0].k);
		if (db_sort_before(l->d, l->mailbox_id, &l->sort, &c, POS_LIMIT, &pos) == TERN_OK)
			l->base = pos;
	} else if (l->mode == ML_THREADS) {
		struct thread_ref t = { l->w.v[0].k.a, l->w.v[0].k.b, 0 };
		if (db_thread_before(l->d, l->mailbox_id, &t, POS_LIMIT, &pos) == TERN_OK && pos >= 0)
			l->base = pos + l->w.v[0].k.c;
	}
}

static void
trim(msglist *l)
{
	int max = page_size(l) * 5, k;
	if (l->w.n <= max)
		return;
	/* Drop from the end farther from the cursor. */
	if (l->cur > l->w.n / 2) {
		k = l->top - page_size(l);
		if (k <= 0)
			return;
		if (l->base >= 0)
			l->base += msgs_in(&l->w, 0, k);
		rv_cut(&l->w, 0, k);
		l->cur -= k;
		l->top -= k;
		l->at_start = 0;
	} else {
		int keep = l->top + 2 * page_size(l);
		if (keep >= l->w.n)
			return;
		rv_cut(&l->w, keep, l->w.n - keep);
		l->at_end = 0;
	}
}

static void
extend_fwd(msglist *l)
{
	int before = l->w.n, want = page_size(l);
	if (l->at_end)
		return;
	if (fetch(l, l->w.n ? &l->w.v[l->w.n - 1].k : NULL, 0, 0, want, &l->w) != TERN_OK ||
	    l->w.n - before < want)
		l->at_end = 1;
	if (before == 0)
		l->at_start = 1;
}

static void
extend_bwd(msglist *l)
{
	struct rowvec add = { 0 };
	int want = page_size(l);
	if (l->at_start || l->w.n == 0)
		return;
	if (fetch(l, &l->w.v[0].k, 0, 1, want, &add) != TERN_OK || add.n < want)
		l->at_start = 1;
	if (add.n) {
		int k = add.n;
		if (l->w.n + k > l->w.cap) {
			l->w.cap = l->w.n + k + 64;
			l->w.v = xrealloc(l->w.v, (size_t)l->w.cap * sizeof *l->w.v);
		}
		memmove(&l->w.v[k], &l->w.v[0], (size_t)l->w.n * sizeof *l->w.v);
		memcpy(&l->w.v[0], add.v, (size_t)k * sizeof *add.v);
		l->w.n += k;
		add.n = 0;         /* the rows moved into the window */
		l->cur += k;
		l->top += k;
		if (l->base >= 0)
			l->base -= msgs_in(&l->w, 0, k);
	}
	if (l->at_start)
		l->base = 0;
	rv_free(&add);
}

/* Keeps the cursor on screen and a margin of rows loaded around the view. */
static void
settle(msglist *l)
{
	int h = page_size(l);
	while (l->cur >= l->w.n && !l->at_end)
		extend_fwd(l);
	while (l->cur < 0 && !l->at_start)
		extend_bwd(l);
	if (l->cur >= l->w.n)
		l->cur = l->w.n - 1;
	if (l->cur < 0)
		l->cur = 0;
	if (l->top > l->cur)
		l->top = l->cur;
	if (l->cur >= l->top + l->height)
		l->top = l->cur - l->height + 1;
	if (l->top + l->height > l->w.n && !l->at_end)
		extend_fwd(l);
	if (l->top < 0)
		l->top = 0;
	/* No blank rows below the end while there are rows above. */
	if (l->at_end && l->top + l->height > l->w.n) {
		while (!l->at_start && l->w.n < l->height)
			extend_bwd(l);
		l->top = l->w.n > l->height ? l->w.n - l->height : 0;
	}
	if (l->top < h && !l->at_start)
		extend_bwd(l);
	trim(l);
}

static void
reset(msglist *l)
{
	rv_clear(&l->w);
	l->cur = l->top = 0;
	l->base = -1;
	l->at_start = l->at_end = 0;
}

/* Rebuilds the window at key: rows before it, then from it (inclusive).
 * The cursor lands on the key's row (or the next one), screen_row rows below
 * the top of the view when there are enough rows above. */
static int
load_at(msglist *l, const struct lkey *key, int screen_row)
{
	struct rowvec before = { 0 };
	int h = page_size(l), rc;

	reset(l);
	if ((rc = fetch(l, key, 0, 1, h, &before)) != TERN_OK)
		goto out;
	l->at_start = before.n < h;
	for (int i = 0; i < before.n; i++)
		rv_push_row(&l->w, &before.v[i]);
	if ((rc = fetch(l, key, 1, 0, 2 * h, &l->w)) != TERN_OK)
		goto out;
	l->at_end = l->w.n - before.n < 2 * h;
	l->cur = before.n < l->w.n ? before.n : l->w.n - 1;
	if (screen_row > l->cur)
		screen_row = l->cur;
	if (screen_row < 0)
		screen_row = 0;
	l->top = l->cur - screen_row;
	find_base(l);
	settle(l);
out:
	rv_free(&before);
	return rc;
}

int
ml_load_at(msglist *l, const struct lkey *key, int screen_row)
{
	return load_at(l, key, screen_row);
}

msglist *
ml_new(db *d)
{
	msglist *l = xcalloc(1, sizeof *l);
	l->d = d;
	l->height = 20;
	l->base = -1;
	l->count = -1;
	return l;
}

void
ml_free(msglist *l)
{
	if (!l)
		return;
	rv_free(&l->w);
	rv_free(&l->tc);
	rv_free(&l->ts);
	ml_fold_free(l);
	search_query_free(l->q);
	free(l);
}

void
ml_home(msglist *l)
{
	reset(l);
	extend_fwd(l);
	extend_fwd(l);
	l->at_start = 1;
	l->base = 0;
	settle(l);
}

void
ml_end(msglist *l)
{
	int h = page_size(l);
	reset(l);
	if (fetch(l, NULL, 0, 1, 2 * h, &l->w) == TERN_OK) {
		l->at_end = 1;
		l->at_start = l->w.n < 2 * h;
	}
	l->cur = l->w.n - 1;
	l->top = l->w.n > l->height ? l->w.n - l->height : 0;
	/* Counting the rows above the end (find_base) was most of G's cost in
	 * a big mailbox and ends in "unknown" there anyway: the position is
	 * known from the end (ml_position), and from the start only in a
	 * window that holds it all. */
	if (l->at_start)
		l->base = 0;
	settle(l);
}

int
ml_open_mailbox(msglist *l, int64_t mailbox_id, int threaded)
{
	search_query_free(l->q);
	l->q = NULL;
	l->tc_valid = 0;
	l->mode = threaded ? ML_THREADS : ML_FLAT;
	l->mailbox_id = mailbox_id;
	ml_home(l);
	return TERN_OK;
}

int
ml_open_search(msglist *l, search_query *q, int64_t account_id)
{
	search_query_free(l->q);
	l->q = q;
	l->tc_valid = 0;
	l->mode = ML_SEARCH;
	l->account_id = account_id;
	l->count = -1;
	ml_home(l);
	return TERN_OK;
}

int
ml_open_limit(msglist *l, search_query *q, int64_t mailbox_id, const struct msg_row *at)
{
	search_query_free(l->q);
	l->q = q;
	l->tc_valid = 0;
	l->mode = ML_FLAT;
	l->mailbox_id = mailbox_id;
	l->count = -1;
	/* One window only: the message's, or the top when it is not shown. */
	if (!at || ml_focus(l, at) != TERN_OK || !l->w.n || l->w.v[l->cur].m.id != at->id)
		ml_home(l);
	return TERN_OK;
}

int
ml_limited(const msglist *l)
{
	return l->mode == ML_FLAT && l->q;
}

int
ml_search_count(msglist *l, int64_t *n)
{
	*n = 0;
	if (!l->q)
		return 0;
	if (l->count == -1 && l->mode == ML_FLAT) {
		int64_t c;
		if (db_search_limit_count(l->d, l->q, l->mailbox_id, LIMIT_COUNT_MAX, &c) != TERN_OK)
			return 0;
		l->count = c < 0 ? -2 : c;
	}
	if (l->count == -2) {     /* a limit of more than LIMIT_COUNT_MAX */
		*n = LIMIT_COUNT_MAX;
		return 2;
	}
	if (l->count < 0 && l->mode == ML_FLAT)
		return 0;
	if (l->count < 0) {
		struct search_scope sc = { &l->account_id, l->account_id ? 1 : 0 };
		int64_t local = 0, server = 0;
		if (db_search_count(l->d, l->q, &sc, &local, &server) != TERN_OK)
			return 0;
		l->count = local + server;
	}
	*n = l->count;
	return 1;
}

void
ml_set_sort(msglist *l, const struct sort_spec *s)
{
	const struct msg_row *cur = ml_current(l);
	struct lkey k;
	l->sort = *s;
	if (l->mode != ML_FLAT)
		return;
	if (!cur) {
		ml_home(l);
		return;
	}
	/* The same message under the cursor, found by its key in the new
	 * order, in the middle of the view. */
	k = flat_key(&l->sort, cur);
	load_at(l, &k, l->height / 2);
}

void
ml_preset_sort(msglist *l, const struct sort_spec *s)
{
	l->sort = *s;
}

const struct sort_spec *
ml_sort(const msglist *l)
{
	return &l->sort;
}

enum ml_mode
ml_mode(const msglist *l)
{
	return l->mode;
}

int64_t
ml_mailbox(const msglist *l)
{
	return l->mode == ML_SEARCH ? 0 : l->mailbox_id;
}

int64_t
ml_account(const msglist *l)
{
	return l->mode == ML_SEARCH ? l->account_id : 0;
}

void
ml_set_height(msglist *l, int height)
{
	l->height = height > 1 ? height : 1;
	settle(l);
}

void
ml_move(msglist *l, int delta)
{
	l->cur += delta;
	settle(l);
}

void
ml_scroll(msglist *l, int delta)
{
	int row = l->cur - l->top;
	l->cur += delta;
	l->top += delta;
	/* At either end the cursor still goes all the way. */
	while (l->top + l->height > l->w.n && !l->at_end)
		extend_fwd(l);
	while (l->top < 0 && !l->at_start)
		extend_bwd(l);
	if (l->cur >= l->w.n && l->w.n && l->at_end)
		l->cur = l->w.n - 1;
	if (l->top < 0) {
		l->top = 0;
		if (delta < 0 && l->cur > row)
			l->cur = row;
	}
	settle(l);
}

static int
locate(msglist *l, const struct lrow *r, struct lkey *k)
{
	*k = r->k;
	if (l->mode == ML_THREADS) {
		struct thread_ref t;
		const struct rowvec *all;
		if (db_thread_of(l->d, l->mailbox_id, r->m.id, &t) != TERN_OK)
			return 0;
		if (thread_folded(l, t.thread_id)) {
			*k = (struct lkey){ .a = t.latest_at, .b = t.thread_id };
			return 1;
		}
		if (thread_tree(l, &t, &all) == TERN_OK)
			for (int i = 0; i < all->n; i++)
				if (all->v[i].m.id == r->m.id)
					*k = all->v[i].k;
		return 1;
	}
	return 1;
}

int
ml_refresh(msglist *l)
{
	struct lkey k;
	int row, keep_top;
	l->tc_valid = 0;          /* the data changed: threads are rebuilt */
	l->count = -1;
	if (l->w.n == 0) {
		ml_home(l);
		return TERN_OK;
	}
	row = l->cur - l->top;
	/* Looking at the top of the list: new mail shows up above the cursor
	 * and pushes it down, rather than arriving off screen. */
	keep_top = l->at_start && l->top == 0;
	locate(l, &l->w.v[l->cur], &k);
	if (load_at(l, &k, keep_top ? 1 << 30 : row) != TERN_OK)
		return TERN_EDB;
	return TERN_OK;
}

int
ml_focus(msglist *l, const struct msg_row *m)
{
	struct lrow r = { 0 };
	struct lkey k;
	int rc;
	r.m.id = m->id;
	r.k = flat_key(&l->sort, m);
	/* Callers may know only the id and date: the other orders' keys
	 * come from the message itself. */
	if (l->mode == ML_FLAT && l->sort.order != SORT_ARRIVAL) {
		struct msg_row full = { 0 };
		if (db_message_get(l->d, m->id, &full) == TERN_OK)
			r.k = flat_key(&l->sort, &full);
		db_msg_row_free(&full);
	}
	if (l->mode == ML_SEARCH)
		r.k = (struct lkey){ .a = 0, .b = m->received_at, .c = m->id };
	locate(l, &r, &k);
	rc = load_at(l, &k, l->height / 2);
	/* Search results: the local group first, then the server's. The
	 * message is in one of them; only a row can say which. */
	if (rc == TERN_OK && l->mode == ML_SEARCH && (!l->w.n || l->w.v[l->cur].m.id != m->id)) {
		struct rowvec saved = l->w;
		int cur = l->cur, top = l->top, at_start = l->at_start, at_end = l->at_end;
		int64_t base = l->base;
		l->w = (struct rowvec){ 0 };
		k = (struct lkey){ .a = 1, .b = m->received_at, .c = m->id };
		rc = load_at(l, &k, l->height / 2);
		if (rc != TERN_OK || !l->w.n || l->w.v[l->cur].m.id != m->id) {
			rv_free(&l->w);
			l->w = saved;
			l->cur = cur;
			l->top = top;
			l->at_start = at_start;
			l->at_end = at_end;
			l->base = base;
			rc = TERN_OK;     /* the first answer stands */
		} else {
			rv_free(&saved);
		}
	}
	return rc;
}

int
ml_next_unread(msglist *l)
{
	struct rowvec page = { 0 };
	struct lkey k;
	int seen = 0, rc = TERN_ENOTFOUND;

	for (int i = l->cur + 1; i < l->w.n; i++)
		if (!(l->w.v[i].m.flags & MSG_SEEN) || l->w.v[i].fold_unread) {
			l->cur = i;
			settle(l);
			return TERN_OK;
		}
	if (l->at_end || l->w.n == 0)
		return TERN_ENOTFOUND;
	k = l->w.v[l->w.n - 1].k;
	while (seen < SCAN_LIMIT) {
		int found = -1;
		rv_clear(&page);
		if (fetch(l, &k, 0, 0, 500, &page) != TERN_OK || page.n == 0)
			break;
		for (int i = 0; i < page.n && found < 0; i++)
			if (!(page.v[i].m.flags & MSG_SEEN) || page.v[i].fold_unread)
				found = i;
		if (found >= 0) {
			struct lkey at = page.v[found].k;
			load_at(l, &at, l->height / 2);
			rc = TERN_OK;
			break;
		}
		seen += page.n;
		k = page.v[page.n - 1].k;
	}
	rv_free(&page);
	return rc;
}

const struct msg_row *
ml_current(const msglist *l)
{
	return l->w.n ? &l->w.v[l->cur].m : NULL;
}

int
ml_row(const msglist *l, int i, const struct msg_row **r, int *depth, int *is_cur, int *server)
{
	int k = l->top + i;
	if (i >= l->height || k >= l->w.n)
		return 0;
	*r = &l->w.v[k].m;
	*depth = l->w.v[k].depth;
	*is_cur = k == l->cur;
	*server = l->mode == ML_SEARCH && l->w.v[k].k.a != 0;
	return 1;
}

uint32_t
ml_row_tree(const msglist *l, int i)
{
	int k = l->top + i;
	return i < l->height && k < l->w.n ? l->w.v[k].tree : 0;
}

int
ml_position(const msglist *l, int64_t *pos, int *from_end)
{
	if (!l->w.n)
		return 0;
	if (l->base >= 0) {
		*pos = l->base + msgs_in(&l->w, 0, l->cur) + 1;
		*from_end = 0;
		return 1;
	}
	if (l->at_end) {
		*pos = msgs_in(&l->w, l->cur, l->w.n);
		*from_end = 1;
		return 1;
	}
	return 0;
}
