#include "hf/hf.h"

const char *hf_version(void)
{
	return HF_VERSION;
}
