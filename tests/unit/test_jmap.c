/* The JMAP engine's pure parts: exact big numbers both ways, dates, URL
 * resolution and templates, request splitting, the session and Email
 * objects read defensively; the lookups a sync makes per email are indexed;
 * the poll interval's JMAP default. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/config/conf.h"
#include "db/db.h"
#include "db/db_int.h"
#include "src/base/err.h"
#include "sync/jmap/jmap_call.h"
#include "sync/jmap/jmap_email_parse.h"
#include "sync/jmap/jmap_http.h"
#include "sync/jmap/jmap_json.h"
#include "sync/jmap/jmap_session.h"
#include "src/base/util.h"

/* Print with our writer, parse back with cJSON, compare: exact up to 2^53-1
 * (cJSON's own printer gives 9.00719925474099e+15 for the largest). */
static void
t_big_numbers_round_trip(void **state)
{
	static const uint64_t v[] = { 0, 1, 2147483647ULL, 2147483648ULL, 4294967296ULL,
	                              1000000000000000ULL, 1234567890123460ULL,
	                              4503599627370497ULL, 9007199254740991ULL };
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(v); i++) {
		cJSON *o = cJSON_CreateObject();
		char *s, want[64];
		uint64_t back = 0;
		jmap_add_uint(o, "n", v[i]);
		s = cJSON_PrintUnformatted(o);
		snprintf(want, sizeof want, "{\"n\":%" PRIu64 "}", v[i]);
		assert_string_equal(s, want);
		cJSON_Delete(o);
		o = cJSON_Parse(s);
		assert_int_equal(jmap_uint(o, "n", &back), TERN_OK);
		assert_true(back == v[i]);
		cJSON_Delete(o);
		free(s);
	}
}

static void
t_uint_rejects_what_is_not_unsigned_int(void **state)
{
	static const char *const bad[] = { "{\"n\":-1}", "{\"n\":1.5}", "{\"n\":9007199254740993}",
	                                   "{\"n\":1e300}", "{\"n\":\"5\"}", "{\"n\":null}", "{}" };
	uint64_t out;
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		cJSON *o = cJSON_Parse(bad[i]);
		assert_int_equal(jmap_uint(o, "n", &out), TERN_EPROTO);
		cJSON_Delete(o);
	}
}

static void
t_dates(void **state)
{
	int64_t t;
	(void)state;
	assert_int_equal(jmap_date_parse("2024-05-01T12:00:00Z", &t), TERN_OK);
	assert_true(t == 1714564800);
	assert_int_equal(jmap_date_parse("2024-05-01T14:00:00+02:00", &t), TERN_OK);
	assert_true(t == 1714564800);
	assert_int_equal(jmap_date_parse("2024-05-01T11:30:00.123-00:30", &t), TERN_OK);
	assert_true(t == 1714564800);
	assert_int_equal(jmap_date_parse("2024-05-01 12:00:00", &t), TERN_EPROTO);
	assert_int_equal(jmap_date_parse("2024-13-01T12:00:00Z", &t), TERN_EPROTO);
	assert_int_equal(jmap_date_parse("2024-05-01T12:00:00Zjunk", &t), TERN_EPROTO);
	assert_int_equal(jmap_date_parse(NULL, &t), TERN_EPROTO);
}

static void
t_ids(void **state)
{
	char long_id[300];
	(void)state;
	assert_true(jmap_id_valid("M1a2b-_Z"));
	assert_false(jmap_id_valid(""));
	assert_false(jmap_id_valid("a/b"));
	assert_false(jmap_id_valid("a~b"));
	memset(long_id, 'a', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	assert_false(jmap_id_valid(long_id));
}

static void
t_url_resolve(void **state)
{
	static const char *const cases[][3] = {
		{ "http://h:1/jmap/", "/jmap/", "http://h:1/jmap/" },
		{ "http://h:1/.well-known/jmap", "/jmap/upload/{accountId}/", "http://h:1/jmap/upload/{accountId}/" },
		{ "https://h/a/b", "c?x=1", "https://h/a/c?x=1" },
		{ "https://h", "c", "https://h/c" },
		{ "https://h/a", "//other/x", "https://other/x" },
		{ "https://h/a", "http://z/y", "http://z/y" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *r = jmap_url_resolve(cases[i][0], cases[i][1]);
		assert_string_equal(r, cases[i][2]);
		free(r);
	}
}

static void
t_url_template(void **state)
{
	const char *names[] = { "accountId", "blobId", "name", "type" };
	const char *values[] = { "alice", "G12", "a b.eml", "message/rfc822" };
	char *u = jmap_url_template("/d/{accountId}/{blobId}/{name}?accept={type}&x={unknown}", names, values, 4);
	(void)state;
	assert_string_equal(u, "/d/alice/G12/a%20b.eml?accept=message%2Frfc822&x=");
	free(u);
}

static void
t_split_keeps_references_together(void **state)
{
	/* calls 0..5; 2 refers to 1, 3 to 2 (so to 1), 5 to 4 */
	int deps[] = { 0, 1, 1, 1, 4, 4 }, ends[6];
	(void)state;
	assert_int_equal(jmap_req_split(deps, 6, 6, ends), 1);
	assert_int_equal(ends[0], 6);
	assert_int_equal(jmap_req_split(deps, 6, 4, ends), 2);
	assert_int_equal(ends[0], 4);
	assert_int_equal(ends[1], 6);
	assert_int_equal(jmap_req_split(deps, 6, 3, ends), 3);
	assert_int_equal(ends[0], 1);
	assert_int_equal(ends[1], 4);
	assert_int_equal(jmap_req_split(deps, 6, 2, ends), -1);
}

static void
t_session_relative_urls_and_limits(void **state)
{
	static const char json[] =
		"{\"apiUrl\":\"/jmap/\",\"downloadUrl\":\"/jmap/download/{accountId}/{blobId}/{name}?accept={type}\","
		"\"uploadUrl\":\"/jmap/upload/{accountId}/\",\"eventSourceUrl\":\"/jmap/eventsource/?types={types}\","
		"\"state\":\"0\",\"username\":\"alice\",\"primaryAccounts\":{\"urn:ietf:params:jmap:mail\":\"alice\"},"
		"\"accounts\":{\"alice\":{\"accountCapabilities\":{\"urn:ietf:params:jmap:submission\":{}}}},"
		"\"capabilities\":{\"urn:ietf:params:jmap:core\":{\"maxObjectsInGet\":4096,\"maxCallsInRequest\":50,"
		"\"maxSizeRequest\":10485760},\"urn:ietf:params:jmap:mail\":{},\"urn:ietf:params:jmap:submission\":{}}}";
	struct jmap_session *s = NULL;
	char *err = NULL;
	(void)state;
	assert_int_equal(jmap_session_parse("http://127.0.0.1:8/jmap/", json, strlen(json), &s, &err), TERN_OK);
	assert_string_equal(s->api_url, "http://127.0.0.1:8/jmap/");
	assert_string_equal(s->upload_url, "http://127.0.0.1:8/jmap/upload/{accountId}/");
	assert_string_equal(s->event_source_url, "http://127.0.0.1:8/jmap/eventsource/?types={types}");
	assert_string_equal(s->account_id, "alice");
	assert_true(s->max_objects_in_get == 4096 && s->max_calls_in_request == 50);
	assert_true(s->max_size_request == 10485760);
	assert_true(s->has_submission);
	jmap_session_free(s);
}

static void
t_session_refuses_bad_input(void **state)
{
	static const char *const bad[] = {
		"[]", "not json",
		"{\"apiUrl\":\"/a\",\"downloadUrl\":\"/d\",\"uploadUrl\":\"/u\",\"state\":\"0\","
		"\"capabilities\":{\"urn:ietf:params:jmap:core\":{}}}",
		"{\"apiUrl\":5,\"downloadUrl\":\"/d\",\"uploadUrl\":\"/u\",\"state\":\"0\","
		"\"capabilities\":{\"urn:ietf:params:jmap:core\":{},\"urn:ietf:params:jmap:mail\":{}}}",
		"{\"apiUrl\":\"/a\",\"downloadUrl\":\"/d\",\"uploadUrl\":\"/u\",\"state\":\"0\","
		"\"primaryAccounts\":{\"urn:ietf:params:jmap:mail\":\"../x\"},\"accounts\":{\"../x\":{}},"
		"\"capabilities\":{\"urn:ietf:params:jmap:core\":{},\"urn:ietf:params:jmap:mail\":{}}}",
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct jmap_session *s = NULL;
		char *err = NULL;
		assert_int_equal(jmap_session_parse("http://h/", bad[i], strlen(bad[i]), &s, &err), TERN_EPROTO);
		assert_non_null(err);
		free(err);
	}
}

/* A session's URLs carry the credentials: another host only over TLS, never
 * down from https to http, never a scheme other than http(s). */
static void
t_session_urls_elsewhere(void **state)
{
	static const struct {
		const char *session, *api, *download;
		int ok;
		const char *why;
	} c[] = {
		{ "https://mail.example.com/jmap/", "https://api.example.com/jmap/", "/dl/{blobId}", 1, NULL },
		{ "http://127.0.0.1:8/jmap/", "/jmap/", "http://127.0.0.1:8/dl/{blobId}", 1, NULL },
		{ "http://127.0.0.1:8/jmap/", "https://other.example/api", "/dl", 1, NULL },
		{ "http://127.0.0.1:8/jmap/", "http://127.0.0.1:9/api", "http://[::1]:8/dl", 0, "downloadUrl points to" },
		{ "http://[::1]:8/jmap/", "http://[::1]:9/api", "/dl", 1, NULL },
		{ "http://127.0.0.1:8/jmap/", "http://other.example/api", "/dl", 0, "apiUrl points to another host" },
		{ "https://mail.example.com/", "http://mail.example.com/api", "/dl", 0, "apiUrl goes from https down" },
		{ "https://mail.example.com/", "/api", "file:///etc/passwd", 0, "downloadUrl is not an http" },
		{ "http://127.0.0.1:8/", "/api", "ftp://127.0.0.1/x", 0, "downloadUrl is not an http" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(c); i++) {
		char *json = xasprintf(
			"{\"apiUrl\":\"%s\",\"downloadUrl\":\"%s\",\"uploadUrl\":\"/u\",\"state\":\"0\","
			"\"primaryAccounts\":{\"urn:ietf:params:jmap:mail\":\"a\"},\"accounts\":{\"a\":{}},"
			"\"capabilities\":{\"urn:ietf:params:jmap:core\":{},\"urn:ietf:params:jmap:mail\":{}}}",
			c[i].api, c[i].download);
		struct jmap_session *s = NULL;
		char *err = NULL;
		int rc = jmap_session_parse(c[i].session, json, strlen(json), &s, &err);
		if (c[i].ok) {
			assert_int_equal(rc, TERN_OK);
			jmap_session_free(s);
		} else {
			assert_int_equal(rc, TERN_EPROTO);
			assert_null(s);
			assert_non_null(strstr(err, c[i].why));
			free(err);
		}
		free(json);
	}
}

static void
t_email_parse(void **state)
{
	static const char json[] =
		"{\"id\":\"M1\",\"blobId\":\"G1\",\"threadId\":\"T1\",\"mailboxIds\":{\"mb1\":true,\"mb/2\":true,\"mb3\":false},"
		"\"keywords\":{\"$seen\":true,\"$Flagged\":true,\"$label1\":true,\"bad word\":true,\"x\":false},"
		"\"size\":9007199254740991,\"receivedAt\":\"2024-05-01T12:00:00Z\",\"sentAt\":null,"
		"\"messageId\":[\"a@b\"],\"inReplyTo\":[\"p@b\",\"<evil>\"],\"references\":[\"r1@b\",\"p@b\"],"
		"\"from\":[{\"name\":\"Ann, A.\",\"email\":\"ann@x\"}],\"to\":[{\"name\":null,\"email\":\"b@x\"},7],"
		"\"subject\":\"hi\",\"hasAttachment\":true,\"preview\":\"pre\","
		"\"attachments\":[{\"partId\":\"2\",\"blobId\":\"G2\",\"size\":10,\"name\":\"a.pdf\",\"type\":\"application/pdf\","
		"\"disposition\":\"attachment\"},\"junk\"]}";
	cJSON *o = cJSON_Parse(json);
	struct jmap_email e;
	(void)state;
	assert_int_equal(jmap_email_parse(o, &e), TERN_OK);
	assert_string_equal(e.h.email_id, "M1");
	assert_int_equal((int)e.nmb, 1);
	assert_string_equal(e.mailbox_ids[0], "mb1");
	assert_int_equal(e.h.flags, MSG_SEEN | MSG_FLAGGED);
	assert_string_equal(e.h.keywords, "$label1");
	assert_true(e.h.size == 9007199254740991LL);
	assert_true(e.h.received_at == 1714564800 && e.h.sent_at == 1714564800);
	assert_string_equal(e.h.message_id, "a@b");
	assert_string_equal(e.h.in_reply_to, "p@b");
	assert_string_equal(e.h.references, "r1@b p@b");
	assert_string_equal(e.h.from_addr, "ann@x");
	assert_string_equal(e.h.to_list, "b@x");
	assert_int_equal((int)e.h.natt, 1);
	assert_string_equal(e.h.att[0].filename, "a.pdf");
	assert_string_equal(e.h.att[0].blob_id, "G2");
	assert_true(e.h.damaged == 0);
	jmap_email_free(&e);
	cJSON_Delete(o);
	/* A property of the wrong type: damaged, with what can be read. */
	o = cJSON_Parse("{\"id\":\"M2\",\"mailboxIds\":{\"mb1\":true},\"keywords\":{\"$seen\":true},"
	                "\"subject\":{\"x\":1},\"from\":\"ann\",\"size\":5,\"receivedAt\":\"2024-05-01T12:00:00Z\"}");
	assert_int_equal(jmap_email_parse(o, &e), TERN_OK);
	assert_true(e.h.damaged > 0);
	assert_string_equal(e.h.email_id, "M2");
	assert_int_equal((int)e.nmb, 1);
	assert_int_equal(e.h.flags, MSG_SEEN);
	assert_true(e.h.size == 5 && e.h.received_at == 1714564800);
	assert_string_equal(e.h.subject, MSG_DAMAGED_SUBJECT);
	assert_null(e.h.from_addr);
	jmap_email_free(&e);
	cJSON_Delete(o);
	o = cJSON_Parse("{\"id\":\"M3\",\"mailboxIds\":{\"mb1\":true},\"receivedAt\":\"yesterday\"}");
	assert_int_equal(jmap_email_parse(o, &e), TERN_OK);
	assert_true(e.h.damaged > 0 && e.h.received_at > 1714564800);
	jmap_email_free(&e);
	cJSON_Delete(o);
	o = cJSON_Parse("{\"id\":\"../x\"}");
	assert_int_equal(jmap_email_parse(o, &e), TERN_EPROTO);
	jmap_email_free(&e);
	cJSON_Delete(o);
}

/* The statements a sync runs for each email (db_message.c thread_assign,
 * db_jmap.c, db_queue.c): each must search an index, never scan a table. A
 * scan per email makes a first sync quadratic (10,000 emails: 26 s instead
 * of 4.5 s with the remote_thread_id index). */
static void
t_per_email_lookups_use_indexes(void **state)
{
	static const struct {
		const char *sql;
		const char *index;
	} q[] = {
		{ "SELECT coalesce(thread_id, id) FROM message WHERE account_id = 1 AND remote_thread_id = 'T' "
		  "AND id <> 2 LIMIT 1", "message_remote_thread (account_id=? AND remote_thread_id=?)" },
		{ "SELECT coalesce(thread_id, id) FROM message WHERE account_id = 1 AND message_id = 'm' "
		  "AND id <> 2 LIMIT 1", "(account_id=? AND message_id=?)" },
		{ "UPDATE message SET thread_id = 1 WHERE thread_id IN (SELECT coalesce(thread_id, id) FROM message "
		  "WHERE account_id = 1 AND in_reply_to = 'm' AND id <> 2) AND thread_id <> 1", "(account_id=? AND in_reply_to=?)" },
		{ "SELECT id, keywords FROM message WHERE account_id = 1 AND email_id = 'E'", "(account_id=? AND email_id=?)" },
		{ "DELETE FROM message WHERE account_id = 1 AND email_id = 'E'", "(account_id=? AND email_id=?)" },
		{ "SELECT email_id, blob_id FROM message WHERE id = 1 AND email_id IS NOT NULL", "PRIMARY KEY" },
		{ "SELECT mailbox_id, hidden FROM message_mailbox WHERE message_id = 1", "(message_id=?)" },
		{ "SELECT change_type, flag FROM pending_change WHERE resource_id = 1", "(resource_id=?)" },
		{ "SELECT id FROM pending_change WHERE local_message = ?1 AND status IN ('queued', 'failed') LIMIT 1",
		  "pending_local (local_message=?)" },
		{ "SELECT id FROM pending_change WHERE status = 'queued' AND to_mailbox = ?1 ORDER BY id",
		  "pending_to (to_mailbox=?)" },
	};
	char dir[] = "/tmp/test_jmap.XXXXXX", *path, *err = NULL;
	db *d = NULL;
	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/t.db", dir);
	assert_int_equal(db_open(path, &d, &err), TERN_OK);
	for (size_t i = 0; i < ARRAY_LEN(q); i++) {
		/* Prepared here, not with db_stmt: that cache is for static
		 * strings, and this text is freed each round. */
		char *eqp = xasprintf("EXPLAIN QUERY PLAN %s", q[i].sql);
		sqlite3_stmt *st = NULL;
		char plan[1024] = "";
		assert_int_equal(sqlite3_prepare_v2(db_sqlite(d), eqp, -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			strncat(plan, (const char *)sqlite3_column_text(st, 3), sizeof plan - strlen(plan) - 2);
			strcat(plan, ";");
		}
		sqlite3_finalize(st);
		if (strstr(plan, "SCAN ") || !strstr(plan, q[i].index))
			fail_msg("%s\n  plan: %s\n  wanted: %s", q[i].sql, plan, q[i].index);
		free(eqp);
	}
	db_close(d);
	unlink(path);
	free(path);
	rmdir(dir);
}

/* Back-references resolved on our side (RFC 8620 3.7): "*" maps over an
 * array and flattens arrays; ~1 is "/". */
static void
t_pointer_eval(void **state)
{
	cJSON *o = cJSON_Parse("{\"ids\":[\"1\",\"2\"],\"list\":[{\"id\":\"a\",\"x\":[1,2]},"
	                       "{\"id\":\"b\",\"x\":[3]}],\"a/b\":{\"c\":true}}");
	static const struct {
		const char *path, *want;
	} t[] = {
		{ "/ids", "[\"1\",\"2\"]" }, { "/list/*/id", "[\"a\",\"b\"]" }, { "/list/*/x", "[1,2,3]" },
		{ "/list/1/id", "\"b\"" }, { "/a~1b/c", "true" }, { "/nope", NULL }, { "/list/*/nope", NULL },
		{ "/list/9", NULL }, { "ids", NULL },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		cJSON *v = jmap_pointer_eval(o, t[i].path);
		char *got = v ? cJSON_PrintUnformatted(v) : NULL;
		if (t[i].want)
			assert_string_equal(got ? got : "(null)", t[i].want);
		else
			assert_null(got);
		free(got);
		cJSON_Delete(v);
	}
	cJSON_Delete(o);
}

/* poll_interval is shared with IMAP (default 60); JMAP without push polls
 * every 30 s unless the account says otherwise. */
/* Only an invalidArguments about sinceState (or one naming nothing) means
 * the state is unusable; one about maxChanges is an ordinary error. */
static void
t_merr_about(void **state)
{
	static const char *const cases[][3] = {
		{ "{\"type\":\"invalidArguments\",\"arguments\":[\"sinceState\"]}", "sinceState", "1" },
		{ "{\"type\":\"invalidArguments\",\"arguments\":[\"maxChanges\"]}", "sinceState", "0" },
		{ "{\"type\":\"invalidArguments\",\"arguments\":[\"a\",\"sinceState\"]}", "sinceState", "1" },
		{ "{\"type\":\"invalidArguments\"}", "sinceState", "1" },
		{ "{\"type\":\"invalidArguments\",\"arguments\":[7]}", "sinceState", "0" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *e = cJSON_Parse(cases[i][0]);
		struct jmap_merr me = { .type = JMAP_MERR_INVALID_ARGUMENTS, .name = "invalidArguments", .error = e };
		assert_int_equal(jmap_merr_about(&me, cases[i][1]), cases[i][2][0] - '0');
		/* What Email/changes and Mailbox/changes decide a reload on. */
		assert_int_equal(jmap_merr_state_lost(&me), cases[i][2][0] - '0');
		cJSON_Delete(e);
	}
	{
		struct jmap_merr me = { .type = JMAP_MERR_CANNOT_CALCULATE_CHANGES,
		                        .name = "cannotCalculateChanges" };
		assert_true(jmap_merr_state_lost(&me));
		me.type = JMAP_MERR_SERVER_FAIL;
		me.name = "serverFail";
		assert_false(jmap_merr_state_lost(&me));
	}
}

static void
t_poll_interval_default(void **state)
{
	static const char text[] =
		"[account i]\nprotocol = imap\nemail = a@x.org\npassword = p\nimap_host = h\nsmtp_host = h\n"
		"[account j]\nprotocol = jmap\nemail = a@x.org\npassword = p\njmap_url = https://h\n"
		"[account k]\nprotocol = jmap\nemail = a@x.org\npassword = p\njmap_url = https://h\npoll_interval = 45\n";
	char path[] = "/tmp/test_jmap_conf.XXXXXX", *err = NULL, *warn = NULL;
	struct config *cfg = NULL;
	int fd = mkstemp(path);
	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof text - 1), (int)(sizeof text - 1));
	close(fd);
	assert_int_equal(conf_load(path, 1, &cfg, &err, &warn), TERN_OK);
	assert_int_equal(conf_account(cfg, "i")->poll_interval, 60);
	assert_int_equal(conf_account(cfg, "j")->poll_interval, 30);
	assert_int_equal(conf_account(cfg, "k")->poll_interval, 45);
	conf_free(cfg);
	free(warn);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_big_numbers_round_trip),
		cmocka_unit_test(t_uint_rejects_what_is_not_unsigned_int),
		cmocka_unit_test(t_dates),
		cmocka_unit_test(t_ids),
		cmocka_unit_test(t_url_resolve),
		cmocka_unit_test(t_url_template),
		cmocka_unit_test(t_split_keeps_references_together),
		cmocka_unit_test(t_session_relative_urls_and_limits),
		cmocka_unit_test(t_session_refuses_bad_input),
		cmocka_unit_test(t_session_urls_elsewhere),
		cmocka_unit_test(t_email_parse),
		cmocka_unit_test(t_per_email_lookups_use_indexes),
		cmocka_unit_test(t_poll_interval_default),
		cmocka_unit_test(t_merr_about),
		cmocka_unit_test(t_pointer_eval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
