/* Local flag, move and delete changes carried to the server with Email/set
 * (RFC 8621 4.6). Each set names the state our copy is based on
 * (ifInState, RFC 8620 5.3); when the server moved on (stateMismatch) we
 * pull its changes, look at the email as it is now, and send what the
 * user's intent still needs, or nothing if it is already so. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_jmap.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "db/db_sync.h"
#include "err.h"
#include "log.h"
#include "sync/jmap.h"
#include "sync/jmap_call.h"
#include "sync/jmap_json.h"
#include "util.h"

#define MAX_TRIES 4

enum kind { K_FLAG, K_MOVE, K_DELETE };

struct intent {
	enum kind kind;
	char *email_id;
	const char *keyword;       /* K_FLAG */
	int value;
	int64_t from, to;          /* local mailbox ids (K_MOVE; from for K_DELETE) */
	char *from_rid, *to_rid;
};

static void
intent_free(struct intent *in)
{
	free(in->email_id);
	free(in->from_rid);
	free(in->to_rid);
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

static int
intent_read(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *q, struct intent *in,
            char **err)
{
	cJSON *p = cJSON_Parse(q->payload);
	const char *flag = jmap_str(p, "flag");
	uint64_t a = 0, b = 0;
	int rc = TERN_OK;

	(void)j;
	memset(in, 0, sizeof *in);
	if (db_jmap_message_remote(ctx->db, q->resource_id, &in->email_id, NULL) != TERN_OK) {
		*err = xstrdup("the message no longer exists (deleted on the server?)");
		rc = TERN_EREFUSED;
	} else if (strcmp(q->change_type, "flag") == 0 && flag) {
		in->kind = K_FLAG;
		in->keyword = strcmp(flag, "seen") == 0 ? "$seen" : strcmp(flag, "flagged") == 0 ? "$flagged" :
		              strcmp(flag, "answered") == 0 ? "$answered" : NULL;
		in->value = jmap_bool(p, "value", 1);
		if (!in->keyword)
			rc = TERN_EINVAL;
	} else if (strcmp(q->change_type, "move") == 0 && jmap_uint(p, "from", &a) == TERN_OK &&
	           jmap_uint(p, "to", &b) == TERN_OK) {
		in->kind = K_MOVE;
		in->from = (int64_t)a;
		in->to = (int64_t)b;
		if (mailbox_rid(ctx->db, in->from, &in->from_rid) != TERN_OK ||
		    mailbox_rid(ctx->db, in->to, &in->to_rid) != TERN_OK) {
			*err = xstrdup("a mailbox of this move no longer exists");
			rc = TERN_EREFUSED;
		}
	} else if (strcmp(q->change_type, "delete") == 0 && jmap_uint(p, "mailbox", &a) == TERN_OK) {
		in->kind = K_DELETE;
		in->from = (int64_t)a;
		if (mailbox_rid(ctx->db, in->from, &in->from_rid) != TERN_OK) {
			*err = xstrdup("the mailbox of this delete no longer exists");
			rc = TERN_EREFUSED;
		}
	} else {
		rc = TERN_EINVAL;
	}
	if (rc == TERN_EINVAL)
		*err = xasprintf("unknown change '%s' %s", q->change_type, q->payload);
	cJSON_Delete(p);
	return rc;
}

/* The email as the server has it now: its mailboxes and keywords.
 * TERN_ENOTFOUND if it is gone. *state: the Email state of the answer. */
static int
server_view(struct jmap *j, const char *email_id, jmap_req **keep, cJSON **email, char **state,
            char **err)
{
	jmap_req *r = *keep = jmap_req_new();
	cJSON *g = cJSON_CreateObject(), *ids = cJSON_AddArrayToObject(g, "ids"), *res;
	static const char *const props[] = { "id", "mailboxIds", "keywords" };
	struct jmap_merr me;
	const char *c, *st;
	int rc;

	cJSON_AddStringToObject(g, "accountId", j->sess->account_id);
	cJSON_AddItemToArray(ids, cJSON_CreateString(email_id));
	cJSON_AddItemToObject(g, "properties", cJSON_CreateStringArray(props, 3));
	c = jmap_req_add(r, "Email/get", g);
	if ((rc = jmap_req_send(j, r, err)) != TERN_OK)
		return rc;
	if ((rc = jmap_req_result(r, c, "Email/get", &res, &me)) != TERN_OK) {
		*err = jmap_merr_text("Email/get", &me);
		return rc;
	}
	if (!(st = jmap_str(res, "state"))) {
		*err = xstrdup("Email/get: no state");
		return TERN_EPROTO;
	}
	*state = xstrdup(st);
	*email = cJSON_GetArrayItem(jmap_arr(res, "list"), 0);
	return cJSON_IsObject(*email) ? TERN_OK : TERN_ENOTFOUND;
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

static int
set_error_class(const char *type)
{
	if (type && strcmp(type, "rateLimit") == 0)
		return TERN_ENET;
	if (type && strcmp(type, "stateMismatch") == 0)
		return TERN_ECONFLICT;
	return TERN_EREFUSED;
}

/* The server confirmed: the hidden source row goes, and our state follows
 * the server's when this change was the only thing between them. */
static int
finish(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *q, const struct intent *in,
       const char *based_on, const char *old_state, const char *new_state)
{
	int rc;
	if ((rc = db_begin(ctx->db)) != TERN_OK)
		return rc;
	if (in->kind != K_FLAG)
		rc = db_message_unlink(ctx->db, q->resource_id, in->from);
	if (rc == TERN_OK && based_on && old_state && new_state && strcmp(based_on, old_state) == 0)
		rc = db_sync_state_put(ctx->db, j->account_id, "Email", new_state);
	if (rc == TERN_OK)
		rc = db_queue_done(ctx->db, q->id);
	if (rc != TERN_OK) {
		db_rollback(ctx->db);
		return rc;
	}
	rc = db_commit(ctx->db);   /* the runtime counts it as pushed */
	if (rc == TERN_OK && ctx->committed)
		ctx->committed(ctx);
	return rc;
}

/* One Email/set. TERN_ECONFLICT on stateMismatch. */
static int
send_set(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *q, const struct intent *in,
         const char *state, int destroy, char **err)
{
	jmap_req *r = jmap_req_new();
	cJSON *a = cJSON_CreateObject(), *res, *bad;
	struct jmap_merr me;
	const char *c, *ok_key = destroy ? "destroyed" : "updated", *bad_key = destroy ? "notDestroyed" : "notUpdated";
	int rc;

	cJSON_AddStringToObject(a, "accountId", j->sess->account_id);
	if (state)
		cJSON_AddStringToObject(a, "ifInState", state);
	if (destroy) {
		cJSON *ids = cJSON_AddArrayToObject(a, "destroy");
		cJSON_AddItemToArray(ids, cJSON_CreateString(in->email_id));
	} else {
		cJSON *up = cJSON_AddObjectToObject(a, "update"), *patch = cJSON_AddObjectToObject(up, in->email_id);
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
	c = jmap_req_add(r, "Email/set", a);
	if ((rc = jmap_req_send(j, r, err)) != TERN_OK)
		goto out;
	if ((rc = jmap_req_result(r, c, "Email/set", &res, &me)) != TERN_OK) {
		if (me.type != JMAP_MERR_STATE_MISMATCH)
			*err = jmap_merr_text("Email/set", &me);
		goto out;
	}
	bad = jmap_obj(jmap_obj(res, bad_key), in->email_id);
	if (bad) {
		const char *type = jmap_str(bad, "type"), *desc = jmap_str(bad, "description");
		rc = set_error_class(type);
		*err = xasprintf("Email/set %s: %s%s%s", bad_key, type ? type : "error", desc ? ": " : "",
		                 desc ? desc : "");
		goto out;
	}
	if (destroy ? !cJSON_IsArray(jmap_arr(res, ok_key)) : !jmap_obj(res, ok_key)) {
		*err = xasprintf("Email/set: the email is neither in %s nor in %s", ok_key, bad_key);
		rc = TERN_EPROTO;
		goto out;
	}
	rc = finish(j, ctx, q, in, state, jmap_str(res, "oldState"), jmap_str(res, "newState"));
out:
	jmap_req_free(r);
	return rc;
}

int
jmap_outbound_push(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *q, char **err)
{
	struct intent in;
	int rc, destroy = 0;

	if ((rc = intent_read(j, ctx, q, &in, err)) != TERN_OK)
		return rc;
	if (in.kind == K_DELETE) {
		/* Destroy only when this is its last mailbox (RFC 8621 4.1.1: an
		 * email is in one mailbox at least); else it leaves this one. */
		jmap_req *keep = NULL;
		cJSON *email = NULL;
		char *st = NULL;
		int others = 0, done = 0;
		rc = server_view(j, in.email_id, &keep, &email, &st, err);
		if (rc == TERN_ENOTFOUND || (rc == TERN_OK && already_done(&in, email, &others))) {
			rc = finish(j, ctx, q, &in, NULL, NULL, NULL);
			done = 1;
		} else if (rc == TERN_OK) {
			destroy = !others;
		}
		free(st);
		jmap_req_free(keep);
		if (rc != TERN_OK || done)
			goto out;
	}
	for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
		char *state = NULL, *st = NULL;
		jmap_req *keep = NULL;
		cJSON *email = NULL;
		int others = 0, changed;

		if ((rc = db_sync_state_get(ctx->db, j->account_id, "Email", &state)) != TERN_OK &&
		    rc != TERN_ENOTFOUND)
			break;
		rc = send_set(j, ctx, q, &in, state, destroy, err);
		free(state);
		if (rc != TERN_ECONFLICT || (*err && attempt == MAX_TRIES - 1))
			break;
		/* stateMismatch: someone else changed the account. Catch up, then
		 * see whether the intent still needs doing. */
		log_info("jmap: change %lld: stateMismatch, pulling changes and retrying", (long long)q->id);
		free(*err);
		*err = NULL;
		if ((rc = jmap_emails_sync(j, ctx, &changed, err)) != TERN_OK)
			break;
		rc = server_view(j, in.email_id, &keep, &email, &st, err);
		if (rc == TERN_ENOTFOUND) {
			*err = xstrdup("the message was deleted on the server");
			rc = in.kind == K_DELETE ? finish(j, ctx, q, &in, NULL, NULL, NULL) : TERN_EREFUSED;
			if (rc == TERN_OK) {
				free(*err);
				*err = NULL;
			}
		} else if (rc == TERN_OK && already_done(&in, email, &others)) {
			rc = finish(j, ctx, q, &in, NULL, NULL, NULL);
		} else if (rc == TERN_OK) {
			if (in.kind == K_DELETE)
				destroy = !others;
			rc = TERN_ECONFLICT;
		}
		free(st);
		jmap_req_free(keep);
		if (rc != TERN_ECONFLICT)
			break;
	}
	if (rc == TERN_ECONFLICT && !*err)
		*err = xstrdup("Email/set: the server state kept changing (stateMismatch)");
out:
	intent_free(&in);
	return rc;
}
