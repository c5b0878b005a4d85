#include "config.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "src/mime/msgid.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"

char *
msgid_new(const char *from_addr)
{
	const char *at = from_addr ? strrchr(from_addr, '@') : NULL;
	const char *domain = at && at[1] ? at + 1 : "localhost";
	unsigned char rnd[8];
	char stamp[32], hex[17];
	time_t now = time(NULL);
	struct tm tm;

	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		/* Fall back to time and pid: unique enough for one machine. */
		uint64_t v = (uint64_t)now ^ ((uint64_t)getpid() << 32) ^ (uint64_t)time_mono_ms();
		memcpy(rnd, &v, sizeof rnd);
	}
	for (int i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
	return xasprintf("<%s.%s@%s>", stamp, hex, domain);
}

char *
msgid_date(int64_t t)
{
	static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;
	long off;

	localtime_r(&tt, &tm);
	off = tm.tm_gmtoff / 60;
	return xasprintf("%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld", days[tm.tm_wday], tm.tm_mday,
	                 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	                 off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
}

char *
msgid_list_bare(const char *s)
{
	strbuf sb = STRBUF_INIT;
	const char *p = s;
	if (!s)
		return NULL;
	while ((p = strchr(p, '<')) != NULL) {
		const char *e = strchr(p + 1, '>');
		if (!e)
			break;
		if (e > p + 1) {
			if (sb.len)
				sb_addc(&sb, ' ');
			for (const char *c = p + 1; c < e; c++)
				if (!isspace((unsigned char)*c))
					sb_addc(&sb, *c);
		}
		p = e + 1;
	}
	if (!sb.len && *s && !strchr(s, '<')) {
		/* Message-IDs without brackets happen; keep one word. */
		const char *a = s;
		while (isspace((unsigned char)*a))
			a++;
		size_t n = strcspn(a, " \t\r\n");
		sb_add(&sb, a, n);
	}
	return sb.len ? sb_steal(&sb) : (sb_free(&sb), NULL);
}
