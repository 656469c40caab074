/*
 * local_dir mode: files written straight into a folder of the user's,
 * with the official client's metadata beside them in
 * <local_dir>/.cache/huggingface/download/<file>.metadata, three lines:
 *
 *     <commit>\n<etag>\n<timestamp>\n
 *
 * (timestamp: seconds since the epoch as a decimal float, e.g.
 * 1712345678.123456, when the file was written). A file whose metadata
 * is valid and not older than the file itself is trusted without hashing.
 * See docs/internals/download.md.
 */
#ifndef HF_LOCAL_DIR_H
#define HF_LOCAL_DIR_H

#include <stddef.h>

struct hf__dl;
struct hf__dl_job;
struct hf__dl_job_error;
struct hf__conn;

typedef struct hf__local_meta {
	char commit[41];
	char etag[65];
	double timestamp;
} hf__local_meta;

/*
 * Parse the len bytes of a .metadata file (no NUL needed). Pure.
 *
 * As the official reader (three readline() then strip() and float()):
 * lines end at "\n", "\r\n" or "\r"; ASCII whitespace around each of the
 * three values is ignored; whatever follows the third line is ignored;
 * the last line needs no line end. Stricter than it, as this client has
 * always been: the commit must be 40 lower-case hex characters, the etag
 * 40 or 64, and the timestamp a finite decimal number ([+-]digits[.digits]
 * or .digits, optional exponent; no inf, nan, hex or '_'), read without
 * regard to the locale. Returns 0 with *m set, or -1 (*m unspecified).
 */
int hf__local_meta_parse(const char *text, size_t len, hf__local_meta *m);

/*
 * The text of a .metadata file into buf: "<commit>\n<etag>\n<sec>.<usec
 * as 6 digits>\n", whatever the locale. Returns its length (as snprintf).
 */
int hf__local_meta_format(char *buf, size_t size, const char *commit, const char *etag,
			  long long sec, long usec);

/* <local_dir>/<file> (heap). */
char *hf__local_path(const struct hf__dl *d, const char *file);

/* Read file's metadata; 1 when valid for the file as it is now. */
int hf__local_meta_read(const struct hf__dl *d, const char *file, hf__local_meta *m);

/* 1 when <local_dir>/<file> is a regular file. */
int hf__local_file_exists(const struct hf__dl *d, const char *file);

/* Create <local_dir>/.cache/huggingface with its .gitignore and CACHEDIR.TAG. */
void hf__local_dir_prepare(const struct hf__dl *d);

/*
 * One file into local_dir, given its commit (d->commit), etag and size:
 * kept when its metadata or its sha256 proves it, else copied from a
 * cached blob, else fetched. A job of the worker pool (any thread).
 */
int hf__local_one(struct hf__dl *d, struct hf__conn *conn, const struct hf__dl_job *j,
		  struct hf__dl_job_error *err);

#endif
