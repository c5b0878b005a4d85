/* Leaving a mailing list from the pager (List-Unsubscribe, RFC 2369 and
 * RFC 8058): an https: URL with List-Unsubscribe-Post One-Click is POSTed
 * by the account's worker after the user said yes; else a mailto: URL
 * opens the composer, prefilled, for the user to send; any other URL is
 * only shown, for the user to copy (tern never opens a browser). */
#ifndef TERN_UI_UNSUBSCRIBE_H
#define TERN_UI_UNSUBSCRIBE_H

#include "sync/worker.h"
#include "ui/app.h"

/* ACT_UNSUBSCRIBE on the pager's message. */
void unsubscribe_action(struct app *a);
/* The worker's answer to the POST (ui/request.c): on the message line. */
void unsubscribe_reply(struct app *a, struct ui_account *u, const struct wreply *r);

#endif
