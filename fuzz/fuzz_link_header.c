/* The Link header of paginated listings. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char *next;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	next = hf__link_next(s);
	if (next && strlen(next) > size)
		abort();
	free(next);
	free(s);
	return 0;
}
