/* Attachment names and media types from the mail on their way to the file
 * system and the shell (ui/attach_menu.c: attach_safe_name, the name a
 * part is saved under and opened as; attach_safe_type, the %t run-mailcap
 * pastes unquoted). The harness checks what they promise, so a name that
 * could climb out of the directory or reach a shell as code aborts. Input:
 * the name, then after the first NUL the media type. The mailcap parsing
 * itself is static in ui/attach_menu.c (being moved to a module). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui/pager_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_name(const char *s)
{
	if (!*s || *s == '.' || *s == ' ' || strlen(s) > 255)
		abort();
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || strchr("/\\^:*?\"<>|$`'", *p))
			abort();
}

static void
check_type(const char *t)
{
	const char *slash = strchr(t, '/');
	if (!slash || slash == t || !slash[1] || strchr(slash + 1, '/'))
		abort();
	for (const char *p = t; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("./+-_", *p)))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *type, *s;

	memcpy(in, data, size);
	in[size] = '\0';
	type = strlen(in) < size ? in + strlen(in) + 1 : NULL;
	s = attach_safe_name(in, "2.1");
	check_name(s);
	free(s);
	s = attach_safe_type(type);
	check_type(s);
	free(s);
	free(in);
	return 0;
}
