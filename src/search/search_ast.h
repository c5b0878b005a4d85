/* The parsed form of a search query, for the translators only (db_search.c,
 * search_jmap.c, sync/imap_search.c): callers outside use src/search.h. */
#ifndef TERN_SEARCH_AST_H
#define TERN_SEARCH_AST_H

#include <stddef.h>
#include <stdint.h>
#include "src/search/search.h"

enum search_kind {
	SK_AND,          /* every kid */
	SK_OR,           /* any kid */
	SK_NOT,          /* kids[0] does not match */
	SK_TEXT,         /* field, text, phrase, prefix */
	SK_IN,           /* text: mailbox name or role */
	SK_UNREAD,
	SK_READ,
	SK_FLAGGED,
	SK_ATTACHMENT,
	SK_BEFORE,       /* received before value (unix seconds) */
	SK_AFTER,        /* received at or after value */
	SK_LARGER,       /* size > value bytes */
	SK_SMALLER       /* size < value bytes */
};

enum search_field {
	SF_ANY,          /* a bare word: any field below */
	SF_FROM,
	SF_TO,
	SF_CC,
	SF_SUBJECT,
	SF_BODY
};

struct search_node {
	enum search_kind kind;
	enum search_field field;
	char *text;               /* SK_TEXT (as typed, unquoted), SK_IN */
	int phrase;               /* SK_TEXT: typed in quotes */
	int prefix;               /* SK_TEXT: word* */
	int64_t value;            /* dates and sizes */
	struct search_node **kids;
	size_t nkids;
	int pos, len;             /* where it is in the query text */
};

struct search_query {
	struct search_node *root;
};

#endif
