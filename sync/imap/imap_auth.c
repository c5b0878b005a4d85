/* Logging in with an OAuth2 access token: AUTHENTICATE XOAUTH2 or
 * OAUTHBEARER (RFC 7628), written here rather than through libetpan, which
 * has no OAUTHBEARER, sends XOAUTH2 without asking for SASL-IR, and leaves
 * the token in freed memory. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"
#include "sync/imap/imap.h"

static void
wipe(strbuf *sb)
{
	if (sb->buf)
		explicit_bzero(sb->buf, sb->cap);
	sb_free(sb);
}

/* The gs2 authzid of RFC 5801: ',' and '=' escaped. */
static void
add_saslname(strbuf *sb, const char *user)
{
	for (; *user; user++) {
		if (*user == ',')
			sb_adds(sb, "=2C");
		else if (*user == '=')
			sb_adds(sb, "=3D");
		else
			sb_addc(sb, *user);
	}
}

/* The client's response, in base64, in *out (the caller wipes it). */
static void
initial_response(const struct account_cfg *acct, const char *user, const char *token, strbuf *out)
{
	strbuf raw = STRBUF_INIT;
	/* Big enough at once: nothing of the token left in a realloc'd block. */
	sb_grow(&raw, strlen(user) * 3 + strlen(acct->imap_host) + strlen(token) + 64);
	if (acct->auth == AUTH_OAUTHBEARER) {
		sb_adds(&raw, "n,a=");
		add_saslname(&raw, user);
		sb_printf(&raw, ",\001host=%s\001port=%d\001", acct->imap_host, acct->imap_port);
	} else {
		sb_printf(&raw, "user=%s\001", user);
	}
	sb_adds(&raw, "auth=Bearer ");
	sb_adds(&raw, token);
	sb_adds(&raw, "\001\001");
	sb_add_base64(out, raw.buf, raw.len);
	wipe(&raw);
}

static int
send_line(struct imap *im, const char *a, const char *b)
{
	mailstream *ms = im->s->imap_stream;
	if (mailstream_write(ms, a, strlen(a)) < 0 || (b && mailstream_write(ms, b, strlen(b)) < 0) ||
	    mailstream_write(ms, "\r\n", 2) < 0 || mailstream_flush(ms) == -1)
		return MAILIMAP_ERROR_STREAM;
	return MAILIMAP_NO_ERROR;
}

/* Reads the next line: 1 if it is a continuation request ("+ ..."), 0 if
 * it is something else (left in the session's buffer to be parsed), or a
 * libetpan error. */
static int
read_line(struct imap *im, int *cont)
{
	const char *line = mailimap_read_line(im->s);
	if (!line)
		return MAILIMAP_ERROR_STREAM;
	*cont = line[0] == '+';
	return MAILIMAP_NO_ERROR;
}

static int
exchange(struct imap *im, const char *mech, const char *resp, int sasl_ir, int *refused)
{
	struct mailimap_response *r = NULL;
	char cmd[64];
	int rc, cont, state;

	*refused = 0;
	if ((rc = mailimap_send_current_tag(im->s)) != MAILIMAP_NO_ERROR)
		return rc;
	snprintf(cmd, sizeof cmd, "AUTHENTICATE %s%s", mech, sasl_ir ? " " : "");
	if ((rc = send_line(im, cmd, sasl_ir ? resp : NULL)) != MAILIMAP_NO_ERROR)
		return rc;
	if ((rc = read_line(im, &cont)) != MAILIMAP_NO_ERROR)
		return rc;
	if (!sasl_ir && cont) {
		if ((rc = send_line(im, resp, NULL)) != MAILIMAP_NO_ERROR)
			return rc;
		if ((rc = read_line(im, &cont)) != MAILIMAP_NO_ERROR)
			return rc;
	}
	if (cont) {
		/* A refusal comes first as a continuation carrying the error
		 * (base64 JSON); the exchange ends with a dummy response: ^A for
		 * OAUTHBEARER (RFC 7628 3.2.3), an empty line for XOAUTH2. The
		 * tagged NO follows. */
		*refused = 1;
		if ((rc = send_line(im, strcmp(mech, "OAUTHBEARER") == 0 ? "AQ==" : "", NULL)) != MAILIMAP_NO_ERROR)
			return rc;
		if (!mailimap_read_line(im->s))
			return MAILIMAP_ERROR_STREAM;
	}
	if ((rc = mailimap_parse_response(im->s, &r)) != MAILIMAP_NO_ERROR)
		return rc;
	state = r->rsp_resp_done && r->rsp_resp_done->rsp_type == MAILIMAP_RESP_DONE_TYPE_TAGGED ?
	        r->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->rsp_type : MAILIMAP_RESP_COND_STATE_BAD;
	mailimap_response_free(r);
	if (state == MAILIMAP_RESP_COND_STATE_OK) {
		im->s->imap_state = MAILIMAP_STATE_AUTHENTICATED;
		*refused = 0;
		return MAILIMAP_NO_ERROR;
	}
	*refused = 1;
	return MAILIMAP_ERROR_LOGIN;
}

int
imap_auth_token(struct imap *im, const char *user, const char *token, char **err)
{
	const struct account_cfg *acct = im->acct;
	const char *mech = acct->auth == AUTH_OAUTHBEARER ? "OAUTHBEARER" : "XOAUTH2";
	strbuf resp = STRBUF_INIT;
	int r, refused = 0, rc;

	/* Never a fallback to the password: there is none, and a server that
	 * does not take tokens needs the user to know. */
	if (!mailimap_has_authentication(im->s, (char *)mech)) {
		*err = xasprintf("%s:%d does not offer AUTHENTICATE %s (auth = %s)", acct->imap_host,
		                 acct->imap_port, mech, acct->auth == AUTH_OAUTHBEARER ? "oauthbearer" : "xoauth2");
		return TERN_ECONFIG;
	}
	initial_response(acct, user, token ? token : "", &resp);
	/* libetpan's own logger must not see the token. */
	mailstream_set_privacy(im->s->imap_stream, 0);
	r = exchange(im, mech, resp.buf, mailimap_has_extension(im->s, "SASL-IR"), &refused);
	mailstream_set_privacy(im->s->imap_stream, 1);
	wipe(&resp);
	if (r == MAILIMAP_NO_ERROR)
		return TERN_OK;
	if (refused && r == MAILIMAP_ERROR_LOGIN) {
		const char *text = im->s->imap_response ? im->s->imap_response : "";
		*err = xasprintf("AUTHENTICATE %s: %s", mech, *text ? text : "refused");
		return TERN_EAUTH;
	}
	rc = imap_error(im, r, "AUTHENTICATE", err);
	return rc;
}
