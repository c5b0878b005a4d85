/* The search benchmark (not a test; run by search_bench.sh): builds a
 * database of N messages the way a sync stores them, timing the writes with
 * and without the index, then times the first screen (50 rows) of a few
 * queries.
 *
 * usage: search_bench DIR [N]     (N defaults to 100000)
 * prints one "name value unit" line per measurement. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_body.h"
#include "db/db.h"
#include "db/db_account.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_search.h"
#include "src/base/err.h"
#include "src/search/search.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"

#define VOCAB 20000
#define BATCH 500

static const char *const syl[] = { "ka", "ro", "mi", "ten", "sul", "de", "vor", "pa", "li", "gan",
                                   "shu", "bre", "to", "nel", "fa", "qui", "os", "ly", "dra", "wen" };
static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static double
uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* A pronounceable word for each rank: rank 0 is the most frequent. */
static void
word_of(int r, char *out)
{
	out[0] = '\0';
	r += 400;   /* at least three syllables: no accidental short words */
	do {
		strcat(out, syl[r % 20]);
		r /= 20;
	} while (r);
}

/* Zipf-like: P(rank r) ~ 1/(r+1). */
static void
random_word(char *out)
{
	word_of((int)(exp(uniform() * log((double)VOCAB))) - 1, out);
}

static void
words(strbuf *sb, int n)
{
	char w[64];
	for (int k = 0; k < n; k++) {
		random_word(w);
		if (k)
			sb_addc(sb, ' ');
		sb_adds(sb, w);
	}
}

struct corpus_stats {
	int64_t header_ms, body_ms;
};

/* Stores n messages (headers, then bodies) in batches, as a sync does. */
static int
fill(db *d, int n, int with_bodies, struct corpus_stats *st)
{
	static const char *const people[] = { "alice", "bob", "carol", "dave", "erin", "frank", "grace",
	                                      "heidi", "ivan", "judy", "mallory", "oscar", "peggy", "trent" };
	int64_t acct, inbox, t0;
	struct mailbox_info mi = { .remote_id = "INBOX", .name = "INBOX", .delim = "/", .role = "inbox",
	                           .selectable = 1, .subscribed = 1 };
	int64_t *ids = xcalloc((size_t)n, sizeof *ids);

	if (db_account_ensure(d, "bench", "imap", "me@example.org", &acct) != TERN_OK ||
	    db_mailbox_upsert(d, acct, &mi, &inbox) != TERN_OK)
		return -1;
	t0 = time_mono_ms();
	for (int i = 0; i < n; i++) {
		strbuf subj = STRBUF_INIT;
		const char *who = people[i % 14];
		char *addr = xasprintf("%s@example.org", who), *to = xasprintf("%s <%s@example.net>",
		                       people[(i * 7) % 14], people[(i * 7) % 14]);
		struct msg_hdr h = { .from_name = who, .from_addr = addr, .to_list = to,
		                     .received_at = 1700000000 - (int64_t)i * 300, .size = 2000 + i % 50000,
		                     .flags = i % 3 ? MSG_SEEN : 0 };
		words(&subj, 3 + i % 5);
		h.subject = subj.buf;
		h.sent_at = h.received_at;
		if (i % BATCH == 0 && db_begin(d) != TERN_OK)
			return -1;
		if (db_message_insert(d, acct, &h, &ids[i]) != TERN_OK ||
		    db_message_link(d, ids[i], inbox, i + 1, h.received_at) != TERN_OK)
			return -1;
		if ((i % BATCH == BATCH - 1 || i == n - 1) && db_commit(d) != TERN_OK)
			return -1;
		sb_free(&subj);
		free(addr);
		free(to);
	}
	st->header_ms = time_mono_ms() - t0;
	t0 = time_mono_ms();
	for (int i = 0; with_bodies && i < n; i++) {
		strbuf raw = STRBUF_INIT;
		sb_adds(&raw, "From: x@example.org\r\nSubject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
		words(&raw, 150 + i % 200);
		sb_adds(&raw, "\r\n");
		if (i % BATCH == 0 && db_begin(d) != TERN_OK)
			return -1;
		if ((with_bodies == 2 ? body_store(d, ids[i], raw.buf, raw.len)
		                      : db_body_put(d, ids[i], raw.buf, raw.len)) != TERN_OK)
			return -1;
		if ((i % BATCH == BATCH - 1 || i == n - 1) && db_commit(d) != TERN_OK)
			return -1;
		sb_free(&raw);
	}
	st->body_ms = time_mono_ms() - t0;
	free(ids);
	return 0;
}

static int
count_row(const struct msg_row *r, int server_hit, void *ctx)
{
	(void)r;
	(void)server_hit;
	++*(int *)ctx;
	return 0;
}

/* Remembers the last row, for the next page's cursor. */
struct last_row {
	int rows;
	struct search_cursor at;
};

static int
last_row(const struct msg_row *r, int server_hit, void *ctx)
{
	struct last_row *l = ctx;
	(void)server_hit;
	l->rows++;
	l->at = (struct search_cursor){ 0, r->received_at, r->id };
	return 0;
}

/* A limit of INBOX (the whole corpus) as the TUI reads it (ui/msglist.c):
 * open = the first two screens (2 x 50 rows), j past them = the next
 * screen after the last row, G = the last two screens read backwards,
 * and the status line's count (up to 10,000, as the list
 * counts it). Best of 5, in ms. */
static int
bench_limit(db *d, const char *text)
{
	struct mailbox_row mb = { 0 };
	search_query *sq = NULL;
	struct search_error e = { 0 };
	int64_t best[4] = { -1, -1, -1, -1 }, total = 0;
	int64_t acct = 0;
	struct last_row l = { 0 };

	if (db_account_ensure(d, "bench", "imap", "me@example.org", &acct) != TERN_OK ||
	    db_mailbox_find(d, acct, "INBOX", &mb) != TERN_OK || search_parse(text, time_now(), &sq, &e) != TERN_OK)
		return -1;
	for (int run = 0; run < 5; run++) {
		int64_t t[4];
		t[0] = time_mono_ms();
		l.rows = 0;
		if (db_search_limit_page(d, sq, mb.id, NULL, 0, 100, last_row, &l) != TERN_OK)
			return -1;
		t[0] = time_mono_ms() - t[0];
		t[1] = time_mono_ms();
		if (db_search_limit_page(d, sq, mb.id, &l.at, 0, 50, last_row, &l) != TERN_OK)
			return -1;
		t[1] = time_mono_ms() - t[1];
		t[2] = time_mono_ms();
		if (db_search_limit_page(d, sq, mb.id, NULL, 1, 100, last_row, &l) != TERN_OK)
			return -1;
		t[2] = time_mono_ms() - t[2];
		t[3] = time_mono_ms();
		if (db_search_limit_count(d, sq, mb.id, 10000, &total) != TERN_OK)
			return -1;
		t[3] = time_mono_ms() - t[3];
		for (int k = 0; k < 4; k++)
			if (best[k] < 0 || t[k] < best[k])
				best[k] = t[k];
	}
	printf("limit open %lld ms  j %lld ms  G %lld ms  count %lld ms  matches %s%lld of INBOX  limit [%s]\n",
	       (long long)best[0], (long long)best[1], (long long)best[2], (long long)best[3], total < 0 ? ">" : "",
	       (long long)(total < 0 ? 10000 : total), text);
	search_query_free(sq);
	db_mailbox_row_free(&mb);
	return 0;
}

static db *
open_at(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name), *err = NULL;
	db *d = NULL;
	remove(path);
	if (db_open(path, &d, &err) != TERN_OK) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	free(path);
	return d;
}

int
main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 100000;
	struct corpus_stats plain, indexed;
	char common[64], mid[64], rare[64], q[512];
	db *d;

	if (argc < 2) {
		fprintf(stderr, "usage: search_bench DIR [N]\n");
		return 2;
	}
	if (getenv("BENCH_QUERIES_ONLY")) {
		/* Query timings on the database a previous run left in DIR. */
		char *path = xasprintf("%s/search.db", argv[1]), *err = NULL;
		if (db_open(path, &d, &err) != TERN_OK) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		free(path);
		goto queries;
	}
	/* The baseline: the same writes with the index triggers dropped and
	 * bodies stored raw, as tern stored them before search existed. */
	if (getenv("BENCH_HEADERS_ONLY")) {
		/* A quick corpus: headers indexed, no bodies, no baseline. */
		d = open_at(argv[1], "search.db");
		if (fill(d, n, 0, &indexed) != 0)
			return 1;
		goto queries;
	}
	d = open_at(argv[1], "plain.db");
	db_exec(d, "DROP TRIGGER search_message_insert; DROP TRIGGER search_message_update;"
	           "DROP TRIGGER search_message_delete; DROP TRIGGER search_body_delete;");
	if (fill(d, n, 1, &plain) != 0)
		return 1;
	db_close(d);
	d = open_at(argv[1], "search.db");
	if (fill(d, n, 2, &indexed) != 0)
		return 1;
	printf("messages %d\n", n);
	printf("headers_plain %lld ms\nheaders_indexed %lld ms\n", (long long)plain.header_ms,
	       (long long)indexed.header_ms);
	printf("bodies_plain %lld ms\nbodies_indexed %lld ms\n", (long long)plain.body_ms, (long long)indexed.body_ms);
	printf("overhead_headers %.1f %%\noverhead_total %.1f %%\n",
	       100.0 * (double)(indexed.header_ms - plain.header_ms) / (double)plain.header_ms,
	       100.0 * (double)(indexed.header_ms + indexed.body_ms - plain.header_ms - plain.body_ms) /
	       (double)(plain.header_ms + plain.body_ms));

queries:
	word_of(0, common);
	word_of(60, mid);
	word_of(9000, rare);
	{
		char *queries[] = {
			xasprintf("%s", common), xasprintf("%s", mid), xasprintf("%s", rare),
			xasprintf("%s %s", common, mid), xasprintf("\"%s %s\"", common, common),
			xasprintf("from:carol %s", mid), xasprintf("%s is:unread", mid),
			xasprintf("%s -%s", mid, common), xasprintf("in:inbox %s", rare),
			xasprintf("%s OR %s", mid, rare), xasprintf("%.5s*", mid), xasprintf("subject:%s", mid),
			xasprintf("is:unread larger:40k"), xasprintf("nosuchwordanywhere"),
		};
		for (size_t k = 0; k < ARRAY_LEN(queries); k++) {
			search_query *sq = NULL;
			struct search_error e = { 0 };
			int64_t best = -1, first = 0, total, server;
			int rows = 0;
			if (search_parse(queries[k], time_now(), &sq, &e) != TERN_OK)
				return 1;
			for (int run = 0; run < 5; run++) {
				int64_t t0 = time_mono_ms();
				rows = 0;
				if (db_search_page(d, sq, NULL, NULL, 0, 50, count_row, &rows) != TERN_OK)
					return 1;
				t0 = time_mono_ms() - t0;
				if (run == 0)
					first = t0;
				if (best < 0 || t0 < best)
					best = t0;
			}
			db_search_count(d, sq, NULL, &total, &server);
			snprintf(q, sizeof q, "%s", queries[k]);
			printf("first_screen %lld ms (first run %lld ms)  rows %d of %lld  query [%s]\n",
			       (long long)best, (long long)first, rows, (long long)total, q);
			search_query_free(sq);
			free(queries[k]);
		}
	}
	{
		char *limits[] = { xasprintf("%s", common), xasprintf("from:carol"), xasprintf("%s", rare) };
		for (size_t k = 0; k < ARRAY_LEN(limits); k++) {
			if (bench_limit(d, limits[k]) != 0)
				return 1;
			free(limits[k]);
		}
	}
	db_close(d);
	return 0;
}
