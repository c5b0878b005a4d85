/* Modal input on top of the views: a one-line prompt (search, tag
 * pattern, file name), a yes/no question, and the mailbox picker with
 * type-to-filter. While one is open it gets every key; the main loop keeps
 * serving the workers. */
#ifndef TERN_UI_MODAL_H
#define TERN_UI_MODAL_H

#include <stdint.h>
#include "ui/app.h"

typedef void (*prompt_done)(struct app *a, const char *text, void *ctx);
/* Opens a prompt on the message line; done gets the UTF-8 text on Enter
 * (not called on Esc). ctx is passed through (freed by the caller's done
 * or never owned). */
void prompt_open(struct app *a, const char *label, const char *initial, prompt_done done, void *ctx);
/* The same, the prompt owning ctx: ctx_free(ctx) runs when it closes
 * without Enter; on Enter done gets it (and frees it). */
void prompt_open_owned(struct app *a, const char *label, const char *initial, prompt_done done, void *ctx,
                       void (*ctx_free)(void *));
/* Tab in the open prompt: fn gets the text typed and returns the text
 * completed (caller frees) or NULL to leave it; it may prompt_note() the
 * candidates. */
typedef char *(*prompt_complete)(struct app *a, const char *text);
void prompt_set_complete(struct app *a, prompt_complete fn);
/* Shows note (bold) before the open prompt's label: why it came back, as
 * "bad query: ... (column 7)" when a search is returned for editing. */
void prompt_note(struct app *a, const char *note);
/* Frees every prompt's history (Up/^P, Down/^N recall what was typed at
 * a prompt with the same label, for the session). */
void prompt_history_free(void);
/* A yes/no question on the message line, answered by one key as in mutt:
 * y or Y is CONFIRM_YES, n or N CONFIRM_NO, Esc CONFIRM_ESC (a no, or a
 * cancel where the question is a choice between two ways), Enter the
 * default (default_yes: "[Y/n]", else "[y/N]", appended to question). Any
 * other key does nothing. done gets every answer and ctx with it; ctx_free
 * (may be NULL) frees ctx when the question closes unanswered (another
 * prompt replaced it, tern quit). */
enum confirm_answer { CONFIRM_NO, CONFIRM_YES, CONFIRM_ESC };
typedef void (*confirm_done)(struct app *a, int answer, void *ctx);
void confirm_open(struct app *a, const char *question, int default_yes, confirm_done done, void *ctx,
                  void (*ctx_free)(void *));
/* A one-key choice on the message line (mutt's sort question): done gets
 * the key typed if it is one of choices (ASCII letters); Esc closes it
 * without calling done; other keys are ignored. */
typedef void (*choice_done)(struct app *a, int key, void *ctx);
void choice_open(struct app *a, const char *question, const char *choices, choice_done done, void *ctx);
void prompt_draw(struct app *a);
void prompt_key(struct app *a, int key);
void prompt_free(struct app *a);

typedef void (*picker_done)(struct app *a, int64_t mailbox_id);
/* The account's selectable mailboxes, filtered as the user types. */
void picker_open(struct app *a, const char *title, int64_t account_id, picker_done done);
void picker_draw(struct app *a);
void picker_key(struct app *a, int key);
void picker_free(struct app *a);

#endif
