#include "config.h"

#include <stdlib.h>

#include "src/base/paths.h"
#include "src/base/util.h"

/* $VAR/tern if VAR is set to an absolute path (XDG spec: relative ones are
 * invalid and ignored), else $HOME/fallback/tern. */
static char *
xdg_dir(const char *var, const char *fallback)
{
	const char *v = getenv(var);
	const char *home = getenv("HOME");
	if (v && v[0] == '/')
		return xasprintf("%s/tern", v);
	if (!home || !*home)
		home = "/";
	return xasprintf("%s/%s/tern", home, fallback);
}

char *
paths_config_file(void)
{
	char *dir = xdg_dir("XDG_CONFIG_HOME", ".config");
	char *f = xasprintf("%s/config", dir);
	free(dir);
	return f;
}

char *
paths_data_dir(void)
{
	return xdg_dir("XDG_DATA_HOME", ".local/share");
}

char *
paths_state_dir(void)
{
	return xdg_dir("XDG_STATE_HOME", ".local/state");
}
