/* The terminal UI's entry point: curses on the main thread, one sync
 * worker per account, a poll loop on the keyboard and the workers'
 * self-pipe. */
#ifndef TERN_UI_TUI_H
#define TERN_UI_TUI_H

#include "src/config/conf.h"
#include "db/db.h"

struct tui_opts {
	const struct config *cfg;
	db *d;
	const char *db_path;
	const char *data_dir;
	const char *warnings;     /* config warnings, shown on the message line */
};

/* Runs until the user quits. Returns an exit status (src/base/exitcode.h); a bad
 * bind in the config is EXIT_CONFIG with FILE:LINE on stderr, before the
 * screen is touched. */
int tui_run(const struct tui_opts *o);

#endif
