/* The preupload answer (untrusted: from the Hub or a mirror). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "upload/preupload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const hf__preupload_file files[3] = {
		{ "a.txt", 6, NULL, 0 },
		{ "model.safetensors", 1000000, NULL, 0 },
		{ "empty", 0, NULL, 0 },
	};
	hf__preupload_answer out[3];
	const char *err = NULL;
	size_t i;

	if (hf__preupload_parse((const char *)data, size, files, 3, out, &err) == 0) {
		for (i = 0; i < 3; i++) {
			size_t n = strlen(out[i].oid);

			if (out[i].mode != HF__UPLOAD_LFS && out[i].mode != HF__UPLOAD_REGULAR)
				abort();
			if (n != 0 && n != 40 && n != 64)
				abort();
		}
		if (out[2].mode != HF__UPLOAD_REGULAR)
			abort();
	} else if (!err) {
		abort();
	}
	return 0;
}
