/*
 * commit_ops: make one commit of several operations with hf_commit(), or
 * upload one file with hf_upload_file().
 *
 *     commit_ops <repo_id> [--message M] [--revision R] [--parent SHA] [--create-pr] OP...
 *     commit_ops <repo_id> --file LOCAL [PATH_IN_REPO]
 *
 * OP is one of:
 *     add:PATH=LOCAL      add the local file LOCAL as PATH
 *     put:PATH=TEXT       add TEXT (from memory) as PATH
 *     del:PATH            delete the file PATH
 *     deldir:PATH         delete the folder PATH
 *     copy:PATH=SRC       copy the repository's file SRC to PATH
 *
 * Prints "url: ...", "commit: ...", "no_op: ..." and the counts, as
 * upload_folder does; on failure "Error: ..." and "Hint: ..." on stderr,
 * and exits with hf_exit_code().
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hf/hf.h>

#define MAX_OPS 32

/* "PATH=VALUE": split in place. */
static const char *split(char *s)
{
	char *eq = strchr(s, '=');

	if (!eq)
		return NULL;
	*eq = '\0';
	return eq + 1;
}

int main(int argc, char **argv)
{
	hf_upload_options opts = HF_UPLOAD_OPTIONS_INIT;
	hf_commit_op ops[MAX_OPS];
	size_t n = 0;
	hf_commit_info *info = NULL;
	hf_client *client = NULL;
	const char *file = NULL, *file_path = NULL;
	int i, rc;

	memset(ops, 0, sizeof(ops));
	if (argc < 3) {
		fprintf(stderr, "usage: commit_ops <repo_id> [options] OP...\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		hf_commit_op *op = &ops[n];

		if (v && !strcmp(a, "--message")) {
			opts.commit_message = argv[++i];
		} else if (v && !strcmp(a, "--revision")) {
			opts.revision = argv[++i];
		} else if (v && !strcmp(a, "--parent")) {
			opts.parent_commit = argv[++i];
		} else if (!strcmp(a, "--create-pr")) {
			opts.create_pr = 1;
		} else if (v && !strcmp(a, "--file")) {
			file = argv[++i];
			if (i + 1 < argc)
				file_path = argv[++i];
		} else if (n < MAX_OPS && !strncmp(a, "add:", 4) && (op->local_path = split(a + 4))) {
			op->kind = HF_COMMIT_ADD_FILE;
			op->path_in_repo = a + 4;
			n++;
		} else if (n < MAX_OPS && !strncmp(a, "put:", 4) && (op->data = split(a + 4))) {
			op->kind = HF_COMMIT_ADD_BUFFER;
			op->path_in_repo = a + 4;
			op->len = strlen(op->data);
			n++;
		} else if (n < MAX_OPS && !strncmp(a, "del:", 4)) {
			op->kind = HF_COMMIT_DELETE_FILE;
			op->path_in_repo = a + 4;
			n++;
		} else if (n < MAX_OPS && !strncmp(a, "deldir:", 7)) {
			op->kind = HF_COMMIT_DELETE_FOLDER;
			op->path_in_repo = a + 7;
			n++;
		} else if (n < MAX_OPS && !strncmp(a, "copy:", 5) && (op->src_path = split(a + 5))) {
			op->kind = HF_COMMIT_COPY_FILE;
			op->path_in_repo = a + 5;
			n++;
		} else {
			fprintf(stderr, "commit_ops: bad argument '%s'\n", a);
			return 2;
		}
	}
	rc = hf_client_new(&client, NULL);
	if (rc != HF_OK) {
		fprintf(stderr, "Error: %s\n", hf_strerror(rc));
		return hf_exit_code(rc);
	}
	if (file)
		rc = hf_upload_file(&info, client, argv[1], file, file_path, &opts);
	else
		rc = hf_commit(&info, client, argv[1], ops, n, &opts);
	if (rc == HF_OK) {
		printf("url: %s\n", info->commit_url);
		printf("commit: %s\n", info->commit_oid);
		printf("no_op: %d\n", info->no_op);
		printf("added: %zu deleted: %zu lfs_sent: %zu lfs_skipped: %zu bytes_sent: %" PRIu64 "\n",
		       info->files_added, info->files_deleted, info->lfs_sent, info->lfs_skipped,
		       info->bytes_sent);
		if (info->pr_url)
			printf("pr: %s %s\n", info->pr_revision, info->pr_url);
	} else {
		const hf_error *e = hf_client_error(client);

		fprintf(stderr, "Error: %s (%s)\n", e->message ? e->message : hf_strerror(rc),
			hf_error_name(rc));
		if (e->hint)
			fprintf(stderr, "Hint: %s\n", e->hint);
		printf("remedy: %d\n", (int)e->remedy);
	}
	hf_commit_info_free(info);
	hf_client_free(client);
	return hf_exit_code(rc);
}
