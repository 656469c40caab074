/*
 * The orchestration of one fetch (fetch.h): the temporary file and its
 * checkpoint path, the adoption of an earlier run's partial (resume.c),
 * the attempt that picks a mode (single connection, streaming,
 * ranged) and the one clean restart after a hash mismatch or a server
 * that ignores ranges; plus the error record shared by every thread and
 * the file mode of new blobs. The modes live in fetch_xfer.c,
 * fetch_stream.c and fetch_ranged.c, hashing and verification in
 * fetch_verify.c; their shared state is in fetch_int.h. The whole engine
 * is described in docs/internals/download.md.
 */
#include "fetch_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "parse.h"
#include "util.h"

/* ---- one attempt over the whole file ---- */

static int run_attempt(shared *s, int allow_ranges)
{
	hf__fetch *f = s->f;
	pthread_t hasher_thread;
	int hasher_started = 0, r = EX_OK;
	int may_split = allow_ranges && f->connections > 1 && f->size >= f->split_threshold;
	uint64_t base = s->start;
	int split = 0;

	s->frontier = s->start;
	s->hashed = 0;
	s->received = 0;
	s->received_saved = 0;
	pthread_mutex_lock(&s->mu);
	s->nchunks = 0; /* no cells until run_ranged lays them out */
	pthread_mutex_unlock(&s->mu);
	s->writers_done = 0;
	s->no_ranges = 0;
	s->saved = s->start;
	if (hf__hash_init(&s->hash, hf__hash_kind_for_etag(f->etag), f->size) < 0) {
		hf__fetch_set_error(s, HF_ENOMEM, 0, NULL, "cannot start hashing");
		return EX_FATAL;
	}
	s->inline_hash = f->size < INLINE_HASH_MAX && s->start == 0;
	if (!s->inline_hash && s->start == 0) {
		r = hf__fetch_run_stream(s, may_split);
		if (r != EX_SPLIT)
			return r;
		/* The stream's share is written and hashed; the rest goes in ranges. */
		base = s->frontier = s->hashed = s->written;
		s->writers_done = 0;
		split = 1;
		r = EX_OK;
	}
	if (!s->inline_hash) {
		if (pthread_create(&hasher_thread, NULL, hf__fetch_hasher, s) != 0) {
			hf__fetch_set_error(s, HF_ENOMEM, 0, NULL, "cannot start a thread");
			return EX_FATAL;
		}
		hasher_started = 1;
	}
	if (base == f->size) {
		/* Everything came from an earlier run; only the hash is left. */
	} else if (split || (allow_ranges && s->n_adopted) ||
		   (allow_ranges && f->connections > 1 && f->size - base >= f->split_threshold)) {
		r = hf__fetch_run_ranged(s, base);
	} else {
		r = hf__fetch_range(s, f->conn, base, f->size, 1, 0);
	}
	pthread_mutex_lock(&s->mu);
	s->writers_done = 1;
	if (r != EX_OK)
		s->stop = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (hasher_started)
		pthread_join(hasher_thread, NULL);
	return r;
}

int hf__fetch_run(hf__fetch *f)
{
	shared s;
	char *tmp_path = NULL, *base = NULL;
	int restarts = 0, r;

	memset(&s, 0, sizeof(s));
	s.f = f;
	s.fd = -1;
	s.direct_fd = -1;
	f->failure.code = HF_OK;
	f->failure.message[0] = '\0';
	f->tmp_path = NULL;
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	/* Skip the redirect hop; an expired link falls back to f->url. */
	if (f->first_url)
		s.cdn_url = hf__strdup(f->first_url);
	if (!f->connections)
		f->connections = 1;
	base = hf__path_join(f->dir, f->prefix);
	tmp_path = base ? hf__unique_name(base, "incomplete") : NULL;
	s.resume_path = tmp_path ? malloc(strlen(tmp_path) + 8) : NULL;
	if (!s.resume_path) {
		hf__fetch_set_error(&s, HF_ENOMEM, 0, NULL, "out of memory");
		goto done;
	}
	sprintf(s.resume_path, "%s.resume", tmp_path);
	s.tmp_path = tmp_path;
	if (f->size >= INLINE_HASH_MAX)
		s.start = hf__resume_adopt(f->dir, f->prefix, f->etag, f->size, tmp_path,
					   s.resume_path, s.adopted, &s.n_adopted);
	f->resumed_from = s.start;
	s.fd = open(tmp_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s.fd < 0) {
		hf__fetch_set_error(&s, errno == ENOSPC ? HF_ENOSPC : HF_EIO, 0, NULL,
				    "cannot create '%s': %s", tmp_path, strerror(errno));
		goto done;
	}
	/* Past the prefix only an adopted run's recorded cells are kept. */
	if (!s.n_adopted && ftruncate(s.fd, (off_t)s.start) != 0) {
		hf__fetch_set_error(&s, HF_EIO, 0, NULL, "cannot truncate '%s': %s", tmp_path,
				    strerror(errno));
		goto done;
	}
	for (;;) {
		r = run_attempt(&s, restarts == 0);
		if (r == EX_OK && hf__fetch_verify_and_finish(&s, tmp_path) == 0)
			break;
		if (r == EX_OK || r == EX_NO_RANGES) {
			/*
			 * A hash mismatch after a resume, or a server that will
			 * not serve ranges: start over once from byte 0, clean.
			 */
			int was_integrity = f->failure.code == HF_EINTEGRITY;

			if (restarts++ || (was_integrity && s.start == 0 && !s.continued)) {
				if (!f->failure.code)
					hf__fetch_set_error(&s, HF_EPROTOCOL, 0, NULL,
							    "the server's replies for '%s' do not fit the ranges asked",
							    f->label);
				break;
			}
			hf__hash_dispose(&s.hash);
			f->failure.code = HF_OK;
			f->failure.message[0] = '\0';
			s.stop = 0;
			s.start = 0;
			s.n_adopted = 0;
			s.continued = 0;
			if (ftruncate(s.fd, 0) != 0)
				break;
			unlink(s.resume_path);
			continue;
		}
		break;
	}
done:
	hf__hash_dispose(&s.hash);
	/* NFS and quotas may report a failed write only now. */
	if (s.fd >= 0 && close(s.fd) != 0 && f->failure.code == HF_OK)
		hf__fetch_set_error(&s, errno == ENOSPC || errno == EDQUOT ? HF_ENOSPC : HF_EIO, 0, NULL,
				    "cannot write '%s': %s", f->label, strerror(errno));
	if (f->failure.code == HF_OK) {
		unlink(s.resume_path);
		f->tmp_path = tmp_path;
		tmp_path = NULL;
	} else if (tmp_path) {
		struct stat st;
		int keep = f->failure.code != HF_EINTEGRITY && lstat(s.resume_path, &st) == 0;

		/* Keep a partial only when its verified prefix is recorded. */
		if (!keep) {
			unlink(tmp_path);
			unlink(s.resume_path);
		}
	}
	free(s.cdn_url);
	free(s.done);
	free(s.chunk_pos);
	free(s.resume_path);
	free(tmp_path);
	free(base);
	pthread_mutex_destroy(&s.mu);
	pthread_cond_destroy(&s.cv);
	return f->failure.code;
}
