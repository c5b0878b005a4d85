/* Writing PGP mail: a finished message made into RFC 3156 multipart/signed
 * or multipart/encrypted just before it is queued, so what is stored,
 * sent and filed in Sent is the protected message and nothing else. */
#include "config.h"

#include <gpgme.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "src/base/crlf.h"
#include "src/base/err.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"
#include "src/crypt/crypt.h"
#include "src/crypt/crypt_int.h"
#include "src/mime/mime.h"

/* The header split in two: the fields that describe the content (they go
 * into the protected entity) and the rest (they stay outside). */
static void
split_header(const char *raw, size_t body, strbuf *outer, strbuf *content)
{
	size_t i = 0, next;
	int inner = 0;

	while (i < body) {
		size_t e = mime_line_end(raw, body, i, &next);
		if (e == i)
			break;
		if (raw[i] != ' ' && raw[i] != '\t')
			inner = crypt_line_has_prefix(raw + i, e - i, "Content-") ? 1 :
			        crypt_line_has_prefix(raw + i, e - i, "MIME-Version") ? 2 : 0;
		if (inner != 2) {
			sb_add(inner ? content : outer, raw + i, e - i);
			sb_adds(inner ? content : outer, "\r\n");
		}
		i = next;
	}
}

/* A usable key for what ("<addr>", a fingerprint): one that can do it
 * (encrypt, or sign with its secret part) and is not revoked, expired,
 * disabled or invalid. NULL if none. */
static gpgme_key_t
find_key(gpgme_ctx_t ctx, const char *pattern, int secret)
{
	gpgme_key_t k = NULL, found = NULL;

	if (gpgme_op_keylist_start(ctx, pattern, secret) != GPG_ERR_NO_ERROR)
		return NULL;
	while (gpgme_op_keylist_next(ctx, &k) == GPG_ERR_NO_ERROR) {
		int ok = !k->revoked && !k->expired && !k->disabled && !k->invalid &&
		         (secret ? k->can_sign : k->can_encrypt);
		if (ok && !found)
			found = k;
		else
			gpgme_key_unref(k);
	}
	gpgme_op_keylist_end(ctx);
	return found;
}

static char *
addr_pattern(const char *addr)
{
	return xasprintf("<%s>", addr);
}

/* Every To, Cc and Bcc address, or TERN_ENOTFOUND with *missing. */
static int
recipient_keys(gpgme_ctx_t ctx, const char *raw, size_t len, gpgme_key_t **keys, size_t *n, char **missing)
{
	static const char *const fields[] = { "To", "Cc", "Bcc" };
	mime_msg *m = NULL;
	int rc = TERN_OK;

	*keys = NULL;
	*n = 0;
	if (mime_parse(raw, len, &m) != TERN_OK)
		return TERN_EINVAL;
	for (size_t f = 0; f < ARRAY_LEN(fields) && rc == TERN_OK; f++) {
		struct mail_addr_list l = { 0 };
		mime_header_addrs(m, fields[f], &l);
		for (size_t i = 0; i < l.n && rc == TERN_OK; i++) {
			char *pat = addr_pattern(l.v[i].addr);
			gpgme_key_t k = find_key(ctx, pat, 0);
			free(pat);
			if (!k) {
				if (missing)
					*missing = xstrdup(l.v[i].addr);
				rc = TERN_ENOTFOUND;
				break;
			}
			*keys = xrealloc(*keys, (*n + 2) * sizeof **keys);
			(*keys)[(*n)++] = k;
			(*keys)[*n] = NULL;
		}
		mail_addr_free(&l);
	}
	mime_free(m);
	return rc;
}

static void
keys_free(gpgme_key_t *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		gpgme_key_unref(keys[i]);
	free(keys);
}

int
crypt_can_encrypt(const char *raw, size_t len, char **missing)
{
	gpgme_ctx_t ctx;
	gpgme_key_t *keys = NULL;
	size_t n = 0;
	int rc;

	if (missing)
		*missing = NULL;
	if (crypt_ctx_new(&ctx) != TERN_OK)
		return 0;
	rc = recipient_keys(ctx, raw, len, &keys, &n, missing);
	keys_free(keys, n);
	gpgme_release(ctx);
	return rc == TERN_OK && n > 0;
}

static char *
new_boundary(void)
{
	unsigned char r[12];
	char *b = xmalloc(sizeof r * 2 + 16), *p;
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		/* Only needs to differ from the text it encloses, which is armour. */
		memset(r, 0x5a, sizeof r);
	p = b + sprintf(b, "=-pgp-");
	for (size_t i = 0; i < sizeof r; i++)
		p += sprintf(p, "%02x", r[i]);
	return b;
}

/* "pgp-sha256" from the signature's hash (RFC 3156 5). */
static char *
micalg(gpgme_ctx_t ctx)
{
	gpgme_sign_result_t r = gpgme_op_sign_result(ctx);
	const char *name = r && r->signatures ? gpgme_hash_algo_name(r->signatures->hash_algo) : NULL;
	char *s = xasprintf("pgp-%s", name ? name : "sha256");
	str_lower(s);
	return s;
}

static char *
data_take(gpgme_data_t d, size_t *n)
{
	char *mem = gpgme_data_release_and_get_mem(d, n), *s = xmalloc(*n + 1);
	memcpy(s, mem ? mem : "", *n);
	s[*n] = '\0';
	gpgme_free(mem);
	return s;
}

int
crypt_protect(const char *raw, size_t len, int how, const char *own_key, char **out, size_t *out_len,
              char **err)
{
	gpgme_ctx_t ctx = NULL;
	gpgme_data_t din = NULL, dout = NULL;
	gpgme_key_t signer = NULL, *keys = NULL, self = NULL;
	gpgme_error_t e;
	strbuf outer = STRBUF_INIT, content = STRBUF_INIT, entity = STRBUF_INIT, msg = STRBUF_INIT;
	size_t body = crypt_body_start(raw, len), nkeys = 0, plen = 0;
	char *missing = NULL, *b = NULL, *payload = NULL, *alg = NULL;
	int rc;

	*out = NULL;
	*err = NULL;
	if ((rc = crypt_ctx_new(&ctx)) != TERN_OK)
		goto out;
	split_header(raw, body, &outer, &content);
	if (content.len == 0)
		sb_adds(&content, "Content-Type: text/plain; charset=us-ascii\r\n");
	sb_add(&entity, content.buf, content.len);
	sb_adds(&entity, "\r\n");
	crlf_normalise(raw + body, len - body, 0, &entity);

	if (how & CRYPT_SIGN) {
		signer = find_key(ctx, own_key && *own_key ? own_key : NULL, 1);
		if (!signer) {
			*err = own_key && *own_key ? xasprintf("no usable secret key '%s' to sign with (pgp_key)", own_key)
			                           : xstrdup("no usable secret key to sign with");
			rc = TERN_ENOTFOUND;
			goto out;
		}
		gpgme_signers_add(ctx, signer);
	}
	if (gpgme_data_new_from_mem(&din, entity.buf, entity.len, 0) || gpgme_data_new(&dout)) {
		rc = TERN_ENOMEM;
		goto out;
	}
	b = new_boundary();
	if (how & CRYPT_ENCRYPT) {
		if ((rc = recipient_keys(ctx, raw, len, &keys, &nkeys, &missing)) != TERN_OK) {
			*err = missing ? xasprintf("no usable PGP key for %s", missing)
			               : xstrdup("the message's recipients cannot be read");
			goto out;
		}
		/* The Sent copy is this very message: it must open with our key too. */
		self = signer ? (gpgme_key_ref(signer), signer)
		              : find_key(ctx, own_key && *own_key ? own_key : NULL, 0);
		if (self) {
			keys = xrealloc(keys, (nkeys + 2) * sizeof *keys);
			keys[nkeys++] = self;
			keys[nkeys] = NULL;
		}
		/* The recipients were chosen by address; whether the user has
		 * certified their keys is gpg's web of trust, not a reason to refuse. */
		e = how & CRYPT_SIGN ? gpgme_op_encrypt_sign(ctx, keys, GPGME_ENCRYPT_ALWAYS_TRUST, din, dout)
		                     : gpgme_op_encrypt(ctx, keys, GPGME_ENCRYPT_ALWAYS_TRUST, din, dout);
		if (e != GPG_ERR_NO_ERROR) {
			*err = xasprintf("encrypting failed: %s", gpgme_strerror(e));
			rc = TERN_EINVAL;
			goto out;
		}
		payload = data_take(dout, &plen);
		dout = NULL;
		sb_add(&msg, outer.buf, outer.len);
		sb_printf(&msg, "MIME-Version: 1.0\r\nContent-Type: multipart/encrypted;\r\n"
		          " protocol=\"application/pgp-encrypted\"; boundary=\"%s\"\r\n\r\n"
		          "This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n"
		          "--%s\r\nContent-Type: application/pgp-encrypted\r\n"
		          "Content-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n"
		          "--%s\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n"
		          "Content-Description: OpenPGP encrypted message\r\n"
		          "Content-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n", b, b, b);
		crlf_normalise(payload, plen, 0, &msg);
		sb_printf(&msg, "\r\n--%s--\r\n", b);
	} else {
		e = gpgme_op_sign(ctx, din, dout, GPGME_SIG_MODE_DETACH);
		if (e != GPG_ERR_NO_ERROR) {
			*err = xasprintf("signing failed: %s", gpgme_strerror(e));
			rc = TERN_EINVAL;
			goto out;
		}
		alg = micalg(ctx);
		payload = data_take(dout, &plen);
		dout = NULL;
		sb_add(&msg, outer.buf, outer.len);
		sb_printf(&msg, "MIME-Version: 1.0\r\nContent-Type: multipart/signed; micalg=%s;\r\n"
		          " protocol=\"application/pgp-signature\"; boundary=\"%s\"\r\n\r\n"
		          "This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n--%s\r\n", alg, b, b);
		/* The entity as signed, byte for byte; the CRLF before the next
		 * delimiter belongs to the delimiter. */
		sb_add(&msg, entity.buf, entity.len);
		sb_printf(&msg, "\r\n--%s\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n"
		          "Content-Description: OpenPGP digital signature\r\n"
		          "Content-Disposition: attachment; filename=\"signature.asc\"\r\n\r\n", b);
		crlf_normalise(payload, plen, 0, &msg);
		sb_printf(&msg, "\r\n--%s--\r\n", b);
	}
	*out_len = msg.len;
	*out = sb_steal(&msg);
	rc = TERN_OK;
out:
	if (rc != TERN_OK && !*err)
		*err = xstrdup(tern_strerror(rc));
	keys_free(keys, nkeys);
	if (signer)
		gpgme_key_unref(signer);
	gpgme_data_release(din);
	gpgme_data_release(dout);
	gpgme_release(ctx);
	sb_free(&outer);
	sb_free(&content);
	sb_free(&entity);
	sb_free(&msg);
	free(missing);
	free(b);
	free(payload);
	free(alg);
	return rc;
}
