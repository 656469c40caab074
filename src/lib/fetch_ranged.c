/*
 * Ranged mode of a fetch: the file past a base offset is cut along the
 * 16 MiB grid into chunks, and `connections` workers (each with its own
 * connection, the caller's being the first) take the next chunk in order
 * until none is left. The lowest unfinished chunk carries the contiguous
 * prefix that fetch_verify.c hashes; cells an earlier run filled (from its
 * checkpoint) are taken up where they stopped. Shared state: fetch_int.h.
 * How it fits in the download engine: docs/internals/download.md.
 */
#include "fetch_int.h"

#include <stdlib.h>

#include "http.h"

/* ---- ranged workers ---- */

typedef struct worker {
	shared *s;
	hf__conn *conn;
	pthread_t thread;
	int started;
} worker;

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
		r = hf__fetch_range(s, w->conn, a, b, 0, i);
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


/* Ranged workers over [base, size), in CHUNK_SIZE cells of a grid from 0. */
int hf__fetch_run_ranged(shared *s, uint64_t base)
{
	hf__fetch *f = s->f;
	worker *ws = calloc((size_t)f->connections, sizeof(*ws));
	uint64_t first_cell = base / CHUNK_SIZE;
	size_t i;
	int n = f->connections, r = EX_OK;

	/*
	 * The grid is set up under the lock: the hasher thread may already be
	 * writing a checkpoint (save_resume reads nchunks and chunk_pos).
	 */
	pthread_mutex_lock(&s->mu);
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
		free(s->done);
		free(s->chunk_pos);
		s->done = NULL;
		s->chunk_pos = NULL;
		s->nchunks = 0;
		pthread_mutex_unlock(&s->mu);
		free(ws);
		hf__fetch_set_error(s, HF_ENOMEM, 0, NULL, "out of memory");
		return EX_FATAL;
	}
	for (i = 0; i < s->nchunks; i++)
		s->chunk_pos[i] = hf__fetch_chunk_start(s, i);
	/* Cells an earlier run filled (checked against the grid when read). */
	for (i = 0; i < s->n_adopted; i++) {
		uint64_t c = s->adopted[i].cell;

		if (c < first_cell || c - first_cell >= s->nchunks ||
		    s->adopted[i].pos <= hf__fetch_chunk_start(s, (size_t)(c - first_cell)))
			continue;
		s->chunk_pos[c - first_cell] = s->adopted[i].pos;
		if (s->adopted[i].pos == chunk_end(s, (size_t)(c - first_cell)))
			s->done[c - first_cell] = 1;
	}
	s->n_adopted = 0;
	/* The hasher may read what the prefix's cell already holds. */
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

