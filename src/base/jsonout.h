/* A minimal JSON writer for the CLI's --json lines (one object per line).
 * Integers are printed exactly (cJSON rounds above 2^53 / prints 1e+15). */
#ifndef TERN_JSONOUT_H
#define TERN_JSONOUT_H

#include <stdint.h>
#include "src/base/strbuf.h"

void json_begin(strbuf *sb);                 /* "{" */
void json_end(strbuf *sb);                   /* "}" */
void json_str(strbuf *sb, const char *key, const char *val);   /* NULL -> null */
void json_int(strbuf *sb, const char *key, int64_t val);
void json_bool(strbuf *sb, const char *key, int val);
void json_null(strbuf *sb, const char *key);
/* Appends s as a JSON string literal (quotes included), escaping control
 * characters and invalid UTF-8 bytes (as U+FFFD). */
void json_quote(strbuf *sb, const char *s);

#endif
