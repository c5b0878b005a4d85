/* One process syncs an account at a time: an flock(2) on
 * DATA_DIR/locks/ACCOUNT.lock, held by the process's worker for the account
 * and released on close or process exit (so a crash never leaves it stuck). */
#ifndef TERN_LOCK_H
#define TERN_LOCK_H

#include <sys/types.h>

typedef struct acct_lock acct_lock;

/* Non-blocking. TERN_EBUSY if another process (or another open in this
 * one) holds it; *holder is then its pid if known, else 0. */
int lock_acquire(const char *data_dir, const char *account, acct_lock **out, pid_t *holder);
void lock_release(acct_lock *l);

#endif
