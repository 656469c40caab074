/* .env files (hand-written, possibly hostile). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dotenv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_pair(const char *key, const char *value, void *payload)
{
	(void)payload;
	if (!key[0])
		abort(); /* a key is never empty (a quoted one may hold '=', as upstream) */
	(void)strlen(value);
	return 0;
}

static const char *no_env(const char *name, void *payload)
{
	(void)name;
	(void)payload;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)hf__dotenv_parse((const char *)data, size, on_pair, NULL, no_env, NULL);
	return 0;
}
