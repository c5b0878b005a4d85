/* Line ends of outgoing messages: RFC 5322 wants CRLF everywhere, and some
 * servers refuse bare LF (Cyrus JMAP: "Message contains bare newlines").
 * Used once when a message is queued (db/db_change.c) and by the senders,
 * which also drop the Bcc header (RFC 5322 3.6.3). */
#ifndef TERN_CRLF_H
#define TERN_CRLF_H

#include <stddef.h>
#include "src/base/strbuf.h"

/* Appends raw to out with every line ended by CRLF (LF, CRLF or a missing
 * final line end in the input). With drop_bcc, the Bcc field (and its
 * continuation lines) is left out of the header block. */
void crlf_normalise(const char *raw, size_t len, int drop_bcc, strbuf *out);

#endif
