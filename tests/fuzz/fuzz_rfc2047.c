/* Header words and charsets: RFC 2047 encoded words (mime_decode_header),
 * address lists (mail_addr_parse), RFC 2231 parameters as a BODYSTRUCTURE
 * gives them (mime_param_lookup), and bytes in a named charset to UTF-8
 * (mime_to_utf8). Input: a header value, then after the first NUL a
 * charset name, then after the second NUL the bytes in that charset;
 * the lines of the header value double as "name=value" parameters. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/mime/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *hdr, *cs, *bytes, *end = in + size;
	const char *names[16], *values[16];
	struct mail_addr_list l = { 0 };
	size_t n = 0, blen;

	memcpy(in, data, size);
	in[size] = '\0';
	hdr = in;
	cs = memchr(in, '\0', size) ? strchr(in, '\0') + 1 : end;
	bytes = cs < end ? strchr(cs, '\0') + 1 : end;
	if (bytes > end)
		bytes = end;
	blen = (size_t)(end - bytes);

	free(mime_decode_header(hdr));
	mail_addr_parse(hdr, &l);
	free(mail_addr_format(&l));
	mail_addr_free(&l);
	free(mime_to_utf8(cs < end ? cs : NULL, bytes, blen));

	/* Parameters: "name=value" lines of the header value. */
	for (char *line = hdr, *next; line && *line && n < 16; line = next) {
		char *eq;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		names[n] = line;
		values[n++] = eq + 1;
	}
	if (n) {
		free(mime_param_lookup(names, values, n, "filename"));
		free(mime_param_lookup(names, values, n, "name"));
	}
	free(in);
	return 0;
}
