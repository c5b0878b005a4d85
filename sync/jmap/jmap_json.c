#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "src/base/err.h"
#include "sync/jmap/jmap_json.h"
#include "src/base/err.h"
#include "src/base/util.h"

#define JMAP_MAX_SAFE 9007199254740991.0   /* 2^53 - 1 */

const char *
jmap_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

cJSON *
jmap_obj(const cJSON *obj, const char *key)
{
	cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
	return cJSON_IsObject(v) ? v : NULL;
}

cJSON *
jmap_arr(const cJSON *obj, const char *key)
{
	cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
	return cJSON_IsArray(v) ? v : NULL;
}

int
jmap_bool(const cJSON *obj, const char *key, int dflt)
{
	const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
	if (cJSON_IsTrue(v))
		return 1;
	if (cJSON_IsFalse(v))
		return 0;
	return dflt;
}

int
jmap_uint_value(const cJSON *v, uint64_t *out)
{
	double d;
	if (!cJSON_IsNumber(v))
		return TERN_EPROTO;
	d = v->valuedouble;
	if (!(d >= 0 && d <= JMAP_MAX_SAFE) || d != floor(d))
		return TERN_EPROTO;
	*out = (uint64_t)d;
	return TERN_OK;
}

int
jmap_uint(const cJSON *obj, const char *key, uint64_t *out)
{
	const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
	return jmap_uint_value(v, out);
}

cJSON *
jmap_raw_uint(uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRIu64, v);
	return cJSON_CreateRaw(buf);
}

void
jmap_add_uint(cJSON *obj, const char *key, uint64_t v)
{
	cJSON_AddItemToObject(obj, key, jmap_raw_uint(v));
}

int
jmap_id_valid(const char *s)
{
	size_t n = 0;
	if (!s)
		return 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
		if (n >= 255)
			return 0;
	}
	return n > 0;
}

const char *
jmap_id(const cJSON *obj, const char *key)
{
	const char *s = jmap_str(obj, key);
	return jmap_id_valid(s) ? s : NULL;
}

static int
digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int
jmap_date_parse(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	const char *p = s;

	if (!s)
		return TERN_EPROTO;
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d) || (*p != 'T' && *p != 't') || (p++, digits(&p, 2, &h)) ||
	    *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' || digits(&p, 2, &sec))
		return TERN_EPROTO;
	if (*p == '.') {   /* fractions of a second are dropped */
		p++;
		if (*p < '0' || *p > '9')
			return TERN_EPROTO;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om))
			return TERN_EPROTO;
	} else {
		return TERN_EPROTO;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
	    oh > 23 || om > 59)
		return TERN_EPROTO;
	*out = time_from_civil(y, mo, d, h, mi, sec, sign * (oh * 60 + om));
	return TERN_OK;
}
