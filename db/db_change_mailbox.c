/* Folder changes, offline-first like the others (db/db_change.h): a
 * create, rename or delete shows at once and is queued for the server. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_change.h"
#include "db/db_int.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "db/db_types.h"
#include "src/base/err.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"

/* Folders. The account's hierarchy separator is its folders' (all of an
 * IMAP account share the server's; JMAP's is "/"). */
static void
account_delim(db *d, int64_t account_id, char *delim)
{
	static const char sql[] = "SELECT delim FROM mailbox WHERE account_id = ? AND delim <> '' "
	                          "ORDER BY role = 'inbox' DESC, id LIMIT 1";
	sqlite3_stmt *st = db_stmt(d, sql);
	delim[0] = '/';
	delim[1] = '\0';
	if (!st)
		return;
	sqlite3_bind_int64(st, 1, account_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		if (s && s[0])
			delim[0] = s[0];
	}
	sqlite3_reset(st);
}

int
db_change_mailbox_name_ok(const char *name, char delim)
{
	size_t n = name ? strlen(name) : 0;
	if (!n || n >= TERN_MAILBOX_NAME_MAX || name[0] == delim || name[n - 1] == delim)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		/* Control characters and IMAP's wildcards cannot be a name on
		 * the wire; an empty level ("a//b") is no folder either. */
		if (c < 0x20 || c == 0x7f || c == '*' || c == '%' || (name[i] == delim && name[i + 1] == delim))
			return 0;
	}
	return 1;
}

/* The visible folder named exactly name: its id, or 0. */
static int64_t
mailbox_named(db *d, int64_t account_id, const char *name)
{
	static const char sql[] = "SELECT id FROM mailbox WHERE account_id = ? AND name = ? AND delete_pending = 0";
	sqlite3_stmt *st = db_stmt(d, sql);
	int64_t id = 0;
	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

/* The folder that name would be in: *parent 0 at the top level,
 * TERN_ENOTFOUND when that folder does not exist. */
static int
parent_of(db *d, int64_t account_id, const char *name, char delim, int64_t *parent)
{
	const char *cut = strrchr(name, delim);
	char *path;
	*parent = 0;
	if (!cut)
		return TERN_OK;
	path = xstrndup(name, (size_t)(cut - name));
	*parent = mailbox_named(d, account_id, path);
	free(path);
	return *parent ? TERN_OK : TERN_ENOTFOUND;
}

int
db_change_mailbox_check(db *d, int64_t account_id, const char *name)
{
	char delim[2];
	int64_t parent;
	account_delim(d, account_id, delim);
	if (!db_change_mailbox_name_ok(name, delim[0]))
		return TERN_EINVAL;
	if (mailbox_named(d, account_id, name))
		return TERN_EBUSY;
	return parent_of(d, account_id, name, delim[0], &parent);
}

/* Gives the folder (and the folders under it) the name to, parented by
 * what that path says. */
static int
rename_local(db *d, int64_t id, const char *from, const char *to)
{
	static const char self[] = "UPDATE mailbox SET name = ?2, parent_id = nullif(?3, 0) WHERE id = ?1";
	static const char kids[] =
		"UPDATE mailbox SET name = ?3 || substr(name, length(?2) + 1) "
		"WHERE account_id = ?1 AND substr(name, 1, length(?2)) = ?2";
	struct mailbox_row r = { 0 };
	sqlite3_stmt *st;
	int64_t parent = 0;
	char *pf = NULL, *pt = NULL;
	int rc;

	if ((rc = db_mailbox_get(d, id, &r)) != TERN_OK)
		return rc;
	parent_of(d, r.account_id, to, r.delim[0] ? r.delim[0] : '/', &parent);
	rc = TERN_EDB;
	if (!(st = db_stmt(d, self)))
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, parent);
	if (db_step_done(d, st) != TERN_OK)
		goto out;
	pf = xasprintf("%s%s", from, r.delim);
	pt = xasprintf("%s%s", to, r.delim);
	if (!(st = db_stmt(d, kids)))
		goto out;
	sqlite3_bind_int64(st, 1, r.account_id);
	sqlite3_bind_text(st, 2, pf, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pt, -1, SQLITE_STATIC);
	rc = db_step_done(d, st);
out:
	free(pf);
	free(pt);
	db_mailbox_row_free(&r);
	return rc;
}

static int
set_mailbox_hidden(db *d, int64_t id, int hidden)
{
	static const char sql[] = "UPDATE mailbox SET delete_pending = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int(st, 1, hidden);
	sqlite3_bind_int64(st, 2, id);
	return db_step_done(d, st);
}

int
db_change_mailbox_create(db *d, int64_t account_id, const char *name, int64_t *mailbox_id, int64_t *change_id)
{
	/* A placeholder that no server name can be: the worker gives the row
	 * the server's name (IMAP) or id (JMAP) once it has created it. */
	static const char ins[] =
		"INSERT INTO mailbox (account_id, remote_id, name, delim, parent_id, selectable) "
		"VALUES (?1, '\x01local:' || (SELECT coalesce(max(id), 0) + 1 FROM mailbox), ?2, ?3, nullif(?4, 0), 1)";
	struct change c = { .kind = CHANGE_MAILBOX_CREATE };
	char delim[2];
	int64_t parent;
	sqlite3_stmt *st;
	int rc;

	*change_id = 0;
	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	if ((rc = db_change_mailbox_check(d, account_id, name)) != TERN_OK)
		goto fail;
	account_delim(d, account_id, delim);
	parent_of(d, account_id, name, delim[0], &parent);
	rc = TERN_EDB;
	if (!(st = db_stmt(d, ins)))
		goto fail;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, delim, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, parent);
	if (db_step_done(d, st) != TERN_OK)
		goto fail;
	*mailbox_id = db_last_id(d);
	snprintf(c.u.mbox.name, sizeof c.u.mbox.name, "%s", name);
	if (db_queue_add(d, account_id, *mailbox_id, &c, change_id) != TERN_OK)
		goto fail;
	return db_commit(d);
fail:
	db_rollback(d);
	return rc;
}

/* A folder that a rename or delete may act on: visible, and no role. */
static int
mailbox_changeable(db *d, int64_t mailbox_id, struct mailbox_row *r)
{
	int rc = db_mailbox_get(d, mailbox_id, r);
	if (rc != TERN_OK)
		return rc;
	if (mailbox_role_parse(r->role) != MAILBOX_ROLE_NONE)
		return TERN_EREFUSED;
	return TERN_OK;
}

int
db_change_mailbox_rename(db *d, int64_t mailbox_id, const char *new_name, int64_t *change_id)
{
	struct change c = { .kind = CHANGE_MAILBOX_RENAME };
	struct mailbox_row r = { 0 };
	int rc;

	*change_id = 0;
	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	if ((rc = mailbox_changeable(d, mailbox_id, &r)) != TERN_OK ||
	    (rc = db_change_mailbox_check(d, r.account_id, new_name)) != TERN_OK)
		goto fail;
	/* Into itself ("Work" to "Work/Old"): no server can do that. */
	if (strlen(r.name) >= sizeof c.u.mbox.old_name ||
	    (strncmp(new_name, r.name, strlen(r.name)) == 0 && r.delim[0] && new_name[strlen(r.name)] == r.delim[0])) {
		rc = TERN_EINVAL;
		goto fail;
	}
	snprintf(c.u.mbox.name, sizeof c.u.mbox.name, "%s", new_name);
	snprintf(c.u.mbox.old_name, sizeof c.u.mbox.old_name, "%s", r.name);
	if ((rc = rename_local(d, mailbox_id, r.name, new_name)) != TERN_OK ||
	    (rc = db_queue_add(d, r.account_id, mailbox_id, &c, change_id)) != TERN_OK)
		goto fail;
	db_mailbox_row_free(&r);
	return db_commit(d);
fail:
	db_mailbox_row_free(&r);
	db_rollback(d);
	return rc;
}

int
db_change_mailbox_delete(db *d, int64_t mailbox_id, int with_messages, int64_t *change_id)
{
	static const char kids[] = "SELECT 1 FROM mailbox WHERE parent_id = ? AND delete_pending = 0 LIMIT 1";
	struct change c = { .kind = CHANGE_MAILBOX_DELETE, .u.mbox.with_messages = !!with_messages };
	struct mailbox_row r = { 0 };
	sqlite3_stmt *st;
	int rc, s;

	*change_id = 0;
	if ((rc = db_begin(d)) != TERN_OK)
		return rc;
	if ((rc = mailbox_changeable(d, mailbox_id, &r)) != TERN_OK)
		goto fail;
	rc = TERN_EDB;
	if (!(st = db_stmt(d, kids)))
		goto fail;
	sqlite3_bind_int64(st, 1, mailbox_id);
	s = sqlite3_step(st);
	sqlite3_reset(st);
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		goto fail;
	/* Folders under it first: a delete takes one folder, never a tree
	 * the user did not see. Messages only with the user's word. */
	if (s == SQLITE_ROW || (r.total > 0 && !with_messages)) {
		rc = TERN_EBUSY;
		goto fail;
	}
	if ((rc = set_mailbox_hidden(d, mailbox_id, 1)) != TERN_OK ||
	    (rc = db_queue_add(d, r.account_id, mailbox_id, &c, change_id)) != TERN_OK)
		goto fail;
	db_mailbox_row_free(&r);
	return db_commit(d);
fail:
	db_mailbox_row_free(&r);
	db_rollback(d);
	return rc;
}

/* A folder change's local state taken back (undo, failure: shown) or put
 * again (retry). A create keeps its row meanwhile: failed, it is shown so. */
int
db_change_mailbox_local(db *d, const struct queue_row *q, int shown)
{
	const char *from = shown ? q->change.u.mbox.old_name : q->change.u.mbox.name;
	const char *to = shown ? q->change.u.mbox.name : q->change.u.mbox.old_name;
	if (q->change.kind == CHANGE_MAILBOX_RENAME)
		return rename_local(d, q->resource_id, from, to);
	if (q->change.kind == CHANGE_MAILBOX_DELETE)
		return set_mailbox_hidden(d, q->resource_id, shown);
	return TERN_OK;
}

int
db_change_mailbox_target(db *d, const struct queue_row *q, struct mailbox_row *mb, char **err)
{
	int unpushed = 0, rc = db_mailbox_get(d, q->resource_id, mb);
	if (rc == TERN_OK && (rc = db_mailbox_unpushed(d, mb->id, &unpushed)) == TERN_OK &&
	    q->change.kind != CHANGE_MAILBOX_CREATE && unpushed) {
		/* Its create failed and waits for the user: nothing to act on. */
		*err = xasprintf("the folder %s was not created on the server", mb->name);
		rc = TERN_EREFUSED;
	}
	return rc;
}
