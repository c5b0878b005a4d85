/* The one dispatch point for the workers' replies (ui/request.h). */
#include "config.h"

#include "src/base/err.h"
#include "src/base/log.h"
#include "ui/compose.h"
#include "ui/pager.h"
#include "ui/pipe.h"
#include "ui/request.h"
#include "ui/search_ui.h"
#include "ui/unsubscribe.h"

int
request_send(struct ui_account *u, enum ui_requester who, enum wreq_type type, int64_t arg,
             const char *text, uint64_t *id)
{
	if (id)
		*id = 0;
	if (!u || !u->w)
		return TERN_EINVAL;
	return worker_request(u->w, type, arg, text, (int)who, id);
}

static void
route(struct app *a, struct ui_account *u, const struct wreply *r)
{
	switch ((enum ui_requester)r->from) {
	case REQ_PAGER:
		pager_reply(a, r);
		break;
	case REQ_COMPOSER:
		compose_reply(a, r);
		break;
	case REQ_SEARCH:
		search_reply(a, u, r);
		break;
	case REQ_PIPE:
		pipe_reply(a, r);
		break;
	case REQ_UNSUBSCRIBE:
		unsubscribe_reply(a, u, r);
		break;
	case REQ_SYNC_NOW:
		/* Nothing on screen waits for it: the message line says how it went. */
		if (r->status != TERN_OK)
			app_say(a, 1, "%s: %s", u->cfg->name, r->error ? r->error : tern_strerror(r->status));
		else
			app_say(a, 0, "%s: synced", u->cfg->name);
		break;
	default:
		/* A request posted around request_send(): nobody to hand it to. */
		log_warn("tui: %s: reply %llu from an unknown requester (%d) dropped", u->cfg->name,
		         (unsigned long long)r->req_id, r->from);
		break;
	}
}

void
request_dispatch(struct app *a)
{
	for (size_t i = 0; i < a->nacc; i++) {
		struct wreply r;
		while (a->acc[i].w && worker_take_reply(a->acc[i].w, &r)) {
			route(a, &a->acc[i], &r);
			wreply_free(&r);
		}
	}
}
