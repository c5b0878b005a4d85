/* Running a helper program (the html_filter, file(1)) without a shell:
 * argv is passed as it is, so nothing from a mail or a file name can become
 * a command. Its stdin is fed from memory, its stdout captured, its stderr
 * sent to /dev/null, and it is killed when it overruns its time. */
#ifndef TERN_PROC_H
#define TERN_PROC_H

#include <stddef.h>

/* The words of a command line from the config, split the way a shell would
 * (quotes, backslashes), with no expansion. NULL-terminated, NULL for an
 * empty line; free with proc_argv_free(). */
char **proc_split(const char *cmd);
void proc_argv_free(char **argv);

/* Runs argv[0] (searched in PATH). Output is capped at 16 MB. TERN_OK with
 * *out (caller frees, NUL-terminated); TERN_EINVAL for an empty argv;
 * TERN_EIO if it cannot start or exits non-zero; TERN_ETIMEOUT. */
int proc_run(char *const argv[], const char *in, size_t len, int timeout_ms,
             char **out, size_t *outlen);
/* The same, and *exit_status: the program's exit status, -1 if it was
 * killed (timeout, output cap) or could not start. A program that exits
 * non-zero gives TERN_EIO and its output in *out all the same. */
int proc_run_status(char *const argv[], const char *in, size_t len, int timeout_ms,
                    char **out, size_t *outlen, int *exit_status);
/* The same, and *errline (caller frees; NULL if there was none): the first
 * line the program wrote to stderr, control characters made spaces, for
 * an error message (a password_cmd's "gpg: decryption failed"). With
 * errline NULL, stderr goes to /dev/null. */
int proc_run_err(char *const argv[], const char *in, size_t len, int timeout_ms,
                 char **out, size_t *outlen, int *exit_status, char **errline);

#endif
