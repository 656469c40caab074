#include "tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fsutil.h"
#include "http.h"
#include "hub_error.h"
#include "parse.h"
#include "repo.h"
#include "util.h"
#include "validate.h"

#define HF__TREE_MAX_PAGES 100000

const char *hf__tree_file_etag(const hf__tree_file *f)
{
	return f->lfs_sha256[0] ? f->lfs_sha256 : f->blob_id;
}

static int tree_push(hf__tree *tree, hf__tree_file *f)
{
	if (tree->count == tree->cap) {
		size_t cap = tree->cap ? tree->cap * 2 : 64;
		hf__tree_file *files = realloc(tree->files, cap * sizeof(*files));

		if (!files)
			return -2;
		tree->files = files;
		tree->cap = cap;
	}
	tree->files[tree->count++] = *f;
	return 0;
}

/* Copy a hex string of exactly n characters, lower-cased; 0 or -1. */
static int copy_hex(char *dst, const char *src, size_t n)
{
	size_t i;

	if (!src || strlen(src) != n)
		return -1;
	for (i = 0; i < n; i++) {
		char ch = src[i];

		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return -1;
		dst[i] = ch;
	}
	dst[n] = '\0';
	return 0;
}

static int get_size(json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* One file entry (from the API or the cache). 0, -1 bad, -2 no memory. */
static int add_file(hf__tree *tree, const char *path, uint64_t size, const char *blob_id,
		    const char *lfs_sha256, const char *xet, char *msg, size_t msglen)
{
	hf__tree_file f;
	const char *why = NULL;

	memset(&f, 0, sizeof(f));
	if (!path || !hf__valid_filename(path, &why)) {
		snprintf(msg, msglen, "the Hub listed an unsafe file name '%.200s' (%s)",
			 path ? path : "(none)", why ? why : "missing");
		return -1;
	}
	if (copy_hex(f.blob_id, blob_id, 40) < 0) {
		snprintf(msg, msglen, "the Hub listed '%.200s' without a valid git object id", path);
		return -1;
	}
	if (lfs_sha256 && copy_hex(f.lfs_sha256, lfs_sha256, 64) < 0) {
		snprintf(msg, msglen, "the Hub listed '%.200s' with an invalid sha256", path);
		return -1;
	}
	if (xet && copy_hex(f.xet_hash, xet, 64) < 0)
		f.xet_hash[0] = '\0';
	f.size = size;
	f.path = hf__strdup(path);
	if (!f.path || tree_push(tree, &f) < 0) {
		free(f.path);
		return -2;
	}
	return 0;
}

int hf__tree_parse_page(hf__tree *tree, const char *json, size_t len, char *msg, size_t msglen)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, 0, &jerr);
	size_t i;
	int rc = 0;

	if (!root) {
		/* Truncated, too deep, a number out of range, invalid UTF-8... */
		snprintf(msg, msglen, "the Hub's file listing is not valid JSON (%.120s)", jerr.text);
		return -1;
	}
	if (!json_is_array(root)) {
		snprintf(msg, msglen, "the Hub's file listing is not a JSON array");
		json_decref(root);
		return -1;
	}
	for (i = 0; i < json_array_size(root) && !rc; i++) {
		json_t *e = json_array_get(root, i);
		json_t *lfs = json_object_get(e, "lfs");
		const char *type = json_string_value(json_object_get(e, "type"));
		uint64_t size = 0, lfs_size = 0;

		if (!type) {
			snprintf(msg, msglen, "the Hub's file listing has an entry without a type");
			rc = -1;
			break;
		}
		if (strcmp(type, "file") != 0)
			continue;
		if (get_size(json_object_get(e, "size"), &size) < 0 ||
		    (lfs && (!json_is_object(lfs) || get_size(json_object_get(lfs, "size"), &lfs_size) < 0))) {
			snprintf(msg, msglen, "the Hub's file listing has an entry without a valid size");
			rc = -1;
			break;
		}
		rc = add_file(tree, json_string_value(json_object_get(e, "path")), lfs ? lfs_size : size,
			      json_string_value(json_object_get(e, "oid")),
			      lfs ? json_string_value(json_object_get(lfs, "oid")) : NULL,
			      json_string_value(json_object_get(e, "xetHash")), msg, msglen);
		if (lfs && !rc && !tree->files[tree->count - 1].lfs_sha256[0])
			rc = -1;
	}
	json_decref(root);
	return rc;
}

char *hf__link_next(const char *link)
{
	const char *p = link;

	/* Link: <url>; rel="next", <url2>; rel="prev" */
	while (p && *p) {
		const char *open = strchr(p, '<'), *close, *end, *rel;

		if (!open)
			return NULL;
		close = strchr(open, '>');
		if (!close)
			return NULL;
		end = strchr(close, ',');
		if (!end)
			end = close + strlen(close);
		rel = strstr(close, "rel=");
		if (rel && rel < end && (strncmp(rel, "rel=\"next\"", 10) == 0 || strncmp(rel, "rel=next", 8) == 0))
			return hf__strndup(open + 1, (size_t)(close - open - 1));
		p = *end ? end + 1 : NULL;
	}
	return NULL;
}

int hf__tree_cache_load(hf__tree *tree, const char *path)
{
	json_t *root = json_load_file(path, 0, NULL), *files, *v;
	const char *name;
	char msg[256];
	int rc = 0;

	if (!json_is_object(root) || json_integer_value(json_object_get(root, "format_version")) != 1 ||
	    !json_is_object(files = json_object_get(root, "files"))) {
		json_decref(root);
		return -1;
	}
	json_object_foreach(files, name, v) {
		uint64_t size = 0;

		if (get_size(json_object_get(v, "size"), &size) < 0 ||
		    add_file(tree, name, size, json_string_value(json_object_get(v, "blob_id")),
			     json_string_value(json_object_get(v, "lfs_sha256")),
			     json_string_value(json_object_get(v, "xet_hash")), msg, sizeof(msg)) < 0) {
			rc = -1;
			break;
		}
	}
	json_decref(root);
	if (rc)
		hf__tree_dispose(tree);
	else
		hf__tree_sort(tree);
	return rc;
}

int hf__tree_cache_save(const hf__tree *tree, const char *path)
{
	json_t *root = json_object(), *files = json_object();
	char *text = NULL;
	size_t i;
	int rc = -ENOMEM;

	if (!root || !files)
		goto done;
	json_object_set_new(root, "format_version", json_integer(1));
	for (i = 0; i < tree->count; i++) {
		const hf__tree_file *f = &tree->files[i];
		json_t *e = json_object();

		if (!e)
			goto done;
		json_object_set_new(e, "size", json_integer((json_int_t)f->size));
		json_object_set_new(e, "blob_id", json_string(f->blob_id));
		if (f->lfs_sha256[0]) {
			json_object_set_new(e, "lfs_sha256", json_string(f->lfs_sha256));
			json_object_set_new(e, "lfs_size", json_integer((json_int_t)f->size));
		}
		if (f->xet_hash[0])
			json_object_set_new(e, "xet_hash", json_string(f->xet_hash));
		json_object_set_new(files, f->path, e);
	}
	json_object_set(root, "files", files);
	text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (text)
		rc = hf__write_file_atomic(path, text, strlen(text), 0644);
done:
	free(text);
	json_decref(files);
	json_decref(root);
	return rc;
}

int hf__tree_fetch(hf_client *c, hf_repo_type type, const char *repo_id, const char *commit,
		   const char *token, const hf__hub_subject *subject, hf__tree *out)
{
	hf__request rq = { 0 };
	hf__response rs = HF__RESPONSE_INIT;
	char suffix[128], msg[512];
	char *url;
	int rc = HF_OK, pages = 0;

	snprintf(suffix, sizeof(suffix), "/tree/%s?recursive=true&expand=false", commit);
	url = hf__api_url(c, type, repo_id, suffix);
	if (!url)
		return hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	while (url) {
		const char *link;
		char *next;

		rq.url = url;
		rq.scope = hf__hub_scope(c, token);
		rq.connect_timeout_s = c->cfg.etag_timeout;
		rq.stall_timeout_s = c->cfg.download_timeout;
		rq.max_body = (size_t)64 << 20;
		rc = hf__client_send(c, &rq, &rs, HF__RETRY_API);
		if (rc)
			break;
		if (rs.status != 200) {
			rc = hf__hub_error(c, subject, &rs, url);
			break;
		}
		switch (hf__tree_parse_page(out, rs.body.data, rs.body.len, msg, sizeof(msg))) {
		case 0:
			break;
		case -2:
			rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
			break;
		default:
			rc = hf__error_set(c, HF_EPROTOCOL, "nothing was written for this repository",
					   "%s", msg);
		}
		if (rc)
			break;
		link = hf__response_header(&rs, "Link");
		next = link ? hf__link_next(link) : NULL;
		if (next) {
			/* A cursor on another origin would take the token elsewhere. */
			char *abs = hf__url_resolve(url, next);

			free(next);
			next = abs;
			if (!next || !hf__same_origin(next, c->endpoint)) {
				free(next);
				rc = hf__error_set(c, HF_EPROTOCOL, NULL,
						   "the Hub's file listing points to another origin");
				break;
			}
		}
		if (++pages > HF__TREE_MAX_PAGES) {
			free(next);
			rc = hf__error_set(c, HF_EPROTOCOL, NULL, "the Hub's file listing does not end");
			break;
		}
		free(url);
		url = next;
	}
	free(url);
	hf__response_dispose(&rs);
	if (!rc)
		hf__tree_sort(out);
	return rc;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const hf__tree_file *)a)->path, ((const hf__tree_file *)b)->path);
}

void hf__tree_sort(hf__tree *tree)
{
	if (tree->count > 1)
		qsort(tree->files, tree->count, sizeof(*tree->files), cmp_file);
}

const hf__tree_file *hf__tree_find(const hf__tree *tree, const char *path)
{
	hf__tree_file key;

	memset(&key, 0, sizeof(key));
	key.path = (char *)(uintptr_t)path;
	if (!tree->count)
		return NULL;
	return bsearch(&key, tree->files, tree->count, sizeof(*tree->files), cmp_file);
}

void hf__tree_dispose(hf__tree *tree)
{
	size_t i;

	for (i = 0; i < tree->count; i++)
		free(tree->files[i].path);
	free(tree->files);
	memset(tree, 0, sizeof(*tree));
}
