/* The IMAP engine (sync/engine.h): the entry points the worker runtime
 * calls; the protocol work is in the other imap_*.c files. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_mailbox.h"
#include "db/db_sync.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/imap/imap.h"
#include "src/base/util.h"

static int
op_connect(struct sync_ctx *ctx, void **st, char **err)
{
	struct imap *im = xcalloc(1, sizeof *im);
	int rc;

	*st = NULL;
	imap_init(im);
	if (ctx->connecting)
		ctx->connecting(ctx, im);
	rc = imap_connect(im, ctx->env->acct, ctx->password, ctx->stop, err);
	if (rc != TERN_OK) {
		if (ctx->connecting)
			ctx->connecting(ctx, NULL);
		imap_destroy(im);
		free(im);
		return rc;
	}
	im->account_id = ctx->account_id;
	*st = im;
	return TERN_OK;
}

static void
op_disconnect(void *st)
{
	struct imap *im = st;
	if (!im)
		return;
	imap_close(im);
	imap_destroy(im);
	free(im);
}

static void
op_interrupt(void *st)
{
	if (st)
		imap_interrupt(st);
}

static int
op_push_change(void *st, struct sync_ctx *ctx, const struct queue_row *q, char **err)
{
	struct imap *im = st;
	if (q->resource_type == RESOURCE_OUTBOX)
		return imap_push_outbox(im, ctx, q, err);
	return imap_push_change(im, ctx, q, err);
}

/* A folder that keeps failing (a response libetpan cannot parse, a
 * refusal) must not stop the others: its failures are counted in
 * sync_state ("imapfail:<remote>" = "COUNT UNIX-TIME"), it is synced after
 * the others, and after FOLDER_MAX_FAILS in a row it is left alone for
 * FOLDER_REST_S before the next try. */
#define FOLDER_MAX_FAILS 2
#define FOLDER_REST_S 3600

static void
fails_get(struct sync_ctx *ctx, const char *remote, int *count, int64_t *at)
{
	char *res = xasprintf("imapfail:%s", remote), *state = NULL;
	long long c = 0, t = 0;
	*count = 0;
	*at = 0;
	if (db_sync_state_get(ctx->db, ctx->account_id, res, &state) == TERN_OK && state &&
	    sscanf(state, "%lld %lld", &c, &t) == 2) {
		*count = (int)c;
		*at = t;
	}
	free(state);
	free(res);
}

static void
fails_set(struct sync_ctx *ctx, const char *remote, int count)
{
	char *res = xasprintf("imapfail:%s", remote), *state = xasprintf("%d %lld", count, (long long)time_now());
	if (db_begin(ctx->db) == TERN_OK) {
		int rc = count ? db_sync_state_put(ctx->db, ctx->account_id, res, state)
		               : db_sync_state_delete(ctx->db, ctx->account_id, res);
		if (rc == TERN_OK)
			db_commit(ctx->db);
		else
			db_rollback(ctx->db);
	}
	free(state);
	free(res);
}

/* Folders that failed before go last: the healthy ones are synced first. */
static int
cmp_failed_last(const void *a, const void *b)
{
	const struct imap_mb *x = a, *y = b;
	return (x->failed > 0) - (y->failed > 0);
}

static int
op_sync_all(void *st, struct sync_ctx *ctx, char **err)
{
	struct imap *im = st;
	struct imap_mb *mbs = NULL;
	size_t n = 0;
	int rc;

	if ((rc = imap_sync_mailboxes(im, ctx, &mbs, &n, err)) != TERN_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		int64_t at;
		fails_get(ctx, mbs[i].remote, &mbs[i].failed, &at);
		mbs[i].resting = mbs[i].failed >= FOLDER_MAX_FAILS && time_now() - at < FOLDER_REST_S;
	}
	/* Stable for the rest: INBOX stays first among the healthy. */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && cmp_failed_last(&mbs[k - 1], &mbs[k]) > 0; k--) {
			struct imap_mb t = mbs[k - 1];
			mbs[k - 1] = mbs[k];
			mbs[k] = t;
		}
	for (size_t i = 0; i < n && rc == TERN_OK; i++) {
		if (ctx->stop && *ctx->stop) {
			rc = TERN_ECANCELLED;
			break;
		}
		if (mbs[i].resting) {
			log_info("imap %s: %s failed %d times; left alone for now", im->acct->name, mbs[i].name,
			         mbs[i].failed);
			continue;
		}
		rc = imap_sync_folder(im, ctx, mbs[i].id, mbs[i].remote, mbs[i].name,
		                      mbs[i].has_status ? &mbs[i].st : NULL, err);
		if (rc == TERN_OK) {
			if (mbs[i].failed)
				fails_set(ctx, mbs[i].remote, 0);
			continue;
		}
		if (rc == TERN_ECANCELLED || (ctx->stop && *ctx->stop))
			break;
		if (tern_err_scope(rc) == TERN_SCOPE_MAILBOX ||
		    (tern_err_scope(rc) == TERN_SCOPE_ITEM && tern_err_class(rc) == TERN_FINAL)) {
			/* This folder's doing (the failure table: a response we
			 * cannot parse, a refusal): counted against it. */
			log_warn("imap %s: %s: %s", im->acct->name, mbs[i].name, *err ? *err : tern_strerror(rc));
			fails_set(ctx, mbs[i].remote, mbs[i].failed + 1);
			/* A parse error leaves the session unusable: reconnect, and
			 * the next cycle takes the other folders first. */
			if (im->broken)
				break;
			free(*err);
			*err = NULL;
			rc = TERN_OK;
		}
	}
	imap_mbs_free(mbs, n);
	if (rc == TERN_OK) {
		im->changed = 0;
		im->last_full_ms = time_mono_ms();
	}
	return rc;
}

/* New mail (IDLE news): INBOX alone, no LIST and no STATUS round trips,
 * so the message is there within the 2 s the user expects even with many
 * folders and a slow link. */
static int
op_sync_inbox(void *st, struct sync_ctx *ctx, char **err)
{
	struct imap *im = st;
	struct mailbox_row inbox = { 0 };
	int rc;

	if (db_mailbox_by_role(ctx->db, im->account_id, MAILBOX_ROLE_INBOX, &inbox) != TERN_OK)
		return op_sync_all(st, ctx, err);
	log_info("imap %s: news in INBOX: syncing INBOX only", im->acct->name);
	rc = imap_sync_folder(im, ctx, inbox.id, inbox.remote_id, inbox.name, NULL, err);
	if (rc == TERN_OK)
		im->changed = 0;
	db_mailbox_row_free(&inbox);
	return rc;
}

static int
op_wait(void *st, struct sync_ctx *ctx, int max_ms, char **err)
{
	return imap_wait(st, ctx, max_ms, err);
}

static int
op_fetch_body(void *st, struct sync_ctx *ctx, int64_t msg_id, char **err)
{
	return imap_fetch_body(st, ctx, msg_id, err);
}

static int
op_server_search(void *st, struct sync_ctx *ctx, const search_query *q, char **err)
{
	return imap_server_search(st, ctx, q, err);
}

static const struct engine_ops imap_ops = {
	.name = "imap",
	.connect = op_connect,
	.disconnect = op_disconnect,
	.push_change = op_push_change,
	.sync_all = op_sync_all,
	.sync_inbox = op_sync_inbox,
	.wait = op_wait,
	.interrupt = op_interrupt,
	.fetch_body = op_fetch_body,
	.server_search = op_server_search,
};

const struct engine_ops *
engine_imap(void)
{
	return &imap_ops;
}
