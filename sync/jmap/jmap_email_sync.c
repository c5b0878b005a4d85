/* Emails (RFC 8621 section 4). The first time (and after
 * cannotCalculateChanges) every mailbox is loaded, Inbox first, newest
 * first, page by page (Email/query + Email/get through a back-reference),
 * each page committed on its own; then Email/changes from the state taken
 * before the load catches up with what moved meanwhile. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_jmap.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "db/db_sync.h"
#include "src/base/crashpoint.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/jmap/jmap.h"
#include "sync/jmap/jmap_async.h"
#include "sync/jmap/jmap_call.h"
#include "sync/jmap/jmap_email_parse.h"
#include "sync/jmap/jmap_json.h"
#include "src/base/util.h"

#define LOAD_STATE "jmap:load-state"     /* Email state taken before a full load */
#define LOADED_PREFIX "jmap:loaded:"      /* + mailbox id: loaded by that full load */
#define LOAD_FRESH "jmap:load-fresh"      /* that load began with no messages: no sweep */
#define PAGE_MAX 1000
#define FIRST_PAGE 250     /* the first Email/get of a mailbox */
#define QUERY_PAGE 100000  /* ids asked for per Email/query (the server may give fewer) */
#define QUERY_IDS_MAX 4000000 /* more ids than this in one mailbox: a server gone wrong */

struct mbent {
	int64_t id;
	char *remote_id;
	char *name;
};

struct mbmap {
	struct mbent *v;
	int n;
};

static void
mbmap_free(struct mbmap *m)
{
	for (int i = 0; i < m->n; i++) {
		free(m->v[i].remote_id);
		free(m->v[i].name);
	}
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

static int
mbmap_cb(const struct mailbox_row *r, void *arg)
{
	struct mbmap *m = arg;
	m->v = xrealloc(m->v, (size_t)(m->n + 1) * sizeof *m->v);
	m->v[m->n++] = (struct mbent){ r->id, xstrdup(r->remote_id), xstrdup(r->name) };
	return 0;
}

static int
mbmap_load(db *d, int64_t account_id, struct mbmap *m)
{
	mbmap_free(m);
	return db_mailbox_each_all(d, account_id, mbmap_cb, m);
}

static int64_t
mbmap_get(const struct mbmap *m, const char *remote_id)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->v[i].remote_id, remote_id) == 0)
			return m->v[i].id;
	return 0;
}

static void
progress(struct sync_ctx *ctx, const char *name, uint64_t done, uint64_t total)
{
	char buf[160], a[32], b[32];
	if (!ctx->progress)
		return;
	fmt_count(done, a, sizeof a);
	fmt_count(total, b, sizeof b);
	snprintf(buf, sizeof buf, "%s %s/%s", name, a, b);
	ctx->progress(ctx, buf);
}

/* Parses an Email/get list. If an email names a mailbox not stored yet (made
 * after our Mailbox sync), the mailboxes are synced first. */
static int
parse_list(struct jmap *j, struct sync_ctx *ctx, struct mbmap *mm, const cJSON *list,
           struct jmap_email **out, int *n, char **err)
{
	const cJSON *o;
	int k = 0, unknown = 0, rc = TERN_OK;

	*out = xcalloc((size_t)cJSON_GetArraySize(list) + 1, sizeof **out);
	cJSON_ArrayForEach(o, list) {
		if (jmap_email_parse(o, &(*out)[k]) != TERN_OK) {
			log_warn("jmap %s: skipping an Email without a valid id", j->acct->name);
			continue;
		}
		if ((*out)[k].h.damaged)
			log_warn("jmap %s: Email %s could not be read (a property of the wrong type); stored as damaged",
			         j->acct->name, (*out)[k].h.email_id);
		for (size_t i = 0; i < (*out)[k].nmb; i++)
			if (!mbmap_get(mm, (*out)[k].mailbox_ids[i]))
				unknown = 1;
		k++;
	}
	*n = k;
	if (unknown) {
		int changed;
		if ((rc = jmap_mailboxes_sync(j, ctx, &changed, err)) == TERN_OK)
			rc = mbmap_load(ctx->db, j->account_id, mm);
	}
	return rc;
}

static void
free_list(struct jmap_email *v, int n)
{
	for (int i = 0; i < n; i++)
		jmap_email_free(&v[i]);
	free(v);
}

/* One email into the database, inside the caller's transaction. Local
 * changes still queued win: their flags and mailboxes are not overwritten
 * (the push will make the server agree). *need_full: an update for an
 * email we do not have (only the mutable properties were fetched). */
static int
apply_one(struct jmap *j, struct sync_ctx *ctx, const struct mbmap *mm, const struct jmap_email *e,
          int full, int *need_full)
{
	struct db_jmap_msg m = { 0 };
	int64_t *mbs = xcalloc(e->nmb + 1, sizeof *mbs);
	size_t n = 0;
	int rc, changed = 0;

	for (size_t i = 0; i < e->nmb; i++)
		if ((mbs[n] = mbmap_get(mm, e->mailbox_ids[i])))
			n++;
	rc = db_jmap_message_find(ctx->db, j->account_id, e->h.email_id, &m);
	if (rc == TERN_ENOTFOUND) {
		int64_t id;
		rc = TERN_OK;
		if (!full) {
			*need_full = 1;
		} else if (n > 0) {
			if ((rc = db_message_insert(ctx->db, j->account_id, &e->h, &id)) == TERN_OK)
				rc = db_jmap_set_mailboxes(ctx->db, id, mbs, n, e->h.received_at, &changed);
			ctx->counts.added++;
		}
	} else if (rc == TERN_OK) {
		unsigned mask;
		int moving, c = 0;
		if ((rc = db_queue_pending_for(ctx->db, m.id, &mask, &moving)) != TERN_OK)
			goto out;
		if (e->has_keywords) {
			unsigned nf = (e->h.flags & ~mask) | (m.flags & mask);
			if (nf != m.flags || strcmp(e->h.keywords, m.keywords) != 0) {
				if ((rc = db_message_set_flags(ctx->db, m.id, nf, e->h.keywords)) != TERN_OK)
					goto out;
				changed = 1;
			}
		}
		if (e->has_mailboxes && !moving) {
			if (n == 0) {
				/* Only in mailboxes we cannot show: gone as far as we care. */
				rc = db_message_delete(ctx->db, m.id);
				changed = 1;
			} else {
				rc = db_jmap_set_mailboxes(ctx->db, m.id, mbs, n, e->h.received_at, &c);
				changed |= c;
			}
		}
		if (changed && full == 0)
			ctx->counts.updated++;
	}
out:
	db_jmap_msg_free(&m);
	free(mbs);
	return rc;
}

static cJSON *
get_args(struct jmap *j, int full)
{
	cJSON *g = cJSON_CreateObject();
	cJSON_AddStringToObject(g, "accountId", j->sess->account_id);
	cJSON_AddItemToObject(g, "properties", jmap_email_props(full));
	if (full)
		cJSON_AddItemToObject(g, "bodyProperties", jmap_email_body_props());
	return g;
}

static uint64_t
page_size(const struct jmap *j)
{
	return j->sess->max_objects_in_get < PAGE_MAX ? j->sess->max_objects_in_get : PAGE_MAX;
}

/* Every id of a mailbox, newest first, in as few Email/query calls as the
 * server allows (one for most mailboxes: a query per page of emails was a
 * third of the server's work in a first load). Pages follow the last id
 * seen (anchor, RFC 8620 5.5), so mail arriving meanwhile does not shift
 * them; if that email went away, by position. */
static int
query_ids(struct jmap *j, struct sync_ctx *ctx, const struct mbent *mb, char ***out, size_t *nout,
          char **err)
{
	char **ids = NULL, *anchor = NULL, *prev = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0;
	int rc = TERN_OK;

	for (;;) {
		jmap_req *r = jmap_req_new();
		cJSON *q = cJSON_CreateObject(), *f, *sort, *s, *qr = NULL, *arr;
		const cJSON *it;
		struct jmap_merr me;
		const char *c0;
		size_t got = 0;

		cJSON_AddStringToObject(q, "accountId", j->sess->account_id);
		f = cJSON_AddObjectToObject(q, "filter");
		cJSON_AddStringToObject(f, "inMailbox", mb->remote_id);
		sort = cJSON_AddArrayToObject(q, "sort");
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "property", "receivedAt");
		cJSON_AddFalseToObject(s, "isAscending");
		cJSON_AddItemToArray(sort, s);
		if (anchor) {
			cJSON_AddStringToObject(q, "anchor", anchor);
			jmap_add_uint(q, "anchorOffset", 1);
		} else {
			jmap_add_uint(q, "position", n);
		}
		jmap_add_uint(q, "limit", QUERY_PAGE);
		cJSON_AddTrueToObject(q, "calculateTotal");
		c0 = jmap_req_add(r, "Email/query", q);
		if ((rc = jmap_req_send(j, r, err)) != TERN_OK) {
			jmap_req_free(r);
			break;
		}
		rc = jmap_req_result(r, c0, "Email/query", &qr, &me);
		if (rc != TERN_OK && me.type == JMAP_MERR_ANCHOR_NOT_FOUND && anchor) {
			free(anchor);
			anchor = NULL;
			jmap_req_free(r);
			continue;
		}
		if (rc != TERN_OK) {
			*err = jmap_merr_text("Email/query", &me);
			jmap_req_free(r);
			break;
		}
		if (!(arr = jmap_arr(qr, "ids")) || jmap_uint(qr, "total", &total) != TERN_OK) {
			*err = xstrdup("Email/query: ids or total missing");
			rc = TERN_EPROTO;
			jmap_req_free(r);
			break;
		}
		cJSON_ArrayForEach(it, arr) {
			if (!cJSON_IsString(it) || !jmap_id_valid(it->valuestring))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				ids = xrealloc(ids, cap * sizeof *ids);
			}
			ids[n++] = xstrdup(it->valuestring);
			got++;
		}
		/* A server that answers the same page again (or more ids than
		 * any mailbox holds) would keep this loop going, and growing,
		 * for ever: the page must move on past its anchor. */
		if (got && prev && !strcmp(prev, ids[n - 1])) {
			*err = xstrdup("Email/query: the server answered the same page twice (it ignores the anchor "
			               "and position)");
			rc = TERN_EPROTO;
		} else if (got > QUERY_PAGE) {
			*err = xasprintf("Email/query: the server answered %zu ids where %d were asked for", got, QUERY_PAGE);
			rc = TERN_EPROTO;
		} else if (n > QUERY_IDS_MAX) {
			*err = xasprintf("Email/query: the server listed more than %d ids in one mailbox", QUERY_IDS_MAX);
			rc = TERN_EPROTO;
		}
		free(anchor);
		anchor = got ? xstrdup(ids[n - 1]) : NULL;
		free(prev);
		prev = got ? xstrdup(ids[n - 1]) : NULL;
		jmap_req_free(r);
		if (rc != TERN_OK || got == 0 || n >= total)
			break;
		if (ctx->stop && *ctx->stop) {
			rc = TERN_ECANCELLED;
			break;
		}
	}
	free(anchor);
	free(prev);
	if (rc != TERN_OK) {
		for (size_t i = 0; i < n; i++)
			free(ids[i]);
		free(ids);
		ids = NULL;
		n = 0;
	}
	*out = ids;
	*nout = n;
	return rc;
}

/* Email/get of ids[0..n), started on the helper thread. */
static void
get_start(struct jmap *j, struct jmap_async *a, char *const *ids, size_t n, const char **call)
{
	jmap_req *r = jmap_req_new();
	cJSON *g = get_args(j, 1), *arr = cJSON_AddArrayToObject(g, "ids");

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(ids[i]));
	*call = jmap_req_add(r, "Email/get", g);
	jmap_async_start(a, j, r);
}

/* One mailbox, newest first, until all of it is here: its ids, then their
 * emails page by page, each page committed on its own. The next page is
 * on its way (jmap_async.c) while one is stored, so the wall time is the
 * larger of the server's and the store's, not their sum. An email gone
 * between the query and its page is simply not in the list (notFound);
 * what changed meanwhile comes with Email/changes after the load. */
static int
load_mailbox(struct jmap *j, struct sync_ctx *ctx, struct mbmap *mm, const struct mbent *mb,
             char **err)
{
	/* Two slots, used in turn: a request in flight is read and written by
	 * its thread where it is, so it is never moved. */
	struct jmap_async slot[2] = { { 0 }, { 0 } };
	const char *call[2] = { NULL, NULL };
	size_t count[2] = { 0, 0 };
	char **ids = NULL;
	size_t nids = 0, at = 0, done = 0, step;
	int c = 0, rc;

	if ((rc = query_ids(j, ctx, mb, &ids, &nids, err)) != TERN_OK || nids == 0)
		goto out;
	progress(ctx, mb->name, 0, nids);
	/* A small first page: the newest mail is on screen sooner. */
	step = page_size(j) < FIRST_PAGE ? page_size(j) : FIRST_PAGE;
	count[c] = nids < step ? nids : step;
	get_start(j, &slot[c], ids, count[c], &call[c]);
	at = count[c];
	while (slot[c].pending) {
		struct jmap_async *cur = &slot[c], *next = &slot[c ^ 1];
		struct jmap_email *v = NULL;
		struct jmap_merr me;
		cJSON *gr = NULL;
		int n = 0;

		rc = jmap_async_join(cur, err);
		if (rc == TERN_OK && (rc = jmap_req_result(cur->r, call[c], "Email/get", &gr, &me)) != TERN_OK)
			*err = jmap_merr_text("Email/get", &me);
		if (rc == TERN_OK && !jmap_arr(gr, "list")) {
			*err = xstrdup("Email/get: list missing");
			rc = TERN_EPROTO;
		}
		/* Before the next request goes: this may sync the mailboxes. */
		if (rc == TERN_OK)
			rc = parse_list(j, ctx, mm, jmap_arr(gr, "list"), &v, &n, err);
		if (rc == TERN_OK && at < nids && !(ctx->stop && *ctx->stop)) {
			step = page_size(j);
			count[c ^ 1] = nids - at < step ? nids - at : step;
			get_start(j, next, ids + at, count[c ^ 1], &call[c ^ 1]);
			at += count[c ^ 1];
		}
		if (rc == TERN_OK && (rc = db_begin(ctx->db)) == TERN_OK) {
			for (int i = 0; i < n && rc == TERN_OK; i++) {
				int need;
				rc = apply_one(j, ctx, mm, &v[i], 1, &need);
			}
			if (rc == TERN_OK)
				rc = db_commit(ctx->db);
			else
				db_rollback(ctx->db);
			if (rc != TERN_OK && !*err)
				*err = xstrdup("cannot store the emails");
			if (rc == TERN_OK)
				crashpoint("jmap-email-page");
		}
		free_list(v, n);
		jmap_req_free(cur->r);
		cur->r = NULL;
		if (rc != TERN_OK)
			break;
		done += count[c];
		c ^= 1;
		if (ctx->committed)
			ctx->committed(ctx);
		progress(ctx, mb->name, done, nids);
		if (ctx->stop && *ctx->stop) {
			rc = TERN_ECANCELLED;
			break;
		}
	}
	/* A page still on its way after a failure or a stop. */
	for (int k = 0; k < 2; k++)
		if (slot[k].pending) {
			jmap_async_join(&slot[k], NULL);
			jmap_req_free(slot[k].r);
		}
out:
	for (size_t i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	return rc;
}

/* After a resync: messages deleted while we could not follow changes go.
 * Each local email id is asked about (Email/get, id only) and only those
 * the server answers notFound are removed: paging Email/query instead
 * would skip survivors whenever an email is destroyed between pages. */
static int
sweep(struct jmap *j, struct sync_ctx *ctx, char **err)
{
	int64_t after = 0, removed = 0;
	int limit = (int)page_size(j), rc = TERN_OK;

	for (;;) {
		jmap_req *r;
		cJSON *g, *ids, *res, *id;
		struct jmap_merr me;
		const char *c;
		char **v = NULL;
		int n = 0;

		if ((rc = db_jmap_email_ids_page(ctx->db, j->account_id, &after, limit, &v, &n)) != TERN_OK || n == 0) {
			db_jmap_ids_free(v, n);
			break;
		}
		r = jmap_req_new();
		g = cJSON_CreateObject();
		cJSON_AddStringToObject(g, "accountId", j->sess->account_id);
		ids = cJSON_AddArrayToObject(g, "ids");
		for (int i = 0; i < n; i++)
			cJSON_AddItemToArray(ids, cJSON_CreateString(v[i]));
		cJSON_AddItemToObject(g, "properties", cJSON_CreateStringArray((const char *const[]){ "id" }, 1));
		c = jmap_req_add(r, "Email/get", g);
		if ((rc = jmap_req_send(j, r, err)) == TERN_OK &&
		    (rc = jmap_req_result(r, c, "Email/get", &res, &me)) != TERN_OK)
			*err = jmap_merr_text("Email/get", &me);
		if (rc == TERN_OK && (rc = db_begin(ctx->db)) == TERN_OK) {
			cJSON_ArrayForEach(id, jmap_arr(res, "notFound")) {
				int asked = 0, found = 0;
				for (int i = 0; cJSON_IsString(id) && i < n && !asked; i++)
					asked = strcmp(v[i], id->valuestring) == 0;
				if (rc == TERN_OK && asked && (rc = db_jmap_destroy(ctx->db, j->account_id, id->valuestring,
				                                                    &found)) == TERN_OK)
					removed += found;
			}
			rc = rc == TERN_OK ? db_commit(ctx->db) : (db_rollback(ctx->db), rc);
		}
		jmap_req_free(r);
		db_jmap_ids_free(v, n);
		if (rc != TERN_OK || (ctx->stop && *ctx->stop))
			break;
	}
	if (rc == TERN_OK && removed) {
		log_info("jmap %s: full resync removed %lld messages gone from the server", j->acct->name, (long long)removed);
		ctx->counts.removed += removed;
		if (ctx->committed)
			ctx->committed(ctx);
	}
	return rc;
}

static int
current_state(struct jmap *j, char **state, char **err)
{
	jmap_req *r = jmap_req_new();
	cJSON *g = cJSON_CreateObject(), *res;
	struct jmap_merr me;
	const char *c, *s;
	int rc;
	cJSON_AddStringToObject(g, "accountId", j->sess->account_id);
	cJSON_AddItemToObject(g, "ids", cJSON_CreateArray());
	c = jmap_req_add(r, "Email/get", g);
	if ((rc = jmap_req_send(j, r, err)) == TERN_OK) {
		if ((rc = jmap_req_result(r, c, "Email/get", &res, &me)) != TERN_OK)
			*err = jmap_merr_text("Email/get", &me);
		else if (!(s = jmap_str(res, "state")))
			rc = TERN_EPROTO, *err = xstrdup("Email/get: no state");
		else
			*state = xstrdup(s);
	}
	jmap_req_free(r);
	return rc;
}

static int
full_load(struct jmap *j, struct sync_ctx *ctx, struct mbmap *mm, char **err)
{
	char *state = NULL, *key;
	int rc;

	/* The state comes first: whatever changes during the load is caught by
	 * Email/changes from it. A load cut short resumes with the same state. */
	rc = db_sync_state_get(ctx->db, j->account_id, LOAD_STATE, &state);
	if (rc == TERN_ENOTFOUND) {
		int has = 1;
		if ((rc = current_state(j, &state, err)) != TERN_OK)
			return rc;
		/* A load into an empty account has nothing to sweep afterwards:
		 * whatever goes meanwhile is in Email/changes since the state. */
		if ((rc = db_begin(ctx->db)) == TERN_OK) {
			if ((rc = db_jmap_has_messages(ctx->db, j->account_id, &has)) == TERN_OK &&
			    (rc = db_sync_state_put(ctx->db, j->account_id, LOAD_STATE, state)) == TERN_OK &&
			    (has || (rc = db_sync_state_put(ctx->db, j->account_id, LOAD_FRESH, "1")) == TERN_OK))
				rc = db_commit(ctx->db);
			else
				db_rollback(ctx->db);
		}
	}
	if (rc != TERN_OK)
		goto out;
	/* Two passes: a mailbox made during the first (the map is reloaded
	 * when an email names one) is loaded by the second. */
	for (int pass = 0; pass < 2 && rc == TERN_OK; pass++)
	for (int i = 0; i < mm->n && rc == TERN_OK; i++) {
		struct mbent mb = { mm->v[i].id, xstrdup(mm->v[i].remote_id), xstrdup(mm->v[i].name) };
		char *done = NULL;
		key = xasprintf(LOADED_PREFIX "%s", mb.remote_id);
		if (db_sync_state_get(ctx->db, j->account_id, key, &done) == TERN_ENOTFOUND &&
		    (rc = load_mailbox(j, ctx, mm, &mb, err)) == TERN_OK &&
		    (rc = db_begin(ctx->db)) == TERN_OK) {
			if ((rc = db_sync_state_put(ctx->db, j->account_id, key, "1")) == TERN_OK)
				rc = db_commit(ctx->db);
			else
				db_rollback(ctx->db);
		}
		free(done);
		free(key);
		free(mb.remote_id);
		free(mb.name);
	}
	if (rc == TERN_OK) {
		char *fresh = NULL;
		if (db_sync_state_get(ctx->db, j->account_id, LOAD_FRESH, &fresh) == TERN_ENOTFOUND)
			rc = sweep(j, ctx, err);
		free(fresh);
	}
	if (rc == TERN_OK && (rc = db_begin(ctx->db)) == TERN_OK) {
		if ((rc = db_sync_state_put(ctx->db, j->account_id, "Email", state)) == TERN_OK &&
		    (rc = db_sync_state_delete(ctx->db, j->account_id, LOAD_STATE)) == TERN_OK &&
		    (rc = db_sync_state_delete(ctx->db, j->account_id, LOAD_FRESH)) == TERN_OK &&
		    (rc = db_jmap_state_clear_prefix(ctx->db, j->account_id, LOADED_PREFIX)) == TERN_OK)
			rc = db_commit(ctx->db);
		else
			db_rollback(ctx->db);
	}
out:
	free(state);
	return rc;
}

/* Emails named by an update that we do not have: fetched in full. The
 * parsed emails point into *keep's responses (caller frees it). */
static int
fetch_full(struct jmap *j, struct sync_ctx *ctx, struct mbmap *mm, const struct jmap_email *v,
           int n, struct jmap_email **out, int *nout, jmap_req **keep, char **err)
{
	jmap_req *r;
	cJSON *g, *ids = cJSON_CreateArray(), *res;
	struct jmap_merr me;
	const char *c;
	int rc, missing = 0;

	*out = NULL;
	*nout = 0;
	*keep = NULL;
	for (int i = 0; i < n; i++) {
		struct db_jmap_msg m = { 0 };
		rc = db_jmap_message_find(ctx->db, j->account_id, v[i].h.email_id, &m);
		db_jmap_msg_free(&m);
		if (rc == TERN_ENOTFOUND) {
			cJSON_AddItemToArray(ids, cJSON_CreateString(v[i].h.email_id));
			missing++;
		} else if (rc != TERN_OK) {
			cJSON_Delete(ids);
			return rc;
		}
	}
	if (!missing) {
		cJSON_Delete(ids);
		return TERN_OK;
	}
	*keep = r = jmap_req_new();
	g = get_args(j, 1);
	cJSON_AddItemToObject(g, "ids", ids);
	c = jmap_req_add(r, "Email/get", g);
	if ((rc = jmap_req_send(j, r, err)) == TERN_OK) {
		if ((rc = jmap_req_result(r, c, "Email/get", &res, &me)) != TERN_OK)
			*err = jmap_merr_text("Email/get", &me);
		else
			rc = parse_list(j, ctx, mm, jmap_arr(res, "list"), out, nout, err);
	}
	return rc;
}

static int
apply_changes(struct jmap *j, struct sync_ctx *ctx, const struct mbmap *mm, const cJSON *destroyed,
              struct jmap_email *cr, int ncr, struct jmap_email *up, int nup,
              struct jmap_email *fu, int nfu, const char *new_state, int *changed)
{
	const cJSON *id;
	int rc, need;

	if ((rc = db_begin(ctx->db)) != TERN_OK)
		return rc;
	for (int i = 0; i < ncr && rc == TERN_OK; i++)
		rc = apply_one(j, ctx, mm, &cr[i], 1, &need);
	for (int i = 0; i < nfu && rc == TERN_OK; i++)
		rc = apply_one(j, ctx, mm, &fu[i], 1, &need);
	for (int i = 0; i < nup && rc == TERN_OK; i++)
		rc = apply_one(j, ctx, mm, &up[i], 0, &need);
	cJSON_ArrayForEach(id, destroyed) {
		int found = 0;
		if (rc != TERN_OK || !cJSON_IsString(id))
			continue;
		rc = db_jmap_destroy(ctx->db, j->account_id, id->valuestring, &found);
		ctx->counts.removed += found;
	}
	if (rc == TERN_OK)
		rc = db_sync_state_put(ctx->db, j->account_id, "Email", new_state);
	if (rc != TERN_OK) {
		db_rollback(ctx->db);
		return rc;
	}
	*changed = ncr + nup + nfu + cJSON_GetArraySize(destroyed) > 0;
	return db_commit(ctx->db);
}

/* One page of Email/changes with the Email/get of what was created (all
 * properties) and updated (the mutable ones). TERN_ENOTFOUND:
 * cannotCalculateChanges. */
static int
changes_page(struct jmap *j, struct sync_ctx *ctx, struct mbmap *mm, const char *since,
             char **new_state, int *more, int *changed, char **err)
{
	jmap_req *r = jmap_req_new(), *keep = NULL;
	cJSON *a = cJSON_CreateObject(), *g1 = get_args(j, 1), *g2 = get_args(j, 0);
	cJSON *ch, *cr, *up;
	struct jmap_email *vc = NULL, *vu = NULL, *vf = NULL;
	int nc = 0, nu = 0, nf = 0, rc;
	struct jmap_merr me;
	const char *c0, *c1, *c2, *ns;

	cJSON_AddStringToObject(a, "accountId", j->sess->account_id);
	cJSON_AddStringToObject(a, "sinceState", since);
	jmap_add_uint(a, "maxChanges", page_size(j));
	c0 = jmap_req_add(r, "Email/changes", a);
	jmap_backref(g1, "ids", c0, "Email/changes", "/created");
	c1 = jmap_req_add(r, "Email/get", g1);
	jmap_backref(g2, "ids", c0, "Email/changes", "/updated");
	c2 = jmap_req_add(r, "Email/get", g2);
	if ((rc = jmap_req_send(j, r, err)) != TERN_OK)
		goto out;
	if ((rc = jmap_req_result(r, c0, "Email/changes", &ch, &me)) != TERN_OK) {
		if (jmap_merr_state_lost(&me))
			rc = TERN_ENOTFOUND;
		else
			*err = jmap_merr_text("Email/changes", &me);
		goto out;
	}
	if ((rc = jmap_req_result(r, c1, "Email/get", &cr, &me)) != TERN_OK ||
	    (rc = jmap_req_result(r, c2, "Email/get", &up, &me)) != TERN_OK) {
		*err = jmap_merr_text("Email/get", &me);
		goto out;
	}
	ns = jmap_str(ch, "newState");
	if (!ns || !jmap_arr(ch, "destroyed") || !jmap_arr(cr, "list") || !jmap_arr(up, "list")) {
		*err = xstrdup("Email/changes: newState, destroyed or a list missing");
		rc = TERN_EPROTO;
		goto out;
	}
	*more = jmap_bool(ch, "hasMoreChanges", 0);
	if ((rc = parse_list(j, ctx, mm, jmap_arr(cr, "list"), &vc, &nc, err)) != TERN_OK ||
	    (rc = parse_list(j, ctx, mm, jmap_arr(up, "list"), &vu, &nu, err)) != TERN_OK ||
	    (rc = fetch_full(j, ctx, mm, vu, nu, &vf, &nf, &keep, err)) != TERN_OK)
		goto out;
	rc = apply_changes(j, ctx, mm, jmap_arr(ch, "destroyed"), vc, nc, vu, nu, vf, nf, ns, changed);
	if (rc != TERN_OK && !*err)
		*err = xstrdup("cannot store the email changes");
	if (rc == TERN_OK)
		*new_state = xstrdup(ns);
out:
	free_list(vc, nc);
	free_list(vu, nu);
	free_list(vf, nf);
	jmap_req_free(keep);
	jmap_req_free(r);
	return rc;
}

static int
follow_changes(struct jmap *j, struct sync_ctx *ctx, struct mbmap *mm, int *changed, char **err)
{
	char *state = NULL;
	int rc, more = 1;

	if ((rc = db_sync_state_get(ctx->db, j->account_id, "Email", &state)) != TERN_OK)
		return rc;
	while (more && rc == TERN_OK) {
		char *next = NULL;
		int c = 0;
		more = 0;
		rc = changes_page(j, ctx, mm, state, &next, &more, &c, err);
		*changed |= c;
		if (rc == TERN_OK && c && ctx->committed)
			ctx->committed(ctx);
		if (rc == TERN_OK && more && strcmp(next, state) == 0) {
			*err = xstrdup("Email/changes: hasMoreChanges without progress");
			rc = TERN_EPROTO;
		}
		free(state);
		state = next;
	}
	free(state);
	return rc;
}

int
jmap_emails_sync(struct jmap *j, struct sync_ctx *ctx, int *changed, char **err)
{
	struct mbmap mm = { 0 };
	char *state = NULL;
	int rc;

	*changed = 0;
	if ((rc = mbmap_load(ctx->db, j->account_id, &mm)) != TERN_OK)
		return rc;
	rc = db_sync_state_get(ctx->db, j->account_id, "Email", &state);
	free(state);
	if (rc == TERN_ENOTFOUND) {
		*changed = 1;
		rc = full_load(j, ctx, &mm, err);
	}
	if (rc == TERN_OK)
		rc = follow_changes(j, ctx, &mm, changed, err);
	if (rc == TERN_ENOTFOUND) {
		/* RFC 8620 5.2 cannotCalculateChanges: the state is too old. Load
		 * everything again; messages stay (matched by email id), so the
		 * queue's references and local changes survive, and the sweep
		 * removes what the server no longer has. */
		log_info("jmap %s: Email/changes cannot calculate changes: full resync", j->acct->name);
		free(*err);
		*err = NULL;
		*changed = 1;
		if ((rc = db_begin(ctx->db)) == TERN_OK) {
			if (db_sync_state_delete(ctx->db, j->account_id, "Email") == TERN_OK &&
			    db_sync_state_delete(ctx->db, j->account_id, LOAD_STATE) == TERN_OK &&
			    db_sync_state_delete(ctx->db, j->account_id, LOAD_FRESH) == TERN_OK &&
			    db_jmap_state_clear_prefix(ctx->db, j->account_id, LOADED_PREFIX) == TERN_OK)
				rc = db_commit(ctx->db);
			else
				db_rollback(ctx->db), rc = TERN_EDB;
		}
		if (rc == TERN_OK && (rc = full_load(j, ctx, &mm, err)) == TERN_OK)
			rc = follow_changes(j, ctx, &mm, changed, err);
		if (rc == TERN_ENOTFOUND) {
			*err = xstrdup("Email/changes: cannot calculate changes even after a full load");
			rc = TERN_EPROTO;
		}
	}
	mbmap_free(&mm);
	return rc;
}
