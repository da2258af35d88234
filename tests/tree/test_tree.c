/*
 * test_tree.c - the XGBoost loader and TreeSHAP against independent oracles.
 *
 * Oracles:
 *  - python3-xgboost (Debian 12, 1.7.x): tests/tree/make_fixtures.py trains
 *    the models at build time and records Booster.predict() with
 *    output_margin, pred_contribs and pred_interactions (files NAME.*.csv in
 *    $CANDOR_TREE_FIXTURES);
 *  - interventional values: an exact enumeration of all 2^M coalitions
 *    written here (brute_interventional), over the model's own margins;
 *  - interaction values, besides XGBoost's: the Shapley interaction index
 *    of the path-dependent game by enumeration (brute_interactions).
 *
 * Tolerances: XGBoost computes SHAP values in float (24-bit mantissa), so
 * each of its values carries an absolute rounding error of up to ~5e-7 of
 * the row's largest |value| (measured: 1.2e-7..5.4e-7 on these fixtures),
 * which is far more than 1e-5 of a tiny entry. So "1e-5 relative" is
 * |candor - xgboost| <= 1e-5 * max(|xgboost|, 0.1 * row max): plain relative
 * error for every entry above a tenth of the row's largest, 1e-6 of the row
 * scale below. That the residue is XGBoost's float and not ours is checked
 * separately: our two algorithms (per-leaf tables and Algorithm 2, both in
 * double) agree to 1e-12 of the row scale. Predictions: 1e-6.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "candor/candor.h"
#include "candor/treeshap.h"
#include "explain/treeshap_int.h"
#include "models/tree_int.h"

static const char *fixdir(void)
{
	const char *d = getenv("CANDOR_TREE_FIXTURES");
	return d ? d : "tests/tree/fixtures";
}

static void fixpath(char *buf, size_t size, const char *name, const char *suffix)
{
	snprintf(buf, size, "%s/%s%s", fixdir(), name, suffix);
}

/* A numeric CSV: an optional header, empty fields are NaN. */
static double *read_csv(const char *path, bool header, size_t *nrows, size_t *ncols)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, n = 0, vcap = 0, rows = 0, cols = 0;
	double *v = NULL;
	ssize_t len;
	if (!f)
		fail_msg("cannot open %s (run make_fixtures.py)", path);
	if (header && getline(&line, &cap, f) < 0)
		fail_msg("%s: no header", path);
	while ((len = getline(&line, &cap, f)) > 0) {
		char *s = line;
		size_t k = 0;
		for (;;) {
			double d;
			char *e = s;
			if (*s == ',' || *s == '\n' || *s == '\0')
				d = NAN;
			else
				d = strtod(s, &e);
			if (n == vcap) {
				vcap = vcap ? 2 * vcap : 1024;
				v = realloc(v, vcap * sizeof *v);
				assert_non_null(v);
			}
			v[n++] = d;
			k++;
			s = e;
			if (*s == ',')
				s++;
			else
				break;
		}
		if (rows && k != cols)
			fail_msg("%s: row %zu has %zu fields, expected %zu", path, rows, k, cols);
		cols = k;
		rows++;
	}
	free(line);
	fclose(f);
	*nrows = rows;
	*ncols = cols;
	return v;
}

typedef struct fixture {
	const char *name;
	candor_model *model;
	double *x;
	size_t n, M, K;
} fixture;

static void fixture_load(fixture *fx, const char *name)
{
	char p[1024];
	size_t n, M;
	memset(fx, 0, sizeof *fx);
	fx->name = name;
	/* NAME_ubj: XGBoost's UBJSON of model NAME, with NAME's oracle files */
	fixpath(p, sizeof p, name, strstr(name, "_ubj") ? ".ubj" : ".json");
	candor_status st = candor_model_load(&fx->model, p);
	if (st)
		fail_msg("%s: %s", p, candor_last_error()->message);
	fixpath(p, sizeof p, name, ".data.csv");
	fx->x = read_csv(p, true, &n, &M);
	fx->n = n;
	fx->M = M;
	fx->K = candor_model_noutputs(fx->model);
	assert_int_equal(candor_model_nfeatures(fx->model), M);
	assert_int_equal(candor_model_type_of(fx->model), CANDOR_MODEL_XGBOOST);
}

static void fixture_free(fixture *fx)
{
	candor_model_free(fx->model);
	free(fx->x);
}

/* Compare got with ref (both n x w), entries relative to the scale above. */
static void compare(const char *what, const char *name, const double *got, const double *ref,
                    size_t n, size_t w, double rtol)
{
	double worst = 0, worst_abs = 0;
	for (size_t r = 0; r < n; r++) {
		double big = 0;
		for (size_t j = 0; j < w; j++)
			big = fmax(big, fabs(ref[r * w + j]));
		for (size_t j = 0; j < w; j++) {
			const double a = got[r * w + j], b = ref[r * w + j];
			const double scale = fmax(fmax(fabs(b), 0.1 * big), 1e-300);
			const double e = fabs(a - b) / scale;
			if (big > 0)
				worst_abs = fmax(worst_abs, fabs(a - b) / big);
			if (!(e <= rtol))
				fail_msg("%s %s: row %zu entry %zu: candor %.9g, xgboost %.9g (rel %.3g)",
				         name, what, r, j, a, b, e);
			worst = fmax(worst, e);
		}
	}
	print_message("%-10s %-14s max err %.2e (of the row max: %.2e) over %zu x %zu\n", name,
	              what, worst, worst_abs, n, w);
}

/* The last ten are one per objective (make_fixtures.py OBJECTIVES): each
 * objective's base_score transform is checked by the exact margins. */
static const char *const shap_models[] = {
	"bin_d2",       "bin_d6",      "bin_d9",        "reg_d4",       "reglog_d3",
	"multi_d3",     "rf_multi",    "small_d3",      "logitraw_def", "logitraw_b0",
	"logitraw_bneg", "logistic_b07", "sqlog",       "huber",        "absolute",
	"poisson",      "gamma",       "tweedie",
	/* categorical splits (sets and one-hot), dart boosters */
	"cat_bin",      "cat_onehot",  "cat_multi",     "dart_bin",     "dart_multi",
	/* UBJSON files of gbtree, multi-class, categorical and dart models */
	"bin_d2_ubj",   "multi_d3_ubj", "cat_multi_ubj", "dart_bin_ubj"
};
#define NMODELS (sizeof shap_models / sizeof *shap_models)

/* ===== loader ============================================================ */

static void test_predict(void **state)
{
	(void)state;
	for (size_t m = 0; m < NMODELS; m++) {
		fixture fx;
		char p[1024];
		size_t n, K;
		fixture_load(&fx, shap_models[m]);
		fixpath(p, sizeof p, fx.name, ".pred.csv");
		double *ref = read_csv(p, false, &n, &K);
		assert_int_equal(n, fx.n);
		assert_int_equal(K, fx.K);
		double *got = calloc(n * K, sizeof *got);
		assert_int_equal(candor_model_predict(fx.model, fx.x, n, got), CANDOR_OK);
		/* XGBoost applies its sigmoid/softmax in float: 1e-6 absolute on [0,1] */
		compare("predict", fx.name, got, ref, n, K, 1e-6);
		free(ref);
		/* margins are summed in float in tree order, as XGBoost does: exact */
		fixpath(p, sizeof p, fx.name, ".margin.csv");
		ref = read_csv(p, false, &n, &K);
		candor__tree_margin(candor__tree_ensemble_of(fx.model), fx.x, n, got);
		for (size_t i = 0; i < n * K; i++)
			if (got[i] != ref[i])
				fail_msg("%s margin %zu: %.9g != %.9g", fx.name, i, got[i], ref[i]);
		free(ref);
		free(got);
		fixture_free(&fx);
	}
}

/* The batch evaluator (models/tree.c) serves every numerical XGBoost model
 * (its margins are the exact ones test_predict checks), and splitting a call's
 * rows among threads changes no bit. */
static void test_predict_threads(void **state)
{
	(void)state;
	for (size_t m = 0; m < NMODELS; m++) {
		fixture fx;
		fixture_load(&fx, shap_models[m]);
		const size_t M = fx.M, K = fx.K, n = 3000;
		/* every split numerical: the batch path (categorical ones walk nodes) */
		if (strncmp(fx.name, "cat_", 4) != 0)
			assert_non_null(candor__tree_ensemble_of(fx.model)->batch);
		double *x = malloc(n * M * sizeof *x), *ref = malloc(n * K * sizeof *ref);
		double *got = malloc(n * K * sizeof *got);
		assert_true(x && ref && got);
		for (size_t i = 0; i < n; i++)
			memcpy(x + i * M, fx.x + (i % fx.n) * M, M * sizeof *x);
		assert_int_equal(candor_model_predict(fx.model, x, n, ref), CANDOR_OK);
		const int threads[] = { 2, 0, 3 };
		for (size_t t = 0; t < 3; t++) {
			assert_int_equal(candor_model_set_threads(fx.model, threads[t]), CANDOR_OK);
			assert_int_equal(candor_model_predict(fx.model, x, n, got), CANDOR_OK);
			assert_memory_equal(got, ref, n * K * sizeof *got);
		}
		assert_int_equal(candor_model_set_threads(fx.model, -1), CANDOR_EINVAL);
		free(x);
		free(ref);
		free(got);
		fixture_free(&fx);
	}
}

/* A categorical feature takes integer codes: XGBoost would truncate 2.5 to
 * category 2, candor refuses it; NaN, negative codes and codes beyond every
 * set are decided (their predictions are in cat_bin's oracle rows). */
static void test_categorical_codes(void **state)
{
	(void)state;
	fixture fx;
	double out[2];
	fixture_load(&fx, "cat_bin");
	double row[4] = { 2.5, 0.1, 1.0, 0.2 };
	assert_int_equal(candor_model_predict(fx.model, row, 1, out), CANDOR_EDOMAIN);
	assert_non_null(strstr(candor_last_error()->message, "integer category"));
	row[0] = 2.0;
	row[2] = -0.5; /* feature 2 is categorical too */
	assert_int_equal(candor_model_predict(fx.model, row, 1, out), CANDOR_EDOMAIN);
	row[2] = NAN;
	assert_int_equal(candor_model_predict(fx.model, row, 1, out), CANDOR_OK);
	row[1] = 0.37; /* numerical features take any value */
	row[2] = -3.0;
	assert_int_equal(candor_model_predict(fx.model, row, 1, out), CANDOR_OK);
	fixture_free(&fx);
}

static void test_feature_names(void **state)
{
	(void)state;
	fixture fx;
	fixture_load(&fx, "bin_d2"); /* trained with names x0_a.. */
	assert_string_equal(candor_model_feature(fx.model, 0), "x0_a");
	assert_string_equal(candor_model_feature(fx.model, 4), "x4_e");
	assert_int_equal(candor_model_output_kind(fx.model), CANDOR_OUTPUT_PROBABILITY);
	fixture_free(&fx);
	fixture_load(&fx, "bin_d6"); /* trained without names: f0.. */
	assert_string_equal(candor_model_feature(fx.model, 0), "f0");
	assert_string_equal(candor_model_feature(fx.model, 7), "f7");
	fixture_free(&fx);
	fixture_load(&fx, "reg_d4");
	assert_int_equal(candor_model_output_kind(fx.model), CANDOR_OUTPUT_VALUE);
	fixture_free(&fx);
	fixture_load(&fx, "multi_d3");
	assert_int_equal(candor_model_noutputs(fx.model), 3);
	fixture_free(&fx);
	fixture_load(&fx, "logitraw_b0"); /* binary:logitraw outputs the margin itself */
	assert_int_equal(candor_model_output_kind(fx.model), CANDOR_OUTPUT_MARGIN);
	fixture_free(&fx);
	fixture_load(&fx, "poisson"); /* exp of the margin: a value */
	assert_int_equal(candor_model_output_kind(fx.model), CANDOR_OUTPUT_VALUE);
	fixture_free(&fx);
}

static void expect_error_ext(const char *name, const char *ext, candor_status want,
                             const char *needle)
{
	char p[1024];
	candor_model *m = NULL;
	fixpath(p, sizeof p, name, ext);
	candor_status st = candor_model_load(&m, p);
	const candor_error *e = candor_last_error();
	print_message("%-16s -> %s: %s:%llu:%llu: %s\n", name, candor_status_str(st), e->path,
	              (unsigned long long)e->line, (unsigned long long)e->column, e->message);
	assert_null(m);
	assert_int_equal(st, want);
	assert_non_null(strstr(e->path, name));
	if (!strstr(e->message, needle))
		fail_msg("%s: message \"%s\" lacks \"%s\"", name, e->message, needle);
}

static void expect_error(const char *name, candor_status want, const char *needle)
{
	expect_error_ext(name, ".json", want, needle);
}

static void test_bad_models(void **state)
{
	(void)state;
	expect_error("bad_objective", CANDOR_EUNSUPPORTED, "rank:pairwise");
	expect_error("bad_gblinear", CANDOR_EUNSUPPORTED, "gblinear");
	expect_error_ext("bad_gblinear", ".ubj", CANDOR_EUNSUPPORTED, "gblinear");
	/* malformed UBJSON: the error at FILE:1:COLUMN, column = 1 + byte offset */
	static const struct { const char *name, *needle; } ubj[] = {
		{ "bad_ubj_truncated", "" }, /* cut anywhere: an end or a count past it */
		{ "bad_ubj_marker", "expected a UBJSON value, found 'X'" },
		{ "bad_ubj_count", "exceeds what the" },
		{ "bad_ubj_depth", "nesting is deeper than 32 levels" },
	};
	char p[1024], line[256];
	fixpath(p, sizeof p, "bad_ubj_at", ".txt");
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	for (size_t i = 0; i < sizeof ubj / sizeof *ubj; i++) {
		char name[64] = "";
		unsigned long long col = 0;
		rewind(f);
		while (fgets(line, sizeof line, f))
			if (sscanf(line, "%63s %llu", name, &col) == 2 && !strcmp(name, ubj[i].name))
				break;
		assert_string_equal(name, ubj[i].name);
		expect_error_ext(ubj[i].name, ".ubj", CANDOR_EPARSE, ubj[i].needle);
		const candor_error *e = candor_last_error();
		assert_int_equal(e->line, 1);
		if (col && e->column != col)
			fail_msg("%s: column %llu, expected %llu", ubj[i].name,
			         (unsigned long long)e->column, col);
	}
	fclose(f);
	expect_error("bad_arrays", CANDOR_EPARSE, "left_children");
	expect_error("bad_cycle", CANDOR_EPARSE, "not a tree");
	expect_error("bad_truncated", CANDOR_EPARSE, "");
	assert_true(candor_last_error()->line > 0);
}

/* The text at 1-based (line, col) of the file at `path`. */
static const char *text_at(char *buf, size_t size, const char *path, uint64_t line, uint64_t col)
{
	FILE *f = fopen(path, "r");
	size_t n;
	assert_non_null(f);
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *s = buf;
	for (uint64_t l = 1; l < line && s; l++)
		if ((s = strchr(s, '\n')))
			s++;
	if (!s || col == 0 || strlen(s) < col - 1)
		return "";
	return s + col - 1;
}

/*
 * Files XGBoost refuses or that are inconsistent (issue 9, finding 5), made
 * by make_fixtures.py from bin_d2 with one edit each: refused with a parse
 * error (unsupported for the categorical type) whose line and column point
 * at the edited value (bad_at.txt names its text).
 */
static void test_inconsistent_models(void **state)
{
	(void)state;
	static const struct {
		const char *name, *needle;
	} cases[] = {
		{ "bad_leaf_overflow", "overflows a float" },
		{ "bad_leaf_nan", "not a finite number" },
		{ "bad_threshold_overflow", "overflows a float" },
		{ "bad_cover", "covers are inconsistent" },
		{ "bad_dup_names", "twice" },
		{ "bad_names_count", "4 names for 5 features" },
		{ "bad_default_left", "default_left 2" },
		{ "bad_parents", "has parent 1" },
		{ "bad_no_parents", "missing key 'parents'" },
		{ "bad_string_number", "expected a number, found a string" },
		{ "bad_float_child", "expected an integer, found" },
		{ "bad_base_score", "not a probability" },
		{ "bad_feature_type", "not one of q, c" },
	};
	char p[1024], line[256];
	static char text[1 << 20];
	fixpath(p, sizeof p, "bad_at", ".txt");
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char name[64], at[64] = "";
		rewind(f);
		while (fgets(line, sizeof line, f))
			if (sscanf(line, "%63s %63[^\n]", name, at) == 2 && !strcmp(name, cases[i].name))
				break;
		assert_string_equal(name, cases[i].name);
		expect_error(cases[i].name, CANDOR_EPARSE, cases[i].needle);
		const candor_error *e = candor_last_error();
		fixpath(p, sizeof p, cases[i].name, ".json");
		const char *got = text_at(text, sizeof text, p, e->line, e->column);
		if (strncmp(got, at, strlen(at)))
			fail_msg("%s: %llu:%llu points at \"%.20s\", not at \"%s\"", cases[i].name,
			         (unsigned long long)e->line, (unsigned long long)e->column, got, at);
	}
	fclose(f);
}

/* ===== path-dependent TreeSHAP =========================================== */

static void check_contribs(bool tables)
{
	for (size_t m = 0; m < NMODELS; m++) {
		fixture fx;
		char p[1024];
		size_t n, w;
		fixture_load(&fx, shap_models[m]);
		fixpath(p, sizeof p, fx.name, ".contribs.csv");
		double *ref = read_csv(p, false, &n, &w);
		assert_int_equal(w, fx.K * (fx.M + 1));
		double *got = calloc(n * w, sizeof *got), *got2 = calloc(n * w, sizeof *got2);
		candor_treeshap_options o = CANDOR_TREESHAP_OPTIONS_INIT;
		o.threads = 1;
		assert_int_equal(candor__treeshap_path(fx.model, fx.x, n, got, &o, tables),
		                 CANDOR_OK);
		compare(tables ? "contribs" : "contribs/alg2", fx.name, got, ref, n, w, 1e-5);
		/* the same numbers, bit for bit, on 2 and 3 threads */
		for (int t = 2; t <= 3; t++) {
			o.threads = t;
			assert_int_equal(candor__treeshap_path(fx.model, fx.x, n, got2, &o, tables),
			                 CANDOR_OK);
			assert_memory_equal(got, got2, n * w * sizeof *got);
		}
		/* efficiency: each (row, output) block sums to XGBoost's margin */
		fixpath(p, sizeof p, fx.name, ".margin.csv");
		size_t n2, K;
		double *mg = read_csv(p, false, &n2, &K);
		for (size_t r = 0; r < n; r++)
			for (size_t k = 0; k < K; k++) {
				double s = 0;
				for (size_t j = 0; j <= fx.M; j++)
					s += got[(r * K + k) * (fx.M + 1) + j];
				assert_true(fabs(s - mg[r * K + k]) <= 1e-5 * fmax(1, fabs(mg[r * K + k])));
			}
		free(mg);
		free(ref);
		free(got);
		free(got2);
		fixture_free(&fx);
	}
}

static void test_contribs(void **state)
{
	(void)state;
	check_contribs(true);
}

static void test_contribs_alg2(void **state)
{
	(void)state;
	check_contribs(false);
	/* the two algorithms agree far below XGBoost's float noise */
	for (size_t m = 0; m < NMODELS; m++) {
		fixture fx;
		fixture_load(&fx, shap_models[m]);
		const size_t w = fx.K * (fx.M + 1);
		double *a = calloc(fx.n * w, sizeof *a), *b = calloc(fx.n * w, sizeof *b);
		assert_int_equal(candor__treeshap_path(fx.model, fx.x, fx.n, a, NULL, true), CANDOR_OK);
		assert_int_equal(candor__treeshap_path(fx.model, fx.x, fx.n, b, NULL, false), CANDOR_OK);
		compare("tables/alg2", fx.name, a, b, fx.n, w, 1e-12);
		free(a);
		free(b);
		fixture_free(&fx);
	}
}

static void test_interactions(void **state)
{
	(void)state;
	for (size_t m = 0; m < NMODELS; m++) {
		fixture fx;
		char p[1024];
		size_t n, w;
		if (!strcmp(shap_models[m], "rf_multi"))
			continue; /* no interactions recorded */
		fixture_load(&fx, shap_models[m]);
		fixpath(p, sizeof p, fx.name, ".inter.csv");
		double *ref = read_csv(p, false, &n, &w);
		const size_t M1 = fx.M + 1;
		assert_int_equal(w, fx.K * M1 * M1);
		double *got = calloc(n * w, sizeof *got), *got2 = calloc(n * w, sizeof *got2);
		double *phi = calloc(n * fx.K * M1, sizeof *phi);
		candor_treeshap_options o = CANDOR_TREESHAP_OPTIONS_INIT;
		o.threads = 1;
		assert_int_equal(candor_treeshap_interactions(fx.model, fx.x, n, got, &o), CANDOR_OK);
		compare("interactions", fx.name, got, ref, n, w, 1e-5);
		o.threads = 2;
		assert_int_equal(candor_treeshap_interactions(fx.model, fx.x, n, got2, &o), CANDOR_OK);
		assert_memory_equal(got, got2, n * w * sizeof *got);
		/* rows of the interaction matrix sum to the SHAP values; symmetric */
		assert_int_equal(candor_treeshap(fx.model, fx.x, n, phi, &o), CANDOR_OK);
		for (size_t r = 0; r < n; r++)
			for (size_t k = 0; k < fx.K; k++) {
				const double *I = got + (r * fx.K + k) * M1 * M1;
				for (size_t i = 0; i < M1; i++) {
					double s = 0;
					for (size_t j = 0; j < M1; j++) {
						s += I[i * M1 + j];
						assert_true(fabs(I[i * M1 + j] - I[j * M1 + i]) <= 1e-12);
					}
					assert_true(fabs(s - phi[(r * fx.K + k) * M1 + i]) <= 1e-9);
				}
			}
		free(ref);
		free(got);
		free(got2);
		free(phi);
		fixture_free(&fx);
	}
}

/* Interactions: the per-leaf tables against Algorithm 2 conditioned on each
 * feature (both in double), on every tree of every fixture. */
static void test_interactions_alg2(void **state)
{
	(void)state;
	for (size_t m = 0; m < NMODELS; m++) {
		fixture fx;
		fixture_load(&fx, shap_models[m]);
		const size_t M1 = fx.M + 1, w = fx.K * M1 * M1;
		double *a = calloc(fx.n * w, sizeof *a), *b = calloc(fx.n * w, sizeof *b);
		assert_int_equal(candor__treeshap_interactions(fx.model, fx.x, fx.n, a, NULL, true),
		                 CANDOR_OK);
		assert_int_equal(candor__treeshap_interactions(fx.model, fx.x, fx.n, b, NULL, false),
		                 CANDOR_OK);
		compare("inter tab/alg2", fx.name, a, b, fx.n, w, 1e-12);
		free(a);
		free(b);
		fixture_free(&fx);
	}
}

/*
 * Interactions against an exact enumeration of the path-dependent game
 *   v(S) = sum over trees of E[tree | x_S], the expectation taken as
 *   TreeSHAP does: at a node on a feature in S follow x, otherwise the
 *   cover-weighted mean of both children;
 *   I(i, j) = sum_{S without i, j} |S|! (M-|S|-2)! / (2 (M-1)!)
 *             (v(S+i+j) - v(S+i) - v(S+j) + v(S)),  i != j,
 *   I(i, i) = phi_i - sum_{j != i} I(i, j), I(M, M) = v({}),
 * with phi the Shapley values of v. Nothing here shares code with treeshap.c.
 */
static double expect_node(const candor__tree_ensemble *ens, const candor__tree *tr, uint32_t k,
                          const double *x, size_t S)
{
	const candor__tree_node *nd = ens->nodes + tr->first + k;
	if (nd->feature < 0)
		return nd->value;
	if (S >> nd->feature & 1)
		return expect_node(ens, tr,
		                   nd->left + (candor__tree_left(nd, ens->catset, x[nd->feature]) ? 0 : 1),
		                   x, S);
	const double cl = ens->cover[tr->first + nd->left], cr = ens->cover[tr->first + nd->left + 1];
	if (!(cl + cr > 0))
		return 0;
	return (cl * expect_node(ens, tr, nd->left, x, S) +
	        cr * expect_node(ens, tr, nd->left + 1, x, S)) / (cl + cr);
}

static void brute_interactions(const fixture *fx, const double *x, double *out /* K x M1^2 */)
{
	const candor__tree_ensemble *ens = candor__tree_ensemble_of(fx->model);
	const size_t M = fx->M, K = fx->K, M1 = M + 1, nS = (size_t)1 << M;
	double *v = calloc(nS * K, sizeof *v), *fact = malloc((M + 1) * sizeof *fact);
	fact[0] = 1;
	for (size_t i = 1; i <= M; i++)
		fact[i] = fact[i - 1] * (double)i;
	for (size_t S = 0; S < nS; S++) {
		for (size_t k = 0; k < K; k++)
			v[S * K + k] = ens->base_margin;
		for (size_t t = 0; t < ens->ntrees; t++)
			v[S * K + ens->trees[t].group] += expect_node(ens, &ens->trees[t], 0, x, S);
	}
	memset(out, 0, K * M1 * M1 * sizeof *out);
	for (size_t k = 0; k < K; k++) {
		double *I = out + k * M1 * M1;
		for (size_t i = 0; i < M; i++) {
			double phi = 0;
			for (size_t S = 0; S < nS; S++) {
				if (S >> i & 1)
					continue;
				const size_t s = (size_t)__builtin_popcountll(S);
				phi += fact[s] * fact[M - s - 1] / fact[M] *
				       (v[(S | (size_t)1 << i) * K + k] - v[S * K + k]);
			}
			double off = 0;
			for (size_t j = 0; j < M; j++) {
				if (j == i)
					continue;
				double e = 0;
				for (size_t S = 0; S < nS; S++) {
					if ((S >> i & 1) || (S >> j & 1))
						continue;
					const size_t s = (size_t)__builtin_popcountll(S);
					const size_t Si = S | (size_t)1 << i, Sj = S | (size_t)1 << j;
					e += fact[s] * fact[M - s - 2] / (2 * fact[M - 1]) *
					     (v[(Si | Sj) * K + k] - v[Si * K + k] - v[Sj * K + k] + v[S * K + k]);
				}
				I[i * M1 + j] = e;
				off += e;
			}
			I[i * M1 + i] = phi - off;
		}
		I[M * M1 + M] = v[k];
	}
	free(v);
	free(fact);
}

static void test_interactions_brute(void **state)
{
	(void)state;
	const char *names[] = { "small_d3", "bin_d2", "multi_d3", "bin_d6", "bin_d9" };
	for (size_t m = 0; m < sizeof names / sizeof *names; m++) {
		fixture fx;
		fixture_load(&fx, names[m]);
		const size_t nx = fx.n < 12 ? fx.n : 12, w = fx.K * (fx.M + 1) * (fx.M + 1);
		double *got = calloc(nx * w, sizeof *got), *ref = calloc(nx * w, sizeof *ref);
		assert_int_equal(candor_treeshap_interactions(fx.model, fx.x, nx, got, NULL), CANDOR_OK);
		for (size_t r = 0; r < nx; r++)
			brute_interactions(&fx, fx.x + r * fx.M, ref + r * w);
		compare("inter brute", fx.name, got, ref, nx, w, 1e-9);
		free(got);
		free(ref);
		fixture_free(&fx);
	}
}

/* ===== interventional TreeSHAP against brute force ======================== */

/*
 * Exact interventional Shapley values of row x against background bg,
 * enumerating every coalition S of the M features:
 *   v(S) = mean_b margin(x_S, bg_b,~S),
 *   phi_i = sum_{S not containing i} |S|! (M-|S|-1)! / M! (v(S+i) - v(S)).
 * Margins are summed here in double from the leaves the loader's node
 * arrays give (test_predict checks those against XGBoost); nothing here
 * shares code with treeshap.c.
 */
static void margin_double(const candor__tree_ensemble *ens, const double *x, double *out)
{
	for (size_t k = 0; k < ens->noutputs; k++)
		out[k] = ens->base_margin;
	for (size_t t = 0; t < ens->ntrees; t++) {
		const candor__tree_node *nodes = ens->nodes + ens->trees[t].first;
		out[ens->trees[t].group] += nodes[candor__tree_leaf(nodes, ens->catset, x)].value;
	}
}

static void brute_interventional(const fixture *fx, const double *x, const double *bg,
                                 size_t nbg, double *phi /* K x (M+1) */)
{
	const size_t M = fx->M, K = fx->K, nS = (size_t)1 << M;
	double *rows = malloc(nbg * M * sizeof *rows), *out = malloc(nbg * K * sizeof *out);
	double *v = calloc(nS * K, sizeof *v), *fact = malloc((M + 1) * sizeof *fact);
	fact[0] = 1;
	for (size_t i = 1; i <= M; i++)
		fact[i] = fact[i - 1] * (double)i;
	for (size_t S = 0; S < nS; S++) {
		for (size_t b = 0; b < nbg; b++)
			for (size_t j = 0; j < M; j++)
				rows[b * M + j] = (S >> j & 1) ? x[j] : bg[b * M + j];
		for (size_t b = 0; b < nbg; b++)
			margin_double(candor__tree_ensemble_of(fx->model), rows + b * M, out + b * K);
		for (size_t b = 0; b < nbg; b++)
			for (size_t k = 0; k < K; k++)
				v[S * K + k] += out[b * K + k] / (double)nbg;
	}
	memset(phi, 0, K * (M + 1) * sizeof *phi);
	for (size_t k = 0; k < K; k++) {
		for (size_t i = 0; i < M; i++)
			for (size_t S = 0; S < nS; S++) {
				if (S >> i & 1)
					continue;
				const size_t s = (size_t)__builtin_popcountll(S);
				const double w = fact[s] * fact[M - s - 1] / fact[M];
				phi[k * (M + 1) + i] += w * (v[(S | (1u << i)) * K + k] - v[S * K + k]);
			}
		phi[k * (M + 1) + M] = v[k];
	}
	free(rows);
	free(out);
	free(v);
	free(fact);
}

static void test_interventional(void **state)
{
	(void)state;
	const char *names[] = { "small_d3", "bin_d2", "multi_d3", "bin_d6" };
	for (size_t m = 0; m < sizeof names / sizeof *names; m++) {
		fixture fx;
		fixture_load(&fx, names[m]);
		const size_t nbg = 9, nx = 6, M1 = fx.M + 1, K = fx.K;
		const double *bg = fx.x, *x = fx.x + nbg * fx.M;
		double *got = calloc(nx * K * M1, sizeof *got), *got2 = calloc(nx * K * M1, sizeof *got);
		double *ref = calloc(nx * K * M1, sizeof *ref);
		candor_treeshap_options o = CANDOR_TREESHAP_OPTIONS_INIT;
		o.threads = 1;
		assert_int_equal(candor_treeshap_interventional(fx.model, x, nx, bg, nbg, got, &o),
		                 CANDOR_OK);
		o.threads = 2;
		assert_int_equal(candor_treeshap_interventional(fx.model, x, nx, bg, nbg, got2, &o),
		                 CANDOR_OK);
		assert_memory_equal(got, got2, nx * K * M1 * sizeof *got);
		for (size_t r = 0; r < nx; r++)
			brute_interventional(&fx, x + r * fx.M, bg, nbg, ref + r * K * M1);
		/* both in double: only summation order differs */
		compare("interventional", fx.name, got, ref, nx, K * M1, 1e-9);
		free(got);
		free(got2);
		free(ref);
		fixture_free(&fx);
	}
}

/* The interaction CSV reads back to the same doubles, in the documented shape. */
static void test_interactions_csv(void **state)
{
	(void)state;
	fixture fx;
	fixture_load(&fx, "multi_d3");
	const size_t n = 3, M1 = fx.M + 1, K = fx.K;
	double *phi = calloc(n * K * M1 * M1, sizeof *phi);
	const uint64_t ids[] = { 7, 8, 9 };
	assert_int_equal(candor_treeshap_interactions(fx.model, fx.x, n, phi, NULL), CANDOR_OK);
	FILE *f = tmpfile();
	assert_non_null(f);
	assert_int_equal(candor_treeshap_interactions_write_csv(f, fx.model, phi, n, ids), CANDOR_OK);
	rewind(f);
	char line[8192];
	assert_non_null(fgets(line, sizeof line, f));
	assert_string_equal(line, "row,output,feature,x0_a,x1_b,x2_c,x3_d,x4_e,x5_f,base_value\n");
	for (size_t r = 0; r < n; r++)
		for (size_t k = 0; k < K; k++)
			for (size_t i = 0; i < M1; i++) {
				char *s = fgets(line, sizeof line, f), *e;
				assert_non_null(s);
				assert_int_equal(strtoull(s, &e, 10), ids[r]);
				assert_int_equal(strtoull(e + 1, &e, 10), k);
				s = strchr(e + 1, ',');
				assert_non_null(s);
				if (i == fx.M)
					assert_memory_equal(e + 1, "base_value,", 11);
				for (size_t j = 0; j < M1; j++) {
					const double v = strtod(s + 1, &e);
					assert_true(v == phi[((r * K + k) * M1 + i) * M1 + j]);
					s = e;
				}
				assert_int_equal(*s, '\n');
			}
	assert_null(fgets(line, sizeof line, f));
	fclose(f);
	free(phi);
	fixture_free(&fx);
}

static void test_bad_args(void **state)
{
	(void)state;
	fixture fx;
	double phi[64];
	fixture_load(&fx, "bin_d2");
	candor_treeshap_options o = CANDOR_TREESHAP_OPTIONS_INIT;
	o.version = 99;
	assert_int_equal(candor_treeshap(fx.model, fx.x, 1, phi, &o), CANDOR_EINVAL);
	o.version = CANDOR_TREESHAP_OPTIONS_VERSION;
	o.threads = -1;
	assert_int_equal(candor_treeshap(fx.model, fx.x, 1, phi, &o), CANDOR_EINVAL);
	assert_int_equal(candor_treeshap(NULL, fx.x, 1, phi, NULL), CANDOR_EINVAL);
	assert_int_equal(candor_treeshap_interventional(fx.model, fx.x, 1, NULL, 0, phi, NULL),
	                 CANDOR_EINVAL);
	assert_int_equal(candor_treeshap(fx.model, fx.x, 0, phi, NULL), CANDOR_OK);
	fixture_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_predict),       cmocka_unit_test(test_predict_threads),
		cmocka_unit_test(test_feature_names), cmocka_unit_test(test_categorical_codes),
		cmocka_unit_test(test_bad_models),    cmocka_unit_test(test_inconsistent_models),
		cmocka_unit_test(test_contribs),
		cmocka_unit_test(test_contribs_alg2), cmocka_unit_test(test_interactions),
		cmocka_unit_test(test_interactions_alg2), cmocka_unit_test(test_interactions_brute),
		cmocka_unit_test(test_interventional), cmocka_unit_test(test_interactions_csv),
		cmocka_unit_test(test_bad_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
