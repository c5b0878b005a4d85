/* A TCP connection that a stop request can interrupt: the name lookup
 * (sync/resolve.h) and the non-blocking connect are waited for in short
 * steps, so quitting waits neither for a resolver that does not answer nor
 * for a host that drops packets. */
#ifndef TERN_DIAL_H
#define TERN_DIAL_H

#include "sync/stop.h"

/* TERN_OK with *fd (blocking, close-on-exec); TERN_ENET (*err says why),
 * TERN_ETIMEOUT after timeout_s, TERN_ECANCELLED when *stop is set. */
int dial_tcp(const char *host, int port, int timeout_s, stop_flag *stop, int *fd, char **err);

#endif
