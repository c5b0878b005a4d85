#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_message.h"
#include "src/base/err.h"
#include "src/base/textsafe.h"
#include "src/base/util.h"
#include "src/mime/listhdr.h"
#include "src/mime/mime.h"
#include "ui/compose.h"
#include "ui/modal.h"
#include "ui/request.h"
#include "ui/textview.h"
#include "ui/unsubscribe.h"

struct post_ask {
	int64_t account_id;
	char *url;
	char *list;
};

static void
post_ask_free(void *ctx)
{
	struct post_ask *p = ctx;
	free(p->url);
	free(p->list);
	free(p);
}

/* The host of an http(s) URL, for the question (caller frees). */
static char *
url_host(const char *url)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	return xstrndup(h, strcspn(h, "/?#"));
}

static void
post_answer(struct app *a, int answer, void *ctx)
{
	struct post_ask *p = ctx;
	struct ui_account *u = app_account(a, p->account_id);

	if (answer != CONFIRM_YES) {
		app_say(a, 0, "not unsubscribed");
	} else if (!u || u->readonly ||
	           request_send(u, REQ_UNSUBSCRIBE, WREQ_UNSUBSCRIBE, 0, p->url, NULL) != TERN_OK) {
		app_say(a, 1, "cannot unsubscribe now: %s", u && u->readonly ?
		        "another tern syncs this account" : "the account has no worker");
	} else {
		app_say(a, 0, "unsubscribing from %s…", p->list);
	}
	post_ask_free(p);
}

void
unsubscribe_reply(struct app *a, struct ui_account *u, const struct wreply *r)
{
	(void)u;
	if (r->status == TERN_OK)
		app_say(a, 0, "unsubscribed: the list's server accepted the one-click request");
	else
		app_say(a, 1, "unsubscribe failed: %s", r->error ? r->error : tern_strerror(r->status));
}

static void
show_url(struct app *a, const struct list_unsub *lu, const char *url)
{
	char *text = xasprintf("To leave %s, open this address in a web browser\n"
	                       "(tern does not open it, nor fetch it: the list gave no one-click unsubscribe):\n"
	                       "\n%s\n", lu->list, url);
	textview_open(a, "unsubscribe", text, strlen(text));
	free(text);
	app_say(a, 0, "unsubscribe: the address is shown to copy");
}

void
unsubscribe_action(struct app *a)
{
	const struct msg_row *m = app_current(a);
	struct list_unsub lu;
	mime_msg *mm = NULL;
	char *raw = NULL;
	size_t len = 0;
	int rc;

	if (!m) {
		app_say(a, 1, "no message selected");
		return;
	}
	if (db_body_get(a->d, m->id, &raw, &len) != TERN_OK) {
		app_say(a, 1, "the message is not downloaded yet");
		return;
	}
	rc = mime_parse(raw, len, &mm);
	free(raw);
	if (rc != TERN_OK) {
		app_say(a, 1, "cannot parse the message");
		return;
	}
	rc = listhdr_unsubscribe(mm, &lu);
	mime_free(mm);
	if (rc != TERN_OK) {
		app_say(a, 1, "no List-Unsubscribe header: not a list message, or the list offers no way out");
		return;
	}
	if (lu.https && lu.one_click) {
		struct post_ask *p = xcalloc(1, sizeof *p);
		char *host = url_host(lu.https);
		char *q = xasprintf("Unsubscribe from %s by a POST to %s?", lu.list, host);
		p->account_id = m->account_id;
		p->url = xstrdup(lu.https);
		p->list = xstrdup(lu.list);
		confirm_open(a, q, 0, post_answer, p, post_ask_free);
		free(q);
		free(host);
	} else if (lu.mailto) {
		struct mailto mt;
		struct ui_account *u = app_account(a, m->account_id);
		if (!u || listhdr_mailto_parse(lu.mailto, &mt) != TERN_OK)
			show_url(a, &lu, lu.mailto);
		else {
			compose_prefilled(a, u, mt.to, mt.subject ? mt.subject : "unsubscribe", mt.body ? mt.body : "");
			listhdr_mailto_free(&mt);
		}
	} else {
		show_url(a, &lu, lu.https ? lu.https : lu.other);
	}
	listhdr_unsub_free(&lu);
}
