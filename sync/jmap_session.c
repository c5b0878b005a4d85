#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "sync/jmap_json.h"
#include "sync/jmap_session.h"
#include "util.h"

#define CAP_CORE "urn:ietf:params:jmap:core"
#define CAP_MAIL "urn:ietf:params:jmap:mail"
#define CAP_SUBMISSION "urn:ietf:params:jmap:submission"

void
jmap_session_free(struct jmap_session *s)
{
	if (!s)
		return;
	free(s->url);
	free(s->api_url);
	free(s->download_url);
	free(s->upload_url);
	free(s->event_source_url);
	free(s->state);
	free(s->account_id);
	free(s->username);
	free(s);
}

/* A limit from the core capability; servers that leave one out get a
 * conservative default (the minimums RFC 8620 2 suggests). */
static uint64_t
limit(const cJSON *core, const char *key, uint64_t dflt, uint64_t floor_)
{
	uint64_t v;
	if (jmap_uint(core, key, &v) != TERN_OK || v < floor_)
		return dflt;
	return v;
}

int
jmap_session_parse(const char *final_url, const char *json, size_t len,
                   struct jmap_session **out, char **err)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	cJSON *caps, *core, *accounts, *acct, *primary;
	struct jmap_session *s = NULL;
	const char *api, *dl, *ul, *es, *state, *aid;
	int rc = TERN_EPROTO;

	if (!cJSON_IsObject(root)) {
		*err = xstrdup("the JMAP session is not a JSON object");
		goto out;
	}
	caps = jmap_obj(root, "capabilities");
	core = jmap_obj(caps, CAP_CORE);
	if (!core || !jmap_obj(caps, CAP_MAIL)) {
		*err = xstrdup("the server offers no JMAP mail (urn:ietf:params:jmap:mail)");
		goto out;
	}
	api = jmap_str(root, "apiUrl");
	dl = jmap_str(root, "downloadUrl");
	ul = jmap_str(root, "uploadUrl");
	es = jmap_str(root, "eventSourceUrl");
	state = jmap_str(root, "state");
	primary = jmap_obj(root, "primaryAccounts");
	aid = jmap_str(primary, CAP_MAIL);
	accounts = jmap_obj(root, "accounts");
	acct = aid ? jmap_obj(accounts, aid) : NULL;
	if (!api || !dl || !ul || !state) {
		*err = xstrdup("the JMAP session lacks apiUrl, downloadUrl, uploadUrl or state");
		goto out;
	}
	if (!jmap_id_valid(aid) || !acct) {
		*err = xstrdup("the JMAP session names no valid primary mail account");
		goto out;
	}
	s = xcalloc(1, sizeof *s);
	s->url = xstrdup(final_url);
	/* Cyrus sends relative URLs ("/jmap/"); RFC 8620 2 says they are
	 * resolved against the session resource's URL. */
	s->api_url = jmap_url_resolve(final_url, api);
	s->download_url = jmap_url_resolve(final_url, dl);
	s->upload_url = jmap_url_resolve(final_url, ul);
	s->event_source_url = es && *es ? jmap_url_resolve(final_url, es) : NULL;
	s->state = xstrdup(state);
	s->account_id = xstrdup(aid);
	s->username = xstrdup(jmap_str(root, "username"));
	s->max_objects_in_get = limit(core, "maxObjectsInGet", 500, 1);
	s->max_objects_in_set = limit(core, "maxObjectsInSet", 500, 1);
	s->max_calls_in_request = limit(core, "maxCallsInRequest", 16, 1);
	s->max_size_request = limit(core, "maxSizeRequest", 10000000, 1024);
	s->max_size_upload = limit(core, "maxSizeUpload", 50000000, 1024);
	s->has_submission = jmap_obj(caps, CAP_SUBMISSION) &&
	                    jmap_obj(jmap_obj(acct, "accountCapabilities"), CAP_SUBMISSION);
	*out = s;
	rc = TERN_OK;
out:
	cJSON_Delete(root);
	return rc;
}

int
jmap_session_fetch(jmap_http *h, const char *url, struct jmap_session **out, char **err)
{
	struct jmap_http_req rq = { .url = url, .follow = 1, .max_response = 8 << 20 };
	struct jmap_http_resp r;
	int rc;

	if ((rc = jmap_http_request(h, &rq, &r, err)) != TERN_OK)
		return rc;
	if (r.status == 401 || r.status == 403) {
		*err = xasprintf("%s: login refused (HTTP %ld)", url, r.status);
		rc = TERN_EAUTH;
	} else if (r.status == 429 || r.status >= 500) {
		*err = xasprintf("%s: server unavailable (HTTP %ld)", url, r.status);
		rc = TERN_ENET;
	} else if (r.status != 200) {
		*err = xasprintf("%s: HTTP %ld instead of the JMAP session", url, r.status);
		rc = TERN_EPROTO;
	} else {
		rc = jmap_session_parse(r.final_url, r.body.buf ? r.body.buf : "", r.body.len, out, err);
		if (rc == TERN_OK)
			log_info("jmap: session %s: api %s, account %s, push %s, submission %s",
			         r.final_url, (*out)->api_url, (*out)->account_id,
			         (*out)->event_source_url ? "advertised" : "none",
			         (*out)->has_submission ? "yes" : "no");
	}
	jmap_http_resp_free(&r);
	return rc;
}
