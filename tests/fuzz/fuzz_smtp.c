/* SMTP replies as libcurl's debug callback hands them to smtp_reply:
 * lines starting with '>' are what the client sent (the command a reply
 * answers), the others what the server said, fed in the pieces the input
 * cuts them into (at each NUL). Then the reason a failed send shows. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/net/smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_reply r = { 0 };
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		const char *e = nul ? nul : end;
		if (*p == '>')
			smtp_reply_sent(&r, p + 1, (size_t)(e - p - 1));
		else
			smtp_reply_received(&r, p, (size_t)(e - p));
		p = nul ? nul + 1 : end;
	}
	free(smtp_reply_reason(&r, "Weird server reply"));
	(void)smtp_reply_code(&r);
	return 0;
}
