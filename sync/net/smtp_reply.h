/* What the SMTP server last said, for the reason a failed send shows: the
 * command the reply answers (its verb only, and a RCPT's address: never
 * AUTH's credentials) and the reply's own text, instead of libcurl's
 * "Weird server reply (server said 550)". Fed from libcurl's debug
 * callback (the protocol lines it sends and reads, also inside TLS). */
#ifndef TERN_SMTP_REPLY_H
#define TERN_SMTP_REPLY_H

#include <stddef.h>

struct smtp_reply {
	char cmd[300];            /* "MAIL FROM", "RCPT TO <a@b>", "the message"...; "" before any */
	char text[512];           /* the reply to it, lines joined by " "; control characters as '?' */
	int code;                 /* its code; 0 while none came */
	int complete;             /* its last line ("250 ...", not "250-...") came */
	int in_auth;              /* lines sent after AUTH are SASL data, not commands */
	int quit;                 /* QUIT sent: what follows is the goodbye, not the reason */
};

/* A line (or lines) the client sent / the server sent. */
void smtp_reply_sent(struct smtp_reply *r, const char *data, size_t len);
void smtp_reply_received(struct smtp_reply *r, const char *data, size_t len);

/* The reason for a failed send, given libcurl's error text: the server's
 * refusal when it refused the last command ("recipient <a@b> refused:
 * 550 5.1.1 ..."), libcurl's error and the command left unanswered when
 * the connection ended first, libcurl's error alone otherwise. */
char *smtp_reply_reason(const struct smtp_reply *r, const char *curl_error);

/* The code of the reply to the last command, 0 if it got none. */
int smtp_reply_code(const struct smtp_reply *r);

#endif
