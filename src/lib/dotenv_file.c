/* Public .env API on top of the parser in dotenv.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf/hf.h"
#include "dotenv.h"
#include "fsutil.h"
#include "util.h"

#define HF__DOTENV_MAX (1024 * 1024)

typedef struct collect {
	hf_strlist *keys, *values;
	int oom;
} collect;

static int on_pair(const char *key, const char *value, void *payload)
{
	collect *col = payload;

	if (hf__strlist_push(col->keys, key) < 0 || hf__strlist_push(col->values, value) < 0) {
		col->oom = 1;
		return 1;
	}
	return 0;
}

int hf_dotenv_read(hf_strlist *keys, hf_strlist *values, const char *path, char *errbuf, size_t errlen)
{
	collect col;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (!path || !keys || !values)
		return HF_EINVAL;
	memset(keys, 0, sizeof(*keys));
	memset(values, 0, sizeof(*values));
	rc = hf__read_file(path, HF__DOTENV_MAX, &text, &len);
	if (rc) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "cannot read env file '%s': %s", path,
				 rc == -EFBIG ? "larger than 1 MiB" : strerror(-rc));
		return HF_EIO;
	}
	col.keys = keys;
	col.values = values;
	col.oom = 0;
	if (hf__dotenv_parse(text, len, on_pair, NULL, NULL, &col) == -2)
		col.oom = 1;
	hf__wipe(text, len);
	free(text);
	if (col.oom) {
		hf_strlist_dispose(keys);
		hf_strlist_dispose(values);
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "out of memory");
		return HF_ENOMEM;
	}
	return HF_OK;
}

int hf_dotenv_load(const char *path, int override, char *errbuf, size_t errlen)
{
	hf_strlist keys, values;
	size_t i;
	int rc = hf_dotenv_read(&keys, &values, path, errbuf, errlen);

	if (rc)
		return rc;
	for (i = 0; i < keys.count && !rc; i++) {
		if (setenv(keys.items[i], values.items[i], override) != 0 && errno == ENOMEM)
			rc = HF_ENOMEM;
	}
	for (i = 0; i < values.count; i++)
		hf__wipe(values.items[i], strlen(values.items[i]));
	hf_strlist_dispose(&keys);
	hf_strlist_dispose(&values);
	return rc;
}
