/* The stream libetpan reads the server through, with the end of the
 * connection made an error (imap_stream.c says why). */
#ifndef TERN_IMAP_STREAM_H
#define TERN_IMAP_STREAM_H
#include <libetpan/libetpan.h>

/* Puts the guard over ms's current low-level stream (again after STARTTLS,
 * which replaces it). TERN_OK or TERN_ENOMEM. */
int imap_stream_guard(mailstream *ms);
#endif
