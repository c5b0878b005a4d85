/* Waiting for news: IDLE on INBOX (RFC 2177), re-issued well before the
 * 29-minute limit, polled together with the worker's wake pipe; without
 * IDLE, just the wake pipe until the poll interval is up. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "sync/imap.h"
#include "util.h"

/* RFC 2177: servers may drop an IDLE after 30 minutes of silence. */
#define IDLE_MAX_MS (25 * 60 * 1000)

int
imap_idle_ms(int max_ms)
{
	return max_ms > IDLE_MAX_MS ? IDLE_MAX_MS : max_ms;
}

static int
wait_fds(int fd1, int fd2, int ms, int *which)
{
	struct pollfd p[2] = { { .fd = fd1, .events = POLLIN }, { .fd = fd2, .events = POLLIN } };
	int n, r;
	*which = 0;
	n = fd2 >= 0 ? 2 : 1;
	do
		r = poll(p, (nfds_t)n, ms);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return r;
	if (p[0].revents)
		*which |= 1;
	if (n == 2 && p[1].revents)
		*which |= 2;
	return r;
}

int
imap_wait(struct imap *im, struct sync_ctx *ctx, int max_ms, char **err)
{
	int which = 0, r, rc;

	if (im->changed || max_ms <= 0)
		return TERN_OK;
	if (!im->idle) {
		wait_fds(ctx->wake_fd, -1, max_ms, &which);
		return TERN_OK;
	}
	if ((rc = imap_select(im, "INBOX", err)) != TERN_OK)
		return rc == TERN_EREFUSED ? (wait_fds(ctx->wake_fd, -1, max_ms, &which), TERN_OK) : rc;
	max_ms = imap_idle_ms(max_ms);
	im->s->imap_selection_info->sel_has_exists = 0;
	im->s->imap_selection_info->sel_has_recent = 0;
	if ((r = mailimap_idle(im->s)) != MAILIMAP_NO_ERROR)
		return imap_error(im, r, "IDLE", err);
	/* A response that came with "+ idling" sits in libetpan's buffer, where
	 * poll() cannot see it (libs.md 1.5). */
	if (im->s->imap_stream->read_buffer_len > 0 || im->s->imap_selection_info->sel_has_exists) {
		which = 1;
	} else {
		wait_fds(mailimap_idle_get_fd(im->s), ctx->wake_fd, max_ms, &which);
	}
	if (ctx->stop && *ctx->stop)
		return TERN_ECANCELLED;
	if ((r = mailimap_idle_done(im->s)) != MAILIMAP_NO_ERROR)
		return imap_error(im, r, "IDLE DONE", err);
	if (which & 1)
		im->changed = 1;
	return TERN_OK;
}
