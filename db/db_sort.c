#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_sort.h"
#include "db/db_int.h"
#include "src/base/err.h"
#include "src/base/fold.h"
#include "src/base/util.h"
#include "src/mime/mime.h"
#include "src/mime/reply.h"

/* The column of each order's key in message_mailbox (schema 15); arrival
 * has none: received_at is its key. */
static const char *const key_col[SORT_COUNT] = {
	[SORT_ARRIVAL] = NULL, [SORT_DATE] = "mm.sent_at", [SORT_FROM] = "mm.sort_from",
	[SORT_TO] = "mm.sort_to", [SORT_SUBJECT] = "mm.sort_subject", [SORT_SIZE] = "mm.size",
	[SORT_FLAGGED] = "mm.flagged", [SORT_UNREAD] = "mm.unread",
};

enum { Q_TOP, Q_FWD, Q_BWD, Q_BOTTOM, Q_BEFORE, Q_N };
/* Where a page's cursor columns start: after MSG_COLS's 26. */
#define KEY_COL 26

/* Built once: db_stmt() caches statements by the text's address, so each
 * query must keep one address for the life of the process. */
static char *sql[SORT_COUNT][2][Q_N];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void
sql_build(void)
{
	for (int o = 0; o < SORT_COUNT; o++)
		for (int rev = 0; rev < 2; rev++) {
			struct sort_spec s = { (enum sort_order)o, rev };
			int desc = sort_desc(&s);
			const char *k = key_col[o];
			char tuple[96], param[32], order_d[128], order_a[128];
			snprintf(tuple, sizeof tuple, "(%s%smm.received_at, mm.message_id)", k ? k : "", k ? ", " : "");
			snprintf(param, sizeof param, "(%s?2, ?3)", k ? "?5, " : "");
			snprintf(order_d, sizeof order_d, "%s%smm.received_at DESC, mm.message_id DESC",
			         k ? k : "", k ? " DESC, " : "");
			snprintf(order_a, sizeof order_a, "%s%smm.received_at ASC, mm.message_id ASC",
			         k ? k : "", k ? " ASC, " : "");
			/* The row, then its cursor as the index holds it (columns
			 * KEY_COL on), so no caller has to compute a key. */
#define PAGE "SELECT " MSG_COLS ", %s, mm.received_at FROM message_mailbox mm " \
	     "JOIN message m ON m.id = mm.message_id WHERE mm.mailbox_id = ?1 AND mm.hidden = 0 "
			const char *kc = k ? k : "0";
			sql[o][rev][Q_TOP] = xasprintf(PAGE "ORDER BY %s LIMIT ?4", kc, desc ? order_d : order_a);
			sql[o][rev][Q_FWD] = xasprintf(PAGE "AND %s %s %s ORDER BY %s LIMIT ?4", kc, tuple,
			                              desc ? "<" : ">", param, desc ? order_d : order_a);
			sql[o][rev][Q_BWD] = xasprintf(PAGE "AND %s %s %s ORDER BY %s LIMIT ?4", kc, tuple,
			                              desc ? ">" : "<", param, desc ? order_a : order_d);
			sql[o][rev][Q_BOTTOM] = xasprintf(PAGE "ORDER BY %s LIMIT ?4", kc, desc ? order_a : order_d);
#undef PAGE
			sql[o][rev][Q_BEFORE] = xasprintf(
				"SELECT count(*) FROM (SELECT 1 FROM message_mailbox mm WHERE mm.mailbox_id = ?1 "
				"AND mm.hidden = 0 AND %s %s %s LIMIT ?4)", tuple, desc ? ">" : "<", param);
		}
}

static const char *
query(const struct sort_spec *s, int q)
{
	struct sort_spec a = { SORT_ARRIVAL, 0 };
	if (!s || s->order >= SORT_COUNT)
		s = &a;
	pthread_once(&sql_once, sql_build);
	return sql[s->order][!!s->reverse][q];
}

static int
is_text(enum sort_order o)
{
	return o == SORT_FROM || o == SORT_TO || o == SORT_SUBJECT;
}

/* Cuts s to at most max bytes without splitting a character. */
static void
cut(char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	s[n] = '\0';
}

/* A name as it sorts: folded, without the quotes and blanks some senders
 * put around it. */
static char *
name_key(const char *name, const char *addr)
{
	const char *v = name && *name ? name : addr ? addr : "";
	char *f;
	size_t n;
	while (*v == ' ' || *v == '"' || *v == '\'')
		v++;
	f = fold_case(v);
	n = strlen(f);
	while (n && (f[n - 1] == ' ' || f[n - 1] == '"' || f[n - 1] == '\''))
		f[--n] = '\0';
	/* A name of quotes only: the address. */
	if (!*f && name && *name && addr && *addr) {
		free(f);
		return name_key(NULL, addr);
	}
	return f;
}

char *
db_sort_text(enum sort_order o, const char *subject, const char *from_name, const char *from_addr,
             const char *to_list)
{
	char *k;
	switch (o) {
	case SORT_SUBJECT:
		k = reply_base_subject(subject);
		break;
	case SORT_FROM:
		k = name_key(from_name, from_addr);
		break;
	case SORT_TO: {
		struct mail_addr_list l = { 0 };
		mail_addr_parse(to_list ? to_list : "", &l);
		k = l.n ? name_key(l.v[0].name, l.v[0].addr) : xstrdup("");
		mail_addr_free(&l);
		break;
	}
	default:
		return xstrdup("");
	}
	cut(k, SORT_TEXT_MAX);
	return k;
}

void
db_sort_cursor(const struct sort_spec *s, const struct msg_row *r, struct sort_cursor *c)
{
	memset(c, 0, sizeof *c);
	c->received_at = r->received_at;
	c->id = r->id;
	if (!s)
		return;
	switch (s->order) {
	case SORT_DATE: c->key = r->sent_at; break;
	case SORT_SIZE: c->key = r->size; break;
	case SORT_FLAGGED: c->key = !!(r->flags & MSG_FLAGGED); break;
	case SORT_UNREAD: c->key = !(r->flags & MSG_SEEN); break;
	case SORT_FROM:
	case SORT_TO:
	case SORT_SUBJECT: {
		char *k = db_sort_text(s->order, r->subject, r->from_name, r->from_addr, r->to_list);
		snprintf(c->text, sizeof c->text, "%s", k);
		free(k);
		break;
	}
	default:
		break;
	}
}

static void
bind_cursor(sqlite3_stmt *st, const struct sort_spec *s, const struct sort_cursor *c)
{
	sqlite3_bind_int64(st, 2, c->received_at);
	sqlite3_bind_int64(st, 3, c->id);
	if (!s || s->order == SORT_ARRIVAL)
		return;
	if (is_text(s->order))
		sqlite3_bind_text(st, 5, c->text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 5, c->key);
}

/* The cursor of the row st is on, from the columns PAGE adds. */
static void
cursor_read(sqlite3_stmt *st, const struct sort_spec *s, struct sort_cursor *c)
{
	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(st, 0);
	c->received_at = sqlite3_column_int64(st, KEY_COL + 1);
	if (s && is_text(s->order)) {
		const unsigned char *t = sqlite3_column_text(st, KEY_COL);
		snprintf(c->text, sizeof c->text, "%s", t ? (const char *)t : "");
	} else {
		c->key = sqlite3_column_int64(st, KEY_COL);
	}
}

int
db_sort_page(db *d, int64_t mailbox_id, const struct sort_spec *s, const struct sort_cursor *after,
             int backward, int limit, db_sort_cb cb, void *ctx)
{
	sqlite3_stmt *st;
	struct msg_row *rows = NULL;
	struct sort_cursor *curs = NULL;
	int n = 0, st_rc = SQLITE_DONE, rc = TERN_OK;

	if (limit <= 0)
		return TERN_OK;
	st = db_stmt(d, query(s, after ? (backward ? Q_BWD : Q_FWD) : (backward ? Q_BOTTOM : Q_TOP)));
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	if (after)
		bind_cursor(st, s, after);
	sqlite3_bind_int(st, 4, limit);
	rows = xcalloc((size_t)limit, sizeof *rows);
	curs = xcalloc((size_t)limit, sizeof *curs);
	while (n < limit && (st_rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_msg_row_read(st, &rows[n]);
		cursor_read(st, s, &curs[n++]);
	}
	if (n < limit && st_rc != SQLITE_DONE)
		rc = TERN_EDB;
	/* Reset before calling back: the callback may query the database. */
	sqlite3_reset(st);
	for (int i = 0; i < n; i++) {
		int k = backward ? n - 1 - i : i;
		if (rc == TERN_OK && cb(&rows[k], &curs[k], ctx))
			rc = -1;
	}
	for (int i = 0; i < n; i++)
		db_msg_row_free(&rows[i]);
	free(rows);
	free(curs);
	return rc < 0 ? TERN_OK : rc;
}

int
db_sort_before(db *d, int64_t mailbox_id, const struct sort_spec *s, const struct sort_cursor *cur,
               int64_t limit, int64_t *pos)
{
	sqlite3_stmt *st = db_stmt(d, query(s, Q_BEFORE));
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, mailbox_id);
	bind_cursor(st, s, cur);
	sqlite3_bind_int64(st, 4, limit);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return TERN_EDB;
	}
	*pos = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (*pos >= limit)
		*pos = -1;
	return TERN_OK;
}

/* tern_sort_text(order, subject, from_name, from_addr, to_list). */
static void
sql_sort_text(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const char *v[4];
	int o = sqlite3_value_int(argv[0]);
	(void)argc;
	for (int i = 0; i < 4; i++)
		v[i] = (const char *)sqlite3_value_text(argv[i + 1]);
	if (o < 0 || o >= SORT_COUNT) {
		sqlite3_result_text(cx, "", 0, SQLITE_STATIC);
		return;
	}
	sqlite3_result_text(cx, db_sort_text((enum sort_order)o, v[0], v[1], v[2], v[3]), -1, free);
}

int
db_sort_register(sqlite3 *sq)
{
	return sqlite3_create_function_v2(sq, "tern_sort_text", 5, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	                                  sql_sort_text, NULL, NULL, NULL) == SQLITE_OK ? TERN_OK : TERN_EDB;
}
