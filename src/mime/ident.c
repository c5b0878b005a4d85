/* Reply identities and signatures (src/mime/ident.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "src/mime/ident.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"

int
ident_pick(const mime_msg *p, const char *const *addrs, size_t naddrs)
{
	/* Where the message was addressed first; the delivery headers a
	 * server adds name the address of a Bcc or a list's copy. */
	static const char *const fields[] = { "To", "Cc", "Delivered-To", "X-Original-To" };
	int found = -1;

	for (size_t f = 0; f < ARRAY_LEN(fields) && found < 0; f++) {
		struct mail_addr_list l;
		mime_header_addrs(p, fields[f], &l);
		for (size_t i = 0; i < l.n && found < 0; i++)
			for (size_t k = 0; k < naddrs && found < 0; k++)
				if (addrs[k] && l.v[i].addr && str_ieq(addrs[k], l.v[i].addr))
					found = (int)k;
		mail_addr_free(&l);
	}
	return found;
}

size_t
ident_sig_start(const char *text)
{
	size_t last = strlen(text);
	for (const char *s = text; s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
		if (strncmp(s, "-- ", 3) == 0 && (s[3] == '\n' || s[3] == '\0' || (s[3] == '\r' && s[4] == '\n')))
			last = (size_t)(s - text);
	return last;
}

char *
ident_sig_append(const char *body, const char *sig)
{
	strbuf sb = STRBUF_INIT;
	size_t n = strlen(body);

	if (!sig || !*sig)
		return xstrdup(body);
	/* A new message starts with an empty line to write on (as mutt's). */
	sb_add(&sb, body, n);
	if (n == 0 || body[n - 1] != '\n')
		sb_addc(&sb, '\n');
	if (n > 0)
		sb_addc(&sb, '\n');
	sb_printf(&sb, "-- \n%s\n", sig);
	return sb_steal(&sb);
}

char *
ident_sig_replace(const char *body, const char *sig)
{
	size_t at = ident_sig_start(body);
	char *head, *out;

	/* The blank line ident_sig_append put before the separator goes with
	 * it, so that a swap does not add one each time. */
	while (at > 0 && body[at - 1] == '\n' && at < strlen(body) && (at < 2 || body[at - 2] == '\n'))
		at--;
	head = xstrndup(body, at);
	out = ident_sig_append(head, sig);
	free(head);
	return out;
}
