/* Sending through a local command (sendmail = msmtp -t, say) instead of
 * SMTP. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "src/base/crashpoint.h"
#include "src/base/crlf.h"
#include "src/base/err.h"
#include "src/base/proc.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"
#include "sync/net/sendmail.h"

/* What the command reads: LF line ends (the local convention sendmail(8)
 * expects), Bcc kept, since `-t` takes the recipients from the header and
 * removes Bcc itself. */
static char *
local_text(const char *raw, size_t len, size_t *outlen)
{
	strbuf crlf = STRBUF_INIT, lf = STRBUF_INIT;
	crlf_normalise(raw, len, 0, &crlf);
	sb_grow(&lf, crlf.len);
	for (size_t i = 0; i < crlf.len; i++)
		if (!(crlf.buf[i] == '\r' && i + 1 < crlf.len && crlf.buf[i + 1] == '\n'))
			sb_addc(&lf, crlf.buf[i]);
	sb_free(&crlf);
	*outlen = lf.len;
	return sb_steal(&lf);
}

int
sendmail_send(const struct account_cfg *acct, const char *cmd, const char *raw, size_t len,
              const struct smtp_hook *hook, int *unknown, char **err)
{
	struct smtp_envelope env;
	char *const argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	int timeout_s = (acct->timeout > 0 ? acct->timeout : 30) * 4;
	char *text = NULL, *out = NULL, *why = NULL;
	size_t tlen = 0, olen = 0;
	int rc, status = -1;

	*unknown = 0;
	/* The same checks as for SMTP: a message without a sender or a
	 * recipient fails here, not in the command. */
	if ((rc = smtp_envelope_build(raw, len, &env, err)) != TERN_OK)
		return TERN_EREFUSED;
	smtp_envelope_free(&env);
	/* Once the command runs, only it knows whether the message went. */
	if (hook && hook->at_data && (rc = hook->at_data(hook->arg)) != TERN_OK) {
		*err = xasprintf("sendmail: stopped before the command ran: %s", tern_strerror(rc));
		return rc;
	}
	text = local_text(raw, len, &tlen);
	rc = proc_run_err(argv, text, tlen, timeout_s * 1000, &out, &olen, &status, &why);
	free(text);
	free(out);
	if (rc == TERN_OK) {
		crashpoint("sendmail-ran");
		free(why);
		return TERN_OK;
	}
	if (rc == TERN_ETIMEOUT) {
		/* Killed while it worked: it may have handed the message on. */
		*unknown = 1;
		*err = xasprintf("sendmail command did not finish within %d s and was stopped%s%s", timeout_s,
		                 why ? ": " : "", why ? why : "");
	} else {
		/* It said it failed (or could not start): nothing went. */
		rc = TERN_EREFUSED;
		if (why)
			*err = xasprintf("sendmail command failed (exit status %d): %s", status, why);
		else
			*err = xasprintf("sendmail command failed (exit status %d)", status);
	}
	free(why);
	return rc;
}
