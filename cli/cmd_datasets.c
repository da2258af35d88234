/*
 * cmd_datasets.c - `candor datasets synth`: synthetic datasets with planted,
 * known bias (datasets/SYNTH.md), and the model that scores them.
 */
#include <string.h>

#include "cmd.h"

enum { OPT_KIND = 1000, OPT_ROWS, OPT_SEED, OPT_OUT, OPT_MODEL_OUT };

static const cli_option options[] = {
	{"kind", OPT_KIND, "KIND", "dataset kind: credit"},
	{"rows", OPT_ROWS, "N", "number of rows (default 10000)"},
	{"seed", OPT_SEED, "S", "random seed (default 1); the same seed gives the same file"},
	{"out", OPT_OUT, "D.csv", "write the dataset here (required)"},
	{"model-out", OPT_MODEL_OUT, "M.json", "also write the bundled model that scored it"},
	{NULL, 0, NULL, NULL},
};

static int write_text(const char *path, const char *text)
{
	cli_atomic a;
	FILE *f = cli_atomic_open(&a, path);

	if (!f)
		return CLI_EXIT_USAGE;
	fputs(text, f);
	return cli_atomic_close(&a, true);
}

static int synth(int argc, char **argv)
{
	cli_parser p;
	const char *arg, *out = NULL, *model_out = NULL, *kind = NULL;
	size_t rows = 10000;
	uint64_t seed = 1;
	candor_table *t = NULL;
	candor_status st;
	int c, rc;

	cli_parser_init(&p, "datasets synth",
	                "candor datasets synth --kind credit [--rows N] [--seed S] --out D.csv "
	                "[--model-out M.json]",
	                "Generate a synthetic dataset with planted, known bias. The credit kind has\n"
	                "sensitive attributes sex and race, a proxy feature (zip_score), the true\n"
	                "label and the prediction and score of the bundled logistic model; its\n"
	                "generating process and true group rates are in datasets/SYNTH.md.",
	                options);
	while ((c = cli_next(&p, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'h':
			return CLI_EXIT_OK;
		case OPT_KIND:
			kind = arg;
			break;
		case OPT_ROWS:
			if (!cli_parse_size(&p, "rows", arg, &rows))
				return CLI_EXIT_USAGE;
			break;
		case OPT_SEED:
			if (!cli_parse_u64(&p, "seed", arg, &seed))
				return CLI_EXIT_USAGE;
			break;
		case OPT_OUT:
			out = arg;
			break;
		case OPT_MODEL_OUT:
			model_out = arg;
			break;
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if (!kind)
		return cli_usage_error(&p, "--kind is required");
	if (strcmp(kind, "credit") != 0)
		return cli_usage_error(&p, "unknown --kind '%s' (known: credit)", kind);
	if (!out)
		return cli_usage_error(&p, "--out is required");
	st = candor_synth_generate(&t, CANDOR_SYNTH_CREDIT, rows, seed);
	if (!st)
		st = candor_csv_write(t, out);
	candor_table_free(t);
	if (st)
		return cli_fail(st);
	if (model_out && (rc = write_text(model_out, candor_synth_credit_model_json())))
		return rc;
	return CLI_EXIT_OK;
}

int cmd_datasets(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		FILE *f = argc < 2 ? stderr : stdout;

		fprintf(f, "usage: candor datasets synth --kind credit [--rows N] [--seed S] --out D.csv\n\n"
		           "subcommands:\n"
		           "  synth   generate a synthetic dataset with planted bias\n\n"
		           "'candor datasets synth --help' describes its options.\n");
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "synth") == 0) {
		optind = 1;
		return synth(argc - 1, argv + 1);
	}
	fprintf(stderr, "candor datasets: unknown subcommand '%s'; see 'candor datasets --help'\n",
	        argv[1]);
	return CLI_EXIT_USAGE;
}
