/* The [hooks] of the config (tern.conf(5)): a shell command run for an
 * event, fed the event as JSON lines on its standard input. They run on the
 * account's sync thread (the TUI's worker, `tern sync`), never on the UI's,
 * each within HOOK_TIMEOUT_MS; the command's output and failures go to the
 * log only. Only the process that holds the account's lock calls them
 * (sync/runner.c), so an event is told once. */
#ifndef TERN_SYNC_HOOKS_H
#define TERN_SYNC_HOOKS_H

#include <stddef.h>
#include <stdint.h>
#include "sync/engine.h"

#define HOOK_TIMEOUT_MS 10000

/* After a cycle: mail_received with one line per message received since the
 * last call (a mark kept in sync_state, so a restart does not tell them
 * again; the first call only sets it: the mail already there is not new). */
void hooks_mail_received(struct sync_ctx *ctx);
/* A message went out (the outbox's point of no return is behind it):
 * mail_sent with one line for it. */
void hooks_mail_sent(struct sync_ctx *ctx, int64_t outbox_id, const char *raw, size_t len);
/* The account's sync failed (rc and the error shown to the user):
 * sync_failed with one line. */
void hooks_sync_failed(struct sync_ctx *ctx, int rc, const char *error);

#endif
