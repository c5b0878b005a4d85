/* Handing a message to a local command (the account's sendmail) instead
 * of an SMTP server: the message on its standard input, exit 0 for sent. */
#ifndef TERN_SENDMAIL_H
#define TERN_SENDMAIL_H

#include <stddef.h>
#include "src/config/conf.h"
#include "sync/net/smtp_send.h"

/* Runs cmd through /bin/sh with raw (LF line ends, Bcc kept for -t) on
 * its stdin, within 4 times the account's timeout. hook->at_data is
 * called just before the command starts (the point of no return).
 * TERN_OK: exit 0. TERN_EREFUSED: it failed (*err has its first stderr
 * line). TERN_ETIMEOUT with *unknown: killed while it ran. */
int sendmail_send(const struct account_cfg *acct, const char *cmd, const char *raw, size_t len,
                  const struct smtp_hook *hook, int *unknown, char **err);

#endif
