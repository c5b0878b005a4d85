/* Inside the composer (ui/compose*.c): the draft being written. Every
 * string is UTF-8 and owned by the struct. */
#ifndef TERN_UI_COMPOSE_INT_H
#define TERN_UI_COMPOSE_INT_H

#include <stddef.h>
#include <stdint.h>
#include "ui/app.h"

struct catt {
	char *path;               /* a file picked by the user, or NULL */
	char *data;               /* or the bytes (forwarded message, resumed draft) */
	size_t len;
	char *name;
	char *type;               /* NULL: guessed from the name when sent */
	int64_t size;
};

enum cline_field { CL_NONE, CL_TO, CL_CC, CL_BCC, CL_SUBJECT, CL_ATTACH, CL_PGP_KEY };

struct cline {                /* the one-line editor at the bottom */
	enum cline_field field;
	char *label;
	char buf[1024];
	size_t len;               /* bytes; the cursor is at the end */
	char **cands;             /* completions offered by Tab */
	size_t ncands, cand;
	char *stem;               /* the text the candidates complete */
	size_t start;             /* where the stem starts in buf */
	struct abook_job *abook;  /* address_book_cmd still running for stem */
};

struct compose {
	int64_t account_id;
	const struct account_cfg *acfg;
	char *from, *to, *cc, *bcc, *subject, *body;
	char *in_reply_to, *references;
	int64_t parent_id;        /* replied-to message: flagged answered on send */
	int64_t draft_id;         /* resumed draft: deleted once sent or postponed again */
	int64_t failed_queue;     /* a failed send taken back: its queue row and */
	int64_t failed_outbox;    /* outbox row go once the new one is queued */
	struct catt *att;
	size_t natt, cur;
	char *file;               /* the editor's temp file (0600) */
	char *written;            /* what was last written to it */
	int edits;                /* editor runs so far */
	int fresh;                /* new, reply or forward: abort_unmodified applies */
	int ident;                /* 0: the account's address, k: its identities[k - 1];
	                           * -1: another (an alternate, or typed in the editor) */
	int sig_added;            /* the body ends with a signature tern may swap */
	struct cline line;
	int pgp;                  /* CRYPT_SIGN | CRYPT_ENCRYPT (src/crypt/crypt.h) */
	int pgp_auto;             /* encrypt if every recipient has a key (pgp_encrypt_if_possible) */
	char *pgp_key;            /* "sign as" (the p menu's a), else NULL: the account's pgp_key */
	int pgp_menu;             /* the p menu waits for its letter */
};

/* The editor's file: From/To/Cc/Bcc/Subject, a blank line, the body. */
int compose_file_write(struct compose *c);
/* Reads the file back: every editable header from it (a deleted line is an
 * empty header; From falls back to the account's address). TERN_EINVAL with
 * *err when it has no header block; TERN_OK with *err set (caller frees) to
 * a warning when it held headers tern does not send. */
int compose_file_read(struct compose *c, char **err);
/* The account's From: "Name <address>" or the address. Caller frees. */
char *compose_default_from(const struct account_cfg *acfg);
/* From, and the signature with it, set to the account's identity i
 * (0: its own address, k: identities[k - 1]). */
void compose_ident_set(struct app *a, struct compose *c, int i);
/* The next identity of the account (the compose screen's cycle-from). */
void compose_ident_next(struct app *a, struct compose *c);

/* Runs the editor on c->file with curses suspended. TERN_OK when it exited 0. */
int compose_run_editor(struct app *a, struct compose *c, char **err);

/* Runs the editor on the draft, then shows it on the compose screen
 * (a->cmp = c), with the editor's error on the message line if it failed. */
void compose_edit(struct app *a, struct compose *c);

/* A reply, forward or resume waiting for its body starts once it is cached. */
void compose_wait_check(struct app *a);

/* "y:send  e:edit  ...": the compose screen's live keys. Caller frees. */
char *compose_hint(struct app *a);

/* The line editor: opens on field with initial text. */
void cline_open(struct compose *c, enum cline_field f, const char *label, const char *initial);
void cline_close(struct compose *c);
/* 1: Enter (text in c->line.buf), -1: Esc, 0: still editing. */
int cline_key(struct app *a, struct compose *c, int key);

/* The address book's answers, when they have come, join the completions
 * of the line being edited (called on every screen update). */
void compose_abook_check(struct app *a);

/* The file's media type: by extension, else `file --mime-type`. Caller frees. */
char *compose_guess_type(const char *path);

#endif
