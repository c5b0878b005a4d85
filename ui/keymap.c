#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "src/base/err.h"
#include "ui/keymap.h"
#include "src/base/util.h"

struct binding {
	enum ui_ctx ctx;
	int key;
	enum ui_action action;
};

struct keymap {
	struct binding *v;
	size_t n, cap;
};

static const struct {
	const char *name;
	const char *help;
} actions[ACT_COUNT] = {
	[ACT_NONE] = { "noop", "nothing (unbinds the key)" },
	[ACT_UP] = { "up", "previous line" },
	[ACT_DOWN] = { "down", "next line" },
	[ACT_PAGE_UP] = { "page-up", "previous page" },
	[ACT_PAGE_DOWN] = { "page-down", "next page" },
	[ACT_HALF_UP] = { "half-up", "half a page up" },
	[ACT_HALF_DOWN] = { "half-down", "half a page down" },
	[ACT_TOP] = { "top", "first entry" },
	[ACT_BOTTOM] = { "bottom", "last entry" },
	[ACT_OPEN] = { "open", "open the entry (account, mailbox, message, attachment)" },
	[ACT_BACK] = { "back", "close the pager, leave search results, go back a pane; quit at the top" },
	[ACT_CANCEL] = { "cancel", "like back, but never quits tern" },
	[ACT_QUIT] = { "quit", "quit tern" },
	[ACT_NEXT_PANE] = { "next-pane", "focus the next pane" },
	[ACT_HELP] = { "help", "this list of bindings" },
	[ACT_REDRAW] = { "redraw", "repaint the screen" },
	[ACT_SEARCH] = { "search", "search messages (tern search syntax)" },
	[ACT_SEARCH_ALL] = { "search-all", "search every account" },
	[ACT_NEXT_UNREAD] = { "next-unread", "next unread message" },
	[ACT_CHANGE_MAILBOX] = { "change-mailbox", "pick a mailbox to open" },
	[ACT_THREADS] = { "toggle-threads", "threaded or flat message list" },
	[ACT_SYNC_NOW] = { "sync-now", "ask the account's worker to sync now" },
	[ACT_ACCOUNT_INFO] = { "account-info", "the selected account's error in full, and what to do" },
	[ACT_TAG] = { "tag", "tag or untag the message" },
	[ACT_TAG_PATTERN] = { "tag-pattern", "tag the messages of this list matching a query" },
	[ACT_UNTAG_ALL] = { "untag-all", "clear all tags" },
	[ACT_TAG_PREFIX] = { "tag-prefix", "apply the next action to the tagged messages" },
	[ACT_TOGGLE_READ] = { "toggle-read", "mark read / unread" },
	[ACT_TOGGLE_FLAGGED] = { "toggle-flagged", "flag / unflag" },
	[ACT_DELETE] = { "delete", "delete (move to Trash)" },
	[ACT_ARCHIVE] = { "archive", "move to the archive mailbox" },
	[ACT_MOVE] = { "move", "move to a mailbox (picker)" },
	[ACT_UNDO] = { "undo", "undo the last triage action" },
	[ACT_RETRY] = { "retry", "retry the message's failed changes (none: every failed change and send)" },
	[ACT_DROP] = { "drop", "drop the message's failed changes (none: every one, after asking)" },
	[ACT_NEXT_MESSAGE] = { "next-message", "pager: the next message of the list (also Space at the end)" },
	[ACT_PREV_MESSAGE] = { "prev-message", "pager: the previous message of the list" },
	[ACT_HEADERS] = { "toggle-headers", "all headers / the main ones" },
	[ACT_RAW] = { "toggle-raw", "the raw message / the rendered one" },
	[ACT_FIND] = { "find", "search the text of the message" },
	[ACT_FIND_NEXT] = { "find-next", "next match in the message" },
	[ACT_ATTACHMENTS] = { "attachments", "the attachment menu (open, save)" },
	[ACT_SAVE_ATTACHMENT] = { "save-attachment", "save the attachment to a file" },
	[ACT_COMPOSE] = { "compose", "write a new message" },
	[ACT_REPLY] = { "reply", "reply to the sender (Reply-To honoured)" },
	[ACT_REPLY_ALL] = { "reply-all", "reply to the sender and all recipients" },
	[ACT_FORWARD] = { "forward", "forward, inline or as an attachment" },
	[ACT_RESUME] = { "resume", "edit the draft again, or the last failed send" },
	[ACT_RECALL] = { "recall", "resume a postponed draft from anywhere (mutt's recall-message)" },
	[ACT_SEND] = { "send", "compose screen: send the message" },
	[ACT_POSTPONE] = { "postpone", "compose screen: keep it in Drafts for later" },
	[ACT_EDIT] = { "edit", "compose screen: back to the editor" },
	[ACT_ATTACH_FILE] = { "attach-file", "compose screen: attach a file (Tab completes)" },
	[ACT_DETACH] = { "detach", "compose screen: remove the selected attachment" },
	[ACT_EDIT_TO] = { "edit-to", "compose screen: change To (Tab completes addresses)" },
	[ACT_EDIT_CC] = { "edit-cc", "compose screen: change Cc" },
	[ACT_EDIT_BCC] = { "edit-bcc", "compose screen: change Bcc" },
	[ACT_EDIT_SUBJECT] = { "edit-subject", "compose screen: change the subject" },
	[ACT_MAILBOX_CREATE] = { "create-mailbox", "mailbox pane: create a folder (a path: Lists/new)" },
	[ACT_MAILBOX_RENAME] = { "rename-mailbox", "mailbox pane: rename or move the folder" },
	[ACT_MAILBOX_DELETE] = { "delete-mailbox", "mailbox pane: delete the folder (asks if it holds messages)" },
	[ACT_LIST_REPLY] = { "list-reply", "reply to the mailing list (List-Post, else Mail-Followup-To)" },
	[ACT_PIPE] = { "pipe-message", "pipe the message (raw; after ; the tagged ones as an mbox) to a command" },
	[ACT_UNSUBSCRIBE] = { "unsubscribe", "pager: leave the mailing list (List-Unsubscribe, asks first)" },
	[ACT_CYCLE_FROM] = { "cycle-from", "compose screen: the next of the account's identities (From and signature)" },
	[ACT_PGP_MENU] = { "pgp-menu", "compose screen: PGP (e)ncrypt, (s)ign, sign (a)s, (b)oth, (c)lear" },
	[ACT_COLLAPSE_THREAD] = { "collapse-thread", "threads: collapse or expand the thread (a collapsed one is one row)" },
	[ACT_COLLAPSE_ALL] = { "collapse-all", "threads: collapse every thread, or expand all if this one is collapsed" },
	[ACT_FOLD] = { "fold", "threads: collapse the thread" },
	[ACT_UNFOLD] = { "unfold", "threads: expand the thread" },
	[ACT_FOLD_ALL] = { "fold-all", "threads: collapse every thread" },
	[ACT_UNFOLD_ALL] = { "unfold-all", "threads: expand every thread" },
	[ACT_LIMIT] = { "limit", "show only the mailbox's messages matching a query ('all' shows every one)" },
	[ACT_COMMAND] = { "enter-command", "run an action by name, with its argument (:limit from:ann, :move Archive)" },
	[ACT_SORT] = { "sort", "sort the list: (d)ate (r)ecv (f)rom (t)o (s)ubj si(z)e (u)nread (F)lagged" },
	[ACT_SORT_REVERSE] = { "sort-reverse", "the same orders, reversed" },
};

static const char *const ctx_names[CTX_COUNT] = {
	"global", "accounts", "mailboxes", "index", "pager", "attach", "compose"
};

static const struct {
	const char *name;
	int key;
} named[] = {
	{ "Enter", '\n' }, { "Return", '\r' }, { "Esc", 27 }, { "Tab", '\t' }, { "Space", ' ' },
	{ "Up", KEYMAP_FN + KEY_UP }, { "Down", KEYMAP_FN + KEY_DOWN },
	{ "Left", KEYMAP_FN + KEY_LEFT }, { "Right", KEYMAP_FN + KEY_RIGHT },
	{ "PageUp", KEYMAP_FN + KEY_PPAGE }, { "PageDown", KEYMAP_FN + KEY_NPAGE },
	{ "Home", KEYMAP_FN + KEY_HOME }, { "End", KEYMAP_FN + KEY_END },
	{ "Backspace", KEYMAP_FN + KEY_BACKSPACE }, { "Delete", KEYMAP_FN + KEY_DC },
	{ "KeypadEnter", KEYMAP_FN + KEY_ENTER },
};

static const struct {
	enum ui_ctx ctx;
	const char *key;
	enum ui_action a;
} defaults[] = {
	{ CTX_GLOBAL, "j", ACT_DOWN }, { CTX_GLOBAL, "<Down>", ACT_DOWN },
	{ CTX_GLOBAL, "k", ACT_UP }, { CTX_GLOBAL, "<Up>", ACT_UP },
	{ CTX_GLOBAL, "<PageDown>", ACT_PAGE_DOWN }, { CTX_GLOBAL, "<PageUp>", ACT_PAGE_UP },
	{ CTX_GLOBAL, "^F", ACT_PAGE_DOWN }, { CTX_GLOBAL, "^B", ACT_PAGE_UP },
	{ CTX_GLOBAL, "^D", ACT_HALF_DOWN }, { CTX_GLOBAL, "^U", ACT_HALF_UP },
	{ CTX_GLOBAL, "g", ACT_TOP }, { CTX_GLOBAL, "<Home>", ACT_TOP },
	{ CTX_GLOBAL, "G", ACT_BOTTOM }, { CTX_GLOBAL, "<End>", ACT_BOTTOM },
	{ CTX_GLOBAL, "<Enter>", ACT_OPEN }, { CTX_GLOBAL, "<Return>", ACT_OPEN },
	{ CTX_GLOBAL, "<KeypadEnter>", ACT_OPEN },
	{ CTX_GLOBAL, "q", ACT_BACK }, { CTX_GLOBAL, "<Esc>", ACT_CANCEL },
	{ CTX_GLOBAL, "Q", ACT_QUIT },
	{ CTX_GLOBAL, "<Tab>", ACT_NEXT_PANE },
	{ CTX_GLOBAL, "?", ACT_HELP }, { CTX_GLOBAL, "^L", ACT_REDRAW },
	{ CTX_GLOBAL, "c", ACT_CHANGE_MAILBOX },
	{ CTX_GLOBAL, "$", ACT_SYNC_NOW }, { CTX_GLOBAL, "i", ACT_ACCOUNT_INFO },
	{ CTX_INDEX, "/", ACT_SEARCH }, { CTX_MAILBOXES, "/", ACT_SEARCH },
	{ CTX_INDEX, "A", ACT_SEARCH_ALL }, { CTX_MAILBOXES, "A", ACT_SEARCH_ALL },
	{ CTX_INDEX, "n", ACT_NEXT_UNREAD },
	{ CTX_INDEX, "V", ACT_THREADS },
	{ CTX_INDEX, "t", ACT_TAG }, { CTX_INDEX, "T", ACT_TAG_PATTERN },
	{ CTX_INDEX, "^T", ACT_UNTAG_ALL }, { CTX_INDEX, ";", ACT_TAG_PREFIX },
	{ CTX_INDEX, "<Space>", ACT_PAGE_DOWN }, { CTX_INDEX, "-", ACT_PAGE_UP },
	{ CTX_INDEX, "N", ACT_TOGGLE_READ }, { CTX_PAGER, "N", ACT_TOGGLE_READ },
	{ CTX_INDEX, "F", ACT_TOGGLE_FLAGGED }, { CTX_PAGER, "F", ACT_TOGGLE_FLAGGED },
	{ CTX_INDEX, "d", ACT_DELETE }, { CTX_PAGER, "d", ACT_DELETE },
	{ CTX_INDEX, "a", ACT_ARCHIVE }, { CTX_PAGER, "a", ACT_ARCHIVE },
	{ CTX_INDEX, "s", ACT_MOVE }, { CTX_INDEX, "M", ACT_MOVE },
	{ CTX_PAGER, "s", ACT_MOVE }, { CTX_PAGER, "M", ACT_MOVE },
	{ CTX_INDEX, "u", ACT_UNDO }, { CTX_PAGER, "u", ACT_UNDO },
	{ CTX_INDEX, "^R", ACT_RETRY }, { CTX_INDEX, "X", ACT_DROP },
	{ CTX_PAGER, "^R", ACT_RETRY }, { CTX_PAGER, "X", ACT_DROP },
	{ CTX_PAGER, "<Space>", ACT_PAGE_DOWN }, { CTX_PAGER, "-", ACT_PAGE_UP },
	{ CTX_PAGER, "J", ACT_NEXT_MESSAGE }, { CTX_PAGER, "K", ACT_PREV_MESSAGE },
	{ CTX_PAGER, "h", ACT_HEADERS }, { CTX_PAGER, "H", ACT_RAW },
	{ CTX_PAGER, "/", ACT_FIND }, { CTX_PAGER, "n", ACT_FIND_NEXT },
	{ CTX_PAGER, "v", ACT_ATTACHMENTS },
	{ CTX_ATTACH, "s", ACT_SAVE_ATTACHMENT }, { CTX_ATTACH, "m", ACT_OPEN },
	/* Reply to all: "R", as the compose issue asks; "L" is mutt's and
	 * aerc's list reply. mutt's "g" (group-reply) stays "top" here, the
	 * g/G pair of every list; "bind = index g reply-all" gives mutt's. */
	{ CTX_INDEX, "m", ACT_COMPOSE }, { CTX_PAGER, "m", ACT_COMPOSE },
	{ CTX_MAILBOXES, "m", ACT_COMPOSE },
	{ CTX_INDEX, "r", ACT_REPLY }, { CTX_PAGER, "r", ACT_REPLY },
	{ CTX_INDEX, "R", ACT_REPLY_ALL }, { CTX_PAGER, "R", ACT_REPLY_ALL },
	{ CTX_INDEX, "f", ACT_FORWARD }, { CTX_PAGER, "f", ACT_FORWARD },
	{ CTX_INDEX, "E", ACT_RESUME }, { CTX_PAGER, "E", ACT_RESUME },
	/* mutt's recall-message is R, which is reply-all here (as in aerc). */
	{ CTX_INDEX, "P", ACT_RECALL }, { CTX_PAGER, "P", ACT_RECALL },
	{ CTX_MAILBOXES, "P", ACT_RECALL },
	/* aerc's :mkdir and :rmdir; mutt has none by default. Capitals, so
	 * that a slip of d or r in the wrong pane cannot touch a folder. */
	{ CTX_MAILBOXES, "C", ACT_MAILBOX_CREATE }, { CTX_MAILBOXES, "R", ACT_MAILBOX_RENAME },
	{ CTX_MAILBOXES, "D", ACT_MAILBOX_DELETE },
	{ CTX_COMPOSE, "y", ACT_SEND }, { CTX_COMPOSE, "P", ACT_POSTPONE }, { CTX_COMPOSE, "e", ACT_EDIT },
	{ CTX_COMPOSE, "a", ACT_ATTACH_FILE }, { CTX_COMPOSE, "D", ACT_DETACH },
	{ CTX_COMPOSE, "t", ACT_EDIT_TO }, { CTX_COMPOSE, "c", ACT_EDIT_CC },
	{ CTX_COMPOSE, "b", ACT_EDIT_BCC }, { CTX_COMPOSE, "s", ACT_EDIT_SUBJECT },
	{ CTX_INDEX, "L", ACT_LIST_REPLY }, { CTX_PAGER, "L", ACT_LIST_REPLY },
	{ CTX_INDEX, "|", ACT_PIPE }, { CTX_PAGER, "|", ACT_PIPE },
	/* mutt has no key for it; "U" is free in the pager (u is undo). */
	{ CTX_PAGER, "U", ACT_UNSUBSCRIBE },
	/* mutt's edit-from is Esc f, and Esc aborts here: F, next to f for From. */
	{ CTX_COMPOSE, "F", ACT_CYCLE_FROM },
	{ CTX_COMPOSE, "p", ACT_PGP_MENU },
	/* mutt's Esc-v / Esc-V, and aerc's (vim's) z folds. */
	{ CTX_INDEX, "<Esc>v", ACT_COLLAPSE_THREAD }, { CTX_INDEX, "<Esc>V", ACT_COLLAPSE_ALL },
	{ CTX_INDEX, "za", ACT_COLLAPSE_THREAD }, { CTX_INDEX, "zc", ACT_FOLD }, { CTX_INDEX, "zo", ACT_UNFOLD },
	{ CTX_INDEX, "zM", ACT_FOLD_ALL }, { CTX_INDEX, "zR", ACT_UNFOLD_ALL },
	{ CTX_INDEX, "l", ACT_LIMIT }, { CTX_GLOBAL, ":", ACT_COMMAND },
	{ CTX_INDEX, "o", ACT_SORT }, { CTX_INDEX, "O", ACT_SORT_REVERSE },
};

static void
bind_set(keymap *km, enum ui_ctx ctx, int key, enum ui_action a)
{
	for (size_t i = 0; i < km->n; i++)
		if (km->v[i].ctx == ctx && km->v[i].key == key) {
			km->v[i].action = a;
			return;
		}
	if (km->n == km->cap) {
		km->cap = km->cap ? km->cap * 2 : 64;
		km->v = xrealloc(km->v, km->cap * sizeof *km->v);
	}
	km->v[km->n].ctx = ctx;
	km->v[km->n].key = key;
	km->v[km->n].action = a;
	km->n++;
}

/* "j" "<Enter>" "^R" "<C-r>" "<F5>" "é": the key, or -1. */
static int
parse_key(const char *s)
{
	size_t len = strlen(s);
	wchar_t wc;
	mbstate_t ps;

	if (len == 2 && s[0] == '^' && s[1] >= '?' && s[1] <= '~')
		return s[1] == '?' ? 127 : (s[1] & 0x1f);
	if (len > 2 && s[0] == '<' && s[len - 1] == '>') {
		const char *in = s + 1;
		size_t n = len - 2;
		for (size_t i = 0; i < ARRAY_LEN(named); i++)
			if (strlen(named[i].name) == n && strncasecmp(in, named[i].name, n) == 0)
				return named[i].key;
		if (n == 3 && (in[0] == 'C' || in[0] == 'c') && in[1] == '-' && in[2] >= '?' && in[2] <= '~')
			return in[2] == '?' ? 127 : (in[2] & 0x1f);
		if ((in[0] == 'F' || in[0] == 'f') && n <= 3) {
			long f;
			char num[4] = { 0 };
			memcpy(num, in + 1, n - 1);
			if (str_to_long(num, 1, 12, &f) == 0)
				return KEYMAP_FN + KEY_F(f);
		}
		return -1;
	}
	memset(&ps, 0, sizeof ps);
	if (mbrtowc(&wc, s, len, &ps) == len && wc > ' ' && wc != 127)
		return (int)wc;
	return -1;
}

/* A key, or two keys as one code (KEYMAP_SEQ_OF): "zc", "<Esc>v", "^Xa". */
static int
parse_keys(const char *s)
{
	size_t len = strlen(s), first;
	char head[16];
	int k1, k2;

	if ((k1 = parse_key(s)) >= 0)
		return k1;
	if (s[0] == '<' && strchr(s, '>'))
		first = (size_t)(strchr(s, '>') - s) + 1;
	else if (s[0] == '^' && len > 2)
		first = 2;
	else
		first = 1;
	if (first >= len || first >= sizeof head)
		return -1;
	memcpy(head, s, first);
	head[first] = '\0';
	k1 = parse_key(head);
	k2 = parse_key(s + first);
	if (k1 < 0 || k1 >= 128 || k2 < 0 || k2 >= (1 << 22))
		return -1;
	return KEYMAP_SEQ_OF(k1, k2);
}

int
keymap_new(const struct cfg_list *binds, keymap **out, char **err)
{
	keymap *km = xcalloc(1, sizeof *km);
	int rc = TERN_OK;

	*out = NULL;
	for (size_t i = 0; i < ARRAY_LEN(defaults); i++)
		bind_set(km, defaults[i].ctx, parse_keys(defaults[i].key), defaults[i].a);
	for (size_t i = 0; binds && i < binds->n && rc == TERN_OK; i++) {
		const struct cfg_entry *e = &binds->v[i];
		char *copy = xstrdup(e->value), *save = NULL;
		char *c = strtok_r(copy, " \t", &save), *k = strtok_r(NULL, " \t", &save);
		char *a = strtok_r(NULL, " \t", &save), *extra = strtok_r(NULL, " \t", &save);
		int ctx = -1, key, act = -1;

		for (int j = 0; c && j < CTX_COUNT; j++)
			if (strcmp(c, ctx_names[j]) == 0)
				ctx = j;
		for (int j = 0; a && j < ACT_COUNT; j++)
			if (strcmp(a, actions[j].name) == 0)
				act = j;
		if (!c || !k || !a || extra) {
			*err = xasprintf("%s:%d: bind needs CONTEXT KEY ACTION, e.g. bind = index x delete",
			                 e->file, e->line);
			rc = TERN_ECONFIG;
		} else if (ctx < 0) {
			*err = xasprintf("%s:%d: bind: unknown context '%s' (global, accounts, mailboxes, index, pager, attach, compose)",
			                 e->file, e->line, c);
			rc = TERN_ECONFIG;
		} else if ((key = parse_keys(k)) < 0) {
			*err = xasprintf("%s:%d: bind: cannot read key '%s' (a character, ^X, <C-x>, <Enter>, <F5>, two keys: zc, <Esc>v...)",
			                 e->file, e->line, k);
			rc = TERN_ECONFIG;
		} else if (act < 0) {
			*err = xasprintf("%s:%d: bind: unknown action '%s' (tern(1), KEYS, lists them)",
			                 e->file, e->line, a);
			rc = TERN_ECONFIG;
		} else {
			bind_set(km, (enum ui_ctx)ctx, key, (enum ui_action)act);
		}
		free(copy);
	}
	if (rc != TERN_OK) {
		keymap_free(km);
		return rc;
	}
	*out = km;
	return TERN_OK;
}

void
keymap_free(keymap *km)
{
	if (!km)
		return;
	free(km->v);
	free(km);
}

static int
find(const keymap *km, enum ui_ctx ctx, int key, enum ui_action *a)
{
	for (size_t i = 0; i < km->n; i++)
		if (km->v[i].ctx == ctx && km->v[i].key == key) {
			*a = km->v[i].action;
			return 1;
		}
	return 0;
}

enum ui_action
keymap_lookup(const keymap *km, enum ui_ctx ctx, int key)
{
	enum ui_action a = ACT_NONE;
	if (find(km, ctx, key, &a) || find(km, CTX_GLOBAL, key, &a))
		return a;
	return ACT_NONE;
}

int
keymap_is_prefix(const keymap *km, enum ui_ctx ctx, int key)
{
	if (key < 0 || key >= 128)
		return 0;
	for (size_t i = 0; i < km->n; i++)
		if ((km->v[i].ctx == ctx || km->v[i].ctx == CTX_GLOBAL) && (km->v[i].key & KEYMAP_SEQ) &&
		    ((km->v[i].key >> 22) & 0x7f) == key && km->v[i].action != ACT_NONE)
			return 1;
	return 0;
}

static const char *key_name1(int key);

const char *
keymap_key_name(int key)
{
	static char buf[48];
	if (key & KEYMAP_SEQ) {
		char first[24];
		snprintf(first, sizeof first, "%s", key_name1((key >> 22) & 0x7f));
		snprintf(buf, sizeof buf, "%s%s", first, key_name1(key & ((1 << 22) - 1)));
		return buf;
	}
	return key_name1(key);
}

static const char *
key_name1(int key)
{
	static char buf[16];
	for (size_t i = 0; i < ARRAY_LEN(named); i++)
		if (named[i].key == key)
			return snprintf(buf, sizeof buf, "<%s>", named[i].name), buf;
	if (key >= KEYMAP_FN + KEY_F(1) && key <= KEYMAP_FN + KEY_F(12))
		snprintf(buf, sizeof buf, "<F%d>", key - KEYMAP_FN - KEY_F(0));
	else if (key >= KEYMAP_FN)
		snprintf(buf, sizeof buf, "<key%d>", key - KEYMAP_FN);
	else if (key < 32 || key == 127)
		snprintf(buf, sizeof buf, "^%c", key == 127 ? '?' : key + 64);
	else {
		mbstate_t ps;
		size_t n;
		memset(&ps, 0, sizeof ps);
		n = wcrtomb(buf, (wchar_t)key, &ps);
		buf[n == (size_t)-1 ? 0 : n] = '\0';
	}
	return buf;
}

const char *
keymap_action_name(enum ui_action a)
{
	return a < ACT_COUNT ? actions[a].name : "?";
}

const char *
keymap_action_help(enum ui_action a)
{
	return a < ACT_COUNT ? actions[a].help : "";
}

const char *
keymap_ctx_name(enum ui_ctx c)
{
	return c < CTX_COUNT ? ctx_names[c] : "?";
}

int
keymap_binding(const keymap *km, int i, enum ui_ctx *ctx, int *key, enum ui_action *a)
{
	/* Listed by context, then in binding order; unbound keys are skipped. */
	int seen = 0;
	for (int c = 0; c < CTX_COUNT; c++)
		for (size_t j = 0; j < km->n; j++) {
			if ((int)km->v[j].ctx != c || km->v[j].action == ACT_NONE)
				continue;
			if (seen++ == i) {
				*ctx = km->v[j].ctx;
				*key = km->v[j].key;
				*a = km->v[j].action;
				return 1;
			}
		}
	return 0;
}

int
keymap_key_for(const keymap *km, enum ui_ctx ctx, enum ui_action a)
{
	for (size_t i = 0; i < km->n; i++)
		if (km->v[i].ctx == ctx && km->v[i].action == a && keymap_lookup(km, ctx, km->v[i].key) == a)
			return km->v[i].key;
	for (size_t i = 0; i < km->n; i++)
		if (km->v[i].ctx == CTX_GLOBAL && km->v[i].action == a && keymap_lookup(km, ctx, km->v[i].key) == a)
			return km->v[i].key;
	return 0;
}

enum ui_action
keymap_action_find(const char *name)
{
	for (int j = 0; j < ACT_COUNT; j++)
		if (strcmp(name, actions[j].name) == 0)
			return (enum ui_action)j;
	return ACT_COUNT;
}
