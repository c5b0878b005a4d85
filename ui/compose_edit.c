/* The composer's editor step (temp file, $EDITOR with curses suspended)
 * and its line editor with Tab completion (addresses from the contact
 * table, file names for attachments). */
#include "config.h"

#include <curses.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db/db_contact.h"
#include "src/base/err.h"
#include "src/mime/mime_build.h"
#include "src/base/proc.h"
#include "src/base/strbuf.h"
#include "ui/abook.h"
#include "ui/compose_int.h"
#include "src/base/util.h"

static void
put_header(strbuf *sb, const char *name, const char *value)
{
	/* One line per header: a newline in a value would start the body. */
	sb_printf(sb, "%s: ", name);
	for (const char *p = value ? value : ""; *p; p++)
		sb_add(sb, *p == '\n' || *p == '\r' ? " " : p, 1);
	sb_adds(sb, "\n");
}

int
compose_file_write(struct compose *c)
{
	strbuf sb = STRBUF_INIT;
	int rc = TERN_OK;

	if (!c->file) {
		const char *dir = getenv("TMPDIR");
		char *tmpl = xasprintf("%s/tern-compose-XXXXXX", dir && *dir ? dir : "/tmp");
		int fd = mkstemp(tmpl);    /* mode 0600: the draft is private */
		if (fd < 0) {
			free(tmpl);
			return TERN_EIO;
		}
		close(fd);
		c->file = tmpl;
	}
	put_header(&sb, "From", c->from);
	put_header(&sb, "To", c->to);
	put_header(&sb, "Cc", c->cc);
	put_header(&sb, "Bcc", c->bcc);
	put_header(&sb, "Subject", c->subject);
	sb_adds(&sb, "\n");
	sb_adds(&sb, c->body ? c->body : "");
	if (sb.len && sb.buf[sb.len - 1] != '\n')
		sb_adds(&sb, "\n");    /* so text added by a script starts on its own line */
	{
		FILE *f = fopen(c->file, "w");
		if (!f || fwrite(sb.buf ? sb.buf : "", 1, sb.len, f) != sb.len)
			rc = TERN_EIO;
		if (f && fclose(f) != 0)
			rc = TERN_EIO;
	}
	free(c->written);
	c->written = sb.buf ? sb_steal(&sb) : xstrdup("");
	sb_free(&sb);
	return rc;
}

/* The editable headers, in the file's order. */
static const char *const fields[] = { "From", "To", "Cc", "Bcc", "Subject" };
#define NFIELDS (sizeof fields / sizeof fields[0])

static char **
field_slot(struct compose *c, size_t i)
{
	char **slots[NFIELDS] = { &c->from, &c->to, &c->cc, &c->bcc, &c->subject };
	return slots[i];
}

/* One header line of the file: kept in v[] if it is one of ours, else its
 * name is noted in unknown (reported, never sent). */
static void
take_field(char **v, strbuf *unknown, const char *name, const char *value)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (str_ieq(name, fields[i])) {
			free(v[i]);
			v[i] = xstrdup(value);
			return;
		}
	sb_printf(unknown, "%s%s", unknown->len ? ", " : "", name);
}

int
compose_file_read(struct compose *c, char **err)
{
	char *raw = NULL, *p, *name = NULL, *v[NFIELDS] = { 0 };
	strbuf val = STRBUF_INIT, unknown = STRBUF_INIT;
	size_t len;
	int rc = file_read_all(c->file, &raw, &len);

	*err = NULL;
	if (rc != TERN_OK) {
		*err = xasprintf("cannot read %s", c->file);
		return rc;
	}
	p = raw;
	for (;;) {
		char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n && (*p == ' ' || *p == '\t') && name) {
			sb_add(&val, p, n);        /* a folded header */
		} else {
			if (name) {
				take_field(v, &unknown, name, str_trim(val.buf ? val.buf : ""));
				free(name);
				name = NULL;
				sb_free(&val);
				val = (strbuf)STRBUF_INIT;
			}
			if (n == 0)
				break;
			{
				const char *colon = memchr(p, ':', n);
				if (!colon) {
					*err = xasprintf("line \"%.*s\" is not a header; a blank line must end the headers",
					                 (int)(n > 40 ? 40 : n), p);
					rc = TERN_EINVAL;
					goto out;
				}
				name = xstrndup(p, (size_t)(colon - p));
				sb_add(&val, colon + 1, n - (size_t)(colon + 1 - p));
			}
		}
		if (!eol) {
			p += n;
			break;
		}
		p = eol + 1;
	}
	if (name)
		take_field(v, &unknown, name, str_trim(val.buf ? val.buf : ""));
	/* The file is the whole truth, as with mutt's edit_headers: a header
	 * line the user deleted is an empty header (a deleted Cc: line must not
	 * send to the old Cc), and a deleted From: line is the account's own. */
	for (size_t i = 0; i < NFIELDS; i++) {
		char **slot = field_slot(c, i);
		free(*slot);
		*slot = v[i] ? v[i] : i == 0 ? compose_default_from(c->acfg) : xstrdup("");
		v[i] = NULL;
	}
	free(c->body);
	if (*p == '\r')
		p++;
	c->body = xstrdup(*p == '\n' ? p + 1 : p);
	if (unknown.len)
		*err = xasprintf("not sent (tern edits only From, To, Cc, Bcc, Subject): %s", unknown.buf);
out:
	for (size_t i = 0; i < NFIELDS; i++)
		free(v[i]);
	free(name);
	sb_free(&val);
	sb_free(&unknown);
	free(raw);
	return rc;
}

int
compose_run_editor(struct app *a, struct compose *c, char **err)
{
	const char *ed = a->cfg->editor && *a->cfg->editor ? a->cfg->editor : getenv("VISUAL");
	int status = 0;
	pid_t pid;

	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	def_prog_mode();
	endwin();
	pid = fork();
	if (pid == 0) {
		/* Through the shell so "emacs -nw" or "vim +5" work; the file name
		 * is an argument, never part of the command text. */
		setenv("TERN_EDITOR", ed, 1);
		execl("/bin/sh", "sh", "-c", "exec $TERN_EDITOR \"$1\"", "sh", c->file, (char *)NULL);
		_exit(127);
	}
	if (pid > 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	if (pid < 0) {
		*err = xasprintf("cannot start the editor: %s", strerror(errno));
		return TERN_EIO;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		*err = xasprintf("the editor (%s) failed (status %d)", ed,
		                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return TERN_EIO;
	}
	return TERN_OK;
}

char *
compose_guess_type(const char *path)
{
	const char *t = mime_type_by_name(path);
	char *argv[] = { "file", "--brief", "--mime-type", (char *)path, NULL };
	char *out = NULL;
	size_t len;

	if (t)
		return xstrdup(t);
	if (proc_run(argv, NULL, 0, 3000, &out, &len) == TERN_OK && strchr(out, '/')) {
		char *s = xstrdup(str_trim(out));
		free(out);
		return s;
	}
	free(out);
	return xstrdup("application/octet-stream");
}

/* --- Line editor ---------------------------------------------------------- */

void
cline_open(struct compose *c, enum cline_field f, const char *label, const char *initial)
{
	cline_close(c);
	c->line.field = f;
	c->line.label = xstrdup(label);
	snprintf(c->line.buf, sizeof c->line.buf, "%s", initial ? initial : "");
	c->line.len = strlen(c->line.buf);
}

static void
cands_free(struct cline *l)
{
	for (size_t i = 0; i < l->ncands; i++)
		free(l->cands[i]);
	free(l->cands);
	l->cands = NULL;
	l->ncands = l->cand = 0;
	free(l->stem);
	l->stem = NULL;
	/* What was typed changed: a late answer would be for another word. */
	abook_drop(l->abook);
	l->abook = NULL;
}

void
cline_close(struct compose *c)
{
	cands_free(&c->line);
	free(c->line.label);
	c->line.label = NULL;
	c->line.field = CL_NONE;
	c->line.len = 0;
	c->line.buf[0] = 0;
}

static void
cand_add(struct cline *l, char *s)
{
	l->cands = xrealloc(l->cands, (l->ncands + 1) * sizeof *l->cands);
	l->cands[l->ncands++] = s;
}

static int
contact_cb(const char *addr, const char *name, void *ctx)
{
	struct cline *l = ctx;
	int plain = !name || !*name;
	for (const char *p = name; !plain && *p; p++)
		if (strchr(",;<>\"()", *p) || (unsigned char)*p < 0x20)
			plain = 1;       /* untrusted: keep only names safe to retype */
	cand_add(l, plain ? xstrdup(addr) : xasprintf("%s <%s>", name, addr));
	return 0;
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void
file_cands(struct cline *l, const char *stem)
{
	const char *slash = strrchr(stem, '/');
	char *dir = slash ? xstrndup(stem, (size_t)(slash - stem) + 1) : xstrdup("");
	char *xdir = path_expand_home(*dir ? dir : "./");
	const char *base = slash ? slash + 1 : stem;
	DIR *dp = opendir(xdir);
	struct dirent *e;

	while (dp && (e = readdir(dp)) != NULL) {
		struct stat st;
		char *full;
		if (!str_has_prefix(e->d_name, base) || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_name[0] == '.' && base[0] != '.')
			continue;
		full = xasprintf("%s%s", xdir, e->d_name);
		cand_add(l, xasprintf("%s%s%s", dir, e->d_name,
		                      stat(full, &st) == 0 && S_ISDIR(st.st_mode) ? "/" : ""));
		free(full);
	}
	if (dp)
		closedir(dp);
	if (l->ncands > 1)
		qsort(l->cands, l->ncands, sizeof *l->cands, cmp_str);
	free(dir);
	free(xdir);
}

/* Tab: the first candidate for the word under edit, then the next ones. */
static void
complete(struct app *a, struct compose *c)
{
	struct cline *l = &c->line;
	size_t start = 0;

	if (l->field == CL_TO || l->field == CL_CC || l->field == CL_BCC) {
		for (size_t i = 0; i < l->len; i++)
			if (l->buf[i] == ',')
				start = i + 1;
		while (start < l->len && l->buf[start] == ' ')
			start++;
	}
	if (!l->stem) {
		l->stem = xstrndup(l->buf + start, l->len - start);
		l->start = start;
		if (l->field == CL_ATTACH)
			file_cands(l, l->stem);
		else if (l->field != CL_SUBJECT && *l->stem)
			db_contact_complete(a->d, c->account_id, l->stem, 20, contact_cb, l);
		/* The address book answers later, off this thread: tern's own
		 * addresses are offered now, its answers put first when they come. */
		if (l->field != CL_ATTACH && l->field != CL_SUBJECT && *l->stem && a->cfg->address_book_cmd)
			l->abook = abook_start(a->cfg->address_book_cmd, l->stem, a->wake.wr);
		l->cand = 0;
	} else if (l->ncands) {
		l->cand = (l->cand + 1) % l->ncands;
	}
	if (!l->ncands)
		return;
	snprintf(l->buf + start, sizeof l->buf - start, "%s", l->cands[l->cand]);
	l->len = strlen(l->buf);
	if (l->ncands == 1 && l->field == CL_ATTACH && l->len && l->buf[l->len - 1] == '/')
		cands_free(l);        /* into the directory: the next Tab lists it */
}

/* The address inside "Name <addr>", or the whole text. */
static void
cand_addr(const char *s, const char **p, size_t *n)
{
	const char *lt = strrchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	*p = gt ? lt + 1 : s;
	*n = gt ? (size_t)(gt - lt - 1) : strlen(s);
}

static int
cand_same(const char *x, const char *y)
{
	const char *px, *py;
	size_t nx, ny;
	cand_addr(x, &px, &nx);
	cand_addr(y, &py, &ny);
	return nx == ny && strncasecmp(px, py, nx) == 0;
}

void
compose_abook_check(struct app *a)
{
	struct compose *c = a->cmp;
	struct cline *l = c ? &c->line : NULL;
	char **v, **merged, *shown;
	size_t n, m = 0;

	if (!l || !l->abook || !abook_take(l->abook, &v, &n))
		return;
	abook_drop(l->abook);
	l->abook = NULL;
	/* The command's answers first, then tern's own not among them. */
	merged = xcalloc(n + l->ncands + 1, sizeof *merged);
	for (size_t i = 0; i < n; i++) {
		int dup = 0;
		for (size_t k = 0; k < m && !dup; k++)
			dup = cand_same(merged[k], v[i]);
		if (dup)
			free(v[i]);
		else
			merged[m++] = v[i];
	}
	free(v);
	/* A candidate the user moved to with Tab stays on the line. */
	shown = l->ncands && l->cand ? xstrdup(l->cands[l->cand]) : NULL;
	for (size_t i = 0; i < l->ncands; i++) {
		int dup = 0;
		for (size_t k = 0; k < m && !dup; k++)
			dup = cand_same(merged[k], l->cands[i]);
		if (dup)
			free(l->cands[i]);
		else
			merged[m++] = l->cands[i];
	}
	free(l->cands);
	l->cands = merged;
	l->ncands = m;
	l->cand = 0;
	for (size_t i = 0; shown && i < m; i++)
		if (cand_same(merged[i], shown)) {
			l->cand = i;
			break;
		}
	if (m && !shown) {
		snprintf(l->buf + l->start, sizeof l->buf - l->start, "%s", l->cands[0]);
		l->len = strlen(l->buf);
	}
	free(shown);
}

int
cline_key(struct app *a, struct compose *c, int key)
{
	struct cline *l = &c->line;

	if (key == '\t') {
		complete(a, c);
		return 0;
	}
	cands_free(l);
	if (key == '\n' || key == '\r' || key == KEYMAP_FN + KEY_ENTER)
		return 1;
	if (key == 27 || key == 7 /* ^G */)
		return -1;
	if (key == KEYMAP_FN + KEY_BACKSPACE || key == 127 || key == 8) {
		while (l->len && ((unsigned char)l->buf[l->len - 1] & 0xC0) == 0x80)
			l->len--;
		if (l->len)
			l->len--;
		l->buf[l->len] = 0;
		return 0;
	}
	if (key == 21 /* ^U */) {
		l->len = 0;
		l->buf[0] = 0;
		return 0;
	}
	if (key >= 0x20 && key < KEYMAP_FN && key != 127) {
		char u[5];
		int n = key < 0x80 ? (u[0] = (char)key, 1) : key < 0x800 ?
		        (u[0] = (char)(0xC0 | key >> 6), u[1] = (char)(0x80 | (key & 0x3F)), 2) :
		        key < 0x10000 ? (u[0] = (char)(0xE0 | key >> 12), u[1] = (char)(0x80 | ((key >> 6) & 0x3F)),
		                         u[2] = (char)(0x80 | (key & 0x3F)), 3) :
		        (u[0] = (char)(0xF0 | key >> 18), u[1] = (char)(0x80 | ((key >> 12) & 0x3F)),
		         u[2] = (char)(0x80 | ((key >> 6) & 0x3F)), u[3] = (char)(0x80 | (key & 0x3F)), 4);
		if (l->len + (size_t)n < sizeof l->buf) {
			memcpy(l->buf + l->len, u, (size_t)n);
			l->len += (size_t)n;
			l->buf[l->len] = 0;
		}
	}
	return 0;
}
