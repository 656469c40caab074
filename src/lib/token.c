/* Token resolution, in the official order of sources, and masking (docs/internals/tokens.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"
#include "fsutil.h"
#include "token_int.h"
#include "parse.h"
#include "util.h"

#define HF__TOKEN_FILE_MAX (64 * 1024)

const char *hf_token_source_name(hf_token_source source)
{
	switch (source) {
	case HF_TOKEN_SOURCE_EXPLICIT:
		return "explicit";
	case HF_TOKEN_SOURCE_HF_TOKEN:
		return "HF_TOKEN";
	case HF_TOKEN_SOURCE_HUGGING_FACE_HUB_TOKEN:
		return "HUGGING_FACE_HUB_TOKEN";
	case HF_TOKEN_SOURCE_HUGGINGFACE_TOKEN:
		return "HUGGINGFACE_TOKEN";
	case HF_TOKEN_SOURCE_FILE:
		return "token file";
	case HF_TOKEN_SOURCE_NONE:
	default:
		return "none";
	}
}

char *hf_token_mask(const char *token)
{
	size_t n;
	char *out;

	if (!token)
		return NULL;
	n = strlen(token);
	if (n < 8)
		return hf__strdup("****");
	out = malloc(3 + 4 + 4 + 1);
	if (!out)
		return NULL;
	memcpy(out, token, 3);
	memcpy(out + 3, "****", 4);
	memcpy(out + 7, token + n - 4, 4);
	out[11] = '\0';
	return out;
}

/* Read and clean the token file. *out NULL when absent or empty. */
int hf__token_read_file(hf_client *c, char **out)
{
	char *raw = NULL;
	size_t len = 0;
	int rc, oom = 0;

	*out = NULL;
	rc = hf__read_file(c->token_path, HF__TOKEN_FILE_MAX, &raw, &len);
	if (rc == -ENOENT || rc == -ENOTDIR)
		return HF_OK;
	if (rc) {
		hf__error_errno(c, -rc);
		return hf__error_set(c, HF_EIO, "fix the file's permissions, or set HF_TOKEN_PATH",
				     "cannot read token file '%s': %s", c->token_path, strerror(-rc));
	}
	/* A NUL would silently cut the token short: refuse the file instead. */
	if (memchr(raw, '\0', len)) {
		hf_free_secret(raw);
		hf__error_set(c, HF_EINVAL, "log in again, with a new token",
			      "token file '%s' holds a NUL byte: it is not a token", c->token_path);
		hf__error_remedy(c, HF_REMEDY_NEW_TOKEN);
		return HF_EINVAL;
	}
	*out = hf__token_clean(raw, &oom);
	hf_free_secret(raw);
	return oom ? hf__error_set(c, HF_ENOMEM, NULL, "out of memory") : HF_OK;
}

/* Read the token file into a candidate; errors are kept, not returned. */
static int read_file_candidate(hf_client *c, hf_token_candidate *cand)
{
	char *raw = NULL;
	int rc, oom = 0;

	size_t len = 0;

	cand->where = c->token_path;
	rc = hf__read_file(c->token_path, HF__TOKEN_FILE_MAX, &raw, &len);
	if (rc == -ENOENT || rc == -ENOTDIR)
		return HF_OK;
	cand->is_set = 1;
	if (rc) {
		cand->error = -rc;
		return HF_OK;
	}
	if (memchr(raw, '\0', len)) {
		hf_free_secret(raw);
		cand->error = EINVAL; /* not a token: never a shortened one */
		return HF_OK;
	}
	cand->token = hf__token_clean(raw, &oom);
	hf_free_secret(raw);
	return oom ? HF_ENOMEM : HF_OK;
}

int hf_token_candidates(hf_token_candidate **out, size_t *count, hf_client *c,
			const char *explicit_token)
{
	static const struct {
		const char *name;
		hf_token_source source;
	} vars[] = {
		{ "HF_TOKEN", HF_TOKEN_SOURCE_HF_TOKEN },
		{ "HUGGING_FACE_HUB_TOKEN", HF_TOKEN_SOURCE_HUGGING_FACE_HUB_TOKEN },
		{ "HUGGINGFACE_TOKEN", HF_TOKEN_SOURCE_HUGGINGFACE_TOKEN },
	};
	enum { N_VARS = sizeof(vars) / sizeof(vars[0]), N = N_VARS + 2 };
	hf_token_candidate *list;
	int oom = 0, env_decided = 0;
	size_t i, active = N;

	if (!c || !out || !count)
		return HF_EINVAL;
	*out = NULL;
	*count = 0;
	list = calloc(N, sizeof(*list));
	if (!list)
		return hf__error_set(c, HF_ENOMEM, NULL, "out of memory");

	list[0].source = HF_TOKEN_SOURCE_EXPLICIT;
	list[0].where = "explicit";
	if (explicit_token && *explicit_token) {
		list[0].is_set = 1;
		list[0].token = hf__token_clean(explicit_token, &oom);
	} else if (c->explicit_token) {
		list[0].is_set = 1;
		list[0].token = hf__strdup(c->explicit_token);
		oom = !list[0].token;
	}
	if (list[0].token)
		active = 0;
	for (i = 0; i < N_VARS && !oom; i++) {
		const char *v = hf__env_nonempty(&c->env, vars[i].name);
		hf_token_candidate *cand = &list[i + 1];

		cand->source = vars[i].source;
		cand->where = vars[i].name;
		if (!v)
			continue;
		cand->is_set = 1;
		cand->token = hf__token_clean(v, &oom);
		/*
		 * The first variable that is set wins, then it is cleaned: a
		 * blank HF_TOKEN skips the other variables and falls through to
		 * the file, as the official client does.
		 */
		if (!env_decided) {
			env_decided = 1;
			if (active == N && cand->token)
				active = i + 1;
		}
	}
	list[N - 1].source = HF_TOKEN_SOURCE_FILE;
	if (!oom && read_file_candidate(c, &list[N - 1]) == HF_ENOMEM)
		oom = 1;
	if (oom) {
		hf_token_candidates_free(list, N);
		return hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	}
	if (active == N && list[N - 1].token)
		active = N - 1;
	if (active < N)
		list[active].active = 1;
	*out = list;
	*count = N;
	return HF_OK;
}

void hf_token_candidates_free(hf_token_candidate *list, size_t count)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < count; i++)
		hf_free_secret(list[i].token);
	free(list);
}

int hf_token_resolve(char **token_out, hf_token_source *source_out, hf_client *c,
		     const char *explicit_token)
{
	hf_token_candidate *list = NULL, *winner = NULL, *file;
	size_t i, n = 0;
	int rc;

	if (!c || !token_out)
		return HF_EINVAL;
	hf__error_clear(c);
	*token_out = NULL;
	if (source_out)
		*source_out = HF_TOKEN_SOURCE_NONE;
	rc = hf_token_candidates(&list, &n, c, explicit_token);
	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		if (list[i].active)
			winner = &list[i];
	file = &list[n - 1];
	if (!winner && file->error == EINVAL) {
		rc = hf__error_set(c, HF_EINVAL, "log in again, with a new token",
				   "token file '%s' holds a NUL byte: it is not a token", file->where);
		hf__error_remedy(c, HF_REMEDY_NEW_TOKEN);
	} else if (!winner && file->error) {
		hf__error_errno(c, file->error);
		rc = hf__error_set(c, HF_EIO, "fix the file's permissions, or set HF_TOKEN_PATH",
				   "cannot read token file '%s': %s", file->where, strerror(file->error));
	} else if (winner && !hf__token_is_safe(winner->token)) {
		rc = hf__error_set(c, HF_EINVAL, "copy the token again from the Hub's settings page",
				   "the token from %s holds control characters",
				   hf_token_source_name(winner->source));
	} else if (winner) {
		*token_out = winner->token;
		winner->token = NULL;
		if (source_out)
			*source_out = winner->source;
	}
	hf_token_candidates_free(list, n);
	return rc;
}
