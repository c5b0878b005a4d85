/* Sending and appending through JMAP: the raw message is uploaded as a blob
 * (RFC 8620 6.1), Email/import puts it in Drafts (RFC 8621 4.8), and
 * EmailSubmission/set (RFC 8621 7.5) sends it, its onSuccessUpdateEmail
 * moving it to Sent and clearing $draft in the same request. The outbox
 * stage "submitting" is committed before the request, so after a crash we
 * look on the server before sending again: a message is delivered once.
 * What is submitted has no Bcc line, with an explicit envelope naming
 * every recipient; the copy filed in Sent keeps the Bcc line.
 * A server without urn:ietf:params:jmap:submission: the account's SMTP
 * server sends it (stages sending -> smtp_sent, as for IMAP) and
 * Email/import files the copy in Sent. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_jmap.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "src/base/crlf.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/jmap/jmap.h"
#include "sync/jmap/jmap_call.h"
#include "sync/jmap/jmap_json.h"
#include "src/base/strbuf.h"
#include "sync/net/smtp_send.h"
#include "src/base/util.h"

#define CAP_SUBMISSION "urn:ietf:params:jmap:submission"

static int
role_rid(struct sync_ctx *ctx, int64_t account_id, enum mailbox_role role, char **rid)
{
	struct mailbox_row r = { 0 };
	int rc = db_mailbox_by_role(ctx->db, account_id, role, &r);
	if (rc == TERN_OK)
		*rid = xstrdup(r.remote_id);
	db_mailbox_row_free(&r);
	return rc;
}

static int
upload(struct jmap *j, const char *raw, size_t len, char **blob_id, char **err)
{
	const char *names[] = { "accountId" }, *values[] = { j->sess->account_id };
	char *url = jmap_url_template(j->sess->upload_url, names, values, 1);
	struct jmap_http_req rq = { .url = url, .content_type = "message/rfc822", .body = raw, .len = len,
	                            .max_response = 1 << 20 };
	struct jmap_http_resp h;
	cJSON *res = NULL;
	int rc;

	if (len > j->sess->max_size_upload) {
		free(url);
		*err = xasprintf("the message (%zu bytes) exceeds the server's maxSizeUpload", len);
		return TERN_EREFUSED;
	}
	rc = jmap_http_request(j->http, &rq, &h, err);
	free(url);
	if (rc != TERN_OK)
		return rc;
	if (h.status == 200 || h.status == 201)
		res = cJSON_ParseWithLength(h.body.buf ? h.body.buf : "", h.body.len);
	if (jmap_id(res, "blobId")) {
		*blob_id = xstrdup(jmap_id(res, "blobId"));
	} else {
		*err = xasprintf("upload: HTTP %ld without a blobId", h.status);
		rc = h.status == 401 ? TERN_EAUTH : h.status >= 500 || h.status == 429 ? TERN_ENET : TERN_EPROTO;
	}
	cJSON_Delete(res);
	jmap_http_resp_free(&h);
	return rc;
}

/* Email/import of a blob into mailbox rid with keywords; the created
 * email's id is referenced as "#m" by later calls of r. */
static const char *
add_import(struct jmap *j, jmap_req *r, const char *blob_id, const char *rid, const char *const *kw)
{
	cJSON *a = cJSON_CreateObject(), *emails = cJSON_AddObjectToObject(a, "emails");
	cJSON *m = cJSON_AddObjectToObject(emails, "m"), *mb, *k;
	cJSON_AddStringToObject(a, "accountId", j->sess->account_id);
	cJSON_AddStringToObject(m, "blobId", blob_id);
	mb = cJSON_AddObjectToObject(m, "mailboxIds");
	cJSON_AddTrueToObject(mb, rid);
	k = cJSON_AddObjectToObject(m, "keywords");
	for (; kw && *kw; kw++)
		cJSON_AddTrueToObject(k, *kw);
	return jmap_req_add(r, "Email/import", a);
}

static int
import_result(jmap_req *r, const char *c, char **email_id, char **err)
{
	cJSON *res, *bad;
	struct jmap_merr me;
	int rc = jmap_req_result(r, c, "Email/import", &res, &me);
	if (rc != TERN_OK) {
		*err = jmap_merr_text("Email/import", &me);
		return rc;
	}
	if ((bad = jmap_obj(jmap_obj(res, "notCreated"), "m"))) {
		const char *t = jmap_str(bad, "type"), *d = jmap_str(bad, "description");
		*err = xasprintf("Email/import: %s%s%s", t ? t : "error", d ? ": " : "", d ? d : "");
		return TERN_EREFUSED;
	}
	if (!jmap_id(jmap_obj(jmap_obj(res, "created"), "m"), "id")) {
		*err = xstrdup("Email/import: no id for the created email");
		return TERN_EPROTO;
	}
	if (email_id)
		*email_id = xstrdup(jmap_id(jmap_obj(jmap_obj(res, "created"), "m"), "id"));
	return TERN_OK;
}

static int
done(struct sync_ctx *ctx, const struct queue_row *q)
{
	int rc = db_begin(ctx->db);
	if (rc != TERN_OK)
		return rc;
	if ((rc = db_outbox_delete(ctx->db, q->resource_id)) != TERN_OK ||
	    (rc = db_queue_done(ctx->db, q->id)) != TERN_OK) {
		db_rollback(ctx->db);
		return rc;
	}
	return db_commit(ctx->db);   /* the runtime counts it as pushed */
}

/* A stored draft: its local row (db_change_append) becomes the email the
 * server created, in the transaction that ends the change. */
static int
appended(struct sync_ctx *ctx, const struct queue_row *q, const char *email_id, const char *blob_id)
{
	int64_t msg = q->change.u.append.message;
	int rc = db_begin(ctx->db);
	if (rc != TERN_OK)
		return rc;
	if (msg && (rc = db_jmap_set_remote(ctx->db, msg, email_id, blob_id)) != TERN_OK) {
		db_rollback(ctx->db);
		return rc;
	}
	rc = done(ctx, q);
	if (rc != TERN_OK) {
		db_rollback(ctx->db);
		return rc;
	}
	return db_commit(ctx->db);
}

/* The identity to send as: the one with the account's address, else the
 * first (Cyrus's default identity has an empty address). */
static int
identity(struct jmap *j, const char *email, char **id, char **err)
{
	jmap_req *r = jmap_req_new();
	cJSON *a = cJSON_CreateObject(), *res, *it;
	struct jmap_merr me;
	const char *c, *first = NULL, *match = NULL;
	int rc;

	jmap_req_use(r, CAP_SUBMISSION);
	cJSON_AddStringToObject(a, "accountId", j->sess->account_id);
	cJSON_AddNullToObject(a, "ids");
	c = jmap_req_add(r, "Identity/get", a);
	if ((rc = jmap_req_send(j, r, err)) == TERN_OK &&
	    (rc = jmap_req_result(r, c, "Identity/get", &res, &me)) != TERN_OK)
		*err = jmap_merr_text("Identity/get", &me);
	if (rc == TERN_OK) {
		cJSON_ArrayForEach(it, jmap_arr(res, "list")) {
			const char *iid = jmap_id(it, "id"), *addr = jmap_str(it, "email");
			if (!iid)
				continue;
			if (!first)
				first = iid;
			if (!match && addr && email && str_ieq(addr, email))
				match = iid;
		}
		if (match || first) {
			*id = xstrdup(match ? match : first);
		} else {
			*err = xstrdup("Identity/get: the account has no identity to send as");
			rc = TERN_EREFUSED;
		}
	}
	jmap_req_free(r);
	return rc;
}

/* After a crash in "submitting": was it imported, and was it sent? Sent
 * means a copy without $draft in Sent, or, on an account without a Sent
 * mailbox, in Drafts (the submission only cleared $draft there). */
static int
find_sent(struct jmap *j, const char *message_id, const char *sent_rid, const char *drafts_rid,
          char **draft_id, int *sent, char **err)
{
	jmap_req *r = jmap_req_new();
	cJSON *q = cJSON_CreateObject(), *f = cJSON_AddObjectToObject(q, "filter"), *h, *g, *res, *e;
	static const char *const props[] = { "id", "mailboxIds", "keywords" };
	struct jmap_merr me;
	const char *c0, *c1, *filed_in = sent_rid ? sent_rid : drafts_rid;
	char *mid = xasprintf("<%s>", message_id);
	int rc;

	*sent = 0;
	*draft_id = NULL;
	cJSON_AddStringToObject(q, "accountId", j->sess->account_id);
	h = cJSON_AddArrayToObject(f, "header");
	cJSON_AddItemToArray(h, cJSON_CreateString("Message-ID"));
	cJSON_AddItemToArray(h, cJSON_CreateString(mid));
	free(mid);
	c0 = jmap_req_add(r, "Email/query", q);
	g = cJSON_CreateObject();
	cJSON_AddStringToObject(g, "accountId", j->sess->account_id);
	jmap_backref(g, "ids", c0, "Email/query", "/ids");
	cJSON_AddItemToObject(g, "properties", cJSON_CreateStringArray(props, 3));
	c1 = jmap_req_add(r, "Email/get", g);
	if ((rc = jmap_req_send(j, r, err)) == TERN_OK &&
	    (rc = jmap_req_result(r, c1, "Email/get", &res, &me)) != TERN_OK)
		*err = jmap_merr_text("Email/query", &me);
	if (rc == TERN_OK) {
		cJSON_ArrayForEach(e, jmap_arr(res, "list")) {
			const cJSON *kw = jmap_obj(e, "keywords");
			int is_draft = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(kw, "$draft"));
			if (filed_in && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(jmap_obj(e, "mailboxIds"), filed_in)) &&
			    !is_draft)
				*sent = 1;
			else if (is_draft && !*draft_id && jmap_id(e, "id"))
				*draft_id = xstrdup(jmap_id(e, "id"));
		}
	}
	jmap_req_free(r);
	return rc;
}

static int
set_stage(struct sync_ctx *ctx, int64_t id, const char *stage)
{
	int rc = db_begin(ctx->db);
	if (rc == TERN_OK && (rc = db_outbox_set_stage(ctx->db, id, stage)) == TERN_OK)
		return db_commit(ctx->db);
	db_rollback(ctx->db);
	return rc == TERN_OK ? TERN_EDB : rc;
}

/* RFC 8621 7: the envelope given explicitly, from the message's own From,
 * To, Cc and Bcc (as for SMTP), so the server need not derive it. */
static void
add_envelope(cJSON *s, const struct smtp_envelope *env)
{
	cJSON *e = cJSON_AddObjectToObject(s, "envelope"), *mf, *to;
	mf = cJSON_AddObjectToObject(e, "mailFrom");
	cJSON_AddStringToObject(mf, "email", env->from);
	cJSON_AddNullToObject(mf, "parameters");
	to = cJSON_AddArrayToObject(e, "rcptTo");
	for (size_t i = 0; i < env->nrcpt; i++) {
		cJSON *a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "email", env->rcpt[i]);
		cJSON_AddNullToObject(a, "parameters");
		cJSON_AddItemToArray(to, a);
	}
}

/* Whether raw has a Bcc field (the envelope's copy lost one). */
static int
had_bcc(const char *raw, size_t len, const struct smtp_envelope *env)
{
	strbuf sb = STRBUF_INIT;
	int differ;
	crlf_normalise(raw, len, 0, &sb);
	differ = sb.len != env->len;
	sb_free(&sb);
	return differ;
}

/* The submitted copy has no Bcc; Sent keeps the user's record of whom it
 * went to, as the IMAP path and the SMTP fallback do: the full message is
 * imported into Sent and the submitted copy destroyed. A failure here is
 * only logged: the message itself went out. */
static void
file_full_copy(struct jmap *j, const char *raw, size_t len, const char *sent, const char *submitted_id)
{
	static const char *const kw[] = { "$seen", NULL };
	char *blob = NULL, *err = NULL;
	jmap_req *r = NULL;
	const char *c;
	int rc;

	if ((rc = upload(j, raw, len, &blob, &err)) != TERN_OK)
		goto out;
	r = jmap_req_new();
	c = add_import(j, r, blob, sent, kw);
	if ((rc = jmap_req_send(j, r, &err)) != TERN_OK || (rc = import_result(r, c, NULL, &err)) != TERN_OK)
		goto out;
	jmap_req_free(r);
	r = jmap_req_new();
	{
		cJSON *a = cJSON_CreateObject(), *d = cJSON_AddArrayToObject(a, "destroy");
		cJSON_AddStringToObject(a, "accountId", j->sess->account_id);
		cJSON_AddItemToArray(d, cJSON_CreateString(submitted_id));
		jmap_req_add(r, "Email/set", a);
	}
	rc = jmap_req_send(j, r, &err);
out:
	if (rc != TERN_OK)
		log_warn("jmap %s: the copy in Sent lacks its Bcc line: %s", j->acct->name, err ? err : tern_strerror(rc));
	jmap_req_free(r);
	free(blob);
	free(err);
}

static int
submit(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *q, const char *raw, size_t len,
       const char *stage, char **err)
{
	static const char *const kw[] = { "$draft", "$seen", NULL };
	char *drafts = NULL, *sent = NULL, *ident = NULL, *blob = NULL, *mid = NULL, *draft_id = NULL;
	char *email_id = NULL;
	struct smtp_envelope env = { 0 };
	jmap_req *r = NULL;
	cJSON *a, *create, *s, *upd, *patch, *res, *bad;
	struct jmap_merr me;
	const char *ci = NULL, *cs;
	char *k;
	int rc, was_sent = 0;

	if (role_rid(ctx, j->account_id, MAILBOX_ROLE_DRAFTS, &drafts) != TERN_OK) {
		*err = xstrdup("the account has no Drafts mailbox to submit from");
		rc = TERN_EREFUSED;
		goto out;
	}
	/* Cyrus 3.6 relays the stored message as it is, Bcc line included
	 * (RFC 8621 7.5 says the server must remove it): what is submitted has
	 * none, and the envelope names every recipient. */
	if (smtp_envelope_build(raw, len, &env, err) != TERN_OK) {
		rc = TERN_EREFUSED;
		goto out;
	}
	role_rid(ctx, j->account_id, MAILBOX_ROLE_SENT, &sent);
	if ((rc = db_jmap_outbox_message_id(ctx->db, q->resource_id, &mid)) != TERN_OK)
		goto out;
	if (strcmp(stage, "submitting") == 0 && *mid) {
		if ((rc = find_sent(j, mid, sent, drafts, &draft_id, &was_sent, err)) != TERN_OK)
			goto out;
		if (was_sent) {
			log_info("jmap %s: outbox %lld was sent before a restart", j->acct->name, (long long)q->resource_id);
			rc = done(ctx, q);
			goto out;
		}
	}
	if ((rc = identity(j, ctx->env && ctx->env->acct ? ctx->env->acct->email : NULL, &ident, err)) != TERN_OK)
		goto out;
	if (!draft_id && (rc = upload(j, env.data, env.len, &blob, err)) != TERN_OK)
		goto out;
	if ((rc = set_stage(ctx, q->resource_id, "submitting")) != TERN_OK)
		goto out;
	r = jmap_req_new();
	jmap_req_use(r, CAP_SUBMISSION);
	if (!draft_id)
		ci = add_import(j, r, blob, drafts, kw);
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "accountId", j->sess->account_id);
	create = cJSON_AddObjectToObject(a, "create");
	s = cJSON_AddObjectToObject(create, "s");
	cJSON_AddStringToObject(s, "identityId", ident);
	cJSON_AddStringToObject(s, "emailId", draft_id ? draft_id : "#m");
	add_envelope(s, &env);
	upd = cJSON_AddObjectToObject(a, "onSuccessUpdateEmail");
	patch = cJSON_AddObjectToObject(upd, "#s");
	if (sent) {
		/* Drafts -> Sent. Without a Sent mailbox the email stays in
		 * Drafts (it must be in one mailbox at least, RFC 8621 4.1.1),
		 * no longer a draft; find_sent() knows it by that. */
		k = xasprintf("mailboxIds/%s", drafts);
		cJSON_AddNullToObject(patch, k);
		free(k);
		k = xasprintf("mailboxIds/%s", sent);
		cJSON_AddTrueToObject(patch, k);
		free(k);
	}
	cJSON_AddNullToObject(patch, "keywords/$draft");
	cs = jmap_req_add(r, "EmailSubmission/set", a);
	if ((rc = jmap_req_send(j, r, err)) != TERN_OK)
		goto out;
	if (ci && (rc = import_result(r, ci, &email_id, err)) != TERN_OK)
		goto out;
	if ((rc = jmap_req_result(r, cs, "EmailSubmission/set", &res, &me)) != TERN_OK) {
		*err = jmap_merr_text("EmailSubmission/set", &me);
		goto out;
	}
	if ((bad = jmap_obj(jmap_obj(res, "notCreated"), "s"))) {
		const char *t = jmap_str(bad, "type"), *d = jmap_str(bad, "description");
		*err = xasprintf("EmailSubmission/set: %s%s%s", t ? t : "error", d ? ": " : "", d ? d : "");
		rc = TERN_EREFUSED;
		goto out;
	}
	if (!jmap_obj(jmap_obj(res, "created"), "s")) {
		*err = xstrdup("EmailSubmission/set: the submission was not created");
		rc = TERN_EPROTO;
		goto out;
	}
	if (sent && had_bcc(raw, len, &env))
		file_full_copy(j, raw, len, sent, email_id ? email_id : draft_id);
	if (!sent)
		log_warn("jmap %s: no Sent mailbox: the sent message stays in Drafts", j->acct->name);
	rc = done(ctx, q);
out:
	smtp_envelope_free(&env);
	jmap_req_free(r);
	free(drafts);
	free(sent);
	free(ident);
	free(blob);
	free(mid);
	free(draft_id);
	free(email_id);
	return rc;
}

static int
append(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *q, const char *raw, size_t len,
       char **err)
{
	unsigned flags = q->change.u.append.flags;
	const char *kw[4];
	int n = 0, rc;
	char *rid = NULL, *blob = NULL, *email_id = NULL;
	struct mailbox_row row = { 0 };
	jmap_req *r = NULL;
	const char *c;

	if (db_mailbox_get(ctx->db, q->change.u.append.mailbox, &row) != TERN_OK) {
		*err = xstrdup("append: the mailbox no longer exists");
		rc = TERN_EREFUSED;
		goto out;
	}
	rid = xstrdup(row.remote_id);
	if (flags & MSG_SEEN)
		kw[n++] = "$seen";
	if (flags & MSG_FLAGGED)
		kw[n++] = "$flagged";
	if (flags & MSG_DRAFT)
		kw[n++] = "$draft";
	kw[n] = NULL;
	if ((rc = upload(j, raw, len, &blob, err)) != TERN_OK)
		goto out;
	r = jmap_req_new();
	c = add_import(j, r, blob, rid, kw);
	if ((rc = jmap_req_send(j, r, err)) == TERN_OK && (rc = import_result(r, c, &email_id, err)) == TERN_OK)
		rc = appended(ctx, q, email_id, blob);
out:
	jmap_req_free(r);
	db_mailbox_row_free(&row);
	free(email_id);
	free(rid);
	free(blob);
	return rc;
}

static int
smtp_fallback(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *q, const char *raw, size_t len,
              const char *stage, char **err)
{
	static const char *const kw[] = { "$seen", NULL };
	const struct account_cfg *acct = j->acct;
	char *sent = NULL, *mid = NULL, *draft_id = NULL, *blob = NULL;
	struct smtp_envelope env;
	jmap_req *r = NULL;
	const char *c;
	int rc = TERN_OK, unknown = 0, was_sent = 0;

	if (!acct->smtp_host) {
		*err = xstrdup("the JMAP server offers no submission and the account has no smtp_host");
		return TERN_EREFUSED;
	}
	role_rid(ctx, j->account_id, MAILBOX_ROLE_SENT, &sent);
	if ((str_eq(stage, "sending") || str_eq(stage, "smtp_sent")) && sent &&
	    (rc = db_jmap_outbox_message_id(ctx->db, q->resource_id, &mid)) == TERN_OK && *mid) {
		/* The last attempt may have reached the SMTP server, or filed the
		 * copy before a crash: a copy in Sent is the proof we have. */
		if ((rc = find_sent(j, mid, sent, NULL, &draft_id, &was_sent, err)) != TERN_OK)
			goto out;
		if (was_sent) {
			log_info("jmap %s: outbox %lld was sent and filed before a restart", j->acct->name, (long long)q->resource_id);
			rc = done(ctx, q);
			goto out;
		}
	}
	rc = TERN_OK;
	if (str_eq(stage, "sending")) {
		/* Outcome unknown and no proof: sending again could deliver twice;
		 * the user decides (tern queue retry resets the stage). */
		log_warn("jmap %s: outbox %lld: the last attempt's outcome is unknown; not resending by itself", j->acct->name,
		         (long long)q->resource_id);
		*err = xstrdup(SMTP_OUTCOME_UNKNOWN);
		rc = TERN_EREFUSED;
		goto out;
	}
	if (!str_eq(stage, "smtp_sent")) {
		if (smtp_envelope_build(raw, len, &env, err) != TERN_OK) {
			rc = TERN_EREFUSED;
			goto out;
		}
		if ((rc = set_stage(ctx, q->resource_id, "sending")) != TERN_OK) {
			smtp_envelope_free(&env);
			goto out;
		}
		rc = smtp_send(acct, ctx->password, &env, ctx->stop, &unknown, err);
		smtp_envelope_free(&env);
		if (rc != TERN_OK && unknown) {
			/* The stage stays "sending": a restart must not resend either. */
			log_warn("jmap %s: outbox %lld: %s", j->acct->name, (long long)q->resource_id, *err ? *err : "");
			free(*err);
			*err = xstrdup(SMTP_OUTCOME_UNKNOWN);
			rc = TERN_EREFUSED;
			goto out;
		}
		if (rc != TERN_OK) {
			set_stage(ctx, q->resource_id, "queued");   /* nothing left the house */
			goto out;
		}
		if ((rc = set_stage(ctx, q->resource_id, "smtp_sent")) != TERN_OK)
			goto out;
		log_info("jmap %s: outbox %lld sent over SMTP (no JMAP submission)", j->acct->name, (long long)q->resource_id);
	}
	if (!acct->copy_to_sent) {
		rc = done(ctx, q);   /* the server files what it is sent */
		goto out;
	}
	if (!sent) {
		log_warn("jmap %s: no Sent mailbox: the sent message is not filed", j->acct->name);
		rc = done(ctx, q);
		goto out;
	}
	if ((rc = upload(j, raw, len, &blob, err)) != TERN_OK)
		goto out;
	r = jmap_req_new();
	c = add_import(j, r, blob, sent, kw);
	if ((rc = jmap_req_send(j, r, err)) == TERN_OK && (rc = import_result(r, c, NULL, err)) == TERN_OK)
		rc = done(ctx, q);
out:
	jmap_req_free(r);
	free(sent);
	free(mid);
	free(draft_id);
	free(blob);
	return rc;
}

int
jmap_submit_push(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *q, char **err)
{
	char *raw = NULL, *stage = NULL;
	size_t len = 0;
	int rc;

	if ((rc = db_outbox_get(ctx->db, q->resource_id, &raw, &len, &stage)) != TERN_OK) {
		*err = xstrdup("the outbox message is gone");
		return rc == TERN_ENOTFOUND ? TERN_EREFUSED : rc;
	}
	if (q->change.kind == CHANGE_APPEND) {
		rc = append(j, ctx, q, raw, len, err);
	} else if (q->change.kind != CHANGE_SEND) {
		*err = xasprintf("unknown outbox change '%s'", change_kind_name(q->change.kind));
		rc = TERN_EINVAL;
	} else if (j->sess->has_submission) {
		rc = submit(j, ctx, q, raw, len, stage, err);
	} else {
		/* RFC 8621 7: without urn:ietf:params:jmap:submission the account
		 * cannot send through JMAP; its SMTP settings can. */
		rc = smtp_fallback(j, ctx, q, raw, len, stage, err);
	}
	free(raw);
	free(stage);
	return rc;
}
