/* A built-in HTML to text reducer, for when no html_filter is configured
 * or it fails: readable, not faithful. Scripts, styles and the head are
 * dropped, block tags become line breaks, list items "* ", links
 * "text <url>", entities decoded, whitespace collapsed. UTF-8 in and out;
 * the result is not sanitised for a terminal. Never NULL; caller frees. */
#ifndef TERN_HTML_TEXT_H
#define TERN_HTML_TEXT_H

#include <stddef.h>

char *html_to_text(const char *html, size_t len);

#endif
