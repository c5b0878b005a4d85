#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_search.h"
#include "db/db_int.h"
#include "db/db_schema.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "src/search/search_ast.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"

/* A query becomes one SQL statement built from the parse tree: the SQL text
 * has only our own fragments and '?' placeholders; every value the user
 * typed is bound. Text terms that can be said in FTS5's own language are
 * folded into one MATCH, so "a b -c" is one index lookup, not three. */
struct bind {
	const char *text;         /* NULL: an integer */
	int64_t num;
};

/* How a query with text terms finds its rows (see fetch). */
enum plan {
	PLAN_PROBE,               /* walk the dates, asking the index per row */
	PLAN_WALK,                /* walk the dates, testing ids against the match list */
	PLAN_LIST                 /* a limit: look the match list up in the mailbox, then sort */
};

struct builder {
	strbuf sql;
	struct bind *binds;
	size_t nbinds;
	char **owned;             /* MATCH expressions the binds point into */
	size_t nowned;
	enum plan plan;
	int relax;                /* text terms are the server's business (see build) */
	int neg;                  /* under an odd number of NOTs (relax mode) */
	int64_t mailbox;          /* a limit: this mailbox's rows, in its order (0: a search) */
	int64_t count_max;        /* a limit's count stops past this many */
};

static void
bind_int(struct builder *b, int64_t v)
{
	b->binds = xrealloc(b->binds, (b->nbinds + 1) * sizeof *b->binds);
	b->binds[b->nbinds++] = (struct bind){ NULL, v };
}

static void
bind_text(struct builder *b, const char *s)
{
	b->binds = xrealloc(b->binds, (b->nbinds + 1) * sizeof *b->binds);
	b->binds[b->nbinds++] = (struct bind){ s, 0 };
}

static void
builder_free(struct builder *b)
{
	for (size_t k = 0; k < b->nowned; k++)
		free(b->owned[k]);
	free(b->owned);
	free(b->binds);
	sb_free(&b->sql);
}

static int
is_neg_text(const struct search_node *n);

/* Whether the subtree can be one FTS5 expression. FTS5's NOT is binary
 * ("a NOT b"), so a negation is only expressible next to a positive term. */
static int
fts_able(const struct search_node *n)
{
	size_t pos = 0;
	switch (n->kind) {
	case SK_TEXT:
		return 1;
	case SK_OR:
		for (size_t k = 0; k < n->nkids; k++)
			if (!fts_able(n->kids[k]))
				return 0;
		return 1;
	case SK_AND:
		for (size_t k = 0; k < n->nkids; k++) {
			if (fts_able(n->kids[k]))
				pos++;
			else if (!is_neg_text(n->kids[k]))
				return 0;
		}
		return pos > 0;
	default:
		return 0;
	}
}

static int
is_neg_text(const struct search_node *n)
{
	return n->kind == SK_NOT && fts_able(n->kids[0]);
}

static void
fts_phrase(strbuf *m, const struct search_node *n)
{
	static const char *const cols[] = { "", "sender : ", "recipients : ", "cc : ", "subject : ", "body : " };
	sb_adds(m, cols[n->field]);
	sb_addc(m, '"');
	for (const char *t = n->text; *t; t++) {
		if (*t == '"')
			sb_addc(m, '"');
		sb_addc(m, *t);
	}
	sb_addc(m, '"');
	if (n->prefix)
		sb_adds(m, " *");
}

static void fts_emit(strbuf *m, const struct search_node *n);

/* kids[] joined by AND, with the negated ones as NOT: ((p AND q) NOT (r)). */
static void
fts_emit_and(strbuf *m, struct search_node *const *kids, size_t n)
{
	int first = 1;
	sb_adds(m, "((");
	for (size_t k = 0; k < n; k++) {
		if (is_neg_text(kids[k]))
			continue;
		if (!first)
			sb_adds(m, " AND ");
		fts_emit(m, kids[k]);
		first = 0;
	}
	sb_addc(m, ')');
	for (size_t k = 0; k < n; k++) {
		if (!is_neg_text(kids[k]))
			continue;
		sb_adds(m, " NOT (");
		fts_emit(m, kids[k]->kids[0]);
		sb_addc(m, ')');
	}
	sb_addc(m, ')');
}

static void
fts_emit_or(strbuf *m, struct search_node *const *kids, size_t n)
{
	sb_addc(m, '(');
	for (size_t k = 0; k < n; k++) {
		if (k)
			sb_adds(m, " OR ");
		fts_emit(m, kids[k]);
	}
	sb_addc(m, ')');
}

static void
fts_emit(strbuf *m, const struct search_node *n)
{
	if (n->kind == SK_TEXT)
		fts_phrase(m, n);
	else if (n->kind == SK_OR)
		fts_emit_or(m, n->kids, n->nkids);
	else
		fts_emit_and(m, n->kids, n->nkids);
}

static void
add_match(struct builder *b, strbuf *m)
{
	b->owned = xrealloc(b->owned, (b->nowned + 1) * sizeof *b->owned);
	b->owned[b->nowned++] = sb_steal(m);
	/* The unary + keeps SQLite from driving the query by the match list:
	 * it walks message_date newest first and stops at LIMIT, testing ids
	 * against the list (built once). The probe asks the index per row
	 * instead, which never builds the list at all. A limit names the
	 * mailbox row's id, so the test runs on the walk of its date index;
	 * its list plan drives by the list: each id looked up by the primary
	 * key (mailbox_id, message_id), then sorted. */
	const char *id = b->mailbox ? "mm.message_id" : "m.id";
	if (b->plan == PLAN_PROBE)
		sb_printf(&b->sql, "EXISTS (SELECT 1 FROM search_fts WHERE search_fts MATCH ? AND rowid = %s)", id);
	else
		sb_printf(&b->sql, "%s%s IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)",
		          b->plan == PLAN_WALK ? "+" : "", id);
	bind_text(b, b->owned[b->nowned - 1]);
}

static void sql_emit(struct builder *b, const struct search_node *n);

/* AND / OR: the kids FTS5 can take together become one MATCH, the others
 * SQL conditions. */
static void
sql_emit_list(struct builder *b, const struct search_node *n)
{
	const char *join = n->kind == SK_AND ? " AND " : " OR ";
	struct search_node **fts = xcalloc(n->nkids, sizeof *fts);
	size_t nfts = 0, pos = 0;
	int first = 1;

	for (size_t k = 0; k < n->nkids && !b->relax; k++) {
		const struct search_node *kid = n->kids[k];
		if (fts_able(kid))
			pos++;
		if (fts_able(kid) || (n->kind == SK_AND && is_neg_text(kid)))
			fts[nfts++] = n->kids[k];
	}
	sb_addc(&b->sql, '(');
	if (pos > 0 && nfts > 1) {
		strbuf m = STRBUF_INIT;
		if (n->kind == SK_AND)
			fts_emit_and(&m, fts, nfts);
		else
			fts_emit_or(&m, fts, nfts);
		add_match(b, &m);
		first = 0;
	} else
		nfts = 0;
	for (size_t k = 0; k < n->nkids; k++) {
		int grouped = 0;
		for (size_t j = 0; j < nfts; j++)
			grouped |= fts[j] == n->kids[k];
		if (grouped)
			continue;
		if (!first)
			sb_adds(&b->sql, join);
		sql_emit(b, n->kids[k]);
		first = 0;
	}
	sb_addc(&b->sql, ')');
	free(fts);
}

static void
sql_emit(struct builder *b, const struct search_node *n)
{
	strbuf *s = &b->sql;
	if (b->relax && fts_able(n)) {
		/* Whatever the server matched: true where that helps the query,
		 * false under a NOT, so the relaxed query only ever drops rows. */
		sb_adds(s, b->neg ? "0" : "1");
		return;
	}
	if (fts_able(n)) {
		strbuf m = STRBUF_INIT;
		fts_emit(&m, n);
		add_match(b, &m);
		return;
	}
	switch (n->kind) {
	case SK_AND:
	case SK_OR:
		sql_emit_list(b, n);
		return;
	case SK_NOT:
		sb_adds(s, "NOT (");
		b->neg = !b->neg;
		sql_emit(b, n->kids[0]);
		b->neg = !b->neg;
		sb_addc(s, ')');
		return;
	case SK_TEXT:
		return;   /* always fts_able */
	case SK_IN:
		/* Name or role, as db_mailbox_find() accepts them, folded in any
		 * script (in:été finds Été). */
		sb_adds(s, "EXISTS (SELECT 1 FROM message_mailbox mi JOIN mailbox b ON b.id = mi.mailbox_id "
		           "WHERE mi.message_id = m.id AND mi.hidden = 0 "
		           "AND (tern_fold(b.name) = tern_fold(?) OR b.role = lower(?)))");
		bind_text(b, n->text);
		bind_text(b, n->text);
		return;
	case SK_UNREAD: sb_adds(s, "m.seen = 0"); return;
	case SK_READ: sb_adds(s, "m.seen = 1"); return;
	case SK_FLAGGED: sb_adds(s, "m.flagged = 1"); return;
	case SK_ATTACHMENT: sb_adds(s, "m.has_attachment = 1"); return;
	case SK_BEFORE: sb_adds(s, "m.received_at < ?"); break;
	case SK_AFTER: sb_adds(s, "m.received_at >= ?"); break;
	case SK_LARGER: sb_adds(s, "m.size > ?"); break;
	case SK_SMALLER: sb_adds(s, "m.size < ?"); break;
	}
	bind_int(b, n->value);
}

enum group { LOCAL, SERVER };
enum shape { PAGE, COUNT };

static void
scope(struct builder *b, const struct search_scope *sc)
{
	if (!sc || !sc->n)
		return;
	sb_adds(&b->sql, " AND m.account_id IN (");
	for (size_t k = 0; k < sc->n; k++) {
		sb_adds(&b->sql, k ? ", ?" : "?");
		bind_int(b, sc->account_ids[k]);
	}
	sb_addc(&b->sql, ')');
}

/* The sort key: the message's date for a search, the mailbox row's for a
 * limit, so a limited list keeps the mailbox's own order (db_message_page)
 * and walks its date index. */
static const char *
key_cols(const struct builder *b)
{
	return b->mailbox ? "mm.received_at, mm.message_id" : "m.received_at, m.id";
}

static void
cursor(struct builder *b, const struct search_cursor *cur, int backward)
{
	if (!cur)
		return;
	/* The list plan sorts what it looked up: a range on the date index
	 * would tempt SQLite into the walk again. */
	if (b->plan == PLAN_LIST)
		sb_printf(&b->sql, " AND (+mm.received_at, +mm.message_id) %c (?, ?)", backward ? '>' : '<');
	else
		sb_printf(&b->sql, " AND (%s) %c (?, ?)", key_cols(b), backward ? '>' : '<');
	bind_int(b, cur->received_at);
	bind_int(b, cur->id);
}

/* The SELECT for one group: its ids (and dates) in display order, or
 * reversed when backward (the caller turns them round). */
static void
build(struct builder *b, const search_query *q, const struct search_scope *sc, enum group g,
      enum shape shape, const struct search_cursor *cur, int backward, int limit, const char *key)
{
	strbuf *s = &b->sql;
	const char *dir = backward ? "ASC" : "DESC";

	if (shape == COUNT && b->mailbox)
		sb_adds(s, "SELECT count(*) FROM (SELECT 1");
	else if (shape == COUNT)
		sb_adds(s, "SELECT count(*)");
	else
		sb_printf(s, "SELECT %s", b->mailbox ? "mm.message_id, mm.received_at" : "m.id, m.received_at");
	if (b->mailbox) {
		sb_adds(s, " FROM message_mailbox mm JOIN message m ON m.id = mm.message_id "
		           "WHERE mm.mailbox_id = ? AND mm.hidden = 0");
		bind_int(b, b->mailbox);
	} else if (g == SERVER) {
		sb_adds(s, " FROM search_hit h JOIN message m ON m.id = h.message_id WHERE h.search_key = ?");
		bind_text(b, key);
	} else
		sb_adds(s, " FROM message m WHERE 1");
	scope(b, sc);
	if (shape == PAGE)
		cursor(b, cur, backward);
	/* Shown in some mailbox: a message whose move or delete waits in the
	 * queue is hidden everywhere it was. */
	if (!b->mailbox)
		sb_adds(s, " AND EXISTS (SELECT 1 FROM message_mailbox mm WHERE mm.message_id = m.id AND mm.hidden = 0)");
	/* The server's list adds only what the local index missed. */
	sb_adds(s, g == SERVER ? " AND NOT (" : " AND (");
	sql_emit(b, q->root);
	sb_addc(s, ')');
	/* And only what still matches the parts of the query the database
	 * knows (flags, mailbox, dates, size) with the text taken as the
	 * server found it: "is:unread foo" loses a hit read here since. */
	if (g == SERVER) {
		sb_adds(s, " AND (");
		b->relax = 1;
		sql_emit(b, q->root);
		b->relax = 0;
		sb_addc(s, ')');
	}
	if (shape == COUNT && b->mailbox) {
		sb_adds(s, " LIMIT ?)");
		bind_int(b, b->count_max + 1);
	}
	if (shape == COUNT)
		return;
	if (b->mailbox)
		sb_printf(s, " ORDER BY mm.received_at %s, mm.message_id %s", dir, dir);
	else
		sb_printf(s, " ORDER BY m.received_at %s, m.id %s", dir, dir);
	sb_adds(s, " LIMIT ?");
	bind_int(b, limit);
}

static sqlite3_stmt *
prepare(db *d, struct builder *b)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db_sqlite(d), b->sql.buf, -1, &st, NULL) != SQLITE_OK) {
		log_error("db: search prepare failed: %s; SQL: %.300s", sqlite3_errmsg(db_sqlite(d)), b->sql.buf);
		return NULL;
	}
	for (size_t k = 0; k < b->nbinds; k++) {
		if (b->binds[k].text)
			sqlite3_bind_text(st, (int)k + 1, b->binds[k].text, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(st, (int)k + 1, b->binds[k].num);
	}
	return st;
}

struct hit {
	int64_t id;
	int64_t received_at;
	int server;
};

/* Up to limit rows of group g next to cur, appended to out[*n] in the order
 * the query gives (display order, or reversed when backward). */
/* The probe's budget: PROBE_MS of wall time, looked at every PROBE_STEP
 * VM steps (an index lookup per row is one step of the outer query, so a
 * step count alone says nothing). */
#define PROBE_STEP 50
#define PROBE_MS 8
#define WALK_MS 30

static int
probe_budget(void *arg)
{
	return time_mono_ms() > *(int64_t *)arg;
}

static int
fetch_with(db *d, const search_query *q, const struct search_scope *sc, int64_t mailbox, enum group g,
           const struct search_cursor *cur, int backward, int limit, const char *key,
           enum plan plan, struct hit *out, int *n)
{
	struct builder b = { STRBUF_INIT, NULL, 0, NULL, 0, plan, 0, 0, mailbox, 0 };
	sqlite3_stmt *st;
	int s, rc = TERN_OK, start = *n, probe;
	/* A limit's walk builds the match list first: its budget covers that
	 * for a common word, and gives up on a rare one long before the end
	 * of a big mailbox. */
	int64_t deadline = time_mono_ms() + (plan == PLAN_WALK ? WALK_MS : PROBE_MS);

	build(&b, q, sc, g, PAGE, cur, backward, limit, key);
	/* The last plan runs to the end; without an index lookup there is
	 * one plan only. */
	probe = plan != PLAN_LIST && (plan == PLAN_PROBE || mailbox) && b.nowned;
	if (!(st = prepare(d, &b))) {
		builder_free(&b);
		return TERN_EDB;
	}
	if (probe)
		sqlite3_progress_handler(db_sqlite(d), PROBE_STEP, probe_budget, &deadline);
	while ((s = sqlite3_step(st)) == SQLITE_ROW)
		out[(*n)++] = (struct hit){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), g == SERVER };
	if (probe)
		sqlite3_progress_handler(db_sqlite(d), 0, NULL, NULL);
	if (probe && s == SQLITE_INTERRUPT) {
		*n = start;
		rc = TERN_ETIMEOUT;
	} else if (s != SQLITE_DONE) {
		log_error("db: search failed: %s", sqlite3_errmsg(db_sqlite(d)));
		rc = TERN_EDB;
	}
	sqlite3_finalize(st);
	builder_free(&b);
	return rc;
}

/* Two plans, and neither wins everywhere (doc/SEARCH.md, Speed): probing
 * each message newest first finds a screen of a common word at once but
 * would visit every message for a rare one; the match list is cheap for
 * a rare word and costly to build for a common one. So the probe runs
 * first on a small budget, and the list takes over when it runs out.
 * A limit's walk costs more (a table row per message: the partial date
 * index does not cover hidden), so it gets a budget too (WALK_MS), and a
 * query still rarer is looked up from its list and sorted: the cost of its
 * matches, not of the mailbox. */
static int
fetch(db *d, const search_query *q, const struct search_scope *sc, int64_t mailbox, enum group g,
      const struct search_cursor *cur, int backward, int limit, const char *key,
      struct hit *out, int *n)
{
	int rc = fetch_with(d, q, sc, mailbox, g, cur, backward, limit, key, PLAN_PROBE, out, n);
	if (rc == TERN_ETIMEOUT)
		rc = fetch_with(d, q, sc, mailbox, g, cur, backward, limit, key, PLAN_WALK, out, n);
	if (rc == TERN_ETIMEOUT)
		rc = fetch_with(d, q, sc, mailbox, g, cur, backward, limit, key, PLAN_LIST, out, n);
	return rc;
}

static void
reverse(struct hit *h, int n)
{
	for (int i = 0, j = n - 1; i < j; i++, j--) {
		struct hit t = h[i];
		h[i] = h[j];
		h[j] = t;
	}
}

/* A search (mailbox 0: local rows, then the server's) or a limit of one
 * mailbox (its local rows only: the server's results are a search's). */
static int
page(db *d, const search_query *q, const struct search_scope *sc, int64_t mailbox,
     const struct search_cursor *after, int backward, int limit, db_search_cb cb, void *ctx)
{
	struct hit *hits;
	char *key;
	int n = 0, rc = TERN_OK;

	if (limit <= 0)
		return TERN_OK;
	hits = xcalloc((size_t)limit, sizeof *hits);
	key = search_query_to_string(q);
	if (!backward) {
		/* Local rows, then the server's, each newest first. */
		if (!after || !after->server)
			rc = fetch(d, q, sc, mailbox, LOCAL, after, 0, limit, key, hits, &n);
		if (rc == TERN_OK && n < limit && !mailbox)
			rc = fetch(d, q, sc, 0, SERVER, after && after->server ? after : NULL, 0, limit - n,
			           key, hits, &n);
	} else {
		/* Walking up: the server's rows before after, then the local ones;
		 * both come nearest first, so the whole page is reversed. */
		if ((!after || after->server) && !mailbox)
			rc = fetch(d, q, sc, 0, SERVER, after, 1, limit, key, hits, &n);
		if (rc == TERN_OK && n < limit)
			rc = fetch(d, q, sc, mailbox, LOCAL, after && !after->server ? after : NULL, 1, limit - n,
			           key, hits, &n);
		reverse(hits, n);
	}
	free(key);
	for (int i = 0; rc == TERN_OK && i < n; i++) {
		struct msg_row r = { 0 };
		int got = db_message_get(d, hits[i].id, &r);
		if (got == TERN_ENOTFOUND)
			continue;
		if (got != TERN_OK) {
			rc = got;
			break;
		}
		/* The sort key of the list, whichever mailbox row came back. */
		r.received_at = hits[i].received_at;
		got = cb(&r, hits[i].server, ctx);
		db_msg_row_free(&r);
		if (got)
			break;
	}
	free(hits);
	return rc;
}

int
db_search_page(db *d, const search_query *q, const struct search_scope *sc,
               const struct search_cursor *after, int backward, int limit,
               db_search_cb cb, void *ctx)
{
	return page(d, q, sc, 0, after, backward, limit, cb, ctx);
}

int
db_search_limit_page(db *d, const search_query *q, int64_t mailbox_id, const struct search_cursor *after,
                     int backward, int limit, db_search_cb cb, void *ctx)
{
	return page(d, q, NULL, mailbox_id, after, backward, limit, cb, ctx);
}

static int
count(db *d, const search_query *q, const struct search_scope *sc, int64_t mailbox, int64_t max, enum group g,
      const char *key, int64_t *out)
{
	/* Counting visits every match: a limit looks them up, a search walks. */
	struct builder b = { STRBUF_INIT, NULL, 0, NULL, 0, mailbox ? PLAN_LIST : PLAN_WALK, 0, 0, mailbox, max };
	sqlite3_stmt *st;
	int rc = TERN_EDB;

	build(&b, q, sc, g, COUNT, NULL, 0, 0, key);
	if ((st = prepare(d, &b))) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = TERN_OK;
		}
		sqlite3_finalize(st);
	}
	builder_free(&b);
	return rc;
}

int
db_search_count(db *d, const search_query *q, const struct search_scope *sc, int64_t *local, int64_t *server)
{
	char *key = search_query_to_string(q);
	int rc = count(d, q, sc, 0, 0, LOCAL, key, local);
	if (rc == TERN_OK)
		rc = count(d, q, sc, 0, 0, SERVER, key, server);
	free(key);
	return rc;
}

int
db_search_limit_count(db *d, const search_query *q, int64_t mailbox_id, int64_t max, int64_t *n)
{
	int rc = count(d, q, NULL, mailbox_id, max, LOCAL, NULL, n);
	if (rc == TERN_OK && *n > max)
		*n = -1;
	return rc;
}

int
db_search_hits_clear(db *d, const search_query *q, int64_t account_id)
{
	/* Also forgets other searches' hits after a day: they are only a cache
	 * of what the server said. */
	static const char sql[] =
		"DELETE FROM search_hit WHERE account_id = ? AND (search_key = ? OR found_at < ?)";
	sqlite3_stmt *st = db_stmt(d, sql);
	char *key = search_query_to_string(q);
	int rc = TERN_EDB;
	if (st) {
		sqlite3_bind_int64(st, 1, account_id);
		sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, time_now() - 86400);
		rc = db_step_done(d, st);
	}
	free(key);
	return rc;
}

/* Adds the hits one statement at a time (sql binds key, time, then the two
 * given values); each names at most one message. */
static int
hits_add(db *d, const char *sql, const search_query *q, int64_t scope_id,
         const uint32_t *uids, const char *const *ids, size_t n, int64_t *added)
{
	char *key = search_query_to_string(q);
	int64_t now = time_now();
	int rc;

	*added = 0;
	if ((rc = db_begin(d)) != TERN_OK)
		goto out;
	for (size_t k = 0; k < n; k++) {
		sqlite3_stmt *st = db_stmt(d, sql);
		if (!st) {
			rc = TERN_EDB;
			break;
		}
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now);
		sqlite3_bind_int64(st, 3, scope_id);
		if (uids)
			sqlite3_bind_int64(st, 4, uids[k]);
		else
			sqlite3_bind_text(st, 4, ids[k], -1, SQLITE_STATIC);
		if ((rc = db_step_done(d, st)) != TERN_OK)
			break;
		*added += db_changes(d);
	}
	if (rc == TERN_OK)
		rc = db_commit(d);
	else
		db_rollback(d);
out:
	free(key);
	return rc;
}

int
db_search_hits_add_uids(db *d, const search_query *q, int64_t mailbox_id,
                        const uint32_t *uids, size_t n, int64_t *added)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO search_hit (search_key, account_id, message_id, found_at) "
		"SELECT ?1, m.account_id, m.id, ?2 FROM message_mailbox mm JOIN message m ON m.id = mm.message_id "
		"WHERE mm.mailbox_id = ?3 AND mm.uid = ?4";
	return hits_add(d, sql, q, mailbox_id, uids, NULL, n, added);
}

int
db_search_hits_add_email_ids(db *d, const search_query *q, int64_t account_id,
                             const char *const *email_ids, size_t n, int64_t *added)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO search_hit (search_key, account_id, message_id, found_at) "
		"SELECT ?1, account_id, id, ?2 FROM message WHERE account_id = ?3 AND email_id = ?4";
	return hits_add(d, sql, q, account_id, NULL, email_ids, n, added);
}

/* Collects the first column of a statement's rows into ids[0..*n). */
static int
collect_ids(db *d, sqlite3_stmt *st, int64_t *ids, int max, int *n)
{
	int s;
	*n = 0;
	while (*n < max && (s = sqlite3_step(st)) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	if (*n < max && s != SQLITE_DONE) {
		log_error("db: %s", sqlite3_errmsg(db_sqlite(d)));
		sqlite3_reset(st);
		return TERN_EDB;
	}
	sqlite3_reset(st);
	return TERN_OK;
}

int
db_search_uncached(db *d, int64_t account_id, int64_t since, int64_t *ids, int max, int *n)
{
	static const char sql[] =
		"SELECT m.id FROM message m WHERE m.account_id = ? AND m.received_at >= ? "
		"AND NOT EXISTS (SELECT 1 FROM body b WHERE b.message_id = m.id) "
		"AND EXISTS (SELECT 1 FROM message_mailbox mm WHERE mm.message_id = m.id AND mm.hidden = 0) "
		"ORDER BY m.received_at DESC, m.id DESC LIMIT ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int(st, 3, max);
	return collect_ids(d, st, ids, max, n);
}

int
db_search_has_uncached(db *d, int64_t account_id, int *yes)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM message m WHERE m.account_id = ? "
		"AND NOT EXISTS (SELECT 1 FROM body b WHERE b.message_id = m.id))";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, account_id);
	*yes = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return TERN_OK;
}

int
db_search_reindex_next(db *d, int64_t *ids, int max, int *n)
{
	static const char sql[] = "SELECT message_id FROM search_reindex ORDER BY message_id LIMIT ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int(st, 1, max);
	return collect_ids(d, st, ids, max, n);
}

int
db_search_reindex_done(db *d, int64_t message_id)
{
	static const char sql[] = "DELETE FROM search_reindex WHERE message_id = ?";
	sqlite3_stmt *st = db_stmt(d, sql);
	if (!st)
		return TERN_EDB;
	sqlite3_bind_int64(st, 1, message_id);
	return db_step_done(d, st);
}

int
db_search_index_new(db *d)
{
	static const char ins[] =
		"INSERT INTO search_fts (rowid, subject, sender, recipients, cc, body, attachments) "
		"SELECT m.id, m.subject, m.from_name || ' ' || m.from_addr, m.to_list, m.cc_list, '', "
		"coalesce((SELECT group_concat(a.filename, ' ') FROM attachment a "
		"          WHERE a.message_id = m.id AND a.filename IS NOT NULL), '') "
		"FROM search_pending p CROSS JOIN message m ON m.id = p.message_id";
	/* A database opened at schema 7 (upgrade tests) has no attachments column. */
	static const char ins7[] =
		"INSERT INTO search_fts (rowid, subject, sender, recipients, cc, body) "
		"SELECT m.id, m.subject, m.from_name || ' ' || m.from_addr, m.to_list, m.cc_list, '' "
		"FROM search_pending p CROSS JOIN message m ON m.id = p.message_id";
	sqlite3_stmt *st = db_stmt(d, db_opened_version(d) >= DB_SCHEMA_FTS_ATTACHMENTS ? ins : ins7);
	return st ? db_step_done(d, st) : TERN_EDB;
}

int
db_search_index_body(db *d, int64_t message_id, const char *text)
{
	static const char sql[] = "UPDATE search_fts SET body = ? WHERE rowid = ?";
	sqlite3_stmt *st;

	/* The message may have been stored in this very transaction. */
	if (db_flush_new(d) != TERN_OK || !(st = db_stmt(d, sql)))
		return TERN_EDB;
	sqlite3_bind_text(st, 1, text ? text : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, message_id);
	return db_step_done(d, st);
}
