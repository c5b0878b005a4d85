/* What a reply, reply-all or forward starts with, computed from the parent
 * message: recipients, subject, threading headers and the quoted body.
 * Pure: no database, no I/O. Text from the parent is sanitised (no control
 * characters), so it is safe to show and to put in the editor's file. */
#ifndef TERN_REPLY_H
#define TERN_REPLY_H

#include "src/mime/mime.h"
#include "src/mime/mime_render.h"

/* REPLY_LIST: to the list (List-Post, else Mail-Followup-To), as mutt's
 * list-reply. */
enum reply_kind { REPLY_SENDER, REPLY_ALL, REPLY_FORWARD, REPLY_LIST };

/* The user's own addresses: removed from reply-all recipients. */
struct reply_self {
	const char *email;        /* the account's address */
	const char *alternates;   /* other own addresses, comma-separated; may be NULL */
};

/* All strings owned by the struct (reply_free); "" when empty. */
struct reply {
	char *to;                 /* "Name <a@b>, c@d" */
	char *cc;
	char *subject;
	char *in_reply_to;        /* "<id>"; "" for a forward */
	char *references;         /* "<a> <b>", oldest first; "" for a forward */
	char *body;               /* quoted text with its attribution line, or the
	                           * forwarded message's header block and text */
};

/* ro chooses how the parent's body is rendered (alternative order, HTML
 * filter); its headers and attachments fields are ignored. TERN_OK; for
 * REPLY_LIST, TERN_ENOTFOUND when the parent came from no list and
 * TERN_EREFUSED when its list takes no posts (List-Post: NO). */
int reply_make(const mime_msg *parent, enum reply_kind kind, const struct reply_self *self,
               const struct render_opts *ro, struct reply *out);
void reply_free(struct reply *r);

/* "Re: x" / "Fwd: x" without doubling ("RE:", "Re[2]:", "Aw:", "Sv:",
 * "Fwd:", "Fw:", "WG:" ... are recognised). Caller frees. */
char *reply_subject(const char *subject, int forward);
/* RFC 5256's base subject, for sorting: Re:/Fwd:/Aw:/Sv: (and the other
 * prefixes reply_subject knows), "[list]" tags and "(fwd)" trailers
 * stripped, blanks collapsed, case and accents folded. Caller frees. */
char *reply_base_subject(const char *subject);
/* The parent's References (or its In-Reply-To) plus its Message-ID, keeping
 * the first id and the last ones when the list grows too long. */
char *reply_references(const char *references, const char *in_reply_to, const char *message_id);

#endif
