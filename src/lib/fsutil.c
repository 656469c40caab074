#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int hf__write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
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
	if (!rc && fsync(fd) != 0)
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
