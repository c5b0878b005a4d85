#include "config.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/base/exitcode.h"
#include "db/db_account.h"
#include "db/db_mailbox.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "ui/colour.h"
#include "ui/app.h"
#include "ui/compose.h"
#include "ui/draw.h"
#include "ui/modal.h"
#include "ui/pager.h"
#include "ui/pipe.h"
#include "ui/request.h"
#include "ui/search_ui.h"
#include "ui/newmail.h"
#include "ui/textview.h"
#include "ui/tui.h"
#include "ui/unsubscribe.h"
#include "src/base/util.h"

/* Worker commits can come in bursts (a first sync pokes after every batch):
 * the screen is reread at most this often. */
#define REFRESH_MS 120
/* Even without a poke, look for commits by another tern process (it syncs
 * the accounts this one reads only) this often. */
#define IDLE_POLL_MS 1000
#define WIDE_COLS 90

static void
layout(struct app *a)
{
	int body_h = LINES - 3;          /* title bar, status bar, message line */
	if (body_h < 1)
		body_h = 1;
	a->narrow = COLS < WIDE_COLS;
	if (a->narrow) {
		a->side_w = COLS;
		a->main_x = 0;
		a->main_w = COLS;
		a->acc_y = a->mb_y = 1;
		a->acc_h = a->mb_h = body_h;
	} else {
		a->side_w = COLS / 4 < 34 ? COLS / 4 : 34;
		a->main_x = a->side_w + 1;
		a->main_w = COLS - a->main_x;
		a->acc_y = 1;
		a->acc_h = (int)a->nacc + 1;
		if (a->acc_h > body_h / 3)
			a->acc_h = body_h / 3 > 2 ? body_h / 3 : 2;
		a->mb_y = a->acc_y + a->acc_h;
		a->mb_h = body_h - a->acc_h;
	}
	a->main_h = body_h;
	/* The list's first line is its column title. */
	ml_set_height(a->ml, body_h - 1);
}

static void
draw_title(struct app *a)
{
	char hint[160];
	enum ui_ctx ctx = a->focus == PANE_PAGER ? pager_ctx(a) : a->focus == PANE_LIST ? CTX_INDEX :
	                  a->focus == PANE_MAILBOXES ? CTX_MAILBOXES : CTX_ACCOUNTS;
	int kq = keymap_key_for(a->km, ctx, ACT_BACK), kh = keymap_key_for(a->km, ctx, ACT_HELP);
	char q[16], h[16];
	snprintf(q, sizeof q, "%s", kq ? keymap_key_name(kq) : "-");
	snprintf(h, sizeof h, "%s", kh ? keymap_key_name(kh) : "-");
	snprintf(hint, sizeof hint, "tern  %s:back  %s:help  ", q, h);
	attrset(colour_attr(COL_STATUS));
	draw_text(0, 0, COLS, hint, 1);
	attrset(A_NORMAL);
}

static void
draw_all(struct app *a)
{
	erase();
	draw_title(a);
	if (a->help) {
		help_draw(a);
	} else if (a->tv) {
		textview_draw(a);
	} else if (a->acc_info) {
		account_info_draw(a);
	} else if (a->narrow) {
		switch (a->focus) {
		case PANE_ACCOUNTS: accounts_draw(a); break;
		case PANE_MAILBOXES: mailboxes_draw(a); break;
		case PANE_LIST: list_draw(a); break;
		case PANE_PAGER: pager_draw(a, 1, 0, a->main_h, COLS); break;
		}
	} else {
		accounts_draw(a);
		mailboxes_draw(a);
		for (int y = 1; y <= a->main_h; y++)
			draw_text(y, a->side_w, 1, "│", 0);
		if (a->pg)
			pager_draw(a, 1, a->main_x, a->main_h, a->main_w);
		else
			list_draw(a);
	}
	compose_track(a);
	status_draw(a);
	compose_draw(a);
	if (a->pick)
		picker_draw(a);
	if (a->pr)
		prompt_draw(a);
	refresh();
}

static void
quit_answer(struct app *a, int answer, void *ctx)
{
	(void)ctx;
	if (answer == CONFIRM_YES)
		a->quit = 1;
}

static void
ask_quit(struct app *a)
{
	if (a->cfg->confirm_quit)
		confirm_open(a, "Quit tern?", 0, quit_answer, NULL, NULL);
	else
		a->quit = 1;
}

static void
open_picked(struct app *a, int64_t mailbox_id)
{
	app_open_mailbox(a, mailbox_id);
}

/* The main area's pane: the pager while one is open, else the list. */
static enum pane
main_pane(const struct app *a)
{
	return a->pg ? PANE_PAGER : PANE_LIST;
}

/* q (back) and Esc (cancel): close the pager, leave search results for the
 * mailbox they were started from, go back a pane. At the top, back quits
 * (mutt's q in the index); cancel never does, so a stray Esc (or a second
 * one meant for a prompt) cannot end the session. */
static void
back(struct app *a, int may_quit)
{
	int top = 0;
	switch (a->focus) {
	case PANE_PAGER:
		pager_back(a);
		break;
	case PANE_LIST:
		if (ml_mode(a->ml) == ML_SEARCH && a->prev_mailbox)
			search_leave(a);
		else if (a->narrow)
			a->focus = PANE_MAILBOXES;
		else
			top = 1;
		break;
	case PANE_MAILBOXES:
		a->focus = a->narrow ? PANE_ACCOUNTS : main_pane(a);
		break;
	case PANE_ACCOUNTS:
		if (a->narrow)
			top = 1;
		else
			a->focus = main_pane(a);
		break;
	}
	if (top && may_quit) {
		ask_quit(a);
	} else if (top) {
		int k = keymap_key_for(a->km, CTX_INDEX, ACT_QUIT);
		app_say(a, 0, "%s quits tern", k ? keymap_key_name(k) : "the quit action");
	}
}

static void
sync_now(struct app *a)
{
	struct ui_account *u = a->nacc ? &a->acc[a->cur_acc] : NULL;
	if (!u || !u->w) {
		app_say(a, 1, "%s", !u ? "no account" : u->readonly ?
		        "another tern syncs this account" : "this account has no worker");
		return;
	}
	request_send(u, REQ_SYNC_NOW, WREQ_SYNC_NOW, 0, NULL, NULL);
	app_say(a, 0, "syncing %s…", u->cfg->name);
}

static void dispatch_key(struct app *a, int key);

/* A first key of a two-key binding handed on alone (key_flush): its code
 * with the sequence bit and no second key, which no key read can be. */
#define KEY_LONE(k) ((k) | KEYMAP_SEQ)
#define KEY_IS_LONE(k) ((k) > KEYMAP_SEQ && (k) < KEYMAP_SEQ + 128)

static enum ui_ctx
focus_ctx(struct app *a)
{
	return a->focus == PANE_PAGER ? pager_ctx(a) : a->focus == PANE_LIST ? CTX_INDEX :
	       a->focus == PANE_MAILBOXES ? CTX_MAILBOXES : CTX_ACCOUNTS;
}

/* Two-key bindings (zc, <Esc>v). A first key that is bound on its own as
 * well (Esc: cancel) is one only if the second came with it, in the same
 * read (what a terminal sends for Alt-v): key_flush runs it alone after
 * the read. Another first key waits for the second without a timeout, as
 * vim's and aerc's z does. 1 when the key was taken; else *key is what to
 * look up. */
static int
key_sequence(struct app *a, enum ui_ctx ctx, int *key)
{
	int k1 = a->key_prefix;
	if (k1) {
		a->key_prefix = 0;
		if (keymap_lookup(a->km, ctx, KEYMAP_SEQ_OF(k1, *key)) != ACT_NONE) {
			*key = KEYMAP_SEQ_OF(k1, *key);
			return 0;
		}
		if (keymap_lookup(a->km, ctx, k1) != ACT_NONE) {
			/* Esc, then a key of its own: both, one after the other. */
			dispatch_key(a, KEY_LONE(k1));
			dispatch_key(a, *key);
			return 1;
		}
		/* z, then a key no sequence has but bound alone (Tab, j): the
		 * key is not lost. */
		if (keymap_lookup(a->km, ctx, *key) != ACT_NONE)
			return 0;
		if (*key < KEYMAP_FN) {
			char first[24];
			snprintf(first, sizeof first, "%s", keymap_key_name(k1));
			app_say(a, 1, "%s%s does nothing", first, keymap_key_name(*key));
		}
		return 1;
	}
	if (KEY_IS_LONE(*key)) {
		*key -= KEYMAP_SEQ;
		return 0;
	}
	if (keymap_is_prefix(a->km, ctx, *key)) {
		a->key_prefix = *key;
		if (keymap_lookup(a->km, ctx, *key) == ACT_NONE)
			app_say(a, 0, "%s…", keymap_key_name(*key));
		return 1;
	}
	return 0;
}

static void
dispatch_key(struct app *a, int key)
{
	enum ui_ctx ctx;
	enum ui_action act;

	/* A lone first key for a prompt is that key. */
	if ((a->pr || a->cmp || a->pick) && KEY_IS_LONE(key))
		key -= KEYMAP_SEQ;
	if (a->pr) {
		prompt_key(a, key);
		return;
	}
	if (a->cmp) {
		compose_key(a, key);
		return;
	}
	if (a->pick) {
		picker_key(a, key);
		return;
	}
	ctx = focus_ctx(a);
	if (key_sequence(a, ctx, &key))
		return;
	act = keymap_lookup(a->km, ctx, key);
	if (act == ACT_NONE && a->acc_info) {
		a->acc_info = 0;          /* any key closes it */
		return;
	}
	if (act == ACT_NONE) {
		/* A key that does nothing says so, as mutt's "Key is not bound"
		 * (resizes and other terminal events come as function keys). */
		if (key < KEYMAP_FN || (key >= KEYMAP_FN + KEY_F(1) && key <= KEYMAP_FN + KEY_F(12))) {
			int hk = keymap_key_for(a->km, ctx, ACT_HELP);
			char name[16];
			snprintf(name, sizeof name, "%s", keymap_key_name(key));
			app_say(a, 1, "%s does nothing in the %s (%s lists the keys)", name,
			        ctx == CTX_ACCOUNTS ? "accounts pane" : ctx == CTX_MAILBOXES ? "mailboxes pane" :
			        ctx == CTX_INDEX ? "list" : "pager", hk ? keymap_key_name(hk) : "help");
		}
		return;
	}
	if (a->help) {
		help_key(a, act);
		return;
	}
	if (a->tv) {
		textview_key(a, act);
		return;
	}
	if (a->acc_info) {
		account_info_key(a, act);
		if (act != ACT_SYNC_NOW)
			return;
	}
	app_action(a, act);
}

void
app_action(struct app *a, enum ui_action act)
{
	/* Esc while a reply waits for its original gives up the wait, and
	 * only that: the user stays where they are (an open overlay, help or
	 * the account's error, takes Esc first). */
	if (act == ACT_CANCEL && (compose_wait_cancel(a) || pipe_cancel(a)))
		return;
	free(a->msg);
	a->msg = NULL;
	switch (act) {
	case ACT_QUIT:
		ask_quit(a);
		return;
	case ACT_HELP:
		a->help = 1;
		a->help_top = 0;
		return;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		return;
	case ACT_BACK:
	case ACT_CANCEL:
		back(a, act == ACT_BACK);
		return;
	case ACT_NEXT_PANE:
		a->focus = a->focus == PANE_ACCOUNTS ? PANE_MAILBOXES :
		           a->focus == PANE_MAILBOXES ? (a->pg ? PANE_PAGER : PANE_LIST) : PANE_ACCOUNTS;
		return;
	case ACT_CHANGE_MAILBOX:
		if (a->nacc)
			picker_open(a, "Open mailbox", a->acc[a->cur_acc].id, open_picked);
		else
			app_say(a, 1, "no account: the config defines none");
		return;
	case ACT_SYNC_NOW:
		sync_now(a);
		return;
	case ACT_ACCOUNT_INFO:
		/* The accounts pane has room for the start of an error only. */
		if (!a->nacc)
			app_say(a, 1, "no account: the config defines none");
		else if (account_in_trouble(&a->acc[a->cur_acc]))
			a->acc_info = 1;
		else
			app_say(a, 0, "%s: %s, no error", a->acc[a->cur_acc].cfg->name,
			        a->acc[a->cur_acc].readonly ? "read-only (another tern syncs it)" :
			        a->acc[a->cur_acc].st.state && *a->acc[a->cur_acc].st.state ? a->acc[a->cur_acc].st.state :
			        "offline");
		return;
	case ACT_COMPOSE: case ACT_REPLY: case ACT_REPLY_ALL: case ACT_FORWARD: case ACT_RESUME: case ACT_RECALL:
	case ACT_LIST_REPLY:
		compose_action(a, act, a->focus == PANE_LIST || a->focus == PANE_PAGER ? app_current(a) : NULL);
		return;
	case ACT_PIPE:
		if (a->focus == PANE_LIST || a->focus == PANE_PAGER)
			pipe_action(a);
		return;
	case ACT_UNSUBSCRIBE:
		unsubscribe_action(a);
		return;
	case ACT_COMMAND:
		command_open(a);
		return;
	default:
		break;
	}
	switch (a->focus) {
	case PANE_ACCOUNTS: accounts_key(a, act); break;
	case PANE_MAILBOXES: mailboxes_key(a, act); break;
	case PANE_LIST: list_key(a, act); break;
	case PANE_PAGER: pager_key(a, act); break;
	}
}

/* The tag prefix applies to the next key only, as in mutt: whatever that
 * key does (a triage action takes the tags, j or / just cancel it), the key
 * after it works on the cursor again. */
static void
handle_key(struct app *a, int key)
{
	int armed = a->tag_prefix;
	a->tag_prefix_new = 0;
	dispatch_key(a, key);
	if (armed && !a->tag_prefix_new)
		a->tag_prefix = 0;
}

/* After a read: a first key that is also bound alone (Esc), left waiting
 * for a second that did not come with it, runs alone. */
static void
key_flush(struct app *a)
{
	int k = a->key_prefix;
	if (keymap_lookup(a->km, focus_ctx(a), k) == ACT_NONE)
		return;
	a->key_prefix = 0;
	handle_key(a, KEY_LONE(k));
}

static void
start_workers(struct app *a, const struct tui_opts *o)
{
	a->envs = xcalloc(a->nacc ? a->nacc : 1, sizeof *a->envs);
	for (size_t i = 0; i < a->nacc; i++) {
		struct ui_account *u = &a->acc[i];
		char *err = NULL;
		int rc;
		a->envs[i].cfg = o->cfg;
		a->envs[i].acct = u->cfg;
		a->envs[i].data_dir = o->data_dir;
		a->envs[i].db_path = o->db_path;
		rc = worker_start(&a->envs[i], a->wake.wr, &u->w, &err);
		if (rc == TERN_EBUSY) {
			u->readonly = 1;
		} else if (rc != TERN_OK) {
			u->start_error = err ? err : xstrdup(tern_strerror(rc));
			err = NULL;
			log_error("tui: worker for %s: %s", u->cfg->name, u->start_error);
		}
		free(err);
	}
}

static int
open_accounts(struct app *a, const struct config *cfg)
{
	a->nacc = cfg->naccounts;
	a->acc = xcalloc(a->nacc ? a->nacc : 1, sizeof *a->acc);
	for (size_t i = 0; i < a->nacc; i++) {
		const struct account_cfg *ac = &cfg->accounts[i];
		a->acc[i].cfg = ac;
		if (db_account_ensure(a->d, ac->name, ac->protocol == PROTO_JMAP ? "jmap" : "imap",
		                      ac->email, &a->acc[i].id) != TERN_OK) {
			fprintf(stderr, "tern: account '%s': its stored mail is from another protocol "
			        "or the database failed\n", ac->name);
			return EXIT_CONFIG;
		}
	}
	return EXIT_OK;
}

static int64_t
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
loop(struct app *a)
{
	int64_t dirty_since = -1, last_refresh = 0, keys_t0 = 0;
	int nkeys = 0;

	while (!a->quit) {
		struct pollfd p[2] = { { STDIN_FILENO, POLLIN, 0 }, { a->wake.rd, POLLIN, 0 } };
		int timeout = IDLE_POLL_MS;
		wint_t ch;
		int r;

		/* The UI never waits while holding the write lock, whatever path left
		 * a transaction open: the workers would stall on it. */
		db_tx_reset(a->d);
		if (a->refresh_pending) {
			a->refresh_pending = 0;
			app_refresh(a);
		}
		draw_all(a);
		/* What a key costs, from reading it to the screen drawn (TERN_DEBUG=1;
		 * tests/bench reads it: a tmux capture cannot time a few ms). */
		if (nkeys) {
			log_debug("ui: %d key(s) handled and drawn in %.3f ms", nkeys, (double)(now_us() - keys_t0) / 1000.0);
			nkeys = 0;
		}
		if (dirty_since >= 0) {
			int64_t left = last_refresh + REFRESH_MS - time_mono_ms();
			timeout = left > 0 ? (int)left : 0;
		}
		r = poll(p, 2, timeout);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && (p[1].revents & POLLIN)) {
			wakepipe_drain(a->wake.rd);
			request_dispatch(a);
		}
		/* ncurses keeps typeahead in its own buffer, which poll cannot see:
		 * always read until ERR. */
		while ((r = get_wch(&ch)) != ERR) {
			if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
				layout(a);
				clearok(curscr, TRUE);
				continue;
			}
			if (!nkeys++)
				keys_t0 = now_us();
			newmail_seen(a);
			handle_key(a, r == KEY_CODE_YES ? KEYMAP_FN + (int)ch : (int)ch);
			if (a->quit)
				break;
		}
		if (!a->quit && a->key_prefix)
			key_flush(a);
		/* Another connection committed (a worker, or another tern). */
		if (db_data_version(a->d) != a->data_version) {
			a->data_version = db_data_version(a->d);
			if (dirty_since < 0)
				dirty_since = time_mono_ms();
		}
		if (dirty_since >= 0 && time_mono_ms() - last_refresh >= REFRESH_MS) {
			app_refresh(a);
			newmail_check(a);
			last_refresh = time_mono_ms();
			dirty_since = -1;
		}
	}
}

static void
app_free(struct app *a)
{
	{
		/* All told to stop before any is waited for: quitting takes the
		 * slowest account's time, not their sum. */
		worker **ws = xcalloc(a->nacc ? a->nacc : 1, sizeof *ws);
		for (size_t i = 0; i < a->nacc; i++)
			ws[i] = a->acc[i].w;
		worker_stop_all(ws, (int)a->nacc);
		free(ws);
	}
	for (size_t i = 0; i < a->nacc; i++) {
		db_status_free(&a->acc[i].st);
		free(a->acc[i].start_error);
		free(a->acc[i].failed_error);
	}
	if (a->pg)
		pager_close(a);
	prompt_free(a);
	prompt_history_free();
	picker_free(a);
	compose_free(a);
	pipe_free(a);
	textview_free(a);
	triage_free(a);
	for (size_t i = 0; i < a->nmb; i++)
		db_mailbox_row_free(&a->mb[i].r);
	free(a->mb);
	free(a->acc);
	free(a->envs);
	free(a->tags);
	free(a->list_title);
	free(a->sorts);
	free(a->search_text);
	free(a->limit_text);
	free(a->msg);
	ml_free(a->ml);
	keymap_free(a->km);
	wakepipe_close(&a->wake);
}

int
tui_run(const struct tui_opts *o)
{
	struct app a = { 0 };
	char *err = NULL;
	int rc = EXIT_OK, saved_stderr = -1;

	a.cfg = o->cfg;
	a.d = o->d;
	a.threaded = o->cfg->threaded;
	a.wake.rd = a.wake.wr = -1;
	a.focus = PANE_LIST;
	if (keymap_new(&o->cfg->binds, &a.km, &err) != TERN_OK) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return EXIT_CONFIG;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "tern: the terminal UI needs a terminal (see 'tern -h' for commands)\n");
		keymap_free(a.km);
		return EXIT_USAGE;
	}
	if (wakepipe_open(&a.wake) != TERN_OK) {
		fprintf(stderr, "tern: pipe: %s\n", strerror(errno));
		keymap_free(a.km);
		return EXIT_FAIL;
	}
	a.ml = ml_new(a.d);
	ml_fold_default(a.ml, o->cfg->collapse_threads);
	if ((rc = open_accounts(&a, o->cfg)) != EXIT_OK)
		goto out;
	/* From here until the workers are gone, stderr is the log file. */
	saved_stderr = log_capture_stderr();
	start_workers(&a, o);

	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	colour_setup(o->cfg);
	layout(&a);
	a.data_version = db_data_version(a.d);
	app_refresh(&a);
	newmail_start(&a);
	if (!a.open_mailbox && !app_open_first(&a))
		a.focus = PANE_ACCOUNTS;
	if (o->warnings && *o->warnings)
		app_say(&a, 1, "%.*s", (int)strcspn(o->warnings, "\n"), o->warnings);
	else if (!a.nacc)
		app_say(&a, 1, "no accounts: add an [account NAME] section to the config (tern.conf(5))");
	loop(&a);
	endwin();
out:
	app_free(&a);
	log_release_stderr(saved_stderr);
	return rc;
}
