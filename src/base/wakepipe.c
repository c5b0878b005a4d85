#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/base/err.h"
#include "src/base/wakepipe.h"

int
wakepipe_open(struct wakepipe *w)
{
	int fds[2];
	w->rd = w->wr = -1;
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
		return TERN_EIO;
	w->rd = fds[0];
	w->wr = fds[1];
	return TERN_OK;
}

int
wakepipe_open_fifo(struct wakepipe *w, const char *path)
{
	struct stat sb;
	w->rd = w->wr = -1;
	if (mkfifo(path, 0600) != 0 && errno != EEXIST)
		return TERN_EIO;
	/* Our own writer keeps the FIFO from reading as EOF when other
	 * processes come and go; opening it cannot block: we are the reader. */
	w->rd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (w->rd < 0 || fstat(w->rd, &sb) != 0 || !S_ISFIFO(sb.st_mode))
		goto fail;
	w->wr = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (w->wr < 0)
		goto fail;
	return TERN_OK;
fail:
	wakepipe_close(w);
	return TERN_EIO;
}

int
wakepipe_poke_path(const char *path)
{
	/* ENXIO: nobody reads it (no process syncs the account). */
	struct stat sb;
	int poked = 0;
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &sb) == 0 && S_ISFIFO(sb.st_mode)) {
		wakepipe_poke(fd);
		poked = 1;
	}
	close(fd);
	return poked;
}

void
wakepipe_close(struct wakepipe *w)
{
	if (w->rd >= 0)
		close(w->rd);
	if (w->wr >= 0)
		close(w->wr);
	w->rd = w->wr = -1;
}

void
wakepipe_poke(int wr_fd)
{
	int saved = errno;
	ssize_t n;
	if (wr_fd < 0)
		return;
	/* EAGAIN: the pipe is full, the reader will look anyway. */
	do
		n = write(wr_fd, "x", 1);
	while (n < 0 && errno == EINTR);
	errno = saved;
}

int
wakepipe_drain(int rd_fd)
{
	char buf[256];
	int any = 0;
	ssize_t n;
	if (rd_fd < 0)
		return 0;
	while ((n = read(rd_fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			any = 1;
	return any;
}
