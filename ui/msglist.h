/* The message list's data: a window of a few screens of rows around the
 * cursor, read through keyset pages (db_message_page, db_search_page, or
 * threads through db_thread_page), never the whole mailbox. Scrolling, the
 * end, a jump or a refresh cost a screen of queries whatever the size of
 * the mailbox. A refresh finds the cursor's message again by its id and key,
 * not by its row number. */
#ifndef TERN_UI_MSGLIST_H
#define TERN_UI_MSGLIST_H

#include <stdint.h>
#include "db/db.h"
#include "db/db_message.h"
#include "src/search/search.h"
#include "src/base/sortorder.h"

enum ml_mode { ML_FLAT, ML_THREADS, ML_SEARCH };

typedef struct msglist msglist;

msglist *ml_new(db *d);
void ml_free(msglist *l);

/* A mailbox from the top, flat or threaded. TERN_*. */
int ml_open_mailbox(msglist *l, int64_t mailbox_id, int threaded);
/* The results of q (taken over) in one account, from the top. */
int ml_open_search(msglist *l, search_query *q, int64_t account_id);
/* A mailbox limited to the messages matching q (taken over), flat, in the
 * mailbox's order, the cursor on message at (its id and date) when the
 * limit shows it, else at the top. ml_open_mailbox clears it. */
int ml_open_limit(msglist *l, search_query *q, int64_t mailbox_id, const struct msg_row *at);
/* Whether the list is a limited mailbox. */
int ml_limited(const msglist *l);
enum ml_mode ml_mode(const msglist *l);
/* The order of the flat view (threads and search results keep their
 * own). Set before opening a mailbox, or on an open one: the list is
 * reread in the new order with the cursor on the same message. */
void ml_set_sort(msglist *l, const struct sort_spec *s);
const struct sort_spec *ml_sort(const msglist *l);
/* The order the next ml_open_mailbox() shows, without rereading. */
void ml_preset_sort(msglist *l, const struct sort_spec *s);
int64_t ml_mailbox(const msglist *l);
/* A search's account; 0 for every account (and for a mailbox). */
int64_t ml_account(const msglist *l);
/* Rows the list shows at once; the window is a few times this. */
void ml_set_height(msglist *l, int height);

/* Cursor moves; the view scrolls to keep it visible. */
void ml_move(msglist *l, int delta);
/* Scrolls the view and the cursor together (page keys). */
void ml_scroll(msglist *l, int delta);
void ml_home(msglist *l);
void ml_end(msglist *l);
/* The data changed: reread the window around the cursor's message (or
 * where it was, if it is gone), keeping its screen row. */
int ml_refresh(msglist *l);
/* Puts the cursor on the first unread message after it. 0 if found,
 * TERN_ENOTFOUND if none within a bounded scan. */
int ml_next_unread(msglist *l);
/* Rebuilds the window around message m (by its id and date), the cursor on
 * it (or where it would be) in the middle of the view. */
int ml_focus(msglist *l, const struct msg_row *m);

/* NULL when the list is empty. */
const struct msg_row *ml_current(const msglist *l);
/* Screen row i (0..height): the row, its thread depth, whether it has the
 * cursor, whether it is a server result (search results only: found by the
 * server's search, not by the local index). 0 past the end. */
int ml_row(const msglist *l, int i, const struct msg_row **r, int *depth, int *is_cur, int *server);
/* The thread tree's lines at screen row i (struct lrow's tree; 0 outside
 * the threaded view). */
uint32_t ml_row_tree(const msglist *l, int i);
/* The cursor's 1-based position: *from_end 0: counted from the top; 1:
 * counted back from the end (pos 1 = last). 0 if neither is cheaply known. */
int ml_position(const msglist *l, int64_t *pos, int *from_end);
/* Search results and limits: how many rows the list has (local and server
 * matches), counted again only after the data changed (ml_refresh). 0 if
 * the list is neither or the count failed; 2 when a limit has more than
 * *n (its count stops there), else 1. */
int ml_search_count(msglist *l, int64_t *n);

/* Collapsed threads (the threaded view; ui/msglist_fold.c). Which threads
 * are collapsed is kept per mailbox for the session, so it survives a
 * refresh, new mail and a switch to another mailbox and back. A collapsed
 * thread is one row (its first message); paging reads it as one row of
 * thread_mailbox, whatever its size. */
struct ml_thread_fold {
	int64_t n;                /* messages in the thread */
	int unread, flagged;      /* any of them */
};
enum ml_fold_how { ML_FOLD_CLOSE, ML_FOLD_OPEN, ML_FOLD_TOGGLE };
/* Whether a mailbox opened for the first time starts all collapsed. */
void ml_fold_default(msglist *l, int collapsed);
/* Collapses, expands or toggles the cursor's thread; the cursor stays on
 * it. 1 when it is now collapsed, 0 expanded; negative TERN_EINVAL outside
 * the threaded view or on an empty list. *n: its size. */
int ml_fold(msglist *l, enum ml_fold_how how, int64_t *n);
/* Every thread: collapsed (collapse 1), expanded (0), or -1 the way mutt's
 * collapse-all toggles (expanded when the cursor's thread is collapsed,
 * else collapsed). 1 when they are now collapsed, 0 expanded, TERN_EINVAL
 * outside the threaded view. */
int ml_fold_all(msglist *l, int collapse);
/* Screen row i is a collapsed thread (of more than one message): 1 and *f. */
int ml_row_fold(const msglist *l, int i, struct ml_thread_fold *f);
/* The same for the cursor's row (f may be NULL). */
int ml_current_fold(const msglist *l, struct ml_thread_fold *f);
/* The cursor's row is a collapsed thread: 1 and its message ids, oldest
 * first (*ids, caller frees). 0 otherwise. */
int ml_current_thread(msglist *l, int64_t **ids, size_t *n);

#endif
