/*
 * Path in repo validation and the folder walk filter: see paths.h for the
 * rules and where they come from.
 */
#include "upload/paths.h"

#include <string.h>

#include "validate.h"

/* Is [s, s+n) exactly the string lit? */
static int seg_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static int fail(const char **reason, const char *why)
{
	if (reason)
		*reason = why;
	return 0;
}

int hf__upload_path_in_repo(const char *path, const char **normal,
			    const char **reason)
{
	const char *p, *seg;

	if (!path)
		return fail(reason, "is missing");
	/* The official order: '/' first, then the "."/".." checks, then "./". */
	if (path[0] == '/')
		path++;
	if (strcmp(path, ".") == 0 || strcmp(path, "..") == 0 ||
	    strncmp(path, "../", 3) == 0)
		return fail(reason, "points outside the repo");
	if (strncmp(path, "./", 2) == 0)
		path += 2;
	if (path[0] == '\0')
		return fail(reason, "is empty");
	for (p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\\')
			return fail(reason, "contains a '\\' (use '/')");
		if (c < 0x20 || c == 0x7f)
			return fail(reason, "contains a control character");
	}
	seg = path;
	for (;;) {
		size_t n = strcspn(seg, "/");

		if (n == 0)
			return fail(reason, seg[0] ? "has an empty component"
					    : "ends with '/'");
		if (seg_is(seg, n, "..") || seg_is(seg, n, "."))
			return fail(reason, "contains a '.' or '..' component");
		/* Both names are refused by the Hub's git side and would
		 * clash with the client's own folders when downloaded. */
		if (seg_is(seg, n, ".git") || seg_is(seg, n, ".cache"))
			return fail(reason, "contains a '.git' or '.cache' component");
		if (seg[n] == '\0')
			break;
		seg += n + 1;
	}
	if (normal)
		*normal = path;
	return 1;
}

/*
 * The official client's DEFAULT_IGNORE_PATTERNS, in our fnmatch (where
 * '*' crosses '/', so "**" is the same as '*'): the folder itself, what is
 * under it, and the same below any parent.
 */
static const char *const default_ignore[] = {
	".git", ".git/*", "*/.git", "*/.git/*",
	".cache/huggingface", ".cache/huggingface/*",
	"*/.cache/huggingface", "*/.cache/huggingface/*",
};

int hf__upload_walk_keep(const char *name, const char *const *allow,
			 size_t n_allow, const char *const *ignore,
			 size_t n_ignore)
{
	if (!name)
		return 0;
	if (!hf__filter_match(name, NULL, 0, default_ignore,
			      sizeof default_ignore / sizeof default_ignore[0]))
		return 0;
	return hf__filter_match(name, allow, n_allow, ignore, n_ignore);
}

int hf__upload_delete_match(const char *remote_path, const char *prefix,
			    const char *const *patterns, size_t n_patterns)
{
	const char *rel = remote_path;
	size_t plen = prefix ? strlen(prefix) : 0;

	if (!remote_path || !patterns || n_patterns == 0)
		return 0;
	if (strcmp(remote_path, ".gitattributes") == 0)
		return 0;
	/* A prefix given with a trailing '/' means the same folder. */
	while (plen > 0 && prefix[plen - 1] == '/')
		plen--;
	if (plen > 0) {
		if (strncmp(remote_path, prefix, plen) != 0 || remote_path[plen] != '/')
			return 0;
		rel = remote_path + plen + 1;
	}
	return hf__filter_match(rel, patterns, n_patterns, NULL, 0);
}
