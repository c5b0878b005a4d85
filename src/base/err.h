/* Error codes shared by every layer. Functions return TERN_OK (0) or one of
 * these; the sync engine decides what to do from the class, never from text. */
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
	TERN_EOFFLINE    /* no connection; the change stays queued */
} tern_err;

/* A short static English description of the code. */
const char *tern_strerror(int err);

/* Whether a failure of this class is worth retrying later for the same item. */
int tern_err_retryable(int err);

#endif
