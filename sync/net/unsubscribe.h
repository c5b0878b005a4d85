/* RFC 8058 one-click unsubscribe: one HTTPS POST of
 * "List-Unsubscribe=One-Click" to the List-Unsubscribe URL, run by the
 * account's worker (never the UI thread). The certificate is verified
 * (the system store plus the account's ca_file); no cookies, no
 * credentials, no redirects (RFC 8058 section 3.2). */
#ifndef TERN_UNSUBSCRIBE_H
#define TERN_UNSUBSCRIBE_H

#include "src/config/conf.h"

/* TERN_OK when the server answered 2xx; TERN_EINVAL for a URL that is not
 * https:; TERN_EREFUSED with *err "HTTP 404" for another answer; TERN_ETLS,
 * TERN_ENET or TERN_ETIMEOUT with *err when it could not be reached. */
int unsubscribe_post(const struct account_cfg *acct, const char *url, int (*stopping)(void *), void *arg,
                     char **err);

#endif
