/*
 * upload_folder: upload a local folder to a repository in one commit, as
 * `hf upload REPO FOLDER` does, and print what the commit did.
 *
 *     upload_folder <repo_id> <folder> [<path_in_repo>] [--type model|dataset|space]
 *                   [--revision R] [--create-pr] [--message M] [--delete PATTERN]
 *                   [--include PATTERN] [--exclude PATTERN] [--no-hash-cache]
 *                   [--cancel-when sending|committing]
 *
 * The repository must exist (create it first with hf_repo_create(), or
 * `hf repos create`). A token with write access comes from HF_TOKEN or
 * the saved login. Prints, on success:
 *
 *     url: <commit URL>
 *     commit: <40 hex>
 *     no_op: 0|1
 *     added: N  deleted: N  lfs_sent: N  lfs_skipped: N  bytes_sent: N
 *     bytes_to_hash: N     (what had to be read: 0 when every hash was cached)
 *
 * The progress callback runs on the library's threads, one call at a time.
 * For tests, the environment variable UPLOAD_EXAMPLE_GROW=<file> makes it
 * append a line to <file> once, when the upload reaches the sending or the
 * committing phase: the upload must then fail with HF_ECHANGED; and
 * UPLOAD_EXAMPLE_REPLACE=<file> replaces <file> by a copy of itself (same
 * bytes, another inode) at that moment, which must fail the same way.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hf/hf.h>

struct watch {
	const char *grow;       /* file to append to once, or NULL */
	const char *replace;    /* file to replace by a copy once, or NULL */
	int grown;
	int cancel_phase;       /* -1: never cancel */
	uint64_t bytes_to_hash;
	int phases_seen;
};

static int on_progress(const hf_upload_progress *p, void *payload)
{
	struct watch *w = payload;

	/* The largest value seen: the hashing phase reports it first. */
	if (p->bytes_to_hash > w->bytes_to_hash)
		w->bytes_to_hash = p->bytes_to_hash;
	w->phases_seen |= 1 << p->phase;
	if (w->grow && !w->grown && p->phase >= HF_UPLOAD_SENDING) {
		FILE *f = fopen(w->grow, "a");

		if (f) {
			fputs("grown while uploading\n", f);
			fclose(f);
		}
		w->grown = 1;
	}
	if (w->replace && p->phase >= HF_UPLOAD_SENDING) {
		char tmp[4096], buf[4096];
		FILE *in = fopen(w->replace, "rb"), *out;
		size_t n;

		snprintf(tmp, sizeof(tmp), "%s.copy", w->replace);
		out = fopen(tmp, "wb");
		while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, out);
		if (in)
			fclose(in);
		if (out)
			fclose(out);
		rename(tmp, w->replace);
		w->replace = NULL;
	}
	return w->cancel_phase >= 0 && p->phase == w->cancel_phase;
}

int main(int argc, char **argv)
{
	hf_upload_options opts = HF_UPLOAD_OPTIONS_INIT;
	struct watch w = { NULL, NULL, 0, -1, 0, 0 };
	const char *pos[3] = { NULL, NULL, NULL };
	const char *del[8], *inc[8], *exc[8];
	size_t ndel = 0, ninc = 0, nexc = 0;
	hf_commit_info *info = NULL;
	hf_client *client = NULL;
	int i, npos = 0, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--create-pr")) {
			opts.create_pr = 1;
		} else if (!strcmp(a, "--no-hash-cache")) {
			opts.no_hash_cache = 1;
		} else if (v && !strcmp(a, "--type")) {
			if (hf_repo_type_parse(&opts.repo_type, v) != HF_OK)
				return 2;
			i++;
		} else if (v && !strcmp(a, "--revision")) {
			opts.revision = argv[++i];
		} else if (v && !strcmp(a, "--message")) {
			opts.commit_message = argv[++i];
		} else if (v && !strcmp(a, "--delete") && ndel < 8) {
			del[ndel++] = argv[++i];
		} else if (v && !strcmp(a, "--include") && ninc < 8) {
			inc[ninc++] = argv[++i];
		} else if (v && !strcmp(a, "--exclude") && nexc < 8) {
			exc[nexc++] = argv[++i];
		} else if (v && !strcmp(a, "--cancel-when")) {
			w.cancel_phase = !strcmp(v, "sending") ? HF_UPLOAD_SENDING : HF_UPLOAD_COMMITTING;
			i++;
		} else if (a[0] != '-' && npos < 3) {
			pos[npos++] = a;
		} else {
			npos = -1;
			break;
		}
	}
	if (npos < 2) {
		fprintf(stderr, "usage: upload_folder <repo_id> <folder> [<path_in_repo>] [options]\n");
		return 2;
	}
	opts.delete_patterns = ndel ? del : NULL;
	opts.delete_count = ndel;
	opts.include = ninc ? inc : NULL;
	opts.include_count = ninc;
	opts.exclude = nexc ? exc : NULL;
	opts.exclude_count = nexc;
	w.grow = getenv("UPLOAD_EXAMPLE_GROW");
	w.replace = getenv("UPLOAD_EXAMPLE_REPLACE");
	opts.progress = on_progress;
	opts.progress_payload = &w;

	rc = hf_client_new(&client, NULL);
	if (rc != HF_OK) {
		fprintf(stderr, "Error: %s\n", hf_strerror(rc));
		return hf_exit_code(rc);
	}
	rc = hf_upload_folder(&info, client, pos[0], pos[1], pos[2], &opts);
	printf("bytes_to_hash: %" PRIu64 "\n", w.bytes_to_hash);
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
