/* Modified UTF-7 mailbox names (RFC 3501 5.1.3), decoded with glibc's
 * "UTF-7-IMAP" converter through libetpan's charconv. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <libetpan/libetpan.h>

#include "sync/imap/imap.h"
#include "src/base/util.h"

char *
imap_utf7_decode(const char *s)
{
	char *out = NULL;
	if (!s)
		return NULL;
	/* Plain ASCII without '&' is its own encoding: skip iconv. */
	if (!strchr(s, '&'))
		return xstrdup(s);
	if (charconv("utf-8", "UTF-7-IMAP", s, strlen(s), &out) != MAIL_CHARCONV_NO_ERROR || !out) {
		/* Not convertible at all: show what the server sent. (Invalid
		 * sequences inside valid input come back as '?'.) */
		free(out);
		return xstrdup(s);
	}
	{
		char *r = xstrdup(out);
		free(out);
		return r;
	}
}

char *
imap_utf7_encode(const char *s)
{
	char *out = NULL, *r;
	int ascii = 1;
	if (!s)
		return NULL;
	for (const char *p = s; *p; p++)
		ascii &= (unsigned char)*p < 0x80 && *p != '&';
	if (ascii)
		return xstrdup(s);
	if (charconv("UTF-7-IMAP", "utf-8", s, strlen(s), &out) != MAIL_CHARCONV_NO_ERROR || !out) {
		free(out);
		return NULL;
	}
	r = xstrdup(out);
	free(out);
	return r;
}
