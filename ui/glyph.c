#include "config.h"

#include <langinfo.h>
#include <string.h>

#include "ui/glyph.h"

const char *
glyph(enum glyph g)
{
	static const char *const utf8[] = { "│", "─", "├", "└", "┌", "┐", "└", "┘" };
	static const char *const ascii[] = { "|", "-", "+", "`", "+", "+", "+", "+" };
	static int is_utf8 = -1;
	/* The locale is set once, before the screen starts. */
	if (is_utf8 < 0)
		is_utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	return (is_utf8 ? utf8 : ascii)[g];
}
