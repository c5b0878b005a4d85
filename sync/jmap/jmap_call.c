#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/jmap/jmap.h"
#include "sync/jmap/jmap_call.h"
#include "sync/jmap/jmap_json.h"
#include "src/base/util.h"

struct call {
	char *method;
	char id[16];
	cJSON *args;
};

struct resp {
	const char *name;
	const char *id;
	cJSON *args;
};

struct jmap_req {
	struct call *calls;
	int ncalls, cap;
	char **using;
	int nusing;
	cJSON **roots;             /* parsed HTTP responses */
	int nroots;
	struct resp *resps;
	int nresps, respcap;
};

static const struct {
	const char *name;
	enum jmap_merr_type type;
} merr_names[] = {
	{ "serverUnavailable", JMAP_MERR_SERVER_UNAVAILABLE },
	{ "serverFail", JMAP_MERR_SERVER_FAIL },
	{ "serverPartialFail", JMAP_MERR_SERVER_PARTIAL_FAIL },
	{ "unknownMethod", JMAP_MERR_UNKNOWN_METHOD },
	{ "invalidArguments", JMAP_MERR_INVALID_ARGUMENTS },
	{ "invalidResultReference", JMAP_MERR_INVALID_RESULT_REFERENCE },
	{ "forbidden", JMAP_MERR_FORBIDDEN },
	{ "accountNotFound", JMAP_MERR_ACCOUNT_NOT_FOUND },
	{ "accountNotSupportedByMethod", JMAP_MERR_ACCOUNT_NOT_SUPPORTED },
	{ "accountReadOnly", JMAP_MERR_ACCOUNT_READ_ONLY },
	{ "requestTooLarge", JMAP_MERR_REQUEST_TOO_LARGE },
	{ "cannotCalculateChanges", JMAP_MERR_CANNOT_CALCULATE_CHANGES },
	{ "stateMismatch", JMAP_MERR_STATE_MISMATCH },
	{ "anchorNotFound", JMAP_MERR_ANCHOR_NOT_FOUND },
	{ "unsupportedSort", JMAP_MERR_UNSUPPORTED_SORT },
	{ "unsupportedFilter", JMAP_MERR_UNSUPPORTED_FILTER },
	{ "tooManyChanges", JMAP_MERR_TOO_MANY_CHANGES },
};

jmap_req *
jmap_req_new(void)
{
	jmap_req *r = xcalloc(1, sizeof *r);
	jmap_req_use(r, "urn:ietf:params:jmap:core");
	jmap_req_use(r, "urn:ietf:params:jmap:mail");
	return r;
}

static void
drop_responses(jmap_req *r)
{
	for (int i = 0; i < r->nroots; i++)
		cJSON_Delete(r->roots[i]);
	free(r->roots);
	free(r->resps);
	r->roots = NULL;
	r->resps = NULL;
	r->nroots = r->nresps = r->respcap = 0;
}

void
jmap_req_free(jmap_req *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->ncalls; i++) {
		free(r->calls[i].method);
		cJSON_Delete(r->calls[i].args);
	}
	free(r->calls);
	for (int i = 0; i < r->nusing; i++)
		free(r->using[i]);
	free(r->using);
	drop_responses(r);
	free(r);
}

void
jmap_req_use(jmap_req *r, const char *capability)
{
	for (int i = 0; i < r->nusing; i++)
		if (strcmp(r->using[i], capability) == 0)
			return;
	r->using = xrealloc(r->using, (size_t)(r->nusing + 1) * sizeof *r->using);
	r->using[r->nusing++] = xstrdup(capability);
}

const char *
jmap_req_add(jmap_req *r, const char *method, cJSON *args)
{
	struct call *c;
	if (r->ncalls == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->calls = xrealloc(r->calls, (size_t)r->cap * sizeof *r->calls);
	}
	c = &r->calls[r->ncalls];
	c->method = xstrdup(method);
	snprintf(c->id, sizeof c->id, "c%d", r->ncalls);
	c->args = args;
	r->ncalls++;
	return c->id;
}

void
jmap_backref(cJSON *args, const char *key, const char *call_id, const char *name, const char *path)
{
	cJSON *ref = cJSON_CreateObject();
	char *k = xasprintf("#%s", key);
	cJSON_AddStringToObject(ref, "resultOf", call_id);
	cJSON_AddStringToObject(ref, "name", name);
	cJSON_AddStringToObject(ref, "path", path);
	cJSON_AddItemToObject(args, k, ref);
	free(k);
}

int
jmap_merr_class(enum jmap_merr_type t)
{
	switch (t) {
	case JMAP_MERR_NONE:
		return TERN_OK;
	case JMAP_MERR_SERVER_UNAVAILABLE:
	case JMAP_MERR_SERVER_PARTIAL_FAIL:
		return TERN_ENET;
	case JMAP_MERR_STATE_MISMATCH:
	case JMAP_MERR_CANNOT_CALCULATE_CHANGES:
	case JMAP_MERR_ANCHOR_NOT_FOUND:
		return TERN_ECONFLICT;
	case JMAP_MERR_FORBIDDEN:
	case JMAP_MERR_ACCOUNT_READ_ONLY:
	case JMAP_MERR_ACCOUNT_NOT_FOUND:
	case JMAP_MERR_ACCOUNT_NOT_SUPPORTED:
		return TERN_EREFUSED;
	default:
		return TERN_EPROTO;
	}
}

int
jmap_merr_about(const struct jmap_merr *me, const char *arg)
{
	const cJSON *args = jmap_arr(me->error, "arguments"), *a;
	if (!args)
		return 1;
	cJSON_ArrayForEach(a, args)
		if (cJSON_IsString(a) && strcmp(a->valuestring, arg) == 0)
			return 1;
	return 0;
}

int
jmap_merr_state_lost(const struct jmap_merr *me)
{
	return me->type == JMAP_MERR_CANNOT_CALCULATE_CHANGES ||
	       (me->type == JMAP_MERR_INVALID_ARGUMENTS && jmap_merr_about(me, "sinceState"));
}

char *
jmap_merr_text(const char *method, const struct jmap_merr *me)
{
	return xasprintf("%s: %s%s%s", method, me->name ? me->name : "error",
	                 me->description ? ": " : "", me->description ? me->description : "");
}

/* The index of the call whose id is id, or -1. */
static int
call_index(const jmap_req *r, const char *id)
{
	for (int i = 0; i < r->ncalls; i++)
		if (strcmp(r->calls[i].id, id) == 0)
			return i;
	return -1;
}

/* The earliest call that call i depends on through "#..." arguments,
 * following chains: splitting before it would break the reference. */
static void
compute_deps(const jmap_req *r, int *deps)
{
	for (int i = 0; i < r->ncalls; i++) {
		cJSON *a;
		deps[i] = i;
		cJSON_ArrayForEach(a, r->calls[i].args) {
			const char *of;
			int k;
			if (!a->string || a->string[0] != '#')
				continue;
			of = jmap_str(a, "resultOf");
			k = of ? call_index(r, of) : -1;
			if (k >= 0 && k < i && deps[k] < deps[i])
				deps[i] = deps[k];
		}
	}
}

int
jmap_req_split(const int *deps, int n, int limit, int *ends)
{
	int *sufmin = xmalloc((size_t)(n + 1) * sizeof *sufmin);
	int nchunks = 0, s = 0;

	sufmin[n] = n;
	for (int i = n - 1; i >= 0; i--)
		sufmin[i] = deps[i] < sufmin[i + 1] ? deps[i] : sufmin[i + 1];
	while (s < n) {
		int e = s + limit < n ? s + limit : n;
		/* A boundary at e is valid when nothing after it refers before it. */
		while (e > s && e < n && sufmin[e] < e)
			e--;
		if (e == s) {
			free(sufmin);
			return -1;
		}
		ends[nchunks++] = e;
		s = e;
	}
	free(sufmin);
	return nchunks;
}

static char *
request_json(const jmap_req *r, int from, int to)
{
	cJSON *root = cJSON_CreateObject(), *using = cJSON_AddArrayToObject(root, "using");
	cJSON *calls = cJSON_AddArrayToObject(root, "methodCalls");
	char *s;
	for (int i = 0; i < r->nusing; i++)
		cJSON_AddItemToArray(using, cJSON_CreateString(r->using[i]));
	for (int i = from; i < to; i++) {
		cJSON *c = cJSON_CreateArray();
		cJSON_AddItemToArray(c, cJSON_CreateString(r->calls[i].method));
		cJSON_AddItemReferenceToArray(c, r->calls[i].args);
		cJSON_AddItemToArray(c, cJSON_CreateString(r->calls[i].id));
		cJSON_AddItemToArray(calls, c);
	}
	s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return s;
}

/* RFC 8620 3.6.1: request-level errors are problem details (RFC 7807). */
static int
request_error(struct jmap *j, const struct jmap_http_resp *h, int *retry, char **err)
{
	cJSON *p = NULL;
	const char *type = NULL, *detail = NULL, *lim = NULL;
	int rc;

	if (h->status == 401 || h->status == 403) {
		*err = xasprintf("JMAP API: login refused (HTTP %ld)", h->status);
		return TERN_EAUTH;
	}
	if (h->status == 429 || h->status >= 500) {
		*err = xasprintf("JMAP API: server unavailable (HTTP %ld)", h->status);
		return TERN_ENET;
	}
	if (h->status == 404) {
		/* The apiUrl moved: fetch the session again next time. */
		j->session_stale = 1;
		*err = xstrdup("JMAP API: HTTP 404 (the session will be fetched again)");
		return TERN_ENET;
	}
	if (h->body.buf)
		p = cJSON_ParseWithLength(h->body.buf, h->body.len);
	type = jmap_str(p, "type");
	detail = jmap_str(p, "detail");
	lim = jmap_str(p, "limit");
	if (type && strcmp(type, "urn:ietf:params:jmap:error:limit") == 0 && lim &&
	    strcmp(lim, "maxCallsInRequest") == 0 && j->calls_limit > 1) {
		/* The server's real limit is lower than it advertised. */
		j->calls_limit /= 2;
		*retry = 1;
		rc = TERN_OK;
	} else {
		*err = xasprintf("JMAP API: HTTP %ld %s%s%s", h->status, type ? type : "(no problem type)",
		                 detail ? ": " : "", detail ? detail : "");
		rc = TERN_EPROTO;
	}
	cJSON_Delete(p);
	return rc;
}

static int
take_responses(struct jmap *j, jmap_req *r, cJSON *root, char **err)
{
	cJSON *list = jmap_arr(root, "methodResponses"), *item;
	const char *ss = jmap_str(root, "sessionState");

	if (!list) {
		*err = xstrdup("JMAP API: the response has no methodResponses");
		return TERN_EPROTO;
	}
	if (ss && j->sess && strcmp(ss, j->sess->state) != 0) {
		log_info("jmap %s: sessionState changed (%s -> %s): the session will be fetched again", j->acct->name,
		         j->sess->state, ss);
		j->session_stale = 1;
	}
	cJSON_ArrayForEach(item, list) {
		cJSON *name = cJSON_GetArrayItem(item, 0), *args = cJSON_GetArrayItem(item, 1);
		cJSON *id = cJSON_GetArrayItem(item, 2);
		if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) != 3 || !cJSON_IsString(name) ||
		    !cJSON_IsObject(args) || !cJSON_IsString(id)) {
			*err = xstrdup("JMAP API: a malformed method response");
			return TERN_EPROTO;
		}
		if (r->nresps == r->respcap) {
			r->respcap = r->respcap ? r->respcap * 2 : 16;
			r->resps = xrealloc(r->resps, (size_t)r->respcap * sizeof *r->resps);
		}
		r->resps[r->nresps++] = (struct resp){ name->valuestring, id->valuestring, args };
	}
	return TERN_OK;
}

/* Posts calls [from, to). *retry_from >= 0: the server refused a request
 * starting there as too big ("limit"); calls before it got answers. */
static int
post_chunk(struct jmap *j, jmap_req *r, int from, int to, const int *deps, int *retry_from, char **err)
{
	char *body = request_json(r, from, to);
	struct jmap_http_req rq = { .url = j->sess->api_url, .content_type = "application/json",
	                            .body = body, .len = strlen(body) };
	struct jmap_http_resp h;
	int rc, retry = 0;

	*retry_from = -1;
	if (strlen(body) > j->sess->max_size_request && to - from > 1) {
		/* Over maxSizeRequest: halves, at a boundary no reference crosses. */
		for (int mid = from + (to - from) / 2, d = 0; d < to - from; d++) {
			int b = d % 2 ? mid - (d + 1) / 2 : mid + d / 2;
			int ok = b > from && b < to;
			for (int i = b; ok && i < to; i++)
				ok = deps[i] >= b || deps[i] < from;   /* before from: resolved here */
			if (ok) {
				free(body);
				rc = post_chunk(j, r, from, b, deps, retry_from, err);
				if (rc == TERN_OK && *retry_from < 0)
					rc = post_chunk(j, r, b, to, deps, retry_from, err);
				return rc;
			}
		}
	}
	rc = jmap_http_request(j->http, &rq, &h, err);
	free(body);
	if (rc != TERN_OK)
		return rc;
	if (h.status != 200) {
		rc = request_error(j, &h, &retry, err);
		if (retry)
			*retry_from = from;
		jmap_http_resp_free(&h);
		return rc;
	}
	rc = jmap_req_take(j, r, h.body.buf ? h.body.buf : "", h.body.len, err);
	jmap_http_resp_free(&h);
	return rc;
}

int
jmap_req_take(struct jmap *j, jmap_req *r, const char *body, size_t len, char **err)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		*err = xstrdup("JMAP API: the response is not JSON");
		return TERN_EPROTO;
	}
	r->roots = xrealloc(r->roots, (size_t)(r->nroots + 1) * sizeof *r->roots);
	r->roots[r->nroots++] = root;
	return take_responses(j, r, root, err);
}

/* RFC 8620 3.7 JSON Pointer with "*" (map over an array, flattening
 * arrays): what the server would compute for a back-reference. A new node
 * (caller frees), or NULL if the path does not resolve. */
cJSON *
jmap_pointer_eval(const cJSON *node, const char *path)
{
	char tok[256];
	size_t n = 0;
	const char *p = path;
	if (!node)
		return NULL;
	if (*p == '\0')
		return cJSON_Duplicate(node, 1);
	if (*p++ != '/')
		return NULL;
	for (; *p && *p != '/'; p++) {
		char c = *p;
		if (c == '~' && (p[1] == '0' || p[1] == '1'))
			c = *++p == '0' ? '~' : '/';
		if (n + 1 >= sizeof tok)
			return NULL;
		tok[n++] = c;
	}
	tok[n] = '\0';
	if (strcmp(tok, "*") == 0 && cJSON_IsArray(node)) {
		cJSON *out = cJSON_CreateArray(), *it;
		cJSON_ArrayForEach(it, node) {
			cJSON *v = jmap_pointer_eval(it, p), *x;
			if (!v) {
				cJSON_Delete(out);
				return NULL;
			}
			if (cJSON_IsArray(v)) {
				while ((x = cJSON_DetachItemFromArray(v, 0)))
					cJSON_AddItemToArray(out, x);
				cJSON_Delete(v);
			} else {
				cJSON_AddItemToArray(out, v);
			}
		}
		return out;
	}
	if (cJSON_IsArray(node)) {
		char *end;
		long k = strtol(tok, &end, 10);
		if (*end || end == tok || k < 0)
			return NULL;
		return jmap_pointer_eval(cJSON_GetArrayItem(node, (int)k), p);
	}
	return cJSON_IsObject(node) ? jmap_pointer_eval(cJSON_GetObjectItemCaseSensitive(node, tok), p) : NULL;
}

/* Back-references of call i to calls before `from` (sent in an earlier
 * HTTP request) are resolved here, since the server no longer has those
 * results. TERN_ENOTFOUND if one does not resolve (the call it names
 * failed): the server would answer invalidResultReference. */
static int
resolve_earlier(jmap_req *r, int i, int from)
{
	cJSON *a = r->calls[i].args, *ref, *next;
	for (ref = a ? a->child : NULL; ref; ref = next) {
		const char *of, *name, *path;
		cJSON *res = NULL, *val;
		struct jmap_merr me;
		int k;
		next = ref->next;
		if (!ref->string || ref->string[0] != '#')
			continue;
		of = jmap_str(ref, "resultOf");
		name = jmap_str(ref, "name");
		path = jmap_str(ref, "path");
		k = of ? call_index(r, of) : -1;
		if (k < 0 || k >= from)
			continue;   /* same request: the server resolves it */
		if (!name || !path || jmap_req_result(r, of, name, &res, &me) != TERN_OK ||
		    !(val = jmap_pointer_eval(res, path)))
			return TERN_ENOTFOUND;
		cJSON_AddItemToObject(a, ref->string + 1, val);
		cJSON_DeleteItemFromObjectCaseSensitive(a, ref->string);
	}
	return TERN_OK;
}

int
jmap_req_send(struct jmap *j, jmap_req *r, char **err)
{
	int *deps = NULL, *sub = NULL, *ends = NULL, n, rc = TERN_OK, attempts = 0, start = 0;

	drop_responses(r);
	if (r->ncalls == 0)
		return TERN_OK;
	deps = xmalloc((size_t)r->ncalls * sizeof *deps);
	sub = xmalloc((size_t)r->ncalls * sizeof *sub);
	ends = xmalloc((size_t)r->ncalls * sizeof *ends);
	compute_deps(r, deps);
again:
	{
		/* The calls from start on; references to earlier ones (answered
		 * already) are resolved here, so they bind nothing. */
		int m = r->ncalls - start;
		uint64_t lim = j->calls_limit < (uint64_t)m ? j->calls_limit : (uint64_t)m;
		for (int i = 0; i < m; i++)
			sub[i] = deps[start + i] >= start ? deps[start + i] - start : i;
		n = jmap_req_split(sub, m, (int)lim, ends);
		if (n < 0) {
			/* A chain of references longer than maxCallsInRequest: plain
			 * chunks, the references that cross one resolved here. */
			int l = (int)(j->calls_limit > 0 ? j->calls_limit : 1);
			n = 0;
			for (int e = l; e - l < m; e += l)
				ends[n++] = e < m ? e : m;
		}
		for (int k = 0; k < n; k++)
			ends[k] += start;
	}
	for (int k = 0, s = start; k < n; s = ends[k++]) {
		int retry_from;
		for (int i = s; i < ends[k] && rc == TERN_OK; i++)
			rc = resolve_earlier(r, i, s);
		if (rc == TERN_ENOTFOUND) {
			/* What a call refers to failed: the calls from here on get no
			 * response, and the caller reads the failure itself. */
			rc = TERN_OK;
			goto out;
		}
		rc = post_chunk(j, r, s, ends[k], deps, &retry_from, err);
		if (rc == TERN_OK && retry_from >= 0) {
			/* Smaller requests from the refused one on; what was answered
			 * is not sent again (an Email/set or import would repeat). */
			if (attempts++ < 4) {
				start = retry_from;
				goto again;
			}
			*err = xstrdup("JMAP API: the server keeps refusing requests as too large (limit)");
			rc = TERN_EPROTO;
		}
		if (rc != TERN_OK)
			goto out;
	}
out:
	free(deps);
	free(sub);
	free(ends);
	return rc;
}

int
jmap_req_result(jmap_req *r, const char *call_id, const char *method, cJSON **args,
                struct jmap_merr *me)
{
	memset(me, 0, sizeof *me);
	*args = NULL;
	for (int i = 0; i < r->nresps; i++) {
		struct resp *p = &r->resps[i];
		if (strcmp(p->id, call_id) != 0)
			continue;
		if (strcmp(p->name, "error") == 0) {
			const char *t = jmap_str(p->args, "type");
			me->type = JMAP_MERR_OTHER;
			me->name = t ? t : "error";
			me->description = jmap_str(p->args, "description");
			me->error = p->args;
			for (size_t k = 0; t && k < ARRAY_LEN(merr_names); k++)
				if (strcmp(t, merr_names[k].name) == 0)
					me->type = merr_names[k].type;
			return jmap_merr_class(me->type);
		}
		if (strcmp(p->name, method) == 0) {
			*args = p->args;
			return TERN_OK;
		}
	}
	me->type = JMAP_MERR_OTHER;
	me->name = "noResponse";
	me->description = "the server sent no response to this call";
	return TERN_EPROTO;
}
