/* Text from mail is untrusted: before it reaches a terminal, control
 * characters (C0, DEL, C1, so also ESC and CSI) are made inert as ^X or
 * <U+0085>-style marks, and invalid UTF-8 becomes U+FFFD. Newlines and tabs
 * are kept only where the caller says so. Returns a new string. */
#ifndef TERN_TEXTSAFE_H
#define TERN_TEXTSAFE_H

#include <stddef.h>

enum { TEXT_KEEP_NEWLINES = 1, TEXT_KEEP_TABS = 2 };

char *text_sanitize(const char *s, int flags);
char *text_sanitize_n(const char *s, size_t len, int flags);

#endif
