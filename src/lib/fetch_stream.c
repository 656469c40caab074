/*
 * Streaming mode of a fetch: one connection from byte 0 feeds a ring of
 * aligned slots that a hasher thread and RING_WRITERS writer threads
 * consume in order, so the hash never reads the file back and the writes
 * may bypass the page cache (O_DIRECT, on file systems chosen by
 * direct_io_wanted). A file that may be split is probed here first (its
 * first 16 MiB, timed) and handed to fetch_ranged.c when the connection is
 * slow. Shared state: fetch_int.h. How it fits in the download engine:
 * docs/internals/download.md.
 */
#include "fetch_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

/*
 * Streaming mode (a fresh download of a file of INLINE_HASH_MAX or more):
 * the one connection's bytes are staged in RING_SLOTS aligned slots that a
 * hasher thread and a writer thread consume in order, so the hash never
 * reads the file back and the writer can bypass the page cache (O_DIRECT)
 * where the file system allows it: on this project's machines that is
 * about twice as fast as buffered writes and leaves nothing to flush.
 *
 * A file that may be split is asked for in two requests on the one
 * connection: its first CHUNK_SIZE bytes, timed, then the rest. When the
 * first part came slower than SPLIT_BELOW (a CDN that caps each
 * connection), the rest goes to `connections` ranged workers instead; a
 * fast connection (loopback, a LAN mirror, a pipe where one connection
 * already saturates the disk or the CPU) keeps streaming, as more
 * connections would only cost CPU.
 */
#define SLOT_SIZE ((size_t)512 << 10)
#define RING_WRITERS 2  /* direct writes in flight: one alone leaves the disk idle between them */
#define DIRECT_ALIGN ((size_t)4096)
#define SPLIT_BELOW (100.0 * 1000 * 1000) /* bytes per second */

/* Hand the slot being filled to the hasher and the writer. */
static void ring_publish(shared *s)
{
	uint64_t n = s->unreported;

	pthread_mutex_lock(&s->mu);
	s->slot_len[s->produced % RING_SLOTS] = s->fill;
	s->slot_off[s->produced % RING_SLOTS] = s->produced_bytes;
	s->produced_bytes += s->fill;
	s->produced++;
	s->fill = 0;
	s->f->bytes_fetched += n;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	s->unreported = 0;
	/* Progress per slot, not per read: the locks are shared with other threads. */
	hf__fetch_report_progress(s, n);
}

/* Copy into the ring, waiting for a free slot; -1 once the fetch stopped. */
static int ring_put(shared *s, const char *data, size_t len)
{
	while (len) {
		size_t n;

		if (s->fill == 0) {
			pthread_mutex_lock(&s->mu);
			while (!s->stop &&
			       s->produced - hf__fetch_min(s->hashed_slots, s->written_slots) >= RING_SLOTS)
				pthread_cond_wait(&s->cv, &s->mu);
			pthread_mutex_unlock(&s->mu);
			if (hf__fetch_stopped(s))
				return -1;
		}
		n = SLOT_SIZE - s->fill < len ? SLOT_SIZE - s->fill : len;
		memcpy(s->slot[s->produced % RING_SLOTS] + s->fill, data, n);
		s->fill += n;
		data += n;
		len -= n;
		if (s->fill == SLOT_SIZE)
			ring_publish(s);
	}
	return 0;
}

/* The sink's bytes in streaming mode (on_data, fetch_xfer.c). */
static int stream_data(shared *s, const char *data, size_t len)
{
	if (s->probe_t0 == 0)
		s->probe_t0 = hf__fetch_now(); /* from the first byte: not the connect or the redirect */
	s->unreported += len;
	return ring_put(s, data, len);
}

/* ---- streaming mode: ring hasher and writer ---- */

static void *ring_hasher(void *arg)
{
	shared *s = arg;
	double saved_at = hf__fetch_now();

	pthread_mutex_lock(&s->mu);
	for (;;) {
		size_t i, len;
		uint64_t durable;

		while (s->hashed_slots == s->produced && !s->writers_done && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->stop || s->hashed_slots == s->produced)
			break;
		i = (size_t)(s->hashed_slots % RING_SLOTS);
		len = s->slot_len[i];
		pthread_mutex_unlock(&s->mu);
		hf__hash_update(&s->hash, s->slot[i], len);
		pthread_mutex_lock(&s->mu);
		s->hashed_slots++;
		s->hashed += len;
		pthread_cond_broadcast(&s->cv);
		/*
		 * Checkpoints here, not in the writers: the fdatasync takes tens
		 * of milliseconds, and the writers are the pipeline's pace.
		 */
		durable = hf__fetch_min(s->written, s->hashed);
		if (hf__fetch_checkpoint_due(s, durable, saved_at)) {
			pthread_mutex_unlock(&s->mu);
			hf__fetch_checkpoint(s, durable, &saved_at);
			pthread_mutex_lock(&s->mu);
		}
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/*
 * Whole blocks go through the O_DIRECT descriptor, the tail of the last
 * slot through the ordinary one; a file system that takes O_DIRECT at
 * open but not at write gets everything buffered from then on.
 */
static int write_slot(shared *s, const unsigned char *p, size_t len, uint64_t at)
{
	size_t whole = len & ~(DIRECT_ALIGN - 1);
	int e;

	if (s->direct_fd >= 0 && whole) {
		e = hf__fetch_pwrite_all(s->direct_fd, p, whole, at);
		if (e == EINVAL) {
			close(s->direct_fd);
			s->direct_fd = -1;
			return hf__fetch_pwrite_all(s->fd, p, len, at);
		}
		if (e)
			return e;
		p += whole;
		len -= whole;
		at += whole;
	}
	return len ? hf__fetch_pwrite_all(s->fd, p, len, at) : 0;
}

/* RING_WRITERS of these take slots in order and count them in order. */
static void *ring_writer(void *arg)
{
	shared *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		size_t i, len;
		uint64_t at;
		int e;

		while (s->claimed_slots == s->produced && !s->writers_done && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->stop || s->claimed_slots == s->produced)
			break;
		i = (size_t)(s->claimed_slots++ % RING_SLOTS);
		len = s->slot_len[i];
		at = s->slot_off[i];
		pthread_mutex_unlock(&s->mu);
		e = write_slot(s, s->slot[i], len, at);
		if (e) {
			hf__fetch_set_error(s, e == ENOSPC || e == EDQUOT ? HF_ENOSPC : HF_EIO, 0, NULL,
					    "cannot write '%s': %s", s->f->label, strerror(e));
			pthread_mutex_lock(&s->mu);
			break;
		}
		pthread_mutex_lock(&s->mu);
		s->slot_done[i] = 1;
		while (s->written_slots < s->claimed_slots && s->slot_done[s->written_slots % RING_SLOTS]) {
			size_t k = (size_t)(s->written_slots % RING_SLOTS);

			s->slot_done[k] = 0;
			s->written += s->slot_len[k];
			s->written_slots++;
		}
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/*
 * O_DIRECT only on local disk file systems known to do it well. On NFS,
 * CIFS, Lustre or FUSE every direct write is a synchronous round trip to a
 * server (and some only pretend to support it): buffered writes there.
 */
static int direct_io_wanted(int fd)
{
	struct statfs st;

	if (fstatfs(fd, &st) != 0)
		return 0;
	switch ((unsigned long)st.f_type) {
	case 0xEF53UL:      /* ext2, ext3, ext4 */
	case 0x58465342UL:  /* XFS */
	case 0x9123683EUL:  /* Btrfs */
	case 0xF2F52010UL:  /* F2FS */
		return 1;
	default:
		return 0;
	}
}

/*
 * One connection from byte 0. Returns EX_SPLIT when the first chunk came
 * slowly: then [0, CHUNK_SIZE) is written and hashed, and the caller
 * fetches the rest in ranges.
 */
int hf__fetch_run_stream(shared *s, int may_split)
{
	hf__fetch *f = s->f;
	pthread_t threads[1 + RING_WRITERS];
	int started = 0, i, r = EX_FATAL;

	for (i = 0; i < RING_SLOTS; i++) {
		void *p = NULL;

		if (posix_memalign(&p, DIRECT_ALIGN, SLOT_SIZE) != 0) {
			hf__fetch_set_error(s, HF_ENOMEM, 0, NULL, "out of memory");
			goto out;
		}
		s->slot[i] = p;
	}
	/* Claim the space now: a full disk fails here, not 90 GB in. */
	if (fallocate(s->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)f->size) != 0 &&
	    (errno == ENOSPC || errno == EDQUOT)) {
		hf__fetch_set_error(s, HF_ENOSPC, 0,
				    "free some space (the cache itself can be cleaned) and retry",
				    "not enough disk space for '%s' (%llu bytes)", f->label,
				    (unsigned long long)f->size);
		goto out;
	}
	s->direct_fd = direct_io_wanted(s->fd)
			       ? open(s->tmp_path, O_WRONLY | O_DIRECT | O_NOFOLLOW | O_CLOEXEC)
			       : -1;
	s->produced = s->hashed_slots = s->written_slots = s->claimed_slots = 0;
	s->produced_bytes = 0;
	memset(s->slot_done, 0, sizeof(s->slot_done));
	s->fill = 0;
	s->unreported = 0;
	s->written = 0;
	s->probe_t0 = 0;
	s->streaming = 1;
	s->deliver = stream_data;
	if (pthread_create(&threads[0], NULL, ring_hasher, s) != 0) {
		hf__fetch_set_error(s, HF_ENOMEM, 0, NULL, "cannot start a thread");
		goto out;
	}
	for (started = 1; started <= RING_WRITERS; started++) {
		if (pthread_create(&threads[started], NULL, ring_writer, s) != 0) {
			hf__fetch_set_error(s, HF_ENOMEM, 0, NULL, "cannot start a thread");
			goto out;
		}
	}
	if (may_split) {
		r = hf__fetch_range(s, f->conn, 0, CHUNK_SIZE, 1, 0);
		if (r == EX_OK && (double)CHUNK_SIZE / (hf__fetch_now() - s->probe_t0) < SPLIT_BELOW)
			r = EX_SPLIT;
		else if (r == EX_OK)
			r = hf__fetch_range(s, f->conn, CHUNK_SIZE, f->size, 1, 0);
	} else {
		r = hf__fetch_range(s, f->conn, 0, f->size, 1, 0);
	}
	if ((r == EX_OK || r == EX_SPLIT) && s->fill)
		ring_publish(s);
out:
	pthread_mutex_lock(&s->mu);
	s->writers_done = 1;
	if (r != EX_OK && r != EX_SPLIT)
		s->stop = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	s->streaming = 0;
	if (s->direct_fd >= 0 && close(s->direct_fd) != 0 && !f->failure.code)
		hf__fetch_set_error(s, errno == ENOSPC || errno == EDQUOT ? HF_ENOSPC : HF_EIO, 0, NULL,
				    "cannot write '%s': %s", f->label, strerror(errno));
	s->direct_fd = -1;
	for (i = 0; i < RING_SLOTS; i++) {
		free(s->slot[i]);
		s->slot[i] = NULL;
	}
	if ((r == EX_OK || r == EX_SPLIT) && f->failure.code)
		r = EX_FATAL; /* the writer failed */
	if (r != EX_OK && r != EX_SPLIT) {
		/* Interrupted: leave the written prefix for the next run. */
		uint64_t durable = hf__fetch_min(s->written, s->hashed);

		if (durable > s->saved && durable < f->size)
			(void)hf__fetch_save_resume(s, durable);
	}
	return r;
}

