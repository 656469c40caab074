/*
 * hf_cache_scan, hf_cache_delete, hf_cache_prune and the offline
 * hf_cache_verify through the public API, on synthetic caches built in a
 * temporary directory (hub-protocol.md §4, §6; reliability.md 51-53, 59,
 * 62): unique-blob accounting, refs, corrupt entries (warnings, never a
 * failure), caches without symlinks, deep nesting, future mtimes, links
 * out of the cache never followed, locks held by a running download.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "hf/hf.h"
#include "hash.h"

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"
#define C3 "3333333333333333333333333333333333333333"
#define CMISSING "9999999999999999999999999999999999999999"

typedef struct fixture {
	char root[64];      /* the temp dir */
	char cache[128];    /* root/hub */
	char outside[128];  /* root/outside.txt: must survive everything */
	char home[128];
	const char *offline;
	hf_client *client;
} fixture;

static const char *fake_getenv(const char *name, void *payload)
{
	fixture *f = payload;

	if (strcmp(name, "HF_HOME") == 0)
		return f->home;
	if (strcmp(name, "HF_HUB_OFFLINE") == 0)
		return f->offline;
	if (strcmp(name, "HOME") == 0)
		return f->root;
	return NULL;
}

/* ---- building caches ---- */

static void mkdirs(const char *path)
{
	char buf[4096], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			assert_true(mkdir(buf, 0755) == 0 || errno == EEXIST);
			*p = '/';
		}
	}
	assert_true(mkdir(buf, 0755) == 0 || errno == EEXIST);
}

static void parent_dirs(const char *path)
{
	char buf[4096], *slash;

	snprintf(buf, sizeof(buf), "%s", path);
	slash = strrchr(buf, '/');
	assert_non_null(slash);
	*slash = '\0';
	mkdirs(buf);
}

static void write_bytes(const char *path, const char *data, size_t len)
{
	FILE *fp;

	parent_dirs(path);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void write_text(const char *path, const char *text)
{
	write_bytes(path, text, strlen(text));
}

static void symlink_at(const char *target, const char *path)
{
	parent_dirs(path);
	assert_int_equal(symlink(target, path), 0);
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* The git blob sha1 of a text: the name the Hub gives a regular file. */
static void git_sha1(const char *text, char out[65])
{
	hf__hash h;

	assert_int_equal(hf__hash_init(&h, HF__HASH_GIT_SHA1, strlen(text)), 0);
	assert_int_equal(hf__hash_update(&h, text, strlen(text)), 0);
	assert_int_equal(hf__hash_final_hex(&h, out), 0);
}

static void pathf(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void pathf(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < len);
}

/* <cache>/<folder>/refs/<ref> holding commit (no newline). */
static void add_ref(fixture *f, const char *folder, const char *ref, const char *commit)
{
	char p[1024];

	pathf(p, sizeof(p), "%s/%s/refs/%s", f->cache, folder, ref);
	write_text(p, commit);
}

/*
 * A file of a revision as the official client writes it: the content in
 * blobs/<git sha1>, snapshots/<commit>/<path> a relative link to it. The
 * blob name is returned in etag (65 bytes) when not NULL.
 */
static void add_file(fixture *f, const char *folder, const char *commit, const char *path, const char *text,
		     char *etag)
{
	char name[65], blob[1024], snap[1024], target[1024];
	const char *p;
	size_t off;

	git_sha1(text, name);
	pathf(blob, sizeof(blob), "%s/%s/blobs/%s", f->cache, folder, name);
	if (!exists(blob))
		write_text(blob, text);
	off = (size_t)snprintf(target, sizeof(target), "../../");
	for (p = path; (p = strchr(p, '/')); p++)
		off += (size_t)snprintf(target + off, sizeof(target) - off, "../");
	snprintf(target + off, sizeof(target) - off, "blobs/%s", name);
	pathf(snap, sizeof(snap), "%s/%s/snapshots/%s/%s", f->cache, folder, commit, path);
	symlink_at(target, snap);
	if (etag)
		memcpy(etag, name, 65);
}

static hf_cache_info *scan_ok(fixture *f)
{
	hf_cache_info *info = NULL;

	assert_int_equal(hf_cache_scan(&info, f->client, f->cache), HF_OK);
	assert_non_null(info);
	return info;
}

/* hf_cache_delete() in cache_dir f->cache with the options spelled out. */
static int delete_in(fixture *f, hf_repo_type type, const char *repo_id, const char *const *revisions,
		     size_t count, int dry_run, hf_cache_delete_result *res)
{
	hf_cache_delete_options o = HF_CACHE_DELETE_OPTIONS_INIT;

	o.repo_type = type;
	o.revisions = revisions;
	o.revision_count = count;
	o.cache_dir = f->cache;
	o.dry_run = dry_run;
	return hf_cache_delete(res, f->client, repo_id, &o);
}

/* hf_cache_prune() of cache_dir with the options spelled out. */
static int prune_in(fixture *f, const char *cache_dir, int dry_run, hf_cache_delete_result *res)
{
	hf_cache_prune_options o = HF_CACHE_PRUNE_OPTIONS_INIT;

	o.cache_dir = cache_dir;
	o.dry_run = dry_run;
	return hf_cache_prune(res, f->client, &o);
}

static const hf_cached_repo *find_repo(const hf_cache_info *info, hf_repo_type type, const char *id)
{
	size_t i;

	for (i = 0; i < info->nb_repos; i++)
		if (info->repos[i].repo_type == type && strcmp(info->repos[i].repo_id, id) == 0)
			return &info->repos[i];
	return NULL;
}

static const hf_cached_revision *find_rev(const hf_cached_repo *repo, const char *commit)
{
	size_t i;

	for (i = 0; i < repo->nb_revisions; i++)
		if (strcmp(repo->revisions[i].commit_hash, commit) == 0)
			return &repo->revisions[i];
	return NULL;
}

/* The warning that mentions needle, or NULL. */
static const char *warning_with(const hf_cache_info *info, const char *needle)
{
	size_t i;

	for (i = 0; i < info->warnings.count; i++)
		if (strstr(info->warnings.items[i], needle))
			return info->warnings.items[i];
	return NULL;
}

static void print_warnings(const hf_cache_info *info)
{
	size_t i;

	for (i = 0; i < info->warnings.count; i++)
		print_message("  warning: %s\n", info->warnings.items[i]);
}

/* models--acme--m: C1 (main) = a.txt, sub/b.txt; C2 (v1.0) = a.txt (same blob), c.txt. */
#define TXT_A "aaaaa"
#define TXT_B "bbbbbbb"
#define TXT_C "ccccccccccc"

static void build_two_revisions(fixture *f, const char *folder)
{
	add_file(f, folder, C1, "a.txt", TXT_A, NULL);
	add_file(f, folder, C1, "sub/b.txt", TXT_B, NULL);
	add_file(f, folder, C2, "a.txt", TXT_A, NULL);
	add_file(f, folder, C2, "c.txt", TXT_C, NULL);
	add_ref(f, folder, "main", C1);
	add_ref(f, folder, "v1.0", C2);
}

/* Hold a blob's download lock as a running download does; returns the fd. */
static int hold_lock(fixture *f, const char *folder, const char *etag)
{
	char p[1024];
	int fd;

	pathf(p, sizeof(p), "%s/.locks/%s/%s.lock", f->cache, folder, etag);
	parent_dirs(p);
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0664);
	assert_true(fd >= 0);
	/* flock locks belong to the open file description: this conflicts with
	 * the library's own open() of the same file, as another process would. */
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	return fd;
}

/* ---- setup ---- */

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	hf_client_options o = HF_CLIENT_OPTIONS_INIT;

	assert_non_null(f);
	strcpy(f->root, "/tmp/hf-cache-unit-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	pathf(f->cache, sizeof(f->cache), "%s/hub", f->root);
	pathf(f->outside, sizeof(f->outside), "%s/outside.txt", f->root);
	pathf(f->home, sizeof(f->home), "%s/hf-home", f->root);
	mkdirs(f->cache);
	write_text(f->outside, "precious, not part of any cache\n");
	o.getenv_fn = fake_getenv;
	o.getenv_payload = f;
	o.endpoint = "http://127.0.0.1:9"; /* never contacted: everything here is local */
	assert_int_equal(hf_client_new(&f->client, &o), HF_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[256];

	hf_client_free(f->client);
	/* Some tests leave read-only directories behind: make them removable. */
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", f->root, f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* ---- scan ---- */

static void test_unique_blobs_across_revisions(void **state)
{
	fixture *f = *state;
	hf_cache_info *info;
	const hf_cached_repo *r;
	const hf_cached_revision *v1, *v2;
	char etag_a[65], p[1024];

	build_two_revisions(f, "models--acme--m");
	git_sha1(TXT_A, etag_a);
	info = scan_ok(f);
	print_warnings(info);
	assert_int_equal(info->warnings.count, 0);
	assert_int_equal(info->nb_repos, 1);
	r = find_repo(info, HF_REPO_MODEL, "acme/m");
	assert_non_null(r);
	pathf(p, sizeof(p), "%s/models--acme--m", f->cache);
	assert_string_equal(r->repo_path, p);
	/* a.txt is shared: counted once. */
	assert_int_equal(r->size_on_disk, strlen(TXT_A) + strlen(TXT_B) + strlen(TXT_C));
	assert_int_equal(r->nb_files, 3);
	assert_int_equal(info->size_on_disk, r->size_on_disk);
	assert_int_equal(r->nb_revisions, 2);
	/* Sorted by commit. */
	assert_string_equal(r->revisions[0].commit_hash, C1);
	assert_string_equal(r->revisions[1].commit_hash, C2);
	v1 = find_rev(r, C1);
	v2 = find_rev(r, C2);
	assert_int_equal(v1->size_on_disk, strlen(TXT_A) + strlen(TXT_B));
	assert_int_equal(v2->size_on_disk, strlen(TXT_A) + strlen(TXT_C));
	assert_int_equal(v1->nb_files, 2);
	assert_int_equal(v1->refs.count, 1);
	assert_string_equal(v1->refs.items[0], "main");
	assert_int_equal(v2->refs.count, 1);
	assert_string_equal(v2->refs.items[0], "v1.0");
	/* Files sorted by name, with their snapshot and blob paths. */
	assert_string_equal(v1->files[0].file_name, "a.txt");
	assert_string_equal(v1->files[1].file_name, "sub/b.txt");
	pathf(p, sizeof(p), "%s/models--acme--m/snapshots/%s/sub/b.txt", f->cache, C1);
	assert_string_equal(v1->files[1].file_path, p);
	pathf(p, sizeof(p), "%s/models--acme--m/blobs/%s", f->cache, etag_a);
	assert_string_equal(v1->files[0].blob_path, p);
	assert_string_equal(v2->files[0].blob_path, p);
	pathf(p, sizeof(p), "%s/models--acme--m/snapshots/%s", f->cache, C2);
	assert_string_equal(v2->snapshot_path, p);
	assert_int_equal(info->incomplete_files.count, 0);
	hf_cache_info_free(info);
}

static void test_types_ids_and_order(void **state)
{
	fixture *f = *state;
	hf_cache_info *info;
	char p[1024];

	add_file(f, "spaces--o--s", C1, "app.py", "print(1)\n", NULL);
	add_file(f, "datasets--squad", C1, "d.csv", "a,b\n", NULL);
	add_file(f, "models--zeta--m", C1, "x", "x", NULL);
	add_file(f, "models--alpha--m", C1, "x", "x", NULL);
	/* Not repositories: skipped silently. */
	pathf(p, sizeof(p), "%s/.locks/models--alpha--m/x.lock", f->cache);
	write_text(p, "");
	pathf(p, sizeof(p), "%s/CACHEDIR.TAG", f->cache);
	write_text(p, "Signature: 8a477f597d28d172789f06886806bc55\n");
	pathf(p, sizeof(p), "%s/.DS_Store", f->cache);
	write_text(p, "");
	info = scan_ok(f);
	print_warnings(info);
	assert_int_equal(info->warnings.count, 0);
	assert_int_equal(info->nb_repos, 4);
	/* By type (model, dataset, space), then id. */
	assert_string_equal(info->repos[0].repo_id, "alpha/m");
	assert_string_equal(info->repos[1].repo_id, "zeta/m");
	assert_int_equal(info->repos[2].repo_type, HF_REPO_DATASET);
	assert_string_equal(info->repos[2].repo_id, "squad");
	assert_int_equal(info->repos[3].repo_type, HF_REPO_SPACE);
	assert_string_equal(info->repos[3].repo_id, "o/s");
	/* No refs: a detached revision, still listed. */
	assert_int_equal(info->repos[0].revisions[0].refs.count, 0);
	hf_cache_info_free(info);
}

static void test_refs(void **state)
{
	fixture *f = *state;
	hf_cache_info *info;
	const hf_cached_repo *r;
	const hf_cached_revision *v;
	char p[1024];

	add_file(f, "models--acme--r", C1, "a.txt", TXT_A, NULL);
	add_file(f, "models--acme--r", C2, "a.txt", TXT_A, NULL);
	/* refs/refs/pr/1 is the ref "refs/pr/1". */
	add_ref(f, "models--acme--r", "refs/pr/1", C2);
	add_ref(f, "models--acme--r", "main", C1);
	add_ref(f, "models--acme--r", "zz-tag", C1);
	add_ref(f, "models--acme--r", "a-tag", C1);
	/* A trailing newline (written by hand) is tolerated. */
	pathf(p, sizeof(p), "%s/models--acme--r/refs/nl", f->cache);
	write_text(p, C2 "\n");
	/* Not a commit: treated as absent, never as a path nor a warning. */
	pathf(p, sizeof(p), "%s/models--acme--r/refs/bad1", f->cache);
	write_text(p, "../../../etc/passwd");
	pathf(p, sizeof(p), "%s/models--acme--r/refs/bad2", f->cache);
	write_text(p, "111111111111111111111111111111111111111");
	pathf(p, sizeof(p), "%s/models--acme--r/refs/empty", f->cache);
	write_text(p, "");
	info = scan_ok(f);
	print_warnings(info);
	assert_int_equal(info->warnings.count, 0);
	r = find_repo(info, HF_REPO_MODEL, "acme/r");
	assert_non_null(r);
	v = find_rev(r, C1);
	/* Sorted by name, whatever the directory order. */
	assert_int_equal(v->refs.count, 3);
	assert_string_equal(v->refs.items[0], "a-tag");
	assert_string_equal(v->refs.items[1], "main");
	assert_string_equal(v->refs.items[2], "zz-tag");
	v = find_rev(r, C2);
	assert_int_equal(v->refs.count, 2);
	assert_string_equal(v->refs.items[0], "nl");
	assert_string_equal(v->refs.items[1], "refs/pr/1");
	hf_cache_info_free(info);
}

static void test_corrupt_entries_are_warnings(void **state)
{
	fixture *f = *state;
	hf_cache_info *info;
	char p[1024], etag[65];
	size_t i;
	static const char *const expected[] = {
		"models--bad--broken/snapshots/" C1 "/gone.txt",
		"models--bad--nosnap/snapshots",
		"models--bad--stray/snapshots/README",
		"models--bad--reffile/refs",
		"missing commit hashes",
		"models--bad--outside/snapshots/" C1 "/evil.txt",
		"models--bad--abslink/snapshots/" C1 "/abs.txt",
		"models--bad--bloblink/snapshots/" C1 "/a.txt",
		"kernels--acme--kern",
		"version.txt",
		"nodashes",
		"foos--x",
		"models--bad--dirlink",
	};

	add_file(f, "models--good--one", C1, "a.txt", TXT_A, NULL);
	add_ref(f, "models--good--one", "main", C1);
	/* Broken symlink: the blob is gone. */
	add_file(f, "models--bad--broken", C1, "a.txt", "x\n", NULL);
	pathf(p, sizeof(p), "%s/models--bad--broken/snapshots/%s/gone.txt", f->cache, C1);
	symlink_at("../../blobs/0000000000000000000000000000000000000000", p);
	/* Only .no_exist: no snapshots/. */
	pathf(p, sizeof(p), "%s/models--bad--nosnap/.no_exist/%s/x.json", f->cache, C1);
	write_text(p, "");
	/* A stray file directly in snapshots/. */
	add_file(f, "models--bad--stray", C1, "a.txt", "z\n", NULL);
	pathf(p, sizeof(p), "%s/models--bad--stray/snapshots/README", f->cache);
	write_text(p, "stray");
	/* refs is a file. */
	add_file(f, "models--bad--reffile", C1, "a.txt", "r\n", NULL);
	pathf(p, sizeof(p), "%s/models--bad--reffile/refs", f->cache);
	write_text(p, C1);
	/* A ref to a commit with no snapshot. */
	add_file(f, "models--bad--missingref", C1, "a.txt", "m\n", NULL);
	add_ref(f, "models--bad--missingref", "main", C1);
	add_ref(f, "models--bad--missingref", "v2", CMISSING);
	/* Snapshot links out of the cache: relative and absolute. */
	add_file(f, "models--bad--outside", C1, "a.txt", "y\n", NULL);
	pathf(p, sizeof(p), "%s/models--bad--outside/snapshots/%s/evil.txt", f->cache, C1);
	symlink_at("../../../../outside.txt", p);
	add_file(f, "models--bad--abslink", C1, "a.txt", "w\n", NULL);
	pathf(p, sizeof(p), "%s/models--bad--abslink/snapshots/%s/abs.txt", f->cache, C1);
	symlink_at(f->outside, p);
	/* A blob replaced by a link to a file outside. */
	add_file(f, "models--bad--bloblink", C1, "a.txt", "q\n", etag);
	pathf(p, sizeof(p), "%s/models--bad--bloblink/blobs/%s", f->cache, etag);
	assert_int_equal(unlink(p), 0);
	symlink_at(f->outside, p);
	/* Unknown type, no "--", a plain file, a bad type. */
	add_file(f, "kernels--acme--kern", C1, "k.py", "k\n", NULL);
	pathf(p, sizeof(p), "%s/version.txt", f->cache);
	write_text(p, "1");
	pathf(p, sizeof(p), "%s/nodashes", f->cache);
	mkdirs(p);
	add_file(f, "foos--x", C1, "a", "a", NULL);
	/* The repository folder is itself a link to a directory outside. */
	pathf(p, sizeof(p), "%s/models--bad--dirlink", f->cache);
	symlink_at(f->root, p);

	info = scan_ok(f);
	print_warnings(info);
	assert_int_equal(info->nb_repos, 1);
	assert_string_equal(info->repos[0].repo_id, "good/one");
	assert_int_equal(info->repos[0].size_on_disk, strlen(TXT_A));
	assert_int_equal(info->size_on_disk, strlen(TXT_A));
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		if (!warning_with(info, expected[i]))
			fail_msg("no warning mentions '%s'", expected[i]);
	}
	assert_int_equal(info->warnings.count, sizeof(expected) / sizeof(expected[0]));
	assert_non_null(strstr(warning_with(info, "gone.txt"), "Blob missing (broken symlink)"));
	assert_non_null(strstr(warning_with(info, "missing commit hashes"), CMISSING));
	hf_cache_info_free(info);
	/* Nothing was followed, nothing was touched. */
	assert_true(exists(f->outside));
}

static void test_no_symlink_cache(void **state)
{
	fixture *f = *state;
	hf_cache_info *info;
	const hf_cached_repo *r;
	const hf_cached_revision *v;
	char p[1024];

	/* As written where symlinks are unavailable: real files in snapshots/, empty blobs/. */
	pathf(p, sizeof(p), "%s/models--win--m/snapshots/%s/config.json", f->cache, C1);
	write_text(p, "{\"a\": 1}");
	pathf(p, sizeof(p), "%s/models--win--m/snapshots/%s/tokenizer_config.json", f->cache, C1);
	write_text(p, "{\"t\": 1}");
	pathf(p, sizeof(p), "%s/models--win--m/snapshots/%s/tokenizer_config2.json", f->cache, C1);
	write_text(p, "{\"t\": 2}");
	pathf(p, sizeof(p), "%s/models--win--m/snapshots/%s/config.json", f->cache, C2);
	write_text(p, "{\"a\": 1}");
	pathf(p, sizeof(p), "%s/models--win--m/blobs", f->cache);
	mkdirs(p);
	add_ref(f, "models--win--m", "main", C2);
	info = scan_ok(f);
	print_warnings(info);
	assert_int_equal(info->warnings.count, 0);
	r = find_repo(info, HF_REPO_MODEL, "win/m");
	assert_non_null(r);
	/* Every file is its own blob, even identical ones of two revisions. */
	assert_int_equal(r->nb_files, 4);
	assert_int_equal(r->size_on_disk, 8 * 4);
	v = find_rev(r, C1);
	assert_int_equal(v->nb_files, 3);
	assert_int_equal(v->size_on_disk, 8 * 3);
	assert_string_equal(v->files[0].blob_path, v->files[0].file_path);
	assert_string_equal(find_rev(r, C2)->refs.items[0], "main");
	hf_cache_info_free(info);
}

static void test_deep_nesting(void **state)
{
	fixture *f = *state;
	hf_cache_info *info;
	const hf_cached_repo *r;
	char path[2048], p[4096];
	size_t off = 0;
	int i;

	for (i = 0; i < 40; i++)
		off += (size_t)snprintf(path + off, sizeof(path) - off, "d%02d/", i);
	snprintf(path + off, sizeof(path) - off, "leaf.bin");
	add_file(f, "models--deep--m", C1, path, "deep down\n", NULL);
	add_file(f, "models--deep--m", C1, "top.txt", "top\n", NULL);
	info = scan_ok(f);
	print_warnings(info);
	assert_int_equal(info->warnings.count, 0);
	r = find_repo(info, HF_REPO_MODEL, "deep/m");
	assert_non_null(r);
	assert_int_equal(r->revisions[0].nb_files, 2);
	assert_string_equal(r->revisions[0].files[0].file_name, path);
	assert_int_equal(r->size_on_disk, strlen("deep down\n") + strlen("top\n"));
	hf_cache_info_free(info);

	/* One "../" short: it points inside snapshots/, not at blobs/: a warning. */
	pathf(p, sizeof(p), "%s/models--deep--m/snapshots/%s/a/b/short.txt", f->cache, C1);
	symlink_at("../../../blobs/0000", p);
	info = scan_ok(f);
	assert_int_equal(info->nb_repos, 0);
	assert_non_null(warning_with(info, "short.txt"));
	hf_cache_info_free(info);
}

static void test_future_mtimes(void **state)
{
	fixture *f = *state;
	hf_cache_info *info;
	const hf_cached_repo *r;
	char p[1024], etag[65];
	struct timeval tv[2];
	time_t future = time(NULL) + 10L * 365 * 86400;

	add_file(f, "models--clock--skew", C1, "a.txt", TXT_A, etag);
	add_ref(f, "models--clock--skew", "main", C1);
	pathf(p, sizeof(p), "%s/models--clock--skew/blobs/%s", f->cache, etag);
	tv[0].tv_sec = future;
	tv[0].tv_usec = 0;
	tv[1] = tv[0];
	assert_int_equal(utimes(p, tv), 0);
	info = scan_ok(f);
	r = find_repo(info, HF_REPO_MODEL, "clock/skew");
	assert_non_null(r);
	assert_int_equal(r->last_accessed, (int64_t)future);
	assert_int_equal(r->last_modified, (int64_t)future);
	assert_int_equal(r->revisions[0].files[0].blob_last_modified, (int64_t)future);
	hf_cache_info_free(info);
	/* Pruning such a cache works too. */
	assert_int_equal(prune_in(f, f->cache, 0, NULL), HF_OK);
	assert_true(exists(p));
}

static void test_incomplete_downloads(void **state)
{
	fixture *f = *state;
	hf_cache_info *info;
	char p[1024];
	char big[100];

	memset(big, 'i', sizeof(big));
	add_file(f, "models--acme--inc", C1, "a.txt", TXT_A, NULL);
	add_ref(f, "models--acme--inc", "main", C1);
	pathf(p, sizeof(p), "%s/models--acme--inc/blobs/%s.0a1b2c3d.incomplete", f->cache,
	      "5555555555555555555555555555555555555555555555555555555555555555");
	write_bytes(p, big, sizeof(big));
	/* The old name, without the random part. */
	pathf(p, sizeof(p), "%s/models--acme--inc/blobs/%s.incomplete", f->cache,
	      "6666666666666666666666666666666666666666");
	write_bytes(p, big, 10);
	info = scan_ok(f);
	assert_int_equal(info->warnings.count, 0);
	assert_int_equal(info->incomplete_files.count, 2);
	assert_int_equal(info->incomplete_size, 110);
	/* Not part of the repository's size. */
	assert_int_equal(info->repos[0].size_on_disk, strlen(TXT_A));
	hf_cache_info_free(info);
}

/* What a SIGKILL can leave besides a partial: a checkpoint whose partial
 * was being taken over, a checkpoint being replaced. Listed, and pruned. */
static void test_checkpoint_leftovers(void **state)
{
	fixture *f = *state;
	const char *e = "5555555555555555555555555555555555555555555555555555555555555555";
	char live[1024], live_resume[1024], orphan[1024], tmp[1024], odd[1024];
	hf_cache_info *info;

	add_file(f, "models--acme--inc", C1, "a.txt", TXT_A, NULL);
	add_ref(f, "models--acme--inc", "main", C1);
	pathf(live, sizeof(live), "%s/models--acme--inc/blobs/%s.0a1b2c3d.incomplete", f->cache, e);
	write_text(live, "partial");
	pathf(live_resume, sizeof(live_resume), "%s.resume", live);
	write_text(live_resume, "r");
	pathf(orphan, sizeof(orphan), "%s/models--acme--inc/blobs/%s.11111111.incomplete.resume",
	      f->cache, e);
	write_text(orphan, "r");
	pathf(tmp, sizeof(tmp), "%s/models--acme--inc/blobs/%s.0a1b2c3d.incomplete.resume.9f8e7d6c.tmp",
	      f->cache, e);
	write_text(tmp, "r");
	/* Not a name a download writes: left alone. */
	pathf(odd, sizeof(odd), "%s/models--acme--inc/blobs/%s.0a1b2c3d.incomplete.resume.nothex!.tmp",
	      f->cache, e);
	write_text(odd, "r");
	info = scan_ok(f);
	/* The partial, the orphan checkpoint, the checkpoint temporary. */
	assert_int_equal(info->incomplete_files.count, 3);
	assert_int_equal(info->incomplete_size, strlen("partial") + 2);
	hf_cache_info_free(info);
	assert_int_equal(prune_in(f, f->cache, 0, NULL), HF_OK);
	assert_false(exists(live));
	assert_false(exists(live_resume));
	assert_false(exists(orphan));
	assert_false(exists(tmp));
	assert_true(exists(odd));
}

static void test_long_blob_names(void **state)
{
	fixture *f = *state;
	hf_cache_info *info;
	const hf_cached_repo *r;
	char p[1024];
	const char *name = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-and-more";

	/* A blob name longer than a sha256, shared by two revisions: still counted once. */
	pathf(p, sizeof(p), "%s/models--long--names/blobs/%s", f->cache, name);
	write_text(p, "0123456789");
	pathf(p, sizeof(p), "%s/models--long--names/snapshots/%s/x.bin", f->cache, C1);
	symlink_at("../../blobs/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-and-more", p);
	pathf(p, sizeof(p), "%s/models--long--names/snapshots/%s/y.bin", f->cache, C2);
	symlink_at("../../blobs/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef-and-more", p);
	info = scan_ok(f);
	print_warnings(info);
	r = find_repo(info, HF_REPO_MODEL, "long/names");
	assert_non_null(r);
	assert_int_equal(r->nb_files, 1);
	assert_int_equal(r->size_on_disk, 10);
	hf_cache_info_free(info);
}

static void test_scan_errors(void **state)
{
	fixture *f = *state;
	hf_cache_info *info = (hf_cache_info *)1;
	char p[1024];

	pathf(p, sizeof(p), "%s/does-not-exist", f->root);
	assert_int_equal(hf_cache_scan(&info, f->client, p), HF_ENOTFOUND);
	assert_null(info);
	assert_non_null(strstr(hf_client_error(f->client)->message, "Cache directory not found"));
	assert_int_equal(hf_cache_scan(&info, f->client, f->outside), HF_EIO);
	assert_null(info);
	assert_int_equal(hf_cache_scan(&info, NULL, f->cache), HF_EINVAL);
	/* An empty cache is a valid, empty report. */
	info = scan_ok(f);
	assert_int_equal(info->nb_repos, 0);
	assert_int_equal(info->size_on_disk, 0);
	hf_cache_info_free(info);
	hf_cache_info_free(NULL);
}

/* ---- delete ---- */

static void test_delete_revision_keeps_shared_blobs(void **state)
{
	fixture *f = *state;
	hf_cache_delete_result res = HF_CACHE_DELETE_RESULT_INIT;
	const char *revs[] = { C2 };
	hf_cache_info *info;
	char ea[65], eb[65], ec[65], p[1024];

	build_two_revisions(f, "models--acme--m");
	git_sha1(TXT_A, ea);
	git_sha1(TXT_B, eb);
	git_sha1(TXT_C, ec);
	/* Dry run first: the same numbers, nothing removed. */
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "acme/m", revs, 1, 1, &res), HF_OK);
	assert_int_equal(res.repos_deleted, 0);
	assert_int_equal(res.revisions_deleted, 1);
	assert_int_equal(res.freed, strlen(TXT_C));
	pathf(p, sizeof(p), "%s/models--acme--m/snapshots/%s", f->cache, C2);
	assert_true(exists(p));

	assert_int_equal(delete_in(f, HF_REPO_MODEL, "acme/m", revs, 1, 0, &res), HF_OK);
	assert_int_equal(res.revisions_deleted, 1);
	assert_int_equal(res.freed, strlen(TXT_C));
	assert_int_equal(res.skipped_locked, 0);
	assert_false(exists(p));
	pathf(p, sizeof(p), "%s/models--acme--m/refs/v1.0", f->cache);
	assert_false(exists(p));
	pathf(p, sizeof(p), "%s/models--acme--m/refs/main", f->cache);
	assert_true(exists(p));
	pathf(p, sizeof(p), "%s/models--acme--m/blobs/%s", f->cache, ec);
	assert_false(exists(p));
	/* Still used by C1. */
	pathf(p, sizeof(p), "%s/models--acme--m/blobs/%s", f->cache, ea);
	assert_true(exists(p));
	pathf(p, sizeof(p), "%s/models--acme--m/blobs/%s", f->cache, eb);
	assert_true(exists(p));
	info = scan_ok(f);
	assert_int_equal(info->warnings.count, 0);
	assert_int_equal(info->repos[0].nb_revisions, 1);
	assert_int_equal(info->repos[0].size_on_disk, strlen(TXT_A) + strlen(TXT_B));
	hf_cache_info_free(info);
}

static void test_delete_whole_repo(void **state)
{
	fixture *f = *state;
	hf_cache_delete_result res = HF_CACHE_DELETE_RESULT_INIT;
	const char *revs[] = { C2, C1 };
	char p[1024];

	build_two_revisions(f, "models--acme--m");
	build_two_revisions(f, "models--acme--other");
	/* Every revision selected: the whole folder goes. */
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "acme/m", revs, 2, 0, &res), HF_OK);
	assert_int_equal(res.repos_deleted, 1);
	assert_int_equal(res.revisions_deleted, 0);
	assert_int_equal(res.freed, strlen(TXT_A) + strlen(TXT_B) + strlen(TXT_C));
	pathf(p, sizeof(p), "%s/models--acme--m", f->cache);
	assert_false(exists(p));
	/* NULL revisions: the whole repo too. */
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "acme/other", NULL, 0, 0, &res),
			 HF_OK);
	assert_int_equal(res.repos_deleted, 1);
	pathf(p, sizeof(p), "%s/models--acme--other", f->cache);
	assert_false(exists(p));
	assert_true(exists(f->cache));
}

static void test_delete_errors(void **state)
{
	fixture *f = *state;
	hf_cache_delete_result res = HF_CACHE_DELETE_RESULT_INIT;
	const char *bad[] = { "main" };
	const char *missing[] = { C3 };

	build_two_revisions(f, "models--acme--m");
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "acme/none", NULL, 0, 0, &res),
			 HF_ENOTFOUND);
	assert_int_equal(delete_in(f, HF_REPO_DATASET, "acme/m", NULL, 0, 0, &res),
			 HF_ENOTFOUND);
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "acme/m", missing, 1, 0, &res),
			 HF_ENOTFOUND);
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "acme/m", bad, 1, 0, &res), HF_EINVAL);
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "../acme", NULL, 0, 0, &res),
			 HF_EINVAL);
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "a/b/c", NULL, 0, 0, &res), HF_EINVAL);
	assert_int_equal(delete_in(f, HF_REPO_MODEL, NULL, NULL, 0, 0, &res), HF_EINVAL);
	assert_int_equal(res.repos_deleted + res.revisions_deleted, 0);
}

static void test_delete_never_follows_links(void **state)
{
	fixture *f = *state;
	hf_cache_delete_result res = HF_CACHE_DELETE_RESULT_INIT;
	char p[1024], etag[65], outdir[1024];

	/* Snapshot entries linking out of the cache (corrupt: deleted whole). */
	add_file(f, "models--bad--outside", C1, "a.txt", "y\n", NULL);
	pathf(p, sizeof(p), "%s/models--bad--outside/snapshots/%s/evil.txt", f->cache, C1);
	symlink_at(f->outside, p);
	pathf(outdir, sizeof(outdir), "%s/outside-dir", f->root);
	pathf(p, sizeof(p), "%s/keep.txt", outdir);
	write_text(p, "keep");
	pathf(p, sizeof(p), "%s/models--bad--outside/snapshots/%s/evil-dir", f->cache, C1);
	symlink_at(outdir, p);
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "bad/outside", NULL, 0, 0, &res),
			 HF_OK);
	assert_int_equal(res.repos_deleted, 1);
	pathf(p, sizeof(p), "%s/models--bad--outside", f->cache);
	assert_false(exists(p));
	assert_true(exists(f->outside));
	pathf(p, sizeof(p), "%s/keep.txt", outdir);
	assert_true(exists(p));

	/* blobs/<etag> replaced by a link: the link goes, its target stays. */
	add_file(f, "models--bad--bloblink", C1, "a.txt", "q\n", etag);
	pathf(p, sizeof(p), "%s/models--bad--bloblink/blobs/%s", f->cache, etag);
	assert_int_equal(unlink(p), 0);
	symlink_at(f->outside, p);
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "bad/bloblink", NULL, 0, 0, &res),
			 HF_OK);
	pathf(p, sizeof(p), "%s/models--bad--bloblink", f->cache);
	assert_false(exists(p));
	assert_true(exists(f->outside));

	/* The repository folder itself a link to a directory outside: not a repository. */
	pathf(p, sizeof(p), "%s/models--bad--dirlink", f->cache);
	symlink_at(outdir, p);
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "bad/dirlink", NULL, 0, 0, &res),
			 HF_ENOTFOUND);
	assert_true(exists(p));
	pathf(p, sizeof(p), "%s/keep.txt", outdir);
	assert_true(exists(p));
}

static void test_delete_respects_download_locks(void **state)
{
	fixture *f = *state;
	hf_cache_delete_result res = HF_CACHE_DELETE_RESULT_INIT;
	const char *revs[] = { C2 };
	char ec[65], p[1024];
	int fd;

	build_two_revisions(f, "models--acme--m");
	git_sha1(TXT_C, ec);
	fd = hold_lock(f, "models--acme--m", ec);
	/* The whole repo: refused, nothing removed. */
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "acme/m", NULL, 0, 0, &res),
			 HF_ELOCKED);
	pathf(p, sizeof(p), "%s/models--acme--m/snapshots/%s", f->cache, C2);
	assert_true(exists(p));
	/* One revision: deleted, but the blob being written stays. */
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "acme/m", revs, 1, 0, &res), HF_OK);
	assert_int_equal(res.revisions_deleted, 1);
	assert_int_equal(res.skipped_locked, 1);
	assert_int_equal(res.freed, 0);
	assert_false(exists(p));
	pathf(p, sizeof(p), "%s/models--acme--m/blobs/%s", f->cache, ec);
	assert_true(exists(p));
	/* A corrupt repository being downloaded (no snapshots/ yet) is not removed either. */
	pathf(p, sizeof(p), "%s/models--acme--new/blobs/%s.0badc0de.incomplete", f->cache, ec);
	write_text(p, "partial");
	close(fd);
	fd = hold_lock(f, "models--acme--new", ec);
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "acme/new", NULL, 0, 0, &res),
			 HF_ELOCKED);
	assert_true(exists(p));
	close(fd);
	/* Lock released: the leftover can go. */
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "acme/new", NULL, 0, 0, &res), HF_OK);
	assert_false(exists(p));
}

static void test_delete_no_symlink_revision(void **state)
{
	fixture *f = *state;
	hf_cache_delete_result res = HF_CACHE_DELETE_RESULT_INIT;
	const char *revs[] = { C1 };
	char p[1024];

	pathf(p, sizeof(p), "%s/models--win--m/snapshots/%s/config.json", f->cache, C1);
	write_text(p, "{\"a\": 1}");
	pathf(p, sizeof(p), "%s/models--win--m/snapshots/%s/config.json", f->cache, C2);
	write_text(p, "{\"a\": 2}");
	add_ref(f, "models--win--m", "main", C2);
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "win/m", revs, 1, 0, &res), HF_OK);
	assert_int_equal(res.revisions_deleted, 1);
	/* The file was its own blob: freed with the snapshot. */
	assert_int_equal(res.freed, 8);
	pathf(p, sizeof(p), "%s/models--win--m/snapshots/%s", f->cache, C1);
	assert_false(exists(p));
	pathf(p, sizeof(p), "%s/models--win--m/snapshots/%s/config.json", f->cache, C2);
	assert_true(exists(p));
}

/* ---- prune ---- */

static void test_prune(void **state)
{
	fixture *f = *state;
	hf_cache_delete_result res = HF_CACHE_DELETE_RESULT_INIT;
	hf_cache_info *info;
	char ea[65], ed[65], p[1024], dead[1024], held[1024], resume[1024];
	const char *held_etag = "7777777777777777777777777777777777777777777777777777777777777777";
	int fd;

	build_two_revisions(f, "models--acme--m");
	/* C3: detached (no ref), shares a.txt with the others. */
	add_file(f, "models--acme--m", C3, "a.txt", TXT_A, ea);
	add_file(f, "models--acme--m", C3, "d.txt", "only in the detached revision\n", ed);
	/* A dead download and its resume state; a running one. */
	pathf(dead, sizeof(dead), "%s/models--acme--m/blobs/%s.12345678.incomplete", f->cache,
	      "8888888888888888888888888888888888888888888888888888888888888888");
	write_text(dead, "dead");
	pathf(resume, sizeof(resume), "%s.resume", dead);
	write_text(resume, "{}");
	pathf(held, sizeof(held), "%s/models--acme--m/blobs/%s.9abcdef0.incomplete", f->cache, held_etag);
	write_text(held, "running");
	fd = hold_lock(f, "models--acme--m", held_etag);
	/* A repository with only a detached revision disappears entirely. */
	add_file(f, "datasets--acme--detached", C1, "x.csv", "x\n", NULL);

	assert_int_equal(prune_in(f, f->cache, 1, &res), HF_OK);
	assert_int_equal(res.revisions_deleted, 1);
	assert_int_equal(res.repos_deleted, 1);
	assert_int_equal(res.skipped_locked, 1);
	pathf(p, sizeof(p), "%s/models--acme--m/snapshots/%s", f->cache, C3);
	assert_true(exists(p));
	assert_true(exists(dead));

	assert_int_equal(prune_in(f, f->cache, 0, &res), HF_OK);
	assert_int_equal(res.revisions_deleted, 1);
	assert_int_equal(res.repos_deleted, 1);
	assert_int_equal(res.skipped_locked, 1);
	assert_false(exists(p));
	pathf(p, sizeof(p), "%s/models--acme--m/blobs/%s", f->cache, ed);
	assert_false(exists(p));
	pathf(p, sizeof(p), "%s/models--acme--m/blobs/%s", f->cache, ea);
	assert_true(exists(p));
	pathf(p, sizeof(p), "%s/datasets--acme--detached", f->cache);
	assert_false(exists(p));
	assert_false(exists(dead));
	assert_false(exists(resume));
	assert_true(exists(held));
	close(fd);

	info = scan_ok(f);
	assert_int_equal(info->nb_repos, 1);
	assert_int_equal(info->repos[0].nb_revisions, 2);
	assert_int_equal(info->incomplete_files.count, 1);
	hf_cache_info_free(info);
	/* Released: the next prune takes it. */
	assert_int_equal(prune_in(f, f->cache, 0, &res), HF_OK);
	assert_false(exists(held));
	pathf(p, sizeof(p), "%s/does-not-exist", f->root);
	assert_int_equal(prune_in(f, p, 0, &res), HF_ENOTFOUND);
}

/*
 * A stray copy of a snapshot folder ("<commit>.bak") must not alias the
 * real revision: cut to 40 characters it named the same commit, its files
 * were reported inside the real folder, and prune (it has no ref) removed
 * snapshots/<commit>, the revision refs/main points at. Found by
 * fuzz_cache_scan.
 */
static void test_long_snapshot_name_is_not_an_alias(void **state)
{
	fixture *f = *state;
	const char *const revs[] = { C1 };
	hf_cache_delete_result res = HF_CACHE_DELETE_RESULT_INIT;
	hf_cache_info *info;
	char p[1024];

	add_file(f, "models--acme--m", C1, "a.txt", "kept\n", NULL);
	add_ref(f, "models--acme--m", "main", C1);
	add_file(f, "models--acme--m", C1 ".bak", "b.txt", "copy\n", NULL);

	info = scan_ok(f);
	assert_null(find_repo(info, HF_REPO_MODEL, "acme/m"));
	assert_int_equal(info->warnings.count, 1);
	assert_non_null(strstr(info->warnings.items[0], C1 ".bak"));
	hf_cache_info_free(info);

	assert_int_equal(prune_in(f, f->cache, 0, &res), HF_OK);
	assert_int_equal(res.revisions_deleted, 0);
	pathf(p, sizeof(p), "%s/models--acme--m/snapshots/%s/a.txt", f->cache, C1);
	assert_true(exists(p));
	/* A revision of a corrupt repository is not deleted either (the whole repo still can be). */
	assert_int_equal(delete_in(f, HF_REPO_MODEL, "acme/m", revs, 1, 0, &res),
			 HF_ENOTFOUND);
	assert_true(exists(p));
}

/* ---- verify (offline: against the blob names) ---- */

static void test_verify_offline_against_blob_names(void **state)
{
	fixture *f = *state;
	hf_cache_verify_options o = HF_CACHE_VERIFY_OPTIONS_INIT;
	hf_verify_result *r = NULL;
	char ec[65], p[1024];
	size_t i;
	int found = 0;

	build_two_revisions(f, "models--acme--m");
	git_sha1(TXT_C, ec);
	o.cache_dir = f->cache;
	o.offline = 1;
	o.revision = "v1.0";
	assert_int_equal(hf_cache_verify(&r, f->client, "acme/m", &o), HF_OK);
	assert_string_equal(r->commit, C2);
	assert_int_equal(r->verified, 2);
	assert_int_equal(r->mismatches, 0);
	hf_verify_result_free(r);
	r = NULL;

	/* Flip a byte of c.txt's blob: same size, other content. */
	pathf(p, sizeof(p), "%s/models--acme--m/blobs/%s", f->cache, ec);
	write_text(p, "cccccXccccc");
	assert_int_equal(hf_cache_verify(&r, f->client, "acme/m", &o), HF_OK);
	assert_int_equal(r->mismatches, 1);
	assert_int_equal(r->verified, 1);
	for (i = 0; i < r->nb_issues; i++) {
		if (strcmp(r->issues[i].file, "c.txt") == 0 && r->issues[i].kind == HF_VERIFY_MISMATCH) {
			found = 1;
			assert_non_null(strstr(r->issues[i].problem, ec));
		}
	}
	assert_true(found);
	hf_verify_result_free(r);
	r = NULL;

	/* HF_HUB_OFFLINE=1 in the environment does the same. */
	f->offline = "1";
	hf_client_free(f->client);
	{
		hf_client_options co = HF_CLIENT_OPTIONS_INIT;

		co.getenv_fn = fake_getenv;
		co.getenv_payload = f;
		co.endpoint = "http://127.0.0.1:9";
		assert_int_equal(hf_client_new(&f->client, &co), HF_OK);
	}
	o.offline = 0;
	assert_int_equal(hf_cache_verify(&r, f->client, "acme/m", &o), HF_OK);
	assert_int_equal(r->mismatches, 1);
	hf_verify_result_free(r);
	r = NULL;
	/* Not cached: an error, not a crash. */
	assert_int_not_equal(hf_cache_verify(&r, f->client, "acme/absent", &o), HF_OK);
	assert_null(r);
}

/* ---- options and result records: versions, defaults ---- */

static void test_options_and_result_versions(void **state)
{
	fixture *f = *state;
	hf_cache_delete_options dopts = HF_CACHE_DELETE_OPTIONS_INIT;
	hf_cache_prune_options popts = HF_CACHE_PRUNE_OPTIONS_INIT;
	hf_cache_verify_options vopts = HF_CACHE_VERIFY_OPTIONS_INIT;
	hf_cache_delete_result res = HF_CACHE_DELETE_RESULT_INIT;
	hf_verify_result *r = NULL;
	char p[1024];

	/* The initialisers and the _init functions agree. */
	assert_int_equal(dopts.version, HF_CACHE_DELETE_OPTIONS_VERSION);
	assert_int_equal(dopts.repo_type, HF_REPO_MODEL);
	assert_int_equal(popts.version, HF_CACHE_PRUNE_OPTIONS_VERSION);
	assert_int_equal(vopts.version, HF_CACHE_VERIFY_OPTIONS_VERSION);
	assert_int_equal(res.version, HF_CACHE_DELETE_RESULT_VERSION);
	dopts.dry_run = 1;
	popts.dry_run = 1;
	vopts.offline = 1;
	res.freed = 5;
	assert_int_equal(hf_cache_delete_options_init(&dopts, HF_CACHE_DELETE_OPTIONS_VERSION), HF_OK);
	assert_int_equal(dopts.dry_run, 0);
	assert_int_equal(hf_cache_prune_options_init(&popts, HF_CACHE_PRUNE_OPTIONS_VERSION), HF_OK);
	assert_int_equal(popts.dry_run, 0);
	assert_int_equal(hf_cache_verify_options_init(&vopts, HF_CACHE_VERIFY_OPTIONS_VERSION), HF_OK);
	assert_int_equal(vopts.offline, 0);
	assert_int_equal(hf_cache_delete_result_init(&res, HF_CACHE_DELETE_RESULT_VERSION), HF_OK);
	assert_int_equal(res.freed, 0);
	assert_int_equal(hf_cache_delete_options_init(&dopts, 99), HF_EINVAL);
	assert_int_equal(hf_cache_prune_options_init(&popts, 0), HF_EINVAL);
	assert_int_equal(hf_cache_verify_options_init(NULL, HF_CACHE_VERIFY_OPTIONS_VERSION), HF_EINVAL);
	assert_int_equal(hf_cache_delete_result_init(&res, 2), HF_EINVAL);

	build_two_revisions(f, "models--acme--m");
	pathf(p, sizeof(p), "%s/models--acme--m", f->cache);
	/* An unknown layout is refused before anything is deleted. */
	dopts.cache_dir = f->cache;
	dopts.version = 99;
	assert_int_equal(hf_cache_delete(&res, f->client, "acme/m", &dopts), HF_EINVAL);
	assert_non_null(strstr(hf_client_error(f->client)->message, "version 99"));
	dopts.version = HF_CACHE_DELETE_OPTIONS_VERSION;
	res.version = 99;
	assert_int_equal(hf_cache_delete(&res, f->client, "acme/m", &dopts), HF_EINVAL);
	assert_int_equal(hf_cache_prune(&res, f->client, &popts), HF_EINVAL);
	assert_int_equal(res.version, 99); /* not written */
	res.version = HF_CACHE_DELETE_RESULT_VERSION;
	popts.version = 0;
	assert_int_equal(hf_cache_prune(&res, f->client, &popts), HF_EINVAL);
	vopts.version = 99;
	assert_int_equal(hf_cache_verify(&r, f->client, "acme/m", &vopts), HF_EINVAL);
	assert_null(r);
	assert_true(exists(p));

	/* NULL options: the client's hub cache ($HF_HOME/hub, absent here). */
	assert_int_equal(hf_cache_delete(&res, f->client, "acme/m", NULL), HF_ENOTFOUND);
	assert_int_equal(hf_cache_prune(NULL, f->client, NULL), HF_ENOTFOUND);
	assert_true(exists(p));
	assert_int_equal(hf_cache_delete(NULL, NULL, "acme/m", NULL), HF_EINVAL);
	assert_int_equal(hf_cache_prune(NULL, NULL, NULL), HF_EINVAL);
	assert_int_equal(hf_cache_verify(&r, NULL, "acme/m", NULL), HF_EINVAL);
	assert_int_equal(hf_cache_verify(NULL, f->client, "acme/m", NULL), HF_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unique_blobs_across_revisions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_types_ids_and_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_entries_are_warnings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_symlink_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_future_mtimes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incomplete_downloads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_leftovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_blob_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_revision_keeps_shared_blobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_whole_repo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_never_follows_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_respects_download_locks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_no_symlink_revision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_snapshot_name_is_not_an_alias, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_offline_against_blob_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_options_and_result_versions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
