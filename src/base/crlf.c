#include "config.h"

#include <strings.h>

#include "src/base/crlf.h"

void
crlf_normalise(const char *raw, size_t len, int drop_bcc, strbuf *out)
{
	int in_header = 1, skipping = 0;
	size_t i = 0;
	while (i < len) {
		size_t e = i;
		while (e < len && raw[e] != '\n')
			e++;
		size_t l = e;
		if (l > i && raw[l - 1] == '\r')
			l--;
		if (in_header) {
			if (l == i) {
				in_header = 0;
				skipping = 0;
			} else if (raw[i] == ' ' || raw[i] == '\t') {
				/* a continuation line belongs to the field before */
			} else {
				skipping = drop_bcc && l - i >= 4 && strncasecmp(raw + i, "bcc:", 4) == 0;
			}
		}
		if (!(in_header && skipping)) {
			sb_add(out, raw + i, l - i);
			sb_add(out, "\r\n", 2);
		}
		i = e < len ? e + 1 : e;
	}
}
