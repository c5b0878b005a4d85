/* tern (no command): the terminal UI. */
#include "config.h"

#include "src/cli/cli.h"
#include "ui/tui.h"

int
cmd_tui(struct cli_ctx *c, int argc, char **argv)
{
	struct tui_opts o = { 0 };
	int rc;

	(void)argc;
	(void)argv;
	if ((rc = cli_open_db(c)) != EXIT_OK)
		return rc;
	o.cfg = c->cfg;
	o.d = c->db;
	o.db_path = c->db_path;
	o.data_dir = c->data_dir;
	o.warnings = c->warnings;
	return tui_run(&o);
}
