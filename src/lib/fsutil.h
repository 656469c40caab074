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
 * The same without the fsync: for state that is rewritten often and whose
 * loss costs only work (a resume file read by a strict parser: after a
 * crash of the machine it may be empty or old, and is then ignored).
 */
int hf__write_file_atomic_nosync(const char *path, const void *data, size_t len, mode_t mode);

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

/*
 * Create the directories of rel (a relative path of '/'-separated
 * segments) below base, refusing to pass through a symbolic link or a
 * non-directory below base (-ELOOP / -ENOTDIR): a planted link never
 * redirects a write. base itself may be a link. Returns 0 or -errno.
 */
int hf__mkdirs_under(const char *base, const char *rel, mode_t mode);

/*
 * Move tmp to dst unless dst exists (never replacing it). Returns 0,
 * -EEXIST when dst was already there (tmp is left for the caller), or
 * another -errno.
 */
int hf__rename_noreplace(const char *tmp, const char *dst);

/* A fresh "<prefix>.<8 hex>.<suffix>" heap name (random). */
char *hf__unique_name(const char *prefix, const char *suffix);

/*
 * Take an exclusive flock on path (created 0664, never through a
 * symbolic link), waiting as long as it takes. Returns the descriptor, or
 * -errno when the file cannot be opened. Where the file system has no
 * flock (ENOLCK, ENOSYS, EOPNOTSUPP) the descriptor is returned unlocked:
 * correctness never depends on the lock (unique temporary files and
 * no-replace publication do).
 */
int hf__lock_path(const char *path);
void hf__unlock_fd(int fd);
