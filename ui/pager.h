/* The pager: one message, rendered from the cached body, or "loading…"
 * while the account's worker fetches it (WREQ_FETCH_BODY), or why it
 * cannot be shown. */
#ifndef TERN_UI_PAGER_H
#define TERN_UI_PAGER_H

#include "db/db_message.h"
#include "sync/worker.h"
#include "ui/app.h"

/* Opens m in the pager (marks it read when the config says so). */
void pager_open(struct app *a, const struct msg_row *m);
void pager_close(struct app *a);
/* "back": closes the attachment menu if open, else the pager. */
void pager_back(struct app *a);
/* The key context: the attachment menu's, or the pager's. */
enum ui_ctx pager_ctx(struct app *a);
void pager_draw(struct app *a, int y, int x, int h, int w);
void pager_key(struct app *a, enum ui_action act);
/* A worker answered a request: the pager's body may be here now. */
void pager_reply(struct app *a, const struct wreply *r);
/* The database changed: flags, or the body arrived from elsewhere. */
void pager_refresh(struct app *a);
/* The message the pager shows (NULL when closed): what an action in the
 * pager works on, whatever the list's cursor did meanwhile. */
const struct msg_row *pager_message(const struct app *a);

struct crypt_view;
/* crypt_open() with the screen handed over while the message is
 * multipart/encrypted: gpg-agent's pinentry may want the terminal, as the
 * editor does. Main thread. */
void pager_crypt_open(const char *raw, size_t len, struct crypt_view *v);

#endif
