/* XDG locations. Each returns a newly allocated string the caller frees. */
#ifndef TERN_PATHS_H
#define TERN_PATHS_H

char *paths_config_file(void);   /* $XDG_CONFIG_HOME/tern/config */
char *paths_data_dir(void);      /* $XDG_DATA_HOME/tern */
char *paths_state_dir(void);     /* $XDG_STATE_HOME/tern (the log lives here) */

#endif
