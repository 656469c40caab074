/*
 * The commit NDJSON lines: see commit_payload.h.
 */
#include "upload/commit_payload.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <inttypes.h>

#include "upload/json_out.h"

/* n hex digits, lower case (the form the Hub gives and expects). */
static int is_hex(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n >= min && n <= max;
}

int hf__commit_put_header(hf__buf *out, const char *summary,
			  const char *description, const char *parent)
{
	if (!out || !summary || !summary[0])
		return -1;
	if (parent && !is_hex(parent, 7, 40))
		return -1;
	if (hf__buf_puts(out, "{\"key\": \"header\", \"value\": {\"summary\": ") < 0 ||
	    hf__json_put_string(out, summary) < 0 ||
	    hf__buf_puts(out, ", \"description\": ") < 0 ||
	    hf__json_put_string(out, description ? description : "") < 0)
		return -1;
	if (parent && (hf__buf_puts(out, ", \"parentCommit\": ") < 0 ||
		       hf__json_put_string(out, parent) < 0))
		return -1;
	return hf__buf_puts(out, "}}\n");
}

int hf__commit_file_begin(hf__buf *out, const char *path)
{
	if (!out || !path)
		return -1;
	return hf__buf_puts(out, "{\"key\": \"file\", \"value\": {\"content\": \"");
}

int hf__commit_file_end(hf__buf *out, const char *path)
{
	if (!out || !path)
		return -1;
	if (hf__buf_puts(out, "\", \"path\": ") < 0 ||
	    hf__json_put_string(out, path) < 0)
		return -1;
	return hf__buf_puts(out, ", \"encoding\": \"base64\"}}\n");
}

int hf__commit_put_file(hf__buf *out, const char *path, const void *data,
			size_t len)
{
	if ((!data && len) || hf__commit_file_begin(out, path) < 0 ||
	    hf__b64_append(out, data, len) < 0)
		return -1;
	return hf__commit_file_end(out, path);
}

int hf__commit_put_file_fd(hf__buf *out, const char *path, int fd,
			   uint64_t *size)
{
	unsigned char chunk[32768];
	hf__b64_stream st = HF__B64_STREAM_INIT;
	uint64_t total = 0;

	if (fd < 0 || hf__commit_file_begin(out, path) < 0)
		return -1;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		/* Short reads are fine: the stream carries partial groups. */
		if (hf__b64_stream_update(&st, out, chunk, (size_t)n) < 0)
			return -1;
	}
	if (hf__b64_stream_final(&st, out) < 0)
		return -1;
	if (size)
		*size = total;
	return hf__commit_file_end(out, path);
}

int hf__commit_put_lfs_file(hf__buf *out, const char *path, const char *oid,
			    uint64_t size)
{
	if (!out || !path || !oid || strlen(oid) != 64 || !is_hex(oid, 64, 64))
		return -1;
	if (hf__buf_puts(out, "{\"key\": \"lfsFile\", \"value\": {\"path\": ") < 0 ||
	    hf__json_put_string(out, path) < 0)
		return -1;
	return hf__buf_printf(out, ", \"algo\": \"sha256\", \"oid\": \"%s\", "
			      "\"size\": %" PRIu64 "}}\n", oid, size);
}

static int put_path_line(hf__buf *out, const char *key, const char *path)
{
	if (!out || !path)
		return -1;
	if (hf__buf_printf(out, "{\"key\": \"%s\", \"value\": {\"path\": ", key) < 0 ||
	    hf__json_put_string(out, path) < 0)
		return -1;
	return hf__buf_puts(out, "}}\n");
}

int hf__commit_put_deleted_file(hf__buf *out, const char *path)
{
	return put_path_line(out, "deletedFile", path);
}

int hf__commit_put_deleted_folder(hf__buf *out, const char *path)
{
	return put_path_line(out, "deletedFolder", path);
}
