/* hf version; huggingface-cli version. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_version(int argc, char **argv)
{
	const char *format = NULL;
	int json = 0, quiet = 0, npos, rc;
	char **pos;
	cli_format fmt;
	const cli_opt opts[] = {
		CLI_OPTS_FORMAT(format, json),
		{ "quiet", 'q', CLI_OPT_BOOL, &quiet, NULL, "Print only the version.", 0 },
		CLI_OPT_END
	};
	const cli_command cmd = { "hf version", "[OPTIONS]", "Print the version of hf and libhf.",
				  NULL, opts, 0, 0 };

	rc = cli_parse(&cmd, argc, argv, &pos, &npos);
	if (rc)
		return rc > 0 ? 0 : CLI_EXIT_USAGE;
	free(pos);
	if (cli_format_resolve(format, json, quiet, &fmt) < 0)
		return CLI_EXIT_USAGE;
	if (strcmp(cli_g.argv0_name, "huggingface-cli") == 0 && fmt == CLI_FMT_HUMAN) {
		printf("huggingface-cli, version %s\n", hf_version());
		return 0;
	}
	switch (fmt) {
	case CLI_FMT_JSON:
		printf("{\"version\": \"%s\"}\n", hf_version());
		break;
	case CLI_FMT_QUIET:
		printf("%s\n", hf_version());
		break;
	case CLI_FMT_AGENT:
		printf("version=%s\n", hf_version());
		break;
	case CLI_FMT_HUMAN:
	default:
		printf("%s hf version\n  version: %s\n", cli_ok_mark(), hf_version());
	}
	return 0;
}
