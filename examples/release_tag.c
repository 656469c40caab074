/*
 * release_tag: tag a release on a branch of its own, the way a release
 * script would, and run again without harm. The repository and the
 * "release" branch are made when missing (exist_ok), the tag is put on the
 * branch's head (exist_ok: a second run is not an error), an old
 * pre-release tag is removed if it is still there (missing_ok), and the
 * refs are listed.
 *
 *     HF_TOKEN=hf_... release_tag <repo_id> <tag> [<old_tag>]
 *
 * The token needs write access to the namespace. It comes from HF_TOKEN
 * or the login (hf auth login), like every libhf call.
 *
 *     repo: https://huggingface.co/alice/my-model
 *     branch: release
 *     tag: v1.0 on release
 *     removed: v1.0-rc1 (or: already gone)
 *     branch main 0123...
 *     branch release 0123...
 *     tag v1.0 0123...
 *
 * Exit status: 0 on success, else 1 (the error, its hint and its code
 * name are printed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hf/hf.h>

static int fail(hf_client *client, const char *what, int rc)
{
	const hf_error *e = hf_client_error(client);

	printf("error: %s: %s (%s)\n", what, e->code == rc ? e->message : hf_strerror(rc),
	       hf_error_name(rc));
	if (e->code == rc && e->hint)
		printf("hint: %s\n", e->hint);
	return 1;
}

int main(int argc, char **argv)
{
	hf_client *client = NULL;
	hf_repo_options opts = HF_REPO_OPTIONS_INIT;
	hf_refs *refs = NULL;
	char *url = NULL;
	size_t i;
	int rc, status = 1;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: release_tag <repo_id> <tag> [<old_tag>]\n");
		return 2;
	}
	rc = hf_client_new(&client, NULL);
	if (rc) {
		fprintf(stderr, "error: %s\n", hf_strerror(rc));
		return 1;
	}
	opts.exist_ok = 1; /* a second run finds everything in place: not an error */
	rc = hf_repo_create(&url, client, argv[1], &opts);
	if (rc) {
		status = fail(client, "create the repository", rc);
		goto done;
	}
	printf("repo: %s\n", url);
	rc = hf_branch_create(client, argv[1], "release", &opts);
	if (rc) {
		status = fail(client, "create the release branch", rc);
		goto done;
	}
	printf("branch: release\n");
	opts.revision = "release";
	opts.message = "Release made by the release_tag example";
	rc = hf_tag_create(client, argv[1], argv[2], &opts);
	if (rc) {
		status = fail(client, "tag the release", rc);
		goto done;
	}
	printf("tag: %s on release\n", argv[2]);
	if (argc == 4) {
		hf_repo_options del = HF_REPO_OPTIONS_INIT;
		hf_refs *before = NULL;
		int present = 0;

		/* Only to say which happened: missing_ok alone would make both success. */
		if (hf_refs_list(&before, client, argv[1], 0, NULL) == HF_OK)
			for (i = 0; i < before->n_tags; i++)
				present |= strcmp(before->tags[i].name, argv[3]) == 0;
		hf_refs_free(before);
		del.missing_ok = 1;
		rc = hf_tag_delete(client, argv[1], argv[3], &del);
		if (rc) {
			status = fail(client, "remove the old tag", rc);
			goto done;
		}
		printf("removed: %s%s\n", argv[3], present ? "" : " (already gone)");
	}
	rc = hf_refs_list(&refs, client, argv[1], 1, NULL);
	if (rc) {
		status = fail(client, "list the refs", rc);
		goto done;
	}
	for (i = 0; i < refs->n_branches; i++)
		printf("branch %s %s\n", refs->branches[i].name, refs->branches[i].commit);
	for (i = 0; i < refs->n_tags; i++)
		printf("tag %s %s\n", refs->tags[i].name, refs->tags[i].commit);
	for (i = 0; i < refs->n_pull_requests; i++)
		printf("pr %s %s\n", refs->pull_requests[i].name, refs->pull_requests[i].commit);
	status = 0;
done:
	hf_refs_free(refs);
	hf_free(url);
	hf_client_free(client);
	return status;
}
