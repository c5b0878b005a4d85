/* JMAP responses: what a server answers, through the functions the engine
 * runs on it. The first input byte picks: the session object
 * (jmap_session_parse), or an API response body (jmap_req_take, as
 * jmap_req_send does with every HTTP 200) to a request of Email/get,
 * Mailbox/get, Email/changes, Email/query and Email/set calls (call ids "c0".."c4"),
 * each read back with jmap_req_result: method errors as tern reports them,
 * Email objects to records (jmap_email_parse), Mailbox lists to rows
 * (jmap_mailboxes_apply, in a transaction rolled back after each input). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_account.h"
#include "src/base/err.h"
#include "sync/jmap/jmap.h"
#include "sync/jmap/jmap_call.h"
#include "sync/jmap/jmap_email_parse.h"
#include "sync/jmap/jmap_json.h"
#include "sync/jmap/jmap_mailboxes_int.h"
#include "sync/jmap/jmap_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static db *the_db;
static int64_t the_account;

static void
db_setup(void)
{
	char dir[] = "/tmp/tern-fuzz-jmap-XXXXXX", path[64], *err = NULL;
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/tern.db", dir);
	if (db_open(path, &the_db, &err) != TERN_OK ||
	    db_account_ensure(the_db, "fuzz", "jmap", "me@example.org", &the_account) != TERN_OK)
		abort();
	/* The file only has to live while the process does. */
	unlink(path);
}

static void
read_emails(const cJSON *args)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, jmap_arr(args, "list")) {
		struct jmap_email e;
		memset(&e, 0, sizeof e);
		if (jmap_email_parse(o, &e) == TERN_OK)
			jmap_email_free(&e);
	}
}

static void
api_response(const char *body, size_t len)
{
	static const char *const methods[] = { "Email/get", "Mailbox/get", "Email/changes", "Email/query",
	                                       "Email/set" };
	struct account_cfg acct = { .name = "fuzz" };
	struct jmap_session sess = { .state = "s1", .account_id = "A1" };
	struct jmap j = { .acct = &acct, .account_id = the_account, .sess = &sess };
	const char *ids[5];
	jmap_req *r = jmap_req_new();
	char *err = NULL;

	for (int i = 0; i < 5; i++)
		ids[i] = jmap_req_add(r, methods[i], cJSON_CreateObject());
	if (jmap_req_take(&j, r, body, len, &err) != TERN_OK)
		goto out;
	for (int i = 0; i < 5; i++) {
		struct jmap_merr me;
		cJSON *args = NULL;
		int rc = jmap_req_result(r, ids[i], methods[i], &args, &me);
		if (rc != TERN_OK) {
			free(jmap_merr_text(methods[i], &me));
			(void)jmap_merr_about(&me, "filter");
			continue;
		}
		if (i == 0) {
			read_emails(args);
		} else if (i == 1) {
			int changed = 0;
			if (!the_db)
				db_setup();
			if (db_begin(the_db) != TERN_OK)
				abort();
			jmap_mailboxes_apply(&j, the_db, jmap_arr(args, "list"), 1, &changed);
			db_rollback(the_db);
		}
	}
out:
	free(err);
	jmap_req_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data + 1;
	size_t len = size ? size - 1 : 0;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		struct jmap_session *s = NULL;
		char *err = NULL;
		if (jmap_session_parse("https://jmap.example.org/.well-known/jmap", body, len, &s, &err) == TERN_OK)
			jmap_session_free(s);
		free(err);
	} else {
		api_response(body, len);
	}
	return 0;
}
