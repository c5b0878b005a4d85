/* Sending and appending through JMAP: the raw message is uploaded as a blob
 * (RFC 8620 6.1), Email/import puts it in Drafts (RFC 8621 4.8), and
 * EmailSubmission/set (RFC 8621 7.5) sends it, its onSuccessUpdateEmail
 * moving it to Sent and clearing $draft in the same request. Sends go
 * through the outbox state machine (sync/outbox.h): the stage
 * "submitting" is committed just before that request, and after a failure
 * past it we look on the server: a copy in Sent means it went, the email
 * still a draft means it did not (it is submitted again, not imported
 * again). What is submitted has no Bcc line, with an explicit envelope
 * naming every recipient; the copy filed in Sent keeps the Bcc line.
 * A server without urn:ietf:params:jmap:submission: the account's SMTP
 * server sends it, as for IMAP, and Email/import files the copy in Sent. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_jmap.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "src/base/crlf.h"
#include "src/base/crashpoint.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/jmap/jmap.h"
#include "sync/jmap/jmap_call.h"
#include "sync/jmap/jmap_json.h"
#include "sync/outbox.h"
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
		/* The same message is there already (RFC 8621 4.8): an import
		 * whose answer a crash lost. That copy is the one. */
		if (t && strcmp(t, "alreadyExists") == 0 && jmap_id(bad, "existingId")) {
			if (email_id)
				*email_id = xstrdup(jmap_id(bad, "existingId"));
			return TERN_OK;
		}
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

/* The identity to send as: the one with the From's address; for the
 * account's own address else the first (Cyrus's default identity has an
 * empty address). Another address the server has no identity for is
 * refused: it would go out under the wrong one. */
static int
identity(struct jmap *j, const char *email, char **id, char **err)
{
	int own = !email || !j->acct->email || str_ieq(email, j->acct->email);
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
		if (!match && !own) {
			*err = xasprintf("the server has no identity for %s (add it on the server, "
			                 "or give that [identity] a sendmail or smtp_host)", email);
			rc = TERN_EREFUSED;
		} else if (match || first) {
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

/* One send's state between the outbox steps. */
struct jsend {
	struct jmap *j;
	char *drafts, *sent;      /* remote ids of the roles; NULL: none */
	char *mid;                /* the Message-ID, without <> ("" if none) */
	char *draft_id;           /* an earlier attempt's draft on the server */
	char *submitted_id;       /* the email this run submitted */
	int bcc;                  /* the message had a Bcc line the submission lost */
};

/* Submission: a copy in Sent (or, without Sent, in Drafts without $draft)
 * proves it went; the email still a draft proves it did not, since
 * onSuccessUpdateEmail clears $draft in the same request. */
static int
sub_verify(void *eng, struct outbox_send *s, enum outbox_proof *proof, char **err)
{
	struct jsend *js = eng;
	int was_sent = 0, rc;

	(void)s;
	*proof = OUTBOX_PROOF_NONE;
	if (!*js->mid)
		return TERN_OK;
	free(js->draft_id);
	js->draft_id = NULL;
	if ((rc = find_sent(js->j, js->mid, js->sent, js->drafts, &js->draft_id, &was_sent, err)) != TERN_OK)
		return rc;
	*proof = was_sent ? OUTBOX_PROOF_SENT : js->draft_id ? OUTBOX_PROOF_NOT_SENT : OUTBOX_PROOF_NONE;
	return TERN_OK;
}

static int
sub_submit(void *eng, struct outbox_send *s, int *unknown, char **err)
{
	static const char *const kw[] = { "$draft", "$seen", NULL };
	struct jsend *js = eng;
	struct jmap *j = js->j;
	char *ident = NULL, *blob = NULL, *email_id = NULL;
	struct smtp_envelope env = { 0 };
	jmap_req *r = NULL;
	cJSON *a, *create, *sub, *upd, *patch, *res, *bad;
	struct jmap_merr me;
	const char *ci = NULL, *cs;
	char *k;
	int rc;

	*unknown = 0;
	/* Cyrus 3.6 relays the stored message as it is, Bcc line included
	 * (RFC 8621 7.5 says the server must remove it): what is submitted has
	 * none, and the envelope names every recipient. */
	if (smtp_envelope_build(s->raw, s->len, &env, err) != TERN_OK) {
		rc = TERN_EREFUSED;
		goto out;
	}
	if ((rc = identity(j, env.from, &ident, err)) != TERN_OK)
		goto out;
	/* An earlier attempt that failed after its import left a draft: that
	 * one is submitted, not a second copy imported beside it. */
	if (!js->draft_id && s->q->last_error && *s->q->last_error) {
		enum outbox_proof proof;
		if ((rc = sub_verify(js, s, &proof, err)) != TERN_OK)
			goto out;
		if (proof == OUTBOX_PROOF_SENT)
			goto out;   /* it went after all: only the filing is left */
	}
	if (!js->draft_id && (rc = upload(j, env.data, env.len, &blob, err)) != TERN_OK)
		goto out;
	r = jmap_req_new();
	jmap_req_use(r, CAP_SUBMISSION);
	if (!js->draft_id)
		ci = add_import(j, r, blob, js->drafts, kw);
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "accountId", j->sess->account_id);
	create = cJSON_AddObjectToObject(a, "create");
	sub = cJSON_AddObjectToObject(create, "s");
	cJSON_AddStringToObject(sub, "identityId", ident);
	cJSON_AddStringToObject(sub, "emailId", js->draft_id ? js->draft_id : "#m");
	add_envelope(sub, &env);
	upd = cJSON_AddObjectToObject(a, "onSuccessUpdateEmail");
	patch = cJSON_AddObjectToObject(upd, "#s");
	if (js->sent) {
		/* Drafts -> Sent. Without a Sent mailbox the email stays in
		 * Drafts (it must be in one mailbox at least, RFC 8621 4.1.1),
		 * no longer a draft; find_sent() knows it by that. */
		k = xasprintf("mailboxIds/%s", js->drafts);
		cJSON_AddNullToObject(patch, k);
		free(k);
		k = xasprintf("mailboxIds/%s", js->sent);
		cJSON_AddTrueToObject(patch, k);
		free(k);
	}
	cJSON_AddNullToObject(patch, "keywords/$draft");
	cs = jmap_req_add(r, "EmailSubmission/set", a);
	if ((rc = outbox_no_return(s)) != TERN_OK)
		goto out;
	if ((rc = jmap_req_send(j, r, err)) != TERN_OK) {
		/* Whether the server acted on it is not known, unless it
		 * refused the login. */
		*unknown = rc != TERN_EAUTH;
		goto out;
	}
	crashpoint("jmap-submission");   /* answered, stage still submitting */
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
		/* An answer that says neither: it may have gone. */
		*err = xstrdup("EmailSubmission/set: the submission was not created");
		*unknown = 1;
		rc = TERN_EPROTO;
		goto out;
	}
	js->submitted_id = xstrdup(email_id ? email_id : js->draft_id);
	js->bcc = had_bcc(s->raw, s->len, &env);
out:
	smtp_envelope_free(&env);
	jmap_req_free(r);
	free(ident);
	free(blob);
	free(email_id);
	return rc;
}

/* onSuccessUpdateEmail filed it; a Bcc line needs the full copy. */
static int
sub_file(void *eng, struct outbox_send *s, char **err)
{
	struct jsend *js = eng;
	(void)s;
	(void)err;
	if (js->sent && js->bcc && js->submitted_id)
		file_full_copy(js->j, s->raw, s->len, js->sent, js->submitted_id);
	if (!js->sent)
		log_warn("jmap %s: no Sent mailbox: the sent message stays in Drafts", js->j->acct->name);
	return TERN_OK;
}

static const struct outbox_ops jmap_outbox = { sub_verify, sub_submit, sub_file };

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
	if ((rc = jmap_req_send(j, r, err)) == TERN_OK)
		crashpoint("jmap-import");   /* stored on the server, still queued */
	if (rc == TERN_OK && (rc = import_result(r, c, &email_id, err)) == TERN_OK)
		rc = appended(ctx, q, email_id, blob);
out:
	jmap_req_free(r);
	db_mailbox_row_free(&row);
	free(email_id);
	free(rid);
	free(blob);
	return rc;
}

/* No JMAP submission: a copy in Sent is the only proof there can be. */
static int
smtp_verify(void *eng, struct outbox_send *s, enum outbox_proof *proof, char **err)
{
	struct jsend *js = eng;
	char *draft_id = NULL;
	int was_sent = 0, rc = TERN_OK;

	(void)s;
	if (js->sent && *js->mid)
		rc = find_sent(js->j, js->mid, js->sent, NULL, &draft_id, &was_sent, err);
	free(draft_id);
	*proof = was_sent ? OUTBOX_PROOF_SENT : OUTBOX_PROOF_NONE;
	return rc;
}

static int
smtp_submit(void *eng, struct outbox_send *s, int *unknown, char **err)
{
	struct jsend *js = eng;
	*unknown = 0;
	if (!js->j->acct->smtp_host && !outbox_identity_routes(js->j->acct, s->raw, s->len)) {
		*err = xstrdup("the JMAP server offers no submission and the account has no smtp_host");
		return TERN_EREFUSED;
	}
	return outbox_smtp_submit(js->j->acct, s, unknown, err);
}

/* The copy in Sent, once: after a restart it may be there already. */
static int
smtp_file(void *eng, struct outbox_send *s, char **err)
{
	static const char *const kw[] = { "$seen", NULL };
	struct jsend *js = eng;
	struct jmap *j = js->j;
	char *draft_id = NULL, *blob = NULL;
	jmap_req *r = NULL;
	const char *c;
	int rc, was_sent = 0;

	if (!j->acct->copy_to_sent)
		return TERN_OK;   /* the server files what it is sent */
	if (!js->sent) {
		log_warn("jmap %s: no Sent mailbox: the sent message is not filed", j->acct->name);
		return TERN_OK;
	}
	if (s->resumed && *js->mid &&
	    (rc = find_sent(j, js->mid, js->sent, NULL, &draft_id, &was_sent, err)) != TERN_OK)
		goto out;
	rc = TERN_OK;
	if (was_sent)
		goto out;
	if ((rc = upload(j, s->raw, s->len, &blob, err)) != TERN_OK)
		goto out;
	r = jmap_req_new();
	c = add_import(j, r, blob, js->sent, kw);
	if ((rc = jmap_req_send(j, r, err)) == TERN_OK)
		rc = import_result(r, c, NULL, err);
out:
	jmap_req_free(r);
	free(draft_id);
	free(blob);
	return rc;
}

static const struct outbox_ops smtp_outbox = { smtp_verify, smtp_submit, smtp_file };

static int
push_send(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *q, const char *raw, size_t len,
     enum outbox_stage stage, char **err)
{
	struct jsend js = { .j = j };
	char *who = xasprintf("jmap %s", j->acct->name);
	struct outbox_send s = { ctx, q, who, raw, len, stage, 0 };
	int rc;

	if (role_rid(ctx, j->account_id, MAILBOX_ROLE_DRAFTS, &js.drafts) != TERN_OK && j->sess->has_submission) {
		*err = xstrdup("the account has no Drafts mailbox to submit from");
		rc = TERN_EREFUSED;
		goto out;
	}
	role_rid(ctx, j->account_id, MAILBOX_ROLE_SENT, &js.sent);
	if ((rc = db_jmap_outbox_message_id(ctx->db, q->resource_id, &js.mid)) != TERN_OK)
		goto out;
	/* RFC 8621 7: without urn:ietf:params:jmap:submission the account
	 * cannot send through JMAP; its SMTP settings can. */
	rc = outbox_run(j->sess->has_submission && !outbox_identity_routes(j->acct, raw, len) ? &jmap_outbox :
	                &smtp_outbox, &js, &s, err);
out:
	free(who);
	free(js.drafts);
	free(js.sent);
	free(js.mid);
	free(js.draft_id);
	free(js.submitted_id);
	return rc;
}

int
jmap_submit_push(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *q, char **err)
{
	enum outbox_stage stage;
	char *raw = NULL;
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
	} else {
		rc = push_send(j, ctx, q, raw, len, stage, err);
	}
	free(raw);
	return rc;
}
