/*
 * cmd_fairness.c - `candor fairness`: group fairness of a classifier's
 * decisions from a data file. Parses arguments, calls libcandor's fairness
 * module (the same accumulator path a monitoring service uses), prints the
 * table on stdout and writes the JSON and the workbook (the report module's
 * workbook of a fairness-only audit document); exit 1 when a policy check
 * fails. Outputs are written under temporary names and renamed together at
 * the end (cli_atomic_commit): a failed run leaves neither file, nor harms
 * an earlier one.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

enum {
	OPT_DATA = 1000, OPT_LABEL, OPT_PRED, OPT_SCORE, OPT_SENSITIVE, OPT_INTERSECT,
	OPT_REFERENCE, OPT_FAVORABLE, OPT_THRESHOLD, OPT_POLICY, OPT_CI, OPT_BOOTSTRAP,
	OPT_SEED, OPT_JSON, OPT_XLSX, OPT_THREADS, OPT_QUIET, OPT_PRED_FAVORABLE,
	OPT_P_ADJUST
};

static const cli_option options[] = {
	{"data", OPT_DATA, "D.csv", "the data: CSV or ARFF (told apart by content); required"},
	{"label", OPT_LABEL, "COL", "the true outcome column; required"},
	{"pred", OPT_PRED, "COL", "the decision column (or give --score and --threshold)"},
	{"score", OPT_SCORE, "COL", "a probability column: adds auc, brier, ece, mean_score"},
	{"sensitive", OPT_SENSITIVE, "A[,B...]", "sensitive attribute columns; required"},
	{"intersect", OPT_INTERSECT, NULL, "also audit every combination of the attributes (A&B)"},
	{"reference", OPT_REFERENCE, "A=GROUP",
	 "reference group of A (repeatable); GROUP may be @largest (default) or @favoured"},
	{"favorable", OPT_FAVORABLE, "VALUE",
	 "the favourable value of label (and pred); default: the column holds 0/1 or true/false"},
	{"pred-favorable", OPT_PRED_FAVORABLE, "VALUE",
	 "the favourable value of pred when it differs from --favorable's"},
	{"threshold", OPT_THRESHOLD, "T",
	 "without --pred: decision = score >= T, any finite T (default 0.5)"},
	{"policy", OPT_POLICY, "P.json", "policy checks; exit 1 when one fails"},
	{"ci", OPT_CI, "wilson|bootstrap", "interval method (default wilson)"},
	{"bootstrap", OPT_BOOTSTRAP, "N", "bootstrap replicates (default 1000)"},
	{"seed", OPT_SEED, "S", "bootstrap seed (default 1)"},
	{"p-adjust", OPT_P_ADJUST, "holm|bh|none",
	 "adjust disparity p-values per attribute and metric (default holm); raw ones are kept"},
	{"json", OPT_JSON, "OUT.json", "write the JSON result here"},
	{"xlsx", OPT_XLSX, "OUT.xlsx",
	 "write the workbook here (sheets as audit.xlsx's, without the explanations)"},
	{"threads", OPT_THREADS, "T", "threads (default: all); results never depend on it"},
	{"quiet", OPT_QUIET, NULL, "do not print the table"},
	{NULL, 0, NULL, NULL},
};

typedef struct args {
	const char *data, *label, *pred, *score, *sensitive, *favorable, *pred_favorable;
	const char *policy, *json, *xlsx;
	bool intersect, quiet, have_threshold;
	double threshold;
	candor_fairness_ci ci;
	candor_fairness_p_adjust p_adjust;
	size_t bootstrap;
	uint64_t seed;
	int threads;
	candor_fairness_reference refs[32];
	char *refbuf[32];
	size_t nrefs;
} args;

static int parse_reference(cli_parser *p, args *a, const char *text)
{
	const char *eq = strchr(text, '=');
	char *copy;

	if (!eq || eq == text || !eq[1])
		return cli_usage_error(p, "--reference wants ATTRIBUTE=GROUP, not '%s'", text);
	if (a->nrefs == sizeof(a->refs) / sizeof(a->refs[0]))
		return cli_usage_error(p, "too many --reference options");
	copy = strdup(text);
	if (!copy) {
		fprintf(stderr, "candor: out of memory\n");
		return CLI_EXIT_INTERNAL;
	}
	copy[eq - text] = '\0';
	a->refbuf[a->nrefs] = copy;
	a->refs[a->nrefs].attribute = copy;
	a->refs[a->nrefs].group = copy + (eq - text) + 1;
	if (strcmp(a->refs[a->nrefs].group, "@largest") == 0)
		a->refs[a->nrefs].mode = CANDOR_FAIRNESS_REF_LARGEST;
	else if (strcmp(a->refs[a->nrefs].group, "@favoured") == 0 ||
	         strcmp(a->refs[a->nrefs].group, "@favored") == 0)
		a->refs[a->nrefs].mode = CANDOR_FAIRNESS_REF_FAVOURED;
	else
		a->refs[a->nrefs].mode = CANDOR_FAIRNESS_REF_NAMED;
	a->nrefs++;
	return CLI_EXIT_OK;
}

static int parse_args(cli_parser *p, args *a, int argc, char **argv)
{
	const char *arg;
	int c, rc;

	while ((c = cli_next(p, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'h': return -1;
		case OPT_DATA: a->data = arg; break;
		case OPT_LABEL: a->label = arg; break;
		case OPT_PRED: a->pred = arg; break;
		case OPT_SCORE: a->score = arg; break;
		case OPT_SENSITIVE: a->sensitive = arg; break;
		case OPT_INTERSECT: a->intersect = true; break;
		case OPT_FAVORABLE: a->favorable = arg; break;
		case OPT_PRED_FAVORABLE: a->pred_favorable = arg; break;
		case OPT_POLICY: a->policy = arg; break;
		case OPT_JSON: a->json = arg; break;
		case OPT_XLSX: a->xlsx = arg; break;
		case OPT_QUIET: a->quiet = true; break;
		case OPT_REFERENCE:
			if ((rc = parse_reference(p, a, arg)) != CLI_EXIT_OK)
				return rc;
			break;
		case OPT_THRESHOLD:
			if (!cli_parse_double(p, "threshold", arg,
			                      -HUGE_VAL, HUGE_VAL, CLI_OPEN_MIN | CLI_OPEN_MAX, &a->threshold))
				return CLI_EXIT_USAGE;
			if (!isfinite(a->threshold))
				return cli_usage_error(p, "--threshold wants a finite number, not '%s'",
				                       arg);
			a->have_threshold = true;
			break;
		case OPT_CI:
			if (strcmp(arg, "wilson") == 0)
				a->ci = CANDOR_FAIRNESS_CI_WILSON;
			else if (strcmp(arg, "bootstrap") == 0)
				a->ci = CANDOR_FAIRNESS_CI_BOOTSTRAP;
			else
				return cli_usage_error(p, "--ci wants wilson or bootstrap, not '%s'", arg);
			break;
		case OPT_P_ADJUST:
			if (strcmp(arg, "holm") == 0)
				a->p_adjust = CANDOR_FAIRNESS_P_HOLM;
			else if (strcmp(arg, "bh") == 0)
				a->p_adjust = CANDOR_FAIRNESS_P_BH;
			else if (strcmp(arg, "none") == 0)
				a->p_adjust = CANDOR_FAIRNESS_P_NONE;
			else
				return cli_usage_error(p, "--p-adjust wants holm, bh or none, not '%s'",
				                       arg);
			break;
		case OPT_BOOTSTRAP:
			if (!cli_parse_size(p, "bootstrap", arg, CLI_BOOTSTRAP_MIN, CLI_BOOTSTRAP_MAX,
			                    &a->bootstrap))
				return CLI_EXIT_USAGE;
			break;
		case OPT_SEED:
			if (!cli_parse_u64(p, "seed", arg, 0, UINT64_MAX, &a->seed))
				return CLI_EXIT_USAGE;
			break;
		case OPT_THREADS: {
			size_t t;

			if (!cli_parse_size(p, "threads", arg, 1, CLI_THREADS_MAX, &t))
				return CLI_EXIT_USAGE;
			a->threads = (int)t;
			break;
		}
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if (!a->data)
		return cli_usage_error(p, "--data is required");
	if (!a->label)
		return cli_usage_error(p, "--label is required");
	if (!a->sensitive || !a->sensitive[0])
		return cli_usage_error(p, "--sensitive is required");
	if (!a->pred && !a->score)
		return cli_usage_error(p, "give --pred, or --score (with --threshold)");
	if (a->have_threshold && a->pred)
		return cli_usage_error(p, "--threshold applies only without --pred");
	if (a->pred_favorable && !a->pred)
		return cli_usage_error(p, "--pred-favorable applies only with --pred");
	return CLI_EXIT_OK;
}

int cmd_fairness(int argc, char **argv)
{
	cli_parser p;
	args a;
	candor_table *t = NULL;
	candor_fairness_policy *policy = NULL;
	candor_fairness_acc *acc = NULL;
	candor_fairness_result *res = NULL;
	candor_audit_doc *doc = NULL;
	cli_atomic outs[2] = {{0}}; /* --json, --xlsx */
	char **sens = NULL, *json = NULL, *cmdline = NULL;
	size_t nsens = 0, jlen = 0;
	candor_status st;
	int rc;

	memset(&a, 0, sizeof(a));
	a.seed = 1;
	cli_parser_init(&p, "fairness",
	                "candor fairness --data D.csv --label COL --pred COL [--score COL]\n"
	                "                --sensitive A[,B...] [--intersect] [--reference A=GROUP ...]\n"
	                "                [--favorable VALUE] [--pred-favorable VALUE]\n"
	                "                [--threshold T] [--policy P.json]\n"
	                "                [--ci wilson|bootstrap] [--bootstrap N] [--seed S]\n"
	                "                [--p-adjust holm|bh|none]\n"
	                "                [--json OUT.json] [--xlsx OUT.xlsx]",
	                "Group fairness of a binary classifier's decisions: per group and overall\n"
	                "the confusion counts and every group metric with its interval, each\n"
	                "group against its attribute's reference (difference, ratio, p-value),\n"
	                "the fairlearn and AIF360 summary metrics, and the policy's checks.\n"
	                "Exit 0 when the policy passes, 1 when a check fails, 2 for bad input.\n"
	                "Metric definitions: docs/fairness.md.",
	                options);
	rc = parse_args(&p, &a, argc, argv);
	if (rc == -1) {
		rc = CLI_EXIT_OK;
		goto done;
	}
	if (rc != CLI_EXIT_OK)
		goto done;
	{
		const cli_path paths[] = {
			{ "data", a.data, CLI_PATH_IN }, { "policy", a.policy, CLI_PATH_IN },
			{ "json", a.json, CLI_PATH_OUT }, { "xlsx", a.xlsx, CLI_PATH_OUT },
		};

		if ((rc = cli_check_paths(paths, sizeof(paths) / sizeof(paths[0]))) != CLI_EXIT_OK)
			goto done;
	}
	sens = cli_split(a.sensitive, ',', &nsens);
	if (!sens) {
		fprintf(stderr, "candor: out of memory\n");
		rc = CLI_EXIT_INTERNAL;
		goto done;
	}
	if (a.policy && (st = candor_fairness_policy_read(&policy, a.policy)) != CANDOR_OK) {
		rc = cli_fail(st);
		goto done;
	}
	st = candor_table_read(&t, a.data, NULL); /* CSV or ARFF, by content */
	if (st != CANDOR_OK) {
		rc = cli_fail(st);
		goto done;
	}
	{
		candor_fairness_columns cols = CANDOR_FAIRNESS_COLUMNS_INIT;

		cols.label = a.label;
		cols.pred = a.pred;
		cols.score = a.score;
		cols.sensitive = (const char *const *)sens;
		cols.nsensitive = nsens;
		cols.favorable = a.favorable;
		cols.pred_favorable = a.pred_favorable;
		cols.threshold = a.have_threshold ? a.threshold : 0.0;
		cols.threshold_set = a.have_threshold;
		cols.source = a.data;
		cols.threads = a.threads;
		if ((st = candor_fairness_acc_from_table(&acc, t, &cols)) != CANDOR_OK) {
			rc = cli_fail(st);
			goto done;
		}
	}
	candor_table_free(t);
	t = NULL;
	{
		candor_fairness_options opts = CANDOR_FAIRNESS_OPTIONS_INIT;

		opts.intersect = a.intersect;
		opts.references = a.refs;
		opts.nreferences = a.nrefs;
		opts.ci = a.ci;
		opts.p_adjust = a.p_adjust;
		opts.bootstrap = a.bootstrap;
		opts.seed = a.seed;
		opts.threads = a.threads;
		opts.policy = policy;
		if ((st = candor_fairness_compute(&res, acc, &opts)) != CANDOR_OK) {
			rc = cli_fail(st);
			goto done;
		}
	}
	/* both outputs are written to their temporaries first and renamed
	 * together at the end (cli_atomic_commit): a failure leaves neither,
	 * and an earlier pair untouched */
	if (a.json) {
		if ((st = candor_fairness_result_json(res, &json, &jlen)) != CANDOR_OK) {
			rc = cli_fail(st);
			goto done;
		}
		if (!cli_atomic_open(&outs[0], a.json)) {
			rc = CLI_EXIT_USAGE;
			goto done;
		}
		fwrite(json, 1, jlen, outs[0].f);
	}
	if (a.xlsx) {
		candor_audit_options man = CANDOR_AUDIT_OPTIONS_INIT;
		char when[32];
		const char *tmp;

		cmdline = cli_command_line(argc, argv); /* argv[0] is "fairness" */
		if (!cmdline) {
			fprintf(stderr, "candor: out of memory\n");
			rc = CLI_EXIT_INTERNAL;
			goto done;
		}
		cli_audit_time(when, sizeof(when));
		man.label = a.label;
		man.sensitive = (const char *const *)sens;
		man.nsensitive = nsens;
		man.seed = a.seed;
		man.threads = a.threads;
		man.command_line = cmdline;
		man.time = when;
		man.data_path = a.data;
		man.policy_path = a.policy;
		if (!(tmp = cli_atomic_stage(&outs[1], a.xlsx))) {
			rc = CLI_EXIT_USAGE;
			goto done;
		}
		st = candor_audit_doc_from_fairness(&doc, res, &man);
		if (st == CANDOR_OK)
			st = candor_report_workbook(doc, tmp);
		if (st != CANDOR_OK) {
			rc = cli_fail_staged(st, &outs[1]);
			goto done;
		}
	}
	if ((rc = cli_atomic_commit(outs, 2, true)) != CLI_EXIT_OK)
		goto done;
	if (!a.quiet)
		candor_fairness_result_write_text(res, stdout);
	rc = candor_fairness_result_view(res)->pass ? CLI_EXIT_OK : CLI_EXIT_POLICY;
done:
	cli_atomic_commit(outs, 2, false); /* nothing to do once committed */
	for (size_t i = 0; i < a.nrefs; i++)
		free(a.refbuf[i]);
	free(sens);
	free(json);
	free(cmdline);
	candor_audit_doc_free(doc);
	candor_fairness_result_free(res);
	candor_fairness_acc_free(acc);
	candor_fairness_policy_free(policy);
	candor_table_free(t);
	return rc;
}
