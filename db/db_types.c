#include "config.h"

#include <stddef.h>
#include <string.h>

#include "db/db_message.h"
#include "db/db_types.h"
#include "src/base/util.h"

/* Each table is indexed by its enum: the one place a string meets it. */
static const char *const status_names[] = {
	[QUEUE_QUEUED] = "queued", [QUEUE_SENDING] = "sending", [QUEUE_FAILED] = "failed",
};
static const char *const resource_names[] = {
	[RESOURCE_EMAIL] = "Email", [RESOURCE_OUTBOX] = "Outbox", [RESOURCE_MAILBOX] = "Mailbox",
};
static const char *const kind_names[] = {
	[CHANGE_UNKNOWN] = "unknown", [CHANGE_FLAG] = "flag", [CHANGE_MOVE] = "move",
	[CHANGE_DELETE] = "delete", [CHANGE_SEND] = "send", [CHANGE_APPEND] = "append",
	[CHANGE_MAILBOX_CREATE] = "mailbox_create", [CHANGE_MAILBOX_RENAME] = "mailbox_rename",
	[CHANGE_MAILBOX_DELETE] = "mailbox_delete",
};
static const char *const role_names[] = {
	[MAILBOX_ROLE_NONE] = NULL, [MAILBOX_ROLE_INBOX] = "inbox", [MAILBOX_ROLE_DRAFTS] = "drafts",
	[MAILBOX_ROLE_SENT] = "sent", [MAILBOX_ROLE_TRASH] = "trash", [MAILBOX_ROLE_JUNK] = "junk",
	[MAILBOX_ROLE_ARCHIVE] = "archive",
};

static int
lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

const char *
queue_status_name(enum queue_status s)
{
	return (size_t)s < ARRAY_LEN(status_names) ? status_names[s] : "queued";
}

int
queue_status_parse(const char *s, enum queue_status *out)
{
	int i = lookup(status_names, ARRAY_LEN(status_names), s);
	if (i < 0)
		return -1;
	*out = (enum queue_status)i;
	return 0;
}

const char *
resource_type_name(enum resource_type t)
{
	return (size_t)t < ARRAY_LEN(resource_names) ? resource_names[t] : "Email";
}

int
resource_type_parse(const char *s, enum resource_type *out)
{
	int i = lookup(resource_names, ARRAY_LEN(resource_names), s);
	if (i < 0)
		return -1;
	*out = (enum resource_type)i;
	return 0;
}

const char *
change_kind_name(enum change_kind k)
{
	return (size_t)k < ARRAY_LEN(kind_names) ? kind_names[k] : "unknown";
}

int
change_kind_parse(const char *s, enum change_kind *out)
{
	/* "unknown" is this binary's word for what it cannot read, never a
	 * kind found in a row. */
	int i = lookup(kind_names, ARRAY_LEN(kind_names), s);
	if (i <= CHANGE_UNKNOWN)
		return -1;
	*out = (enum change_kind)i;
	return 0;
}

const char *
change_flag_name(unsigned flag)
{
	switch (flag) {
	case MSG_SEEN: return "seen";
	case MSG_FLAGGED: return "flagged";
	case MSG_ANSWERED: return "answered";
	case MSG_DRAFT: return "draft";
	default: return NULL;
	}
}

enum resource_type
change_kind_resource(enum change_kind k)
{
	switch (k) {
	case CHANGE_SEND:
	case CHANGE_APPEND:
		return RESOURCE_OUTBOX;
	case CHANGE_MAILBOX_CREATE:
	case CHANGE_MAILBOX_RENAME:
	case CHANGE_MAILBOX_DELETE:
		return RESOURCE_MAILBOX;
	default:
		return RESOURCE_EMAIL;
	}
}

const char *
mailbox_role_name(enum mailbox_role r)
{
	return (size_t)r < ARRAY_LEN(role_names) ? role_names[r] : NULL;
}

enum mailbox_role
mailbox_role_parse(const char *s)
{
	int i = lookup(role_names, ARRAY_LEN(role_names), s);
	return i < 0 ? MAILBOX_ROLE_NONE : (enum mailbox_role)i;
}
