/* Line-drawing glyphs for the thread tree and frames: the box-drawing
 * characters when the locale is UTF-8, else ASCII (curses' ACS set is not
 * used: through some terminals and multiplexers it comes out as the
 * letters x, q, m). Main thread only. */
#ifndef TERN_UI_GLYPH_H
#define TERN_UI_GLYPH_H

enum glyph {
	GLYPH_VLINE,      /* │ | */
	GLYPH_HLINE,      /* ─ - */
	GLYPH_TEE,        /* ├ + */
	GLYPH_CORNER,     /* └ ` (the last child of a thread) */
	GLYPH_UL,         /* ┌ + */
	GLYPH_UR,         /* ┐ + */
	GLYPH_LL,         /* └ + */
	GLYPH_LR,         /* ┘ + */
};

/* The glyph as a string drawn in one cell. */
const char *glyph(enum glyph g);

#endif
