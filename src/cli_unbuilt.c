/* TEMPORARY scaffolding while the engines are written in parallel; each
 * function moves to its real module and this file is deleted before landing. */
#include "config.h"

#include <stdlib.h>

#include "cli.h"
#include "err.h"
#include "sync/sync.h"
#include "util.h"

int cmd_sync(struct cli_ctx *c, int argc, char **argv) { (void)c; (void)argc; (void)argv; cli_error("sync: not built"); return EXIT_FAIL; }
int cmd_search(struct cli_ctx *c, int argc, char **argv) { (void)c; (void)argc; (void)argv; cli_error("search: not built"); return EXIT_FAIL; }
int cmd_tui(struct cli_ctx *c, int argc, char **argv) { (void)c; (void)argc; (void)argv; cli_error("tui: not built"); return EXIT_FAIL; }
int cmd_show(struct cli_ctx *c, int argc, char **argv) { (void)c; (void)argc; (void)argv; cli_error("show: not built"); return EXIT_FAIL; }
int sync_push(const struct sync_env *env, char **err) { (void)env; *err = xstrdup("sync engine not built"); return TERN_EOFFLINE; }
