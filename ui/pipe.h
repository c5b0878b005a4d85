/* Piping messages to a shell command (mutt's pipe-message): the current
 * message raw, or after tag-prefix the tagged ones as an mbox (mboxrd, in
 * the list's order). Bodies not cached are asked from the workers first,
 * one at a time, with progress on the message line; the UI never waits
 * for them. The command's output (stdout and stderr) is shown in a text
 * view, its exit status on the message line. */
#ifndef TERN_UI_PIPE_H
#define TERN_UI_PIPE_H

#include "src/base/strbuf.h"
#include "sync/worker.h"
#include "ui/app.h"

/* ACT_PIPE: asks for the command (with history), then fetches and runs. */
void pipe_action(struct app *a);
/* A worker answered one of the pipe's body fetches (ui/request.c). */
void pipe_reply(struct app *a, const struct wreply *r);
/* Gives up waiting for bodies (Esc); 0 when nothing waited. */
int pipe_cancel(struct app *a);
void pipe_free(struct app *a);

/* One message's raw text as an mbox entry: a "From " line per message with
 * the envelope sender and the date in asctime form (UTC), line ends as LF,
 * lines that start with ">*From " quoted with one more '>' (mboxrd), a
 * blank line after each. Appends to out. */
void pipe_mbox_add(strbuf *out, const char *sender, int64_t date, const char *raw, size_t len);

#endif
