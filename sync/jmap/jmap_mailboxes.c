/* Mailboxes (RFC 8621 section 2): Mailbox/get of all of them the first time
 * (or when the server cannot calculate changes), Mailbox/changes from the
 * stored state after, written with the state in one transaction. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_jmap.h"
#include "db/db_mailbox.h"
#include "db/db_sync.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "src/base/strbuf.h"
#include "sync/jmap/jmap.h"
#include "sync/jmap/jmap_mailboxes_int.h"
#include "sync/jmap/jmap_call.h"
#include "sync/jmap/jmap_json.h"
#include "src/base/util.h"

#define MAX_DEPTH 64

struct mb {
	const char *id;
	const char *name;          /* the leaf name */
	char *leaf;                /* name as a path component ("/" stood in for) */
	const char *parent;        /* NULL: top level */
	const char *role;
	uint64_t total, unread;
	int has_counts;
	int subscribed;
	int selectable;
	char *path;                /* full path with "/" */
	int depth;
};

static cJSON *
props(void)
{
	static const char *const p[] = { "id", "name", "parentId", "role", "totalEmails",
	                                 "unreadEmails", "isSubscribed", "myRights" };
	return cJSON_CreateStringArray(p, (int)ARRAY_LEN(p));
}

/* A role as tern stores it: IANA roles are lower-case words (RFC 8621 2). */
static const char *
role_ok(const char *r)
{
	if (!r || !*r || strlen(r) > 32)
		return NULL;
	for (const char *p = r; *p; p++)
		if (*p < 'a' || *p > 'z')
			return NULL;
	return r;
}

/* JMAP names are free text (RFC 8621 2: the tree is parentId), but tern's
 * paths join names with "/": a "/" inside a name becomes U+2215 DIVISION
 * SLASH, which looks the same and keeps the mailbox (and its mail) where
 * it belongs. */
static char *
leaf_of(const char *name)
{
	strbuf sb = STRBUF_INIT;
	for (const char *p = name; *p; p++) {
		if (*p == '/')
			sb_adds(&sb, "\xe2\x88\x95");
		else
			sb_addc(&sb, *p);
	}
	return sb_steal(&sb);
}

static int
parse_list(const char *acct_name, const cJSON *list, struct mb **out, int *n)
{
	const cJSON *o;
	int k = 0;
	*out = xcalloc((size_t)cJSON_GetArraySize(list) + 1, sizeof **out);
	cJSON_ArrayForEach(o, list) {
		struct mb *m = &(*out)[k];
		const cJSON *rights = jmap_obj(o, "myRights");
		m->id = jmap_id(o, "id");
		m->name = jmap_str(o, "name");
		if (!m->id || !m->name || !*m->name) {
			log_warn("jmap %s: skipping a mailbox with a missing id or name", acct_name);
			continue;
		}
		m->leaf = leaf_of(m->name);
		m->parent = jmap_id(o, "parentId");
		m->role = role_ok(jmap_str(o, "role"));
		m->has_counts = jmap_uint(o, "totalEmails", &m->total) == TERN_OK &&
		                jmap_uint(o, "unreadEmails", &m->unread) == TERN_OK;
		m->subscribed = jmap_bool(o, "isSubscribed", 1);
		m->selectable = rights ? jmap_bool(rights, "mayReadItems", 1) : 1;
		k++;
	}
	*n = k;
	return TERN_OK;
}

static struct mb *
find(struct mb *v, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return &v[i];
	return NULL;
}

/* The full path: from the parents in this answer, else the stored parent. */
static int
path_of(db *d, int64_t account_id, struct mb *v, int n, struct mb *m, int depth)
{
	struct mailbox_row pr = { 0 };
	struct mb *p;
	if (m->path)
		return TERN_OK;
	if (depth > MAX_DEPTH)
		return TERN_EPROTO;
	if (!m->parent) {
		m->path = xstrdup(m->leaf);
		m->depth = 0;
		return TERN_OK;
	}
	if ((p = find(v, n, m->parent))) {
		if (path_of(d, account_id, v, n, p, depth + 1) != TERN_OK)
			return TERN_EPROTO;
		m->path = xasprintf("%s/%s", p->path, m->leaf);
		m->depth = p->depth + 1;
		return TERN_OK;
	}
	if (db_mailbox_by_remote(d, account_id, m->parent, &pr) == TERN_OK) {
		m->path = xasprintf("%s/%s", pr.name, m->leaf);
		m->depth = 1 + (int)(strlen(pr.name) > 0);
		db_mailbox_row_free(&pr);
		return TERN_OK;
	}
	/* Parent unknown: shown at the top level until it arrives. */
	m->path = xstrdup(m->leaf);
	m->parent = NULL;
	return TERN_OK;
}

static int
by_depth(const void *a, const void *b)
{
	return ((const struct mb *)a)->depth - ((const struct mb *)b)->depth;
}

struct sweep {
	db *d;
	struct mb *v;
	int n;
	int64_t *gone;
	int ngone;
};

static int
sweep_cb(const struct mailbox_row *r, void *arg)
{
	struct sweep *s = arg;
	int unpushed = 0;
	/* Created here, not on the server yet: not gone from it. */
	if (db_mailbox_unpushed(s->d, r->id, &unpushed) != TERN_OK || unpushed)
		return 0;
	if (!find(s->v, s->n, r->remote_id)) {
		s->gone = xrealloc(s->gone, (size_t)(s->ngone + 1) * sizeof *s->gone);
		s->gone[s->ngone++] = r->id;
	}
	return 0;
}

int
jmap_mailboxes_apply(struct jmap *j, db *d, const cJSON *list, int full, int *changed)
{
	struct mb *v = NULL;
	int n = 0, rc = TERN_OK;

	parse_list(j->acct->name, list, &v, &n);
	for (int i = 0; i < n && rc == TERN_OK; i++)
		rc = path_of(d, j->account_id, v, n, &v[i], 0);
	if (rc != TERN_OK)
		goto out;
	qsort(v, (size_t)n, sizeof *v, by_depth);
	for (int i = 0; i < n && rc == TERN_OK; i++) {
		struct mb *m = &v[i];
		struct mailbox_row old = { 0 };
		struct mailbox_info mi = {
			.remote_id = m->id, .name = m->path, .delim = "/", .role = m->role,
			.parent_remote_id = m->parent, .selectable = m->selectable,
			.subscribed = m->subscribed, .has_counts = m->has_counts,
			.total = (int64_t)m->total, .unread = (int64_t)m->unread,
		};
		int64_t id;
		int had = db_mailbox_by_remote(d, j->account_id, m->id, &old) == TERN_OK;
		if ((rc = db_mailbox_upsert(d, j->account_id, &mi, &id)) != TERN_OK)
			break;
		if (had && strcmp(old.name, m->path) != 0)
			rc = db_jmap_mailbox_rename_children(d, j->account_id, old.name, m->path);
		db_mailbox_row_free(&old);
		*changed = 1;
	}
	if (rc == TERN_OK && full) {
		struct sweep s = { d, v, n, NULL, 0 };
		rc = db_mailbox_each(d, j->account_id, sweep_cb, &s);
		for (int i = 0; rc == TERN_OK && i < s.ngone; i++) {
			rc = db_mailbox_delete(d, s.gone[i]);
			*changed = 1;
		}
		free(s.gone);
	}
out:
	for (int i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].leaf);
	}
	free(v);
	return rc;
}

static int
destroy(struct jmap *j, db *d, const cJSON *ids, int *changed)
{
	const cJSON *id;
	cJSON_ArrayForEach(id, ids) {
		struct mailbox_row r = { 0 };
		if (!cJSON_IsString(id) || db_mailbox_by_remote(d, j->account_id, id->valuestring, &r) != TERN_OK)
			continue;
		if (db_mailbox_delete(d, r.id) != TERN_OK) {
			db_mailbox_row_free(&r);
			return TERN_EDB;
		}
		db_mailbox_row_free(&r);
		*changed = 1;
	}
	return TERN_OK;
}

/* RFC 8620 5.1: a server may refuse "ids": null with requestTooLarge when
 * it has more than maxObjectsInGet. Then Mailbox/query pages the ids and
 * Mailbox/get fetches them in chunks; the first chunk's state is kept (the
 * oldest, so Mailbox/changes later replays whatever moved meanwhile).
 * *list and *state point into *keep (caller frees). */
static int
get_in_chunks(struct jmap *j, jmap_req **keep, cJSON **list, const char **state, char **err)
{
	jmap_req *q = NULL, *r = *keep = jmap_req_new();
	cJSON *ids = cJSON_CreateArray(), *res, *id;
	const char **calls = NULL;
	uint64_t pos = 0, total = 0, per = j->sess->max_objects_in_get;
	struct jmap_merr me;
	int rc = TERN_OK, ncalls = 0;

	*list = cJSON_CreateArray();
	do {
		cJSON *a = cJSON_CreateObject();
		const char *c;
		int n = 0;
		jmap_req_free(q);
		q = jmap_req_new();
		cJSON_AddStringToObject(a, "accountId", j->sess->account_id);
		jmap_add_uint(a, "position", pos);
		jmap_add_uint(a, "limit", per);
		cJSON_AddTrueToObject(a, "calculateTotal");
		c = jmap_req_add(q, "Mailbox/query", a);
		if ((rc = jmap_req_send(j, q, err)) != TERN_OK)
			break;
		if ((rc = jmap_req_result(q, c, "Mailbox/query", &res, &me)) != TERN_OK) {
			*err = jmap_merr_text("Mailbox/query", &me);
			break;
		}
		if (jmap_uint(res, "total", &total) != TERN_OK)
			total = 0;
		cJSON_ArrayForEach(id, jmap_arr(res, "ids"))
			if (cJSON_IsString(id) && jmap_id_valid(id->valuestring)) {
				cJSON_AddItemToArray(ids, cJSON_CreateString(id->valuestring));
				n++;
			}
		pos += (uint64_t)n;
		if (n == 0)
			break;
	} while (pos < total);
	jmap_req_free(q);
	if (rc != TERN_OK)
		goto out;
	for (int k = 0; k < cJSON_GetArraySize(ids); k += (int)per) {
		cJSON *a = cJSON_CreateObject(), *chunk = cJSON_AddArrayToObject(a, "ids");
		cJSON_AddStringToObject(a, "accountId", j->sess->account_id);
		for (int i = k; i < k + (int)per && i < cJSON_GetArraySize(ids); i++)
			cJSON_AddItemToArray(chunk, cJSON_CreateString(cJSON_GetArrayItem(ids, i)->valuestring));
		cJSON_AddItemToObject(a, "properties", props());
		calls = xrealloc(calls, (size_t)(ncalls + 1) * sizeof *calls);
		calls[ncalls++] = jmap_req_add(r, "Mailbox/get", a);
	}
	if (ncalls && (rc = jmap_req_send(j, r, err)) != TERN_OK)
		goto out;
	*state = NULL;
	for (int k = 0; k < ncalls; k++) {
		cJSON *m;
		if ((rc = jmap_req_result(r, calls[k], "Mailbox/get", &res, &me)) != TERN_OK) {
			*err = jmap_merr_text("Mailbox/get", &me);
			goto out;
		}
		if (!*state)
			*state = jmap_str(res, "state");
		cJSON_ArrayForEach(m, jmap_arr(res, "list"))
			cJSON_AddItemReferenceToArray(*list, m);
	}
out:
	free(calls);
	cJSON_Delete(ids);
	return rc;
}

static int
full_sync(struct jmap *j, struct sync_ctx *ctx, int *changed, char **err)
{
	jmap_req *r = jmap_req_new(), *chunks = NULL;
	cJSON *args = cJSON_CreateObject(), *res, *list = NULL, *own = NULL;
	struct jmap_merr me;
	const char *state = NULL, *c;
	int rc;

	cJSON_AddStringToObject(args, "accountId", j->sess->account_id);
	cJSON_AddNullToObject(args, "ids");
	cJSON_AddItemToObject(args, "properties", props());
	c = jmap_req_add(r, "Mailbox/get", args);
	if ((rc = jmap_req_send(j, r, err)) != TERN_OK)
		goto out;
	rc = jmap_req_result(r, c, "Mailbox/get", &res, &me);
	if (rc != TERN_OK && me.type == JMAP_MERR_REQUEST_TOO_LARGE) {
		log_info("jmap %s: Mailbox/get of all mailboxes is too large: in chunks", j->acct->name);
		rc = get_in_chunks(j, &chunks, &own, &state, err);
		list = own;
		if (rc != TERN_OK)
			goto out;
	} else if (rc != TERN_OK) {
		*err = jmap_merr_text("Mailbox/get", &me);
		goto out;
	} else {
		state = jmap_str(res, "state");
		list = jmap_arr(res, "list");
	}
	if (!state || !list) {
		*err = xstrdup("Mailbox/get: no state or list");
		rc = TERN_EPROTO;
		goto out;
	}
	if ((rc = db_begin(ctx->db)) != TERN_OK)
		goto out;
	if ((rc = jmap_mailboxes_apply(j, ctx->db, list, 1, changed)) != TERN_OK ||
	    (rc = db_sync_state_put(ctx->db, j->account_id, "Mailbox", state)) != TERN_OK) {
		db_rollback(ctx->db);
		*err = xstrdup("cannot store the mailboxes");
		goto out;
	}
	rc = db_commit(ctx->db);
out:
	cJSON_Delete(own);
	jmap_req_free(chunks);
	jmap_req_free(r);
	return rc;
}

/* One page of Mailbox/changes with the Mailbox/get of what it names. */
static int
changes_page(struct jmap *j, struct sync_ctx *ctx, const char *since, char **new_state,
             int *more, int *changed, char **err)
{
	jmap_req *r = jmap_req_new();
	cJSON *a = cJSON_CreateObject(), *g1 = cJSON_CreateObject(), *g2 = cJSON_CreateObject();
	cJSON *ch, *cr, *up;
	struct jmap_merr me;
	const char *c0, *c1, *c2, *ns;
	int rc;

	cJSON_AddStringToObject(a, "accountId", j->sess->account_id);
	cJSON_AddStringToObject(a, "sinceState", since);
	jmap_add_uint(a, "maxChanges", j->sess->max_objects_in_get);
	c0 = jmap_req_add(r, "Mailbox/changes", a);
	cJSON_AddStringToObject(g1, "accountId", j->sess->account_id);
	jmap_backref(g1, "ids", c0, "Mailbox/changes", "/created");
	cJSON_AddItemToObject(g1, "properties", props());
	c1 = jmap_req_add(r, "Mailbox/get", g1);
	cJSON_AddStringToObject(g2, "accountId", j->sess->account_id);
	jmap_backref(g2, "ids", c0, "Mailbox/changes", "/updated");
	cJSON_AddItemToObject(g2, "properties", props());
	c2 = jmap_req_add(r, "Mailbox/get", g2);
	if ((rc = jmap_req_send(j, r, err)) != TERN_OK)
		goto out;
	if ((rc = jmap_req_result(r, c0, "Mailbox/changes", &ch, &me)) != TERN_OK) {
		if (jmap_merr_state_lost(&me))
			rc = TERN_ENOTFOUND;   /* the caller reloads everything */
		else
			*err = jmap_merr_text("Mailbox/changes", &me);
		goto out;
	}
	if ((rc = jmap_req_result(r, c1, "Mailbox/get", &cr, &me)) != TERN_OK ||
	    (rc = jmap_req_result(r, c2, "Mailbox/get", &up, &me)) != TERN_OK) {
		*err = jmap_merr_text("Mailbox/get", &me);
		goto out;
	}
	ns = jmap_str(ch, "newState");
	if (!ns || !jmap_arr(ch, "destroyed")) {
		*err = xstrdup("Mailbox/changes: no newState or destroyed");
		rc = TERN_EPROTO;
		goto out;
	}
	*more = jmap_bool(ch, "hasMoreChanges", 0);
	if ((rc = db_begin(ctx->db)) != TERN_OK)
		goto out;
	if ((rc = jmap_mailboxes_apply(j, ctx->db, jmap_arr(cr, "list"), 0, changed)) != TERN_OK ||
	    (rc = jmap_mailboxes_apply(j, ctx->db, jmap_arr(up, "list"), 0, changed)) != TERN_OK ||
	    (rc = destroy(j, ctx->db, jmap_arr(ch, "destroyed"), changed)) != TERN_OK ||
	    (rc = db_sync_state_put(ctx->db, j->account_id, "Mailbox", ns)) != TERN_OK) {
		db_rollback(ctx->db);
		*err = xstrdup("cannot store the mailbox changes");
		goto out;
	}
	if ((rc = db_commit(ctx->db)) == TERN_OK)
		*new_state = xstrdup(ns);
out:
	jmap_req_free(r);
	return rc;
}

int
jmap_mailboxes_sync(struct jmap *j, struct sync_ctx *ctx, int *changed, char **err)
{
	char *state = NULL;
	int rc, more = 1;

	*changed = 0;
	rc = db_sync_state_get(ctx->db, j->account_id, "Mailbox", &state);
	if (rc == TERN_ENOTFOUND)
		return full_sync(j, ctx, changed, err);
	if (rc != TERN_OK)
		return rc;
	while (more && rc == TERN_OK) {
		char *next = NULL;
		more = 0;
		rc = changes_page(j, ctx, state, &next, &more, changed, err);
		if (rc == TERN_OK && more && next && strcmp(next, state) == 0) {
			*err = xstrdup("Mailbox/changes: hasMoreChanges without progress");
			rc = TERN_EPROTO;
		}
		free(state);
		state = next;
	}
	free(state);
	if (rc == TERN_ENOTFOUND) {
		/* RFC 8620 5.2 cannotCalculateChanges: start again from Mailbox/get. */
		log_info("jmap %s: Mailbox/changes cannot calculate changes: reloading the mailboxes", j->acct->name);
		return full_sync(j, ctx, changed, err);
	}
	if (rc == TERN_OK && *changed && ctx->committed)
		ctx->committed(ctx);
	return rc;
}
