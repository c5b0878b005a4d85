#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "src/base/err.h"
#include "src/base/log.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_fp;
static enum log_level log_level = LOG_INFO;
static int log_stderr;

int
log_open(const char *path)
{
	FILE *fp = fopen(path, "ae");
	if (!fp)
		return TERN_EIO;
	pthread_mutex_lock(&log_lock);
	if (log_fp)
		fclose(log_fp);
	log_fp = fp;
	setvbuf(log_fp, NULL, _IOLBF, 0);
	pthread_mutex_unlock(&log_lock);
	return TERN_OK;
}

void
log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_fp)
		fclose(log_fp);
	log_fp = NULL;
	pthread_mutex_unlock(&log_lock);
}

void
log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

void
log_to_stderr(int on)
{
	log_stderr = on;
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	char stamp[40];
	struct timeval tv;
	struct tm tm;
	va_list ap;

	if (lvl > log_level || (!log_fp && !log_stderr))
		return;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);

	pthread_mutex_lock(&log_lock);
	if (log_fp) {
		fprintf(log_fp, "%s.%03ld [%s] ", stamp, (long)(tv.tv_usec / 1000), names[lvl]);
		va_start(ap, fmt);
		vfprintf(log_fp, fmt, ap);
		va_end(ap);
		fputc('\n', log_fp);
	}
	if (log_stderr) {
		fprintf(stderr, "tern: %s: ", names[lvl]);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	pthread_mutex_unlock(&log_lock);
}

int
log_capture_stderr(void)
{
	int saved = -1;
	pthread_mutex_lock(&log_lock);
	if (log_fp) {
		fflush(stderr);
		fflush(log_fp);
		if ((saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) >= 0 && dup2(fileno(log_fp), STDERR_FILENO) < 0) {
			close(saved);
			saved = -1;
		}
	}
	pthread_mutex_unlock(&log_lock);
	return saved;
}

void
log_release_stderr(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
}
