/* Fault injection for crash tests: TERN_CRASH_AT=name (or name:N, the
 * N-th time the point is reached) makes the process _exit(137) there, as
 * a SIGKILL would, with no cleanup, no commit and no flush. The list of
 * points is in doc/RELIABILITY.md. Unset, a point costs one load and one
 * branch. */
#ifndef TERN_CRASHPOINT_H
#define TERN_CRASHPOINT_H

/* Reads TERN_CRASH_AT; main() calls it once, before any thread starts. */
void crashpoint_init(void);

/* Dies here when this point is armed and its count is reached. */
void crashpoint_hit(const char *name);

extern const char *crashpoint_armed;   /* NULL when TERN_CRASH_AT is unset */

#define crashpoint(name) \
	do { \
		if (crashpoint_armed) \
			crashpoint_hit(name); \
	} while (0)

#endif
