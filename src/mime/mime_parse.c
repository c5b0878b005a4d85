/* Parsing: libetpan's mailmime_parse() finds the structure, then the tree
 * is copied into our own parts (IMAP section ids, decoded parameters and
 * file names) and libetpan's tree is freed. Our parts point into the raw
 * copy the mime_msg owns. */
#include "config.h"

#include <libetpan/libetpan.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "src/base/err.h"
#include "src/mime/mime_int.h"
#include "src/base/util.h"

/* libetpan's parser recurses once per nesting level and overflows an 8 MB
 * stack at about 25,000 levels (tested). Beyond this many multipart or
 * message headers, the structure is not trusted and the body is shown as
 * plain text; no real message comes near it. */
#define MAX_CONTAINERS 1000

/* --- Parameters (RFC 2045 5.1, RFC 2231) ------------------------------------ */

struct raw_params {
	struct mime_param *v;     /* name lower-cased, value as written */
	size_t n;
};

static void
raw_add(struct raw_params *rp, const char *name, const char *value)
{
	rp->v = xrealloc(rp->v, (rp->n + 1) * sizeof *rp->v);
	rp->v[rp->n].name = xstrdup(name ? name : "");
	str_lower(rp->v[rp->n].name);
	rp->v[rp->n].value = xstrdup(value ? value : "");
	rp->n++;
}

static const char *
raw_get(const struct raw_params *rp, const char *name)
{
	for (size_t i = 0; i < rp->n; i++)
		if (strcmp(rp->v[i].name, name) == 0)
			return rp->v[i].value;
	return NULL;
}

static void
raw_free(struct raw_params *rp)
{
	for (size_t i = 0; i < rp->n; i++) {
		free(rp->v[i].name);
		free(rp->v[i].value);
	}
	free(rp->v);
}

static int
hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void
mime_pct_decode(const char *s, strbuf *out)
{
	for (; *s; s++) {
		int h, l;
		if (s[0] == '%' && (h = hexv(s[1])) >= 0 && (l = hexv(s[2])) >= 0) {
			sb_addc(out, (char)(h * 16 + l));
			s += 2;
		} else {
			sb_addc(out, *s);
		}
	}
}

/* The decoded value of parameter base: RFC 2231 forms (base*, base*0,
 * base*0*...) win over the plain one, which may hold RFC 2047 words (not
 * allowed, but Outlook and others write them). NULL if absent. */
static char *
param_decode(const struct raw_params *rp, const char *base)
{
	char key[80], *charset = NULL, *res = NULL;
	strbuf bytes = STRBUF_INIT;
	const char *v;
	int found = 0;

	if (strlen(base) > 60)
		return NULL;
	snprintf(key, sizeof key, "%s*", base);
	if ((v = raw_get(rp, key))) {
		const char *q1 = strchr(v, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
		if (q2) {
			charset = xstrndup(v, (size_t)(q1 - v));
			v = q2 + 1;
		}
		mime_pct_decode(v, &bytes);
		found = 1;
	} else {
		for (int k = 0; k < 1000; k++) {
			snprintf(key, sizeof key, "%s*%d*", base, k);
			if ((v = raw_get(rp, key))) {
				const char *q1 = strchr(v, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
				if (k == 0 && q2) {
					charset = xstrndup(v, (size_t)(q1 - v));
					v = q2 + 1;
				}
				mime_pct_decode(v, &bytes);
			} else {
				snprintf(key, sizeof key, "%s*%d", base, k);
				if (!(v = raw_get(rp, key)))
					break;
				sb_adds(&bytes, v);
			}
			found = 1;
		}
	}
	if (found)
		res = mime_to_utf8(charset && *charset ? charset : NULL, bytes.buf ? bytes.buf : "", bytes.len);
	else if ((v = raw_get(rp, base)))
		res = mime_decode_header(v);
	free(charset);
	sb_free(&bytes);
	return res;
}

char *
mime_param_lookup(const char *const *names, const char *const *values, size_t n, const char *base)
{
	struct raw_params rp = { NULL, 0 };
	char *res;
	for (size_t i = 0; i < n; i++)
		if (names[i] && values[i])
			raw_add(&rp, names[i], values[i]);
	res = param_decode(&rp, base);
	raw_free(&rp);
	return res;
}

/* Every parameter of rp, decoded, under its base name. */
static void
params_decode(const struct raw_params *rp, struct mime_part *p)
{
	for (size_t i = 0; i < rp->n; i++) {
		char *base = xstrdup(rp->v[i].name), *star = strchr(base, '*');
		int dup = 0;
		if (star)
			*star = '\0';
		for (size_t j = 0; j < p->nparams && !dup; j++)
			dup = strcmp(p->params[j].name, base) == 0;
		if (dup || !*base) {
			free(base);
			continue;
		}
		p->params = xrealloc(p->params, (p->nparams + 1) * sizeof *p->params);
		p->params[p->nparams].name = base;
		p->params[p->nparams].value = param_decode(rp, base);
		if (!p->params[p->nparams].value)
			p->params[p->nparams].value = xstrdup("");
		p->nparams++;
	}
}

/* --- Building our tree ------------------------------------------------------- */

static char *
type_string(const struct mailmime_content *ct, int default_message)
{
	const char *t = "text", *sub = ct && ct->ct_subtype ? ct->ct_subtype : NULL;
	char *s;

	if (!ct || !ct->ct_type)
		return xstrdup(default_message ? "message/rfc822" : "text/plain");
	if (ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE) {
		const struct mailmime_discrete_type *d = ct->ct_type->tp_data.tp_discrete_type;
		switch (d->dt_type) {
		case MAILMIME_DISCRETE_TYPE_TEXT: t = "text"; break;
		case MAILMIME_DISCRETE_TYPE_IMAGE: t = "image"; break;
		case MAILMIME_DISCRETE_TYPE_AUDIO: t = "audio"; break;
		case MAILMIME_DISCRETE_TYPE_VIDEO: t = "video"; break;
		case MAILMIME_DISCRETE_TYPE_APPLICATION: t = "application"; break;
		default: t = d->dt_extension ? d->dt_extension : "application"; break;
		}
	} else {
		const struct mailmime_composite_type *c = ct->ct_type->tp_data.tp_composite_type;
		switch (c->ct_type) {
		case MAILMIME_COMPOSITE_TYPE_MESSAGE: t = "message"; break;
		case MAILMIME_COMPOSITE_TYPE_MULTIPART: t = "multipart"; break;
		default: t = c->ct_token ? c->ct_token : "application"; break;
		}
	}
	s = xasprintf("%s/%s", t, sub ? sub : "octet-stream");
	str_lower(s);
	return s;
}

static void
read_fields(const struct mailmime *mm, struct mime_part *p)
{
	struct raw_params ct = { 0 }, dp = { 0 };
	clistiter *it;

	if (mm->mm_content_type && mm->mm_content_type->ct_parameters)
		for (it = clist_begin(mm->mm_content_type->ct_parameters); it; it = clist_next(it)) {
			const struct mailmime_parameter *pa = clist_content(it);
			raw_add(&ct, pa->pa_name, pa->pa_value);
		}
	p->enc = MIME_ENC_IDENTITY;
	if (mm->mm_mime_fields)
		for (it = clist_begin(mm->mm_mime_fields->fld_list); it; it = clist_next(it)) {
			const struct mailmime_field *f = clist_content(it);
			if (f->fld_type == MAILMIME_FIELD_TRANSFER_ENCODING && f->fld_data.fld_encoding) {
				int e = f->fld_data.fld_encoding->enc_type;
				p->enc = e == MAILMIME_MECHANISM_BASE64 ? MIME_ENC_BASE64 :
				         e == MAILMIME_MECHANISM_QUOTED_PRINTABLE ? MIME_ENC_QP : MIME_ENC_IDENTITY;
			} else if (f->fld_type == MAILMIME_FIELD_DISPOSITION && f->fld_data.fld_disposition) {
				const struct mailmime_disposition *d = f->fld_data.fld_disposition;
				clistiter *j;
				p->disp = d->dsp_type && d->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_ATTACHMENT ?
				          MIME_DISP_ATTACHMENT : MIME_DISP_INLINE;
				for (j = d->dsp_parms ? clist_begin(d->dsp_parms) : NULL; j; j = clist_next(j)) {
					const struct mailmime_disposition_parm *dpa = clist_content(j);
					if (dpa->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME)
						raw_add(&dp, "filename", dpa->pa_data.pa_filename);
					else if (dpa->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER)
						raw_add(&dp, dpa->pa_data.pa_parameter->pa_name,
						        dpa->pa_data.pa_parameter->pa_value);
				}
			}
		}
	params_decode(&ct, p);
	p->filename = param_decode(&dp, "filename");
	if (!p->filename || !*p->filename) {
		free(p->filename);
		p->filename = param_decode(&ct, "name");
	}
	if (p->filename && !*p->filename) {
		free(p->filename);
		p->filename = NULL;
	}
	raw_free(&ct);
	raw_free(&dp);
}

static char *
join_id(const char *prefix, size_t n)
{
	return *prefix ? xasprintf("%s.%zu", prefix, n) : xasprintf("%zu", n);
}

static struct mime_part *build(const struct mailmime *mm, char *id, int depth);

/* The body of a message (top level or encapsulated) under prefix. */
static struct mime_part *
build_body(const struct mailmime *mm, const char *prefix, int depth)
{
	if (mm->mm_type == MAILMIME_MULTIPLE)
		return build(mm, xstrdup(prefix), depth);
	return build(mm, join_id(prefix, 1), depth);
}

static void
add_kid(struct mime_part *p, struct mime_part *k)
{
	p->kids = xrealloc(p->kids, (p->nkids + 1) * sizeof *p->kids);
	p->kids[p->nkids++] = k;
}

static struct mime_part *
build(const struct mailmime *mm, char *id, int depth)
{
	struct mime_part *p = xcalloc(1, sizeof *p);
	int in_digest = mm->mm_parent && mm->mm_parent->mm_content_type &&
	                mm->mm_parent->mm_content_type->ct_subtype &&
	                strcasecmp(mm->mm_parent->mm_content_type->ct_subtype, "digest") == 0;

	p->id = id;
	p->type = type_string(mm->mm_content_type, in_digest);
	read_fields(mm, p);
	/* Deeper structure is not descended into: its parts do not exist. */
	switch (mm->mm_type) {
	case MAILMIME_SINGLE:
		if (mm->mm_data.mm_single && mm->mm_data.mm_single->dt_type == MAILMIME_DATA_TEXT) {
			p->body = mm->mm_data.mm_single->dt_data.dt_text.dt_data;
			p->body_len = mm->mm_data.mm_single->dt_data.dt_text.dt_length;
		}
		break;
	case MAILMIME_MULTIPLE: {
		size_t n = 0;
		if (depth >= MIME_MAX_DEPTH)
			break;
		for (clistiter *it = clist_begin(mm->mm_data.mm_multipart.mm_mp_list); it; it = clist_next(it))
			add_kid(p, build(clist_content(it), join_id(id, ++n), depth + 1));
		break;
	}
	case MAILMIME_MESSAGE: {
		/* The encapsulated message: our own header parse of its text. */
		const char *s = mm->mm_body ? mm->mm_body->dt_data.dt_text.dt_data : mm->mm_mime_start;
		size_t len = mm->mm_body ? mm->mm_body->dt_data.dt_text.dt_length : mm->mm_length, off;
		p->body = s;
		p->body_len = s ? len : 0;
		p->msg = xcalloc(1, sizeof *p->msg);
		if (s)
			mime_hdrs_parse(s, len, &p->msg->hdrs, &off);
		if (mm->mm_data.mm_message.mm_msg_mime && depth < MIME_MAX_DEPTH) {
			add_kid(p, build_body(mm->mm_data.mm_message.mm_msg_mime, id, depth + 1));
			p->msg->root = p->kids[0];
		}
		break;
	}
	}
	if (p->nkids == 0 && strncmp(p->type, "multipart/", 10) == 0) {
		/* No boundary, or none found: its text is better than nothing. */
		if (!p->body && mm->mm_body && mm->mm_body->dt_type == MAILMIME_DATA_TEXT) {
			p->body = mm->mm_body->dt_data.dt_text.dt_data;
			p->body_len = mm->mm_body->dt_data.dt_text.dt_length;
		}
		free(p->type);
		p->type = xstrdup("text/plain");
	}
	return p;
}

static void
part_free(struct mime_part *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nkids; i++)
		part_free(p->kids[i]);
	for (size_t i = 0; i < p->nparams; i++) {
		free(p->params[i].name);
		free(p->params[i].value);
	}
	if (p->msg) {
		mime_hdrs_free(&p->msg->hdrs);
		free(p->msg);
	}
	free(p->kids);
	free(p->params);
	free(p->id);
	free(p->type);
	free(p->filename);
	free(p);
}

/* Case-insensitive count of "multipart/" and "message/" in s. */
static size_t
count_containers(const char *s, size_t len)
{
	size_t n = 0;
	for (const char *p = s, *end = s + len; (p = memchr(p, '/', (size_t)(end - p))); p++) {
		if (p - s >= 9 && strncasecmp(p - 9, "multipart", 9) == 0)
			n++;
		else if (p - s >= 7 && strncasecmp(p - 7, "message", 7) == 0)
			n++;
	}
	return n;
}

/* When the structure cannot be used: the whole body as one text part. */
static struct mime_part *
fallback_part(mime_msg *m, size_t body_off)
{
	struct mime_part *p = xcalloc(1, sizeof *p);
	p->id = xstrdup("1");
	p->type = xstrdup("text/plain");
	p->body = m->raw + body_off;
	p->body_len = m->len - body_off;
	return p;
}

/* libetpan's tree of m->raw, parsed again with the close delimiters it
 * lacks appended after m->len (mime_close.c): each round can reveal a
 * deeper unterminated multipart that the previous one cut off. */
#define CLOSE_ROUNDS 4

static struct mailmime *
parse_closed(mime_msg *m)
{
	struct mime_closers cl = { NULL, 0 };
	struct mailmime *mm = NULL;
	size_t plen = m->len;

	for (int round = 0;; round++) {
		size_t idx = 0, slen;
		char *suffix;
		if (mailmime_parse(m->raw, plen, &idx, &mm) != MAILIMF_NO_ERROR)
			mm = NULL;
		if (!mm || round == CLOSE_ROUNDS || !mime_closers_find(m->raw, m->len, mm, &cl))
			break;
		mailmime_free(mm);
		mm = NULL;
		suffix = mime_closers_suffix(&cl, m->raw[m->len - 1] == '\n', &slen);
		m->raw = xrealloc(m->raw, m->len + slen + 1);
		memcpy(m->raw + m->len, suffix, slen + 1);
		plen = m->len + slen;
		free(suffix);
	}
	mime_closers_free(&cl);
	return mm;
}

int
mime_parse(const char *raw, size_t len, mime_msg **out)
{
	mime_msg *m;
	struct mailmime *mm = NULL;
	size_t body_off;

	*out = NULL;
	if (!raw || len == 0)
		return TERN_EINVAL;
	m = xcalloc(1, sizeof *m);
	m->raw = xmalloc(len + 1);
	memcpy(m->raw, raw, len);
	m->raw[len] = '\0';
	m->len = len;
	mime_hdrs_parse(m->raw, len, &m->hdrs, &body_off);
	if (count_containers(m->raw, len) <= MAX_CONTAINERS && (mm = parse_closed(m))) {
		const struct mailmime *body = mm->mm_type == MAILMIME_MESSAGE ?
		                              mm->mm_data.mm_message.mm_msg_mime : mm;
		if (body)
			m->root = build_body(body, "", 0);
	}
	if (mm)
		mailmime_free(mm);
	if (!m->root)
		m->root = fallback_part(m, body_off);
	*out = m;
	return TERN_OK;
}

void
mime_free(mime_msg *m)
{
	if (!m)
		return;
	mime_hdrs_free(&m->hdrs);
	part_free(m->root);
	free(m->raw);
	free(m);
}

/* --- Headers ------------------------------------------------------------------- */

char *
mime_header_raw(const mime_msg *m, const char *name)
{
	const char *v = mime_hdrs_get(&m->hdrs, name);
	return v ? xstrdup(v) : NULL;
}

char *
mime_header(const mime_msg *m, const char *name)
{
	const char *v = mime_hdrs_get(&m->hdrs, name);
	return v ? mime_decode_header(v) : NULL;
}

void
mime_header_addrs(const mime_msg *m, const char *name, struct mail_addr_list *out)
{
	mail_addr_parse(mime_hdrs_get(&m->hdrs, name), out);
}

int64_t
mime_date_parse(const char *s)
{
	struct mailimf_date_time *dt = NULL;
	size_t idx = 0;
	int64_t t = 0;

	if (s && mailimf_date_time_parse(s, strlen(s), &idx, &dt) == MAILIMF_NO_ERROR && dt) {
		int year = dt->dt_year;
		if (year < 100)   /* obs-year (RFC 5322 4.3) */
			year += year < 50 ? 2000 : 1900;
		/* The zone is +hhmm read as a number: -0530 is -530. */
		if (year >= 1970 && year <= 9999 && dt->dt_month >= 1 && dt->dt_month <= 12 && dt->dt_day >= 1 &&
		    dt->dt_day <= 31)
			t = time_from_civil(year, dt->dt_month, dt->dt_day, dt->dt_hour, dt->dt_min, dt->dt_sec,
			                    dt->dt_zone / 100 * 60 + dt->dt_zone % 100);
		mailimf_date_time_free(dt);
	}
	return t;
}

int64_t
mime_date(const mime_msg *m)
{
	return mime_date_parse(mime_hdrs_get(&m->hdrs, "Date"));
}
