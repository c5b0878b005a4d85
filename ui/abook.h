/* The address book command (address_book_cmd), run off the UI thread so
 * that a slow one never holds up typing: its answers join the composer's
 * address completion when they come, within ABOOK_TIMEOUT_MS, else never. */
#ifndef TERN_UI_ABOOK_H
#define TERN_UI_ABOOK_H

#include <stddef.h>

#define ABOOK_TIMEOUT_MS 2000

typedef struct abook_job abook_job;

/* Runs cmd through /bin/sh with %s replaced by query, shell-quoted (or
 * the quoted query appended when cmd has no %s); wake_fd is poked when it
 * has finished. NULL if no thread could be started. */
abook_job *abook_start(const char *cmd, const char *query, int wake_fd);
/* 1 once finished, with *out its completions ("Name <addr>" or "addr",
 * in the command's order; caller frees each and the array), else 0. A
 * command that failed or overran gives none. */
int abook_take(abook_job *j, char ***out, size_t *n);
/* Forgets the job (it frees itself if still running). NULL is fine. */
void abook_drop(abook_job *j);

/* The completions in a command's output: lines "address<TAB>name[<TAB>...]"
 * (aerc's and mutt's query_command format); a line whose first field has
 * no '@' (mutt's heading line) or that holds control characters is
 * skipped. */
size_t abook_parse(const char *text, char ***out);

#endif
