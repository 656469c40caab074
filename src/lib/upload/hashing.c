/*
 * The local side of every file of an upload (engine.h):
 * - hf__up_prepare (calling thread): open each file once, fstat it (size,
 *   mtime, inode: the key of the hash cache and of the change check), read
 *   its 512-byte sample for the preupload call, and take its hashes from
 *   the hash cache (hash_cache.h) when a record has the same key;
 * - hf__up_hash_item (a worker of pipeline.c): read the file once for its
 *   sha256, and its git blob sha1 when it goes as a regular file, then
 *   decide whether adding it is a no-op.
 * A file is open only while it is read (a folder may hold more files than
 * a process may open at once); each later open (hf__up_open: hashing, the
 * transfer, the commit body) checks that inode, size and mtime are those
 * of the first fstat, and a last stat before the commit does too: a file
 * that changed is never committed (HF_ECHANGED).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "hash.h"
#include "hash_cache.h"

static void fail_set(hf__failure *f, int code, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail_set(hf__failure *f, int code, const char *hint, const char *fmt, ...)
{
	va_list ap;

	memset(f, 0, sizeof(*f));
	f->code = code;
	snprintf(f->hint, sizeof(f->hint), "%s", hint ? hint : "");
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
}

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static int read_sample(hf__up_item *it)
{
	size_t want = it->size < HF__PREUPLOAD_SAMPLE ? (size_t)it->size : HF__PREUPLOAD_SAMPLE;
	size_t got = 0;

	while (got < want) {
		ssize_t n = pread(it->fd, it->sample + got, want - got, (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		got += (size_t)n;
	}
	it->sample_len = got;
	return 0;
}

static int prepare_file(hf__up *u, hf__up_item *it, hf__hash_cache *cache)
{
	struct stat st;
	const hf__hash_entry *ce;
	int e;

	it->fd = open(it->local, O_RDONLY | O_CLOEXEC);
	if (it->fd < 0 || fstat(it->fd, &st) != 0) {
		e = errno;
		return hf__error_set(u->c, e == ENOENT || e == ENOTDIR ? HF_EINVAL : HF_EIO,
				     "check the path", "cannot read '%s': %s", it->local, strerror(e));
	}
	if (!S_ISREG(st.st_mode))
		return hf__error_set(u->c, HF_EINVAL, "only regular files can be uploaded",
				     "'%s' is not a regular file", it->local);
	it->size = (uint64_t)st.st_size;
	it->mtime_ns = mtime_ns(&st);
	it->ino = (uint64_t)st.st_ino;
	if ((e = read_sample(it)) != 0)
		return hf__error_set(u->c, e == -EIO ? HF_ECHANGED : HF_EIO, NULL,
				     "cannot read '%s': %s", it->local,
				     e == -EIO ? "it got shorter" : strerror(-e));
	ce = cache && it->cache_key ?
		     hf__hash_cache_find(cache, it->cache_key, it->size, it->mtime_ns, it->ino) : NULL;
	if (ce) {
		memcpy(it->sha256, ce->sha256, sizeof(it->sha256));
		memcpy(it->sha1, ce->sha1, sizeof(it->sha1));
		it->cached = 1;
	}
	hf__up_close(it);
	return HF_OK;
}

static int same_file(const hf__up_item *it, const struct stat *st)
{
	return (uint64_t)st->st_ino == it->ino && (uint64_t)st->st_size == it->size &&
	       mtime_ns(st) == it->mtime_ns;
}

int hf__up_open(hf__up_item *it, hf__failure *f)
{
	struct stat st;
	int fd;

	if (it->fd >= 0 || it->kind != HF_COMMIT_ADD_FILE)
		return HF_OK;
	fd = open(it->local, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !same_file(it, &st)) {
		int e = errno;

		if (fd >= 0 || e == ENOENT) {
			fail_set(f, HF_ECHANGED, "upload again once nothing writes to the file",
				 "'%s' changed during the upload: nothing was committed", it->local);
		} else {
			fail_set(f, HF_EIO, NULL, "cannot read '%s': %s", it->local, strerror(e));
		}
		if (fd >= 0)
			close(fd);
		return f->code;
	}
	it->fd = fd;
	return HF_OK;
}

void hf__up_close(hf__up_item *it)
{
	if (it->fd >= 0 && !it->tmp_fd) {
		close(it->fd);
		it->fd = -1;
	}
}

int hf__up_prepare(hf__up *u)
{
	hf__hash_cache cache = HF__HASH_CACHE_INIT;
	int use_cache = 0, rc = HF_OK;
	size_t i;

	if (u->folder && !u->o.no_hash_cache && hf__hash_cache_load(&cache, u->folder) == 0)
		use_cache = 1;
	hf__up_report(u, HF_UPLOAD_HASHING, NULL, 1);
	for (i = 0; i < u->n && !rc; i++) {
		hf__up_item *it = &u->items[i];

		if (it->skip)
			continue;
		if (it->kind == HF_COMMIT_ADD_BUFFER) {
			it->size = it->len;
			it->sample_len = it->len < HF__PREUPLOAD_SAMPLE ? it->len : HF__PREUPLOAD_SAMPLE;
			if (it->sample_len)
				memcpy(it->sample, it->data, it->sample_len);
		} else if (it->kind == HF_COMMIT_ADD_FILE) {
			rc = prepare_file(u, it, use_cache ? &cache : NULL);
		} else {
			continue;
		}
		u->p.files_total++;
		if (!it->cached)
			u->p.bytes_to_hash += it->size;
		if (!rc)
			rc = hf__up_check_cancel(u);
	}
	hf__hash_cache_dispose(&cache);
	return rc;
}

/* The sha256 (and the git sha1 when regular) of a buffer. */
static int hash_buffer(hf__up_item *it)
{
	hf__hash h;
	char out[65];

	if (hf__hash_init(&h, HF__HASH_SHA256, it->size))
		return HF_ENOMEM;
	hf__hash_update(&h, it->data, it->len);
	if (hf__hash_final_hex(&h, it->sha256))
		return HF_ENOMEM;
	if (it->lfs)
		return 0;
	if (hf__hash_init(&h, HF__HASH_GIT_SHA1, it->size))
		return HF_ENOMEM;
	hf__hash_update(&h, it->data, it->len);
	if (hf__hash_final_hex(&h, out))
		return HF_ENOMEM;
	memcpy(it->sha1, out, 41);
	return 0;
}

static int hash_file(hf__up *u, hf__up_item *it, unsigned char *buf, size_t bufsize,
		     hf__failure *f)
{
	hf__hash h256, h1;
	char sha1[65];
	int with_sha1 = !it->lfs, failed = 0;
	uint64_t off = 0;

	if (hf__hash_init(&h256, HF__HASH_SHA256, it->size))
		return HF_ENOMEM;
	if (with_sha1 && hf__hash_init(&h1, HF__HASH_GIT_SHA1, it->size)) {
		hf__hash_dispose(&h256);
		return HF_ENOMEM;
	}
	while (off < it->size) {
		size_t want = it->size - off < bufsize ? (size_t)(it->size - off) : bufsize;
		ssize_t n = pread(it->fd, buf, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				fail_set(f, HF_EIO, NULL, "cannot read '%s': %s", it->local, strerror(errno));
			else
				fail_set(f, HF_ECHANGED, "upload again once nothing writes to the file",
					 "'%s' changed during the upload: nothing was committed",
					 it->local);
			failed = 1;
			break;
		}
		hf__hash_update(&h256, buf, (size_t)n);
		if (with_sha1)
			hf__hash_update(&h1, buf, (size_t)n);
		off += (uint64_t)n;
		if (hf__up_hashed(u, it->path, (uint64_t)n)) {
			failed = 1;
			break;
		}
	}
	if (failed) {
		hf__hash_dispose(&h256);
		if (with_sha1)
			hf__hash_dispose(&h1);
		return f->code ? f->code : HF_ECANCELLED;
	}
	if (hf__hash_final_hex(&h256, it->sha256)) {
		if (with_sha1)
			hf__hash_dispose(&h1);
		return HF_ENOMEM;
	}
	if (with_sha1) {
		if (hf__hash_final_hex(&h1, sha1))
			return HF_ENOMEM;
		memcpy(it->sha1, sha1, 41);
	}
	return 0;
}

int hf__up_hash_item(hf__up *u, hf__up_item *it, unsigned char *buf, size_t bufsize,
		     hf__failure *f)
{
	hf__preupload_answer a;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	/* The cache gives both hashes; a file cached as LFS and regular now needs its sha1. */
	if (!(it->cached && (it->lfs || it->sha1[0]))) {
		if (it->kind == HF_COMMIT_ADD_BUFFER) {
			rc = hash_buffer(it);
		} else {
			rc = hf__up_open(it, f);
			if (!rc)
				rc = hash_file(u, it, buf, bufsize, f);
			hf__up_close(it);
		}
		if (!rc && it->kind == HF_COMMIT_ADD_BUFFER)
			hf__up_hashed(u, it->path, it->size);
	}
	if (rc) {
		if (!f->code)
			fail_set(f, rc, NULL, "%s", rc == HF_ENOMEM ? "out of memory" : "cancelled");
		return rc;
	}
	memset(&a, 0, sizeof(a));
	a.mode = it->lfs ? HF__UPLOAD_LFS : HF__UPLOAD_REGULAR;
	memcpy(a.oid, it->remote_oid, sizeof(a.oid));
	it->noop = hf__upload_is_noop(&a, it->sha256, it->sha1[0] ? it->sha1 : NULL);
	return 0;
}

int hf__up_check_unchanged(hf__up *u)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		hf__up_item *it = &u->items[i];
		struct stat st;

		if (it->skip || it->kind != HF_COMMIT_ADD_FILE || it->ignored)
			continue;
		if (stat(it->local, &st) != 0 || !same_file(it, &st))
			return hf__error_set(u->c, HF_ECHANGED,
					     "upload again once nothing writes to the file",
					     "'%s' changed during the upload: nothing was committed",
					     it->local);
	}
	return HF_OK;
}

void hf__up_save_hash_cache(hf__up *u)
{
	hf__hash_cache hc = HF__HASH_CACHE_INIT;
	size_t i;

	if (!u->folder || u->o.no_hash_cache)
		return;
	for (i = 0; i < u->n; i++) {
		hf__up_item *it = &u->items[i];
		hf__hash_entry e;

		if (!it->cache_key || it->kind != HF_COMMIT_ADD_FILE || !it->sha256[0])
			continue;
		memset(&e, 0, sizeof(e));
		e.path = it->cache_key;
		e.size = it->size;
		e.mtime_ns = it->mtime_ns;
		e.ino = it->ino;
		memcpy(e.sha256, it->sha256, sizeof(e.sha256));
		memcpy(e.sha1, it->sha1, sizeof(e.sha1));
		if (hf__hash_cache_add(&hc, &e)) {
			hf__hash_cache_dispose(&hc);
			return;
		}
	}
	/* A read-only folder (or any failure) only costs a re-read next time. */
	(void)hf__hash_cache_save(&hc, u->folder);
	hf__hash_cache_dispose(&hc);
}
