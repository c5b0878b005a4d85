/* Postponed drafts from anywhere (mutt's recall-message): the drafts are
 * the messages of the account's Drafts mailbox (role drafts). */
#ifndef TERN_UI_RECALL_H
#define TERN_UI_RECALL_H

#include "ui/app.h"

/* Resumes the one postponed draft of account u, or, with several, opens
 * Drafts to pick one (E resumes it); says so when there is none. */
void recall_open(struct app *a, struct ui_account *u);
/* A new message: with drafts waiting asks first whether to resume one
 * ("Resume a postponed draft? [y/N]", as mutt), else composes at once. */
void recall_ask(struct app *a, struct ui_account *u);

#endif
