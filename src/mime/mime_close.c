/* Unterminated multiparts: libetpan accepts a multipart whose close
 * delimiter is missing, but it ends the last part at the last line that
 * starts with "-" (its boundary scan remembers where such a line began and
 * never forgets it). An unterminated inner multipart so loses every part
 * after its first delimiter, and a last part loses a "-- " signature. Mutt
 * reads such a part to the end of the message; so do we, by parsing again
 * with the missing close delimiters appended to the copy. */
#include "config.h"

#include <libetpan/libetpan.h>
#include <stdlib.h>
#include <string.h>

#include "src/mime/mime_int.h"
#include "src/base/util.h"

/* RFC 2046 allows 70 characters; a longer one is not a boundary we repair. */
#define BOUNDARY_MAX 200

/* Whether raw holds the close delimiter "--b--" at the start of a line. */
static int
has_close(const char *raw, size_t len, const char *b)
{
	size_t bl = strlen(b), need = bl + 4;
	for (size_t i = 0; i + need <= len; i++) {
		if ((i > 0 && raw[i - 1] != '\n') || raw[i] != '-' || raw[i + 1] != '-')
			continue;
		if (memcmp(raw + i + 2, b, bl) == 0 && raw[i + 2 + bl] == '-' && raw[i + 3 + bl] == '-')
			return 1;
	}
	return 0;
}

static int
known(const struct mime_closers *c, const char *b)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].boundary, b) == 0)
			return 1;
	return 0;
}

static int
walk(const char *raw, size_t len, const struct mailmime *mm, int depth, struct mime_closers *c)
{
	int added = 0;
	if (!mm || depth > MIME_MAX_DEPTH || c->n >= MIME_MAX_DEPTH)
		return 0;
	if (mm->mm_type == MAILMIME_MULTIPLE) {
		const char *b = mm->mm_content_type ?
		                mailmime_content_param_get(mm->mm_content_type, "boundary") : NULL;
		if (b && *b && strlen(b) <= BOUNDARY_MAX && !strpbrk(b, "\r\n") &&
		    !known(c, b) && !has_close(raw, len, b)) {
			c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
			c->v[c->n].boundary = xstrdup(b);
			c->v[c->n].depth = depth;
			c->n++;
			added = 1;
		}
		for (clistiter *it = clist_begin(mm->mm_data.mm_multipart.mm_mp_list); it; it = clist_next(it))
			added |= walk(raw, len, clist_content(it), depth + 1, c);
	} else if (mm->mm_type == MAILMIME_MESSAGE) {
		added |= walk(raw, len, mm->mm_data.mm_message.mm_msg_mime, depth + 1, c);
	}
	return added;
}

int
mime_closers_find(const char *raw, size_t len, const struct mailmime *mm, struct mime_closers *c)
{
	return walk(raw, len, mm, 0, c);
}

char *
mime_closers_suffix(const struct mime_closers *c, int ends_in_newline, size_t *out_len)
{
	strbuf sb = STRBUF_INIT;
	int *done = xcalloc(c->n ? c->n : 1, sizeof *done);

	/* Deepest first: an inner multipart closes before the one holding it. */
	for (size_t k = 0; k < c->n; k++) {
		size_t best = c->n;
		for (size_t i = 0; i < c->n; i++)
			if (!done[i] && (best == c->n || c->v[i].depth > c->v[best].depth))
				best = i;
		done[best] = 1;
		if (k > 0 || !ends_in_newline)
			sb_adds(&sb, "\r\n");
		sb_printf(&sb, "--%s--", c->v[best].boundary);
	}
	sb_adds(&sb, "\r\n");
	free(done);
	*out_len = sb.len;
	return sb_steal(&sb);
}

void
mime_closers_free(struct mime_closers *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].boundary);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}
