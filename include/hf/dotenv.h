/**
 * @file hf/dotenv.h
 * @brief `.env` files, read much as python-dotenv reads them
 *        (docs/internals/dotenv-ini.md lists where they differ).
 *
 * Public because a program that embeds libhf may offer what the `hf`
 * command offers with `--env-file` (and the `hf` command itself uses only
 * the public API): see "The .env functions" in docs/api.md.
 *
 * These functions take no client: errors are reported through @p errbuf.
 */
#ifndef HF_DOTENV_H
#define HF_DOTENV_H

#include "common.h"

HF_BEGIN_DECL

/**
 * Parse the .env file at @p path: KEY=VALUE lines, `export` prefixes,
 * quotes, escapes, comments and ${VAR} expansion, much as python-dotenv
 * does (a malformed line is skipped, as python-dotenv does; the
 * differences are in docs/internals/dotenv-ini.md).
 * @param keys, values lists the caller provides; they are overwritten
 *        (not freed: pass empty ones) and filled in file order, with the
 *        same length. The caller owns the strings: release both with
 *        hf_strlist_dispose(), after wiping the values, which may be
 *        secrets. Both are empty on failure.
 * @param path read during the call only.
 * @param errbuf receives a one-line message on failure (may be NULL);
 *        @p errlen is its size.
 * @return HF_OK; HF_EINVAL (NULL @p keys, @p values or @p path); HF_EIO
 *         (the file cannot be read, or is larger than 1 MiB); HF_ENOMEM.
 * Thread-safety: any thread (reentrant; reads the environment for
 * ${VAR} expansion, so not while another thread changes it).
 * @since 0.1
 */
HF_EXTERN(int) hf_dotenv_read(hf_strlist *keys, hf_strlist *values, const char *path,
			      char *errbuf, size_t errlen);

/**
 * Load the .env file at @p path into the process environment, as
 * python-dotenv's load_dotenv(): a variable that is already set keeps its
 * value unless @p override is non-zero. Call it before hf_client_new(),
 * which reads the environment.
 * Thread-safety: calls setenv(); not safe while other threads read the
 * environment (any libhf call may).
 * @param path read during the call only.
 * @param errbuf, errlen as hf_dotenv_read().
 * @return HF_OK; HF_EINVAL (NULL @p path); HF_EIO; HF_ENOMEM (also when
 *         setenv() runs out of memory: the variables before it are set).
 * @since 0.1
 */
HF_EXTERN(int) hf_dotenv_load(const char *path, int override, char *errbuf, size_t errlen);

HF_END_DECL

#endif
