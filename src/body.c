#include "config.h"

#include "body.h"
#include "db/db_message.h"
#include "err.h"

int
body_store(db *d, int64_t msg_id, const char *raw, size_t len)
{
	int rc;
	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	if ((rc = db_body_put(d, msg_id, raw, len)) != TERN_OK) {
		db_rollback(d);
		return rc;
	}
	return db_commit(d);
}
