/*
 * Pure pieces of the repository management calls (include/hf/repo.h,
 * docs/internals/repos.md): the refs answer parser and the client-side
 * name checks. No client, no I/O; tests/unit/test_repo_refs.c covers them.
 */
#ifndef HF_LIB_REPO_REFS_H
#define HF_LIB_REPO_REFS_H

#include <stddef.h>

#include "hf/repo.h"

/*
 * Parse a GET /api/{t}/{repo}/refs answer: {"branches": [...], "converts":
 * [...], "tags": [...], "pullRequests": [...]}, each element {"name",
 * "ref", "targetCommit"}. "branches" and "tags" are required arrays;
 * "pullRequests" is read only when include_prs (and may then be absent or
 * null: none); "converts" is ignored. Every name, ref and targetCommit
 * must be a string (targetCommit 40 hex). Returns 0 with *out set (free
 * with hf_refs_free), -1 for an answer of another shape (*why, when not
 * NULL, says what is wrong: a static phrase), -2 out of memory.
 */
int hf__refs_parse(const char *json, size_t len, int include_prs, hf_refs **out, const char **why);

/*
 * Why a repo id cannot be created, moved to or addressed: NULL when it is
 * valid (upload-protocol.md §2.1: "name" or "namespace/name", each part
 * 1-96 of [A-Za-z0-9_.-], no "--" or "..", not starting or ending with '-'
 * or '.', the name not ending in ".git"), else a static phrase for the
 * message ("has a character other than letters, digits, '_', '.' and '-'").
 * need_namespace: "name" alone is refused too (a move needs both parts).
 */
const char *hf__repo_id_problem(const char *repo_id, int need_namespace);

#endif
