#include "env.h"

#include <stdlib.h>

static const char *process_getenv(const char *name, void *payload)
{
	(void)payload;
	return getenv(name);
}

void hf__env_init(hf__env *e, hf__getenv_fn fn, void *payload)
{
	e->fn = fn ? fn : process_getenv;
	e->payload = fn ? payload : NULL;
}

const char *hf__env_get(const hf__env *e, const char *name)
{
	return e->fn(name, e->payload);
}

const char *hf__env_nonempty(const hf__env *e, const char *name)
{
	const char *v = hf__env_get(e, name);

	return v && *v ? v : NULL;
}
