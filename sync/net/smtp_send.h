/* Sending over SMTP with libcurl: implicit TLS (smtps) or STARTTLS that
 * must succeed, AUTH with the account's credentials, certificates checked
 * against the system store plus ca_file. The envelope comes from the
 * message's From/To/Cc/Bcc; Bcc is removed from what is sent. */
#ifndef TERN_SMTP_SEND_H
#define TERN_SMTP_SEND_H

#include <stddef.h>
#include "src/config/conf.h"
#include "sync/stop.h"

struct smtp_envelope {
	char *from;               /* the From address */
	char **rcpt;              /* To, Cc and Bcc addresses, without duplicates */
	size_t nrcpt;
	char *data;               /* CRLF line ends, no Bcc header */
	size_t len;
};

/* Parses raw (LF or CRLF). TERN_EINVAL with *err when there is no From
 * or no recipient. */
int smtp_envelope_build(const char *raw, size_t len, struct smtp_envelope *env, char **err);
void smtp_envelope_free(struct smtp_envelope *env);

/* What a send whose outcome is unknown says to the user (failed, kept). */
#define SMTP_OUTCOME_UNKNOWN \
	"the connection broke while the message was being sent: it may have gone out; " \
	"check with a recipient, then retry (tern queue retry, or ^R in tern) to send it again, or drop it"

/* Called once, when the server has answered 354 to DATA and before the
 * first byte of the message goes out: from here a broken line leaves the
 * outcome unknown. A non-TERN_OK return aborts the send with that code,
 * before the message's end (the server then drops it). */
struct smtp_hook {
	int (*at_data)(void *arg);
	void *arg;
};

/* Sends; *stop (may be NULL) aborts; hook may be NULL. TERN_OK when the
 * server took it; TERN_EREFUSED when it refused the message for good (5xx),
 * TERN_ETEMPFAIL for now (4xx), TERN_EAUTH, TERN_ETLS, TERN_ENET /
 * TERN_ETIMEOUT (try later). *unknown is
 * set when the outcome cannot be known (the connection broke after the
 * whole message was handed over, before the server's answer). */
int smtp_send(const struct account_cfg *acct, const char *password, const struct smtp_envelope *env,
              const struct smtp_hook *hook, stop_flag *stop, int *unknown, char **err);

#endif
