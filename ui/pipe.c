#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db_message.h"
#include "src/base/err.h"
#include "src/base/proc.h"
#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "src/base/util.h"
#include "ui/modal.h"
#include "ui/pipe.h"
#include "ui/request.h"
#include "ui/textview.h"

/* The command runs while the screen waits (as mutt's does); one that
 * hangs is killed after this long rather than freezing tern. */
#define PIPE_TIMEOUT_MS (120 * 1000)

struct pipe_job {
	int64_t *ids;             /* in the order they are piped */
	size_t n;
	int mbox;                 /* tagged: an mbox; else the one message raw */
	char *cmd;
	uint64_t req;             /* the body fetch in flight, 0 when none */
	size_t pos;               /* ids before it are cached (bodies only come, never go) */
	size_t fetched, missing;  /* progress: bodies fetched of those missing at the start */
};

static void
job_free(void *ctx)
{
	struct pipe_job *j = ctx;
	if (!j)
		return;
	free(j->ids);
	free(j->cmd);
	free(j);
}

void
pipe_free(struct app *a)
{
	job_free(a->pj);
	a->pj = NULL;
}

void
pipe_mbox_add(strbuf *out, const char *sender, int64_t date, const char *raw, size_t len)
{
	struct tm tm;
	time_t t = (time_t)date;
	char when[64] = "Thu Jan  1 00:00:00 1970\n";
	strbuf who = STRBUF_INIT;

	/* The envelope sender is one word: a space or control in it would
	 * break the separator line. */
	for (const char *s = sender && *sender ? sender : "MAILER-DAEMON"; *s; s++)
		sb_addc(&who, (unsigned char)*s <= ' ' || *s == 0x7f ? '_' : *s);
	if (gmtime_r(&t, &tm))
		asctime_r(&tm, when);
	sb_printf(out, "From %s %s", who.buf, when);
	sb_free(&who);
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(raw + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (raw + i)) : len - i, q = 0;
		const char *line = raw + i;
		i += nl ? l + 1 : l;
		if (l && line[l - 1] == '\r')
			l--;
		while (q < l && line[q] == '>')
			q++;
		if (l - q >= 5 && memcmp(line + q, "From ", 5) == 0)
			sb_addc(out, '>');
		sb_add(out, line, l);
		sb_addc(out, '\n');
	}
	sb_addc(out, '\n');
}

/* CRLF as LF, as mutt pipes a message. */
static void
add_lf(strbuf *out, const char *raw, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!(raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n'))
			sb_addc(out, raw[i]);
}

static int
cached(struct app *a, int64_t id)
{
	char *raw = NULL;
	size_t len = 0;
	int ok = db_body_get(a->d, id, &raw, &len) == TERN_OK;
	free(raw);
	return ok;
}

static size_t
count_missing(struct app *a, const struct pipe_job *j, strbuf *which)
{
	size_t k = 0;
	for (size_t i = 0; i < j->n; i++)
		if (!cached(a, j->ids[i])) {
			if (which && k < 8)
				sb_printf(which, "%s#%lld", k ? " " : "", (long long)j->ids[i]);
			k++;
		}
	if (which && k > 8)
		sb_adds(which, " …");
	return k;
}

/* Bodies are missing and cannot come now: nothing runs. */
static void
give_up(struct app *a, const char *why)
{
	struct pipe_job *j = a->pj;
	strbuf which = STRBUF_INIT;
	size_t k = count_missing(a, j, &which);
	app_say(a, 1, "pipe: not run: %zu of %zu message%s not downloaded (%s): %s", k, j->n,
	        j->n == 1 ? "" : "s", why, which.buf ? which.buf : "");
	sb_free(&which);
	pipe_free(a);
}

static void
run(struct app *a)
{
	struct pipe_job *j = a->pj;
	strbuf in = STRBUF_INIT;
	char *out = NULL, *script, *title;
	char *argv[4];
	size_t outlen = 0;
	int status = -1, rc;

	for (size_t i = 0; i < j->n; i++) {
		struct msg_row m = { 0 };
		char *raw = NULL;
		size_t len = 0;
		if (db_body_get(a->d, j->ids[i], &raw, &len) != TERN_OK) {
			sb_free(&in);
			give_up(a, "it went from the cache");
			return;
		}
		if (!j->mbox)
			add_lf(&in, raw, len);
		else if (db_message_get(a->d, j->ids[i], &m) == TERN_OK)
			pipe_mbox_add(&in, m.from_addr, m.received_at ? m.received_at : m.sent_at, raw, len);
		else
			pipe_mbox_add(&in, NULL, 0, raw, len);
		db_msg_row_free(&m);
		free(raw);
	}
	/* What the command says on stderr belongs with its output. */
	script = xasprintf("exec 2>&1\n%s", j->cmd);
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = script;
	argv[3] = NULL;
	app_say(a, 0, "pipe: running %s…", j->cmd);
	status_draw(a);
	refresh();
	rc = proc_run_status(argv, in.buf ? in.buf : "", in.len, PIPE_TIMEOUT_MS, &out, &outlen, &status);
	title = xasprintf("pipe: %s (%zu message%s)%s", j->cmd, j->n, j->n == 1 ? "" : "s",
	                  outlen ? "" : ": no output");
	textview_open(a, title, out ? out : "", outlen);
	if (rc == TERN_ETIMEOUT)
		app_say(a, 1, "pipe: killed after %d s", PIPE_TIMEOUT_MS / 1000);
	else if (status < 0)
		app_say(a, 1, "pipe: cannot run the command");
	else
		app_say(a, status != 0, "pipe: exit %d", status);
	free(title);
	free(out);
	free(script);
	sb_free(&in);
	pipe_free(a);
}

/* Asks for the next missing body, or runs when none is missing. */
static void
step(struct app *a)
{
	struct pipe_job *j = a->pj;
	int64_t next = 0;
	struct msg_row m = { 0 };
	struct ui_account *u;
	int k;

	/* From where the last look stopped: a big tag set is not read again
	 * after every body that arrives. */
	for (; j->pos < j->n && !next; j->pos++)
		if (!cached(a, j->ids[j->pos]))
			next = j->ids[j->pos];
	if (next)
		j->pos--;
	if (!next) {
		run(a);
		return;
	}
	if (db_message_get(a->d, next, &m) != TERN_OK) {
		app_say(a, 1, "pipe: not run: message #%lld is gone", (long long)next);
		pipe_free(a);
		return;
	}
	u = app_account(a, m.account_id);
	db_msg_row_free(&m);
	if (!u || u->readonly ||
	    request_send(u, REQ_PIPE, WREQ_FETCH_BODY, next, NULL, &j->req) != TERN_OK) {
		give_up(a, "this account cannot fetch them now");
		return;
	}
	k = keymap_key_for(a->km, CTX_INDEX, ACT_CANCEL);
	app_say(a, 0, "pipe: fetching %zu of %zu… (%s cancels)", j->fetched + 1, j->missing,
	        k ? keymap_key_name(k) : "cancel");
}

void
pipe_reply(struct app *a, const struct wreply *r)
{
	struct pipe_job *j = a->pj;

	if (!j || !j->req || r->req_id != j->req)
		return;   /* cancelled meanwhile */
	j->req = 0;
	if (!cached(a, r->arg)) {
		give_up(a, r->status == TERN_OK ? "the server sent no body" :
		        r->error && *r->error ? r->error : tern_strerror(r->status));
		return;
	}
	j->fetched++;
	step(a);
}

int
pipe_cancel(struct app *a)
{
	if (!a->pj)
		return 0;
	/* The reply still comes; pipe_reply no longer takes it. */
	pipe_free(a);
	app_say(a, 0, "pipe: cancelled");
	return 1;
}

static int
cmp_list_order(const void *x, const void *y)
{
	const struct msg_row *p = x, *q = y;
	/* The list's order: newest first, then the higher id (db_message_page). */
	if (p->received_at != q->received_at)
		return p->received_at > q->received_at ? -1 : 1;
	return p->id > q->id ? -1 : p->id < q->id;
}

static void
command_done(struct app *a, const char *text, void *ctx)
{
	struct pipe_job *j = ctx;
	const char *t = text + strspn(text, " \t");

	if (!*t) {
		job_free(j);
		return;
	}
	pipe_free(a);
	j->cmd = xstrdup(t);
	j->missing = count_missing(a, j, NULL);
	a->pj = j;
	step(a);
}

void
pipe_action(struct app *a)
{
	struct pipe_job *j;
	const struct msg_row *cur;

	if (a->pj) {
		app_say(a, 1, "pipe: still fetching for the last command (Esc cancels it)");
		return;
	}
	j = xcalloc(1, sizeof *j);
	if (a->tag_prefix) {
		struct msg_row *v;
		size_t k = 0;
		if (!a->ntags) {
			app_say(a, 1, "no tagged messages");
			free(j);
			return;
		}
		v = xcalloc(a->ntags, sizeof *v);
		for (size_t i = 0; i < a->ntags; i++)
			if (db_message_get(a->d, a->tags[i], &v[k]) == TERN_OK)
				k++;
		qsort(v, k, sizeof *v, cmp_list_order);
		j->ids = xcalloc(k ? k : 1, sizeof *j->ids);
		for (size_t i = 0; i < k; i++) {
			j->ids[i] = v[i].id;
			db_msg_row_free(&v[i]);
		}
		free(v);
		j->n = k;
		j->mbox = 1;
	} else if ((cur = app_current(a)) != NULL) {
		j->ids = xcalloc(1, sizeof *j->ids);
		j->ids[0] = cur->id;
		j->n = 1;
	}
	if (!j->n) {
		app_say(a, 1, "no message selected");
		job_free(j);
		return;
	}
	/* One label, so both share the prompt's history. */
	prompt_open_owned(a, "Pipe to command: ", "", command_done, j, job_free);
	if (j->mbox) {
		char *note = xasprintf("%zu tagged, as an mbox:", j->n);
		prompt_note(a, note);
		free(note);
	}
}
