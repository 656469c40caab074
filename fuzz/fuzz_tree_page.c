/* The tree API's JSON page (untrusted: from the Hub or a mirror). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hf__tree tree = { NULL, 0, 0 };
	char msg[256];
	size_t i;

	if (hf__tree_parse_page(&tree, (const char *)data, size, msg, sizeof(msg)) == 0) {
		hf__tree_sort(&tree);
		/* Every accepted name is findable and has a valid etag shape. */
		for (i = 0; i < tree.count; i++) {
			if (hf__tree_find(&tree, tree.files[i].path) == NULL)
				abort();
			if (!hf__tree_file_etag(&tree.files[i])[0])
				abort();
		}
	}
	hf__tree_dispose(&tree);
	return 0;
}
