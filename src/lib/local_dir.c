/*
 * local_dir mode (local_dir.h): the .metadata files of the official
 * client, their parser, and one file into the user's folder. See
 * docs/internals/download.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "buf.h"
#include "cache.h"
#include "download_int.h"
#include "fsutil.h"
#include "hash.h"
#include "local_dir.h"
#include "validate.h"

/* ---- the metadata format (pure) ---- */

/* What Python's str.strip() removes, in ASCII. */
static int is_py_space(unsigned char ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r') || (ch >= 0x1c && ch <= 0x1f);
}

/*
 * The next line of [*pos, end) as readline() sees it in text mode
 * (universal newlines), stripped; *pos moves past its line end.
 */
static void next_line(const char **pos, const char *end, const char **s, size_t *n)
{
	const char *p = *pos, *b = *pos, *e;

	while (p < end && *p != '\n' && *p != '\r')
		p++;
	e = p;
	if (p < end)
		p += *p == '\r' && p + 1 < end && p[1] == '\n' ? 2 : 1;
	*pos = p;
	while (b < e && is_py_space((unsigned char)*b))
		b++;
	while (e > b && is_py_space((unsigned char)e[-1]))
		e--;
	*s = b;
	*n = (size_t)(e - b);
}

/* Copy a stripped line into out (size bytes with the NUL) when it fits. */
static int take(const char *s, size_t n, char *out, size_t size)
{
	if (n >= size)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/*
 * A decimal number, whatever the locale: [+-] then digits with an
 * optional fraction (or a fraction alone), then an optional exponent.
 * Up to 19 significant digits are kept; a timestamp with its 16 or 17
 * digits is exact or within one unit of the last place.
 */
static int parse_decimal(const char *s, size_t n, double *out)
{
	const char *p = s, *end = s + n;
	uint64_t mant = 0;
	int neg = 0, digits = 0, kept = 0, exp10 = 0;
	double v;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	for (; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
		if (kept < 19) {
			mant = mant * 10 + (uint64_t)(*p - '0');
			kept += mant != 0;
		} else {
			exp10++;
		}
	}
	if (p < end && *p == '.') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
			if (kept < 19) {
				mant = mant * 10 + (uint64_t)(*p - '0');
				kept += mant != 0;
				exp10--;
			}
		}
	}
	if (!digits)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0, edigits = 0, e = 0;

		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (; p < end && *p >= '0' && *p <= '9'; p++, edigits++)
			if (e < 100000)
				e = e * 10 + (*p - '0');
		if (!edigits)
			return -1;
		exp10 += eneg ? -e : e;
	}
	if (p != end)
		return -1;
	v = (double)mant;
	/* 10^0..10^22 are exact doubles: one rounding when mant < 2^53. */
	for (; exp10 > 0 && isfinite(v); exp10--)
		v *= 10;
	for (; exp10 < -22 && v != 0; exp10++)
		v /= 10;
	if (exp10 < 0) {
		double p10 = 1;

		while (exp10++ < 0)
			p10 *= 10;
		v /= p10;
	}
	if (!isfinite(v))
		return -1;
	*out = neg ? -v : v;
	return 0;
}

int hf__local_meta_parse(const char *text, size_t len, hf__local_meta *m)
{
	const char *pos = text, *end = text + len, *s;
	size_t n;

	if (!text || !m)
		return -1;
	next_line(&pos, end, &s, &n);
	if (take(s, n, m->commit, sizeof(m->commit)) || !hf__is_commit_hash(m->commit))
		return -1;
	next_line(&pos, end, &s, &n);
	if (take(s, n, m->etag, sizeof(m->etag)) || !hf__is_etag(m->etag))
		return -1;
	next_line(&pos, end, &s, &n);
	return parse_decimal(s, n, &m->timestamp);
}

int hf__local_meta_format(char *buf, size_t size, const char *commit, const char *etag,
			  long long sec, long usec)
{
	return snprintf(buf, size, "%s\n%s\n%lld.%06ld\n", commit, etag, sec, usec);
}

/* ---- metadata files (docs/internals/download.md) ---- */

char *hf__local_path(const hf__dl *d, const char *file)
{
	return hf__path_join(d->o.local_dir, file);
}

static char *local_meta_path(const hf__dl *d, const char *file, const char *ext)
{
	hf__buf b = HF__BUF_INIT;

	if (hf__buf_printf(&b, "%s/.cache/huggingface/download/%s%s", d->o.local_dir, file, ext) < 0) {
		hf__buf_dispose(&b);
		return NULL;
	}
	return hf__buf_detach(&b);
}

/* Read metadata; 1 when valid for the file as it is now. */
int hf__local_meta_read(const hf__dl *d, const char *file, hf__local_meta *m)
{
	char *mp = local_meta_path(d, file, ".metadata"), *lp = hf__local_path(d, file), *text = NULL;
	size_t len = 0;
	struct stat st;
	int ok = 0;

	/* The official client allows 1 s: st_mtime may be coarser than the timestamp. */
	if (mp && lp && hf__read_file(mp, 4096, &text, &len) == 0 &&
	    hf__local_meta_parse(text, len, m) == 0 && stat(lp, &st) == 0 &&
	    (double)st.st_mtime - 1 <= m->timestamp)
		ok = 1;
	free(text);
	free(mp);
	free(lp);
	return ok;
}

static int local_meta_write(const hf__dl *d, const char *file, const char *commit, const char *etag)
{
	char *mp = local_meta_path(d, file, ".metadata");
	char text[160];
	struct timeval tv;
	int rc, n;

	if (!mp)
		return -ENOMEM;
	gettimeofday(&tv, NULL);
	n = hf__local_meta_format(text, sizeof(text), commit, etag, (long long)tv.tv_sec,
				  (long)tv.tv_usec);
	rc = hf__mkdirs_under(d->o.local_dir, ".cache/huggingface/download", 0777);
	if (!rc) {
		char *dir = hf__dirname(mp);

		rc = dir ? hf__mkdirs(dir, 0777, NULL) : -ENOMEM;
		free(dir);
	}
	if (!rc)
		rc = hf__write_file_atomic(mp, text, (size_t)n, 0644);
	free(mp);
	return rc;
}

int hf__local_file_exists(const hf__dl *d, const char *file)
{
	char *lp = hf__local_path(d, file);
	struct stat st;
	int ok = lp && stat(lp, &st) == 0 && S_ISREG(st.st_mode);

	free(lp);
	return ok;
}

void hf__local_dir_prepare(const hf__dl *d)
{
	hf__cache_prepare_local(d->o.local_dir, ".cache/huggingface");
}

/* ---- one file into local_dir ---- */

/* Copy a cached blob to dst through a temporary file. 0 or -errno. */
static int copy_file(const char *src, const char *dst)
{
	char *tmp = hf__unique_name(dst, "incomplete");
	char buf[1 << 16];
	int in = -1, out = -1, rc = 0;

	if (!tmp)
		return -ENOMEM;
	in = open(src, O_RDONLY | O_CLOEXEC);
	out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (in < 0 || out < 0)
		rc = -errno;
	while (!rc) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = -errno;
		if (n <= 0)
			break;
		if (write(out, buf, (size_t)n) != n)
			rc = -EIO;
	}
	if (!rc && (fchmod(out, hf__file_mode()) != 0 || fsync(out) != 0))
		rc = -errno;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, dst) != 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* One file into local_dir, given its commit, etag and size. */
int hf__local_one(hf__dl *d, hf__conn *conn, const hf__dl_job *j, hf__dl_job_error *err)
{
	char *lp = hf__local_path(d, j->file), *lock = local_meta_path(d, j->file, ".lock");
	char *tmpdir = NULL, *blob = NULL;
	hf__dl_job_progress jp = { d, j, 0 };
	hf__local_meta m;
	hf__fetch f;
	int lock_fd = -1, rc = HF_OK;

	memset(&f, 0, sizeof(f));
	if (!lp || !lock) {
		rc = HF_ENOMEM;
		goto done;
	}
	tmpdir = hf__dirname(lock);
	if (!tmpdir || hf__mkdirs(tmpdir, 0777, NULL) != 0) {
		rc = HF_EIO;
		hf__dl_job_fail(err, rc, "cannot create '%s'", tmpdir ? tmpdir : "");
		goto done;
	}
	lock_fd = hf__lock_path(lock);
	if (!d->o.force && hf__local_meta_read(d, j->file, &m) && strcmp(m.etag, j->etag) == 0) {
		(void)local_meta_write(d, j->file, d->commit, j->etag);
		hf__dl_progress(d, j->file, j->size, j->size, j->size, 1);
		goto done;
	}
	{
		/* A file without metadata is kept when its sha256 proves it. */
		struct stat st;
		int fd = -1;
		char got[65];

		if (!d->o.force && strlen(j->etag) == 64 && stat(lp, &st) == 0 &&
		    (uint64_t)st.st_size == j->size && (fd = open(lp, O_RDONLY | O_CLOEXEC)) >= 0 &&
		    hf__hash_fd(fd, HF__HASH_SHA256, j->size, got) == 0 && strcmp(got, j->etag) == 0) {
			close(fd);
			(void)local_meta_write(d, j->file, d->commit, j->etag);
			hf__dl_progress(d, j->file, j->size, j->size, j->size, 1);
			goto done;
		}
		if (fd >= 0)
			close(fd);
	}
	{
		char *dir = hf__dirname(lp);
		int mk = dir ? hf__mkdirs(dir, 0777, NULL) : -ENOMEM;

		free(dir);
		if (mk) {
			rc = HF_EIO;
			hf__dl_job_fail(err, rc, "cannot create the folder of '%s'", lp);
			goto done;
		}
	}
	blob = hf__cache_path(&d->rc, "blobs/%s", j->etag);
	if (blob && hf__cache_blob_ok(&d->rc, j->etag, j->size) && copy_file(blob, lp) == 0) {
		hf__dl_progress(d, j->file, j->size, j->size, j->size, 1);
		(void)local_meta_write(d, j->file, d->commit, j->etag);
		goto done;
	}
	rc = hf__dl_fetch_job(d, conn, j, tmpdir, &jp, &f, err);
	if (rc)
		goto done;
	if (rename(f.tmp_path, lp) != 0) {
		hf__dl_job_fail(err, HF_EIO, "cannot write '%s': %s", lp, strerror(errno));
		unlink(f.tmp_path);
		rc = HF_EIO;
		goto done;
	}
	(void)local_meta_write(d, j->file, d->commit, j->etag);
	hf__dl_progress(d, j->file, j->size, j->size, j->size - jp.reported, 1);
done:
	hf__dl_job_end(err, rc, j->file);
	hf__unlock_fd(lock_fd);
	free(f.tmp_path);
	free(blob);
	free(tmpdir);
	free(lock);
	free(lp);
	return rc;
}
