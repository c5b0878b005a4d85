#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/cli.h"
#include "src/config/conf.h"
#include "src/base/crashpoint.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "src/base/paths.h"
#include "sync/sync.h"
#include "src/base/util.h"
#include "src/crypt/crypt.h"

static const char usage_text[] =
"usage: tern [-c FILE] [-d DIR] [COMMAND [ARGS]]\n"
"\n"
"  tern                                  the terminal UI\n"
"  tern sync [--once] [ACCOUNT...]       headless sync (--once: one full cycle, then exit)\n"
"  tern mailboxes [--json] ACCOUNT       list mailboxes with counts\n"
"  tern list [--json] [--limit N] [--sort KEY] [--reverse] ACCOUNT MAILBOX\n"
"                                        list messages, newest first (MAILBOX: name or role;\n"
"                                        KEY: date arrival from to subject size flagged unread)\n"
"  tern show [--raw|--json] ID           print a message (fetched if not cached), its PGP verdict\n"
"  tern flag [--no-sync] ID +seen|-seen|+flagged|-flagged|+answered|-answered\n"
"  tern move [--no-sync] ID MAILBOX\n"
"  tern delete [--no-sync] ID\n"
"  tern mailbox [--no-sync] create|rename|delete [--force] ACCOUNT NAME [NEW-NAME]\n"
"                                        create, rename or delete a folder (--force: with its messages)\n"
"  tern send [--no-sync] [--sign] [--encrypt] ACCOUNT < MESSAGE\n"
"                                        queue an RFC 5322 message for sending (PGP/MIME)\n"
"  tern search [--json] [--limit N] [--server] ACCOUNT|--all QUERY...\n"
"                                        search the local index (--server: the servers too)\n"
"  tern queue [--json] [ACCOUNT] | queue retry CHANGE | queue drop CHANGE\n"
"  tern config check                     validate the configuration, list the accounts\n"
"\n"
"options:\n"
"  -c FILE     configuration file (default $XDG_CONFIG_HOME/tern/config)\n"
"  -d DIR      data directory holding tern.db (default: data_dir, or $XDG_DATA_HOME/tern)\n"
"  -h, --help  this text;  -V, --version  the version\n";

struct command {
	const char *name;
	int (*fn)(struct cli_ctx *, int, char **);
};

static const struct command commands[] = {
	{ "sync", cmd_sync },
	{ "mailboxes", cmd_mailboxes },
	{ "list", cmd_list },
	{ "show", cmd_show },
	{ "flag", cmd_flag },
	{ "move", cmd_move },
	{ "delete", cmd_delete },
	{ "mailbox", cmd_mailbox },
	{ "send", cmd_send },
	{ "search", cmd_search },
	{ "queue", cmd_queue },
	{ "config", cmd_config },
};

static void
open_log(void)
{
	char *dir = paths_state_dir();
	char *file = xasprintf("%s/tern.log", dir);
	if (mkdir_p(dir, 0700) == 0)
		log_open(file);
	if (getenv("TERN_DEBUG"))
		log_set_level(LOG_DEBUG);
	free(file);
	free(dir);
}

int
main(int argc, char **argv)
{
	struct cli_ctx c = { 0 };
	const struct command *cmd = NULL;
	int i, rc = EXIT_OK, synced = 0;

	setlocale(LC_ALL, "");
	/* Before any thread: libetpan and GnuTLS write to sockets without
	 * MSG_NOSIGNAL, and curl's own signal handling is racy with threads. */
	signal(SIGPIPE, SIG_IGN);
	crashpoint_init();
	c.argv0 = argv[0];

	/* Every exit goes through "out": -c and -d allocate, and a leak on a
	 * usage exit makes the sanitizer build exit 1 instead of 2. */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage_text, stdout);
			goto out;
		}
		if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			printf("tern %s%s\n", PACKAGE_VERSION, TERN_BUILD_NOTE);
			goto out;
		}
		if (strcmp(a, "-c") == 0 || strcmp(a, "-d") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "tern: %s needs an argument\n%s", a, usage_text);
				rc = EXIT_USAGE;
				goto out;
			}
			if (a[1] == 'c') {
				free(c.config_path);
				c.config_path = path_expand_home(argv[++i]);
				c.config_explicit = 1;
			} else {
				free(c.data_dir);
				c.data_dir = path_expand_home(argv[++i]);
			}
			continue;
		}
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] == '-') {
			fprintf(stderr, "tern: unknown option '%s'\n%s", a, usage_text);
			rc = EXIT_USAGE;
			goto out;
		}
		break;
	}
	if (i < argc) {
		for (size_t k = 0; k < ARRAY_LEN(commands); k++)
			if (strcmp(argv[i], commands[k].name) == 0)
				cmd = &commands[k];
		if (!cmd) {
			fprintf(stderr, "tern: unknown command '%s'\n%s", argv[i], usage_text);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (!c.config_path)
		c.config_path = paths_config_file();

	open_log();
	if (sync_global_init() != TERN_OK) {
		fprintf(stderr, "tern: cannot initialise libcurl\n");
		rc = EXIT_FAIL;
		goto out;
	}
	synced = 1;
	/* gpgme once, on the main thread, before any worker or renderer. */
	if (crypt_init() != TERN_OK)
		log_msg(LOG_WARN, "gpgme: no usable OpenPGP engine (gpg); PGP mail cannot be read or sent");
	if (cmd)
		rc = cmd->fn(&c, argc - i, argv + i);
	else
		rc = cmd_tui(&c, 0, NULL);

out:
	if (c.db)
		db_close(c.db);
	conf_free(c.cfg);
	free(c.warnings);
	free(c.config_path);
	free(c.data_dir);
	free(c.db_path);
	if (synced)
		sync_global_cleanup();
	log_close();
	return rc;
}
