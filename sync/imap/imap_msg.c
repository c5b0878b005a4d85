/* One IMAP FETCH response as tern's message header: flags, envelope
 * (RFC 2047 decoded by src/mime_charset.c), INTERNALDATE, size,
 * References/In-Reply-To and the attachments named by BODYSTRUCTURE.
 * Everything here is server data: any field may be missing or absurd. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/mime/mime.h"
#include "src/mime/msgid.h"
#include "src/base/strbuf.h"
#include "sync/imap/imap.h"
#include "src/base/util.h"

char *
imap_decode_header(const char *s)
{
	const char *p;

	if (!s)
		return NULL;
	for (p = s; *p >= 0x20 && *p < 0x7f; p++)
		if (p[0] == '=' && p[1] == '?')
			break;
	if (!*p)
		return xstrdup(s);   /* plain ASCII on one line: nothing to decode */
	/* The MIME code's decoder, as for every other header tern shows: it maps
	 * mislabelled charsets and repairs invalid UTF-8, which libetpan's
	 * mailmime_encoded_phrase_parse does not (and that one opens an iconv
	 * converter per encoded word). */
	return mime_decode_header(s);
}

static void
addr_format(strbuf *sb, const struct mailimap_address *a)
{
	char *name = imap_decode_header(a->ad_personal_name);
	if (sb->len)
		sb_adds(sb, ", ");
	if (name && *name)
		sb_printf(sb, "%s <%s@%s>", name, a->ad_mailbox_name, a->ad_host_name);
	else
		sb_printf(sb, "%s@%s", a->ad_mailbox_name, a->ad_host_name);
	free(name);
}

static char *
addr_list(clist *l)
{
	strbuf sb = STRBUF_INIT;
	if (!l)
		return NULL;
	for (clistiter *it = clist_begin(l); it; it = clist_next(it)) {
		const struct mailimap_address *a = clist_content(it);
		/* Group markers have no host (RFC 3501 7.4.2). */
		if (a && a->ad_mailbox_name && a->ad_host_name)
			addr_format(&sb, a);
	}
	return sb.len ? sb_steal(&sb) : (sb_free(&sb), NULL);
}

static void
read_envelope(const struct mailimap_envelope *e, struct imap_msg *m)
{
	if (!e)
		return;
	m->subject = imap_decode_header(e->env_subject);
	if (e->env_from && e->env_from->frm_list) {
		for (clistiter *it = clist_begin(e->env_from->frm_list); it; it = clist_next(it)) {
			const struct mailimap_address *a = clist_content(it);
			if (a && a->ad_mailbox_name && a->ad_host_name) {
				m->from_name = imap_decode_header(a->ad_personal_name);
				m->from_addr = xasprintf("%s@%s", a->ad_mailbox_name, a->ad_host_name);
				break;
			}
		}
	}
	m->to_list = e->env_to ? addr_list(e->env_to->to_list) : NULL;
	m->cc_list = e->env_cc ? addr_list(e->env_cc->cc_list) : NULL;
	m->reply_to = e->env_reply_to ? addr_list(e->env_reply_to->rt_list) : NULL;
	m->message_id = msgid_list_bare(e->env_message_id);
	if (m->message_id && strchr(m->message_id, ' '))
		m->message_id[strcspn(m->message_id, " ")] = '\0';
	m->in_reply_to = msgid_list_bare(e->env_in_reply_to);
	m->h.sent_at = mime_date_parse(e->env_date);
}

/* BODY[HEADER.FIELDS (REFERENCES IN-REPLY-TO)]: the envelope has no
 * References, and threads need it. */
static void
read_ref_headers(const char *text, size_t len, struct imap_msg *m)
{
	struct mailimf_fields *f = NULL;
	size_t idx = 0;
	if (!text || !len || mailimf_fields_parse(text, len, &idx, &f) != MAILIMF_NO_ERROR || !f)
		return;
	for (clistiter *it = clist_begin(f->fld_list); it; it = clist_next(it)) {
		struct mailimf_field *fld = clist_content(it);
		clist *ids = NULL;
		strbuf sb = STRBUF_INIT;
		if (fld->fld_type == MAILIMF_FIELD_REFERENCES && fld->fld_data.fld_references)
			ids = fld->fld_data.fld_references->mid_list;
		else if (fld->fld_type == MAILIMF_FIELD_IN_REPLY_TO && fld->fld_data.fld_in_reply_to && !m->in_reply_to)
			ids = fld->fld_data.fld_in_reply_to->mid_list;
		if (!ids)
			continue;
		for (clistiter *i = clist_begin(ids); i; i = clist_next(i)) {
			const char *id = clist_content(i);
			if (id && *id && !strchr(id, ' ')) {
				if (sb.len)
					sb_addc(&sb, ' ');
				sb_adds(&sb, id);
			}
		}
		if (!sb.len) {
			sb_free(&sb);
			continue;
		}
		if (fld->fld_type == MAILIMF_FIELD_REFERENCES) {
			free(m->references);
			m->references = sb_steal(&sb);
		} else {
			m->in_reply_to = sb_steal(&sb);
		}
	}
	mailimf_fields_free(f);
}

static void
read_flags(const struct mailimap_msg_att_dynamic *d, struct imap_msg *m)
{
	strbuf kw = STRBUF_INIT;
	m->has_flags = 1;
	m->flags = 0;
	if (d && d->att_list) {
		for (clistiter *it = clist_begin(d->att_list); it; it = clist_next(it)) {
			const struct mailimap_flag_fetch *ff = clist_content(it);
			const struct mailimap_flag *f;
			if (!ff || ff->fl_type != MAILIMAP_FLAG_FETCH_OTHER || !(f = ff->fl_flag))
				continue;
			switch (f->fl_type) {
			case MAILIMAP_FLAG_SEEN: m->flags |= MSG_SEEN; break;
			case MAILIMAP_FLAG_FLAGGED: m->flags |= MSG_FLAGGED; break;
			case MAILIMAP_FLAG_ANSWERED: m->flags |= MSG_ANSWERED; break;
			case MAILIMAP_FLAG_DRAFT: m->flags |= MSG_DRAFT; break;
			case MAILIMAP_FLAG_DELETED: m->flags |= MSG_DELETED; break;
			case MAILIMAP_FLAG_KEYWORD:
				if (f->fl_data.fl_keyword && *f->fl_data.fl_keyword) {
					if (kw.len)
						sb_addc(&kw, ' ');
					sb_adds(&kw, f->fl_data.fl_keyword);
				}
				break;
			default:
				break;
			}
		}
	}
	free(m->keywords);
	m->keywords = sb_steal(&kw);
}

void
imap_msg_read(const struct mailimap_msg_att *att, struct imap_msg *m)
{
	const struct mailimap_body *bs = NULL;

	memset(m, 0, sizeof *m);
	if (!att || !att->att_list)
		return;
	for (clistiter *it = clist_begin(att->att_list); it; it = clist_next(it)) {
		const struct mailimap_msg_att_item *item = clist_content(it);
		if (!item)
			continue;
		if (item->att_type == MAILIMAP_MSG_ATT_ITEM_DYNAMIC) {
			read_flags(item->att_data.att_dyn, m);
		} else if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC && item->att_data.att_static) {
			const struct mailimap_msg_att_static *s = item->att_data.att_static;
			switch (s->att_type) {
			case MAILIMAP_MSG_ATT_UID:
				m->uid = s->att_data.att_uid;
				break;
			case MAILIMAP_MSG_ATT_ENVELOPE:
				m->has_header = 1;
				read_envelope(s->att_data.att_env, m);
				break;
			case MAILIMAP_MSG_ATT_INTERNALDATE:
				if (s->att_data.att_internal_date) {
					const struct mailimap_date_time *d = s->att_data.att_internal_date;
					/* libetpan checked the fields; the zone is +hhmm as a number. */
					m->h.received_at = time_from_civil(d->dt_year, d->dt_month, d->dt_day, d->dt_hour,
					                                   d->dt_min, d->dt_sec, d->dt_zone / 100 * 60 + d->dt_zone % 100);
				}
				break;
			case MAILIMAP_MSG_ATT_RFC822_SIZE:
				m->h.size = s->att_data.att_rfc822_size;
				break;
			case MAILIMAP_MSG_ATT_BODYSTRUCTURE:
				bs = s->att_data.att_bodystructure;
				break;
			case MAILIMAP_MSG_ATT_BODY_SECTION:
				if (s->att_data.att_body_section)
					read_ref_headers(s->att_data.att_body_section->sec_body_part,
					                 s->att_data.att_body_section->sec_length, m);
				break;
			default:
				break;
			}
		} else if (item->att_type == MAILIMAP_MSG_ATT_ITEM_EXTENSION && item->att_data.att_extension_data) {
			const struct mailimap_extension_data *x = item->att_data.att_extension_data;
			if (x->ext_extension == &mailimap_extension_condstore &&
			    x->ext_type == MAILIMAP_CONDSTORE_TYPE_FETCH_DATA && x->ext_data)
				m->modseq = ((struct mailimap_condstore_fetch_mod_resp *)x->ext_data)->cs_modseq_value;
		}
	}
	if (bs)
		imap_bodystructure_attachments(bs, m);
	if (bs && bs->bd_type == MAILIMAP_BODY_MPART && bs->bd_data.bd_body_mpart &&
	    bs->bd_data.bd_body_mpart->bd_media_subtype) {
		const char *sub = bs->bd_data.bd_body_mpart->bd_media_subtype;
		m->h.pgp = str_ieq(sub, "encrypted") ? MSG_PGP_ENCRYPTED : str_ieq(sub, "signed") ? MSG_PGP_SIGNED
		                                                                                   : MSG_PGP_NONE;
	}
	m->h.subject = m->subject;
	m->h.from_name = m->from_name;
	m->h.from_addr = m->from_addr;
	m->h.to_list = m->to_list;
	m->h.cc_list = m->cc_list;
	m->h.reply_to = m->reply_to;
	m->h.message_id = m->message_id;
	m->h.in_reply_to = m->in_reply_to;
	m->h.references = m->references;
	m->h.keywords = m->keywords;
	m->h.flags = m->flags;
	m->h.modseq = (int64_t)(m->modseq > INT64_MAX ? INT64_MAX : m->modseq);
	m->h.att = m->att;
	m->h.natt = m->natt;
	for (size_t i = 0; i < m->natt; i++)
		if (!m->att[i].is_inline)
			m->h.has_attachment = 1;
	if (!m->h.sent_at)
		m->h.sent_at = m->h.received_at;
	if (!m->h.received_at)
		m->h.received_at = m->h.sent_at;
}

void
imap_msg_free(struct imap_msg *m)
{
	for (size_t i = 0; i < m->natt; i++) {
		free((char *)m->att[i].part_id);
		free((char *)m->att[i].filename);
		free((char *)m->att[i].media_type);
	}
	free(m->att);
	free(m->keywords);
	free(m->subject);
	free(m->from_name);
	free(m->from_addr);
	free(m->to_list);
	free(m->cc_list);
	free(m->reply_to);
	free(m->message_id);
	free(m->in_reply_to);
	free(m->references);
	memset(m, 0, sizeof *m);
}
