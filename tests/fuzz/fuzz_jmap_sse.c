/* EventSource frames (RFC 8620 7.3, text/event-stream) as a JMAP server
 * streams them, through the parser of jmap_push.c, in the two pieces the
 * first input byte cuts the rest into (curl hands over any split). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "sync/jmap/jmap.h"
#include "sync/jmap/jmap_push_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct account_cfg acct = { .name = "fuzz" };
	struct jmap_session sess = { .state = "s1", .account_id = "A1" };
	struct jmap j = { .acct = &acct, .sess = &sess };
	const char *e, *m;
	size_t cut;

	if (size < 1)
		return 0;
	cut = size > 1 ? data[0] % size : 0;
	j.push = jmap_push_new();
	jmap_push_feed(&j, (const char *)data + 1, cut ? cut - 1 : 0);
	jmap_push_feed(&j, (const char *)data + (cut ? cut : 1), size - (cut ? cut : 1));
	(void)jmap_push_news(&j, &e, &m);
	jmap_push_free(&j);
	return 0;
}
