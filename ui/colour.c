#include "config.h"

#include <curses.h>
#include <stdlib.h>

#include "src/base/err.h"
#include "src/base/util.h"
#include "ui/colour.h"

static struct colour_rule rules[COL_N];
static int use_colour;          /* colours on this terminal (else attributes only) */
static int have_default;        /* use_default_colors() worked: -1 is the terminal's own */

/* Pairs are handed out as mixes need them; COLOR_PAIR() holds 8 bits. */
static struct {
	short fg, bg;
} pairs[256];
static int npairs = 1;

/* xterm's palette: what a colour index looks like, for finding the
 * nearest one a terminal with fewer colours has. */
static long
index_rgb(int i)
{
	static const long basic[16] = { 0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd,
	                                0x00cdcd, 0xe5e5e5, 0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00,
	                                0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff };
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };
	if (i < 16)
		return basic[i];
	if (i < 232) {
		i -= 16;
		return (long)level[i / 36] << 16 | level[i / 6 % 6] << 8 | level[i % 6];
	}
	i = 8 + (i - 232) * 10;
	return (long)i << 16 | i << 8 | i;
}

static long
rgb_distance(long a, long b)
{
	long dr = (a >> 16 & 255) - (b >> 16 & 255), dg = (a >> 8 & 255) - (b >> 8 & 255),
	     db = (a & 255) - (b & 255);
	return dr * dr + dg * dg + db * db;
}

/* The index among the first n of the palette (from 'from') nearest to rgb. */
static int
nearest(long rgb, int from, int n)
{
	int best = from;
	for (int i = from; i < n; i++)
		if (rgb_distance(rgb, index_rgb(i)) < rgb_distance(rgb, index_rgb(best)))
			best = i;
	return best;
}

/* A configured colour as this terminal's colour number; *bold when an
 * 8-colour terminal shows a bright colour as bold (as mutt does). */
static short
curses_colour(int32_t c, int is_fg, attr_t *bold)
{
	if (c == COLOUR_DEFAULT)
		return have_default ? -1 : is_fg ? COLOR_WHITE : COLOR_BLACK;
	if (c & COLOUR_RGB) {
		long rgb = c & 0xffffff;
		/* The cube and the greys, not the 16 the user may have themed. */
		return (short)(COLORS >= 256 ? nearest(rgb, 16, 256) : nearest(rgb, 0, COLORS >= 16 ? 16 : 8));
	}
	if (c < COLORS)
		return (short)c;
	if (c < 16) {
		if (is_fg)
			*bold = A_BOLD;
		return (short)(c - 8);
	}
	return (short)nearest(index_rgb(c), 0, COLORS >= 16 ? 16 : 8);
}

static attr_t
attrs_of(unsigned a)
{
	attr_t r = A_NORMAL;
	if (a & CA_BOLD)
		r |= A_BOLD;
	if (a & CA_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & CA_REVERSE)
		r |= A_REVERSE;
	if (a & CA_STANDOUT)
		r |= A_STANDOUT;
	if (a & CA_DIM)
		r |= A_DIM;
#ifdef A_ITALIC
	if (a & CA_ITALIC)
		r |= A_ITALIC;
#endif
	return r;
}

static attr_t
pair_of(int32_t fg, int32_t bg)
{
	attr_t extra = 0;
	short f, b;
	if (!use_colour || (fg == COLOUR_DEFAULT && bg == COLOUR_DEFAULT && have_default))
		return A_NORMAL;
	f = curses_colour(fg, 1, &extra);
	b = curses_colour(bg, 0, &extra);
	for (int i = 1; i < npairs; i++)
		if (pairs[i].fg == f && pairs[i].bg == b)
			return COLOR_PAIR(i) | extra;
	if (npairs >= (int)ARRAY_LEN(pairs) || npairs >= COLOR_PAIRS || init_pair((short)npairs, f, b) == ERR)
		return extra;
	pairs[npairs].fg = f;
	pairs[npairs].bg = b;
	return COLOR_PAIR(npairs++) | extra;
}

void
colour_setup(const struct config *cfg)
{
	const char *no = getenv("NO_COLOR");

	for (int o = 0; o < COL_N; o++)
		rules[o] = colour_default((enum colour_obj)o);
	for (size_t i = 0; cfg && i < cfg->colors.n; i++) {
		struct colour_rule r;
		char *why = NULL;
		/* conf_load() has judged every line already. */
		if (colour_rule_parse(cfg->colors.v[i].value, &r, &why) == TERN_OK)
			rules[r.obj] = r;
		free(why);
	}
	/* https://no-color.org: set and not empty means no colour. */
	use_colour = !(no && *no) && has_colors() && start_color() == OK;
	have_default = use_colour && use_default_colors() == OK;
	npairs = 1;
	bkgdset(' ' | colour_attr(COL_NORMAL));
}

attr_t
colour_attr(enum colour_obj o)
{
	return colour_mix(1u << o);
}

attr_t
colour_mix(unsigned objs)
{
	int32_t fg = COLOUR_DEFAULT, bg = COLOUR_DEFAULT;
	unsigned a = 0;
	objs |= 1u << COL_NORMAL;     /* what an object leaves default is normal's */
	for (int o = 0; o < COL_N; o++) {
		if (!(objs & (1u << o)))
			continue;
		if (rules[o].fg != COLOUR_DEFAULT)
			fg = rules[o].fg;
		if (rules[o].bg != COLOUR_DEFAULT)
			bg = rules[o].bg;
		a |= rules[o].attrs;
	}
	return attrs_of(a) | pair_of(fg, bg);
}

enum colour_obj
colour_quoted(int depth)
{
	static const enum colour_obj q[4] = { COL_QUOTED, COL_QUOTED1, COL_QUOTED2, COL_QUOTED3 };
	return depth <= 0 ? COL_NORMAL : q[(depth - 1) % 4];
}
