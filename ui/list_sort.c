#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/base/err.h"
#include "ui/app.h"
#include "ui/modal.h"
#include "ui/msglist.h"
#include "src/base/util.h"

/* mutt's letters, and the order each picks. */
static const struct {
	char key;
	enum sort_order order;
} letters[] = {
	{ 'd', SORT_DATE }, { 'r', SORT_ARRIVAL }, { 'f', SORT_FROM }, { 't', SORT_TO },
	{ 's', SORT_SUBJECT }, { 'z', SORT_SIZE }, { 'u', SORT_UNREAD }, { 'F', SORT_FLAGGED },
};

static void
remember(struct app *a, int64_t mailbox_id, const struct sort_spec *s)
{
	for (size_t i = 0; i < a->nsorts; i++)
		if (a->sorts[i].mailbox_id == mailbox_id) {
			a->sorts[i].sort = *s;
			return;
		}
	a->sorts = xrealloc(a->sorts, (a->nsorts + 1) * sizeof *a->sorts);
	a->sorts[a->nsorts].mailbox_id = mailbox_id;
	a->sorts[a->nsorts].sort = *s;
	a->nsorts++;
}

struct sort_spec
app_sort_for(const struct app *a, int64_t mailbox_id, const char *account, const char *mailbox)
{
	struct sort_spec s = a->cfg ? a->cfg->sort : (struct sort_spec){ SORT_ARRIVAL, 0 };
	const struct account_cfg *ac = a->cfg && account ? conf_account(a->cfg, account) : NULL;
	/* This session's choice, then the config's for the mailbox, then
	 * the global one. */
	for (size_t i = 0; i < a->nsorts; i++)
		if (a->sorts[i].mailbox_id == mailbox_id)
			return a->sorts[i].sort;
	if (ac && mailbox)
		for (size_t i = 0; i < ac->nsorts; i++)
			if (strcmp(ac->sorts[i].mailbox, mailbox) == 0 ||
			    (strcasecmp(mailbox, "INBOX") == 0 && strcasecmp(ac->sorts[i].mailbox, "INBOX") == 0))
				return ac->sorts[i].sort;
	return s;
}

static void
apply(struct app *a, const struct sort_spec *s)
{
	char name[32];
	if (!a->open_mailbox || ml_mode(a->ml) != ML_FLAT)
		return;
	remember(a, a->open_mailbox, s);
	ml_set_sort(a->ml, s);
	app_say(a, 0, "sorted by %s%s", sort_format(s, name, sizeof name),
	        a->limit_text ? " (the limit shows arrival order until it is cleared)" : "");
}

static void
picked(struct app *a, int key, void *ctx)
{
	struct sort_spec s = { SORT_ARRIVAL, ctx != NULL };
	for (size_t i = 0; i < ARRAY_LEN(letters); i++)
		if (letters[i].key == key)
			s.order = letters[i].order;
	apply(a, &s);
}

/* Why the list cannot be sorted now, or NULL. */
static const char *
unsortable(struct app *a)
{
	if (ml_mode(a->ml) == ML_SEARCH)
		return "search results keep their order (this account's, then the server's)";
	if (ml_mode(a->ml) == ML_THREADS)
		return "threads keep their order (newest message first): V for the flat list to sort";
	return NULL;
}

void
list_sort_named(struct app *a, const char *name)
{
	struct sort_spec s = { SORT_ARRIVAL, 0 };
	const char *why = unsortable(a);
	if (why) {
		app_say(a, 1, "%s", why);
		return;
	}
	if (!name || sort_parse(name, &s) != TERN_OK) {
		app_say(a, 1, "sort by what? one of %s (reverse-KEY for the other way)", sort_names());
		return;
	}
	apply(a, &s);
}

void
list_sort(struct app *a, int reverse)
{
	const char *why = unsortable(a);
	if (why) {
		app_say(a, 1, "%s", why);
		return;
	}
	/* ctx: non-NULL for the reverse orders. */
	choice_open(a, reverse ? "Reverse sort (d)ate (r)ecv (f)rom (t)o (s)ubj si(z)e (u)nread (F)lagged?"
	                       : "Sort (d)ate (r)ecv (f)rom (t)o (s)ubj si(z)e (u)nread (F)lagged?",
	            "drftszuF", picked, reverse ? (void *)a : NULL);
}
