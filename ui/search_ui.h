/* Opening a search as the message list (ui/search_all.c). */
#ifndef TERN_UI_SEARCH_UI_H
#define TERN_UI_SEARCH_UI_H

struct app;
struct ui_account;
struct wreply;

/* Parses text (a bad query is reported on the status line) and shows its
 * results, of the current account or (all) of every account. */
void search_run(struct app *a, const char *text, int all);
/* Back from search results to the mailbox the search started from. */
void search_leave(struct app *a);
/* Prompts for a query (over every account when all), initial typed in. */
void search_open(struct app *a, int all, const char *initial);
/* A worker answered the server search of account u (ui/request.c): the
 * open results take its rows. */
void search_reply(struct app *a, struct ui_account *u, const struct wreply *r);
/* Prompts for a query over every account. */
void search_all_open(struct app *a);

#endif
