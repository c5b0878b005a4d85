/* Name resolution that a stop request or a deadline can interrupt.
 * getaddrinfo has neither, and a resolver that does not answer holds the
 * caller for as long as its own retries last (tens of seconds), which would
 * hold up quitting. So the lookup runs in a short-lived detached thread;
 * the caller waits for it in steps and may walk away, leaving the thread
 * to free the request when it ends. */
#ifndef TERN_RESOLVE_H
#define TERN_RESOLVE_H

#include <netdb.h>
#include <stdint.h>

#include "sync/stop.h"

/* TERN_OK with *res (the caller frees it with freeaddrinfo); TERN_ENET
 * (*err says why), TERN_ETIMEOUT at end_ms (time_mono_ms), TERN_ECANCELLED
 * when *stop is set. */
int resolve_host(const char *host, const char *service, const struct addrinfo *hints, int64_t end_ms,
                 stop_flag *stop, struct addrinfo **res, char **err);

#endif
