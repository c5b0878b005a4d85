/* Crash points (src/base/crashpoint.h). */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/base/crashpoint.h"

const char *crashpoint_armed;
static char point[128];
static long nth = 1;
static atomic_long reached;

void
crashpoint_init(void)
{
	const char *v = getenv("TERN_CRASH_AT");
	const char *colon;
	size_t len;

	if (!v || !*v)
		return;
	colon = strchr(v, ':');
	len = colon ? (size_t)(colon - v) : strlen(v);
	if (len >= sizeof point)
		return;
	memcpy(point, v, len);
	point[len] = '\0';
	if (colon) {
		char *end;
		nth = strtol(colon + 1, &end, 10);
		if (*end || nth < 1)
			nth = 1;
	}
	crashpoint_armed = point;
}

void
crashpoint_hit(const char *name)
{
	static const char msg[] = "tern: crash point ";
	char line[sizeof msg + sizeof point + 1];
	size_t n = strlen(point);

	if (strcmp(name, point) != 0 || atomic_fetch_add(&reached, 1) + 1 != nth)
		return;
	/* Only async-signal-safe calls: another thread may hold any lock. The
	 * line on stderr lets a test tell this exit from a real failure; if
	 * it cannot be written the exit status still says it. */
	memcpy(line, msg, sizeof msg - 1);
	memcpy(line + sizeof msg - 1, point, n);
	line[sizeof msg - 1 + n] = '\n';
	if (write(STDERR_FILENO, line, sizeof msg + n) < 0)
		_exit(137);
	_exit(137);
}
