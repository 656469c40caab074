/* A program outside the tree, built against an installed libhf. */
#include <hf/hf.h>
#include <stdio.h>

int main(void)
{
	hf_client *client = NULL;
	char *path = NULL;
	int rc = hf_client_new(&client, NULL);

	if (rc == HF_OK)
		rc = hf_download_file(&path, client, "acme/tiny", "config.json", NULL);
	if (rc == HF_OK)
		printf("%s\n", path);
	else
		fprintf(stderr, "error: %s\n", client ? hf_client_error(client)->message : hf_strerror(rc));
	hf_free(path);
	hf_client_free(client);
	return rc == HF_OK ? 0 : 1;
}
