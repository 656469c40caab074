/*
 * LFS batch request, answer and completion body: see lfs_batch.h.
 */
#include "upload/lfs_batch.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "upload/json_out.h"
#include "util.h"

static const char bad_multipart[] =
	"Invalid server response to upload large LFS file";

static int is_oid(const char *s)
{
	size_t n;

	if (!s)
		return 0;
	for (n = 0; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == 64;
}

int hf__lfs_batch_request(hf__buf *out, const hf__lfs_object *objs, size_t n,
			  const char *ref)
{
	size_t i;

	if (!out || !objs || n == 0 || n > HF__LFS_BATCH_CHUNK)
		return -1;
	if (hf__buf_puts(out, "{\"operation\":\"upload\","
			 "\"transfers\":[\"basic\",\"multipart\"],\"objects\":[") < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_oid(objs[i].oid))
			return -1;
		if (hf__buf_printf(out, "%s{\"oid\":\"%s\",\"size\":%" PRIu64 "}",
				   i ? "," : "", objs[i].oid, objs[i].size) < 0)
			return -1;
	}
	if (hf__buf_puts(out, "],\"hash_algo\":\"sha256\"") < 0)
		return -1;
	if (ref && (hf__buf_puts(out, ",\"ref\":{\"name\":") < 0 ||
		    hf__json_put_string(out, ref) < 0 ||
		    hf__buf_puts(out, "}") < 0))
		return -1;
	return hf__buf_puts(out, "}");
}

static void action_free(hf__lfs_action *a)
{
	size_t i;

	free(a->href);
	free(a->verify_href);
	for (i = 0; i < a->n_verify_headers; i++) {
		free(a->verify_headers[i].name);
		free(a->verify_headers[i].value);
	}
	free(a->verify_headers);
	for (i = 0; i < a->n_parts; i++)
		free(a->parts[i]);
	free(a->parts);
	free(a->error_message);
	memset(a, 0, sizeof *a);
}

void hf__lfs_actions_free(hf__lfs_action *actions, size_t n)
{
	size_t i;

	for (i = 0; actions && i < n; i++)
		action_free(&actions[i]);
}

/* A decimal chunk size, from a string of digits or a JSON integer; 0 if
 * neither or not positive (a zero chunk would make the part count
 * meaningless). */
static uint64_t chunk_size_of(json_t *v)
{
	uint64_t r = 0;
	const char *s;

	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
	s = json_string_value(v);
	if (!s || !*s || strlen(s) > 18)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		r = r * 10 + (uint64_t)(*s - '0');
	}
	return r;
}

/* The integer value of an all-digit key, or -1 (not all digits, or so
 * large it cannot be a part number of a sane answer). */
static long part_number(const char *k)
{
	long r = 0;

	if (!*k)
		return -1;
	for (; *k; k++) {
		if (*k < '0' || *k > '9')
			return -1;
		r = r * 10 + (*k - '0');
		if (r > 100000000L)
			return -1;
	}
	return r;
}

/* Fill a's multipart fields from the upload header; NULL or the error. */
static const char *parse_parts(json_t *header, uint64_t chunk, uint64_t size,
			       hf__lfs_action *a)
{
	const char *key;
	json_t *v;
	uint64_t want = size / chunk + (size % chunk != 0);
	size_t got = 0;

	/* The count is checked before anything is allocated for it. */
	json_object_foreach(header, key, v) {
		if (part_number(key) >= 0)
			got++;
	}
	if (got != want || got == 0)
		return bad_multipart;
	a->parts = calloc(got, sizeof *a->parts);
	if (!a->parts)
		return "out of memory";
	a->n_parts = got;
	a->chunk_size = chunk;
	/* Part numbers are 1..n when each is distinct and within range: place
	 * each by value (the keys "00001" and "1" are the same part). */
	json_object_foreach(header, key, v) {
		long k = part_number(key);

		if (k < 0)
			continue;
		if (k < 1 || (uint64_t)k > got || a->parts[k - 1] ||
		    !json_is_string(v))
			return bad_multipart;
		a->parts[k - 1] = hf__strdup(json_string_value(v));
		if (!a->parts[k - 1])
			return "out of memory";
	}
	return NULL;
}

static const char *parse_verify(json_t *verify, hf__lfs_action *a)
{
	json_t *href = json_object_get(verify, "href");
	json_t *header = json_object_get(verify, "header");
	const char *key;
	json_t *v;
	size_t i = 0;

	if (!json_is_object(verify) || !json_is_string(href) ||
	    (header && !json_is_object(header)))
		return "LFS batch answer has an invalid verify action";
	a->verify_href = hf__strdup(json_string_value(href));
	if (!a->verify_href)
		return "out of memory";
	if (!header || json_object_size(header) == 0)
		return NULL;
	a->verify_headers = calloc(json_object_size(header), sizeof *a->verify_headers);
	if (!a->verify_headers)
		return "out of memory";
	json_object_foreach(header, key, v) {
		if (!json_is_string(v))
			return "LFS batch answer has an invalid verify header";
		a->verify_headers[i].name = hf__strdup(key);
		a->verify_headers[i].value = hf__strdup(json_string_value(v));
		a->n_verify_headers = ++i;
		if (!a->verify_headers[i - 1].name || !a->verify_headers[i - 1].value)
			return "out of memory";
	}
	return NULL;
}

/* One answered object into a (already zeroed); NULL or the error. */
static const char *parse_object(json_t *o, uint64_t size, hf__lfs_action *a)
{
	json_t *actions = json_object_get(o, "actions");
	json_t *error = json_object_get(o, "error");
	json_t *upload, *verify, *href, *header, *cs;

	if (error) {
		json_t *code = json_object_get(error, "code");
		json_t *msg = json_object_get(error, "message");

		if (!json_is_object(error) || !json_is_integer(code) ||
		    !json_is_string(msg))
			return "LFS batch answer has an invalid error";
		a->kind = HF__LFS_ERROR;
		a->error_code = (long)json_integer_value(code);
		a->error_message = hf__strdup(json_string_value(msg));
		return a->error_message ? NULL : "out of memory";
	}
	if (!actions || json_is_null(actions))
		return NULL;                        /* already stored */
	if (!json_is_object(actions))
		return "LFS batch answer has invalid actions";
	verify = json_object_get(actions, "verify");
	upload = json_object_get(actions, "upload");
	if (!upload)
		return NULL;                        /* nothing to send */
	href = json_object_get(upload, "href");
	header = json_object_get(upload, "header");
	if (!json_is_object(upload) || !json_is_string(href) ||
	    (header && !json_is_object(header)))
		return "LFS batch answer has an invalid upload action";
	a->href = hf__strdup(json_string_value(href));
	if (!a->href)
		return "out of memory";
	if (verify) {
		const char *e = parse_verify(verify, a);

		if (e)
			return e;
	}
	cs = header ? json_object_get(header, "chunk_size") : NULL;
	if (!cs) {
		a->kind = HF__LFS_BASIC;
		return NULL;
	}
	a->kind = HF__LFS_MULTIPART;
	if (chunk_size_of(cs) == 0)
		return bad_multipart;
	return parse_parts(header, chunk_size_of(cs), size, a);
}

int hf__lfs_batch_parse(const char *body, size_t len,
			const hf__lfs_object *objs, size_t n,
			hf__lfs_action *out, const char **err)
{
	json_t *root = NULL, *arr, *o;
	unsigned char *seen = NULL;
	const char *e = NULL;
	size_t i, j;

	if (!body || !objs || !out || n == 0) {
		if (err)
			*err = "bad arguments";
		return -1;
	}
	memset(out, 0, n * sizeof *out);
	seen = calloc(n, 1);
	if (!seen) {
		e = "out of memory";
		goto out;
	}
	root = json_loadb(body, len, 0, NULL);
	arr = json_object_get(root, "objects");
	if (!json_is_object(root) || !json_is_array(arr)) {
		e = "LFS batch answer has no \"objects\" array";
		goto out;
	}
	json_array_foreach(arr, i, o) {
		json_t *oid = json_object_get(o, "oid");
		json_t *size = json_object_get(o, "size");

		if (!json_is_object(o) || !json_is_string(oid) ||
		    !json_is_integer(size) || json_integer_value(size) < 0) {
			e = "LFS batch answer has an object without oid or size";
			goto out;
		}
		for (j = 0; j < n; j++) {
			if (!objs[j].oid ||
			    strcmp(objs[j].oid, json_string_value(oid)) != 0 ||
			    json_string_length(oid) != 64)
				continue;
			/* A later answer for the same oid replaces the first. */
			action_free(&out[j]);
			e = parse_object(o, objs[j].size, &out[j]);
			if (e)
				goto out;
			seen[j] = 1;
		}
	}
	for (j = 0; j < n; j++) {
		if (!seen[j]) {
			e = "LFS batch answer misses a requested object";
			goto out;
		}
	}
out:
	json_decref(root);
	free(seen);
	if (e) {
		hf__lfs_actions_free(out, n);
		if (err)
			*err = e;
		return -1;
	}
	return 0;
}

int hf__lfs_completion_body(hf__buf *out, const char *oid,
			    const char *const *etags, size_t n)
{
	size_t i;

	if (!out || !is_oid(oid) || !etags || n == 0)
		return -1;
	if (hf__buf_printf(out, "{\"oid\":\"%s\",\"parts\":[", oid) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!etags[i] || !etags[i][0])
			return -1;
		if (hf__buf_printf(out, "%s{\"partNumber\":%zu,\"etag\":",
				   i ? "," : "", i + 1) < 0 ||
		    hf__json_put_string(out, etags[i]) < 0 ||
		    hf__buf_puts(out, "}") < 0)
			return -1;
	}
	return hf__buf_puts(out, "]}");
}

char *hf__lfs_href_for_endpoint(const char *href, const char *endpoint)
{
	static const char origin[] = "https://huggingface.co";
	const size_t olen = sizeof origin - 1;
	hf__buf b = HF__BUF_INIT;
	size_t elen;
	char next;

	if (!href)
		return NULL;
	if (!endpoint || strncmp(href, origin, olen) != 0)
		return hf__strdup(href);
	next = href[olen];
	if (next != '\0' && next != '/' && next != '?' && next != '#')
		return hf__strdup(href);
	elen = strlen(endpoint);
	while (elen > 0 && endpoint[elen - 1] == '/')
		elen--;
	if (hf__buf_append(&b, endpoint, elen) < 0 ||
	    hf__buf_puts(&b, href + olen) < 0) {
		hf__buf_dispose(&b);
		return NULL;
	}
	return hf__buf_detach(&b);
}

int hf__lfs_part_range(const hf__lfs_action *a, uint64_t size, size_t i,
		       uint64_t *offset, uint64_t *len)
{
	uint64_t off;

	if (!a || a->kind != HF__LFS_MULTIPART || i < 1 || i > a->n_parts ||
	    a->chunk_size == 0 || !offset || !len)
		return -1;
	off = (uint64_t)(i - 1) * a->chunk_size;
	if (off >= size)
		return -1;
	*offset = off;
	*len = size - off < a->chunk_size ? size - off : a->chunk_size;
	return 0;
}

int hf__lfs_verify_body(hf__buf *out, const char *oid, uint64_t size)
{
	if (!out || !is_oid(oid))
		return -1;
	return hf__buf_printf(out, "{\"oid\":\"%s\",\"size\":%" PRIu64 "}", oid, size);
}
