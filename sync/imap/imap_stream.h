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

/* Whether ms's guard closed it for an announcement over the limit. */
int imap_stream_refused(mailstream *ms);
#endif
