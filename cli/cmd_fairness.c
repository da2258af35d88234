/*
 * cmd_fairness.c - `candor fairness`: placeholder until its issue lands.
 */
#include <string.h>

#include "cmd.h"

int cmd_fairness(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: candor fairness ... (not implemented yet)\n");
		return CLI_EXIT_OK;
	}
	fprintf(stderr, "candor fairness: not implemented yet\n");
	return CLI_EXIT_INTERNAL;
}
