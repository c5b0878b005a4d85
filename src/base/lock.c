#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "src/base/err.h"
#include "src/base/lock.h"
#include "src/base/util.h"

struct acct_lock {
	int fd;
	char *path;
};

int
lock_acquire(const char *data_dir, const char *account, acct_lock **out, pid_t *holder)
{
	char *dir = xasprintf("%s/locks", data_dir);
	char *path = xasprintf("%s/%s.lock", dir, account);
	char buf[32];
	int fd = -1, rc;
	ssize_t n;

	*out = NULL;
	if (holder)
		*holder = 0;
	if ((rc = mkdir_p(dir, 0700)) != TERN_OK)
		goto fail;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = TERN_EIO;
		goto fail;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		rc = errno == EWOULDBLOCK ? TERN_EBUSY : TERN_EIO;
		if (rc == TERN_EBUSY && holder && (n = pread(fd, buf, sizeof buf - 1, 0)) > 0) {
			buf[n] = '\0';
			*holder = (pid_t)strtol(buf, NULL, 10);
		}
		goto fail;
	}
	/* The pid is only informative (for "locked by pid N" messages). */
	n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		rc = TERN_EIO;
		goto fail;
	}
	*out = xmalloc(sizeof **out);
	(*out)->fd = fd;
	(*out)->path = path;
	free(dir);
	return TERN_OK;
fail:
	if (fd >= 0)
		close(fd);
	free(path);
	free(dir);
	return rc;
}

void
lock_release(acct_lock *l)
{
	if (!l)
		return;
	close(l->fd);
	free(l->path);
	free(l);
}
