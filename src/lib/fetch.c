#include "fetch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "hash.h"
#include "parse.h"
#include "retry.h"
#include "util.h"

#define CHUNK_SIZE ((uint64_t)16 << 20)
/*
 * Resume checkpoints (fdatasync, then a small file): never for less than a
 * MiB, and at most every RESUME_SAVE_S or ten times what the last one took,
 * whichever is longer. A fast download on a disk whose flush costs 80 ms
 * then spends under a tenth of its time on them, and a crash loses about a
 * second of transfer at most.
 */
#define RESUME_SAVE_MIN ((uint64_t)1 << 20)
#define RESUME_SAVE_S 0.25
#define INLINE_HASH_MAX ((uint64_t)8 << 20)
#define HASH_BLOCK ((size_t)1 << 20)
#define STALE_PARTIAL_S 2
/* Ranged cells past the verified prefix a checkpoint records, at most. */
#define MAX_SAVED_CELLS 512

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
#define RING_SLOTS 4
#define RING_WRITERS 2  /* direct writes in flight: one alone leaves the disk idle between them */
#define DIRECT_ALIGN ((size_t)4096)
#define SPLIT_BELOW (100.0 * 1000 * 1000) /* bytes per second */

/* ---- file mode ---- */

static pthread_once_t mode_once = PTHREAD_ONCE_INIT;
static unsigned int file_mode = 0644;

static void read_umask(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	unsigned int mask;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Umask: %o", &mask) == 1) {
			file_mode = 0666 & ~mask;
			break;
		}
	}
	fclose(f);
}

unsigned int hf__file_mode(void)
{
	pthread_once(&mode_once, read_umask);
	return file_mode;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- shared state of one fetch ---- */

typedef struct shared {
	hf__fetch *f;
	int fd;
	char *resume_path;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t start;        /* bytes already on disk when this attempt began */
	uint64_t frontier;     /* contiguous bytes written from offset 0 */
	uint64_t received;     /* bytes written by this attempt (progress) */
	/* Ranged mode. */
	uint64_t chunk_size;
	uint64_t start_cell;   /* grid cell (offset / chunk_size) of chunk 0 */
	uint64_t range_base;   /* first byte the ranged workers fetch */
	size_t nchunks, next_chunk, first_undone;
	unsigned char *done;
	uint64_t *chunk_pos;   /* next byte to write in each chunk */
	char *cdn_url;         /* where the Hub redirected, reused by every range */
	int stop;              /* an error, or cancelled */
	int writers_done;
	int no_ranges;         /* the server ignored a Range request */
	int continued;         /* bytes were appended after a broken transfer */
	uint64_t saved;        /* offset of the last resume checkpoint */
	double save_cost;      /* seconds the last checkpoint took */
	uint64_t received_saved; /* s->received at that checkpoint */
	/* Cells of an earlier run past its prefix: (cell index, next byte). */
	size_t n_adopted;
	uint64_t adopted_cell[MAX_SAVED_CELLS], adopted_pos[MAX_SAVED_CELLS];
	const char *tmp_path;
	/* Streaming mode: slot k holds sequence number k % RING_SLOTS. */
	int streaming;
	double probe_t0;       /* when the first byte of the stream arrived */
	unsigned char *slot[RING_SLOTS];
	size_t slot_len[RING_SLOTS];
	size_t fill;           /* bytes in the slot being filled (sequence `produced`) */
	uint64_t produced, hashed_slots, written_slots, claimed_slots;
	uint64_t produced_bytes;
	uint64_t slot_off[RING_SLOTS];
	unsigned char slot_done[RING_SLOTS]; /* written, out of order, not yet counted */
	uint64_t written;      /* bytes written by the stream */
	int direct_fd;         /* O_DIRECT descriptor of the temp file, or -1 */
	uint64_t unreported;   /* bytes received, not yet counted: counted per slot */
	/* Hashing. */
	int inline_hash;
	hf__hash hash;
	uint64_t hashed;
	int hash_error;
} shared;

static void set_error(shared *s, int code, long http_status, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void set_error(shared *s, int code, long http_status, const char *hint, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&s->mu);
	if (!s->f->failure.code) {
		hf__failure *fl = &s->f->failure;

		fl->code = code;
		fl->status = http_status;
		snprintf(fl->hint, sizeof(fl->hint), "%s", hint ? hint : "");
		fl->remedy = code == HF_ENOSPC ? HF_REMEDY_FREE_SPACE : HF_REMEDY_NONE;
		va_start(ap, fmt);
		vsnprintf(fl->message, sizeof(fl->message), fmt, ap);
		va_end(ap);
	}
	s->stop = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

static int stopped(shared *s)
{
	int stop;

	pthread_mutex_lock(&s->mu);
	stop = s->stop || (s->f->cancel && atomic_load(s->f->cancel));
	pthread_mutex_unlock(&s->mu);
	return stop;
}

static void report_progress(shared *s, uint64_t n)
{
	uint64_t done;

	pthread_mutex_lock(&s->mu);
	s->received += n;
	done = s->start + s->received;
	pthread_mutex_unlock(&s->mu);
	if (s->f->progress)
		s->f->progress(s->f->progress_payload, done > s->f->size ? s->f->size : done);
}

/* ---- resume state: "<temp>.resume" ---- */

/*
 * Who wrote a checkpoint: "<boot id> <pid namespace> <pid>". A later run on
 * the same boot and in the same pid namespace can tell a dead writer (kill
 * -9, a crash) from a live one and adopt its partial at once; anything else
 * waits until the partial has been idle for STALE_PARTIAL_S.
 */
static pthread_once_t owner_once = PTHREAD_ONCE_INIT;
static char owner_id[128];

static void read_owner_id(void)
{
	char boot[64] = "", ns[48] = "";
	FILE *fp = fopen("/proc/sys/kernel/random/boot_id", "r");
	ssize_t n;

	if (fp) {
		if (!fgets(boot, sizeof(boot), fp))
			boot[0] = '\0';
		fclose(fp);
	}
	boot[strcspn(boot, "\n")] = '\0';
	n = readlink("/proc/self/ns/pid", ns, sizeof(ns) - 1);
	ns[n > 0 ? n : 0] = '\0';
	if (boot[0] && ns[0] && !strpbrk(boot, " \t") && !strpbrk(ns, " \t\n"))
		snprintf(owner_id, sizeof(owner_id), "%s %s", boot, ns);
}

static const char *owner(void)
{
	pthread_once(&owner_once, read_owner_id);
	return owner_id;
}

static uint64_t chunk_start(const shared *s, size_t i);

/*
 * "hf-resume 1", etag, size, the verified prefix, then optional lines:
 * "owner <boot> <pidns> <pid>" and, for a ranged download, "cells <size>
 * <cell>:<next byte> ..." for the cells past the prefix that have data.
 * The cells are read before the fdatasync, so all they count is on disk.
 */
static int save_resume(shared *s, uint64_t offset)
{
	double t0 = now_s();
	size_t cap = 512 + MAX_SAVED_CELLS * 42, n, k = 0, i;
	char *text = malloc(cap);
	int rc;

	if (!text)
		return -ENOMEM;
	n = (size_t)snprintf(text, cap, "hf-resume 1\n%s\n%llu\n%llu\n", s->f->etag,
			     (unsigned long long)s->f->size, (unsigned long long)offset);
	if (owner()[0])
		n += (size_t)snprintf(text + n, cap - n, "owner %s %ld\n", owner(), (long)getpid());
	pthread_mutex_lock(&s->mu);
	if (s->nchunks && s->chunk_pos && !s->no_ranges) {
		n += (size_t)snprintf(text + n, cap - n, "cells %llu", (unsigned long long)s->chunk_size);
		/* The prefix's own cell too: written past the hashed prefix. */
		for (i = s->first_undone; i < s->nchunks && k < MAX_SAVED_CELLS; i++) {
			if (s->chunk_pos[i] <= chunk_start(s, i) || s->chunk_pos[i] <= offset)
				continue;
			n += (size_t)snprintf(text + n, cap - n, " %llu:%llu",
					      (unsigned long long)(s->start_cell + i),
					      (unsigned long long)s->chunk_pos[i]);
			k++;
		}
		n += (size_t)snprintf(text + n, cap - n, "\n");
	}
	pthread_mutex_unlock(&s->mu);
	if (fdatasync(s->fd) != 0) {
		rc = -errno;
		free(text);
		return rc;
	}
	rc = hf__write_file_atomic(s->resume_path, text, n, 0644);
	free(text);
	s->save_cost = now_s() - t0;
	return rc;
}

/* Save a checkpoint at `durable` now; called without s->mu held. */
static void checkpoint(shared *s, uint64_t durable, double *saved_at)
{
	uint64_t received;

	pthread_mutex_lock(&s->mu);
	received = s->received;
	pthread_mutex_unlock(&s->mu);
	if (save_resume(s, durable) == 0) {
		s->saved = durable;
		*saved_at = now_s();
	}
	pthread_mutex_lock(&s->mu);
	s->received_saved = received;
	pthread_mutex_unlock(&s->mu);
}

static int checkpoint_due(const shared *s, uint64_t durable, double saved_at)
{
	uint64_t gain = durable > s->saved ? durable - s->saved : 0;
	double every = 10 * s->save_cost > RESUME_SAVE_S ? 10 * s->save_cost : RESUME_SAVE_S;

	return durable < s->f->size && gain >= RESUME_SAVE_MIN && now_s() - saved_at >= every;
}

/*
 * The verified offset a partial file may resume from, or 0; *dead_writer
 * says whether the run that wrote it is known to be gone.
 */
/* "cells <size> <cell>:<pos> ...": kept only if every entry makes sense. */
static size_t parse_cells(const char *line, uint64_t prefix, uint64_t size, uint64_t *cell,
			  uint64_t *pos)
{
	unsigned long long cs, c, p;
	size_t n = 0;
	int used;

	if (sscanf(line, "cells %llu%n", &cs, &used) != 1 || cs != CHUNK_SIZE)
		return 0;
	line += used;
	while (*line == ' ') {
		if (n == MAX_SAVED_CELLS || sscanf(line, " %llu:%llu%n", &c, &p, &used) != 2)
			return 0;
		/* Past the prefix, inside its own cell, inside the file. */
		/* Past the prefix, inside its own cell, inside the file; the
		 * prefix's own cell may be the first. */
		if (c > size / cs || p <= c * cs || p <= prefix || p > (c + 1) * cs || p > size ||
		    (c * cs < prefix && c != prefix / cs))
			return 0;
		cell[n] = c;
		pos[n] = p;
		n++;
		line += used;
	}
	return *line == '\n' ? n : 0;
}

/*
 * The verified offset a partial file may resume from, or 0; *dead_writer
 * says whether the run that wrote it is known to be gone; the cells it
 * filled past that offset go to cell/pos (*ncells of them).
 */
static uint64_t read_resume(const char *path, const char *etag, uint64_t size, int *dead_writer,
			    uint64_t *cell, uint64_t *pos, size_t *ncells)
{
	char *text = NULL, e[72];
	unsigned long long sz, off;
	uint64_t result = 0;
	int used = 0;

	*dead_writer = 0;
	*ncells = 0;
	if (hf__read_file(path, 1024 + MAX_SAVED_CELLS * 42, &text, NULL) != 0)
		return 0;
	if (sscanf(text, "hf-resume 1\n%71s\n%llu\n%llu\n%n", e, &sz, &off, &used) == 3 &&
	    strcmp(e, etag) == 0 && sz == size && off <= size) {
		const char *me = owner();
		size_t mlen = strlen(me);
		const char *line = text + used;

		result = off;
		while (*line) {
			const char *next = strchr(line, '\n');

			if (!next)
				break;
			if (mlen && strncmp(line, "owner ", 6) == 0 && strncmp(line + 6, me, mlen) == 0 &&
			    line[6 + mlen] == ' ') {
				char *end;
				long pid = strtol(line + 7 + mlen, &end, 10);

				*dead_writer = pid > 0 && pid != (long)getpid() && *end == '\n' &&
					       kill((pid_t)pid, 0) != 0 && errno == ESRCH;
			} else if (strncmp(line, "cells ", 6) == 0) {
				*ncells = parse_cells(line, off, size, cell, pos);
			}
			line = next + 1;
		}
	}
	free(text);
	return result;
}

/*
 * Adopt the partial download of an earlier run: the one with the longest
 * verified prefix whose writer is known to be dead, or that has been idle
 * for a while (so not a live writer on a file system where flock does
 * nothing). It is renamed to our own name first, so two runs can never
 * share it.
 */
static uint64_t adopt_partial(shared *s, const char *tmp_path, const char *resume_path)
{
	hf__fetch *f = s->f;
	uint64_t *cell = calloc(2 * MAX_SAVED_CELLS, sizeof(uint64_t)), *pos = cell + MAX_SAVED_CELLS;
	char *pattern_dir = hf__strdup(f->dir);
	char best[4096] = "";
	uint64_t best_off = 0, best_covered = 0;
	size_t plen = strlen(f->prefix);
	struct dirent *de;
	DIR *d;

	s->n_adopted = 0;
	if (!pattern_dir || !cell) {
		free(pattern_dir);
		free(cell);
		return 0;
	}
	d = opendir(pattern_dir);
	free(pattern_dir);
	if (!d) {
		free(cell);
		return 0;
	}
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		size_t n = strlen(name);
		char path[4096], rpath[4200];
		struct stat st;
		uint64_t off, covered, top = 0;
		int dead_writer;
		size_t nc, j;

		if (n != plen + 1 + 8 + 11 || strncmp(name, f->prefix, plen) != 0 || name[plen] != '.' ||
		    strcmp(name + n - 11, ".incomplete") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", f->dir, name);
		snprintf(rpath, sizeof(rpath), "%s.resume", path);
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		off = read_resume(rpath, f->etag, f->size, &dead_writer, cell, pos, &nc);
		if (!dead_writer && time(NULL) - st.st_mtime < STALE_PARTIAL_S)
			continue;
		/* Prefer the partial with the most bytes on disk, prefix and cells. */
		covered = off;
		for (j = 0; j < nc; j++) {
			covered += pos[j] - cell[j] * CHUNK_SIZE;
			top = pos[j] > top ? pos[j] : top;
		}
		if (covered > best_covered && (uint64_t)st.st_size >= off && (uint64_t)st.st_size >= top) {
			best_covered = covered;
			best_off = off;
			s->n_adopted = nc;
			memcpy(s->adopted_cell, cell, nc * sizeof(*cell));
			memcpy(s->adopted_pos, pos, nc * sizeof(*pos));
			snprintf(best, sizeof(best), "%s", path);
		}
	}
	closedir(d);
	free(cell);
	if (!best_off) {
		s->n_adopted = 0; /* a prefix of 0 restarts clean: cells alone are not kept */
		return 0;
	}
	{
		char rbest[4200];

		snprintf(rbest, sizeof(rbest), "%s.resume", best);
		if (rename(best, tmp_path) != 0) {
			s->n_adopted = 0;
			return 0;
		}
		(void)rename(rbest, resume_path);
	}
	return best_off;
}

/* ---- one HTTP exchange with redirects ---- */

typedef struct sink_ctx {
	shared *s;
	const hf__response *rs; /* the reply being received: its status and headers */
	uint64_t req_start;   /* first byte asked for */
	uint64_t off;         /* next byte to write */
	uint64_t end;         /* one past the last byte asked for */
	int checked;
	int ranged;           /* a Range header was sent */
	int single;           /* the one writer: it moves the frontier itself */
	size_t chunk;         /* ranged mode: the chunk being written */
	int range_ignored, bad_range, too_long, io_error;
	int encoded;          /* a Content-Encoding although identity was asked */
} sink_ctx;

/* "bytes a-b/total" must be exactly what was asked. */
static int content_range_ok(const char *v, uint64_t a, uint64_t b_incl, uint64_t total)
{
	unsigned long long ra, rb, rt;
	char star;

	if (!v)
		return 0;
	if (sscanf(v, "bytes %llu-%llu/%llu", &ra, &rb, &rt) == 3)
		return ra == a && rb == b_incl && rt == total;
	if (sscanf(v, "bytes %llu-%llu/%c", &ra, &rb, &star) == 3 && star == '*')
		return ra == a && rb == b_incl;
	return 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* 0, or the errno of the failed write. */
static int pwrite_all(int fd, const unsigned char *p, size_t len, uint64_t at)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		p += n;
		len -= (size_t)n;
		at += (uint64_t)n;
	}
	return 0;
}

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
	report_progress(s, n);
}

/* Copy into the ring, waiting for a free slot; -1 once the fetch stopped. */
static int ring_put(shared *s, const char *data, size_t len)
{
	while (len) {
		size_t n;

		if (s->fill == 0) {
			pthread_mutex_lock(&s->mu);
			while (!s->stop &&
			       s->produced - min_u64(s->hashed_slots, s->written_slots) >= RING_SLOTS)
				pthread_cond_wait(&s->cv, &s->mu);
			pthread_mutex_unlock(&s->mu);
			if (stopped(s))
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

static size_t stream_data(sink_ctx *k, const char *data, size_t len)
{
	shared *s = k->s;

	if (s->probe_t0 == 0)
		s->probe_t0 = now_s(); /* from the first byte: not the connect or the redirect */
	s->unreported += len;
	if (ring_put(s, data, len) != 0)
		return 0;
	k->off += len;
	return len;
}

static size_t on_data(const char *data, size_t len, void *payload)
{
	sink_ctx *k = payload;
	shared *s = k->s;

	if (!k->checked) {
		k->checked = 1;
		const char *enc = hf__response_header(k->rs, "Content-Encoding");

		if (enc && strcasecmp(enc, "identity") != 0) {
			k->encoded = 1;
			return 0;
		}
		if (k->ranged && k->rs->status == 200) {
			/* Range ignored: never splice a full body onto a partial. */
			k->range_ignored = 1;
			return 0;
		}
		if (k->ranged && !content_range_ok(hf__response_header(k->rs, "Content-Range"),
						   k->req_start, k->end - 1, s->f->size)) {
			k->bad_range = 1;
			return 0;
		}
	}
	if (stopped(s))
		return 0;
	if (len > k->end - k->off) {
		k->too_long = 1;
		return 0;
	}
	if (s->streaming)
		return stream_data(k, data, len);
	k->io_error = pwrite_all(s->fd, (const unsigned char *)data, len, k->off);
	if (k->io_error)
		return 0;
	if (s->inline_hash)
		hf__hash_update(&s->hash, data, len);
	k->off += len;
	if (k->single) {
		pthread_mutex_lock(&s->mu);
		s->frontier = k->off;
		s->f->bytes_fetched += len;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
	} else {
		pthread_mutex_lock(&s->mu);
		s->f->bytes_fetched += len;
		s->chunk_pos[k->chunk] = k->off;
		/* The lowest unfinished chunk extends the contiguous prefix. */
		if (k->chunk == s->first_undone) {
			s->frontier = k->off;
			pthread_cond_broadcast(&s->cv);
		}
		pthread_mutex_unlock(&s->mu);
	}
	report_progress(s, len);
	return len;
}

enum { EX_OK, EX_RETRY, EX_FATAL, EX_NO_RANGES, EX_EXPIRED, EX_SPLIT };

/* Fill the error for a final HTTP status from the Hub or the storage. */
static void http_failure(shared *s, const hf__response *rs)
{
	hf__failure fl;

	hf__hub_describe_response(&s->f->subject, rs, &fl);
	pthread_mutex_lock(&s->mu);
	if (!s->f->failure.code)
		s->f->failure = fl;
	s->stop = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Kept for the message if the retries run out. */
static void note(shared *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(shared *s, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&s->mu);
	if (!s->f->failure.code) {
		va_start(ap, fmt);
		vsnprintf(s->f->failure.message, sizeof(s->f->failure.message), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&s->mu);
}

/*
 * Ask for bytes [k->off, k->end) (no Range when asking for the whole
 * file). The request layer follows the redirects and sends the token only
 * while the URL stays on the Hub's origin (http.h).
 */
static int exchange(shared *s, hf__conn *conn, sink_ctx *k, hf__response *rs)
{
	hf__fetch *f = s->f;
	hf__request rq;
	char range[64];
	char *start;
	int rc, from_cdn;

	pthread_mutex_lock(&s->mu);
	start = hf__strdup(s->cdn_url ? s->cdn_url : f->url);
	pthread_mutex_unlock(&s->mu);
	if (!start) {
		set_error(s, HF_ENOMEM, 0, NULL, "out of memory");
		return EX_FATAL;
	}
	k->ranged = !(k->off == 0 && k->end == f->size);
	k->req_start = k->off;
	k->checked = 0;
	k->rs = rs;
	snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long)k->off,
		 (unsigned long long)(k->end - 1));
	memset(&rq, 0, sizeof(rq));
	rq.url = start;
	rq.scope = f->scope;
	rq.range = k->ranged ? range : NULL;
	rq.identity = 1;
	rq.connect_timeout_s = f->etag_timeout_s;
	rq.stall_timeout_s = f->download_timeout_s;
	rq.redirects = HF__REDIRECT_ALL;
	rq.sink = on_data;
	rq.sink_payload = k;
	rq.max_body = 64 * 1024;
	rq.cancel = f->cancel;
	rc = hf__http_perform(conn, &rq, rs);
	free(start);
	from_cdn = rs->url && !hf__same_origin(rs->url, f->scope.origin);
	if (rc == HF_ECANCELLED) {
		if (k->io_error) {
			set_error(s, k->io_error == ENOSPC ? HF_ENOSPC : HF_EIO, 0, NULL,
				  "cannot write '%s': %s", f->label, strerror(k->io_error));
			return EX_FATAL;
		}
		if (k->encoded) {
			set_error(s, HF_EPROTOCOL, 0,
				  "a proxy or mirror is altering downloads; check HF_ENDPOINT and proxies",
				  "'%s' came compressed (Content-Encoding: %.40s) although it was asked "
				  "for as is; nothing was kept", f->label,
				  hf__response_header(rs, "Content-Encoding"));
			return EX_FATAL;
		}
		/* Range ignored, or a reply that does not fit what was asked: start over. */
		if (k->range_ignored || k->bad_range || k->too_long)
			return EX_NO_RANGES;
		return stopped(s) ? EX_FATAL : EX_RETRY;
	}
	if (rc == HF_EPROTOCOL && rs->bad_redirect) {
		if (rs->bad_redirect == HF__REDIRECT_TOO_MANY)
			set_error(s, HF_EPROTOCOL, 0, NULL, "too many redirects for '%s'", f->label);
		else
			set_error(s, HF_EPROTOCOL, 0, NULL,
				  "refusing a redirect for '%s' to an unsafe location", f->label);
		return EX_FATAL;
	}
	if (rc) {
		if (!hf__retry_transient(HF__RETRY_TRANSFER, rc, rs)) {
			set_error(s, rc, 0, NULL, "%s", rs->errmsg);
			return EX_FATAL;
		}
		note(s, "%s", rs->errmsg);
		return EX_RETRY;
	}
	if (rs->status >= 200 && rs->status < 300) {
		if (k->off != k->end) {
			note(s, "'%s': the connection closed early", f->label);
			return EX_RETRY;
		}
		pthread_mutex_lock(&s->mu);
		if (!s->cdn_url && strcmp(rs->url, f->url) != 0) {
			s->cdn_url = rs->url;
			rs->url = NULL;
		}
		pthread_mutex_unlock(&s->mu);
		return EX_OK;
	}
	if (rs->status == 403 && from_cdn) {
		/* A signed URL that expired: resolve again. Kept for the message. */
		const char *said = hf__response_header(rs, "X-Error-Message");

		note(s, "the download server refused the link (HTTP 403%s%s)", said ? ": " : "",
		     said ? said : "");
		return EX_EXPIRED;
	}
	if (hf__retry_status_is_transient(rs->status))
		return EX_RETRY;
	http_failure(s, rs);
	return EX_FATAL;
}

/* Called during a retry wait: progress (which may cancel) and the stop flag. */
static int wait_tick(void *payload)
{
	shared *s = payload;

	report_progress(s, 0);
	return stopped(s);
}

/* Fetch [off, end) with retries; resumes within the range after a drop. */
static int fetch_range(shared *s, hf__conn *conn, uint64_t off, uint64_t end, int single,
		       size_t chunk)
{
	hf__response rs = HF__RESPONSE_INIT;
	hf__retry policy;
	sink_ctx k;
	int r = EX_FATAL;

	memset(&k, 0, sizeof(k));
	k.s = s;
	k.rs = &rs;
	k.off = off;
	k.end = end;
	k.single = single;
	k.chunk = chunk;
	hf__retry_init(&policy, HF__RETRY_TRANSFER);
	policy.cancel = s->f->cancel;
	policy.tick = wait_tick;
	policy.tick_payload = s;
	while (!stopped(s)) {
		uint64_t before = k.off;

		if (k.off != off) {
			pthread_mutex_lock(&s->mu);
			s->continued = 1;
			pthread_mutex_unlock(&s->mu);
		}
		r = exchange(s, conn, &k, &rs);
		if (r == EX_RETRY && k.off == k.end)
			r = EX_OK; /* every byte arrived before the stream broke: the hash decides */
		if (r == EX_OK || r == EX_FATAL || r == EX_NO_RANGES)
			break;
		if (r == EX_EXPIRED) {
			pthread_mutex_lock(&s->mu);
			free(s->cdn_url);
			s->cdn_url = NULL;
			pthread_mutex_unlock(&s->mu);
		}
		/* Real progress earns a fresh budget; a trickle of bytes does not. */
		hf__retry_progress(&policy, k.off - before);
		if (hf__retry_count_failure(&policy) == HF__RETRY_DONE) {
			char last[sizeof(s->f->failure.message)];

			/* set_error() writes the message: never format it from itself. */
			pthread_mutex_lock(&s->mu);
			snprintf(last, sizeof(last), "%s",
				 s->f->failure.message[0] ? s->f->failure.message : "transfer failed");
			pthread_mutex_unlock(&s->mu);
			if (rs.status && !(rs.status >= 200 && rs.status < 300) && rs.status != 403)
				http_failure(s, &rs);
			else if (rs.status == 403)
				set_error(s, HF_ESERVER, 403,
					  "the Hub hands out download links the storage refuses; retry later",
					  "the download link for '%s' was refused (HTTP 403) even after asking the Hub again",
					  s->f->label);
			else
				set_error(s, HF_ENETWORK, rs.status,
					  "check your connection and run the same command again: it resumes",
					  "giving up on '%s' after %d attempts: %s", s->f->label,
					  policy.failures, last);
			r = EX_FATAL;
			break;
		}
		if (r != EX_EXPIRED && hf__retry_wait(&policy, &rs) != HF_OK)
			break;
	}
	if (r != EX_OK && r != EX_NO_RANGES && !s->f->failure.code && stopped(s))
		set_error(s, HF_ECANCELLED, 0, NULL, "download of '%s' cancelled", s->f->label);
	hf__response_dispose(&rs);
	return r;
}

/* ---- ranged workers ---- */

typedef struct worker {
	shared *s;
	hf__conn *conn;
	pthread_t thread;
	int started;
} worker;

/* Chunk i covers grid cell start_cell + i, cut at range_base. */
static uint64_t chunk_start(const shared *s, size_t i)
{
	uint64_t a = (s->start_cell + i) * s->chunk_size;

	return a < s->range_base ? s->range_base : a;
}

static uint64_t chunk_end(const shared *s, size_t i)
{
	uint64_t b = (s->start_cell + i + 1) * s->chunk_size;

	return b > s->f->size ? s->f->size : b;
}

static void chunk_done(shared *s, size_t i)
{
	pthread_mutex_lock(&s->mu);
	s->done[i] = 1;
	while (s->first_undone < s->nchunks && s->done[s->first_undone])
		s->first_undone++;
	if (s->first_undone < s->nchunks)
		s->frontier = s->chunk_pos[s->first_undone];
	else
		s->frontier = s->f->size;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

static void *range_worker(void *arg)
{
	worker *w = arg;
	shared *s = w->s;

	for (;;) {
		size_t i;
		uint64_t a, b;
		int r;

		pthread_mutex_lock(&s->mu);
		if (s->stop || s->no_ranges || s->next_chunk >= s->nchunks) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		i = s->next_chunk++;
		a = s->chunk_pos[i]; /* the cell's start, or where an earlier run stopped */
		pthread_mutex_unlock(&s->mu);
		b = chunk_end(s, i);
		if (a >= b) {
			chunk_done(s, i);
			continue;
		}
		r = fetch_range(s, w->conn, a, b, 0, i);
		if (r == EX_NO_RANGES) {
			pthread_mutex_lock(&s->mu);
			s->no_ranges = 1;
			pthread_mutex_unlock(&s->mu);
			break;
		}
		if (r != EX_OK)
			break;
		chunk_done(s, i);
	}
	return NULL;
}

/* ---- trailing hasher ---- */

static void *hasher(void *arg)
{
	shared *s = arg;
	char *buf = malloc(HASH_BLOCK);
	double saved_at = now_s();

	if (!buf) {
		s->hash_error = ENOMEM;
		set_error(s, HF_ENOMEM, 0, NULL, "out of memory");
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
			    now_s() - saved_at >= RESUME_SAVE_S && s->hashed < s->f->size) {
				pthread_mutex_unlock(&s->mu);
				checkpoint(s, s->hashed, &saved_at);
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
				set_error(s, HF_EIO, 0, NULL, "cannot read back '%s': %s", s->f->label,
					  strerror(s->hash_error));
				pthread_mutex_lock(&s->mu);
				goto out;
			}
			hf__hash_update(&s->hash, buf, (size_t)n);
			pthread_mutex_lock(&s->mu);
			s->hashed += (uint64_t)n;
			pthread_mutex_unlock(&s->mu);
		}
		/* Only hashed bytes, after fdatasync, count for a resume. */
		if (checkpoint_due(s, s->hashed, saved_at))
			checkpoint(s, s->hashed, &saved_at);
		pthread_mutex_lock(&s->mu);
	}
out:
	pthread_mutex_unlock(&s->mu);
	/* Interrupted: leave the verified prefix for the next run. */
	if (s->stop && s->hashed > s->saved && s->hashed < s->f->size && !s->hash_error)
		(void)save_resume(s, s->hashed);
	free(buf);
	return NULL;
}

/* ---- streaming mode: ring hasher and writer ---- */

static void *ring_hasher(void *arg)
{
	shared *s = arg;
	double saved_at = now_s();

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
		durable = min_u64(s->written, s->hashed);
		if (checkpoint_due(s, durable, saved_at)) {
			pthread_mutex_unlock(&s->mu);
			checkpoint(s, durable, &saved_at);
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
		e = pwrite_all(s->direct_fd, p, whole, at);
		if (e == EINVAL) {
			close(s->direct_fd);
			s->direct_fd = -1;
			return pwrite_all(s->fd, p, len, at);
		}
		if (e)
			return e;
		p += whole;
		len -= whole;
		at += whole;
	}
	return len ? pwrite_all(s->fd, p, len, at) : 0;
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
			set_error(s, e == ENOSPC || e == EDQUOT ? HF_ENOSPC : HF_EIO, 0, NULL,
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
static int run_stream(shared *s, int may_split)
{
	hf__fetch *f = s->f;
	pthread_t threads[1 + RING_WRITERS];
	int started = 0, i, r = EX_FATAL;

	for (i = 0; i < RING_SLOTS; i++) {
		void *p = NULL;

		if (posix_memalign(&p, DIRECT_ALIGN, SLOT_SIZE) != 0) {
			set_error(s, HF_ENOMEM, 0, NULL, "out of memory");
			goto out;
		}
		s->slot[i] = p;
	}
	/* Claim the space now: a full disk fails here, not 90 GB in. */
	if (fallocate(s->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)f->size) != 0 &&
	    (errno == ENOSPC || errno == EDQUOT)) {
		set_error(s, HF_ENOSPC, 0, "free some space (the cache itself can be cleaned) and retry",
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
	if (pthread_create(&threads[0], NULL, ring_hasher, s) != 0) {
		set_error(s, HF_ENOMEM, 0, NULL, "cannot start a thread");
		goto out;
	}
	for (started = 1; started <= RING_WRITERS; started++) {
		if (pthread_create(&threads[started], NULL, ring_writer, s) != 0) {
			set_error(s, HF_ENOMEM, 0, NULL, "cannot start a thread");
			goto out;
		}
	}
	if (may_split) {
		r = fetch_range(s, f->conn, 0, CHUNK_SIZE, 1, 0);
		if (r == EX_OK && (double)CHUNK_SIZE / (now_s() - s->probe_t0) < SPLIT_BELOW)
			r = EX_SPLIT;
		else if (r == EX_OK)
			r = fetch_range(s, f->conn, CHUNK_SIZE, f->size, 1, 0);
	} else {
		r = fetch_range(s, f->conn, 0, f->size, 1, 0);
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
		set_error(s, errno == ENOSPC || errno == EDQUOT ? HF_ENOSPC : HF_EIO, 0, NULL,
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
		uint64_t durable = min_u64(s->written, s->hashed);

		if (durable > s->saved && durable < f->size)
			(void)save_resume(s, durable);
	}
	return r;
}

/* ---- one attempt over the whole file ---- */

/* Ranged workers over [base, size), in CHUNK_SIZE cells of a grid from 0. */
static int run_ranged(shared *s, uint64_t base)
{
	hf__fetch *f = s->f;
	worker *ws = calloc((size_t)f->connections, sizeof(*ws));
	uint64_t first_cell = base / CHUNK_SIZE;
	size_t i;
	int n = f->connections, r = EX_OK;

	s->chunk_size = CHUNK_SIZE;
	s->start_cell = first_cell;
	s->range_base = base;
	s->nchunks = (size_t)((f->size + CHUNK_SIZE - 1) / CHUNK_SIZE - first_cell);
	s->next_chunk = s->first_undone = 0;
	free(s->done);
	free(s->chunk_pos);
	s->done = calloc(s->nchunks, 1);
	s->chunk_pos = calloc(s->nchunks, sizeof(*s->chunk_pos));
	if (!ws || !s->done || !s->chunk_pos) {
		free(ws);
		set_error(s, HF_ENOMEM, 0, NULL, "out of memory");
		return EX_FATAL;
	}
	for (i = 0; i < s->nchunks; i++)
		s->chunk_pos[i] = chunk_start(s, i);
	/* Cells an earlier run filled (checked against the grid when read). */
	for (i = 0; i < s->n_adopted; i++) {
		uint64_t c = s->adopted_cell[i];

		if (c < first_cell || c - first_cell >= s->nchunks ||
		    s->adopted_pos[i] <= chunk_start(s, (size_t)(c - first_cell)))
			continue;
		s->chunk_pos[c - first_cell] = s->adopted_pos[i];
		if (s->adopted_pos[i] == chunk_end(s, (size_t)(c - first_cell)))
			s->done[c - first_cell] = 1;
	}
	s->n_adopted = 0;
	/* The hasher may read what the prefix's cell already holds. */
	pthread_mutex_lock(&s->mu);
	s->frontier = s->chunk_pos[0];
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	ws[0].s = s;
	ws[0].conn = f->conn;
	for (i = 1; i < (size_t)n; i++) {
		ws[i].s = s;
		ws[i].conn = hf__conn_new(hf__conn_transport(f->conn));
		if (ws[i].conn && pthread_create(&ws[i].thread, NULL, range_worker, &ws[i]) == 0)
			ws[i].started = 1;
	}
	range_worker(&ws[0]);
	for (i = 1; i < (size_t)n; i++) {
		if (ws[i].started)
			pthread_join(ws[i].thread, NULL);
		hf__conn_free(ws[i].conn);
	}
	free(ws);
	if (s->no_ranges)
		r = EX_NO_RANGES;
	else if (f->failure.code || s->first_undone != s->nchunks)
		r = EX_FATAL;
	return r;
}

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
		set_error(s, HF_ENOMEM, 0, NULL, "cannot start hashing");
		return EX_FATAL;
	}
	s->inline_hash = f->size < INLINE_HASH_MAX && s->start == 0;
	if (!s->inline_hash && s->start == 0) {
		r = run_stream(s, may_split);
		if (r != EX_SPLIT)
			return r;
		/* The stream's share is written and hashed; the rest goes in ranges. */
		base = s->frontier = s->hashed = s->written;
		s->writers_done = 0;
		split = 1;
		r = EX_OK;
	}
	if (!s->inline_hash) {
		if (pthread_create(&hasher_thread, NULL, hasher, s) != 0) {
			set_error(s, HF_ENOMEM, 0, NULL, "cannot start a thread");
			return EX_FATAL;
		}
		hasher_started = 1;
	}
	if (base == f->size) {
		/* Everything came from an earlier run; only the hash is left. */
	} else if (split || (allow_ranges && s->n_adopted) ||
		   (allow_ranges && f->connections > 1 && f->size - base >= f->split_threshold)) {
		r = run_ranged(s, base);
	} else {
		r = fetch_range(s, f->conn, base, f->size, 1, 0);
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

static int verify_and_finish(shared *s, const char *tmp_path)
{
	hf__fetch *f = s->f;
	char got[65];
	struct stat st;

	if (fstat(s->fd, &st) != 0 || (uint64_t)st.st_size != f->size) {
		set_error(s, HF_EINTEGRITY, 0,
			  "this is usually a network problem; run the command again",
			  "consistency check failed for '%s': expected %llu bytes, got %llu", f->label,
			  (unsigned long long)f->size, (unsigned long long)(st.st_size));
		return -1;
	}
	if (hf__hash_final_hex(&s->hash, got) < 0) {
		set_error(s, HF_ENOMEM, 0, NULL, "cannot finish hashing");
		return -1;
	}
	if (strcmp(got, f->etag) != 0) {
		set_error(s, HF_EINTEGRITY, 0,
			  "the bytes received are not the file the Hub announced; nothing was kept",
			  "hash mismatch for '%s': expected %s %s, got %s", f->label,
			  strlen(f->etag) == 64 ? "sha256" : "git-sha1", f->etag, got);
		return -1;
	}
	if (fchmod(s->fd, hf__file_mode()) != 0 || fsync(s->fd) != 0) {
		set_error(s, errno == ENOSPC ? HF_ENOSPC : HF_EIO, 0, NULL, "cannot sync '%s': %s",
			  tmp_path, strerror(errno));
		return -1;
	}
	return 0;
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
		set_error(&s, HF_ENOMEM, 0, NULL, "out of memory");
		goto done;
	}
	sprintf(s.resume_path, "%s.resume", tmp_path);
	s.tmp_path = tmp_path;
	if (f->size >= INLINE_HASH_MAX)
		s.start = adopt_partial(&s, tmp_path, s.resume_path);
	f->resumed_from = s.start;
	s.fd = open(tmp_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s.fd < 0) {
		set_error(&s, errno == ENOSPC ? HF_ENOSPC : HF_EIO, 0, NULL, "cannot create '%s': %s",
			  tmp_path, strerror(errno));
		goto done;
	}
	/* Past the prefix only an adopted run's recorded cells are kept. */
	if (!s.n_adopted && ftruncate(s.fd, (off_t)s.start) != 0) {
		set_error(&s, HF_EIO, 0, NULL, "cannot truncate '%s': %s", tmp_path, strerror(errno));
		goto done;
	}
	for (;;) {
		r = run_attempt(&s, restarts == 0);
		if (r == EX_OK && verify_and_finish(&s, tmp_path) == 0)
			break;
		if (r == EX_OK || r == EX_NO_RANGES) {
			/*
			 * A hash mismatch after a resume, or a server that will
			 * not serve ranges: start over once from byte 0, clean.
			 */
			int was_integrity = f->failure.code == HF_EINTEGRITY;

			if (restarts++ || (was_integrity && s.start == 0 && !s.continued)) {
				if (!f->failure.code)
					set_error(&s, HF_EPROTOCOL, 0, NULL,
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
		set_error(&s, errno == ENOSPC || errno == EDQUOT ? HF_ENOSPC : HF_EIO, 0, NULL,
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
