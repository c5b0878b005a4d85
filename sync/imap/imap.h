/* The IMAP engine's shared state and the helpers its files share
 * (imap_*.c). One struct imap per worker connection; only
 * imap_interrupt() may touch it from another thread. */
#ifndef TERN_IMAP_H
#define TERN_IMAP_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <libetpan/libetpan.h>

#include "src/config/conf.h"
#include "db/db_message.h"
#include "sync/engine.h"
#include "sync/stop.h"

struct imap_status {
	uint32_t messages, unseen, uidnext, uidvalidity;
	uint64_t highestmodseq;
};

/* The per-folder checkpoint stored in sync_state as JSON. */
struct imap_checkpoint {
	uint32_t uidvalidity;
	uint32_t uidnext;
	uint64_t highestmodseq;
};

struct imap {
	mailimap *s;
	const struct account_cfg *acct;
	int64_t account_id;
	char *selected;            /* remote name of the selected folder, or NULL */
	uint32_t sel_uidvalidity, sel_uidnext, sel_exists;
	uint64_t sel_hms;
	int condstore, qresync, move, uidplus, idle;
	int changed;               /* IDLE saw news not yet synced */
	int broken;                /* the stream failed: no LOGOUT */
	int no_unchangedsince;     /* the server refused our UNCHANGEDSINCE STORE */
	int64_t last_full_ms;      /* when every folder was last looked at */
	char *ns_prefix;           /* personal namespace prefix ("" or e.g. "INBOX.") */
	char ns_delim;             /* its hierarchy delimiter, 0 if unknown */
	char **ns_foreign;         /* other users' and shared prefixes */
	size_t nforeign;
	unsigned created_tried;    /* roles whose folder we tried to CREATE (imap_mailboxes.c) */
	/* Stopping from another thread (imap_interrupt): the socket, from the
	 * moment it exists until it is closed, under cancel_mu. */
	pthread_mutex_t cancel_mu;
	int sock;
	int cancelled;
};

/* Connecting (imap_conn.c). A new struct imap (zeroed) gets imap_init();
 * imap_interrupt() may then be called from any thread until imap_destroy():
 * it makes connecting, logging in and any blocked read fail at once. */
void imap_init(struct imap *im);
void imap_destroy(struct imap *im);
void imap_interrupt(struct imap *im);
int imap_connect(struct imap *im, const struct account_cfg *acct, const char *password, stop_flag *stop,
                 char **err);
void imap_close(struct imap *im);
/* Logs in with an access token (imap_auth.c), by the account's auth
 * mechanism, with SASL-IR when offered. TERN_EAUTH: the server refused the
 * token; TERN_ECONFIG: it does not offer the mechanism. */
int imap_auth_token(struct imap *im, const char *user, const char *token, char **err);
/* A libetpan result as a TERN_* code, with the server's text in *err
 * (what names the command). */
int imap_error(struct imap *im, int r, const char *what, char **err);
/* Selects (read-write; CONDSTORE when the server has it) unless already. */
int imap_select(struct imap *im, const char *remote, char **err);

/* Names (imap_utf7.c): modified UTF-7 (RFC 3501 5.1.3) to UTF-8; invalid
 * input is kept as it came (it is still the name on the wire). Caller frees. */
char *imap_utf7_decode(const char *s);
/* UTF-8 to modified UTF-7, for a name we send. NULL if s is not UTF-8. */
char *imap_utf7_encode(const char *s);
/* A folder's sync state follows it from remote name from to to (a rename). */
int imap_rename_state(db *d, int64_t account_id, const char *from, const char *to);

/* Checkpoints (imap_checkpoint.c). */
char *imap_checkpoint_format(const struct imap_checkpoint *cp);
/* TERN_OK or TERN_EINVAL when text is not one of ours. */
int imap_checkpoint_parse(const char *text, struct imap_checkpoint *cp);
char *imap_checkpoint_resource(const char *remote);

/* Messages (imap_msg.c): one FETCH response as a struct msg_hdr, with
 * every string decoded and owned by the result. */
struct imap_msg {
	uint32_t uid;
	int has_flags, has_header;
	unsigned flags;            /* enum msg_flag */
	uint64_t modseq;
	struct msg_hdr h;          /* points into the fields below */
	struct msg_attachment *att;   /* strings owned here */
	size_t natt;
	char *keywords, *subject, *from_name, *from_addr, *to_list, *cc_list, *reply_to;
	char *message_id, *in_reply_to, *references;
};
void imap_msg_read(const struct mailimap_msg_att *att, struct imap_msg *m);
void imap_msg_free(struct imap_msg *m);
/* Attachments of a BODYSTRUCTURE (part ids as in BODY[...]). */
void imap_bodystructure_attachments(const struct mailimap_body *b, struct imap_msg *m);
/* RFC 2047 header text as UTF-8 (caller frees; NULL stays NULL). */
char *imap_decode_header(const char *s);

/* The fetch of headers (imap_fetch.c). */
struct mailimap_fetch_type *imap_fetch_type_headers(int modseq);
struct mailimap_fetch_type *imap_fetch_type_flags(int modseq);
/* UIDs, ascending, as an IMAP set of ranges. */
struct mailimap_set *imap_set_from_uids(const uint32_t *uids, size_t n);

/* FETCH results converted (imap_batch.c): v[0..n), every one with a UID. */
struct imap_batch {
	struct imap_msg *v;
	size_t n;
	int r;                     /* libetpan's result of the UID FETCH */
	mailimap *s;               /* the rest: the fetching thread's */
	struct mailimap_set *set;
	int modseq;
	pthread_t thread;
	int started;
};
/* Converts res into b and frees res (NULL: an empty batch). */
void imap_batch_read(struct imap_batch *b, clist *res);
void imap_batch_free(struct imap_batch *b);
/* UID FETCH of the headers of set (taken) on s, converted, from a new
 * thread: until imap_batch_join(), which returns its libetpan result,
 * nothing else may use s. */
void imap_batch_start(struct imap_batch *b, mailimap *s, struct mailimap_set *set, int modseq);
int imap_batch_join(struct imap_batch *b);

/* Batches libetpan could not parse (imap_salvage.c). store() puts a
 * converted batch in the database (TERN_OK or an error that ends the
 * salvage); a message stored as damaged has h.damaged set. */
typedef int (*imap_store_fn)(void *arg, const struct imap_batch *b, char **err);
/* uids[0..n) (ascending), whose UID FETCH of headers just failed to parse:
 * narrowed down across reconnects, every readable message given to store,
 * each unreadable one given as a damaged minimal row. */
int imap_salvage(struct imap *im, struct sync_ctx *ctx, const char *remote, const char *name, const uint32_t *uids,
                 size_t n, int modseq, imap_store_fn store, void *arg, char **err);
/* The headers of one UID again, full if they parse now, else damaged. */
int imap_salvage_one(struct imap *im, struct sync_ctx *ctx, const char *remote, const char *name, uint32_t uid,
                     int modseq, imap_store_fn store, void *arg, char **err);

/* A selectable server folder as the mailbox step left it. */
struct imap_mb {
	int64_t id;
	char *remote, *name;
	int is_inbox;
	int has_status;
	struct imap_status st;
	int failed;                /* failed syncs in a row (imap_engine.c) */
	int resting;               /* failed too often: skipped this cycle */
};
void imap_mbs_free(struct imap_mb *v, size_t n);

/* Mailboxes and folders (imap_mailboxes.c, imap_folder.c). LIST with
 * roles, STATUS counts, server renames and deletions reconciled; *out:
 * the selectable folders, INBOX first. */
int imap_sync_mailboxes(struct imap *im, struct sync_ctx *ctx, struct imap_mb **out, size_t *n, char **err);
/* Roles (imap_roles.c). The role of a folder from its LIST attributes
 * (case-insensitive, RFC 6154), else MAILBOX_ROLE_NONE. */
enum mailbox_role imap_role_from_flag(const char *flag);
/* \All, \Flagged, \Important: a virtual folder of copies (Gmail). */
int imap_flag_is_virtual(const char *flag);
/* The role a folder's name (UTF-8, one level) suggests when the server
 * names none: English and common localised names. */
enum mailbox_role imap_role_from_name(const char *name);
/* The same for a wire name: only at the top of the personal namespace
 * (prefix, e.g. "INBOX."; "INBOX<delim>" also counts without one). */
enum mailbox_role imap_role_from_path(const char *remote, const char *prefix, char delim);

/* Namespaces (imap_namespace.c): the personal prefix and the prefixes of
 * other users' and shared folders, read after login (RFC 2342). */
int imap_namespace_load(struct imap *im, char **err);
/* Whether a wire name lies in another user's or a shared namespace. */
int imap_namespace_foreign(const struct imap *im, const char *remote);
void imap_namespace_free(struct imap *im);
int imap_sync_folder(struct imap *im, struct sync_ctx *ctx, int64_t mailbox_id, const char *remote,
                     const char *name, const struct imap_status *st, char **err);
int imap_status(struct imap *im, const char *remote, struct imap_status *st, char **err);

/* Upward (imap_push.c, imap_send.c). */
int imap_push_change(struct imap *im, struct sync_ctx *ctx, const struct queue_row *q, char **err);
int imap_push_outbox(struct imap *im, struct sync_ctx *ctx, const struct queue_row *q, char **err);
int imap_append(struct imap *im, const char *remote, const char *raw, size_t len, unsigned flags,
                uint32_t *uid, char **err);
int imap_find_msgid(struct imap *im, const char *remote, const char *message_id, uint32_t *uid, char **err);

/* Waiting (imap_idle.c) and bodies (imap_body.c). */
int imap_wait(struct imap *im, struct sync_ctx *ctx, int max_ms, char **err);
/* How long one IDLE may last when the caller would wait max_ms: IDLE is
 * ended and re-issued well before the 29 minutes servers allow. */
int imap_idle_ms(int max_ms);
int imap_fetch_body(struct imap *im, struct sync_ctx *ctx, int64_t msg_id, char **err);
/* Engine op server_search (imap_search.c). */
int imap_server_search(struct imap *im, struct sync_ctx *ctx, const search_query *q, char **err);
/* The IMAP translator of a search query: the key tree UID SEARCH CHARSET
 * UTF-8 sends in the folder folder_name (folder_role may be NULL). IMAP
 * searches one folder at a time, so in: terms become ALL or NOT ALL here.
 * libetpan sends non-ASCII words as LITERAL+ literals when the server has
 * LITERAL+ (mailimap_uid_search_literalplus), else as quoted strings.
 * Free with mailimap_search_key_free(); NULL only when out of memory. */
struct mailimap_search_key *imap_search_key_new(const search_query *q, const char *folder_name,
                                                const char *folder_role);

#endif
