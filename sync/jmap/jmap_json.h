/* Reading untrusted JMAP JSON (every value type-checked before use) and
 * writing the numbers cJSON would print wrongly. Getters return NULL / an
 * error for a missing key and for a value of the wrong type alike. */
#ifndef TERN_JMAP_JSON_H
#define TERN_JMAP_JSON_H

#include <stdint.h>
#include <cjson/cJSON.h>

/* The string at key, or NULL. */
const char *jmap_str(const cJSON *obj, const char *key);
/* The object / array at key, or NULL. */
cJSON *jmap_obj(const cJSON *obj, const char *key);
cJSON *jmap_arr(const cJSON *obj, const char *key);
/* 1 for true, 0 for false, dflt if absent or not a boolean. */
int jmap_bool(const cJSON *obj, const char *key, int dflt);

/* RFC 8620 1.3 UnsignedInt: an integer 0 <= n <= 2^53-1. cJSON keeps numbers
 * as doubles, exact up to 2^53; valueint saturates at INT_MAX, so it is
 * never read. TERN_OK, or TERN_EPROTO for anything else. */
int jmap_uint_value(const cJSON *v, uint64_t *out);
int jmap_uint(const cJSON *obj, const char *key, uint64_t *out);

/* A number node that prints exactly: cJSON prints through %1.15g
 * (9007199254740991 comes out as 9.00719925474099e+15), so integers are
 * emitted as raw text. */
cJSON *jmap_raw_uint(uint64_t v);
void jmap_add_uint(cJSON *obj, const char *key, uint64_t v);

/* RFC 8620 1.2 Id: 1-255 octets of URL-safe base64 characters. Ids end up
 * in URLs and patch paths ("mailboxIds/<id>"), so others are refused. */
int jmap_id_valid(const char *s);
/* The id at key if it is a valid Id, else NULL. */
const char *jmap_id(const cJSON *obj, const char *key);

/* RFC 3339 date-time (UTCDate or Date with an offset) to unix seconds.
 * TERN_OK or TERN_EPROTO. */
int jmap_date_parse(const char *s, int64_t *out);

#endif
