/* A body on demand: UID FETCH BODY.PEEK[] (never sets \Seen), cached with
 * body_store(). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_body.h"
#include "db/db_imap.h"
#include "src/base/err.h"
#include "sync/imap/imap.h"
#include "src/base/util.h"

int
imap_fetch_body(struct imap *im, struct sync_ctx *ctx, int64_t msg_id, char **err)
{
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	clist *res = NULL;
	char *remote = NULL;
	uint32_t uid = 0;
	int r, rc;

	rc = db_imap_location(ctx->db, msg_id, 0, NULL, &remote, &uid);
	if (rc != TERN_OK) {
		*err = xasprintf("message %lld is not on the server (yet)", (long long)msg_id);
		return rc == TERN_ENOTFOUND ? TERN_EREFUSED : rc;
	}
	if ((rc = imap_select(im, remote, err)) != TERN_OK)
		goto out;
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
		mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
	set = mailimap_set_new_single(uid);
	r = mailimap_uid_fetch(im->s, set, ft, &res);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	if (r != MAILIMAP_NO_ERROR) {
		rc = imap_error(im, r, "UID FETCH BODY.PEEK[]", err);
		goto out;
	}
	rc = TERN_EREFUSED;
	for (clistiter *it = clist_begin(res); it && rc == TERN_EREFUSED; it = clist_next(it)) {
		struct mailimap_msg_att *att = clist_content(it);
		uint32_t got = 0;
		const struct mailimap_msg_att_body_section *sec = NULL;
		for (clistiter *i = att ? clist_begin(att->att_list) : NULL; i; i = clist_next(i)) {
			struct mailimap_msg_att_item *item = clist_content(i);
			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC || !item->att_data.att_static)
				continue;
			if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID)
				got = item->att_data.att_static->att_data.att_uid;
			else if (item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_BODY_SECTION)
				sec = item->att_data.att_static->att_data.att_body_section;
		}
		if (got == uid && sec && sec->sec_body_part)
			rc = body_store(ctx->db, msg_id, sec->sec_body_part, sec->sec_length);
	}
	mailimap_fetch_list_free(res);
	if (rc == TERN_EREFUSED)
		*err = xasprintf("message %lld is no longer on the server", (long long)msg_id);
	else if (rc == TERN_OK && ctx->committed)
		ctx->committed(ctx);
	else if (rc != TERN_OK)
		*err = xasprintf("cannot store the body of message %lld", (long long)msg_id);
out:
	free(remote);
	return rc;
}
