/* The JMAP engine (sync/engine.h): session handling and the entry points
 * the worker runtime calls; the protocol work is in the other jmap_*.c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_body.h"
#include "db/db_jmap.h"
#include "db/db_mailbox.h"
#include "db/db_search.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/jmap/jmap.h"
#include "sync/jmap/jmap_call.h"
#include "sync/jmap/jmap_json.h"
#include "src/base/util.h"

#define SEARCH_MAX 5000

static void
free_state(struct jmap *j)
{
	if (!j)
		return;
	jmap_push_free(j);
	jmap_session_free(j->sess);
	jmap_http_free(j->http);
	free(j->session_url);
	free(j);
}

int
jmap_session_ensure(struct jmap *j, char **err)
{
	struct jmap_session *s = NULL;
	int rc;
	if (j->sess && !j->session_stale)
		return TERN_OK;
	if ((rc = jmap_session_fetch(j->http, j->acct->name, j->session_url, &s, err)) != TERN_OK)
		return rc;
	if (j->sess && (!str_eq(j->sess->event_source_url, s->event_source_url) ||
	                !str_eq(j->sess->account_id, s->account_id)))
		jmap_push_reset(j);
	jmap_session_free(j->sess);
	j->sess = s;
	j->session_stale = 0;
	j->calls_limit = s->max_calls_in_request;
	return TERN_OK;
}

static int
op_connect(struct sync_ctx *ctx, void **st, char **err)
{
	const struct account_cfg *acct = ctx->env->acct;
	struct jmap *j = xcalloc(1, sizeof *j);
	int rc;

	*st = NULL;
	j->acct = acct;
	j->account_id = ctx->account_id;
	j->session_url = conf_jmap_session_url(acct);
	if (!j->session_url) {
		*err = xasprintf("account '%s' has no jmap_url", acct->name);
		free_state(j);
		return TERN_ECONFIG;
	}
	rc = jmap_http_new(acct->username ? acct->username : acct->email, ctx->password,
	                   acct->jmap_auth == JMAP_AUTH_BEARER, acct->ca_file,
	                   acct->timeout, &j->http, err);
	if (rc != TERN_OK) {
		free_state(j);
		return rc;
	}
	jmap_http_set_stop(j->http, ctx->stop);
	if ((rc = jmap_session_ensure(j, err)) != TERN_OK) {
		free_state(j);
		return rc;
	}
	*st = j;
	return TERN_OK;
}

static void
op_disconnect(void *st)
{
	free_state(st);
}

static void
op_interrupt(void *st)
{
	struct jmap *j = st;
	if (j)
		jmap_http_interrupt(j->http);
}

static int
op_push_change(void *st, struct sync_ctx *ctx, const struct queue_row *q, char **err)
{
	struct jmap *j = st;
	int rc;
	jmap_http_clear_interrupt(j->http);
	if ((rc = jmap_session_ensure(j, err)) != TERN_OK)
		return rc;
	if (q->resource_type == RESOURCE_OUTBOX)
		return jmap_submit_push(j, ctx, q, err);
	if (q->resource_type == RESOURCE_MAILBOX)
		return jmap_mailbox_push(j, ctx, q, err);
	return jmap_outbound_push(j, ctx, q, err);
}

static void
op_push_changes(void *st, struct sync_ctx *ctx, const struct queue_row *rows, int n, int *rcs, char **errs)
{
	struct jmap *j = st;
	char *err = NULL;
	int rc, i = 0;

	jmap_http_clear_interrupt(j->http);
	if ((rc = jmap_session_ensure(j, &err)) != TERN_OK) {
		for (int k = 0; k < n; k++) {
			rcs[k] = rc;
			errs[k] = k == 0 ? err : NULL;
		}
		return;
	}
	while (i < n) {
		int e = i;
		if (rows[i].resource_type == RESOURCE_OUTBOX || rows[i].resource_type == RESOURCE_MAILBOX) {
			errs[i] = NULL;
			rcs[i] = rows[i].resource_type == RESOURCE_OUTBOX ? jmap_submit_push(j, ctx, &rows[i], &errs[i]) :
			         jmap_mailbox_push(j, ctx, &rows[i], &errs[i]);
			e = i + 1;
		} else {
			while (e < n && rows[e].resource_type == RESOURCE_EMAIL)
				e++;
			jmap_outbound_push_many(j, ctx, rows + i, e - i, rcs + i, errs + i);
		}
		/* The account's connection or login failed: the rest waits for
		 * the reconnect. */
		if (tern_err_scope(rcs[e - 1]) == TERN_SCOPE_ACCOUNT) {
			for (int k = e; k < n; k++) {
				rcs[k] = rcs[e - 1];
				errs[k] = NULL;
			}
			return;
		}
		i = e;
	}
}

static int
op_sync_all(void *st, struct sync_ctx *ctx, char **err)
{
	struct jmap *j = st;
	int rc, mchanged = 0, echanged = 0;

	jmap_http_clear_interrupt(j->http);
	if ((rc = jmap_session_ensure(j, err)) != TERN_OK)
		return rc;
	if ((rc = jmap_mailboxes_sync(j, ctx, &mchanged, err)) != TERN_OK)
		goto out;
	if ((rc = jmap_emails_sync(j, ctx, &echanged, err)) != TERN_OK)
		goto out;
	/* Email changes move the mailboxes' counts (a new Mailbox state). */
	if (echanged)
		rc = jmap_mailboxes_sync(j, ctx, &mchanged, err);
out:
	j->next_poll_ms = time_mono_ms() + (int64_t)(j->acct->poll_interval > 0 ? j->acct->poll_interval : 30) * 1000;
	return rc;
}

static int
op_wait(void *st, struct sync_ctx *ctx, int max_ms, char **err)
{
	struct jmap *j = st;
	int rc;
	if ((rc = jmap_session_ensure(j, err)) != TERN_OK)
		return rc;
	return jmap_push_wait(j, ctx, max_ms, err);
}

static int
op_fetch_body(void *st, struct sync_ctx *ctx, int64_t msg_id, char **err)
{
	struct jmap *j = st;
	const char *names[] = { "accountId", "blobId", "name", "type" };
	const char *values[4];
	char *email_id = NULL, *blob_id = NULL, *url = NULL;
	struct jmap_http_req rq = { 0 };
	struct jmap_http_resp h = { 0 };
	int rc;

	jmap_http_clear_interrupt(j->http);
	if ((rc = jmap_session_ensure(j, err)) != TERN_OK)
		return rc;
	if ((rc = db_jmap_message_remote(ctx->db, msg_id, &email_id, &blob_id)) != TERN_OK) {
		*err = xasprintf("message %lld has no JMAP blob", (long long)msg_id);
		return rc;
	}
	if (!jmap_id_valid(blob_id)) {
		*err = xasprintf("message %lld has no valid blob id", (long long)msg_id);
		rc = TERN_EPROTO;
		goto out;
	}
	values[0] = j->sess->account_id;
	values[1] = blob_id;
	values[2] = "message.eml";
	values[3] = "message/rfc822";
	/* Downloading the blob does not set $seen: reading stays the user's
	 * decision (RFC 8620 6.2 has no side effects). */
	url = jmap_url_template(j->sess->download_url, names, values, 4);
	rq.url = url;
	if ((rc = jmap_http_request(j->http, &rq, &h, err)) != TERN_OK)
		goto out;
	if (h.status == 200) {
		rc = body_store(ctx->db, msg_id, h.body.buf ? h.body.buf : "", h.body.len);
		if (rc == TERN_OK && ctx->committed)
			ctx->committed(ctx);
	} else {
		*err = xasprintf("download of message %lld: HTTP %ld", (long long)msg_id, h.status);
		rc = h.status == 404 ? TERN_EREFUSED : h.status == 401 ? TERN_EAUTH :
		     h.status >= 500 || h.status == 429 ? TERN_ENET : TERN_EPROTO;
	}
out:
	jmap_http_resp_free(&h);
	free(url);
	free(email_id);
	free(blob_id);
	return rc;
}

struct resolver {
	db *db;
	int64_t account_id;
	char *last;
};

static const char *
resolve_mailbox(const char *name_or_role, void *arg)
{
	struct resolver *r = arg;
	struct mailbox_row row = { 0 };
	free(r->last);
	r->last = NULL;
	if (db_mailbox_find(r->db, r->account_id, name_or_role, &row) == TERN_OK)
		r->last = xstrdup(row.remote_id);
	db_mailbox_row_free(&row);
	return r->last;
}

static int
op_server_search(void *st, struct sync_ctx *ctx, const search_query *q, char **err)
{
	struct jmap *j = st;
	struct resolver res = { ctx->db, j->account_id, NULL };
	char *ftext;
	cJSON *filter;
	const char **ids = NULL;
	size_t nids = 0;
	uint64_t pos = 0, total = 0;
	jmap_req **reqs = NULL;
	int nreqs = 0, rc;
	int64_t added = 0;

	jmap_http_clear_interrupt(j->http);
	if ((rc = jmap_session_ensure(j, err)) != TERN_OK)
		return rc;
	ftext = search_query_to_jmap(q, resolve_mailbox, &res);
	free(res.last);
	filter = cJSON_Parse(ftext);
	free(ftext);
	do {
		jmap_req *r = jmap_req_new();
		cJSON *a = cJSON_CreateObject(), *sort = cJSON_AddArrayToObject(a, "sort"), *s, *out, *id;
		struct jmap_merr me;
		const char *c;
		int n = 0;
		reqs = xrealloc(reqs, (size_t)(nreqs + 1) * sizeof *reqs);
		reqs[nreqs++] = r;
		cJSON_AddStringToObject(a, "accountId", j->sess->account_id);
		cJSON_AddItemToObject(a, "filter", cJSON_Duplicate(filter, 1));
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "property", "receivedAt");
		cJSON_AddFalseToObject(s, "isAscending");
		cJSON_AddItemToArray(sort, s);
		jmap_add_uint(a, "position", pos);
		jmap_add_uint(a, "limit", j->sess->max_objects_in_get);
		cJSON_AddTrueToObject(a, "calculateTotal");
		c = jmap_req_add(r, "Email/query", a);
		if ((rc = jmap_req_send(j, r, err)) != TERN_OK)
			break;
		if ((rc = jmap_req_result(r, c, "Email/query", &out, &me)) != TERN_OK) {
			*err = jmap_merr_text("Email/query", &me);
			break;
		}
		if (jmap_uint(out, "total", &total) != TERN_OK)
			total = 0;
		cJSON_ArrayForEach(id, jmap_arr(out, "ids")) {
			if (!cJSON_IsString(id) || !jmap_id_valid(id->valuestring))
				continue;
			ids = xrealloc(ids, (nids + 1) * sizeof *ids);
			ids[nids++] = id->valuestring;
			n++;
		}
		pos += (uint64_t)n;
		if (n == 0)
			break;
	} while (pos < total && pos < SEARCH_MAX);
	if (rc == TERN_OK && (rc = db_begin(ctx->db)) == TERN_OK) {
		if ((rc = db_search_hits_clear(ctx->db, q, j->account_id)) == TERN_OK &&
		    (rc = db_search_hits_add_email_ids(ctx->db, q, j->account_id, (const char *const *)ids, nids, &added)) == TERN_OK)
			rc = db_commit(ctx->db);
		else
			db_rollback(ctx->db);
		if (rc == TERN_OK && ctx->committed)
			ctx->committed(ctx);
	}
	for (int i = 0; i < nreqs; i++)
		jmap_req_free(reqs[i]);
	free(reqs);
	free(ids);
	cJSON_Delete(filter);
	return rc;
}

/* While the event stream is healthy the server tells us of every change:
 * a full cycle is only a safety net then. A broken stream makes
 * jmap_push_wait() poll every poll_interval again. */
#define PUSH_SAFETY_MS (15 * 60 * 1000)

static int
op_poll_ms(void *st, int dflt_ms)
{
	const struct jmap *j = st;
	if (!jmap_push_streaming(j))
		return dflt_ms;
	return dflt_ms > PUSH_SAFETY_MS ? dflt_ms : PUSH_SAFETY_MS;
}

static const struct engine_ops jmap_ops = {
	.name = "jmap",
	.connect = op_connect,
	.disconnect = op_disconnect,
	.push_change = op_push_change,
	.push_changes = op_push_changes,
	.sync_all = op_sync_all,
	.wait = op_wait,
	.interrupt = op_interrupt,
	.fetch_body = op_fetch_body,
	.server_search = op_server_search,
	.poll_ms = op_poll_ms,
};

const struct engine_ops *
engine_jmap(void)
{
	return &jmap_ops;
}
