/* The LFS batch answer (untrusted: from the Hub or a mirror). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "upload/lfs_batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const hf__lfs_object objs[2] = {
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 40 },
		{ "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 0 },
	};
	hf__lfs_action out[2];
	const char *err = NULL;
	size_t i, k;

	if (hf__lfs_batch_parse((const char *)data, size, objs, 2, out, &err) == 0) {
		for (i = 0; i < 2; i++) {
			const hf__lfs_action *a = &out[i];

			if ((a->kind == HF__LFS_BASIC || a->kind == HF__LFS_MULTIPART) && !a->href)
				abort();
			if (a->kind == HF__LFS_ERROR && !a->error_message)
				abort();
			if (a->kind != HF__LFS_MULTIPART)
				continue;
			/* exactly ceil(size / chunk) parts, every one present */
			if (a->chunk_size == 0 || a->n_parts == 0 ||
			    (a->n_parts - 1) * a->chunk_size >= objs[i].size ||
			    a->n_parts * a->chunk_size < objs[i].size)
				abort();
			for (k = 0; k < a->n_parts; k++)
				if (!a->parts[k])
					abort();
		}
		hf__lfs_actions_free(out, 2);
	} else if (!err) {
		abort();
	}
	return 0;
}
