#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "src/base/err.h"
#include "sync/retry.h"
#include "sync/sync.h"

static int64_t
jittered(int64_t d, unsigned *seed)
{
	int jitter;
	if (d > RETRY_BACKOFF_MAX_MS)
		d = RETRY_BACKOFF_MAX_MS;
	/* Up to +20 %, capped, so that accounts failing together spread out
	 * and the bounds 5 s .. 300 s still hold. */
	jitter = seed ? rand_r(seed) % 201 : 0;
	d += d * jitter / 1000;
	return d > RETRY_BACKOFF_MAX_MS ? RETRY_BACKOFF_MAX_MS : d;
}

int64_t
retry_backoff_ms(int failures, unsigned *seed)
{
	int64_t d = RETRY_BACKOFF_MIN_MS;

	for (int i = 1; i < failures && d < RETRY_BACKOFF_MAX_MS; i++)
		d *= 2;
	return jittered(d, seed);
}

int64_t
retry_reconnect_ms(int failures, int64_t down_ms, int was_healthy, unsigned *seed)
{
	/* Doubling from the first failure made a 25 s restart cost 48 s
	 * (retries at 6, 11, 22, 48 s); waiting a quarter of the outage so far
	 * spends at most a quarter more than the outage itself. */
	if (!was_healthy)
		return retry_backoff_ms(failures, seed);
	return jittered(down_ms / 4 > RETRY_BACKOFF_MIN_MS ? down_ms / 4 : RETRY_BACKOFF_MIN_MS, seed);
}

int64_t
sync_retry_left(const char *detail, int64_t updated_at, int64_t now)
{
	long long s;
	if (!detail || sscanf(detail, RETRY_DETAIL_FMT, &s) != 1)
		return -1;
	return updated_at + s > now ? updated_at + s - now : 0;
}

enum queue_action
retry_queue_action(int rc, int attempts, int64_t *delay_s)
{
	*delay_s = 0;
	if (rc == TERN_OK)
		return QA_DONE;
	/* The account's connection, not the item: the item is untouched. */
	if (tern_err_reconnect(rc))
		return QA_DISCONNECT;
	if (tern_err_class(rc) == TERN_FINAL || attempts + 1 >= RETRY_MAX_ATTEMPTS)
		return QA_FAILED;
	/* 30 s, 60 s, 120 s, ... between attempts of the same item; a
	 * conflict goes again at once (the next cycle pulls first). */
	if (tern_err_class(rc) == TERN_RETRY_LATER)
		*delay_s = (int64_t)30 << (attempts < 6 ? attempts : 6);
	return QA_RETRY;
}
