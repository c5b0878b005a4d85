/* Shared by the files of src/crypt/ only. */
#ifndef TERN_CRYPT_INT_H
#define TERN_CRYPT_INT_H

#include <gpgme.h>
#include <stddef.h>

/* A fresh OpenPGP context with ASCII armour: TERN_OK or TERN_ENOMEM. */
int crypt_ctx_new(gpgme_ctx_t *ctx);
/* Where the body of a raw message starts (after the blank line). */
size_t crypt_body_start(const char *raw, size_t len);

#endif
