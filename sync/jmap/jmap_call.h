/* JMAP requests (RFC 8620 section 3): method calls collected into a
 * request, sent in as many HTTP requests as maxCallsInRequest and
 * maxSizeRequest need (not splitting a back-reference from its target where
 * possible, else resolving it here), and responses matched by call id. */
#ifndef TERN_JMAP_CALL_H
#define TERN_JMAP_CALL_H

#include <stddef.h>
#include <cjson/cJSON.h>

struct jmap;
typedef struct jmap_req jmap_req;

/* Method-level errors (RFC 8620 3.6.2, RFC 8621). */
enum jmap_merr_type {
	JMAP_MERR_NONE = 0,
	JMAP_MERR_SERVER_UNAVAILABLE,
	JMAP_MERR_SERVER_FAIL,
	JMAP_MERR_SERVER_PARTIAL_FAIL,
	JMAP_MERR_UNKNOWN_METHOD,
	JMAP_MERR_INVALID_ARGUMENTS,
	JMAP_MERR_INVALID_RESULT_REFERENCE,
	JMAP_MERR_FORBIDDEN,
	JMAP_MERR_ACCOUNT_NOT_FOUND,
	JMAP_MERR_ACCOUNT_NOT_SUPPORTED,
	JMAP_MERR_ACCOUNT_READ_ONLY,
	JMAP_MERR_REQUEST_TOO_LARGE,
	JMAP_MERR_CANNOT_CALCULATE_CHANGES,
	JMAP_MERR_STATE_MISMATCH,
	JMAP_MERR_ANCHOR_NOT_FOUND,
	JMAP_MERR_UNSUPPORTED_SORT,
	JMAP_MERR_UNSUPPORTED_FILTER,
	JMAP_MERR_TOO_MANY_CHANGES,
	JMAP_MERR_OTHER
};

struct jmap_merr {
	enum jmap_merr_type type;
	const char *name;          /* the server's "type" (owned by the request) */
	const char *description;   /* may be NULL */
	const cJSON *error;        /* the whole error object (owned by the request), or NULL */
};

jmap_req *jmap_req_new(void);
void jmap_req_free(jmap_req *r);
/* Adds a capability to "using" (core and mail are always there). */
void jmap_req_use(jmap_req *r, const char *capability);
/* Adds a call; r takes args. Returns its call id (owned by r). */
const char *jmap_req_add(jmap_req *r, const char *method, cJSON *args);
/* Adds "#key": {resultOf, name, path} to args (RFC 8620 3.7). */
void jmap_backref(cJSON *args, const char *key, const char *call_id, const char *name,
                  const char *path);
/* Posts the calls. TERN_OK when every HTTP request got a JMAP response
 * (method errors are read per call); request-level errors
 * (urn:ietf:params:jmap:error:*) and transport failures as TERN_*. A
 * changed sessionState marks the session stale. */
int jmap_req_send(struct jmap *j, jmap_req *r, char **err);
/* One HTTP 200 body of the API: its method responses join r's, which
 * keeps the parsed JSON. What jmap_req_send does with each answer (the fuzz
 * harness calls it directly). TERN_EPROTO for a body that is not one. */
int jmap_req_take(struct jmap *j, jmap_req *r, const char *body, size_t len, char **err);
/* The response of call_id named method ("Email/get"; a call can have
 * several). TERN_OK with *args (owned by r); for an "error" response the
 * TERN_* class of the error and *me; TERN_EPROTO if there is none. */
int jmap_req_result(jmap_req *r, const char *call_id, const char *method, cJSON **args,
                    struct jmap_merr *me);
/* The TERN_* class of a method error. */
int jmap_merr_class(enum jmap_merr_type t);
/* Whether an invalidArguments error is about argument arg: it lists it in
 * "arguments", or lists none (the property is optional). */
int jmap_merr_about(const struct jmap_merr *me, const char *arg);
/* Whether a Foo/changes error means the state we sent is lost to the
 * server (cannotCalculateChanges, or invalidArguments about sinceState, as
 * Cyrus answers a state it cannot read): the caller reloads everything.
 * Any other invalidArguments is a plain error. */
int jmap_merr_state_lost(const struct jmap_merr *me);
/* "stateMismatch: description" for logs and queue rows. Caller frees. */
char *jmap_merr_text(const char *method, const struct jmap_merr *me);

/* RFC 8620 3.7 JSON Pointer with "*", as a server evaluates a
 * back-reference (used when a chain of references is longer than
 * maxCallsInRequest and is resolved here). A new node, or NULL. */
cJSON *jmap_pointer_eval(const cJSON *node, const char *path);

/* For tests: the chunk sizes a request of n calls with the given
 * back-reference targets (deps[i] = index of the earliest call i refers
 * to, or i) would be split into under limit. Returns the number of chunks
 * (ends[k] = one past the last call of chunk k), or -1 if a chain of
 * back-references is longer than limit. */
int jmap_req_split(const int *deps, int n, int limit, int *ends);

#endif
