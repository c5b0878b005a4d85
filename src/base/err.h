/* Error codes shared by every layer. Functions return TERN_OK (0) or one of
 * these. What the runtime does after a failure (retry the item, rest a
 * mailbox, reconnect the account, give up) follows from the code's class
 * and scope in one table (err.c), never from text or a list of its own. */
#ifndef TERN_ERR_H
#define TERN_ERR_H

typedef enum {
	TERN_OK = 0,
	TERN_ENOMEM,     /* out of memory */
	TERN_EIO,        /* local file or pipe error */
	TERN_EDB,        /* SQLite error */
	TERN_ECONFIG,    /* bad configuration */
	TERN_EINVAL,     /* bad argument or bad user input */
	TERN_ENOTFOUND,  /* no such account, mailbox or message */
	TERN_EBUSY,      /* someone else holds the lock */
	TERN_ETOONEW,    /* database written by a newer tern */
	TERN_ENET,       /* connection-level failure: retry later, with backoff */
	TERN_ETIMEOUT,   /* the server did not answer in time: retry later */
	TERN_ETLS,       /* TLS or certificate failure: final until config changes */
	TERN_EAUTH,      /* login refused: final until config changes */
	TERN_EPROTO,     /* the server said something we cannot parse */
	TERN_EREFUSED,   /* the server refused this item: final for the item */
	TERN_ECONFLICT,  /* server state moved under us: pull, then retry now */
	TERN_ECANCELLED, /* stopped on request */
	TERN_EOFFLINE,   /* no connection; the change stays queued */
	TERN_ENOTRASH,   /* a delete that must go to the Trash, on an account without one */
	TERN_ETEMPFAIL   /* this item failed for now (an SMTP 4xx, the SMTP server unreachable) */
} tern_err;

/* A short static English description of the code. */
const char *tern_strerror(int err);

/* When the same thing may be tried again. */
enum tern_err_class {
	TERN_RETRY_NOW,   /* at once (after pulling the server's state) */
	TERN_RETRY_LATER, /* after a delay */
	TERN_FINAL        /* not until the user acts (fixes the config, retries) */
};

/* What the failure is about: what waits, or is given up. */
enum tern_err_scope {
	TERN_SCOPE_ITEM,    /* this change, this message */
	TERN_SCOPE_MAILBOX, /* the mailbox (folder) being worked on */
	TERN_SCOPE_ACCOUNT  /* the account's connection or setup: nothing is known about the item */
};

/* The table's class and scope of err (TERN_OK, and codes this tern does
 * not know: final for the item). */
enum tern_err_class tern_err_class(int err);
enum tern_err_scope tern_err_scope(int err);

/* The connection is the matter and it may come back: reconnect with
 * backoff (scope account, not final). */
int tern_err_reconnect(int err);

#endif
