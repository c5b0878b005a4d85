/* The configuration file: INI style, global keys first, then [account NAME]
 * sections. conf_load() validates everything; the struct it returns is
 * owned by the caller (conf_free). Every error names FILE:LINE. */
#ifndef TERN_CONF_H
#define TERN_CONF_H

#include <stddef.h>
#include "src/base/sortorder.h"

/* sort.MAILBOX = KEY in an account section. */
struct mailbox_sort {
	char *mailbox;
	struct sort_spec sort;
	int line;
};

enum tls_mode { TLS_IMPLICIT, TLS_STARTTLS, TLS_NONE };
enum protocol { PROTO_IMAP, PROTO_JMAP };
enum jmap_auth { JMAP_AUTH_BASIC, JMAP_AUTH_BEARER };

/* A repeatable key (bind = ...), in file order, with where each came from. */
struct cfg_entry {
	char *value;
	const char *file;
	int line;
};
struct cfg_list {
	struct cfg_entry *v;
	size_t n;
};

struct account_cfg {
	char *name;                 /* the section name: [account NAME] */
	enum protocol protocol;
	char *email;                /* the account's own address */
	char *real_name;            /* key "name" */
	char *username;             /* defaults to email */
	char *password;             /* literal; prefer password_cmd */
	char *password_cmd;         /* first line of its output is the password */
	char *imap_host;
	int imap_port;              /* default 993 (implicit) or 143 */
	enum tls_mode imap_tls;
	char *smtp_host;            /* NULL: no SMTP (JMAP submission only) */
	int smtp_port;              /* default 465 (implicit) or 587 */
	enum tls_mode smtp_tls;
	char *jmap_url;             /* session URL; bare https://host gets /.well-known/jmap */
	enum jmap_auth jmap_auth;   /* basic (username + password) or bearer (the password is a token) */
	char *ca_file;              /* extra trusted CA (PEM) */
	int poll_interval;          /* seconds between checks of non-pushed folders */
	int timeout;                /* seconds for every network operation */
	char *alternates;           /* other own addresses, comma-separated */
	int delete_to_trash;        /* delete moves to Trash (1) or destroys (0) */
	int copy_to_sent;           /* file what SMTP sent in Sent (0: the server does) */
	int prefetch_days;          /* fetch bodies of the last N days in background */
	struct mailbox_sort *sorts; /* sort.MAILBOX = KEY */
	size_t nsorts;
	const char *file;           /* where the section starts */
	int line;
};

struct config {
	char *path;                 /* the file read, or NULL if none */
	char *editor;
	char *html_filter;
	char *data_dir;             /* NULL: $XDG_DATA_HOME/tern */
	char *alternative_order;    /* MIME types preferred in multipart/alternative */
	int threaded;               /* start the message list threaded */
	int mark_read;              /* opening a message marks it read */
	int confirm_quit;
	int abort_unmodified;       /* a new message left unchanged in the editor is dropped */
	int resolve;                /* after N, F, d, a, s the cursor goes to the next message (mutt's resolve) */
	int beep_new;               /* the terminal bell when new mail arrives */
	int set_title;              /* the terminal title counts new mail */
	char *date_format;          /* strftime format of the pager's Date line (local time); NULL: the default */
	struct sort_spec sort;      /* the message list's order (sort = [reverse-]KEY) */
	struct cfg_list binds;      /* "bind = CONTEXT KEY ACTION", checked by the UI keymap */
	struct account_cfg *accounts;
	size_t naccounts;
};

/* Loads path. If must_exist is 0, a missing file gives an empty config.
 * On error returns TERN_ECONFIG (or TERN_EIO) and *err is "FILE:LINE: text",
 * one line for each error found in the file (caller frees). Warnings (e.g. a password in a world-readable file) are
 * appended, one per line, to *warnings when non-NULL (caller frees). */
int conf_load(const char *path, int must_exist, struct config **out,
                char **err, char **warnings);
void conf_free(struct config *cfg);

/* NULL if there is no such account. */
const struct account_cfg *conf_account(const struct config *cfg, const char *name);

/* The account's password: the literal, or the first line printed by
 * password_cmd (run through /bin/sh). Caller frees; *err describes a failure
 * without ever containing the password. */
int conf_password(const struct account_cfg *acct, char **out, char **err);

/* The JMAP session URL to fetch (jmap_url, completed with /.well-known/jmap). */
char *conf_jmap_session_url(const struct account_cfg *acct);

#endif
