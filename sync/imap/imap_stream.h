/* The stream libetpan reads the server through, with the end of the
 * connection made an error and a cap on the size of a literal
 * (imap_stream.c says why). */
#ifndef TERN_IMAP_STREAM_H
#define TERN_IMAP_STREAM_H
#include <libetpan/libetpan.h>

/* Puts the guard over ms's current low-level stream (again after STARTTLS,
 * which replaces it). TERN_OK or TERN_ENOMEM. */
int imap_stream_guard(mailstream *ms);

/* The largest literal a server may announce, in MiB: a connection that
 * announces a bigger one is closed (its reads fail). */
#define IMAP_LITERAL_MAX_MIB 512

/* The deepest nesting of parentheses read in one response. */
#define IMAP_NESTING_MAX 128

/* Whether ms's guard cut it for an answer over a limit. */
int imap_stream_refused(mailstream *ms);

/* libetpan's result r of a command on s, with a cut by the guard made the
 * parse error it stands for (the answer could not be read; the session is
 * over either way). */
int imap_stream_result(mailimap *s, int r);
#endif
