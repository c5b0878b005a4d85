#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "db/db_msg_local.h"
#include "src/mime/msgid.h"
#include "src/base/util.h"

static char *
addrs(const mime_msg *m, const char *name)
{
	struct mail_addr_list l = { 0 };
	char *s;
	mime_header_addrs(m, name, &l);
	s = mail_addr_format(&l);
	mail_addr_free(&l);
	return s;
}

static void
read_from(const mime_msg *m, struct msg_local *out)
{
	struct mail_addr_list l = { 0 };
	mime_header_addrs(m, "From", &l);
	if (l.n) {
		out->from_name = l.v[0].name ? xstrdup(l.v[0].name) : NULL;
		out->from_addr = l.v[0].addr ? xstrdup(l.v[0].addr) : NULL;
	}
	mail_addr_free(&l);
}

static void
read_attachments(const mime_msg *m, struct msg_local *out)
{
	mime_attachments(m, &out->mv, &out->natt);
	out->att = out->natt ? xcalloc(out->natt, sizeof *out->att) : NULL;
	for (size_t i = 0; i < out->natt; i++) {
		out->att[i].part_id = out->mv[i].part_id;
		out->att[i].filename = out->mv[i].filename;
		out->att[i].media_type = out->mv[i].media_type;
		out->att[i].size = out->mv[i].size;
		out->att[i].is_inline = out->mv[i].is_inline;
		if (!out->mv[i].is_inline)
			out->h.has_attachment = 1;
	}
}

int
msg_local_read(const char *raw, size_t len, struct msg_local *out)
{
	mime_msg *m = NULL;
	char *v;

	memset(out, 0, sizeof *out);
	if (mime_parse(raw, len, &m) != TERN_OK)
		return TERN_EINVAL;
	out->h.pgp = mime_part_is(mime_root(m), "multipart/encrypted") ? MSG_PGP_ENCRYPTED :
	             mime_part_is(mime_root(m), "multipart/signed") ? MSG_PGP_SIGNED : MSG_PGP_NONE;
	v = mime_header_raw(m, "Message-ID");
	out->message_id = msgid_list_bare(v);
	if (out->message_id && strchr(out->message_id, ' '))
		out->message_id[strcspn(out->message_id, " ")] = '\0';
	free(v);
	v = mime_header_raw(m, "In-Reply-To");
	out->in_reply_to = msgid_list_bare(v);
	free(v);
	v = mime_header_raw(m, "References");
	out->references = msgid_list_bare(v);
	free(v);
	out->subject = mime_header(m, "Subject");
	read_from(m, out);
	out->to_list = addrs(m, "To");
	out->cc_list = addrs(m, "Cc");
	out->reply_to = addrs(m, "Reply-To");
	read_attachments(m, out);
	out->h.message_id = out->message_id;
	out->h.in_reply_to = out->in_reply_to;
	out->h.references = out->references;
	out->h.subject = out->subject;
	out->h.from_name = out->from_name;
	out->h.from_addr = out->from_addr;
	out->h.to_list = out->to_list;
	out->h.cc_list = out->cc_list;
	out->h.reply_to = out->reply_to;
	out->h.received_at = time_now();
	out->h.sent_at = mime_date(m);
	if (!out->h.sent_at)
		out->h.sent_at = out->h.received_at;
	out->h.size = (int64_t)len;
	out->h.att = out->att;
	out->h.natt = out->natt;
	mime_free(m);
	return TERN_OK;
}

void
msg_local_free(struct msg_local *m)
{
	free(m->message_id);
	free(m->in_reply_to);
	free(m->references);
	free(m->subject);
	free(m->from_name);
	free(m->from_addr);
	free(m->to_list);
	free(m->cc_list);
	free(m->reply_to);
	mime_attachments_free(m->mv, m->natt);
	free(m->att);
	memset(m, 0, sizeof *m);
}
