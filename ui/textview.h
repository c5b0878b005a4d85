/* A read-only text screen over the views, pager-like: a command's output
 * (pipe), a URL to copy (unsubscribe). The text is made inert when it
 * opens; j/k, page keys, g/G scroll, q or Esc closes. */
#ifndef TERN_UI_TEXTVIEW_H
#define TERN_UI_TEXTVIEW_H

#include <stddef.h>
#include "ui/app.h"

/* Opens (replacing one open) with title and text (len bytes, any bytes). */
void textview_open(struct app *a, const char *title, const char *text, size_t len);
void textview_draw(struct app *a);
void textview_key(struct app *a, enum ui_action act);
void textview_free(struct app *a);

#endif
