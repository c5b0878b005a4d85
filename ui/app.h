/* The state the views share, owned by the main loop (ui/tui.c). Everything
 * here lives on the main thread: workers reach the UI only through the
 * self-pipe and the database. */
#ifndef TERN_UI_APP_H
#define TERN_UI_APP_H

#include <stddef.h>
#include <stdint.h>
#include "src/config/conf.h"
#include "db/db.h"
#include "db/db_mailbox.h"
#include "db/db_sync.h"
#include "sync/sync.h"
#include "src/base/wakepipe.h"
#include "sync/worker.h"
#include "ui/keymap.h"
#include "ui/msglist.h"

struct ui_account {
	const struct account_cfg *cfg;
	int64_t id;
	worker *w;                /* NULL: read-only, or the worker did not start */
	int readonly;             /* another tern process syncs this account */
	char *start_error;
	struct account_status st;
	int64_t queued, failed;
	char *failed_error;       /* the newest failed change's error, or NULL */
};

enum pane { PANE_ACCOUNTS, PANE_MAILBOXES, PANE_LIST, PANE_PAGER };

struct mbox_entry {
	struct mailbox_row r;
	int depth;
};

typedef struct pager pager;
typedef struct picker picker;
typedef struct prompt prompt;
struct undo_group;

struct app {
	const struct config *cfg;
	db *d;
	struct sync_env *envs;
	struct ui_account *acc;
	size_t nacc, cur_acc, acc_top;
	struct wakepipe wake;             /* the workers' and render jobs' nudges */
	keymap *km;
	enum pane focus;
	int narrow;                       /* one pane at a time */

	struct mbox_entry *mb;            /* the current account's mailboxes */
	size_t nmb, mb_cur, mb_top;
	int64_t open_mailbox;             /* shown in the list; 0 for a search */
	int64_t prev_mailbox;             /* a search's: where back returns */
	int64_t prev_msg, prev_msg_at;    /* ... to this message (id, date) */
	char *search_text;                /* the open search's query, else NULL */
	char *limit_text;                 /* the limit of limit_mailbox (ui/limit.c), else NULL */
	int64_t limit_mailbox;
	uint64_t search_req;              /* its first server request id (ui/request.h) */
	char *list_title;
	msglist *ml;
	int threaded;
	struct { int64_t mailbox_id; struct sort_spec sort; } *sorts;  /* o/O's choices, this session */
	size_t nsorts;
	int list_shows_to;                 /* the list shows To, not From (Sent, Drafts) */
	int64_t newmail_mark, newmail_since; /* ui/newmail.c: last message id seen, arrivals counted from */
	int64_t newmail_unseen;           /* new since the last key (the title's count) */
	pager *pg;                        /* NULL when closed */

	int64_t *tags;                    /* tagged message ids, sorted */
	size_t ntags, tags_cap;
	int tag_prefix;                   /* ";" was typed: next action on tags */
	int tag_prefix_new;               /* ... by the key being handled */
	int key_prefix;                   /* the first key of a two-key binding, waiting */
	struct undo_group *undo;          /* last triage first */
	int64_t *move_ids;                /* waiting for the move picker */
	size_t nmove;

	struct compose *cmp;              /* the compose screen (ui/compose.h), NULL when closed */
	int64_t sent_outbox, sent_account;/* the last send, followed on the message line */
	int64_t cmp_wait_msg;             /* reply/forward/resume waiting for this body */
	int cmp_wait_act, cmp_wait_att;
	uint64_t cmp_wait_req;            /* ... fetched by this request (ui/request.h) */
	prompt *pr;                       /* modal line input */
	picker *pick;                     /* modal mailbox picker */
	int help, help_top;               /* the help screen */
	struct textview *tv;              /* a command's output, a URL (ui/textview.h), or NULL */
	struct pipe_job *pj;              /* a pipe waiting for bodies (ui/pipe.h), or NULL */
	int acc_info;                     /* the selected account's error, whole */

	char *msg;                        /* message line */
	int msg_err;
	int quit;
	int refresh_pending;              /* own change: reread before the next draw */
	int64_t data_version;

	/* Geometry of the panes, set by the layout before each draw. */
	int acc_y, acc_h, mb_y, mb_h, side_w, main_x, main_w, main_h;
};

/* The message line (printf style); err marks it as an error. */
void app_say(struct app *a, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
struct ui_account *app_account(struct app *a, int64_t account_id);
/* An account's mailboxes in the pane's order (a tree: each under its
 * parent, with its depth); free with app_mailboxes_free. */
void app_mailboxes(struct app *a, int64_t account_id, struct mbox_entry **v, size_t *n);
void app_mailboxes_free(struct mbox_entry *v, size_t n);
/* Rereads the current account's mailboxes (counts). Keeps the cursor. */
void app_load_mailboxes(struct app *a);
/* Opens mailbox id in the list (and focuses it). */
void app_open_mailbox(struct app *a, int64_t mailbox_id);
/* Opens the first account's inbox (else its first mailbox that can hold
 * messages); 0 when it has none yet. */
int app_open_first(struct app *a);
/* Something changed in the database: reread what is on screen. */
void app_refresh(struct app *a);
/* The message an action works on: the one in the pager while it has the
 * focus (a refresh may have moved the list's cursor off it), else the one
 * under the list's cursor. NULL when none. */
const struct msg_row *app_current(const struct app *a);
int app_is_tagged(const struct app *a, int64_t id);
void app_tag(struct app *a, int64_t id, int on);
void app_untag_all(struct app *a);

/* Views (one file each). */
void accounts_draw(struct app *a);
void accounts_key(struct app *a, enum ui_action act);
/* Whether the account has an error to show (a failed start, a refused
 * login, a server it cannot reach). */
int account_in_trouble(const struct ui_account *u);
/* The selected account's error in full with what to do (Enter on an
 * account in trouble); any key closes it, sync-now also retries. */
void account_info_draw(struct app *a);
void account_info_key(struct app *a, enum ui_action act);
void mailboxes_draw(struct app *a);
void mailboxes_key(struct app *a, enum ui_action act);
/* Create, rename or delete a folder (mailbox_edit.c). */
void mailbox_edit(struct app *a, enum ui_action act);
void list_draw(struct app *a);
void list_key(struct app *a, enum ui_action act);
/* o / O (ui/list_sort.c): ask for an order and re-sort the list. */
void list_sort(struct app *a, int reverse);
/* :sort KEY (ui/command.c): the same by name, "reverse-KEY" for the other way. */
void list_sort_named(struct app *a, const char *name);
/* The order a mailbox opens in: this session's choice, else the config's
 * sort.MAILBOX of its account, else the global sort. */
struct sort_spec app_sort_for(const struct app *a, int64_t mailbox_id, const char *account, const char *mailbox);
void status_draw(struct app *a);
void help_draw(struct app *a);
void help_key(struct app *a, enum ui_action act);

/* Triage (ui/triage.c): on the current message, or the tagged ones after
 * tag-prefix. */
void triage_do(struct app *a, enum ui_action act);
void triage_move_to(struct app *a, int64_t mailbox_id);
/* Moves the current message (or the tagged ones after tag-prefix) to
 * mailbox_id, without the picker: `:move NAME`. */
void triage_move_now(struct app *a, int64_t mailbox_id);
void triage_free(struct app *a);
/* The limit (ui/limit.c): l prompts for a query; text "all" or "" clears
 * it. limit_reopen shows the open mailbox limited, or whole if it has no
 * limit (any other mailbox's is dropped, as in mutt). */
void limit_open(struct app *a);
void limit_run(struct app *a, const char *text);
void limit_reopen(struct app *a);

/* Runs an action as its key does in the focused pane (ui/tui.c). */
void app_action(struct app *a, enum ui_action act);
/* The `:` command line (ui/command.c): NAME [ARGUMENT] runs an action. */
void command_open(struct app *a);
void command_run(struct app *a, const char *line);

/* Tags every message of the list matching the query text. */
void triage_tag_pattern(struct app *a, const char *query);
/* Prompts for that query (initial typed in); a bad one comes back. */
void triage_tag_prompt(struct app *a, const char *initial);

#endif
