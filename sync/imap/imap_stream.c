/* libetpan's literal reader ({N}CRLF then N bytes) loops while it still
 * needs bytes and takes a read of 0 as "nothing yet": a server that closes
 * the connection inside a literal makes it spin at full CPU for ever, and
 * not even imap_interrupt() (a shutdown(), which reads as 0 too) ends it.
 * In IMAP the end of the stream is never an answer, so the guard reports
 * it as the error it is (-1). Every other call goes to the stream below. */
#include "config.h"

#include <stdlib.h>

#include "src/base/err.h"
#include "sync/imap/imap.h"
#include "sync/imap/imap_stream.h"

static ssize_t
guard_read(mailstream_low *s, void *buf, size_t count)
{
	ssize_t r = mailstream_low_read(s->data, buf, count);
	return r == 0 && count > 0 ? -1 : r;
}

static ssize_t
guard_write(mailstream_low *s, const void *buf, size_t count)
{
	return mailstream_low_write(s->data, buf, count);
}

static int
guard_close(mailstream_low *s)
{
	return mailstream_low_close(s->data);
}

static int
guard_get_fd(mailstream_low *s)
{
	return mailstream_low_get_fd(s->data);
}

static void
guard_free(mailstream_low *s)
{
	mailstream_low_free(s->data);
	free(s);
}

static void
guard_cancel(mailstream_low *s)
{
	mailstream_low_cancel(s->data);
}

static struct mailstream_cancel *
guard_get_cancel(mailstream_low *s)
{
	return mailstream_low_get_cancel(s->data);
}

static carray *
guard_get_certificate_chain(mailstream_low *s)
{
	return mailstream_low_get_certificate_chain(s->data);
}

static int
guard_setup_idle(mailstream_low *s)
{
	return mailstream_low_setup_idle(s->data);
}

static int
guard_unsetup_idle(mailstream_low *s)
{
	return mailstream_low_unsetup_idle(s->data);
}

static int
guard_interrupt_idle(mailstream_low *s)
{
	return mailstream_low_interrupt_idle(s->data);
}

static mailstream_low_driver guard_driver = {
	.mailstream_read = guard_read,
	.mailstream_write = guard_write,
	.mailstream_close = guard_close,
	.mailstream_get_fd = guard_get_fd,
	.mailstream_free = guard_free,
	.mailstream_cancel = guard_cancel,
	.mailstream_get_cancel = guard_get_cancel,
	.mailstream_get_certificate_chain = guard_get_certificate_chain,
	.mailstream_setup_idle = guard_setup_idle,
	.mailstream_unsetup_idle = guard_unsetup_idle,
	.mailstream_interrupt_idle = guard_interrupt_idle,
};

int
imap_stream_guard(mailstream *ms)
{
	mailstream_low *low = ms ? mailstream_get_low(ms) : NULL, *g;

	if (!low || low->driver == &guard_driver)
		return TERN_OK;
	if (!(g = mailstream_low_new(low, &guard_driver)))
		return TERN_ENOMEM;
	mailstream_set_low(ms, g);
	return TERN_OK;
}
