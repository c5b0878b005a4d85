/* The `:` command line, as in mutt and aerc: NAME [ARGUMENT] runs the
 * action NAME (the keymap's names, as bind takes them) as its key would,
 * or, for the actions that ask for something, with the answer given
 * (`:limit from:ann`, `:move Archive`). Tab completes action names and,
 * after an action that takes a mailbox, the account's mailbox names. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/db_mailbox.h"
#include "src/base/err.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"
#include "ui/app.h"
#include "ui/keymap.h"
#include "ui/modal.h"
#include "ui/search_ui.h"

enum arg_kind { ARG_TEXT, ARG_MAILBOX };

/* The actions that take an argument, and what they do with it. A new one
 * (sort KEY, say) is a line here and a function. */
struct arg_action {
	enum ui_action act;
	enum arg_kind kind;
	void (*run)(struct app *a, const char *arg);
};

static void run_limit(struct app *a, const char *arg) { limit_run(a, arg); }
static void run_search(struct app *a, const char *arg) { search_run(a, arg, 0); }
static void run_search_all(struct app *a, const char *arg) { search_run(a, arg, 1); }
static void run_tag_pattern(struct app *a, const char *arg) { triage_tag_pattern(a, arg); }
static void run_open_mailbox(struct app *a, const char *arg);
static void run_move(struct app *a, const char *arg);
static void run_sort(struct app *a, const char *arg) { list_sort_named(a, arg); }

static const struct arg_action arg_actions[] = {
	{ ACT_LIMIT, ARG_TEXT, run_limit },
	{ ACT_SEARCH, ARG_TEXT, run_search },
	{ ACT_SEARCH_ALL, ARG_TEXT, run_search_all },
	{ ACT_TAG_PATTERN, ARG_TEXT, run_tag_pattern },
	{ ACT_CHANGE_MAILBOX, ARG_MAILBOX, run_open_mailbox },
	{ ACT_MOVE, ARG_MAILBOX, run_move },
	{ ACT_SORT, ARG_TEXT, run_sort },
};

/* Other names for actions, as mutt and aerc users type them. */
static const struct {
	const char *name;
	enum ui_action act;
} aliases[] = {
	{ "mailbox", ACT_CHANGE_MAILBOX },
	{ "cd", ACT_CHANGE_MAILBOX },
	{ "filter", ACT_LIMIT },
	{ "q", ACT_QUIT },
};

static const struct arg_action *
arg_action(enum ui_action act)
{
	for (size_t i = 0; i < ARRAY_LEN(arg_actions); i++)
		if (arg_actions[i].act == act)
			return &arg_actions[i];
	return NULL;
}

static enum ui_action
find_action(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(aliases); i++)
		if (strcmp(name, aliases[i].name) == 0)
			return aliases[i].act;
	return keymap_action_find(name);
}

/* The name the user may type for the i-th candidate (actions, then
 * aliases); NULL past the end. "noop" is not one. */
static const char *
name_at(size_t i)
{
	if (i + 1 < ACT_COUNT)
		return keymap_action_name((enum ui_action)(i + 1));
	i -= ACT_COUNT - 1;
	return i < ARRAY_LEN(aliases) ? aliases[i].name : NULL;
}

/* Levenshtein distance, for "did you mean"; names are short. */
static size_t
distance(const char *s, const char *t)
{
	size_t n = strlen(t), prev[64], cur[64];
	if (n >= ARRAY_LEN(prev))
		return (size_t)-1;
	for (size_t j = 0; j <= n; j++)
		prev[j] = j;
	for (size_t i = 1; s[i - 1]; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= n; j++) {
			size_t sub = prev[j - 1] + (s[i - 1] != t[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (n + 1) * sizeof *prev);
	}
	return prev[n];
}

static const char *
closest(const char *name)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1;
	for (size_t i = 0; name_at(i); i++) {
		const char *c = name_at(i);
		size_t d = strncmp(c, name, strlen(name)) == 0 ? 0 : distance(name, c);
		if (d < bestd) {
			bestd = d;
			best = c;
		}
	}
	/* Beyond a few edits the suggestion is noise. */
	return bestd <= 3 ? best : NULL;
}

/* The account a mailbox argument names a mailbox of: the message's under
 * the cursor (search results span accounts), else the one shown. */
static int64_t
arg_account(struct app *a)
{
	const struct msg_row *m = app_current(a);
	if (m && (a->focus == PANE_LIST || a->focus == PANE_PAGER))
		return m->account_id;
	return a->nacc ? a->acc[a->cur_acc].id : 0;
}

static int
find_mailbox(struct app *a, const char *name, int64_t *id)
{
	struct mailbox_row r = { 0 };
	int64_t account = arg_account(a);
	if (!account || db_mailbox_find(a->d, account, name, &r) != TERN_OK || !r.selectable) {
		db_mailbox_row_free(&r);
		app_say(a, 1, "no mailbox '%s' in this account (Tab completes names)", name);
		return 0;
	}
	*id = r.id;
	db_mailbox_row_free(&r);
	return 1;
}

static void
run_open_mailbox(struct app *a, const char *arg)
{
	int64_t id;
	if (find_mailbox(a, arg, &id))
		app_open_mailbox(a, id);
}

static void
run_move(struct app *a, const char *arg)
{
	int64_t id;
	if (find_mailbox(a, arg, &id))
		triage_move_now(a, id);
}

void
command_run(struct app *a, const char *line)
{
	const struct arg_action *aa;
	enum ui_action act;
	char *name, *arg;
	size_t len;

	line += strspn(line, " \t");
	len = strcspn(line, " \t");
	if (!len)
		return;
	name = xstrndup(line, len);
	arg = xstrdup(line + len + strspn(line + len, " \t"));
	for (len = strlen(arg); len && (arg[len - 1] == ' ' || arg[len - 1] == '\t'); len--)
		arg[len - 1] = '\0';
	act = find_action(name);
	aa = act < ACT_COUNT ? arg_action(act) : NULL;
	if (act >= ACT_COUNT || act == ACT_NONE) {
		const char *near = closest(name);
		if (near)
			app_say(a, 1, "no action '%s'; did you mean '%s'?", name, near);
		else
			app_say(a, 1, "no action '%s' (? lists them)", name);
	} else if (*arg && !aa) {
		app_say(a, 1, "%s takes no argument", keymap_action_name(act));
	} else if (*arg) {
		aa->run(a, arg);
	} else {
		app_action(a, act);
	}
	free(name);
	free(arg);
}

static void
command_done(struct app *a, const char *text, void *ctx)
{
	(void)ctx;
	command_run(a, text);
}

/* Adds c as a candidate: *common keeps the longest prefix they share. */
static void
candidate(strbuf *list, char **common, size_t *n, const char *c)
{
	size_t k = 0;
	if (*n < 12)
		sb_printf(list, "%s%s", *n ? " " : "", c);
	else if (*n == 12)
		sb_adds(list, " …");
	(*n)++;
	if (!*common) {
		*common = xstrdup(c);
		return;
	}
	while ((*common)[k] && (*common)[k] == c[k])
		k++;
	(*common)[k] = '\0';
}

/* Completes the word being typed: the action name, or the mailbox after an
 * action that takes one. One candidate: it, and a space after an action
 * name; several: what they share, and the list as the prompt's note. */
static char *
command_complete(struct app *a, const char *text)
{
	strbuf list = STRBUF_INIT;
	char *common = NULL, *out = NULL;
	const char *lead = text + strspn(text, " \t");
	size_t wlen = strcspn(lead, " \t"), n = 0;

	if (!lead[wlen]) {
		for (size_t i = 0; name_at(i); i++)
			if (strncmp(name_at(i), lead, wlen) == 0)
				candidate(&list, &common, &n, name_at(i));
		if (n == 1)
			out = xasprintf("%s ", common);
		else if (n > 1)
			out = xstrdup(common);
	} else {
		char *name = xstrndup(lead, wlen);
		enum ui_action act = find_action(name);
		const struct arg_action *aa = act < ACT_COUNT ? arg_action(act) : NULL;
		const char *arg = lead + wlen + strspn(lead + wlen, " \t");
		free(name);
		if (aa && aa->kind == ARG_MAILBOX) {
			struct mbox_entry *v;
			size_t nv;
			app_mailboxes(a, arg_account(a), &v, &nv);
			for (size_t i = 0; i < nv; i++)
				if (v[i].r.selectable && strncasecmp(v[i].r.name, arg, strlen(arg)) == 0)
					candidate(&list, &common, &n, v[i].r.name);
			app_mailboxes_free(v, nv);
			/* Case is ignored in matching; the names keep theirs. */
			if (n && strlen(common) >= strlen(arg))
				out = xasprintf("%.*s%s", (int)(arg - text), text, common);
		}
	}
	if (n > 1)
		prompt_note(a, list.buf);
	else if (n == 0)
		prompt_note(a, "(no completion)");
	sb_free(&list);
	free(common);
	return out;
}

void
command_open(struct app *a)
{
	prompt_open(a, ":", "", command_done, NULL);
	prompt_set_complete(a, command_complete);
}
