/*
 * The resume checkpoint of a partial download, "<temp>.resume": its text
 * format (pure parse and format functions: text in, struct out, and back),
 * the thin file I/O around them, the identity of the writing process, and
 * the adoption of an earlier run's partial. The format, its grammar and
 * when checkpoints are written: docs/internals/download.md.
 */
#ifndef HF_RESUME_H
#define HF_RESUME_H

#include <stddef.h>
#include <stdint.h>

/* The grid of ranged downloads: cell k holds bytes [k, k + 1) * 16 MiB. */
#define HF__RESUME_CELL_SIZE ((uint64_t)16 << 20)
/* Cells past the verified prefix a checkpoint records, at most. */
#define HF__RESUME_MAX_CELLS 512
/* "<boot id> <pid namespace>" of the owner line, at most. */
#define HF__RESUME_OWNER_MAX 127
/* The longest checkpoint text (with room to spare); longer files are refused. */
#define HF__RESUME_TEXT_MAX (1024 + HF__RESUME_MAX_CELLS * 42)

/* A cell of the grid past the prefix, and the next byte it lacks. */
typedef struct hf__resume_cell {
	uint64_t cell;
	uint64_t pos;
} hf__resume_cell;

typedef struct hf__resume {
	char etag[65];          /* 40 or 64 lower-case hex */
	uint64_t size;          /* the whole file */
	uint64_t offset;        /* the verified prefix: bytes [0, offset) hashed and on disk */
	char owner[HF__RESUME_OWNER_MAX + 1]; /* "<boot id> <pid namespace>"; "": no owner line */
	long pid;               /* the writer's pid, with an owner */
	int has_cells;          /* a cells line, possibly with no entries */
	size_t ncells;
	hf__resume_cell cells[HF__RESUME_MAX_CELLS]; /* strictly increasing cell numbers */
} hf__resume;

/*
 * Parse a checkpoint of len bytes (no NUL needed). Everything is checked:
 * the exact line structure, canonical numbers (digits only, no leading
 * zero, at most LLONG_MAX), offset <= size, and every cell inside the
 * file, past the prefix and in increasing order. Returns 0 and fills *out,
 * or -1 (then *out is zeroed).
 */
int hf__resume_parse(const char *text, size_t len, hf__resume *out);

/*
 * The text of r into buf (NUL-terminated). Returns its length, or 0 when r
 * is not something hf__resume_parse would accept back, or cap is too small
 * (HF__RESUME_TEXT_MAX is always enough).
 */
size_t hf__resume_format(const hf__resume *r, char *buf, size_t cap);

/* 1 when s (len bytes) is one word of the owner line: printable ASCII, no space. */
int hf__resume_owner_word_ok(const char *s, size_t len);

/*
 * This process's "<boot id> <pid namespace>" (read once), or "" when it
 * cannot be known: then no owner line is written.
 */
const char *hf__resume_owner(void);

/* 1 when r names a writer on this boot and pid namespace that is gone. */
int hf__resume_writer_dead(const hf__resume *r);

/* Read and parse the checkpoint at path: 0, or -1 (missing, too long, malformed). */
int hf__resume_load(const char *path, hf__resume *out);

/* Format r and write it atomically (mode 0644): 0 or a negative errno. */
int hf__resume_store(const char *path, const hf__resume *r);

/*
 * Adopt the partial download of an earlier run in dir: the
 * "<prefix>.<8hex>.incomplete" with a checkpoint for etag and size and the
 * most bytes on disk whose writer is dead or idle. It is renamed to
 * tmp_path (its checkpoint to resume_path). Returns the verified prefix to
 * resume from (0: nothing adopted) and the cells it filled past it
 * (*ncells of them, at most HF__RESUME_MAX_CELLS, into cells).
 */
uint64_t hf__resume_adopt(const char *dir, const char *prefix, const char *etag, uint64_t size,
			  const char *tmp_path, const char *resume_path, hf__resume_cell *cells,
			  size_t *ncells);

#endif
