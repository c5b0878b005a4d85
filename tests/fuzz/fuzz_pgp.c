/* A message as it arrives (any bytes), through the PGP/MIME parsing that
 * runs before gpg sees anything: the signed part cut out of a
 * multipart/signed message in canonical CRLF form with its signature
 * (crypt_signed_parts), and a decrypted entity put under the message's
 * header (crypt_rebuild, with the input's second half as the entity),
 * which the pager then renders. gpg itself is not run: what it is given
 * is what this checks, and tests/integration/pgp_mail.sh gives it
 * tampered, truncated and garbage input for real. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/crypt/crypt_int.h"
#include "src/mime/mime.h"
#include "src/mime/mime_render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct render_opts o = { .headers = RENDER_HDR_NONE, .attachments = 1 };
	const char *raw = (const char *)data;
	char *text = NULL, *sig = NULL, *msg;
	size_t tlen = 0, slen = 0, mlen = 0;
	mime_msg *m = NULL;

	if (mime_parse(raw, size, &m) != 0)
		return 0;
	if (crypt_signed_parts(raw, size, m, &text, &tlen, &sig, &slen) == 0) {
		/* Canonical form: no bare LF, no bare CR before LF dropped. */
		for (size_t i = 0; i < tlen; i++)
			if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
				abort();
	}
	free(text);
	free(sig);
	mime_free(m);
	msg = crypt_rebuild(raw, size, raw + size / 2, size - size / 2, &mlen);
	if (strlen(msg) > mlen)
		abort();
	free(mime_render_raw(msg, mlen, &o));
	free(msg);
	return 0;
}
