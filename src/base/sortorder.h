/* The orders the message list and `tern list` can show a mailbox in, by
 * the names the config file, the command line and the status line use.
 * Each order has the direction a user expects first (dates and sizes
 * biggest first, names A to Z); reverse shows the exact reverse list. */
#ifndef TERN_SORTORDER_H
#define TERN_SORTORDER_H

#include <stddef.h>

/* The values are stored: migration 16 passes them to tern_sort_text(). */
enum sort_order {
	SORT_ARRIVAL,             /* when the server got it, newest first (the default) */
	SORT_DATE,                /* the Date header, newest first */
	SORT_FROM,                /* the sender's name (else address), A to Z */
	SORT_TO,                  /* the first recipient's name (else address), A to Z */
	SORT_SUBJECT,             /* the subject without Re:/Fwd:/[list] prefixes, A to Z */
	SORT_SIZE,                /* largest first */
	SORT_FLAGGED,             /* flagged first, then newest first */
	SORT_UNREAD,              /* unread first, then newest first */
	SORT_COUNT
};

struct sort_spec {
	enum sort_order order;
	int reverse;
};

const char *sort_order_name(enum sort_order o);
/* "subject" or "reverse-subject" (case-insensitive): TERN_OK, else
 * TERN_EINVAL and *out untouched. */
int sort_parse(const char *s, struct sort_spec *out);
/* "subject" / "reverse-subject" into buf. */
const char *sort_format(const struct sort_spec *s, char *buf, size_t len);
/* "date, arrival, ...": the valid names, for error messages. */
const char *sort_names(void);
/* Whether the order's first direction is descending (newest, largest,
 * flagged first); the ascending ones are the names, A to Z. */
int sort_desc(const struct sort_spec *s);

#endif
