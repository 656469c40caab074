/*
 * The answer to POST /api/{t}/{repo}/commit/{rev}
 * (shared/docs/upload-protocol.md §7): {"success": true, "commitOid",
 * "commitUrl", "hookOutput", "pullRequestUrl"?}. Pure, no network; covered
 * by tests/unit/test_upload_commit_answer.c.
 */
#ifndef HF_UPLOAD_COMMIT_ANSWER_H
#define HF_UPLOAD_COMMIT_ANSWER_H

#include <stddef.h>

typedef struct hf__commit_answer {
	char oid[41];      /* the new commit, 40 lower-case hex */
	char *url;         /* commitUrl, as given (the CLI prints it) */
	char *pr_url;      /* pullRequestUrl, NULL without create_pr */
	long pr_num;       /* N of ".../discussions/N", -1 without a PR */
} hf__commit_answer;

/*
 * Parse the 200 answer. The root must be an object; "success", when
 * present, must be true (the official client does not look at it; a
 * false one is no success of ours either); "commitOid" a string of 40
 * hex (lower-cased); "commitUrl" a string; "pullRequestUrl" absent, null
 * or a string ending in "/discussions/<digits>" (the revision of the PR
 * is then "refs/pr/<N>"). Other keys (hookOutput) are ignored.
 * 0 on success (release with hf__commit_answer_free); -1 with *err (when
 * not NULL) a static phrase, and a left empty.
 */
int hf__commit_answer_parse(const char *body, size_t len,
			    hf__commit_answer *a, const char **err);

void hf__commit_answer_free(hf__commit_answer *a);

/* N from a URL ending in "/discussions/N" (1-9 digits, nothing after), or
 * -1. The official client reads it with the pattern .*\/discussions/(\d+)$ */
long hf__pr_number_from_url(const char *url);

#endif
