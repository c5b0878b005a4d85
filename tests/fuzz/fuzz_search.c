/* A search query as typed (or pasted) by the user, through the parser and
 * every translation: the canonical form, the IMAP search keys, a JMAP
 * filter, and the error message with its caret line. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/search/search.h"
#include "sync/imap/imap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *
resolve(const char *name_or_role, void *ctx)
{
	(void)ctx;
	return strcmp(name_or_role, "inbox") == 0 ? "Minbox" : NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct search_error e = { 0 };
	search_query *q = NULL;

	memcpy(text, data, size);
	text[size] = '\0';
	if (search_parse(text, 1700000000, &q, &e) == 0) {
		free(search_query_to_string(q));
		(void)search_query_has_text(q);
		struct mailimap_search_key *k;
		/* The IMAP keys as the engine builds them (imap_search_key_new). */
		if ((k = imap_search_key_new(q, "INBOX", "inbox")))
			mailimap_search_key_free(k);
		if ((k = imap_search_key_new(q, "Archive", NULL)))
			mailimap_search_key_free(k);
		free(search_query_to_jmap(q, resolve, NULL));
		search_query_free(q);
	} else {
		free(search_error_format(text, &e));
		search_error_free(&e);
	}
	free(text);
	return 0;
}
