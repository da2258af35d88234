/*
 * test_explainer.c - the explainer handle (issue 10).
 *
 *  - Windows: for every method (exact, kernel, permutation, linear, LIME in
 *    both samplings, TreeSHAP path-dependent, interventional, interactions)
 *    three windows through one handle give, bit for bit, the explanation of
 *    one run over the concatenated rows with the same ids and seed.
 *  - Wrappers: the one-call functions (candor_explain(), candor_treeshap*())
 *    give bit for bit what the handle gives; they were the only way in
 *    before, and tests/explain/golden.py holds their outputs from then.
 *  - Threads: two threads running one explainer at once give the serial
 *    values; the per-model lock: a model that is not reentrant is never
 *    entered by two threads (a plugin counts the calls inside predict at
 *    once), and two such models in two threads do run at the same time.
 *  - Options and errors: options_init, interventional without a (plain)
 *    background, tree on a model that is not a tree ensemble, tree-only
 *    options on other methods.
 *
 * The data are tests/explain/golden/credit.csv, the models
 * datasets/credit_model.json (logistic), tests/explain/golden/xgb.json
 * (XGBoost) and explain_plugin.so (non-linear, probabilities).
 */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "candor/candor.h"

static char *src_path(const char *rel)
{
	const char *root = getenv("CANDOR_SOURCE_ROOT");
	char *p = malloc(4096);

	assert_non_null(p);
	snprintf(p, 4096, "%s/%s", root ? root : ".", rel);
	return p;
}

static candor_model *load(const char *path)
{
	candor_model *m = NULL;

	if (candor_model_load(&m, path) != CANDOR_OK)
		fail_msg("%s: %s", path, candor_last_error()->message);
	return m;
}

static candor_model *load_src(const char *rel)
{
	char *p = src_path(rel);
	candor_model *m = load(p);

	free(p);
	return m;
}

/* The credit rows as the model's feature matrix (n x M, malloc'd). */
static double *credit_rows(const candor_model *model, size_t *n)
{
	char *p = src_path("tests/explain/golden/credit.csv");
	candor_table *t = NULL;
	size_t m = candor_model_nfeatures(model), cols[64];
	double *x;

	assert_int_equal(candor_csv_read(&t, p, NULL), CANDOR_OK);
	assert_int_equal(candor_model_bind(model, t, cols), CANDOR_OK);
	*n = candor_table_nrows(t);
	x = malloc(*n * m * sizeof(double));
	assert_non_null(x);
	assert_int_equal(candor_table_matrix(x, t, cols, m), CANDOR_OK);
	candor_table_free(t);
	free(p);
	return x;
}

/* ===== bitwise comparison of explanations ================================= */

static void same_array(const double *a, const double *b, size_t cnt, const char *what)
{
	if (!a && !b)
		return;
	if (!a || !b)
		fail_msg("%s: present in one explanation only", what);
	if (memcmp(a, b, cnt * sizeof(double)) != 0) {
		for (size_t i = 0; i < cnt; i++)
			if (memcmp(&a[i], &b[i], sizeof(double)) != 0)
				fail_msg("%s[%zu]: %.17g vs %.17g", what, i, a[i], b[i]);
	}
}

/* Rows [off, off + e->n) of `whole` equal `e` bit for bit. */
static void same_rows(const candor_explanation *whole, size_t off, const candor_explanation *e)
{
	const size_t m = candor_explanation_nfeatures(e), k = candor_explanation_noutputs(e);
	const size_t n = candor_explanation_nrows(e), km = k * m, m1 = (m + 1) * (m + 1) * k;

	assert_int_equal(candor_explanation_method(whole), candor_explanation_method(e));
	assert_int_equal(candor_explanation_link(whole), candor_explanation_link(e));
	for (size_t i = 0; i < n; i++)
		assert_int_equal(candor_explanation_row_id(whole, off + i),
		                 candor_explanation_row_id(e, i));
#define PART(get, per)                                                                     \
	same_array(get(whole) ? get(whole) + off * (per) : NULL, get(e), n * (per), #get)
	PART(candor_explanation_values, km);
	PART(candor_explanation_base, k);
	PART(candor_explanation_prediction, k);
	PART(candor_explanation_stderr, km);
	PART(candor_explanation_local_prediction, k);
	PART(candor_explanation_score, k);
	PART(candor_explanation_interactions, m1);
#undef PART
}

/* One run over rows [0, n) with ids 1000 + i, then three windows of
 * unequal sizes with the same ids: equal bit for bit. */
static void check_windows(const candor_explainer *ex, const double *x, size_t n, size_t m)
{
	uint64_t *ids = malloc(n * sizeof(uint64_t));
	candor_explanation *whole = NULL;
	const size_t cut[4] = { 0, n / 5, n / 5 + n / 2, n };

	for (size_t i = 0; i < n; i++)
		ids[i] = 1000 + i;
	if (candor_explainer_run_ids(&whole, ex, x, n, ids) != CANDOR_OK)
		fail_msg("run: %s", candor_last_error()->message);
	for (int w = 0; w < 3; w++) {
		candor_explanation *e = NULL;

		assert_int_equal(candor_explainer_run_ids(&e, ex, x + cut[w] * m, cut[w + 1] - cut[w],
		                                          ids + cut[w]),
		                 CANDOR_OK);
		same_rows(whole, cut[w], e);
		candor_explanation_free(e);
	}
	/* and the values are not all zero (a run that did nothing would pass) */
	{
		const double *v = candor_explanation_values(whole);
		double s = 0;

		for (size_t i = 0; i < n * m; i++)
			s += fabs(v[i]);
		assert_true(s > 0);
	}
	candor_explanation_free(whole);
	free(ids);
}

static candor_explainer *make(candor_model *model, const candor_background *bg,
                              const candor_explainer_options *o)
{
	candor_explainer *ex = NULL;

	if (candor_explainer_new(&ex, model, bg, o) != CANDOR_OK)
		fail_msg("explainer_new: %s", candor_last_error()->message);
	return ex;
}

/* ===== windows, every method ============================================== */

static void test_windows_agnostic(void **state)
{
	(void)state;
	candor_model *lg = load_src("datasets/credit_model.json");
	candor_model *pl = load(EXPLAIN_PLUGIN);
	size_t n;
	double *x = credit_rows(lg, &n);
	const size_t m = candor_model_nfeatures(lg);
	candor_background *bg = NULL;
	const struct {
		candor_model *model;
		candor_explain_method method;
		candor_lime_sampling sampling;
		size_t rows, nsamples;
	} cases[] = {
		{ lg, CANDOR_METHOD_AUTO, 0, 300, 0 },      /* linear */
		{ lg, CANDOR_METHOD_EXACT, 0, 30, 0 },
		{ pl, CANDOR_METHOD_AUTO, 0, 30, 200 },     /* kernel */
		{ pl, CANDOR_METHOD_KERNEL, 0, 25, 40 },    /* a small budget */
		{ pl, CANDOR_METHOD_PERMUTATION, 0, 25, 60 },
		{ pl, CANDOR_METHOD_LIME, CANDOR_LIME_QUARTILE, 20, 300 },
		{ lg, CANDOR_METHOD_LIME, CANDOR_LIME_CONTINUOUS, 20, 300 },
	};

	assert_int_equal(candor_background_sample(&bg, x, n, m, 20, 9), CANDOR_OK);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		candor_explainer_options o = CANDOR_EXPLAINER_OPTIONS_INIT;
		candor_explainer *ex;

		o.method = cases[c].method;
		o.nsamples = cases[c].nsamples;
		o.lime_sampling = cases[c].sampling;
		o.seed = 77;
		o.threads = 2;
		ex = make(cases[c].model, bg, &o);
		if (cases[c].method == CANDOR_METHOD_AUTO) {
			assert_int_equal(candor_explainer_method(ex), cases[c].model == lg
			                                                  ? CANDOR_METHOD_LINEAR
			                                                  : CANDOR_METHOD_KERNEL);
			assert_int_equal(candor_explainer_auto_method(cases[c].model),
			                 candor_explainer_method(ex));
		}
		check_windows(ex, x, cases[c].rows, m);

		/* the one-call wrapper gives the same bits */
		if (o.method != CANDOR_METHOD_AUTO) {
			candor_explain_options eo = CANDOR_EXPLAIN_OPTIONS_INIT;
			candor_explanation *a = NULL, *b = NULL;

			eo.method = o.method;
			eo.nsamples = o.nsamples;
			eo.lime_sampling = o.lime_sampling;
			eo.seed = o.seed;
			eo.threads = 1;
			assert_int_equal(candor_explain(&a, cases[c].model, x, 10, bg, &eo), CANDOR_OK);
			assert_int_equal(candor_explainer_run(&b, ex, x, 10), CANDOR_OK);
			same_rows(a, 0, b);
			candor_explanation_free(a);
			candor_explanation_free(b);
		}
		candor_explainer_free(ex);
	}
	candor_background_free(bg);
	free(x);
	candor_model_free(lg);
	candor_model_free(pl);
}

static void test_windows_tree(void **state)
{
	(void)state;
	candor_model *xg = load_src("tests/explain/golden/xgb.json");
	size_t n;
	double *x = credit_rows(xg, &n);
	const size_t m = candor_model_nfeatures(xg), m1 = m + 1;
	candor_background *bg = NULL;
	candor_explainer_options o = CANDOR_EXPLAINER_OPTIONS_INIT;
	candor_treeshap_options to = CANDOR_TREESHAP_OPTIONS_INIT;
	candor_explainer *ex;
	candor_explanation *e = NULL;
	double *phi = malloc(40 * m1 * m1 * sizeof(double));

	assert_int_equal(candor_background_new(&bg, x + 200 * m, 30, m, NULL), CANDOR_OK);

	/* path-dependent with interactions, auto picks tree */
	o.interactions = 1;
	o.threads = 2;
	ex = make(xg, NULL, &o);
	assert_int_equal(candor_explainer_method(ex), CANDOR_METHOD_TREE);
	assert_int_equal(candor_explainer_auto_method(xg), CANDOR_METHOD_TREE);
	check_windows(ex, x, 60, m);
	assert_int_equal(candor_explainer_run(&e, ex, x, 40), CANDOR_OK);
	assert_int_equal(candor_explanation_tree_mode(e), CANDOR_TREE_PATH_DEPENDENT);
	assert_int_equal(candor_treeshap(xg, x, 40, phi, &to), CANDOR_OK);
	for (size_t i = 0; i < 40; i++) {
		same_array(candor_explanation_values(e) + i * m, phi + i * m1, m, "tree values");
		same_array(candor_explanation_base(e) + i, phi + i * m1 + m, 1, "tree base");
	}
	assert_int_equal(candor_treeshap_interactions(xg, x, 40, phi, &to), CANDOR_OK);
	same_array(candor_explanation_interactions(e), phi, 40 * m1 * m1, "interactions");
	candor_explanation_free(e);
	candor_explainer_free(ex);

	/* interventional: the default with a background */
	memset(&o, 0, sizeof(o));
	assert_int_equal(candor_explainer_options_init(&o, CANDOR_EXPLAINER_OPTIONS_VERSION),
	                 CANDOR_OK);
	o.method = CANDOR_METHOD_TREE;
	o.threads = 2;
	ex = make(xg, bg, &o);
	check_windows(ex, x, 50, m);
	assert_int_equal(candor_explainer_run(&e, ex, x, 40), CANDOR_OK);
	assert_int_equal(candor_explanation_tree_mode(e), CANDOR_TREE_INTERVENTIONAL);
	assert_null(candor_explanation_interactions(e));
	assert_int_equal(candor_treeshap_interventional(xg, x, 40, x + 200 * m, 30, phi, &to),
	                 CANDOR_OK);
	for (size_t i = 0; i < 40; i++) {
		same_array(candor_explanation_values(e) + i * m, phi + i * m1, m, "interventional");
		same_array(candor_explanation_base(e) + i, phi + i * m1 + m, 1, "interv. base");
	}
	candor_explanation_free(e);
	candor_explainer_free(ex);
	candor_background_free(bg);
	free(phi);
	free(x);
	candor_model_free(xg);
}

/* ===== several threads on one explainer =================================== */

typedef struct run_job {
	const candor_explainer *ex;
	const double *x;
	size_t n;
	candor_explanation *e;
	candor_status st;
} run_job;

static void *run_thread(void *p)
{
	run_job *j = p;

	j->st = candor_explainer_run(&j->e, j->ex, j->x, j->n);
	return NULL;
}

static void test_concurrent_runs(void **state)
{
	(void)state;
	candor_model *pl = load(EXPLAIN_PLUGIN);
	size_t n;
	double *x = credit_rows(pl, &n);
	const size_t m = candor_model_nfeatures(pl);
	candor_background *bg = NULL;
	candor_explainer_options o = CANDOR_EXPLAINER_OPTIONS_INIT;
	candor_explainer *ex;
	candor_explanation *serial = NULL;
	run_job jobs[2];
	pthread_t th[2];

	assert_int_equal(candor_background_sample(&bg, x, n, m, 15, 2), CANDOR_OK);
	o.method = CANDOR_METHOD_KERNEL;
	o.nsamples = 100;
	o.threads = 1;
	ex = make(pl, bg, &o);
	candor_background_free(bg); /* the explainer holds its own copy */
	assert_int_equal(candor_explainer_run(&serial, ex, x, 30), CANDOR_OK);
	for (int t = 0; t < 2; t++) {
		jobs[t] = (run_job){ ex, x, 30, NULL, CANDOR_EINTERNAL };
		assert_int_equal(pthread_create(&th[t], NULL, run_thread, &jobs[t]), 0);
	}
	for (int t = 0; t < 2; t++) {
		pthread_join(th[t], NULL);
		assert_int_equal(jobs[t].st, CANDOR_OK);
		same_rows(serial, 0, jobs[t].e);
		candor_explanation_free(jobs[t].e);
	}
	candor_explanation_free(serial);
	candor_explainer_free(ex);
	free(x);
	candor_model_free(pl);
}

/* ===== the per-model lock ================================================= */

typedef int (*max_inside_fn)(void);
typedef void (*reset_fn)(void);

static candor_model *plugin_model(int reentrant, long sleep_us)
{
	char re[8], sl[32];

	snprintf(re, sizeof(re), "%d", reentrant);
	snprintf(sl, sizeof(sl), "%ld", sleep_us);
	setenv("CANDOR_TEST_PLUGIN_REENTRANT", re, 1);
	setenv("CANDOR_TEST_PLUGIN_SLEEP_US", sl, 1);
	return load(EXPLAIN_PLUGIN);
}

/* Explain 6 rows of each model in `models`, explainer i on thread i, each
 * with `threads` OpenMP threads. */
static void explain_in_threads(candor_model **models, int nmodels, const double *x,
                                 const candor_background *bg, int threads)
{
	candor_explainer *ex[2];
	run_job jobs[2];
	pthread_t th[2];

	for (int i = 0; i < nmodels; i++) {
		candor_explainer_options o = CANDOR_EXPLAINER_OPTIONS_INIT;

		o.method = CANDOR_METHOD_KERNEL;
		o.nsamples = 20;
		o.max_batch_rows = 64; /* several predict calls per row */
		o.threads = threads;
		ex[i] = make(models[i], bg, &o);
	}
	for (int i = 0; i < nmodels; i++) {
		jobs[i] = (run_job){ ex[i], x, 6, NULL, CANDOR_EINTERNAL };
		assert_int_equal(pthread_create(&th[i], NULL, run_thread, &jobs[i]), 0);
	}
	for (int i = 0; i < nmodels; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(jobs[i].st, CANDOR_OK);
		candor_explanation_free(jobs[i].e);
		candor_explainer_free(ex[i]);
	}
}

static void test_model_locks(void **state)
{
	(void)state;
	void *h = dlopen(EXPLAIN_PLUGIN, RTLD_NOW);
	max_inside_fn max_inside;
	reset_fn reset;
	candor_model *a, *b, *r, *pair[2];
	candor_background *bg = NULL;
	size_t n;
	double *x;

	assert_non_null(h);
	{
		/* POSIX: a dlsym result may be used as a function pointer */
		void *f1 = dlsym(h, "explain_plugin_max_inside"), *f2 = dlsym(h, "explain_plugin_reset");

		assert_non_null(f1);
		assert_non_null(f2);
		memcpy(&max_inside, &f1, sizeof(f1));
		memcpy(&reset, &f2, sizeof(f2));
	}
	a = plugin_model(0, 3000);
	b = plugin_model(0, 3000);
	r = plugin_model(1, 3000);
	assert_false(candor_model_is_reentrant(a));
	assert_true(candor_model_is_reentrant(r));
	x = credit_rows(a, &n);
	assert_int_equal(candor_background_sample(&bg, x, n, 6, 8, 1), CANDOR_OK);

	/* the counter sees concurrency: a reentrant model, 2 OpenMP threads */
	reset();
	pair[0] = r;
	explain_in_threads(pair, 1, x, bg, 2);
	assert_int_equal(max_inside(), 2);

	/* one model that is not reentrant: 2 OpenMP threads, then 2 explainers
	 * on 2 host threads, never inside it together */
	reset();
	pair[0] = a;
	explain_in_threads(pair, 1, x, bg, 2);
	assert_int_equal(max_inside(), 1);
	reset();
	pair[0] = pair[1] = a;
	explain_in_threads(pair, 2, x, bg, 1);
	assert_int_equal(max_inside(), 1);

	/* two models that are not reentrant, one per host thread: they run at
	 * the same time (the old process-wide lock made this 1) */
	reset();
	pair[0] = a;
	pair[1] = b;
	explain_in_threads(pair, 2, x, bg, 1);
	assert_int_equal(max_inside(), 2);
	/* (no timing check: on a loaded machine times prove nothing, and the
	 * counter already shows both models entered at once) */

	candor_background_free(bg);
	free(x);
	candor_model_free(a);
	candor_model_free(b);
	candor_model_free(r);
	dlclose(h);
	unsetenv("CANDOR_TEST_PLUGIN_REENTRANT");
	unsetenv("CANDOR_TEST_PLUGIN_SLEEP_US");
}

/* ===== options and errors ================================================= */

static void expect_new_error(candor_model *model, const candor_background *bg,
                             const candor_explainer_options *o, candor_status want,
                             const char *needle)
{
	candor_explainer *ex = (candor_explainer *)1;

	assert_int_equal(candor_explainer_new(&ex, model, bg, o), want);
	assert_null(ex);
	if (!strstr(candor_last_error()->message, needle))
		fail_msg("message '%s' lacks '%s'", candor_last_error()->message, needle);
}

static void test_options_and_errors(void **state)
{
	(void)state;
	candor_explainer_options o;
	candor_model *xg = load_src("tests/explain/golden/xgb.json");
	candor_model *lg = load_src("datasets/credit_model.json");
	candor_background *km = NULL;
	size_t n;
	double *x = credit_rows(xg, &n);

	memset(&o, 0xff, sizeof(o));
	assert_int_equal(candor_explainer_options_init(&o, 99), CANDOR_EINVAL);
	assert_int_equal(candor_explainer_options_init(&o, CANDOR_EXPLAINER_OPTIONS_VERSION),
	                 CANDOR_OK);
	assert_int_equal(o.version, CANDOR_EXPLAINER_OPTIONS_VERSION);
	assert_int_equal(o.method, 0);
	assert_null(o.categorical);
	o.version = 2;
	expect_new_error(xg, NULL, &o, CANDOR_EINVAL, "options version 2");
	o.version = CANDOR_EXPLAINER_OPTIONS_VERSION;

	o.tree_mode = CANDOR_TREE_INTERVENTIONAL;
	expect_new_error(xg, NULL, &o, CANDOR_EINVAL, "needs a background");
	assert_int_equal(candor_background_kmeans(&km, x, n, 6, NULL, 10, 1), CANDOR_OK);
	expect_new_error(xg, km, &o, CANDOR_EUNSUPPORTED, "unequal weights");
	o.interactions = 1;
	expect_new_error(xg, km, &o, CANDOR_EUNSUPPORTED, "interaction values are path-dependent");
	o.tree_mode = 0;
	o.interactions = 0;
	o.link = CANDOR_LINK_IDENTITY;
	expect_new_error(xg, NULL, &o, CANDOR_EINVAL, "options.link");
	o.link = 0;
	o.method = CANDOR_METHOD_TREE;
	expect_new_error(lg, km, &o, CANDOR_EUNSUPPORTED, "tree ensemble");
	o.method = CANDOR_METHOD_KERNEL;
	o.interactions = 1;
	expect_new_error(lg, km, &o, CANDOR_EINVAL, "options.interactions");
	o.interactions = 0;
	expect_new_error(lg, NULL, &o, CANDOR_EINVAL, "no background");
	o.threads = -1;
	expect_new_error(lg, km, &o, CANDOR_EINVAL, "threads");

	candor_background_free(km);
	free(x);
	candor_model_free(xg);
	candor_model_free(lg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_windows_agnostic),
		cmocka_unit_test(test_windows_tree),
		cmocka_unit_test(test_concurrent_runs),
		cmocka_unit_test(test_model_locks),
		cmocka_unit_test(test_options_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
