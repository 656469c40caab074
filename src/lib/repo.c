#include "repo.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "util.h"
#include "validate.h"

const char *hf_repo_type_name(hf_repo_type type)
{
	switch (type) {
	case HF_REPO_MODEL:
		return "model";
	case HF_REPO_DATASET:
		return "dataset";
	case HF_REPO_SPACE:
		return "space";
	default:
		return NULL;
	}
}

int hf_repo_type_parse(hf_repo_type *out, const char *name)
{
	static const char *const names[][2] = { { "model", "models" }, { "dataset", "datasets" },
						{ "space", "spaces" } };
	int i;

	for (i = 0; name && out && i < 3; i++) {
		if (strcasecmp(name, names[i][0]) == 0 || strcasecmp(name, names[i][1]) == 0) {
			*out = (hf_repo_type)i;
			return HF_OK;
		}
	}
	return HF_EINVAL;
}

const char *hf__repo_type_plural(hf_repo_type type)
{
	switch (type) {
	case HF_REPO_DATASET:
		return "datasets";
	case HF_REPO_SPACE:
		return "spaces";
	case HF_REPO_MODEL:
	default:
		return "models";
	}
}

char *hf__repo_folder(hf_repo_type type, const char *repo_id)
{
	hf__buf b = HF__BUF_INIT;
	const char *p;

	if (hf__buf_printf(&b, "%s--", hf__repo_type_plural(type)) < 0)
		return NULL;
	for (p = repo_id; *p; p++) {
		if (*p == '/' ? hf__buf_puts(&b, "--") < 0 : hf__buf_append(&b, p, 1) < 0) {
			hf__buf_dispose(&b);
			return NULL;
		}
	}
	return hf__buf_detach(&b);
}

char *hf__quote(const char *s, const char *safe)
{
	size_t cap = strlen(s) * 3 + 1;
	char *out = malloc(cap);

	if (out && hf__url_quote(s, safe, out, cap) == (size_t)-1) {
		free(out);
		out = NULL;
	}
	return out;
}

char *hf__resolve_url(const hf_client *c, hf_repo_type type, const char *repo_id,
		      const char *revision, const char *filename)
{
	char *rev = hf__quote(revision, "");
	char *file = hf__quote(filename, "/");
	const char *prefix = type == HF_REPO_DATASET ? "datasets/" : type == HF_REPO_SPACE ? "spaces/" : "";
	hf__buf b = HF__BUF_INIT;
	char *url = NULL;

	if (rev && file &&
	    hf__buf_printf(&b, "%s/%s%s/resolve/%s/%s", c->endpoint, prefix, repo_id, rev, file) == 0)
		url = hf__buf_detach(&b);
	hf__buf_dispose(&b);
	free(rev);
	free(file);
	return url;
}

char *hf__api_url(const hf_client *c, hf_repo_type type, const char *repo_id, const char *suffix)
{
	hf__buf b = HF__BUF_INIT;

	if (hf__buf_printf(&b, "%s/api/%s/%s%s", c->endpoint, hf__repo_type_plural(type), repo_id,
			   suffix ? suffix : "") < 0) {
		hf__buf_dispose(&b);
		return NULL;
	}
	return hf__buf_detach(&b);
}
