/*
 * The per-file state of hf_upload_large_folder() (include/hf/upload.h):
 * `<folder>/.cache/huggingface/upload/<path in repo>.metadata`, beside a
 * `<path in repo>.lock` taken (flock) around each read and write, in the
 * official client's format (huggingface_hub v1.28 _local_folder.py
 * LocalUploadFileMetadata), eight lines:
 *
 *     <timestamp>\n<size>\n<should_ignore>\n<sha256>\n<upload_mode>\n
 *     <remote_oid>\n<is_uploaded>\n<is_committed>\n
 *
 * timestamp: seconds since the epoch as a decimal float, when the state
 * was saved; should_ignore "", "0" or "1"; sha256, upload_mode ("lfs" or
 * "regular") and remote_oid may be empty (not known); the last two are
 * "0" or "1". The state holds for the file while its modification time is
 * not after the timestamp (docs/internals/upload.md "Large folders").
 */
#ifndef HF_UPLOAD_LARGE_FOLDER_H
#define HF_UPLOAD_LARGE_FOLDER_H

#include <stddef.h>
#include <stdint.h>

typedef struct hf__ulf_meta {
	long long ts_sec;   /* the timestamp, split so that no float parsing depends on the locale */
	long ts_nsec;
	uint64_t size;
	int should_ignore;  /* -1 unknown, 0, 1 */
	char sha256[65];    /* "" unknown */
	char upload_mode[8]; /* "", "lfs", "regular" */
	char remote_oid[65];
	int is_uploaded;
	int is_committed;
} hf__ulf_meta;

/*
 * Parse the len bytes of a .metadata file (no NUL needed). Pure. As the
 * official reader: lines end at "\n" (a "\r" before it is whitespace),
 * ASCII whitespace around each value is ignored, an empty value is "not
 * known", anything after the eighth line is ignored. The timestamp is
 * [+]digits[.digits] (no exponent: the official writer never makes one for
 * a current time); sha256 64 hex, remote_oid 40 or 64 hex, upload_mode
 * "lfs" or "regular", flags "0" or "1". Returns 0 with *m set, -1 when the
 * text is not such a file (the caller starts that file over, as the
 * official reader does with a corrupted one).
 */
int hf__ulf_meta_parse(const char *text, size_t len, hf__ulf_meta *m);

/* The text of m into buf (as snprintf: returns the length it needs). */
int hf__ulf_meta_format(char *buf, size_t size, const hf__ulf_meta *m);

/*
 * 1 when a state saved at (ts_sec, ts_nsec) for a file of meta_size bytes
 * still holds for the file as it is now (mtime, size): the same size and
 * a modification time not after the timestamp. Pure.
 */
int hf__ulf_meta_fresh(const hf__ulf_meta *m, uint64_t size, long long mtime_sec, long mtime_nsec);

/*
 * The commit batch sizes: the official scale (20 .. 1000 files), starting
 * at its second step (50); a commit of a full batch that took less than
 * 40 s moves one step up. HF__ULF_BATCH_ENV, when set to a number from 1
 * to 1000, fixes the size instead (tests use it to make many commits of
 * few files).
 */
#define HF__ULF_BATCH_ENV "HF_HUB_LARGE_FOLDER_BATCH"
size_t hf__ulf_next_batch(size_t current, size_t committed, double seconds);
size_t hf__ulf_first_batch(const char *env_value);

#endif
