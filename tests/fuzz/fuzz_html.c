/* HTML mail through the built-in reducer (html_to_text), which the pager,
 * replies and the search index use when no html_filter is configured. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "src/mime/html_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	free(html_to_text((const char *)data, size));
	return 0;
}
