#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"
#include "util.h"

const char *hf_strerror(int code)
{
	switch (code) {
#define HF__DESC(name, value, desc, exit) case value: return desc;
		HF_ERROR_MAP(HF__DESC)
#undef HF__DESC
	default:
		return "unknown error";
	}
}

const char *hf_error_name(int code)
{
	switch (code) {
#define HF__NAME(name, value, desc, exit) case value: return #name;
		HF_ERROR_MAP(HF__NAME)
#undef HF__NAME
	default:
		return "HF_UNKNOWN";
	}
}

int hf_exit_code(int code)
{
	switch (code) {
#define HF__EXIT(name, value, desc, exit) case value: return exit;
		HF_ERROR_MAP(HF__EXIT)
#undef HF__EXIT
	default:
		return 1;
	}
}

static void set_str(char **slot, const char *value)
{
	free(*slot);
	*slot = hf__strdup(value);
}

void hf__error_clear(hf_client *c)
{
	if (!c)
		return;
	set_str(&c->err_message, NULL);
	set_str(&c->err_hint, NULL);
	set_str(&c->err_url, NULL);
	set_str(&c->err_request_id, NULL);
	set_str(&c->err_hub_code, NULL);
	memset(&c->err, 0, sizeof(c->err));
	c->err.code = HF_OK;
	c->err.message = "success";
}

int hf__error_set(hf_client *c, int code, const char *hint, const char *fmt, ...)
{
	hf__buf b = HF__BUF_INIT;
	va_list ap;

	if (!c)
		return code;
	va_start(ap, fmt);
	if (hf__buf_vprintf(&b, fmt, ap) < 0)
		hf__buf_dispose(&b);
	va_end(ap);
	free(c->err_message);
	c->err_message = b.data;
	set_str(&c->err_hint, hint);
	c->err.code = code;
	c->err.message = c->err_message ? c->err_message : hf_strerror(code);
	c->err.hint = c->err_hint;
	c->err.remedy = HF_REMEDY_NONE;
	return code;
}

void hf__error_hub_code(hf_client *c, const char *hub_code)
{
	set_str(&c->err_hub_code, hub_code && *hub_code ? hub_code : NULL);
	c->err.hub_code = c->err_hub_code;
}

void hf__error_remedy(hf_client *c, hf_remedy remedy)
{
	c->err.remedy = (int)remedy;
}

void hf__error_http(hf_client *c, long status, const char *url, const char *request_id)
{
	c->err.http_status = status;
	set_str(&c->err_url, url);
	set_str(&c->err_request_id, request_id);
	c->err.url = c->err_url;
	c->err.request_id = c->err_request_id;
}

void hf__error_errno(hf_client *c, int os_errno)
{
	c->err.os_errno = os_errno;
}

const hf_error *hf_client_error(const hf_client *c)
{
	static const hf_error no_client = { HF_EINVAL, 0, 0, "no client", NULL, NULL, NULL, 0, NULL };

	return c ? &c->err : &no_client;
}

void hf_free(void *ptr)
{
	free(ptr);
}

void hf_free_secret(char *secret)
{
	if (secret) {
		hf__wipe(secret, strlen(secret));
		free(secret);
	}
}

void hf_strlist_dispose(hf_strlist *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}
