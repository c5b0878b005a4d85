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
/* How IMAP and SMTP log in: LOGIN / AUTH with the password, or a SASL
 * mechanism carrying an OAuth2 access token (RFC 7628; XOAUTH2 is
 * Google's older form of the same). */
enum auth_mech { AUTH_PASSWORD, AUTH_XOAUTH2, AUTH_OAUTHBEARER };

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

/* [identity NAME]: another address of an account, with its own name,
 * signature and way out (sendmail, SMTP settings); NULL/0: the account's. */
struct identity_cfg {
	char *name;                 /* the section name */
	char *account;              /* the account it belongs to */
	char *email;
	char *real_name;            /* key "name" */
	char *signature_file;
	char *signature_cmd;
	char *sendmail;             /* a command that takes the message on stdin */
	char *smtp_host;
	int smtp_port;
	enum tls_mode smtp_tls;
	int smtp_tls_set;
	char *username;             /* its SMTP login, over the account's */
	char *password_cmd;
	const char *file;
	int line;
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
	enum auth_mech auth;        /* IMAP and SMTP login (key "auth") */
	char *oauth_token_cmd;      /* prints an OAuth2 access token; replaces the password */
	char *sendmail;             /* a command that sends (stdin) instead of SMTP; read via account_sendmail() */
	char *ca_file;              /* extra trusted CA (PEM) */
	int poll_interval;          /* seconds between checks of non-pushed folders */
	int timeout;                /* seconds for every network operation */
	char *alternates;           /* other own addresses, comma-separated */
	int delete_to_trash;        /* delete moves to Trash (1) or destroys (0) */
	int copy_to_sent;           /* file what SMTP sent in Sent (0: the server does) */
	int prefetch_days;          /* fetch bodies of the last N days in background */
	char *signature_file;       /* appended after "-- " to new mail, replies, forwards */
	char *signature_cmd;        /* or the output of this command */
	/* Its [identity] sections in file order (the account's own address is
	 * the first identity and not among them); they point into config. */
	const struct identity_cfg **identities;
	size_t nidentities;
	int text_flowed;            /* send plain text as format=flowed (the global value unless set) */
	int pgp_sign;               /* sign what is sent (PGP/MIME) */
	char *pgp_key;              /* the key to sign with and encrypt to oneself; NULL: gpg's default */
	int pgp_encrypt_if_possible;/* encrypt when every recipient has a usable key */
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
	int collapse_threads;       /* threads start collapsed (neomutt's collapse_all) */
	int mark_read;              /* opening a message marks it read */
	int confirm_quit;
	int abort_unmodified;       /* a new message left unchanged in the editor is dropped */
	int resolve;                /* after N, F, d, a, s the cursor goes to the next message (mutt's resolve) */
	int beep_new;               /* the terminal bell when new mail arrives */
	int set_title;              /* the terminal title counts new mail */
	int cache_decrypted;        /* decrypted PGP mail may go into the search index */
	char *date_format;          /* strftime format of the pager's Date line (local time); NULL: the default */
	struct sort_spec sort;      /* the message list's order (sort = [reverse-]KEY) */
	struct cfg_list binds;      /* "bind = CONTEXT KEY ACTION", checked by the UI keymap */
	char *address_book_cmd;     /* completion source; %s is what was typed */
	int text_flowed;            /* send plain text as format=flowed (RFC 3676) */
	struct cfg_list colors;     /* "color OBJECT FG BG [ATTR...]", checked here (src/config/colour.h) */
	/* [hooks]: shell commands fed an event as JSON lines (sync/hooks.c); NULL: none */
	char *hook_mail_received, *hook_mail_sent, *hook_sync_failed;
	struct account_cfg *accounts;
	size_t naccounts;
	struct identity_cfg *identities;
	size_t nidentities;
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
 * password_cmd (run through /bin/sh); or, with oauth_token_cmd, the access
 * token it prints (its time limit is the account's timeout). Caller frees;
 * *err describes a failure (the exit status, the first line of stderr)
 * without ever containing the secret. */
int conf_password(const struct account_cfg *acct, char **out, char **err);

/* Whether the account's secret is an access token from oauth_token_cmd,
 * which may be run again when the server refuses it (an expired token). */
int conf_uses_token(const struct account_cfg *acct);

/* The command messages are sent through instead of SMTP, or NULL. The one
 * place that reads it, so that an identity can override it later. */
const char *account_sendmail(const struct account_cfg *acct);
/* The identity of acct whose address is addr (case-insensitive), NULL when
 * none is (the account's own address is not an [identity]). */
const struct identity_cfg *conf_identity_by_email(const struct account_cfg *acct, const char *addr);

/* A signature: the file's text or the command's output (run through
 * /bin/sh, 5 s at most), trailing blank lines removed. TERN_OK with *out
 * ("" when file and cmd are both NULL; caller frees), else *err says why. */
int conf_signature(const char *file, const char *cmd, char **out, char **err);

/* The JMAP session URL to fetch (jmap_url, completed with /.well-known/jmap). */
char *conf_jmap_session_url(const struct account_cfg *acct);

#endif
