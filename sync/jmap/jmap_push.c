/* Waiting for the server: an EventSource stream (RFC 8620 7.3) kept open in
 * the engine's curl multi handle, so StateChange events are read even while
 * API calls run; wait() returns when one names a state we do not have, when
 * the worker's wake pipe is readable, or at the deadline. Without push (no
 * eventSourceUrl, or Cyrus's 204) the server is polled every poll_interval;
 * so it is while a broken stream waits to reconnect, and each time a stream
 * opens wait() returns once, since events may have been missed meanwhile.
 * While the stream is healthy the runtime is told (engine poll_ms) to wait
 * up to 15 minutes between full cycles instead of polling. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db/db_sync.h"
#include "src/base/err.h"
#include "src/base/log.h"
#include "src/base/strbuf.h"
#include "sync/jmap/jmap.h"
#include "sync/jmap/jmap_json.h"
#include "sync/jmap/jmap_push_int.h"
#include "src/base/util.h"

#define PING_S 30
#define MAX_EVENT (1 << 20)
#define RETRY_MIN_MS 1000
#define RETRY_MAX_MS 60000

struct jmap_push {
	CURL *easy;
	struct jmap_xfer x;
	struct curl_slist *hdrs;
	int active;
	int streaming;             /* a 200 text/event-stream answer came */
	int unavailable;           /* the server has no push: poll */
	strbuf line;               /* the current, incomplete line */
	strbuf data;               /* data of the event being read */
	char *event;
	char *last_id;
	char *email_state;         /* from the latest StateChange */
	char *mailbox_state;
	int pending;               /* a StateChange arrived */
	int opened;                /* a stream just opened: sync once */
	int cr;                    /* the last byte was '\r' */
	int64_t retry_at_ms;
	int retry_ms;
};

static void
stream_stop(struct jmap *j)
{
	struct jmap_push *p = j->push;
	if (!p || !p->easy)
		return;
	jmap_http_remove(j->http, p->easy);
	curl_easy_cleanup(p->easy);
	curl_slist_free_all(p->hdrs);
	p->easy = NULL;
	p->hdrs = NULL;
	p->active = 0;
	p->streaming = 0;
	sb_reset(&p->line);
	sb_reset(&p->data);
	free(p->event);
	p->event = NULL;
}

void
jmap_push_free(struct jmap *j)
{
	struct jmap_push *p = j->push;
	if (!p)
		return;
	stream_stop(j);
	sb_free(&p->line);
	sb_free(&p->data);
	/* stream_stop() only clears a stream that has a handle; the parser's
	 * state can exist without one (jmap_push_feed). */
	free(p->event);
	free(p->last_id);
	free(p->email_state);
	free(p->mailbox_state);
	free(p);
	j->push = NULL;
}

int
jmap_push_streaming(const struct jmap *j)
{
	return j->push && j->push->active && j->push->streaming;
}

int
jmap_push_news(const struct jmap *j, const char **email_state, const char **mailbox_state)
{
	*email_state = j->push ? j->push->email_state : NULL;
	*mailbox_state = j->push ? j->push->mailbox_state : NULL;
	return j->push && j->push->pending;
}

struct jmap_push *
jmap_push_new(void)
{
	return xcalloc(1, sizeof(struct jmap_push));
}

void
jmap_push_reset(struct jmap *j)
{
	jmap_push_free(j);
}

static void
take_state_change(struct jmap *j, const char *json, size_t len)
{
	struct jmap_push *p = j->push;
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *acct = jmap_obj(jmap_obj(root, "changed"), j->sess->account_id);
	const char *t = jmap_str(root, "@type");
	if (acct && (!t || strcmp(t, "StateChange") == 0)) {
		const char *e = jmap_str(acct, "Email"), *m = jmap_str(acct, "Mailbox");
		if (e) {
			free(p->email_state);
			p->email_state = xstrdup(e);
		}
		if (m) {
			free(p->mailbox_state);
			p->mailbox_state = xstrdup(m);
		}
		p->pending |= e || m;
		log_debug("jmap %s: StateChange Email %s Mailbox %s", j->acct->name, e ? e : "-", m ? m : "-");
	}
	cJSON_Delete(root);
}

/* One line of the stream (text/event-stream, WHATWG HTML 9.2.6). */
static void
sse_line(struct jmap *j, const char *s, size_t n)
{
	struct jmap_push *p = j->push;
	const char *colon = memchr(s, ':', n);
	size_t flen = colon ? (size_t)(colon - s) : n;
	const char *v = colon ? colon + 1 : s + n;
	size_t vlen = (size_t)(s + n - v);

	if (n == 0) {
		/* RFC 8620 7.3: "state" events carry a StateChange; "ping" ones
		 * only keep the connection alive. */
		if (p->data.len && (!p->event || strcmp(p->event, "state") == 0))
			take_state_change(j, p->data.buf, p->data.len);
		sb_reset(&p->data);
		free(p->event);
		p->event = NULL;
		return;
	}
	if (flen == 0)
		return;   /* a comment */
	if (vlen && *v == ' ')
		v++, vlen--;
	if (flen == 4 && memcmp(s, "data", 4) == 0) {
		if (p->data.len)
			sb_addc(&p->data, '\n');
		if (p->data.len + vlen < MAX_EVENT)
			sb_add(&p->data, v, vlen);
	} else if (flen == 5 && memcmp(s, "event", 5) == 0) {
		free(p->event);
		p->event = xstrndup(v, vlen);
	} else if (flen == 2 && memcmp(s, "id", 2) == 0 && !memchr(v, '\0', vlen) && vlen < 1024) {
		free(p->last_id);
		p->last_id = xstrndup(v, vlen);
	}
}

/* Whether the answer is an event stream; the first time it is, the stream
 * counts as open. */
static int
stream_check(struct jmap *j)
{
	struct jmap_push *p = j->push;
	long status = 0;
	char *ct = NULL;
	if (p->streaming)
		return 1;
	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(p->easy, CURLINFO_CONTENT_TYPE, &ct);
	if (status != 200 || !ct || !str_ihas_prefix(ct, "text/event-stream"))
		return 0;
	p->streaming = 1;
	p->opened = 1;
	p->retry_ms = RETRY_MIN_MS;
	log_info("jmap %s: event stream open", j->acct->name);
	return 1;
}

/* The end of the headers tells whether a stream opened: a server may send
 * nothing more until the first change or ping. */
static size_t
sse_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct jmap *j = arg;
	size_t len = size * nmemb;
	long status = 0;
	if (len > 2 || (len > 0 && data[0] != '\r' && data[0] != '\n'))
		return len;
	curl_easy_getinfo(j->push->easy, CURLINFO_RESPONSE_CODE, &status);
	if ((status >= 300 && status < 400) || status == 100)
		return len;   /* a redirect or an interim answer: the next one counts */
	return stream_check(j) ? len : 0;
}

static size_t
sse_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct jmap *j = arg;
	size_t len = size * nmemb;

	if (!stream_check(j))
		return 0;   /* not a stream: the transfer ends, the status says why */
	jmap_push_feed(j, data, len);
	return len;
}

void
jmap_push_feed(struct jmap *j, const char *data, size_t len)
{
	struct jmap_push *p = j->push;

	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		if (c == '\n' && p->cr) {
			p->cr = 0;   /* the second half of "\r\n" */
			continue;
		}
		p->cr = c == '\r';
		if (c == '\n' || c == '\r') {
			sse_line(j, p->line.buf ? p->line.buf : "", p->line.len);
			sb_reset(&p->line);
		} else if (p->line.len < MAX_EVENT) {
			sb_addc(&p->line, c);
		}
	}
}

static int
stream_start(struct jmap *j)
{
	struct jmap_push *p = j->push;
	const char *names[] = { "types", "closeafter", "ping" };
	char ping[16];
	const char *values[] = { "Email,Mailbox", "no", ping };
	char *url;

	snprintf(ping, sizeof ping, "%d", PING_S);
	if (strchr(j->sess->event_source_url, '{'))
		url = jmap_url_template(j->sess->event_source_url, names, values, 3);
	else
		/* A plain URL (Fastmail's): the parameters go in the query, or the
		 * server sends no pings and the quiet stream is taken for dead. */
		url = xasprintf("%s%stypes=Email,Mailbox&closeafter=no&ping=%s", j->sess->event_source_url,
		                strchr(j->sess->event_source_url, '?') ? "&" : "?", ping);
	p->easy = jmap_http_easy(j->http, url, &p->x, 1);
	free(url);
	if (!p->easy)
		return TERN_ENOMEM;
	p->hdrs = curl_slist_append(NULL, "Accept: text/event-stream");
	if (p->last_id) {
		char *h = xasprintf("Last-Event-ID: %s", p->last_id);
		p->hdrs = curl_slist_append(p->hdrs, h);
		free(h);
	}
	curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER, p->hdrs);
	curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, sse_write);
	curl_easy_setopt(p->easy, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(p->easy, CURLOPT_HEADERFUNCTION, sse_header);
	curl_easy_setopt(p->easy, CURLOPT_HEADERDATA, j);
	/* No overall timeout on a stream; a silence well past the ping
	 * interval means a dead connection. */
	curl_easy_setopt(p->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(p->easy, CURLOPT_LOW_SPEED_TIME, (long)(PING_S * 2 + 10));
	p->streaming = 0;
	p->pending = 0;
	if (jmap_http_add(j->http, p->easy) != TERN_OK) {
		stream_stop(j);
		return TERN_ENOMEM;
	}
	p->active = 1;
	return TERN_OK;
}

/* The stream ended: why, and what next. Returns 1 if events may have been
 * missed (the caller should sync). */
static int
stream_ended(struct jmap *j)
{
	struct jmap_push *p = j->push;
	long status = 0;
	int was_streaming = p->streaming;
	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
	stream_stop(j);
	if (!was_streaming && status > 0 && status != 200 && status != 401 && status < 500) {
		/* Cyrus without wslay answers 204: no push on this server. */
		log_info("jmap %s: the event source answered HTTP %ld: polling every %d s", j->acct->name, status,
		         j->acct->poll_interval);
		p->unavailable = 1;
		return 0;
	}
	p->retry_at_ms = time_mono_ms() + p->retry_ms;
	p->retry_ms = p->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : p->retry_ms * 2;
	log_info("jmap %s: the event stream ended (HTTP %ld, %s); reconnecting", j->acct->name, status,
	         curl_easy_strerror(p->x.result));
	return was_streaming;
}

/* A StateChange matters when it names a state we have not stored. */
static int
news(struct jmap *j, struct sync_ctx *ctx)
{
	struct jmap_push *p = j->push;
	char *e = NULL, *m = NULL;
	int differ = 0;
	if (!p->pending)
		return 0;
	p->pending = 0;
	db_sync_state_get(ctx->db, j->account_id, "Email", &e);
	db_sync_state_get(ctx->db, j->account_id, "Mailbox", &m);
	differ = (p->email_state && !str_eq(p->email_state, e)) ||
	         (p->mailbox_state && !str_eq(p->mailbox_state, m));
	free(e);
	free(m);
	return differ;
}

int
jmap_push_wait(struct jmap *j, struct sync_ctx *ctx, int max_ms, char **err)
{
	int64_t now = time_mono_ms(), deadline = now + (max_ms > 0 ? max_ms : 0);
	struct jmap_push *p;
	int rc = TERN_OK;

	if (!j->push) {
		j->push = jmap_push_new();
		j->push->retry_ms = RETRY_MIN_MS;
	}
	p = j->push;
	if (!j->sess->event_source_url)
		p->unavailable = 1;
	for (;;) {
		int ready = 0, push_on = !p->unavailable;
		int64_t until = deadline;
		now = time_mono_ms();
		if (push_on && !p->active && now >= p->retry_at_ms && (rc = stream_start(j)) != TERN_OK) {
			*err = xstrdup("cannot open the event stream");
			return rc;
		}
		if (p->active && p->x.done && stream_ended(j))
			return TERN_OK;
		if (news(j, ctx))
			return TERN_OK;
		if (p->opened) {
			p->opened = 0;
			return TERN_OK;
		}
		/* No stream to tell us (none offered, or one being re-established):
		 * poll. */
		if ((p->unavailable || !p->streaming) && j->next_poll_ms < until)
			until = j->next_poll_ms;
		if (!p->active && !p->unavailable && p->retry_at_ms < until)
			until = p->retry_at_ms;
		if (now >= until)
			return TERN_OK;
		rc = jmap_http_pump(j->http, ctx->wake_fd, (int)(until - now < 1000 ? until - now : 1000), &ready);
		if (rc == TERN_ECANCELLED)
			return ctx->stop && *ctx->stop ? TERN_ECANCELLED : TERN_OK;
		if (rc != TERN_OK) {
			*err = xstrdup("waiting for the server failed");
			return rc;
		}
		if (ready)
			return TERN_OK;
	}
}
