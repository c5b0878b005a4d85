/* A message someone wrote by hand or a script printed (`tern send`), with
 * raw UTF-8 in its header and body and no MIME headers: made into what
 * RFC 5322 and RFC 2045 allow on the wire. Header fields holding 8-bit
 * bytes are written again with RFC 2047 words (in address fields only the
 * names; the addresses stay as they are); a body that is not ASCII gets
 * MIME-Version, a UTF-8 text/plain Content-Type and quoted-printable, so no
 * relay has to guess a charset or support 8BITMIME. Fields that are ASCII
 * keep their bytes and their folding. With flowed, every such body is
 * declared and sent as format=flowed (RFC 3676), as the composer's is. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/base/utf8.h"
#include "src/mime/mime.h"
#include "src/mime/mime_build.h"
#include "src/mime/mime_int.h"
#include "src/base/util.h"

/* RFC 5322 2.1.1: no line may be longer than this, CRLF excluded. */
#define MAX_LINE 998

static int
has_8bit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

static int
is_address_field(const char *name, size_t n)
{
	static const char *const fields[] = { "From", "To", "Cc", "Bcc", "Reply-To", "Sender",
	                                      "Resent-From", "Resent-To", "Resent-Cc", "Resent-Bcc",
	                                      "Resent-Sender", "Mail-Followup-To", "Mail-Reply-To" };
	for (size_t i = 0; i < ARRAY_LEN(fields); i++)
		if (strlen(fields[i]) == n && strncasecmp(name, fields[i], n) == 0)
			return 1;
	return 0;
}

/* One field (its first line at raw+start, continuations up to end) with
 * 8-bit text, written again encoded. The value is repaired to valid UTF-8
 * first: a stray Latin-1 byte must not make an invalid encoded word. */
static void
put_encoded_field(strbuf *out, const char *raw, size_t start, size_t end)
{
	const char *colon = memchr(raw + start, ':', end - start);
	size_t nl = (size_t)(colon - (raw + start)), i = (size_t)(colon - raw) + 1;
	strbuf unfolded = STRBUF_INIT, value = STRBUF_INIT;
	char *name;

	/* Unfolding removes the line breaks only (RFC 5322 2.2.3). */
	while (i < end) {
		size_t next, e = mime_line_end(raw, end, i, &next);
		sb_add(&unfolded, raw + i, e - i);
		i = next;
	}
	mime_utf8_repair(unfolded.buf ? unfolded.buf : "", unfolded.len, &value);
	while (nl > 0 && (raw[start + nl - 1] == ' ' || raw[start + nl - 1] == '\t'))
		nl--;
	name = xstrndup(raw + start, nl);
	if (is_address_field(name, nl)) {
		struct mail_addr_list l;
		mail_addr_parse(value.buf ? value.buf : "", &l);
		mime_put_addresses(out, name, &l);
		mail_addr_free(&l);
	} else {
		mime_put_unstructured(out, name, value.buf ? value.buf : "");
	}
	free(name);
	sb_free(&unfolded);
	sb_free(&value);
}

size_t
mime_raw_long_line(const char *raw, size_t len, size_t off, size_t *octets)
{
	size_t line = 1;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(raw + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - raw) : len, n = e - i;
		if (n > 0 && raw[e - 1] == '\r' && nl)
			n--;
		if (i >= off && n > MAX_LINE) {
			*octets = n;
			return line;
		}
		line++;
		i = nl ? e + 1 : len;
	}
	*octets = 0;
	return 0;
}

char *
mime_raw_encode(const char *raw, size_t len, int flowed, size_t *out_len, int *notes)
{
	struct mime_hdrs h;
	strbuf out = STRBUF_INIT;
	size_t body_off, i = 0, field = 0, octets;
	int in_field = 0, body_8bit, head_8bit, body_long, qp;
	char *body, *text;

	*notes = 0;

	mime_hdrs_parse(raw, len, &h, &body_off);
	/* The writer's own MIME: whatever it says is theirs to get right. */
	if (mime_hdrs_get(&h, "MIME-Version") || mime_hdrs_get(&h, "Content-Type") ||
	    mime_hdrs_get(&h, "Content-Transfer-Encoding")) {
		mime_hdrs_free(&h);
		return NULL;
	}
	mime_hdrs_free(&h);
	head_8bit = has_8bit(raw, body_off);
	body_8bit = has_8bit(raw + body_off, len - body_off);
	/* A line past 998 octets is refused by servers ("500 Line too long")
	 * once the message is queued: quoted-printable breaks it with soft
	 * line breaks, and the reader sees the line whole again. */
	body_long = mime_raw_long_line(raw, len, body_off, &octets) != 0;
	if (!head_8bit && !body_8bit && !body_long && !flowed)
		return NULL;

	/* The header block line by line: a field is its first line and the
	 * continuation lines after it. */
	while (i < body_off) {
		size_t next, e = mime_line_end(raw, len, i, &next);
		int cont = e > i && (raw[i] == ' ' || raw[i] == '\t');
		if (in_field && !cont) {
			if (has_8bit(raw + field, i - field))
				put_encoded_field(&out, raw, field, i);
			else
				sb_add(&out, raw + field, i - field);
			in_field = 0;
		}
		if (e == i)
			break;   /* the empty line: added back below */
		if (!in_field) {
			if (!cont && memchr(raw + i, ':', e - i)) {
				field = i;
				in_field = 1;
			} else {
				sb_add(&out, raw + i, next - i);   /* junk is kept as it was */
			}
		}
		i = next;
	}
	if (in_field) {
		if (has_8bit(raw + field, body_off - field))
			put_encoded_field(&out, raw, field, body_off);
		else
			sb_add(&out, raw + field, body_off - field);
	}
	if (out.len && out.buf[out.len - 1] != '\n')
		sb_adds(&out, "\r\n");
	if (body_8bit && !utf8_valid(raw + body_off, len - body_off)) {
		/* Labelled UTF-8 it must be UTF-8: a body that is not was
		 * written in the usual 8-bit set (Latin-1 or its Windows
		 * superset), and is converted rather than mislabelled. */
		body = mime_to_utf8(NULL, raw + body_off, len - body_off);
		*notes |= MIME_RAW_CONVERTED;
	} else {
		body = xstrndup(raw + body_off, len - body_off);
	}
	/* The body is the writer's plain text, as the composer's is: sent
	 * flowed, so that its paragraphs reflow on a narrow screen. */
	text = flowed ? mime_flowed_encode(body) : NULL;
	qp = body_8bit || body_long || (text && mime_text_needs_qp(text));
	if (flowed)
		sb_printf(&out, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\n"
		                "Content-Transfer-Encoding: %s\r\n", qp ? "quoted-printable" : "7bit");
	else if (qp)
		sb_adds(&out, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
		              "Content-Transfer-Encoding: quoted-printable\r\n");
	sb_adds(&out, "\r\n");
	if (qp)
		mime_qp_encode(text ? text : body, &out);
	else if (text)
		sb_adds(&out, text);
	else
		sb_add(&out, body, len - body_off);
	free(text);
	free(body);
	*out_len = out.len;
	return sb_steal(&out);
}
