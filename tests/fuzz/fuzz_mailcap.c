/* A mailcap line, and the media type and file name a hostile message
 * gives: mailcap_entry_parse(), mailcap_type_matches() and the script
 * mailcap_script() makes of the view command, as ui/attach_menu.c runs
 * them. The input is "line NUL type". mailcap_find() is left out on
 * purpose: it runs test= commands, which a fuzzer must never write.
 * The script may hold the file and the type only as references to $1 and
 * $2 (they never become command text), so neither appears in it. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/mime/mailcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *type;
	struct mailcap_entry e = { 0 };

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	type = buf + strlen(buf);
	if (type < buf + size)
		type++;
	if (mailcap_entry_parse(buf, &e) == 0) {
		char *s1, *s2;
		if (!e.type || !e.view)
			abort();
		(void)mailcap_type_matches(e.type, type);
		s1 = mailcap_script(e.view, 0);
		s2 = mailcap_script(e.view, 1);
		/* %s and %t are references, never left for the shell to see (but
		 * "\\%s", a literal %s). */
		if (!s1 || !s2 || (!strchr(e.view, '\\') && (strstr(s1, "%s") || strstr(s1, "%t"))))
			abort();
		free(s1);
		free(s2);
	}
	mailcap_entry_free(&e);
	(void)mailcap_type_matches(type, buf);
	free(buf);
	return 0;
}
