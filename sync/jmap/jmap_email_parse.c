#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "src/base/err.h"
#include "src/base/strbuf.h"
#include "sync/jmap/jmap_email_parse.h"
#include "sync/jmap/jmap_json.h"
#include "src/base/util.h"

cJSON *
jmap_email_props(int full)
{
	static const char *const all[] = {
		"id", "blobId", "threadId", "mailboxIds", "keywords", "size", "receivedAt", "sentAt",
		"messageId", "inReplyTo", "references", "from", "to", "cc", "replyTo", "subject",
		"hasAttachment", "preview", "attachments", "header:Content-Type:asRaw"
	};
	static const char *const mutable_[] = { "id", "mailboxIds", "keywords", "receivedAt" };
	return full ? cJSON_CreateStringArray(all, (int)ARRAY_LEN(all))
	            : cJSON_CreateStringArray(mutable_, (int)ARRAY_LEN(mutable_));
}

cJSON *
jmap_email_body_props(void)
{
	static const char *const p[] = { "partId", "blobId", "size", "name", "type", "disposition" };
	return cJSON_CreateStringArray(p, (int)ARRAY_LEN(p));
}

/* RFC 8621 4.1.1: keywords are %x21-%x7E minus ( ) { ] % * " \ ; tern keeps
 * them space-separated, so nothing else may pass. */
static int
keyword_ok(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > 255)
		return 0;
	for (; *k; k++)
		if (*k < 0x21 || *k > 0x7e || strchr("(){]%*\"\\", *k))
			return 0;
	return 1;
}

/* A list of strings (messageId, inReplyTo, references) as space-separated
 * ids; items with spaces or brackets are not message ids and are dropped. */
static char *
id_list(const cJSON *arr, int first_only)
{
	strbuf sb = STRBUF_INIT;
	const cJSON *s;
	cJSON_ArrayForEach(s, arr) {
		if (!cJSON_IsString(s) || !*s->valuestring || strpbrk(s->valuestring, " \t\r\n<>"))
			continue;
		if (sb.len)
			sb_addc(&sb, ' ');
		sb_adds(&sb, s->valuestring);
		if (first_only)
			break;
	}
	return sb_steal(&sb);
}

static void
add_address(strbuf *sb, const char *name, const char *email)
{
	if (sb->len)
		sb_adds(sb, ", ");
	if (name && *name) {
		if (strpbrk(name, ",;<>\"@()")) {
			sb_addc(sb, '"');
			for (const char *p = name; *p; p++) {
				if (*p == '"' || *p == '\\')
					sb_addc(sb, '\\');
				sb_addc(sb, *p);
			}
			sb_addc(sb, '"');
		} else {
			sb_adds(sb, name);
		}
		sb_printf(sb, " <%s>", email ? email : "");
	} else {
		sb_adds(sb, email ? email : "");
	}
}

static char *
address_list(const cJSON *arr)
{
	strbuf sb = STRBUF_INIT;
	const cJSON *a;
	cJSON_ArrayForEach(a, arr) {
		const char *email = jmap_str(a, "email"), *name = jmap_str(a, "name");
		if (cJSON_IsObject(a) && (email || name))
			add_address(&sb, name, email);
	}
	return sb_steal(&sb);
}

static void
parse_keywords(const cJSON *kw, struct jmap_email *e)
{
	strbuf other = STRBUF_INIT;
	const cJSON *k;
	unsigned flags = 0;
	cJSON_ArrayForEach(k, kw) {
		/* RFC 8621 4.1.1: the value is always true; false is not allowed. */
		if (!cJSON_IsTrue(k) || !k->string || !keyword_ok(k->string))
			continue;
		if (str_ieq(k->string, "$seen"))
			flags |= MSG_SEEN;
		else if (str_ieq(k->string, "$flagged"))
			flags |= MSG_FLAGGED;
		else if (str_ieq(k->string, "$answered"))
			flags |= MSG_ANSWERED;
		else if (str_ieq(k->string, "$draft"))
			flags |= MSG_DRAFT;
		else {
			if (other.len)
				sb_addc(&other, ' ');
			sb_adds(&other, k->string);
		}
	}
	e->h.flags = flags;
	e->h.keywords = sb_steal(&other);
	e->has_keywords = 1;
}

static void
parse_attachments(const cJSON *arr, struct jmap_email *e)
{
	const cJSON *p;
	size_t n = 0;
	struct msg_attachment *att = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *att);
	cJSON_ArrayForEach(p, arr) {
		uint64_t size = 0;
		const char *disp = jmap_str(p, "disposition");
		if (!cJSON_IsObject(p))
			continue;
		att[n].part_id = xstrdup(jmap_str(p, "partId"));
		att[n].filename = xstrdup(jmap_str(p, "name"));
		att[n].media_type = xstrdup(jmap_str(p, "type"));
		att[n].blob_id = xstrdup(jmap_id(p, "blobId"));
		if (jmap_uint(p, "size", &size) == TERN_OK)
			att[n].size = (int64_t)size;
		att[n].is_inline = disp && str_ieq(disp, "inline");
		n++;
	}
	e->h.att = att;
	e->h.natt = n;
}

/* Whether every property tern stores has the type RFC 8621 gives it (or
 * is null or absent). One that has not cannot be converted: rather than
 * store what a wrong guess makes of it, the email is stored damaged. */
static int
readable(const cJSON *o)
{
	static const char *const strs[] = { "blobId", "threadId", "subject", "preview", "receivedAt", "sentAt" };
	static const char *const arrs[] = { "messageId", "inReplyTo", "references", "from", "to", "cc",
	                                    "replyTo", "attachments" };
	static const char *const objs[] = { "mailboxIds", "keywords" };
	const cJSON *v;
	int64_t t;

	for (size_t i = 0; i < ARRAY_LEN(strs); i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(o, strs[i])) && !cJSON_IsNull(v) && !cJSON_IsString(v))
			return 0;
	for (size_t i = 0; i < ARRAY_LEN(arrs); i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(o, arrs[i])) && !cJSON_IsNull(v) && !cJSON_IsArray(v))
			return 0;
	for (size_t i = 0; i < ARRAY_LEN(objs); i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(o, objs[i])) && !cJSON_IsNull(v) && !cJSON_IsObject(v))
			return 0;
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "size")) && !cJSON_IsNull(v) && !cJSON_IsNumber(v))
		return 0;
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "hasAttachment")) && !cJSON_IsNull(v) && !cJSON_IsBool(v))
		return 0;
	if (jmap_str(o, "receivedAt") && jmap_date_parse(jmap_str(o, "receivedAt"), &t) != TERN_OK)
		return 0;
	if (jmap_str(o, "sentAt") && jmap_date_parse(jmap_str(o, "sentAt"), &t) != TERN_OK)
		return 0;
	return 1;
}

/* An email that cannot be converted, as far as it can: where it is and its
 * keywords (what the user acts on), its size and date if they read. */
static void
parse_damaged(const cJSON *o, struct jmap_email *e)
{
	uint64_t size;
	int64_t t;

	e->h.damaged = time_now();
	if (jmap_uint(o, "size", &size) == TERN_OK)
		e->h.size = (int64_t)size;
	if (jmap_date_parse(jmap_str(o, "receivedAt"), &t) == TERN_OK)
		e->has_received = 1;
	else
		t = time_now();
	e->h.received_at = e->h.sent_at = t;
	e->h.subject = xstrdup(MSG_DAMAGED_SUBJECT);
}

int
jmap_email_parse(const cJSON *o, struct jmap_email *e)
{
	const cJSON *mb = jmap_obj(o, "mailboxIds"), *kw = jmap_obj(o, "keywords"), *from;
	const cJSON *v;
	const char *s;
	uint64_t size;
	int64_t t;

	memset(e, 0, sizeof *e);
	if (!(s = jmap_id(o, "id")))
		return TERN_EPROTO;
	e->h.email_id = xstrdup(s);
	e->h.blob_id = xstrdup(jmap_id(o, "blobId"));
	e->h.remote_thread_id = xstrdup(jmap_id(o, "threadId"));
	if (mb) {
		e->mailbox_ids = xcalloc((size_t)cJSON_GetArraySize(mb) + 1, sizeof *e->mailbox_ids);
		cJSON_ArrayForEach(v, mb)
			if (cJSON_IsTrue(v) && jmap_id_valid(v->string))
				e->mailbox_ids[e->nmb++] = v->string;
		e->has_mailboxes = 1;
	}
	if (kw)
		parse_keywords(kw, e);
	if (!readable(o)) {
		parse_damaged(o, e);
		return TERN_OK;
	}
	if (jmap_uint(o, "size", &size) == TERN_OK)
		e->h.size = (int64_t)size;
	if (jmap_date_parse(jmap_str(o, "receivedAt"), &t) == TERN_OK) {
		e->h.received_at = t;
		e->has_received = 1;
	}
	if (jmap_date_parse(jmap_str(o, "sentAt"), &t) == TERN_OK)
		e->h.sent_at = t;
	else
		e->h.sent_at = e->h.received_at;
	e->h.message_id = id_list(jmap_arr(o, "messageId"), 1);
	e->h.in_reply_to = id_list(jmap_arr(o, "inReplyTo"), 0);
	e->h.references = id_list(jmap_arr(o, "references"), 0);
	from = jmap_arr(o, "from");
	v = cJSON_GetArrayItem(from, 0);
	e->h.from_name = xstrdup(jmap_str(v, "name"));
	e->h.from_addr = xstrdup(jmap_str(v, "email"));
	e->h.to_list = address_list(jmap_arr(o, "to"));
	e->h.cc_list = address_list(jmap_arr(o, "cc"));
	e->h.reply_to = address_list(jmap_arr(o, "replyTo"));
	e->h.subject = xstrdup(jmap_str(o, "subject"));
	e->h.preview = xstrdup(jmap_str(o, "preview"));
	e->h.has_attachment = jmap_bool(o, "hasAttachment", 0);
	e->h.pgp = msg_pgp_of_type(jmap_str(o, "header:Content-Type:asRaw"));
	parse_attachments(jmap_arr(o, "attachments"), e);
	return TERN_OK;
}

void
jmap_email_free(struct jmap_email *e)
{
	struct msg_hdr *h = &e->h;
	free((char *)h->email_id);
	free((char *)h->blob_id);
	free((char *)h->remote_thread_id);
	free((char *)h->message_id);
	free((char *)h->in_reply_to);
	free((char *)h->references);
	free((char *)h->subject);
	free((char *)h->from_name);
	free((char *)h->from_addr);
	free((char *)h->to_list);
	free((char *)h->cc_list);
	free((char *)h->reply_to);
	free((char *)h->keywords);
	free((char *)h->preview);
	for (size_t i = 0; i < h->natt; i++) {
		free((char *)h->att[i].part_id);
		free((char *)h->att[i].filename);
		free((char *)h->att[i].media_type);
		free((char *)h->att[i].blob_id);
	}
	free((struct msg_attachment *)h->att);
	free(e->mailbox_ids);
	memset(e, 0, sizeof *e);
}
