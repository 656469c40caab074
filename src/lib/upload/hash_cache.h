/*
 * The hash cache of folder uploads (docs/internals/upload.md, "Hash
 * cache"): <folder>/.cache/huggingface/upload-hashes remembers, per file
 * of the folder, the sha256 and git blob sha1 computed by an earlier
 * upload, keyed by the file's path relative to the folder, its size, its
 * modification time in nanoseconds and its inode. A rerun that finds the
 * same key does not read the file again (only its first 512 bytes, the
 * preupload sample).
 *
 * Text, one record per line after the header line "hf-upload-hashes 1":
 *   <sha256> <sha1 or -> <size> <mtime ns> <inode> <path>\n
 * The path is the rest of the line (spaces allowed); paths holding '\n'
 * or '\r' are not cached. A file that does not parse as a whole is
 * ignored (a cache is never trusted in part). Parse and format are pure;
 * covered by tests/unit/test_upload_hash_cache.c.
 */
#ifndef HF_UPLOAD_HASH_CACHE_H
#define HF_UPLOAD_HASH_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define HF__HASH_CACHE_NAME ".cache/huggingface/upload-hashes"
#define HF__HASH_CACHE_HEADER "hf-upload-hashes 1\n"

typedef struct hf__hash_entry {
	char *path;        /* relative to the folder, '/' separators */
	uint64_t size;
	int64_t mtime_ns;
	uint64_t ino;
	char sha256[65];   /* 64 lower-case hex */
	char sha1[41];     /* 40 lower-case hex, or "" when not computed */
} hf__hash_entry;

typedef struct hf__hash_cache {
	hf__hash_entry *e;
	size_t n, cap;
	int sorted;
} hf__hash_cache;

#define HF__HASH_CACHE_INIT { NULL, 0, 0, 0 }

/* Replace hc's content with the records of text. 0, or -1 (malformed,
 * out of memory: hc is then left empty). */
int hf__hash_cache_parse(hf__hash_cache *hc, const char *text, size_t len);

/* Append the file's text (header and records, sorted by path) to out. 0 or -1. */
int hf__hash_cache_format(hf__hash_cache *hc, hf__buf *out);

/* Add a record (path copied; add each path once). Paths with '\n'/'\r', or hashes that are
 * not hex of the right length, are not added (0: nothing to cache). 0 or -1
 * (out of memory). */
int hf__hash_cache_add(hf__hash_cache *hc, const hf__hash_entry *e);

/* Sort the records (find sorts on first use; sort first when several
 * threads will call find: after that, find only reads). */
void hf__hash_cache_sort(hf__hash_cache *hc);

/* The record for path whose size, mtime and inode are these, or NULL. */
const hf__hash_entry *hf__hash_cache_find(hf__hash_cache *hc, const char *path, uint64_t size,
					  int64_t mtime_ns, uint64_t ino);

void hf__hash_cache_dispose(hf__hash_cache *hc);

/* Load <folder>/HF__HASH_CACHE_NAME: 0, or -1 (absent, unreadable,
 * corrupt: hc left empty, which is the same as no cache). */
int hf__hash_cache_load(hf__hash_cache *hc, const char *folder);

/* Write it atomically; errors (a read-only folder) are returned, to be
 * ignored by the caller: 0 or -errno. */
int hf__hash_cache_save(hf__hash_cache *hc, const char *folder);

#endif
