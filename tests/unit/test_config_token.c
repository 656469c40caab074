/*
 * Token resolution and configuration through the public API, with the
 * environment supplied by a fake getenv (no network, no real HOME).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hf/hf.h"
#include "config.h"

#define MAX_VARS 16

typedef struct fake_env {
	const char *names[MAX_VARS];
	const char *values[MAX_VARS];
	int count;
	char dir[64];
} fake_env;

static const char *fake_getenv(const char *name, void *payload)
{
	fake_env *e = payload;
	int i;

	for (i = 0; i < e->count; i++)
		if (strcmp(e->names[i], name) == 0)
			return e->values[i];
	return NULL;
}

static void set(fake_env *e, const char *name, const char *value)
{
	e->names[e->count] = name;
	e->values[e->count] = value;
	e->count++;
}

static int setup(void **state)
{
	fake_env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	strcpy(e->dir, "/tmp/hf-unit-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	fake_env *e = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

static hf_client *client_for(fake_env *e, const char *explicit_token)
{
	hf_client_options o = HF_CLIENT_OPTIONS_INIT;
	hf_client *c = NULL;

	o.getenv_fn = fake_getenv;
	o.getenv_payload = e;
	o.token = explicit_token;
	assert_int_equal(hf_client_new(&c, &o), HF_OK);
	return c;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Resolve with the given env and return (source, token) for asserts. */
static hf_token_source resolve(fake_env *e, const char *explicit_token, char **tok)
{
	hf_client *c = client_for(e, NULL);
	hf_token_source src = HF_TOKEN_SOURCE_NONE;

	assert_int_equal(hf_token_resolve(tok, &src, c, explicit_token), HF_OK);
	hf_client_free(c);
	return src;
}

static void test_priority_order(void **state)
{
	fake_env *e = *state;
	char path[128], *tok = NULL;

	snprintf(path, sizeof(path), "%s/token", e->dir);
	write_file(path, "hf_file\n");
	set(e, "HF_TOKEN_PATH", path);
	assert_int_equal(resolve(e, NULL, &tok), HF_TOKEN_SOURCE_FILE);
	assert_string_equal(tok, "hf_file");
	hf_free_secret(tok);

	set(e, "HUGGINGFACE_TOKEN", "hf_deprecated");
	assert_int_equal(resolve(e, NULL, &tok), HF_TOKEN_SOURCE_HUGGINGFACE_TOKEN);
	assert_string_equal(tok, "hf_deprecated");
	hf_free_secret(tok);

	set(e, "HUGGING_FACE_HUB_TOKEN", "hf_legacy");
	assert_int_equal(resolve(e, NULL, &tok), HF_TOKEN_SOURCE_HUGGING_FACE_HUB_TOKEN);
	assert_string_equal(tok, "hf_legacy");
	hf_free_secret(tok);

	set(e, "HF_TOKEN", "hf_env");
	assert_int_equal(resolve(e, NULL, &tok), HF_TOKEN_SOURCE_HF_TOKEN);
	assert_string_equal(tok, "hf_env");
	hf_free_secret(tok);

	assert_int_equal(resolve(e, " hf_explicit\r\n", &tok), HF_TOKEN_SOURCE_EXPLICIT);
	assert_string_equal(tok, "hf_explicit");
	hf_free_secret(tok);
}

static void test_empty_and_blank_variables(void **state)
{
	fake_env *e = *state;
	char path[128], *tok = NULL;

	snprintf(path, sizeof(path), "%s/token", e->dir);
	write_file(path, "hf_file");
	set(e, "HF_TOKEN_PATH", path);
	set(e, "HUGGING_FACE_HUB_TOKEN", "hf_legacy");
	/* An empty HF_TOKEN counts as unset: the next variable wins. */
	set(e, "HF_TOKEN", "");
	assert_int_equal(resolve(e, NULL, &tok), HF_TOKEN_SOURCE_HUGGING_FACE_HUB_TOKEN);
	hf_free_secret(tok);
	/* A blank one is set, then cleaned to nothing: the file wins. */
	e->values[2] = "  \r\n ";
	assert_int_equal(resolve(e, NULL, &tok), HF_TOKEN_SOURCE_FILE);
	assert_string_equal(tok, "hf_file");
	hf_free_secret(tok);
}

static void test_no_token_anywhere(void **state)
{
	fake_env *e = *state;
	char path[128], *tok = (char *)"x";

	snprintf(path, sizeof(path), "%s/missing/token", e->dir);
	set(e, "HF_TOKEN_PATH", path);
	assert_int_equal(resolve(e, NULL, &tok), HF_TOKEN_SOURCE_NONE);
	assert_null(tok);
}

static void test_empty_token_file(void **state)
{
	fake_env *e = *state;
	char path[128], *tok = (char *)"x";

	/* An empty file, and one with only white space, hold no token. */
	snprintf(path, sizeof(path), "%s/token", e->dir);
	write_file(path, "");
	set(e, "HF_TOKEN_PATH", path);
	assert_int_equal(resolve(e, NULL, &tok), HF_TOKEN_SOURCE_NONE);
	assert_null(tok);
	write_file(path, " \r\n");
	assert_int_equal(resolve(e, NULL, &tok), HF_TOKEN_SOURCE_NONE);
	assert_null(tok);
}

static void test_unreadable_file_is_an_error(void **state)
{
	fake_env *e = *state;
	hf_client *c;
	char *tok = NULL;

	/* A directory where the token file should be cannot be read. */
	set(e, "HF_TOKEN_PATH", e->dir);
	c = client_for(e, NULL);
	assert_int_equal(hf_token_resolve(&tok, NULL, c, NULL), HF_EIO);
	assert_non_null(strstr(hf_client_error(c)->message, "cannot read token file"));
	hf_client_free(c);
	/* With HF_TOKEN set the file is not needed. */
	set(e, "HF_TOKEN", "hf_env");
	assert_int_equal(resolve(e, NULL, &tok), HF_TOKEN_SOURCE_HF_TOKEN);
	hf_free_secret(tok);
}

static void test_control_bytes_refused(void **state)
{
	fake_env *e = *state;
	hf_client *c;
	char *tok = NULL;

	set(e, "HF_TOKEN", "hf_abc\001def");
	c = client_for(e, NULL);
	assert_int_equal(hf_token_resolve(&tok, NULL, c, NULL), HF_EINVAL);
	assert_null(tok);
	/* The message names the source, never the token. */
	assert_non_null(strstr(hf_client_error(c)->message, "HF_TOKEN"));
	assert_null(strstr(hf_client_error(c)->message, "hf_abc"));
	hf_client_free(c);
}

static void test_client_option_token_beats_env(void **state)
{
	fake_env *e = *state;
	hf_client *c;
	hf_token_source src;
	char *tok = NULL;

	set(e, "HF_TOKEN", "hf_env");
	c = client_for(e, "hf_client_option");
	assert_int_equal(hf_token_resolve(&tok, &src, c, NULL), HF_OK);
	assert_int_equal(src, HF_TOKEN_SOURCE_EXPLICIT);
	assert_string_equal(tok, "hf_client_option");
	hf_free_secret(tok);
	/* A per-call token beats the client's. */
	assert_int_equal(hf_token_resolve(&tok, &src, c, "hf_call"), HF_OK);
	assert_string_equal(tok, "hf_call");
	hf_free_secret(tok);
	hf_client_free(c);
}

static void test_candidates_mark_active(void **state)
{
	fake_env *e = *state;
	hf_client *c;
	hf_token_candidate *list = NULL;
	size_t n = 0;

	set(e, "HF_TOKEN_PATH", "/nonexistent/hf-unit/token");
	set(e, "HUGGING_FACE_HUB_TOKEN", "hf_legacy");
	set(e, "HF_TOKEN", "hf_env");
	c = client_for(e, NULL);
	assert_int_equal(hf_token_candidates(&list, &n, c, NULL), HF_OK);
	assert_int_equal(n, 5);
	assert_int_equal(list[0].source, HF_TOKEN_SOURCE_EXPLICIT);
	assert_false(list[0].is_set);
	assert_true(list[1].active);
	assert_string_equal(list[1].token, "hf_env");
	assert_true(list[2].is_set);
	assert_false(list[2].active);
	assert_false(list[4].is_set);
	hf_token_candidates_free(list, n);
	hf_client_free(c);
}

static void test_mask(void **state)
{
	char *m;

	(void)state;
	m = hf_token_mask("hf_AbCdEfGhIjKlMnOpQrStUvWxYz1234567890");
	assert_string_equal(m, "hf_****7890");
	hf_free(m);
	m = hf_token_mask("short");
	assert_string_equal(m, "****");
	hf_free(m);
	assert_null(hf_token_mask(NULL));
}

static void test_paths_follow_hf_home(void **state)
{
	fake_env *e = *state;
	const hf_config *cfg;
	hf_client *c;

	set(e, "HOME", "/home/u");
	c = client_for(e, NULL);
	cfg = hf_client_config(c);
	assert_string_equal(cfg->hf_home, "/home/u/.cache/huggingface");
	assert_string_equal(cfg->hub_cache, "/home/u/.cache/huggingface/hub");
	assert_string_equal(cfg->token_path, "/home/u/.cache/huggingface/token");
	assert_string_equal(cfg->stored_tokens_path, "/home/u/.cache/huggingface/stored_tokens");
	assert_string_equal(cfg->endpoint, "https://huggingface.co");
	assert_string_equal(cfg->hf_home_source, "default");
	hf_client_free(c);

	set(e, "XDG_CACHE_HOME", "/xdg");
	c = client_for(e, NULL);
	assert_string_equal(hf_client_config(c)->hf_home, "/xdg/huggingface");
	assert_string_equal(hf_client_config(c)->hf_home_source, "XDG_CACHE_HOME");
	hf_client_free(c);

	set(e, "HF_HOME", "~/hf");
	set(e, "HUGGINGFACE_HUB_CACHE", "/legacy-cache");
	c = client_for(e, NULL);
	cfg = hf_client_config(c);
	assert_string_equal(cfg->hf_home, "/home/u/hf");
	assert_string_equal(cfg->token_path, "/home/u/hf/token");
	assert_string_equal(cfg->hub_cache, "/legacy-cache");
	assert_string_equal(cfg->hub_cache_source, "HUGGINGFACE_HUB_CACHE");
	hf_client_free(c);

	/* The new name wins over the legacy one. */
	set(e, "HF_HUB_CACHE", "$HOME/new-cache");
	c = client_for(e, NULL);
	assert_string_equal(hf_client_config(c)->hub_cache, "/home/u/new-cache");
	hf_client_free(c);
}

static void test_endpoint_and_timeouts(void **state)
{
	fake_env *e = *state;
	hf_client_options o = HF_CLIENT_OPTIONS_INIT;
	hf_client *c = NULL;
	char err[256];

	o.getenv_fn = fake_getenv;
	o.getenv_payload = e;
	set(e, "HF_ENDPOINT", "http://127.0.0.1:8080///");
	set(e, "HF_HUB_ETAG_TIMEOUT", " 0 ");
	set(e, "HF_HUB_DOWNLOAD_TIMEOUT", "25");
	set(e, "HF_HUB_OFFLINE", "yes");
	set(e, "HF_HUB_DISABLE_TELEMETRY", "maybe");
	assert_int_equal(hf_client_new(&c, &o), HF_OK);
	assert_string_equal(hf_client_config(c)->endpoint, "http://127.0.0.1:8080");
	assert_int_equal(hf_client_config(c)->etag_timeout, 10);
	assert_int_equal(hf_client_config(c)->download_timeout, 25);
	assert_true(hf_client_config(c)->offline);
	assert_false(hf_client_config(c)->disable_telemetry);
	assert_int_equal(hf_client_config(c)->disable_progress_bars, -1);
	hf_client_free(c);

	e->values[1] = "ten";
	assert_int_equal(hf_client_new_err(&c, &o, err, sizeof(err)), HF_EINVAL);
	assert_null(c);
	assert_non_null(strstr(err, "HF_HUB_ETAG_TIMEOUT"));

	e->values[1] = "10";
	e->values[0] = "ftp://mirror";
	assert_int_equal(hf_client_new_err(&c, &o, err, sizeof(err)), HF_EINVAL);
	assert_non_null(strstr(err, "ftp://mirror"));
	e->values[0] = "https://hub.example\r\nX: 1";
	assert_int_equal(hf_client_new_err(&c, &o, err, sizeof(err)), HF_EINVAL);
}

static void test_offline_makes_no_request(void **state)
{
	fake_env *e = *state;
	hf_client *c;
	hf_whoami *who = NULL;

	set(e, "HF_HUB_OFFLINE", "1");
	/* A port nothing listens on: an attempt would be a network error. */
	set(e, "HF_ENDPOINT", "http://127.0.0.1:9");
	set(e, "HF_TOKEN", "hf_env");
	c = client_for(e, NULL);
	assert_int_equal(hf_whoami_get(&who, c, NULL), HF_EOFFLINE);
	assert_null(who);
	assert_non_null(strstr(hf_client_error(c)->message, "offline mode is enabled"));
	hf_client_free(c);
}

static void test_expand_path(void **state)
{
	fake_env *e = *state;
	char *p;

	set(e, "HOME", "/h");
	set(e, "X", "xx");
	p = hf__expand_path("~/a/$X/${X}/$UNKNOWN/${X", fake_getenv, e);
	assert_string_equal(p, "/h/a/xx/xx/$UNKNOWN/${X");
	free(p);
	p = hf__expand_path("~user/a", fake_getenv, e);
	assert_string_equal(p, "~user/a");
	free(p);
}

static void test_error_table(void **state)
{
	(void)state;
	assert_string_equal(hf_error_name(HF_ENOTFOUND), "HF_ENOTFOUND");
	assert_int_equal(hf_exit_code(HF_OK), 0);
	assert_int_equal(hf_exit_code(HF_EINVAL), 2);
	assert_int_equal(hf_exit_code(HF_EAUTH), 3);
	assert_int_equal(hf_exit_code(HF_EOFFLINE), 11);
	assert_int_equal(hf_exit_code(-999), 1);
	assert_string_equal(hf_strerror(-999), "unknown error");
}

/* hf_logout_result is caller-allocated: its version is checked before anything is removed. */
static void test_logout_result_version(void **state)
{
	fake_env *e = *state;
	hf_logout_result res = HF_LOGOUT_RESULT_INIT;
	hf_client *c;
	char path[128];
	struct stat st;

	assert_int_equal(res.version, HF_LOGOUT_RESULT_VERSION);
	res.had_tokens = 7;
	assert_int_equal(hf_logout_result_init(&res, HF_LOGOUT_RESULT_VERSION), HF_OK);
	assert_int_equal(res.version, HF_LOGOUT_RESULT_VERSION);
	assert_int_equal(res.had_tokens, 0);
	assert_int_equal(hf_logout_result_init(&res, 99), HF_EINVAL);
	assert_int_equal(hf_logout_result_init(NULL, HF_LOGOUT_RESULT_VERSION), HF_EINVAL);

	snprintf(path, sizeof(path), "%s/token", e->dir);
	write_file(path, "hf_file\n");
	set(e, "HF_TOKEN_PATH", path);
	c = client_for(e, NULL);
	res.version = 99;
	assert_int_equal(hf_token_logout(&res, c, NULL), HF_EINVAL);
	assert_non_null(strstr(hf_client_error(c)->message, "hf_logout_result version 99"));
	assert_int_equal(stat(path, &st), 0);
	res.version = HF_LOGOUT_RESULT_VERSION;
	assert_int_equal(hf_token_logout(&res, c, NULL), HF_OK);
	assert_int_equal(res.version, HF_LOGOUT_RESULT_VERSION);
	assert_true(res.had_tokens);
	assert_true(res.removed_active);
	assert_int_not_equal(stat(path, &st), 0);
	/* The result may be NULL. */
	assert_int_equal(hf_token_logout(NULL, c, NULL), HF_OK);
	hf_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_priority_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_blank_variables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_token_anywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_token_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_file_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_bytes_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_option_token_beats_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_candidates_mark_active, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logout_result_version, setup, teardown),
		cmocka_unit_test(test_mask),
		cmocka_unit_test_setup_teardown(test_paths_follow_hf_home, setup, teardown),
		cmocka_unit_test_setup_teardown(test_endpoint_and_timeouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offline_makes_no_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expand_path, setup, teardown),
		cmocka_unit_test(test_error_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
