/*
 * The INI dialect of Python's configparser, for stored_tokens. Reading
 * follows configparser in strict mode with empty_lines_in_values=False
 * and no interpolation; writing matches ConfigParser.write(). Checked
 * against Python 3.11 (3.11.7). The official client reads with
 * ConfigParser(interpolation=None), which also lets a blank or comment
 * line sit inside a value and treats [DEFAULT] specially; this parser
 * does neither (docs/internals/dotenv-ini.md).
 *
 * Parsing: "[section]" headers; "key = value" or "key: value" lines, keys
 * lower-cased and both sides stripped; lines starting with '#' or ';'
 * (after optional white space) are comments; blank lines are skipped;
 * a line indented deeper than its key continues the value (joined with
 * "\n"). A key before any section, a line that is neither, a duplicate
 * section or a duplicate key in one section is a parse error (strict
 * mode, as configparser's default).
 *
 * Writing: sections sorted by name, "key = value" lines in insertion
 * order, a blank line after each section.
 */
#ifndef HF_INI_H
#define HF_INI_H

#include <stddef.h>

typedef struct hf__ini_entry {
	char *key;
	char *value;
} hf__ini_entry;

typedef struct hf__ini_section {
	char *name;
	hf__ini_entry *entries;
	size_t count;
} hf__ini_section;

typedef struct hf__ini {
	hf__ini_section *sections;
	size_t count;
} hf__ini;

#define HF__INI_INIT { NULL, 0 }

/*
 * Parse text (need not be NUL-terminated) into out, which must be empty.
 * Returns 0; -1 on a syntax error (out is then empty and, when line is
 * not NULL, *line is the 1-based line number); -2 when out of memory.
 */
int hf__ini_parse(hf__ini *out, const char *text, size_t len, size_t *line);

/* Serialise as described above. Returns a heap string or NULL (no memory). */
char *hf__ini_serialize(const hf__ini *ini);

/* The value of key in section, or NULL. Key matching is case-insensitive. */
const char *hf__ini_get(const hf__ini *ini, const char *section, const char *key);

/* Create the section if needed, then set key (lower-cased) to value. 0 or -1. */
int hf__ini_set(hf__ini *ini, const char *section, const char *key, const char *value);

/* Remove a whole section. Returns 1 when it existed, 0 when it did not. */
int hf__ini_remove_section(hf__ini *ini, const char *section);

/* Free everything, wiping values (they may be tokens). */
void hf__ini_dispose(hf__ini *ini);

#endif
