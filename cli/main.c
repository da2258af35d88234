/*
 * main.c - the candor program: global options and subcommand dispatch.
 * cli_main() is the whole program as a function that returns its exit
 * status (the CLI never calls exit()), so the CLI fuzz target can run it
 * in-process; candor.c's main() only calls it.
 */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cmd.h"

typedef struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} command;

static const command commands[] = {
	{"fairness", cmd_fairness, "group fairness metrics, disparities and policy checks"},
	{"explain", cmd_explain, "explain a model's predictions (SHAP, LIME)"},
	{"audit", cmd_audit, "full audit: fairness, explanations, charts, workbook, PDF"},
	{"report", cmd_report, "render an audit's reports again from its JSON"},
	{"datasets", cmd_datasets, "generate synthetic datasets with planted bias"},
	{"mitigate", cmd_mitigate, "group thresholds and reweighing that satisfy a parity constraint"},
	{NULL, NULL, NULL},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: candor [--version] [--help] COMMAND [ARGS]\n\n"
	           "candor audits a model before it ships: it explains predictions and\n"
	           "measures group fairness, and writes charts, a workbook, a PDF and JSON.\n\n"
	           "commands:\n");
	for (const command *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'candor COMMAND --help' or 'candor help COMMAND' describes a command.\n"
	           "exit status: 0 success or policy passed, 1 policy failed,\n"
	           "2 bad usage or bad input, 3 internal error.\n");
}

static const command *find(const char *name)
{
	for (const command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int cli_main(int argc, char **argv)
{
	const command *c;

	/* GSL's default handler aborts; the library checks arguments itself. */
	gsl_set_error_handler_off();
	/* a killed run removes its temporaries and its model commands */
	cli_signals_init();

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("candor %s\n", candor_version());
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		char *help_argv[3];

		if (argc < 3) {
			usage(stdout);
			return CLI_EXIT_OK;
		}
		c = find(argv[2]);
		if (!c) {
			fprintf(stderr, "candor: unknown command '%s'; see 'candor --help'\n", argv[2]);
			return CLI_EXIT_USAGE;
		}
		help_argv[0] = argv[2];
		help_argv[1] = (char *)"--help";
		help_argv[2] = NULL;
		return c->fn(2, help_argv);
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "candor: unknown option '%s'; see 'candor --help'\n", argv[1]);
		return CLI_EXIT_USAGE;
	}
	c = find(argv[1]);
	if (!c) {
		fprintf(stderr, "candor: unknown command '%s'; see 'candor --help'\n", argv[1]);
		return CLI_EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}
