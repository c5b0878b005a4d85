#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_contact.h"
#include "err.h"
#include "util.h"

/* LIKE with an escaped prefix: '%' and '_' typed by the user are literal. */
static char *
like_prefix(const char *p)
{
	size_t n = strlen(p);
	char *out = xmalloc(2 * n + 2), *o = out;
	for (; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '%';
	*o = 0;
	return out;
}

int
db_contact_complete(db *d, int64_t account_id, const char *prefix, int limit,
                    db_contact_cb cb, void *ctx)
{
	static const char sql[] =
		"SELECT addr, name FROM contact WHERE account_id = ?1"
		" AND (addr LIKE ?2 ESCAPE '\\' OR name LIKE ?2 ESCAPE '\\')"
		" ORDER BY uses DESC, last_used DESC LIMIT ?3";
	sqlite3_stmt *st = db_stmt(d, sql);
	char *pat;
	int rc;

	if (!st)
		return TERN_EDB;
	pat = like_prefix(prefix ? prefix : "");
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, pat, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1), ctx))
			break;
	sqlite3_reset(st);
	free(pat);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? TERN_OK : TERN_EDB;
}

int
db_contact_note_new(db *d)
{
	static const char sql[] =
		"INSERT INTO contact (account_id, addr, name, uses, last_used) "
		"SELECT m.account_id, m.from_addr, max(m.from_name), count(*), max(m.received_at) "
		"FROM search_pending p CROSS JOIN message m ON m.id = p.message_id WHERE m.from_addr <> '' "
		"GROUP BY m.account_id, m.from_addr COLLATE NOCASE "
		"ON CONFLICT (account_id, addr) DO UPDATE SET uses = uses + excluded.uses, "
		"name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END, "
		"last_used = max(last_used, excluded.last_used)";
	sqlite3_stmt *st = db_stmt(d, sql);
	return st ? db_step_done(d, st) : TERN_EDB;
}
