/* stored_tokens (INI): whatever parses must serialise and parse back the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hf__ini a = HF__INI_INIT, b = HF__INI_INIT;
	char *text, *again;

	if (hf__ini_parse(&a, (const char *)data, size, NULL) != 0)
		return 0;
	text = hf__ini_serialize(&a);
	if (text && hf__ini_parse(&b, text, strlen(text), NULL) == 0) {
		again = hf__ini_serialize(&b);
		if (again && strcmp(text, again) != 0)
			abort();
		free(again);
	}
	free(text);
	hf__ini_dispose(&a);
	hf__ini_dispose(&b);
	return 0;
}
