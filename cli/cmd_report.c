/*
 * cmd_report.c - `candor report --from audit.json --out DIR`: render the
 * workbook, the PDF and the charts again from an audit's JSON, without
 * recomputing anything (the JSON holds every number the reports show).
 * It re-renders, it does not judge: exit 0 whenever it has rendered, even
 * for a document whose verdict is "fail"; 2 for bad input, 3 for an
 * internal error.
 */
#include <string.h>

#include "cmd.h"

enum { OPT_FROM = 1000, OPT_OUT };

static const cli_option options[] = {
	{"from", OPT_FROM, "audit.json", "an audit's JSON, as `candor audit` wrote it; required"},
	{"out", OPT_OUT, "DIR", "the report folder (may be the audit's own); required"},
	{NULL, 0, NULL, NULL},
};

int cmd_report(int argc, char **argv)
{
	cli_parser p;
	const char *arg, *from = NULL, *out = NULL;
	candor_audit_doc *doc = NULL;
	candor_status st;
	int c;

	cli_parser_init(&p, "report", "candor report --from audit.json --out DIR",
	                "Render DIR/audit.json, audit.xlsx, report.pdf and charts/ again from an\n"
	                "audit's JSON, without recomputing. The folder is replaced whole, only at the end.\n"
	                "It re-renders, it does not judge: exit 0 whenever it has rendered, whatever\n"
	                "the verdict in the document (that was `candor audit`'s exit status); 2 for\n"
	                "bad input, 3 internal.",
	                options);
	while ((c = cli_next(&p, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'h':
			return CLI_EXIT_OK;
		case '?':
			return CLI_EXIT_USAGE;
		case OPT_FROM: from = arg; break;
		case OPT_OUT: out = arg; break;
		default:
			return cli_usage_error(&p, "unhandled option");
		}
	}
	if (!from || !out)
		return cli_usage_error(&p, "--from and --out are required");
	{
		/* --from may be DIR/audit.json of --out DIR: that report is rendered
		 * again from its own JSON, read whole before anything is written */
		const cli_path paths[] = { { "from", from, CLI_PATH_IN_OWN_REPORT },
		                           { "out", out, CLI_PATH_OUT_DIR } };

		if ((c = cli_check_paths(paths, 2)) != CLI_EXIT_OK)
			return c;
	}
	st = candor_audit_doc_read(&doc, from);
	if (st == CANDOR_OK)
		st = candor_report_write_dir(doc, out);
	candor_audit_doc_free(doc);
	return st ? cli_fail(st) : CLI_EXIT_OK;
}
