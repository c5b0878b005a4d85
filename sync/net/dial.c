/* Interruptible TCP connect (sync/dial.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/base/err.h"
#include "sync/net/dial.h"
#include "sync/net/resolve.h"
#include "src/base/util.h"

#define DIAL_STEP_MS 100

/* One address: 0 connected, else an errno (ETIMEDOUT, ECANCELED, ...). */
static int
dial_one(const struct addrinfo *ai, int64_t end, stop_flag *stop, int *out)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
	int e = 0;

	if (fd < 0)
		return errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		e = errno;
		close(fd);
		return e;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int64_t left = end - time_mono_ms();
		socklen_t len = sizeof e;
		int r;

		if (stop && *stop) {
			e = ECANCELED;
			break;
		}
		if (left <= 0) {
			e = ETIMEDOUT;
			break;
		}
		r = poll(&p, 1, left < DIAL_STEP_MS ? (int)left : DIAL_STEP_MS);
		if (r < 0 && errno != EINTR) {
			e = errno;
			break;
		}
		if (r <= 0)
			continue;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
			e = errno;
		break;
	}
	if (e == 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		e = errno;
	if (e) {
		close(fd);
		return e;
	}
	*out = fd;
	return 0;
}

int
dial_tcp(const char *host, int port, int timeout_s, stop_flag *stop, int *fd, char **err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
	char svc[16];
	int64_t end = time_mono_ms() + (int64_t)(timeout_s > 0 ? timeout_s : 30) * 1000;
	int e = ENOENT, r;

	*fd = -1;
	snprintf(svc, sizeof svc, "%d", port);
	if ((r = resolve_host(host, svc, &hints, end, stop, &res, err)) != TERN_OK)
		return r;
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		if ((e = dial_one(ai, end, stop, fd)) == 0 || e == ECANCELED || e == ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	if (e == 0)
		return TERN_OK;
	if (e == ECANCELED)
		return TERN_ECANCELLED;
	*err = xasprintf("cannot connect to %s:%d: %s", host, port, strerror(e));
	return e == ETIMEDOUT ? TERN_ETIMEOUT : TERN_ENET;
}
