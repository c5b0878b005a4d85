/* Folder changes carried to the server with Mailbox/set (RFC 8621 2.5):
 * create and rename give the last level of the path as the name and the
 * folder above as parentId; a delete removes the folder's emails with it
 * (onDestroyRemoveEmails) only when the user agreed, else the server
 * refuses a folder that has any (mailboxHasEmail) and the item fails so. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_change.h"
#include "db/db_mailbox.h"
#include "db/db_queue.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "sync/jmap/jmap.h"
#include "sync/jmap/jmap_call.h"
#include "sync/jmap/jmap_json.h"
#include "src/base/util.h"

/* name and parentId of the folder at path under its (pushed) parent. */
static int
name_args(struct sync_ctx *ctx, const struct mailbox_row *mb, const char *path, cJSON *obj, char **err)
{
	const char *leaf = strrchr(path, '/');
	struct mailbox_row parent = { 0 };
	int rc = TERN_OK, unpushed = 0;

	cJSON_AddStringToObject(obj, "name", leaf ? leaf + 1 : path);
	if (!mb->parent_id) {
		cJSON_AddNullToObject(obj, "parentId");
		return TERN_OK;
	}
	if ((rc = db_mailbox_get(ctx->db, mb->parent_id, &parent)) == TERN_OK &&
	    (rc = db_mailbox_unpushed(ctx->db, parent.id, &unpushed)) == TERN_OK && unpushed) {
		*err = xasprintf("the folder %s was not created on the server", parent.name);
		rc = TERN_EREFUSED;
	}
	if (rc == TERN_OK)
		cJSON_AddStringToObject(obj, "parentId", parent.remote_id);
	else if (!*err)
		*err = xstrdup("the parent folder no longer exists");
	db_mailbox_row_free(&parent);
	return rc;
}

/* The item's error in the answer's not* object, as the queue shows it. */
static char *
set_error(const cJSON *bad)
{
	const char *type = jmap_str(bad, "type"), *desc = jmap_str(bad, "description");
	return xasprintf("Mailbox/set: %s%s%s", type ? type : "error", desc ? ": " : "", desc ? desc : "");
}

int
jmap_mailbox_push(struct jmap *j, struct sync_ctx *ctx, const struct queue_row *q, char **err)
{
	const struct change *c = &q->change;
	struct mailbox_row mb = { 0 };
	jmap_req *r = NULL;
	cJSON *a, *res, *obj;
	const cJSON *bad = NULL;
	struct jmap_merr me;
	const char *call, *created = NULL;
	int rc;

	if ((rc = db_change_mailbox_target(ctx->db, q, &mb, err)) == TERN_ENOTFOUND) {
		log_info("jmap %s: change %lld: folder %lld is gone, %s dropped", j->acct->name, (long long)q->id,
		         (long long)q->resource_id, change_kind_name(c->kind));
		return TERN_OK;
	}
	if (rc != TERN_OK)
		goto out;
	r = jmap_req_new();
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "accountId", j->sess->account_id);
	switch (c->kind) {
	case CHANGE_MAILBOX_CREATE:
		obj = cJSON_AddObjectToObject(cJSON_AddObjectToObject(a, "create"), "f");
		rc = name_args(ctx, &mb, c->u.mbox.name, obj, err);
		break;
	case CHANGE_MAILBOX_RENAME:
		obj = cJSON_AddObjectToObject(cJSON_AddObjectToObject(a, "update"), mb.remote_id);
		rc = name_args(ctx, &mb, c->u.mbox.name, obj, err);
		break;
	case CHANGE_MAILBOX_DELETE:
		cJSON_AddItemToArray(cJSON_AddArrayToObject(a, "destroy"), cJSON_CreateString(mb.remote_id));
		cJSON_AddBoolToObject(a, "onDestroyRemoveEmails", c->u.mbox.with_messages);
		break;
	default:
		rc = TERN_EINVAL;
		break;
	}
	call = jmap_req_add(r, "Mailbox/set", a);
	if (rc != TERN_OK || (rc = jmap_req_send(j, r, err)) != TERN_OK)
		goto out;
	if ((rc = jmap_req_result(r, call, "Mailbox/set", &res, &me)) != TERN_OK) {
		*err = jmap_merr_text("Mailbox/set", &me);
		goto out;
	}
	switch (c->kind) {
	case CHANGE_MAILBOX_CREATE:
		bad = jmap_obj(jmap_obj(res, "notCreated"), "f");
		created = jmap_str(jmap_obj(jmap_obj(res, "created"), "f"), "id");
		break;
	case CHANGE_MAILBOX_RENAME:
		bad = jmap_obj(jmap_obj(res, "notUpdated"), mb.remote_id);
		break;
	default:
		bad = jmap_obj(jmap_obj(res, "notDestroyed"), mb.remote_id);
		break;
	}
	if (bad) {
		/* "alreadyExists", "mailboxHasEmail", "forbidden": the user's
		 * to decide (retry after a change, or drop). */
		*err = set_error(bad);
		rc = TERN_EREFUSED;
		goto out;
	}
	if (c->kind == CHANGE_MAILBOX_CREATE && (!created || !jmap_id_valid(created))) {
		*err = xstrdup("Mailbox/set: the server created the folder but gave no valid id");
		rc = TERN_EPROTO;
		goto out;
	}
	if ((rc = db_begin(ctx->db)) != TERN_OK)
		goto out;
	if (c->kind == CHANGE_MAILBOX_CREATE)
		rc = db_mailbox_set_remote(ctx->db, mb.id, created);
	else if (c->kind == CHANGE_MAILBOX_DELETE)
		rc = db_mailbox_delete(ctx->db, mb.id);
	if (rc == TERN_OK)
		rc = db_queue_done(ctx->db, q->id);
	if (rc == TERN_OK)
		rc = db_commit(ctx->db);
	else
		db_rollback(ctx->db);
	if (rc == TERN_OK && ctx->committed)
		ctx->committed(ctx);
out:
	jmap_req_free(r);
	db_mailbox_row_free(&mb);
	return rc;
}
