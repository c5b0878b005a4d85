/* HTTP for the JMAP engine: every transfer runs in one curl multi handle,
 * so an interrupt (curl_multi_wakeup, any thread) stops any of them at once
 * and the push stream keeps being read while API calls run. Basic or bearer auth, TLS
 * verified with the system store plus the account's ca_file, a connect
 * timeout and a stall timeout on every transfer, CURLOPT_NOSIGNAL. */
#ifndef TERN_JMAP_HTTP_H
#define TERN_JMAP_HTTP_H

#include <stddef.h>
#include <curl/curl.h>
#include "src/base/strbuf.h"
#include "sync/stop.h"

typedef struct jmap_http jmap_http;

/* Per-transfer completion, found through CURLOPT_PRIVATE. */
struct jmap_xfer {
	int done;
	CURLcode result;
};

/* ca_file may be NULL; timeout in seconds (> 0). bearer: the password is
 * an OAuth bearer token (RFC 6750), sent without the user name. The
 * strings are copied; the password is wiped on free. */
int jmap_http_new(const char *user, const char *password, int bearer, const char *ca_file, int timeout,
                  jmap_http **out, char **err);
void jmap_http_free(jmap_http *h);
/* Transfers end with TERN_ECANCELLED once *stop is non-zero (may be NULL). */
void jmap_http_set_stop(jmap_http *h, stop_flag *stop);
/* Any thread: makes the current or next pump return TERN_ECANCELLED. */
void jmap_http_interrupt(jmap_http *h);
/* Forget an earlier interrupt (start of an engine operation). */
void jmap_http_clear_interrupt(jmap_http *h);
int jmap_http_interrupted(jmap_http *h);

struct jmap_http_req {
	const char *url;
	const char *content_type;   /* POST with body when non-NULL */
	const char *body;
	size_t len;
	int no_auth;                /* send no credentials (another origin over http) */
	size_t max_response;        /* 0: default 512 MiB */
};
/* Redirects are not followed: the caller decides where credentials go
 * (jmap_session_fetch). */
struct jmap_http_resp {
	long status;
	strbuf body;
	char *content_type;         /* lower-cased, may be NULL */
	char *final_url;            /* the URL asked */
	char *location;             /* a 3xx answer's target, absolute; else NULL */
};
void jmap_http_resp_free(struct jmap_http_resp *r);

/* One request to completion. TERN_OK whenever an HTTP answer came (check
 * status); transport failures as TERN_ENET / ETIMEOUT / ETLS / ECANCELLED,
 * with *err (caller frees). */
int jmap_http_request(jmap_http *h, const struct jmap_http_req *rq, struct jmap_http_resp *out,
                      char **err);

/* For long-lived transfers (the EventSource stream): an easy handle set up
 * like the others but without an overall time limit; the caller sets the
 * write callback and adds it with jmap_http_add. */
CURL *jmap_http_easy(jmap_http *h, const char *url, struct jmap_xfer *x, int stream);
int jmap_http_add(jmap_http *h, CURL *e);
void jmap_http_remove(jmap_http *h, CURL *e);
/* Drives all transfers once, waiting up to timeout_ms for network activity
 * or for extra_fd (-1: none) to become readable (*extra_ready set). */
int jmap_http_pump(jmap_http *h, int extra_fd, int timeout_ms, int *extra_ready);
/* TERN_* class of a curl failure. */
int jmap_http_curl_err(CURLcode c);

/* ref resolved against base (RFC 3986 section 5.2, for the forms servers
 * use: absolute, //authority, /path, relative path). Caller frees. */
char *jmap_url_resolve(const char *base, const char *ref);
/* RFC 6570 level-1 expansion of {name} with the values percent-encoded
 * (RFC 8620 2: downloadUrl, uploadUrl, eventSourceUrl). names/values have n
 * entries; an unknown variable expands to "". Caller frees. */
char *jmap_url_template(const char *tmpl, const char *const *names, const char *const *values, int n);

#endif
