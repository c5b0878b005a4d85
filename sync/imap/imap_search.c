/* The IMAP server search (engine op server_search, sync/engine.h): the
 * query as UID SEARCH CHARSET UTF-8 in every selectable folder, the UIDs
 * found stored as server hits (db/db_search.h). The criteria are built as
 * libetpan search keys, so libetpan sends UTF-8 words as literals and waits
 * for the server's continuation itself (LITERAL+ when the server has it). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db_mailbox.h"
#include "db/db_search.h"
#include "db/db_sync.h"
#include "src/base/err.h"
#include "src/base/fold.h"
#include "src/base/log.h"
#include "src/base/utf8.h"
#include "src/search/search_ast.h"
#include "sync/imap/imap.h"
#include "src/base/util.h"

struct folder {
	int64_t id;
	char *remote, *name, *role;
};

struct folders {
	struct folder *v;
	size_t n;
};

static int
collect(const struct mailbox_row *r, void *ctx)
{
	struct folders *f = ctx;
	if (!r->selectable)
		return 0;
	f->v = xrealloc(f->v, (f->n + 1) * sizeof *f->v);
	f->v[f->n++] = (struct folder){ r->id, xstrdup(r->remote_id), xstrdup(r->name),
	                                r->role ? xstrdup(r->role) : NULL };
	return 0;
}

static void
folders_free(struct folders *f)
{
	for (size_t k = 0; k < f->n; k++) {
		free(f->v[k].remote);
		free(f->v[k].name);
		free(f->v[k].role);
	}
	free(f->v);
}

/* IMAP dates have no time and are compared in the server's zone (RFC 3501
 * 6.4.4): the local calendar day is the nearest we can say. */
static struct mailimap_date *
day_of(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	return mailimap_date_new(tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
}

/* Keys without arguments (UNSEEN, SEEN, FLAGGED): libetpan has no
 * constructor of their own for them. */
static struct mailimap_search_key *
bare_key(int type)
{
	return mailimap_search_key_new(type, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	                               NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0,
	                               NULL, NULL, NULL);
}

static void
key_free(void *key, void *unused)
{
	(void)unused;
	mailimap_search_key_free(key);
}

static uint32_t
clamp32(int64_t v)
{
	return v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* A search word as it may go on the wire: controls (a pasted form feed,
 * a CR or LF, which no quoted string may hold) become spaces, and what is
 * not UTF-8 (the search says CHARSET UTF-8) becomes '?'. libetpan writes
 * a literal of such bytes past the end of the word (found by fuzz_search).
 * Caller frees. */
static char *
wire_word(const char *w)
{
	size_t n = strlen(w), i = 0, o = 0;
	char *out = xmalloc(n + 1);

	while (i < n) {
		const unsigned char *p = (const unsigned char *)w + i;
		size_t len = utf8_seq_len(p, n - i);
		if (len == 0) {
			out[o++] = '?';
			i++;
		} else if (len == 1) {
			out[o++] = *p < 0x20 || *p == 0x7f ? ' ' : (char)*p;
			i++;
		} else {
			memcpy(out + o, p, len);
			o += len;
			i += len;
		}
	}
	out[o] = '\0';
	return out;
}

/* One node as libetpan keys; name/role: the folder searched (in:). */
static struct mailimap_search_key *
key_of(const struct search_node *n, const char *name, const char *role)
{
	struct mailimap_search_key *k = NULL, *a, *b;
	clist *l;

	switch (n->kind) {
	case SK_AND:
		if (!(l = clist_new()))
			return NULL;
		for (size_t i = 0; i < n->nkids; i++) {
			if (!(a = key_of(n->kids[i], name, role)) || clist_append(l, a) < 0) {
				if (a)
					mailimap_search_key_free(a);
				clist_foreach(l, key_free, NULL);
				clist_free(l);
				return NULL;
			}
		}
		return mailimap_search_key_new_multiple(l);
	case SK_OR:
		/* OR is binary in IMAP: a OR b OR c is OR a (OR b c). */
		if (n->nkids == 0)
			return mailimap_search_key_new_not(mailimap_search_key_new_all());
		k = key_of(n->kids[n->nkids - 1], name, role);
		for (size_t i = n->nkids - 1; k && i-- > 0;) {
			if (!(a = key_of(n->kids[i], name, role))) {
				mailimap_search_key_free(k);
				return NULL;
			}
			b = k;
			k = mailimap_search_key_new_or(a, b);
		}
		return k;
	case SK_NOT:
		return (a = key_of(n->kids[0], name, role)) ? mailimap_search_key_new_not(a) : NULL;
	case SK_TEXT: {
		/* IMAP matches substrings, so word* needs nothing more. */
		char *s = wire_word(n->text);
		switch (n->field) {
		case SF_FROM: return mailimap_search_key_new_from(s);
		case SF_TO: return mailimap_search_key_new_to(s);
		case SF_CC: return mailimap_search_key_new_cc(s);
		case SF_SUBJECT: return mailimap_search_key_new_subject(s);
		case SF_BODY: return mailimap_search_key_new_body(s);
		case SF_ANY: break;
		}
		return mailimap_search_key_new_text(s);
	}
	case SK_IN: {
		/* One SEARCH sees one folder: in: is decided here. */
		int same = fold_equal(n->text, name) || (role && str_ieq(n->text, role));
		k = mailimap_search_key_new_all();
		return same || !k ? k : mailimap_search_key_new_not(k);
	}
	case SK_UNREAD: return bare_key(MAILIMAP_SEARCH_KEY_UNSEEN);
	case SK_READ: return bare_key(MAILIMAP_SEARCH_KEY_SEEN);
	case SK_FLAGGED: return bare_key(MAILIMAP_SEARCH_KEY_FLAGGED);
	case SK_ATTACHMENT:
		/* No attachment criterion in IMAP; RFC 9051 servers set the
		 * $HasAttachment keyword, older ones have a multipart/mixed top. */
		return mailimap_search_key_new_or(mailimap_search_key_new_keyword(xstrdup("$HasAttachment")),
		                                  mailimap_search_key_new_header(xstrdup("Content-Type"),
		                                                                 xstrdup("multipart/mixed")));
	case SK_BEFORE: return mailimap_search_key_new_before(day_of(n->value));
	case SK_AFTER: return mailimap_search_key_new_since(day_of(n->value));
	case SK_LARGER: return mailimap_search_key_new_larger(clamp32(n->value));
	case SK_SMALLER: return mailimap_search_key_new_smaller(clamp32(n->value));
	}
	return NULL;
}

struct mailimap_search_key *
imap_search_key_new(const search_query *q, const char *folder_name, const char *folder_role)
{
	return key_of(q->root, folder_name, folder_role);
}

/* One folder: its UIDs that match, as server hits. */
static int
search_folder(struct imap *im, struct sync_ctx *ctx, const search_query *q, const struct folder *f,
              int64_t *added, char **err)
{
	struct mailimap_search_key *key;
	clist *res = NULL;
	uint32_t *uids = NULL;
	size_t n = 0;
	int64_t got = 0;
	int r, rc;

	if ((rc = imap_select(im, f->remote, err)) != TERN_OK)
		return rc;
	{
		/* The stored UIDs mean these messages only under the UIDVALIDITY
		 * they were synced with; after a reset the next sync comes first. */
		char *res = imap_checkpoint_resource(f->remote), *state = NULL;
		struct imap_checkpoint cp = { 0 };
		int same = db_sync_state_get(ctx->db, im->account_id, res, &state) == TERN_OK &&
		           imap_checkpoint_parse(state, &cp) == TERN_OK && cp.uidvalidity == im->sel_uidvalidity;
		free(res);
		free(state);
		if (!same)
			return TERN_OK;
	}
	if (!(key = imap_search_key_new(q, f->name, f->role)))
		return TERN_ENOMEM;
	if (mailimap_has_extension(im->s, "LITERAL+"))
		r = mailimap_uid_search_literalplus(im->s, "UTF-8", key, &res);
	else
		r = mailimap_uid_search(im->s, "UTF-8", key, &res);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(im, r, "UID SEARCH", err);
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		uids = xrealloc(uids, (n + 1) * sizeof *uids);
		uids[n++] = *(uint32_t *)clist_content(it);
	}
	mailimap_search_result_free(res);
	rc = n ? db_search_hits_add_uids(ctx->db, q, f->id, uids, n, &got) : TERN_OK;
	*added += got;
	free(uids);
	return rc;
}

int
imap_server_search(struct imap *im, struct sync_ctx *ctx, const search_query *q, char **err)
{
	struct folders f = { NULL, 0 };
	int64_t added = 0;
	int rc;

	if ((rc = db_mailbox_each(ctx->db, ctx->account_id, collect, &f)) != TERN_OK)
		goto out;
	if ((rc = db_begin(ctx->db)) != TERN_OK)
		goto out;
	if ((rc = db_search_hits_clear(ctx->db, q, ctx->account_id)) != TERN_OK) {
		db_rollback(ctx->db);
		goto out;
	}
	if ((rc = db_commit(ctx->db)) != TERN_OK)
		goto out;
	for (size_t k = 0; k < f.n && rc == TERN_OK; k++) {
		if (ctx->stop && *ctx->stop) {
			rc = TERN_ECANCELLED;
			break;
		}
		int64_t before = added;
		rc = search_folder(im, ctx, q, &f.v[k], &added, err);
		if (added > before && ctx->committed)
			ctx->committed(ctx);   /* the list grows while the others run */
		if (rc == TERN_EREFUSED) {
			/* A folder that refuses (or cannot search UTF-8) must not hide
			 * what the others found. */
			log_warn("imap %s: search in %s: %s", im->acct->name, f.v[k].name, *err ? *err : "refused");
			free(*err);
			*err = NULL;
			rc = TERN_OK;
		}
	}
	log_info("imap %s: server search: %lld messages", im->acct->name, (long long)added);
out:
	folders_free(&f);
	return rc;
}
