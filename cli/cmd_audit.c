/*
 * cmd_audit.c - `candor audit`: placeholder until its issue lands.
 */
#include <string.h>

#include "cmd.h"

int cmd_audit(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: candor audit ... (not implemented yet)\n");
		return CLI_EXIT_OK;
	}
	fprintf(stderr, "candor audit: not implemented yet\n");
	return CLI_EXIT_INTERNAL;
}
