#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "src/base/log.h"
#include "src/base/textsafe.h"
#include "sync/jmap/jmap_json.h"
#include "sync/jmap/jmap_session.h"
#include "src/base/util.h"

#define CAP_CORE "urn:ietf:params:jmap:core"
#define CAP_MAIL "urn:ietf:params:jmap:mail"
#define CAP_SUBMISSION "urn:ietf:params:jmap:submission"
#define MAX_REDIRECTS 5

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

/* The origin of an absolute http(s) URL: scheme and authority, lower-cased
 * (user info dropped). Caller frees. */
static char *
origin_of(const char *url)
{
	const char *a = strstr(url, "://"), *end, *at;
	char *o;
	if (!a)
		return xstrdup(url);
	a += 3;
	end = a + strcspn(a, "/?#");
	at = memchr(a, '@', (size_t)(end - a));
	o = xasprintf("%.*s%.*s", (int)(a - url), url, (int)(end - (at ? at + 1 : a)), at ? at + 1 : a);
	str_lower(o);
	return o;
}

static int
is_https(const char *url)
{
	return str_ihas_prefix(url, "https://");
}

/* The host of an origin (origin_of's), without its port. Caller frees. */
static char *
host_of(const char *url)
{
	char *o = origin_of(url), *h = strstr(o, "://"), *colon;
	h = h ? h + 3 : o;
	colon = strrchr(h, ':');
	/* "[::1]:8080": the port's colon comes after the bracket. */
	if (colon && !strchr(colon, ']'))
		*colon = '\0';
	memmove(o, h, strlen(h) + 1);
	return o;
}

/* Whether the session's URL u (resolved) may carry our credentials: over
 * http or https only; to the session's own host (any port: a test server
 * and its proxy), or to another over https alone (a server may well keep
 * its API on another host); and never from https down to http. A session is the server's word, and a hostile one
 * could send the password in clear, or to anyone, through these. NULL or
 * why not (static). */
static const char *
url_refused(const char *session_url, const char *u)
{
	char *a, *b;
	int same;
	if (!str_ihas_prefix(u, "http://") && !is_https(u))
		return "is not an http or https URL";
	if (is_https(session_url) && !is_https(u))
		return "goes from https down to http";
	a = host_of(session_url);
	b = host_of(u);
	same = strcmp(a, b) == 0;
	free(a);
	free(b);
	return same || is_https(u) ? NULL : "points to another host without TLS";
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
	{
		const char *name[] = { "apiUrl", "downloadUrl", "uploadUrl", "eventSourceUrl" };
		const char *url[] = { s->api_url, s->download_url, s->upload_url, s->event_source_url };
		for (size_t i = 0; i < 4; i++) {
			const char *why = url[i] ? url_refused(final_url, url[i]) : NULL;
			if (why) {
				char *safe = text_sanitize(url[i], 0);
				*err = xasprintf("the JMAP session's %s %s: %s (refused)", name[i], why, safe);
				free(safe);
				jmap_session_free(s);
				s = NULL;
				goto out;
			}
		}
	}
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

static int
is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Redirects are followed here rather than by libcurl, which would drop the
 * credentials on any change of host (the usual example.com/.well-known/jmap
 * -> mail.example.com). Ours go to the configured origin, and to another
 * one only over https; https never goes back to http. */
int
jmap_session_fetch(jmap_http *h, const char *acct_name, const char *url, struct jmap_session **out,
                   char **err)
{
	char *cur = xstrdup(url), *home = origin_of(url), *seen = xstrdup(home);
	struct jmap_http_resp r = { 0 };
	int rc, hops = 0, withheld = 0;

	for (;;) {
		struct jmap_http_req rq = { .url = cur, .no_auth = withheld, .max_response = 8 << 20 };
		char *o;
		if ((rc = jmap_http_request(h, &rq, &r, err)) != TERN_OK)
			goto out;
		if (!is_redirect(r.status) || !r.location)
			break;
		if (++hops > MAX_REDIRECTS) {
			*err = xasprintf("%s: more than %d redirects", url, MAX_REDIRECTS);
			rc = TERN_EPROTO;
			goto out;
		}
		if (is_https(cur) && !is_https(r.location)) {
			*err = xasprintf("%s redirects from https to %s: refused", cur, r.location);
			rc = TERN_ETLS;
			goto out;
		}
		o = origin_of(r.location);
		withheld = strcmp(o, home) != 0 && !is_https(r.location);
		if (strcmp(o, seen) != 0) {
			log_info("jmap %s: the session moved from %s to %s%s", acct_name, seen, o,
			         withheld ? " (plain http: no credentials sent there)" : "");
			free(seen);
			seen = xstrdup(o);
		}
		free(o);
		free(cur);
		cur = r.location;
		r.location = NULL;
		jmap_http_resp_free(&r);
	}
	if ((r.status == 401 || r.status == 403) && withheld) {
		*err = xasprintf("%s: login required, but the password is not sent to another host over plain http "
		                 "(redirected from %s); set jmap_url to an https session URL", cur, url);
		rc = TERN_EAUTH;
	} else if (r.status == 401 || r.status == 403) {
		*err = strcmp(seen, home) != 0 ?
			xasprintf("%s: login refused (HTTP %ld) after a redirect from %s", cur, r.status, url) :
			xasprintf("%s: login refused (HTTP %ld)", cur, r.status);
		rc = TERN_EAUTH;
	} else if (r.status == 429 || r.status >= 500) {
		*err = xasprintf("%s: server unavailable (HTTP %ld)", cur, r.status);
		rc = TERN_ENET;
	} else if (r.status != 200) {
		*err = xasprintf("%s: HTTP %ld instead of the JMAP session", cur, r.status);
		rc = TERN_EPROTO;
	} else {
		rc = jmap_session_parse(r.final_url, r.body.buf ? r.body.buf : "", r.body.len, out, err);
		if (rc == TERN_OK)
			log_info("jmap %s: session %s: api %s, account %s, push %s, submission %s", acct_name,
			         r.final_url, (*out)->api_url, (*out)->account_id,
			         (*out)->event_source_url ? "advertised" : "none",
			         (*out)->has_submission ? "yes" : "no");
	}
out:
	jmap_http_resp_free(&r);
	free(cur);
	free(home);
	free(seen);
	return rc;
}
