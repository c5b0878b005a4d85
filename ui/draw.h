/* Putting text on the screen safely and by display width. Every string that
 * reaches curses goes through here: control characters and escape
 * sequences come out inert (^[), widths come from wcwidth (CJK and emoji
 * take two cells, combining marks none), and nothing is drawn past the
 * given width. Main thread only. */
#ifndef TERN_UI_DRAW_H
#define TERN_UI_DRAW_H

#include <stddef.h>

/* Draws s (UTF-8, untrusted) at y,x in at most w cells, padding with
 * spaces to w when pad. Returns the cells used. */
int draw_text(int y, int x, int w, const char *s, int pad);
/* Display width of s once made safe. */
int draw_width(const char *s);
/* Clears w cells at y,x. */
void draw_blank(int y, int x, int w);
/* Byte length of the longest prefix of s (safe text: no controls) that fits
 * in w cells; *used gets its width. Never splits a character from the
 * combining marks that follow it. */
size_t draw_fit(const char *s, size_t len, int w, int *used);

#endif
