#include "config.h"

#include <stdlib.h>

#include "db/db_body.h"
#include "db/db_message.h"
#include "db/db_search.h"
#include "src/base/err.h"
#include "src/mime/mime_render.h"

/* The search index's body text from raw, and the cached body too when
 * put, in one transaction. */
static int
store(db *d, int64_t msg_id, const char *raw, size_t len, int put)
{
	/* Decoded before the transaction: MIME work holds no lock. */
	char *text = mime_text_for_index(raw, len);
	int rc;

	if ((rc = db_begin(d)) != TERN_OK)
		goto out;
	if ((put && (rc = db_body_put(d, msg_id, raw, len)) != TERN_OK) ||
	    (rc = db_search_index_body(d, msg_id, text)) != TERN_OK) {
		db_rollback(d);
		goto out;
	}
	rc = db_commit(d);
out:
	free(text);
	return rc;
}

int
body_store(db *d, int64_t msg_id, const char *raw, size_t len)
{
	return store(d, msg_id, raw, len, 1);
}

int
body_index_text(db *d, int64_t msg_id, const char *raw, size_t len)
{
	return store(d, msg_id, raw, len, 0);
}

int
body_reindex(db *d, int max, int *left)
{
	int64_t ids[32];
	int n = 0, rc = TERN_OK, done = 0;

	*left = 0;
	while (done < max && rc == TERN_OK) {
		int want = max - done < 32 ? max - done : 32;
		if ((rc = db_search_reindex_next(d, ids, want, &n)) != TERN_OK || n == 0)
			break;
		for (int i = 0; i < n && rc == TERN_OK; i++) {
			char *raw = NULL, *text = NULL;
			size_t len = 0;
			if ((rc = db_body_get(d, ids[i], &raw, &len)) == TERN_OK)
				text = mime_text_for_index(raw, len);
			if ((rc == TERN_OK || rc == TERN_ENOTFOUND) && (rc = db_begin(d)) == TERN_OK) {
				if ((!text || (rc = db_search_index_body(d, ids[i], text)) == TERN_OK) &&
				    (rc = db_search_reindex_done(d, ids[i])) == TERN_OK)
					rc = db_commit(d);
				else
					db_rollback(d);
			}
			free(text);
			free(raw);
			done++;
		}
		*left = n == want;
	}
	return rc;
}
