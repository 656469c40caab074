/*
 * JSON answers of the Hub's API (untrusted: from the Hub, a mirror or
 * whatever HF_ENDPOINT names):
 *
 * - the revision answer (/api/<type>s/<id>/revision/<rev>): only its "sha"
 *   is used. Its parse is inline in resolve_commit_online() (download.c,
 *   static); the same calls are made here: json_loadb(body, 0) then
 *   hf__is_commit_hash() of the "sha" string;
 * - an error reply (hf__hub_error, hub_error.c): the status, the
 *   X-Error-Message header and the JSON body's "error" string become the
 *   client's error message, which the CLI prints on one line of a terminal.
 *
 * Input: byte 0 picks the status, byte 1 the token source and whether an
 * X-Error-Message header is present; with the header, its value runs up to
 * the first '\n'. The rest is the body.
 *
 * Oracles: an accepted sha is 40 lower-case hex; an error reply always
 * maps to an error code, and the message is one line of well-formed UTF-8
 * with no control character (no terminal escape sequence from the server
 * gets through).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "hf/hf.h"
#include "hub_error.h"
#include "validate.h"
#include "fuzz_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * One line, nothing a terminal would act on: no C0 control, no DEL, no C1
 * control, and well-formed UTF-8 (checked here independently of the
 * library's code).
 */
static void check_line(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned c = *p, n, i;
		unsigned long cp;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				abort();
			p++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			abort();
		}
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				abort();
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
			abort();
		p += n + 1;
	}
}

static void revision_answer(const char *body, size_t len)
{
	json_t *root = json_loadb(body, len, 0, NULL);
	const char *sha = json_string_value(json_object_get(root, "sha"));

	if (sha && hf__is_commit_hash(sha)) {
		size_t i;

		if (strlen(sha) != 40)
			abort();
		for (i = 0; i < 40; i++)
			if (!((sha[i] >= '0' && sha[i] <= '9') || (sha[i] >= 'a' && sha[i] <= 'f')))
				abort();
	}
	json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 401, 403, 404, 409, 410, 416, 429, 500, 502, 503, 504, 307, 0, 999 };
	static const hf_token_source sources[] = { HF_TOKEN_SOURCE_NONE, HF_TOKEN_SOURCE_EXPLICIT,
						   HF_TOKEN_SOURCE_HF_TOKEN, HF_TOKEN_SOURCE_FILE };
	hf__xfer x = HF__XFER_INIT;
	hf_client *c = fuzz_client();
	const hf_error *e;
	const char *rest;
	size_t len;
	int rc;

	if (size < 2)
		return 0;
	x.status = statuses[data[0] % (sizeof(statuses) / sizeof(statuses[0]))];
	rest = (const char *)data + 2;
	len = size - 2;
	if (data[1] & 0x10) {
		const char *nl = memchr(rest, '\n', len);
		size_t n = nl ? (size_t)(nl - rest) : len;

		x.error_message = malloc(n + 1);
		if (!x.error_message)
			return 0;
		memcpy(x.error_message, rest, n);
		x.error_message[n] = '\0';
		rest += nl ? n + 1 : n;
		len -= nl ? n + 1 : n;
	}
	/* The body as the transport keeps it: an hf__buf (NUL-terminated). */
	if (len && hf__buf_append(&x.body, rest, len) < 0) {
		free(x.error_message);
		return 0;
	}
	revision_answer(rest, len);

	x.request_id = (char *)"Root=1-fuzz";
	rc = hf__hub_error(c, &x, "https://huggingface.co/api/models/a/b/revision/main",
			   sources[data[1] % 4]);
	e = hf_client_error(c);
	if (rc == HF_OK || e->code != rc || !e->message)
		abort();
	check_line(e->message);
	if (e->hint)
		check_line(e->hint);
	x.request_id = NULL;
	free(x.error_message);
	hf__buf_dispose(&x.body);
	return 0;
}
