/* One process syncs an account at a time, and a crashed holder never leaves
 * the account locked. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/base/err.h"
#include "src/base/lock.h"
#include "src/base/util.h"

static char dir[] = "/tmp/tern-test-lock.XXXXXX";

static void
t_same_process_twice(void **state)
{
	acct_lock *a, *b;
	pid_t holder;
	(void)state;
	assert_int_equal(lock_acquire(dir, "work", &a, &holder), TERN_OK);
	assert_int_equal(lock_acquire(dir, "work", &b, &holder), TERN_EBUSY);
	assert_null(b);
	assert_int_equal(holder, getpid());
	/* Another account is independent. */
	assert_int_equal(lock_acquire(dir, "home", &b, &holder), TERN_OK);
	lock_release(b);
	lock_release(a);
	assert_int_equal(lock_acquire(dir, "work", &a, &holder), TERN_OK);
	lock_release(a);
}

static void
t_other_process_and_crash(void **state)
{
	int ready[2];
	acct_lock *a;
	pid_t child, holder;
	char c;
	int status;
	(void)state;

	assert_int_equal(pipe(ready), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		acct_lock *l;
		close(ready[0]);
		if (lock_acquire(dir, "work", &l, NULL) != TERN_OK)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();   /* holds the lock until killed */
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);   /* the child holds it now */
	close(ready[0]);
	assert_int_equal(lock_acquire(dir, "work", &a, &holder), TERN_EBUSY);
	assert_int_equal(holder, child);
	/* The holder dies without releasing: the kernel drops the lock. */
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(lock_acquire(dir, "work", &a, &holder), TERN_OK);
	lock_release(a);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	(void)state;
	free(cmd);
	return rc == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_same_process_twice),
		cmocka_unit_test(t_other_process_and_crash),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
