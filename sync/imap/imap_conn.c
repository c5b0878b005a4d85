/* Connecting to an IMAP server: TLS (implicit, or STARTTLS that must be
 * offered), certificate check before the password leaves, LOGIN, the
 * extensions we use, and SELECT. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/net/dial.h"
#include "sync/imap/imap.h"
#include "sync/imap/imap_stream.h"
#include "sync/net/tls_verify.h"
#include "src/base/util.h"

int
imap_error(struct imap *im, int r, const char *what, char **err)
{
	const char *text = im->s && im->s->imap_response ? im->s->imap_response : "";
	char limit[96];
	int rc;

	switch (r) {
	case MAILIMAP_NO_ERROR:
	case MAILIMAP_NO_ERROR_AUTHENTICATED:
	case MAILIMAP_NO_ERROR_NON_AUTHENTICATED:
		return TERN_OK;
	case MAILIMAP_ERROR_STREAM:
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
	case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
	case MAILIMAP_ERROR_FATAL:
		im->broken = 1;
		rc = TERN_ENET;
		text = "connection lost or refused";
		if (im->s && imap_stream_refused(im->s->imap_stream)) {
			rc = TERN_EPROTO;
			snprintf(limit, sizeof limit,
			         "the server's answer passed tern's limits (a literal over %d MiB, or nesting "
			         "deeper than %d)",
			         IMAP_LITERAL_MAX_MIB, IMAP_NESTING_MAX);
			text = limit;
		}
		break;
	case MAILIMAP_ERROR_PARSE:
	case MAILIMAP_ERROR_PROTOCOL:
	case MAILIMAP_ERROR_BAD_STATE:
		im->broken = 1;
		rc = TERN_EPROTO;
		text = "unexpected server response";
		break;
	case MAILIMAP_ERROR_MEMORY:
		rc = TERN_ENOMEM;
		break;
	case MAILIMAP_ERROR_SSL:
	case MAILIMAP_ERROR_STARTTLS:
		rc = TERN_ETLS;
		break;
	case MAILIMAP_ERROR_LOGIN:
	case MAILIMAP_ERROR_SASL:
		rc = TERN_EAUTH;
		break;
	default:
		/* The server answered NO or BAD to this command. */
		rc = TERN_EREFUSED;
		break;
	}
	if (err) {
		free(*err);
		*err = xasprintf("%s: %s", what, *text ? text : tern_strerror(rc));
	}
	return rc;
}

static int
enable_qresync(struct imap *im)
{
	clist *want = clist_new();
	struct mailimap_capability_data *cd, *got = NULL;
	int r;

	clist_append(want, mailimap_capability_new(MAILIMAP_CAPABILITY_NAME, NULL, strdup("QRESYNC")));
	cd = mailimap_capability_data_new(want);
	r = mailimap_enable(im->s, cd, &got);
	mailimap_capability_data_free(cd);
	if (got)
		mailimap_capability_data_free(got);
	return r == MAILIMAP_NO_ERROR;
}

void
imap_init(struct imap *im)
{
	pthread_mutex_init(&im->cancel_mu, NULL);
	im->sock = -1;
}

void
imap_destroy(struct imap *im)
{
	pthread_mutex_destroy(&im->cancel_mu);
}

/* shutdown() wakes every read or handshake blocked on the socket, in
 * whatever layer (libetpan, GnuTLS); the session is dead afterwards, which
 * is what stopping wants. mailstream_cancel would miss the greeting and
 * the TLS handshake. */
void
imap_interrupt(struct imap *im)
{
	pthread_mutex_lock(&im->cancel_mu);
	im->cancelled = 1;
	if (im->sock >= 0)
		shutdown(im->sock, SHUT_RDWR);
	pthread_mutex_unlock(&im->cancel_mu);
}

/* The socket becomes interruptible, unless a stop came first. */
static int
publish_sock(struct imap *im, int fd)
{
	int cancelled;
	pthread_mutex_lock(&im->cancel_mu);
	cancelled = im->cancelled;
	if (!cancelled)
		im->sock = fd;
	pthread_mutex_unlock(&im->cancel_mu);
	return cancelled ? TERN_ECANCELLED : TERN_OK;
}

/* TCP (interruptible, sync/dial.h), then TLS for implicit TLS, then the
 * greeting. */
/* Whether the peer of fd has closed or reset the connection: after a
 * failed handshake, most likely the network's doing (a reset, a proxy or
 * a server going away), retried later; a server that refuses the TLS
 * offered usually answers with an alert first. */
static int
peer_gone(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE || errno == ECONNABORTED));
}

static int
open_stream(struct imap *im, stop_flag *stop, char **err)
{
	const struct account_cfg *acct = im->acct;
	time_t timeout = acct->timeout > 0 ? acct->timeout : 30;
	mailstream *ms;
	int fd = -1, r, rc;

	if ((rc = dial_tcp(acct->imap_host, acct->imap_port, (int)timeout, stop, &fd, err)) != TERN_OK)
		return rc;
	if ((rc = publish_sock(im, fd)) != TERN_OK) {
		close(fd);
		return rc;
	}
	if (acct->imap_tls == TLS_IMPLICIT)
		ms = mailstream_ssl_open_with_callback_timeout(fd, timeout, tls_sni_callback, (void *)acct->imap_host);
	else
		ms = mailstream_socket_open_timeout(fd, timeout);
	if (!ms) {
		int cut = acct->imap_tls == TLS_IMPLICIT && peer_gone(fd);
		pthread_mutex_lock(&im->cancel_mu);
		im->sock = -1;
		pthread_mutex_unlock(&im->cancel_mu);
		close(fd);
		if (stop && *stop)
			return TERN_ECANCELLED;
		*err = xasprintf("cannot connect to %s:%d%s", acct->imap_host, acct->imap_port,
		                 cut ? " (the connection ended during the TLS handshake)" :
		                 acct->imap_tls == TLS_IMPLICIT ? " (TLS handshake failed)" : "");
		/* A handshake the network cut short is retried later like any
		 * network failure; one the server refused needs the user. */
		return cut ? TERN_ENET : acct->imap_tls == TLS_IMPLICIT ? TERN_ETLS : TERN_ENOMEM;
	}
	/* From here the stream owns fd (imap_close unpublishes it first). */
	if (imap_stream_guard(ms) != TERN_OK) {
		pthread_mutex_lock(&im->cancel_mu);
		im->sock = -1;
		pthread_mutex_unlock(&im->cancel_mu);
		mailstream_close(ms);
		return TERN_ENOMEM;
	}
	r = mailimap_connect(im->s, ms);
	if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED && r != MAILIMAP_NO_ERROR_AUTHENTICATED) {
		if (stop && *stop)
			return TERN_ECANCELLED;
		*err = xasprintf("cannot connect to %s:%d: no greeting", acct->imap_host, acct->imap_port);
		return TERN_ENET;
	}
	return TERN_OK;
}

int
imap_connect(struct imap *im, const struct account_cfg *acct, const char *password, stop_flag *stop,
             char **err)
{
	const char *host = acct->imap_host;
	const char *user = acct->username ? acct->username : acct->email;
	int r, rc;

	im->acct = acct;
	if (!host || !*host) {
		*err = xasprintf("account '%s' has no imap_host", acct->name);
		return TERN_ECONFIG;
	}
	im->s = mailimap_new(0, NULL);
	if (!im->s)
		return TERN_ENOMEM;
	/* Applied to streams created later (STARTTLS): before connecting
	 * (libs.md 1.5). */
	mailimap_set_timeout(im->s, acct->timeout > 0 ? acct->timeout : 30);
	if ((rc = open_stream(im, stop, err)) != TERN_OK)
		goto fail;
	if (acct->imap_tls == TLS_STARTTLS) {
		if (!im->s->imap_connection_info || !im->s->imap_connection_info->imap_capability)
			mailimap_capability(im->s, &(struct mailimap_capability_data *){ NULL });
		/* Never fall back to plaintext: the password would travel in clear. */
		if (!mailimap_has_extension(im->s, "STARTTLS")) {
			*err = xasprintf("%s:%d does not offer STARTTLS", host, acct->imap_port);
			rc = TERN_ETLS;
			goto fail;
		}
		r = mailimap_socket_starttls_with_callback(im->s, tls_sni_callback, (void *)host);
		if (r != MAILIMAP_NO_ERROR) {
			rc = imap_error(im, r, "STARTTLS", err);
			if (rc != TERN_ENET)
				rc = TERN_ETLS;
			goto fail;
		}
		/* STARTTLS put a new stream under the old one's buffer. */
		if ((rc = imap_stream_guard(im->s->imap_stream)) != TERN_OK)
			goto fail;
	}
	if (acct->imap_tls != TLS_NONE &&
	    (rc = tls_verify_stream(im->s->imap_stream, host, acct->ca_file, err)) != TERN_OK)
		goto fail;
	if (acct->imap_tls == TLS_STARTTLS) {
		struct mailimap_capability_data *cd = NULL;
		/* Capabilities seen before TLS may have been forged (RFC 3501 6.2.1). */
		if ((r = mailimap_capability(im->s, &cd)) != MAILIMAP_NO_ERROR) {
			rc = imap_error(im, r, "CAPABILITY", err);
			goto fail;
		}
		mailimap_capability_data_free(cd);
	}
	if (acct->auth != AUTH_PASSWORD) {
		/* The mechanisms offered: from the greeting, or asked for. */
		if (!im->s->imap_connection_info || !im->s->imap_connection_info->imap_capability) {
			struct mailimap_capability_data *cd = NULL;
			if ((r = mailimap_capability(im->s, &cd)) != MAILIMAP_NO_ERROR) {
				rc = imap_error(im, r, "CAPABILITY", err);
				goto fail;
			}
			mailimap_capability_data_free(cd);
		}
		if ((rc = imap_auth_token(im, user, password, err)) != TERN_OK)
			goto fail;
	} else if (r = mailimap_login(im->s, user, password ? password : ""), r != MAILIMAP_NO_ERROR) {
		rc = imap_error(im, r, "login", err);
		goto fail;
	}
	{
		struct mailimap_capability_data *cd = NULL;
		/* The list before login is short (Dovecot); some servers send no
		 * CAPABILITY code with the login OK. */
		if ((r = mailimap_capability(im->s, &cd)) != MAILIMAP_NO_ERROR) {
			rc = imap_error(im, r, "CAPABILITY", err);
			goto fail;
		}
		mailimap_capability_data_free(cd);
	}
	if ((rc = imap_namespace_load(im, err)) != TERN_OK)
		goto fail;
	im->condstore = mailimap_has_condstore(im->s);
	im->qresync = mailimap_has_qresync(im->s) && mailimap_has_enable(im->s) && enable_qresync(im);
	if (im->qresync)
		im->condstore = 1;
	im->move = mailimap_has_extension(im->s, "MOVE");
	im->uidplus = mailimap_has_uidplus(im->s);
	im->idle = mailimap_has_idle(im->s);
	log_info("imap %s: connected (condstore %d qresync %d move %d uidplus %d idle %d)", acct->name,
	         im->condstore, im->qresync, im->move, im->uidplus, im->idle);
	return TERN_OK;
fail:
	/* A LOGOUT would wait out the timeout again on a dead or silent stream;
	 * a session that never logged in has nothing to end politely. */
	im->broken = 1;
	if (stop && *stop)
		rc = TERN_ECANCELLED;
	imap_close(im);
	return rc;
}

void
imap_close(struct imap *im)
{
	int cancelled;
	/* The fd number is about to be freed: no shutdown() of a stranger. */
	pthread_mutex_lock(&im->cancel_mu);
	im->sock = -1;
	cancelled = im->cancelled;
	pthread_mutex_unlock(&im->cancel_mu);
	if (cancelled)
		im->broken = 1;
	if (im->s) {
		/* A broken or cancelled stream would only wait for the timeout. */
		if (im->s->imap_stream && !im->broken)
			mailimap_logout(im->s);
		/* mailimap_free() would say LOGOUT on a stream still open. */
		if (im->s->imap_stream) {
			mailstream_close(im->s->imap_stream);
			im->s->imap_stream = NULL;
		}
		mailimap_free(im->s);
	}
	im->s = NULL;
	free(im->selected);
	im->selected = NULL;
	imap_namespace_free(im);
}

int
imap_select(struct imap *im, const char *remote, char **err)
{
	uint64_t hms = 0;
	int r;

	if (im->selected && strcmp(im->selected, remote) == 0)
		return TERN_OK;
	free(im->selected);
	im->selected = NULL;
	if (im->condstore)
		r = mailimap_select_condstore(im->s, remote, &hms);
	else
		r = mailimap_select(im->s, remote);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(im, r, "SELECT", err);
	if (!im->s->imap_selection_info)
		return imap_error(im, MAILIMAP_ERROR_PROTOCOL, "SELECT", err);
	im->selected = xstrdup(remote);
	im->sel_uidvalidity = im->s->imap_selection_info->sel_uidvalidity;
	im->sel_uidnext = im->s->imap_selection_info->sel_uidnext;
	im->sel_exists = im->s->imap_selection_info->sel_exists;
	im->sel_hms = hms;
	/* From here on, an EXISTS is news the SELECT did not report: the
	 * wait for new mail looks at it (imap_idle.c). */
	im->s->imap_selection_info->sel_has_exists = 0;
	im->s->imap_selection_info->sel_has_recent = 0;
	return TERN_OK;
}
