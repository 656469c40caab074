/*
 * The .env format as python-dotenv reads it (`hf --env-file PATH`).
 *
 * - blank lines and lines starting with '#' are skipped;
 * - an optional "export " prefix;
 * - KEY=VALUE, white space around KEY and '=' ignored; a line with no
 *   '=' ("KEY") is ignored;
 * - single-quoted values are literal, \' and \\ escapes only;
 * - double-quoted values process \n \r \t \\ \" \' escapes and may span
 *   lines;
 * - unquoted values end at " #" (a comment) and are stripped;
 * - ${NAME} in unquoted and double-quoted values expands to an earlier
 *   key of the file, else the environment lookup, else "" (${NAME:-def}
 *   gives def when unset or empty).
 * - a malformed line (unterminated quote, bad key) is skipped, as
 *   python-dotenv does with a warning; its 1-based number is reported.
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
