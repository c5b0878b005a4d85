/* Writing mail: compose, reply, reply-all, forward and resuming a draft.
 * The text is written in the user's editor (curses suspended around it),
 * then reviewed on the compose screen, which takes every key while open
 * (a->cmp): attach, detach, edit again, change a header, postpone to
 * Drafts, send, abort. Sending and postponing go through the outbound queue
 * (db_change_send / db_change_append): one transaction that holds the
 * whole message, drained by the account's worker. */
#ifndef TERN_UI_COMPOSE_H
#define TERN_UI_COMPOSE_H

#include "ui/app.h"

/* ACT_COMPOSE, ACT_REPLY, ACT_REPLY_ALL, ACT_LIST_REPLY, ACT_FORWARD, ACT_RESUME, ACT_RECALL on the
 * current message m (NULL: none; required by all but ACT_COMPOSE). */
void compose_action(struct app *a, enum ui_action act, const struct msg_row *m);
/* A new message from account u, without asking about drafts. */
void compose_fresh(struct app *a, struct ui_account *u);
/* A new message with To, Subject and body given (a mailto: URL's), through
 * the editor to the compose screen; kept even when left unchanged, since
 * it is complete as it is. */
void compose_prefilled(struct app *a, struct ui_account *u, const char *to, const char *subject,
                       const char *body);
void compose_draw(struct app *a);
void compose_key(struct app *a, int key);
void compose_free(struct app *a);
/* The worker answered the fetch of a reply's or forward's original
 * (ui/request.c): the composer opens, or the message line says why it
 * cannot. */
void compose_reply(struct app *a, const struct wreply *r);
/* Gives up waiting for an original; 0 when nothing waited. */
int compose_wait_cancel(struct app *a);
/* After a send (a->sent_outbox): its progress on the message line. */
void compose_track(struct app *a);

#endif
