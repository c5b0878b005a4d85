/* What to do after a failure: the reconnect delay of an account whose
 * connection fails, and the fate of a queued change the server did not
 * take. Pure functions (unit-tested in tests/unit/test_sync_pure.c). */
#ifndef TERN_RETRY_H
#define TERN_RETRY_H

#include <stdint.h>

#define RETRY_BACKOFF_MIN_MS 5000
#define RETRY_BACKOFF_MAX_MS 300000
#define RETRY_MAX_ATTEMPTS 5

/* Delay before reconnect attempt number failures (1 = the first failure):
 * 5 s doubling up to 300 s, then jittered by +0%..+20% with *seed
 * (rand_r state; NULL: no jitter), never above 300 s. */
int64_t retry_backoff_ms(int failures, unsigned *seed);
/* The reconnect delay of an account whose connection was healthy before
 * this outage (down_ms so far): a quarter of the time it has been down,
 * from 5 s (so a server back after a restart is seen within seconds, not
 * after a doubled wait) up to 300 s, jittered as above. Not healthy
 * before (tern started against a dead server): retry_backoff_ms. */
int64_t retry_reconnect_ms(int failures, int64_t down_ms, int was_healthy, unsigned *seed);


enum queue_action {
	QA_DONE,        /* the server confirmed: remove the row */
	QA_DISCONNECT,  /* the connection failed, not the item: requeue as it was, reconnect */
	QA_RETRY,       /* the item failed but may work later: count an attempt, retry at retry_at */
	QA_FAILED       /* final for this item: keep it, visible, as failed */
};

/* rc: what push_change returned; attempts: the attempts already recorded
 * (before this one). *delay_s: when QA_RETRY, how long to wait. Decided
 * from the error table alone (tern_err_class, tern_err_scope). */
enum queue_action retry_queue_action(int rc, int attempts, int64_t *delay_s);

#endif
