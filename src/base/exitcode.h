/* The process exit statuses of every tern command, the TUI included
 * (the README's table, and tern(1)). */
#ifndef TERN_EXITCODE_H
#define TERN_EXITCODE_H

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,      /* the operation failed (network, server, not found) */
	EXIT_USAGE = 2,     /* bad command line */
	EXIT_CONFIG = 3,    /* bad configuration file */
	EXIT_DB = 4         /* the database cannot be opened or is too new */
};

#endif
