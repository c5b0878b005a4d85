#include "config.h"

#include "src/base/textsafe.h"
#include "ui/glyph.h"

const char *
glyph(enum glyph g)
{
	static const char *const utf8[] = { "│", "─", "├", "└", "┌", "┐", "└", "┘" };
	static const char *const ascii[] = { "|", "-", "+", "`", "+", "+", "+", "+" };
	/* The same decision as every other text on the screen. */
	return (text_ascii_only() ? ascii : utf8)[g];
}
