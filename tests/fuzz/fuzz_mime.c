/* A message as it arrives (any bytes), through what the pager and the
 * commands do with it: mime_render_raw (the pager's path: alternatives,
 * format=flowed, HTML through the built-in reducer, forwarded messages,
 * the attachment list), the parsed tree's attachments (RFC 2231 names)
 * and their decoded bytes, headers and addresses, the reply quote, the
 * search index's text. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "src/mime/mime.h"
#include "src/mime/mime_render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct render_opts o = { .headers = RENDER_HDR_ALL, .attachments = 1 };
	const char *raw = (const char *)data;
	struct mime_attachment *att = NULL;
	struct mail_addr_list from = { 0 };
	size_t natt = 0;
	mime_msg *m = NULL;
	char *s;

	free(mime_render_raw(raw, size, &o));
	free(mime_text_for_index(raw, size));
	if (mime_parse(raw, size, &m) != 0)
		return 0;
	o.headers = RENDER_HDR_DEFAULT;
	o.alternative_order = "text/html text/plain";
	free(mime_render(m, &o));
	free(mime_render_body(m, &o));
	free(mime_render_inline_messages(m, &o));
	mime_attachments(m, &att, &natt);
	for (size_t i = 0; i < natt; i++) {
		char *d = NULL;
		size_t len = 0;
		if (mime_attachment_data(m, att[i].part_id, &d, &len) == 0)
			free(d);
	}
	mime_attachments_free(att, natt);
	mime_header_addrs(m, "From", &from);
	free(mail_addr_format(&from));
	mail_addr_free(&from);
	(void)mime_date(m);
	s = mime_header(m, "Subject");
	free(s);
	mime_free(m);
	return 0;
}
