/*
 * What the units of the download engine share: the state of one fetch and
 * the functions each unit offers the others. fetch.c orchestrates (an
 * attempt, restarts, the temporary file); fetch_xfer.c makes the HTTP
 * exchanges and writes what they bring; fetch_ranged.c schedules ranges
 * over several connections; fetch_stream.c runs the streaming ring;
 * fetch_verify.c hashes the prefix, writes checkpoints and verifies the
 * result; resume.c owns the checkpoint's format. How they fit together:
 * docs/internals/download.md.
 */
#ifndef HF_FETCH_INT_H
#define HF_FETCH_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "fetch.h"
#include "hash.h"
#include "resume.h"

/* The grid of ranged downloads, the one the checkpoints record. */
#define CHUNK_SIZE HF__RESUME_CELL_SIZE
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
/* Slots of the streaming ring (fetch_stream.c says why it exists). */
#define RING_SLOTS 4

/* How an exchange or a mode ended. */
enum { EX_OK, EX_RETRY, EX_FATAL, EX_NO_RANGES, EX_EXPIRED, EX_SPLIT };

/* ---- shared state of one fetch ---- */

typedef struct hf__fetch_shared {
	/* fetch.c: set up by hf__fetch_run, for every unit. */
	hf__fetch *f;
	int fd;
	char *resume_path;
	const char *tmp_path;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* fetch.c (run_attempt) resets these; the writers advance them. */
	uint64_t start;        /* bytes already on disk when this attempt began */
	uint64_t frontier;     /* contiguous bytes written from offset 0 */
	uint64_t received;     /* bytes written by this attempt (progress) */
	int stop;              /* an error, or cancelled */
	int writers_done;
	int continued;         /* bytes were appended after a broken transfer (fetch_xfer.c) */
	/* fetch_ranged.c: the grid and its workers. */
	uint64_t chunk_size;
	uint64_t start_cell;   /* grid cell (offset / chunk_size) of chunk 0 */
	uint64_t range_base;   /* first byte the ranged workers fetch */
	size_t nchunks, next_chunk, first_undone;
	unsigned char *done;
	uint64_t *chunk_pos;   /* next byte to write in each chunk */
	int no_ranges;         /* the server ignored a Range request */
	/* fetch_xfer.c: where the Hub redirected, reused by every range. */
	char *cdn_url;
	/* fetch_verify.c: the checkpoints. */
	uint64_t saved;        /* offset of the last resume checkpoint */
	double save_cost;      /* seconds the last checkpoint took */
	uint64_t received_saved; /* s->received at that checkpoint */
	/* resume.c fills these (hf__resume_adopt); fetch_ranged.c lays them out. */
	/* Cells of an earlier run past its prefix: (cell index, next byte). */
	size_t n_adopted;
	hf__resume_cell adopted[HF__RESUME_MAX_CELLS];
	/* fetch_stream.c: streaming mode: slot k holds sequence number k % RING_SLOTS. */
	int streaming;
	/* Takes the sink's bytes while streaming: set by fetch_stream.c, so that
	   fetch_xfer.c does not call into the unit that calls it. */
	int (*deliver)(struct hf__fetch_shared *s, const char *data, size_t len);
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
	/* fetch_verify.c (and the ring's hasher): hashing. */
	int inline_hash;
	hf__hash hash;
	uint64_t hashed;
	int hash_error;
} shared;

static inline double hf__fetch_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline uint64_t hf__fetch_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Chunk i of the ranged mode covers grid cell start_cell + i, cut at range_base. */
static inline uint64_t hf__fetch_chunk_start(const shared *s, size_t i)
{
	uint64_t a = (s->start_cell + i) * s->chunk_size;

	return a < s->range_base ? s->range_base : a;
}

/* ---- fetch_state.c ---- */

/* Record the first failure (later ones are dropped) and stop every thread. */
void hf__fetch_set_error(shared *s, int code, long http_status, const char *hint, const char *fmt,
			 ...) __attribute__((format(printf, 5, 6)));
/* Non-zero once the fetch failed or was cancelled. */
int hf__fetch_stopped(shared *s);
/* Count n more bytes written and tell the caller's progress callback. */
void hf__fetch_report_progress(shared *s, uint64_t n);
/* 0, or the errno of the failed write. */
int hf__fetch_pwrite_all(int fd, const unsigned char *p, size_t len, uint64_t at);

/* ---- fetch_xfer.c ---- */

/*
 * Fetch [off, end) with retries on conn, into the file (or the ring when
 * s->streaming). single: the one writer, which moves the frontier itself;
 * otherwise the bytes belong to ranged chunk `chunk`. Returns an EX_*.
 */
int hf__fetch_range(shared *s, hf__conn *conn, uint64_t off, uint64_t end, int single,
		    size_t chunk);

/* ---- fetch_stream.c ---- */

/*
 * One connection from byte 0 through the ring. Returns EX_SPLIT when
 * may_split and the first chunk came slowly.
 */
int hf__fetch_run_stream(shared *s, int may_split);

/* ---- fetch_ranged.c ---- */

/* Ranged workers over [base, size). Returns an EX_*. */
int hf__fetch_run_ranged(shared *s, uint64_t base);

/* ---- fetch_verify.c ---- */

/* The thread that hashes the contiguous prefix from disk and checkpoints it. */
void *hf__fetch_hasher(void *arg);
/* Checkpoint `offset` (after fdatasync): 0 or a negative errno. */
int hf__fetch_save_resume(shared *s, uint64_t offset);
/* Save a checkpoint at `durable` now; called without s->mu held. */
void hf__fetch_checkpoint(shared *s, uint64_t durable, double *saved_at);
/* Whether a checkpoint at `durable` is due (the cadence above). */
int hf__fetch_checkpoint_due(const shared *s, uint64_t durable, double saved_at);
/* Size and hash against the etag, then mode and fsync: 0, or -1 with the error set. */
int hf__fetch_verify_and_finish(shared *s, const char *tmp_path);

#endif
