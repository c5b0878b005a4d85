/* One folder, server to database. First sync: every UID's headers in
 * batches, newest first, one transaction each. Later: QRESYNC
 * (CHANGEDSINCE + VANISHED), CONDSTORE (CHANGEDSINCE, UID SEARCH when the
 * counts disagree), or neither (all flags and the UID list compared). The
 * checkpoint is written in the transaction that finishes the data it
 * describes. The conflict rules are in doc/CONFLICTS.md. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_imap.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "db/db_sync.h"
#include "src/base/crashpoint.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/imap/imap.h"
#include "src/base/util.h"

#define FIRST_BATCH 250
#define BATCH 1000

struct folder {
	struct imap *im;
	struct sync_ctx *ctx;
	int64_t mbid;
	const char *remote, *name;
	int64_t done, total;
	uint32_t *need;            /* UIDs whose headers are still to fetch */
	size_t nneed, capneed;
	/* CONDSTORE/QRESYNC for this folder: not for one the server keeps no
	 * MODSEQs for (SELECT said [NOMODSEQ], RFC 7162 3.1.2). */
	int condstore, qresync;
};

static void
need_add(struct folder *f, uint32_t uid)
{
	if (f->nneed == f->capneed) {
		f->capneed = f->capneed ? f->capneed * 2 : 256;
		f->need = xrealloc(f->need, f->capneed * sizeof *f->need);
	}
	f->need[f->nneed++] = uid;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void
progress(struct folder *f)
{
	char buf[160], a[32], b[32];
	if (!f->ctx->progress)
		return;
	fmt_count((uint64_t)f->done, a, sizeof a);
	fmt_count((uint64_t)f->total, b, sizeof b);
	snprintf(buf, sizeof buf, "%s %s/%s", f->name, a, b);
	f->ctx->progress(f->ctx, buf);
}

/* The server's flags, except those with a local change still queued: the
 * user's intent wins until it is pushed (doc/CONFLICTS.md, rule 1). */
static int
apply_flags(struct folder *f, const struct db_imap_uid *loc, const char *old_kw, const struct imap_msg *m)
{
	unsigned mask = 0, flags;
	int moving = 0, rc;

	if ((rc = db_queue_pending_for(f->ctx->db, loc->msg_id, &mask, &moving)) != TERN_OK)
		return rc;
	flags = (m->flags & ~mask) | (loc->flags & mask);
	if (m->modseq && (rc = db_imap_set_modseq(f->ctx->db, loc->msg_id, (int64_t)m->modseq)) != TERN_OK)
		return rc;
	if (flags == loc->flags && str_eq(old_kw ? old_kw : "", m->keywords ? m->keywords : ""))
		return TERN_OK;
	f->ctx->counts.updated++;
	return db_message_set_flags(f->ctx->db, loc->msg_id, flags, m->keywords ? m->keywords : "");
}

static int
apply_one(struct folder *f, const struct imap_msg *m)
{
	struct db_imap_uid loc;
	char *kw = NULL;
	int64_t id;
	int rc;

	rc = db_imap_find(f->ctx->db, f->mbid, m->uid, &loc, &kw);
	if (rc == TERN_OK) {
		rc = m->has_flags ? apply_flags(f, &loc, kw, m) : TERN_OK;
	} else if (rc == TERN_ENOTFOUND && !m->has_header) {
		need_add(f, m->uid);
		rc = TERN_OK;
	} else if (rc == TERN_ENOTFOUND) {
		/* A message we moved here whose new UID we could not learn, or
		 * one a UIDVALIDITY change left without its UID: the same local
		 * message (its body, id, thread), with the server's flags. */
		rc = db_imap_adopt(f->ctx->db, f->mbid, m->message_id, m->uid, &id);
		if (rc == TERN_OK && m->has_flags && db_imap_find(f->ctx->db, f->mbid, m->uid, &loc, &kw) == TERN_OK)
			rc = apply_flags(f, &loc, kw, m);
		if (rc == TERN_ENOTFOUND) {
			rc = db_message_insert(f->ctx->db, f->im->account_id, &m->h, &id);
			if (rc == TERN_OK)
				rc = db_message_link(f->ctx->db, id, f->mbid, m->uid, m->h.received_at);
			f->ctx->counts.added++;
		}
	}
	free(kw);
	return rc;
}

/* Applies a FETCH result in one transaction. A stop rolls it back: the
 * fetch beside it (fetch_headers) ends at once, and waiting for the
 * store of a whole batch would delay the stop by as long. */
static int
apply(struct folder *f, const struct imap_batch *b, char **err)
{
	int rc;
	if ((rc = db_begin(f->ctx->db)) != TERN_OK)
		return rc;
	for (size_t i = 0; i < b->n && rc == TERN_OK; i++)
		rc = f->ctx->stop && *f->ctx->stop ? TERN_ECANCELLED : apply_one(f, &b->v[i]);
	if (rc == TERN_OK)
		rc = db_commit(f->ctx->db);
	else
		db_rollback(f->ctx->db);
	if (rc != TERN_OK && rc != TERN_ECANCELLED)
		*err = xasprintf("%s: cannot store messages: %s", f->name, tern_strerror(rc));
	return rc;
}

/* imap_salvage()'s store: each readable part of a batch that failed to
 * parse, in a transaction of its own, as a batch of its own would be. */
static int
store_salvaged(void *arg, const struct imap_batch *b, char **err)
{
	struct folder *f = arg;
	int rc = apply(f, b, err);
	if (rc == TERN_OK && f->ctx->committed)
		f->ctx->committed(f->ctx);
	return rc;
}

#define MAX_RANGES 400

/* The first index of the batch uids[start..end), moved up so that it
 * holds at most MAX_RANGES runs of consecutive UIDs. */
static size_t
batch_start(const uint32_t *uids, size_t start, size_t end)
{
	size_t i = end - 1, runs = 1;
	while (i > start) {
		if (uids[i - 1] + 1 != uids[i] && ++runs > MAX_RANGES)
			break;
		i--;
	}
	return i;
}

/* Headers of uids[0..n) (ascending), newest batch first, each batch in
 * a transaction of its own. Batch k+1 is fetched and converted on another
 * thread (imap_batch.c) while batch k is stored; between batches neither
 * runs, so that the runtime may use the session and the database. */
static int
fetch_headers(struct folder *f, const uint32_t *uids, size_t n, char **err)
{
	struct imap_batch cur = { 0 }, next = { 0 };
	size_t end = n, batch = FIRST_BATCH, ncur = 0;   /* ncur: UIDs asked for in cur */
	int rc = TERN_OK;

	while (rc == TERN_OK && (end > 0 || ncur > 0)) {
		size_t start = end;

		if (f->ctx->stop && *f->ctx->stop) {
			rc = TERN_ECANCELLED;
			break;
		}
		if (end > 0) {
			/* Between batches the runtime may have served a body elsewhere. */
			if ((rc = imap_select(f->im, f->remote, err)) != TERN_OK)
				break;
			/* A folder with many deletions makes a set of many ranges: at
			 * most MAX_RANGES of them per command keeps the line near the
			 * 8 KB RFC 7162 4 advises (some servers refuse longer ones). */
			start = batch_start(uids, end > batch ? end - batch : 0, end);
			imap_batch_start(&next, f->im->s, imap_set_from_uids(uids + start, end - start), f->condstore);
		}
		if (ncur > 0 && (rc = apply(f, &cur, err)) == TERN_OK) {
			f->done += (int64_t)ncur;
			crashpoint("imap-header-batch");
			progress(f);
			if (f->ctx->committed)
				f->ctx->committed(f->ctx);
		}
		imap_batch_free(&cur);
		if (end > 0) {
			int r = imap_batch_join(&next);
			/* One message the parser chokes on must not hold back the
			 * rest of its batch: narrowed down, the bad one damaged. */
			if (r == MAILIMAP_ERROR_PARSE && rc == TERN_OK) {
				imap_batch_free(&next);
				rc = imap_salvage(f->im, f->ctx, f->remote, f->name, uids + start, end - start, f->condstore,
				                  store_salvaged, f, err);
				r = MAILIMAP_NO_ERROR;
			}
			/* After a failed store the session's state still matters:
			 * imap_error() marks a broken one, the store's error stays. */
			if (r != MAILIMAP_NO_ERROR) {
				int fetch_rc = imap_error(f->im, r, "UID FETCH", rc == TERN_OK ? err : NULL);
				if (rc == TERN_OK)
					rc = fetch_rc;
			}
			cur = next;
		}
		if (rc == TERN_OK && ncur > 0 && f->ctx->serve)
			f->ctx->serve(f->ctx);
		ncur = end - start;
		end = start;
		batch = BATCH;
	}
	imap_batch_free(&cur);
	return rc;
}

/* The headers f->need lists, sorted. The list is the caller's while the
 * batches are stored (apply_one may add to a new one: a FETCH the server
 * sent unasked, without headers), then it goes. */
static int
fetch_needed(struct folder *f, char **err)
{
	uint32_t *uids = f->need;
	size_t n = f->nneed;
	int rc;

	f->need = NULL;
	f->nneed = f->capneed = 0;
	if (n > 1)
		qsort(uids, n, sizeof *uids, cmp_u32);
	f->total = (int64_t)n;
	progress(f);
	rc = fetch_headers(f, uids, n, err);
	free(uids);
	return rc;
}

static int
uid_search_all(struct folder *f, uint32_t **out, size_t *n, char **err)
{
	struct mailimap_search_key *key = mailimap_search_key_new_all();
	clist *res = NULL;
	size_t k = 0;
	int r = mailimap_uid_search(f->im->s, NULL, key, &res);

	mailimap_search_key_free(key);
	*out = NULL;
	*n = 0;
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(f->im, r, "UID SEARCH", err);
	*out = xcalloc((size_t)clist_count(res) + 1, sizeof **out);
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		uint32_t *u = clist_content(it);
		if (u && *u)
			(*out)[k++] = *u;
	}
	mailimap_search_result_free(res);
	qsort(*out, k, sizeof **out, cmp_u32);
	*n = k;
	return TERN_OK;
}

/* The server deleted a message: it goes locally, and so do the changes
 * still queued for it (doc/CONFLICTS.md, rule 2). */
static int
forget(struct folder *f, const struct db_imap_uid *loc)
{
	unsigned mask = 0;
	int moving = 0, dropped = 0, rc;

	if ((rc = db_queue_pending_for(f->ctx->db, loc->msg_id, &mask, &moving)) != TERN_OK)
		return rc;
	if (mask || moving) {
		if ((rc = db_imap_queue_drop_for(f->ctx->db, loc->msg_id, &dropped)) != TERN_OK)
			return rc;
		log_warn("imap %s: message %lld (%s UID %" PRIu32 ") was deleted on the server; "
		         "dropped %d queued change(s) for it", f->im->acct->name, (long long)loc->msg_id,
		         f->remote, loc->uid, dropped);
		/* Its other rows (a queued move's destination) were only intent. */
		rc = db_message_delete(f->ctx->db, loc->msg_id);
	} else {
		rc = db_imap_forget(f->ctx->db, f->mbid, loc->msg_id);
	}
	f->ctx->counts.removed++;
	return rc;
}

#define PAGE 512

/* Local UIDs that server[0..n) (ascending) lacks go, in the transaction
 * the caller opened. The local side is read a page at a time through the
 * mm_uid index: no copy of the whole mailbox. */
static int
forget_missing(struct folder *f, const uint32_t *server, size_t n)
{
	struct db_imap_uid *page = xcalloc(PAGE, sizeof *page);
	uint32_t lo = 1;
	size_t j = 0, k = 0;
	int rc;

	do {
		if ((rc = db_imap_uids_range(f->ctx->db, f->mbid, lo, UINT32_MAX, page, PAGE, &k)) != TERN_OK)
			break;
		for (size_t i = 0; rc == TERN_OK && i < k; i++) {
			while (j < n && server[j] < page[i].uid)
				j++;
			if (j < n && server[j] == page[i].uid)
				continue;
			rc = forget(f, &page[i]);
		}
		if (k)
			lo = page[k - 1].uid + 1;
	} while (rc == TERN_OK && k == PAGE && lo > 1);
	free(page);
	return rc;
}

/* VANISHED (RFC 7162): range by range, each looked up through the index,
 * so a few ranges cost a few lookups however big the folder is. */
static int
forget_vanished(struct folder *f, const struct mailimap_set *vanished)
{
	struct db_imap_uid *page = xcalloc(PAGE, sizeof *page);
	int rc = TERN_OK;

	for (clistiter *it = clist_begin(vanished->set_list); it && rc == TERN_OK; it = clist_next(it)) {
		const struct mailimap_set_item *si = clist_content(it);
		uint32_t lo = si->set_first, hi = si->set_last ? si->set_last : UINT32_MAX;
		size_t k = 0;
		if (lo > hi) {
			uint32_t t = lo;
			lo = hi;
			hi = t;
		}
		if (lo == 0)
			lo = 1;
		do {
			if ((rc = db_imap_uids_range(f->ctx->db, f->mbid, lo, hi, page, PAGE, &k)) != TERN_OK)
				break;
			for (size_t i = 0; rc == TERN_OK && i < k; i++)
				rc = forget(f, &page[i]);
			if (k)
				lo = page[k - 1].uid + 1;
		} while (rc == TERN_OK && k == PAGE && lo > 1 && lo <= hi);
	}
	free(page);
	return rc;
}

/* VANISHED applied before the checkpoint, in a transaction of its own (it
 * is idempotent), so that the count check below sees what is left. */
static int
apply_vanished(struct folder *f, const struct mailimap_set *vanished, char **err)
{
	int rc = db_begin(f->ctx->db);
	if (rc == TERN_OK && (rc = forget_vanished(f, vanished)) == TERN_OK)
		rc = db_commit(f->ctx->db);
	else
		db_rollback(f->ctx->db);
	if (rc != TERN_OK)
		*err = xasprintf("%s: cannot store the removals", f->name);
	return rc;
}

/* Rows without a UID that no queued change explains: a move whose new UID
 * was never learnt (no COPYUID, no Message-ID to find it by), or a row a
 * UIDVALIDITY change left that no message of the new folder adopted. By
 * the end of the folder's sync every new message had its chance to adopt
 * one, so the rest are ghosts. */
static int
drop_unadopted(struct folder *f)
{
	int64_t n = 0;
	int rc = db_imap_drop_unadopted(f->ctx->db, f->mbid, &n);
	f->ctx->counts.removed += n;
	return rc;
}

/* Ends the folder's sync: removals, recount and checkpoint in one
 * transaction. */
static int
finish(struct folder *f, const uint32_t *server, size_t n, int compare, const struct imap_checkpoint *cp,
       char **err)
{
	char *res = imap_checkpoint_resource(f->remote), *state = imap_checkpoint_format(cp);
	int rc = db_begin(f->ctx->db);
	if (rc == TERN_OK && compare)
		rc = forget_missing(f, server, n);
	if (rc == TERN_OK)
		rc = drop_unadopted(f);
	if (rc == TERN_OK)
		rc = db_mailbox_recount(f->ctx->db, f->mbid);
	if (rc == TERN_OK)
		rc = db_sync_state_put(f->ctx->db, f->im->account_id, res, state);
	if (rc == TERN_OK)
		rc = db_commit(f->ctx->db);
	else
		db_rollback(f->ctx->db);
	if (rc != TERN_OK)
		*err = xasprintf("%s: cannot store the folder state", f->name);
	else if (f->ctx->committed)
		f->ctx->committed(f->ctx);
	free(res);
	free(state);
	return rc;
}

/* The flags of what we already have, up to UID last (a first sync that
 * was interrupted, or a folder whose UIDVALIDITY changed and whose rows
 * were adopted back): UIDs in that range we lack go to f->need. */
static int
refresh_known(struct folder *f, uint32_t last, char **err)
{
	struct mailimap_set *set = mailimap_set_new_interval(1, last);
	struct mailimap_fetch_type *ft = imap_fetch_type_flags(f->condstore);
	struct imap_batch b = { 0 };
	clist *res = NULL;
	int r = mailimap_uid_fetch(f->im->s, set, ft, &res), rc;

	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(f->im, r, "UID FETCH", err);
	imap_batch_read(&b, res);
	rc = apply(f, &b, err);
	imap_batch_free(&b);
	return rc;
}

static int
first_sync(struct folder *f, const struct imap_checkpoint *cp, char **err)
{
	uint32_t *uids = NULL, last = 0;
	size_t n = 0;
	int rc;

	if ((rc = uid_search_all(f, &uids, &n, err)) != TERN_OK)
		goto out;
	/* What an interrupted first sync stored is not fetched again: only
	 * the flags of those messages, then the headers of the others. */
	if ((rc = db_imap_max_uid(f->ctx->db, f->mbid, &last)) != TERN_OK)
		goto out;
	if (last && (rc = refresh_known(f, last, err)) != TERN_OK)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (uids[i] > last)
			need_add(f, uids[i]);
	if ((rc = fetch_needed(f, err)) == TERN_OK)
		rc = finish(f, uids, n, 1, cp, err);
out:
	free(uids);
	return rc;
}

static int
incremental(struct folder *f, const struct imap_checkpoint *old, const struct imap_checkpoint *cp,
            char **err)
{
	struct mailimap_set *all = mailimap_set_new_interval(1, 0);
	struct mailimap_fetch_type *ft = imap_fetch_type_flags(f->condstore);
	struct mailimap_qresync_vanished *van = NULL;
	uint32_t *server = NULL;
	size_t nserver = 0;
	int compare = 0, r, rc;
	struct imap_batch b = { 0 };
	clist *res = NULL;

	if (f->qresync)
		r = mailimap_uid_fetch_qresync(f->im->s, all, ft, old->highestmodseq, &res, &van);
	else if (f->condstore)
		r = mailimap_uid_fetch_changedsince(f->im->s, all, ft, old->highestmodseq, &res);
	else
		r = mailimap_uid_fetch(f->im->s, all, ft, &res);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(all);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(f->im, r, "UID FETCH", err);
	imap_batch_read(&b, res);
	rc = apply(f, &b, err);
	if (rc == TERN_OK && !f->condstore) {
		/* The full list is the UID list to compare with. */
		server = xcalloc(b.n + 1, sizeof *server);
		for (size_t i = 0; i < b.n; i++)
			server[nserver++] = b.v[i].uid;
		qsort(server, nserver, sizeof *server, cmp_u32);
		compare = 1;
	}
	imap_batch_free(&b);
	if (rc == TERN_OK && f->nneed)
		rc = fetch_needed(f, err);
	if (rc == TERN_OK && van && van->qr_known_uids) {
		rc = apply_vanished(f, van->qr_known_uids, err);
		mailimap_qresync_vanished_free(van);
		van = NULL;
	}
	if (rc == TERN_OK && f->condstore) {
		const struct mailimap_selection_info *si = f->im->s->imap_selection_info;
		int64_t have = 0, exists = si ? (int64_t)si->sel_exists : (int64_t)f->im->sel_exists;
		/* CHANGEDSINCE says nothing of expunges, and libetpan keeps only the
		 * first VANISHED response of a command (libs.md 1.2): ask for the
		 * UID list when the counts say something is off. Agreeing counts
		 * cost nothing. */
		rc = db_imap_count(f->ctx->db, f->mbid, &have);
		if (rc == TERN_OK && have != exists) {
			rc = uid_search_all(f, &server, &nserver, err);
			compare = rc == TERN_OK;
		}
	}
	if (rc == TERN_OK)
		rc = finish(f, server, nserver, compare, cp, err);
	if (van)
		mailimap_qresync_vanished_free(van);
	free(server);
	return rc;
}

/* A damaged message is asked for again once a day: the server may have
 * been fixed, and asking on every cycle would cost a reconnect each time
 * if it was not. */
#define DAMAGED_RETRY_S (24 * 3600)

/* imap_salvage_one()'s store on a retry: the full row replaces the damaged
 * one (unless a local change waits for it: then after that change); a
 * still damaged one only records the attempt. */
static int
store_repaired(void *arg, const struct imap_batch *b, char **err)
{
	struct folder *f = arg;
	int rc = db_begin(f->ctx->db);

	for (size_t i = 0; i < b->n && rc == TERN_OK; i++) {
		const struct imap_msg *m = &b->v[i];
		struct db_imap_uid loc;
		unsigned mask = 0;
		int moving = 0;
		char *kw = NULL;

		if ((rc = db_imap_find(f->ctx->db, f->mbid, m->uid, &loc, &kw)) == TERN_ENOTFOUND) {
			rc = apply_one(f, m);
			continue;
		}
		free(kw);
		if (rc == TERN_OK)
			rc = db_queue_pending_for(f->ctx->db, loc.msg_id, &mask, &moving);
		if (rc != TERN_OK)
			break;
		if (m->h.damaged || mask || moving) {
			rc = db_imap_set_damaged(f->ctx->db, loc.msg_id, m->h.damaged ? m->h.damaged : time_now());
		} else if ((rc = db_imap_forget(f->ctx->db, f->mbid, loc.msg_id)) == TERN_OK) {
			log_info("imap %s: %s: UID %" PRIu32 " could be read this time", f->im->acct->name, f->name,
			         m->uid);
			rc = apply_one(f, m);
		}
	}
	if (rc == TERN_OK)
		rc = db_commit(f->ctx->db);
	else
		db_rollback(f->ctx->db);
	if (rc != TERN_OK && rc != TERN_ECANCELLED && !*err)
		*err = xasprintf("%s: cannot store messages: %s", f->name, tern_strerror(rc));
	else if (rc == TERN_OK && f->ctx->committed)
		f->ctx->committed(f->ctx);
	return rc;
}

static int
retry_damaged(struct folder *f, const uint32_t *due, size_t n, char **err)
{
	int rc = TERN_OK;
	for (size_t i = 0; i < n && rc == TERN_OK; i++)
		rc = imap_salvage_one(f->im, f->ctx, f->remote, f->name, due[i], f->condstore, store_repaired, f, err);
	return rc;
}

int
imap_sync_folder(struct imap *im, struct sync_ctx *ctx, int64_t mailbox_id, const char *remote,
                 const char *name, const struct imap_status *st, char **err)
{
	struct folder f = { im, ctx, mailbox_id, remote, name, 0, 0, NULL, 0, 0, 0, 0 };
	struct imap_checkpoint old = { 0 }, cp;
	char *res = imap_checkpoint_resource(remote), *state = NULL;
	int have_cp, rc;
	int64_t local = -1;
	uint32_t *due = NULL;
	size_t ndue = 0;

	have_cp = db_sync_state_get(ctx->db, im->account_id, res, &state) == TERN_OK &&
	          imap_checkpoint_parse(state, &old) == TERN_OK;
	free(state);
	free(res);
	if ((rc = db_imap_damaged_due(ctx->db, mailbox_id, time_now() - DAMAGED_RETRY_S, &due, &ndue)) != TERN_OK)
		return rc;
	/* Nothing moved since the checkpoint: not even a SELECT. (Without a
	 * HIGHESTMODSEQ, a flag change would not show in STATUS.) */
	if (!ndue && have_cp && st && im->condstore && old.highestmodseq && st->uidvalidity == old.uidvalidity &&
	    st->uidnext == old.uidnext && st->highestmodseq == old.highestmodseq &&
	    db_imap_count(ctx->db, mailbox_id, &local) == TERN_OK && local == (int64_t)st->messages) {
		free(due);
		return TERN_OK;
	}
	/* A fresh SELECT: its UIDNEXT/HIGHESTMODSEQ become the checkpoint. */
	free(im->selected);
	im->selected = NULL;
	if ((rc = imap_select(im, remote, err)) != TERN_OK)
		goto out;
	cp.uidvalidity = im->sel_uidvalidity;
	cp.uidnext = im->sel_uidnext;
	cp.highestmodseq = im->sel_hms;
	f.condstore = im->condstore && cp.highestmodseq > 0;
	f.qresync = im->qresync && f.condstore;
	if (have_cp && old.uidvalidity != cp.uidvalidity) {
		log_warn("imap %s: %s: UIDVALIDITY %" PRIu32 " -> %" PRIu32 ", resyncing the folder",
		         im->acct->name, name, old.uidvalidity, cp.uidvalidity);
		/* The UIDs mean nothing now, the messages may well be the same:
		 * the resync adopts them back by Message-ID (bodies, local ids
		 * and threads kept) and drops the rest in finish(). */
		if ((rc = db_imap_forget_uids(ctx->db, mailbox_id)) != TERN_OK) {
			*err = xasprintf("%s: cannot reset the folder", name);
			goto out;
		}
		have_cp = 0;
		ndue = 0;      /* those UIDs mean nothing now either */
	}
	if (!have_cp || (f.condstore && !old.highestmodseq))
		rc = first_sync(&f, &cp, err);
	else
		rc = incremental(&f, &old, &cp, err);
	/* After the checkpoint: a message that still cannot be read holds
	 * back nothing. */
	if (rc == TERN_OK && ndue)
		rc = retry_damaged(&f, due, ndue, err);
out:
	free(due);
	free(f.need);
	return rc;
}
