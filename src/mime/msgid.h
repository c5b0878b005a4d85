/* Header values tern generates for outgoing mail. Caller frees. */
#ifndef TERN_MSGID_H
#define TERN_MSGID_H

#include <stdint.h>

/* A new globally unique Message-ID with angle brackets, on the domain of
 * from_addr: "<20261124T063000.4f3a9c2e1b7d5a60@example.org>". */
char *msgid_new(const char *from_addr);
/* RFC 5322 date in local time: "Tue, 24 Nov 2026 06:30:00 +0000". */
char *msgid_date(int64_t t);
/* "<a@b> <c@d>" (or junk around them, or one id without brackets) as
 * "a@b c@d", as the database keeps message ids; NULL when there is none. */
char *msgid_list_bare(const char *s);

#endif
