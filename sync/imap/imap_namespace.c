/* NAMESPACE (RFC 2342): the personal prefix (folder roles by name live at
 * its top, new folders are made under it) and the prefixes of other users'
 * and shared folders, which tern does not sync: they are not the user's
 * mail, and on Cyrus or Exchange they can be whole trees. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/imap/imap.h"
#include "src/base/util.h"

static void
add_foreign(struct imap *im, const struct mailimap_namespace_item *item)
{
	for (clistiter *it = item ? clist_begin(item->ns_data_list) : NULL; it; it = clist_next(it)) {
		const struct mailimap_namespace_info *ni = clist_content(it);
		/* An empty prefix would swallow every folder: never "foreign". */
		if (!ni || !ni->ns_prefix || !*ni->ns_prefix)
			continue;
		im->ns_foreign = xrealloc(im->ns_foreign, (im->nforeign + 1) * sizeof *im->ns_foreign);
		im->ns_foreign[im->nforeign++] = xstrdup(ni->ns_prefix);
	}
}

int
imap_namespace_load(struct imap *im, char **err)
{
	struct mailimap_namespace_data *ns = NULL;
	clistiter *it;
	int r;

	imap_namespace_free(im);
	im->ns_prefix = xstrdup("");
	if (!mailimap_has_namespace(im->s))
		return TERN_OK;
	if ((r = mailimap_namespace(im->s, &ns)) != MAILIMAP_NO_ERROR) {
		int rc = imap_error(im, r, "NAMESPACE", err);
		/* A server that refuses it gets the defaults. */
		if (rc == TERN_EREFUSED) {
			free(*err);
			*err = NULL;
			return TERN_OK;
		}
		return rc;
	}
	it = ns && ns->ns_personal ? clist_begin(ns->ns_personal->ns_data_list) : NULL;
	if (it && clist_content(it)) {
		const struct mailimap_namespace_info *ni = clist_content(it);
		free(im->ns_prefix);
		im->ns_prefix = xstrdup(ni->ns_prefix ? ni->ns_prefix : "");
		im->ns_delim = ni->ns_delimiter;
	}
	if (ns) {
		add_foreign(im, ns->ns_other);
		add_foreign(im, ns->ns_shared);
		mailimap_namespace_data_free(ns);
	}
	log_debug("imap %s: personal namespace '%s', %zu other", im->acct->name, im->ns_prefix, im->nforeign);
	return TERN_OK;
}

int
imap_namespace_foreign(const struct imap *im, const char *remote)
{
	for (size_t i = 0; i < im->nforeign; i++) {
		size_t n = strlen(im->ns_foreign[i]);
		/* "Other Users/" also names the container "Other Users" itself. */
		if (strncmp(remote, im->ns_foreign[i], n) == 0 ||
		    (n > 1 && strlen(remote) == n - 1 && strncmp(remote, im->ns_foreign[i], n - 1) == 0))
			return 1;
	}
	return 0;
}

void
imap_namespace_free(struct imap *im)
{
	for (size_t i = 0; i < im->nforeign; i++)
		free(im->ns_foreign[i]);
	free(im->ns_foreign);
	im->ns_foreign = NULL;
	im->nforeign = 0;
	free(im->ns_prefix);
	im->ns_prefix = NULL;
	im->ns_delim = 0;
}
