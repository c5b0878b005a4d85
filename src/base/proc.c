#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/base/err.h"
#include "src/base/proc.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"

#define MAX_OUTPUT (16u * 1024 * 1024)

extern char **environ;

char **
proc_split(const char *cmd)
{
	char **argv = NULL;
	size_t n = 0;
	const char *p = cmd ? cmd : "";

	for (;;) {
		strbuf w = STRBUF_INIT;
		int have = 0;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
			have = 1;
			if (*p == '\'') {
				for (p++; *p && *p != '\''; p++)
					sb_addc(&w, *p);
				if (*p)
					p++;
			} else if (*p == '"') {
				for (p++; *p && *p != '"'; p++) {
					if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`'))
						p++;
					sb_addc(&w, *p);
				}
				if (*p)
					p++;
			} else if (*p == '\\' && p[1]) {
				sb_addc(&w, p[1]);
				p += 2;
			} else {
				sb_addc(&w, *p++);
			}
		}
		argv = xrealloc(argv, (n + 2) * sizeof *argv);
		argv[n++] = have ? sb_steal(&w) : xstrdup("");
		argv[n] = NULL;
		sb_free(&w);
	}
	return argv;
}

void
proc_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

int
proc_run(char *const argv[], const char *in, size_t len, int timeout_ms,
         char **out, size_t *outlen)
{
	return proc_run_status(argv, in, len, timeout_ms, out, outlen, NULL);
}

int
proc_run_status(char *const argv[], const char *in, size_t len, int timeout_ms,
                char **out, size_t *outlen, int *exit_status)
{
	return proc_run_err(argv, in, len, timeout_ms, out, outlen, exit_status, NULL);
}

/* What is kept of stderr: enough for its first line. */
#define MAX_ERR 4096

/* The first line of what the program wrote to stderr, printable: it goes
 * into an error message a terminal shows. NULL when there was none. */
static char *
first_err_line(const strbuf *e)
{
	strbuf line = STRBUF_INIT;
	for (size_t i = 0; i < e->len && e->buf[i] != '\n' && line.len < 300; i++) {
		unsigned char c = (unsigned char)e->buf[i];
		if (c == '\r')
			continue;
		sb_addc(&line, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
	while (line.len && line.buf[line.len - 1] == ' ')
		line.buf[--line.len] = '\0';
	if (!line.len) {
		sb_free(&line);
		return NULL;
	}
	return sb_steal(&line);
}

int
proc_run_err(char *const argv[], const char *in, size_t len, int timeout_ms,
             char **out, size_t *outlen, int *exit_status, char **errline)
{
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, rc = TERN_EIO, status = 0, killed = 0;
	strbuf errs = STRBUF_INIT;
	posix_spawn_file_actions_t fa;
	sigset_t pipe_set, old_set;
	strbuf res = STRBUF_INIT;
	size_t off = 0;
	pid_t pid = -1;
	int64_t deadline = time_mono_ms() + timeout_ms;

	*out = NULL;
	*outlen = 0;
	if (errline)
		*errline = NULL;
	if (exit_status)
		*exit_status = -1;
	if (!argv || !argv[0] || !*argv[0])
		return TERN_EINVAL;
	/* A filter that exits without reading all its input must not kill us:
	 * SIGPIPE is blocked in this thread, and a pending one consumed below. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
	if (pipe2(inp, O_CLOEXEC) != 0 || pipe2(outp, O_CLOEXEC) != 0 ||
	    (errline && pipe2(errp, O_CLOEXEC) != 0))
		goto out;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, inp[0], 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	if (errline)
		posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	else
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(inp[0]);
	close(outp[1]);
	inp[0] = outp[1] = -1;
	if (errp[1] >= 0) {
		close(errp[1]);
		errp[1] = -1;
	}
	if (pid < 0)
		goto out;
	fcntl(inp[1], F_SETFL, O_NONBLOCK);
	fcntl(outp[0], F_SETFL, O_NONBLOCK);
	if (errp[0] >= 0)
		fcntl(errp[0], F_SETFL, O_NONBLOCK);
	if (len == 0) {
		close(inp[1]);
		inp[1] = -1;
	}
	for (;;) {
		struct pollfd pf[3];
		int np = 0, in_at = -1, err_at = -1, left = (int)(deadline - time_mono_ms());
		if (left <= 0) {
			rc = TERN_ETIMEOUT;
			break;
		}
		pf[np++] = (struct pollfd){ outp[0], POLLIN, 0 };
		if (inp[1] >= 0) {
			in_at = np;
			pf[np++] = (struct pollfd){ inp[1], POLLOUT, 0 };
		}
		if (errp[0] >= 0) {
			err_at = np;
			pf[np++] = (struct pollfd){ errp[0], POLLIN, 0 };
		}
		if (poll(pf, (nfds_t)np, left) < 0 && errno != EINTR)
			break;
		/* stderr is read as it comes, so that a chatty program cannot
		 * block on a full pipe; only its start is kept. */
		if (err_at >= 0 && (pf[err_at].revents & (POLLIN | POLLERR | POLLHUP))) {
			char buf[4096];
			ssize_t r = read(errp[0], buf, sizeof buf);
			if (r > 0 && errs.len < MAX_ERR)
				sb_add(&errs, buf, (size_t)r);
			else if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				close(errp[0]);
				errp[0] = -1;
			}
		}
		if (in_at >= 0 && (pf[in_at].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(inp[1], in + off, len - off);
			if (w > 0)
				off += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || off >= len) {
				close(inp[1]);   /* done, or the filter stopped reading */
				inp[1] = -1;
			}
		}
		if (pf[0].revents & (POLLIN | POLLERR | POLLHUP)) {
			char buf[65536];
			ssize_t r = read(outp[0], buf, sizeof buf);
			if (r == 0) {
				rc = TERN_OK;
				break;
			}
			if (r > 0) {
				sb_add(&res, buf, (size_t)r);
				if (res.len > MAX_OUTPUT) {
					rc = TERN_OK;   /* enough to read; the rest is cut */
					break;
				}
			} else if (errno != EAGAIN && errno != EINTR) {
				break;
			}
		}
	}
	if (rc != TERN_OK || res.len > MAX_OUTPUT) {
		kill(pid, SIGKILL);
		killed = 1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* What it wrote just before exiting. */
	if (errp[0] >= 0) {
		char buf[4096];
		ssize_t r;
		while (errs.len < MAX_ERR && (r = read(errp[0], buf, sizeof buf)) > 0)
			sb_add(&errs, buf, (size_t)r);
	}
	if (errline)
		*errline = first_err_line(&errs);
	if (exit_status)
		*exit_status = !killed && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (rc == TERN_OK && !killed && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		rc = TERN_EIO;
out:
	for (int i = 0; i < 2; i++) {
		if (inp[i] >= 0)
			close(inp[i]);
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	sb_free(&errs);
	{
		struct timespec zero = { 0, 0 };
		sigset_t pending;
		sigpending(&pending);
		if (sigismember(&pending, SIGPIPE))
			sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old_set, NULL);
	/* A caller that asked for the status gets what a failing program
	 * said too (a pipe shows it). */
	if (rc == TERN_OK || (rc == TERN_EIO && exit_status && *exit_status > 0)) {
		*outlen = res.len < MAX_OUTPUT ? res.len : MAX_OUTPUT;
		*out = sb_steal(&res);
		(*out)[*outlen] = '\0';
	}
	sb_free(&res);
	return rc;
}
