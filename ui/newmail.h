/* The notice of new mail (ui/newmail.c): the message line names where it
 * arrived ("3 new in INBOX, 1 in Lists/tern-dev"), the bell rings with
 * beep_new, the terminal title counts it with set_title until a key is
 * pressed. Main thread only. */
#ifndef TERN_UI_NEWMAIL_H
#define TERN_UI_NEWMAIL_H

struct app;

/* Sets the mark: what is stored now is not new. */
void newmail_start(struct app *a);
/* After a refresh caused by another connection's commit: announces what
 * arrived since the last call. */
void newmail_check(struct app *a);
/* A key was pressed: the user has seen the screen (the title's count goes). */
void newmail_seen(struct app *a);

#endif
