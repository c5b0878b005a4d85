#include "config.h"

#include "src/base/err.h"
#include "src/base/util.h"

/* The one failure table: each code's text, when it may be retried and what
 * it is about. The runtime (sync/retry.c, sync/runner.c, the engines' queue
 * drains, sync/outbox.c) reads it through the functions below. */
static const struct {
	const char *text;
	enum tern_err_class class;
	enum tern_err_scope scope;
} table[] = {
	[TERN_OK] = { "success", TERN_FINAL, TERN_SCOPE_ITEM },
	[TERN_ENOMEM] = { "out of memory", TERN_RETRY_LATER, TERN_SCOPE_ITEM },
	[TERN_EIO] = { "input/output error", TERN_FINAL, TERN_SCOPE_ITEM },
	/* A busy or failing database: the item is kept and counted. */
	[TERN_EDB] = { "database error", TERN_RETRY_LATER, TERN_SCOPE_ITEM },
	/* What the configuration cannot do for this item (no smtp_host):
	 * failed, visible, until the user fixes it and retries. */
	[TERN_ECONFIG] = { "configuration error", TERN_FINAL, TERN_SCOPE_ITEM },
	[TERN_EINVAL] = { "invalid argument", TERN_FINAL, TERN_SCOPE_ITEM },
	[TERN_ENOTFOUND] = { "not found", TERN_FINAL, TERN_SCOPE_ITEM },
	[TERN_EBUSY] = { "busy: locked by another process", TERN_RETRY_LATER, TERN_SCOPE_ACCOUNT },
	[TERN_ETOONEW] = { "database is newer than this tern", TERN_FINAL, TERN_SCOPE_ACCOUNT },
	/* Nothing is known about the item: it waits, as it was, for the
	 * reconnect, and an offline hour does not use up its attempts. */
	[TERN_ENET] = { "network error", TERN_RETRY_LATER, TERN_SCOPE_ACCOUNT },
	[TERN_ETIMEOUT] = { "timed out", TERN_RETRY_LATER, TERN_SCOPE_ACCOUNT },
	/* Final until the configuration changes; an item that met it is
	 * failed with the reason, for `tern queue retry` afterwards. */
	[TERN_ETLS] = { "TLS error", TERN_FINAL, TERN_SCOPE_ACCOUNT },
	[TERN_EAUTH] = { "authentication failed", TERN_FINAL, TERN_SCOPE_ACCOUNT },
	/* An answer we cannot read is held against what was asked about (the
	 * folder being synced, the change being pushed), so that one bad
	 * message cannot keep the whole account reconnecting. */
	[TERN_EPROTO] = { "protocol error", TERN_RETRY_LATER, TERN_SCOPE_MAILBOX },
	[TERN_EREFUSED] = { "refused by the server", TERN_FINAL, TERN_SCOPE_ITEM },
	/* The next cycle pulls the server's state first; then again. */
	[TERN_ECONFLICT] = { "conflict with server state", TERN_RETRY_NOW, TERN_SCOPE_ITEM },
	[TERN_ECANCELLED] = { "cancelled", TERN_RETRY_LATER, TERN_SCOPE_ACCOUNT },
	[TERN_EOFFLINE] = { "offline", TERN_RETRY_LATER, TERN_SCOPE_ACCOUNT },
	[TERN_ENOTRASH] = { "the account has no Trash mailbox", TERN_FINAL, TERN_SCOPE_ITEM },
	/* The account's own connection is fine: the item waits, with the
	 * reason shown, and is failed after its attempts. */
	[TERN_ETEMPFAIL] = { "temporary failure", TERN_RETRY_LATER, TERN_SCOPE_ITEM },
};

static int
known(int err)
{
	return err >= 0 && (size_t)err < ARRAY_LEN(table) && table[err].text;
}

const char *
tern_strerror(int err)
{
	return known(err) ? table[err].text : "unknown error";
}

enum tern_err_class
tern_err_class(int err)
{
	return known(err) ? table[err].class : TERN_FINAL;
}

enum tern_err_scope
tern_err_scope(int err)
{
	return known(err) ? table[err].scope : TERN_SCOPE_ITEM;
}

int
tern_err_reconnect(int err)
{
	return err != TERN_OK && tern_err_scope(err) == TERN_SCOPE_ACCOUNT && tern_err_class(err) != TERN_FINAL;
}
