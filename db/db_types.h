/* The typed contracts between the layers: what a queued change is, and the
 * small vocabularies (queue status, resource type, change kind, mailbox
 * role) that the database stores as text. Code compares the enums; the
 * strings exist only in the _name/_parse pairs below, for the text
 * columns, `tern queue --json` and protocol role names. */
#ifndef TERN_DB_TYPES_H
#define TERN_DB_TYPES_H

#include <stdint.h>

/* pending_change.status. */
enum queue_status {
	QUEUE_QUEUED,
	QUEUE_SENDING,   /* a worker has it in hand (or had, before a crash) */
	QUEUE_FAILED     /* shown to the user until retried or dropped */
};
const char *queue_status_name(enum queue_status s);
/* 0 and *out set, or -1 for a text that is none of them. */
int queue_status_parse(const char *s, enum queue_status *out);

/* pending_change.resource_type: what resource_id names. */
enum resource_type {
	RESOURCE_EMAIL,   /* message.id */
	RESOURCE_OUTBOX,  /* outbox.id */
	RESOURCE_MAILBOX  /* mailbox.id */
};
const char *resource_type_name(enum resource_type t);
int resource_type_parse(const char *s, enum resource_type *out);

/* pending_change.change_type. CHANGE_UNKNOWN: a row this binary cannot read
 * (the engines fail it, naming it, instead of guessing). */
enum change_kind {
	CHANGE_UNKNOWN,
	CHANGE_FLAG,
	CHANGE_MOVE,
	CHANGE_DELETE,
	CHANGE_SEND,
	CHANGE_APPEND,
	CHANGE_MAILBOX_CREATE,
	CHANGE_MAILBOX_RENAME,
	CHANGE_MAILBOX_DELETE
};
const char *change_kind_name(enum change_kind k);
int change_kind_parse(const char *s, enum change_kind *out);
/* The resource a change of kind k is about. */
enum resource_type change_kind_resource(enum change_kind k);

#define TERN_MAILBOX_NAME_MAX 512

/* One queued change, as db_queue_add() takes it and every reader of the
 * queue gets it back (db/db_queue.c has the one codec). Mailbox and message
 * ids are local ids. */
struct change {
	enum change_kind kind;
	union {
		struct {
			unsigned flag;      /* MSG_SEEN, MSG_FLAGGED or MSG_ANSWERED */
			int on;
		} flag;
		struct {
			int64_t from, to;
			int is_delete;      /* a delete carried out as a move to Trash */
		} move;
		struct {
			int64_t mailbox;    /* expunged (JMAP: destroyed) there */
		} del;
		struct {
			int64_t mailbox;
			unsigned flags;     /* MSG_SEEN | MSG_FLAGGED | MSG_DRAFT */
			int64_t message;    /* its local row (db_change_append), 0 if none */
		} append;
		/* Folder changes: the mailbox is the row's resource. Names are
		 * full decoded paths ("Lists/été"); a longer one is refused. */
		struct {
			char name[TERN_MAILBOX_NAME_MAX];      /* create, rename: the name wanted */
			char old_name[TERN_MAILBOX_NAME_MAX];  /* rename: the name before, for undo */
			int with_messages;  /* delete: the user agreed to delete its messages too */
		} mbox;
	} u;
};
/* A send has no fields beyond its outbox row. */
/* The word for one MSG_* flag ("seen", "flagged", "answered", "draft"), as
 * `tern queue` shows a flag change; NULL for any other value. */
const char *change_flag_name(unsigned flag);

/* mailbox.role: a special folder, as RFC 8621 2 and RFC 6154 name them
 * (the text is what tern stores and JMAP sends). MAILBOX_ROLE_NONE: an
 * ordinary folder, or a role tern does not use. */
enum mailbox_role {
	MAILBOX_ROLE_NONE,
	MAILBOX_ROLE_INBOX,
	MAILBOX_ROLE_DRAFTS,
	MAILBOX_ROLE_SENT,
	MAILBOX_ROLE_TRASH,
	MAILBOX_ROLE_JUNK,
	MAILBOX_ROLE_ARCHIVE
};
/* NULL for MAILBOX_ROLE_NONE. */
const char *mailbox_role_name(enum mailbox_role r);
/* MAILBOX_ROLE_NONE for NULL or any other text. */
enum mailbox_role mailbox_role_parse(const char *s);

#endif
