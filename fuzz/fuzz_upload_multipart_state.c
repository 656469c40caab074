/*
 * The multipart resume file (upload/multipart_state.h): a file in the
 * folder being uploaded, which a torn write or anyone with access to the
 * folder may have left in any shape. The input is the file's bytes.
 *
 * Oracles for an accepted state: n_parts = ceil(size / chunk) with every
 * part URL and ETag a valid value; it formats back to an input that
 * parses to the same state (one spelling modulo etag order). A rejected
 * input leaves the struct empty.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "upload/multipart_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hf__mp_state st, again;
	hf__buf text = HF__BUF_INIT;
	size_t i;

	if (hf__mp_state_parse((const char *)data, size, &st) != 0) {
		if (st.parts || st.etags || st.complete || st.n_parts)
			abort();
		return 0;
	}
	if (st.chunk == 0 || st.n_parts != (st.size + st.chunk - 1) / st.chunk ||
	    !hf__mp_state_value_ok(st.complete))
		abort();
	for (i = 0; i < st.n_parts; i++)
		if (!hf__mp_state_value_ok(st.parts[i]) ||
		    (st.etags[i] && !hf__mp_state_value_ok(st.etags[i])))
			abort();
	if (hf__mp_state_format(&text, &st) != 0)
		abort();
	if (hf__mp_state_parse(text.data, text.len, &again) != 0 || again.n_parts != st.n_parts ||
	    again.size != st.size || strcmp(again.complete, st.complete) != 0)
		abort();
	for (i = 0; i < st.n_parts; i++)
		if (strcmp(again.parts[i], st.parts[i]) != 0 ||
		    (!again.etags[i]) != (!st.etags[i]) ||
		    (st.etags[i] && strcmp(again.etags[i], st.etags[i]) != 0))
			abort();
	hf__mp_state_dispose(&again);
	hf__mp_state_dispose(&st);
	hf__buf_dispose(&text);
	return 0;
}
