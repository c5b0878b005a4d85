/* Requests from the views to the account workers, and the one place their
 * replies are routed (sync/worker.h has the worker's side of the contract).
 * A view posts a request through request_send() and keeps the id; each
 * reply goes to the view named by its requester, which takes it only while
 * it still waits for that id: a pager closed, or a composer's wait
 * cancelled, before the answer came simply no longer waits, and the reply
 * is dropped (and freed) here. */
#ifndef TERN_UI_REQUEST_H
#define TERN_UI_REQUEST_H

#include <stdint.h>
#include "sync/worker.h"
#include "ui/app.h"

enum ui_requester {
	REQ_PAGER = 1,        /* the pager's body (ui/view_pager.c: pager_reply) */
	REQ_COMPOSER,         /* the original of a reply/forward (ui/compose.c: compose_reply) */
	REQ_SEARCH,           /* server search for the open results (ui/search_all.c) */
	REQ_SYNC_NOW,         /* the user's "sync now" (the message line) */
	REQ_PIPE,             /* a body a pipe waits for (ui/pipe.c: pipe_reply) */
	REQ_UNSUBSCRIBE       /* a one-click unsubscribe POST (ui/unsubscribe.c) */
};

/* Posts a request to u's worker for who; *id (if not NULL) gets the id its
 * reply will carry (0 when nothing was posted). TERN_EINVAL when u has no
 * worker. */
int request_send(struct ui_account *u, enum ui_requester who, enum wreq_type type, int64_t arg,
                 const char *text, uint64_t *id);
/* Takes every finished reply of every worker and hands each to the view
 * that asked, if it still waits for it. Main thread, after the self-pipe
 * woke the loop. */
void request_dispatch(struct app *a);

#endif
