#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/base/err.h"
#include "src/mime/mime.h"
#include "src/mime/mime_render.h"
#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "src/base/err.h"
#include "src/mime/mailcap.h"
#include "src/mime/mime.h"
#include "src/mime/mime_render.h"
#include "src/base/strbuf.h"
#include "src/base/textsafe.h"
#include "ui/colour.h"
#include "ui/app.h"
#include "ui/draw.h"
#include "ui/modal.h"
#include "ui/pager_int.h"
#include "ui/textview.h"
#include "src/base/proc.h"
#include "src/base/util.h"

#define NAME_MAX_BYTES 200

struct attach_menu {
	mime_msg *msg;
	struct mime_attachment *v;
	size_t n, cur, top;
	char *tmpdir;             /* files opened through mailcap, removed on close */
	char *pending;            /* a path waiting for "overwrite?" */
};

attach_menu *
attach_open(const char *raw, size_t len)
{
	attach_menu *m = xcalloc(1, sizeof *m);
	if (mime_parse(raw, len, &m->msg) != TERN_OK) {
		free(m);
		return NULL;
	}
	mime_attachments(m->msg, &m->v, &m->n);
	if (m->n == 0) {
		attach_close(m);
		return NULL;
	}
	return m;
}

static void
remove_tmp(attach_menu *m)
{
	if (!m->tmpdir)
		return;
	/* Only files this menu wrote, all directly inside tmpdir. */
	for (size_t i = 0; i < m->n; i++) {
		char *name = attach_safe_name(m->v[i].filename, m->v[i].part_id);
		char *p = xasprintf("%s/%s", m->tmpdir, name);
		unlink(p);
		free(p);
		free(name);
	}
	rmdir(m->tmpdir);
	free(m->tmpdir);
	m->tmpdir = NULL;
}

void
attach_close(attach_menu *m)
{
	if (!m)
		return;
	remove_tmp(m);
	mime_attachments_free(m->v, m->n);
	mime_free(m->msg);
	free(m->pending);
	free(m);
}

char *
attach_safe_name(const char *name, const char *part_id)
{
	const char *base = name ? name : "";
	strbuf sb = STRBUF_INIT;
	char *safe;

	/* The last component of either separator: "../../x" and "C:\x\y" name x and y. */
	for (const char *s = base; *s; s++)
		if (*s == '/' || *s == '\\')
			base = s + 1;
	safe = text_sanitize(base, 0);
	for (const char *s = safe; *s && sb.len < NAME_MAX_BYTES; s++) {
		unsigned char c = (unsigned char)*s;
		/* ^X marks from the sanitizer and shell-unfriendly bytes become _. */
		if (c < 0x20 || c == '^' || c == ':' || c == '*' || c == '?' || c == '"' || c == '<' ||
		    c == '>' || c == '|' || c == '$' || c == '`' || c == '\'' || c == '\\')
			sb_addc(&sb, '_');
		else if (!(c == '.' && sb.len == 0) && !(c == ' ' && sb.len == 0))
			sb_addc(&sb, (char)c);
	}
	free(safe);
	/* Never end inside a UTF-8 sequence after the length cut. */
	while (sb.len > 0 && ((unsigned char)sb.buf[sb.len - 1] & 0xC0) == 0x80) {
		size_t k = sb.len - 1;
		while (k > 0 && ((unsigned char)sb.buf[k] & 0xC0) == 0x80)
			k--;
		if (sb.len - k >= 2 && (unsigned char)sb.buf[k] >= 0xC0)
			break;
		sb.len = k;
	}
	if (sb.len == 0) {
		sb_free(&sb);
		return xasprintf("attachment-%s", part_id && *part_id ? part_id : "1");
	}
	sb.buf[sb.len] = '\0';
	return sb_steal(&sb);
}

void
attach_draw(struct app *a, attach_menu *m, int y, int x, int h, int w)
{
	int rows = h - 2;
	char line[160];
	int ks = keymap_key_for(a->km, CTX_ATTACH, ACT_SAVE_ATTACHMENT);
	int ko = keymap_key_for(a->km, CTX_ATTACH, ACT_OPEN), kq = keymap_key_for(a->km, CTX_ATTACH, ACT_BACK);
	char s[16], o[16];

	snprintf(s, sizeof s, "%s", ks ? keymap_key_name(ks) : "-");
	snprintf(o, sizeof o, "%s", ko ? keymap_key_name(ko) : "-");
	snprintf(line, sizeof line, "Attachments (%zu)   %s:open (mailcap)  %s:save  %s:back", m->n, o, s,
	         kq ? keymap_key_name(kq) : "-");
	attron(A_REVERSE | A_BOLD);
	draw_text(y, x, w, line, 1);
	attroff(A_REVERSE | A_BOLD);
	if (rows < 1)
		rows = 1;
	if (m->cur < m->top)
		m->top = m->cur;
	if (m->cur >= m->top + (size_t)rows)
		m->top = m->cur - (size_t)rows + 1;
	for (int i = 0; i < rows && m->top + (size_t)i < m->n; i++) {
		const struct mime_attachment *at = &m->v[m->top + (size_t)i];
		char sz[32];
		char *row;
		int used;
		mime_size_str(sz, sizeof sz, at->size);
		row = xasprintf("%s%-5s %s", m->top + (size_t)i == m->cur ? "> " : "  ", at->part_id,
		                at->filename ? at->filename : "(no name)");
		if (m->top + (size_t)i == m->cur)
			attron(colour_attr(COL_INDICATOR));
		used = draw_text(y + 1 + i, x, w > 40 ? w - 34 : w, row, 1);
		if (w > 40) {
			char *meta = xasprintf("  %-20.20s %10s", at->media_type, sz);
			draw_text(y + 1 + i, x + used, w - used, meta, 1);
			free(meta);
		}
		attrset(A_NORMAL);
		free(row);
	}
}

/* --- Saving ---------------------------------------------------------------- */

static void overwrite_answer(struct app *a, int answer, void *ctx);

static void
write_out(struct app *a, attach_menu *m, const char *path, int overwrite)
{
	const struct mime_attachment *at = &m->v[m->cur];
	char *data = NULL, *full = path_expand_home(path);
	size_t len = 0, off = 0;
	int fd;

	if (mime_attachment_data(m->msg, at->part_id, &data, &len) != TERN_OK) {
		app_say(a, 1, "cannot decode attachment %s", at->part_id);
		free(full);
		return;
	}
	fd = open(full, O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL), 0666);
	if (fd < 0 && errno == EEXIST) {
		free(m->pending);
		m->pending = full;
		full = NULL;
		confirm_open(a, "File exists, overwrite?", 0, overwrite_answer, m, NULL);
	} else if (fd < 0) {
		app_say(a, 1, "cannot save to %s: %s", full, strerror(errno));
	} else {
		while (off < len) {
			ssize_t w = write(fd, data + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		if (close(fd) != 0 || off < len)
			app_say(a, 1, "cannot save to %s: %s", full, strerror(errno));
		else
			app_say(a, 0, "saved %zu bytes to %s", len, full);
	}
	free(data);
	free(full);
}

static void
overwrite_answer(struct app *a, int answer, void *ctx)
{
	attach_menu *m = pager_attach_menu(a);
	char *path;
	if (!m || m != ctx || !m->pending)
		return;
	path = m->pending;
	m->pending = NULL;
	if (answer == CONFIRM_YES)
		write_out(a, m, path, 1);
	else
		app_say(a, 0, "not saved");
	free(path);
}

static void
save_answer(struct app *a, const char *text, void *ctx)
{
	attach_menu *m = pager_attach_menu(a);
	if (!m || m != ctx || !*text)
		return;
	write_out(a, m, text, 0);
}

static void
save(struct app *a, attach_menu *m)
{
	char *name = attach_safe_name(m->v[m->cur].filename, m->v[m->cur].part_id);
	char cwd[4096];
	char *def = getcwd(cwd, sizeof cwd) ? xasprintf("%s/%s", strcmp(cwd, "/") ? cwd : "", name) :
	            xstrdup(name);
	prompt_open(a, "Save to: ", def, save_answer, m);
	free(def);
	free(name);
}

/* --- Opening through mailcap ------------------------------------------------ */

static int
in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy = xstrdup(path ? path : "/usr/bin:/bin"), *save = NULL;
	int found = 0;
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", d, prog);
		found = access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	return found;
}

/* A media type from the mail, fit to reach a shell: run-mailcap pastes %t
 * into its command line unquoted, and "application/x|id" is a valid MIME
 * token. Anything but [a-z0-9.+_-]/[a-z0-9.+_-] becomes
 * application/octet-stream. Caller frees. */
char *
attach_safe_type(const char *type)
{
	const char *slash = type ? strchr(type, '/') : NULL;
	size_t n = type ? strlen(type) : 0;
	int ok = slash && slash != type && slash[1] && n < 128;
	for (size_t i = 0; ok && i < n; i++) {
		unsigned char c = (unsigned char)type[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		     c == '+' || c == '-' || c == '_' || (c == '/' && type + i == slash);
	}
	if (!ok)
		return xstrdup("application/octet-stream");
	{
		char *t = xstrdup(type);
		str_lower(t);
		return t;
	}
}

/* The first line a failed viewer wrote on its stderr, made safe to show
 * ("" if none). */
static char *
first_line(const char *path)
{
	char *text = NULL, *safe;
	size_t len = 0;
	if (file_read_all(path, &text, &len) != TERN_OK)
		return xstrdup("");
	text[strcspn(text, "\r\n")] = '\0';
	safe = text_sanitize(text, 0);
	free(text);
	if (strlen(safe) > 200) {
		size_t n = 200;
		while (n > 0 && ((unsigned char)safe[n] & 0xC0) == 0x80)
			n--;            /* not inside a UTF-8 character */
		safe[n] = '\0';
	}
	return safe;
}

/* A copiousoutput viewer that runs longer is stopped. */
#define VIEW_TIMEOUT_MS 30000

static void
open_mailcap(struct app *a, attach_menu *m)
{
	const struct mime_attachment *at = &m->v[m->cur];
	char *data = NULL, *name, *path = NULL, *script = NULL, *arg = NULL, *errpath = NULL;
	char *type = attach_safe_type(at->media_type);
	size_t len = 0;
	int status = 0, use_run = in_path("run-mailcap"), copious = 0;
	pid_t pid;

	{
		char *home = path_expand_home("~/.mailcap");
		const char *files[] = { home, "/etc/mailcap" };
		struct mailcap_entry e;
		int found = mailcap_find(files, ARRAY_LEN(files), type, &e) == TERN_OK;
		free(home);
		if (!found && !use_run) {
			app_say(a, 1, "no mailcap entry for %s (save it with %s)", type,
			        keymap_key_name(keymap_key_for(a->km, CTX_ATTACH, ACT_SAVE_ATTACHMENT)));
			free(type);
			return;
		}
		if (found) {
			copious = e.copiousoutput;
			/* Text a viewer prints comes from the mail: it is shown in
			 * tern's own text view, made inert, never straight on the
			 * terminal (nor through run-mailcap's pager). */
			if (copious || !use_run)
				script = mailcap_script(e.view, 1);
			mailcap_entry_free(&e);
		}
	}
	if (mime_attachment_data(m->msg, at->part_id, &data, &len) != TERN_OK) {
		app_say(a, 1, "cannot decode attachment %s", at->part_id);
		free(script);
		free(type);
		return;
	}
	if (!m->tmpdir) {
		const char *td = getenv("TMPDIR");
		char *tmpl = xasprintf("%s/tern-XXXXXX", td && *td ? td : "/tmp");
		if (!mkdtemp(tmpl)) {
			app_say(a, 1, "cannot make a temporary directory: %s", strerror(errno));
			free(tmpl);
			free(data);
			free(script);
			free(type);
			return;
		}
		m->tmpdir = tmpl;
	}
	name = attach_safe_name(at->filename, at->part_id);
	path = xasprintf("%s/%s", m->tmpdir, name);
	free(name);
	unlink(path);
	if (file_write_all(path, data, len, 0600) != TERN_OK) {
		app_say(a, 1, "cannot write %s", path);
		goto out;
	}
	if (copious) {
		char *argv[] = { "/bin/sh", "-c", script, "sh", path, type, NULL }, *out = NULL, *title, *why = NULL;
		size_t outlen = 0;
		int rc = proc_run_err(argv, "", 0, VIEW_TIMEOUT_MS, &out, &outlen, &status, &why);
		title = xasprintf("view: %s", at->filename ? at->filename : at->part_id);   /* made inert by the view */
		textview_open(a, title, out ? out : "", outlen);
		if (rc != TERN_OK) {
			char *safe = text_sanitize(why ? why : "", 0);
			app_say(a, 1, "the viewer for %s failed (%s)%s%s", type,
			        status >= 0 ? "its exit status is not 0" : "it did not finish in time", *safe ? ": " : "",
			        safe);
			free(safe);
		}
		free(why);
		free(title);
		free(out);
		goto out;
	}
	arg = xasprintf("%s:%s", type, path);
	errpath = xasprintf("%s/.viewer-stderr", m->tmpdir);
	def_prog_mode();
	endwin();
	pid = fork();
	if (pid == 0) {
		/* The viewer's complaints go to a file, not the terminal: what a
		 * viewer left running in the background (an X11 program, a
		 * detached xdg-open) writes there after the screen is back would
		 * scribble over it. A failure's first line is said instead. */
		int efd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (efd >= 0)
			dup2(efd, 2);
		if (use_run && !script)
			execlp("run-mailcap", "run-mailcap", "--action=view", arg, (char *)NULL);
		else
			mailcap_exec(script, path, type);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	if (pid < 0)
		app_say(a, 1, "cannot start the viewer: %s", strerror(errno));
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *why = first_line(errpath);
		app_say(a, 1, "the viewer for %s failed (status %d)%s%s", type,
		        WIFEXITED(status) ? WEXITSTATUS(status) : -1, *why ? ": " : "", why);
		free(why);
	}
	else
		app_say(a, 0, "opened %s", at->filename ? at->filename : at->part_id);
out:
	free(errpath);
	free(arg);
	free(path);
	free(data);
	free(script);
	free(type);
}

int
attach_key(struct app *a, attach_menu *m, enum ui_action act)
{
	size_t page = a->main_h > 4 ? (size_t)a->main_h - 3 : 1;
	switch (act) {
	case ACT_DOWN:
		if (m->cur + 1 < m->n)
			m->cur++;
		break;
	case ACT_UP:
		if (m->cur)
			m->cur--;
		break;
	case ACT_PAGE_DOWN: case ACT_HALF_DOWN:
		m->cur = m->cur + page < m->n ? m->cur + page : m->n - 1;
		break;
	case ACT_PAGE_UP: case ACT_HALF_UP:
		m->cur = m->cur > page ? m->cur - page : 0;
		break;
	case ACT_TOP:
		m->cur = 0;
		break;
	case ACT_BOTTOM:
		m->cur = m->n - 1;
		break;
	case ACT_OPEN:
		open_mailcap(a, m);
		break;
	case ACT_SAVE_ATTACHMENT:
		save(a, m);
		break;
	case ACT_BACK: case ACT_CANCEL: case ACT_ATTACHMENTS:
		return 1;
	default:
		break;
	}
	return 0;
}
