#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/base/err.h"
#include "src/mime/mailcap.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"

/* The next ';'-separated field ("\;" does not end it), trimmed, or NULL at
 * the end. Moves *s on. */
static char *
next_field(char **s)
{
	char *start = *s, *p = start;
	if (!start)
		return NULL;
	for (; *p && *p != ';'; p++)
		if (*p == '\\' && p[1])
			p++;
	*s = *p ? p + 1 : NULL;
	*p = '\0';
	return str_trim(start);
}

void
mailcap_entry_free(struct mailcap_entry *e)
{
	if (!e)
		return;
	free(e->type);
	free(e->view);
	free(e->test);
	memset(e, 0, sizeof *e);
}

int
mailcap_entry_parse(const char *line, struct mailcap_entry *out)
{
	char *copy = xstrdup(line), *rest = copy, *type, *view, *fl;
	int rc = TERN_EINVAL;

	memset(out, 0, sizeof *out);
	type = next_field(&rest);
	if (!type || !*type || *type == '#' || type[strcspn(type, " \t")] != '\0')
		goto out;
	view = next_field(&rest);
	if (!view || !*view)
		goto out;
	out->type = xstrdup(type);
	out->view = xstrdup(view);
	while ((fl = next_field(&rest)) != NULL) {
		if (strncasecmp(fl, "test", 4) == 0 && str_trim(fl + 4)[0] == '=') {
			char *t = str_trim(strchr(fl, '=') + 1);
			free(out->test);
			out->test = *t ? xstrdup(t) : NULL;
		} else if (str_ieq(fl, "copiousoutput")) {
			out->copiousoutput = 1;
		} else if (str_ieq(fl, "needsterminal")) {
			out->needsterminal = 1;
		}
	}
	rc = TERN_OK;
out:
	free(copy);
	return rc;
}

int
mailcap_type_matches(const char *t, const char *type)
{
	size_t tlen = strcspn(type, "/");
	return str_ieq(t, type) ||
	       (strlen(t) == tlen + 2 && strncasecmp(t, type, tlen + 1) == 0 && t[tlen + 1] == '*') ||
	       (strchr(t, '/') == NULL && strlen(t) == tlen && strncasecmp(t, type, tlen) == 0);
}

char *
mailcap_script(const char *cmd, int stdin_file)
{
	enum { PLAIN, SINGLE, DOUBLE } q = PLAIN;
	strbuf sb = STRBUF_INIT;
	int had_file = 0, esc = 0;

	for (const char *s = cmd; *s; s++) {
		char c = *s;
		if (c == '%' && (s[1] == 's' || s[1] == 't')) {
			const char *var = s[1] == 's' ? "$1" : "$2";
			had_file |= s[1] == 's';
			s++;
			/* A shell backslash just before would quote the opening
			 * quote: it stands for itself instead. */
			if (esc)
				sb_addc(&sb, '\\');
			esc = 0;
			if (q == SINGLE)
				sb_printf(&sb, "'\"%s\"'", var);   /* out of '...' and back */
			else if (q == DOUBLE)
				sb_adds(&sb, var);
			else
				sb_printf(&sb, "\"%s\"", var);
			continue;
		}
		if (c == '\\' && s[1])
			c = *++s;   /* mailcap's own escape: "\;", "\%", "\\" */
		sb_addc(&sb, c);
		/* Follow the quoting the shell will see, to know how to splice. */
		if (esc)
			esc = 0;
		else if (c == '\\' && q != SINGLE)
			esc = 1;
		else if (c == '\'' && q != DOUBLE)
			q = q == SINGLE ? PLAIN : SINGLE;
		else if (c == '"' && q != SINGLE)
			q = q == DOUBLE ? PLAIN : DOUBLE;
	}
	if (!had_file && stdin_file)
		sb_adds(&sb, " < \"$1\"");
	return sb_steal(&sb);
}

void
mailcap_exec(const char *script, const char *file, const char *type)
{
	/* No command may take a file name for an option. Between fork and
	 * exec only async-signal-safe calls: no malloc. */
	char dotted[4096];
	size_t n = strlen(file);
	if (file[0] == '-') {
		if (n + 3 > sizeof dotted)
			_exit(127);
		memcpy(dotted, "./", 2);
		memcpy(dotted + 2, file, n + 1);
		file = dotted;
	}
	execl("/bin/sh", "sh", "-c", script, "sh", file, type, (char *)NULL);
	_exit(127);
}

/* Whether the entry's test= command succeeds for type (no test: yes). */
static int
test_passes(const struct mailcap_entry *e, const char *type)
{
	char *script;
	pid_t pid;
	int st = -1;

	if (!e->test)
		return 1;
	script = mailcap_script(e->test, 0);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		mailcap_exec(script, "/dev/null", type);
	}
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	free(script);
	return pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* The next logical line of fp: a line ending in a backslash goes on in the
 * next one (RFC 1524). NULL at the end. Caller frees. */
static char *
read_entry(FILE *fp)
{
	strbuf sb = STRBUF_INIT;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int more = 1, any = 0;

	while (more && (n = getline(&line, &cap, fp)) >= 0) {
		any = 1;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		more = n > 0 && line[n - 1] == '\\' && (n < 2 || line[n - 2] != '\\');
		sb_add(&sb, line, (size_t)(more ? n - 1 : n));
	}
	free(line);
	if (!any) {
		sb_free(&sb);
		return NULL;
	}
	sb_addc(&sb, '\0');
	return sb_steal(&sb);
}

int
mailcap_find(const char *const *files, size_t nfiles, const char *type, struct mailcap_entry *out)
{
	int rc = TERN_ENOTFOUND;

	memset(out, 0, sizeof *out);
	for (size_t f = 0; f < nfiles && rc != TERN_OK; f++) {
		FILE *fp = fopen(files[f], "re");
		char *line;
		if (!fp)
			continue;
		while (rc != TERN_OK && (line = read_entry(fp)) != NULL) {
			struct mailcap_entry e;
			if (mailcap_entry_parse(line, &e) == TERN_OK && mailcap_type_matches(e.type, type) &&
			    test_passes(&e, type)) {
				*out = e;
				rc = TERN_OK;
			} else {
				mailcap_entry_free(&e);
			}
			free(line);
		}
		fclose(fp);
	}
	return rc;
}
