/* Colour lines of the config ("color OBJECT FOREGROUND BACKGROUND
 * [ATTRIBUTE...]", as in mutt): the objects, the colour names and the
 * attributes, read without curses so that `tern config check` judges them.
 * ui/colour.c turns the rules into curses attributes. */
#ifndef TERN_CONFIG_COLOUR_H
#define TERN_CONFIG_COLOUR_H

#include <stdint.h>

/* In the order rules mix: a later object's colour wins over an earlier's
 * (an unread, flagged row is the flagged colour, and bold). */
enum colour_obj {
	COL_NORMAL,
	COL_HEADER,
	COL_QUOTED,                 /* quote depth 1; quoted1..3 are depths 2..4, then again */
	COL_QUOTED1,
	COL_QUOTED2,
	COL_QUOTED3,
	COL_SIGNATURE,
	COL_ATTACHMENT,
	COL_UNREAD,
	COL_FLAGGED,
	COL_DELETED,
	COL_TAGGED,
	COL_FAILED,
	COL_TREE,
	COL_STATUS,
	COL_SEARCH,
	COL_INDICATOR,
	COL_N
};

#define COLOUR_DEFAULT  (-1)        /* the terminal's own colour */
#define COLOUR_RGB      0x1000000   /* | 0xrrggbb: a #rrggbb colour */

enum colour_attr_bits {
	CA_BOLD = 1, CA_UNDERLINE = 2, CA_REVERSE = 4, CA_STANDOUT = 8, CA_DIM = 16, CA_ITALIC = 32
};

struct colour_rule {
	enum colour_obj obj;
	int32_t fg, bg;             /* COLOUR_DEFAULT, 0..255, or COLOUR_RGB | rgb */
	unsigned attrs;             /* enum colour_attr_bits */
};

/* Reads "OBJECT FG BG [ATTR...]". TERN_OK, or TERN_ECONFIG with *why
 * (caller frees) naming what is wrong, with a "did you mean" when a
 * name is close to a known one. */
int colour_rule_parse(const char *spec, struct colour_rule *out, char **why);

/* The object's name, as written in the config. */
const char *colour_obj_name(enum colour_obj o);

/* The default scheme's rule for an object: foreground colours and
 * attributes only, so the terminal's background (light or dark) stays. */
struct colour_rule colour_default(enum colour_obj o);

#endif
