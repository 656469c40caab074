/*
 * libcurl, loaded on first use.
 *
 * libcurl brings about thirty shared libraries with it (TLS, HTTP/2, IDN,
 * Kerberos, LDAP, SSH...). Mapping and relocating them costs several times
 * the whole start-up of a C program, and most hf commands (--version, env,
 * cache, auth token...) never make a request. So the shared libhf does not
 * link libcurl: it carries these forwarders, with the libcurl names used by
 * http.c, that dlopen libcurl.so.4 the first time any of them is called.
 *
 * Only the shared library is built this way (HF_LAZY_CURL). The forwarders
 * are hidden symbols, so a program that links libcurl itself keeps its own
 * calls going straight to libcurl, and dlopen hands us that same copy.
 * The static library links libcurl directly and does not contain this file.
 */
#define CURL_DISABLE_TYPECHECK 1 /* the forwarders are defined, not called */

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#define LIBCURL_SONAME "libcurl.so.4"

#define CURL_FUNCTIONS(X)                                                                    \
	X(curl_global_init, CURLcode, (long))                                                     \
	X(curl_easy_init, CURL *, (void))                                                         \
	X(curl_easy_cleanup, void, (CURL *))                                                      \
	X(curl_easy_reset, void, (CURL *))                                                        \
	X(curl_easy_perform, CURLcode, (CURL *))                                                  \
	X(curl_easy_setopt, CURLcode, (CURL *, CURLoption, ...))                                  \
	X(curl_easy_getinfo, CURLcode, (CURL *, CURLINFO, ...))                                   \
	X(curl_easy_strerror, const char *, (CURLcode))                                           \
	X(curl_free, void, (void *))                                                              \
	X(curl_slist_append, struct curl_slist *, (struct curl_slist *, const char *))            \
	X(curl_slist_free_all, void, (struct curl_slist *))                                       \
	X(curl_url, CURLU *, (void))                                                              \
	X(curl_url_cleanup, void, (CURLU *))                                                      \
	X(curl_url_get, CURLUcode, (CURLU *, CURLUPart, char **, unsigned int))             \
	X(curl_url_set, CURLUcode, (CURLU *, CURLUPart, const char *, unsigned int))              \
	X(curl_version_info, curl_version_info_data *, (CURLversion))                             \
	X(curl_getdate, time_t, (const char *, const time_t *))

static struct {
#define X(name, ret, args) ret(*name) args;
	CURL_FUNCTIONS(X)
#undef X
} fn;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded;
static char load_error[256];

static void load(void)
{
	void *h = dlopen(LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(load_error, sizeof(load_error),
			 "cannot load " LIBCURL_SONAME " (%s); install libcurl 7.88 or later", dlerror());
		return;
	}
#define X(name, ret, args)                                                                         \
	*(void **)(&fn.name) = dlsym(h, #name);                                                    \
	if (!fn.name) {                                                                            \
		snprintf(load_error, sizeof(load_error), LIBCURL_SONAME " has no %s; install libcurl " \
			 "7.88 or later", #name);                                                      \
		return;                                                                            \
	}
	CURL_FUNCTIONS(X)
#undef X
	loaded = 1;
}

static int ready(void)
{
	pthread_once(&load_once, load);
	return loaded;
}

CURLcode curl_global_init(long flags)
{
	return ready() ? fn.curl_global_init(flags) : CURLE_FAILED_INIT;
}

CURL *curl_easy_init(void)
{
	return ready() ? fn.curl_easy_init() : NULL;
}

void curl_easy_cleanup(CURL *h)
{
	if (ready())
		fn.curl_easy_cleanup(h);
}

void curl_easy_reset(CURL *h)
{
	if (ready())
		fn.curl_easy_reset(h);
}

CURLcode curl_easy_perform(CURL *h)
{
	return ready() ? fn.curl_easy_perform(h) : CURLE_FAILED_INIT;
}

/*
 * The one argument after the option has the type the option's number range
 * says (curl.h: CURLOPTTYPE_*): long, object pointer, function pointer,
 * curl_off_t, blob pointer.
 */
CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	CURLcode rc;
	va_list ap;

	if (!ready())
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = fn.curl_easy_setopt(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = fn.curl_easy_setopt(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = fn.curl_easy_setopt(h, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = fn.curl_easy_setopt(h, opt, va_arg(ap, curl_off_t));
	else
		rc = fn.curl_easy_setopt(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	CURLcode rc;
	va_list ap;

	if (!ready())
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	rc = fn.curl_easy_getinfo(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

const char *curl_easy_strerror(CURLcode cc)
{
	return ready() ? fn.curl_easy_strerror(cc) : load_error;
}

void curl_free(void *p)
{
	if (ready())
		fn.curl_free(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
	return ready() ? fn.curl_slist_append(l, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *l)
{
	if (ready())
		fn.curl_slist_free_all(l);
}

CURLU *curl_url(void)
{
	return ready() ? fn.curl_url() : NULL;
}

void curl_url_cleanup(CURLU *u)
{
	if (ready())
		fn.curl_url_cleanup(u);
}

CURLUcode curl_url_get(CURLU *u, CURLUPart what, char **part, unsigned int flags)
{
	return ready() ? fn.curl_url_get(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode curl_url_set(CURLU *u, CURLUPart what, const char *part, unsigned int flags)
{
	return ready() ? fn.curl_url_set(u, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

curl_version_info_data *curl_version_info(CURLversion v)
{
	return ready() ? fn.curl_version_info(v) : NULL;
}

time_t curl_getdate(const char *text, const time_t *unused)
{
	return ready() ? fn.curl_getdate(text, unused) : (time_t)-1;
}
