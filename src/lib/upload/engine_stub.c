/*
 * Placeholder until the engine branch lands hf_commit() and friends
 * (include/hf/upload.h); removed by the merge of that branch.
 */
#include "hf/upload.h"

#include "client_int.h"

int hf_upload_options_init(hf_upload_options *opts, unsigned int version)
{
	hf_upload_options d = HF_UPLOAD_OPTIONS_INIT;

	if (!opts || version != HF_UPLOAD_OPTIONS_VERSION)
		return HF_EINVAL;
	*opts = d;
	return HF_OK;
}

void hf_commit_info_free(hf_commit_info *info)
{
	(void)info;
}

int hf_commit(hf_commit_info **info_out, hf_client *client, const char *repo_id,
	      const hf_commit_op *ops, size_t n_ops, const hf_upload_options *opts)
{
	(void)repo_id, (void)ops, (void)n_ops, (void)opts;
	if (info_out)
		*info_out = NULL;
	return hf__error_set(client, HF_ERROR, NULL, "not implemented yet");
}

int hf_upload_file(hf_commit_info **info_out, hf_client *client, const char *repo_id,
		   const char *local_path, const char *path_in_repo, const hf_upload_options *opts)
{
	(void)local_path, (void)path_in_repo;
	return hf_commit(info_out, client, repo_id, NULL, 0, opts);
}

int hf_upload_folder(hf_commit_info **info_out, hf_client *client, const char *repo_id,
		     const char *folder, const char *path_in_repo, const hf_upload_options *opts)
{
	(void)folder, (void)path_in_repo;
	return hf_commit(info_out, client, repo_id, NULL, 0, opts);
}
