#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sync/net/smtp_reply.h"
#include "src/base/util.h"

/* The commands libcurl sends; any other line is SASL data or the message. */
static const char *const verbs[] = { "EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA",
                                     "RSET", "QUIT", "NOOP", "VRFY", "EXPN", "HELP" };

static void
set_cmd(struct smtp_reply *r, const char *line, size_t len)
{
	size_t w = 0;
	const char *verb = NULL;

	while (w < len && isalpha((unsigned char)line[w]))
		w++;
	for (size_t i = 0; i < ARRAY_LEN(verbs) && !verb; i++)
		if (strlen(verbs[i]) == w && strncasecmp(line, verbs[i], w) == 0)
			verb = verbs[i];
	if (r->in_auth || !verb)
		return;           /* SASL data (credentials), the end of the message: not a command */
	if (strcmp(verb, "QUIT") == 0) {
		/* libcurl says goodbye after a failure too: keep what it was. */
		r->quit = 1;
		return;
	}
	if (strcmp(verb, "MAIL") == 0) {
		snprintf(r->cmd, sizeof r->cmd, "MAIL FROM");
	} else if (strcmp(verb, "RCPT") == 0) {
		const char *lt = memchr(line, '<', len), *gt = lt ? memchr(lt, '>', len - (size_t)(lt - line)) : NULL;
		if (lt && gt)
			snprintf(r->cmd, sizeof r->cmd, "RCPT TO %.*s", (int)(gt - lt + 1), lt);
		else
			snprintf(r->cmd, sizeof r->cmd, "RCPT TO");
	} else {
		snprintf(r->cmd, sizeof r->cmd, "%s", verb);
		r->in_auth = strcmp(verb, "AUTH") == 0;
	}
	r->text[0] = '\0';
	r->code = 0;
	r->complete = 0;
}

/* Each non-empty line of data, without its CR LF, to fn (until QUIT). */
static void
each_line(struct smtp_reply *r, const char *data, size_t len,
          void (*fn)(struct smtp_reply *, const char *, size_t))
{
	while (len > 0 && !r->quit) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) + 1 : len, l = n;
		while (l > 0 && (data[l - 1] == '\n' || data[l - 1] == '\r'))
			l--;
		if (l > 0)
			fn(r, data, l);
		data += n;
		len -= n;
	}
}

void
smtp_reply_sent(struct smtp_reply *r, const char *data, size_t len)
{
	each_line(r, data, len, set_cmd);
}

static void
add_line(struct smtp_reply *r, const char *line, size_t len)
{
	int code = 0, more;
	size_t at;

	if (len >= 3 && isdigit((unsigned char)line[0]) && isdigit((unsigned char)line[1]) &&
	    isdigit((unsigned char)line[2]))
		code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	more = code && len > 3 && line[3] == '-';   /* "550-..." more lines follow */
	if (r->complete) {        /* a new reply to the same command (or unasked) */
		r->text[0] = '\0';
		r->complete = 0;
	}
	at = strlen(r->text);
	if (at > 0) {
		/* "550-5.7.1 first" "550 5.7.1 second": the code once, then the texts. */
		size_t skip = code ? (len > 3 ? 4 : 3) : 0;
		line += skip;
		len -= skip;
		if (at + 1 < sizeof r->text)
			r->text[at++] = ' ';
	}
	for (size_t i = 0; i < len && at + 1 < sizeof r->text; i++) {
		unsigned char ch = (unsigned char)line[i];
		if (at == 3 && more)
			ch = ' ';     /* "550-" of the first line: "550 " */
		r->text[at++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	r->text[at] = '\0';
	if (!code || more)
		return;
	r->complete = 1;
	r->code = code;
	if (r->in_auth && code != 334)
		r->in_auth = 0;
	/* After "354 go ahead" comes the message: the next reply is about it. */
	if (code == 354 && strcmp(r->cmd, "DATA") == 0) {
		snprintf(r->cmd, sizeof r->cmd, "the message");
		r->text[0] = '\0';
		r->code = 0;
		r->complete = 0;
	}
}

void
smtp_reply_received(struct smtp_reply *r, const char *data, size_t len)
{
	each_line(r, data, len, add_line);
}

int
smtp_reply_code(const struct smtp_reply *r)
{
	return r->complete ? r->code : 0;
}

char *
smtp_reply_reason(const struct smtp_reply *r, const char *curl_error)
{
	const char *cmd = r->cmd;

	if (r->complete && r->code >= 400) {
		if (strncmp(cmd, "RCPT TO <", 9) == 0)
			return xasprintf("recipient %s refused: %s", cmd + 8, r->text);
		if (strcmp(cmd, "the message") == 0)
			return xasprintf("the message was refused: %s", r->text);
		if (strcmp(cmd, "AUTH") == 0)
			return xasprintf("login refused: %s", r->text);
		if (!*cmd)
			return xasprintf("the server refused the connection: %s", r->text);
		return xasprintf("%s refused: %s", cmd, r->text);
	}
	if (*cmd && !r->complete)
		return xasprintf("%s, with no reply to %s", curl_error, cmd);
	return xstrdup(curl_error);
}
