/* A TCP connection that a stop request can interrupt: the connect is
 * non-blocking and polled in short steps, so quitting does not wait for a
 * host that drops packets. (Name resolution still blocks: getaddrinfo has
 * no timeout; a local resolver answers or fails fast.) */
#ifndef TERN_DIAL_H
#define TERN_DIAL_H

#include "sync/stop.h"

/* TERN_OK with *fd (blocking, close-on-exec); TERN_ENET (*err says why),
 * TERN_ETIMEOUT after timeout_s, TERN_ECANCELLED when *stop is set. */
int dial_tcp(const char *host, int port, int timeout_s, stop_flag *stop, int *fd, char **err);

#endif
