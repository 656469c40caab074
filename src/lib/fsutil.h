/* File system helpers: atomic private writes, bounded reads, directories. */
#ifndef HF_FSUTIL_H
#define HF_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Create path and its missing parents. Parents get 0777 (less umask);
 * the last component gets last_mode. *created (may be NULL) is set to 1
 * when the last component was created by this call.
 * Returns 0 or a negative errno.
 */
int hf__mkdirs(const char *path, mode_t last_mode, int *created);

/*
 * Write data to path atomically: a unique temporary file beside it
 * (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600), fsync, chmod to mode, rename.
 * Refuses with -ELOOP when path itself is a symbolic link, so a planted
 * link is never replaced or written through.
 * Returns 0 or a negative errno; no temporary file is left on failure.
 */
int hf__write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);

/*
 * Read a whole regular file of at most max bytes into a NUL-terminated
 * heap buffer. Returns 0, -ENOENT, -EFBIG (over max), or another -errno.
 */
int hf__read_file(const char *path, size_t max, char **out, size_t *len);

/* unlink(); a missing file is success. Returns 0 or a negative errno. */
int hf__remove_file(const char *path);

/* Heap copy of the directory part of path ("." when there is none). */
char *hf__dirname(const char *path);
/* Heap string a + "/" + b. */
char *hf__path_join(const char *a, const char *b);

#endif
