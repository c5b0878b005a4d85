/* The words of a message for the search index: the decoded text of its
 * text parts (HTML reduced to text), attachments left out. */
#ifndef TERN_BODY_TEXT_H
#define TERN_BODY_TEXT_H

#include <stddef.h>

/* Never NULL (an unparsable message gives ""); caller frees. */
char *body_text_extract(const char *raw, size_t len);

#endif
