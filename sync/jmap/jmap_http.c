#include "config.h"

#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/base/err.h"
#include "sync/jmap/jmap_http.h"
#include "src/base/util.h"

#define MAX_RESPONSE_DEFAULT ((size_t)512 << 20)

struct jmap_http {
	CURLM *multi;
	char *user;
	char *password;
	char *ca_file;
	char *ca_path;
	int bearer;
	long timeout;
	stop_flag *stop;
	atomic_int interrupted;
};

struct sink {
	strbuf *sb;
	size_t max;
};

int
jmap_http_new(const char *user, const char *password, int bearer, const char *ca_file, int timeout,
              jmap_http **out, char **err)
{
	jmap_http *h;
	curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);

#if LIBCURL_VERSION_NUM < 0x073d00
	if (bearer) {
		*err = xstrdup("jmap_auth = bearer needs libcurl 7.61 or newer");
		return TERN_ECONFIG;
	}
#endif
	h = xcalloc(1, sizeof *h);
	h->bearer = bearer;

	h->multi = curl_multi_init();
	if (!h->multi) {
		free(h);
		*err = xstrdup("cannot create a curl multi handle");
		return TERN_ENOMEM;
	}
	h->user = xstrdup(user);
	h->password = xstrdup(password);
	h->ca_file = xstrdup(ca_file);
	/* CURLOPT_CAINFO replaces the built-in bundle: keep the system store as
	 * well by naming its directory (Debian's libcurl-gnutls has no bundle
	 * file, only capath /etc/ssl/certs). */
	if (ca_file) {
		if (vi->age >= CURLVERSION_SEVENTH && vi->capath)
			h->ca_path = xstrdup(vi->capath);
		else if (access("/etc/ssl/certs", R_OK) == 0)
			h->ca_path = xstrdup("/etc/ssl/certs");
	}
	h->timeout = timeout > 0 ? timeout : 30;
	atomic_init(&h->interrupted, 0);
	*out = h;
	return TERN_OK;
}

void
jmap_http_free(jmap_http *h)
{
	if (!h)
		return;
	curl_multi_cleanup(h->multi);
	if (h->password) {
		explicit_bzero(h->password, strlen(h->password));
		free(h->password);
	}
	free(h->user);
	free(h->ca_file);
	free(h->ca_path);
	free(h);
}

void
jmap_http_set_stop(jmap_http *h, stop_flag *stop)
{
	h->stop = stop;
}

void
jmap_http_interrupt(jmap_http *h)
{
	atomic_store(&h->interrupted, 1);
	curl_multi_wakeup(h->multi);
}

void
jmap_http_clear_interrupt(jmap_http *h)
{
	atomic_store(&h->interrupted, 0);
}

int
jmap_http_interrupted(jmap_http *h)
{
	return atomic_load(&h->interrupted) || (h->stop && *h->stop);
}

void
jmap_http_resp_free(struct jmap_http_resp *r)
{
	sb_free(&r->body);
	free(r->content_type);
	free(r->final_url);
	free(r->location);
	memset(r, 0, sizeof *r);
}

int
jmap_http_curl_err(CURLcode c)
{
	switch (c) {
	case CURLE_OK:
		return TERN_OK;
	case CURLE_OPERATION_TIMEDOUT:
		return TERN_ETIMEOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
		return TERN_ETLS;
	case CURLE_LOGIN_DENIED:
		return TERN_EAUTH;
	case CURLE_ABORTED_BY_CALLBACK:
		return TERN_ECANCELLED;
	case CURLE_OUT_OF_MEMORY:
		return TERN_ENOMEM;
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_BAD_CONTENT_ENCODING:
		return TERN_EPROTO;
	default:
		return TERN_ENET;
	}
}

static size_t
sink_write(char *data, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;
	if (s->sb->len + len > s->max)
		return 0;   /* CURLE_WRITE_ERROR: the answer is absurdly large */
	sb_add(s->sb, data, len);
	return len;
}

CURL *
jmap_http_easy(jmap_http *h, const char *url, struct jmap_xfer *x, int stream)
{
	CURL *e = curl_easy_init();
	if (!e)
		return NULL;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "tern/" PACKAGE_VERSION);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
#if LIBCURL_VERSION_NUM >= 0x073d00
	if (h->bearer) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER, h->password ? h->password : "");
	} else
#endif
	{
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, h->user ? h->user : "");
		curl_easy_setopt(e, CURLOPT_PASSWORD, h->password ? h->password : "");
	}
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_file);
	if (h->ca_path)
		curl_easy_setopt(e, CURLOPT_CAPATH, h->ca_path);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, h->timeout);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	if (!stream) {
		/* A server silent for `timeout` seconds is dead; big answers that
		 * keep flowing may take longer, up to a generous cap. */
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, h->timeout);
		curl_easy_setopt(e, CURLOPT_TIMEOUT, h->timeout * 20);
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	}
	x->done = 0;
	x->result = CURLE_OK;
	return e;
}

int
jmap_http_add(jmap_http *h, CURL *e)
{
	return curl_multi_add_handle(h->multi, e) == CURLM_OK ? TERN_OK : TERN_ENOMEM;
}

void
jmap_http_remove(jmap_http *h, CURL *e)
{
	curl_multi_remove_handle(h->multi, e);
}

int
jmap_http_pump(jmap_http *h, int extra_fd, int timeout_ms, int *extra_ready)
{
	struct curl_waitfd wfd = { .fd = extra_fd, .events = CURL_WAIT_POLLIN };
	CURLMsg *m;
	int running, left, finished = 0;

	if (extra_ready)
		*extra_ready = 0;
	if (jmap_http_interrupted(h))
		return TERN_ECANCELLED;
	if (curl_multi_perform(h->multi, &running) != CURLM_OK)
		return TERN_ENET;
	while ((m = curl_multi_info_read(h->multi, &left))) {
		struct jmap_xfer *x = NULL;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x) {
			x->done = 1;
			x->result = m->data.result;
		}
		finished = 1;
	}
	/* A finished transfer is news for the caller: no waiting then. */
	if (timeout_ms > 0 && !finished) {
		if (curl_multi_poll(h->multi, extra_fd >= 0 ? &wfd : NULL, extra_fd >= 0 ? 1 : 0,
		                    timeout_ms, NULL) != CURLM_OK)
			return TERN_ENET;
		if (extra_fd >= 0 && extra_ready && (wfd.revents & CURL_WAIT_POLLIN))
			*extra_ready = 1;
	}
	return jmap_http_interrupted(h) ? TERN_ECANCELLED : TERN_OK;
}

int
jmap_http_request(jmap_http *h, const struct jmap_http_req *rq, struct jmap_http_resp *out,
                  char **err)
{
	struct jmap_xfer x;
	struct sink s = { &out->body, rq->max_response ? rq->max_response : MAX_RESPONSE_DEFAULT };
	struct curl_slist *hdrs = NULL;
	char *ctype = NULL;
	char *eff = NULL, *loc = NULL;
	CURL *e;
	int rc;

	memset(out, 0, sizeof *out);
	e = jmap_http_easy(h, rq->url, &x, 0);
	if (!e) {
		*err = xstrdup("cannot create a curl handle");
		return TERN_ENOMEM;
	}
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	if (rq->no_auth) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_NONE);
		curl_easy_setopt(e, CURLOPT_USERNAME, NULL);
		curl_easy_setopt(e, CURLOPT_PASSWORD, NULL);
#if LIBCURL_VERSION_NUM >= 0x073d00
		curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER, NULL);
#endif
	}
	if (rq->content_type) {
		char *ct = xasprintf("Content-Type: %s", rq->content_type);
		hdrs = curl_slist_append(hdrs, ct);
		free(ct);
		hdrs = curl_slist_append(hdrs, "Accept: application/json");
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->body);
	}
	if ((rc = jmap_http_add(h, e)) != TERN_OK) {
		*err = xstrdup("cannot start a transfer");
		goto out;
	}
	/* Short waits: *stop is seen within 100 ms even when nobody can call
	 * jmap_http_interrupt() (the session fetch inside connect()). */
	while (!x.done && (rc = jmap_http_pump(h, -1, 100, NULL)) == TERN_OK)
		;
	jmap_http_remove(h, e);
	if (rc != TERN_OK) {
		*err = xstrdup(rc == TERN_ECANCELLED ? "cancelled" : "transfer failed");
		goto out;
	}
	if (x.result != CURLE_OK) {
		rc = jmap_http_curl_err(x.result);
		*err = xasprintf("%s: %s", rq->url, curl_easy_strerror(x.result));
		goto out;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ctype);
	curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &eff);
	if (ctype) {
		out->content_type = xstrdup(ctype);
		str_lower(out->content_type);
	}
	out->final_url = xstrdup(eff ? eff : rq->url);
	if (out->status >= 300 && out->status < 400 &&
	    curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
		out->location = xstrdup(loc);
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(e);
	if (rc != TERN_OK)
		jmap_http_resp_free(out);
	return rc;
}

char *
jmap_url_resolve(const char *base, const char *ref)
{
	const char *auth, *path_start, *q;
	if (!ref)
		return NULL;
	/* Absolute: a scheme before any '/', '?' or '#'. */
	for (q = ref; *q && *q != ':' && *q != '/' && *q != '?' && *q != '#'; q++)
		;
	if (*q == ':' && q > ref)
		return xstrdup(ref);
	if (!base)
		return xstrdup(ref);
	auth = strstr(base, "://");
	if (!auth)
		return xstrdup(ref);
	if (ref[0] == '/' && ref[1] == '/')
		return xasprintf("%.*s%s", (int)(auth - base + 1), base, ref);
	auth += 3;
	path_start = auth + strcspn(auth, "/?#");
	if (ref[0] == '/')
		return xasprintf("%.*s%s", (int)(path_start - base), base, ref);
	if (ref[0] == '\0')
		return xstrdup(base);
	{
		/* Relative path: replace the last segment of base's path. */
		const char *end = path_start + strcspn(path_start, "?#");
		const char *slash = end;
		while (slash > path_start && slash[-1] != '/')
			slash--;
		if (slash == path_start)
			return xasprintf("%.*s/%s", (int)(path_start - base), base, ref);
		return xasprintf("%.*s%s", (int)(slash - base), base, ref);
	}
}

static void
pct_encode(strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			sb_addc(sb, (char)c);
		} else {
			sb_addc(sb, '%');
			sb_addc(sb, hex[c >> 4]);
			sb_addc(sb, hex[c & 15]);
		}
	}
}

char *
jmap_url_template(const char *tmpl, const char *const *names, const char *const *values, int n)
{
	strbuf sb = STRBUF_INIT;
	const char *p = tmpl;
	while (*p) {
		const char *close;
		if (*p != '{' || !(close = strchr(p, '}'))) {
			sb_addc(&sb, *p++);
			continue;
		}
		for (int i = 0; i < n; i++) {
			size_t len = strlen(names[i]);
			if ((size_t)(close - p - 1) == len && strncmp(p + 1, names[i], len) == 0) {
				pct_encode(&sb, values[i]);
				break;
			}
		}
		p = close + 1;
	}
	return sb_steal(&sb);
}
