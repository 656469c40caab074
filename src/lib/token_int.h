/* Token helpers shared inside the library. */
#ifndef HF_TOKEN_INT_H
#define HF_TOKEN_INT_H

#include "client_int.h"

/* Read and clean the token file; *out is NULL when absent or empty. */
int hf__token_read_file(hf_client *c, char **out);

#endif
