/*
 * cmd_report.c - `candor report`: placeholder until its issue lands.
 */
#include <string.h>

#include "cmd.h"

int cmd_report(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: candor report ... (not implemented yet)\n");
		return CLI_EXIT_OK;
	}
	fprintf(stderr, "candor report: not implemented yet\n");
	return CLI_EXIT_INTERNAL;
}
