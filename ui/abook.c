/* The address book command (ui/abook.h). */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "src/base/proc.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"
#include "src/base/wakepipe.h"
#include "ui/abook.h"

struct abook_job {
	pthread_mutex_t mu;
	char *cmd;
	int wake_fd;
	char **out;               /* set by the thread */
	size_t n;
	int done, dropped;        /* under mu */
};

static void
list_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
job_free(struct abook_job *j)
{
	pthread_mutex_destroy(&j->mu);
	free(j->cmd);
	list_free(j->out, j->n);
	free(j);
}

/* Names that are safe to retype in an address line; others are dropped
 * and the address kept alone (as the contact completion does). */
static int
plain_name(const char *s)
{
	for (; *s; s++)
		if (strchr(",;<>\"()", *s))
			return 0;
	return 1;
}

size_t
abook_parse(const char *text, char ***out)
{
	char **v = NULL;
	size_t n = 0;

	for (const char *s = text ? text : ""; *s;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char *line = xstrndup(s, len), *addr = line, *name = NULL, *tab, *end;
		int ok = 1;
		s += len + (nl ? 1 : 0);
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		for (const char *c = line; *c; c++)
			if ((unsigned char)*c < 0x20 && *c != '\t')
				ok = 0;
		if ((tab = strchr(line, '\t')) != NULL) {
			*tab = '\0';
			name = tab + 1;
			if ((end = strchr(name, '\t')) != NULL)
				*end = '\0';
			name = str_trim(name);
		}
		addr = str_trim(addr);
		if (ok && strchr(addr, '@') && !strpbrk(addr, " ,;<>\"()")) {
			v = xrealloc(v, (n + 1) * sizeof *v);
			v[n++] = name && *name && plain_name(name) ? xasprintf("%s <%s>", name, addr) : xstrdup(addr);
		}
		free(line);
	}
	*out = v;
	return n;
}

static void *
job_run(void *arg)
{
	struct abook_job *j = arg;
	char *const argv[] = { "/bin/sh", "-c", j->cmd, NULL };
	char *text = NULL, **v = NULL;
	size_t len = 0, n = 0;
	int status = -1, dropped, fd;

	if (proc_run_status(argv, "", 0, ABOOK_TIMEOUT_MS, &text, &len, &status) == TERN_OK)
		n = abook_parse(text, &v);
	free(text);
	pthread_mutex_lock(&j->mu);
	j->out = v;
	j->n = n;
	j->done = 1;
	dropped = j->dropped;
	fd = j->wake_fd;
	pthread_mutex_unlock(&j->mu);
	/* From here on j may be freed by the main thread (it saw done). */
	if (dropped) {
		job_free(j);
		return NULL;
	}
	wakepipe_poke(fd);
	return NULL;
}

/* 'it'\''s': the query as one shell word, whatever it holds. */
static void
quote(strbuf *sb, const char *s)
{
	sb_addc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_adds(sb, "'\\''");
		else
			sb_addc(sb, *s);
	}
	sb_addc(sb, '\'');
}

abook_job *
abook_start(const char *cmd, const char *query, int wake_fd)
{
	struct abook_job *j = xcalloc(1, sizeof *j);
	strbuf sb = STRBUF_INIT;
	const char *pct = strstr(cmd, "%s");
	pthread_t t;

	if (pct) {
		for (const char *s = cmd; *s; s++) {
			if (s[0] == '%' && s[1] == 's') {
				quote(&sb, query);
				s++;
			} else {
				sb_addc(&sb, *s);
			}
		}
	} else {
		sb_printf(&sb, "%s ", cmd);
		quote(&sb, query);
	}
	pthread_mutex_init(&j->mu, NULL);
	j->cmd = sb_steal(&sb);
	j->wake_fd = wake_fd;
	if (thread_start_nosig(&t, 1, job_run, j) != TERN_OK) {
		job_free(j);
		return NULL;
	}
	return j;
}

int
abook_take(abook_job *j, char ***out, size_t *n)
{
	int done;
	pthread_mutex_lock(&j->mu);
	done = j->done;
	*out = done ? j->out : NULL;
	*n = done ? j->n : 0;
	if (done) {
		j->out = NULL;
		j->n = 0;
	}
	pthread_mutex_unlock(&j->mu);
	return done;
}

void
abook_drop(abook_job *j)
{
	int done;
	if (!j)
		return;
	pthread_mutex_lock(&j->mu);
	done = j->done;
	j->dropped = 1;
	pthread_mutex_unlock(&j->mu);
	if (done)
		job_free(j);
}
