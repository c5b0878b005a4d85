/* Shared by the pager's files only (ui/view_pager.c, ui/pager_render.c,
 * ui/attach_menu.c). Main thread, except inside a render job. */
#ifndef TERN_UI_PAGER_INT_H
#define TERN_UI_PAGER_INT_H

#include <stddef.h>
#include "ui/app.h"

/* --- Rendering off the main thread (ui/pager_render.c) ---------------------
 * mime_render() may run the html_filter, a child process that can take
 * seconds: a job renders a copy of the raw message in a thread of its own
 * and writes one byte to wake_fd (the UI's self-pipe) when done. */
typedef struct render_job render_job;

/* NULL when no thread could start: the caller renders inline. */
render_job *render_job_start(const char *raw, size_t len, const char *alternative_order,
                             const char *html_filter, int wake_fd);
/* The rendered text (safe, caller frees) once ready, else NULL. */
char *render_job_take(render_job *j);
/* Forgets the job: a finished one is freed, a running one frees itself. */
void render_job_drop(render_job *j);

/* --- The attachment menu (ui/attach_menu.c) -------------------------------- */
typedef struct attach_menu attach_menu;

/* Parses raw (copied); NULL when the message has no attachments. */
attach_menu *attach_open(const char *raw, size_t len);
/* Closes the menu and removes the temporary files opened through mailcap. */
void attach_close(attach_menu *m);
void attach_draw(struct app *a, attach_menu *m, int y, int x, int h, int w);
/* Returns 1 when the menu should close. */
int attach_key(struct app *a, attach_menu *m, enum ui_action act);
/* The pager's open menu, or NULL (for callbacks that outlive a key). */
attach_menu *pager_attach_menu(struct app *a);

/* A file name to offer for a server-supplied one: its last path component,
 * controls and separators replaced, never "", ".", ".." or a dotfile, at
 * most 200 bytes; "attachment-PART" when there is none. Caller frees. */
char *attach_safe_name(const char *name, const char *part_id);
/* A media type fit to pass to a mailcap command (lowercased), else
 * "application/octet-stream". Caller frees. */
char *attach_safe_type(const char *type);

#endif
