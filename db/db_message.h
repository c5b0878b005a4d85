/* Messages: headers, flags, where they are, bodies and attachments.
 * Structs filled by db_message_* are owned by the caller: free them with
 * db_msg_row_free(). */
#ifndef TERN_DB_MESSAGE_H
#define TERN_DB_MESSAGE_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"

enum msg_flag {
	MSG_SEEN = 1,
	MSG_FLAGGED = 2,
	MSG_ANSWERED = 4,
	MSG_DRAFT = 8,
	MSG_DELETED = 16          /* IMAP \Deleted set by another client, not yet expunged */
};

struct msg_attachment {
	const char *part_id;      /* IMAP section ("2", "1.3") or JMAP partId */
	const char *filename;     /* decoded UTF-8, may be NULL */
	const char *media_type;   /* "application/pdf" */
	int64_t size;
	const char *blob_id;      /* JMAP, or NULL */
	int is_inline;
};

/* What a sync engine knows about a message from its headers. Strings are
 * decoded UTF-8 (NULL is ""); ids are without angle brackets. */
struct msg_hdr {
	const char *email_id;     /* JMAP id, NULL for IMAP */
	const char *blob_id;
	const char *remote_thread_id;
	const char *message_id;
	const char *in_reply_to;  /* space-separated message ids */
	const char *references;   /* space-separated message ids, oldest first */
	const char *subject;
	const char *from_name;
	const char *from_addr;
	const char *to_list;      /* "Name <a@b>, c@d" */
	const char *cc_list;
	const char *reply_to;
	int64_t sent_at;          /* unix seconds */
	int64_t received_at;
	int64_t size;
	unsigned flags;           /* enum msg_flag */
	const char *keywords;     /* other keywords, space-separated */
	int has_attachment;
	int pgp;                  /* enum msg_pgp */
	const char *preview;
	int64_t modseq;
	const struct msg_attachment *att;
	size_t natt;
	/* Not 0: the server's answer for it could not be read in full (the
	 * unix time of that attempt); the fields hold what could be. */
	int64_t damaged;
};
/* A message's PGP/MIME kind, from its top-level Content-Type. */
enum msg_pgp { MSG_PGP_NONE, MSG_PGP_SIGNED, MSG_PGP_ENCRYPTED };
/* The kind for a Content-Type value ("multipart/signed; ..."); NULL is none. */
int msg_pgp_of_type(const char *content_type);

/* The subject of a damaged message whose own could not be read. */
#define MSG_DAMAGED_SUBJECT "(damaged message: the server's answer could not be read)"

/* A message as the UI and the CLI show it. */
struct msg_row {
	int64_t id;
	int64_t account_id;
	int64_t mailbox_id;       /* the mailbox it was listed from (or its first one) */
	int64_t uid;              /* IMAP UID there, 0 if unknown */
	char *email_id;
	char *message_id;
	char *in_reply_to;
	char *references;
	char *subject;
	char *from_name;
	char *from_addr;
	char *to_list;
	char *cc_list;
	char *reply_to;
	char *keywords;
	char *preview;
	int64_t sent_at;
	int64_t received_at;
	int64_t size;
	unsigned flags;
	int has_attachment;
	int64_t thread_id;
	int pending;              /* a local change waits in the queue */
	int failed;               /* a local change failed on the server */
	int damaged;              /* stored from a server answer we could not read */
	int pgp;                  /* enum msg_pgp */
};

void db_msg_row_free(struct msg_row *r);

/* Inserts a new message (and its attachments, contacts and thread link).
 * Link it to mailboxes with db_message_link(). */
int db_message_insert(db *d, int64_t account_id, const struct msg_hdr *h, int64_t *id);
/* uid 0: not known (JMAP, or a move not yet confirmed). */
int db_message_link(db *d, int64_t message_id, int64_t mailbox_id, int64_t uid, int64_t received_at);
/* Removes the message from one mailbox; the message goes when it is in none. */
int db_message_unlink(db *d, int64_t message_id, int64_t mailbox_id);
/* The same for the source row a finished move or delete hid: kept when it
 * is visible again (the user undid the change while it was on its way, and
 * the undo is queued behind it). */
int db_message_unlink_hidden(db *d, int64_t message_id, int64_t mailbox_id);
int db_message_delete(db *d, int64_t id);
/* Sets flags (and keywords unless NULL) and keeps the unread counts of the
 * message's mailboxes right. */
int db_message_set_flags(db *d, int64_t id, unsigned flags, const char *keywords);

int db_message_get(db *d, int64_t id, struct msg_row *out);

/* One page of a mailbox in display order (newest first). after: the last
 * row of the previous page (NULL: from the top). backward: the page before
 * `after`, still delivered newest first. cb returns non-zero to stop. */
struct msg_cursor {
	int64_t received_at;
	int64_t id;
};
typedef int (*db_msg_cb)(const struct msg_row *r, void *ctx);
int db_message_page(db *d, int64_t mailbox_id, const struct msg_cursor *after,
                    int backward, int limit, db_msg_cb cb, void *ctx);
/* How many rows come before cur in display order (its 0-based position). */
int db_message_position(db *d, int64_t mailbox_id, const struct msg_cursor *cur, int64_t *pos);

/* The raw RFC 5322 message, if cached. TERN_ENOTFOUND otherwise. */
int db_body_get(db *d, int64_t message_id, char **raw, size_t *len);
int db_body_put(db *d, int64_t message_id, const char *raw, size_t len);

/* Attachments recorded for a message; cb gets each one. */
typedef int (*db_att_cb)(const struct msg_attachment *a, void *ctx);
int db_attachment_each(db *d, int64_t message_id, db_att_cb cb, void *ctx);

#endif
