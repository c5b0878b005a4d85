/* The per-folder IMAP checkpoint in sync_state: resource "imap:<remote
 * name>", state {"uidvalidity":N,"uidnext":N,"highestmodseq":N}. Parsed
 * by hand: the values are 64-bit (cJSON would round them through double). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "sync/imap/imap.h"
#include "src/base/util.h"

char *
imap_checkpoint_format(const struct imap_checkpoint *cp)
{
	return xasprintf("{\"uidvalidity\":%" PRIu32 ",\"uidnext\":%" PRIu32 ",\"highestmodseq\":%" PRIu64 "}",
	                 cp->uidvalidity, cp->uidnext, cp->highestmodseq);
}

char *
imap_checkpoint_resource(const char *remote)
{
	return xasprintf("imap:%s", remote);
}

static int
field(const char *text, const char *key, uint64_t max, uint64_t *out)
{
	char pat[40];
	const char *p;
	char *end;
	unsigned long long v;

	snprintf(pat, sizeof pat, "\"%s\"", key);
	if (!(p = strstr(text, pat)))
		return TERN_EINVAL;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	if (*p++ != ':')
		return TERN_EINVAL;
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return TERN_EINVAL;
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno || v > max)
		return TERN_EINVAL;
	*out = v;
	return TERN_OK;
}

int
imap_checkpoint_parse(const char *text, struct imap_checkpoint *cp)
{
	uint64_t v, n, m;
	memset(cp, 0, sizeof *cp);
	if (!text || field(text, "uidvalidity", UINT32_MAX, &v) != TERN_OK ||
	    field(text, "uidnext", UINT32_MAX, &n) != TERN_OK ||
	    field(text, "highestmodseq", INT64_MAX, &m) != TERN_OK || v == 0)
		return TERN_EINVAL;
	cp->uidvalidity = (uint32_t)v;
	cp->uidnext = (uint32_t)n;
	cp->highestmodseq = m;
	return TERN_OK;
}
