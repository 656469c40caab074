/*
 * The commit answer: see commit_answer.h.
 */
#include "upload/commit_answer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util.h"
#include "validate.h"

long hf__pr_number_from_url(const char *url)
{
	static const char key[] = "/discussions/";
	const char *p, *last = NULL;
	long n = 0;
	size_t digits;

	if (!url)
		return -1;
	/* The last occurrence: what follows it must be digits to the end. */
	for (p = strstr(url, key); p; p = strstr(p + 1, key))
		last = p;
	if (!last)
		return -1;
	p = last + sizeof key - 1;
	digits = strspn(p, "0123456789");
	if (digits == 0 || digits > 9 || p[digits] != '\0')
		return -1;
	for (; *p; p++)
		n = n * 10 + (*p - '0');
	return n;
}

void hf__commit_answer_free(hf__commit_answer *a)
{
	if (!a)
		return;
	free(a->url);
	free(a->pr_url);
	memset(a, 0, sizeof *a);
	a->pr_num = -1;
}

int hf__commit_answer_parse(const char *body, size_t len,
			    hf__commit_answer *a, const char **err)
{
	json_t *root, *ok, *oid, *url, *pr;
	const char *e = NULL;
	size_t i;

	if (!a || !body) {
		if (err)
			*err = "bad arguments";
		return -1;
	}
	memset(a, 0, sizeof *a);
	a->pr_num = -1;
	root = json_loadb(body, len, 0, NULL);
	ok = json_object_get(root, "success");
	oid = json_object_get(root, "commitOid");
	url = json_object_get(root, "commitUrl");
	pr = json_object_get(root, "pullRequestUrl");
	if (!json_is_object(root)) {
		e = "commit answer is not a JSON object";
		goto out;
	}
	if (ok && !json_is_true(ok)) {
		e = "commit answer does not report success";
		goto out;
	}
	if (!json_is_string(oid) || json_string_length(oid) != 40) {
		e = "commit answer has no valid commitOid";
		goto out;
	}
	for (i = 0; i < 40; i++)
		a->oid[i] = (char)tolower((unsigned char)json_string_value(oid)[i]);
	a->oid[40] = '\0';
	if (!hf__is_commit_hash(a->oid)) {
		e = "commit answer has no valid commitOid";
		goto out;
	}
	if (!json_is_string(url)) {
		e = "commit answer has no commitUrl";
		goto out;
	}
	a->url = hf__strdup(json_string_value(url));
	if (!a->url) {
		e = "out of memory";
		goto out;
	}
	if (pr && !json_is_null(pr)) {
		if (!json_is_string(pr) ||
		    (a->pr_num = hf__pr_number_from_url(json_string_value(pr))) < 0) {
			e = "commit answer has an unreadable pullRequestUrl";
			goto out;
		}
		a->pr_url = hf__strdup(json_string_value(pr));
		if (!a->pr_url) {
			e = "out of memory";
			goto out;
		}
	}
out:
	json_decref(root);
	if (e) {
		hf__commit_answer_free(a);
		if (err)
			*err = e;
		return -1;
	}
	return 0;
}
