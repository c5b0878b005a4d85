#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_contact.h"
#include "db/db_int.h"
#include "db/db_schema.h"
#include "src/base/err.h"
#include "src/base/fold.h"
#include "src/base/log.h"
#include "src/mime/mime.h"
#include "src/base/util.h"

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
		" AND (addr LIKE ?2 ESCAPE '\\' OR tern_fold(name) LIKE ?4 ESCAPE '\\')"
		" ORDER BY uses DESC, last_used DESC LIMIT ?3";
	sqlite3_stmt *st = db_stmt(d, sql);
	char *pat, *folded, *fpat;
	int rc;

	if (!st)
		return TERN_EDB;
	pat = like_prefix(prefix ? prefix : "");
	/* LIKE ignores ASCII case only: names are compared folded, so "élo"
	 * completes "Éloïse". */
	folded = fold_case(prefix);
	fpat = like_prefix(folded);
	free(folded);
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, pat, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, limit);
	sqlite3_bind_text(st, 4, fpat, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (cb((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1), ctx))
			break;
	sqlite3_reset(st);
	free(pat);
	free(fpat);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? TERN_OK : TERN_EDB;
}

/* Recipients are parsed in C and staged in a temporary table, then counted
 * into contact by one grouped upsert, as the senders are. */
static int
stage_open(db *d)
{
	return db_exec(d, "CREATE TEMP TABLE IF NOT EXISTS contact_stage ("
	                  " account_id INTEGER NOT NULL, addr TEXT NOT NULL, name TEXT NOT NULL, at INTEGER NOT NULL)");
}

static int
stage_list(db *d, int64_t account_id, const char *value, int64_t at)
{
	static const char sql[] = "INSERT INTO temp.contact_stage (account_id, addr, name, at) VALUES (?, ?, ?, ?)";
	struct mail_addr_list l;
	int rc = TERN_OK;

	mail_addr_parse(value, &l);
	for (size_t i = 0; i < l.n && rc == TERN_OK; i++) {
		sqlite3_stmt *st;
		/* An unparsable item is kept as an "address": only real ones count. */
		if (!strchr(l.v[i].addr, '@'))
			continue;
		if (!(st = db_stmt(d, sql))) {
			rc = TERN_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, account_id);
		sqlite3_bind_text(st, 2, l.v[i].addr, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, l.v[i].name ? l.v[i].name : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, at);
		rc = db_step_done(d, st);
	}
	mail_addr_free(&l);
	return rc;
}

static int
stage_count(db *d)
{
	static const char sql[] =
		"INSERT INTO contact (account_id, addr, name, uses, last_used) "
		"SELECT account_id, addr, max(name), count(*), max(at) FROM temp.contact_stage "
		"GROUP BY account_id, addr COLLATE NOCASE "
		"ON CONFLICT (account_id, addr) DO UPDATE SET uses = uses + excluded.uses, "
		"name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END, "
		"last_used = max(last_used, excluded.last_used)";
	static const char clear[] = "DELETE FROM temp.contact_stage";
	sqlite3_stmt *st;
	if (!(st = db_stmt(d, sql)) || db_step_done(d, st) != TERN_OK || !(st = db_stmt(d, clear)))
		return TERN_EDB;
	return db_step_done(d, st);
}

/* The new messages that are ours and not counted when queued. */
static int
note_own_new(db *d)
{
	/* CROSS JOIN keeps search_pending (this commit's messages) the outer
	 * loop: left to itself SQLite scans the whole message table, once per
	 * commit, which made a first sync quadratic. */
	static const char own[] =
		"SELECT m.account_id, m.to_list, m.cc_list, m.received_at "
		"FROM search_pending p CROSS JOIN message m ON m.id = p.message_id "
		"CROSS JOIN account a ON a.id = m.account_id "
		"WHERE m.draft = 0 AND (m.from_addr = a.email COLLATE NOCASE AND a.email <> '' "
		"  OR EXISTS (SELECT 1 FROM message_mailbox mm JOIN mailbox b ON b.id = mm.mailbox_id "
		"             WHERE mm.message_id = m.id AND b.role = 'sent')) "
		"AND NOT EXISTS (SELECT 1 FROM contact_sent s WHERE s.account_id = m.account_id "
		"                AND s.message_id = m.message_id)";
	static const char forget[] =
		"DELETE FROM contact_sent WHERE noted_at < ?1 OR (account_id, message_id) IN "
		"(SELECT m.account_id, m.message_id FROM search_pending p CROSS JOIN message m ON m.id = p.message_id "
		" WHERE m.message_id IS NOT NULL)";
	sqlite3_stmt *st;
	int s, rc = TERN_OK, staged = 0;

	/* Before the SELECT: no table can be created while a statement runs. */
	if (stage_open(d) != TERN_OK || !(st = db_stmt(d, own)))
		return TERN_EDB;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t acct = sqlite3_column_int64(st, 0), at = sqlite3_column_int64(st, 3);
		/* Copied: staging steps other statements while this one is open. */
		char *to = xstrdup((const char *)sqlite3_column_text(st, 1));
		char *cc = xstrdup((const char *)sqlite3_column_text(st, 2));
		staged++;
		rc = stage_list(d, acct, to, at);
		if (rc == TERN_OK)
			rc = stage_list(d, acct, cc, at);
		free(to);
		free(cc);
		if (rc != TERN_OK)
			break;
	}
	if (rc == TERN_OK && s != SQLITE_DONE) {
		log_error("db: own messages for the address book: %s", sqlite3_errmsg(db_sqlite(d)));
		rc = TERN_EDB;
	}
	sqlite3_reset(st);
	if (rc == TERN_OK && staged)
		rc = stage_count(d);
	if (rc != TERN_OK || !(st = db_stmt(d, forget)))
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, time_now() - 90 * 86400);
	return db_step_done(d, st);
}

/* The senders: CROSS JOIN for the reason given at note_own_new() (here
 * SQLite walked message by its in_reply_to index, the whole table). */
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
	if (!st || db_step_done(d, st) != TERN_OK)
		return TERN_EDB;
	/* A database opened at an older schema (upgrade tests) has no contact_sent. */
	return db_opened_version(d) >= DB_SCHEMA_CONTACT_SENT ? note_own_new(d) : TERN_OK;
}

/* The end of the header block: where a parse of the headers alone stops
 * (the body may be megabytes of attachments). */
static size_t
header_len(const char *raw, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (raw[i] == '\n' && raw[i + 1] == '\n')
			return i + 1;
		if (raw[i] == '\n' && raw[i + 1] == '\r' && i + 2 < len && raw[i + 2] == '\n')
			return i + 1;
	}
	return len;
}

int
db_contact_note_outgoing(db *d, int64_t account_id, const char *raw, size_t len, const char *message_id)
{
	static const char sent[] =
		"INSERT OR REPLACE INTO contact_sent (account_id, message_id, noted_at) VALUES (?, ?, ?)";
	static const char *const fields[] = { "To", "Cc", "Bcc" };
	int64_t now = time_now();
	mime_msg *m = NULL;
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	if ((rc = stage_open(d)) != TERN_OK)
		goto fail;
	if (mime_parse(raw, header_len(raw, len), &m) == TERN_OK) {
		for (size_t f = 0; f < ARRAY_LEN(fields) && rc == TERN_OK; f++) {
			char *v = mime_header_raw(m, fields[f]);
			if (v)
				rc = stage_list(d, account_id, v, now);
			free(v);
		}
		mime_free(m);
		if (rc != TERN_OK)
			goto fail;
	}
	if ((rc = stage_count(d)) != TERN_OK)
		goto fail;
	if (message_id && *message_id) {
		/* Stored as the message table stores it: without the brackets. */
		char *id = xstrdup(message_id + (*message_id == '<'));
		size_t n = strlen(id);
		if (n && id[n - 1] == '>')
			id[n - 1] = '\0';
		if (!(st = db_stmt(d, sent))) {
			free(id);
			rc = TERN_EDB;
			goto fail;
		}
		sqlite3_bind_int64(st, 1, account_id);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, now);
		free(id);
		if ((rc = db_step_done(d, st)) != TERN_OK)
			goto fail;
	}
	return db_commit(d);
fail:
	db_rollback(d);
	return rc == TERN_OK ? TERN_EDB : rc;
}
