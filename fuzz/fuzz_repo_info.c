/*
 * JSON answers of the Hub's API (untrusted: from the Hub, a mirror or
 * whatever HF_ENDPOINT names):
 *
 * - the revision answer (/api/<type>s/<id>/revision/<rev>): only its "sha"
 *   is used. Its parse is inline in resolve_commit_online() (download.c,
 *   static); the same calls are made here: json_loadb(body, 0) then
 *   hf__is_commit_hash() of the "sha" string;
 * - an error reply (hf__hub_describe, hub_error.c): the status, the
 *   X-Error-Code and X-Error-Message headers and the JSON body's "error"
 *   string become the client's error message, which the CLI prints on one
 *   line of a terminal.
 *
 * Input: byte 0 picks the status (low 4 bits) and the X-Error-Code (high
 * bits); byte 1 the token source, whether the request was about a
 * repository (and a file's bytes) and whether an X-Error-Message header is
 * present; with the header, its value runs up to the first '\n'. The rest
 * is the body.
 *
 * Oracles: an accepted sha is 40 lower-case hex; an error reply always
 * maps to an error code, and the message is one line of well-formed UTF-8
 * with no control character (no terminal escape sequence from the server
 * gets through).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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
	static const char *const codes[] = { NULL, "RepoNotFound", "RevisionNotFound", "EntryNotFound",
					     "GatedRepo", "Other\x1b[31m" };
	hf_client *c = fuzz_client();
	hf__hub_subject subject;
	hf__failure f;
	const hf_error *e;
	const char *rest;
	char *message = NULL;
	size_t len;
	long status;
	int rc;

	if (size < 2)
		return 0;
	status = statuses[data[0] % (sizeof(statuses) / sizeof(statuses[0]))];
	rest = (const char *)data + 2;
	len = size - 2;
	if (data[1] & 0x10) {
		const char *nl = memchr(rest, '\n', len);
		size_t n = nl ? (size_t)(nl - rest) : len;

		message = malloc(n + 1);
		if (!message)
			return 0;
		memcpy(message, rest, n);
		message[n] = '\0';
		rest += nl ? n + 1 : n;
		len -= nl ? n + 1 : n;
	}
	revision_answer(rest, len);

	subject = hf__hub_subject_plain(c, data[1] % 4 != 0, sources[data[1] % 4]);
	if (data[1] & 0x20) {
		/* About a repository (and a file's bytes), as the download's requests are. */
		subject.repo_type = "model";
		subject.repo_id = "a/b";
		subject.revision = "main";
		subject.file = "x.bin";
		subject.file_bytes = (data[1] & 0x40) != 0;
	}
	hf__hub_describe(&subject, status, codes[(data[0] >> 4) % 6], message, rest, len, &f);
	snprintf(f.request_id, sizeof(f.request_id), "Root=1-fuzz");
	rc = hf__failure_report(c, &f, "https://huggingface.co/api/models/a/b/revision/main");
	e = hf_client_error(c);
	if (rc == HF_OK || e->code != rc || !e->message)
		abort();
	check_line(e->message);
	if (e->hint)
		check_line(e->hint);
	if (e->hub_code)
		check_line(e->hub_code);
	free(message);
	return 0;
}
