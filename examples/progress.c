/*
 * progress: download a whole repository and report progress through a
 * callback; optionally cancel from the callback.
 *
 *     progress <repo_id> [--cancel-after BYTES]
 *
 * The callback runs on the library's worker threads, but never two calls
 * at once, so it may update its payload without a lock. It is called at
 * most every 100 ms, plus once as each file completes. Each call prints:
 *
 *     progress: files 2/6 bytes 31012/1325106 file config.json 46/46
 *
 * Returning non-zero cancels: the download stops, hf_download_snapshot()
 * returns HF_ECANCELLED, nothing half-written is published, and the next
 * run resumes from the verified part. With --cancel-after the callback
 * does that once BYTES bytes are on disk.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hf/hf.h>

/* The payload: whatever the callback needs, passed through untouched. */
struct watch {
	unsigned long calls;
	uint64_t cancel_after; /* 0: never */
};

static int on_progress(const hf_progress *p, void *payload)
{
	struct watch *w = payload;

	w->calls++;
	printf("progress: files %zu/%zu bytes %" PRIu64 "/%" PRIu64, p->files_done, p->files_total,
	       p->bytes_done, p->bytes_total);
	/* file is NULL for a call about the whole download (files found
	 * already cached); it points into the library: copy it to keep it. */
	if (p->file)
		printf(" file %s %" PRIu64 "/%" PRIu64, p->file, p->file_done, p->file_total);
	printf("\n");
	fflush(stdout);
	return w->cancel_after && p->bytes_done >= w->cancel_after; /* non-zero: cancel */
}

int main(int argc, char **argv)
{
	hf_download_options opts = HF_DOWNLOAD_OPTIONS_INIT;
	struct watch w = { 0, 0 };
	hf_client *client = NULL;
	char *path = NULL, *end;
	int rc;

	if (argc == 4 && !strcmp(argv[2], "--cancel-after")) {
		w.cancel_after = strtoull(argv[3], &end, 10);
		if (*end || !w.cancel_after)
			argc = 0;
	}
	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: progress <repo_id> [--cancel-after BYTES]\n");
		return 2;
	}

	rc = hf_client_new(&client, NULL);
	if (rc != HF_OK) {
		fprintf(stderr, "progress: %s\n", hf_strerror(rc));
		return hf_exit_code(rc);
	}
	opts.progress = on_progress;
	opts.progress_payload = &w;
	rc = hf_download_snapshot(&path, client, argv[1], &opts);
	printf("calls: %lu\n", w.calls);
	if (rc == HF_OK) {
		printf("path: %s\n", path);
	} else {
		const hf_error *e = hf_client_error(client);

		fprintf(stderr, "progress: %s (%s)\n", e->message, hf_error_name(rc));
		if (e->hint)
			fprintf(stderr, "hint: %s\n", e->hint);
	}
	hf_free(path);
	hf_client_free(client);
	return hf_exit_code(rc);
}
