/*
 * Upload paths: the path a file gets in the repo, and which files of a
 * local folder an upload takes. Pure functions, no allocation; covered by
 * tests/unit/test_upload_paths.c. The rules follow huggingface_hub v1.28.0
 * (_commit_api.py _validate_path_in_repo, utils/_paths.py
 * filter_repo_objects), as summarised in shared/docs/upload-protocol.md §1.
 */
#ifndef HF_UPLOAD_PATHS_H
#define HF_UPLOAD_PATHS_H

#include <stddef.h>

/*
 * Check a path in repo and find its normal form. One leading '/' and then
 * one leading "./" are dropped (in that order, as the official client
 * does); what is left is refused when it is empty, "." or "..", starts
 * with "../", or has a ".git" or ".cache" component.
 *
 * Choices of ours beyond the official client, each because the server
 * would refuse the commit anyway (422 for "..\\ddd", §7) or the path
 * could not be a repo path: a '\\' anywhere, a control byte (< 0x20 or
 * 0x7f), an empty component ("a//b") or a trailing '/', and a "." or
 * ".." component anywhere ("a/./b", "a/../b") are refused too. Backslashes are refused
 * rather than turned into '/': a caller that built the name from a
 * Windows path converts first (the folder walk below does), and a
 * literal '\\' in a name given by the user is a mistake we should show.
 *
 * Returns 1 when valid and sets *normal (when not NULL) to the start of
 * the normal form inside path (no copy: it is a suffix of path). Returns
 * 0 when invalid and sets *reason (when not NULL) to a static phrase.
 */
int hf__upload_path_in_repo(const char *path, const char **normal,
			    const char **reason);

/*
 * The folder walk filter for one file, name being its path relative to
 * the folder with '/' separators: 0 when a default ignore pattern takes it
 * (a ".git" component, or ".cache/huggingface" at any depth, as
 * DEFAULT_IGNORE_PATTERNS), else hf__filter_match() of validate.h with
 * the user's patterns (fnmatch where '*' crosses '/', a pattern ending in
 * '/' gets '*' appended, '\\' counts as '/'). 1 to keep.
 */
int hf__upload_walk_keep(const char *name, const char *const *allow,
			 size_t n_allow, const char *const *ignore,
			 size_t n_ignore);

/*
 * `--delete` for a folder upload (§1 step 3): should the remote file
 * remote_path (from the recursive tree listing) be deleted? Only files
 * under prefix (the normal path in repo of the folder; "" or NULL for the
 * repo root) are considered, and the patterns are matched against the path
 * relative to prefix, with hf__filter_match()'s rules (as include patterns;
 * no pattern means nothing is deleted). ".gitattributes" at the repo root
 * is never deleted. The caller still drops a delete whose path is also
 * added by the same commit. 1 to delete.
 */
int hf__upload_delete_match(const char *remote_path, const char *prefix,
			    const char *const *patterns, size_t n_patterns);

#endif
