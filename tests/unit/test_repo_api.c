/*
 * The checks hf/repo.h makes before any request (src/lib/repo_api.c):
 * options version, repo ids, names, settings, the token rule (every write
 * needs one, the refs listing does not). The client is offline
 * (HF_HUB_OFFLINE=1), so a call that passes its checks ends in HF_EOFFLINE
 * without a connection: that is how "passed the checks" shows here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf/hf.h"

typedef struct env {
	char dir[64];
} env;

static const char *fake_getenv(const char *name, void *payload)
{
	env *e = payload;

	if (strcmp(name, "HF_HOME") == 0)
		return e->dir;
	if (strcmp(name, "HF_HUB_OFFLINE") == 0)
		return "1";
	if (strcmp(name, "HF_ENDPOINT") == 0)
		return "http://127.0.0.1:9";
	return NULL;
}

static int setup(void **state)
{
	env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	strcpy(e->dir, "/tmp/hf-unit-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	env *e = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

static hf_client *client(env *e)
{
	hf_client_options o = HF_CLIENT_OPTIONS_INIT;
	hf_client *c = NULL;

	o.getenv_fn = fake_getenv;
	o.getenv_payload = e;
	assert_int_equal(hf_client_new(&c, &o), HF_OK);
	return c;
}

static const char *message(hf_client *c)
{
	return hf_client_error(c)->message;
}

static void test_options_init(void **state)
{
	hf_repo_options o;

	(void)state;
	memset(&o, 0xff, sizeof(o));
	assert_int_equal(hf_repo_options_init(&o, HF_REPO_OPTIONS_VERSION), HF_OK);
	assert_int_equal(o.version, HF_REPO_OPTIONS_VERSION);
	assert_int_equal(o.repo_type, HF_REPO_MODEL);
	assert_int_equal(o.visibility, HF_VISIBILITY_UNSET);
	assert_null(o.token);
	assert_null(o.revision);
	assert_int_equal(hf_repo_options_init(NULL, HF_REPO_OPTIONS_VERSION), HF_EINVAL);
	assert_int_equal(hf_repo_options_init(&o, HF_REPO_OPTIONS_VERSION + 1), HF_EINVAL);
}

static void test_token_rule(void **state)
{
	hf_client *c = client(*state);
	hf_refs *refs = (hf_refs *)1;
	char *url = (char *)1;

	/* no token anywhere: refused before any request (not HF_EOFFLINE) */
	assert_int_equal(hf_repo_create(&url, c, "alice/x", NULL), HF_ENOTOKEN);
	assert_null(url);
	assert_int_equal(hf_client_error(c)->remedy, HF_REMEDY_LOGIN);
	assert_string_equal(message(c), "not logged in: managing repositories needs a token");
	assert_int_equal(hf_repo_delete(c, "alice/x", NULL), HF_ENOTOKEN);
	assert_int_equal(hf_repo_move(c, "alice/x", "alice/y", NULL), HF_ENOTOKEN);
	assert_int_equal(hf_branch_create(c, "alice/x", "dev", NULL), HF_ENOTOKEN);
	assert_int_equal(hf_branch_delete(c, "alice/x", "dev", NULL), HF_ENOTOKEN);
	assert_int_equal(hf_tag_create(c, "alice/x", "v1", NULL), HF_ENOTOKEN);
	assert_int_equal(hf_tag_delete(c, "alice/x", "v1", NULL), HF_ENOTOKEN);
	/* listing refs needs none: it goes on to the request */
	assert_int_equal(hf_refs_list(&refs, c, "alice/x", 1, NULL), HF_EOFFLINE);
	assert_null(refs);
	hf_client_free(c);
}

static void test_checks_before_requests(void **state)
{
	hf_client *c = client(*state);
	hf_repo_options o = HF_REPO_OPTIONS_INIT;
	char *url = NULL;

	o.token = "hf_unitTestToken0000000000000000000000";
	assert_int_equal(hf_repo_create(&url, NULL, "alice/x", &o), HF_EINVAL);
	assert_int_equal(hf_repo_create(&url, c, "alice/x", &o), HF_EOFFLINE);
	assert_int_equal(hf_repo_create(&url, c, "alice/a--b", &o), HF_EINVAL);
	assert_string_equal(message(c), "invalid repo id 'alice/a--b': it contains '--' or '..'");
	assert_int_equal(hf_repo_create(&url, c, NULL, &o), HF_EINVAL);
	assert_int_equal(hf_repo_move(c, "alice/x", "y", &o), HF_EINVAL);
	assert_string_equal(message(c),
			    "invalid target repo id 'y': it has no namespace (it must be 'namespace/name')");
	assert_int_equal(hf_repo_move(c, "alice/x", "acme/y", &o), HF_EOFFLINE);
	assert_int_equal(hf_branch_create(c, "alice/x", "a b", &o), HF_EINVAL);
	assert_string_equal(message(c), "invalid branch name 'a b'");
	assert_int_equal(hf_branch_create(c, "alice/x", NULL, &o), HF_EINVAL);
	assert_int_equal(hf_tag_delete(c, "alice/x", "../x", &o), HF_EINVAL);
	o.revision = "bad rev";
	assert_int_equal(hf_tag_create(c, "alice/x", "v1", &o), HF_EINVAL);
	assert_string_equal(message(c), "invalid revision name 'bad rev'");
	o.revision = NULL;
	/* settings: something to set, and a known gating */
	assert_int_equal(hf_repo_update_settings(c, "alice/x", &o), HF_EINVAL);
	assert_string_equal(message(c), "no setting to update");
	o.gated = "sometimes";
	assert_int_equal(hf_repo_update_settings(c, "alice/x", &o), HF_EINVAL);
	assert_string_equal(message(c), "invalid gated setting 'sometimes'");
	o.gated = "false";
	assert_int_equal(hf_repo_update_settings(c, "alice/x", &o), HF_EOFFLINE);
	o.gated = NULL;
	o.visibility = HF_VISIBILITY_PRIVATE;
	assert_int_equal(hf_repo_update_settings(c, "alice/x", &o), HF_EOFFLINE);
	/* options: version and repo type */
	o.repo_type = (hf_repo_type)7;
	assert_int_equal(hf_repo_delete(c, "alice/x", &o), HF_EINVAL);
	assert_string_equal(message(c), "unknown repository type 7");
	o.repo_type = HF_REPO_MODEL;
	o.version = 99;
	assert_int_equal(hf_repo_delete(c, "alice/x", &o), HF_EINVAL);
	assert_string_equal(message(c), "unknown hf_repo_options version 99");
	assert_int_equal(hf_refs_list(NULL, c, "alice/x", 0, NULL), HF_EINVAL);
	assert_null(url);
	hf_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_init),
		cmocka_unit_test_setup_teardown(test_token_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checks_before_requests, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
