#include "config.h"

#include <stdio.h>
#include <strings.h>

#include "src/base/err.h"
#include "src/base/sortorder.h"

static const char *const names[SORT_COUNT] = {
	[SORT_ARRIVAL] = "arrival", [SORT_DATE] = "date", [SORT_FROM] = "from", [SORT_TO] = "to",
	[SORT_SUBJECT] = "subject", [SORT_SIZE] = "size", [SORT_FLAGGED] = "flagged",
	[SORT_UNREAD] = "unread",
};

const char *
sort_order_name(enum sort_order o)
{
	return o < SORT_COUNT ? names[o] : "arrival";
}

int
sort_parse(const char *s, struct sort_spec *out)
{
	int reverse = 0;
	if (!s)
		return TERN_EINVAL;
	if (strncasecmp(s, "reverse-", 8) == 0) {
		reverse = 1;
		s += 8;
	}
	for (int i = 0; i < SORT_COUNT; i++)
		if (strcasecmp(s, names[i]) == 0) {
			out->order = (enum sort_order)i;
			out->reverse = reverse;
			return TERN_OK;
		}
	return TERN_EINVAL;
}

const char *
sort_format(const struct sort_spec *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", s->reverse ? "reverse-" : "", sort_order_name(s->order));
	return buf;
}

const char *
sort_names(void)
{
	return "date, arrival, from, to, subject, size, flagged, unread (reverse-KEY for the reverse)";
}

int
sort_desc(const struct sort_spec *s)
{
	int desc = !(s->order == SORT_FROM || s->order == SORT_TO || s->order == SORT_SUBJECT);
	return s->reverse ? !desc : desc;
}
