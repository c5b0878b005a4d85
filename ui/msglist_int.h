/* Inside the message list (ui/msglist.c, ui/msglist_thread.c): the window
 * of rows it keeps and the thread expansion that feeds the threaded view.
 * Rows own their strings (rv_* copy and free them). */
#ifndef TERN_UI_MSGLIST_INT_H
#define TERN_UI_MSGLIST_INT_H

#include <stdint.h>
#include "db/db_sort.h"
#include "db/db_view.h"
#include "ui/msglist.h"

/* Where a row sits in display order. flat: (received_at, id), and the
 * order's key in key or text (db/db_sort.h) unless the order is arrival;
 * search: (server, received_at, id); threads: (thread latest_at,
 * thread_id, index of the message in the thread's tree order). */
struct lkey {
	int64_t a, b, c;
	int64_t key;
	char text[SORT_TEXT_MAX + 1];
};

struct lrow {
	struct msg_row m;
	struct lkey k;
	int depth;
	/* The tree's shape at this row, for drawing it as mutt does: bit L
	 * (1..31) set when the line at depth L goes on below this row (the
	 * ancestor at that depth, or at L == depth the row itself, has a
	 * later sibling). */
	uint32_t tree;
	/* A collapsed thread drawn as one row (its first message): how many
	 * messages it holds (0: not a collapsed thread), whether any of them
	 * is unread, flagged. */
	int64_t fold_n;
	int fold_unread, fold_flagged;
};

/* Which threads of one mailbox are collapsed: all but ids, or only ids
 * (ids sorted). Kept per mailbox for the session (ui/msglist_fold.c). */
struct ml_fold {
	int64_t mailbox_id;
	int all;
	int64_t *ids;
	size_t n, cap;
};

struct rowvec {
	struct lrow *v;
	int n, cap;
};

struct msglist {
	db *d;
	enum ml_mode mode;
	int64_t mailbox_id;
	int64_t account_id;
	search_query *q;
	struct rowvec w;          /* the window, display order */
	struct rowvec tc;         /* the last thread expanded, tree order */
	struct rowvec ts;         /* scratch: a small thread while tc is kept */
	int64_t tc_thread, tc_latest;
	int tc_valid;             /* until the data may have changed */
	int cur, top;             /* indexes into w */
	int64_t base;             /* position of w.v[0] from the top, -1 unknown */
	int at_start, at_end;     /* the window reaches the first / last row */
	int height;
	int64_t count;            /* search results counted, -1 until asked */
	struct ml_fold *folds;    /* per mailbox opened this session */
	size_t nfolds;
	int fold_default;         /* a mailbox opened first: all collapsed */
	struct rowvec fs;         /* scratch: a collapsed thread's one row */
	struct sort_spec sort;    /* the flat view's order */
};

struct page_ctx {
	struct rowvec *out;
	int limit;
	const struct sort_spec *sort;   /* flat view: the keys rows get */
};

void rv_push(struct rowvec *rv, const struct msg_row *m, struct lkey k, int depth);
/* Appends a copy of row r (its key, depth and tree shape). */
void rv_push_row(struct rowvec *rv, const struct lrow *r);
void rv_clear(struct rowvec *rv);
void rv_free(struct rowvec *rv);
/* Removes rows [from, from+k) without freeing others. */
void rv_cut(struct rowvec *rv, int from, int k);

/* Up to limit rows of the threaded view after (or before) the key `after`
 * (NULL: the top or the bottom), appended to out in display order. */
int threads_fetch(msglist *l, const struct lkey *after, int backward, int limit, struct rowvec *out);
/* The thread t in tree order (*rows stays valid until the next call). */
int thread_tree(msglist *l, const struct thread_ref *t, const struct rowvec **rows);

/* What thread t shows: its tree order, or one row when it is collapsed
 * (*rows stays valid until the next call). */
int thread_rows(msglist *l, const struct thread_ref *t, const struct rowvec **rows);
/* Whether thread thread_id of the open mailbox is collapsed. */
int thread_folded(msglist *l, int64_t thread_id);
/* Rebuilds the window at key, the cursor screen_row rows below the top
 * (ui/msglist.c). */
int ml_load_at(msglist *l, const struct lkey *key, int screen_row);
void ml_fold_free(msglist *l);

#endif
