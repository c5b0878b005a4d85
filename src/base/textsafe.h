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

/* Whether text for the terminal must be ASCII: the locale's character set
 * (nl_langinfo(CODESET)) is not UTF-8, as under LANG=C, where curses draws
 * every other byte as a blank. */
int text_ascii_only(void);
/* s (UTF-8) as ASCII a person can still read and tell apart: accented
 * Latin letters without their accents (Jörg -> Jorg), Cyrillic
 * transliterated (Отчёты -> Otchyoty), dashes, quotes and box drawing as
 * their ASCII look-alikes (— -> --, │ -> |), anything else as ?. Control
 * characters are the caller's (text_sanitize first). Returns a new string. */
char *text_ascii(const char *s);

#endif
