/* The compose screen: what will be sent, reviewed after the editor, and
 * the keys that finish the draft (send, postpone, abort) or change it. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db_body.h"
#include "db/db.h"
#include "db/db_change.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "db/db_queue.h"
#include "src/base/err.h"
#include "src/mime/mime.h"
#include "src/crypt/crypt.h"
#include "src/mime/mime_build.h"
#include "src/mime/mime_render.h"
#include "db/db_msg_local.h"
#include "src/mime/msgid.h"
#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "ui/colour.h"
#include "ui/compose.h"
#include "ui/compose_int.h"
#include "ui/draw.h"
#include "ui/modal.h"
#include "src/base/util.h"

static void
draw_field(int y, const char *name, const char *value)
{
	char *safe = text_sanitize(value ? value : "", 0);
	char *line = xasprintf("%8s: %s", name, safe);
	draw_text(y, 0, COLS, line, 1);
	free(line);
	free(safe);
}

void
compose_draw(struct app *a)
{
	struct compose *c = a->cmp;
	int y = 1, last = LINES - 3;

	if (!c)
		return;
	for (int i = 1; i <= last; i++)
		draw_blank(i, 0, COLS);
	{
		/* The keys wrap onto more lines rather than run off a narrow
		 * window: send, postpone and abort come last and must show. */
		char *hint = compose_hint(a);
		strbuf line = STRBUF_INIT;
		const char *sep = " ";
		int items = 0;        /* on this line */
		sb_adds(&line, "Compose —");
		for (char *k = hint; *k && y <= last;) {
			char *end = strstr(k, "  ");
			size_t n = end ? (size_t)(end - k) : strlen(k);
			char *item = xstrndup(k, n);
			if (items && draw_width(line.buf) + (int)strlen(sep) + draw_width(item) > COLS) {
				draw_text(y++, 0, COLS, line.buf, 1);
				sb_reset(&line);
				sb_adds(&line, "  ");
				sep = "";
				items = 0;
			}
			sb_adds(&line, sep);
			sb_adds(&line, item);
			sep = "  ";
			items++;
			free(item);
			k += n;
			while (*k == ' ')
				k++;
		}
		if (line.len && y <= last)
			draw_text(y++, 0, COLS, line.buf, 1);
		sb_free(&line);
		free(hint);
	}
	draw_field(y++, "From", c->from);
	draw_field(y++, "To", c->to);
	draw_field(y++, "Cc", c->cc);
	draw_field(y++, "Bcc", c->bcc);
	draw_field(y++, "Subject", c->subject);
	{
		/* mutt's "Security:" line: what the p menu chose. */
		strbuf sec = STRBUF_INIT;
		if (c->pgp & CRYPT_SIGN)
			sb_adds(&sec, "Sign");
		if (c->pgp & CRYPT_ENCRYPT)
			sb_printf(&sec, "%sEncrypt", sec.len ? ", " : "");
		if (!sec.len)
			sb_adds(&sec, c->pgp_auto ? "Encrypt if every recipient has a key" : "None");
		else if (c->pgp_auto && !(c->pgp & CRYPT_ENCRYPT))
			sb_adds(&sec, ", Encrypt if every recipient has a key");
		if ((c->pgp & CRYPT_SIGN) && (c->pgp_key || c->acfg->pgp_key))
			sb_printf(&sec, " (as %s)", c->pgp_key ? c->pgp_key : c->acfg->pgp_key);
		draw_field(y++, "Security", sec.buf);
		sb_free(&sec);
	}
	y++;
	if (c->natt == 0 && y <= last)
		draw_text(y++, 0, COLS, "   (no attachments)", 1);
	for (size_t i = 0; i < c->natt && y <= last; i++) {
		char sz[32], *name = text_sanitize(c->att[i].name ? c->att[i].name : "", 0), *line;
		mime_size_str(sz, sizeof sz, c->att[i].size);
		line = xasprintf("%s [%zu] %s (%s, %s)", i == c->cur ? ">" : " ", i + 1, name,
		                 c->att[i].type ? c->att[i].type : "?", sz);
		if (i == c->cur)
			attron(colour_attr(COL_INDICATOR));
		draw_text(y++, 0, COLS, line, 1);
		attrset(A_NORMAL);
		free(line);
		free(name);
	}
	y++;
	{
		/* The start of the body, as a reminder of which draft this is. */
		char *body = text_sanitize(c->body ? c->body : "", TEXT_KEEP_NEWLINES);
		char *p = body;
		while (p && *p && y <= last) {
			char *nl = strchr(p, '\n');
			if (nl)
				*nl = 0;
			draw_text(y++, 0, COLS, p, 1);
			p = nl ? nl + 1 : NULL;
		}
		free(body);
	}
	if (c->line.field != CL_NONE) {
		char *line = xasprintf("%s%s", c->line.label, c->line.buf);
		int w = draw_width(line);
		draw_text(LINES - 1, 0, COLS, line, 1);
		free(line);
		move(LINES - 1, w < COLS ? w : COLS - 1);
		curs_set(1);
	} else {
		curs_set(0);
	}
}

/* The message as it will leave: TERN_OK with *raw, or an error said. */
static int
build(struct app *a, struct compose *c, char **raw, size_t *len, char **msgid)
{
	struct mime_attach *v = c->natt ? xcalloc(c->natt, sizeof *v) : NULL;
	struct mail_addr_list from = { 0 };
	struct mime_draft d = { 0 };
	char *err = NULL;
	int rc;

	for (size_t i = 0; i < c->natt; i++) {
		v[i].path = c->att[i].path;
		v[i].data = c->att[i].data;
		v[i].len = c->att[i].len;
		v[i].filename = c->att[i].name;
		v[i].media_type = c->att[i].type;
	}
	mail_addr_parse(c->from ? c->from : "", &from);
	*msgid = msgid_new(from.n ? from.v[0].addr : c->acfg->email);
	mail_addr_free(&from);
	d.from = c->from;
	d.to = c->to;
	d.cc = c->cc;
	d.bcc = c->bcc;
	d.subject = c->subject;
	d.body = c->body ? c->body : "";
	d.in_reply_to = c->in_reply_to && *c->in_reply_to ? c->in_reply_to : NULL;
	d.references = c->references && *c->references ? c->references : NULL;
	d.message_id = *msgid;
	d.flowed = c->acfg->text_flowed;
	d.att = v;
	d.natt = c->natt;
	rc = mime_build(&d, raw, len, &err);
	if (rc != TERN_OK) {
		app_say(a, 1, "cannot build the message: %s", err ? err : "error");
		free(*msgid);
		*msgid = NULL;
	}
	free(err);
	free(v);
	return rc;
}

/* What the queued message replaces goes in the same transaction: the
 * resumed draft is deleted, a failed send's rows are dropped. */
static int
replace_old(struct app *a, struct compose *c)
{
	int64_t change = 0, append = 0;
	/* A draft postponed a moment ago may not be on the server yet: its
	 * queued append is taken back (and its local row with it). */
	if (c->draft_id && db_change_append_of(a->d, c->draft_id, &append) != TERN_OK)
		return TERN_EDB;
	if (append && db_change_revert(a->d, append) != TERN_OK)
		return TERN_EDB;
	if (c->draft_id && !append && db_change_delete(a->d, c->draft_id, 0, 0, &change) != TERN_OK)
		return TERN_EDB;
	if (c->failed_queue && (db_change_revert(a->d, c->failed_queue) != TERN_OK ||
	                        db_outbox_delete(a->d, c->failed_outbox) != TERN_OK))
		return TERN_EDB;
	return TERN_OK;
}

static void
wake(struct app *a, struct compose *c)
{
	struct ui_account *u = app_account(a, c->account_id);
	if (u && u->w)
		worker_wake(u->w);
}

static int
has_recipient(const struct compose *c)
{
	const char *v[] = { c->to, c->cc, c->bcc };
	for (int i = 0; i < 3; i++)
		if (v[i] && strchr(v[i], '@'))
			return 1;
	return 0;
}

static void do_send(struct app *a);

static void
nokey_answer(struct app *a, int answer, void *ctx)
{
	(void)ctx;
	if (!a->cmp)
		return;
	if (answer == CONFIRM_YES) {
		a->cmp->pgp &= ~CRYPT_ENCRYPT;
		a->cmp->pgp_auto = 0;
		do_send(a);
	} else {
		app_say(a, 0, "not sent: change the recipients, or p to clear encryption");
	}
}

/* The built message signed and/or encrypted as chosen. 0: go on with
 * *raw replaced; -1: not now (a question is open, or the error is said). */
static int
protect(struct app *a, struct compose *c, char **raw, size_t *len)
{
	int how = c->pgp;
	char *missing = NULL, *prot = NULL, *err = NULL;
	size_t n;
	int rc;

	if (c->pgp_auto && !(how & CRYPT_ENCRYPT) && crypt_can_encrypt(*raw, *len, NULL))
		how |= CRYPT_ENCRYPT;
	if ((how & CRYPT_ENCRYPT) && !crypt_can_encrypt(*raw, *len, &missing)) {
		char *safe = text_sanitize(missing ? missing : "a recipient", 0);
		char *q = xasprintf("No usable PGP key for %s: send it unencrypted?", safe);
		confirm_open(a, q, 0, nokey_answer, NULL, NULL);
		free(q);
		free(safe);
		free(missing);
		return -1;
	}
	if (!how)
		return 0;
	/* Signing may need the passphrase: gpg-agent's pinentry gets the
	 * terminal, as the editor does. */
	if (how & CRYPT_SIGN) {
		def_prog_mode();
		endwin();
	}
	rc = crypt_protect(*raw, *len, how, c->pgp_key ? c->pgp_key : c->acfg->pgp_key, &prot, &n, &err);
	if (how & CRYPT_SIGN) {
		reset_prog_mode();
		clearok(curscr, TRUE);
		refresh();
	}
	if (rc != TERN_OK) {
		char *safe = text_sanitize(err ? err : "error", 0);
		app_say(a, 1, "not sent: %s", safe);
		free(safe);
		free(err);
		return -1;
	}
	free(*raw);
	*raw = prot;
	*len = n;
	return 0;
}

static void
pgp_menu_key(struct compose *c, int key)
{
	c->pgp_menu = 0;
	switch (key) {
	case 'e': c->pgp |= CRYPT_ENCRYPT; break;
	case 's': c->pgp |= CRYPT_SIGN; break;
	case 'b': c->pgp = CRYPT_SIGN | CRYPT_ENCRYPT; break;
	case 'c': c->pgp = 0; c->pgp_auto = 0; break;
	case 'a': cline_open(c, CL_PGP_KEY, "Sign as (key id, fingerprint or address): ",
	                     c->pgp_key ? c->pgp_key : c->acfg->pgp_key ? c->acfg->pgp_key : ""); return;
	default: return;        /* Esc or anything else: unchanged */
	}
	if (key != 'c')
		c->pgp_auto = 0;   /* the user chose */
}

static void
do_send(struct app *a)
{
	struct compose *c = a->cmp;
	char *raw = NULL, *msgid = NULL;
	size_t len;
	int64_t outbox = 0, flag_change = 0;

	if (!has_recipient(c)) {
		app_say(a, 1, "no recipient: set To, Cc or Bcc (t, c, b)");
		return;
	}
	if (build(a, c, &raw, &len, &msgid) != TERN_OK)
		return;
	if (protect(a, c, &raw, &len) != 0)
		goto out;
	/* One transaction: the queue row holds the whole message, so it is sent
	 * even if tern dies right now; the answered flag and the draft go with it. */
	if (db_begin(a->d) != TERN_OK ||
	    db_change_send(a->d, c->account_id, raw, len, msgid, c->subject ? c->subject : "", &outbox) != TERN_OK ||
	    (c->parent_id && db_change_flag(a->d, c->parent_id, MSG_ANSWERED, 1, &flag_change) != TERN_OK) ||
	    replace_old(a, c) != TERN_OK || db_commit(a->d) != TERN_OK) {
		db_rollback(a->d);
		app_say(a, 1, "could not queue the message (database error); it is still here");
		goto out;
	}
	wake(a, c);
	a->sent_outbox = outbox;
	a->sent_account = c->account_id;
	compose_free(a);
	app_say(a, 0, "queued for sending");
	app_refresh(a);
out:
	free(raw);
	free(msgid);
}

static void
do_postpone(struct app *a)
{
	struct compose *c = a->cmp;
	struct mailbox_row mb = { 0 };
	char *raw = NULL, *msgid = NULL;
	size_t len;
	struct msg_local local = { 0 };
	int64_t outbox = 0, msg = 0;

	if (db_mailbox_by_role(a->d, c->account_id, MAILBOX_ROLE_DRAFTS, &mb) != TERN_OK) {
		app_say(a, 1, "this account has no Drafts mailbox");
		return;
	}
	if (build(a, c, &raw, &len, &msgid) != TERN_OK)
		goto out;
	/* Local first: the draft is in Drafts now (E resumes it at once), and
	 * becomes the server's copy when the worker has stored it. */
	if (msg_local_read(raw, len, &local) != TERN_OK || db_begin(a->d) != TERN_OK ||
	    db_change_append(a->d, c->account_id, mb.id, raw, len, MSG_DRAFT | MSG_SEEN, &local.h, &outbox,
	                     &msg) != TERN_OK ||
	    body_store(a->d, msg, raw, len) != TERN_OK ||
	    replace_old(a, c) != TERN_OK || db_commit(a->d) != TERN_OK) {
		db_rollback(a->d);
		app_say(a, 1, "could not store the draft (database error)");
		goto out;
	}
	wake(a, c);
	compose_free(a);
	app_say(a, 0, "postponed to %s", mb.name);
	app_refresh(a);
out:
	msg_local_free(&local);
	db_mailbox_row_free(&mb);
	free(raw);
	free(msgid);
}

static void
attach_path(struct app *a, struct compose *c, const char *text)
{
	char *path = path_expand_home(text);
	struct stat st;
	if (!*text) {
		free(path);
		return;
	}
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, R_OK) != 0) {
		app_say(a, 1, "cannot attach %s: not a readable file", text);
	} else {
		struct catt *t;
		c->att = xrealloc(c->att, (c->natt + 1) * sizeof *c->att);
		t = &c->att[c->natt++];
		memset(t, 0, sizeof *t);
		t->path = xstrdup(path);
		t->name = xstrdup(strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
		t->type = compose_guess_type(path);
		t->size = (int64_t)st.st_size;
		c->cur = c->natt - 1;
		app_say(a, 0, "attached %s (%s)", t->name, t->type);
	}
	free(path);
}

static void
line_done(struct app *a, struct compose *c)
{
	char **slot = NULL;
	const char *text = c->line.buf;

	switch (c->line.field) {
	case CL_TO: slot = &c->to; break;
	case CL_CC: slot = &c->cc; break;
	case CL_BCC: slot = &c->bcc; break;
	case CL_SUBJECT: slot = &c->subject; break;
	case CL_ATTACH: attach_path(a, c, text); break;
	case CL_PGP_KEY:
		free(c->pgp_key);
		c->pgp_key = *str_trim(c->line.buf) ? xstrdup(str_trim(c->line.buf)) : NULL;
		c->pgp |= CRYPT_SIGN;
		c->pgp_auto = 0;
		break;
	case CL_NONE: break;
	}
	if (slot) {
		free(*slot);
		*slot = xstrdup(str_trim(c->line.buf));
	}
	cline_close(c);
}

static void
abort_answer(struct app *a, int answer, void *ctx)
{
	(void)ctx;
	if (answer == CONFIRM_YES && a->cmp) {
		compose_free(a);
		app_say(a, 0, "message aborted");
	}
}

static void
detach(struct app *a, struct compose *c)
{
	if (!c->natt)
		return;
	free(c->att[c->cur].path);
	free(c->att[c->cur].data);
	free(c->att[c->cur].name);
	free(c->att[c->cur].type);
	memmove(c->att + c->cur, c->att + c->cur + 1, (c->natt - c->cur - 1) * sizeof *c->att);
	c->natt--;
	if (c->cur && c->cur >= c->natt)
		c->cur--;
	app_say(a, 0, "attachment removed");
}

void
compose_key(struct app *a, int key)
{
	struct compose *c = a->cmp;

	if (c->line.field != CL_NONE) {
		int r = cline_key(a, c, key);
		if (r > 0)
			line_done(a, c);
		else if (r < 0)
			cline_close(c);
		return;
	}
	free(a->msg);
	a->msg = NULL;
	if (c->pgp_menu) {
		pgp_menu_key(c, key);
		return;
	}
	/* The compose context's bindings, then the global ones (j/k, q/Esc,
	 * ^L): "bind = compose KEY ACTION" rebinds them. */
	switch (keymap_lookup(a->km, CTX_COMPOSE, key)) {
	case ACT_SEND: do_send(a); break;
	case ACT_POSTPONE: do_postpone(a); break;
	case ACT_EDIT: compose_edit(a, c); break;
	case ACT_ATTACH_FILE: cline_open(c, CL_ATTACH, "Attach file: ", ""); break;
	case ACT_EDIT_TO: cline_open(c, CL_TO, "To: ", c->to); break;
	case ACT_EDIT_CC: cline_open(c, CL_CC, "Cc: ", c->cc); break;
	case ACT_EDIT_BCC: cline_open(c, CL_BCC, "Bcc: ", c->bcc); break;
	case ACT_EDIT_SUBJECT: cline_open(c, CL_SUBJECT, "Subject: ", c->subject); break;
	case ACT_DETACH: detach(a, c); break;
	case ACT_CYCLE_FROM: compose_ident_next(a, c); break;
	case ACT_PGP_MENU:
		c->pgp_menu = 1;
		app_say(a, 0, "PGP (e)ncrypt, (s)ign, sign (a)s, (b)oth, (c)lear?");
		break;
	case ACT_DOWN:
		if (c->cur + 1 < c->natt)
			c->cur++;
		break;
	case ACT_UP:
		if (c->cur > 0)
			c->cur--;
		break;
	case ACT_TOP:
		c->cur = 0;
		break;
	case ACT_BOTTOM:
		c->cur = c->natt ? c->natt - 1 : 0;
		break;
	case ACT_BACK: case ACT_CANCEL: case ACT_QUIT:
		confirm_open(a, "Abort this message?", 0, abort_answer, NULL, NULL);
		break;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		break;
	default:
		break;
	}
}

char *
compose_hint(struct app *a)
{
	static const struct { enum ui_action act; const char *what; } h[] = {
		{ ACT_SEND, "send" }, { ACT_EDIT, "edit" }, { ACT_ATTACH_FILE, "attach" }, { ACT_DETACH, "detach" },
		{ ACT_EDIT_TO, "To" }, { ACT_EDIT_CC, "Cc" }, { ACT_EDIT_BCC, "Bcc" }, { ACT_EDIT_SUBJECT, "Subject" },
		{ ACT_CYCLE_FROM, "From" }, { ACT_PGP_MENU, "PGP" }, { ACT_POSTPONE, "postpone" }, { ACT_BACK, "abort" },
	};
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) {
		int k = keymap_key_for(a->km, CTX_COMPOSE, h[i].act);
		if (k)
			sb_printf(&sb, "%s%s:%s", sb.len ? "  " : "", keymap_key_name(k), h[i].what);
	}
	return sb.buf ? sb_steal(&sb) : xstrdup("");
}

struct track {
	int64_t outbox;
	struct queue_row *r;
	int found;
};

static int
track_cb(const struct queue_row *q, void *ctx)
{
	struct track *t = ctx;
	if (q->resource_type != RESOURCE_OUTBOX || q->resource_id != t->outbox || q->change.kind != CHANGE_SEND)
		return 0;
	t->r->status = q->status;
	t->r->last_error = xstrdup(q->last_error);
	t->found = 1;
	return 1;
}

/* After a send: the queue row's fate on the message line (sending, sent,
 * failed with the server's reason). */
void
compose_track(struct app *a)
{
	struct queue_row r = { 0 };
	int found = 0;

	compose_wait_check(a);
	compose_abook_check(a);
	if (!a->sent_outbox || a->cmp)
		return;
	{
		struct track t = { a->sent_outbox, &r, 0 };
		db_queue_each(a->d, a->sent_account, track_cb, &t);
		found = t.found;
	}
	if (!found) {
		a->sent_outbox = 0;
		app_say(a, 0, "message sent");
	} else if (r.status == QUEUE_FAILED) {
		a->sent_outbox = 0;
		/* keymap_key_name() has one static buffer: copy the first name. */
		int rk = keymap_key_for(a->km, CTX_INDEX, ACT_RETRY), ek = keymap_key_for(a->km, CTX_INDEX, ACT_RESUME);
		char retry[16];
		snprintf(retry, sizeof retry, "%s", rk ? keymap_key_name(rk) : "retry");
		app_say(a, 1, "send failed (kept: %s retries, %s edits it): %s", retry,
		        ek ? keymap_key_name(ek) : "resume", r.last_error ? r.last_error : "error");
	} else if (r.status == QUEUE_SENDING) {
		app_say(a, 0, "sending…");
	}
	db_queue_row_free(&r);
}
