/* Waiting for news: IDLE on INBOX (RFC 2177), re-issued well before the
 * 29-minute limit, polled together with the worker's wake pipe; without
 * IDLE, just the wake pipe until the poll interval is up. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_imap.h"
#include "db/db_mailbox.h"
#include "db/db_sync.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/imap/imap.h"
#include "src/base/util.h"

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

/* Whether INBOX (selected) holds news the database does not have yet:
 * an EXISTS since the SELECT (a delivery that came with another command's
 * answer: a pushed STORE, a body fetch), a count that differs from the
 * stored one, or, right after a fresh SELECT, a UIDNEXT past the
 * checkpoint. The server has already told us, so IDLE would stay silent
 * and the message would wait for the poll interval. */
static int
inbox_news(struct imap *im, struct sync_ctx *ctx, const struct mailbox_row *inbox, int fresh)
{
	const struct mailimap_selection_info *si = im->s->imap_selection_info;
	struct imap_checkpoint cp;
	char *res, *state = NULL;
	int64_t have = 0;
	int news = 0;

	if (!si)
		return 0;
	if (si->sel_has_exists)
		return 1;
	if (!inbox)
		return 0;
	if (db_imap_count(ctx->db, inbox->id, &have) == TERN_OK && have != (int64_t)si->sel_exists)
		return 1;
	if (!fresh)
		return 0;
	res = imap_checkpoint_resource(inbox->remote_id);
	if (db_sync_state_get(ctx->db, im->account_id, res, &state) == TERN_OK &&
	    imap_checkpoint_parse(state, &cp) == TERN_OK)
		news = cp.uidvalidity != im->sel_uidvalidity || cp.uidnext != im->sel_uidnext;
	else
		news = 1;     /* never synced */
	free(state);
	free(res);
	return news;
}

/* Whether the responses that came during IDLE (parsed by DONE) say
 * anything about the messages: EXISTS, EXPUNGE, FETCH (flags), VANISHED.
 * "* OK Still here" and the like do not. */
static int
idle_brought_news(struct imap *im)
{
	const struct mailimap_response_info *ri = im->s->imap_response_info;
	if (im->s->imap_selection_info && im->s->imap_selection_info->sel_has_exists)
		return 1;
	return ri && ((ri->rsp_fetch_list && clist_count(ri->rsp_fetch_list) > 0) ||
	              (ri->rsp_expunged && clist_count(ri->rsp_expunged) > 0) ||
	              (ri->rsp_extension_list && clist_count(ri->rsp_extension_list) > 0));
}

/* One IDLE of at most ms: *which as wait_fds (1: the server spoke,
 * 2: the wake pipe). */
static int
idle_once(struct imap *im, struct sync_ctx *ctx, int ms, int *which, char **err)
{
	int r;

	*which = 0;
	if ((r = mailimap_idle(im->s)) != MAILIMAP_NO_ERROR)
		return imap_error(im, r, "IDLE", err);
	/* A response that came with "+ idling" sits in libetpan's buffer, where
	 * poll() cannot see it (libs.md 1.5). */
	if (im->s->imap_stream->read_buffer_len > 0 || im->s->imap_selection_info->sel_has_exists)
		*which = 1;
	else
		wait_fds(mailimap_idle_get_fd(im->s), ctx->wake_fd, ms, which);
	if (ctx->stop && *ctx->stop)
		return TERN_ECANCELLED;
	if ((r = mailimap_idle_done(im->s)) != MAILIMAP_NO_ERROR)
		return imap_error(im, r, "IDLE DONE", err);
	return TERN_OK;
}

/* Returns when INBOX has news (im->changed), the wake pipe is readable, or
 * max_ms are up; a keep-alive line from the server only renews the IDLE. */
int
imap_wait(struct imap *im, struct sync_ctx *ctx, int max_ms, char **err)
{
	struct mailbox_row inbox = { 0 };
	const char *remote;
	int which = 0, rc = TERN_OK, fresh, have_inbox;
	int64_t end;

	if (im->changed || max_ms <= 0)
		return TERN_OK;
	if (!im->idle) {
		wait_fds(ctx->wake_fd, -1, max_ms, &which);
		return TERN_OK;
	}
	end = time_mono_ms() + max_ms;
	have_inbox = db_mailbox_by_role(ctx->db, im->account_id, MAILBOX_ROLE_INBOX, &inbox) == TERN_OK;
	remote = have_inbox ? inbox.remote_id : "INBOX";
	fresh = !im->selected || strcmp(im->selected, remote) != 0;
	if ((rc = imap_select(im, remote, err)) != TERN_OK) {
		db_mailbox_row_free(&inbox);
		return rc == TERN_EREFUSED ? (wait_fds(ctx->wake_fd, -1, max_ms, &which), TERN_OK) : rc;
	}
	if (inbox_news(im, ctx, have_inbox ? &inbox : NULL, fresh))
		im->changed = 1;
	while (!im->changed) {
		int64_t left = end - time_mono_ms();
		if (left <= 0)
			break;
		if ((rc = idle_once(im, ctx, imap_idle_ms((int)left), &which, err)) != TERN_OK)
			break;
		/* Woken by a poke, DONE may still have brought an EXISTS. */
		if (idle_brought_news(im) || inbox_news(im, ctx, have_inbox ? &inbox : NULL, 0))
			im->changed = 1;
		if (which & 2)
			break;
	}
	db_mailbox_row_free(&inbox);
	return rc;
}
