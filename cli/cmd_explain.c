/*
 * cmd_explain.c - `candor explain`: placeholder until its issue lands.
 */
#include <string.h>

#include "cmd.h"

int cmd_explain(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: candor explain ... (not implemented yet)\n");
		return CLI_EXIT_OK;
	}
	fprintf(stderr, "candor explain: not implemented yet\n");
	return CLI_EXIT_INTERNAL;
}
