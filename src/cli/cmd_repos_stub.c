/*
 * The `hf repos` group until the repos branch brings its own (then this
 * file goes, and delete-files joins that group's table).
 */
#include "cli.h"

int cmd_repos(int argc, char **argv)
{
	static const cli_sub subs[] = { { "delete-files", cmd_repos_delete_files } };

	return cli_dispatch("repos", "Manage repositories on the Hub.",
			    "  delete-files  Delete files from a repo on the Hub, in one commit\n", subs,
			    sizeof(subs) / sizeof(subs[0]), argc, argv);
}
