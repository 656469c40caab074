/* The refs answer parser and the repo id checks (repo_refs.h). */
#include "repo_refs.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hf/errors.h"
#include "util.h"
#include "validate.h"

static void refs_array_free(hf_ref *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(a[i].name);
		free(a[i].ref);
		free(a[i].commit);
	}
	free(a);
}

void hf_refs_free(hf_refs *r)
{
	if (!r)
		return;
	refs_array_free(r->branches, r->n_branches);
	refs_array_free(r->tags, r->n_tags);
	refs_array_free(r->pull_requests, r->n_pull_requests);
	free(r);
}

static int is_hex40(const char *s)
{
	size_t i;

	for (i = 0; i < 40; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return s[40] == '\0';
}

/* One array of the answer into *out / *n: 0, -1 (shape) or -2 (memory). */
static int parse_list(json_t *arr, hf_ref **out, size_t *n, const char **why)
{
	size_t i, count;
	hf_ref *a;

	*out = NULL;
	*n = 0;
	if (!json_is_array(arr)) {
		*why = "a list of refs is not an array";
		return -1;
	}
	count = json_array_size(arr);
	if (!count)
		return 0;
	a = calloc(count, sizeof(*a));
	if (!a)
		return -2;
	for (i = 0; i < count; i++) {
		json_t *e = json_array_get(arr, i);
		json_t *name = json_object_get(e, "name"), *ref = json_object_get(e, "ref"),
		       *commit = json_object_get(e, "targetCommit");

		if (!json_is_object(e) || !json_is_string(name) || !json_is_string(ref) ||
		    !json_is_string(commit)) {
			*why = "a ref lacks its name, ref or targetCommit string";
			refs_array_free(a, i);
			return -1;
		}
		if (!is_hex40(json_string_value(commit))) {
			*why = "a ref's targetCommit is not a 40-hex commit id";
			refs_array_free(a, i);
			return -1;
		}
		a[i].name = hf__one_line(hf__strdup(json_string_value(name)));
		a[i].ref = hf__one_line(hf__strdup(json_string_value(ref)));
		a[i].commit = hf__strdup(json_string_value(commit));
		if (!a[i].name || !a[i].ref || !a[i].commit) {
			refs_array_free(a, i + 1);
			return -2;
		}
	}
	*out = a;
	*n = count;
	return 0;
}

int hf__refs_parse(const char *json, size_t len, int include_prs, hf_refs **out, const char **why)
{
	const char *dummy;
	json_t *root;
	hf_refs *r;
	json_t *prs;
	int rc;

	if (!why)
		why = &dummy;
	*out = NULL;
	*why = NULL;
	root = json_loadb(json ? json : "", json ? len : 0, 0, NULL);
	if (!json_is_object(root)) {
		*why = "not a JSON object";
		json_decref(root);
		return -1;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		json_decref(root);
		return -2;
	}
	rc = parse_list(json_object_get(root, "branches"), &r->branches, &r->n_branches, why);
	if (!rc)
		rc = parse_list(json_object_get(root, "tags"), &r->tags, &r->n_tags, why);
	prs = json_object_get(root, "pullRequests");
	if (!rc && include_prs && prs && !json_is_null(prs))
		rc = parse_list(prs, &r->pull_requests, &r->n_pull_requests, why);
	json_decref(root);
	if (rc) {
		hf_refs_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static const char *part_problem(const char *s, size_t n, int is_name)
{
	size_t i;

	if (n == 0)
		return "has an empty part";
	if (n > 96)
		return "has a part longer than 96 characters";
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-'))
			return "has a character other than letters, digits, '_', '.' and '-'";
	}
	if (s[0] == '-' || s[0] == '.' || s[n - 1] == '-' || s[n - 1] == '.')
		return "starts or ends with '-' or '.'";
	for (i = 0; i + 1 < n; i++)
		if ((s[i] == '-' && s[i + 1] == '-') || (s[i] == '.' && s[i + 1] == '.'))
			return "contains '--' or '..'";
	if (is_name && n >= 4 && memcmp(s + n - 4, ".git", 4) == 0)
		return "ends with '.git'";
	return NULL;
}

const char *hf__repo_id_problem(const char *id, int need_namespace)
{
	const char *slash;
	const char *why;

	if (!id || !*id)
		return "is empty";
	slash = strchr(id, '/');
	if (!slash)
		return need_namespace ? "has no namespace (it must be 'namespace/name')"
				      : part_problem(id, strlen(id), 1);
	if (strchr(slash + 1, '/'))
		return "has more than one '/' (it must be 'name' or 'namespace/name')";
	why = part_problem(id, (size_t)(slash - id), 0);
	return why ? why : part_problem(slash + 1, strlen(slash + 1), 1);
}
