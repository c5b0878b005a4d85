/* Mailcap (RFC 1524), for opening an attachment on systems without
 * run-mailcap: reading an entry, finding the one for a media type, and the
 * shell command it runs. The file name and the media type come from the
 * mail, so they never become part of a command's text: %s and %t turn into
 * references to the positional parameters $1 and $2 of "sh -c", quoted for
 * wherever they stand in the command (mailcap_exec() passes the values).
 * No curses here: ui/attach_menu.c drives it. */
#ifndef TERN_MAILCAP_H
#define TERN_MAILCAP_H

#include <stddef.h>

struct mailcap_entry {
	char *type;               /* "image/png", "image" or image/ and a star */
	char *view;               /* the view command, as the entry wrote it */
	char *test;               /* test= command, NULL if none */
	int copiousoutput;        /* prints text: it goes through a pager */
	int needsterminal;        /* interactive: it needs the terminal (tern
	                           * always hands the terminal over) */
};

/* Reads one mailcap line (continuation lines already joined):
 * "type; view-command; flag; name=value ...", where "\;" does not end a
 * field. TERN_EINVAL for a blank or comment line and for an entry without a
 * type or a view command; *out is then left empty. */
int mailcap_entry_parse(const char *line, struct mailcap_entry *out);
void mailcap_entry_free(struct mailcap_entry *e);

/* Whether an entry's type (a full type, a wildcard subtype such as
 * text/ and a star, or a bare "text") covers the media type type
 * ("text/plain"); case is ignored. */
int mailcap_type_matches(const char *pattern, const char *type);

/* The first entry in files (in order; a missing file is skipped) whose type
 * covers type and whose test= command, if any, succeeds (RFC 1524: so an
 * X11 viewer is passed over without a display). TERN_OK and *out filled,
 * or TERN_ENOTFOUND. */
int mailcap_find(const char *const *files, size_t nfiles, const char *type, struct mailcap_entry *out);

/* The shell script for a mailcap command: %s becomes $1 (the file) and %t
 * $2 (the media type), quoted so that the shell takes each as one word
 * whatever it contains, also inside the entry's own quotes ('%s', "%s",
 * "name=%s"). "\x" in the entry stands for x ("\;", "\%"). stdin_file: a
 * command without %s reads the file on its standard input. Caller frees. */
char *mailcap_script(const char *cmd, int stdin_file);

/* Runs script (from mailcap_script()) as "sh -c script sh file type", in
 * place of the calling process (a child after fork()); _exit(127) if the
 * shell cannot start. */
void mailcap_exec(const char *script, const char *file, const char *type) __attribute__((noreturn));

#endif
