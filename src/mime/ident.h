/* Which of the user's addresses a reply is written from, and signatures in
 * a draft's text ("-- " on a line of its own, RFC 3676 4.3, then the
 * signature). Pure: no configuration, no I/O. */
#ifndef TERN_IDENT_H
#define TERN_IDENT_H

#include <stddef.h>

#include "src/mime/mime.h"

/* The address among addrs (the user's: the account's, its identities',
 * its alternates) the parent was sent to, looking at To, Cc, Delivered-To
 * and X-Original-To in that order: its index, or -1 when none matches. */
int ident_pick(const mime_msg *parent, const char *const *addrs, size_t naddrs);

/* Where the last signature of text starts (its "-- " line), or strlen(text)
 * when it has none. */
size_t ident_sig_start(const char *text);
/* body, then the separator and sig; a copy of body when sig is empty.
 * Caller frees. */
char *ident_sig_append(const char *body, const char *sig);
/* body with its last signature (separator included) replaced by sig, or
 * removed when sig is empty; sig appended when body has none. Caller frees. */
char *ident_sig_replace(const char *body, const char *sig);

#endif
