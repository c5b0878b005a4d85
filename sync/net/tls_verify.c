#include "config.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "sync/net/tls_verify.h"
#include "src/base/util.h"

void
tls_sni_callback(struct mailstream_ssl_context *c, void *host)
{
	struct in6_addr a6;
	struct in_addr a4;
	/* RFC 6066 3: literal IP addresses are not sent as server names. */
	if (inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1)
		return;
	mailstream_ssl_set_server_name(c, host);
}

int
tls_verify_der(const unsigned char *const *der, const size_t *len, size_t n,
               const char *host, const char *ca_file, char **err)
{
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_x509_crt_t *crts = NULL;
	gnutls_typed_vdata_st vdata = { GNUTLS_DT_DNS_HOSTNAME, (unsigned char *)host, 0 };
	gnutls_datum_t out = { NULL, 0 };
	unsigned status = 0;
	size_t ncrt = 0;
	int rc = TERN_ETLS, r;

	if (n == 0) {
		*err = xstrdup("the server sent no certificate");
		return TERN_ETLS;
	}
	if (gnutls_x509_trust_list_init(&tl, 0) < 0) {
		*err = xstrdup("cannot create a TLS trust list");
		return TERN_ETLS;
	}
	/* A missing system store is not fatal when ca_file trusts the server. */
	gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
	if (ca_file && *ca_file &&
	    gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0) <= 0) {
		*err = xasprintf("ca_file %s holds no usable certificate", ca_file);
		goto out;
	}
	crts = xcalloc(n, sizeof *crts);
	for (; ncrt < n; ncrt++) {
		gnutls_datum_t d = { (unsigned char *)der[ncrt], (unsigned)len[ncrt] };
		if (gnutls_x509_crt_init(&crts[ncrt]) < 0 ||
		    gnutls_x509_crt_import(crts[ncrt], &d, GNUTLS_X509_FMT_DER) < 0) {
			ncrt++;
			*err = xstrdup("the server sent a certificate that cannot be parsed");
			goto out;
		}
	}
	r = gnutls_x509_trust_list_verify_crt2(tl, crts, (unsigned)ncrt, &vdata, 1, 0, &status, NULL);
	if (r < 0) {
		*err = xasprintf("certificate check failed: %s", gnutls_strerror(r));
		goto out;
	}
	if (status != 0) {
		if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0) == 0)
			*err = xasprintf("certificate of %s not trusted: %s", host, (const char *)out.data);
		else
			*err = xasprintf("certificate of %s not trusted (status 0x%x)", host, status);
		gnutls_free(out.data);
		goto out;
	}
	rc = TERN_OK;
out:
	for (size_t i = 0; i < ncrt; i++)
		if (crts[i])
			gnutls_x509_crt_deinit(crts[i]);
	free(crts);
	gnutls_x509_trust_list_deinit(tl, 1);
	return rc;
}

int
tls_verify_stream(mailstream *s, const char *host, const char *ca_file, char **err)
{
	carray *chain = mailstream_get_certificate_chain(s);
	const unsigned char **der;
	size_t *len, n;
	int rc;

	if (!chain) {
		*err = xstrdup("no TLS certificate chain on the connection");
		return TERN_ETLS;
	}
	n = carray_count(chain);
	der = xcalloc(n ? n : 1, sizeof *der);
	len = xcalloc(n ? n : 1, sizeof *len);
	for (size_t i = 0; i < n; i++) {
		MMAPString *m = carray_get(chain, (unsigned)i);
		der[i] = (const unsigned char *)m->str;
		len[i] = m->len;
	}
	rc = tls_verify_der(der, len, n, host, ca_file, err);
	free(der);
	free(len);
	mailstream_certificate_chain_free(chain);
	return rc;
}
