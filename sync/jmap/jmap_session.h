/* The JMAP session resource (RFC 8620 section 2): where the API lives, what
 * the server allows per request, and the account to sync. */
#ifndef TERN_JMAP_SESSION_H
#define TERN_JMAP_SESSION_H

#include <stdint.h>
#include "sync/jmap/jmap_http.h"

struct jmap_session {
	char *url;                 /* the session URL after redirects */
	char *api_url;             /* absolute (resolved against url) */
	char *download_url;        /* templates, absolute */
	char *upload_url;
	char *event_source_url;    /* NULL: no push */
	char *state;               /* compared with each response's sessionState */
	char *account_id;          /* primary account for urn:ietf:params:jmap:mail */
	char *username;
	uint64_t max_objects_in_get;
	uint64_t max_objects_in_set;
	uint64_t max_calls_in_request;
	uint64_t max_size_request;
	uint64_t max_size_upload;
	int has_submission;        /* urn:ietf:params:jmap:submission for the account */
};

/* GETs url (following redirects) and parses it. TERN_EAUTH on 401/403,
 * TERN_EPROTO when something required is missing or mistyped, else the
 * transport's code; *err (caller frees) says what. acct_name names the
 * account in the log. */
int jmap_session_fetch(jmap_http *h, const char *acct_name, const char *url, struct jmap_session **out,
                       char **err);
/* The same checks on an already fetched body (tests). */
int jmap_session_parse(const char *final_url, const char *json, size_t len,
                       struct jmap_session **out, char **err);
void jmap_session_free(struct jmap_session *s);

#endif
