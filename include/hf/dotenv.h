/**
 * @file hf/dotenv.h
 * @brief `.env` files, read the way python-dotenv reads them.
 *
 * These functions take no client: errors are reported through @p errbuf.
 */
#ifndef HF_DOTENV_H
#define HF_DOTENV_H

#include "common.h"

HF_BEGIN_DECL

/**
 * Parse the .env file at @p path: KEY=VALUE lines, `export` prefixes,
 * quotes, escapes, comments and ${VAR} expansion as python-dotenv does.
 * @param keys, values filled in file order (same length); release both
 *        with hf_strlist_dispose(). Values may be secrets.
 * @param errbuf receives a one-line message on failure (may be NULL);
 *        @p errlen is its size.
 * @return HF_OK, HF_EINVAL (NULL path or list), HF_EIO (cannot read),
 *         HF_ENOMEM.
 * Thread-safety: reentrant.
 * @since 0.1
 */
HF_EXTERN(int) hf_dotenv_read(const char *path, hf_strlist *keys, hf_strlist *values,
			      char *errbuf, size_t errlen);

/**
 * Load the .env file at @p path into the process environment, as
 * python-dotenv's load_dotenv(): a variable that is already set keeps its
 * value unless @p override is non-zero. Call it before hf_client_new(),
 * which reads the environment.
 * Thread-safety: calls setenv(); not safe while other threads read the
 * environment.
 * @param errbuf, errlen as hf_dotenv_read().
 * @return HF_OK, HF_EINVAL, HF_EIO, HF_ENOMEM.
 * @since 0.1
 */
HF_EXTERN(int) hf_dotenv_load(const char *path, int override, char *errbuf, size_t errlen);

HF_END_DECL

#endif
