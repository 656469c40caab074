/*
 * One hf_client per fuzz process, blind to the environment (no HF_TOKEN,
 * no HF_HOME of the machine running the fuzzer). Header-only: each target
 * is its own executable.
 */
#ifndef HF_FUZZ_CLIENT_H
#define HF_FUZZ_CLIENT_H

#include <stdlib.h>

#include "hf/hf.h"

static const char *fuzz_no_env(const char *name, void *payload)
{
	(void)name;
	(void)payload;
	return NULL;
}

static hf_client *fuzz_client(void)
{
	static hf_client *c;

	if (!c) {
		hf_client_options o = HF_CLIENT_OPTIONS_INIT;

		o.endpoint = "https://huggingface.co";
		o.hf_home = "/nonexistent/hf-fuzz";
		o.getenv_fn = fuzz_no_env;
		if (hf_client_new(&c, &o) != HF_OK)
			abort();
	}
	return c;
}

#endif
