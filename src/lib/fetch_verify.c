/*
 * Verification of a fetch: the trailing hasher that reads the contiguous
 * prefix back from the page cache while the ranged or single writers are
 * still at work (streaming mode hashes in its ring, fetch_stream.c), the
 * checkpoints of that verified prefix (what goes into "<temp>.resume" and
 * how often; the text itself is resume.c's), and the final check of size
 * and hash before the file is handed over for publication. Shared state:
 * fetch_int.h. How it fits in the download engine:
 * docs/internals/download.md.
 */
#include "fetch_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes the trailing hasher reads back at a time. */
#define HASH_BLOCK ((size_t)1 << 20)

/* ---- checkpoints ---- */

/*
 * "hf-resume 1", etag, size, the verified prefix, then optional lines:
 * "owner <boot> <pidns> <pid>" and, for a ranged download, "cells <size>
 * <cell>:<next byte> ..." for the cells past the prefix that have data.
 * The cells are read before the fdatasync, so all they count is on disk.
 */
int hf__fetch_save_resume(shared *s, uint64_t offset)
{
	double t0 = hf__fetch_now();
	hf__resume *r = calloc(1, sizeof(*r));
	const char *me = hf__resume_owner();
	size_t i;
	int rc;

	if (!r)
		return -ENOMEM;
	snprintf(r->etag, sizeof(r->etag), "%s", s->f->etag);
	r->size = s->f->size;
	r->offset = offset;
	if (me[0]) {
		snprintf(r->owner, sizeof(r->owner), "%s", me);
		r->pid = (long)getpid();
	}
	pthread_mutex_lock(&s->mu);
	if (s->nchunks && s->chunk_pos && !s->no_ranges) {
		r->has_cells = 1;
		/* The prefix's own cell too: written past the hashed prefix. */
		for (i = s->first_undone; i < s->nchunks && r->ncells < HF__RESUME_MAX_CELLS; i++) {
			if (s->chunk_pos[i] <= hf__fetch_chunk_start(s, i) || s->chunk_pos[i] <= offset)
				continue;
			r->cells[r->ncells].cell = s->start_cell + i;
			r->cells[r->ncells].pos = s->chunk_pos[i];
			r->ncells++;
		}
	}
	pthread_mutex_unlock(&s->mu);
	if (fdatasync(s->fd) != 0) {
		rc = -errno;
		free(r);
		return rc;
	}
	rc = hf__resume_store(s->resume_path, r);
	free(r);
	s->save_cost = hf__fetch_now() - t0;
	return rc;
}

/* Save a checkpoint at `durable` now; called without s->mu held. */
void hf__fetch_checkpoint(shared *s, uint64_t durable, double *saved_at)
{
	uint64_t received;

	pthread_mutex_lock(&s->mu);
	received = s->received;
	pthread_mutex_unlock(&s->mu);
	if (hf__fetch_save_resume(s, durable) == 0) {
		s->saved = durable;
		*saved_at = hf__fetch_now();
	}
	pthread_mutex_lock(&s->mu);
	s->received_saved = received;
	pthread_mutex_unlock(&s->mu);
}

int hf__fetch_checkpoint_due(const shared *s, uint64_t durable, double saved_at)
{
	uint64_t gain = durable > s->saved ? durable - s->saved : 0;
	double every = 10 * s->save_cost > RESUME_SAVE_S ? 10 * s->save_cost : RESUME_SAVE_S;

	return durable < s->f->size && gain >= RESUME_SAVE_MIN && hf__fetch_now() - saved_at >= every;
}

/* ---- trailing hasher ---- */

void *hf__fetch_hasher(void *arg)
{
	shared *s = arg;
	char *buf = malloc(HASH_BLOCK);
	double saved_at = hf__fetch_now();

	if (!buf) {
		s->hash_error = ENOMEM;
		hf__fetch_set_error(s, HF_ENOMEM, 0, NULL, "out of memory");
		return NULL;
	}
	pthread_mutex_lock(&s->mu);
	for (;;) {
		uint64_t upto;

		while (s->hashed == s->frontier && !s->writers_done && !s->stop) {
			struct timespec until;

			/*
			 * The prefix is stuck behind one slow range while the
			 * others fill their cells: checkpoint the cells too.
			 */
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += 250 * 1000 * 1000;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			if (pthread_cond_timedwait(&s->cv, &s->mu, &until) == ETIMEDOUT && s->nchunks &&
			    s->received - s->received_saved >= RESUME_SAVE_MIN &&
			    hf__fetch_now() - saved_at >= RESUME_SAVE_S && s->hashed < s->f->size) {
				pthread_mutex_unlock(&s->mu);
				hf__fetch_checkpoint(s, s->hashed, &saved_at);
				pthread_mutex_lock(&s->mu);
			}
		}
		if (s->hashed == s->frontier && (s->writers_done || s->stop))
			break;
		if (s->stop)
			break;
		upto = s->frontier;
		pthread_mutex_unlock(&s->mu);
		while (s->hashed < upto) {
			size_t want = upto - s->hashed < HASH_BLOCK ? (size_t)(upto - s->hashed) : HASH_BLOCK;
			ssize_t n = pread(s->fd, buf, want, (off_t)s->hashed);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				s->hash_error = n < 0 ? errno : EIO;
				hf__fetch_set_error(s, HF_EIO, 0, NULL, "cannot read back '%s': %s",
						    s->f->label, strerror(s->hash_error));
				pthread_mutex_lock(&s->mu);
				goto out;
			}
			hf__hash_update(&s->hash, buf, (size_t)n);
			pthread_mutex_lock(&s->mu);
			s->hashed += (uint64_t)n;
			pthread_mutex_unlock(&s->mu);
		}
		/* Only hashed bytes, after fdatasync, count for a resume. */
		if (hf__fetch_checkpoint_due(s, s->hashed, saved_at))
			hf__fetch_checkpoint(s, s->hashed, &saved_at);
		pthread_mutex_lock(&s->mu);
	}
out:
	pthread_mutex_unlock(&s->mu);
	/* Interrupted: leave the verified prefix for the next run. */
	if (s->stop && s->hashed > s->saved && s->hashed < s->f->size && !s->hash_error)
		(void)hf__fetch_save_resume(s, s->hashed);
	free(buf);
	return NULL;
}

/* ---- the final check ---- */

int hf__fetch_verify_and_finish(shared *s, const char *tmp_path)
{
	hf__fetch *f = s->f;
	char got[65];
	struct stat st;

	if (fstat(s->fd, &st) != 0 || (uint64_t)st.st_size != f->size) {
		hf__fetch_set_error(s, HF_EINTEGRITY, 0,
				    "this is usually a network problem; run the command again",
				    "consistency check failed for '%s': expected %llu bytes, got %llu",
				    f->label, (unsigned long long)f->size, (unsigned long long)(st.st_size));
		return -1;
	}
	if (hf__hash_final_hex(&s->hash, got) < 0) {
		hf__fetch_set_error(s, HF_ENOMEM, 0, NULL, "cannot finish hashing");
		return -1;
	}
	if (strcmp(got, f->etag) != 0) {
		hf__fetch_set_error(s, HF_EINTEGRITY, 0,
				    "the bytes received are not the file the Hub announced; nothing was kept",
				    "hash mismatch for '%s': expected %s %s, got %s", f->label,
				    strlen(f->etag) == 64 ? "sha256" : "git-sha1", f->etag, got);
		return -1;
	}
	if (fchmod(s->fd, hf__file_mode()) != 0 || fsync(s->fd) != 0) {
		hf__fetch_set_error(s, errno == ENOSPC ? HF_ENOSPC : HF_EIO, 0, NULL,
				    "cannot sync '%s': %s", tmp_path, strerror(errno));
		return -1;
	}
	return 0;
}
