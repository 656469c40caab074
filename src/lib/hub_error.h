/* Turning a Hub error reply into an hf_code and a message (hub-protocol.md §3.5). */
#ifndef HF_HUB_ERROR_H
#define HF_HUB_ERROR_H

#include "hf/auth.h"
#include "http.h"

/*
 * Map a non-2xx reply to an error on the client and return its code.
 * source says where the token that was sent came from (NONE when no token
 * was sent), so that a 401 can name it.
 */
int hf__hub_error(hf_client *c, const hf__xfer *r, const char *url,
		  hf_token_source source);

/* Write the hint for an invalid token from source into buf. */
void hf__invalid_token_hint(char *buf, size_t size, hf_token_source source, const char *endpoint);

#endif
