/* Reading PGP mail: RFC 3156 multipart/signed and multipart/encrypted at
 * the top of a message (and a multipart/signed found inside what was
 * decrypted), and inline clear-signed text. The signed part is verified on
 * its bytes exactly as received, in canonical CRLF form (RFC 3156 5), so it
 * is cut out of the raw message here rather than taken from the parsed
 * tree, which has undone its transfer encoding. */
#include "config.h"

#include <ctype.h>
#include <gpgme.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "src/base/crlf.h"
#include "src/base/err.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"
#include "src/crypt/crypt.h"
#include "src/crypt/crypt_int.h"
#include "src/mime/mime.h"

int
crypt_init(void)
{
	const char *tty;

	if (!gpgme_check_version(NULL))
		return TERN_ECONFIG;
	gpgme_set_locale(NULL, LC_CTYPE, setlocale(LC_CTYPE, NULL));
#ifdef LC_MESSAGES
	gpgme_set_locale(NULL, LC_MESSAGES, setlocale(LC_MESSAGES, NULL));
#endif
	/* pinentry-curses asks on the terminal gpg is told about; gpg only
	 * guesses it from its own stdin, which gpgme makes a pipe. */
	if (!getenv("GPG_TTY") && isatty(STDIN_FILENO) && (tty = ttyname(STDIN_FILENO)))
		setenv("GPG_TTY", tty, 0);
	if (gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP) != GPG_ERR_NO_ERROR)
		return TERN_ECONFIG;
	return TERN_OK;
}

int
crypt_ctx_new(gpgme_ctx_t *ctx)
{
	if (gpgme_new(ctx) != GPG_ERR_NO_ERROR)
		return TERN_ENOMEM;
	gpgme_set_protocol(*ctx, GPGME_PROTOCOL_OpenPGP);
	gpgme_set_armor(*ctx, 1);
	return TERN_OK;
}

const char *
crypt_sig_name(enum crypt_sig s)
{
	switch (s) {
	case CRYPT_SIG_GOOD: return "good";
	case CRYPT_SIG_BAD: return "bad";
	case CRYPT_SIG_UNKNOWN_KEY: return "unknown_key";
	case CRYPT_SIG_EXPIRED: return "expired";
	case CRYPT_SIG_REVOKED: return "revoked";
	default: return "none";
	}
}

void
crypt_view_free(struct crypt_view *v)
{
	free(v->signer);
	free(v->fingerprint);
	free(v->error);
	if (v->raw)
		/* The only copy of a decrypted message: not left in freed memory. */
		explicit_bzero(v->raw, v->len);
	free(v->raw);
	memset(v, 0, sizeof *v);
}

/* --- Raw bytes ----------------------------------------------------------- */

int
crypt_line_has_prefix(const char *line, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && strncasecmp(line, prefix, k) == 0;
}

size_t
crypt_body_start(const char *raw, size_t len)
{
	size_t i = 0, next;
	while (i < len) {
		size_t e = mime_line_end(raw, len, i, &next);
		if (e == i)
			return next;
		i = next;
	}
	return len;
}

/* The bytes of the first part of a multipart body with boundary b, from
 * after its delimiter line to before the line end that precedes the next
 * delimiter (RFC 2046 5.1.1: that line end belongs to the delimiter). */
static int
first_part(const char *s, size_t n, const char *b, size_t *start, size_t *end)
{
	size_t bl = strlen(b), i = 0, next;
	int opened = 0;

	while (i < n) {
		size_t e = mime_line_end(s, n, i, &next);
		if (e - i >= bl + 2 && s[i] == '-' && s[i + 1] == '-' && memcmp(s + i + 2, b, bl) == 0) {
			size_t k = i + 2 + bl;
			if (k + 2 <= e && s[k] == '-' && s[k + 1] == '-')
				k += 2;
			while (k < e && (s[k] == ' ' || s[k] == '\t'))
				k++;
			if (k == e) {
				if (!opened) {
					*start = next;
					opened = 1;
				} else {
					size_t x = i;
					if (x > *start && s[x - 1] == '\n')
						x--;
					if (x > *start && s[x - 1] == '\r')
						x--;
					*end = x;
					return 1;
				}
			}
		}
		i = next;
	}
	return 0;
}

/* --- Verdicts ------------------------------------------------------------ */

static char *
key_user(const char *fpr, int *trusted)
{
	gpgme_ctx_t ctx;
	gpgme_key_t key = NULL;
	char *who = NULL;

	if (!fpr || crypt_ctx_new(&ctx) != TERN_OK)
		return NULL;
	if (gpgme_get_key(ctx, fpr, &key, 0) == GPG_ERR_NO_ERROR && key) {
		gpgme_user_id_t u = key->uids;
		for (gpgme_user_id_t x = key->uids; x; x = x->next)
			if (!x->revoked && !x->invalid) {
				u = x;
				break;
			}
		if (u && u->name && *u->name && u->email && *u->email)
			who = xasprintf("%s <%s>", u->name, u->email);
		else if (u && u->uid)
			who = xstrdup(u->uid);
		if (u && u->validity >= GPGME_VALIDITY_FULL)
			*trusted = 1;
		gpgme_key_unref(key);
	}
	gpgme_release(ctx);
	return who;
}

/* The first signature of a verify result into v. */
static void
take_signature(gpgme_verify_result_t r, struct crypt_view *v)
{
	gpgme_signature_t s = r ? r->signatures : NULL;
	int trusted = 0;

	if (!s)
		return;
	free(v->fingerprint);
	free(v->signer);
	v->fingerprint = xstrdup(s->fpr);
	switch (gpg_err_code(s->status)) {
	case GPG_ERR_NO_ERROR:
		v->sig = CRYPT_SIG_GOOD;
		break;
	case GPG_ERR_NO_PUBKEY:
		v->sig = CRYPT_SIG_UNKNOWN_KEY;
		break;
	case GPG_ERR_KEY_EXPIRED:
	case GPG_ERR_SIG_EXPIRED:
		v->sig = CRYPT_SIG_EXPIRED;
		break;
	case GPG_ERR_CERT_REVOKED:
		v->sig = CRYPT_SIG_REVOKED;
		break;
	default:
		v->sig = CRYPT_SIG_BAD;
		break;
	}
	/* A good signature by a key revoked or expired since is not good news. */
	if (v->sig == CRYPT_SIG_GOOD && (s->summary & GPGME_SIGSUM_KEY_REVOKED))
		v->sig = CRYPT_SIG_REVOKED;
	else if (v->sig == CRYPT_SIG_GOOD && (s->summary & (GPGME_SIGSUM_KEY_EXPIRED | GPGME_SIGSUM_SIG_EXPIRED)))
		v->sig = CRYPT_SIG_EXPIRED;
	v->signer = v->sig == CRYPT_SIG_UNKNOWN_KEY ? NULL : key_user(s->fpr, &trusted);
	v->trusted = v->sig == CRYPT_SIG_GOOD && (trusted || s->validity >= GPGME_VALIDITY_FULL);
}

static void
set_error(struct crypt_view *v, const char *what, gpgme_error_t e)
{
	free(v->error);
	v->error = xasprintf("%s: %s", what, gpgme_strerror(e));
}

/* Verifies sig over text (a detached signature), or the clear-signed
 * text in sig alone (text NULL). */
static void
verify(const char *sig, size_t slen, const char *text, size_t tlen, struct crypt_view *v)
{
	gpgme_ctx_t ctx = NULL;
	gpgme_data_t dsig = NULL, dtext = NULL;
	gpgme_error_t e;

	if (crypt_ctx_new(&ctx) != TERN_OK)
		return;
	if (gpgme_data_new_from_mem(&dsig, sig, slen, 0) ||
	    (text && gpgme_data_new_from_mem(&dtext, text, tlen, 0)))
		goto out;
	e = gpgme_op_verify(ctx, dsig, dtext, NULL);
	if (e != GPG_ERR_NO_ERROR || !gpgme_op_verify_result(ctx)->signatures) {
		v->sig = CRYPT_SIG_BAD;
		set_error(v, "the signature cannot be read", e ? e : gpg_error(GPG_ERR_NO_DATA));
		goto out;
	}
	take_signature(gpgme_op_verify_result(ctx), v);
out:
	gpgme_data_release(dsig);
	gpgme_data_release(dtext);
	gpgme_release(ctx);
}

static const mime_part *
child(const mime_msg *m, size_t i)
{
	const mime_part *r = mime_root(m);
	return mime_part_count(r) > i ? mime_part_child(r, i) : NULL;
}

int
crypt_signed_parts(const char *raw, size_t len, const mime_msg *m, char **text, size_t *tlen, char **sig,
                   size_t *slen)
{
	const char *b = mime_part_param(mime_root(m), "boundary");
	const mime_part *sp = child(m, 1);
	size_t body = crypt_body_start(raw, len), s = 0, e = 0;
	strbuf canon = STRBUF_INIT;

	*text = *sig = NULL;
	*tlen = *slen = 0;
	if (!b || !sp || !first_part(raw + body, len - body, b, &s, &e) ||
	    mime_part_data(sp, sig, slen) != TERN_OK)
		return TERN_EINVAL;
	crlf_normalise(raw + body + s, e - s, 0, &canon);
	/* crlf_normalise ends the last line; the part's last line end is the
	 * delimiter's, not the signed text's. */
	if (canon.len >= 2 && (e == s || raw[body + e - 1] != '\n'))
		canon.len -= 2;
	*tlen = canon.len;
	*text = sb_steal(&canon);
	return TERN_OK;
}

static void
open_signed(const char *raw, size_t len, const mime_msg *m, struct crypt_view *v)
{
	char *text = NULL, *sig = NULL;
	size_t tlen = 0, slen = 0;

	if (crypt_signed_parts(raw, len, m, &text, &tlen, &sig, &slen) != TERN_OK) {
		v->sig = CRYPT_SIG_BAD;
		v->error = xstrdup("the signed message is incomplete (no signed part or no signature)");
	} else {
		verify(sig, slen, text, tlen, v);
	}
	free(text);
	free(sig);
}

char *
crypt_rebuild(const char *raw, size_t len, const char *ent, size_t elen, size_t *out_len)
{
	size_t body = crypt_body_start(raw, len), i = 0, next;
	strbuf sb = STRBUF_INIT;
	int skip = 0;

	while (i < body) {
		size_t e = mime_line_end(raw, body, i, &next);
		if (e == i)
			break;
		if (raw[i] != ' ' && raw[i] != '\t')
			skip = crypt_line_has_prefix(raw + i, e - i, "Content-") ||
			       crypt_line_has_prefix(raw + i, e - i, "MIME-Version");
		if (!skip) {
			sb_add(&sb, raw + i, e - i);
			sb_adds(&sb, "\r\n");
		}
		i = next;
	}
	sb_adds(&sb, "MIME-Version: 1.0\r\n");
	{
		/* An entity without a header of its own is plain text. */
		size_t k = 0;
		while (k < elen && (isalnum((unsigned char)ent[k]) || ent[k] == '-'))
			k++;
		if (k == 0 || k >= elen || ent[k] != ':')
			sb_adds(&sb, "\r\n");
	}
	sb_add(&sb, ent, elen);
	*out_len = sb.len;
	return sb_steal(&sb);
}

static void
open_encrypted(const char *raw, size_t len, const mime_msg *m, struct crypt_view *v)
{
	const mime_part *cp = child(m, 1);
	gpgme_ctx_t ctx = NULL;
	gpgme_data_t dc = NULL, dp = NULL;
	gpgme_error_t e;
	char *cipher = NULL, *plain = NULL;
	size_t clen = 0, plen = 0;

	v->encrypted = 1;
	if (!cp || mime_part_data(cp, &cipher, &clen) != TERN_OK || clen == 0) {
		v->error = xstrdup("the encrypted message has no encrypted part");
		goto out;
	}
	if (crypt_ctx_new(&ctx) != TERN_OK || gpgme_data_new_from_mem(&dc, cipher, clen, 0) ||
	    gpgme_data_new(&dp))
		goto out;
	e = gpgme_op_decrypt_verify(ctx, dc, dp);
	if (e != GPG_ERR_NO_ERROR) {
		set_error(v, "cannot decrypt", e);
		goto out;
	}
	plain = gpgme_data_release_and_get_mem(dp, &plen);
	dp = NULL;
	take_signature(gpgme_op_verify_result(ctx), v);
	v->raw = crypt_rebuild(raw, len, plain ? plain : "", plen, &v->len);
	v->decrypted = 1;
	{
		/* Signed, then encrypted as two layers (RFC 3156 6.1). */
		mime_msg *inner = NULL;
		if (v->sig == CRYPT_SIG_NONE && mime_parse(v->raw, v->len, &inner) == TERN_OK &&
		    mime_part_is(mime_root(inner), "multipart/signed"))
			open_signed(v->raw, v->len, inner, v);
		mime_free(inner);
	}
out:
	if (plain) {
		explicit_bzero(plain, plen);
		gpgme_free(plain);
	}
	free(cipher);
	gpgme_data_release(dc);
	gpgme_data_release(dp);
	gpgme_release(ctx);
}

static int
find_text(const mime_part *p, int depth, void *ctx)
{
	(void)depth;
	if (mime_part_is(p, "text/plain") && !mime_part_is_attachment(p)) {
		*(const mime_part **)ctx = p;
		return 1;
	}
	return 0;
}

static const char clearsig[] = "-----BEGIN PGP SIGNED MESSAGE-----";

static void
open_inline(const mime_msg *m, struct crypt_view *v)
{
	const mime_part *t = NULL;
	char *data = NULL;
	size_t n = 0;

	mime_walk(m, find_text, &t);
	if (t && mime_part_data(t, &data, &n) == TERN_OK && memmem(data, n, clearsig, sizeof clearsig - 1))
		verify(data, n, NULL, 0, v);
	free(data);
}

void
crypt_open(const char *raw, size_t len, struct crypt_view *v)
{
	mime_msg *m = NULL;
	const mime_part *r;
	const char *proto;

	memset(v, 0, sizeof *v);
	if (!raw || len == 0 || mime_parse(raw, len, &m) != TERN_OK)
		return;
	r = mime_root(m);
	proto = mime_part_param(r, "protocol");
	if (mime_part_is(r, "multipart/signed") && proto && strcasecmp(proto, "application/pgp-signature") == 0)
		open_signed(raw, len, m, v);
	else if (mime_part_is(r, "multipart/encrypted") && proto &&
	         strcasecmp(proto, "application/pgp-encrypted") == 0)
		open_encrypted(raw, len, m, v);
	else
		open_inline(m, v);
	mime_free(m);
}

int
crypt_is_encrypted(const char *raw, size_t len)
{
	mime_msg *m = NULL;
	int yes;

	if (!raw || len == 0 || mime_parse(raw, len, &m) != TERN_OK)
		return 0;
	yes = mime_part_is(mime_root(m), "multipart/encrypted");
	mime_free(m);
	return yes;
}

char *
crypt_verdict(const struct crypt_view *v)
{
	strbuf sb = STRBUF_INIT;
	const char *fpr = v->fingerprint ? v->fingerprint : "?";

	if (v->sig == CRYPT_SIG_NONE && !v->encrypted)
		return NULL;
	sb_adds(&sb, "PGP: ");
	if (v->encrypted)
		sb_adds(&sb, v->decrypted ? "Encrypted (decrypted). " : "Encrypted, not decrypted");
	switch (v->sig) {
	case CRYPT_SIG_GOOD:
		sb_printf(&sb, "Good signature from %s, key %s (%s)", v->signer ? v->signer : "?", fpr,
		          v->trusted ? "trusted" : "not certified as the signer's");
		break;
	case CRYPT_SIG_BAD:
		sb_adds(&sb, "BAD signature");
		if (v->signer)
			sb_printf(&sb, " claiming to be from %s", v->signer);
		if (v->fingerprint)
			sb_printf(&sb, ", key %s", fpr);
		break;
	case CRYPT_SIG_UNKNOWN_KEY:
		sb_printf(&sb, "Signed by an unknown key %s (fetch it to check the signature)", fpr);
		break;
	case CRYPT_SIG_EXPIRED:
		sb_printf(&sb, "Signature by an EXPIRED key: %s, key %s", v->signer ? v->signer : "?", fpr);
		break;
	case CRYPT_SIG_REVOKED:
		sb_printf(&sb, "Signature by a REVOKED key: %s, key %s", v->signer ? v->signer : "?", fpr);
		break;
	default:
		if (v->encrypted && v->decrypted)
			sb_adds(&sb, "Not signed");
		break;
	}
	if (v->error)
		sb_printf(&sb, "%s%s", v->sig != CRYPT_SIG_NONE || v->decrypted ? " (" : ": ", v->error);
	if (v->error && (v->sig != CRYPT_SIG_NONE || v->decrypted))
		sb_addc(&sb, ')');
	return sb_steal(&sb);
}
