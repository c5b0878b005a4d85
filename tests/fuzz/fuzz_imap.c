/* IMAP responses: the bytes a server sends, through libetpan's response
 * parser (driven by the very calls tern makes) and tern's conversion of
 * what it returns: FETCH to message records (imap_batch_read: envelope,
 * RFC 2047 words, BODYSTRUCTURE attachments, flags, MODSEQ), QRESYNC
 * FETCH with VANISHED, LIST (modified UTF-7 names, roles, hierarchy),
 * STATUS, NAMESPACE then LIST, SELECT of another folder. The first input byte picks the
 * command; the rest is what the server answers it (after a fixed
 * greeting and SELECT). TERN_FUZZ_VERBOSE=1 says what libetpan made of it. The stream is memory: libetpan reads it as from a socket. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "sync/imap/imap.h"
#include "sync/imap/imap_list.h"
#include "sync/imap/imap_stream.h"

struct mem {
	const uint8_t *p;
	size_t n, off;
};

static ssize_t
mem_read(mailstream_low *s, void *buf, size_t count)
{
	struct mem *m = s->data;
	size_t k = m->n - m->off;
	if (k > count)
		k = count;
	memcpy(buf, m->p + m->off, k);
	m->off += k;
	return (ssize_t)k;
}

static ssize_t
mem_write(mailstream_low *s, const void *buf, size_t count)
{
	(void)s;
	(void)buf;
	return (ssize_t)count;
}

static int
mem_close(mailstream_low *s)
{
	(void)s;
	return 0;
}

static int
mem_fd(mailstream_low *s)
{
	(void)s;
	return -1;
}

static void
mem_free(mailstream_low *s)
{
	free(s);
}

static void
mem_cancel(mailstream_low *s)
{
	(void)s;
}

static mailstream_low_driver mem_driver = {
	.mailstream_read = mem_read,
	.mailstream_write = mem_write,
	.mailstream_close = mem_close,
	.mailstream_get_fd = mem_fd,
	.mailstream_free = mem_free,
	.mailstream_cancel = mem_cancel,
};

/* Before the input: a greeting and the answer to SELECT INBOX (tag 1), so
 * the input answers tag 2 (then 3 after NAMESPACE) in the selected state. */
static const char greeting[] =
	"* PREAUTH [CAPABILITY IMAP4rev1 NAMESPACE CONDSTORE QRESYNC ENABLE UIDPLUS MOVE IDLE] ready\r\n"
	"* 3 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n* OK [UIDNEXT 9] n\r\n* OK [HIGHESTMODSEQ 20] m\r\n"
	"1 OK [READ-WRITE] selected\r\n";

/* libetpan's parser leaks on its own error paths (mailimap_section_parse:
 * "[HEADER" without "]" skips mailimap_section_spec_free) and drops what it
 * allocated when it backtracks inside a response that then parses (the
 * name of an unpaired body-fld-param,
 * regress/imap/libetpan-param-backtrack-leak; a media type tried as
 * MESSAGE/RFC822 then as basic, in a static function the stripped library
 * cannot name, regress/imap/libetpan-static-leak). Those cannot be told
 * from a result tern failed to free (both are allocated inside libetpan,
 * whose frames end the stack), so leaks of memory libetpan allocated are
 * not reported here: fuzz_imap finds tern's own leaks, crashes and hangs.
 * (The one leak of a libetpan result it found, a STATUS answered NO,
 * came before this; imap_status's error path now frees it.) */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libetpan.so\n";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct account_cfg acct = { .name = "fuzz" };
	struct imap im = { 0 };
	struct mem m;
	uint8_t *buf;
	mailstream *ms;
	char *err = NULL;
	int op;

	if (size < 1)
		return 0;
	op = data[0] % 6;
	buf = malloc(sizeof greeting - 1 + size - 1 + 1);
	memcpy(buf, greeting, sizeof greeting - 1);
	memcpy(buf + sizeof greeting - 1, data + 1, size - 1);
	m = (struct mem){ buf, sizeof greeting - 1 + size - 1, 0 };

	imap_init(&im);
	im.acct = &acct;
	im.s = mailimap_new(0, NULL);
	ms = mailstream_new(mailstream_low_new(&m, &mem_driver), 8192);
	/* As imap_conn.c does with the socket: the end of input is an error. */
	if (imap_stream_guard(ms) != TERN_OK)
		abort();
	if (mailimap_connect(im.s, ms) != MAILIMAP_NO_ERROR_AUTHENTICATED)
		abort();
	im.condstore = mailimap_has_condstore(im.s);
	im.ns_prefix = strdup("");
	if (imap_select(&im, "INBOX", &err) != TERN_OK)
		abort();
	switch (op) {
	case 0: {
		/* The header fetch of a folder's sync, on its own thread. */
		struct imap_batch b = { 0 };
		int r;
		imap_batch_start(&b, im.s, mailimap_set_new_interval(1, 0), 1);
		r = imap_batch_join(&b);
		if (getenv("TERN_FUZZ_VERBOSE"))
			fprintf(stderr, "fuzz_imap: UID FETCH: libetpan %d, %zu messages\n", r, b.n);
		imap_batch_free(&b);
		break;
	}
	case 1: {
		/* QRESYNC: what incremental() in imap_folder.c reads. */
		struct mailimap_set *set = mailimap_set_new_interval(1, 0);
		struct mailimap_fetch_type *ft = imap_fetch_type_headers(1);
		struct mailimap_qresync_vanished *van = NULL;
		struct imap_batch b = { 0 };
		clist *res = NULL;
		int r = mailimap_uid_fetch_qresync(im.s, set, ft, 1, &res, &van);
		if (getenv("TERN_FUZZ_VERBOSE"))
			fprintf(stderr, "fuzz_imap: UID FETCH QRESYNC: libetpan %d\n", r);
		/* On failure libetpan has freed both and left the pointers. */
		if (r == MAILIMAP_NO_ERROR) {
			imap_batch_read(&b, res);
			if (van)
				mailimap_qresync_vanished_free(van);
		}
		imap_batch_free(&b);
		mailimap_fetch_type_free(ft);
		mailimap_set_free(set);
		break;
	}
	case 2:
	case 3: {
		struct lmb *v = NULL;
		size_t n = 0;
		if (op == 3 && imap_namespace_load(&im, &err) != TERN_OK)
			break;
		if (imap_list_all(&im, &v, &n, &err) == 0)
			imap_list_free(v, n);
		if (getenv("TERN_FUZZ_VERBOSE"))
			fprintf(stderr, "fuzz_imap: LIST: %zu folders, %s\n", n, err ? err : "ok");
		break;
	}
	case 4: {
		struct imap_status st;
		imap_status(&im, "INBOX", &st, &err);
		break;
	}
	case 5:
		imap_select(&im, "Archive", &err);
		break;
	}
	free(err);
	im.broken = 1;   /* no LOGOUT: nothing is listening */
	if (im.s)
		mailimap_free(im.s);
	im.s = NULL;
	imap_namespace_free(&im);
	free(im.selected);
	im.selected = NULL;
	imap_destroy(&im);
	free(buf);
	return 0;
}
