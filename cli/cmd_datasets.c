/*
 * cmd_datasets.c - `candor datasets synth`: synthetic datasets with planted,
 * known bias (datasets/SYNTH.md), and the model that scores them.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
			if (!cli_parse_size(&p, "rows", arg, 1, CLI_SYNTH_ROWS_MAX, &rows))
				return CLI_EXIT_USAGE;
			break;
		case OPT_SEED:
			if (!cli_parse_u64(&p, "seed", arg, 0, UINT64_MAX, &seed))
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
	{
		const cli_path paths[] = { { "out", out, CLI_PATH_OUT },
		                           { "model-out", model_out, CLI_PATH_OUT } };

		if ((rc = cli_check_paths(paths, 2)) != CLI_EXIT_OK)
			return rc;
	}
	/* both files are written to temporaries and renamed together */
	{
		cli_atomic outs[2] = { { 0 } };
		const char *tmp = cli_atomic_stage(&outs[0], out);

		if (!tmp)
			return CLI_EXIT_USAGE;
		if (model_out && !cli_atomic_open(&outs[1], model_out)) {
			cli_atomic_commit(outs, 2, false);
			return CLI_EXIT_USAGE;
		}
		if (model_out)
			fputs(candor_synth_credit_model_json(), outs[1].f);
		st = candor_synth_generate(&t, CANDOR_SYNTH_CREDIT, rows, seed);
		if (!st)
			st = candor_csv_write(t, tmp);
		candor_table_free(t);
		if (st) {
			rc = cli_fail_staged(st, &outs[0]);
			cli_atomic_commit(outs, 2, false);
			return rc;
		}
		return cli_atomic_commit(outs, 2, true);
	}
}

enum { OPT_DELIM = 2000, OPT_FORMAT, OPT_COLUMNS };

static const cli_option inspect_options[] = {
	{"delimiter", OPT_DELIM, "C", "CSV field separator (default ',')"},
	{"format", OPT_FORMAT, "F", "csv or arff (default: told apart by content)"},
	{"columns", OPT_COLUMNS, "A,B,...", "describe only these columns"},
	{NULL, 0, NULL, NULL},
};

/* Print each column's type, missing count and range or levels. */
static int inspect(int argc, char **argv)
{
	cli_parser p;
	const char *arg, *format = NULL, *columns = NULL;
	char **names = NULL;
	size_t nnames = 0, *cols = NULL, ncols;
	candor_csv_options opts = CANDOR_CSV_OPTIONS_INIT;
	candor_table *t = NULL;
	candor_status st;
	int c, rc = CLI_EXIT_OK;

	cli_parser_init(&p, "datasets inspect", "candor datasets inspect [--delimiter C] [--columns A,B] FILE",
	                "Read a CSV or ARFF file and describe its columns: the inferred type, the\n"
	                "number of missing values, the range of numbers and the categories.\n"
	                "A malformed file gets 'candor: FILE:LINE:COL: what is wrong' and exit 2.",
	                inspect_options);
	p.operands = true;
	while ((c = cli_next(&p, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'h':
			return CLI_EXIT_OK;
		case OPT_DELIM:
			if (strlen(arg) != 1)
				return cli_usage_error(&p, "--delimiter wants one character, not '%s'", arg);
			opts.delimiter = arg[0];
			break;
		case OPT_FORMAT:
			format = arg;
			break;
		case OPT_COLUMNS:
			columns = arg;
			break;
		default:
			return CLI_EXIT_USAGE;
		}
	}
	/* cli_next stops at the first operand; take exactly one */
	if (optind >= argc)
		return cli_usage_error(&p, "no file given");
	if (optind + 1 < argc)
		return cli_usage_error(&p, "unexpected argument '%s'", argv[optind + 1]);
	if (!format)
		st = candor_table_read(&t, argv[optind], &opts); /* CSV or ARFF, by content */
	else if (strcmp(format, "arff") == 0)
		st = candor_arff_read(&t, argv[optind]);
	else if (strcmp(format, "csv") == 0)
		st = candor_csv_read(&t, argv[optind], &opts);
	else
		return cli_usage_error(&p, "unknown --format '%s' (known: csv, arff)", format);
	if (st)
		return cli_fail(st);
	ncols = candor_table_ncols(t);
	if (columns) {
		names = cli_split(columns, ',', &nnames);
		cols = malloc((nnames ? nnames : 1) * sizeof(*cols));
		if (!names || !cols) {
			fprintf(stderr, "candor: out of memory\n");
			rc = CLI_EXIT_INTERNAL;
			goto done;
		}
		for (size_t k = 0; k < nnames; k++) {
			if ((st = candor_table_find(t, names[k], &cols[k]))) {
				rc = cli_fail(st);
				goto done;
			}
		}
		ncols = nnames;
	}
	printf("%s: %zu rows, %zu columns\n", argv[optind], candor_table_nrows(t),
	       candor_table_ncols(t));
	for (size_t jj = 0; jj < ncols; jj++) {
		const size_t j = cols ? cols[jj] : jj;
		candor_column_summary sum;

		if ((st = candor_table_summarize(t, j, &sum))) {
			rc = cli_fail(st);
			goto done;
		}
		if (candor_table_coltype(t, j) == CANDOR_COL_NUMERIC) {
			printf("  %-24s numeric      missing %-8zu", candor_table_colname(t, j),
			       sum.missing);
			if (sum.present)
				printf(" range [%.6g, %.6g]", sum.min, sum.max);
			printf("\n");
		} else {
			const size_t k = sum.nlevels;

			printf("  %-24s categorical  missing %-8zu %zu levels:", candor_table_colname(t, j),
			       sum.missing, k);
			for (size_t l = 0; l < k && l < 8; l++)
				printf(" %s%s", candor_table_level(t, j, (int32_t)l), l + 1 < k ? "," : "");
			printf("%s\n", k > 8 ? " ..." : "");
		}
	}
done:
	free(names);
	free(cols);
	candor_table_free(t);
	return rc;
}

int cmd_datasets(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		FILE *f = argc < 2 ? stderr : stdout;

		fprintf(f, "usage: candor datasets synth --kind credit [--rows N] [--seed S] --out D.csv\n"
		           "       candor datasets inspect [--delimiter C] FILE\n\n"
		           "subcommands:\n"
		           "  synth     generate a synthetic dataset with planted bias\n"
		           "  inspect   read a CSV or ARFF file and describe its columns\n\n"
		           "'candor datasets SUB --help' describes its options.\n");
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "synth") == 0)
		return synth(argc - 1, argv + 1);
	if (strcmp(argv[1], "inspect") == 0)
		return inspect(argc - 1, argv + 1);
	fprintf(stderr, "candor datasets: unknown subcommand '%s'; see 'candor datasets --help'\n",
	        argv[1]);
	return CLI_EXIT_USAGE;
}
