/* The mailing-list headers of RFC 2369 and RFC 8058: where a list reply
 * goes (List-Post) and how to leave the list (List-Unsubscribe,
 * List-Unsubscribe-Post). Pure: no I/O. Every string handed out is made
 * inert (no control characters), so it is safe to show. */
#ifndef TERN_LISTHDR_H
#define TERN_LISTHDR_H

#include "src/mime/mime.h"

/* The address a list reply goes to: List-Post's mailto: address, else the
 * first Mail-Followup-To address (the sender said where the discussion
 * goes). TERN_OK with *addr (caller frees); TERN_EREFUSED when List-Post
 * is "NO" (posting not allowed) and there is no Mail-Followup-To;
 * TERN_ENOTFOUND when the message came from no list. */
int listhdr_post_address(const mime_msg *m, char **addr);

/* A mailto: URL (RFC 6068) taken apart, percent-decoded. */
struct mailto {
	char *to;                 /* "a@b, c@d"; never NULL */
	char *subject;            /* NULL when absent */
	char *body;               /* NULL when absent; may hold newlines */
};
/* TERN_EINVAL when url is not a mailto: URL with an address. */
int listhdr_mailto_parse(const char *url, struct mailto *out);
void listhdr_mailto_free(struct mailto *m);

/* How to unsubscribe, from List-Unsubscribe (+ List-Unsubscribe-Post). */
struct list_unsub {
	char *mailto;             /* the first mailto: URL, or NULL */
	char *https;              /* the first https: URL, or NULL */
	int one_click;            /* List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058) */
	char *other;              /* the first URL of another scheme (http:, ...), or NULL */
	char *list;               /* the list's name for questions: List-Id, else the From address */
};
/* TERN_ENOTFOUND when the message has no List-Unsubscribe URL. */
int listhdr_unsubscribe(const mime_msg *m, struct list_unsub *out);
void listhdr_unsub_free(struct list_unsub *u);

/* The URLs of an RFC 2369 header value ("<a>, (comment) <b>"), each
 * without its angle brackets, in order; *nout of them. "NO" is reported
 * by *no (if not NULL). Free with listhdr_urls_free. */
void listhdr_urls(const char *value, char ***out, size_t *nout, int *no);
void listhdr_urls_free(char **v, size_t n);

#endif
