/* PGP with gpgme: reading (RFC 3156 multipart/signed and
 * multipart/encrypted, inline "BEGIN PGP SIGNED MESSAGE") and writing
 * (signing and encrypting a message before it is queued).
 *
 * gpgme is initialised once, by crypt_init() on the main thread before any
 * other thread starts; every call below makes its own gpgme context, so they
 * may run on any thread. A decrypted message exists only in the memory of
 * the struct crypt_view that holds it: nothing here writes it anywhere.
 * Keys and the agent are the user's own GnuPG ($GNUPGHOME). */
#ifndef TERN_CRYPT_H
#define TERN_CRYPT_H

#include <stddef.h>

enum crypt_sig {
	CRYPT_SIG_NONE,         /* not signed (or the signature could not be read) */
	CRYPT_SIG_GOOD,
	CRYPT_SIG_BAD,
	CRYPT_SIG_UNKNOWN_KEY,
	CRYPT_SIG_EXPIRED,
	CRYPT_SIG_REVOKED
};

struct crypt_view {
	enum crypt_sig sig;
	char *signer;          /* "Name <addr>" of the key's primary user id, or NULL */
	char *fingerprint;     /* the signing key's fingerprint (or key id), or NULL */
	int trusted;           /* the key's validity is full or ultimate */
	int encrypted;         /* the message is multipart/encrypted */
	int decrypted;         /* ... and was decrypted: raw holds the result */
	char *error;           /* why a signed part could not be checked or decryption failed, or NULL */
	char *raw;             /* the message to render (its header + the decrypted
	                          entity), or NULL: render the original */
	size_t len;
};

/* TERN_OK, or TERN_ECONFIG when gpgme or its OpenPGP engine is missing. */
int crypt_init(void);

/* Looks at a raw message: verifies what is signed, decrypts what is
 * encrypted (gpg-agent may ask for the passphrase on the terminal).
 * Always fills *v (CRYPT_SIG_NONE and encrypted 0 for a plain message);
 * a broken signature or ciphertext gives a verdict or v->error, never a
 * failure. Free with crypt_view_free. */
void crypt_open(const char *raw, size_t len, struct crypt_view *v);
void crypt_view_free(struct crypt_view *v);

/* Whether the message's top-level Content-Type is multipart/encrypted:
 * the caller may want to hand the terminal over before crypt_open(). */
int crypt_is_encrypted(const char *raw, size_t len);

/* "good", "bad", "unknown_key", "expired", "revoked", "none". */
const char *crypt_sig_name(enum crypt_sig s);
/* The one line a reader sees above the body ("PGP: Good signature from
 * ..."), UTF-8, not sanitised; NULL for a message neither signed nor
 * encrypted. Caller frees. */
char *crypt_verdict(const struct crypt_view *v);

/* --- Writing ------------------------------------------------------------- */

enum { CRYPT_SIGN = 1, CRYPT_ENCRYPT = 2 };

/* raw (a complete RFC 5322 message, CRLF or LF) made into RFC 3156
 * multipart/signed (CRYPT_SIGN) or multipart/encrypted (CRYPT_ENCRYPT,
 * signed inside as well when CRYPT_SIGN is set). The header stays as it
 * is, but for its Content-* fields, which move into the protected part.
 * Encryption is to every To, Cc and Bcc address and to own_key (the
 * sender's, so that the Sent copy stays readable); own_key (a fingerprint,
 * key id or address, NULL: gpg's default key) also signs.
 * TERN_OK with *out (CRLF); otherwise *err says why (caller frees), e.g.
 * which recipient has no usable key (TERN_ENOTFOUND). */
int crypt_protect(const char *raw, size_t len, int how, const char *own_key,
                  char **out, size_t *out_len, char **err);

/* Whether every To, Cc and Bcc address of raw has a usable encryption key;
 * if not, *missing (when non-NULL) gets the first address without one
 * (caller frees). */
int crypt_can_encrypt(const char *raw, size_t len, char **missing);

#endif
