/* Internal to the hf cache commands (cmd_cache*.c, cmd_scan_cache.c): their shared helpers. */
#ifndef HF_CLI_CMD_CACHE_H
#define HF_CLI_CMD_CACHE_H

#include <stdint.h>

#include "cli.h"

/* A repository or one revision to delete, resolved against a scan. */
typedef struct cache_target {
	hf_repo_type type;
	char repo_id[256];
	const char *revision; /* a commit, or NULL for the whole repo */
} cache_target;

/* ---- cmd_cache.c ---- */
/* The official "time since": "a few seconds ago", "3 days ago". */
void cache_time_since(char *out, size_t len, int64_t ts);
/* The refs of rev (NULL: of every revision), sorted as the official client does, joined with ", ". */
void cache_join_refs(char *out, size_t len, const hf_cached_repo *repo, const hf_cached_revision *rev);
/* Create the client and scan the cache; -1 with *exit_code set (error printed) on failure. */
int cache_scan(hf_client **client, const char *cache_dir, hf_cache_info **info, int *exit_code);
/* The warnings (or their count) and the incomplete downloads, on stderr. */
void cache_print_footer_notes(const hf_cache_info *info, int show_warnings);

/* ---- cmd_cache_rm.c ---- */
/* Resolve "type/id", "id" (a model) or a 40-hex commit against the scan; -1 when not cached. */
int cache_resolve_target(const hf_cache_info *info, const char *arg, cache_target *t);
/* Delete the targets (grouped per repository), after showing the plan; returns the exit code. */
int cache_delete_targets(hf_client *client, const char *cache_dir, const hf_cache_info *info,
			 cache_target *ts, size_t nt, int yes, int dry_run);

/* ---- the subcommands of `hf cache` (cmd_cache_*.c) ---- */
int cmd_cache_info(int argc, char **argv);
int cmd_cache_ls(int argc, char **argv);
int cmd_cache_rm(int argc, char **argv);
int cmd_cache_delete(int argc, char **argv);
int cmd_cache_prune(int argc, char **argv);
int cmd_cache_verify(int argc, char **argv);

#endif
