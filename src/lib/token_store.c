/*
 * The token file and stored_tokens, byte-compatible with the official
 * client (docs/internals/tokens.md): both 0600, written atomically,
 * never through a symbolic link.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "client_int.h"
#include "fsutil.h"
#include "ini.h"
#include "parse.h"
#include "token_int.h"
#include "util.h"

#define HF__STORED_TOKENS_MAX (1024 * 1024)

static int io_error(hf_client *c, int neg_errno, const char *what, const char *path)
{
	hf__error_errno(c, -neg_errno);
	if (neg_errno == -ELOOP)
		return hf__error_set(c, HF_EIO,
				     "remove the link, or point HF_TOKEN_PATH at a regular file",
				     "refusing to write '%s': it is a symbolic link", path);
	return hf__error_set(c, HF_EIO, NULL, "cannot %s '%s': %s", what, path, strerror(-neg_errno));
}

/* Load stored_tokens into ini. A missing or unparsable file is empty. */
static int load_ini(hf_client *c, hf__ini *ini, int *parse_error)
{
	char *text = NULL;
	size_t len = 0, line = 0;
	int rc;

	*parse_error = 0;
	rc = hf__read_file(c->stored_tokens_path, HF__STORED_TOKENS_MAX, &text, &len);
	if (rc == -ENOENT || rc == -ENOTDIR)
		return HF_OK;
	if (rc)
		return io_error(c, rc, "read", c->stored_tokens_path);
	rc = hf__ini_parse(ini, text, len, &line);
	hf_free_secret(text);
	if (rc == -2)
		return hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	if (rc < 0)
		*parse_error = (int)(line ? line : 1);
	return HF_OK;
}

/* Create the directory of path; a directory we create is 0700. */
static int ensure_parent(hf_client *c, const char *path)
{
	char *dir = hf__dirname(path);
	int rc;

	if (!dir)
		return hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	rc = hf__mkdirs(dir, 0700, NULL);
	if (rc)
		rc = io_error(c, rc, "create directory", dir);
	free(dir);
	return rc;
}

static int write_private(hf_client *c, const char *path, const char *data)
{
	int rc = ensure_parent(c, path);

	if (rc)
		return rc;
	rc = hf__write_file_atomic(path, data, strlen(data), 0600);
	return rc ? io_error(c, rc, "write", path) : HF_OK;
}

static int save_ini(hf_client *c, const hf__ini *ini)
{
	char *text = hf__ini_serialize(ini);
	int rc;

	if (!text)
		return hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	rc = write_private(c, c->stored_tokens_path, text);
	hf_free_secret(text);
	return rc;
}

static int cmp_tokens(const void *a, const void *b)
{
	return strcmp(((const hf_stored_token *)a)->name, ((const hf_stored_token *)b)->name);
}

int hf_stored_tokens_load(hf_stored_tokens **out, hf_client *c)
{
	hf__ini ini = HF__INI_INIT;
	hf_stored_tokens *list;
	int rc, parse_error;
	size_t i;

	if (!c || !out)
		return HF_EINVAL;
	*out = NULL;
	hf__error_clear(c);
	rc = load_ini(c, &ini, &parse_error);
	if (rc)
		return rc;
	list = calloc(1, sizeof(*list));
	if (!list || (ini.count && !(list->items = calloc(ini.count, sizeof(*list->items))))) {
		free(list);
		hf__ini_dispose(&ini);
		return hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	}
	for (i = 0; i < ini.count; i++) {
		const char *name = ini.sections[i].name;
		const char *tok = hf__ini_get(&ini, name, "hf_token");
		const char *refresh = hf__ini_get(&ini, name, "refresh_token");
		const char *expires = hf__ini_get(&ini, name, "expires_at");
		hf_stored_token *t = &list->items[list->count];
		unsigned long long exp = 0;

		if (!tok)
			continue;
		t->name = hf__strdup(name);
		t->token = hf__strdup(tok);
		t->refresh_token = hf__strdup(refresh);
		if (expires && hf__parse_u64(expires, strlen(expires), &exp) == 0)
			t->expires_at = (long long)exp;
		list->count++;
		if (!t->name || !t->token || (refresh && !t->refresh_token)) {
			hf_stored_tokens_free(list);
			hf__ini_dispose(&ini);
			return hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
		}
	}
	hf__ini_dispose(&ini);
	if (list->count > 1)
		qsort(list->items, list->count, sizeof(*list->items), cmp_tokens);
	*out = list;
	if (parse_error)
		hf__error_set(c, HF_EPROTOCOL, "fix or remove the file; it is rewritten at the next login",
			      "error parsing stored tokens file '%s' at line %d", c->stored_tokens_path,
			      parse_error);
	return HF_OK;
}

void hf_stored_tokens_free(hf_stored_tokens *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free(list->items[i].name);
		hf_free_secret(list->items[i].token);
		hf_free_secret(list->items[i].refresh_token);
	}
	free(list->items);
	free(list);
}

/* A name becomes an INI section header: keep it to one clean line. */
static int name_is_valid(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	if (!*p || *p == ' ' || *p == '\t')
		return 0;
	for (; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == ']' || *p == '[')
			return 0;
	return p[-1] != ' ' && p[-1] != '\t';
}

int hf_token_save(hf_client *c, const char *name, const char *token)
{
	hf__ini ini = HF__INI_INIT;
	int rc, parse_error;

	if (!c || !name || !token)
		return HF_EINVAL;
	hf__error_clear(c);
	if (!name_is_valid(name))
		return hf__error_set(c, HF_EINVAL, NULL, "invalid token name '%s'", name);
	if (!*token || !hf__token_is_safe(token))
		return hf__error_set(c, HF_EINVAL, NULL, "the token is empty or holds control characters");
	/* Refuse before writing anything, so a failed login changes nothing. */
	{
		struct stat st;

		if (lstat(c->token_path, &st) == 0 && S_ISLNK(st.st_mode))
			return io_error(c, -ELOOP, "write", c->token_path);
		if (lstat(c->stored_tokens_path, &st) == 0 && S_ISLNK(st.st_mode))
			return io_error(c, -ELOOP, "write", c->stored_tokens_path);
	}
	rc = load_ini(c, &ini, &parse_error);
	if (!rc) {
		/* The section is replaced whole, as the official client does. */
		hf__ini_remove_section(&ini, name);
		if (hf__ini_set(&ini, name, "hf_token", token) < 0)
			rc = hf__error_set(c, HF_ENOMEM, NULL, "out of memory");
	}
	if (!rc)
		rc = save_ini(c, &ini);
	if (!rc)
		rc = write_private(c, c->token_path, token);
	hf__ini_dispose(&ini);
	return rc;
}

int hf_token_switch(hf_client *c, const char *name)
{
	hf__ini ini = HF__INI_INIT;
	const char *tok;
	int rc, parse_error;

	if (!c || !name)
		return HF_EINVAL;
	hf__error_clear(c);
	rc = load_ini(c, &ini, &parse_error);
	if (rc)
		return rc;
	tok = hf__ini_get(&ini, name, "hf_token");
	if (!tok) {
		rc = hf__error_set(c, HF_ENOTFOUND, "list the stored tokens",
				   "access token '%s' not found in '%s'", name, c->stored_tokens_path);
		hf__error_remedy(c, HF_REMEDY_LIST_TOKENS);
	} else
		rc = write_private(c, c->token_path, tok);
	hf__ini_dispose(&ini);
	return rc;
}

HF__DEFINE_INIT(hf_logout_result_init, hf_logout_result, HF_LOGOUT_RESULT_INIT, HF_LOGOUT_RESULT_VERSION)

int hf_token_logout(hf_logout_result *result, hf_client *c, const char *name)
{
	hf_logout_result res = HF_LOGOUT_RESULT_INIT;
	hf__ini ini = HF__INI_INIT;
	char *active = NULL;
	struct stat st;
	int rc, parse_error;

	if (!c)
		return HF_EINVAL;
	hf__error_clear(c);
	if (result && result->version != HF_LOGOUT_RESULT_VERSION)
		return hf__error_set(c, HF_EINVAL, NULL, "hf_logout_result version %u is not supported",
				     result->version);
	rc = hf__token_read_file(c, &active);
	if (rc)
		active = NULL; /* An unreadable token file is still removed below. */
	hf__error_clear(c);
	res.had_tokens = lstat(c->token_path, &st) == 0 || lstat(c->stored_tokens_path, &st) == 0;
	if (!name) {
		rc = hf__remove_file(c->token_path);
		if (rc) {
			rc = io_error(c, rc, "remove", c->token_path);
			goto done;
		}
		res.removed_active = res.had_tokens;
		rc = hf__remove_file(c->stored_tokens_path);
		if (rc)
			rc = io_error(c, rc, "remove", c->stored_tokens_path);
		goto done;
	}
	rc = load_ini(c, &ini, &parse_error);
	if (rc)
		goto done;
	{
		const char *tok = hf__ini_get(&ini, name, "hf_token");
		int was_active = tok && active && strcmp(tok, active) == 0;

		res.found_name = hf__ini_remove_section(&ini, name);
		if (res.found_name) {
			rc = save_ini(c, &ini);
			if (rc)
				goto done;
		}
		if (was_active) {
			rc = hf__remove_file(c->token_path);
			if (rc) {
				rc = io_error(c, rc, "remove", c->token_path);
				goto done;
			}
			res.removed_active = 1;
		}
	}
done:
	hf_free_secret(active);
	hf__ini_dispose(&ini);
	if (result)
		*result = res;
	return rc;
}
