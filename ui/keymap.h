/* Keys and the actions they run, per context. Defaults follow mutt; every
 * binding can be changed with "bind = CONTEXT KEY ACTION" in the config
 * file (ACTION "noop" unbinds). A key is looked up in the focused
 * context, then in "global". */
#ifndef TERN_UI_KEYMAP_H
#define TERN_UI_KEYMAP_H

#include "src/config/conf.h"

enum ui_ctx { CTX_GLOBAL, CTX_ACCOUNTS, CTX_MAILBOXES, CTX_INDEX, CTX_PAGER, CTX_ATTACH, CTX_COMPOSE, CTX_COUNT };

enum ui_action {
	ACT_NONE,
	ACT_UP, ACT_DOWN, ACT_PAGE_UP, ACT_PAGE_DOWN, ACT_HALF_UP, ACT_HALF_DOWN, ACT_TOP, ACT_BOTTOM,
	ACT_OPEN, ACT_BACK, ACT_CANCEL, ACT_QUIT, ACT_NEXT_PANE, ACT_HELP, ACT_REDRAW,
	ACT_SEARCH, ACT_NEXT_UNREAD, ACT_CHANGE_MAILBOX, ACT_THREADS, ACT_SYNC_NOW, ACT_ACCOUNT_INFO,
	ACT_TAG, ACT_TAG_PATTERN, ACT_UNTAG_ALL, ACT_TAG_PREFIX,
	ACT_TOGGLE_READ, ACT_TOGGLE_FLAGGED, ACT_DELETE, ACT_ARCHIVE, ACT_MOVE, ACT_UNDO,
	ACT_RETRY, ACT_DROP,
	ACT_NEXT_MESSAGE, ACT_PREV_MESSAGE,
	ACT_HEADERS, ACT_RAW, ACT_FIND, ACT_FIND_NEXT, ACT_ATTACHMENTS, ACT_SAVE_ATTACHMENT,
	ACT_COMPOSE, ACT_REPLY, ACT_REPLY_ALL, ACT_FORWARD, ACT_RESUME, ACT_RECALL,
	ACT_SEARCH_ALL,
	ACT_SEND, ACT_POSTPONE, ACT_EDIT, ACT_ATTACH_FILE, ACT_DETACH,
	ACT_EDIT_TO, ACT_EDIT_CC, ACT_EDIT_BCC, ACT_EDIT_SUBJECT,
	ACT_MAILBOX_CREATE, ACT_MAILBOX_RENAME, ACT_MAILBOX_DELETE,
	ACT_LIST_REPLY, ACT_PIPE, ACT_UNSUBSCRIBE,
	ACT_CYCLE_FROM,
	ACT_PGP_MENU,
	ACT_COLLAPSE_THREAD, ACT_COLLAPSE_ALL, ACT_FOLD, ACT_UNFOLD, ACT_FOLD_ALL, ACT_UNFOLD_ALL,
	ACT_LIMIT, ACT_COMMAND,
	ACT_SORT, ACT_SORT_REVERSE,
	ACT_COUNT
};

/* Key codes: a character is its code point; a curses function key (KEY_*)
 * is KEYMAP_FN + its code. */
#define KEYMAP_FN 0x200000
/* Two keys typed one after the other ("zc", "<Esc>v": mutt's Esc-v is
 * what a terminal sends for Alt-v) are one key code: the first an ASCII
 * key, the second any key. */
#define KEYMAP_SEQ 0x40000000
#define KEYMAP_SEQ_OF(k1, k2) (KEYMAP_SEQ | ((k1) << 22) | (k2))

typedef struct keymap keymap;

/* The defaults, then the config's binds in file order. TERN_ECONFIG with
 * *err = "FILE:LINE: ..." (caller frees) on a bad bind. */
int keymap_new(const struct cfg_list *binds, keymap **out, char **err);
void keymap_free(keymap *km);

enum ui_action keymap_lookup(const keymap *km, enum ui_ctx ctx, int key);
/* Whether key starts a two-key binding in ctx (or global). */
int keymap_is_prefix(const keymap *km, enum ui_ctx ctx, int key);
/* "j", "<Enter>", "^R": a key's name as bind accepts it (static buffer). */
const char *keymap_key_name(int key);
const char *keymap_action_name(enum ui_action a);
/* The action named name (as bind takes it), ACT_COUNT if none. */
enum ui_action keymap_action_find(const char *name);
const char *keymap_action_help(enum ui_action a);
const char *keymap_ctx_name(enum ui_ctx c);
/* The live bindings, one per call: i from 0 until it returns 0. */
int keymap_binding(const keymap *km, int i, enum ui_ctx *ctx, int *key, enum ui_action *a);
/* The first key bound to a in ctx (or global), 0 if none: for hints. */
int keymap_key_for(const keymap *km, enum ui_ctx ctx, enum ui_action a);

#endif
