/* Process-wide set-up of the protocol libraries, once, before any thread. */
#include "config.h"

#include <curl/curl.h>
#include <libetpan/libetpan.h>

#include "src/base/err.h"
#include "sync/sync.h"

static MMAPString *pinned;

int
sync_global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return TERN_EIO;
	/* libetpan registers every IMAP literal it parses in one global hash
	 * table and frees the table whenever it becomes empty, only to build it
	 * again for the next literal: tens of thousands of times in a first
	 * sync (a fifth of its CPU). One string kept registered keeps the
	 * table alive. */
	pinned = mmap_string_new("");
	if (pinned && mmap_string_ref(pinned) != 0) {
		mmap_string_free(pinned);
		pinned = NULL;
	}
	return TERN_OK;
}

void
sync_global_cleanup(void)
{
	if (pinned) {
		mmap_string_unref(pinned->str);
		pinned = NULL;
	}
	curl_global_cleanup();
}
