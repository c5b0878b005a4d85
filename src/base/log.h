/* The log file: $XDG_STATE_HOME/tern/tern.log. Thread-safe; never writes to
 * the terminal unless log_to_stderr() was asked for (CLI with -v). Never pass
 * a password to these functions. */
#ifndef TERN_LOG_H
#define TERN_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Opens (appends to) path; TERN_* on failure. Without it, messages are dropped. */
int log_open(const char *path);
void log_close(void);
void log_set_level(enum log_level lvl);
void log_to_stderr(int on);   /* also copy messages to stderr (CLI only) */

/* While the screen is curses', what a library writes to stderr (libetpan's
 * "GnuTLS error: ...", from a worker thread) would land on it: this points
 * fd 2 at the log file and returns a copy of the old fd 2 (-1: not
 * captured, no log open); log_release_stderr(that) puts it back. */
int log_capture_stderr(void);
void log_release_stderr(int saved);

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
