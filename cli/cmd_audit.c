/*
 * cmd_audit.c - `candor audit`: one command from data, model and policy to
 * DIR/audit.json, DIR/audit.xlsx, DIR/report.pdf and DIR/charts/. Exit 0
 * when the policy passes, 1 when it fails, 2 for bad usage or input, 3 for
 * an internal error. `--demo` audits the bundled synthetic credit data and
 * its logistic model against a demo policy, with no input at all.
 *
 * The report folder is written by candor_report_write_dir(): built beside
 * DIR and swapped in at the end, so an earlier report survives a failure.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

enum {
	OPT_DATA = 1000, OPT_MODEL, OPT_LABEL, OPT_SENSITIVE, OPT_POLICY, OPT_EXPLAIN_ROWS,
	OPT_LIME_ROWS, OPT_FAVORABLE, OPT_THRESHOLD, OPT_SEED, OPT_THREADS, OPT_OUT, OPT_DEMO,
	OPT_ROWS
};

static const cli_option options[] = {
	{"data", OPT_DATA, "D.csv", "the data: CSV or ARFF (told apart by content)"},
	{"model", OPT_MODEL, "M", "the model file: XGBoost JSON, linear/logistic JSON or a plugin"},
	{"label", OPT_LABEL, "COL", "the true outcome column"},
	{"sensitive", OPT_SENSITIVE, "A[,B...]", "sensitive attribute columns"},
	{"policy", OPT_POLICY, "P.json", "policy checks; exit 1 when one fails (none: verdict pass)"},
	{"explain-rows", OPT_EXPLAIN_ROWS, "N", "rows explained with SHAP, spread evenly (default 200)"},
	{"lime-rows", OPT_LIME_ROWS, "N", "of those, rows also explained with LIME (default 3)"},
	{"favorable", OPT_FAVORABLE, "VALUE", "the favourable label value (default 1)"},
	{"threshold", OPT_THRESHOLD, "T", "decision: probability >= T (default 0.5)"},
	{"seed", OPT_SEED, "S", "seed of sampling and of the demo data (default 1)"},
	{"threads", OPT_THREADS, "T", "threads (default: all); results never depend on it"},
	{"out", OPT_OUT, "DIR", "the report folder; required"},
	{"demo", OPT_DEMO, NULL, "audit the bundled synthetic credit data and model"},
	{"rows", OPT_ROWS, "N", "with --demo: rows of synthetic data (default 10000)"},
	{NULL, 0, NULL, NULL},
};

/* The demo's policy: the four-fifths rule on selection rates and at most a
 * 0.1 gap in true positive rates (equal opportunity). */
static const char demo_policy[] =
	"{\"min_group_size\": 30, \"checks\": ["
	"{\"metric\": \"disparate_impact\", \"min\": 0.8},"
	"{\"metric\": \"selection_rate\", \"min_ratio\": 0.8},"
	"{\"metric\": \"tpr\", \"max_difference\": 0.1}]}";

int cmd_audit(int argc, char **argv)
{
	cli_parser p;
	const char *arg, *data = NULL, *model_path = NULL, *label = NULL, *sens = NULL;
	const char *policy_path = NULL, *out = NULL, *favorable = NULL;
	size_t explain_rows = 0, lime_rows = 0, rows = 10000, nsens = 0;
	uint64_t seed = 1, threads = 0;
	double threshold = 0;
	bool demo = false, have_rows = false, have_threshold = false;
	int c, rc = CLI_EXIT_INTERNAL;
	candor_table *table = NULL;
	candor_model *model = NULL;
	candor_fairness_policy *policy = NULL;
	candor_audit_doc *doc = NULL;
	char **sensitive = NULL, *cmdline = NULL, when[32], note[160];
	candor_status st;

	cli_parser_init(&p, "audit",
	                "candor audit --data D.csv --model M --label COL --sensitive A[,B] "
	                "[--policy P.json] [--explain-rows N] --out DIR\n"
	                "       candor audit --demo [--rows N] --out DIR",
	                "Audit a model: fairness of its decisions across groups, explanations of its\n"
	                "predictions, and a report folder DIR with audit.json, audit.xlsx, report.pdf\n"
	                "and charts/ (PNG and SVG). The folder is replaced whole, only at the end.\n"
	                "Exit 0 when the policy passes, 1 when it fails, 2 for bad input, 3 internal.",
	                options);
	while ((c = cli_next(&p, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'h':
			return CLI_EXIT_OK;
		case '?':
			return CLI_EXIT_USAGE;
		case OPT_DATA: data = arg; break;
		case OPT_MODEL: model_path = arg; break;
		case OPT_LABEL: label = arg; break;
		case OPT_SENSITIVE: sens = arg; break;
		case OPT_POLICY: policy_path = arg; break;
		case OPT_FAVORABLE: favorable = arg; break;
		case OPT_OUT: out = arg; break;
		case OPT_DEMO: demo = true; break;
		case OPT_EXPLAIN_ROWS:
			if (!cli_parse_size(&p, "explain-rows", arg, 1, CLI_EXPLAIN_ROWS_MAX, &explain_rows))
				return CLI_EXIT_USAGE;
			break;
		case OPT_LIME_ROWS:
			if (!cli_parse_size(&p, "lime-rows", arg, 1, CLI_LIME_ROWS_MAX, &lime_rows))
				return CLI_EXIT_USAGE;
			break;
		case OPT_ROWS:
			if (!cli_parse_size(&p, "rows", arg, CLI_DEMO_ROWS_MIN, CLI_SYNTH_ROWS_MAX, &rows))
				return CLI_EXIT_USAGE;
			have_rows = true;
			break;
		case OPT_SEED:
			if (!cli_parse_u64(&p, "seed", arg, 0, UINT64_MAX, &seed))
				return CLI_EXIT_USAGE;
			break;
		case OPT_THREADS:
			if (!cli_parse_u64(&p, "threads", arg, 1, CLI_THREADS_MAX, &threads))
				return CLI_EXIT_USAGE;
			break;
		case OPT_THRESHOLD:
			if (!cli_parse_double(&p, "threshold", arg,
			                      -HUGE_VAL, HUGE_VAL, CLI_OPEN_MIN | CLI_OPEN_MAX, &threshold))
				return CLI_EXIT_USAGE;
			if (!(threshold > 0 && threshold < 1))
				return cli_usage_error(&p, "--threshold must lie strictly between 0 and 1");
			have_threshold = true;
			break;
		default:
			return cli_usage_error(&p, "unhandled option");
		}
	}
	if (!out)
		return cli_usage_error(&p, "--out DIR is required");
	if (demo && (data || model_path || label || sens))
		return cli_usage_error(&p, "--demo takes no --data, --model, --label or --sensitive");
	if (!demo && (!data || !model_path || !label || !sens))
		return cli_usage_error(&p, "--data, --model, --label and --sensitive are required (or --demo)");
	if (have_rows && !demo)
		return cli_usage_error(&p, "--rows is for --demo; --data gives the rows");

	{
		const cli_path paths[] = { { "data", data, CLI_PATH_IN }, { "model", model_path, CLI_PATH_IN },
		                           { "policy", policy_path, CLI_PATH_IN },
		                           { "out", out, CLI_PATH_OUT_DIR } };

		const int prc = cli_check_paths(paths, 4);

		if (prc != CLI_EXIT_OK)
			return prc;
	}
	if (demo) {
		const char *mj = candor_synth_credit_model_json();
		st = candor_synth_generate(&table, CANDOR_SYNTH_CREDIT, rows, seed);
		if (st == CANDOR_OK)
			st = candor_model_load_buffer(&model, mj, strlen(mj), "<bundled credit model>");
		if (st == CANDOR_OK && !policy_path)
			st = candor_fairness_policy_parse(&policy, demo_policy, strlen(demo_policy),
			                                  "<demo policy>");
		label = "label";
		sens = "sex,race";
		snprintf(note, sizeof(note),
		         "synthetic credit data, %zu rows, seed %llu (candor datasets synth)", rows,
		         (unsigned long long)seed);
	} else {
		st = candor_table_read(&table, data, NULL); /* CSV or ARFF, by content */
		if (st == CANDOR_OK)
			st = candor_model_load(&model, model_path);
	}
	if (st == CANDOR_OK && policy_path)
		st = candor_fairness_policy_read(&policy, policy_path);
	if (st) {
		rc = cli_fail(st);
		goto done;
	}
	sensitive = cli_split(sens, ',', &nsens);
	cmdline = cli_command_line(argc, argv); /* argv[0] is "audit" */
	if (!sensitive || !cmdline) {
		fprintf(stderr, "candor: out of memory\n");
		goto done;
	}
	cli_audit_time(when, sizeof(when));

	candor_audit_options o = CANDOR_AUDIT_OPTIONS_INIT;
	o.label = label;
	o.sensitive = (const char *const *)sensitive;
	o.nsensitive = nsens;
	o.favorable = favorable;
	o.threshold = threshold;
	o.threshold_set = have_threshold;
	o.policy = policy;
	o.explain_rows = explain_rows;
	o.lime_rows = lime_rows;
	o.seed = seed;
	o.threads = (int)threads;
	o.command_line = cmdline;
	o.time = when;
	o.data_path = demo ? NULL : data;
	o.data_note = demo ? note : NULL;
	o.model_path = demo ? NULL : model_path;
	o.model_text = demo ? candor_synth_credit_model_json() : NULL;
	o.policy_path = policy_path;
	st = candor_audit_run(&doc, table, model, &o);
	if (st == CANDOR_OK)
		st = candor_report_write_dir(doc, out);
	if (st) {
		rc = cli_fail(st);
		goto done;
	}
	rc = candor_audit_doc_passed(doc) ? CLI_EXIT_OK : CLI_EXIT_POLICY;
	fprintf(stderr, "candor audit: verdict %s; report in %s/\n", rc ? "FAIL" : "pass", out);
done:
	candor_audit_doc_free(doc);
	candor_fairness_policy_free(policy);
	candor_model_free(model);
	candor_table_free(table);
	free(sensitive);
	free(cmdline);
	return rc;
}
