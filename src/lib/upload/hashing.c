/*
 * Every file of an upload hashed once (engine.h): sha256, and the git blob
 * sha1 of files under 10 MiB, in one read, on up to max_workers threads
 * (pool.h). Each file stays open from here to the commit: its descriptor
 * is what the transfers and the commit body read, and a second fstat
 * before the commit tells whether it changed (HF_ECHANGED).
 *
 * Folder files first look in the hash cache (hash_cache.h): a record with
 * the same path, size, mtime and inode gives both hashes, and only the
 * 512-byte sample is read.
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
#include "pool.h"

#define HASH_CHUNK ((size_t)1 << 20)

typedef struct hash_run {
	hf__up *u;
	size_t *idx;              /* items to hash */
	hf__hash_cache cache;
	int use_cache;
	hf__failure fail;         /* the first failure, copied by failed() */
} hash_run;

typedef struct hash_thread {
	unsigned char *buf;
	hf__failure f;
} hash_thread;

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

static int hash_thread_init(void *payload, void **ctx)
{
	hash_thread *t = calloc(1, sizeof(*t));

	(void)payload;
	if (!t || !(t->buf = malloc(HASH_CHUNK))) {
		free(t);
		return HF_ENOMEM;
	}
	*ctx = t;
	return 0;
}

static void hash_thread_free(void *payload, void *ctx)
{
	hash_thread *t = ctx;

	(void)payload;
	free(t->buf);
	free(t);
}

static void hash_failed(void *payload, void *ctx, size_t index, int rc)
{
	hash_run *r = payload;
	hash_thread *t = ctx;

	(void)index;
	if (t && t->f.code)
		r->fail = t->f;
	else
		fail_set(&r->fail, rc, NULL, "%s", rc == HF_ENOMEM ? "out of memory" : "hashing failed");
}

static int hash_buffer(hf__up_item *it)
{
	hf__hash h256, h1;
	char sha1[65];

	it->size = it->len;
	it->sample_len = it->len < HF__PREUPLOAD_SAMPLE ? it->len : HF__PREUPLOAD_SAMPLE;
	if (it->sample_len)
		memcpy(it->sample, it->data, it->sample_len);
	if (hf__hash_init(&h256, HF__HASH_SHA256, it->size))
		return HF_ENOMEM;
	hf__hash_update(&h256, it->data, it->len);
	if (hf__hash_final_hex(&h256, it->sha256))
		return HF_ENOMEM;
	if (hf__hash_init(&h1, HF__HASH_GIT_SHA1, it->size))
		return HF_ENOMEM;
	hf__hash_update(&h1, it->data, it->len);
	if (hf__hash_final_hex(&h1, sha1))
		return HF_ENOMEM;
	memcpy(it->sha1, sha1, 41);
	return 0;
}

/* Read the sample (the cache gave the hashes). */
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

static int hash_file(hash_run *r, hash_thread *t, hf__up_item *it)
{
	hf__up *u = r->u;
	hf__hash h256, h1;
	char sha1[65];
	int with_sha1, e;
	uint64_t off = 0;
	struct stat st;
	const hf__hash_entry *ce;

	it->fd = open(it->local, O_RDONLY | O_CLOEXEC);
	if (it->fd < 0 || fstat(it->fd, &st) != 0) {
		e = errno;
		fail_set(&t->f, e == ENOENT || e == ENOTDIR ? HF_EINVAL : HF_EIO, "check the path",
			 "cannot read '%s': %s", it->local, strerror(e));
		return t->f.code;
	}
	if (!S_ISREG(st.st_mode)) {
		fail_set(&t->f, HF_EINVAL, "only regular files can be uploaded",
			 "'%s' is not a regular file", it->local);
		return HF_EINVAL;
	}
	it->size = (uint64_t)st.st_size;
	it->mtime_ns = mtime_ns(&st);
	it->ino = (uint64_t)st.st_ino;
	ce = r->use_cache && it->cache_key ?
		     hf__hash_cache_find(&r->cache, it->cache_key, it->size, it->mtime_ns, it->ino) :
		     NULL;
	if (ce) {
		memcpy(it->sha256, ce->sha256, sizeof(it->sha256));
		memcpy(it->sha1, ce->sha1, sizeof(it->sha1));
		it->cached = 1;
		if ((e = read_sample(it)) != 0) {
			fail_set(&t->f, HF_EIO, NULL, "cannot read '%s': %s", it->local, strerror(-e));
			return HF_EIO;
		}
		return 0;
	}
	with_sha1 = it->size < HF__UP_SHA1_MAX;
	if (hf__hash_init(&h256, HF__HASH_SHA256, it->size))
		return HF_ENOMEM;
	if (with_sha1 && hf__hash_init(&h1, HF__HASH_GIT_SHA1, it->size)) {
		hf__hash_dispose(&h256);
		return HF_ENOMEM;
	}
	while (off < it->size) {
		size_t want = it->size - off < HASH_CHUNK ? (size_t)(it->size - off) : HASH_CHUNK;
		ssize_t n = pread(it->fd, t->buf, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				fail_set(&t->f, HF_EIO, NULL, "cannot read '%s': %s", it->local,
					 strerror(errno));
			else
				fail_set(&t->f, HF_ECHANGED,
					 "upload again once nothing writes to the file",
					 "'%s' changed while it was read (it got shorter): nothing was committed",
					 it->local);
			break;
		}
		if (off < HF__PREUPLOAD_SAMPLE) {
			size_t s = HF__PREUPLOAD_SAMPLE - (size_t)off;

			if (s > (size_t)n)
				s = (size_t)n;
			memcpy(it->sample + off, t->buf, s);
			it->sample_len = (size_t)off + s;
		}
		hf__hash_update(&h256, t->buf, (size_t)n);
		if (with_sha1)
			hf__hash_update(&h1, t->buf, (size_t)n);
		off += (uint64_t)n;
		if (hf__up_hashed(u, it->path, (uint64_t)n)) {
			t->f.code = 0;
			off = it->size + 1; /* cancelled */
			break;
		}
	}
	if (off != it->size) {
		hf__hash_dispose(&h256);
		if (with_sha1)
			hf__hash_dispose(&h1);
		return t->f.code ? t->f.code : HF_ECANCELLED;
	}
	if (hf__hash_final_hex(&h256, it->sha256) ||
	    (with_sha1 && hf__hash_final_hex(&h1, sha1))) {
		if (with_sha1)
			hf__hash_dispose(&h1);
		return HF_ENOMEM;
	}
	if (with_sha1)
		memcpy(it->sha1, sha1, 41);
	return 0;
}

static int hash_job(void *payload, void *ctx, size_t index)
{
	hash_run *r = payload;
	hash_thread *t = ctx;
	hf__up_item *it = &r->u->items[r->idx[index]];

	memset(&t->f, 0, sizeof(t->f));
	if (it->kind == HF_COMMIT_ADD_BUFFER) {
		int rc = hash_buffer(it);

		if (!rc)
			hf__up_hashed(r->u, it->path, it->size);
		return rc;
	}
	return hash_file(r, t, it);
}

int hf__up_hash_all(hf__up *u)
{
	hash_run r;
	hf__pool_ops ops = { hash_thread_init, hash_thread_free, hash_job, hash_failed };
	size_t i, n = 0;
	int rc;

	memset(&r, 0, sizeof(r));
	r.u = u;
	r.idx = calloc(u->n ? u->n : 1, sizeof(*r.idx));
	if (!r.idx)
		return hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
	for (i = 0; i < u->n; i++) {
		hf__up_item *it = &u->items[i];

		if (!it->skip && (it->kind == HF_COMMIT_ADD_FILE || it->kind == HF_COMMIT_ADD_BUFFER))
			r.idx[n++] = i;
	}
	if (u->folder && !u->o.no_hash_cache && hf__hash_cache_load(&r.cache, u->folder) == 0) {
		r.use_cache = 1;
		hf__hash_cache_sort(&r.cache); /* find() only reads from here on */
	}
	/* What is to be read: every file but those the cache already knows. */
	pthread_mutex_lock(&u->mu);
	u->p.files_total = n;
	pthread_mutex_unlock(&u->mu);
	for (i = 0; i < n; i++) {
		hf__up_item *it = &u->items[r.idx[i]];
		struct stat st;

		if (it->kind == HF_COMMIT_ADD_BUFFER) {
			u->p.bytes_to_hash += it->len;
		} else if (stat(it->local, &st) == 0) {
			if (!(r.use_cache && it->cache_key &&
			      hf__hash_cache_find(&r.cache, it->cache_key, (uint64_t)st.st_size,
						  mtime_ns(&st), (uint64_t)st.st_ino)))
				u->p.bytes_to_hash += (uint64_t)st.st_size;
		}
	}
	hf__up_report(u, HF_UPLOAD_HASHING, NULL, 1);
	rc = hf__pool_run(n, (size_t)u->o.max_workers, &ops, &r, &u->cancel);
	hf__hash_cache_dispose(&r.cache);
	free(r.idx);
	if (rc == HF_ECANCELLED || (rc && atomic_load(&u->cancel))) {
		atomic_store(&u->cancel, 1);
		return hf__up_check_cancel(u);
	}
	if (rc) {
		if (!r.fail.code)
			fail_set(&r.fail, rc, NULL, "hashing failed");
		return hf__failure_report(u->c, &r.fail, NULL);
	}
	return HF_OK;
}

int hf__up_hash_sha1(hf__up *u, hf__up_item *it)
{
	char out[65];
	int rc;

	if (it->sha1[0])
		return HF_OK;
	rc = hf__hash_fd(it->fd, HF__HASH_GIT_SHA1, it->size, out);
	if (rc == -ENOMEM)
		return hf__error_set(u->c, HF_ENOMEM, NULL, "out of memory");
	if (rc)
		return hf__error_set(u->c, HF_EIO, NULL, "cannot read '%s': %s", it->local,
				     rc < 0 && rc != -1 ? strerror(-rc) : "read error");
	memcpy(it->sha1, out, 41);
	return HF_OK;
}

int hf__up_check_unchanged(hf__up *u)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		hf__up_item *it = &u->items[i];
		struct stat st;

		if (it->skip || it->fd < 0 || it->tmp_fd || it->ignored)
			continue;
		if (fstat(it->fd, &st) != 0 || (uint64_t)st.st_size != it->size ||
		    mtime_ns(&st) != it->mtime_ns)
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

		if (!it->cache_key || it->fd < 0 || it->tmp_fd || !it->sha256[0])
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
