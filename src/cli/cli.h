/* The command-line commands. main() parses the global options, fills a
 * cli_ctx and calls one cmd_*(); each returns the process exit status. */
#ifndef TERN_CLI_H
#define TERN_CLI_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "src/config/conf.h"
#include "db/db.h"
#include "src/base/strbuf.h"

#include "src/base/exitcode.h"

struct cli_ctx {
	const char *argv0;
	char *config_path;        /* -c, else the XDG default */
	int config_explicit;      /* -c given: the file must exist */
	char *data_dir;           /* -d, else data_dir from config, else XDG */
	char *db_path;            /* data_dir/tern.db */
	struct config *cfg;
	char *warnings;           /* from the config file; shown by config check and the TUI */
	db *db;                   /* opened by cli_open_db() */
};

/* Loads the config (printing FILE:LINE errors and warnings on stderr).
 * Returns EXIT_OK or EXIT_CONFIG. */
int cli_load_config(struct cli_ctx *c);
/* Opens the database, creating the data dir. EXIT_OK or EXIT_DB. */
int cli_open_db(struct cli_ctx *c);
/* The account named name, its row created if needed. EXIT_OK, EXIT_USAGE
 * (unknown account, message printed) or EXIT_DB. */
int cli_account(struct cli_ctx *c, const char *name, const struct account_cfg **acct, int64_t *id);
/* safe (text_sanitize's output, taken) for writing to f: in ASCII
 * (text_ascii) when f is a terminal and the locale is not UTF-8, else as
 * it is. Returns a string to free. */
char *cli_term(char *safe, FILE *f);
/* EXIT_OK when the account has been synced (it has mailboxes); else
 * EXIT_FAIL after saying so with the account's last error (or EXIT_DB). */
int cli_synced(struct cli_ctx *c, int64_t account_id, const char *name);
/* Parses a message id argument. EXIT_OK or EXIT_USAGE (message printed). */
int cli_parse_id(const char *arg, int64_t *id);
/* The config of the account a message belongs to. */
int cli_message_account(struct cli_ctx *c, int64_t msg_id, const struct account_cfg **acct, int64_t *account_id);
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The exit status of a command that failed with rc (a tern_err): EXIT_DB
 * for the database's failures, EXIT_CONFIG for the configuration's,
 * EXIT_FAIL for everything else (the server, the network, not found, no
 * Trash). */
int cli_exit_status(int rc);
/* The byte length of the longest prefix of safe (text_sanitize's output:
 * valid UTF-8, no controls) that fits in max terminal cells; *cells gets
 * its width. Decodes UTF-8 itself: a non-UTF-8 locale never splits a
 * character. */
size_t cli_fit_cells(const char *safe, int max, int *cells);
/* Appends safe, then spaces up to cells terminal cells (by display width,
 * not bytes); a longer text is not cut. */
void cli_add_padded(strbuf *sb, const char *safe, int cells);

struct msg_row;
/* Appends one message line of `tern list` / `tern search` to sb: the text
 * columns, or with json the --json object (tern(1) lists its fields).
 * server >= 0 adds "server" (search: found by the server, not locally). */
void cli_format_message(strbuf *sb, const struct msg_row *m, const char *account,
                        const char *mailbox, int json, int server);

int cmd_mailboxes(struct cli_ctx *c, int argc, char **argv);
int cmd_list(struct cli_ctx *c, int argc, char **argv);
int cmd_show(struct cli_ctx *c, int argc, char **argv);
int cmd_flag(struct cli_ctx *c, int argc, char **argv);
int cmd_move(struct cli_ctx *c, int argc, char **argv);
int cmd_delete(struct cli_ctx *c, int argc, char **argv);
int cmd_mailbox(struct cli_ctx *c, int argc, char **argv);
int cmd_send(struct cli_ctx *c, int argc, char **argv);
int cmd_config(struct cli_ctx *c, int argc, char **argv);
int cmd_queue(struct cli_ctx *c, int argc, char **argv);
int cmd_sync(struct cli_ctx *c, int argc, char **argv);
int cmd_search(struct cli_ctx *c, int argc, char **argv);
int cmd_tui(struct cli_ctx *c, int argc, char **argv);

#endif
