/* syslog-shim.c: LD_PRELOAD for the lab's Cyrus, which logs only through syslog(3).
 * Test machines and CI have no /dev/log, so without this every Cyrus error vanishes.
 * Appends "time pid level: message" lines to $LAB_SYSLOG_FILE (all levels, debug too).
 * Built by tests/servers/cyrus.sh: cc -shared -fPIC -o syslog-shim.so syslog-shim.c */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static const char *ident = "cyrus";

static void emit(int pri, const char *fmt, va_list ap)
{
	const char *path = getenv("LAB_SYSLOG_FILE");
	char line[8192];
	int saved = errno; /* %m in fmt needs the caller's errno */
	int n;
	time_t now;

	if (!path)
		return;
	now = time(NULL);
	n = snprintf(line, sizeof line, "%ld %s[%d] %d: ", (long)now, ident, (int)getpid(), pri & 7);
	errno = saved;
	n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	if (n > (int)sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	/* O_APPEND: one write per line, so lines of concurrent processes never interleave. */
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		ssize_t w = write(fd, line, (size_t)n);
		(void)w;
		close(fd);
	}
	errno = saved;
}

void openlog(const char *id, int option, int facility)
{
	(void)option;
	(void)facility;
	if (id)
		ident = id;
}

void closelog(void) {}

void vsyslog(int pri, const char *fmt, va_list ap) { emit(pri, fmt, ap); }

void syslog(int pri, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(pri, fmt, ap);
	va_end(ap);
}

/* glibc routes syslog() to these when built with _FORTIFY_SOURCE, as Debian does. */
void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;
	(void)flag;
	va_start(ap, fmt);
	emit(pri, fmt, ap);
	va_end(ap);
}

void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	emit(pri, fmt, ap);
}
