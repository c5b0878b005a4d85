/* The "stop soon" flag a stopping thread sets and a working one polls:
 * atomic, so the read in a worker's loop is a real read of the other
 * thread's write (volatile is not that in C11). */
#ifndef TERN_SYNC_STOP_H
#define TERN_SYNC_STOP_H

#include <stdatomic.h>

typedef atomic_int stop_flag;

#endif
