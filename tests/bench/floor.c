/* The raw IMAP floor for tests/bench/run.sh: the least a client must do to
 * know every message's header data in every folder.  LOGIN, LIST, then per
 * folder SELECT and
 *   UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)
 * reading every byte (literals included) and counting FETCH responses, but
 * parsing nothing else and storing nothing.  Same connection type as the
 * clients it is compared with (plain or STARTTLS with the lab CA).
 *
 * Built by run.sh with: cc -O2 -o floor floor.c $(pkg-config --cflags --libs gnutls)
 *
 * usage: floor [-t none|starttls] [-C cafile] [-H tlsname] [-s STATE] HOST PORT USER PASS [MAILBOX...]
 *   without MAILBOX: every selectable folder from LIST "" "*".
 *   -s STATE: the resync floor.  Without the file: the full fetch above, then
 *   the file records each folder's UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ.
 *   With it: ENABLE QRESYNC, STATUS (UIDVALIDITY UIDNEXT HIGHESTMODSEQ) per
 *   folder, and only for a folder that moved: SELECT (QRESYNC (v m)), which
 *   returns the flag changes and VANISHED UIDs, then the fetch above for
 *   UIDs >= the old UIDNEXT; the file is rewritten.  A folder whose
 *   UIDVALIDITY changed is fetched in full.
 * prints one line per folder to stderr and "messages=N bytes=N folders=N" to stdout;
 * exit 0 only if every command answered OK. */
#define _GNU_SOURCE
#include <errno.h>
#include <gnutls/gnutls.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static int fd = -1;
static gnutls_session_t tls;
static int use_tls;

static char rbuf[1 << 20];
static size_t rpos, rlen;
static unsigned long long bytes_in;

static char *line;          /* the current response line, literals removed */
static size_t line_len, line_cap;

static unsigned tagn;

static void
die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("floor: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static ssize_t
raw_read(void *p, size_t n)
{
	ssize_t r;
	if (use_tls) {
		do
			r = gnutls_record_recv(tls, p, n);
		while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
		if (r < 0)
			die("tls read: %s", gnutls_strerror((int)r));
	} else {
		do
			r = read(fd, p, n);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			die("read: %s", strerror(errno));
	}
	if (r == 0)
		die("server closed the connection");
	bytes_in += (unsigned long long)r;
	return r;
}

static void
fill(void)
{
	rpos = 0;
	rlen = (size_t)raw_read(rbuf, sizeof rbuf);
}

static void
line_add(const char *p, size_t n)
{
	if (line_len + n + 1 > line_cap) {
		while (line_len + n + 1 > line_cap)
			line_cap = line_cap ? line_cap * 2 : 4096;
		line = realloc(line, line_cap);
		if (!line)
			die("out of memory");
	}
	memcpy(line + line_len, p, n);
	line_len += n;
	line[line_len] = 0;
}

/* Skips n literal bytes; keeps them in the line only if keep (LIST names). */
static void
literal(size_t n, int keep)
{
	while (n) {
		if (rpos == rlen)
			fill();
		size_t k = rlen - rpos < n ? rlen - rpos : n;
		if (keep)
			line_add(rbuf + rpos, k);
		rpos += k;
		n -= k;
	}
}

/* Reads one complete response (a line plus any literals it announces). */
static void
read_response(int keep_literals)
{
	line_len = 0;
	if (line)
		line[0] = 0;
	for (;;) {
		if (rpos == rlen)
			fill();
		char *nl = memchr(rbuf + rpos, '\n', rlen - rpos);
		size_t k = nl ? (size_t)(nl - (rbuf + rpos)) + 1 : rlen - rpos;
		line_add(rbuf + rpos, k);
		rpos += k;
		if (!nl)
			continue;
		/* A line ending in {N}\r\n announces a literal of N bytes. */
		size_t e = line_len;
		while (e && (line[e - 1] == '\n' || line[e - 1] == '\r'))
			e--;
		if (e && line[e - 1] == '}') {
			size_t b = e - 1;
			while (b && ((line[b - 1] >= '0' && line[b - 1] <= '9') || line[b - 1] == '+'))
				b--;
			if (b && b < e - 1 && line[b - 1] == '{') {
				size_t n = strtoull(line + b, NULL, 10);
				line_len = b - 1;
				if (keep_literals) {
					line_add("\"", 1);
					literal(n, 1);
					line_add("\"", 1);
				} else {
					line_add("\"\"", 2);
					literal(n, 0);
				}
				continue;
			}
		}
		return;
	}
}

static void
send_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w;
		if (use_tls) {
			w = gnutls_record_send(tls, p, n);
			if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED)
				continue;
			if (w < 0)
				die("tls write: %s", gnutls_strerror((int)w));
		} else {
			w = write(fd, p, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				die("write: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Hooks called for each untagged response of a command. */
typedef void (*untagged_fn)(void);

static void
command(untagged_fn fn, int keep_literals, const char *fmt, ...)
{
	char tag[16], *cmd, *out;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	snprintf(tag, sizeof tag, "F%u", ++tagn);
	if (asprintf(&out, "%s %s\r\n", tag, cmd) < 0)
		die("out of memory");
	send_all(out, strlen(out));
	free(out);
	size_t tl = strlen(tag);
	for (;;) {
		read_response(keep_literals);
		if (strncmp(line, tag, tl) == 0 && line[tl] == ' ') {
			if (strncasecmp(line + tl + 1, "OK", 2) != 0)
				die("%s -> %s", cmd, line);
			free(cmd);
			return;
		}
		if (line[0] == '*' && fn)
			fn();
	}
}

/* ---- folders from LIST ---- */
static char **folders;
static size_t nfolders;

static void
on_list(void)
{
	/* * LIST (\HasNoChildren \Noselect) "/" name */
	if (strncasecmp(line, "* LIST ", 7) != 0)
		return;
	char *p = line + 7;
	char *close = strchr(p, ')');
	if (!close)
		return;
	if (strcasestr(p, "\\Noselect") && strcasestr(p, "\\Noselect") < close)
		return;
	if (strcasestr(p, "\\NonExistent") && strcasestr(p, "\\NonExistent") < close)
		return;
	p = close + 1;
	while (*p == ' ')
		p++;
	/* delimiter: NIL or a quoted char */
	if (*p == '"') {
		p++;
		if (*p == '\\')
			p++;
		p++;
		if (*p == '"')
			p++;
	} else {
		p += 3;
	}
	while (*p == ' ')
		p++;
	size_t n = strlen(p);
	while (n && (p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	char *name = strndup(p, n);
	folders = realloc(folders, (nfolders + 1) * sizeof *folders);
	folders[nfolders++] = name;
}

static unsigned long fetched;

/* Per-folder sync position, from SELECT's and STATUS's response codes. */
struct pos {
	unsigned long long validity, next, modseq;
};
static struct pos cur;

static unsigned long long
code_num(const char *l, const char *key)
{
	const char *p = strcasestr(l, key);
	if (!p)
		return 0;
	p += strlen(key);
	while (*p == ' ')
		p++;
	return strtoull(p, NULL, 10);
}

static void
on_select(void)
{
	unsigned long long v;
	if ((v = code_num(line, "[UIDVALIDITY")))
		cur.validity = v;
	if ((v = code_num(line, "[UIDNEXT")))
		cur.next = v;
	if ((v = code_num(line, "[HIGHESTMODSEQ")))
		cur.modseq = v;
	if (strncasecmp(line, "* VANISHED", 10) == 0)
		fetched++; /* counts responses, not UIDs */
	else if (strcasestr(line, " FETCH "))
		fetched++;
}

static void
on_status(void)
{
	if (strncasecmp(line, "* STATUS ", 9) != 0)
		return;
	char *p = strrchr(line, '(');
	if (!p)
		return;
	cur.validity = code_num(p, "UIDVALIDITY");
	cur.next = code_num(p, "UIDNEXT");
	cur.modseq = code_num(p, "HIGHESTMODSEQ");
}

static void
on_fetch(void)
{
	/* "* 123 FETCH (" */
	char *p = line + 2;
	while (*p >= '0' && *p <= '9')
		p++;
	if (p != line + 2 && strncasecmp(p, " FETCH ", 7) == 0)
		fetched++;
}

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A mailbox name as an IMAP string: atoms and quoted strings go verbatim. */
static char *
mbox_arg(const char *name)
{
	return strdup(name);
}

static char *
quote(const char *s)
{
	size_t n = strlen(s);
	char *q = malloc(2 * n + 3), *o = q;
	*o++ = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			*o++ = '\\';
		*o++ = *s;
	}
	*o++ = '"';
	*o = 0;
	return q;
}

int
main(int argc, char **argv)
{
	const char *mode = "none", *cafile = NULL, *tlsname = NULL, *statef = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "t:C:H:s:")) != -1) {
		switch (opt) {
		case 's': statef = optarg; break;
		case 't': mode = optarg; break;
		case 'C': cafile = optarg; break;
		case 'H': tlsname = optarg; break;
		default: return 2;
		}
	}
	if (argc - optind < 4) {
		fprintf(stderr, "usage: floor [-t none|starttls] [-C cafile] [-H tlsname] [-s STATE] HOST PORT USER PASS [MAILBOX...]\n");
		return 2;
	}
	const char *host = argv[optind], *port = argv[optind + 1];
	const char *user = argv[optind + 2], *pass = argv[optind + 3];
	if (!tlsname)
		tlsname = host;

	double t0 = now();
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	int gr = getaddrinfo(host, port, &hints, &ai);
	if (gr)
		die("%s:%s: %s", host, port, gai_strerror(gr));
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		die("connect %s:%s: %s", host, port, strerror(errno));
	freeaddrinfo(ai);

	read_response(0); /* greeting */
	if (strcmp(mode, "starttls") == 0) {
		gnutls_certificate_credentials_t cred;
		command(NULL, 0, "STARTTLS");
		if (gnutls_global_init() < 0)
			die("gnutls init");
		gnutls_certificate_allocate_credentials(&cred);
		if (cafile) {
			if (gnutls_certificate_set_x509_trust_file(cred, cafile, GNUTLS_X509_FMT_PEM) <= 0)
				die("cannot load CA %s", cafile);
		} else {
			gnutls_certificate_set_x509_system_trust(cred);
		}
		gnutls_init(&tls, GNUTLS_CLIENT);
		gnutls_set_default_priority(tls);
		gnutls_credentials_set(tls, GNUTLS_CRD_CERTIFICATE, cred);
		gnutls_server_name_set(tls, GNUTLS_NAME_DNS, tlsname, strlen(tlsname));
		gnutls_session_set_verify_cert(tls, tlsname, 0);
		gnutls_transport_set_int(tls, fd);
		int r;
		do
			r = gnutls_handshake(tls);
		while (r < 0 && !gnutls_error_is_fatal(r));
		if (r < 0)
			die("TLS handshake: %s", gnutls_strerror(r));
		use_tls = 1;
	} else if (strcmp(mode, "none") != 0) {
		die("-t: none or starttls");
	}
	char *qu = quote(user), *qp = quote(pass);
	command(NULL, 0, "LOGIN %s %s", qu, qp);
	free(qu);
	free(qp);

	if (argc - optind > 4) {
		for (int i = optind + 4; i < argc; i++) {
			folders = realloc(folders, (nfolders + 1) * sizeof *folders);
			folders[nfolders++] = quote(argv[i]);
		}
	} else {
		command(on_list, 1, "LIST \"\" \"*\"");
	}

	/* The previous positions, if any: "validity next modseq name" per line. */
	struct pos *old = calloc(nfolders ? nfolders : 1, sizeof *old);
	int incremental = 0;
	FILE *sf = statef ? fopen(statef, "r") : NULL;
	if (sf) {
		char buf[4096];
		incremental = 1;
		while (fgets(buf, sizeof buf, sf)) {
			struct pos p;
			int off = 0;
			if (sscanf(buf, "%llu %llu %llu %n", &p.validity, &p.next, &p.modseq, &off) < 3 || !off)
				continue;
			buf[strcspn(buf, "\n")] = 0;
			for (size_t i = 0; i < nfolders; i++)
				if (strcmp(folders[i], buf + off) == 0)
					old[i] = p;
		}
		fclose(sf);
	}
	if (statef)
		command(NULL, 0, "ENABLE QRESYNC");
	struct pos *now_pos = calloc(nfolders ? nfolders : 1, sizeof *now_pos);

	unsigned long total = 0;
	for (size_t i = 0; i < nfolders; i++) {
		double f0 = now();
		char *m = mbox_arg(folders[i]);
		fetched = 0;
		memset(&cur, 0, sizeof cur);
		if (incremental && old[i].validity) {
			command(on_status, 0, "STATUS %s (UIDVALIDITY UIDNEXT HIGHESTMODSEQ)", m);
			if (cur.validity == old[i].validity && cur.next == old[i].next && cur.modseq == old[i].modseq) {
				now_pos[i] = cur;
				fprintf(stderr, "floor: %-24s unchanged         %7.3f s\n", folders[i], now() - f0);
				free(m);
				continue;
			}
			if (cur.validity == old[i].validity) {
				command(on_select, 0, "SELECT %s (QRESYNC (%llu %llu))", m, old[i].validity, old[i].modseq);
				command(on_fetch, 0, "UID FETCH %llu:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)",
				        old[i].next);
				now_pos[i] = cur;
				fprintf(stderr, "floor: %-24s %8lu changes  %7.3f s\n", folders[i], fetched, now() - f0);
				total += fetched;
				free(m);
				continue;
			}
		}
		command(on_select, 0, "SELECT %s", m);
		fetched = 0;
		command(on_fetch, 0, "UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)");
		now_pos[i] = cur;
		fprintf(stderr, "floor: %-24s %8lu messages %7.3f s\n", folders[i], fetched, now() - f0);
		total += fetched;
		free(m);
	}
	if (statef) {
		char *tmp;
		if (asprintf(&tmp, "%s.tmp", statef) < 0 || !(sf = fopen(tmp, "w")))
			die("cannot write %s", statef);
		for (size_t i = 0; i < nfolders; i++)
			fprintf(sf, "%llu %llu %llu %s\n", now_pos[i].validity, now_pos[i].next, now_pos[i].modseq, folders[i]);
		if (fclose(sf) != 0 || rename(tmp, statef) != 0)
			die("cannot write %s", statef);
		free(tmp);
	}
	command(NULL, 0, "LOGOUT");
	printf("messages=%lu bytes=%llu folders=%zu seconds=%.3f\n", total, bytes_in, nfolders, now() - t0);
	return 0;
}
