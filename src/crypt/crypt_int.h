/* Shared by the files of src/crypt/ only. */
#ifndef TERN_CRYPT_INT_H
#define TERN_CRYPT_INT_H

#include <gpgme.h>
#include <stddef.h>

#include "src/mime/mime.h"

/* A fresh OpenPGP context with ASCII armour: TERN_OK or TERN_ENOMEM. */
int crypt_ctx_new(gpgme_ctx_t *ctx);
/* Whether the line (n bytes, not NUL-terminated) starts with prefix,
 * ASCII case-insensitive. */
int crypt_line_has_prefix(const char *line, size_t n, const char *prefix);
/* Where the body of a raw message starts (after the blank line). */
size_t crypt_body_start(const char *raw, size_t len);

/* What is verified of a multipart/signed message m (parsed from raw): the
 * first part's bytes as received, in canonical CRLF form (*text), and the
 * signature part's decoded bytes (*sig); both the caller's to free.
 * TERN_EINVAL when either is missing. (Also the fuzz harness's way in.) */
int crypt_signed_parts(const char *raw, size_t len, const mime_msg *m, char **text, size_t *tlen, char **sig,
                       size_t *slen);
/* A decrypted entity (ent) under raw's header without its Content-* and
 * MIME-Version fields: a message that renders like any other. */
char *crypt_rebuild(const char *raw, size_t len, const char *ent, size_t elen, size_t *out_len);

#endif
