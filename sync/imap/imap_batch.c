/* FETCH results as arrays of struct imap_msg, and the UID FETCH of one
 * batch of headers on a thread of its own. A first sync of a big folder
 * spends about as long receiving, parsing and converting the server's
 * answer as storing it in SQLite: with batch k+1 fetched while batch k is
 * stored, its time tends to the longer of the two instead of their sum.
 * The thread owns the session until imap_batch_join() and touches nothing
 * else (no database, no struct imap, no sync_ctx); the caller turns its
 * result into an error, on its own thread, after the join. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "sync/imap/imap.h"
#include "sync/imap/imap_stream.h"
#include "src/base/err.h"
#include "src/base/util.h"

void
imap_batch_read(struct imap_batch *b, clist *res)
{
	size_t n = res ? (size_t)clist_count(res) : 0;

	b->v = n ? xcalloc(n, sizeof *b->v) : NULL;
	b->n = 0;
	for (clistiter *it = res ? clist_begin(res) : NULL; it; it = clist_next(it)) {
		imap_msg_read(clist_content(it), &b->v[b->n]);
		/* A FETCH without a UID names no message we can store. */
		if (b->v[b->n].uid)
			b->n++;
		else
			imap_msg_free(&b->v[b->n]);
	}
	if (res)
		mailimap_fetch_list_free(res);
}

void
imap_batch_free(struct imap_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		imap_msg_free(&b->v[i]);
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

static int
uid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Whether two of b's answers carry headers for the same UID: a server gone
 * wrong, one of whose messages would be stored in the other's place and
 * itself never (nothing asks for that UID again). */
static int
repeats_uid(const struct imap_batch *b)
{
	uint32_t *u = b->n ? xcalloc(b->n, sizeof *u) : NULL;
	size_t k = 0;
	int rep = 0;

	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].has_header)
			u[k++] = b->v[i].uid;
	qsort(u, k, sizeof *u, uid_cmp);
	for (size_t i = 1; i < k && !rep; i++)
		rep = u[i] == u[i - 1];
	free(u);
	return rep;
}

static void *
batch_main(void *arg)
{
	struct imap_batch *b = arg;
	struct mailimap_fetch_type *ft = imap_fetch_type_headers(b->modseq);
	clist *res = NULL;

	b->r = imap_stream_result(b->s, mailimap_uid_fetch(b->s, b->set, ft, &res));
	mailimap_fetch_type_free(ft);
	mailimap_set_free(b->set);
	b->set = NULL;
	/* On a failed UID FETCH libetpan has already freed the list and left
	 * res pointing at it: only a success hands it over. */
	if (b->r == MAILIMAP_NO_ERROR) {
		imap_batch_read(b, res);
		/* Read as the parse error it is: the batch is narrowed down
		 * (imap_salvage.c) to what can be trusted. */
		if (repeats_uid(b)) {
			imap_batch_free(b);
			b->r = MAILIMAP_ERROR_PARSE;
		}
	}
	return NULL;
}

void
imap_batch_start(struct imap_batch *b, mailimap *s, struct mailimap_set *set, int modseq)
{
	b->v = NULL;
	b->n = 0;
	b->s = s;
	b->set = set;
	b->modseq = modseq;
	b->started = thread_start_nosig(&b->thread, 0, batch_main, b) == TERN_OK;
	/* No thread to be had: the same work here, only not overlapped. */
	if (!b->started)
		batch_main(b);
}

int
imap_batch_join(struct imap_batch *b)
{
	if (b->started)
		pthread_join(b->thread, NULL);
	b->started = 0;
	return b->r;
}
