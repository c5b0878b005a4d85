/* Local flag, move and delete changes carried to the server with Email/set
 * (RFC 8621 4.6), as many in one request as maxObjectsInSet allows. Each
 * set names the state our copy is based on (ifInState, RFC 8620 5.3); when
 * the server moved on (stateMismatch) we pull its changes, look at the
 * emails as they are now, and send what the user's intent still needs, or
 * nothing where it is already so (doc/CONFLICTS.md, JMAP rules). */
#include "config.h"

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
#include "sync/jmap/jmap_call.h"
#include "sync/jmap/jmap_json.h"
#include "src/base/util.h"

#define MAX_TRIES 4

enum kind { K_FLAG, K_MOVE, K_DELETE };

struct intent {
	enum kind kind;
	char *email_id;
	const char *keyword;       /* K_FLAG */
	int value;
	int64_t from, to;          /* local mailbox ids (K_MOVE; from for K_DELETE) */
	char *from_rid, *to_rid;
	int destroy;               /* K_DELETE: its last mailbox, so the email goes */
	char **leave;              /* K_MOVE: mailboxes another client put it in meanwhile */
	int nleave;
};

/* One queue row on its way. */
struct item {
	const struct queue_row *q;
	struct intent in;
	int open;                  /* still to be carried */
	int rc;                    /* once closed: TERN_OK (done) or the failure */
	char *err;
};

static void
intent_free(struct intent *in)
{
	free(in->email_id);
	free(in->from_rid);
	free(in->to_rid);
	db_jmap_ids_free(in->leave, in->nleave);
}

static void
item_close(struct item *it, int rc, char *err)
{
	it->open = 0;
	it->rc = rc;
	free(it->err);
	it->err = err;
}

static int
mailbox_rid(db *d, int64_t id, char **rid)
{
	struct mailbox_row r = { 0 };
	int rc = db_mailbox_get(d, id, &r);
	if (rc == TERN_OK)
		*rid = xstrdup(r.remote_id);
	db_mailbox_row_free(&r);
	return rc;
}

/* TERN_ENOTFOUND: the message is gone locally (the server destroyed it). */
static int
intent_read(struct sync_ctx *ctx, const struct queue_row *q, struct intent *in, char **err)
{
	const struct change *c = &q->change;
	int rc = TERN_OK;

	memset(in, 0, sizeof *in);
	if ((rc = db_jmap_message_remote(ctx->db, q->resource_id, &in->email_id, NULL)) != TERN_OK) {
		if (rc != TERN_ENOTFOUND)
			*err = xstrdup("cannot read the message");
	} else if (c->kind == CHANGE_FLAG) {
		in->kind = K_FLAG;
		in->keyword = c->u.flag.flag == MSG_SEEN ? "$seen" : c->u.flag.flag == MSG_FLAGGED ? "$flagged" :
		              c->u.flag.flag == MSG_ANSWERED ? "$answered" : NULL;
		in->value = c->u.flag.on;
		if (!in->keyword)
			rc = TERN_EINVAL;
	} else if (c->kind == CHANGE_MOVE) {
		in->kind = K_MOVE;
		in->from = c->u.move.from;
		in->to = c->u.move.to;
		if (mailbox_rid(ctx->db, in->from, &in->from_rid) != TERN_OK ||
		    mailbox_rid(ctx->db, in->to, &in->to_rid) != TERN_OK) {
			/* db_mailbox_delete gave it the reason naming the folder. */
			*err = xstrdup(q->last_error && *q->last_error ? q->last_error :
			               "a mailbox of this move no longer exists on the server");
			rc = TERN_EREFUSED;
		}
	} else if (c->kind == CHANGE_DELETE) {
		in->kind = K_DELETE;
		in->from = c->u.del.mailbox;
		if (mailbox_rid(ctx->db, in->from, &in->from_rid) != TERN_OK) {
			*err = xstrdup("the mailbox of this delete no longer exists");
			rc = TERN_EREFUSED;
		}
	} else {
		rc = TERN_EINVAL;
	}
	if (rc == TERN_EINVAL)
		*err = xasprintf("unknown change '%s'", change_kind_name(c->kind));
	return rc;
}

/* Whether the server already shows the intent, and for a delete whether the
 * email lives in other mailboxes too (then it only leaves this one). */
static int
already_done(const struct intent *in, const cJSON *email, int *others)
{
	const cJSON *mb = jmap_obj(email, "mailboxIds"), *kw = jmap_obj(email, "keywords");
	int in_from = in->from_rid && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(mb, in->from_rid));
	int in_to = in->to_rid && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(mb, in->to_rid));
	*others = cJSON_GetArraySize(mb) - in_from > 0;
	switch (in->kind) {
	case K_FLAG:
		return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(kw, in->keyword)) == !!in->value;
	case K_MOVE:
		return in_to && !in_from;
	case K_DELETE:
		return !in_from;
	}
	return 0;
}

/* A move whose email another client took out of the source meanwhile: the
 * user's move still wins (CONFLICTS.md), so it also leaves the mailboxes
 * that client put it in, those we do not have it in locally. */
static int
move_leave(struct sync_ctx *ctx, int64_t msg_id, struct intent *in, const cJSON *email)
{
	const cJSON *mb = jmap_obj(email, "mailboxIds"), *e;
	char **local = NULL;
	int nlocal = 0, rc;

	db_jmap_ids_free(in->leave, in->nleave);
	in->leave = NULL;
	in->nleave = 0;
	if ((rc = db_jmap_message_mailbox_rids(ctx->db, msg_id, &local, &nlocal)) != TERN_OK)
		return rc;
	cJSON_ArrayForEach(e, mb) {
		int known = strcmp(e->string, in->to_rid) == 0;
		for (int i = 0; i < nlocal && !known; i++)
			known = strcmp(local[i], e->string) == 0;
		if (known || !cJSON_IsTrue(e) || !jmap_id_valid(e->string))
			continue;
		in->leave = xrealloc(in->leave, (size_t)(in->nleave + 1) * sizeof *in->leave);
		in->leave[in->nleave++] = xstrdup(e->string);
	}
	db_jmap_ids_free(local, nlocal);
	return TERN_OK;
}

static int
set_error_class(const char *type)
{
	if (type && strcmp(type, "rateLimit") == 0)
		return TERN_ENET;
	if (type && strcmp(type, "stateMismatch") == 0)
		return TERN_ECONFLICT;
	return TERN_EREFUSED;
}

/* The row is done: the hidden source row goes with it. Inside the
 * caller's transaction. */
static int
finish(struct sync_ctx *ctx, struct item *it)
{
	int rc = TERN_OK;
	if (it->in.kind != K_FLAG)
		rc = db_message_unlink_hidden(ctx->db, it->q->resource_id, it->in.from);
	if (rc == TERN_OK)
		rc = db_queue_done(ctx->db, it->q->id);
	return rc;
}

/* Rows the server made moot (the email is gone, or already as wanted). */
static int
finish_moot(struct sync_ctx *ctx, struct item *it, const char *why)
{
	int rc = db_begin(ctx->db);
	if (rc == TERN_OK) {
		if ((rc = finish(ctx, it)) == TERN_OK)
			rc = db_commit(ctx->db);
		else
			db_rollback(ctx->db);
	}
	if (rc == TERN_OK) {
		log_info("jmap %s: change %lld (%s): nothing to do, %s", ctx->env->acct->name, (long long)it->q->id, change_kind_name(it->q->change.kind), why);
		item_close(it, TERN_OK, NULL);
		if (ctx->committed)
			ctx->committed(ctx);
	} else {
		item_close(it, rc, xstrdup("cannot store the change's result"));
	}
	return rc;
}

static void
close_open(struct item *v, const int *g, int n, int rc, const char *err)
{
	for (int i = 0; i < n; i++)
		if (v[g[i]].open)
			item_close(&v[g[i]], rc, xstrdup(err ? err : tern_strerror(rc)));
}

/* The emails of the open items as the server has them now: one Email/get.
 * *list points into *keep (caller frees). */
static int
server_view(struct jmap *j, struct item *v, const int *g, int n, int deletes_only, jmap_req **keep,
            cJSON **list, char **err)
{
	jmap_req *r = *keep = jmap_req_new();
	cJSON *a = cJSON_CreateObject(), *ids = cJSON_AddArrayToObject(a, "ids"), *res;
	static const char *const props[] = { "id", "mailboxIds", "keywords" };
	struct jmap_merr me;
	const char *c;
	int rc;

	cJSON_AddStringToObject(a, "accountId", j->sess->account_id);
	for (int i = 0; i < n; i++)
		if (v[g[i]].open && (!deletes_only || v[g[i]].in.kind == K_DELETE))
			cJSON_AddItemToArray(ids, cJSON_CreateString(v[g[i]].in.email_id));
	cJSON_AddItemToObject(a, "properties", cJSON_CreateStringArray(props, 3));
	c = jmap_req_add(r, "Email/get", a);
	if ((rc = jmap_req_send(j, r, err)) != TERN_OK)
		return rc;
	if ((rc = jmap_req_result(r, c, "Email/get", &res, &me)) != TERN_OK) {
		*err = jmap_merr_text("Email/get", &me);
		return rc;
	}
	*list = jmap_arr(res, "list");
	return TERN_OK;
}

static const cJSON *
find_email(const cJSON *list, const char *id)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, list)
		if (str_eq(jmap_str(e, "id"), id))
			return e;
	return NULL;
}

/* Looks at each open item (deletes only, or all) against the server's
 * view: moot ones are finished, the others adjusted. */
static int
recheck(struct jmap *j, struct sync_ctx *ctx, struct item *v, const int *g, int n, int deletes_only,
        char **err)
{
	jmap_req *keep = NULL;
	cJSON *list = NULL;
	int rc = server_view(j, v, g, n, deletes_only, &keep, &list, err);

	for (int i = 0; i < n && rc == TERN_OK; i++) {
		struct item *it = &v[g[i]];
		const cJSON *email;
		int others = 0;
		if (!it->open || (deletes_only && it->in.kind != K_DELETE))
			continue;
		email = find_email(list, it->in.email_id);
		if (!email)
			rc = finish_moot(ctx, it, "the message is gone from the server");
		else if (already_done(&it->in, email, &others))
			rc = finish_moot(ctx, it, "the server already shows it");
		else if (it->in.kind == K_DELETE)
			it->in.destroy = !others;
		else if (it->in.kind == K_MOVE &&
		         !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(jmap_obj(email, "mailboxIds"), it->in.from_rid)))
			rc = move_leave(ctx, it->q->resource_id, &it->in, email);
	}
	jmap_req_free(keep);
	return rc;
}

static void
add_patch(cJSON *update, const struct intent *in)
{
	cJSON *patch = cJSON_AddObjectToObject(update, in->email_id);
	char *k;
	switch (in->kind) {
	case K_FLAG:
		k = xasprintf("keywords/%s", in->keyword);
		if (in->value)
			cJSON_AddTrueToObject(patch, k);
		else
			cJSON_AddNullToObject(patch, k);
		free(k);
		break;
	case K_MOVE:
		k = xasprintf("mailboxIds/%s", in->from_rid);
		cJSON_AddNullToObject(patch, k);
		free(k);
		for (int i = 0; i < in->nleave; i++) {
			k = xasprintf("mailboxIds/%s", in->leave[i]);
			cJSON_AddNullToObject(patch, k);
			free(k);
		}
		k = xasprintf("mailboxIds/%s", in->to_rid);
		cJSON_AddTrueToObject(patch, k);
		free(k);
		break;
	case K_DELETE:
		k = xasprintf("mailboxIds/%s", in->from_rid);
		cJSON_AddNullToObject(patch, k);
		free(k);
		break;
	}
}

static int
in_array(const cJSON *arr, const char *id)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
		if (cJSON_IsString(e) && strcmp(e->valuestring, id) == 0)
			return 1;
	return 0;
}

/* One Email/set for the open items of the group. The answer closes each
 * (done, or its notUpdated/notDestroyed error); our state follows the
 * server's when this set was the only thing between them. TERN_ECONFLICT on
 * stateMismatch (the items stay open); another failure of the whole call is
 * returned with *err. */
static int
send_set(struct jmap *j, struct sync_ctx *ctx, struct item *v, const int *g, int n, const char *state,
         char **err)
{
	jmap_req *r = jmap_req_new();
	cJSON *a = cJSON_CreateObject(), *update = NULL, *destroy = NULL, *res;
	struct jmap_merr me;
	const char *c, *os, *ns;
	int rc, *done = NULL;

	cJSON_AddStringToObject(a, "accountId", j->sess->account_id);
	if (state)
		cJSON_AddStringToObject(a, "ifInState", state);
	for (int i = 0; i < n; i++) {
		struct item *it = &v[g[i]];
		if (!it->open)
			continue;
		if (it->in.kind == K_DELETE && it->in.destroy) {
			if (!destroy)
				destroy = cJSON_AddArrayToObject(a, "destroy");
			cJSON_AddItemToArray(destroy, cJSON_CreateString(it->in.email_id));
		} else {
			if (!update)
				update = cJSON_AddObjectToObject(a, "update");
			add_patch(update, &it->in);
		}
	}
	c = jmap_req_add(r, "Email/set", a);
	if ((rc = jmap_req_send(j, r, err)) != TERN_OK)
		goto out;
	crashpoint("jmap-email-set");   /* the server acted; the queue does not know */
	if ((rc = jmap_req_result(r, c, "Email/set", &res, &me)) != TERN_OK) {
		if (me.type != JMAP_MERR_STATE_MISMATCH)
			*err = jmap_merr_text("Email/set", &me);
		goto out;
	}
	done = xcalloc((size_t)n + 1, sizeof *done);
	if ((rc = db_begin(ctx->db)) != TERN_OK)
		goto out;
	for (int i = 0; i < n && rc == TERN_OK; i++) {
		struct item *it = &v[g[i]];
		int gone = it->in.kind == K_DELETE && it->in.destroy;
		const char *bad_key = gone ? "notDestroyed" : "notUpdated";
		const cJSON *bad;
		if (!it->open)
			continue;
		if ((bad = jmap_obj(jmap_obj(res, bad_key), it->in.email_id))) {
			const char *type = jmap_str(bad, "type"), *desc = jmap_str(bad, "description");
			item_close(it, set_error_class(type), xasprintf("Email/set %s: %s%s%s", bad_key,
			           type ? type : "error", desc ? ": " : "", desc ? desc : ""));
		} else if (gone ? in_array(jmap_arr(res, "destroyed"), it->in.email_id) :
		                  cJSON_HasObjectItem(jmap_obj(res, "updated"), it->in.email_id)) {
			done[i] = 1;
			rc = finish(ctx, it);
		} else {
			item_close(it, TERN_EPROTO, xasprintf("Email/set: the email is neither in %s nor in %s",
			           gone ? "destroyed" : "updated", bad_key));
		}
	}
	os = jmap_str(res, "oldState");
	ns = jmap_str(res, "newState");
	if (rc == TERN_OK && state && os && ns && strcmp(state, os) == 0)
		rc = db_sync_state_put(ctx->db, j->account_id, "Email", ns);
	if (rc == TERN_OK && (rc = db_commit(ctx->db)) == TERN_OK) {
		for (int i = 0; i < n; i++)
			if (done[i])
				item_close(&v[g[i]], TERN_OK, NULL);
	} else {
		/* Those done stay open: the next attempt finds them done on the
		 * server. */
		db_rollback(ctx->db);
		*err = xstrdup("cannot store the result of Email/set");
	}
	if (rc == TERN_OK && ctx->committed)
		ctx->committed(ctx);
out:
	free(done);
	jmap_req_free(r);
	return rc;
}

static int
any_open(const struct item *v, const int *g, int n, int deletes)
{
	for (int i = 0; i < n; i++)
		if (v[g[i]].open && (!deletes || v[g[i]].in.kind == K_DELETE))
			return 1;
	return 0;
}

/* One group (distinct emails, at most maxObjectsInSet) to its end. */
static void
carry(struct jmap *j, struct sync_ctx *ctx, struct item *v, const int *g, int n)
{
	char *err = NULL;
	int rc;

	/* A delete destroys the email only from its last mailbox (RFC 8621
	 * 4.1.1: an email is in one at least); else it leaves this one. */
	if (any_open(v, g, n, 1) && (rc = recheck(j, ctx, v, g, n, 1, &err)) != TERN_OK) {
		close_open(v, g, n, rc, err);
		goto out;
	}
	for (int attempt = 0; any_open(v, g, n, 0); attempt++) {
		char *state = NULL;
		int changed;
		rc = db_sync_state_get(ctx->db, j->account_id, "Email", &state);
		if (rc == TERN_OK || rc == TERN_ENOTFOUND)
			rc = send_set(j, ctx, v, g, n, state, &err);
		free(state);
		if (rc == TERN_OK)
			continue;
		if (rc != TERN_ECONFLICT || attempt == MAX_TRIES - 1) {
			close_open(v, g, n, rc, rc == TERN_ECONFLICT && !err ?
			           "Email/set: the server state kept changing (stateMismatch)" : err);
			break;
		}
		/* stateMismatch: someone else changed the account. Catch up, then
		 * see what each intent still needs. */
		log_info("jmap %s: %d change(s) from %lld: stateMismatch, pulling changes and retrying", j->acct->name, n,
		         (long long)v[g[0]].q->id);
		if ((rc = jmap_emails_sync(j, ctx, &changed, &err)) != TERN_OK ||
		    (rc = recheck(j, ctx, v, g, n, 0, &err)) != TERN_OK) {
			close_open(v, g, n, rc, err);
			break;
		}
	}
out:
	free(err);
}

/* Failures after which the rest of the rows are not tried now: the
 * account's, not one item's (the error table). */
static int
stops(int rc)
{
	return tern_err_scope(rc) == TERN_SCOPE_ACCOUNT;
}

void
jmap_outbound_push_many(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *rows, int n,
                        int *rcs, char **errs)
{
	struct item *v = xcalloc((size_t)n + 1, sizeof *v);
	int *g = xcalloc((size_t)n + 1, sizeof *g);
	uint64_t max = j->sess->max_objects_in_set ? j->sess->max_objects_in_set : 1;
	int stop_rc = TERN_OK;

	for (int i = 0; i < n; i++) {
		char *err = NULL;
		int rc;
		v[i].q = &rows[i];
		v[i].open = 1;
		rc = intent_read(ctx, &rows[i], &v[i].in, &err);
		if (rc == TERN_ENOTFOUND) {
			/* Destroyed on the server since: a move or delete is moot, a
			 * flag has nothing left to mark. */
			finish_moot(ctx, &v[i], "the message was deleted on the server");
		} else if (rc != TERN_OK) {
			item_close(&v[i], rc, err);
			err = NULL;
		}
		free(err);
	}
	/* Groups in queue order, each with an email at most once (a later
	 * change of the same email goes in the next group) and within
	 * maxObjectsInSet. */
	for (int s = 0; s < n && stop_rc == TERN_OK;) {
		int k = 0, e = s;
		for (; e < n && (uint64_t)k < max; e++) {
			int dup = 0;
			if (!v[e].open)
				continue;
			for (int i = 0; i < k && !dup; i++)
				dup = strcmp(v[g[i]].in.email_id, v[e].in.email_id) == 0;
			if (dup)
				break;
			g[k++] = e;
		}
		if (k > 0)
			carry(j, ctx, v, g, k);
		for (int i = 0; i < k; i++)
			if (stops(v[g[i]].rc))
				stop_rc = v[g[i]].rc;
		s = e;
	}
	for (int i = 0; i < n; i++) {
		if (v[i].open)   /* not tried: the connection failed before */
			item_close(&v[i], stop_rc != TERN_OK ? stop_rc : TERN_ECANCELLED, NULL);
		rcs[i] = v[i].rc;
		errs[i] = v[i].err;
		intent_free(&v[i].in);
	}
	free(v);
	free(g);
}

int
jmap_outbound_push(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *q, char **err)
{
	int rc;
	jmap_outbound_push_many(j, ctx, q, 1, &rc, err);
	return rc;
}
