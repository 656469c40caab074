/*
 * The .env parser behind `hf --env-file PATH` and hf_dotenv_read().
 *
 * Statements follow the grammar of python-dotenv's parser (checked
 * against python-dotenv 1.2.2, whose parser is unchanged since 1.0.0):
 * - blank lines and lines starting with '#' are skipped;
 * - an optional "export " prefix;
 * - KEY=VALUE, white space around KEY and after '=' ignored; a line with
 *   no '=' ("KEY") is ignored;
 * - single-quoted values are literal but for the \' and \\ escapes;
 * - double-quoted values decode \\ \' \" \a \b \f \n \r \t \v and may
 *   span lines;
 * - unquoted values end at a '#' that follows white space, and are
 *   stripped;
 * - a malformed statement (unterminated quote, empty key, junk after a
 *   value) is skipped, and its first line (1-based) goes to the warning
 *   callback.
 * ${NAME} and ${NAME:-default} follow POSIX shell rules instead: not in
 * single quotes, an earlier key of the file before the environment
 * lookup, ":-" taking an empty value as unset. "KEY= #x" is an empty
 * value, and a leading UTF-8 byte order mark is dropped. Each difference
 * from python-dotenv, and the versions checked, are listed in
 * docs/internals/dotenv-ini.md.
 */
#ifndef HF__DOTENV_PARSER_H
#define HF__DOTENV_PARSER_H

#include <stddef.h>

/* Called for each KEY=VALUE in file order. Return non-zero to stop. */
typedef int (*hf__dotenv_cb)(const char *key, const char *value, void *payload);
/* Called for each malformed line (may be NULL). */
typedef void (*hf__dotenv_warn_cb)(size_t line, void *payload);
/* Environment lookup for ${NAME}; NULL means getenv(). */
typedef const char *(*hf__dotenv_getenv)(const char *name, void *payload);

/*
 * Parse text (need not be NUL-terminated). Returns 0; -2 when out of
 * memory; the callback's non-zero value when it stopped the parse.
 */
int hf__dotenv_parse(const char *text, size_t len, hf__dotenv_cb cb,
		     hf__dotenv_warn_cb warn, hf__dotenv_getenv lookup, void *payload);

#endif
