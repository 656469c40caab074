/*
 * hf_upload_large_folder() (include/hf/upload.h): a folder in many
 * commits, each an hf_commit() of HF_COMMIT_ADD_FILE operations, with the
 * per-file state of large_folder.h so that a rerun after a crash, a kill
 * or a cancellation commits only what is left. docs/internals/upload.md
 * "Large folders" says what is shared with the official tool's state.
 */
#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hf/upload.h"

#include "cache.h"
#include "client_int.h"
#include "fsutil.h"
#include "upload/large_folder.h"
#include "upload/paths.h"
#include "upload/walk.h"
#include "util.h"

#define ULF_MESSAGE "Add files using upload-large-folder tool"
#define ULF_META_MAX 4096

/* ---- the state file (pure) ---- */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v'))
		p++;
	return p;
}

/* The next line of [*p, end), trimmed, into [*b, *e); 0 when no line is left. */
static int next_line(const char **p, const char *end, const char **b, const char **e)
{
	const char *s = *p, *nl;

	if (s >= end)
		return 0;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (!nl)
		nl = end;
	*p = nl < end ? nl + 1 : end;
	s = skip_ws(s, nl);
	while (nl > s && (nl[-1] == ' ' || nl[-1] == '\t' || nl[-1] == '\r' || nl[-1] == '\f' ||
			  nl[-1] == '\v'))
		nl--;
	*b = s;
	*e = nl;
	return 1;
}

static int all_hex(const char *b, const char *e)
{
	for (; b < e; b++)
		if (!((*b >= '0' && *b <= '9') || (*b >= 'a' && *b <= 'f') || (*b >= 'A' && *b <= 'F')))
			return 0;
	return 1;
}

static int parse_flag(const char *b, const char *e, int allow_empty, int *out)
{
	if (b == e && allow_empty) {
		*out = -1;
		return 0;
	}
	if (e - b != 1 || (*b != '0' && *b != '1'))
		return -1;
	*out = *b - '0';
	return 0;
}

int hf__ulf_meta_parse(const char *text, size_t len, hf__ulf_meta *m)
{
	const char *p = text, *end = text + len, *b, *e, *q;
	uint64_t v = 0;
	long long sec = 0;
	long nsec = 0, scale = 100000000;
	int digits = 0;

	memset(m, 0, sizeof(*m));
	/* timestamp */
	if (!next_line(&p, end, &b, &e))
		return -1;
	q = b;
	if (q < e && *q == '+')
		q++;
	for (; q < e && *q >= '0' && *q <= '9'; q++, digits++) {
		if (sec > (LLONG_MAX - 9) / 10)
			return -1;
		sec = sec * 10 + (*q - '0');
	}
	if (q < e && *q == '.') {
		for (q++; q < e && *q >= '0' && *q <= '9'; q++, digits++) {
			nsec += scale * (*q - '0');
			scale /= 10;
		}
	}
	if (!digits || q != e)
		return -1;
	m->ts_sec = sec;
	m->ts_nsec = nsec;
	/* size */
	if (!next_line(&p, end, &b, &e) || b == e)
		return -1;
	for (q = b; q < e; q++) {
		if (*q < '0' || *q > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*q - '0');
	}
	m->size = v;
	/* should_ignore */
	if (!next_line(&p, end, &b, &e) || parse_flag(b, e, 1, &m->should_ignore))
		return -1;
	/* sha256 */
	if (!next_line(&p, end, &b, &e) || (b != e && (e - b != 64 || !all_hex(b, e))))
		return -1;
	memcpy(m->sha256, b, (size_t)(e - b));
	m->sha256[e - b] = '\0';
	/* upload_mode */
	if (!next_line(&p, end, &b, &e))
		return -1;
	if (b != e && !((e - b == 3 && memcmp(b, "lfs", 3) == 0) ||
			(e - b == 7 && memcmp(b, "regular", 7) == 0)))
		return -1;
	memcpy(m->upload_mode, b, (size_t)(e - b));
	m->upload_mode[e - b] = '\0';
	/* remote_oid */
	if (!next_line(&p, end, &b, &e) ||
	    (b != e && ((e - b != 40 && e - b != 64) || !all_hex(b, e))))
		return -1;
	memcpy(m->remote_oid, b, (size_t)(e - b));
	m->remote_oid[e - b] = '\0';
	/* is_uploaded, is_committed */
	if (!next_line(&p, end, &b, &e) || parse_flag(b, e, 0, &m->is_uploaded))
		return -1;
	if (!next_line(&p, end, &b, &e) || parse_flag(b, e, 0, &m->is_committed))
		return -1;
	return 0;
}

int hf__ulf_meta_format(char *buf, size_t size, const hf__ulf_meta *m)
{
	char ignore[2] = { 0, 0 };

	if (m->should_ignore >= 0)
		ignore[0] = m->should_ignore ? '1' : '0';
	return snprintf(buf, size, "%lld.%06ld\n%llu\n%s\n%s\n%s\n%s\n%d\n%d\n", m->ts_sec,
			m->ts_nsec / 1000, (unsigned long long)m->size, ignore, m->sha256,
			m->upload_mode, m->remote_oid, m->is_uploaded ? 1 : 0, m->is_committed ? 1 : 0);
}

int hf__ulf_meta_fresh(const hf__ulf_meta *m, uint64_t size, long long mtime_sec, long mtime_nsec)
{
	if (m->size != size)
		return 0;
	if (mtime_sec != m->ts_sec)
		return mtime_sec < m->ts_sec;
	return mtime_nsec <= m->ts_nsec;
}

static const size_t batch_scale[] = { 20, 50, 75, 100, 125, 200, 250, 400, 600, 1000 };
#define N_SCALE (sizeof(batch_scale) / sizeof(batch_scale[0]))

size_t hf__ulf_first_batch(const char *env_value)
{
	if (env_value && *env_value) {
		char *end;
		long v = strtol(env_value, &end, 10);

		if (*end == '\0' && v >= 1 && v <= 1000)
			return (size_t)v;
	}
	return batch_scale[1];
}

size_t hf__ulf_next_batch(size_t current, size_t committed, double seconds)
{
	size_t i;

	for (i = 0; i + 1 < N_SCALE; i++)
		if (batch_scale[i] == current)
			return committed >= current && seconds < 40 ? batch_scale[i + 1] : current;
	return current; /* a fixed size, or the top of the scale */
}

/* ---- the state of one file ---- */

typedef struct ulf_file {
	const char *rel;
	char *local;    /* <folder>/<rel> */
	char *meta;     /* <folder>/.cache/huggingface/upload/<rel>.metadata */
	char *lock;     /* .../<rel>.lock */
	hf__ulf_meta m; /* what the last state says, when has_meta */
	int has_meta;
	uint64_t size;
	long long mtime_sec;
	long mtime_nsec;
} ulf_file;

static int file_paths(ulf_file *f, const char *folder, const char *rel)
{
	char *base = hf__path_join(folder, ".cache/huggingface/upload");
	char *stem = base ? hf__path_join(base, rel) : NULL;

	f->rel = rel;
	f->local = hf__path_join(folder, rel);
	f->meta = stem ? hf__strcat2(stem, ".metadata") : NULL;
	f->lock = stem ? hf__strcat2(stem, ".lock") : NULL;
	free(base);
	free(stem);
	return f->local && f->meta && f->lock ? 0 : -ENOMEM;
}

static void file_dispose(ulf_file *f)
{
	free(f->local);
	free(f->meta);
	free(f->lock);
}

/* Read the state of f under its lock; 1 when it says "committed" and still holds. */
static int file_done(ulf_file *f)
{
	char *text = NULL;
	size_t len = 0;
	int fd, rc;

	fd = hf__lock_path(f->lock);
	rc = hf__read_file(f->meta, ULF_META_MAX, &text, &len);
	if (fd >= 0)
		hf__unlock_fd(fd);
	f->has_meta = rc == 0 && hf__ulf_meta_parse(text, len, &f->m) == 0 &&
		      hf__ulf_meta_fresh(&f->m, f->size, f->mtime_sec, f->mtime_nsec);
	free(text);
	return f->has_meta && f->m.is_committed;
}

/*
 * Save "committed" for f, as of ts (taken before the commit started, so
 * that a file touched during the commit is sent again next time). What
 * an earlier state knew (the official tool's hash, upload mode) is kept.
 */
static int file_save_committed(ulf_file *f, long long ts_sec, long ts_nsec)
{
	hf__ulf_meta m;
	char text[512];
	int fd, rc, len;

	if (f->has_meta) {
		m = f->m;
	} else {
		memset(&m, 0, sizeof(m));
		m.should_ignore = -1;
	}
	m.ts_sec = ts_sec;
	m.ts_nsec = ts_nsec;
	m.size = f->size;
	m.is_committed = 1;
	len = hf__ulf_meta_format(text, sizeof(text), &m);
	if (len < 0 || (size_t)len >= sizeof(text))
		return -EINVAL;
	fd = hf__lock_path(f->lock);
	rc = hf__write_file_atomic(f->meta, text, (size_t)len, 0644);
	if (fd >= 0)
		hf__unlock_fd(fd);
	return rc;
}

static int fs_error(hf_client *c, int err, const char *what, const char *path)
{
	hf__error_set(c, err == -ENOMEM ? HF_ENOMEM : HF_EIO, NULL, "cannot %s %s: %s", what, path,
		      strerror(-err));
	if (err != -ENOMEM)
		hf__error_errno(c, -err);
	return err == -ENOMEM ? HF_ENOMEM : HF_EIO;
}

int hf_upload_large_folder(hf_client *client, const char *repo_id, const char *folder,
			   const hf_upload_options *opts)
{
	hf_upload_options o = HF_UPLOAD_OPTIONS_INIT, co;
	hf__walk names = HF__WALK_INIT;
	ulf_file *files = NULL;
	hf_commit_op *ops = NULL;
	size_t i, n_todo = 0, next, batch;
	char *bad = NULL;
	struct stat st;
	int rc = HF_OK, err;

	if (!client)
		return HF_EINVAL;
	hf__error_clear(client);
	if (opts) {
		if (opts->version != HF_UPLOAD_OPTIONS_VERSION)
			return hf__error_set(client, HF_EINVAL, NULL, "unknown hf_upload_options version %u",
					     opts->version);
		o = *opts;
	}
	if (!repo_id || !folder)
		return hf__error_set(client, HF_EINVAL, NULL, "repository id and folder are required");
	if (o.create_pr || o.delete_count)
		return hf__error_set(client, HF_EINVAL, "upload the folder with hf_upload_folder() instead",
				     "a large folder upload makes no pull request and deletes nothing");
	if (stat(folder, &st) != 0 || !S_ISDIR(st.st_mode))
		return hf__error_set(client, HF_EINVAL, NULL, "not a directory: %s", folder);
	/* the walk of hf_upload_folder() (walk.h): same files, same order */
	err = hf__walk_folder(folder, o.include, o.include_count, o.exclude, o.exclude_count, &names, &bad);
	if (err) {
		rc = fs_error(client, err, "list", bad ? bad : folder);
		goto done;
	}
	for (i = 0; i < names.n; i++) {
		const char *why = NULL;

		if (!hf__upload_path_in_repo(names.files[i].rel, NULL, &why)) {
			rc = hf__error_set(client, HF_EINVAL, "rename the file or leave it out with an exclude pattern",
					   "cannot upload %s: %s", names.files[i].rel, why ? why : "invalid path in repo");
			goto done;
		}
	}
	/* <folder>/.cache/huggingface/upload, with the .gitignore "*" and CACHEDIR.TAG the official tool makes. */
	hf__cache_prepare_local(folder, ".cache/huggingface/upload");
	files = calloc(names.n ? names.n : 1, sizeof(*files));
	ops = calloc(names.n ? names.n : 1, sizeof(*ops));
	if (!files || !ops) {
		rc = hf__error_set(client, HF_ENOMEM, NULL, "out of memory");
		goto done;
	}
	/* What is left: every file whose state does not say "committed". */
	for (i = 0; i < names.n; i++) {
		ulf_file *f = &files[n_todo];
		char *dir;

		if (file_paths(f, folder, names.files[i].rel) != 0) {
			file_dispose(f);
			rc = hf__error_set(client, HF_ENOMEM, NULL, "out of memory");
			goto done;
		}
		if (stat(f->local, &st) != 0) {
			rc = fs_error(client, -errno, "read", f->local);
			file_dispose(f);
			goto done;
		}
		f->size = (uint64_t)st.st_size;
		f->mtime_sec = (long long)st.st_mtim.tv_sec;
		f->mtime_nsec = st.st_mtim.tv_nsec;
		dir = hf__dirname(names.files[i].rel);
		if (dir && strcmp(dir, ".") != 0) {
			char *sub = hf__path_join(".cache/huggingface/upload", dir);

			if (sub)
				(void)hf__mkdirs_under(folder, sub, 0777);
			free(sub);
		}
		free(dir);
		if (file_done(f))
			file_dispose(f);
		else
			n_todo++;
	}

	/* Commits of a batch each; after each, its files are saved as committed. */
	batch = hf__ulf_first_batch(getenv(HF__ULF_BATCH_ENV));
	co = o;
	co.commit_message = ULF_MESSAGE;
	co.commit_description = NULL;
	co.parent_commit = NULL;
	co.include = co.exclude = NULL;
	co.include_count = co.exclude_count = 0;
	if (co.max_workers <= 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		co.max_workers = cpus >= 2 ? (int)(cpus / 2) : 1;
	}
	for (next = 0; next < n_todo;) {
		size_t n = n_todo - next < batch ? n_todo - next : batch, k;
		struct timespec t0, t1;
		hf_commit_info *info = NULL;

		for (k = 0; k < n; k++) {
			memset(&ops[k], 0, sizeof(ops[k]));
			ops[k].kind = HF_COMMIT_ADD_FILE;
			ops[k].path_in_repo = files[next + k].rel;
			ops[k].local_path = files[next + k].local;
		}
		clock_gettime(CLOCK_REALTIME, &t0);
		rc = hf_commit(&info, client, repo_id, ops, n, &co);
		hf_commit_info_free(info);
		if (rc)
			goto done;
		clock_gettime(CLOCK_REALTIME, &t1);
		for (k = 0; k < n; k++) {
			err = file_save_committed(&files[next + k], (long long)t0.tv_sec, t0.tv_nsec);
			if (err) {
				rc = fs_error(client, err, "write", files[next + k].meta);
				goto done;
			}
		}
		next += n;
		batch = hf__ulf_next_batch(batch, n,
					   (double)(t1.tv_sec - t0.tv_sec) +
						   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
done:
	for (i = 0; files && i < n_todo; i++)
		file_dispose(&files[i]);
	free(files);
	free(ops);
	hf__walk_dispose(&names);
	free(bad);
	return rc;
}
