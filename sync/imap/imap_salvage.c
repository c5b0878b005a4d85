/* A batch of headers whose FETCH answer libetpan could not parse. One
 * odd message (a BODYSTRUCTURE or ENVELOPE no parser accepts) would
 * otherwise fail its whole batch on every cycle, and the others would
 * never arrive. The range is halved until the bad UID stands alone; each
 * half that parses is stored, and the bad one is fetched again with a
 * minimal item set and stored as a damaged row (message.damaged), so the
 * user still sees it. A parse error leaves the stream in the middle of a
 * response: every retry needs a new session (and a SELECT). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "src/base/log.h"
#include "src/base/util.h"
#include "src/mime/mime.h"
#include "src/mime/msgid.h"
#include "sync/imap/imap.h"
#include "sync/imap/imap_stream.h"

struct salvage {
	struct imap *im;
	struct sync_ctx *ctx;
	const char *remote, *name;
	int modseq;
	imap_store_fn store;
	void *arg;
};

/* The session, fresh when the last answer broke it, with remote selected. */
static int
usable(struct salvage *sv, char **err)
{
	struct imap *im = sv->im;
	int rc;

	if (sv->ctx->stop && *sv->ctx->stop)
		return TERN_ECANCELLED;
	if (im->broken || !im->s) {
		imap_close(im);
		im->broken = 0;
		if ((rc = imap_connect(im, im->acct, sv->ctx->password, sv->ctx->stop, err)) != TERN_OK)
			return rc;
	}
	return imap_select(im, sv->remote, err);
}

/* What the header block says, where the FETCH did not: the MIME code's
 * reading of BODY[HEADER], which never fails on odd input. */
static void
read_header_block(const char *text, size_t len, struct imap_msg *m)
{
	struct mail_addr_list from = { 0 }, to = { 0 }, cc = { 0 };
	mime_msg *mm = NULL;
	char *id;

	if (!text || !len || mime_parse(text, len, &mm) != TERN_OK)
		return;
	m->subject = mime_header(mm, "Subject");
	mime_header_addrs(mm, "From", &from);
	if (from.n) {
		m->from_name = from.v[0].name ? xstrdup(from.v[0].name) : NULL;
		m->from_addr = from.v[0].addr ? xstrdup(from.v[0].addr) : NULL;
	}
	mime_header_addrs(mm, "To", &to);
	m->to_list = to.n ? mail_addr_format(&to) : NULL;
	mime_header_addrs(mm, "Cc", &cc);
	m->cc_list = cc.n ? mail_addr_format(&cc) : NULL;
	id = mime_header_raw(mm, "Message-ID");
	m->message_id = msgid_list_bare(id);
	if (m->message_id && strchr(m->message_id, ' '))
		m->message_id[strcspn(m->message_id, " ")] = '\0';
	free(id);
	m->h.sent_at = mime_date(mm);
	mail_addr_free(&from);
	mail_addr_free(&to);
	mail_addr_free(&cc);
	mime_free(mm);
}

/* UID FETCH uid (UID FLAGS RFC822.SIZE INTERNALDATE [BODY.PEEK[HEADER]])
 * into m (m->uid 0: the server no longer has it). */
static int
fetch_minimal(struct imap *im, uint32_t uid, int with_header, struct imap_msg *m)
{
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	struct mailimap_set *set = mailimap_set_new_single(uid);
	const struct mailimap_msg_att *mine = NULL;
	clist *res = NULL;
	int r;

	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_flags());
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_rfc822_size());
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_internaldate());
	if (with_header)
		mailimap_fetch_type_new_fetch_att_list_add(
			ft, mailimap_fetch_att_new_body_peek_section(mailimap_section_new_header()));
	r = imap_stream_result(im->s, mailimap_uid_fetch(im->s, set, ft, &res));
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	memset(m, 0, sizeof *m);
	if (r != MAILIMAP_NO_ERROR)
		goto out;
	/* Unasked FETCHes (flag news of others) may come along: ours has uid. */
	for (clistiter *it = clist_begin(res); it && !mine; it = clist_next(it)) {
		imap_msg_read(clist_content(it), m);
		if (m->uid == uid)
			mine = clist_content(it);
		else
			imap_msg_free(m);
	}
	for (clistiter *i = mine && with_header ? clist_begin(mine->att_list) : NULL; i; i = clist_next(i)) {
		const struct mailimap_msg_att_item *item = clist_content(i);
		const struct mailimap_msg_att_static *s;
		if (!item || item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC || !(s = item->att_data.att_static) ||
		    s->att_type != MAILIMAP_MSG_ATT_BODY_SECTION || !s->att_data.att_body_section)
			continue;
		read_header_block(s->att_data.att_body_section->sec_body_part,
		                  s->att_data.att_body_section->sec_length, m);
		break;
	}
out:
	if (res)
		mailimap_fetch_list_free(res);
	return r;
}

/* The one UID whose headers cannot be parsed: as much of it as the server
 * lets us read, marked damaged. */
static int
store_damaged(struct salvage *sv, uint32_t uid, char **err)
{
	struct imap_msg m = { 0 };
	struct imap_batch one = { &m, 1, 0, NULL, NULL, 0, 0, 0 };
	int r = MAILIMAP_ERROR_PARSE, rc = TERN_OK;

	/* With the header block first, then without: its text may be what
	 * breaks the parser too. */
	for (int with_header = 1; with_header >= 0 && r == MAILIMAP_ERROR_PARSE; with_header--) {
		if ((rc = usable(sv, err)) != TERN_OK)
			return rc;
		r = fetch_minimal(sv->im, uid, with_header, &m);
		if (r == MAILIMAP_ERROR_PARSE) {
			sv->im->broken = 1;
			imap_msg_free(&m);
		} else if (r != MAILIMAP_NO_ERROR) {
			imap_msg_free(&m);
			return imap_error(sv->im, r, "UID FETCH", err);
		}
	}
	if (r != MAILIMAP_NO_ERROR)
		m.uid = uid;      /* nothing readable at all: the UID is all we know */
	if (!m.uid)
		return TERN_OK;   /* expunged meanwhile */
	log_warn("imap %s: %s: the server's answer for UID %" PRIu32 " could not be read; stored as damaged%s",
	         sv->im->acct->name, sv->name, uid, r == MAILIMAP_NO_ERROR ? "" : " (UID only)");
	if (!m.subject || !*m.subject) {
		free(m.subject);
		m.subject = xstrdup(MSG_DAMAGED_SUBJECT);
	}
	m.has_header = 1;
	m.h.subject = m.subject;
	m.h.from_name = m.from_name;
	m.h.from_addr = m.from_addr;
	m.h.to_list = m.to_list;
	m.h.cc_list = m.cc_list;
	m.h.message_id = m.message_id;
	m.h.in_reply_to = m.in_reply_to;
	m.h.references = m.references;
	m.h.keywords = m.keywords;
	m.h.flags = m.flags;
	if (!m.h.sent_at)
		m.h.sent_at = m.h.received_at;
	if (!m.h.received_at)
		m.h.received_at = m.h.sent_at ? m.h.sent_at : time_now();
	m.h.damaged = time_now();
	rc = sv->store(sv->arg, &one, err);
	imap_msg_free(&m);
	return rc;
}

/* Whether b answers with headers for a UID that was not asked for: in a
 * batch being narrowed down, a server that put one message's UID on
 * another (imap_batch.c's repeats_uid), whose headers would land in the
 * wrong row. */
static int
answers_unasked(const struct imap_batch *b, const uint32_t *uids, size_t n)
{
	for (size_t i = 0; i < b->n; i++) {
		size_t j = 0;
		if (!b->v[i].has_header)
			continue;
		while (j < n && uids[j] != b->v[i].uid)
			j++;
		if (j == n)
			return 1;
	}
	return 0;
}

static int
bisect(struct salvage *sv, const uint32_t *uids, size_t n, char **err)
{
	struct imap_batch b = { 0 };
	int r, rc;

	if ((rc = usable(sv, err)) != TERN_OK)
		return rc;
	imap_batch_start(&b, sv->im->s, imap_set_from_uids(uids, n), sv->modseq);
	r = imap_batch_join(&b);
	if (r == MAILIMAP_NO_ERROR && answers_unasked(&b, uids, n))
		r = MAILIMAP_ERROR_PARSE;
	if (r == MAILIMAP_NO_ERROR) {
		rc = sv->store(sv->arg, &b, err);
		imap_batch_free(&b);
		return rc;
	}
	imap_batch_free(&b);
	if (r != MAILIMAP_ERROR_PARSE)
		return imap_error(sv->im, r, "UID FETCH", err);
	sv->im->broken = 1;
	if (n == 1)
		return store_damaged(sv, uids[0], err);
	if ((rc = bisect(sv, uids, n / 2, err)) != TERN_OK)
		return rc;
	return bisect(sv, uids + n / 2, n - n / 2, err);
}

int
imap_salvage(struct imap *im, struct sync_ctx *ctx, const char *remote, const char *name, const uint32_t *uids,
             size_t n, int modseq, imap_store_fn store, void *arg, char **err)
{
	struct salvage sv = { im, ctx, remote, name, modseq, store, arg };

	/* The failed batch's answer ended in the middle: this session is done. */
	im->broken = 1;
	log_info("imap %s: %s: the answer for %zu UID(s) from %" PRIu32 " could not be parsed; narrowing it down",
	         im->acct->name, name, n, n ? uids[0] : 0);
	return n ? bisect(&sv, uids, n, err) : TERN_OK;
}

int
imap_salvage_one(struct imap *im, struct sync_ctx *ctx, const char *remote, const char *name, uint32_t uid,
                 int modseq, imap_store_fn store, void *arg, char **err)
{
	struct salvage sv = { im, ctx, remote, name, modseq, store, arg };
	return bisect(&sv, &uid, 1, err);
}
