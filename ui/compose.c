/* The composer: starting a draft (new, reply, forward, resumed draft or a
 * failed send taken back), the compose screen and its actions. The editor
 * step and the line editor are in compose_edit.c. */
#include "config.h"

#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db_change.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "db/db_view.h"
#include "src/base/err.h"
#include "src/mime/mime.h"
#include "src/crypt/crypt.h"
#include "src/mime/mime_build.h"
#include "src/mime/mime_render.h"
#include "src/mime/ident.h"
#include "src/mime/msgid.h"
#include "src/mime/reply.h"
#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "ui/compose.h"
#include "ui/recall.h"
#include "ui/compose_int.h"
#include "ui/draw.h"
#include "ui/modal.h"
#include "ui/pager.h"
#include "src/base/util.h"
#include "ui/request.h"
#include "src/base/util.h"

static void
catt_free(struct catt *t)
{
	free(t->path);
	free(t->data);
	free(t->name);
	free(t->type);
}

static void
compose_destroy(struct compose *c)
{
	if (!c)
		return;
	if (c->file)
		unlink(c->file);
	free(c->file);
	free(c->from);
	free(c->to);
	free(c->cc);
	free(c->bcc);
	free(c->subject);
	free(c->body);
	free(c->in_reply_to);
	free(c->references);
	free(c->pgp_key);
	free(c->written);
	for (size_t i = 0; i < c->natt; i++)
		catt_free(&c->att[i]);
	free(c->att);
	cline_close(c);
	free(c);
}

void
compose_free(struct app *a)
{
	compose_destroy(a->cmp);
	a->cmp = NULL;
}

/* "Name <addr>", the name quoted when it needs it ("Jo (lists)" would
 * otherwise lose its comment), or the address alone. */
static char *
from_line(const char *name, const char *addr)
{
	struct mail_addr_list l = { 0 };
	char *s;
	mail_addr_add(&l, name, addr);
	s = mail_addr_format(&l);
	mail_addr_free(&l);
	return s;
}

char *
compose_default_from(const struct account_cfg *acfg)
{
	return from_line(acfg->real_name, acfg->email);
}

static struct compose *
compose_new(struct ui_account *u)
{
	struct compose *c = xcalloc(1, sizeof *c);
	c->account_id = u->id;
	c->acfg = u->cfg;
	c->from = compose_default_from(u->cfg);
	c->pgp = u->cfg->pgp_sign ? CRYPT_SIGN : 0;
	c->pgp_auto = u->cfg->pgp_encrypt_if_possible;
	return c;
}

/* The account's own addresses in ident order, then its alternates (a reply
 * to one is written from it); *nident: how many are identities. */
static size_t
own_addrs(const struct account_cfg *acfg, struct mail_addr_list *alt, const char ***out, size_t *nident)
{
	size_t n = 1 + acfg->nidentities, k = 0;
	const char **v;

	mail_addr_parse(acfg->alternates ? acfg->alternates : "", alt);
	v = xcalloc(n + alt->n, sizeof *v);
	v[k++] = acfg->email;
	for (size_t i = 0; i < acfg->nidentities; i++)
		v[k++] = acfg->identities[i]->email;
	for (size_t i = 0; i < alt->n; i++)
		v[k++] = alt->v[i].addr;
	*out = v;
	*nident = n;
	return k;
}

/* Which identity the From line is: 0..n, or -1. */
static int
ident_of(const struct account_cfg *acfg, const char *from)
{
	struct mail_addr_list l;
	int found = -1;
	mail_addr_parse(from ? from : "", &l);
	if (l.n && str_ieq(l.v[0].addr, acfg->email))
		found = 0;
	for (size_t i = 0; l.n && found < 0 && i < acfg->nidentities; i++)
		if (str_ieq(l.v[0].addr, acfg->identities[i]->email))
			found = (int)i + 1;
	mail_addr_free(&l);
	return found;
}

/* The signature of identity i (-1: the account's) appended to the body,
 * or put in place of the one tern added before. */
static void
sig_put(struct app *a, struct compose *c, int i)
{
	const struct identity_cfg *id = i > 0 ? c->acfg->identities[i - 1] : NULL;
	const char *file = id && (id->signature_file || id->signature_cmd) ? id->signature_file : c->acfg->signature_file;
	const char *cmd = id && (id->signature_file || id->signature_cmd) ? id->signature_cmd : c->acfg->signature_cmd;
	char *sig = NULL, *err = NULL, *body;

	if (conf_signature(file, cmd, &sig, &err) != TERN_OK) {
		app_say(a, 1, "no signature: %s", err);
		free(err);
		sig = xstrdup("");
	}
	body = c->sig_added ? ident_sig_replace(c->body ? c->body : "", sig) :
	                      ident_sig_append(c->body ? c->body : "", sig);
	free(c->body);
	c->body = body;
	c->sig_added = *sig != '\0';
	free(sig);
}

void
compose_ident_set(struct app *a, struct compose *c, int i)
{
	const struct identity_cfg *id = i > 0 ? c->acfg->identities[i - 1] : NULL;
	const char *name = id && id->real_name ? id->real_name : c->acfg->real_name;

	free(c->from);
	c->from = id ? from_line(name, id->email) : compose_default_from(c->acfg);
	c->ident = i;
	sig_put(a, c, i);
}

void
compose_ident_next(struct app *a, struct compose *c)
{
	size_t n = 1 + c->acfg->nidentities;
	char *safe;

	if (n == 1 && c->ident == 0) {
		app_say(a, 1, "account '%s' has one address ([identity] sections add more)", c->acfg->name);
		return;
	}
	compose_ident_set(a, c, c->ident < 0 ? 0 : (int)((size_t)(c->ident + 1) % n));
	safe = text_sanitize(c->from, 0);
	app_say(a, 0, "From: %s", safe);
	free(safe);
}

/* A reply or forward is written from the address the original was sent
 * to: one of the account's identities, or an alternate (then with the
 * account's name and signature, as mutt's reverse_name). */
static void
reply_ident(struct app *a, struct compose *c, const mime_msg *pm)
{
	struct mail_addr_list alt;
	const char **addrs;
	size_t nident, n = own_addrs(c->acfg, &alt, &addrs, &nident);
	int k = pm ? ident_pick(pm, addrs, n) : -1;

	if (k >= 0 && (size_t)k >= nident) {
		free(c->from);
		c->from = from_line(c->acfg->real_name, addrs[k]);
		c->ident = -1;
		sig_put(a, c, 0);
	} else {
		compose_ident_set(a, c, k < 0 ? 0 : k);
	}
	free(addrs);
	mail_addr_free(&alt);
}

static void
att_add(struct compose *c, const char *path, char *data, size_t len, const char *name, const char *type)
{
	struct catt *t;
	c->att = xrealloc(c->att, (c->natt + 1) * sizeof *c->att);
	t = &c->att[c->natt++];
	memset(t, 0, sizeof *t);
	t->path = xstrdup(path);
	t->data = data;
	t->len = len;
	t->size = (int64_t)len;
	if (path) {
		struct stat st;
		const char *slash = strrchr(path, '/');
		t->size = stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
		t->name = xstrdup(slash ? slash + 1 : path);
		t->type = compose_guess_type(path);
	} else {
		t->name = xstrdup(name);
		t->type = xstrdup(type);
	}
}

/* Whether id is a line of list ("2\n2.3\n", mime_render_inline_messages). */
static int
listed(const char *list, const char *id)
{
	size_t n = strlen(id);
	for (const char *p = list; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "")
		if (strncmp(p, id, n) == 0 && p[n] == '\n')
			return 1;
	return 0;
}

/* The message's own attachments, each with its bytes: the parts inside a
 * forwarded message (message/rfc822) travel inside it, not beside it.
 * shown: the forwarded messages whose text the draft holds already (an
 * inline forward's body), left out so it is not in the mail twice. With
 * data NULL only counted. */
static size_t
top_attachments(struct compose *c, const mime_msg *m, const char *shown)
{
	struct mime_attachment *v = NULL;
	size_t n = 0, k = 0;
	const char *inner = NULL;      /* the last message/rfc822 part's id */

	mime_attachments(m, &v, &n);
	for (size_t i = 0; i < n; i++) {
		char *data = NULL;
		size_t dlen = 0, il = inner ? strlen(inner) : 0;
		if (inner && strncmp(v[i].part_id, inner, il) == 0 && v[i].part_id[il] == '.')
			continue;
		if (v[i].media_type && str_ieq(v[i].media_type, "message/rfc822")) {
			inner = v[i].part_id;
			if (listed(shown, inner))
				continue;
		}
		k++;
		if (c && mime_attachment_data(m, v[i].part_id, &data, &dlen) == TERN_OK)
			att_add(c, NULL, data, dlen, v[i].filename ? v[i].filename : "attachment",
			        v[i].media_type ? v[i].media_type : "application/octet-stream");
	}
	mime_attachments_free(v, n);
	return k;
}

/* Fills c from a complete message (a draft, or a send that failed): its
 * headers, its text and its attachments; a reply's parent is found again
 * by its Message-ID, so sending still marks it answered. */
static void
load_message(struct app *a, struct compose *c, const char *raw, size_t len)
{
	mime_msg *m = NULL;
	struct render_opts ro = { "text/plain text/html", NULL, 0, RENDER_HDR_NONE, 0 };

	if (mime_parse(raw, len, &m) != TERN_OK)
		return;
	free(c->from);
	c->from = mime_header(m, "From");
	c->to = mime_header(m, "To");
	c->cc = mime_header(m, "Cc");
	c->bcc = mime_header(m, "Bcc");
	c->subject = mime_header(m, "Subject");
	c->in_reply_to = mime_header_raw(m, "In-Reply-To");
	c->references = mime_header_raw(m, "References");
	c->body = mime_render_body(m, &ro);
	/* A resumed draft has its signature already: never a second one;
	 * a swap of identity replaces it. */
	c->sig_added = c->body[ident_sig_start(c->body)] != '\0';
	c->ident = ident_of(c->acfg, c->from);
	top_attachments(c, m, NULL);
	if (c->in_reply_to && *c->in_reply_to) {
		const char *s = c->in_reply_to + strspn(c->in_reply_to, " <");
		char *id = xstrndup(s, strcspn(s, "> "));
		int64_t parent = 0;
		if (*id && db_view_by_message_id(a->d, c->account_id, id, &parent) == TERN_OK)
			c->parent_id = parent;
		free(id);
	}
	mime_free(m);
}

/* Whether the editor left the file as tern wrote it (or empty). */
static int
unmodified(const struct compose *c)
{
	char *now = NULL;
	size_t len = 0;
	int same;
	if (file_read_all(c->file, &now, &len) != TERN_OK)
		return 0;
	same = len == 0 || (c->written && len == strlen(c->written) && memcmp(now, c->written, len) == 0);
	free(now);
	return same;
}

void
compose_edit(struct app *a, struct compose *c)
{
	char *err = NULL;
	int rc = compose_file_write(c);

	if (rc != TERN_OK)
		err = xstrdup("cannot write the draft file");
	if (rc == TERN_OK)
		rc = compose_run_editor(a, c, &err);
	/* mutt's abort_unmodified: leaving the editor without a change (or
	 * with an empty file) on a new message means "never mind". */
	if (rc == TERN_OK && c->fresh && c->edits == 0 && a->cfg->abort_unmodified && unmodified(c)) {
		if (a->cmp == c)
			a->cmp = NULL;
		compose_destroy(c);
		app_say(a, 0, "message not changed in the editor: aborted (abort_unmodified)");
		return;
	}
	c->edits++;
	if (rc == TERN_OK)
		rc = compose_file_read(c, &err);
	c->ident = ident_of(c->acfg, c->from);
	a->cmp = c;
	if (rc != TERN_OK || err) {
		app_say(a, 1, "%s", err ? err : "the editor failed");
		free(err);
		return;
	}
	{
		char *hint = compose_hint(a);
		app_say(a, 0, "%s", hint);
		free(hint);
	}
}

/* An inline forward of a message with attachments: whether to take them
 * along is asked first (mutt's forward_attachments), then the editor runs. */
struct fwd_ask {
	struct compose *c;
	char *raw;
	size_t len;
	char *shown;              /* mime_render_inline_messages */
};

static void
fwd_ask_free(void *ctx)
{
	struct fwd_ask *f = ctx;
	compose_destroy(f->c);
	free(f->raw);
	free(f->shown);
	free(f);
}

static void
fwd_att_answer(struct app *a, int answer, void *ctx)
{
	struct fwd_ask *f = ctx;
	struct compose *c = f->c;
	if (answer == CONFIRM_ESC) {          /* cancels the forward */
		fwd_ask_free(f);
		return;
	}
	if (answer == CONFIRM_YES) {
		mime_msg *m = NULL;
		if (mime_parse(f->raw, f->len, &m) == TERN_OK)
			top_attachments(c, m, f->shown);
		mime_free(m);
	}
	f->c = NULL;
	fwd_ask_free(f);
	compose_edit(a, c);
}

static void
start(struct app *a, enum ui_action act, int64_t msg_id, int as_attachment)
{
	struct msg_row m = { 0 };
	struct ui_account *u;
	struct compose *c;
	char *raw = NULL, *shown = NULL;
	size_t len = 0, natt;

	if (db_message_get(a->d, msg_id, &m) != TERN_OK) {
		app_say(a, 1, "the message is gone");
		return;
	}
	u = app_account(a, m.account_id);
	if (!u) {
		db_msg_row_free(&m);
		return;
	}
	if (db_body_get(a->d, msg_id, &raw, &len) != TERN_OK) {
		if (!u->readonly &&
		    request_send(u, REQ_COMPOSER, WREQ_FETCH_BODY, msg_id, NULL, &a->cmp_wait_req) == TERN_OK) {
			/* The composer opens by itself when the body is here
			 * (compose_wait_check); compose_reply says why if it
			 * cannot come. */
			int k = keymap_key_for(a->km, CTX_INDEX, ACT_CANCEL);
			a->cmp_wait_msg = msg_id;
			a->cmp_wait_act = (int)act;
			a->cmp_wait_att = as_attachment;
			if (k)
				app_say(a, 0, "fetching the original… (%s cancels)", keymap_key_name(k));
			else
				app_say(a, 0, "fetching the original…");
		} else {
			app_say(a, 1, "the message is not downloaded and this account cannot fetch it now");
		}
		db_msg_row_free(&m);
		return;
	}
	c = compose_new(u);
	if (act == ACT_RESUME) {
		load_message(a, c, raw, len);
		c->draft_id = msg_id;
	} else if (act == ACT_FORWARD && as_attachment) {
		mime_msg *pm = NULL;
		c->subject = reply_subject(m.subject, 1);
		c->body = xstrdup("");
		c->fresh = 1;
		if (mime_parse(raw, len, &pm) != TERN_OK)
			pm = NULL;
		reply_ident(a, c, pm);
		mime_free(pm);
		att_add(c, NULL, raw, len, "forwarded.eml", "message/rfc822");
		raw = NULL;
	} else {
		mime_msg *pm = NULL;
		struct reply r = { 0 };
		struct reply_self self = { u->cfg->email, u->cfg->alternates };
		struct render_opts ro = { a->cfg->alternative_order, NULL, 0, RENDER_HDR_NONE, 0 };
		enum reply_kind k = act == ACT_REPLY ? REPLY_SENDER : act == ACT_REPLY_ALL ? REPLY_ALL :
		                    act == ACT_LIST_REPLY ? REPLY_LIST : REPLY_FORWARD;
		struct crypt_view cv = { 0 };
		int rc;
		/* An encrypted original is quoted from its decrypted text (in
		 * memory, then the editor's file), and what quotes it goes out
		 * encrypted unless the user says otherwise (mutt's
		 * crypt_replyencrypt). */
		if (crypt_is_encrypted(raw, len))
			pager_crypt_open(raw, len, &cv);
		if (cv.decrypted) {
			free(raw);
			raw = cv.raw;
			len = cv.len;
			cv.raw = NULL;
			c->pgp |= CRYPT_ENCRYPT;
		}
		crypt_view_free(&cv);
		rc = mime_parse(raw, len, &pm);
		if (rc == TERN_OK)
			rc = reply_make(pm, k, &self, &ro, &r);
		if (rc != TERN_OK) {
			app_say(a, 1, "%s", rc == TERN_ENOTFOUND ? "not a list message (no List-Post, no Mail-Followup-To)" :
			        rc == TERN_EREFUSED ? "the list takes no posts (List-Post: NO)" : "cannot parse the message");
			mime_free(pm);
			compose_destroy(c);
			goto out;
		}
		c->to = r.to;
		c->cc = r.cc;
		c->subject = r.subject;
		c->in_reply_to = r.in_reply_to;
		c->references = r.references;
		c->body = r.body;
		c->fresh = 1;
		reply_ident(a, c, pm);
		if (k != REPLY_FORWARD)
			c->parent_id = msg_id;
		if (k == REPLY_FORWARD)
			shown = mime_render_inline_messages(pm, &ro);
		if (k == REPLY_FORWARD && (natt = top_attachments(NULL, pm, shown)) > 0) {
			struct fwd_ask *f = xcalloc(1, sizeof *f);
			char *q = xasprintf("Forward the original's %zu attachment%s too?", natt,
			                    natt == 1 ? "" : "s");
			f->c = c;
			f->raw = raw;
			f->len = len;
			f->shown = shown;
			raw = NULL;
			shown = NULL;
			mime_free(pm);
			confirm_open(a, q, 1, fwd_att_answer, f, fwd_ask_free);
			free(q);
			goto out;
		}
		mime_free(pm);
	}
	compose_edit(a, c);
out:
	free(shown);
	free(raw);
	db_msg_row_free(&m);
}

static void
forward_answer(struct app *a, int answer, void *ctx)
{
	/* The id travels in the pointer: nothing to free. Esc cancels. */
	if (answer != CONFIRM_ESC)
		start(a, ACT_FORWARD, (int64_t)(intptr_t)ctx, answer == CONFIRM_YES);
}

/* A failed send of the account, taken back into the composer. */
struct failed_find {
	int64_t queue_id, outbox_id;
};

static int
failed_send_cb(const struct queue_row *r, void *ctx)
{
	struct failed_find *f = ctx;
	if (r->status == QUEUE_FAILED && r->change.kind == CHANGE_SEND) {
		f->queue_id = r->id;
		f->outbox_id = r->resource_id;
		return 1;
	}
	return 0;
}

static int
resume_failed(struct app *a, struct ui_account *u)
{
	struct failed_find f = { 0, 0 };
	struct compose *c;
	char *raw = NULL;
	size_t len;

	db_queue_each(a->d, u->id, failed_send_cb, &f);
	if (!f.queue_id || db_outbox_get(a->d, f.outbox_id, &raw, &len, NULL) != TERN_OK)
		return 0;
	c = compose_new(u);
	load_message(a, c, raw, len);
	c->failed_queue = f.queue_id;
	c->failed_outbox = f.outbox_id;
	free(raw);
	compose_edit(a, c);
	return 1;
}

/* The original is here (fetched, or stored by a sync or prefetch
 * meanwhile): the composer opens. Returns 1 if it did. */
static int
wait_done(struct app *a)
{
	int64_t id = a->cmp_wait_msg;
	char *raw = NULL;
	size_t len;

	if (!id || a->cmp)
		return 0;
	if (db_body_get(a->d, id, &raw, &len) != TERN_OK)
		return 0;
	free(raw);
	a->cmp_wait_msg = 0;
	a->cmp_wait_req = 0;
	start(a, (enum ui_action)a->cmp_wait_act, id, a->cmp_wait_att);
	return 1;
}

void
compose_wait_check(struct app *a)
{
	wait_done(a);
}

void
compose_reply(struct app *a, const struct wreply *r)
{
	const char *why;

	/* Cancelled, or superseded by another reply or forward. */
	if (!a->cmp_wait_msg || r->req_id != a->cmp_wait_req)
		return;
	if (wait_done(a) || (r->status == TERN_OK && a->cmp))
		return;
	/* Without the original there is nothing to quote or forward, and a
	 * reply built from the list's headers alone would not be the reply
	 * the user asked for: as mutt does, the user stays where they were
	 * and may ask again once the account is back. */
	a->cmp_wait_msg = 0;
	a->cmp_wait_req = 0;
	why = r->status == TERN_OK ? "the server sent no body" :
	      r->error && *r->error ? r->error : tern_strerror(r->status);
	app_say(a, 1, "cannot fetch the original: %s", why);
}

int
compose_wait_cancel(struct app *a)
{
	if (!a->cmp_wait_msg)
		return 0;
	/* The reply still comes; compose_reply no longer takes it. */
	a->cmp_wait_msg = 0;
	a->cmp_wait_req = 0;
	app_say(a, 0, "cancelled: not waiting for the original any more");
	return 1;
}

void
compose_fresh(struct app *a, struct ui_account *u)
{
	struct compose *c = compose_new(u);
	c->fresh = 1;
	compose_ident_set(a, c, 0);
	compose_edit(a, c);
}

void
compose_prefilled(struct app *a, struct ui_account *u, const char *to, const char *subject, const char *body)
{
	struct compose *c;
	if (a->cmp) {
		app_say(a, 1, "already writing a message");
		return;
	}
	c = compose_new(u);
	c->to = xstrdup(to);
	c->subject = xstrdup(subject);
	c->body = xstrdup(body);
	compose_edit(a, c);
}

void
compose_action(struct app *a, enum ui_action act, const struct msg_row *m)
{
	struct ui_account *u = m ? app_account(a, m->account_id) : a->nacc ? &a->acc[a->cur_acc] : NULL;

	if (a->cmp) {
		app_say(a, 1, "already writing a message");
		return;
	}
	a->cmp_wait_msg = 0;
	a->cmp_wait_req = 0;
	if (!u) {
		app_say(a, 1, "no account");
		return;
	}
	switch (act) {
	case ACT_COMPOSE:
		recall_ask(a, u);
		return;
	case ACT_RECALL:
		recall_open(a, u);
		return;
	case ACT_RESUME:
		if (m && (m->flags & MSG_DRAFT)) {
			start(a, act, m->id, 0);
		} else if (!resume_failed(a, u)) {
			app_say(a, 1, "no draft here and no failed send to edit");
		}
		return;
	case ACT_FORWARD:
		if (m) {
			confirm_open(a, "Forward as attachment (message/rfc822)?", 0, forward_answer,
			             (void *)(intptr_t)m->id, NULL);
			return;
		}
		break;
	default:
		if (m) {
			start(a, act, m->id, 0);
			return;
		}
		break;
	}
	app_say(a, 1, "no message selected");
}
