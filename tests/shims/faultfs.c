/*
 * faultfs: an LD_PRELOAD shim that makes chosen file system calls fail,
 * so that tests can see what hf does on a full disk, over a quota, after
 * an I/O error or on a file system without flock
 * (tests/integration/test_fs_faults.py; reliability.md (b) 48, 49, 53, 55).
 *
 * Nothing changes unless FAULTFS_OP is set. Then a call fails when its op
 * is listed and its path matches. The environment is read once:
 *
 *   FAULTFS_OP           comma-separated ops:
 *                          open      an open that creates (O_CREAT): open, openat, creat
 *                          write     write, pwrite, writev
 *                          fsync     fsync, fdatasync
 *                          close     close (the descriptor is closed, then the error
 *                                    is reported, as NFS does with a deferred error)
 *                          symlink   symlink, symlinkat
 *                          rename    rename, renameat, renameat2 (the new name matches)
 *                          link      link, linkat (the new name matches)
 *                          mkdir     mkdir, mkdirat
 *                          ftruncate ftruncate
 *                          fchmod    fchmod
 *                          flock     flock (fails without locking anything)
 *   FAULTFS_PATH_SUBSTR  fail only when the path contains this (default: any path;
 *                        a descriptor's path is read from /proc/self/fd)
 *   FAULTFS_ERRNO        ENOSPC (default), EDQUOT, EIO, ENOLCK, ENOSYS, EOPNOTSUPP,
 *                        EROFS, EACCES, EPERM, or a number; 0 (flock only): the
 *                        lock "succeeds" without locking, as on Lustre or GPFS
 *   FAULTFS_AFTER_BYTES  write: let this many bytes through (summed over every
 *                        matching descriptor), then fail; the write that crosses
 *                        the limit is cut short at it, as a file system filling up does
 *   FAULTFS_SKIP         let the first N matching calls through
 *   FAULTFS_TIMES        fail at most N times (default: every time)
 *   FAULTFS_LOG          append "<op> <errno> <path>" for every failure injected,
 *                        so that a test can tell the fault really fired
 *
 * Built by tests/CMakeLists.txt (target faultfs, never with sanitizers);
 * ctest gives its path to the integration tests as FAULTFS_SO.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#undef _FORTIFY_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum {
	OP_OPEN = 1 << 0,
	OP_WRITE = 1 << 1,
	OP_FSYNC = 1 << 2,
	OP_CLOSE = 1 << 3,
	OP_SYMLINK = 1 << 4,
	OP_RENAME = 1 << 5,
	OP_LINK = 1 << 6,
	OP_MKDIR = 1 << 7,
	OP_FTRUNCATE = 1 << 8,
	OP_FCHMOD = 1 << 9,
	OP_FLOCK = 1 << 10
};

static const struct {
	const char *name;
	int bit;
} op_names[] = {
	{ "open", OP_OPEN },	 { "write", OP_WRITE },	    { "fsync", OP_FSYNC },
	{ "close", OP_CLOSE },	 { "symlink", OP_SYMLINK }, { "rename", OP_RENAME },
	{ "link", OP_LINK },	 { "mkdir", OP_MKDIR },	    { "ftruncate", OP_FTRUNCATE },
	{ "fchmod", OP_FCHMOD }, { "flock", OP_FLOCK },
};

static const struct {
	const char *name;
	int value;
} errno_names[] = {
	{ "ENOSPC", ENOSPC }, { "EDQUOT", EDQUOT },	    { "EIO", EIO },	{ "ENOLCK", ENOLCK },
	{ "ENOSYS", ENOSYS }, { "EOPNOTSUPP", EOPNOTSUPP }, { "EROFS", EROFS }, { "EACCES", EACCES },
	{ "EPERM", EPERM },
};

/* ---- the real functions, resolved once ---- */

static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real_creat)(const char *, mode_t);
static int (*real_creat64)(const char *, mode_t);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off64_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_close)(int);
static int (*real_symlink)(const char *, const char *);
static int (*real_symlinkat)(const char *, int, const char *);
static int (*real_rename)(const char *, const char *);
static int (*real_renameat)(int, const char *, int, const char *);
static int (*real_renameat2)(int, const char *, int, const char *, unsigned int);
static int (*real_link)(const char *, const char *);
static int (*real_linkat)(int, const char *, int, const char *, int);
static int (*real_mkdir)(const char *, mode_t);
static int (*real_mkdirat)(int, const char *, mode_t);
static int (*real_ftruncate)(int, off_t);
static int (*real_fchmod)(int, mode_t);
static int (*real_flock)(int, int);

/* dlsym gives a void *; copying it keeps -Wpedantic quiet. */
static void resolve(void *fnptr, size_t size, const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p)
		abort();
	memcpy(fnptr, &p, size);
}

#define RESOLVE(fn) resolve(&real_##fn, sizeof(real_##fn), #fn)

/* ---- configuration ---- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int ops;
static const char *path_substr;
static int fault_errno = ENOSPC;
static long long after_bytes = -1;
static long long skip_calls;
static long long max_failures = -1;
static const char *log_path;

/* Counters shared by every thread. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long long bytes_passed, matched_calls, failures;

static long long env_number(const char *name, long long dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoll(v, NULL, 10) : dflt;
}

static void init(void)
{
	const char *v;
	size_t i;

	RESOLVE(open);
	RESOLVE(open64);
	RESOLVE(openat);
	RESOLVE(openat64);
	RESOLVE(creat);
	RESOLVE(creat64);
	RESOLVE(write);
	RESOLVE(pwrite);
	RESOLVE(pwrite64);
	RESOLVE(writev);
	RESOLVE(fsync);
	RESOLVE(fdatasync);
	RESOLVE(close);
	RESOLVE(symlink);
	RESOLVE(symlinkat);
	RESOLVE(rename);
	RESOLVE(renameat);
	RESOLVE(renameat2);
	RESOLVE(link);
	RESOLVE(linkat);
	RESOLVE(mkdir);
	RESOLVE(mkdirat);
	RESOLVE(ftruncate);
	RESOLVE(fchmod);
	RESOLVE(flock);

	v = getenv("FAULTFS_OP");
	for (i = 0; v && i < sizeof(op_names) / sizeof(op_names[0]); i++) {
		const char *p = v;
		size_t n = strlen(op_names[i].name);

		/* A whole word of the comma-separated list. */
		while ((p = strstr(p, op_names[i].name)) != NULL) {
			if ((p == v || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
				ops |= op_names[i].bit;
			p += n;
		}
	}
	path_substr = getenv("FAULTFS_PATH_SUBSTR");
	if (path_substr && !*path_substr)
		path_substr = NULL;
	v = getenv("FAULTFS_ERRNO");
	if (v && *v) {
		fault_errno = 0;
		for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
			if (strcmp(v, errno_names[i].name) == 0)
				fault_errno = errno_names[i].value;
		if (!fault_errno)
			fault_errno = atoi(v) >= 0 ? atoi(v) : EIO;
		if (!fault_errno && ops != OP_FLOCK)
			fault_errno = EIO; /* a failure needs an errno */
	}
	after_bytes = env_number("FAULTFS_AFTER_BYTES", -1);
	skip_calls = env_number("FAULTFS_SKIP", 0);
	max_failures = env_number("FAULTFS_TIMES", -1);
	log_path = getenv("FAULTFS_LOG");
	if (log_path && !*log_path)
		log_path = NULL;
}

static void setup(void)
{
	int saved = errno;

	pthread_once(&init_once, init);
	errno = saved;
}

/* ---- paths ---- */

static int fd_path(int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	if (n < 0) {
		buf[0] = '\0';
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

static void at_path(int dirfd, const char *path, char *buf, size_t len)
{
	char dir[PATH_MAX];

	if (!path) {
		buf[0] = '\0';
	} else if (path[0] == '/' || dirfd == AT_FDCWD || fd_path(dirfd, dir, sizeof(dir)) != 0) {
		snprintf(buf, len, "%s", path);
	} else {
		snprintf(buf, len, "%s/%s", dir, path);
	}
}

static int path_matches(const char *path)
{
	return !path_substr || (path && strstr(path, path_substr));
}

/* ---- deciding and reporting ---- */

static void log_failure(const char *op, const char *path)
{
	char line[2 * PATH_MAX + 64];
	int fd, n;

	if (!log_path)
		return;
	n = snprintf(line, sizeof(line), "%s %d %s\n", op, fault_errno, path ? path : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	fd = real_open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd >= 0) {
		(void)real_write(fd, line, (size_t)n);
		real_close(fd);
	}
}

/* 1 when this call (op on path) is to fail: counts it and logs it. */
static int take_fault(int op, const char *opname, const char *path)
{
	int fail;

	if (!(ops & op) || !path_matches(path))
		return 0;
	pthread_mutex_lock(&mu);
	fail = matched_calls++ >= skip_calls && (max_failures < 0 || failures < max_failures);
	if (fail)
		failures++;
	pthread_mutex_unlock(&mu);
	if (fail)
		log_failure(opname, path);
	return fail;
}

/*
 * A write of *len bytes to path: 1 when it is to fail. Under
 * FAULTFS_AFTER_BYTES it may instead be shortened to what is left.
 */
static int take_write_fault(const char *opname, const char *path, size_t *len)
{
	int fail = 0;

	if (!(ops & OP_WRITE) || !path_matches(path))
		return 0;
	if (after_bytes < 0)
		return take_fault(OP_WRITE, opname, path);
	pthread_mutex_lock(&mu);
	if (bytes_passed >= after_bytes) {
		fail = max_failures < 0 || failures < max_failures;
		if (fail)
			failures++;
	} else if ((long long)*len > after_bytes - bytes_passed) {
		*len = (size_t)(after_bytes - bytes_passed);
	}
	if (!fail)
		bytes_passed += (long long)*len;
	pthread_mutex_unlock(&mu);
	if (fail)
		log_failure(opname, path);
	return fail;
}

static int fd_fault(int op, const char *opname, int fd)
{
	char path[PATH_MAX];
	int saved = errno;

	if (!(ops & op))
		return 0;
	fd_path(fd, path, sizeof(path));
	errno = saved;
	return take_fault(op, opname, path);
}

static int at_fault(int op, const char *opname, int dirfd, const char *name)
{
	char path[2 * PATH_MAX + 2];
	int saved = errno;

	if (!(ops & op))
		return 0;
	at_path(dirfd, name, path, sizeof(path));
	errno = saved;
	return take_fault(op, opname, path);
}

#define FAIL() (errno = fault_errno, -1)

/* ---- opening ---- */

static int creates(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

#define OPEN_MODE(flags, last)                          \
	mode_t mode = 0;                                \
	if (creates(flags)) {                           \
		va_list ap;                             \
		va_start(ap, last);                     \
		mode = (mode_t)va_arg(ap, unsigned int); \
		va_end(ap);                             \
	}

int open(const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	setup();
	if (creates(flags) && at_fault(OP_OPEN, "open", AT_FDCWD, path))
		return FAIL();
	return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	setup();
	if (creates(flags) && at_fault(OP_OPEN, "open", AT_FDCWD, path))
		return FAIL();
	return real_open64(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	setup();
	if (creates(flags) && at_fault(OP_OPEN, "open", dirfd, path))
		return FAIL();
	return real_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	setup();
	if (creates(flags) && at_fault(OP_OPEN, "open", dirfd, path))
		return FAIL();
	return real_openat64(dirfd, path, flags, mode);
}

int creat(const char *path, mode_t mode)
{
	setup();
	if (at_fault(OP_OPEN, "open", AT_FDCWD, path))
		return FAIL();
	return real_creat(path, mode);
}

int creat64(const char *path, mode_t mode)
{
	setup();
	if (at_fault(OP_OPEN, "open", AT_FDCWD, path))
		return FAIL();
	return real_creat64(path, mode);
}

/* ---- writing ---- */

/* The write fault check: 1 to fail; may shorten *len. */
static int write_check(int fd, size_t *len)
{
	char path[PATH_MAX];
	int saved = errno, fail;

	if (!(ops & OP_WRITE) || *len == 0)
		return 0;
	fd_path(fd, path, sizeof(path));
	fail = take_write_fault("write", path, len);
	errno = saved;
	return fail;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	setup();
	if (write_check(fd, &len))
		return FAIL();
	return real_write(fd, buf, len);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	setup();
	if (write_check(fd, &len))
		return FAIL();
	return real_pwrite(fd, buf, len, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
	setup();
	if (write_check(fd, &len))
		return FAIL();
	return real_pwrite64(fd, buf, len, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	size_t total = 0, want;
	int i;

	setup();
	for (i = 0; i < n; i++)
		total += iov[i].iov_len;
	want = total;
	/* A vector is not cut short: it fails whole when it would cross the limit. */
	if (write_check(fd, &want) || want != total)
		return FAIL();
	return real_writev(fd, iov, n);
}

/* ---- syncing and closing ---- */

int fsync(int fd)
{
	setup();
	if (fd_fault(OP_FSYNC, "fsync", fd))
		return FAIL();
	return real_fsync(fd);
}

int fdatasync(int fd)
{
	setup();
	if (fd_fault(OP_FSYNC, "fdatasync", fd))
		return FAIL();
	return real_fdatasync(fd);
}

int close(int fd)
{
	setup();
	if (fd_fault(OP_CLOSE, "close", fd)) {
		/* Linux releases the descriptor even when close reports an error. */
		real_close(fd);
		return FAIL();
	}
	return real_close(fd);
}

int ftruncate(int fd, off_t len)
{
	setup();
	if (fd_fault(OP_FTRUNCATE, "ftruncate", fd))
		return FAIL();
	return real_ftruncate(fd, len);
}

int fchmod(int fd, mode_t mode)
{
	setup();
	if (fd_fault(OP_FCHMOD, "fchmod", fd))
		return FAIL();
	return real_fchmod(fd, mode);
}

int flock(int fd, int op)
{
	setup();
	/* Unlocking always works: only taking a lock fails (or is skipped). */
	if (!(op & LOCK_UN) && fd_fault(OP_FLOCK, "flock", fd))
		return fault_errno ? FAIL() : 0;
	return real_flock(fd, op);
}

/* ---- names ---- */

int symlink(const char *target, const char *path)
{
	setup();
	if (at_fault(OP_SYMLINK, "symlink", AT_FDCWD, path))
		return FAIL();
	return real_symlink(target, path);
}

int symlinkat(const char *target, int dirfd, const char *path)
{
	setup();
	if (at_fault(OP_SYMLINK, "symlink", dirfd, path))
		return FAIL();
	return real_symlinkat(target, dirfd, path);
}

int rename(const char *from, const char *to)
{
	setup();
	if (at_fault(OP_RENAME, "rename", AT_FDCWD, to))
		return FAIL();
	return real_rename(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	setup();
	if (at_fault(OP_RENAME, "rename", tofd, to))
		return FAIL();
	return real_renameat(fromfd, from, tofd, to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags)
{
	setup();
	if (at_fault(OP_RENAME, "rename", tofd, to))
		return FAIL();
	return real_renameat2(fromfd, from, tofd, to, flags);
}

int link(const char *from, const char *to)
{
	setup();
	if (at_fault(OP_LINK, "link", AT_FDCWD, to))
		return FAIL();
	return real_link(from, to);
}

int linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
	setup();
	if (at_fault(OP_LINK, "link", tofd, to))
		return FAIL();
	return real_linkat(fromfd, from, tofd, to, flags);
}

int mkdir(const char *path, mode_t mode)
{
	setup();
	if (at_fault(OP_MKDIR, "mkdir", AT_FDCWD, path))
		return FAIL();
	return real_mkdir(path, mode);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	setup();
	if (at_fault(OP_MKDIR, "mkdir", dirfd, path))
		return FAIL();
	return real_mkdirat(dirfd, path, mode);
}
