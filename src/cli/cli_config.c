#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/cli.h"
#include "src/base/util.h"

static const char *
tls_name(enum tls_mode m)
{
	return m == TLS_IMPLICIT ? "implicit TLS" : m == TLS_STARTTLS ? "STARTTLS" : "no TLS";
}

int
cmd_config(struct cli_ctx *c, int argc, char **argv)
{
	int rc;

	if (argc != 2 || strcmp(argv[1], "check") != 0) {
		cli_error("usage: tern config check");
		return EXIT_USAGE;
	}
	/* An explicit check of a missing file is an error, not an empty config. */
	c->config_explicit = 1;
	if ((rc = cli_load_config(c)) != EXIT_OK)
		return rc;
	if (c->warnings)
		fputs(c->warnings, stderr);
	printf("%s: ok, %zu account%s\n", c->cfg->path, c->cfg->naccounts, c->cfg->naccounts == 1 ? "" : "s");
	for (size_t i = 0; i < c->cfg->naccounts; i++) {
		const struct account_cfg *a = &c->cfg->accounts[i];
		if (a->protocol == PROTO_IMAP)
			printf("  %-16s imap  %s  %s:%d (%s)", a->name, a->email, a->imap_host, a->imap_port,
			       tls_name(a->imap_tls));
		else
			printf("  %-16s jmap  %s  %s", a->name, a->email, a->jmap_url);
		if (a->smtp_host)
			printf("  smtp %s:%d (%s)", a->smtp_host, a->smtp_port, tls_name(a->smtp_tls));
		if (account_sendmail(a))
			printf("  sendmail");
		if (a->protocol == PROTO_IMAP && a->auth != AUTH_PASSWORD)
			printf("  auth %s", a->auth == AUTH_XOAUTH2 ? "xoauth2" : "oauthbearer");
		putchar('\n');
		for (size_t k = 0; k < a->nidentities; k++) {
			const struct identity_cfg *id = a->identities[k];
			printf("    identity %-12s %s", id->name, id->email);
			if (id->sendmail)
				printf("  sendmail %s", id->sendmail);
			else if (id->smtp_host || id->smtp_port || id->smtp_tls_set)
				printf("  smtp %s", id->smtp_host ? id->smtp_host : a->smtp_host ? a->smtp_host : "?");
			putchar('\n');
		}
	}
	return EXIT_OK;
}
