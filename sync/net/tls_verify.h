/* Server certificate verification for libetpan streams, which do none by
 * themselves (../shared/notes/libs.md 1.6): the chain is checked against
 * the system trust store plus the account's ca_file, and the host name
 * against the leaf. Call after connect/STARTTLS, before any credential. */
#ifndef TERN_TLS_VERIFY_H
#define TERN_TLS_VERIFY_H

#include <stddef.h>
#include <libetpan/libetpan.h>

/* Verifies the chain of DER certificates (leaf first). TERN_OK, or
 * TERN_ETLS with *err (caller frees) saying why. */
int tls_verify_der(const unsigned char *const *der, const size_t *len, size_t n,
                   const char *host, const char *ca_file, char **err);
/* The same for an open libetpan TLS stream. */
int tls_verify_stream(mailstream *s, const char *host, const char *ca_file, char **err);
/* The SNI callback for mailimap_*_with_callback (data: the host name). */
void tls_sni_callback(struct mailstream_ssl_context *c, void *host);

#endif
