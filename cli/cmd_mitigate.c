/*
 * cmd_mitigate.c - `candor mitigate`: the group thresholds that satisfy a
 * parity constraint at the least cost in accuracy, the reweighing weights,
 * and the metrics before and after on the fitting data and on held-out
 * data. Parses arguments and calls candor_mitigate_run(); the JSON and the
 * weight column are written under temporary names and renamed only when
 * both are complete, so a failed run leaves neither.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

enum {
	OPT_DATA = 1000, OPT_LABEL, OPT_SCORE, OPT_SENSITIVE, OPT_CONSTRAINT, OPT_POLICY,
	OPT_OBJECTIVE, OPT_EVAL, OPT_SPLIT, OPT_SEED, OPT_JSON, OPT_REWEIGH, OPT_FAVORABLE,
	OPT_THRESHOLD, OPT_THREADS
};

static const cli_option options[] = {
	{"data", OPT_DATA, "D.csv", "the data to fit on: CSV or ARFF (told apart by content); required"},
	{"label", OPT_LABEL, "COL", "the true outcome column; required"},
	{"score", OPT_SCORE, "COL", "the model's score column (higher = favourable); required"},
	{"sensitive", OPT_SENSITIVE, "A[,B]", "sensitive columns; groups are their combinations"},
	{"constraint", OPT_CONSTRAINT, "C",
	 "demographic_parity, equalized_odds, equal_opportunity, policy or none; required"},
	{"objective", OPT_OBJECTIVE, "O", "accuracy (default) or balanced_accuracy"},
	{"eval-data", OPT_EVAL, "E.csv", "evaluate on this file (same columns)"},
	{"split", OPT_SPLIT, "F", "hold out a fraction F in (0, 1) of --data's rows for evaluation"},
	{"seed", OPT_SEED, "S", "seed of the split and of the randomised decisions (default 1)"},
	{"json", OPT_JSON, "OUT.json", "write the rule and the metrics here; required"},
	{"reweigh-out", OPT_REWEIGH, "W.csv", "write the reweighing weight of each row of --data"},
	{"favorable", OPT_FAVORABLE, "VALUE", "the favourable value of the label (default 1)"},
	{"threshold", OPT_THRESHOLD, "T", "the decision before mitigation: score >= T (default 0.5)"},
	{"threads", OPT_THREADS, "T", "threads (default: all); results never depend on it"},
	{"policy", OPT_POLICY, "P.json",
	 "with --constraint policy: meet this policy's (linear) checks; judged before and after"},
	{NULL, 0, NULL, NULL},
};

typedef struct args {
	const char *data, *label, *score, *sensitive, *constraint, *objective, *eval, *json,
	    *reweigh, *favorable, *policy;
	bool have_split, have_threshold, have_seed;
	candor_mitigate_options o;
} args;

static int parse_args(cli_parser *p, args *a, int argc, char **argv)
{
	const char *arg;
	int c;

	while ((c = cli_next(p, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'h': return -1;
		case OPT_DATA: a->data = arg; break;
		case OPT_LABEL: a->label = arg; break;
		case OPT_SCORE: a->score = arg; break;
		case OPT_SENSITIVE: a->sensitive = arg; break;
		case OPT_CONSTRAINT: a->constraint = arg; break;
		case OPT_OBJECTIVE: a->objective = arg; break;
		case OPT_EVAL: a->eval = arg; break;
		case OPT_JSON: a->json = arg; break;
		case OPT_REWEIGH: a->reweigh = arg; break;
		case OPT_FAVORABLE: a->favorable = arg; break;
		case OPT_POLICY: a->policy = arg; break;
		case OPT_SPLIT:
			if (!cli_parse_double(p, "split", arg, 0.0, 1.0, CLI_OPEN_MIN | CLI_OPEN_MAX, &a->o.split))
				return CLI_EXIT_USAGE;
			if (!(a->o.split > 0.0 && a->o.split < 1.0))
				return cli_usage_error(p, "--split wants a fraction in (0, 1), not '%s'", arg);
			a->have_split = true;
			break;
		case OPT_THRESHOLD:
			if (!cli_parse_double(p, "threshold", arg, -HUGE_VAL, HUGE_VAL, CLI_OPEN_MIN | CLI_OPEN_MAX, &a->o.threshold))
				return CLI_EXIT_USAGE;
			if (a->o.threshold == 0.0)
				return cli_usage_error(p, "--threshold 0 makes every decision favourable");
			a->have_threshold = true;
			a->o.threshold_set = true;
			break;
		case OPT_SEED:
			if (!cli_parse_u64(p, "seed", arg, 0, UINT64_MAX, &a->o.seed))
				return CLI_EXIT_USAGE;
			a->have_seed = true;
			break;
		case OPT_THREADS: {
			size_t t;

			if (!cli_parse_size(p, "threads", arg, 1, CLI_THREADS_MAX, &t))
				return CLI_EXIT_USAGE;
			if (t < 1 || t > 1024)
				return cli_usage_error(p, "--threads wants 1 to 1024");
			a->o.threads = (int)t;
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
	if (!a->score)
		return cli_usage_error(p, "--score is required");
	if (!a->sensitive || !a->sensitive[0])
		return cli_usage_error(p, "--sensitive is required");
	if (!a->json)
		return cli_usage_error(p, "--json is required");
	if (!a->constraint)
		return cli_usage_error(p, "--constraint is required");
	if (strcmp(a->constraint, "demographic_parity") == 0)
		a->o.constraint = CANDOR_MITIGATE_DEMOGRAPHIC_PARITY;
	else if (strcmp(a->constraint, "equalized_odds") == 0)
		a->o.constraint = CANDOR_MITIGATE_EQUALIZED_ODDS;
	else if (strcmp(a->constraint, "equal_opportunity") == 0)
		a->o.constraint = CANDOR_MITIGATE_EQUAL_OPPORTUNITY;
	else if (strcmp(a->constraint, "none") == 0)
		a->o.constraint = CANDOR_MITIGATE_NONE;
	else if (strcmp(a->constraint, "policy") == 0)
		a->o.constraint = CANDOR_MITIGATE_POLICY;
	else
		return cli_usage_error(p, "--constraint wants demographic_parity, equalized_odds, "
		                          "equal_opportunity, policy or none, not '%s'", a->constraint);
	if (a->policy && a->o.constraint != CANDOR_MITIGATE_POLICY)
		return cli_usage_error(p, "--policy applies only with --constraint policy");
	if (!a->policy && a->o.constraint == CANDOR_MITIGATE_POLICY)
		return cli_usage_error(p, "--constraint policy needs --policy P.json");
	if (a->objective) {
		if (strcmp(a->objective, "accuracy") == 0)
			a->o.objective = CANDOR_MITIGATE_ACCURACY;
		else if (strcmp(a->objective, "balanced_accuracy") == 0)
			a->o.objective = CANDOR_MITIGATE_BALANCED_ACCURACY;
		else
			return cli_usage_error(p, "--objective wants accuracy or balanced_accuracy, "
			                          "not '%s'", a->objective);
	}
	if (a->eval && a->have_split)
		return cli_usage_error(p, "give --eval-data or --split, not both");
	return CLI_EXIT_OK;
}

static candor_status read_table(candor_table **t, const char *path)
{
	return candor_table_read(t, path, NULL); /* CSV or ARFF, by content */
}

int cmd_mitigate(int argc, char **argv)
{
	cli_parser p;
	args a;
	candor_table *data = NULL, *eval = NULL;
	candor_mitigate_result *res = NULL;
	candor_fairness_policy *policy = NULL;
	cli_atomic jout = {0}, wout = {0};
	char **sens = NULL, *json = NULL;
	size_t nsens = 0, jlen = 0;
	candor_status st;
	int rc;

	memset(&a, 0, sizeof(a));
	a.o = (candor_mitigate_options)CANDOR_MITIGATE_OPTIONS_INIT;
	a.o.seed = 1;
	cli_parser_init(&p, "mitigate",
	                "candor mitigate --data D.csv --label COL --score COL --sensitive A[,B]\n"
	                "                --constraint demographic_parity|equalized_odds|"
	                "equal_opportunity|policy\n"
	                "                [--policy P.json]\n"
	                "                [--objective accuracy|balanced_accuracy]\n"
	                "                [--eval-data E.csv | --split F [--seed S]]\n"
	                "                --json OUT.json [--reweigh-out W.csv]",
	                "What it would take to pass: per group, the (possibly randomised) score\n"
	                "thresholds that maximise accuracy or balanced accuracy subject to the\n"
	                "constraint, found exactly from the groups' ROC convex hulls; the\n"
	                "reweighing weights that make label and group independent; and the\n"
	                "metrics before and after, with intervals, on the fitting data and on\n"
	                "the evaluation data. A randomised rule must be deployed as such.\n"
	                "Exit 0, or 1 when the constraint does not hold on the evaluation data;\n"
	                "2 for bad input. Algorithms and the JSON: docs/mitigation.md.",
	                options);
	rc = parse_args(&p, &a, argc, argv);
	if (rc == -1) {
		rc = CLI_EXIT_OK;
		goto done;
	}
	if (rc != CLI_EXIT_OK)
		goto done;
	sens = cli_split(a.sensitive, ',', &nsens);
	if (!sens) {
		fprintf(stderr, "candor: out of memory\n");
		rc = CLI_EXIT_INTERNAL;
		goto done;
	}
	if (a.policy) {
		if ((st = candor_fairness_policy_read(&policy, a.policy)) != CANDOR_OK) {
			rc = cli_fail(st);
			goto done;
		}
		a.o.policy = policy;
	}
	if ((st = read_table(&data, a.data)) != CANDOR_OK ||
	    (a.eval && (st = read_table(&eval, a.eval)) != CANDOR_OK)) {
		rc = cli_fail(st);
		goto done;
	}
	{
		candor_mitigate_columns cols = CANDOR_MITIGATE_COLUMNS_INIT;

		cols.label = a.label;
		cols.score = a.score;
		cols.sensitive = (const char *const *)sens;
		cols.nsensitive = nsens;
		cols.favorable = a.favorable;
		cols.source = a.data;
		cols.eval_source = a.eval;
		if ((st = candor_mitigate_run(&res, data, eval, &cols, &a.o)) != CANDOR_OK ||
		    (st = candor_mitigate_result_json(res, &json, &jlen)) != CANDOR_OK) {
			rc = cli_fail(st);
			goto done;
		}
	}
	if (!cli_atomic_open(&jout, a.json)) {
		rc = CLI_EXIT_USAGE;
		goto done;
	}
	fwrite(json, 1, jlen, jout.f);
	if (a.reweigh) {
		const candor_mitigate_view *v = candor_mitigate_result_view(res);

		if (!cli_atomic_open(&wout, a.reweigh)) {
			rc = CLI_EXIT_USAGE;
			goto done;
		}
		fputs("weight\n", wout.f);
		for (size_t i = 0; i < v->nrows; i++)
			fprintf(wout.f, "%.17g\n", v->row_weights[i]);
	}
	if (a.reweigh && (rc = cli_atomic_close(&wout, true)) != CLI_EXIT_OK)
		goto done;
	if ((rc = cli_atomic_close(&jout, true)) != CLI_EXIT_OK)
		goto done;
	{
		const candor_mitigate_view *v = candor_mitigate_result_view(res);

		rc = CLI_EXIT_OK;
		if (v->has_eval && !v->eval.constraint_holds) {
			fprintf(stderr, "candor: mitigate: the constraint does not hold on the "
			                "evaluation data: %s\n", v->eval.violation);
			rc = CLI_EXIT_POLICY;
		}
	}
done:
	cli_atomic_close(&wout, false);
	cli_atomic_close(&jout, false);
	free(sens);
	free(json);
	candor_mitigate_result_free(res);
	candor_fairness_policy_free(policy);
	candor_table_free(data);
	candor_table_free(eval);
	return rc;
}
