/* A parsed query as a JMAP Email/query filter (RFC 8621 4.4.1). */
#include "config.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "src/search/search_ast.h"
#include "src/base/util.h"

struct jmap_ctx {
	search_mailbox_resolver resolve;
	void *ctx;
};

static cJSON *
cond(const char *key, const char *val)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, key, val);
	return o;
}

/* cJSON prints integers through %g (rounding above 2^53, "1e+15"): write
 * UnsignedInt values ourselves. */
static cJSON *
cond_int(const char *key, int64_t v)
{
	char buf[32];
	cJSON *o = cJSON_CreateObject();
	snprintf(buf, sizeof buf, "%" PRId64, v < 0 ? 0 : v);
	cJSON_AddItemToObject(o, key, cJSON_CreateRaw(buf));
	return o;
}

static cJSON *
op(const char *name)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "operator", name);
	cJSON_AddItemToObject(o, "conditions", cJSON_CreateArray());
	return o;
}

static cJSON *
utc_date(const char *key, int64_t t)
{
	char buf[32];
	time_rfc3339(t, buf, sizeof buf);
	return cond(key, buf);
}

static cJSON *
filter(const struct search_node *n, const struct jmap_ctx *c)
{
	static const char *const keys[] = { "text", "from", "to", "cc", "subject", "body" };
	cJSON *o;
	switch (n->kind) {
	case SK_AND:
	case SK_OR:
	case SK_NOT:
		o = op(n->kind == SK_AND ? "AND" : n->kind == SK_OR ? "OR" : "NOT");
		for (size_t k = 0; k < n->nkids; k++)
			cJSON_AddItemToArray(cJSON_GetObjectItem(o, "conditions"), filter(n->kids[k], c));
		return o;
	case SK_TEXT:
		return cond(keys[n->field], n->text);
	case SK_IN: {
		const char *id = c->resolve ? c->resolve(n->text, c->ctx) : NULL;
		if (id)
			return cond("inMailbox", id);
		/* No such mailbox in this account: nothing can match. The empty
		 * condition matches everything, so its negation matches nothing. */
		o = op("NOT");
		cJSON_AddItemToArray(cJSON_GetObjectItem(o, "conditions"), cJSON_CreateObject());
		return o;
	}
	case SK_UNREAD: return cond("notKeyword", "$seen");
	case SK_READ: return cond("hasKeyword", "$seen");
	case SK_FLAGGED: return cond("hasKeyword", "$flagged");
	case SK_ATTACHMENT:
		o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "hasAttachment", 1);
		return o;
	case SK_BEFORE: return utc_date("before", n->value);
	case SK_AFTER: return utc_date("after", n->value);
	/* minSize: size >= value; maxSize: size < value (RFC 8621 4.4.1). */
	case SK_LARGER: return cond_int("minSize", n->value + 1);
	case SK_SMALLER: return cond_int("maxSize", n->value);
	}
	return cJSON_CreateObject();
}

char *
search_query_to_jmap(const search_query *q, search_mailbox_resolver resolve, void *ctx)
{
	struct jmap_ctx c = { resolve, ctx };
	cJSON *f = filter(q->root, &c);
	char *json = cJSON_PrintUnformatted(f);
	char *out = xstrdup(json);
	cJSON_free(json);
	cJSON_Delete(f);
	return out;
}
