/*
 * Validation of everything that becomes a path or a URL: repo ids,
 * revisions, commit hashes, etags and file names. Pure functions, no
 * allocation; covered by tests/unit/test_validate.c. The hostile cases
 * are rows 11, 12, 16, 54 and 61 of docs/reliability-checklist.md; why
 * each name is checked is in docs/internals/cache.md.
 */
#ifndef HF_VALIDATE_H
#define HF_VALIDATE_H

#include <stddef.h>

/*
 * A repo id as the official validate_repo_id(), ASCII only: "name" or
 * "namespace/name"; each part 1-96 characters from [A-Za-z0-9_.-], not
 * starting or ending with '-' or '.'; no "--" and no ".." anywhere; not
 * ending in ".git". 1 when valid.
 */
int hf__valid_repo_id(const char *repo_id);

/* 40 lower-case hex characters. */
int hf__is_commit_hash(const char *s);

/* 40 or 64 hex characters (lower case), the two etag shapes of the Hub. */
int hf__is_etag(const char *s);

/*
 * Normalise an ETag header value in place the way the official client
 * does (strip leading 'W' and '/' characters, then '"' on both ends),
 * then lower-case it. Returns 1 when the result is a valid etag
 * (hf__is_etag), 0 otherwise.
 */
int hf__normalize_etag(char *value);

/*
 * A revision the user asked for: a branch, tag, "refs/pr/N" or a commit.
 * Non-empty, at most 256 bytes, no control bytes, no space, no '\\', no
 * ".." segment, not absolute, no empty segment ("a//b"), no "." segment,
 * no trailing '/'. 1 when valid. It is URL-quoted before use, and used as
 * a path only below refs/.
 */
int hf__valid_revision(const char *rev);

/*
 * A file name from a repo listing, safe to use as a relative path under
 * snapshots/<commit>/ and a local directory on POSIX and Windows:
 * non-empty, at most 4096 bytes, each '/'-separated segment 1-255 bytes,
 * no empty, "." or ".." segment, not absolute, no '\\' (a Windows
 * separator), no ':' in the first segment's second byte (drive "C:"),
 * no control bytes (< 0x20, 0x7f), no trailing '/'. Segments that are
 * Windows device names (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with any
 * extension, case-insensitive) or end in '.' or ' ' are refused too, so
 * a cache stays portable. 1 when valid; when not and reason is not NULL,
 * *reason is a static phrase ("contains a '..' segment", ...).
 */
int hf__valid_filename(const char *name, const char **reason);

/*
 * Python fnmatch.fnmatchcase: '*' matches any run of characters
 * INCLUDING '/', '?' one character, "[seq]" / "[!seq]" sets with ranges;
 * a '[' without a closing ']' is literal. Case-sensitive. 1 on a match.
 */
int hf__fnmatch(const char *pattern, const char *name);

/*
 * The official client's include/exclude filter: '\\' counts as '/' in both
 * patterns and names, a pattern ending in '/' gets '*' appended; a name is
 * kept when it matches at least one allow pattern (or there are none) and
 * no ignore pattern. 1 to keep.
 */
int hf__filter_match(const char *name, const char *const *allow, size_t n_allow,
		     const char *const *ignore, size_t n_ignore);

/*
 * Percent-encode s into out (size outlen) as Python's quote(s, safe=safe):
 * unreserved characters A-Z a-z 0-9 "_.-~" and those in safe stay, every
 * other byte becomes %XX (upper-case hex). Returns the length written, or
 * (size_t)-1 when out is too small (out is then empty).
 */
size_t hf__url_quote(const char *s, const char *safe, char *out, size_t outlen);

#endif
