/* The colour scheme on screen: each object of src/config/colour.h as
 * curses attributes. Main thread only. Without colours (NO_COLOR set and
 * not empty, TERM=dumb, a terminal without colours) the objects keep
 * their attributes (bold, reverse...) and nothing else. */
#ifndef TERN_UI_COLOUR_H
#define TERN_UI_COLOUR_H

#include <curses.h>

#include "src/config/colour.h"
#include "src/config/conf.h"

/* After initscr(): the default scheme, then the config's color lines in
 * order (a later line for an object replaces an earlier one). */
void colour_setup(const struct config *cfg);

/* What to attrset() for one object. */
attr_t colour_attr(enum colour_obj o);

/* Several objects at once (bit 1u << obj for each): the colours of the
 * later objects in the enum's order win, the attributes add up. */
attr_t colour_mix(unsigned objs);

/* The object of a quote depth (1 and deeper; 0 is normal text). */
enum colour_obj colour_quoted(int depth);

#endif
