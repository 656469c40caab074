/*
 * Names that become paths and URLs: repo ids, revisions, file names,
 * etags, patterns. Input: "<a>\n<b>" (b is the name matched against a).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a = malloc(size + 1), *b, *nl, *quoted;
	const char *reason = NULL;
	const char *pats[1];
	size_t qlen;

	if (!a)
		return 0;
	memcpy(a, data, size);
	a[size] = '\0';
	nl = strchr(a, '\n');
	b = nl ? nl + 1 : a;
	if (nl)
		*nl = '\0';
	(void)hf__valid_repo_id(a);
	(void)hf__valid_revision(a);
	(void)hf__is_commit_hash(a);
	/* A valid file name never climbs out of its directory. */
	if (hf__valid_filename(a, &reason)) {
		const char *seg = a;

		if (a[0] == '/' || strchr(a, '\\'))
			abort();
		while (seg) {
			const char *end = strchr(seg, '/');
			size_t n = end ? (size_t)(end - seg) : strlen(seg);

			if (n == 0 || (n == 2 && seg[0] == '.' && seg[1] == '.'))
				abort();
			seg = end ? end + 1 : NULL;
		}
	}
	(void)hf__fnmatch(a, b);
	pats[0] = a;
	(void)hf__filter_match(b, pats, 1, pats, 1);
	qlen = strlen(b) * 3 + 1;
	quoted = malloc(qlen);
	if (quoted && hf__url_quote(b, "/", quoted, qlen) == (size_t)-1)
		abort(); /* 3 bytes per input byte always fit */
	free(quoted);
	if (hf__normalize_etag(b) && !hf__is_etag(b))
		abort();
	free(a);
	return 0;
}
