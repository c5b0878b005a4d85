/* Local changes carried to the server: flags (UID STORE, UNCHANGEDSINCE
 * under CONDSTORE), moves (UID MOVE, else COPY + \Deleted + UID EXPUNGE),
 * deletes (\Deleted + UID EXPUNGE), folders (CREATE, RENAME, DELETE). After a move the message keeps its
 * local id and learns its new UID (COPYUID, else a search by Message-ID). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_change.h"
#include "db/db_imap.h"
#include "db/db_mailbox.h"
#include "db/db_message.h"
#include "src/base/crashpoint.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/imap/imap.h"
#include "src/base/util.h"

static struct mailimap_flag *
flag_new(const char *name)
{
	if (strcmp(name, "seen") == 0)
		return mailimap_flag_new_seen();
	if (strcmp(name, "flagged") == 0)
		return mailimap_flag_new_flagged();
	if (strcmp(name, "answered") == 0)
		return mailimap_flag_new_answered();
	if (strcmp(name, "draft") == 0)
		return mailimap_flag_new_draft();
	if (strcmp(name, "deleted") == 0)
		return mailimap_flag_new_deleted();
	return NULL;
}

/* Whether the last STORE answered [MODIFIED ...] (RFC 7162 3.1.3): the
 * message changed on the server since we saw it. */
static int
store_modified(struct imap *im)
{
	clist *l = im->s->imap_response_info ? im->s->imap_response_info->rsp_extension_list : NULL;
	for (clistiter *it = l ? clist_begin(l) : NULL; it; it = clist_next(it)) {
		const struct mailimap_extension_data *x = clist_content(it);
		if (x && x->ext_extension == &mailimap_extension_condstore &&
		    x->ext_type == MAILIMAP_CONDSTORE_TYPE_RESP_TEXT_CODE && x->ext_data &&
		    ((struct mailimap_condstore_resptextcode *)x->ext_data)->cs_type ==
		    MAILIMAP_CONDSTORE_RESPTEXTCODE_MODIFIED)
			return 1;
	}
	return 0;
}

/* One command line sent as it is, the answer parsed as for any command
 * (untagged data lands in the response info). mailimap_custom_command
 * would add a space at the end, which Cyrus answers with BAD. */
static int
raw_command(struct imap *im, const char *line)
{
	struct mailimap_response *resp = NULL;
	int r, state;

	if ((r = mailimap_send_current_tag(im->s)) != MAILIMAP_NO_ERROR)
		return r;
	if (mailstream_write(im->s->imap_stream, line, strlen(line)) < 0 ||
	    mailstream_write(im->s->imap_stream, "\r\n", 2) < 0 || mailstream_flush(im->s->imap_stream) == -1)
		return MAILIMAP_ERROR_STREAM;
	if (!mailimap_read_line(im->s))
		return MAILIMAP_ERROR_STREAM;
	if ((r = mailimap_parse_response(im->s, &resp)) != MAILIMAP_NO_ERROR)
		return r;
	state = resp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->rsp_type;
	mailimap_response_free(resp);
	return state == MAILIMAP_RESP_COND_STATE_OK ? MAILIMAP_NO_ERROR : MAILIMAP_ERROR_UID_STORE;
}

static int
store(struct imap *im, uint32_t uid, const char *flag, int on, uint64_t unchangedsince, char **err)
{
	struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
	struct mailimap_store_att_flags *sa;
	struct mailimap_set *set = mailimap_set_new_single(uid);
	int r;

	mailimap_flag_list_add(fl, flag_new(flag));
	sa = on ? mailimap_store_att_flags_new_add_flags_silent(fl) :
	          mailimap_store_att_flags_new_remove_flags_silent(fl);
	if (unchangedsince) {
		/* libetpan 1.9.4 sends "UID STORE 38(UNCHANGEDSINCE 13)" without the
		 * space, which Dovecot rejects (BAD): write the command ourselves.
		 * The [MODIFIED] code is still parsed into the response info. */
		static const char *const names[] = { "seen", "\\Seen", "flagged", "\\Flagged",
		                                      "answered", "\\Answered", "deleted", "\\Deleted" };
		const char *imap_flag = "\\Seen";
		char cmd[160];
		for (size_t i = 0; i < ARRAY_LEN(names); i += 2)
			if (strcmp(flag, names[i]) == 0)
				imap_flag = names[i + 1];
		snprintf(cmd, sizeof cmd, "UID STORE %" PRIu32 " (UNCHANGEDSINCE %" PRIu64 ") %cFLAGS.SILENT (%s)",
		         uid, unchangedsince, on ? '+' : '-', imap_flag);
		r = raw_command(im, cmd);
		/* A server that answers BAD to it gets unconditional STOREs (the
		 * queued local intent wins anyway, doc/CONFLICTS.md rule 1). */
		log_debug("imap %s: UNCHANGEDSINCE store: libetpan %d", im->acct->name, r);
		if (r == MAILIMAP_ERROR_PROTOCOL) {
			im->no_unchangedsince = 1;
			unchangedsince = 0;
			r = mailimap_uid_store(im->s, set, sa);
		}
	} else {
		r = mailimap_uid_store(im->s, set, sa);
	}
	mailimap_store_att_flags_free(sa);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(im, r, "UID STORE", err);
	if (unchangedsince && store_modified(im)) {
		*err = xasprintf("UID %" PRIu32 " changed on the server meanwhile", uid);
		return TERN_ECONFLICT;
	}
	return TERN_OK;
}

/* The MODSEQ a FETCH response for uid carried (0: none): our own STORE's
 * echo under CONDSTORE (RFC 7162 3.2), or an explicit fetch. */
static uint64_t
modseq_in(clist *fetched, uint32_t uid)
{
	uint64_t ms = 0;
	for (clistiter *it = fetched ? clist_begin(fetched) : NULL; it && !ms; it = clist_next(it)) {
		struct imap_msg m;
		imap_msg_read(clist_content(it), &m);
		if (m.uid == uid)
			ms = m.modseq;
		imap_msg_free(&m);
	}
	return ms;
}

static uint64_t
fetch_modseq(struct imap *im, uint32_t uid)
{
	struct mailimap_set *set = mailimap_set_new_single(uid);
	struct mailimap_fetch_type *ft = imap_fetch_type_flags(1);
	clist *res = NULL;
	uint64_t ms = 0;
	if (mailimap_uid_fetch(im->s, set, ft, &res) == MAILIMAP_NO_ERROR)
		ms = modseq_in(res, uid);
	if (res)
		mailimap_fetch_list_free(res);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	return ms;
}

/* Remembers the message's MODSEQ after our own STORE, so that the next
 * change to it (an undo right after the push) is conditional on what we
 * did, not refused as "changed meanwhile" until the next pull. */
static void
note_modseq(struct imap *im, struct sync_ctx *ctx, int64_t msg_id, uint32_t uid)
{
	uint64_t ms = modseq_in(im->s->imap_response_info ? im->s->imap_response_info->rsp_fetch_list : NULL, uid);
	if (!ms)
		ms = fetch_modseq(im, uid);
	if (ms && db_begin(ctx->db) == TERN_OK) {
		if (db_imap_set_modseq(ctx->db, msg_id, (int64_t)(ms > INT64_MAX ? INT64_MAX : ms)) == TERN_OK)
			db_commit(ctx->db);
		else
			db_rollback(ctx->db);
	}
}

static int
push_flag(struct imap *im, struct sync_ctx *ctx, const struct queue_row *q, char **err)
{
	unsigned f = q->change.u.flag.flag;
	const char *flag = f == MSG_DRAFT ? NULL : change_flag_name(f);
	int on = q->change.u.flag.on;
	char *remote = NULL;
	uint32_t uid;
	int64_t modseq = 0;
	int rc;

	if (!flag) {
		*err = xasprintf("unknown flag change (flag %u)", f);
		return TERN_EINVAL;
	}
	rc = db_imap_location(ctx->db, q->resource_id, 0, NULL, &remote, &uid);
	if (rc == TERN_ENOTFOUND) {
		/* The message is gone (deleted on the server): nothing to carry. */
		log_info("imap %s: change %lld: message %lld is gone, flag change dropped", im->acct->name,
		         (long long)q->id, (long long)q->resource_id);
		return TERN_OK;
	}
	if (rc != TERN_OK)
		return rc;
	if ((rc = imap_select(im, remote, err)) == TERN_OK) {
		if (im->condstore && !im->no_unchangedsince)
			db_imap_modseq(ctx->db, q->resource_id, &modseq);
		rc = store(im, uid, flag, on, modseq > 0 ? (uint64_t)modseq : 0, err);
		if (rc == TERN_ECONFLICT) {
			/* Someone else changed the message: look at it (its MODSEQ
			 * now), then the local intent goes on top once (rule 1). */
			uint64_t now = fetch_modseq(im, uid);
			log_info("imap %s: UID %" PRIu32 " changed on the server; storing again over MODSEQ %" PRIu64,
			         im->acct->name, uid, now);
			if (now) {
				free(*err);
				*err = NULL;
				rc = store(im, uid, flag, on, now, err);
			}
		}
		if (rc == TERN_OK && im->condstore)
			note_modseq(im, ctx, q->resource_id, uid);
	}
	free(remote);
	return rc;
}

static int
uid_expunge(struct imap *im, uint32_t uid, char **err)
{
	struct mailimap_set *set = mailimap_set_new_single(uid);
	int r = im->uidplus ? mailimap_uid_expunge(im->s, set) : mailimap_expunge(im->s);
	mailimap_set_free(set);
	return r == MAILIMAP_NO_ERROR ? TERN_OK : imap_error(im, r, "EXPUNGE", err);
}

static uint32_t
single_uid(const struct mailimap_set *s)
{
	clistiter *it = s && s->set_list ? clist_begin(s->set_list) : NULL;
	const struct mailimap_set_item *si = it ? clist_content(it) : NULL;
	return si && si->set_first == si->set_last ? si->set_first : 0;
}

int
imap_find_msgid(struct imap *im, const char *remote, const char *message_id, uint32_t *uid, char **err)
{
	struct mailimap_search_key *key;
	clist *res = NULL;
	char *v;
	int r, rc;

	*uid = 0;
	if (!message_id || !*message_id)
		return TERN_ENOTFOUND;
	if ((rc = imap_select(im, remote, err)) != TERN_OK)
		return rc;
	v = message_id[0] == '<' ? xstrdup(message_id) : xasprintf("<%s>", message_id);
	key = mailimap_search_key_new_header(xstrdup("Message-ID"), v);
	r = mailimap_uid_search(im->s, NULL, key, &res);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(im, r, "UID SEARCH", err);
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		uint32_t *u = clist_content(it);
		if (u && *u > *uid)
			*uid = *u;
	}
	mailimap_search_result_free(res);
	return *uid ? TERN_OK : TERN_ENOTFOUND;
}

static int
push_move(struct imap *im, struct sync_ctx *ctx, const struct queue_row *q, char **err)
{
	int64_t from = q->change.u.move.from, to = q->change.u.move.to;
	struct mailbox_row dest = { 0 };
	struct mailimap_set *set, *src_res = NULL, *dst_res = NULL;
	struct msg_row msg = { 0 };
	char *remote = NULL;
	uint32_t uid, uidvalidity = 0, new_uid = 0;
	int r, rc;

	rc = db_imap_location(ctx->db, q->resource_id, from, NULL, &remote, &uid);
	if (rc == TERN_ENOTFOUND) {
		log_info("imap %s: change %lld: message %lld has no UID in its source folder; move dropped",
		         im->acct->name, (long long)q->id, (long long)q->resource_id);
		return TERN_OK;
	}
	if (rc != TERN_OK)
		return rc;
	if ((rc = db_mailbox_get(ctx->db, to, &dest)) != TERN_OK) {
		/* Its row went with the folder: db_mailbox_delete then gave this
		 * change the reason, naming the folder (the name is gone now). */
		*err = xstrdup(q->last_error && *q->last_error ? q->last_error :
		               "the destination folder no longer exists on the server");
		rc = TERN_EREFUSED;
		goto out;
	}
	if (!im->move && db_message_get(ctx->db, q->resource_id, &msg) == TERN_OK &&
	    (rc = imap_find_msgid(im, dest.remote_id, msg.message_id, &new_uid, err)) != TERN_ENOTFOUND &&
	    rc != TERN_OK)
		goto out;
	if ((rc = imap_select(im, remote, err)) != TERN_OK)
		goto out;
	set = mailimap_set_new_single(uid);
	if (im->move) {
		r = im->uidplus ? mailimap_uidplus_uid_move(im->s, set, dest.remote_id, &uidvalidity, &src_res, &dst_res)
		                : mailimap_uid_move(im->s, set, dest.remote_id);
		rc = r == MAILIMAP_NO_ERROR ? TERN_OK : imap_error(im, r, "UID MOVE", err);
	} else if (new_uid) {
		/* The destination has it already: the COPY of an attempt that
		 * died before its EXPUNGE (or a copy someone filed before). A
		 * second COPY would leave a duplicate no one asked for. */
		log_info("imap %s: change %lld: already in %s (UID %" PRIu32 "); not copied again", im->acct->name,
		         (long long)q->id, dest.name, new_uid);
		if ((rc = store(im, uid, "deleted", 1, 0, err)) == TERN_OK)
			rc = uid_expunge(im, uid, err);
	} else {
		r = im->uidplus ? mailimap_uidplus_uid_copy(im->s, set, dest.remote_id, &uidvalidity, &src_res, &dst_res)
		                : mailimap_uid_copy(im->s, set, dest.remote_id);
		rc = r == MAILIMAP_NO_ERROR ? TERN_OK : imap_error(im, r, "UID COPY", err);
		/* Without UIDPLUS only a plain EXPUNGE exists; it also removes what
		 * others marked \Deleted there, as mutt's does (RFC 3501 6.4.3). */
		if (rc == TERN_OK)
			crashpoint("imap-copy");   /* copied, the source not yet expunged */
		if (rc == TERN_OK && (rc = store(im, uid, "deleted", 1, 0, err)) == TERN_OK)
			rc = uid_expunge(im, uid, err);
	}
	mailimap_set_free(set);
	if (rc != TERN_OK)
		goto out;
	if (!new_uid)
		new_uid = single_uid(dst_res);
	if (!new_uid && (msg.message_id || db_message_get(ctx->db, q->resource_id, &msg) == TERN_OK)) {
		/* No COPYUID: the copy is the newest message with this Message-ID. */
		rc = imap_find_msgid(im, dest.remote_id, msg.message_id, &new_uid, err);
		if (rc == TERN_ENOTFOUND)
			rc = TERN_OK;   /* the folder sync adopts it by Message-ID later */
		if (rc != TERN_OK)
			goto out;
	}
	if ((rc = db_begin(ctx->db)) != TERN_OK)
		goto out;
	if (new_uid)
		rc = db_imap_set_uid(ctx->db, q->resource_id, to, new_uid);
	/* Its modseq counted in the old folder: unknown until the next sync. */
	if (rc == TERN_OK)
		rc = db_imap_set_modseq(ctx->db, q->resource_id, 0);
	if (rc == TERN_OK)
		rc = db_imap_drop_hidden(ctx->db, q->resource_id, from);
	if (rc == TERN_OK)
		rc = db_commit(ctx->db);
	else
		db_rollback(ctx->db);
out:
	if (src_res)
		mailimap_set_free(src_res);
	if (dst_res)
		mailimap_set_free(dst_res);
	db_msg_row_free(&msg);
	db_mailbox_row_free(&dest);
	free(remote);
	return rc;
}

static int
push_delete(struct imap *im, struct sync_ctx *ctx, const struct queue_row *q, char **err)
{
	int64_t mb = q->change.u.del.mailbox;
	char *remote = NULL;
	uint32_t uid;
	int rc = db_imap_location(ctx->db, q->resource_id, mb, NULL, &remote, &uid);

	if (rc == TERN_ENOTFOUND)
		return TERN_OK;   /* already gone from the server */
	if (rc != TERN_OK)
		return rc;
	if ((rc = imap_select(im, remote, err)) == TERN_OK &&
	    (rc = store(im, uid, "deleted", 1, 0, err)) == TERN_OK &&
	    (rc = uid_expunge(im, uid, err)) == TERN_OK)
		rc = db_imap_drop_hidden(ctx->db, q->resource_id, mb);
	free(remote);
	return rc;
}

/* A folder name as the server spells it: our path with its separator
 * (the account's, which the name was typed with), in modified UTF-7. */
static char *
wire_name(const char *name, char **err)
{
	char *w = imap_utf7_encode(name);
	if (!w)
		*err = xasprintf("the folder name is not valid UTF-8");
	return w;
}

static int
commit_or_rollback(db *d, int rc)
{
	if (rc == TERN_OK)
		return db_commit(d);
	db_rollback(d);
	return rc;
}

/* The server will not have the folder we are about to rename or delete
 * selected: a later SELECT of its old name must go out again. */
static int
leave_folder(struct imap *im, const char *remote, char **err)
{
	if (!im->selected || strcmp(im->selected, remote) != 0)
		return TERN_OK;
	return imap_select(im, "INBOX", err);
}

static int
push_mailbox(struct imap *im, struct sync_ctx *ctx, const struct queue_row *q, char **err)
{
	const struct change *c = &q->change;
	struct mailbox_row mb = { 0 };
	char *wire = NULL;
	int r, rc;

	if ((rc = db_change_mailbox_target(ctx->db, q, &mb, err)) == TERN_ENOTFOUND) {
		log_info("imap %s: change %lld: folder %lld is gone, %s dropped", im->acct->name, (long long)q->id,
		         (long long)q->resource_id, change_kind_name(c->kind));
		return TERN_OK;
	}
	if (rc != TERN_OK)
		goto out;
	if (c->kind != CHANGE_MAILBOX_DELETE && !(wire = wire_name(c->u.mbox.name, err))) {
		rc = TERN_EINVAL;
		goto out;
	}
	switch (c->kind) {
	case CHANGE_MAILBOX_CREATE:
		r = mailimap_create(im->s, wire);
		if ((rc = imap_error(im, r, "CREATE", err)) != TERN_OK)
			break;
		/* Subscribed like the folders tern lists; a refusal is no loss. */
		mailimap_subscribe(im->s, wire);
		if ((rc = db_begin(ctx->db)) != TERN_OK)
			break;
		if ((rc = db_imap_mailbox_set_remote(ctx->db, mb.id, wire)) == TERN_OK)
			rc = db_queue_done(ctx->db, q->id);
		rc = commit_or_rollback(ctx->db, rc);
		break;
	case CHANGE_MAILBOX_RENAME:
		if ((rc = leave_folder(im, mb.remote_id, err)) != TERN_OK)
			break;
		r = mailimap_rename(im->s, mb.remote_id, wire);
		if ((rc = imap_error(im, r, "RENAME", err)) != TERN_OK)
			break;
		mailimap_unsubscribe(im->s, mb.remote_id);
		mailimap_subscribe(im->s, wire);
		/* The folders under it moved too: the next LIST finds them by
		 * their UIDVALIDITY, as for a rename by another client. */
		if ((rc = db_begin(ctx->db)) != TERN_OK)
			break;
		if ((rc = db_imap_mailbox_set_remote(ctx->db, mb.id, wire)) == TERN_OK &&
		    (rc = imap_rename_state(ctx->db, ctx->account_id, mb.remote_id, wire)) == TERN_OK)
			rc = db_queue_done(ctx->db, q->id);
		rc = commit_or_rollback(ctx->db, rc);
		break;
	case CHANGE_MAILBOX_DELETE:
		if ((rc = leave_folder(im, mb.remote_id, err)) != TERN_OK)
			break;
		r = mailimap_delete(im->s, mb.remote_id);
		if ((rc = imap_error(im, r, "DELETE", err)) != TERN_OK)
			break;
		mailimap_unsubscribe(im->s, mb.remote_id);
		rc = db_mailbox_delete(ctx->db, mb.id);
		break;
	default:
		rc = TERN_EINVAL;
		break;
	}
out:
	free(wire);
	db_mailbox_row_free(&mb);
	return rc;
}

int
imap_push_change(struct imap *im, struct sync_ctx *ctx, const struct queue_row *q, char **err)
{
	switch (q->change.kind) {
	case CHANGE_FLAG: return push_flag(im, ctx, q, err);
	case CHANGE_MOVE: return push_move(im, ctx, q, err);
	case CHANGE_DELETE: return push_delete(im, ctx, q, err);
	case CHANGE_MAILBOX_CREATE:
	case CHANGE_MAILBOX_RENAME:
	case CHANGE_MAILBOX_DELETE: return push_mailbox(im, ctx, q, err);
	default: break;
	}
	*err = xasprintf("unknown change type '%s'", change_kind_name(q->change.kind));
	return TERN_EINVAL;
}

int
imap_append(struct imap *im, const char *remote, const char *raw, size_t len, unsigned flags,
            uint32_t *uid, char **err)
{
	struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
	uint32_t uidvalidity = 0;
	int r;

	*uid = 0;
	if (flags & MSG_SEEN)
		mailimap_flag_list_add(fl, mailimap_flag_new_seen());
	if (flags & MSG_FLAGGED)
		mailimap_flag_list_add(fl, mailimap_flag_new_flagged());
	if (flags & MSG_DRAFT)
		mailimap_flag_list_add(fl, mailimap_flag_new_draft());
	if (im->uidplus)
		r = mailimap_uidplus_append(im->s, remote, fl, NULL, raw, len, &uidvalidity, uid);
	else
		r = mailimap_append(im->s, remote, fl, NULL, raw, len);
	mailimap_flag_list_free(fl);
	crashpoint("imap-append");   /* the server has it; nothing local says so yet */
	return r == MAILIMAP_NO_ERROR ? TERN_OK : imap_error(im, r, "APPEND", err);
}
