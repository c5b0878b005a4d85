/* UTF-8 as tern accepts it everywhere (RFC 3629): no overlong forms, no
 * surrogates, nothing above U+10FFFF. One definition, so that the text a
 * terminal shows (textsafe.h), the JSON tern prints (jsonout.h) and the
 * charset conversion of mail (mime) agree on what is valid. */
#ifndef TERN_UTF8_H
#define TERN_UTF8_H

#include <stddef.h>

/* The length of the valid sequence at s (left bytes available, at least
 * 1), 1 for ASCII; 0 if the bytes there are not valid UTF-8. */
size_t utf8_seq_len(const unsigned char *s, size_t left);

/* Whether the n bytes at s are all valid UTF-8. */
int utf8_valid(const char *s, size_t n);

/* The code point of a sequence of n bytes utf8_seq_len() accepted. */
unsigned long utf8_code_point(const unsigned char *s, size_t n);

#endif
