/* The commit answer (untrusted: from the Hub or a mirror). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "upload/commit_answer.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hf__commit_answer a;
	const char *err = NULL;

	if (hf__commit_answer_parse((const char *)data, size, &a, &err) == 0) {
		if (!hf__is_commit_hash(a.oid) || !a.url)
			abort();
		if ((a.pr_url == NULL) != (a.pr_num < 0))
			abort();
		if (a.pr_url && hf__pr_number_from_url(a.pr_url) != a.pr_num)
			abort();
		hf__commit_answer_free(&a);
	} else if (!err) {
		abort();
	}
	return 0;
}
