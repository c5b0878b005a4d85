/* The search query language (doc/SEARCH.md): parsing, and translation to the
 * server's own search (IMAP SEARCH keys, JMAP Email/query filter). The
 * local index side is db/db_search.h. A parsed query is immutable: several
 * threads may translate the same one. */
#ifndef TERN_SEARCH_H
#define TERN_SEARCH_H

#include <stdint.h>

typedef struct search_query search_query;

/* Where a query went wrong: byte offset and length in the query text. */
struct search_error {
	int pos;
	int len;
	char *message;            /* caller frees (search_error_free) */
};

/* Parses text. now anchors relative dates (7d, 2w, 3m, 1y); absolute dates
 * are local midnight. TERN_EINVAL with *err filled on a bad query. */
int search_parse(const char *text, int64_t now, search_query **out, struct search_error *err);
void search_query_free(search_query *q);
void search_error_free(struct search_error *err);

/* "message at column N" plus the query and a caret line under the offending
 * part, ready for a terminal (text sanitised). Caller frees. */
char *search_error_format(const char *text, const struct search_error *err);

/* A canonical S-expression of the query: stable across spellings of the
 * same query (case of keys, extra spaces), so it keys stored server results
 * and tests compare it. Caller frees. */
char *search_query_to_string(const search_query *q);

/* Whether the query looks at text (words, phrases, from:, body: ...): only
 * then can the server find something the local index did not. */
int search_query_has_text(const search_query *q);

/* The IMAP translator is imap_search_key_new() (sync/imap.h): libetpan's
 * key tree, which is what UID SEARCH sends. */

/* Resolves an in: value (name or role) to a JMAP mailbox id; NULL if the
 * account has no such mailbox. The result is the resolver's to keep. */
typedef const char *(*search_mailbox_resolver)(const char *name_or_role, void *ctx);
/* A JMAP Email/query "filter" (RFC 8621 4.4.1: FilterCondition or
 * FilterOperator) as JSON text. Caller frees. */
char *search_query_to_jmap(const search_query *q, search_mailbox_resolver resolve, void *ctx);

#endif
