#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdarg.h>
#include <unistd.h>

#include "src/config/colour.h"
#include "src/config/conf.h"
#include "src/base/err.h"
#include "src/base/proc.h"
#include "src/base/strbuf.h"
#include "src/base/util.h"

/* How long password_cmd may take (an agent asking for a passphrase). */
#define PASSWORD_CMD_TIMEOUT_MS 60000
/* signature_cmd runs while the composer opens: it must not hang it. */
#define SIGNATURE_CMD_TIMEOUT_MS 5000

/* Which keys exist, where, and how each value is read: adding a key is adding
 * a row. */
enum kind { K_STR, K_PATH, K_INT, K_BOOL, K_TLS, K_PROTO, K_AUTH, K_MECH, K_LIST, K_SORT };
enum scope { S_GLOBAL, S_ACCOUNT, S_IDENTITY, S_HOOKS };

struct key {
	const char *name;
	enum scope scope;
	enum kind kind;
	size_t off;
	long min, max;
};

#define G(n, k, f, lo, hi) { n, S_GLOBAL, k, offsetof(struct config, f), lo, hi }
#define A(n, k, f, lo, hi) { n, S_ACCOUNT, k, offsetof(struct account_cfg, f), lo, hi }
#define I(n, k, f, lo, hi) { n, S_IDENTITY, k, offsetof(struct identity_cfg, f), lo, hi }
#define H(n, f) { n, S_HOOKS, K_STR, offsetof(struct config, f), 0, 0 }

static const struct key keys[] = {
	G("editor", K_STR, editor, 0, 0),
	G("html_filter", K_STR, html_filter, 0, 0),
	G("data_dir", K_PATH, data_dir, 0, 0),
	G("alternative_order", K_STR, alternative_order, 0, 0),
	G("threaded", K_BOOL, threaded, 0, 1),
	G("collapse_threads", K_BOOL, collapse_threads, 0, 1),
	G("mark_read", K_BOOL, mark_read, 0, 1),
	G("confirm_quit", K_BOOL, confirm_quit, 0, 1),
	G("abort_unmodified", K_BOOL, abort_unmodified, 0, 1),
	G("resolve", K_BOOL, resolve, 0, 1),
	G("beep_new", K_BOOL, beep_new, 0, 1),
	G("set_title", K_BOOL, set_title, 0, 1),
	G("date_format", K_STR, date_format, 0, 0),
	G("bind", K_LIST, binds, 0, 0),
	G("text_flowed", K_BOOL, text_flowed, 0, 1),
	G("color", K_LIST, colors, 0, 0),
	G("sort", K_SORT, sort, 0, 0),
	A("protocol", K_PROTO, protocol, 0, 0),
	A("email", K_STR, email, 0, 0),
	A("name", K_STR, real_name, 0, 0),
	A("username", K_STR, username, 0, 0),
	A("password", K_STR, password, 0, 0),
	A("password_cmd", K_STR, password_cmd, 0, 0),
	A("imap_host", K_STR, imap_host, 0, 0),
	A("imap_port", K_INT, imap_port, 1, 65535),
	A("imap_tls", K_TLS, imap_tls, 0, 0),
	A("smtp_host", K_STR, smtp_host, 0, 0),
	A("smtp_port", K_INT, smtp_port, 1, 65535),
	A("smtp_tls", K_TLS, smtp_tls, 0, 0),
	A("jmap_url", K_STR, jmap_url, 0, 0),
	A("jmap_auth", K_AUTH, jmap_auth, 0, 0),
	A("ca_file", K_PATH, ca_file, 0, 0),
	A("poll_interval", K_INT, poll_interval, 5, 86400),
	A("timeout", K_INT, timeout, 1, 3600),
	A("alternates", K_STR, alternates, 0, 0),
	A("delete_to_trash", K_BOOL, delete_to_trash, 0, 1),
	A("copy_to_sent", K_BOOL, copy_to_sent, 0, 1),
	A("prefetch_days", K_INT, prefetch_days, 0, 36500),
	A("auth", K_MECH, auth, 0, 0),
	A("oauth_token_cmd", K_STR, oauth_token_cmd, 0, 0),
	A("sendmail", K_STR, sendmail, 0, 0),
	/* Identities, signatures, address book. */
	G("address_book_cmd", K_STR, address_book_cmd, 0, 0),
	A("signature_file", K_PATH, signature_file, 0, 0),
	A("signature_cmd", K_STR, signature_cmd, 0, 0),
	I("account", K_STR, account, 0, 0),
	I("email", K_STR, email, 0, 0),
	I("name", K_STR, real_name, 0, 0),
	I("signature_file", K_PATH, signature_file, 0, 0),
	I("signature_cmd", K_STR, signature_cmd, 0, 0),
	I("sendmail", K_STR, sendmail, 0, 0),
	I("smtp_host", K_STR, smtp_host, 0, 0),
	I("smtp_port", K_INT, smtp_port, 1, 65535),
	I("smtp_tls", K_TLS, smtp_tls, 0, 0),
	I("username", K_STR, username, 0, 0),
	I("password_cmd", K_STR, password_cmd, 0, 0),
	A("text_flowed", K_BOOL, text_flowed, 0, 1),
	/* PGP/MIME (src/crypt/) */
	G("cache_decrypted", K_BOOL, cache_decrypted, 0, 1),
	A("pgp_sign", K_BOOL, pgp_sign, 0, 1),
	A("pgp_key", K_STR, pgp_key, 0, 0),
	A("pgp_encrypt_if_possible", K_BOOL, pgp_encrypt_if_possible, 0, 1),
	H("mail_received", hook_mail_received),
	H("mail_sent", hook_mail_sent),
	H("sync_failed", hook_sync_failed),
};

#define MAX_KEYS ARRAY_LEN(keys)

/* Per-section bookkeeping: which keys were set, and on which line. */
struct seen {
	int line[MAX_KEYS];
};

struct parser {
	const char *file;
	int line;
	struct config *cfg;
	struct account_cfg *acct;   /* current section, NULL for globals */
	struct identity_cfg *ident; /* or the current [identity] section */
	int hooks;                  /* in the [hooks] section */
	struct seen global_seen;
	struct seen *acct_seen;     /* parallel to cfg->accounts */
	struct seen *ident_seen;    /* parallel to cfg->identities */
	int skip_section;           /* after a bad section header: its keys are not judged */
	strbuf err;                 /* every error, one per line */
	strbuf warn;
};

static int
fail(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* Every error is kept, so that one `config check` shows them all. */
	if (p->err.len)
		sb_addc(&p->err, '\n');
	if (line > 0)
		sb_printf(&p->err, "%s:%d: %s", p->file, line, msg);
	else
		sb_printf(&p->err, "%s: %s", p->file, msg);
	free(msg);
	return TERN_ECONFIG;
}

/* The key a misspelt name most likely meant (this scope's first), or NULL. */
static const char *
key_guess(const char *name, enum scope scope)
{
	const char *best = NULL;
	int bestd = 3;
	for (int pass = 0; pass < 2 && !best; pass++)
		for (size_t i = 0; i < MAX_KEYS; i++) {
			int dist;
			if ((keys[i].scope == scope) != (pass == 0))
				continue;
			dist = str_typo_distance(name, keys[i].name);
			if (dist < bestd) {
				bestd = dist;
				best = keys[i].name;
			}
		}
	return best;
}

static const struct key *
key_find(const char *name, enum scope scope, int *idx)
{
	for (size_t i = 0; i < MAX_KEYS; i++)
		if (keys[i].scope == scope && strcmp(keys[i].name, name) == 0) {
			*idx = (int)i;
			return &keys[i];
		}
	return NULL;
}

static const struct key *
key_find_any(const char *name)
{
	for (size_t i = 0; i < MAX_KEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* Unquotes "..." (with \" and \\) or strips a trailing " # comment".
 * Returns NULL with *why set on a malformed value. */
/* In a color line "#rrggbb" is a colour, not a comment: a '#' with a
 * word right after it is judged as one (a comment is "# ..."). */
static int
is_colour_word(const char *s)
{
	return s[1] && s[1] != ' ' && s[1] != '\t' && s[1] != '#';
}

static char *
value_parse(char *v, int colours, const char **why)
{
	*why = NULL;
	v = str_trim(v);
	if (*v == '"') {
		strbuf sb = STRBUF_INIT;
		char *s = v + 1;
		for (; *s && *s != '"'; s++) {
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			sb_addc(&sb, *s);
		}
		if (*s != '"') {
			sb_free(&sb);
			*why = "unterminated quoted value";
			return NULL;
		}
		s = str_trim(s + 1);
		if (*s && *s != '#') {
			sb_free(&sb);
			*why = "text after the closing quote";
			return NULL;
		}
		return sb_steal(&sb);
	}
	for (char *s = v; *s; s++)
		if (*s == '#' && (s == v || s[-1] == ' ' || s[-1] == '\t') && !(colours && is_colour_word(s))) {
			*s = '\0';
			break;
		}
	return xstrdup(str_trim(v));
}

/* ~ is the home directory; any other relative path is relative to the
 * directory of the config file (not to wherever tern happens to be run
 * from, which would give a script and the TUI different data). */
static char *
path_resolve(const struct parser *p, const char *val)
{
	char *home = path_expand_home(val), *dir, *cwd, *out, *slash;

	if (home[0] == '/')
		return home;
	dir = xstrdup(p->file);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		strcpy(dir, ".");
	if (dir[0] == '/') {
		out = xasprintf("%s%s%s", dir, dir[1] ? "/" : "", home);
	} else {
		cwd = getcwd(NULL, 0);
		out = xasprintf("%s/%s/%s", cwd ? cwd : ".", dir, home);
		free(cwd);
	}
	free(dir);
	free(home);
	return out;
}

static int
set_value(struct parser *p, const struct key *k, char *val)
{
	void *base = k->scope == S_IDENTITY ? (void *)p->ident : k->scope == S_ACCOUNT ? (void *)p->acct : (void *)p->cfg;
	void *field = (char *)base + k->off;
	long n;

	switch (k->kind) {
	case K_STR:
		if (!*val)
			return fail(p, p->line, "'%s' needs a value", k->name);
		free(*(char **)field);
		*(char **)field = xstrdup(val);
		return TERN_OK;
	case K_PATH:
		if (!*val)
			return fail(p, p->line, "'%s' needs a value", k->name);
		free(*(char **)field);
		*(char **)field = path_resolve(p, val);
		return TERN_OK;
	case K_INT:
		if (str_to_long(val, k->min, k->max, &n) != 0)
			return fail(p, p->line, "'%s' must be a whole number from %ld to %ld, not '%s'",
			            k->name, k->min, k->max, val);
		*(int *)field = (int)n;
		return TERN_OK;
	case K_BOOL:
		if (str_ieq(val, "yes") || str_ieq(val, "true") || str_eq(val, "1") || str_ieq(val, "on"))
			*(int *)field = 1;
		else if (str_ieq(val, "no") || str_ieq(val, "false") || str_eq(val, "0") || str_ieq(val, "off"))
			*(int *)field = 0;
		else
			return fail(p, p->line, "'%s' must be yes or no, not '%s'", k->name, val);
		return TERN_OK;
	case K_TLS:
		if (str_eq(val, "implicit"))
			*(enum tls_mode *)field = TLS_IMPLICIT;
		else if (str_eq(val, "starttls"))
			*(enum tls_mode *)field = TLS_STARTTLS;
		else if (str_eq(val, "none"))
			*(enum tls_mode *)field = TLS_NONE;
		else
			return fail(p, p->line, "'%s' must be implicit, starttls or none, not '%s'", k->name, val);
		return TERN_OK;
	case K_PROTO:
		if (str_eq(val, "imap"))
			*(enum protocol *)field = PROTO_IMAP;
		else if (str_eq(val, "jmap"))
			*(enum protocol *)field = PROTO_JMAP;
		else
			return fail(p, p->line, "'protocol' must be imap or jmap, not '%s'", val);
		return TERN_OK;
	case K_AUTH:
		if (str_eq(val, "basic"))
			*(enum jmap_auth *)field = JMAP_AUTH_BASIC;
		else if (str_eq(val, "bearer"))
			*(enum jmap_auth *)field = JMAP_AUTH_BEARER;
		else
			return fail(p, p->line, "'%s' must be basic or bearer, not '%s'", k->name, val);
		return TERN_OK;
	case K_MECH:
		if (str_eq(val, "password"))
			*(enum auth_mech *)field = AUTH_PASSWORD;
		else if (str_eq(val, "xoauth2"))
			*(enum auth_mech *)field = AUTH_XOAUTH2;
		else if (str_eq(val, "oauthbearer"))
			*(enum auth_mech *)field = AUTH_OAUTHBEARER;
		else
			return fail(p, p->line, "'%s' must be password, xoauth2 or oauthbearer, not '%s'", k->name, val);
		return TERN_OK;
	case K_SORT:
		if (sort_parse(val, field) != TERN_OK)
			return fail(p, p->line, "'%s' must be one of %s, not '%s'", k->name, sort_names(), val);
		return TERN_OK;
	case K_LIST: {
		struct cfg_list *l = field;
		if (!*val)
			return fail(p, p->line, "'%s' needs a value", k->name);
		l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
		l->v[l->n].value = xstrdup(val);
		l->v[l->n].file = p->cfg->path;
		l->v[l->n].line = p->line;
		l->n++;
		if (l == &p->cfg->colors) {
			struct colour_rule r;
			char *why;
			if (colour_rule_parse(val, &r, &why) != TERN_OK) {
				fail(p, p->line, "%s", why);
				free(why);
				return TERN_ECONFIG;
			}
		}
		return TERN_OK;
	}
	}
	return TERN_ECONFIG;
}

static int
identity_start(struct parser *p, const char *name)
{
	struct identity_cfg *id;
	if (!*name)
		return fail(p, p->line, "identity section without a name");
	for (size_t i = 0; i < p->cfg->nidentities; i++)
		if (strcmp(p->cfg->identities[i].name, name) == 0)
			return fail(p, p->line, "identity '%s' is already defined on line %d",
			            name, p->cfg->identities[i].line);
	p->cfg->identities = xrealloc(p->cfg->identities, (p->cfg->nidentities + 1) * sizeof *p->cfg->identities);
	p->ident_seen = xrealloc(p->ident_seen, (p->cfg->nidentities + 1) * sizeof *p->ident_seen);
	id = &p->cfg->identities[p->cfg->nidentities];
	memset(id, 0, sizeof *id);
	memset(&p->ident_seen[p->cfg->nidentities], 0, sizeof *p->ident_seen);
	id->name = xstrdup(name);
	id->file = p->cfg->path;
	id->line = p->line;
	id->smtp_tls = TLS_IMPLICIT;
	p->cfg->nidentities++;
	p->ident = id;
	return TERN_OK;
}

static int
section_start(struct parser *p, char *hdr)
{
	char *inner, *end = strchr(hdr, ']'), *name, *rest;
	/* A comment may follow, as after a value. */
	rest = end ? str_trim(end + 1) : NULL;
	if (!end || (rest[0] != '\0' && rest[0] != '#' && rest[0] != ';'))
		return fail(p, p->line, "malformed section header (expected [account NAME] or [identity NAME])");
	*end = '\0';
	inner = str_trim(hdr + 1);
	p->acct = NULL;
	p->ident = NULL;
	p->hooks = 0;
	if (strcmp(inner, "hooks") == 0) {
		p->hooks = 1;
		return TERN_OK;
	}
	if (strncmp(inner, "identity", 8) == 0 && (inner[8] == '\0' || inner[8] == ' ' || inner[8] == '\t'))
		return identity_start(p, str_trim(inner + 8));
	if (strcmp(inner, "account") == 0)
		return fail(p, p->line, "account section without a name");
	if (strncmp(inner, "account", 7) != 0 || (inner[7] != ' ' && inner[7] != '\t'))
		return fail(p, p->line, "unknown section [%s] (only [account NAME], [identity NAME] and [hooks] exist)",
		            inner);
	name = str_trim(inner + 7);
	if (!*name)
		return fail(p, p->line, "account section without a name");
	for (const char *c = name; *c; c++)
		if (*c == ' ' || *c == '\t' || *c == '/' || (unsigned char)*c < 0x20)
			return fail(p, p->line, "account name '%s' may not contain blanks, '/' or control characters", name);
	for (size_t i = 0; i < p->cfg->naccounts; i++)
		if (strcmp(p->cfg->accounts[i].name, name) == 0)
			return fail(p, p->line, "account '%s' is already defined on line %d",
			            name, p->cfg->accounts[i].line);

	p->cfg->accounts = xrealloc(p->cfg->accounts, (p->cfg->naccounts + 1) * sizeof *p->cfg->accounts);
	p->acct_seen = xrealloc(p->acct_seen, (p->cfg->naccounts + 1) * sizeof *p->acct_seen);
	p->acct = &p->cfg->accounts[p->cfg->naccounts];
	memset(p->acct, 0, sizeof *p->acct);
	memset(&p->acct_seen[p->cfg->naccounts], 0, sizeof *p->acct_seen);
	p->acct->name = xstrdup(name);
	p->acct->file = p->cfg->path;
	p->acct->line = p->line;
	p->acct->protocol = PROTO_IMAP;
	p->acct->imap_tls = TLS_IMPLICIT;
	p->acct->smtp_tls = TLS_IMPLICIT;
	p->acct->poll_interval = 60;
	p->acct->timeout = 30;
	p->acct->delete_to_trash = 1;
	p->acct->copy_to_sent = 1;
	p->acct->text_flowed = p->cfg->text_flowed;   /* globals come first */
	p->cfg->naccounts++;
	return TERN_OK;
}

/* sort.MAILBOX = KEY: the order one mailbox of the account opens in. */
static int
mailbox_sort(struct parser *p, const char *mailbox, char *raw)
{
	struct sort_spec s;
	const char *why;
	char *val;
	struct account_cfg *a = p->acct;
	int rc = TERN_OK;

	if (!a)
		return fail(p, p->line, "'sort.%s' belongs in an [account NAME] section (the global 'sort' is for every mailbox)",
		            mailbox);
	if (!*mailbox)
		return fail(p, p->line, "'sort.' needs a mailbox name (sort.INBOX = subject)");
	for (size_t i = 0; i < a->nsorts; i++)
		if (strcmp(a->sorts[i].mailbox, mailbox) == 0)
			return fail(p, p->line, "'sort.%s' is already set on line %d", mailbox, a->sorts[i].line);
	if (!(val = value_parse(raw, 0, &why)))
		return fail(p, p->line, "%s", why);
	if (sort_parse(val, &s) != TERN_OK) {
		rc = fail(p, p->line, "'sort.%s' must be one of %s, not '%s'", mailbox, sort_names(), val);
	} else {
		a->sorts = xrealloc(a->sorts, (a->nsorts + 1) * sizeof *a->sorts);
		a->sorts[a->nsorts].mailbox = xstrdup(mailbox);
		a->sorts[a->nsorts].sort = s;
		a->sorts[a->nsorts].line = p->line;
		a->nsorts++;
	}
	free(val);
	return rc;
}

static int
line_parse(struct parser *p, char *line)
{
	char *s = str_trim(line), *eq, *name, *val;
	const struct key *k;
	struct seen *seen;
	int idx, rc;
	enum scope scope;
	const char *why, *guess;

	if (!*s || *s == '#' || *s == ';')
		return TERN_OK;
	if (*s == '[') {
		p->skip_section = 0;
		if ((rc = section_start(p, s)) != TERN_OK)
			p->skip_section = 1;
		return rc;
	}
	if (p->skip_section)
		return TERN_OK;
	/* mutt's form, "color OBJECT FG BG", is "color = OBJECT FG BG". */
	{
		size_t w = str_has_prefix(s, "colour") ? 6 : str_has_prefix(s, "color") ? 5 : 0;
		if (w && (s[w] == ' ' || s[w] == '\t') && *str_trim(s + w) != '=') {
			s[w] = '\0';
			eq = s + w;
		} else {
			eq = strchr(s, '=');
		}
	}
	if (!eq)
		return fail(p, p->line, "expected 'key = value', found '%s'", s);
	*eq = '\0';
	name = str_trim(s);
	if (str_eq(name, "colour"))
		memcpy(name, "color", 6);   /* the same key, in either spelling */
	if (!*name)
		return fail(p, p->line, "missing key name before '='");
	if (strncmp(name, "sort.", 5) == 0)
		return mailbox_sort(p, name + 5, eq + 1);
	scope = p->ident ? S_IDENTITY : p->hooks ? S_HOOKS : p->acct ? S_ACCOUNT : S_GLOBAL;
	k = key_find(name, scope, &idx);
	if (!k) {
		const struct key *other = key_find_any(name);
		if (other && scope == S_IDENTITY)
			return fail(p, p->line, "'%s' cannot be set for an identity (only account, email, name, "
			            "signature_file, signature_cmd, sendmail, smtp_host, smtp_port, smtp_tls, "
			            "username, password_cmd)", name);
		if (other && other->scope == S_ACCOUNT)
			return fail(p, p->line, "'%s' belongs in an [account NAME] section", name);
		if (other && other->scope == S_IDENTITY)
			return fail(p, p->line, "'%s' belongs in an [identity NAME] section", name);
		if (other && other->scope == S_HOOKS)
			return fail(p, p->line, "'%s' belongs in the [hooks] section", name);
		if (other)
			return fail(p, p->line, "'%s' is a global key: put it before the first section", name);
		if ((guess = key_guess(name, scope)) != NULL)
			return fail(p, p->line, "unknown key '%s' (did you mean %s?)", name, guess);
		return fail(p, p->line, "unknown key '%s'", name);
	}
	seen = p->ident ? &p->ident_seen[p->ident - p->cfg->identities] :
	       p->acct ? &p->acct_seen[p->acct - p->cfg->accounts] : &p->global_seen;
	if (k->kind != K_LIST && seen->line[idx])
		return fail(p, p->line, "'%s' is already set on line %d", name, seen->line[idx]);
	seen->line[idx] = p->line;
	val = value_parse(eq + 1, k->kind == K_LIST && k->off == offsetof(struct config, colors), &why);
	if (!val)
		return fail(p, p->line, "%s", why);
	rc = set_value(p, k, val);
	free(val);
	return rc;
}

/* Tabs are blanks; any other control character is a corrupt or binary file. */
static int
has_control(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t' && *s != '\r') || *s == 0x7f)
			return 1;
	return 0;
}

static int
seen_in(const struct seen *s, enum scope sc, const char *name)
{
	int idx;
	if (!key_find(name, sc, &idx))
		return 0;
	return s->line[idx];
}

static int
seen_line(const struct seen *s, const char *name)
{
	return seen_in(s, S_ACCOUNT, name);
}

/* A signature named in the file must be there: a missing one would only
 * show as mail going out unsigned. */
static int
signature_check(struct parser *p, const char *file, const char *cmd, const struct seen *s, enum scope sc)
{
	if (file && cmd)
		return fail(p, seen_in(s, sc, "signature_cmd"), "'signature_file' and 'signature_cmd' are both set: keep one");
	if (file && access(file, R_OK) != 0)
		return fail(p, seen_in(s, sc, "signature_file"), "'signature_file' %s: %s", file, strerror(errno));
	return TERN_OK;
}

static int
identity_check(struct parser *p, struct identity_cfg *id, const struct seen *s)
{
	struct account_cfg *a = NULL;
	int rc = TERN_OK;

	if (!id->account)
		return fail(p, id->line, "identity '%s' has no 'account' (the [account NAME] it belongs to)", id->name);
	for (size_t i = 0; i < p->cfg->naccounts; i++)
		if (strcmp(p->cfg->accounts[i].name, id->account) == 0)
			a = &p->cfg->accounts[i];
	if (!a) {
		const char *best = NULL;
		int bestd = 3;
		for (size_t i = 0; i < p->cfg->naccounts; i++) {
			int d = str_typo_distance(id->account, p->cfg->accounts[i].name);
			if (d < bestd) {
				bestd = d;
				best = p->cfg->accounts[i].name;
			}
		}
		if (best)
			return fail(p, seen_in(s, S_IDENTITY, "account"), "identity '%s' names no account '%s' (did you mean %s?)",
			            id->name, id->account, best);
		return fail(p, seen_in(s, S_IDENTITY, "account"), "identity '%s' names no account '%s'", id->name, id->account);
	}
	if (!id->email)
		return fail(p, id->line, "identity '%s' has no 'email'", id->name);
	if (!strchr(id->email, '@'))
		return fail(p, seen_in(s, S_IDENTITY, "email"), "'email' must be an address like me@example.org, not '%s'", id->email);
	if (a->email && str_ieq(a->email, id->email))
		return fail(p, seen_in(s, S_IDENTITY, "email"), "identity '%s' has the address of account '%s' itself "
		            "(the account's own email is its first identity)", id->name, a->name);
	for (size_t i = 0; i < a->nidentities; i++)
		if (str_ieq(a->identities[i]->email, id->email))
			return fail(p, seen_in(s, S_IDENTITY, "email"), "identity '%s' has the address of identity '%s' (line %d)",
			            id->name, a->identities[i]->name, a->identities[i]->line);
	if (id->sendmail && (id->smtp_host || id->username || id->password_cmd))
		return fail(p, seen_in(s, S_IDENTITY, "sendmail"), "identity '%s' has 'sendmail' and SMTP settings: "
		            "keep one way out", id->name);
	if (seen_in(s, S_IDENTITY, "smtp_port") && !id->smtp_host && !a->smtp_host)
		return fail(p, seen_in(s, S_IDENTITY, "smtp_port"), "'smtp_port' without 'smtp_host'");
	if ((rc = signature_check(p, id->signature_file, id->signature_cmd, s, S_IDENTITY)) != TERN_OK)
		return rc;
	id->smtp_tls_set = seen_in(s, S_IDENTITY, "smtp_tls") != 0;
	a->identities = xrealloc(a->identities, (a->nidentities + 1) * sizeof *a->identities);
	a->identities[a->nidentities++] = id;
	return TERN_OK;
}

/* Cross-key rules, checked once the whole file is read. */
/* auth and oauth_token_cmd: a token needs its command, the command a
 * mechanism that carries it, and there is one secret per account. */
static int
token_check(struct parser *p, struct account_cfg *a, const struct seen *s)
{
	int cmd_line = seen_line(s, "oauth_token_cmd");
	if (a->protocol == PROTO_JMAP) {
		if (seen_line(s, "auth"))
			return fail(p, seen_line(s, "auth"), "'auth' is for IMAP accounts; JMAP uses 'jmap_auth = bearer' with 'oauth_token_cmd'");
		if (a->oauth_token_cmd && a->jmap_auth != JMAP_AUTH_BEARER)
			return fail(p, cmd_line, "'oauth_token_cmd' needs 'jmap_auth = bearer'");
	} else {
		if (a->auth != AUTH_PASSWORD && !a->oauth_token_cmd)
			return fail(p, seen_line(s, "auth"), "'auth = %s' needs 'oauth_token_cmd' (the command that prints the access token)",
			            a->auth == AUTH_XOAUTH2 ? "xoauth2" : "oauthbearer");
		if (a->oauth_token_cmd && a->auth == AUTH_PASSWORD)
			return fail(p, cmd_line, "'oauth_token_cmd' needs 'auth = xoauth2' or 'auth = oauthbearer'");
	}
	if (a->oauth_token_cmd && (a->password || a->password_cmd))
		return fail(p, cmd_line, "account '%s' sets both 'oauth_token_cmd' and '%s'", a->name,
		            a->password ? "password" : "password_cmd");
	return TERN_OK;
}

static int
executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The program a sendmail command starts must exist and be executable:
 * found now rather than when a message is waiting to go. */
static int
sendmail_check(struct parser *p, struct account_cfg *a, const struct seen *s)
{
	int line = seen_line(s, "sendmail"), ok = 0;
	char **argv;
	if (a->protocol == PROTO_JMAP)
		return fail(p, line, "'sendmail' is for IMAP accounts (a JMAP account sends through its server)");
	if (a->smtp_host)
		return fail(p, line, "account '%s' sets both 'sendmail' and 'smtp_host'", a->name);
	argv = proc_split(a->sendmail);
	if (!argv || !argv[0] || !*argv[0]) {
		proc_argv_free(argv);
		return fail(p, line, "'sendmail' needs a command");
	}
	if (strchr(argv[0], '/')) {
		ok = executable(argv[0]);
	} else {
		const char *path = getenv("PATH");
		char *dirs = xstrdup(path && *path ? path : "/usr/bin:/bin"), *save = NULL;
		for (char *d = strtok_r(dirs, ":", &save); d && !ok; d = strtok_r(NULL, ":", &save)) {
			char *f = xasprintf("%s/%s", *d ? d : ".", argv[0]);
			ok = executable(f);
			free(f);
		}
		free(dirs);
	}
	if (!ok)
		fail(p, line, "'sendmail' %s: not an executable program%s", argv[0],
		     strchr(argv[0], '/') ? "" : " in PATH");
	proc_argv_free(argv);
	return ok ? TERN_OK : TERN_ECONFIG;
}

static int
account_check(struct parser *p, struct account_cfg *a, const struct seen *s, int insecure_file)
{
	int rc;

	if (!a->email)
		return fail(p, a->line, "account '%s' has no 'email'", a->name);
	if (!strchr(a->email, '@'))
		return fail(p, seen_line(s, "email"), "'email' must be an address like me@example.org, not '%s'", a->email);
	if (!a->username)
		a->username = xstrdup(a->email);
	if (a->password && a->password_cmd)
		return fail(p, seen_line(s, "password_cmd"), "account '%s' sets both 'password' and 'password_cmd'", a->name);
	if ((rc = token_check(p, a, s)) != TERN_OK)
		return rc;
	if (!a->password && !a->password_cmd && !a->oauth_token_cmd)
		return fail(p, a->line, "account '%s' has neither 'password_cmd' nor 'password'", a->name);
	if (a->password && insecure_file)
		sb_printf(&p->warn, "%s:%d: warning: a password is stored in a file that others can read (chmod 600 it, or use password_cmd)\n",
		          p->file, seen_line(s, "password"));
	if (a->protocol == PROTO_IMAP) {
		if (!a->imap_host)
			return fail(p, a->line, "IMAP account '%s' has no 'imap_host'", a->name);
		if (a->jmap_url)
			return fail(p, seen_line(s, "jmap_url"), "'jmap_url' needs 'protocol = jmap'");
		if (seen_line(s, "jmap_auth"))
			return fail(p, seen_line(s, "jmap_auth"), "'jmap_auth' needs 'protocol = jmap'");
		if (!a->imap_port)
			a->imap_port = a->imap_tls == TLS_IMPLICIT ? 993 : 143;
	} else {
		if (!a->jmap_url)
			return fail(p, a->line, "JMAP account '%s' has no 'jmap_url'", a->name);
		if (!str_has_prefix(a->jmap_url, "https://") && !str_has_prefix(a->jmap_url, "http://"))
			return fail(p, seen_line(s, "jmap_url"), "'jmap_url' must start with https:// (or http://), not '%s'", a->jmap_url);
		if (a->imap_host)
			return fail(p, seen_line(s, "imap_host"), "'imap_host' needs 'protocol = imap'");
		/* A JMAP server without push is asked for its states, which is
		 * cheap (one request), so more often than IMAP folders. */
		if (!seen_line(s, "poll_interval"))
			a->poll_interval = 30;
	}
	if (!a->smtp_port)
		a->smtp_port = a->smtp_tls == TLS_IMPLICIT ? 465 : 587;
	if (a->smtp_port && !a->smtp_host && seen_line(s, "smtp_port"))
		return fail(p, seen_line(s, "smtp_port"), "'smtp_port' without 'smtp_host'");
	if (a->sendmail && (rc = sendmail_check(p, a, s)) != TERN_OK)
		return rc;
	if (a->protocol == PROTO_IMAP && !a->smtp_host && !a->sendmail)
		sb_printf(&p->warn, "%s:%d: warning: account '%s' has no 'smtp_host': it can read but not send\n",
		          p->file, a->line, a->name);
	if (a->ca_file && access(a->ca_file, R_OK) != 0)
		return fail(p, seen_line(s, "ca_file"), "'ca_file' %s: %s", a->ca_file, strerror(errno));
	return signature_check(p, a->signature_file, a->signature_cmd, s, S_ACCOUNT);
}

int
conf_load(const char *path, int must_exist, struct config **out, char **err, char **warnings)
{
	struct parser p = { 0 };
	struct stat st;
	char *text = NULL, *line, *next;
	int rc, insecure = 0, bad = 0;

	*out = NULL;
	*err = NULL;
	if (warnings)
		*warnings = NULL;
	p.file = path;
	p.cfg = xcalloc(1, sizeof *p.cfg);
	p.cfg->mark_read = 1;
	p.cfg->confirm_quit = 0;
	p.cfg->abort_unmodified = 1;
	p.cfg->resolve = 1;
	p.cfg->text_flowed = 1;

	rc = file_read_all(path, &text, NULL);
	if (rc == TERN_ENOTFOUND && !must_exist) {
		rc = TERN_OK;
		goto done;
	}
	if (rc != TERN_OK) {
		sb_printf(&p.err, "%s: cannot read: %s", path, strerror(errno ? errno : EIO));
		rc = rc == TERN_ENOTFOUND ? TERN_ECONFIG : rc;
		goto done;
	}
	p.cfg->path = xstrdup(path);
	if (stat(path, &st) == 0 && (st.st_mode & 0044))
		insecure = 1;

	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p.line++;
		/* A bad line is reported and the next one read: every error of
		 * the file in one go. */
		if (has_control(line))
			bad |= fail(&p, p.line, "control character in line") != TERN_OK;
		else
			bad |= line_parse(&p, line) != TERN_OK;
	}
	for (size_t i = 0; i < p.cfg->naccounts; i++)
		bad |= account_check(&p, &p.cfg->accounts[i], &p.acct_seen[i], insecure) != TERN_OK;
	for (size_t i = 0; i < p.cfg->nidentities; i++)
		bad |= identity_check(&p, &p.cfg->identities[i], &p.ident_seen[i]) != TERN_OK;
	rc = bad ? TERN_ECONFIG : TERN_OK;
done:
	free(text);
	free(p.acct_seen);
	free(p.ident_seen);
	if (rc != TERN_OK) {
		conf_free(p.cfg);
		*err = p.err.len ? sb_steal(&p.err) : xasprintf("%s: %s", path, tern_strerror(rc));
		sb_free(&p.err);
		sb_free(&p.warn);
		return rc;
	}
	sb_free(&p.err);
	if (warnings && p.warn.len)
		*warnings = sb_steal(&p.warn);
	sb_free(&p.warn);
	*out = p.cfg;
	return TERN_OK;
}

static void
account_free(struct account_cfg *a)
{
	free(a->name);
	free(a->email);
	free(a->real_name);
	free(a->username);
	if (a->password) {
		/* Do not leave the password lying around in freed memory. */
		explicit_bzero(a->password, strlen(a->password));
		free(a->password);
	}
	free(a->password_cmd);
	free(a->oauth_token_cmd);
	free(a->sendmail);
	free(a->imap_host);
	free(a->smtp_host);
	free(a->jmap_url);
	free(a->ca_file);
	free(a->alternates);
	free(a->signature_file);
	free(a->signature_cmd);
	free(a->identities);
	free(a->pgp_key);
	for (size_t i = 0; i < a->nsorts; i++)
		free(a->sorts[i].mailbox);
	free(a->sorts);
}

static void
identity_free(struct identity_cfg *id)
{
	free(id->name);
	free(id->account);
	free(id->email);
	free(id->real_name);
	free(id->signature_file);
	free(id->signature_cmd);
	free(id->sendmail);
	free(id->smtp_host);
	free(id->username);
	free(id->password_cmd);
}

void
conf_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->naccounts; i++)
		account_free(&cfg->accounts[i]);
	free(cfg->accounts);
	for (size_t i = 0; i < cfg->nidentities; i++)
		identity_free(&cfg->identities[i]);
	free(cfg->identities);
	free(cfg->address_book_cmd);
	for (size_t i = 0; i < cfg->binds.n; i++)
		free(cfg->binds.v[i].value);
	free(cfg->binds.v);
	for (size_t i = 0; i < cfg->colors.n; i++)
		free(cfg->colors.v[i].value);
	free(cfg->colors.v);
	free(cfg->path);
	free(cfg->editor);
	free(cfg->html_filter);
	free(cfg->date_format);
	free(cfg->data_dir);
	free(cfg->alternative_order);
	free(cfg->hook_mail_received);
	free(cfg->hook_mail_sent);
	free(cfg->hook_sync_failed);
	free(cfg);
}

const struct account_cfg *
conf_account(const struct config *cfg, const char *name)
{
	for (size_t i = 0; cfg && i < cfg->naccounts; i++)
		if (strcmp(cfg->accounts[i].name, name) == 0)
			return &cfg->accounts[i];
	return NULL;
}

int
conf_uses_token(const struct account_cfg *acct)
{
	return acct->oauth_token_cmd != NULL;
}

const char *
account_sendmail(const struct account_cfg *acct)
{
	return acct->sendmail;
}

int
conf_password(const struct account_cfg *acct, char **out, char **err)
{
	const char *key = acct->oauth_token_cmd ? "oauth_token_cmd" : "password_cmd";
	const char *cmd = acct->oauth_token_cmd ? acct->oauth_token_cmd : acct->password_cmd;
	/* A token tool refreshes over the network at most; an agent may be
	 * waiting for a passphrase. */
	int timeout_ms = acct->oauth_token_cmd ? (acct->timeout > 0 ? acct->timeout : 30) * 1000 : PASSWORD_CMD_TIMEOUT_MS;
	char *line = NULL, *why = NULL;
	size_t len = 0;
	ssize_t n;
	int status = -1, rc;

	*out = NULL;
	*err = NULL;
	if (acct->password && !acct->oauth_token_cmd) {
		*out = xstrdup(acct->password);
		return TERN_OK;
	}
	if (!cmd) {
		*err = xasprintf("account '%s' has no password", acct->name);
		return TERN_ECONFIG;
	}
	/* Through proc_run, not popen: its stderr must not reach the terminal
	 * (a worker runs it while the TUI owns the screen), and a command that
	 * hangs (an agent waiting for a passphrase nobody can type) is stopped.
	 * Its first stderr line is the reason it gives; stdout is the secret
	 * and never appears in a message. */
	{
		char *const argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
		rc = proc_run_err(argv, "", 0, timeout_ms, &line, &len, &status, &why);
	}
	if (rc != TERN_OK || !line) {
		if (line) {
			explicit_bzero(line, len);
			free(line);
		}
		if (rc == TERN_ETIMEOUT)
			*err = xasprintf("account '%s': %s did not finish within %d s and was stopped%s%s",
			                 acct->name, key, timeout_ms / 1000, why ? ": " : "", why ? why : "");
		else if (why)
			*err = xasprintf("account '%s': %s failed (exit status %d): %s", acct->name, key, status, why);
		else
			*err = xasprintf("account '%s': %s failed (exit status %d) or printed nothing; "
			                 "run it in a shell to see why", acct->name, key, status);
		free(why);
		return TERN_ECONFIG;
	}
	free(why);
	/* The first line only; the rest is wiped. */
	{
		char *nl = memchr(line, '\n', len);
		if (nl) {
			explicit_bzero(nl, len - (size_t)(nl - line));
			*nl = '\0';
		}
	}
	n = (ssize_t)strlen(line);
	/* A password may end in a blank; a token cannot. */
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
	                 (acct->oauth_token_cmd && (line[n - 1] == ' ' || line[n - 1] == '\t'))))
		line[--n] = '\0';
	if (n == 0) {
		/* An empty password would only fail later as a refused login. */
		free(line);
		*err = xasprintf("account '%s': %s printed an empty first line", acct->name, key);
		return TERN_ECONFIG;
	}
	*out = line;
	return TERN_OK;
}

const struct identity_cfg *
conf_identity_by_email(const struct account_cfg *acct, const char *addr)
{
	for (size_t i = 0; addr && i < acct->nidentities; i++)
		if (str_ieq(acct->identities[i]->email, addr))
			return acct->identities[i];
	return NULL;
}

int
conf_signature(const char *file, const char *cmd, char **out, char **err)
{
	char *text = NULL;
	size_t len = 0;
	int rc = TERN_OK, status = -1;

	*out = NULL;
	*err = NULL;
	if (file) {
		if ((rc = file_read_all(file, &text, &len)) != TERN_OK) {
			*err = xasprintf("cannot read signature_file %s: %s", file, strerror(errno ? errno : EIO));
			goto out;
		}
	} else if (cmd) {
		char *const argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
		rc = proc_run_status(argv, "", 0, SIGNATURE_CMD_TIMEOUT_MS, &text, &len, &status);
		if (rc != TERN_OK) {
			*err = rc == TERN_ETIMEOUT ?
			       xasprintf("signature_cmd did not finish within %d s", SIGNATURE_CMD_TIMEOUT_MS / 1000) :
			       xasprintf("signature_cmd failed (exit status %d)", status);
			goto out;
		}
	} else {
		text = xstrdup("");
		len = 0;
	}
	/* A NUL would cut the draft short; trailing blank lines are noise. */
	len = strnlen(text, len);
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		len--;
	text[len] = '\0';
	*out = text;
	text = NULL;
out:
	free(text);
	return rc;
}

char *
conf_jmap_session_url(const struct account_cfg *acct)
{
	const char *u = acct->jmap_url, *host;
	if (!u)
		return NULL;
	host = strstr(u, "://");
	host = host ? host + 3 : u;
	if (!strchr(host, '/'))
		return xasprintf("%s/.well-known/jmap", u);
	if (strchr(host, '/')[1] == '\0')
		return xasprintf("%s.well-known/jmap", u);
	return xstrdup(u);
}
