#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_view.h"
#include "src/base/err.h"
#include "ui/msglist_int.h"
#include "src/base/util.h"

/* The threaded view of the message list.
 * A thread is expanded into tree order: each message after its parent,
 * siblings oldest first, a message whose parent is not here a root of its
 * own. The parent is the first of In-Reply-To, then the References from the
 * last, that is in the thread. Building it is O(n log n) in the thread's
 * size, and the last thread built is kept until the data changes (a
 * refresh), so one huge thread (a server threadId on notification mail)
 * costs one expansion per refresh, not one per page or per lookup. */

static int
thread_msg_cb(const struct msg_row *r, void *ctx)
{
	struct rowvec *rv = ctx;
	rv_push(rv, r, (struct lkey){ .a = 0 }, 0);
	return 0;
}

struct id_ix {
	const char *id;
	int i;
};

static int
id_cmp(const void *x, const void *y)
{
	const struct id_ix *a = x, *b = y;
	int c = strcmp(a->id, b->id);
	return c ? c : a->i - b->i;
}

/* The index of the message whose Message-ID is id[0..len), or -1. */
static int
id_find(const struct id_ix *ix, int n, const char *id, size_t len)
{
	int lo = 0, hi = n;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		int c = strncmp(ix[mid].id, id, len);
		if (c == 0 && ix[mid].id[len] != '\0')
			c = 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strncmp(ix[lo].id, id, len) == 0 && ix[lo].id[len] == '\0' ? ix[lo].i : -1;
}

/* The parent of message i among the thread's: In-Reply-To's last id, then
 * each References id from the last (a missing parent falls back to the
 * nearest ancestor that is here, so siblings stay together). */
static int
find_parent(const struct rowvec *in, const struct id_ix *ix, int i)
{
	const char *lists[2] = { in->v[i].m.in_reply_to, in->v[i].m.references };
	for (int li = 0; li < 2; li++) {
		const char *s = lists[li] ? lists[li] : "", *end = s + strlen(s);
		int tries = 0;
		while (end > s && tries++ < 64) {
			const char *start;
			while (end > s && end[-1] == ' ')
				end--;
			start = end;
			while (start > s && start[-1] != ' ')
				start--;
			if (end > start) {
				int j = id_find(ix, in->n, start, (size_t)(end - start));
				if (j >= 0 && j != i)
					return j;
			}
			end = start;
			if (li == 0)
				break;            /* In-Reply-To: its last id only */
		}
	}
	return -1;
}

/* The tree lines of rows in tree order (see struct lrow's tree). A row has
 * a later sibling when a row of its depth follows before one shallower:
 * found from the end, then handed down from each ancestor. */
static void
tree_shape(struct rowvec *out)
{
	enum { LEVELS = 32 };
	unsigned char seen[LEVELS + 1] = { 0 };
	uint32_t cont = 0;

	for (int i = out->n - 1; i >= 0; i--) {
		int d = out->v[i].depth < LEVELS ? out->v[i].depth : LEVELS - 1;
		out->v[i].tree = seen[d] && d > 0 ? 1u << d : 0;
		seen[d] = 1;
		memset(seen + d + 1, 0, (size_t)(LEVELS - d));
	}
	for (int i = 0; i < out->n; i++) {
		int d = out->v[i].depth < LEVELS ? out->v[i].depth : LEVELS - 1;
		uint32_t self = out->v[i].tree, below = d > 0 ? (1u << d) - 1 : 0;
		out->v[i].tree = (cont & below) | self;
		/* What this row's children inherit: its ancestors' lines and its own. */
		cont = (cont & below) | self;
	}
}

/* Builds the tree order of thread t into out. */
static int
thread_build(msglist *l, const struct thread_ref *t, struct rowvec *out)
{
	struct rowvec in = { 0 };
	struct id_ix *ix;
	int *parent, *first, *next, *stack, *depth;
	unsigned char *done;
	int rc, sp;

	rv_clear(out);
	if ((rc = db_thread_messages(l->d, l->mailbox_id, t->thread_id, thread_msg_cb, &in)) != TERN_OK) {
		rv_free(&in);
		return rc;
	}
	ix = xcalloc((size_t)in.n + 1, sizeof *ix);
	parent = xcalloc((size_t)in.n + 1, sizeof *parent);
	first = xcalloc((size_t)in.n + 1, sizeof *first);
	next = xcalloc((size_t)in.n + 1, sizeof *next);
	stack = xcalloc((size_t)in.n + 1, sizeof *stack);
	depth = xcalloc((size_t)in.n + 1, sizeof *depth);
	done = xcalloc((size_t)in.n + 1, 1);
	for (int i = 0; i < in.n; i++)
		ix[i] = (struct id_ix){ in.v[i].m.message_id ? in.v[i].m.message_id : "", i };
	qsort(ix, (size_t)in.n, sizeof *ix, id_cmp);
	/* Children lists, oldest first: built from the youngest down. */
	for (int i = 0; i < in.n; i++)
		first[i] = -1;
	for (int i = in.n - 1; i >= 0; i--) {
		parent[i] = find_parent(&in, ix, i);
		next[i] = -1;
		if (parent[i] >= 0) {
			next[i] = first[parent[i]];
			first[parent[i]] = i;
		}
	}
	/* Depth first from each root; a cycle of In-Reply-To (broken or
	 * hostile mail) leaves rows unvisited: they are roots in pass 2. */
	for (int pass = 0; pass < 2; pass++)
		for (int r = 0; r < in.n; r++) {
			if (done[r] || (parent[r] >= 0 && pass == 0))
				continue;
			sp = 0;
			stack[sp++] = r;
			depth[r] = 0;
			while (sp > 0) {
				int i = stack[--sp], kids = 0, k;
				if (done[i])
					continue;
				done[i] = 1;
				rv_push(out, &in.v[i].m, (struct lkey){ .a = t->latest_at, .b = t->thread_id, .c = out->n }, depth[i]);
				/* Children (oldest first in the list) go on the stack so
				 * that the oldest comes off first. Each message has one
				 * parent, so the stack never holds more than n. */
				for (int c = first[i]; c >= 0; c = next[c])
					kids += !done[c];
				k = sp + kids;
				for (int c = first[i]; c >= 0; c = next[c])
					if (!done[c]) {
						stack[--k] = c;
						depth[c] = depth[i] + 1;
					}
				sp += kids;
			}
		}
	tree_shape(out);
	free(ix);
	free(parent);
	free(first);
	free(next);
	free(stack);
	free(depth);
	free(done);
	rv_free(&in);
	return TERN_OK;
}

/* A thread this big stays cached while smaller ones pass through. */
#define THREAD_KEEP 64

/* The tree order of thread t: the cache, or built (into the cache, or
 * into a scratch vector when the cache holds a big thread that the pages
 * around it will need again). */
int
thread_tree(msglist *l, const struct thread_ref *t, const struct rowvec **rows)
{
	int rc;
	if (l->tc_valid && l->tc_thread == t->thread_id && l->tc_latest == t->latest_at) {
		*rows = &l->tc;
		return TERN_OK;
	}
	if (l->tc_valid && l->tc.n >= THREAD_KEEP && t->n && t->n < THREAD_KEEP) {
		rc = thread_build(l, t, &l->ts);
		*rows = &l->ts;
		return rc;
	}
	l->tc_valid = 0;
	rc = thread_build(l, t, &l->tc);
	if (rc == TERN_OK) {
		l->tc_thread = t->thread_id;
		l->tc_latest = t->latest_at;
		l->tc_valid = 1;
	}
	*rows = &l->tc;
	return rc;
}

static void
push_rows(const struct rowvec *all, int from, int to, struct rowvec *out)
{
	for (int i = from < 0 ? 0 : from; i < all->n && i < to; i++)
		rv_push_row(out, &all->v[i]);
}

/* Rows [from, to) of thread t appended to out. */
static int
thread_push(msglist *l, const struct thread_ref *t, int from, int to, struct rowvec *out)
{
	const struct rowvec *all;
	int rc = thread_rows(l, t, &all);
	if (rc == TERN_OK)
		push_rows(all, from, to, out);
	return rc;
}

struct thread_page {
	msglist *l;
	struct rowvec *out;
	int limit, backward;
	int rc;
};

/* Forward: the threads' rows until limit; backward: each thread's last
 * limit rows (only the last limit rows of the page are kept in the end). */
static int
thread_page_cb(const struct thread_ref *t, void *ctx)
{
	struct thread_page *p = ctx;
	const struct rowvec *all;
	if ((p->rc = thread_rows(p->l, t, &all)) != TERN_OK)
		return 1;
	if (p->backward) {
		push_rows(all, all->n - p->limit, all->n, p->out);
		return 0;
	}
	push_rows(all, 0, p->limit - p->out->n, p->out);
	return p->out->n >= p->limit;
}

int
threads_fetch(msglist *l, const struct lkey *after, int backward, int limit, struct rowvec *out)
{
	struct thread_ref ref, *refp = NULL;
	struct thread_page tp = { l, out, out->n + limit, 0, TERN_OK };
	struct rowvec before = { 0 };
	int rc;

	if (after) {
		ref.latest_at = after->a;
		ref.thread_id = after->b;
		ref.n = 0;
		refp = &ref;
	}
	if (!backward) {
		if (after && (rc = thread_push(l, refp, (int)after->c + 1, (int)after->c + 1 + limit, out)) != TERN_OK)
			return rc;
		if (out->n < tp.limit) {
			rc = db_thread_page(l->d, l->mailbox_id, refp, 0, limit, thread_page_cb, &tp);
			if (rc == TERN_OK)
				rc = tp.rc;
		}
		if (out->n > tp.limit)
			rv_cut(out, tp.limit, out->n - tp.limit);
		return rc;
	}
	/* Backward: the threads before, then the head of this thread; keep the
	 * last limit rows. */
	tp.out = &before;
	tp.limit = limit;
	tp.backward = 1;
	rc = db_thread_page(l->d, l->mailbox_id, refp, 1, limit, thread_page_cb, &tp);
	if (rc == TERN_OK)
		rc = tp.rc;
	if (rc == TERN_OK && after)
		rc = thread_push(l, refp, (int)after->c - limit, (int)after->c, &before);
	if (before.n > limit)
		rv_cut(&before, 0, before.n - limit);
	for (int i = 0; i < before.n; i++)
		rv_push_row(out, &before.v[i]);
	rv_free(&before);
	return rc;
}

