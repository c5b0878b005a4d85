/* The pure parts of the sync runtime and the IMAP engine: backoff, the
 * fate of a failed queued change, checkpoints, mailbox names, roles,
 * header decoding, BODYSTRUCTURE attachments and the SMTP envelope. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "src/base/err.h"
#include "sync/imap/imap.h"
#include "sync/retry.h"
#include "sync/runner.h"
#include "sync/net/smtp_reply.h"
#include "sync/net/smtp_send.h"

static void
test_backoff(void **s)
{
	unsigned seed = 1;
	(void)s;
	assert_int_equal(retry_backoff_ms(1, NULL), 5000);
	assert_int_equal(retry_backoff_ms(2, NULL), 10000);
	assert_int_equal(retry_backoff_ms(4, NULL), 40000);
	assert_int_equal(retry_backoff_ms(7, NULL), 300000);
	assert_int_equal(retry_backoff_ms(1000, NULL), 300000);
	for (int i = 1; i < 40; i++) {
		int64_t d = retry_backoff_ms(i, &seed);
		assert_true(d >= 5000 && d <= 300000);
		assert_true(d >= retry_backoff_ms(i, NULL));
		assert_true(d <= retry_backoff_ms(i, NULL) * 6 / 5);
	}
	/* Jitter there is: two accounts failing together spread out. */
	{
		unsigned a = 1, b = 2;
		int differ = 0;
		for (int i = 1; i < 6; i++)
			differ |= retry_backoff_ms(i, &a) != retry_backoff_ms(i, &b);
		assert_true(differ);
	}
}

/* After a healthy connection the wait is a quarter of the outage so far:
 * a server back after 25 s is retried within about 6 s of it, where
 * doubling waited until 48 s (issue 23 #2). */
static void
test_reconnect(void **s)
{
	int64_t t = 0;
	int n = 0;
	(void)s;
	assert_int_equal(retry_reconnect_ms(1, 0, 1, NULL), 5000);
	assert_int_equal(retry_reconnect_ms(5, 20000, 1, NULL), 5000);
	assert_int_equal(retry_reconnect_ms(9, 60000, 1, NULL), 15000);
	assert_int_equal(retry_reconnect_ms(99, 3600000, 1, NULL), 300000);
	/* Never healthy: the doubling schedule. */
	assert_int_equal(retry_reconnect_ms(4, 35000, 0, NULL), 40000);
	while (t < 25000)
		t += retry_reconnect_ms(++n, t, 1, NULL);
	assert_true(t <= 25000 + 6250);
	/* The UI's countdown from the worker's detail. */
	assert_int_equal(sync_retry_left("retry in 20 s", 1000, 1005), 15);
	assert_int_equal(sync_retry_left("retry in 20 s", 1000, 1030), 0);
	assert_int_equal(sync_retry_left("INBOX 3/10", 1000, 1005), -1);
	assert_int_equal(sync_retry_left(NULL, 1000, 1005), -1);
}

/* The failure table read through what the runtime calls: the queue's
 * fate of a change (retry_queue_action), the runner's reconnect decision
 * (runner_err_is_connection) and the engines' "the rest of the batch waits"
 * (scope account) never disagree about a code. */
static void
test_err_table(void **s)
{
	int64_t delay;
	(void)s;
	for (int e = TERN_ENOMEM; e <= TERN_ETEMPFAIL; e++) {
		enum queue_action a = retry_queue_action(e, 0, &delay);
		assert_string_not_equal(tern_strerror(e), "unknown error");
		assert_int_equal(runner_err_is_connection(e), a == QA_DISCONNECT);
		if (a == QA_DISCONNECT)
			assert_int_equal(tern_err_scope(e), TERN_SCOPE_ACCOUNT);
		else if (tern_err_class(e) == TERN_FINAL)
			assert_int_equal(a, QA_FAILED);
		else
			assert_true(a == QA_RETRY && (delay > 0) == (tern_err_class(e) == TERN_RETRY_LATER));
	}
	/* A network failure is the connection's, never one item's. */
	assert_int_equal(tern_err_scope(TERN_ENET), TERN_SCOPE_ACCOUNT);
	assert_true(runner_err_is_connection(TERN_ENET) && runner_err_is_connection(TERN_EOFFLINE));
	/* An unreadable answer is held against the item or folder it was
	 * about, retried later: not a reconnect in one place and an item
	 * retry in another. */
	assert_int_equal(tern_err_scope(TERN_EPROTO), TERN_SCOPE_MAILBOX);
	assert_false(runner_err_is_connection(TERN_EPROTO));
	assert_int_equal(retry_queue_action(TERN_EPROTO, 0, &delay), QA_RETRY);
	/* The SMTP server unreachable or a 4xx: the send waits, counted, with
	 * its reason; the account's own connection goes on. */
	assert_false(runner_err_is_connection(TERN_ETEMPFAIL));
	assert_int_equal(retry_queue_action(TERN_ETEMPFAIL, 0, &delay), QA_RETRY);
	assert_true(delay >= 30);
	/* A refused login stops the account's batch, and fails the item with
	 * its reason until the user retries. */
	assert_int_equal(tern_err_scope(TERN_EAUTH), TERN_SCOPE_ACCOUNT);
	assert_int_equal(retry_queue_action(TERN_EAUTH, 0, &delay), QA_FAILED);
	assert_false(runner_err_is_connection(TERN_ETLS));
	/* No Trash is its own final failure, not the configuration's. */
	assert_int_equal(tern_err_class(TERN_ENOTRASH), TERN_FINAL);
	assert_string_not_equal(tern_strerror(TERN_ENOTRASH), tern_strerror(TERN_ECONFIG));
	/* A code this tern does not know: final for the item. */
	assert_int_equal(retry_queue_action(999, 0, &delay), QA_FAILED);
	assert_string_equal(tern_strerror(-1), "unknown error");
}

static void
test_queue_action(void **s)
{
	int64_t delay;
	(void)s;
	assert_int_equal(retry_queue_action(TERN_OK, 0, &delay), QA_DONE);
	/* An offline hour must not use up the attempts. */
	assert_int_equal(retry_queue_action(TERN_ENET, 4, &delay), QA_DISCONNECT);
	assert_int_equal(retry_queue_action(TERN_ETIMEOUT, 9, &delay), QA_DISCONNECT);
	assert_int_equal(retry_queue_action(TERN_EREFUSED, 0, &delay), QA_FAILED);
	assert_int_equal(retry_queue_action(TERN_EAUTH, 0, &delay), QA_FAILED);
	assert_int_equal(retry_queue_action(TERN_EPROTO, 0, &delay), QA_RETRY);
	assert_true(delay >= 30);
	assert_int_equal(retry_queue_action(TERN_EPROTO, RETRY_MAX_ATTEMPTS - 1, &delay), QA_FAILED);
	assert_int_equal(retry_queue_action(TERN_ECONFLICT, 0, &delay), QA_RETRY);
	assert_int_equal(delay, 0);
}

static void
test_checkpoint(void **s)
{
	struct imap_checkpoint cp = { 1700000000u, 4242, 9007199254740993ull }, back;
	char *t = imap_checkpoint_format(&cp);
	(void)s;
	assert_string_equal(t, "{\"uidvalidity\":1700000000,\"uidnext\":4242,\"highestmodseq\":9007199254740993}");
	assert_int_equal(imap_checkpoint_parse(t, &back), TERN_OK);
	assert_int_equal(back.uidvalidity, cp.uidvalidity);
	assert_int_equal(back.uidnext, cp.uidnext);
	assert_true(back.highestmodseq == cp.highestmodseq);
	free(t);
	assert_int_equal(imap_checkpoint_parse("{\"uidvalidity\":1}", &back), TERN_EINVAL);
	assert_int_equal(imap_checkpoint_parse("{\"uidvalidity\":99999999999,\"uidnext\":1,\"highestmodseq\":1}", &back), TERN_EINVAL);
	assert_int_equal(imap_checkpoint_parse("{\"uidvalidity\":-1,\"uidnext\":1,\"highestmodseq\":1}", &back), TERN_EINVAL);
	assert_int_equal(imap_checkpoint_parse(NULL, &back), TERN_EINVAL);
	t = imap_checkpoint_resource("Lists/tern-dev");
	assert_string_equal(t, "imap:Lists/tern-dev");
	free(t);
}

static void
test_utf7(void **s)
{
	char *t;
	(void)s;
	t = imap_utf7_decode("&AMk-t&AOk-");
	assert_string_equal(t, "\xc3\x89t\xc3\xa9");
	free(t);
	t = imap_utf7_decode("Lists/tern-dev");
	assert_string_equal(t, "Lists/tern-dev");
	free(t);
	t = imap_utf7_decode("a&-b");
	assert_string_equal(t, "a&b");
	free(t);
	/* Garbage still gives a printable name (the wire name stays the key). */
	t = imap_utf7_decode("bad&@@@");
	assert_non_null(t);
	assert_string_equal(t, "bad???");
	free(t);
}

static void
test_roles(void **s)
{
	(void)s;
	assert_int_equal(imap_role_from_flag("Sent"), MAILBOX_ROLE_SENT);
	assert_int_equal(imap_role_from_flag("sent"), MAILBOX_ROLE_SENT);   /* Cyrus */
	assert_int_equal(imap_role_from_flag("ARCHIVE"), MAILBOX_ROLE_ARCHIVE);
	assert_int_equal(imap_role_from_flag("HasChildren"), MAILBOX_ROLE_NONE);
	assert_int_equal(imap_role_from_name("Deleted Items"), MAILBOX_ROLE_TRASH);
	assert_int_equal(imap_role_from_name("Lists"), MAILBOX_ROLE_NONE);
	assert_int_equal(imap_role_from_name("Papierkorb"), MAILBOX_ROLE_TRASH);
	assert_int_equal(imap_role_from_name("\xc3\x89l\xc3\xa9ments envoy\xc3\xa9s"), MAILBOX_ROLE_SENT);
	assert_int_equal(imap_role_from_name("posta inviata"), MAILBOX_ROLE_SENT);
	/* At the top of the personal namespace, Courier-style or not. */
	assert_int_equal(imap_role_from_path("INBOX.Trash", "INBOX.", '.'), MAILBOX_ROLE_TRASH);
	assert_int_equal(imap_role_from_path("INBOX/Sent", "", '/'), MAILBOX_ROLE_SENT);
	assert_int_equal(imap_role_from_path("Gesendet", "", '/'), MAILBOX_ROLE_SENT);
	/* modified UTF-7: "Entw&APw-rfe" is "Entwürfe" */
	assert_int_equal(imap_role_from_path("INBOX.Entw&APw-rfe", "INBOX.", '.'), MAILBOX_ROLE_DRAFTS);
	assert_int_equal(imap_role_from_path("Projects/Archive", "", '/'), MAILBOX_ROLE_NONE);
	assert_int_equal(imap_role_from_path("INBOX", "INBOX.", '.'), MAILBOX_ROLE_NONE);
	assert_true(imap_flag_is_virtual("All"));
	assert_true(imap_flag_is_virtual("important"));
	assert_false(imap_flag_is_virtual("Archive"));
}

static void
test_decode_header(void **s)
{
	char *t = imap_decode_header("=?UTF-8?B?w6lsw6h2ZQ==?= et =?ISO-8859-1?Q?Andr=E9?=");
	(void)s;
	assert_string_equal(t, "\xc3\xa9l\xc3\xa8ve et Andr\xc3\xa9");
	free(t);
	t = imap_decode_header("plain");
	assert_string_equal(t, "plain");
	free(t);
	assert_null(imap_decode_header(NULL));
}

/* BODYSTRUCTURE fixtures built on the stack: libetpan 1.9.4's
 * mailimap_body_free() leaks parts of hand-built trees. */
struct leaf {
	struct mailimap_body body;
	struct mailimap_body_type_1part one;
	struct mailimap_body_type_basic basic;
	struct mailimap_body_type_text text;
	struct mailimap_media_basic media;
	struct mailimap_body_fields fields;
	struct mailimap_body_ext_1part ext;
	struct mailimap_body_fld_dsp dsp;
	struct mailimap_body_fld_param params;
	struct mailimap_single_body_fld_param fname;
};

static struct mailimap_body *
leaf(struct leaf *L, int text, char *type, char *sub, char *dsp, char *fname, uint32_t size)
{
	memset(L, 0, sizeof *L);
	L->fields.bd_size = size;
	if (fname) {
		L->fname.pa_name = "filename";
		L->fname.pa_value = fname;
		L->params.pa_list = clist_new();
		clist_append(L->params.pa_list, &L->fname);
	}
	if (dsp) {
		L->dsp.dsp_type = dsp;
		L->dsp.dsp_attributes = fname ? &L->params : NULL;
		L->ext.bd_disposition = &L->dsp;
		L->one.bd_ext_1part = &L->ext;
	}
	if (text) {
		L->one.bd_type = MAILIMAP_BODY_TYPE_1PART_TEXT;
		L->text.bd_media_text = sub;
		L->text.bd_fields = &L->fields;
		L->one.bd_data.bd_type_text = &L->text;
	} else {
		L->one.bd_type = MAILIMAP_BODY_TYPE_1PART_BASIC;
		L->media.med_type = MAILIMAP_MEDIA_BASIC_OTHER;
		L->media.med_basic_type = type;
		L->media.med_subtype = sub;
		L->basic.bd_media_basic = &L->media;
		L->basic.bd_fields = &L->fields;
		L->one.bd_data.bd_type_basic = &L->basic;
	}
	L->body.bd_type = MAILIMAP_BODY_1PART;
	L->body.bd_data.bd_body_1part = &L->one;
	return &L->body;
}

/* RFC 2231 continuations (filename*0*=charset''..., filename*1*=...) are
 * joined; a base64 part's size is the decoded one. */
static void
test_bodystructure_continued(void **s)
{
	struct leaf L;
	struct mailimap_single_body_fld_param p1 = { "filename*1*", "%C3%A9.pdf" };
	struct mailimap_body_fld_enc enc = { MAILIMAP_BODY_FLD_ENC_BASE64, NULL };
	struct imap_msg m;
	(void)s;
	leaf(&L, 0, "application", "pdf", "attachment", "utf-8''r%C3%A9sum", 7800);
	L.fname.pa_name = "filename*0*";
	clist_append(L.params.pa_list, &p1);
	L.fields.bd_encoding = &enc;
	memset(&m, 0, sizeof m);
	imap_bodystructure_attachments(&L.body, &m);
	assert_int_equal(m.natt, 1);
	assert_string_equal(m.att[0].filename, "r\xc3\xa9sum\xc3\xa9.pdf");
	assert_int_equal(m.att[0].size, 5700);
	imap_msg_free(&m);
	clist_free(L.params.pa_list);
}

static void
test_bodystructure(void **s)
{
	struct leaf plain, html, pdf, png;
	struct mailimap_body_type_mpart alt_mp = { clist_new(), "alternative", NULL };
	struct mailimap_body_type_mpart mixed_mp = { clist_new(), "mixed", NULL };
	struct mailimap_body alt = { MAILIMAP_BODY_MPART, { .bd_body_mpart = &alt_mp } };
	struct mailimap_body mixed = { MAILIMAP_BODY_MPART, { .bd_body_mpart = &mixed_mp } };
	struct imap_msg m;
	(void)s;
	clist_append(alt_mp.bd_list, leaf(&plain, 1, NULL, "plain", NULL, NULL, 10));
	clist_append(alt_mp.bd_list, leaf(&html, 1, NULL, "html", NULL, NULL, 20));
	clist_append(mixed_mp.bd_list, &alt);
	clist_append(mixed_mp.bd_list, leaf(&pdf, 0, "application", "PDF", "attachment",
	                                     "=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?=", 1234));
	clist_append(mixed_mp.bd_list, leaf(&png, 0, "image", "png", "inline", "logo.png", 99));
	memset(&m, 0, sizeof m);
	imap_bodystructure_attachments(&mixed, &m);
	assert_int_equal(m.natt, 2);
	assert_string_equal(m.att[0].part_id, "2");
	assert_string_equal(m.att[0].filename, "r\xc3\xa9sum\xc3\xa9.pdf");
	assert_string_equal(m.att[0].media_type, "application/pdf");
	assert_int_equal(m.att[0].size, 1234);
	assert_false(m.att[0].is_inline);
	assert_string_equal(m.att[1].part_id, "3");
	assert_string_equal(m.att[1].filename, "logo.png");
	assert_true(m.att[1].is_inline);
	imap_msg_free(&m);
	/* A lone text part is the body, not an attachment; its id is 1. */
	imap_bodystructure_attachments(&plain.body, &m);
	assert_int_equal(m.natt, 0);
	imap_bodystructure_attachments(&pdf.body, &m);
	assert_int_equal(m.natt, 1);
	assert_string_equal(m.att[0].part_id, "1");
	imap_msg_free(&m);
	clist_free(pdf.params.pa_list);
	clist_free(png.params.pa_list);
	clist_free(alt_mp.bd_list);
	clist_free(mixed_mp.bd_list);
}

/* A transcript as libcurl's debug callback hands it over. */
static void
sent(struct smtp_reply *r, const char *s)
{
	smtp_reply_sent(r, s, strlen(s));
}

static void
got(struct smtp_reply *r, const char *s)
{
	smtp_reply_received(r, s, strlen(s));
}

static void
assert_reason(const struct smtp_reply *r, const char *curl_error, const char *want)
{
	char *why = smtp_reply_reason(r, curl_error);
	assert_string_equal(why, want);
	free(why);
}

static void
test_smtp_reply(void **s)
{
	struct smtp_reply r = { 0 };
	(void)s;
	/* A login refused: the reply, never the credentials (PLAIN, then LOGIN's lines). */
	got(&r, "220 sink ESMTP\r\n");
	sent(&r, "EHLO localhost\r\n");
	got(&r, "250-sink\r\n250-AUTH PLAIN LOGIN\r\n250 HELP\r\n");
	sent(&r, "AUTH LOGIN\r\n");
	got(&r, "334 VXNlcm5hbWU6\r\n");
	sent(&r, "YWxpY2U=\r\n");
	got(&r, "334 UGFzc3dvcmQ6\r\n");
	sent(&r, "RATA secret\r\n");     /* SASL data that reads like a command */
	got(&r, "535 5.7.8 Authentication credentials invalid\r\n");
	sent(&r, "QUIT\r\n");
	got(&r, "221 Bye\r\n");
	assert_int_equal(smtp_reply_code(&r), 535);
	assert_reason(&r, "Login denied", "login refused: 535 5.7.8 Authentication credentials invalid");
	assert_null(strstr(r.cmd, "YWxpY2U"));
	assert_null(strstr(r.text, "secret"));

	/* A multi-line refusal of the message: the code once, the texts joined. */
	memset(&r, 0, sizeof r);
	sent(&r, "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
	got(&r, "235 2.7.0 Authentication successful\r\n");
	sent(&r, "MAIL FROM:<a@localhost>\r\n");
	got(&r, "250 OK\r\n");
	sent(&r, "RCPT TO:<b@localhost>\r\n");
	got(&r, "250 OK\r\n");
	sent(&r, "DATA\r\n");
	got(&r, "354 End data with <CR><LF>.<CR><LF>\r\n");
	got(&r, "550-5.7.1 message refused\r\n");
	got(&r, "550 5.7.1 see \x1b[31mpolicy\r\n");
	assert_int_equal(smtp_reply_code(&r), 550);
	assert_reason(&r, "Weird server reply", "the message was refused: 550 5.7.1 message refused 5.7.1 see ?[31mpolicy");

	/* The connection lost after MAIL FROM: the 235 before is no reason. */
	memset(&r, 0, sizeof r);
	sent(&r, "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
	got(&r, "235 2.7.0 Authentication successful\r\n");
	sent(&r, "MAIL FROM:<a@localhost>\r\n");
	sent(&r, "QUIT\r\n");
	assert_int_equal(smtp_reply_code(&r), 0);
	assert_reason(&r, "Failure when receiving data from the peer",
	              "Failure when receiving data from the peer, with no reply to MAIL FROM");

	/* A recipient refused; a failure with no refusal keeps libcurl's words. */
	memset(&r, 0, sizeof r);
	sent(&r, "RCPT TO:<bad@localhost>\r\n");
	got(&r, "550 5.1.1 <bad@localhost>: recipient rejected\r\n");
	assert_reason(&r, "Failed sending data to the peer",
	              "recipient <bad@localhost> refused: 550 5.1.1 <bad@localhost>: recipient rejected");
	memset(&r, 0, sizeof r);
	sent(&r, "EHLO localhost\r\n");
	got(&r, "250 sink\r\n");
	assert_reason(&r, "STARTTLS not supported", "STARTTLS not supported");
	memset(&r, 0, sizeof r);
	assert_reason(&r, "Couldn't connect to server", "Couldn't connect to server");
}

static void
test_envelope(void **s)
{
	static const char raw[] =
		"From: Alice <alice@example.org>\n"
		"To: Bob <bob@example.org>, carol@example.org\n"
		"Cc: bob@example.org\n"
		"Bcc: secret@example.org,\n"
		" other@example.org\n"
		"Subject: hi\n"
		"\n"
		"Bcc: this line is body text\n";
	struct smtp_envelope env;
	char *err = NULL;
	(void)s;
	assert_int_equal(smtp_envelope_build(raw, strlen(raw), &env, &err), TERN_OK);
	assert_string_equal(env.from, "alice@example.org");
	assert_int_equal(env.nrcpt, 4);
	assert_string_equal(env.rcpt[0], "bob@example.org");
	assert_string_equal(env.rcpt[2], "secret@example.org");
	assert_null(strstr(env.data, "secret@"));
	assert_null(strstr(env.data, "other@"));
	assert_non_null(strstr(env.data, "\r\nBcc: this line is body text\r\n"));
	assert_non_null(strstr(env.data, "Subject: hi\r\n\r\n"));
	smtp_envelope_free(&env);
	assert_int_equal(smtp_envelope_build("Subject: x\n\nbody\n", 16, &env, &err), TERN_EINVAL);
	free(err);
}

static void
test_idle_reissue(void **s)
{
	(void)s;
	/* The longest poll_interval (a day) still re-issues IDLE before 29 min. */
	assert_true(imap_idle_ms(86400 * 1000) < 29 * 60 * 1000);
	assert_true(imap_idle_ms(86400 * 1000) >= 20 * 60 * 1000);
	assert_int_equal(imap_idle_ms(30000), 30000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_reconnect),
		cmocka_unit_test(test_queue_action),
		cmocka_unit_test(test_err_table),
		cmocka_unit_test(test_checkpoint),
		cmocka_unit_test(test_utf7),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_decode_header),
		cmocka_unit_test(test_bodystructure),
		cmocka_unit_test(test_bodystructure_continued),
		cmocka_unit_test(test_smtp_reply),
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_idle_reissue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
