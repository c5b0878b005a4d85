/* Content-Transfer-Encoding decoders (RFC 2045 6.7, 6.8) and the header
 * variant of quoted-printable (RFC 2047 4.2). Real mail is often broken:
 * stray characters are skipped and truncated input yields what it can. */
#include "config.h"

#include "src/base/util.h"
#include "src/mime/mime_int.h"

static int
b64_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')   /* '-' and '_': the URL-safe alphabet some senders use */
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

void
mime_b64_decode(const char *s, size_t n, strbuf *out)
{
	unsigned acc = 0;
	int bits = 0;

	sb_grow(out, n / 4 * 3 + 3);
	out->buf[out->len] = '\0';   /* sb_grow leaves it unterminated */
	for (size_t i = 0; i < n; i++) {
		int v = b64_val((unsigned char)s[i]);
		if (v < 0)
			continue;       /* line breaks, padding, garbage */
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			sb_addc(out, (char)((acc >> bits) & 0xFF));
		}
	}
}

void
mime_qp_decode(const char *s, size_t n, strbuf *out, int header)
{
	size_t i = 0;

	sb_grow(out, n);
	out->buf[out->len] = '\0';
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c == '=') {
			int hi = i + 2 < n ? hex_value((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < n ? hex_value((unsigned char)s[i + 2]) : -1;
			if (hi >= 0 && lo >= 0) {
				sb_addc(out, (char)(hi * 16 + lo));
				i += 3;
				continue;
			}
			/* Soft line break: "=" then optional blanks then end of line. */
			size_t j = i + 1;
			while (j < n && (s[j] == ' ' || s[j] == '\t'))
				j++;
			if (j >= n) {
				i = n;
				continue;
			}
			if (s[j] == '\r' || s[j] == '\n') {
				if (s[j] == '\r' && j + 1 < n && s[j + 1] == '\n')
					j++;
				i = j + 1;
				continue;
			}
			sb_addc(out, '=');  /* a lone "=": keep it, as most readers do */
			i++;
		} else if (c == '_' && header) {
			sb_addc(out, ' ');
			i++;
		} else if ((c == ' ' || c == '\t') && !header) {
			/* Trailing blanks before a line break were added in transport. */
			size_t j = i;
			while (j < n && (s[j] == ' ' || s[j] == '\t'))
				j++;
			if (j < n && s[j] != '\r' && s[j] != '\n')
				sb_add(out, s + i, j - i);
			i = j;
		} else {
			sb_addc(out, (char)c);
			i++;
		}
	}
}
