/*
 * hf_cache_scan over a hostile cache tree (a shared or tampered cache
 * directory is untrusted input too).
 *
 * The input is a little program that builds the tree in a fresh temporary
 * directory (see temp_root()), <tmp>/hub, which starts as
 *   hub/models--a--b/{blobs, snapshots/<C1>, refs}
 * next to <tmp>/outside (a file) and <tmp>/outdir (a directory) that links
 * may point at. Each instruction is one opcode byte and its operands:
 * directories, files, blobs, snapshot links of the official shape (or off
 * by one level), links out of the tree, dangling links, link loops, FIFOs,
 * refs with junk, long names (up to NAME_MAX) and deep nesting (past the
 * scan's limit of 64), other repository folders, download leftovers,
 * hard links, odd timestamps, unreadable directories. Then hf_cache_scan
 * runs on <tmp>/hub and the tree is removed without following any link.
 * Everything is made with *at() calls relative to the temporary directory,
 * through directories this program made itself: nothing outside it is
 * touched.
 *
 * Oracles: the scan succeeds; no descriptor leaks; every top-level entry
 * is either a repository or a warning; repositories, revisions, files and
 * refs are sorted; sizes add up; every reported file and blob path lies in
 * its repository and is a regular file (never a link followed out, a FIFO,
 * or a directory); leftovers are regular files in blobs/.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "hf/hf.h"
#include "fuzz_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPS 96
#define MAX_DIRS 48
#define MAX_BLOBS 16
#define MAX_OBJECTS 300
#define REL_CAP 3800 /* relative paths stay well within PATH_MAX with the temp prefix */
#define MAX_DEPTH 150 /* components of a relative path: bounds the removal's recursion */

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"
#define SHA256 "a3f5b1c0d2e4f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f"

typedef struct prog {
	const uint8_t *p, *end;
	int base;                      /* the temporary directory */
	char abs[PATH_MAX];            /* its absolute path */
	char dirs[MAX_DIRS][REL_CAP];  /* real directories made here, relative to base */
	int ndirs;
	char blobs[MAX_BLOBS][80];     /* names of regular files in blobs/ */
	int nblobs;
	char commits[4][41];           /* snapshot names that are commits */
	int ncommits;
	int objects;
} prog;

enum { D_HUB, D_REPO, D_BLOBS, D_SNAPS, D_SNAP1, D_REFS };

static unsigned next(prog *g)
{
	return g->p < g->end ? *g->p++ : 0;
}

static const char *const words[] = {
	"snapshots", "blobs", "refs", "main", ".locks", "CACHEDIR.TAG", ".no_exist", "trees",
	"models--x--y", "datasets--d--e", "spaces--s", "config.json", "pr", "..", ".", "",
	C1, C2, SHA256, ".incomplete", "x.incomplete.resume", "-", "--", "a--b",
	"\n", "\x1b[31mred", "\xff\xfe", " ", "models--", "modelsmodelsmodels--x", "model--z", "datasets--"
};

/* A name for a new entry: input bytes ('/' and NUL made '_'), or a word. */
static void get_name(prog *g, char *out, size_t cap)
{
	unsigned b = next(g), len, i;

	if (b & 0x80) {
		const char *w = words[b % (sizeof(words) / sizeof(words[0]))];

		snprintf(out, cap, "%s", w);
	} else {
		len = b % 24;
		if (len >= cap)
			len = (unsigned)cap - 1;
		for (i = 0; i < len; i++) {
			unsigned ch = next(g);

			out[i] = (char)(ch == '/' || ch == 0 ? '_' : ch);
		}
		out[len] = '\0';
	}
	if (!out[0] || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		snprintf(out, cap, "_");
}

static void hex_name(prog *g, char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned seed = next(g);
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = hex[(seed + (seed & 1 ? i : 0)) & 15];
	out[n] = '\0';
}

static int pick_dir(prog *g)
{
	return (int)(next(g) % (unsigned)g->ndirs);
}

static int components(const char *rel)
{
	int n = 1;

	for (; *rel; rel++)
		n += *rel == '/';
	return n;
}

/* rel = dirs[d] + "/" + name; 0 when it does not fit. */
static int join(prog *g, int d, const char *name, char *rel)
{
	size_t a = strlen(g->dirs[d]), b = strlen(name);

	if (a + 1 + b >= REL_CAP || g->objects >= MAX_OBJECTS || components(g->dirs[d]) >= MAX_DEPTH)
		return 0;
	memcpy(rel, g->dirs[d], a);
	rel[a] = '/';
	memcpy(rel + a + 1, name, b + 1);
	g->objects++;
	return 1;
}

static void add_dir(prog *g, const char *rel)
{
	if (g->ndirs < MAX_DIRS)
		snprintf(g->dirs[g->ndirs++], REL_CAP, "%s", rel);
}

static void make_dir(prog *g, int d, const char *name)
{
	char rel[REL_CAP];

	if (join(g, d, name, rel) && mkdirat(g->base, rel, 0755) == 0)
		add_dir(g, rel);
}

static void write_file(prog *g, const char *rel, const uint8_t *bytes, size_t n)
{
	int fd = openat(g->base, rel, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	if (n && write(fd, bytes, n) < 0) {
		/* nothing: a short tree is still a tree */
	}
	close(fd);
}

/* Content from the input: a length byte, then that many bytes (as far as they go). */
static void make_file(prog *g, int d, const char *name)
{
	char rel[REL_CAP];
	size_t n = next(g) % 65, avail = (size_t)(g->end - g->p);

	if (n > avail)
		n = avail;
	if (join(g, d, name, rel))
		write_file(g, rel, g->p, n);
	g->p += n;
}

static void make_link(prog *g, int d, const char *name, const char *target)
{
	char rel[REL_CAP];

	if (join(g, d, name, rel))
		(void)symlinkat(target, g->base, rel);
}

/* Levels below hub/<repo>/snapshots/<commit> of a directory (-1: not under a snapshot). */
static int snapshot_depth(const char *rel)
{
	const char *p = strstr(rel, "/snapshots/");
	int depth = 0;

	if (!p)
		return -1;
	p = strchr(p + 11, '/');
	while (p) {
		depth++;
		p = strchr(p + 1, '/');
	}
	return depth;
}

static void op_blob(prog *g)
{
	char name[80], rel[REL_CAP];
	unsigned how = next(g) % 4;

	if (how == 0)
		hex_name(g, name, 40);
	else if (how == 1)
		hex_name(g, name, 64);
	else
		get_name(g, name, sizeof(name));
	if (!join(g, D_BLOBS, name, rel))
		return;
	{
		size_t n = next(g) % 33, avail = (size_t)(g->end - g->p);

		if (n > avail)
			n = avail;
		write_file(g, rel, g->p, n);
		g->p += n;
	}
	if (g->nblobs < MAX_BLOBS)
		snprintf(g->blobs[g->nblobs++], sizeof(g->blobs[0]), "%s", name);
}

/* A snapshot link of the official shape for its depth, or off by a level; to a blob or not. */
static void op_snapshot_link(prog *g)
{
	static const int off[] = { 0, 0, -1, 1 };
	int d = pick_dir(g), depth = snapshot_depth(g->dirs[d]), k, i;
	unsigned sel = next(g);
	char name[64], target[512], blob[80];
	size_t len = 0;

	get_name(g, name, sizeof(name));
	if (g->nblobs && !(sel & 0x80))
		snprintf(blob, sizeof(blob), "%s", g->blobs[sel % (unsigned)g->nblobs]);
	else
		get_name(g, blob, sizeof(blob)); /* dangling (or a blob by chance) */
	k = (depth < 0 ? 2 : depth + 2) + off[(sel >> 4) & 3];
	for (i = 0; i < k && len + 3 < sizeof(target); i++) {
		memcpy(target + len, "../", 3);
		len += 3;
	}
	snprintf(target + len, sizeof(target) - len, "blobs/%s", blob);
	make_link(g, d, name, target);
}

/* Links that must never be followed: out of the tree, absolute, loops, odd shapes. */
static void op_bad_link(prog *g)
{
	char name[64], target[PATH_MAX + 64];
	int d = pick_dir(g), depth;
	unsigned sel = next(g) % 14;

	get_name(g, name, sizeof(name));
	depth = snapshot_depth(g->dirs[d]);
	if (depth < 0)
		depth = 0;
	switch (sel) {
	case 0: /* the file next to the cache, by absolute path */
	case 1: /* the directory next to the cache */
		snprintf(target, sizeof(target), "%s/%s", g->abs, sel == 0 ? "outside" : "outdir");
		break;
	case 2: /* climbs out to <tmp>/outside relative to the link */
		snprintf(target, sizeof(target), "%.*s../../../../../../outside",
			 3 * (depth > 20 ? 20 : depth),
			 "../../../../../../../../../../../../../../../../../../../../");
		break;
	case 3: /* blobs/ then back out */
		snprintf(target, sizeof(target), "../../blobs/../../../../outside");
		break;
	case 4: /* itself */
		snprintf(target, sizeof(target), "%s", name);
		break;
	case 5: /* a two-link loop */
	{
		char other[80];

		snprintf(other, sizeof(other), "%s.loop", name);
		make_link(g, d, other, name);
		snprintf(target, sizeof(target), "%s", other);
		break;
	}
	case 6:
		snprintf(target, sizeof(target), "/");
		break;
	case 7:
		snprintf(target, sizeof(target), "..");
		break;
	case 8:
		snprintf(target, sizeof(target), "../../blobs/");
		break;
	case 9:
		snprintf(target, sizeof(target), "../../blobs/.");
		break;
	case 10:
		snprintf(target, sizeof(target), "../../blobs/..");
		break;
	case 11: /* the official shape but to a sub-directory of blobs */
		snprintf(target, sizeof(target), "../../blobs/x/y");
		break;
	case 12: /* a target longer than the scan's buffer, official prefix */
	{
		size_t n = 1100 + next(g) * 4;

		if (n > sizeof(target) - 1)
			n = sizeof(target) - 1;
		memset(target, 'a', n);
		target[n] = '\0';
		memcpy(target, "../../blobs/", 12);
		break;
	}
	default: /* a target straight from the input */
	{
		size_t n = next(g) % 200, i;

		for (i = 0; i < n && g->p < g->end; i++) {
			target[i] = (char)next(g);
			if (!target[i])
				target[i] = '/';
		}
		target[i] = '\0';
		if (!target[0])
			snprintf(target, sizeof(target), "x");
	}
	}
	make_link(g, d, name, target);
}

static void op_ref(prog *g)
{
	static const char *const shapes[] = { C1 "\n", C1, "  " C1 " \r\n\t", C2 "\n", C1 C1, "", "\n",
					      "1111111111111111111111111111111111111111\0junk",
					      "111111111111111111111111111111111111111G", "refs/heads/main\n" };
	char name[64], rel[REL_CAP], buf[200];
	unsigned sel = next(g);
	int d = D_REFS;
	size_t n;

	if (sel & 0x40) { /* a ref in a sub-directory of refs/ (refs/pr/1) */
		int i;

		for (i = 0; i < g->ndirs; i++)
			if (strstr(g->dirs[i], "/refs/") && i != D_REFS)
				d = i;
	}
	get_name(g, name, sizeof(name));
	switch (sel % 4) {
	case 0: /* a known commit; before there is any, a shape as in case 1 */
	case 1:
		if (sel % 4 == 0 && g->ncommits) {
			n = (size_t)snprintf(buf, sizeof(buf), "%s\n", g->commits[next(g) % (unsigned)g->ncommits]);
			break;
		}
		{
			unsigned k = next(g) % (sizeof(shapes) / sizeof(shapes[0]));

			n = k == 7 ? 45 : strlen(shapes[k]);
			memcpy(buf, shapes[k], n);
		}
		break;
	case 2: /* junk up to 140 bytes: more than a ref may hold */
	{
		size_t avail;

		n = next(g) % 141;
		avail = (size_t)(g->end - g->p);
		if (n > avail)
			n = avail;
		memcpy(buf, g->p, n);
		g->p += n;
		break;
	}
	default: /* a ref that is a FIFO: must not block the scan */
		if (join(g, d, name, rel))
			(void)mkfifoat(g->base, rel, 0644);
		return;
	}
	if (join(g, d, name, rel))
		write_file(g, rel, (const uint8_t *)buf, n);
}

static void op_snapshot(prog *g)
{
	char name[64], rel[REL_CAP];
	unsigned how = next(g) % 4;

	if (how == 0)
		hex_name(g, name, 40);
	else if (how == 1)
		hex_name(g, name, 40 + next(g) % 4); /* longer: the scan keeps 40 */
	else
		get_name(g, name, sizeof(name));
	if (!join(g, D_SNAPS, name, rel))
		return;
	if (how == 3 && (next(g) & 1)) {
		write_file(g, rel, (const uint8_t *)"x", 1); /* a file among snapshots */
		return;
	}
	if (mkdirat(g->base, rel, 0755) == 0) {
		add_dir(g, rel);
		if (strlen(name) == 40 && g->ncommits < 4)
			memcpy(g->commits[g->ncommits++], name, 41); /* strlen(name) == 40 */
	}
}

static void op_long_name(prog *g)
{
	char name[NAME_MAX + 1];
	int d = pick_dir(g);
	size_t n = 1 + next(g); /* 1..256 */
	unsigned ch = next(g), kind = next(g) % 3;

	if (n > NAME_MAX)
		n = NAME_MAX;
	memset(name, ch == '/' || ch == 0 || ch == '.' ? 'L' : (int)ch, n);
	name[n] = '\0';
	if (kind == 0)
		make_dir(g, d, name);
	else if (kind == 1)
		make_file(g, d, name);
	else
		make_link(g, d, name, "../../blobs/" SHA256);
}

static void op_deep(prog *g)
{
	int d = pick_dir(g), levels = (int)(next(g) % 80), i;
	char rel[REL_CAP];

	snprintf(rel, sizeof(rel), "%s", g->dirs[d]);
	for (i = 0; i < levels; i++) {
		size_t n = strlen(rel);

		if (n + 3 >= REL_CAP || components(rel) >= MAX_DEPTH)
			break;
		memcpy(rel + n, "/d", 3);
		if (mkdirat(g->base, rel, 0755) != 0)
			break;
	}
	if (i > 0) {
		char file[REL_CAP];

		add_dir(g, rel);
		if (snprintf(file, sizeof(file), "%s/f", rel) < (int)sizeof(file))
			write_file(g, file, (const uint8_t *)"deep", 4);
	}
}

static void op_repo(prog *g)
{
	static const char *const names[] = { "datasets--d--e", "spaces--s", "models--c--d", "models--",
					     "--x", "foo", "modelsmodelsmodels--x", "model--z", "models--a--b--c",
					     "models--a----b", "datasets--", ".locks", "CACHEDIR.TAG" };
	char name[64], rel[REL_CAP];
	unsigned sel = next(g), kind = next(g) % 4;

	if (sel & 0x80)
		get_name(g, name, sizeof(name));
	else
		snprintf(name, sizeof(name), "%s", names[sel % (sizeof(names) / sizeof(names[0]))]);
	if (!join(g, D_HUB, name, rel))
		return;
	if (kind == 0) {
		write_file(g, rel, (const uint8_t *)"not a repo", 10);
	} else if (kind == 1) {
		(void)symlinkat("models--a--b", g->base, rel);
	} else if (mkdirat(g->base, rel, 0755) == 0) {
		char sub[REL_CAP];

		add_dir(g, rel);
		if (kind == 3 && snprintf(sub, sizeof(sub), "%s/snapshots", rel) < (int)sizeof(sub) &&
		    mkdirat(g->base, sub, 0755) == 0)
			add_dir(g, sub);
	}
}

static void op_leftover(prog *g)
{
	static const char *const suffixes[] = { ".incomplete", ".incomplete.resume",
						".incomplete.resume.0123abcd.tmp", ".incomplete.resume.0123abcX.tmp",
						".incomplete.resume.tmp", ".incomplete.resume.0123abcd.tmpx" };
	char name[160], blob[80], rel[REL_CAP];
	unsigned sel = next(g), kind = next(g) % 4;

	if (g->nblobs && (sel & 0x80))
		snprintf(blob, sizeof(blob), "%s", g->blobs[sel % (unsigned)g->nblobs]);
	else if (sel & 0x40)
		blob[0] = '\0'; /* ".incomplete" alone */
	else
		hex_name(g, blob, 64);
	snprintf(name, sizeof(name), "%s%s", blob, suffixes[sel % (sizeof(suffixes) / sizeof(suffixes[0]))]);
	if (!join(g, D_BLOBS, name, rel))
		return;
	if (kind == 0)
		(void)mkdirat(g->base, rel, 0755);
	else if (kind == 1)
		(void)mkfifoat(g->base, rel, 0644);
	else
		write_file(g, rel, (const uint8_t *)"partial", 7);
}

static void op_hardlink(prog *g)
{
	char name[64], from[REL_CAP], rel[REL_CAP];
	int d = pick_dir(g);

	get_name(g, name, sizeof(name));
	if (!g->nblobs || !join(g, D_BLOBS, g->blobs[next(g) % (unsigned)g->nblobs], from))
		return;
	g->objects--; /* from names an existing blob */
	if (join(g, d, name, rel))
		(void)linkat(g->base, from, g->base, rel, 0);
}

static void op_times(prog *g)
{
	struct timespec ts[2];
	int d = pick_dir(g);
	unsigned sel = next(g);
	long long t;

	t = (long long)(int32_t)((uint32_t)next(g) << 24 | (uint32_t)next(g) << 16 | (uint32_t)next(g) << 8 |
				 (uint32_t)next(g));
	if (sel & 1)
		t *= 64; /* far past or future */
	ts[0].tv_sec = (time_t)t;
	ts[0].tv_nsec = 0;
	ts[1] = ts[0];
	(void)utimensat(g->base, g->dirs[d], ts, AT_SYMLINK_NOFOLLOW);
}

static void op_chmod(prog *g)
{
	int d = pick_dir(g);

	if (d == D_HUB)
		return; /* the cache itself must stay readable: the scan would fail, rightly */
	(void)fchmodat(g->base, g->dirs[d], next(g) & 1 ? 0 : 0111, 0);
}

static void run(prog *g)
{
	int ops = 0;

	while (g->p < g->end && ops++ < MAX_OPS) {
		char name[64];
		unsigned op = next(g) % 16;

		switch (op) {
		case 0:
		{
			int d = pick_dir(g);

			get_name(g, name, sizeof(name));
			make_dir(g, d, name);
			break;
		}
		case 1:
		{
			int d = pick_dir(g);

			get_name(g, name, sizeof(name));
			make_file(g, d, name);
			break;
		}
		case 2:
			op_blob(g);
			break;
		case 3:
			op_snapshot_link(g);
			break;
		case 4:
			op_bad_link(g);
			break;
		case 5:
		{
			int d = pick_dir(g);
			char rel[REL_CAP];

			get_name(g, name, sizeof(name));
			if (join(g, d, name, rel))
				(void)mkfifoat(g->base, rel, 0644);
			break;
		}
		case 6:
			op_ref(g);
			break;
		case 7:
			op_snapshot(g);
			break;
		case 8:
			op_long_name(g);
			break;
		case 9:
			op_deep(g);
			break;
		case 10:
			op_repo(g);
			break;
		case 11:
			op_leftover(g);
			break;
		case 12:
			op_hardlink(g);
			break;
		case 13:
			op_times(g);
			break;
		case 14:
			op_chmod(g);
			break;
		default: /* a sub-directory of refs/ (refs/pr) */
			get_name(g, name, sizeof(name));
			make_dir(g, D_REFS, name);
			break;
		}
	}
}

/* ---- removal: never follows a link ---- */

static void remove_at(int dirfd, const char *name, int depth)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	if (S_ISDIR(st.st_mode) && depth < 200) {
		int fd, pass;
		DIR *d;
		struct dirent *de;

		(void)fchmodat(dirfd, name, 0700, 0);
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		d = fd >= 0 ? fdopendir(fd) : NULL;
		if (!d && fd >= 0)
			close(fd);
		/* readdir() need not list what is left after removals: go again if not empty. */
		for (pass = 0; pass < 3; pass++) {
			if (d) {
				rewinddir(d);
				while ((de = readdir(d))) {
					if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
						continue;
					remove_at(fd, de->d_name, depth + 1);
				}
			}
			if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno != ENOTEMPTY)
				break;
		}
		if (d)
			closedir(d);
	} else {
		(void)unlinkat(dirfd, name, 0);
	}
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* ---- oracles ---- */

static int prefixed(const char *s, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	return strncmp(s, a, la) == 0 && strncmp(s + la, b, lb) == 0;
}

static void check_regular(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
		abort();
}

static void check(const hf_cache_info *info, const char *cache, int entries)
{
	uint64_t total = 0;
	size_t i, j, k;

	if (strcmp(info->cache_dir, cache) != 0)
		abort();
	/* Every entry of the cache (but the skipped names) is a repo or a warning. */
	if ((int)(info->nb_repos + info->warnings.count) != entries)
		abort();
	for (i = 0; i < info->nb_repos; i++) {
		const hf_cached_repo *r = &info->repos[i];
		uint64_t files = 0, sizes = 0;

		if (!prefixed(r->repo_path, cache, "/") || !r->repo_id)
			abort();
		if (i > 0 && (info->repos[i - 1].repo_type > r->repo_type ||
			      (info->repos[i - 1].repo_type == r->repo_type &&
			       strcmp(info->repos[i - 1].repo_id, r->repo_id) > 0)))
			abort();
		total += r->size_on_disk;
		for (j = 0; j < r->nb_revisions; j++) {
			const hf_cached_revision *v = &r->revisions[j];
			uint64_t vsum = 0;

			if (j > 0 && strcmp(r->revisions[j - 1].commit_hash, v->commit_hash) > 0)
				abort();
			if (strlen(v->commit_hash) > 40 || !prefixed(v->snapshot_path, r->repo_path, "/snapshots/"))
				abort();
			for (k = 0; k < v->nb_files; k++) {
				const hf_cached_file *f = &v->files[k];

				if (k > 0 && strcmp(v->files[k - 1].file_name, f->file_name) > 0)
					abort();
				if (!prefixed(f->file_path, r->repo_path, "/snapshots/"))
					abort();
				if (!prefixed(f->blob_path, r->repo_path, "/blobs/") &&
				    strcmp(f->blob_path, f->file_path) != 0)
					abort();
				/* Counted only as a regular file inside the repository: no link followed out. */
				check_regular(f->blob_path);
				vsum += f->size_on_disk;
			}
			if (v->size_on_disk > vsum)
				abort();
			for (k = 1; k < v->refs.count; k++)
				if (strcmp(v->refs.items[k - 1], v->refs.items[k]) > 0)
					abort();
			files += v->nb_files;
			sizes += vsum;
		}
		if (r->nb_files > files || r->size_on_disk > sizes)
			abort();
	}
	if (total != info->size_on_disk)
		abort();
	for (i = 0; i < info->incomplete_files.count; i++) {
		if (!strstr(info->incomplete_files.items[i], "/blobs/") ||
		    !prefixed(info->incomplete_files.items[i], cache, "/"))
			abort();
		check_regular(info->incomplete_files.items[i]);
	}
}

/* Entries of the cache directory that the scan does not skip. */
static int count_entries(int base)
{
	static const char *const skip[] = { ".", "..", ".locks", "CACHEDIR.TAG", ".DS_Store", "Thumbs.db",
					    "desktop.ini", NULL };
	int fd = openat(base, "hub", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), n = 0, i;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((de = readdir(d))) {
		int skipped = 0;

		for (i = 0; skip[i]; i++)
			if (strcmp(de->d_name, skip[i]) == 0)
				skipped = 1;
		n += !skipped;
	}
	closedir(d);
	return n;
}

/* HF_FUZZ_SCAN_DEBUG=1: what the scan saw, to check that a seed builds what it means to. */
static void dump(const hf_cache_info *info)
{
	size_t i, j;

	for (i = 0; i < info->nb_repos; i++) {
		fprintf(stderr, "repo %s: %zu revision(s), %zu blob(s), %llu bytes\n", info->repos[i].repo_id,
			info->repos[i].nb_revisions, info->repos[i].nb_files,
			(unsigned long long)info->repos[i].size_on_disk);
		for (j = 0; j < info->repos[i].nb_revisions; j++)
			fprintf(stderr, "  %s: %zu file(s), %zu ref(s)\n", info->repos[i].revisions[j].commit_hash,
				info->repos[i].revisions[j].nb_files, info->repos[i].revisions[j].refs.count);
	}
	for (i = 0; i < info->warnings.count; i++)
		fprintf(stderr, "warning: %s\n", info->warnings.items[i]);
	for (i = 0; i < info->incomplete_files.count; i++)
		fprintf(stderr, "leftover: %s\n", info->incomplete_files.items[i]);
}

/*
 * Where the trees are built: HF_FUZZ_TMPDIR, else /dev/shm (a tmpfs: a
 * tree costs about 1 ms there, ten times less than on a journalled disk),
 * else TMPDIR, else /tmp.
 */
static const char *temp_root(void)
{
	static const char *root;

	if (!root) {
		const char *v = getenv("HF_FUZZ_TMPDIR"), *t = getenv("TMPDIR");

		if (v && *v && strlen(v) < 200)
			root = v;
		else if (access("/dev/shm", W_OK | X_OK) == 0)
			root = "/dev/shm";
		else if (t && *t && strlen(t) < 200)
			root = t;
		else
			root = "/tmp";
	}
	return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const init[] = { "hub", "hub/models--a--b", "hub/models--a--b/blobs",
					    "hub/models--a--b/snapshots", ("hub/models--a--b/snapshots/" C1),
					    "hub/models--a--b/refs", "outdir" };
	const char *tmp = temp_root();
	char dir[PATH_MAX], cache[PATH_MAX + 8];
	hf_cache_info *info = NULL;
	prog *g;
	int fds, entries, rc;
	size_t i;

	g = calloc(1, sizeof(*g));
	if (!g)
		return 0;
	snprintf(dir, sizeof(dir), "%s/hf-fuzz-scan.XXXXXX", tmp);
	fds = count_fds();
	if (!mkdtemp(dir)) {
		free(g);
		return 0;
	}
	if (!realpath(dir, g->abs))
		abort();
	g->base = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (g->base < 0)
		abort();
	for (i = 0; i < sizeof(init) / sizeof(init[0]); i++)
		if (mkdirat(g->base, init[i], 0755) != 0)
			abort();
	g->ndirs = 6; /* outdir is outside the cache: not a place to build in */
	for (i = 0; i < (size_t)g->ndirs; i++)
		snprintf(g->dirs[i], REL_CAP, "%s", init[i]);
	snprintf(g->commits[g->ncommits++], 41, "%s", C1);
	write_file(g, "outside", (const uint8_t *)"outside", 7);
	g->p = data;
	g->end = data + size;
	run(g);

	entries = count_entries(g->base);
	snprintf(cache, sizeof(cache), "%s/hub", g->abs);
	rc = hf_cache_scan(&info, fuzz_client(), cache);
	if (rc != HF_OK || !info)
		abort();
	check(info, cache, entries);
	if (getenv("HF_FUZZ_SCAN_DEBUG"))
		dump(info);
	hf_cache_info_free(info);

	remove_at(g->base, "hub", 0);
	remove_at(g->base, "outdir", 0);
	(void)unlinkat(g->base, "outside", 0);
	close(g->base);
	if (rmdir(dir) != 0)
		abort(); /* something was left behind */
	free(g);
	if (fds >= 0 && count_fds() != fds)
		abort(); /* a descriptor leaked */
	return 0;
}
