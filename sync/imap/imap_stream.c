/* The stream libetpan reads the server through, with two guards libetpan
 * lacks.
 *
 * The end of the stream: libetpan's literal reader ({N}CRLF then N bytes)
 * loops while it still needs bytes and takes a read of 0 as "nothing yet":
 * a server that closes the connection inside a literal makes it spin at
 * full CPU for ever, and not even imap_interrupt() (a shutdown(), which
 * reads as 0 too) ends it. In IMAP the end of the stream is never an
 * answer, so the guard reports it as the error it is (-1).
 *
 * The size of a literal: libetpan allocates the size a server announces
 * before a byte of the literal arrives, so "{4000000000}" from a hostile or
 * broken server costs 4 GB at once. The guard follows the bytes as they
 * pass (a line that ends in {N}CRLF, then N bytes of literal that are not
 * looked into) and fails the read that announces more than
 * IMAP_LITERAL_MAX, before the parser sees it. It also counts the
 * parentheses open (outside strings and literals): libetpan parses nested
 * lists by recursion, so a response nested deeper than IMAP_NESTING_MAX
 * is cut too. What was cut reads as a parse error of that answer
 * (imap_stream_result), so a header batch narrows it down to the one
 * message and stores it as damaged (imap_salvage.c). Every other call goes
 * to the stream below. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/imap/imap.h"
#include "sync/imap/imap_stream.h"

/* No mail provider accepts a message near this size (the largest limits
 * are about 150 MB); it bounds what one announcement can make us allocate. */
#define IMAP_LITERAL_MAX ((uint64_t)IMAP_LITERAL_MAX_MIB << 20)

/* Where the scanner is in the server's bytes: on a line; in a quoted
 * string, after a CR in it, after its backslash; in "{N"; after "{N+" (a
 * non-synchronising literal, which libetpan also takes); after "{N}",
 * after "{N}\r"; inside a literal. */
enum scan {
	SCAN_LINE, SCAN_QUOTED, SCAN_QUOTED_CR, SCAN_ESCAPE, SCAN_NUMBER, SCAN_PLUS, SCAN_CLOSE, SCAN_CR,
	SCAN_LITERAL
};

struct guard {
	mailstream_low *below;
	enum scan state;
	uint64_t n;               /* the number being read, then the literal bytes left */
	unsigned depth;           /* parentheses open in this response */
	uint32_t tail;            /* the last four bytes of the line, upper case */
	int in_uid;               /* reading the number after "UID " */
	uint64_t uid;
	int refused;              /* a limit was passed: reads fail */
};

/* A quoted string's next character. libetpan lets one run over line ends
 * (a bare LF inside one is common in broken servers' output); the guard
 * ends it at a CRLF all the same, which no server sends inside a quoted
 * string, so that a stray quote in a line of text (where libetpan sees no
 * string) cannot hide the rest of the response from the check. */
static enum scan
scan_quoted(unsigned char c, int after_cr)
{
	if (c == '"' || (after_cr && c == '\n'))
		return SCAN_LINE;
	return c == '\\' ? SCAN_ESCAPE : c == '\r' ? SCAN_QUOTED_CR : SCAN_QUOTED;
}

/* Where one byte outside a literal takes the scanner. A '{' inside a
 * quoted string (a subject "{1000000000000}") announces nothing. */
static enum scan
scan_byte(struct guard *g, unsigned char c)
{
	switch (g->state) {
	case SCAN_QUOTED:
	case SCAN_QUOTED_CR:
		return scan_quoted(c, g->state == SCAN_QUOTED_CR);
	case SCAN_ESCAPE:
		/* A backslash and a quote or backslash are one character; a
		 * backslash before anything else stands for itself (as
		 * libetpan reads it). */
		return c == '"' || c == '\\' ? SCAN_QUOTED : scan_quoted(c, 0);
	case SCAN_NUMBER:
		if (c >= '0' && c <= '9') {
			g->n = g->n * 10 + (c - '0');
			return SCAN_NUMBER;
		}
		if (c == '+')
			return SCAN_PLUS;
		if (c == '}')
			return SCAN_CLOSE;
		break;
	case SCAN_PLUS:
		if (c == '}')
			return SCAN_CLOSE;
		break;
	case SCAN_CLOSE:
	case SCAN_CR:
		if (c == '\r' && g->state == SCAN_CLOSE)
			return SCAN_CR;
		if (c == '\n')     /* libetpan takes a bare LF as well */
			return g->n ? SCAN_LITERAL : SCAN_LINE;
		break;
	default:
		break;
	}
	if (c == '{') {
		g->n = 0;
		return SCAN_NUMBER;
	}
	return c == '"' ? SCAN_QUOTED : SCAN_LINE;
}

/* Whether byte c of a line ends (or goes on) a UID that libetpan would
 * misread: 0, which it takes (and tern cannot store), or one past 2^32 - 1,
 * which it wraps round to another message's. */
static int
scan_uid(struct guard *g, unsigned char c)
{
	int digit = c >= '0' && c <= '9';
	int bad = 0;

	if (g->in_uid && digit) {
		g->uid = g->uid * 10 + (c - '0');
		bad = g->uid > UINT32_MAX;
	} else if (g->in_uid) {
		g->in_uid = 0;
		bad = g->uid == 0;
	} else if (digit && g->tail == ((uint32_t)'U' << 24 | 'I' << 16 | 'D' << 8 | ' ')) {
		g->in_uid = 1;
		g->uid = c - '0';
	}
	g->tail = c == '\n' ? 0 : g->tail << 8 | (uint32_t)(c >= 'a' && c <= 'z' ? c - 32 : c);
	if (bad)
		log_warn("imap: the server's answer has a UID of %s, which is not one; the answer is not read",
		         g->uid ? "more than 2^32 - 1" : "0");
	return bad;
}

/* Follows the bytes libetpan is about to parse; returns how many of them
 * it may have: len, or fewer when an answer passes a limit (a literal's
 * announced size, the depth of parentheses, a UID out of range). The cut for a literal is
 * inside the number: libetpan allocates once it has the
 * whole "{N}" (even without the CRLF after it, for an old server's sake),
 * so it must never get the digit that takes N past the limit. What came
 * before still reaches the parser; the next read fails. */
static size_t
guard_scan(struct guard *g, const unsigned char *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		enum scan was = g->state;
		unsigned char c = p[i];
		if (was == SCAN_LITERAL) {
			size_t take = len - i < g->n ? len - i : (size_t)g->n;
			g->n -= take;
			i += take;
			if (!g->n)
				g->state = SCAN_LINE;
			continue;
		}
		g->state = scan_byte(g, c);
		if (g->state == SCAN_NUMBER && g->n > IMAP_LITERAL_MAX) {
			log_warn("imap: the server announced a literal of more than %d MiB, tern's limit; the answer is "
			         "not read",
			         IMAP_LITERAL_MAX_MIB);
			g->refused = 1;
			return i;
		}
		if (was == SCAN_LINE && g->state == SCAN_LINE && scan_uid(g, c)) {
			g->refused = 1;
			return i;
		}
		if (was != SCAN_QUOTED && was != SCAN_QUOTED_CR && was != SCAN_ESCAPE) {
			if (c == '(' && ++g->depth > IMAP_NESTING_MAX) {
				/* libetpan's parser recurses once per level: a
				 * BODYSTRUCTURE 20,000 deep ends its stack. */
				log_warn("imap: the server's answer nests more than %d parentheses deep, tern's limit; the "
				         "answer is not read",
				         IMAP_NESTING_MAX);
				g->refused = 1;
				return i;
			}
			if (c == ')' && g->depth)
				g->depth--;
		}
		/* A response ends at a line end that announces no literal. */
		if (c == '\n' && g->state == SCAN_LINE)
			g->depth = 0;
		i++;
	}
	return len;
}

static ssize_t
guard_read(mailstream_low *s, void *buf, size_t count)
{
	struct guard *g = s->data;
	ssize_t r;
	if (g->refused)
		return -1;
	r = mailstream_low_read(g->below, buf, count);
	if (r == 0 && count > 0)
		return -1;
	if (r > 0)
		r = (ssize_t)guard_scan(g, buf, (size_t)r);
	return r == 0 && count > 0 ? -1 : r;
}

static mailstream_low *
below(mailstream_low *s)
{
	return ((struct guard *)s->data)->below;
}

static ssize_t
guard_write(mailstream_low *s, const void *buf, size_t count)
{
	return mailstream_low_write(below(s), buf, count);
}

static int
guard_close(mailstream_low *s)
{
	return mailstream_low_close(below(s));
}

static int
guard_get_fd(mailstream_low *s)
{
	return mailstream_low_get_fd(below(s));
}

static void
guard_free(mailstream_low *s)
{
	struct guard *g = s->data;
	mailstream_low_free(g->below);
	free(g);
	free(s);
}

static void
guard_cancel(mailstream_low *s)
{
	mailstream_low_cancel(below(s));
}

static struct mailstream_cancel *
guard_get_cancel(mailstream_low *s)
{
	return mailstream_low_get_cancel(below(s));
}

static carray *
guard_get_certificate_chain(mailstream_low *s)
{
	return mailstream_low_get_certificate_chain(below(s));
}

static int
guard_setup_idle(mailstream_low *s)
{
	return mailstream_low_setup_idle(below(s));
}

static int
guard_unsetup_idle(mailstream_low *s)
{
	return mailstream_low_unsetup_idle(below(s));
}

static int
guard_interrupt_idle(mailstream_low *s)
{
	return mailstream_low_interrupt_idle(below(s));
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
	mailstream_low *low = ms ? mailstream_get_low(ms) : NULL, *l;
	struct guard *g;

	if (!low || low->driver == &guard_driver)
		return TERN_OK;
	if (!(g = calloc(1, sizeof *g)))
		return TERN_ENOMEM;
	g->below = low;
	if (!(l = mailstream_low_new(g, &guard_driver))) {
		free(g);
		return TERN_ENOMEM;
	}
	mailstream_set_low(ms, l);
	return TERN_OK;
}

int
imap_stream_refused(mailstream *ms)
{
	mailstream_low *low = ms ? mailstream_get_low(ms) : NULL;
	return low && low->driver == &guard_driver && ((struct guard *)low->data)->refused;
}

int
imap_stream_result(mailimap *s, int r)
{
	return r == MAILIMAP_ERROR_STREAM && s && imap_stream_refused(s->imap_stream) ? MAILIMAP_ERROR_PARSE : r;
}
