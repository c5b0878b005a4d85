/* The config file: any bytes, read by conf_load from a memory file (it
 * only reads paths), then what the program asks of each account. */
#define _GNU_SOURCE
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "src/config/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct config *cfg = NULL;
	char *err = NULL, *warn = NULL;

	if (fd < 0) {
		fd = memfd_create("tern-fuzz-config", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (conf_load(path, 1, &cfg, &err, &warn) == 0) {
		for (size_t i = 0; i < cfg->naccounts; i++) {
			free(conf_jmap_session_url(&cfg->accounts[i]));
			(void)conf_account(cfg, cfg->accounts[i].name);
		}
		conf_free(cfg);
	}
	free(err);
	free(warn);
	return 0;
}
