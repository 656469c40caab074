/*
 * The folder walk of hf_upload_folder() (docs/internals/upload.md,
 * "Folder walk"): every regular file under a folder, by path relative to
 * it ('/' separators), sorted bytewise (the official client sorts the
 * same names as Python strings: the same order for UTF-8), without the
 * default ignores (.git/, .cache/huggingface/, never descended into) and
 * filtered by hf__upload_walk_keep() (paths.h).
 *
 * Symbolic links: a link to a regular file is taken (its content, under
 * the link's name) only when its target, all links resolved, is inside
 * the folder; links that point out of the folder, links to directories
 * and dangling links are skipped (counted in skipped_links). The official
 * client follows every link; we refuse to read outside the folder the
 * user named. Other file types (FIFOs, sockets, devices) are skipped.
 */
#ifndef HF_UPLOAD_WALK_H
#define HF_UPLOAD_WALK_H

#include <stddef.h>

typedef struct hf__walk_file {
	char *rel;  /* relative to the folder */
	char *abs;  /* folder + "/" + rel: what to open */
} hf__walk_file;

typedef struct hf__walk {
	hf__walk_file *files;
	size_t n, cap;
	size_t skipped_links;
} hf__walk;

#define HF__WALK_INIT { NULL, 0, 0, 0 }

/*
 * Walk folder. 0, or a negative errno (-ENOTDIR when folder is not a
 * directory, -ENOMEM, or the errno of a directory that cannot be read;
 * *bad, when not NULL, then gets a heap copy of that directory's path
 * (free it)). out is sorted by rel on success.
 */
int hf__walk_folder(const char *folder, const char *const *include, size_t n_include,
		    const char *const *exclude, size_t n_exclude, hf__walk *out, char **bad);

void hf__walk_dispose(hf__walk *w);

#endif
