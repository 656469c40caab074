#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "buf.h"
#include "util.h"

int hf__mkdirs(const char *path, mode_t last_mode, int *created)
{
	char *p = hf__strdup(path);
	size_t i, len;
	int rc = 0;

	if (created)
		*created = 0;
	if (!p)
		return -ENOMEM;
	len = strlen(p);
	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	for (i = 1; i <= len; i++) {
		int last = (i == len);
		struct stat st;

		if (!last && p[i] != '/')
			continue;
		if (!last)
			p[i] = '\0';
		if (mkdir(p, last ? last_mode : 0777) == 0) {
			if (last && created)
				*created = 1;
		} else if (errno != EEXIST) {
			rc = -errno;
		} else if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
			rc = -ENOTDIR;
		}
		if (!last)
			p[i] = '/';
		if (rc)
			break;
	}
	free(p);
	return rc;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_atomic(const char *path, const void *data, size_t len, mode_t mode, int durable)
{
	hf__buf tmp = HF__BUF_INIT;
	unsigned char rnd[4];
	struct stat st;
	int fd = -1, rc = 0;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return -ELOOP;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -EIO;
	if (hf__buf_printf(&tmp, "%s.%02x%02x%02x%02x.tmp", path,
			   rnd[0], rnd[1], rnd[2], rnd[3]) < 0)
		return -ENOMEM;
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		goto done;
	}
	rc = write_all(fd, data, len);
	if (!rc && fchmod(fd, mode) != 0)
		rc = -errno;
	if (!rc && durable && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && !rc)
		rc = -errno;
	fd = -1;
	if (!rc && rename(tmp.data, path) != 0)
		rc = -errno;
	if (rc)
		unlink(tmp.data);
done:
	hf__buf_dispose(&tmp);
	return rc;
}

int hf__write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	return write_atomic(path, data, len, mode, 1);
}

int hf__write_file_atomic_nosync(const char *path, const void *data, size_t len, mode_t mode)
{
	return write_atomic(path, data, len, mode, 0);
}

int hf__read_file(const char *path, size_t max, char **out, size_t *len)
{
	hf__buf b = HF__BUF_INIT;
	char chunk[4096];
	struct stat st;
	int fd, rc = 0;

	*out = NULL;
	if (len)
		*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	b.max = max;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		if (hf__buf_append(&b, chunk, (size_t)n) < 0) {
			rc = b.len + (size_t)n > max ? -EFBIG : -ENOMEM;
			break;
		}
	}
	hf__wipe(chunk, sizeof(chunk));
	close(fd);
	if (rc) {
		hf__buf_wipe(&b);
		return rc;
	}
	if (len)
		*len = b.len;
	*out = hf__buf_detach(&b);
	return *out ? 0 : -ENOMEM;
}

int hf__remove_file(const char *path)
{
	if (unlink(path) != 0 && errno != ENOENT)
		return -errno;
	return 0;
}

char *hf__dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return hf__strdup(".");
	if (slash == path)
		return hf__strdup("/");
	return hf__strndup(path, (size_t)(slash - path));
}

char *hf__path_join(const char *a, const char *b)
{
	hf__buf buf = HF__BUF_INIT;
	size_t alen = strlen(a);

	if (hf__buf_puts(&buf, a) < 0 ||
	    ((alen == 0 || a[alen - 1] != '/') && hf__buf_puts(&buf, "/") < 0) ||
	    hf__buf_puts(&buf, b) < 0) {
		hf__buf_dispose(&buf);
		return NULL;
	}
	return hf__buf_detach(&buf);
}

int hf__mkdirs_under(const char *base, const char *rel, mode_t mode)
{
	char *copy = hf__strdup(rel), *seg, *save = NULL;
	int dfd, rc = 0;

	if (!copy)
		return -ENOMEM;
	dfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT) {
		rc = hf__mkdirs(base, 0777, NULL);
		dfd = rc ? -1 : open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (dfd < 0) {
		rc = rc ? rc : -errno;
		free(copy);
		return rc;
	}
	for (seg = strtok_r(copy, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		int next;

		if (mkdirat(dfd, seg, mode) != 0 && errno != EEXIST) {
			rc = -errno;
			break;
		}
		next = openat(dfd, seg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			rc = errno == ENOTDIR ? -ENOTDIR : -errno;
			break;
		}
		close(dfd);
		dfd = next;
	}
	close(dfd);
	free(copy);
	return rc;
}

int hf__rename_noreplace(const char *tmp, const char *dst)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST)
		return -EEXIST;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* No RENAME_NOREPLACE here: link() never replaces either. */
	if (link(tmp, dst) != 0)
		return -errno;
	unlink(tmp);
	return 0;
}

char *hf__unique_name(const char *prefix, const char *suffix)
{
	unsigned char rnd[4];
	hf__buf b = HF__BUF_INIT;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return NULL;
	if (hf__buf_printf(&b, "%s.%02x%02x%02x%02x.%s", prefix, rnd[0], rnd[1], rnd[2], rnd[3],
			   suffix) < 0) {
		hf__buf_dispose(&b);
		return NULL;
	}
	return hf__buf_detach(&b);
}

int hf__lock_path(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0664);

	if (fd < 0)
		return -errno;
	/* A shared cache: let the group lock it too, whatever our umask. */
	(void)fchmod(fd, 0664);
	while (flock(fd, LOCK_EX) != 0) {
		if (errno == EINTR)
			continue;
		if (errno == ENOLCK || errno == ENOSYS || errno == EOPNOTSUPP)
			break;
		close(fd);
		return -errno;
	}
	return fd;
}

void hf__unlock_fd(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}
