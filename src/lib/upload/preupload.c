/*
 * Preupload request and answer: see preupload.h.
 */
#include "upload/preupload.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "upload/json_out.h"
#include "validate.h"

int hf__preupload_request(hf__buf *out, const hf__preupload_file *files,
			  size_t n, const char *gitignore)
{
	size_t i;

	if (!out || !files || n == 0 || n > HF__PREUPLOAD_CHUNK)
		return -1;
	if (hf__buf_puts(out, "{\"files\":[") < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const hf__preupload_file *f = &files[i];
		size_t k = f->sample_len < HF__PREUPLOAD_SAMPLE ? f->sample_len
			: HF__PREUPLOAD_SAMPLE;

		if (!f->path || (!f->sample && k))
			return -1;
		if (hf__buf_puts(out, i ? ",{\"path\":" : "{\"path\":") < 0 ||
		    hf__json_put_string(out, f->path) < 0 ||
		    hf__buf_puts(out, ",\"sample\":\"") < 0 ||
		    hf__b64_append(out, f->sample, k) < 0 ||
		    hf__buf_printf(out, "\",\"size\":%" PRIu64 "}", f->size) < 0)
			return -1;
	}
	if (hf__buf_puts(out, "]") < 0)
		return -1;
	if (gitignore && (hf__buf_puts(out, ",\"gitIgnore\":") < 0 ||
			  hf__json_put_string(out, gitignore) < 0))
		return -1;
	return hf__buf_puts(out, "}");
}

long hf__preupload_find_gitignore(const hf__preupload_file *files, size_t n)
{
	size_t i;

	for (i = 0; files && i < n; i++)
		if (files[i].path && strcmp(files[i].path, ".gitignore") == 0)
			return (long)i;
	return -1;
}

static int fail(const char **err, const char *why)
{
	if (err)
		*err = why;
	return -1;
}

int hf__preupload_parse(const char *body, size_t len,
			const hf__preupload_file *files, size_t n,
			hf__preupload_answer *out, const char **err)
{
	json_t *root, *arr, *e;
	unsigned char *seen;
	size_t i, j;
	int rc = -1;

	if (!body || !files || !out || n == 0)
		return fail(err, "bad arguments");
	seen = calloc(n, 1);
	if (!seen)
		return fail(err, "out of memory");
	root = json_loadb(body, len, 0, NULL);
	if (!root || !json_is_object(root)) {
		fail(err, "preupload answer is not a JSON object");
		goto out;
	}
	arr = json_object_get(root, "files");
	if (!json_is_array(arr)) {
		fail(err, "preupload answer has no \"files\" array");
		goto out;
	}
	json_array_foreach(arr, i, e) {
		json_t *jp = json_object_get(e, "path");
		json_t *jm = json_object_get(e, "uploadMode");
		json_t *ji = json_object_get(e, "shouldIgnore");
		json_t *jo = json_object_get(e, "oid");
		hf__upload_mode mode;
		const char *oid = NULL;
		char low[65];

		if (!json_is_object(e) || !json_is_string(jp)) {
			fail(err, "preupload answer has an entry without a path");
			goto out;
		}
		if (json_is_string(jm) && strcmp(json_string_value(jm), "lfs") == 0) {
			mode = HF__UPLOAD_LFS;
		} else if (json_is_string(jm) &&
			   strcmp(json_string_value(jm), "regular") == 0) {
			mode = HF__UPLOAD_REGULAR;
		} else {
			fail(err, "preupload answer has an uploadMode other than lfs or regular");
			goto out;
		}
		if (!json_is_boolean(ji)) {
			fail(err, "preupload answer has no boolean shouldIgnore");
			goto out;
		}
		if (jo && !json_is_null(jo)) {
			size_t k, ol;

			oid = json_string_value(jo);
			ol = oid ? strlen(oid) : 0;
			if (!oid || ol >= sizeof low) {
				fail(err, "preupload answer has an invalid oid");
				goto out;
			}
			for (k = 0; k <= ol; k++)
				low[k] = (char)tolower((unsigned char)oid[k]);
			if (!hf__is_etag(low)) {
				fail(err, "preupload answer has an invalid oid");
				goto out;
			}
		}
		/* A path may be asked about once per request; match by string
		 * (json strings may hold NUL: compare lengths too). */
		for (j = 0; j < n; j++) {
			if (!files[j].path ||
			    strlen(files[j].path) != json_string_length(jp) ||
			    strcmp(files[j].path, json_string_value(jp)) != 0)
				continue;
			out[j].mode = files[j].size == 0 ? HF__UPLOAD_REGULAR : mode;
			out[j].should_ignore = json_is_true(ji);
			if (oid)
				memcpy(out[j].oid, low, sizeof low);
			else
				out[j].oid[0] = '\0';
			seen[j] = 1;
		}
	}
	for (j = 0; j < n; j++) {
		if (!seen[j]) {
			fail(err, "preupload answer misses a requested file");
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(root);
	free(seen);
	return rc;
}

int hf__upload_is_noop(const hf__preupload_answer *a, const char *local_sha256,
		       const char *local_git_sha1)
{
	const char *local;

	if (!a || !a->oid[0])
		return 0;
	local = a->mode == HF__UPLOAD_LFS ? local_sha256 : local_git_sha1;
	return local && strcmp(local, a->oid) == 0;
}
