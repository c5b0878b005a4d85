/* The local index against an independent computation: a generated corpus
 * of a few thousand messages stored the way engines store them
 * (db_message_insert, db_message_link, body_store), then for many queries
 * the pages of db_search_page() are compared with a plain scan of the
 * test's own copy of the corpus. Then the corpus changes under the index
 * (local deletes, moves and flag changes through db_change_*, server-side
 * removals, flag updates and header rewrites through the engine-side
 * calls) and every query is checked again, with FTS5's own integrity check. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db_body.h"
#include "db/db_int.h"
#include "db/db.h"
#include "db/db_account.h"
#include "db/db_change.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_schema.h"
#include "db/db_search.h"
#include "src/base/err.h"
#include "src/search/search.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"

#define NMSG 3000
#define MAXW 24
#define NOW 1700000000

static char dir[] = "/tmp/tern-test-search.XXXXXX";

static const char *const vocab[] = {
	"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "iota", "kappa", "lambda",
	"sigma", "omega", "cafe", "report", "invoice", "meeting", "budget", "release",
};
static const char *const names[] = { "carol", "dave", "erin", "frank", "grace" };
enum { INBOX, SENT, ARCHIVE, TRASH, NBOX };
static const char *const box_names[] = { "INBOX", "Sent", "Archive", "Trash" };
static const char *const box_roles[] = { "inbox", "sent", "archive", "trash" };

/* The test's own copy of a message: each field as its folded words. */
struct field {
	const char *w[MAXW];
	int n;
};
struct tmsg {
	int64_t id;
	struct field subject, sender, to, cc, body;
	struct field attn;        /* the attachment's file name, as words ("sigma.pdf") */
	int cached;               /* body stored: its words are searchable */
	int box;
	int visible;
	int seen, flagged, att;
	int64_t received_at, size;
	uint32_t uid;
};

static struct tmsg msgs[NMSG];
static db *d;
static int64_t account, boxes[NBOX];
static uint64_t rng = 88172645463325252ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void
fill(struct field *f, int n)
{
	f->n = n;
	for (int k = 0; k < n; k++)
		f->w[k] = vocab[rnd(ARRAY_LEN(vocab))];
}

/* The text as a sender would write it: "cafe" is spelt with its accent and
 * in capitals now and then, which the index must fold. */
static void
render(strbuf *sb, const struct field *f)
{
	for (int k = 0; k < f->n; k++) {
		if (k)
			sb_addc(sb, ' ');
		sb_adds(sb, strcmp(f->w[k], "cafe") == 0 ? (k % 2 ? "Café" : "CAFÉ") : f->w[k]);
	}
}

static char *
render_str(const struct field *f)
{
	strbuf sb = STRBUF_INIT;
	render(&sb, f);
	return sb_steal(&sb);
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
base64(strbuf *out, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		sb_addc(out, b64chars[(v >> 18) & 63]);
		sb_addc(out, b64chars[(v >> 12) & 63]);
		sb_addc(out, i + 1 < n ? b64chars[(v >> 6) & 63] : '=');
		sb_addc(out, i + 2 < n ? b64chars[v & 63] : '=');
	}
	sb_adds(out, "\r\n");
}

/* The raw message in one of four shapes: plain, HTML (with a style block
 * whose words must not be found), base64, and multipart/alternative whose
 * HTML twin carries a word only the plain part must represent. */
static char *
raw_message(const struct tmsg *m, int shape)
{
	strbuf sb = STRBUF_INIT;
	char *text = render_str(&m->body), *subject = render_str(&m->subject);
	/* The real subject: its words are in the subject column, and body: must
	 * not find them in the body's. */
	sb_printf(&sb, "From: x@example.org\r\nSubject: %s\r\nMIME-Version: 1.0\r\n", subject);
	free(subject);
	switch (shape) {
	case 0:
		sb_printf(&sb, "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", text);
		break;
	case 1:
		sb_printf(&sb, "Content-Type: text/html; charset=utf-8\r\n\r\n<html><head><style>"
		          ".stylehidden{color:red}</style></head><body><p>%s</p></body></html>\r\n", text);
		break;
	case 2:
		sb_adds(&sb, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
		base64(&sb, text);
		break;
	default:
		sb_printf(&sb, "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\n"
		          "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n--b1\r\n"
		          "Content-Type: text/html; charset=utf-8\r\n\r\n<p>%s htmltwin</p>\r\n--b1--\r\n", text, text);
		break;
	}
	free(text);
	return sb_steal(&sb);
}

static void
make_corpus(void)
{
	for (int i = 0; i < NMSG; i++) {
		struct tmsg *m = &msgs[i];
		const char *who = names[rnd(ARRAY_LEN(names))];
		const char *to = names[rnd(ARRAY_LEN(names))], *cc = names[rnd(ARRAY_LEN(names))];
		char *subject, *to_list, *cc_list, *from_addr, *fname = NULL;
		struct msg_hdr h = { 0 };
		struct msg_attachment att = { .part_id = "2", .media_type = "application/pdf", .size = 1000 };

		fill(&m->subject, 1 + (int)rnd(4));
		fill(&m->body, 3 + (int)rnd(MAXW - 3));
		m->sender = (struct field){ { who, who, "example", "org" }, 4 };
		m->to = (struct field){ { to, "example", "org" }, 3 };
		m->cc = (struct field){ { cc, "test", "net" }, 3 };
		m->box = (int)rnd(3);
		m->visible = 1;
		m->seen = rnd(3) != 0;
		m->flagged = rnd(7) == 0;
		m->att = rnd(5) == 0;
		if (m->att)
			m->attn = (struct field){ { vocab[rnd(ARRAY_LEN(vocab))], "pdf" }, 2 };
		/* Whole hours, some shared, so ties on the date are ordered by id. */
		m->received_at = NOW - (int64_t)rnd(2 * 365 * 24) * 3600;
		m->size = 500 + rnd(200000);
		m->uid = (uint32_t)i + 1;

		subject = render_str(&m->subject);
		from_addr = xasprintf("%s@example.org", who);
		to_list = xasprintf("%c%s <%s@example.org>", to[0] - 32, to + 1, to);
		cc_list = xasprintf("%s@test.net", cc);
		h.subject = subject;
		h.from_name = who;
		h.from_addr = from_addr;
		h.to_list = to_list;
		h.cc_list = cc_list;
		h.received_at = h.sent_at = m->received_at;
		h.size = m->size;
		h.flags = (m->seen ? MSG_SEEN : 0) | (m->flagged ? MSG_FLAGGED : 0);
		h.has_attachment = m->att;
		if (m->att) {
			att.filename = fname = xasprintf("%s.pdf", m->attn.w[0]);
			h.att = &att;
			h.natt = 1;
		}
		assert_int_equal(db_message_insert(d, account, &h, &m->id), TERN_OK);
		assert_int_equal(db_message_link(d, m->id, boxes[m->box], m->uid, m->received_at), TERN_OK);
		m->cached = rnd(4) != 0;
		if (m->cached) {
			char *raw = raw_message(m, i % 4);
			assert_int_equal(body_store(d, m->id, raw, strlen(raw)), TERN_OK);
			free(raw);
		}
		free(subject);
		free(fname);
		free(from_addr);
		free(to_list);
		free(cc_list);
	}
}

/* --- the independent side: plain scans of the test's copy -------------- */

static int
has(const struct field *f, const char *w)
{
	for (int k = 0; k < f->n; k++)
		if (strcmp(f->w[k], w) == 0)
			return 1;
	return 0;
}

static int
has_prefix(const struct field *f, const char *p)
{
	for (int k = 0; k < f->n; k++)
		if (strncmp(f->w[k], p, strlen(p)) == 0)
			return 1;
	return 0;
}

static int
has_pair(const struct field *f, const char *a, const char *b)
{
	for (int k = 0; k + 1 < f->n; k++)
		if (strcmp(f->w[k], a) == 0 && strcmp(f->w[k + 1], b) == 0)
			return 1;
	return 0;
}

static int
any(const struct tmsg *m, const char *w)
{
	return has(&m->subject, w) || has(&m->sender, w) || has(&m->to, w) || has(&m->cc, w) ||
	       has(&m->attn, w) || (m->cached && has(&m->body, w));
}

static int
any_pair(const struct tmsg *m, const char *a, const char *b)
{
	return has_pair(&m->subject, a, b) || has_pair(&m->attn, a, b) || (m->cached && has_pair(&m->body, a, b));
}

static int64_t
day(int y, int mo, int dd)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = dd, .tm_isdst = -1 };
	return (int64_t)mktime(&tm);
}

static int q_alpha(const struct tmsg *m) { return any(m, "alpha"); }
static int q_alpha_beta(const struct tmsg *m) { return any(m, "alpha") && any(m, "beta"); }
static int q_alpha_or_beta(const struct tmsg *m) { return any(m, "alpha") || any(m, "beta"); }
static int q_alpha_not_beta(const struct tmsg *m) { return any(m, "alpha") && !any(m, "beta"); }
static int q_not_alpha(const struct tmsg *m) { return !any(m, "alpha"); }
static int q_from_carol(const struct tmsg *m) { return has(&m->sender, "carol"); }
static int q_to_dave(const struct tmsg *m) { return has(&m->to, "dave"); }
static int q_cc_erin(const struct tmsg *m) { return has(&m->cc, "erin"); }
static int q_carol(const struct tmsg *m) { return any(m, "carol"); }
static int q_subject_gamma(const struct tmsg *m) { return has(&m->subject, "gamma"); }
static int q_body_delta(const struct tmsg *m) { return m->cached && has(&m->body, "delta"); }
static int q_phrase(const struct tmsg *m) { return any_pair(m, "alpha", "beta"); }
static int q_unread(const struct tmsg *m) { return !m->seen; }
static int q_flagged_alpha(const struct tmsg *m) { return m->flagged && any(m, "alpha"); }
static int q_unread_gamma(const struct tmsg *m) { return !m->seen && any(m, "gamma"); }
static int q_att(const struct tmsg *m) { return m->att; }
static int q_in_sent(const struct tmsg *m) { return m->box == SENT; }
static int q_inbox_alpha(const struct tmsg *m) { return m->box == INBOX && any(m, "alpha"); }
static int q_in_trash(const struct tmsg *m) { return m->box == TRASH; }
static int q_before(const struct tmsg *m) { return m->received_at < day(2023, 6, 1); }
static int q_after_beta(const struct tmsg *m) { return m->received_at >= day(2023, 6, 1) && any(m, "beta"); }
static int q_recent(const struct tmsg *m) { return m->received_at >= NOW - 30 * 86400; }
static int q_larger(const struct tmsg *m) { return m->size > 100 * 1024; }
static int q_smaller_alpha(const struct tmsg *m) { return m->size < 10 * 1024 && any(m, "alpha"); }
static int q_mixed(const struct tmsg *m) { return (any(m, "alpha") || any(m, "gamma")) && !has(&m->sender, "carol"); }
static int q_cafe(const struct tmsg *m) { return any(m, "cafe"); }
static int q_prefix(const struct tmsg *m)
{
	return has_prefix(&m->subject, "bud") || has_prefix(&m->attn, "bud") ||
	       (m->cached && has_prefix(&m->body, "bud"));
}
static int q_archive_or_flagged(const struct tmsg *m) { return m->box == ARCHIVE || m->flagged; }
static int q_alpha_or_flagged(const struct tmsg *m) { return any(m, "alpha") || m->flagged; }
static int q_not_or(const struct tmsg *m) { return !(any(m, "alpha") || m->flagged) && any(m, "beta"); }
static int q_none(const struct tmsg *m) { (void)m; return 0; }
static int q_pdf(const struct tmsg *m) { return has(&m->attn, "pdf"); }
static int q_nested(const struct tmsg *m)
{
	return (has(&m->subject, "report") || (has(&m->to, "frank") && !any(m, "omega"))) && !m->seen;
}

static const struct {
	const char *query;
	int (*pred)(const struct tmsg *);
} queries[] = {
	{ "alpha", q_alpha },
	{ "ALPHA", q_alpha },
	{ "alpha beta", q_alpha_beta },
	{ "alpha OR beta", q_alpha_or_beta },
	{ "alpha -beta", q_alpha_not_beta },
	{ "-alpha", q_not_alpha },
	{ "from:carol", q_from_carol },
	{ "from:carol@example.org", q_from_carol },
	{ "to:dave", q_to_dave },
	{ "cc:erin", q_cc_erin },
	{ "carol", q_carol },
	{ "subject:gamma", q_subject_gamma },
	{ "body:delta", q_body_delta },                      /* never the subject's delta */
	{ "pdf", q_pdf },                                    /* attachment names: bare words */
	{ "body:pdf", q_none },                              /* ... but not body: */
	{ "\"alpha beta\"", q_phrase },
	{ "is:unread", q_unread },
	{ "is:flagged alpha", q_flagged_alpha },
	{ "-is:read gamma", q_unread_gamma },
	{ "has:attachment", q_att },
	{ "in:Sent", q_in_sent },
	{ "in:inbox alpha", q_inbox_alpha },
	{ "in:trash", q_in_trash },
	{ "before:2023-06-01", q_before },
	{ "after:2023-06-01 beta", q_after_beta },
	{ "after:30d", q_recent },
	{ "larger:100k", q_larger },
	{ "smaller:10k alpha", q_smaller_alpha },
	{ "(alpha OR gamma) -from:carol", q_mixed },
	{ "cafe", q_cafe },
	{ "CAFÉ", q_cafe },
	{ "bud*", q_prefix },
	{ "in:archive OR is:flagged", q_archive_or_flagged },
	{ "alpha OR is:flagged", q_alpha_or_flagged },
	{ "-(alpha OR is:flagged) beta", q_not_or },
	{ "stylehidden", q_none },
	{ "htmltwin", q_none },
	{ "(subject:report OR (to:frank -omega)) is:unread", q_nested },
};

static int
newer_first(const void *a, const void *b)
{
	const struct tmsg *x = *(const struct tmsg *const *)a, *y = *(const struct tmsg *const *)b;
	if (x->received_at != y->received_at)
		return x->received_at < y->received_at ? 1 : -1;
	return x->id < y->id ? 1 : -1;
}

struct page {
	int64_t ids[NMSG];
	int n;
	struct search_cursor last;
	int server[NMSG];
};

static int
collect(const struct msg_row *r, int server_hit, void *ctx)
{
	struct page *p = ctx;
	p->server[p->n] = server_hit;
	p->ids[p->n++] = r->id;
	p->last = (struct search_cursor){ server_hit, r->received_at, r->id };
	return 0;
}

static search_query *
parse(const char *text)
{
	search_query *q = NULL;
	struct search_error e = { 0 };
	if (search_parse(text, NOW, &q, &e) != TERN_OK)
		fail_msg("query [%s]: %s", text, e.message);
	return q;
}

/* The query as a limit of each mailbox (the TUI's l): the matches listed
 * there, in the same order, a page of 29 at a time down and up; its count. */
static void
check_limits(const search_query *q, const char *text, const struct tmsg *const *want, int nwant)
{
	static const struct tmsg *in[NMSG];
	static struct page all, pg;

	for (int b = 0; b < NBOX; b++) {
		int n = 0, end;
		int64_t count = -1;
		for (int i = 0; i < nwant; i++)
			if (want[i]->box == b)
				in[n++] = want[i];
		all.n = 0;
		for (;;) {
			int before = all.n;
			pg.n = 0;
			assert_int_equal(db_search_limit_page(d, q, boxes[b], all.n ? &all.last : NULL, 0, 29, collect, &pg),
			                 TERN_OK);
			for (int i = 0; i < pg.n; i++)
				all.ids[all.n++] = pg.ids[i];
			all.last = pg.last;
			if (all.n - before < 29)
				break;
		}
		if (all.n != n)
			print_error("limit [%s] of %s: %d rows, the scan found %d\n", text, box_names[b], all.n, n);
		assert_int_equal(all.n, n);
		for (int i = 0; i < n; i++)
			assert_int_equal(all.ids[i], in[i]->id);
		/* From the bottom, then before the top row of the page read last. */
		for (end = n; end > 0; end -= pg.n) {
			struct search_cursor cur = { 0, 0, 0 };
			if (end < n)
				cur = (struct search_cursor){ 0, in[end]->received_at, in[end]->id };
			pg.n = 0;
			assert_int_equal(db_search_limit_page(d, q, boxes[b], end < n ? &cur : NULL, 1, 29, collect, &pg),
			                 TERN_OK);
			assert_true(pg.n > 0);
			for (int i = 0; i < pg.n; i++)
				assert_int_equal(pg.ids[i], in[end - pg.n + i]->id);
		}
		assert_int_equal(db_search_limit_count(d, q, boxes[b], NMSG, &count), TERN_OK);
		assert_int_equal(count, n);
		/* Bounded: exact up to the bound, -1 past it. */
		assert_int_equal(db_search_limit_count(d, q, boxes[b], 10, &count), TERN_OK);
		assert_int_equal(count, n > 10 ? -1 : n);
	}
}

/* Every query: forward pages of 37, and backward pages from the bottom,
 * give exactly the scan's list in order; the count agrees. */
static void
check_all(void)
{
	static const struct tmsg *want[NMSG];
	static struct page all, pg;
	int64_t scope_ids[] = { account };
	struct search_scope sc = { scope_ids, 1 };

	for (size_t k = 0; k < ARRAY_LEN(queries); k++) {
		search_query *q = parse(queries[k].query);
		int nwant = 0;
		int64_t local, server;

		for (int i = 0; i < NMSG; i++)
			if (msgs[i].visible && queries[k].pred(&msgs[i]))
				want[nwant++] = &msgs[i];
		qsort(want, (size_t)nwant, sizeof *want, newer_first);

		all.n = 0;
		for (;;) {
			int before = all.n;
			pg.n = 0;
			assert_int_equal(db_search_page(d, q, &sc, all.n ? &all.last : NULL, 0, 37, collect, &pg), TERN_OK);
			for (int i = 0; i < pg.n; i++)
				all.ids[all.n++] = pg.ids[i];
			all.last = pg.last;
			if (all.n - before < 37)
				break;
		}
		if (all.n != nwant) {
			print_error("query [%s]: %d results, the scan found %d\n", queries[k].query, all.n, nwant);
			for (int i = 0, j = 0; i < nwant; i++) {
				while (j < all.n && all.ids[j] != want[i]->id)
					j++;
				if (j == all.n) { print_error("  missing %lld\n", (long long)want[i]->id); j = 0; }
			}
		}
		assert_int_equal(all.n, nwant);
		for (int i = 0; i < nwant; i++)
			assert_int_equal(all.ids[i], want[i]->id);

		/* Backward from the bottom, a page at a time. */
		{
			int end = nwant;
			struct search_cursor cur;
			int have = 0;
			while (end > 0) {
				pg.n = 0;
				assert_int_equal(db_search_page(d, q, &sc, have ? &cur : NULL, 1, 41, collect, &pg), TERN_OK);
				assert_true(pg.n > 0);
				for (int i = 0; i < pg.n; i++)
					assert_int_equal(pg.ids[i], want[end - pg.n + i]->id);
				end -= pg.n;
				cur = (struct search_cursor){ 0, want[end]->received_at, want[end]->id };
				have = 1;
			}
		}
		assert_int_equal(db_search_count(d, q, &sc, &local, &server), TERN_OK);
		assert_int_equal(local, nwant);
		assert_int_equal(server, 0);
		check_limits(q, queries[k].query, want, nwant);
		search_query_free(q);
	}
}

static int64_t
scalar(const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(d), sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The index has exactly one row per message, and FTS5 agrees with itself. */
static void
check_index(void)
{
	assert_int_equal(scalar("SELECT count(*) FROM search_fts"), scalar("SELECT count(*) FROM message"));
	assert_int_equal(scalar("SELECT count(*) FROM message m WHERE NOT EXISTS "
	                        "(SELECT 1 FROM search_fts f WHERE f.rowid = m.id)"), 0);
	assert_int_equal(db_exec(d, "INSERT INTO search_fts(search_fts) VALUES ('integrity-check')"), TERN_OK);
}

static int
setup(void **state)
{
	char *path, *err = NULL;
	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/search.db", dir);
	assert_int_equal(db_open(path, &d, &err), TERN_OK);
	free(path);
	assert_int_equal(db_account_ensure(d, "work", "imap", "me@example.org", &account), TERN_OK);
	for (int b = 0; b < NBOX; b++) {
		struct mailbox_info mi = { .remote_id = box_names[b], .name = box_names[b], .delim = "/",
		                           .role = box_roles[b], .selectable = 1, .subscribed = 1 };
		assert_int_equal(db_mailbox_upsert(d, account, &mi, &boxes[b]), TERN_OK);
	}
	assert_int_equal(db_begin(d), TERN_OK);
	make_corpus();
	assert_int_equal(db_commit(d), TERN_OK);
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf %s", dir);
	(void)state;
	db_close(d);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static void
t_corpus(void **state)
{
	(void)state;
	check_index();
	check_all();
}

/* Changes arrive the two ways they do in tern: the user's, through
 * db_change_* (which hide rows until the server confirms), and the
 * server's, through the calls engines make. */
static void
t_consistency_after_changes(void **state)
{
	int64_t change;
	(void)state;
	for (int i = 0; i < NMSG; i += 7) {
		struct tmsg *m = &msgs[i];
		switch ((i / 7) % 8) {
		case 0:   /* local delete to Trash */
			assert_int_equal(db_change_delete(d, m->id, 0, 1, &change), TERN_OK);
			m->box = TRASH;
			break;
		case 1:   /* local delete for good: hidden at once */
			assert_int_equal(db_change_delete(d, m->id, 0, 0, &change), TERN_OK);
			m->visible = 0;
			break;
		case 2:   /* local move */
			if (m->box != ARCHIVE) {
				assert_int_equal(db_change_move(d, m->id, 0, boxes[ARCHIVE], &change), TERN_OK);
				m->box = ARCHIVE;
			}
			break;
		case 3:   /* local flag changes */
			assert_int_equal(db_change_flag(d, m->id, MSG_SEEN, !m->seen, &change), TERN_OK);
			assert_int_equal(db_change_flag(d, m->id, MSG_FLAGGED, !m->flagged, &change), TERN_OK);
			m->seen = !m->seen;
			m->flagged = !m->flagged;
			break;
		case 4:   /* expunged on the server */
			assert_int_equal(db_message_unlink(d, m->id, boxes[m->box]), TERN_OK);
			m->visible = 0;
			break;
		case 5:   /* destroyed on the server (JMAP) */
			assert_int_equal(db_message_delete(d, m->id), TERN_OK);
			m->visible = 0;
			break;
		case 6:   /* flags changed on the server */
			assert_int_equal(db_message_set_flags(d, m->id, MSG_FLAGGED, NULL), TERN_OK);
			m->seen = 0;
			m->flagged = 1;
			break;
		case 7: { /* moved on the server: a new mailbox row, the old one gone */
			int to = m->box == SENT ? INBOX : SENT;
			assert_int_equal(db_message_link(d, m->id, boxes[to], 100000 + m->uid, m->received_at), TERN_OK);
			assert_int_equal(db_message_unlink(d, m->id, boxes[m->box]), TERN_OK);
			m->box = to;
			break;
		}
		}
	}
	/* A header rewritten under the index (as an engine would on a re-fetch). */
	assert_int_equal(db_exec(d, "UPDATE message SET subject = 'omega release' WHERE id IN "
	                            "(SELECT id FROM message ORDER BY id LIMIT 5)"), TERN_OK);
	for (int i = 0, n = 0; i < NMSG && n < 5; i++)
		if (msgs[i].id <= 5) {
			msgs[i].subject = (struct field){ { "omega", "release" }, 2 };
			n++;
		}
	/* A body cached late (a prefetch) becomes searchable... */
	for (int i = 0; i < NMSG; i++)
		if (!msgs[i].cached && msgs[i].visible) {
			char *raw = raw_message(&msgs[i], 0);
			assert_int_equal(body_store(d, msgs[i].id, raw, strlen(raw)), TERN_OK);
			free(raw);
			msgs[i].cached = 1;
			break;
		}
	/* ... and one evicted from the cache is no longer. */
	for (int i = 0; i < NMSG; i++)
		if (msgs[i].cached && msgs[i].visible && msgs[i].id > 5) {
			char sql[96];
			snprintf(sql, sizeof sql, "DELETE FROM body WHERE message_id = %lld", (long long)msgs[i].id);
			assert_int_equal(db_exec(d, sql), TERN_OK);
			msgs[i].cached = 0;
			break;
		}
	check_index();
	check_all();
}

/* Server results: only what the index missed is added, after the local
 * rows, marked; unknown UIDs are skipped; a new search replaces them. */
static void
t_server_hits(void **state)
{
	search_query *q = parse("body:kappa");
	int64_t scope_ids[] = { account }, local, server, added;
	struct search_scope sc = { scope_ids, 1 };
	static struct page p;
	uint32_t uids[8];
	size_t nu = 0;
	int nlocal = 0, nserver = 0;
	(void)state;

	/* Four messages of the Inbox only the server can know about, one the
	 * index found too, and a UID not synced yet. */
	for (int i = 0; i < NMSG; i++) {
		const struct tmsg *m = &msgs[i];
		int local_hit = m->visible && m->cached && has(&m->body, "kappa");
		nlocal += local_hit;
		if (!m->visible || m->box != INBOX || m->uid > 100000)
			continue;
		if (!local_hit && nserver < 4) {
			uids[nu++] = m->uid;
			nserver++;
		} else if (local_hit && nu < 7 && nu - (size_t)nserver == 0)
			uids[nu++] = m->uid;
	}
	assert_int_equal(nserver, 4);
	assert_int_equal(nu, 5);
	uids[nu++] = 999999;
	assert_int_equal(db_search_hits_clear(d, q, account), TERN_OK);
	assert_int_equal(db_search_hits_add_uids(d, q, boxes[INBOX], uids, nu, &added), TERN_OK);
	assert_int_equal(added, (int64_t)nu - 1);
	assert_int_equal(db_search_count(d, q, &sc, &local, &server), TERN_OK);
	assert_int_equal(local, nlocal);
	assert_int_equal(server, nserver);
	p.n = 0;
	assert_int_equal(db_search_page(d, q, &sc, NULL, 0, NMSG, collect, &p), TERN_OK);
	assert_int_equal(p.n, nlocal + nserver);
	for (int i = 0; i < p.n; i++)
		assert_int_equal(p.server[i], i >= nlocal);
	/* Paging across the seam, both ways. */
	{
		static struct page a;
		a.n = 0;
		for (;;) {
			int before = a.n;
			struct page one = { .n = 0 };
			assert_int_equal(db_search_page(d, q, &sc, a.n ? &a.last : NULL, 0, 3, collect, &one), TERN_OK);
			for (int i = 0; i < one.n; i++)
				a.ids[a.n++] = one.ids[i];
			a.last = one.last;
			if (a.n - before < 3)
				break;
		}
		assert_int_equal(a.n, p.n);
		for (int i = 0; i < p.n; i++)
			assert_int_equal(a.ids[i], p.ids[i]);
		a.n = 0;
		assert_int_equal(db_search_page(d, q, &sc, NULL, 1, 2, collect, &a), TERN_OK);
		assert_int_equal(a.n, 2);
		assert_int_equal(a.ids[1], p.ids[p.n - 1]);
		assert_int_equal(a.server[1], 1);
	}
	/* JMAP ids map the same way. */
	assert_int_equal(db_exec(d, "UPDATE message SET email_id = 'E' || id"), TERN_OK);
	{
		char id[32];
		const char *ids[2] = { id, "Enosuch" };
		snprintf(id, sizeof id, "E%lld", (long long)p.ids[0]);
		assert_int_equal(db_search_hits_add_email_ids(d, q, account, ids, 2, &added), TERN_OK);
		assert_int_equal(added, 1);
	}
	/* A message the server found that is deleted here leaves the list. */
	assert_int_equal(db_search_hits_clear(d, q, account), TERN_OK);
	assert_int_equal(db_search_count(d, q, &sc, &local, &server), TERN_OK);
	assert_int_equal(server, 0);
	search_query_free(q);

	/* A server hit that no longer matches what the database knows (read
	 * here since the server search) leaves the list too, at once. The
	 * text stays the server's word, negated or not: in the second query
	 * the local index disagrees with the server (it has the word), and the
	 * hit still counts until the flag changes. */
	{
		static const struct { const char *q; int body_alpha; } cases[] = {
			{ "is:unread body:zzqx", 0 }, { "is:unread -body:alpha", 1 } };
		for (size_t k = 0; k < ARRAY_LEN(cases); k++) {
			struct tmsg *hit = NULL;
			uint32_t one;
			search_query *q2 = parse(cases[k].q);
			for (int i = 0; i < NMSG && !hit; i++) {
				struct tmsg *m = &msgs[i];
				/* untouched by t_consistency_after_changes (every 7th) */
				if (i % 7 && m->visible && m->box == INBOX && !m->seen &&
				    (!cases[k].body_alpha || (m->cached && has(&m->body, "alpha"))))
					hit = m;
			}
			assert_non_null(hit);
			one = hit->uid;
			assert_int_equal(db_search_hits_clear(d, q2, account), TERN_OK);
			assert_int_equal(db_search_hits_add_uids(d, q2, boxes[INBOX], &one, 1, &added), TERN_OK);
			assert_int_equal(added, 1);
			assert_int_equal(db_search_count(d, q2, &sc, &local, &server), TERN_OK);
			assert_int_equal(server, 1);
			assert_int_equal(db_message_set_flags(d, hit->id, MSG_SEEN, NULL), TERN_OK);
			hit->seen = 1;
			assert_int_equal(db_search_count(d, q2, &sc, &local, &server), TERN_OK);
			assert_int_equal(server, 0);
			search_query_free(q2);
		}
	}
}

static void
t_uncached(void **state)
{
	int64_t ids[16], prev = 0;
	int n;
	(void)state;
	assert_int_equal(db_search_uncached(d, account, NOW - 60 * 86400, ids, 16, &n), TERN_OK);
	for (int i = 0; i < n; i++) {
		char *raw = NULL;
		size_t len;
		struct msg_row r = { 0 };
		assert_int_equal(db_body_get(d, ids[i], &raw, &len), TERN_ENOTFOUND);
		assert_int_equal(db_message_get(d, ids[i], &r), TERN_OK);
		assert_true(r.received_at >= NOW - 60 * 86400);
		if (i)
			assert_true(r.received_at <= prev);
		prev = r.received_at;
		db_msg_row_free(&r);
	}
	assert_true(n > 0);
	{
		int yes = 0;
		assert_int_equal(db_search_has_uncached(d, account, &yes), TERN_OK);
		assert_true(yes);
	}
}

/* A message as a database of an older version held it: only the columns
 * the first schema had (this version's db_message_insert writes columns
 * added since), in a transaction as that version's db layer wrote it, so
 * that its commit indexes it the way that version did. */
static int64_t
old_message(db *x, int64_t acct, const char *subject, const struct msg_attachment *att, int64_t when)
{
	static const char msg[] = "INSERT INTO message (id, account_id, subject, from_addr, received_at, sent_at, "
	                          "has_attachment) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM message), ?, ?, "
	                          "'x@y.z', ?, ?, ?)";
	static const char at[] = "INSERT INTO attachment (message_id, part_id, filename, media_type) VALUES (?, ?, ?, ?)";
	sqlite3 *h = db_sqlite(x);
	sqlite3_stmt *st;
	int64_t id;

	assert_int_equal(db_begin(x), TERN_OK);
	assert_int_equal(sqlite3_prepare_v2(h, msg, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, acct);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, when);
	sqlite3_bind_int64(st, 4, when);
	sqlite3_bind_int(st, 5, att != NULL);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	id = sqlite3_last_insert_rowid(h);
	if (att) {
		assert_int_equal(sqlite3_prepare_v2(h, at, -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, att->part_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, att->filename, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, att->media_type, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
	}
	assert_int_equal(db_commit(x), TERN_OK);
	return id;
}

/* A database from before the index: headers are searchable as soon as it
 * is opened, bodies after body_reindex(). */
static void
t_upgrade(void **state)
{
	char *path = xasprintf("%s/old.db", dir), *err = NULL;
	const char *raw = "Subject: s\r\nContent-Type: text/plain\r\n\r\nwombat\r\n";
	int64_t a, mb, id, local, server, ids[] = { 0 };
	struct search_scope sc = { ids, 1 };
	struct mailbox_info mi = { .remote_id = "INBOX", .name = "INBOX", .delim = "/", .role = "inbox",
	                           .selectable = 1, .subscribed = 1 };
	search_query *q1 = parse("quokka"), *q2 = parse("wombat");
	db *old;
	int left;
	(void)state;

	assert_int_equal(db_open_at(path, 2, &old, &err), TERN_OK);
	assert_int_equal(db_account_ensure(old, "a", "imap", "", &a), TERN_OK);
	assert_int_equal(db_mailbox_upsert(old, a, &mi, &mb), TERN_OK);
	id = old_message(old, a, "quokka", NULL, 5);
	assert_int_equal(db_message_link(old, id, mb, 1, 5), TERN_OK);
	assert_int_equal(db_body_put(old, id, raw, strlen(raw)), TERN_OK);
	db_close(old);

	assert_int_equal(db_open(path, &old, &err), TERN_OK);
	ids[0] = a;
	assert_int_equal(db_search_count(old, q1, &sc, &local, &server), TERN_OK);
	assert_int_equal(local, 1);
	assert_int_equal(db_search_count(old, q2, &sc, &local, &server), TERN_OK);
	assert_int_equal(local, 0);
	assert_int_equal(body_reindex(old, 100, &left), TERN_OK);
	assert_int_equal(left, 0);
	assert_int_equal(db_search_count(old, q2, &sc, &local, &server), TERN_OK);
	assert_int_equal(local, 1);
	db_close(old);
	free(path);
	search_query_free(q1);
	search_query_free(q2);
}

static int64_t
count_of(db *x, int64_t account_id, const char *query)
{
	search_query *q = parse(query);
	int64_t ids[] = { account_id }, local = -1, server;
	struct search_scope sc = { ids, 1 };
	assert_int_equal(db_search_count(x, q, &sc, &local, &server), TERN_OK);
	search_query_free(q);
	return local;
}

/* From schema 7, whose body column held the Subject and the attachment
 * names too: file names move to their own column at once (from the
 * attachment table), and the body column loses the subject when
 * body_reindex() has been through it. */
static void
t_upgrade_attachments(void **state)
{
	char *path = xasprintf("%s/old7.db", dir), *err = NULL;
	const char *raw = "Subject: dingo\r\nContent-Type: text/plain\r\n\r\nwallaby\r\n";
	struct msg_attachment att = { .part_id = "2", .filename = "numbat.pdf", .media_type = "application/pdf" };
	struct mailbox_info mi = { .remote_id = "INBOX", .name = "INBOX", .delim = "/", .role = "inbox",
	                           .selectable = 1, .subscribed = 1 };
	int64_t a, mb, id;
	char sql[160];
	db *old;
	int left;
	(void)state;

	assert_int_equal(db_open_at(path, DB_SCHEMA_FTS_ATTACHMENTS - 1, &old, &err), TERN_OK);
	assert_int_equal(db_account_ensure(old, "a", "imap", "", &a), TERN_OK);
	assert_int_equal(db_mailbox_upsert(old, a, &mi, &mb), TERN_OK);
	id = old_message(old, a, "dingo", &att, 5);
	assert_int_equal(db_message_link(old, id, mb, 1, 5), TERN_OK);
	assert_int_equal(db_body_put(old, id, raw, strlen(raw)), TERN_OK);
	/* What version 7 indexed: subject, body text, file names. */
	snprintf(sql, sizeof sql, "UPDATE search_fts SET body = 'dingo\nwallaby\nnumbat.pdf' WHERE rowid = %lld",
	         (long long)id);
	assert_int_equal(db_exec(old, sql), TERN_OK);
	db_close(old);

	assert_int_equal(db_open(path, &old, &err), TERN_OK);
	assert_int_equal(count_of(old, a, "numbat"), 1);
	assert_int_equal(count_of(old, a, "dingo"), 1);
	assert_int_equal(count_of(old, a, "body:wallaby"), 1);
	assert_int_equal(body_reindex(old, 100, &left), TERN_OK);
	assert_int_equal(left, 0);
	assert_int_equal(count_of(old, a, "body:dingo"), 0);
	assert_int_equal(count_of(old, a, "body:numbat"), 0);
	assert_int_equal(count_of(old, a, "body:wallaby"), 1);
	assert_int_equal(count_of(old, a, "numbat"), 1);
	assert_int_equal(count_of(old, a, "dingo"), 1);
	assert_int_equal(db_exec(old, "INSERT INTO search_fts(search_fts) VALUES ('integrity-check')"), TERN_OK);
	db_close(old);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_corpus),
		cmocka_unit_test(t_consistency_after_changes),
		cmocka_unit_test(t_server_hits),
		cmocka_unit_test(t_uncached),
		cmocka_unit_test(t_upgrade),
		cmocka_unit_test(t_upgrade_attachments),
	};
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, setup, teardown);
}
