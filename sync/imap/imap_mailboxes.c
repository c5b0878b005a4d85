/* The folder list: LIST (roles from SPECIAL-USE attributes, compared
 * without case since Cyrus sends them in lower case; common names when the
 * server gives none), \Noselect, modified UTF-7 names, hierarchy, STATUS
 * counts, and server-side renames and deletions carried over locally. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/db_imap.h"
#include "db/db_mailbox.h"
#include "db/db_sync.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/imap/imap.h"
#include "sync/imap/imap_list.h"
#include "src/base/util.h"


void
imap_mbs_free(struct imap_mb *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].remote);
		free(v[i].name);
	}
	free(v);
}

int
imap_status(struct imap *im, const char *remote, struct imap_status *st, char **err)
{
	struct mailimap_status_att_list *atts = mailimap_status_att_list_new_empty();
	struct mailimap_mailbox_data_status *res = NULL;
	int r;

	memset(st, 0, sizeof *st);
	mailimap_status_att_list_add(atts, MAILIMAP_STATUS_ATT_MESSAGES);
	mailimap_status_att_list_add(atts, MAILIMAP_STATUS_ATT_UNSEEN);
	mailimap_status_att_list_add(atts, MAILIMAP_STATUS_ATT_UIDNEXT);
	mailimap_status_att_list_add(atts, MAILIMAP_STATUS_ATT_UIDVALIDITY);
	if (im->condstore)
		mailimap_status_att_list_add(atts, MAILIMAP_STATUS_ATT_HIGHESTMODSEQ);
	r = mailimap_status(im->s, remote, atts, &res);
	mailimap_status_att_list_free(atts);
	if (r != MAILIMAP_NO_ERROR) {
		/* libetpan hands over an untagged STATUS even when the command
		 * failed (NO after "* STATUS ..."): ours to free. */
		if (res)
			mailimap_mailbox_data_status_free(res);
		return imap_error(im, r, "STATUS", err);
	}
	if (res && res->st_info_list) {
		for (clistiter *it = clist_begin(res->st_info_list); it; it = clist_next(it)) {
			const struct mailimap_status_info *i = clist_content(it);
			if (!i)
				continue;
			switch (i->st_att) {
			case MAILIMAP_STATUS_ATT_MESSAGES: st->messages = i->st_value; break;
			case MAILIMAP_STATUS_ATT_UNSEEN: st->unseen = i->st_value; break;
			case MAILIMAP_STATUS_ATT_UIDNEXT: st->uidnext = i->st_value; break;
			case MAILIMAP_STATUS_ATT_UIDVALIDITY: st->uidvalidity = i->st_value; break;
			default:
				if (i->st_ext_data && i->st_ext_data->ext_extension == &mailimap_extension_condstore &&
				    i->st_ext_data->ext_type == MAILIMAP_CONDSTORE_TYPE_STATUS_INFO && i->st_ext_data->ext_data)
					st->highestmodseq = ((struct mailimap_condstore_status_info *)
					                     i->st_ext_data->ext_data)->cs_highestmodseq_value;
				break;
			}
		}
	}
	if (res)
		mailimap_mailbox_data_status_free(res);
	return TERN_OK;
}

static int
cmp_remote(const void *a, const void *b)
{
	return strcmp(((const struct lmb *)a)->remote, ((const struct lmb *)b)->remote);
}

void
imap_list_free(struct lmb *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].remote);
		free(v[i].name);
		free(v[i].parent);
	}
	free(v);
}

/* Gmail's \All, \Flagged and \Important hold copies of messages that
 * live in other folders: synced, they would download every message again
 * and show it twice in searches and counts. */
static int
list_is_virtual(const struct mailimap_mailbox_list *l)
{
	if (!l->mb_flag)
		return 0;
	for (clistiter *f = clist_begin(l->mb_flag->mbf_oflags); f; f = clist_next(f)) {
		const struct mailimap_mbx_list_oflag *of = clist_content(f);
		if (of && of->of_type == MAILIMAP_MBX_LIST_OFLAG_FLAG_EXT && imap_flag_is_virtual(of->of_flag_ext))
			return 1;
	}
	return 0;
}

int
imap_list_all(struct imap *im, struct lmb **out, size_t *n, char **err)
{
	clist *res = NULL;
	struct lmb *v = NULL;
	int r;

	*out = NULL;
	*n = 0;
	if ((r = mailimap_list(im->s, "", "*", &res)) != MAILIMAP_NO_ERROR)
		return imap_error(im, r, "LIST", err);
	v = xcalloc((size_t)clist_count(res) + 1, sizeof *v);
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		const struct mailimap_mailbox_list *l = clist_content(it);
		struct lmb *m;
		int dup = 0;
		if (!l || !l->mb_name || !*l->mb_name)
			continue;
		/* Other users' and shared folders are not the user's mail. */
		if (imap_namespace_foreign(im, l->mb_name) || list_is_virtual(l))
			continue;
		for (size_t k = 0; k < *n; k++)
			dup |= strcmp(v[k].remote, l->mb_name) == 0;
		if (dup)
			continue;
		m = &v[(*n)++];
		m->remote = xstrdup(l->mb_name);
		m->selectable = 1;
		m->delim[0] = l->mb_delimiter;
		if (strcasecmp(m->remote, "INBOX") == 0)
			m->role = MAILBOX_ROLE_INBOX;
		if (l->mb_flag) {
			if (l->mb_flag->mbf_type == MAILIMAP_MBX_LIST_FLAGS_SFLAG &&
			    l->mb_flag->mbf_sflag == MAILIMAP_MBX_LIST_SFLAG_NOSELECT)
				m->selectable = 0;
			for (clistiter *f = clist_begin(l->mb_flag->mbf_oflags); f; f = clist_next(f)) {
				const struct mailimap_mbx_list_oflag *of = clist_content(f);
				enum mailbox_role role;
				if (!of || of->of_type != MAILIMAP_MBX_LIST_OFLAG_FLAG_EXT || !of->of_flag_ext)
					continue;
				if (strcasecmp(of->of_flag_ext, "Noselect") == 0 ||
				    strcasecmp(of->of_flag_ext, "NonExistent") == 0)
					m->selectable = 0;
				else if (!m->role && (role = imap_role_from_flag(of->of_flag_ext)) != MAILBOX_ROLE_NONE)
					m->role = role;
			}
		}
		m->name = imap_utf7_decode(m->remote);
		if (m->delim[0]) {
			char *cut = strrchr(m->remote, m->delim[0]);
			if (cut && cut > m->remote)
				m->parent = xstrndup(m->remote, (size_t)(cut - m->remote));
		}
	}
	mailimap_list_result_free(res);
	/* Parents sort before their children, so they exist when a child is stored. */
	qsort(v, *n, sizeof *v, cmp_remote);
	/* Roles by name only for the roles no folder claims. */
	for (size_t i = 0; i < *n; i++) {
		enum mailbox_role guess = v[i].role || !v[i].selectable ? MAILBOX_ROLE_NONE :
		                          imap_role_from_path(v[i].remote, im->ns_prefix, v[i].delim[0]);
		int taken = 0;
		if (!guess)
			continue;
		for (size_t k = 0; k < *n; k++)
			taken |= v[k].role == guess;
		if (!taken)
			v[i].role = guess;
	}
	*out = v;
	return TERN_OK;
}

/* A role the account needs and no folder has: delete_to_trash without a
 * Trash would destroy mail for good, copy_to_sent without a Sent would
 * drop the copy. The folder is made at the top of the personal namespace
 * (Thunderbird does the same); a server that refuses is logged, once per
 * connection. */
static void
ensure_role(struct imap *im, struct lmb **v, size_t *n, enum mailbox_role role, const char *leaf, int want,
            unsigned bit)
{
	struct lmb *m;
	char *remote;
	char delim = im->ns_delim;
	int r;

	if (!want || (im->created_tried & bit))
		return;
	for (size_t i = 0; i < *n; i++) {
		if ((*v)[i].role == role && (*v)[i].selectable)
			return;
		if (!delim && (*v)[i].delim[0])
			delim = (*v)[i].delim[0];
	}
	im->created_tried |= bit;
	remote = xasprintf("%s%s", im->ns_prefix ? im->ns_prefix : "", leaf);
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*v)[i].remote, remote) == 0) {
			free(remote);
			return;     /* there, but not selectable: leave it alone */
		}
	}
	if ((r = mailimap_create(im->s, remote)) != MAILIMAP_NO_ERROR) {
		char *e = NULL;
		imap_error(im, r, "CREATE", &e);
		log_warn("imap %s: no %s folder, and the server would not create %s: %s", im->acct->name, mailbox_role_name(role),
		         remote, e ? e : "");
		free(e);
		free(remote);
		return;
	}
	log_info("imap %s: created %s for the %s role", im->acct->name, remote, mailbox_role_name(role));
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	m = &(*v)[(*n)++];
	memset(m, 0, sizeof *m);
	m->remote = remote;
	m->name = imap_utf7_decode(remote);
	m->role = role;
	m->selectable = 1;
	m->delim[0] = delim;
	if (delim) {
		char *cut = strrchr(m->remote, delim);
		if (cut && cut > m->remote)
			m->parent = xstrndup(m->remote, (size_t)(cut - m->remote));
	}
}

struct local_mb {
	int64_t id;
	char *remote;
	uint32_t uidvalidity;     /* from its checkpoint, 0 if none */
	uint32_t uidnext;
};

struct local_list {
	struct local_mb *v;
	size_t n;
	db *db;
	int64_t account_id;
};

static int
collect_local(const struct mailbox_row *r, void *arg)
{
	struct local_list *l = arg;
	struct imap_checkpoint cp;
	char *res, *state = NULL;
	int unpushed = 0;

	/* Created here, not on the server yet: nothing to reconcile. */
	if (db_mailbox_unpushed(l->db, r->id, &unpushed) != TERN_OK || unpushed)
		return 0;
	res = imap_checkpoint_resource(r->remote_id);
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n].id = r->id;
	l->v[l->n].remote = xstrdup(r->remote_id);
	l->v[l->n].uidvalidity = 0;
	l->v[l->n].uidnext = 0;
	if (db_sync_state_get(l->db, l->account_id, res, &state) == TERN_OK &&
	    imap_checkpoint_parse(state, &cp) == TERN_OK) {
		l->v[l->n].uidvalidity = cp.uidvalidity;
		l->v[l->n].uidnext = cp.uidnext;
	}
	l->n++;
	free(state);
	free(res);
	return 0;
}

static struct lmb *
find_server(struct lmb *v, size_t n, const char *remote)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].remote, remote) == 0)
			return &v[i];
	return NULL;
}

/* Moves a checkpoint along with a renamed folder. */
int
imap_rename_state(db *d, int64_t account_id, const char *from, const char *to)
{
	char *rf = imap_checkpoint_resource(from), *rt = imap_checkpoint_resource(to), *state = NULL;
	int rc = TERN_OK;
	if (db_sync_state_get(d, account_id, rf, &state) == TERN_OK) {
		if ((rc = db_sync_state_put(d, account_id, rt, state)) == TERN_OK)
			rc = db_sync_state_delete(d, account_id, rf);
	}
	free(state);
	free(rf);
	free(rt);
	return rc;
}

/* Local folders the server no longer lists: renamed (a new folder with the
 * same UIDVALIDITY, RFC 3501 6.3.5 keeps it across RENAME) or deleted. */
static int
reconcile(struct imap *im, struct sync_ctx *ctx, struct lmb *srv, size_t n, char **err)
{
	struct local_list l = { NULL, 0, ctx->db, ctx->account_id };
	int rc = db_mailbox_each(ctx->db, ctx->account_id, collect_local, &l);

	for (size_t i = 0; rc == TERN_OK && i < l.n; i++) {
		struct local_mb *lm = &l.v[i];
		struct lmb *to = NULL;
		if (find_server(srv, n, lm->remote))
			continue;
		for (size_t k = 0; lm->uidvalidity && k < n && !to; k++) {
			struct mailbox_row row = { 0 };
			/* A renamed folder keeps its UIDs, so its UIDNEXT cannot have
			 * gone back: that rules out most unrelated folders whose
			 * UIDVALIDITY merely collides (time-based values). */
			if (srv[k].has_status && srv[k].st.uidvalidity == lm->uidvalidity &&
			    srv[k].st.uidnext >= lm->uidnext &&
			    db_mailbox_by_remote(ctx->db, ctx->account_id, srv[k].remote, &row) == TERN_ENOTFOUND)
				to = &srv[k];
			db_mailbox_row_free(&row);
		}
		if (to) {
			log_info("imap %s: folder %s renamed to %s", im->acct->name, lm->remote, to->remote);
			if ((rc = db_imap_mailbox_set_remote(ctx->db, lm->id, to->remote)) == TERN_OK)
				rc = imap_rename_state(ctx->db, ctx->account_id, lm->remote, to->remote);
		} else {
			char *res = imap_checkpoint_resource(lm->remote);
			log_info("imap %s: folder %s is gone from the server", im->acct->name, lm->remote);
			if ((rc = db_mailbox_delete(ctx->db, lm->id)) == TERN_OK)
				rc = db_sync_state_delete(ctx->db, ctx->account_id, res);
			free(res);
		}
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].remote);
	free(l.v);
	if (rc != TERN_OK && !*err)
		*err = xstrdup("cannot store the folder list");
	return rc;
}

static int
cmp_inbox_first(const void *a, const void *b)
{
	const struct imap_mb *x = a, *y = b;
	if (x->is_inbox != y->is_inbox)
		return y->is_inbox - x->is_inbox;
	return strcmp(x->remote, y->remote);
}

int
imap_sync_mailboxes(struct imap *im, struct sync_ctx *ctx, struct imap_mb **out, size_t *nout, char **err)
{
	struct lmb *v = NULL;
	struct imap_mb *res = NULL;
	size_t n = 0, nres = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	if ((rc = imap_list_all(im, &v, &n, err)) != TERN_OK)
		return rc;
	/* Every server has INBOX (RFC 3501 6.3.8): a LIST without it was cut
	 * short or is wrong, and trusting it would delete every local folder
	 * it lacks, with their messages and bodies. */
	{
		int inbox = 0;
		for (size_t i = 0; i < n; i++)
			inbox |= v[i].role == MAILBOX_ROLE_INBOX;
		if (!inbox) {
			*err = xstrdup("the server's folder list has no INBOX; not trusting it");
			rc = TERN_EPROTO;
			goto out;
		}
	}
	ensure_role(im, &v, &n, MAILBOX_ROLE_TRASH, "Trash", im->acct->delete_to_trash, 1);
	ensure_role(im, &v, &n, MAILBOX_ROLE_SENT, "Sent", im->acct->copy_to_sent && (im->acct->smtp_host || account_sendmail(im->acct)), 2);
	if (im->broken) {
		rc = TERN_ENET;
		*err = xstrdup("connection lost");
		goto out;
	}
	qsort(v, n, sizeof *v, cmp_remote);
	for (size_t i = 0; i < n; i++) {
		if (!v[i].selectable)
			continue;
		/* STATUS must not be used on the selected mailbox (RFC 3501
		 * 6.3.10): it may be stale there. Its sync SELECTs it afresh. */
		if (im->selected && strcmp(im->selected, v[i].remote) == 0)
			continue;
		rc = imap_status(im, v[i].remote, &v[i].st, err);
		if (rc == TERN_EREFUSED) {
			/* Listed but not accessible (e.g. ACLs): treat as a container. */
			v[i].selectable = 0;
			free(*err);
			*err = NULL;
			continue;
		}
		if (rc != TERN_OK)
			goto out;
		v[i].has_status = 1;
	}
	if ((rc = db_begin(ctx->db)) != TERN_OK)
		goto out;
	if ((rc = reconcile(im, ctx, v, n, err)) != TERN_OK) {
		db_rollback(ctx->db);
		goto out;
	}
	res = xcalloc(n + 1, sizeof *res);
	for (size_t i = 0; i < n; i++) {
		struct mailbox_row old = { 0 };
		int existed = db_mailbox_by_remote(ctx->db, ctx->account_id, v[i].remote, &old) == TERN_OK;
		struct mailbox_info mi = {
			.remote_id = v[i].remote, .name = v[i].name, .delim = v[i].delim[0] ? v[i].delim : "/",
			.role = mailbox_role_name(v[i].role), .parent_remote_id = v[i].parent, .selectable = v[i].selectable,
			.subscribed = 1,
			/* Server counts until the folder's messages are here (a big
			 * first sync); the folder sync recounts from what is stored. */
			.has_counts = v[i].has_status && !existed,
			.total = v[i].st.messages, .unread = v[i].st.unseen,
		};
		db_mailbox_row_free(&old);
		if ((rc = db_mailbox_upsert(ctx->db, ctx->account_id, &mi, &v[i].id)) != TERN_OK) {
			db_rollback(ctx->db);
			*err = xstrdup("cannot store the folder list");
			goto out;
		}
		if (v[i].selectable) {
			struct imap_mb *m = &res[nres++];
			m->id = v[i].id;
			m->remote = xstrdup(v[i].remote);
			m->name = xstrdup(v[i].name);
			m->is_inbox = v[i].role == MAILBOX_ROLE_INBOX;
			m->has_status = v[i].has_status;
			m->st = v[i].st;
		}
	}
	if ((rc = db_commit(ctx->db)) != TERN_OK)
		goto out;
	if (ctx->committed)
		ctx->committed(ctx);
	qsort(res, nres, sizeof *res, cmp_inbox_first);
	*out = res;
	*nout = nres;
	res = NULL;
	nres = 0;
out:
	imap_mbs_free(res, nres);
	imap_list_free(v, n);
	return rc;
}
