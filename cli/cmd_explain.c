/*
 * cmd_explain.c - `candor explain`: SHAP values or LIME weights of a model's
 * predictions, written as the CSV of DESIGN.md (and optionally JSON).
 *
 * The command reads the data, loads the model (or starts --model-cmd),
 * binds the model's features to the data's columns, builds the background,
 * runs one explainer handle of libcandor (every method, TreeSHAP included),
 * and writes the outputs together: all of --out, --json and --interactions
 * appear, or none does (commit_outputs). No numerics here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

enum {
	OPT_MODEL = 1000, OPT_MODEL_CMD, OPT_DATA, OPT_FEATURES, OPT_ROWS, OPT_METHOD,
	OPT_BACKGROUND, OPT_BACKGROUND_SIZE, OPT_SUMMARIZE, OPT_NSAMPLES, OPT_LINK, OPT_SEED,
	OPT_THREADS, OPT_OUT, OPT_JSON, OPT_TARGET_SE, OPT_TIMEOUT, OPT_LIME_SAMPLING,
	OPT_LIME_SELECTION, OPT_LIME_FEATURES, OPT_KERNEL_WIDTH, OPT_MODEL_BATCH, OPT_INTERACTIONS,
	OPT_TREE_MODE
};

static const cli_option options[] = {
	{"model", OPT_MODEL, "M", "model file: XGBoost JSON, linear/logistic JSON or a plugin (.so)"},
	{"model-cmd", OPT_MODEL_CMD, "'CMD'", "a command serving predictions (docs/explain.md)"},
	{"data", OPT_DATA, "D.csv", "the rows to explain (and the default background)"},
	{"features", OPT_FEATURES, "f1,f2...", "the model's features, for --model-cmd (default: all columns)"},
	{"rows", OPT_ROWS, "A:B", "explain rows A..B-1 (0-based; default all)"},
	{"method", OPT_METHOD, "NAME", "exact|kernel|permutation|tree|linear|lime (default: tree for "
	                               "XGBoost, linear for linear/logistic, else kernel)"},
	{"background", OPT_BACKGROUND, "B.csv", "background rows (default: drawn from --data); "
	                                        "with tree: interventional TreeSHAP against them"},
	{"tree-mode", OPT_TREE_MODE, "MODE", "tree: path-dependent (default without --background) "
	                                     "or interventional (needs --background)"},
	{"background-size", OPT_BACKGROUND_SIZE, "K", "background rows drawn from --data (default 100)"},
	{"summarize", OPT_SUMMARIZE, "HOW", "sample (default) or kmeans: how the K rows are chosen"},
	{"nsamples", OPT_NSAMPLES, "N", "budget per row: coalitions (kernel), coalition values "
	                                "(permutation), samples (lime)"},
	{"link", OPT_LINK, "NAME", "identity|logit (default: logit for linear SHAP of a logistic "
	                           "model, else identity)"},
	{"seed", OPT_SEED, "S", "random seed (default 0); results do not depend on --threads"},
	{"threads", OPT_THREADS, "T", "threads (default: all cores)"},
	{"target-stderr", OPT_TARGET_SE, "E", "kernel: stop sampling a row once every SE <= E"},
	{"model-timeout", OPT_TIMEOUT, "SEC", "--model-cmd: give up when a request is not answered "
	                                      "in full within SEC s (60)"},
	{"model-batch", OPT_MODEL_BATCH, "N", "--model-cmd: rows per request (default 65536)"},
	{"lime-sampling", OPT_LIME_SAMPLING, "HOW", "quartile (default) or continuous"},
	{"lime-selection", OPT_LIME_SELECTION, "HOW", "auto|none|highest|forward|lasso (default auto)"},
	{"lime-features", OPT_LIME_FEATURES, "N", "features kept by the selection (default 10)"},
	{"kernel-width", OPT_KERNEL_WIDTH, "W", "LIME kernel width (default 0.75 sqrt(M))"},
	{"out", OPT_OUT, "OUT.csv", "the explanation CSV"},
	{"json", OPT_JSON, "OUT.json", "also write the explanation as JSON"},
	{"interactions", OPT_INTERACTIONS, "OUT.csv", "tree: also write SHAP interaction values "
	                                              "(layout: candor/treeshap.h)"},
	{NULL, 0, NULL, NULL},
};

typedef struct args {
	const char *model, *model_cmd, *data, *features, *rows, *method, *background;
	const char *summarize, *link, *out, *json, *lime_sampling, *lime_selection;
	const char *interactions, *tree_mode;
	size_t background_size, nsamples, lime_features, model_batch;
	bool have_background_size;
	/* given on the command line (an option that cannot take effect is an error) */
	bool have_nsamples, have_seed, have_target_se, have_timeout, have_model_batch;
	bool have_lime_features, have_kernel_width;
	uint64_t seed, threads;
	double target_se, timeout, kernel_width;
} args;

static void on_progress(uint64_t done, uint64_t total, void *payload)
{
	(void)payload;
	cli_progress("explain", done, total);
}

static int pick(const cli_parser *p, const char *opt, const char *text, const char *const *names,
                int *out)
{
	for (int i = 0; names[i]; i++) {
		if (strcmp(text, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return cli_usage_error(p, "--%s: unknown value '%s'", opt, text);
}

/*
 * The outputs of one run appear together or not at all: each was written to
 * a temporary beside its target (cli_atomic_open), and cli_atomic_commit
 * checks them all, then swaps them in, undoing the earlier swaps if a later
 * one fails. With `commit` false every temporary is removed. Returns an exit
 * status.
 */
static int commit_outputs(cli_atomic *outs, const char *const *paths, size_t n, bool commit)
{
	(void)paths;
	return cli_atomic_commit(outs, n, commit);
}

/* Matrix of the model's features from `t` (all rows); NULL after printing. */
static double *feature_matrix(const candor_model *model, const candor_table *t, const char *path,
                              size_t **cols_out)
{
	size_t m = candor_model_nfeatures(model), n = candor_table_nrows(t);
	size_t *cols = calloc(m ? m : 1, sizeof(size_t));
	double *x;
	candor_status st;

	if (!cols) {
		fprintf(stderr, "candor: out of memory\n");
		return NULL;
	}
	st = candor_model_bind(model, t, cols);
	if (st != CANDOR_OK) {
		fprintf(stderr, "candor: %s: %s\n", path, candor_last_error()->message);
		free(cols);
		return NULL;
	}
	x = malloc((n ? n : 1) * (m ? m : 1) * sizeof(double));
	if (!x || candor_table_matrix(x, t, cols, m) != CANDOR_OK) {
		fprintf(stderr, "candor: %s: cannot build the feature matrix\n", path);
		free(x);
		free(cols);
		return NULL;
	}
	if (cols_out)
		*cols_out = cols;
	else
		free(cols);
	return x;
}

static int parse(cli_parser *p, int argc, char **argv, args *a)
{
	const char *arg;
	int c;

	memset(a, 0, sizeof(*a));
	a->background_size = 100;
	while ((c = cli_next(p, argc, argv, &arg)) != -1) {
		switch (c) {
		case 'h': return -1;
		case '?': return CLI_EXIT_USAGE;
		case OPT_MODEL: a->model = arg; break;
		case OPT_MODEL_CMD: a->model_cmd = arg; break;
		case OPT_DATA: a->data = arg; break;
		case OPT_FEATURES: a->features = arg; break;
		case OPT_ROWS: a->rows = arg; break;
		case OPT_METHOD: a->method = arg; break;
		case OPT_BACKGROUND: a->background = arg; break;
		case OPT_BACKGROUND_SIZE:
			if (!cli_parse_size(p, "background-size", arg, 1, CLI_BACKGROUND_MAX, &a->background_size))
				return CLI_EXIT_USAGE;
			a->have_background_size = true;
			break;
		case OPT_SUMMARIZE: a->summarize = arg; break;
		case OPT_NSAMPLES:
			if (!cli_parse_size(p, "nsamples", arg, 1, CLI_NSAMPLES_MAX, &a->nsamples))
				return CLI_EXIT_USAGE;
			a->have_nsamples = true;
			break;
		case OPT_LINK: a->link = arg; break;
		case OPT_SEED:
			if (!cli_parse_u64(p, "seed", arg, 0, UINT64_MAX, &a->seed))
				return CLI_EXIT_USAGE;
			a->have_seed = true;
			break;
		case OPT_THREADS:
			if (!cli_parse_u64(p, "threads", arg, 1, CLI_THREADS_MAX, &a->threads))
				return CLI_EXIT_USAGE;
			break;
		case OPT_TARGET_SE:
			if (!cli_parse_double(p, "target-stderr", arg,
			                      0, CLI_TARGET_STDERR_MAX, CLI_OPEN_MIN, &a->target_se))
				return CLI_EXIT_USAGE;
			a->have_target_se = true;
			break;
		case OPT_TIMEOUT:
			if (!cli_parse_double(p, "model-timeout", arg, 0, CLI_TIMEOUT_MAX, CLI_OPEN_MIN, &a->timeout))
				return CLI_EXIT_USAGE;
			a->have_timeout = true;
			break;
		case OPT_MODEL_BATCH:
			if (!cli_parse_size(p, "model-batch", arg, 1, CLI_MODEL_BATCH_MAX, &a->model_batch))
				return CLI_EXIT_USAGE;
			a->have_model_batch = true;
			break;
		case OPT_LIME_SAMPLING: a->lime_sampling = arg; break;
		case OPT_LIME_SELECTION: a->lime_selection = arg; break;
		case OPT_LIME_FEATURES:
			if (!cli_parse_size(p, "lime-features", arg, 1, CLI_LIME_FEATURES_MAX, &a->lime_features))
				return CLI_EXIT_USAGE;
			a->have_lime_features = true;
			break;
		case OPT_KERNEL_WIDTH:
			if (!cli_parse_double(p, "kernel-width", arg,
			                      0, CLI_KERNEL_WIDTH_MAX, CLI_OPEN_MIN, &a->kernel_width))
				return CLI_EXIT_USAGE;
			a->have_kernel_width = true;
			break;
		case OPT_OUT: a->out = arg; break;
		case OPT_JSON: a->json = arg; break;
		case OPT_INTERACTIONS: a->interactions = arg; break;
		case OPT_TREE_MODE: a->tree_mode = arg; break;
		default: return CLI_EXIT_USAGE;
		}
	}
	if (!a->data)
		return cli_usage_error(p, "--data is required");
	if (!a->out)
		return cli_usage_error(p, "--out is required");
	if (!a->model == !a->model_cmd)
		return cli_usage_error(p, "give exactly one of --model and --model-cmd");
	if (a->features && a->model)
		return cli_usage_error(p, "--features is for --model-cmd; a model file names its features");
	if (a->background && a->have_background_size)
		return cli_usage_error(p, "give --background or --background-size, not both");
	if (a->have_background_size && a->background_size == 0)
		return cli_usage_error(p, "--background-size must be at least 1");
	if (a->timeout < 0 || a->target_se < 0 || a->kernel_width < 0)
		return cli_usage_error(p, "timeouts, widths and standard errors must be >= 0");
	/* 0 would silently mean the library's default: not what was asked */
	if ((a->have_timeout && !(a->timeout > 0)) || (a->have_kernel_width && !(a->kernel_width > 0)))
		return cli_usage_error(p, "--%s must be > 0",
		                       a->have_timeout && !(a->timeout > 0) ? "model-timeout"
		                                                            : "kernel-width");
	if ((a->have_nsamples && a->nsamples == 0) || (a->have_lime_features && a->lime_features == 0) ||
	    (a->have_model_batch && a->model_batch == 0))
		return cli_usage_error(p, "--%s must be at least 1",
		                       a->have_nsamples && a->nsamples == 0 ? "nsamples"
		                       : a->have_lime_features && a->lime_features == 0 ? "lime-features"
		                                                                        : "model-batch");
	if (a->model && (a->have_timeout || a->have_model_batch))
		return cli_usage_error(p, "--%s is for --model-cmd; it cannot take effect with --model",
		                       a->have_timeout ? "model-timeout" : "model-batch");
	if (a->background && a->summarize)
		return cli_usage_error(p, "--summarize chooses the rows drawn from --data; it cannot "
		                          "take effect with --background");
	return 0;
}

/*
 * An option that cannot take effect for the chosen method is an error that
 * names the flag and the method (issue 9): `--method tree --background B`
 * used to compute path-dependent values silently. Returns 0 or an exit
 * status.
 */
static int refuse_idle_options(const cli_parser *p, const args *a, candor_explain_method method,
                               const char *name, candor_tree_mode tree_mode)
{
	const bool tree = method == CANDOR_METHOD_TREE, lime = method == CANDOR_METHOD_LIME;
	const bool path = tree && tree_mode == CANDOR_TREE_PATH_DEPENDENT;
	const bool sampling = method == CANDOR_METHOD_KERNEL || method == CANDOR_METHOD_PERMUTATION ||
	                      lime;
	/* The seed draws a sampling method's samples, and the background of
	 * the SHAP methods from --data when no --background is given. */
	const bool drawn = !tree && !a->background;
	const struct {
		bool given, idle;
		const char *flag, *why;
	} rules[] = {
		{ a->tree_mode != NULL, !tree, "tree-mode", "" },
		{ a->background != NULL, path, "background",
		  " and --tree-mode path-dependent (path-dependent TreeSHAP uses no background)" },
		/* before background-size, which --summarize alone implies; the
		 * interventional background is a file of rows, never drawn */
		{ a->summarize != NULL, tree, "summarize", " (its background is --background B.csv)" },
		{ a->have_background_size, tree, "background-size",
		  " (its background is --background B.csv)" },
		{ a->have_nsamples, !sampling, "nsamples", " (it samples nothing)" },
		{ a->have_seed, !sampling && !drawn, "seed", " (nothing is drawn at random)" },
		{ a->have_target_se, method != CANDOR_METHOD_KERNEL, "target-stderr",
		  " (only kernel stops sampling early)" },
		{ a->lime_sampling != NULL, !lime, "lime-sampling", "" },
		{ a->lime_selection != NULL, !lime, "lime-selection", "" },
		{ a->have_lime_features, !lime, "lime-features", "" },
		{ a->have_kernel_width, !lime, "kernel-width", " (the LIME kernel)" },
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].given && rules[i].idle)
			return cli_usage_error(p, "--%s cannot take effect with --method %s%s",
			                       rules[i].flag, name, rules[i].why);
	return 0;
}

int cmd_explain(int argc, char **argv)
{
	static const char *const methods[] = { "exact", "kernel", "permutation", "linear", "lime",
	                                       "tree", NULL };
	static const char *const links[] = { "identity", "logit", NULL };
	static const char *const summaries[] = { "sample", "kmeans", NULL };
	static const char *const samplings[] = { "quartile", "continuous", NULL };
	static const char *const selections[] = { "auto", "none", "highest", "forward", "lasso", NULL };
	static const char *const tree_modes[] = { "path-dependent", "interventional", NULL };
	cli_parser p;
	args a;
	candor_table *data = NULL, *bgt = NULL;
	candor_model *model = NULL;
	candor_background *bg = NULL;
	candor_explanation *e = NULL;
	candor_explainer *ex = NULL;
	candor_explainer_options o = CANDOR_EXPLAINER_OPTIONS_INIT;
	double *x = NULL, *bx = NULL;
	size_t *cols = NULL, n, m, begin = 0, end;
	uint64_t *row_ids = NULL;
	bool *categorical = NULL;
	char **feats = NULL;
	int rc, idx;
	candor_status st;

	cli_parser_init(&p, "explain",
	                "candor explain --model M | --model-cmd 'CMD' --data D.csv [--features f1,f2...]\n"
	                "                      [--rows A:B] [--method exact|kernel|permutation|tree|linear|lime]\n"
	                "                      [--background B.csv | --background-size K [--summarize kmeans]]\n"
                "                      [--tree-mode path-dependent|interventional] [--interactions I.csv]\n"
	                "                      [--nsamples N] [--link identity|logit] [--seed S] [--threads T]\n"
	                "                      --out OUT.csv [--json OUT.json]",
	                "Explain a model's predictions for rows of a data file. SHAP methods write\n"
	                "row, one value per model feature, base_value and prediction (the values sum\n"
	                "to prediction - base_value); LIME writes row, one weight per feature,\n"
	                "intercept, local_prediction, prediction and score (weighted R^2).\n"
	                "See docs/explain.md for the methods and the --model-cmd protocol.",
	                options);
	rc = parse(&p, argc, argv, &a);
	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;

	/* Options that need no data. */
	idx = 0;
	if (a.method && (rc = pick(&p, "method", a.method, methods, &idx)) != 0)
		return rc;
	o.method = a.method ? (candor_explain_method)(idx + 1) : 0;
	if (a.link) {
		if ((rc = pick(&p, "link", a.link, links, &idx)) != 0)
			return rc;
		o.link = (candor_link)(idx + 1);
	}
	idx = 0;
	if (a.summarize && (rc = pick(&p, "summarize", a.summarize, summaries, &idx)) != 0)
		return rc;
	const bool kmeans = idx == 1;
	if (a.summarize && !a.have_background_size && !a.background)
		a.have_background_size = true; /* --summarize alone: K = 100 */
	if (a.lime_sampling) {
		if ((rc = pick(&p, "lime-sampling", a.lime_sampling, samplings, &idx)) != 0)
			return rc;
		o.lime_sampling = (candor_lime_sampling)(idx + 1);
	}
	if (a.lime_selection) {
		if ((rc = pick(&p, "lime-selection", a.lime_selection, selections, &idx)) != 0)
			return rc;
		o.lime_selection = (candor_lime_selection)(idx + 1);
	}
	if (a.tree_mode) {
		if ((rc = pick(&p, "tree-mode", a.tree_mode, tree_modes, &idx)) != 0)
			return rc;
		o.tree_mode = (candor_tree_mode)(idx + 1);
	}

	{
		const cli_path paths[] = {
			{ "data", a.data, CLI_PATH_IN }, { "model", a.model, CLI_PATH_IN },
			{ "background", a.background, CLI_PATH_IN }, { "out", a.out, CLI_PATH_OUT },
			{ "json", a.json, CLI_PATH_OUT }, { "interactions", a.interactions, CLI_PATH_OUT },
		};

		if ((rc = cli_check_paths(paths, sizeof(paths) / sizeof(paths[0]))) != CLI_EXIT_OK)
			return rc;
	}

	/* The data and the model. */
	st = candor_table_read(&data, a.data, NULL);
	if (st != CANDOR_OK) {
		rc = cli_fail(st);
		goto done;
	}
	if (a.model) {
		st = candor_model_load(&model, a.model);
	} else {
		candor_model_cmd_options co = CANDOR_MODEL_CMD_OPTIONS_INIT;
		size_t nf = 0;

		co.timeout = a.timeout;
		co.max_batch = a.model_batch;
		if (a.features) {
			feats = cli_split(a.features, ',', &nf);
		} else {
			nf = candor_table_ncols(data);
			feats = calloc(nf + 1, sizeof(char *));
			for (size_t j = 0; feats && j < nf; j++)
				feats[j] = (char *)candor_table_colname(data, j);
		}
		if (!feats) {
			fprintf(stderr, "candor: out of memory\n");
			rc = CLI_EXIT_INTERNAL;
			goto done;
		}
		st = candor_model_cmd_new(&model, a.model_cmd, data, (const char *const *)feats, nf, &co);
		if (st == CANDOR_ENOTFOUND) {
			fprintf(stderr, "candor: %s: %s\n", a.data, candor_last_error()->message);
			rc = CLI_EXIT_USAGE;
			goto done;
		}
	}
	if (st != CANDOR_OK) {
		rc = cli_fail(st);
		goto done;
	}
	m = candor_model_nfeatures(model);
	x = feature_matrix(model, data, a.data, &cols);
	if (!x) {
		rc = CLI_EXIT_USAGE;
		goto done;
	}
	n = end = candor_table_nrows(data);
	if (a.rows) {
		char *colon = strchr(a.rows, ':'), *tail;
		unsigned long long lo = 0, hi = n;

		if (!colon) {
			rc = cli_usage_error(&p, "--rows wants A:B, not '%s'", a.rows);
			goto done;
		}
		if (colon != a.rows) {
			lo = strtoull(a.rows, &tail, 10);
			if (tail != colon) {
				rc = cli_usage_error(&p, "--rows wants A:B, not '%s'", a.rows);
				goto done;
			}
		}
		if (colon[1]) {
			hi = strtoull(colon + 1, &tail, 10);
			if (*tail) {
				rc = cli_usage_error(&p, "--rows wants A:B, not '%s'", a.rows);
				goto done;
			}
		}
		if (hi > n)
			hi = n;
		if (lo >= hi) {
			rc = cli_usage_error(&p, "--rows %s selects no row of the %zu in %s", a.rows, n,
			                     a.data);
			goto done;
		}
		begin = (size_t)lo;
		end = (size_t)hi;
	}
	row_ids = malloc((end - begin) * sizeof(uint64_t));
	categorical = calloc(m ? m : 1, sizeof(bool));
	if (!row_ids || !categorical) {
		fprintf(stderr, "candor: out of memory\n");
		rc = CLI_EXIT_INTERNAL;
		goto done;
	}
	for (size_t i = begin; i < end; i++)
		row_ids[i - begin] = i;
	for (size_t j = 0; j < m; j++)
		categorical[j] = candor_table_coltype(data, cols[j]) == CANDOR_COL_CATEGORICAL;

	/* The default method follows the model (the library's auto, resolved
	 * here so that the checks below can name it). */
	if (!o.method)
		o.method = candor_explainer_auto_method(model);
	if (o.method == CANDOR_METHOD_LINEAR && !o.link)
		o.link = candor_model_type_of(model) == CANDOR_MODEL_LOGISTIC ? CANDOR_LINK_LOGIT
		                                                              : CANDOR_LINK_IDENTITY;
	/* TreeSHAP: interventional against --background, else path-dependent */
	if (o.method == CANDOR_METHOD_TREE && !o.tree_mode)
		o.tree_mode = a.background ? CANDOR_TREE_INTERVENTIONAL : CANDOR_TREE_PATH_DEPENDENT;

	if ((rc = refuse_idle_options(&p, &a, o.method, methods[o.method - 1], o.tree_mode)) != 0)
		goto done;
	if (a.interactions && o.method != CANDOR_METHOD_TREE) {
		rc = cli_usage_error(&p, "--interactions needs --method tree (an XGBoost model)");
		goto done;
	}
	if (o.method == CANDOR_METHOD_TREE) {
		if (o.link == CANDOR_LINK_IDENTITY) {
			fprintf(stderr, "candor: tree SHAP values are in margin space; use --link logit (or "
			                "none), or --method kernel to explain probabilities\n");
			rc = CLI_EXIT_USAGE;
			goto done;
		}
		if (o.tree_mode == CANDOR_TREE_INTERVENTIONAL && !a.background) {
			rc = cli_usage_error(&p, "--tree-mode interventional needs --background B.csv, the "
			                         "rows it averages over");
			goto done;
		}
		if (a.interactions && o.tree_mode == CANDOR_TREE_INTERVENTIONAL) {
			rc = cli_usage_error(&p, "--interactions are path-dependent TreeSHAP; they cannot "
			                         "take effect with %s",
			                     a.tree_mode ? "--tree-mode interventional" : "--background");
			goto done;
		}
		o.interactions = a.interactions != NULL;
	}
	/* The background: a file, or drawn from the data (not for TreeSHAP).
	 * LIME's default training data is the whole data file. */
	if (a.background) {
		st = candor_table_read(&bgt, a.background, NULL);
		if (st != CANDOR_OK) {
			rc = cli_fail(st);
			goto done;
		}
		bx = feature_matrix(model, bgt, a.background, NULL);
		if (!bx) {
			rc = CLI_EXIT_USAGE;
			goto done;
		}
		st = candor_background_new(&bg, bx, candor_table_nrows(bgt), m, NULL);
	} else if (o.method == CANDOR_METHOD_TREE) {
		st = CANDOR_OK;
	} else if (o.method == CANDOR_METHOD_LIME && !a.have_background_size) {
		st = candor_background_new(&bg, x, n, m, NULL);
	} else if (kmeans) {
		st = candor_background_kmeans(&bg, x, n, m, NULL, a.background_size, a.seed);
	} else {
		st = candor_background_sample(&bg, x, n, m, a.background_size, a.seed);
	}
	if (st != CANDOR_OK) {
		rc = cli_fail(st);
		goto done;
	}
	o.nsamples = a.nsamples;
	o.seed = a.seed;
	o.threads = (int)a.threads;
	o.target_stderr = a.target_se;
	o.lime_num_features = a.lime_features;
	o.lime_kernel_width = a.kernel_width;
	o.categorical = categorical;
	o.on_progress = on_progress;
	st = candor_explainer_new(&ex, model, bg, &o);
	if (st == CANDOR_OK)
		st = candor_explainer_run_ids(&e, ex, x + begin * m, end - begin, row_ids);
	cli_progress_end();
	if (st != CANDOR_OK) {
		rc = cli_fail(st);
		goto done;
	}

	/* Outputs: each to a temporary, all renamed into place only when every
	 * one was written (commit_outputs). */
	{
		const char *paths[3] = { a.out, a.json, a.interactions };
		cli_atomic outs[3];
		bool ok = true;

		memset(outs, 0, sizeof(outs));
		for (size_t i = 0; i < 3 && ok; i++)
			if (paths[i] && !cli_atomic_open(&outs[i], paths[i]))
				ok = false;
		if (!ok) {
			commit_outputs(outs, paths, 3, false);
			rc = CLI_EXIT_USAGE;
			goto done;
		}
		st = candor_explanation_write_csv(e, outs[0].f);
		if (st == CANDOR_OK && a.json)
			st = candor_explanation_write_json(e, outs[1].f);
		if (st == CANDOR_OK && a.interactions)
			st = candor_explanation_write_interactions_csv(e, outs[2].f);
		if (st != CANDOR_OK) {
			commit_outputs(outs, paths, 3, false);
			rc = cli_fail(st);
			goto done;
		}
		rc = commit_outputs(outs, paths, 3, true);
	}
done:
	candor_explanation_free(e);
	candor_explainer_free(ex);
	candor_background_free(bg);
	candor_model_free(model);
	candor_table_free(data);
	candor_table_free(bgt);
	free(x);
	free(bx);
	free(cols);
	free(row_ids);
	free(categorical);
	free(feats);
	return rc;
}
