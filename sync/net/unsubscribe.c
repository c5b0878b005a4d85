#include "config.h"

#include <curl/curl.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "src/base/err.h"
#include "src/base/log.h"
#include "src/base/util.h"
#include "sync/net/unsubscribe.h"

/* The answer's body is of no use: dropped, not printed to stdout. */
static size_t
discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

struct stop_check {
	int (*stopping)(void *);
	void *arg;
};

/* A worker told to stop returns within a second, not after the timeout. */
static int
progress(void *p, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct stop_check *s = p;
	(void)a; (void)b; (void)c; (void)d;
	return s->stopping && s->stopping(s->arg);
}

int
unsubscribe_post(const struct account_cfg *acct, const char *url, int (*stopping)(void *), void *arg,
                 char **err)
{
	struct stop_check stop = { stopping, arg };
	static const char body[] = "List-Unsubscribe=One-Click";
	CURL *c = NULL;
	struct curl_slist *hdr = NULL;
	char ebuf[CURL_ERROR_SIZE] = "";
	long code = 0, secs = acct->timeout > 0 ? acct->timeout : 30;
	CURLcode cr;
	int rc = TERN_OK;

	*err = NULL;
	if (!url || strncasecmp(url, "https://", 8) != 0) {
		*err = xstrdup("a one-click unsubscribe needs an https: URL");
		return TERN_EINVAL;
	}
	if (!(c = curl_easy_init())) {
		*err = xstrdup("cannot start curl");
		return TERN_ENOMEM;
	}
	hdr = curl_slist_append(hdr, "Content-Type: application/x-www-form-urlencoded");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tern/" PACKAGE_VERSION);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (acct->ca_file) {
		/* CAINFO replaces the default store: name the system directory too. */
		curl_easy_setopt(c, CURLOPT_CAINFO, acct->ca_file);
		if (access("/etc/ssl/certs", R_OK) == 0)
			curl_easy_setopt(c, CURLOPT_CAPATH, "/etc/ssl/certs");
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)(sizeof body - 1));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, secs);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, secs * 2);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &stop);
	cr = curl_easy_perform(c);
	if (cr != CURLE_OK) {
		rc = cr == CURLE_ABORTED_BY_CALLBACK ? TERN_ECANCELLED :
		     cr == CURLE_OPERATION_TIMEDOUT ? TERN_ETIMEOUT :
		     cr == CURLE_PEER_FAILED_VERIFICATION || cr == CURLE_SSL_CONNECT_ERROR ||
		     cr == CURLE_SSL_CACERT_BADFILE ? TERN_ETLS : TERN_ENET;
		*err = xasprintf("%s", *ebuf ? ebuf : curl_easy_strerror(cr));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code > 299) {
		rc = TERN_EREFUSED;
		*err = xasprintf("the server answered HTTP %ld", code);
	}
out:
	/* The host only: the URL's path is a token that identifies the user. */
	log_info("unsubscribe: POST to %.*s: %s", (int)strcspn(url + 8, "/?#"), url + 8,
	         rc == TERN_OK ? "done" : *err);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	return rc;
}
