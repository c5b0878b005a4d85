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

/* libetpan's writers of UID SEARCH, which production's mailimap_uid_search()
 * and mailimap_uid_search_literalplus() call: exported, not declared. */
int mailimap_uid_search_send(mailstream *fd, const char *charset, struct mailimap_search_key *key);
int mailimap_uid_search_literalplus_send(mailstream *fd, const char *charset,
                                         struct mailimap_search_key *key);

/* A stream that takes every byte and keeps none. */
static ssize_t sink_write(mailstream_low *l, const void *b, size_t n) { (void)l, (void)b; return (ssize_t)n; }
static ssize_t sink_read(mailstream_low *l, void *b, size_t n) { (void)l, (void)b, (void)n; return -1; }
static int sink_close(mailstream_low *l) { (void)l; return 0; }
static int sink_fd(mailstream_low *l) { (void)l; return -1; }
static void sink_free(mailstream_low *l) { free(l); }
static mailstream_low_driver sink_driver = {
	.mailstream_read = sink_read, .mailstream_write = sink_write, .mailstream_close = sink_close,
	.mailstream_get_fd = sink_fd, .mailstream_free = sink_free,
};

/* The key as the engine builds it, written as it goes to the server with
 * and without LITERAL+ (libetpan decides literal, quoted or atom). */
static void
imap_keys(const search_query *q, const char *name, const char *role)
{
	struct mailimap_search_key *k = imap_search_key_new(q, name, role);
	mailstream_low *low;
	mailstream *st;

	if (!k)
		return;
	if ((low = mailstream_low_new(NULL, &sink_driver)) && (st = mailstream_new(low, 8192))) {
		mailimap_uid_search_send(st, "UTF-8", k);
		mailimap_uid_search_literalplus_send(st, NULL, k);
		mailstream_flush(st);
		mailstream_close(st);
	} else if (low) {
		mailstream_low_free(low);
	}
	mailimap_search_key_free(k);
}

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
		imap_keys(q, "INBOX", "inbox");
		imap_keys(q, "Archive", NULL);
		free(search_query_to_jmap(q, resolve, NULL));
		search_query_free(q);
	} else {
		free(search_error_format(text, &e));
		search_error_free(&e);
	}
	free(text);
	return 0;
}
