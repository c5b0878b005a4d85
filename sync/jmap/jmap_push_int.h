/* The EventSource parser of jmap_push.c without its curl stream, so the
 * fuzz harness (tests/fuzz/fuzz_jmap_sse.c) feeds it the bytes a server
 * sends. Not for the rest of tern: the engine uses jmap_push_wait(). */
#ifndef TERN_JMAP_PUSH_INT_H
#define TERN_JMAP_PUSH_INT_H
#include <stddef.h>
#include "sync/jmap/jmap.h"

/* Empty push state, for j->push (freed by jmap_push_free). */
struct jmap_push *jmap_push_new(void);
/* Bytes of a text/event-stream body as they arrived, in any pieces:
 * StateChange events for j->sess->account_id become pending news. */
void jmap_push_feed(struct jmap *j, const char *data, size_t len);
/* Whether a StateChange arrived, and the states it named (NULL if none). */
int jmap_push_news(const struct jmap *j, const char **email_state, const char **mailbox_state);
#endif
