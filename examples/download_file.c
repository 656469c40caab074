/*
 * download_file: download one file of a repository into the cache, with
 * the token the environment provides (the guide's "automatic token").
 *
 *     download_file <repo_id> <filename> [<revision>]
 *     download_file gpt2 config.json
 *
 * No token is passed in: the library finds one the way `hf` does
 * ($HF_TOKEN, then the token file `hf auth login` wrote), and sends none
 * when there is none, which is fine for a public repository. The file
 * lands in the cache shared with the Python client, verified against its
 * hash, and the program prints its path there:
 *
 *     token: hf_****wxyz (token file)
 *     path: /home/me/.cache/huggingface/hub/models--gpt2/snapshots/<commit>/config.json
 *
 * Exit status: 0, or the `hf` command's exit code for the error
 * (docs/EXIT-CODES.md), e.g. 4 for a gated repository.
 */
#include <stdio.h>

#include <hf/hf.h>

/* The client keeps the details of the last failure: message and hint. */
static void print_error(hf_client *client, int rc)
{
	const hf_error *e = hf_client_error(client);

	fprintf(stderr, "download_file: %s (%s)\n",
		e->code == rc ? e->message : hf_strerror(rc), hf_error_name(rc));
	if (e->code == rc && e->hint)
		fprintf(stderr, "hint: %s\n", e->hint);
}

int main(int argc, char **argv)
{
	hf_download_options opts = HF_DOWNLOAD_OPTIONS_INIT;
	hf_token_source source = HF_TOKEN_SOURCE_NONE;
	hf_client *client = NULL;
	char errbuf[256] = "";
	char *token = NULL, *masked, *path = NULL;
	int rc;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: download_file <repo_id> <filename> [<revision>]\n");
		return 2;
	}

	/* A client reads the environment (HF_ENDPOINT, HF_HOME, HF_TOKEN...)
	 * once, here. NULL options: everything from the environment. */
	rc = hf_client_new_err(&client, NULL, errbuf, sizeof(errbuf));
	if (rc != HF_OK) {
		fprintf(stderr, "download_file: %s\n", errbuf[0] ? errbuf : hf_strerror(rc));
		return hf_exit_code(rc);
	}

	/* Not needed to download: say which token will be sent, masked.
	 * A token is a secret: hf_free_secret() wipes it before freeing. */
	rc = hf_token_resolve(&token, &source, client, NULL);
	if (rc != HF_OK) {
		print_error(client, rc);
		hf_client_free(client);
		return hf_exit_code(rc);
	}
	masked = hf_token_mask(token);
	printf("token: %s (%s)\n", masked ? masked : "none", hf_token_source_name(source));
	hf_free(masked);
	hf_free_secret(token);

	/* The download itself. A cached, complete file costs one small
	 * request; the path is the snapshot's link to the verified blob. */
	if (argc == 4)
		opts.revision = argv[3];
	rc = hf_download_file(&path, client, argv[1], argv[2], &opts);
	if (rc == HF_OK)
		printf("path: %s\n", path);
	else
		print_error(client, rc);

	hf_free(path);
	hf_client_free(client);
	return hf_exit_code(rc);
}
