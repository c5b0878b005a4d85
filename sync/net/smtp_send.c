#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <libetpan/libetpan.h>

#include "src/base/crlf.h"
#include "src/base/err.h"
#include "src/base/strbuf.h"
#include "sync/net/smtp_reply.h"
#include "sync/net/smtp_send.h"
#include "src/base/util.h"

static void
rcpt_add(struct smtp_envelope *env, const char *addr)
{
	for (size_t i = 0; i < env->nrcpt; i++)
		if (strcasecmp(env->rcpt[i], addr) == 0)
			return;
	env->rcpt = xrealloc(env->rcpt, (env->nrcpt + 1) * sizeof *env->rcpt);
	env->rcpt[env->nrcpt++] = xstrdup(addr);
}

static void
mb_add(struct smtp_envelope *env, const struct mailimf_mailbox *mb)
{
	if (mb && mb->mb_addr_spec && strchr(mb->mb_addr_spec, '@') && !strpbrk(mb->mb_addr_spec, "<>\r\n "))
		rcpt_add(env, mb->mb_addr_spec);
}

static void
addrs_add(struct smtp_envelope *env, const struct mailimf_address_list *al)
{
	if (!al || !al->ad_list)
		return;
	for (clistiter *it = clist_begin(al->ad_list); it; it = clist_next(it)) {
		const struct mailimf_address *a = clist_content(it);
		if (a->ad_type == MAILIMF_ADDRESS_MAILBOX) {
			mb_add(env, a->ad_data.ad_mailbox);
		} else if (a->ad_data.ad_group && a->ad_data.ad_group->grp_mb_list) {
			clist *l = a->ad_data.ad_group->grp_mb_list->mb_list;
			for (clistiter *g = clist_begin(l); g; g = clist_next(g))
				mb_add(env, clist_content(g));
		}
	}
}

int
smtp_envelope_build(const char *raw, size_t len, struct smtp_envelope *env, char **err)
{
	struct mailimf_fields *f = NULL;
	strbuf sb = STRBUF_INIT;
	size_t idx = 0;

	memset(env, 0, sizeof *env);
	if (mailimf_envelope_and_optional_fields_parse(raw, len, &idx, &f) != MAILIMF_NO_ERROR || !f) {
		*err = xstrdup("the message has no readable header");
		return TERN_EINVAL;
	}
	for (clistiter *it = clist_begin(f->fld_list); it; it = clist_next(it)) {
		const struct mailimf_field *fld = clist_content(it);
		switch (fld->fld_type) {
		case MAILIMF_FIELD_FROM:
			if (!env->from && fld->fld_data.fld_from->frm_mb_list) {
				clistiter *m = clist_begin(fld->fld_data.fld_from->frm_mb_list->mb_list);
				const struct mailimf_mailbox *mb = m ? clist_content(m) : NULL;
				if (mb && mb->mb_addr_spec && !strpbrk(mb->mb_addr_spec, "<>\r\n "))
					env->from = xstrdup(mb->mb_addr_spec);
			}
			break;
		case MAILIMF_FIELD_TO: addrs_add(env, fld->fld_data.fld_to->to_addr_list); break;
		case MAILIMF_FIELD_CC: addrs_add(env, fld->fld_data.fld_cc->cc_addr_list); break;
		case MAILIMF_FIELD_BCC: addrs_add(env, fld->fld_data.fld_bcc->bcc_addr_list); break;
		default: break;
		}
	}
	mailimf_fields_free(f);
	if (!env->from || env->nrcpt == 0) {
		*err = xstrdup(!env->from ? "the message has no From address" : "the message has no recipient");
		smtp_envelope_free(env);
		return TERN_EINVAL;
	}
	/* CRLF everywhere, and the header block without Bcc (RFC 5322 3.6.3:
	 * blind recipients must not see each other). */
	crlf_normalise(raw, len, 1, &sb);
	env->len = sb.len;
	env->data = sb_steal(&sb);
	return TERN_OK;
}

void
smtp_envelope_free(struct smtp_envelope *env)
{
	for (size_t i = 0; i < env->nrcpt; i++)
		free(env->rcpt[i]);
	free(env->rcpt);
	free(env->from);
	free(env->data);
	memset(env, 0, sizeof *env);
}

struct upload {
	const char *p;
	size_t left;
	int started;              /* DATA began: the outcome may become unknown */
	int hook_rc;              /* what the hook returned when it stopped the send */
	const struct smtp_hook *hook;
	stop_flag *stop;
	struct smtp_reply *reply;
	const char *mech;         /* the SASL mechanism asked for (a token), or NULL */
	int mech_offered;         /* the EHLO reply lists it */
};

/* Whether an EHLO line ("250-AUTH PLAIN XOAUTH2") offers mech. */
static int
offers(const char *data, size_t size, const char *mech)
{
	char line[1024];
	size_t n = size < sizeof line - 1 ? size : sizeof line - 1, m = strlen(mech);
	memcpy(line, data, n);
	line[n] = '\0';
	if (n < 9 || strncasecmp(line + 4, "AUTH", 4) != 0 || (line[8] != ' ' && line[8] != '='))
		return 0;
	for (char *p = line + 9; *p; p++)
		if (strncasecmp(p, mech, m) == 0 && (p[-1] == ' ' || p[-1] == '=') &&
		    (p[m] == '\0' || p[m] == ' ' || p[m] == '\r' || p[m] == '\n'))
			return 1;
	return 0;
}

/* libcurl asks for the body only after the server answered 354 to DATA:
 * the first call is the point of no return, and the hook records it
 * before a byte goes out. */
static size_t
read_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t k = size * n < u->left ? size * n : u->left;
	if (!u->started && u->hook && u->hook->at_data &&
	    (u->hook_rc = u->hook->at_data(u->hook->arg)) != TERN_OK)
		return CURL_READFUNC_ABORT;
	u->started = 1;
	memcpy(buf, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

/* The protocol lines only (also inside TLS): the message body and the TLS
 * records are not looked at. */
static int
debug_cb(CURL *c, curl_infotype type, char *data, size_t size, void *arg)
{
	struct upload *u = arg;
	(void)c;
	if (type == CURLINFO_HEADER_OUT) {
		smtp_reply_sent(u->reply, data, size);
	} else if (type == CURLINFO_HEADER_IN) {
		smtp_reply_received(u->reply, data, size);
		if (u->mech && offers(data, size, u->mech))
			u->mech_offered = 1;
	}
	return 0;
}

static int
progress_cb(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct upload *u = arg;
	(void)a; (void)b; (void)c; (void)d;
	return u->stop && *u->stop;
}

/* Whether a failed TLS handshake was cut by the network: the socket's
 * error is a reset or an abort, or OpenSSL saw the connection end (its
 * SSL_ERROR_SYSCALL, "unexpected eof") rather than an answer. */
static int
handshake_cut(CURL *c, const char *why)
{
	long os_errno = 0;
	curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
	return os_errno == ECONNRESET || os_errno == ECONNABORTED || os_errno == EPIPE || os_errno == ETIMEDOUT ||
	       strstr(why, "SSL_ERROR_SYSCALL") || strstr(why, "unexpected eof") || strstr(why, "reset by peer");
}

int
smtp_send(const struct account_cfg *acct, const char *password, const struct smtp_envelope *env,
          const struct smtp_hook *hook, stop_flag *stop, int *unknown, char **err)
{
	struct smtp_reply reply = { 0 };
	struct upload up = { env->data, env->len, 0, TERN_OK, hook, stop, &reply,
	                     acct->auth == AUTH_XOAUTH2 ? "XOAUTH2" : acct->auth == AUTH_OAUTHBEARER ? "OAUTHBEARER" : NULL, 0 };
	struct curl_slist *rcpt = NULL;
	char *url, *from, curl_err[CURL_ERROR_SIZE] = "";
	int code;
	CURL *c;
	CURLcode cr;
	int rc;

	*unknown = 0;
	if (!acct->smtp_host) {
		*err = xasprintf("account '%s' has no smtp_host", acct->name);
		return TERN_ECONFIG;
	}
	if (!(c = curl_easy_init()))
		return TERN_ENOMEM;
	url = xasprintf("%s://%s:%d/localhost", acct->smtp_tls == TLS_IMPLICIT ? "smtps" : "smtp",
	                acct->smtp_host, acct->smtp_port);
	from = xasprintf("<%s>", env->from);
	for (size_t i = 0; i < env->nrcpt; i++)
		rcpt = curl_slist_append(rcpt, env->rcpt[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* Required STARTTLS: never a plaintext fallback with the password. */
	if (acct->smtp_tls == TLS_STARTTLS)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (acct->ca_file) {
		/* CAINFO replaces the default store: name the system directory too. */
		curl_easy_setopt(c, CURLOPT_CAINFO, acct->ca_file);
		if (access("/etc/ssl/certs", R_OK) == 0)
			curl_easy_setopt(c, CURLOPT_CAPATH, "/etc/ssl/certs");
	}
	curl_easy_setopt(c, CURLOPT_USERNAME, acct->username ? acct->username : acct->email);
	if (up.mech) {
		char opt[32];
		/* Only this mechanism: a server without it fails the login rather
		 * than getting something else. libcurl keeps its own copy of the
		 * token and frees it with the handle. */
		snprintf(opt, sizeof opt, "AUTH=%s", up.mech);
		curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS, opt);
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, password ? password : "");
		curl_easy_setopt(c, CURLOPT_SASL_IR, 1L);
	} else {
		curl_easy_setopt(c, CURLOPT_PASSWORD, password ? password : "");
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)env->len);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(acct->timeout > 0 ? acct->timeout : 30));
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)(acct->timeout > 0 ? acct->timeout : 30));
	/* The low-speed check does not cover the wait for a reply (to the final
	 * dot, say): without this a silent server holds the send for ever. */
	curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, (long)(acct->timeout > 0 ? acct->timeout : 30));
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &up);
	/* VERBOSE only feeds debug_cb (nothing is printed): the server's own
	 * reply is the reason a failed send shows. */
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, &up);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	cr = curl_easy_perform(c);
	/* Not CURLINFO_RESPONSE_CODE: after a dropped connection it still
	 * holds an earlier reply (235 to AUTH), which is no reason. */
	code = smtp_reply_code(&reply);
	switch (cr) {
	case CURLE_OK:
		rc = TERN_OK;
		break;
	case CURLE_LOGIN_DENIED:
		rc = TERN_EAUTH;
		break;
	case CURLE_SSL_CONNECT_ERROR:
		/* A handshake the network cut short (a reset, the peer gone) is
		 * the network's failure, retried later like any other; a TLS
		 * refusal (no common version, an alert) is the setup's. */
		rc = handshake_cut(c, curl_err) ? TERN_ENET : TERN_ETLS;
		break;
	case CURLE_USE_SSL_FAILED:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		rc = TERN_ETLS;
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		rc = up.hook_rc != TERN_OK ? up.hook_rc : TERN_ECANCELLED;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		rc = TERN_ETIMEOUT;
		break;
	default:
		rc = code >= 500 && code < 600 ? TERN_EREFUSED : code >= 400 ? TERN_ETEMPFAIL : TERN_ENET;
		break;
	}
	/* Sent everything and then lost the line: the server may have it. */
	if (rc != TERN_OK && rc != TERN_EREFUSED && up.started && up.left == 0 && code < 400)
		*unknown = 1;
	if (cr == CURLE_LOGIN_DENIED && up.mech && !up.mech_offered && code < 400) {
		/* Never a fallback to a password: the user must know. */
		*err = xasprintf("smtp %s:%d does not offer AUTH %s (auth = %s)", acct->smtp_host, acct->smtp_port,
		                 up.mech, acct->auth == AUTH_OAUTHBEARER ? "oauthbearer" : "xoauth2");
		rc = TERN_ECONFIG;
	} else if (rc != TERN_OK && up.hook_rc != TERN_OK) {
		*err = xasprintf("smtp %s:%d: stopped before DATA: %s", acct->smtp_host, acct->smtp_port,
		                 tern_strerror(up.hook_rc));
	} else if (rc != TERN_OK) {
		char *why = smtp_reply_reason(&reply, curl_easy_strerror(cr));
		*err = xasprintf("smtp %s:%d: %s", acct->smtp_host, acct->smtp_port, why);
		free(why);
	}
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	free(from);
	free(url);
	return rc;
}
