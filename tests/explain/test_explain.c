/*
 * test_explain.c - the model-agnostic explainers against independent
 * oracles and the Shapley axioms.
 *
 * Oracles:
 *  - exact Shapley: a brute-force reference written here from the
 *    definition over all M! orderings (phi_j = mean over orderings of the
 *    marginal contribution of j), with v(S) computed by calling the test
 *    model's C function directly; it shares no code with explain/;
 *  - linear SHAP: coef_j / scale_j * (x_j - E_w x_j) from the JSON's numbers;
 *  - LIME: the coefficients of the linear model it explains (continuous
 *    sampling regresses on standardised features, so weight = coef * sd);
 *  - k-means: clusters with known sizes.
 * Tolerances: 1e-12 where only rounding separates two exact computations
 * (sums of <= 10^4 terms of size ~1), 1e-9 for efficiency as the issue asks.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "candor/candor.h"
#include "models/models_int.h"

/* cmocka 1.1.5 (Debian 12) has no assert_double_equal. */
#define assert_near(a, b, tol)                                                              \
	do {                                                                                \
		const double a_ = (a), b_ = (b);                                            \
		if (!(fabs(a_ - b_) <= (tol)))                                              \
			fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #a, a_, b_,   \
			         (double)(tol));                                            \
	} while (0)

/* ===== test models ======================================================== */

enum { F_NL, F_PROB, F_BIG, F_SYM };

typedef struct tmodel {
	int f;
	size_t m, k;
} tmodel;

static double sigm(double z) { return 1 / (1 + exp(-z)); }

/* The test functions, used by the adapter and by the oracle alike. */
static void tm_eval(int f, const double *x, double *out)
{
	switch (f) {
	case F_NL: /* M = 6, K = 2 values */
		out[0] = x[0] * x[1] + sin(x[2]) + 0.3 * x[3] * x[3] - 0.2 * x[0] * x[4] * x[5] + x[5];
		out[1] = tanh(x[0] - x[2] * x[3]) + 0.5 * x[1] * x[4];
		break;
	case F_PROB: /* M = 6, K = 1 probability */
		out[0] = sigm(0.8 * x[0] * x[1] - 0.5 * x[2] + 0.3 * sin(x[3] * x[4]) + 0.2 * x[5]);
		break;
	case F_BIG: { /* M = 10, K = 1 value */
		double s = sin(x[0] * x[9]);

		/* pairwise terms alone would make paired KernelSHAP and antithetic
		 * permutations exact (Covert & Lee 2021): add higher orders */
		for (int j = 0; j < 10; j++)
			s += (0.3 + 0.1 * j) * x[j] + (j < 9 ? 0.3 * x[j] * x[j + 1] : 0);
		s += 0.5 * x[0] * x[1] * x[2] + sin(x[3] + x[4] * x[5] * x[6]) +
		     0.3 * x[6] * x[7] * x[8] * x[9];
		out[0] = s;
		break;
	}
	case F_SYM: /* M = 5, K = 1: symmetric in x0, x1; ignores x3 */
		out[0] = 0.5 * (x[0] + x[1]) * (x[0] + x[1]) + x[0] * x[1] * x[2] + sin(x[4]);
		break;
	}
}

static candor_status tm_predict(void *state, const double *x, size_t n, double *out)
{
	const tmodel *t = state;

	for (size_t i = 0; i < n; i++)
		tm_eval(t->f, x + i * t->m, out + i * t->k);
	return CANDOR_OK;
}

static void tm_free(void *state) { free(state); }

static const candor__model_vtable tm_vt = { tm_predict, tm_free };

static candor_model *make_model(int f)
{
	static const size_t ms[] = { 6, 6, 10, 5 }, ks[] = { 2, 1, 1, 1 };
	candor_model *m = NULL;
	tmodel *t = malloc(sizeof(*t));

	t->f = f;
	t->m = ms[f];
	t->k = ks[f];
	assert_int_equal(candor__model_alloc(&m, t->m), CANDOR_OK);
	for (size_t j = 0; j < t->m; j++) {
		char name[32];

		snprintf(name, sizeof(name), "x%zu", j);
		m->features[j] = strdup(name);
	}
	m->type = CANDOR_MODEL_PLUGIN;
	m->vt = &tm_vt;
	m->state = t;
	m->noutputs = t->k;
	m->output_kind = f == F_PROB ? CANDOR_OUTPUT_PROBABILITY : CANDOR_OUTPUT_VALUE;
	m->reentrant = true;
	return m;
}

/* Deterministic "high-entropy" data: a small LCG, independent of GSL. */
static double urand(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*s >> 11) / 9007199254740992.0;
}

static double *random_matrix(size_t n, size_t m, uint64_t seed)
{
	double *x = malloc(n * m * sizeof(double));

	for (size_t i = 0; i < n * m; i++)
		x[i] = 4 * urand(&seed) - 2;
	return x;
}

/* ===== the brute-force oracle ============================================= */

static double link_of(bool logit, double p) { return logit ? log(p / (1 - p)) : p; }

/* v(S) for every mask, by direct evaluation of the test function. */
static void oracle_values(int f, size_t m, size_t k, const double *x, const double *bg,
                          const double *w, size_t nbg, bool logit, double *v)
{
	double row[16], out[4];

	for (size_t s = 0; s < ((size_t)1 << m); s++) {
		for (size_t kk = 0; kk < k; kk++)
			v[s * k + kk] = 0;
		for (size_t b = 0; b < nbg; b++) {
			for (size_t j = 0; j < m; j++)
				row[j] = (s >> j) & 1 ? x[j] : bg[b * m + j];
			tm_eval(f, row, out);
			for (size_t kk = 0; kk < k; kk++)
				v[s * k + kk] += w[b] * out[kk];
		}
		for (size_t kk = 0; kk < k; kk++)
			v[s * k + kk] = link_of(logit, v[s * k + kk]);
	}
}

/* Shapley values as the mean marginal contribution over all M! orderings. */
static void oracle_shapley(size_t m, size_t k, const double *v, double *phi)
{
	size_t perm[16], c[16], count = 0;

	for (size_t j = 0; j < m * k; j++)
		phi[j] = 0;
	for (size_t j = 0; j < m; j++) {
		perm[j] = j;
		c[j] = 0;
	}
	/* Heap's algorithm, iterative */
	for (size_t i = 0;;) {
		size_t mask = 0;

		for (size_t l = 0; l < m; l++) {
			size_t next = mask | ((size_t)1 << perm[l]);

			for (size_t kk = 0; kk < k; kk++)
				phi[kk * m + perm[l]] += v[next * k + kk] - v[mask * k + kk];
			mask = next;
		}
		count++;
		while (i < m && c[i] >= i) {
			c[i] = 0;
			i++;
		}
		if (i >= m)
			break;
		{
			size_t a = i % 2 ? c[i] : 0, t = perm[a];

			perm[a] = perm[i];
			perm[i] = t;
		}
		c[i]++;
		i = 0;
	}
	for (size_t j = 0; j < m * k; j++)
		phi[j] /= (double)count;
}

/* ===== helpers ============================================================== */

static candor_explanation *run(candor_model *model, const double *x, size_t n,
                               const candor_background *bg, candor_explain_method method,
                               candor_link link, size_t nsamples, uint64_t seed, int threads)
{
	candor_explain_options o = CANDOR_EXPLAIN_OPTIONS_INIT;
	candor_explanation *e = NULL;
	candor_status st;

	o.method = method;
	o.link = link;
	o.nsamples = nsamples;
	o.seed = seed;
	o.threads = threads;
	st = candor_explain(&e, model, x, n, bg, &o);
	if (st != CANDOR_OK)
		fail_msg("candor_explain: %s", candor_last_error()->message);
	return e;
}

static void check_efficiency(const candor_explanation *e, double tol)
{
	const size_t n = candor_explanation_nrows(e), m = candor_explanation_nfeatures(e),
	             k = candor_explanation_noutputs(e);
	const double *phi = candor_explanation_values(e), *base = candor_explanation_base(e),
	             *pred = candor_explanation_prediction(e);

	for (size_t i = 0; i < n * k; i++) {
		double s = base[i];

		for (size_t j = 0; j < m; j++)
			s += phi[i * m + j];
		assert_near(s, pred[i], tol);
	}
}

/* ===== tests ================================================================ */

static void test_exact_vs_bruteforce(void **state)
{
	const size_t m = 6, nbg = 7, n = 3;
	double *bg = random_matrix(nbg, m, 11), *x = random_matrix(n, m, 12);
	const double w[7] = { 0.5, 1.5, 1, 2.25, 0.75, 1, 3 };
	double wn[7], v[64 * 2], ref[12];
	candor_background *b = NULL;

	(void)state;
	for (int i = 0; i < 7; i++)
		wn[i] = w[i] / 10.0;
	assert_int_equal(candor_background_new(&b, bg, nbg, m, w), CANDOR_OK);
	for (int f = F_NL; f <= F_PROB; f++) {
		candor_model *model = make_model(f);
		const size_t k = candor_model_noutputs(model);
		const bool logit = f == F_PROB;
		candor_explanation *e = run(model, x, n, b, CANDOR_METHOD_EXACT,
		                            logit ? CANDOR_LINK_LOGIT : CANDOR_LINK_IDENTITY, 0, 0, 0);

		for (size_t i = 0; i < n; i++) {
			oracle_values(f, m, k, x + i * m, bg, wn, nbg, logit, v);
			oracle_shapley(m, k, v, ref);
			for (size_t q = 0; q < k * m; q++)
				assert_near(candor_explanation_values(e)[i * k * m + q], ref[q], 1e-12);
			for (size_t kk = 0; kk < k; kk++) {
				assert_near(candor_explanation_base(e)[i * k + kk], v[kk], 1e-12);
				assert_near(candor_explanation_prediction(e)[i * k + kk], v[63 * k + kk], 1e-12);
			}
		}
		check_efficiency(e, 1e-9);
		/* KernelSHAP with every coalition is exact, too */
		{
			candor_explanation *ek = run(model, x, n, b, CANDOR_METHOD_KERNEL,
			                             logit ? CANDOR_LINK_LOGIT : CANDOR_LINK_IDENTITY, 62, 0, 0);

			for (size_t q = 0; q < n * k * m; q++)
				assert_near(candor_explanation_values(ek)[q], candor_explanation_values(e)[q],
				            1e-10);
			candor_explanation_free(ek);
		}
		candor_explanation_free(e);
		candor_model_free(model);
	}
	candor_background_free(b);
	free(bg);
	free(x);
}

static void test_efficiency_all(void **state)
{
	const size_t m = 10, n = 4;
	double *bg = random_matrix(20, m, 21), *x = random_matrix(n, m, 22);
	candor_background *b = NULL;
	candor_model *model = make_model(F_BIG);
	const candor_explain_method methods[] = { CANDOR_METHOD_EXACT, CANDOR_METHOD_KERNEL,
	                                          CANDOR_METHOD_PERMUTATION };

	(void)state;
	assert_int_equal(candor_background_new(&b, bg, 20, m, NULL), CANDOR_OK);
	for (int t = 0; t < 3; t++) {
		for (int threads = 1; threads <= 2; threads++) {
			candor_explanation *e = run(model, x, n, b, methods[t], CANDOR_LINK_IDENTITY, 300,
			                            7, threads);

			check_efficiency(e, 1e-9);
			candor_explanation_free(e);
		}
	}
	candor_model_free(model);
	candor_background_free(b);
	free(bg);
	free(x);
}

static const char *logistic_json =
	"{\"kind\": \"logistic\", \"features\": [\"a\", \"b\", \"c\", \"d\"],"
	" \"coef\": [0.7, -1.3, 0.25, 0.0], \"intercept\": -0.4,"
	" \"mean\": [1.5, 2.0, -3.0, 0.5], \"scale\": [2.0, 0.5, 4.0, 3.0]}";

static void test_linear_shap(void **state)
{
	const double coef[4] = { 0.7, -1.3, 0.25, 0.0 }, scale[4] = { 2.0, 0.5, 4.0, 3.0 };
	const size_t m = 4, n = 5, nbg = 9;
	double *bg = random_matrix(nbg, m, 31), *x = random_matrix(n, m, 32), w[9], ex[4] = { 0 };
	double wsum = 0;
	candor_background *b = NULL;
	candor_model *model = NULL;
	candor_explanation *e, *ee;

	(void)state;
	for (size_t i = 0; i < nbg; i++) {
		w[i] = 1.0 + (double)i * 0.37;
		wsum += w[i];
	}
	for (size_t i = 0; i < nbg; i++)
		for (size_t j = 0; j < m; j++)
			ex[j] += w[i] / wsum * bg[i * m + j];
	assert_int_equal(candor_background_new(&b, bg, nbg, m, w), CANDOR_OK);
	assert_int_equal(candor_model_load_buffer(&model, logistic_json, strlen(logistic_json), NULL),
	                 CANDOR_OK);
	e = run(model, x, n, b, CANDOR_METHOD_LINEAR, CANDOR_LINK_LOGIT, 0, 0, 0);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < m; j++)
			assert_near(candor_explanation_values(e)[i * m + j],
			            coef[j] / scale[j] * (x[i * m + j] - ex[j]), 1e-13);
	check_efficiency(e, 1e-9);
	/* the prediction is the model's log-odds */
	{
		double p[5];

		candor_model_predict(model, x, n, p);
		for (size_t i = 0; i < n; i++)
			assert_near(candor_explanation_prediction(e)[i], log(p[i] / (1 - p[i])), 1e-12);
	}
	/* a zero coefficient is a dummy feature */
	for (size_t i = 0; i < n; i++)
		assert_near(candor_explanation_values(e)[i * m + 3], 0, 0);
	candor_explanation_free(e);
	/* the identity link on a logistic model is refused for linear SHAP */
	{
		candor_explain_options o = CANDOR_EXPLAIN_OPTIONS_INIT;

		o.method = CANDOR_METHOD_LINEAR;
		assert_int_equal(candor_explain(&e, model, x, n, b, &o), CANDOR_EINVAL);
		assert_non_null(strstr(candor_last_error()->message, "options.link to logit"));
	}
	candor_model_free(model);

	/* on a linear model, exact Shapley (a different algorithm) agrees */
	{
		const char *lin = "{\"kind\": \"linear\", \"features\": [\"a\", \"b\", \"c\", \"d\"],"
		                  " \"coef\": [0.7, -1.3, 0.25, 2.0], \"intercept\": -0.4,"
		                  " \"mean\": [1.5, 2.0, -3.0, 0.5], \"scale\": [2.0, 0.5, 4.0, 3.0]}";

		assert_int_equal(candor_model_load_buffer(&model, lin, strlen(lin), NULL), CANDOR_OK);
		e = run(model, x, n, b, CANDOR_METHOD_LINEAR, CANDOR_LINK_IDENTITY, 0, 0, 0);
		ee = run(model, x, n, b, CANDOR_METHOD_EXACT, CANDOR_LINK_IDENTITY, 0, 0, 0);
		for (size_t q = 0; q < n * m; q++)
			assert_near(candor_explanation_values(e)[q], candor_explanation_values(ee)[q], 1e-12);
		candor_explanation_free(e);
		candor_explanation_free(ee);
		candor_model_free(model);
	}
	candor_background_free(b);
	free(bg);
	free(x);
}

/* Mean absolute error against exact values over rows and seeds. */
static double mean_error(candor_model *model, const double *x, size_t n,
                         const candor_background *b, const candor_explanation *exact,
                         candor_explain_method method, size_t budget)
{
	const size_t m = candor_model_nfeatures(model);
	double err = 0;

	for (uint64_t seed = 1; seed <= 4; seed++) {
		candor_explanation *e = run(model, x, n, b, method, CANDOR_LINK_IDENTITY, budget, seed, 0);

		for (size_t q = 0; q < n * m; q++)
			err += fabs(candor_explanation_values(e)[q] - candor_explanation_values(exact)[q]);
		check_efficiency(e, 1e-9);
		candor_explanation_free(e);
	}
	return err / (4.0 * (double)(n * m));
}

static void test_convergence(void **state)
{
	const size_t m = 10, n = 4;
	double *bg = random_matrix(15, m, 41), *x = random_matrix(n, m, 42);
	candor_background *b = NULL;
	candor_model *model = make_model(F_BIG);
	candor_explanation *exact;

	(void)state;
	assert_int_equal(candor_background_new(&b, bg, 15, m, NULL), CANDOR_OK);
	exact = run(model, x, n, b, CANDOR_METHOD_EXACT, CANDOR_LINK_IDENTITY, 0, 0, 0);
	{
		const double e1 = mean_error(model, x, n, b, exact, CANDOR_METHOD_KERNEL, 40);
		const double e2 = mean_error(model, x, n, b, exact, CANDOR_METHOD_KERNEL, 160);
		const double e3 = mean_error(model, x, n, b, exact, CANDOR_METHOD_KERNEL, 640);

		print_message("kernel: mean |error| %.4g (40), %.4g (160), %.4g (640)\n", e1, e2, e3);
		assert_true(e2 < 0.75 * e1);
		assert_true(e3 < 0.75 * e2);
	}
	{
		const double e1 = mean_error(model, x, n, b, exact, CANDOR_METHOD_PERMUTATION, 18 * 2);
		const double e2 = mean_error(model, x, n, b, exact, CANDOR_METHOD_PERMUTATION, 18 * 8);
		const double e3 = mean_error(model, x, n, b, exact, CANDOR_METHOD_PERMUTATION, 18 * 32);

		print_message("permutation: mean |error| %.4g (2 pairs), %.4g (8), %.4g (32)\n", e1, e2,
		              e3);
		assert_true(e2 < 0.75 * e1);
		assert_true(e3 < 0.75 * e2);
	}
	candor_explanation_free(exact);
	candor_model_free(model);
	candor_background_free(b);
	free(bg);
	free(x);
}

static void test_stderr_calibrated(void **state)
{
	const size_t m = 10, n = 6;
	double *bg = random_matrix(15, m, 51), *x = random_matrix(n, m, 52);
	candor_background *b = NULL;
	candor_model *model = make_model(F_BIG);
	candor_explanation *exact;
	const candor_explain_method methods[2] = { CANDOR_METHOD_KERNEL, CANDOR_METHOD_PERMUTATION };

	(void)state;
	assert_int_equal(candor_background_new(&b, bg, 15, m, NULL), CANDOR_OK);
	exact = run(model, x, n, b, CANDOR_METHOD_EXACT, CANDOR_LINK_IDENTITY, 0, 0, 0);
	for (int t = 0; t < 2; t++) {
		size_t within = 0, total = 0;
		double z2 = 0;

		for (uint64_t seed = 0; seed < 5; seed++) {
			candor_explanation *e = run(model, x, n, b, methods[t], CANDOR_LINK_IDENTITY, 300,
			                            seed, 0);
			const double *se = candor_explanation_stderr(e);

			for (size_t q = 0; q < n * m; q++) {
				const double err = fabs(candor_explanation_values(e)[q] -
				                        candor_explanation_values(exact)[q]);

				/* 0 is possible: all 16 antithetic pairs of a row may agree */
				if (!(se[q] >= 0))
					fail_msg("method %d seed %d value %zu: SE %g", t, (int)seed, q, se[q]);
				within += err <= 2.5 * se[q] + 1e-12;
				z2 += se[q] > 0 ? err * err / (se[q] * se[q]) : 0;
				total++;
			}
			candor_explanation_free(e);
		}
		/* a Gaussian error is within 2.5 SE 98.8% of the time; allow estimation noise */
		print_message("method %d: %zu of %zu errors within 2.5 SE; rms(error / SE) %.3f\n", t,
		              within, total, sqrt(z2 / (double)total));
		assert_true((double)within >= 0.85 * (double)total);
		/* and not grossly conservative either: rms(error / SE) near 1 */
		assert_true(sqrt(z2 / (double)total) > 0.6 && sqrt(z2 / (double)total) < 1.6);
	}
	/* a target SE stops early and is met */
	{
		candor_explain_options o = CANDOR_EXPLAIN_OPTIONS_INIT;
		candor_explanation *e = NULL;

		o.method = CANDOR_METHOD_KERNEL;
		o.nsamples = 1000;
		o.target_stderr = 0.05;
		assert_int_equal(candor_explain(&e, model, x, n, b, &o), CANDOR_OK);
		for (size_t q = 0; q < n * m; q++)
			assert_true(candor_explanation_stderr(e)[q] <= 0.05);
		check_efficiency(e, 1e-9);
		candor_explanation_free(e);
	}
	candor_explanation_free(exact);
	candor_model_free(model);
	candor_background_free(b);
	free(bg);
	free(x);
}

static void test_dummy_symmetry(void **state)
{
	const size_t m = 5, nbg = 12;
	double *bg = random_matrix(nbg, m, 61), x[5] = { 0.73, 0.73, -1.2, 1.9, 0.4 };
	candor_background *b = NULL;
	candor_model *model = make_model(F_SYM);

	(void)state;
	/* close the background under swapping x0 and x1 so the two are exchangeable */
	for (size_t i = 0; i < nbg / 2; i++) {
		double *r = bg + (nbg / 2 + i) * m;

		memcpy(r, bg + i * m, m * sizeof(double));
		r[0] = bg[i * m + 1];
		r[1] = bg[i * m + 0];
	}
	assert_int_equal(candor_background_new(&b, bg, nbg, m, NULL), CANDOR_OK);
	{
		candor_explanation *e = run(model, x, 1, b, CANDOR_METHOD_EXACT, CANDOR_LINK_IDENTITY, 0,
		                            0, 0);
		const double *phi = candor_explanation_values(e);

		/* dummy: zero up to the rounding of v(all), taken from f(x) itself */
		assert_near(phi[3], 0, 1e-15);
		assert_near(phi[0], phi[1], 1e-12); /* symmetry */
		assert_true(fabs(phi[0]) > 1e-3);
		candor_explanation_free(e);
	}
	{
		candor_explanation *e = run(model, x, 1, b, CANDOR_METHOD_KERNEL, CANDOR_LINK_IDENTITY, 30,
		                            0, 0);
		const double *phi = candor_explanation_values(e);

		assert_near(phi[3], 0, 1e-12);
		assert_near(phi[0], phi[1], 1e-12);
		candor_explanation_free(e);
	}
	{
		/* permutation: a dummy's marginal contributions are all 0 (up to rounding) */
		candor_explanation *e = run(model, x, 1, b, CANDOR_METHOD_PERMUTATION,
		                            CANDOR_LINK_IDENTITY, 200, 3, 0);

		assert_near(candor_explanation_values(e)[3], 0, 1e-15);
		candor_explanation_free(e);
	}
	candor_model_free(model);
	candor_background_free(b);
	free(bg);
}

static void test_determinism(void **state)
{
	const size_t m = 10, n = 6;
	double *bg = random_matrix(12, m, 71), *x = random_matrix(n, m, 72);
	candor_background *b = NULL;
	candor_model *model = make_model(F_BIG);
	const candor_explain_method methods[3] = { CANDOR_METHOD_KERNEL, CANDOR_METHOD_PERMUTATION,
	                                           CANDOR_METHOD_LIME };

	(void)state;
	assert_int_equal(candor_background_new(&b, bg, 12, m, NULL), CANDOR_OK);
	for (int t = 0; t < 3; t++) {
		candor_explanation *e1 = run(model, x, n, b, methods[t], CANDOR_LINK_IDENTITY, 200, 5, 1);
		candor_explanation *e2 = run(model, x, n, b, methods[t], CANDOR_LINK_IDENTITY, 200, 5, 2);
		candor_explanation *e3 = run(model, x, n, b, methods[t], CANDOR_LINK_IDENTITY, 200, 6, 2);
		candor_explain_options o = CANDOR_EXPLAIN_OPTIONS_INIT;
		candor_explanation *part = NULL;
		const uint64_t ids[2] = { 3, 4 };

		assert_memory_equal(candor_explanation_values(e1), candor_explanation_values(e2),
		                    n * m * sizeof(double));
		assert_memory_not_equal(candor_explanation_values(e1), candor_explanation_values(e3),
		                        n * m * sizeof(double));
		/* rows 3..4 explained alone, labelled by their ids, give the same numbers */
		o.method = methods[t];
		o.nsamples = 200;
		o.seed = 5;
		o.row_ids = ids;
		assert_int_equal(candor_explain(&part, model, x + 3 * m, 2, b, &o), CANDOR_OK);
		assert_memory_equal(candor_explanation_values(part), candor_explanation_values(e1) + 3 * m,
		                    2 * m * sizeof(double));
		assert_int_equal(candor_explanation_row_id(part, 1), 4);
		candor_explanation_free(part);
		candor_explanation_free(e1);
		candor_explanation_free(e2);
		candor_explanation_free(e3);
	}
	candor_model_free(model);
	candor_background_free(b);
	free(bg);
	free(x);
}

/*
 * The synthetic rows are built in predict-call slots, each patched from the
 * coalition it held before (explain.c: fill_slot). How coalitions are cut
 * into calls must not change a single bit: every coalition value is a sum
 * over the background in a fixed order. One slot per call (every coalition
 * patched from its predecessor), 7 slots and the default are compared.
 */
static void test_batching(void **state)
{
	const size_t m = 10, n = 3, nbg = 12;
	double *bg = random_matrix(nbg, m, 81), *x = random_matrix(n, m, 82);
	candor_background *b = NULL;
	candor_model *model = make_model(F_BIG);
	const candor_explain_method methods[3] = { CANDOR_METHOD_EXACT, CANDOR_METHOD_KERNEL,
	                                           CANDOR_METHOD_PERMUTATION };
	const size_t batches[3] = { 0, 7 * nbg, nbg };

	(void)state;
	assert_int_equal(candor_background_new(&b, bg, nbg, m, NULL), CANDOR_OK);
	for (int t = 0; t < 3; t++) {
		candor_explanation *e[3];

		for (int q = 0; q < 3; q++) {
			candor_explain_options o = CANDOR_EXPLAIN_OPTIONS_INIT;

			o.method = methods[t];
			o.nsamples = 300;
			o.seed = 9;
			o.threads = 1;
			o.max_batch_rows = batches[q];
			e[q] = NULL;
			assert_int_equal(candor_explain(&e[q], model, x, n, b, &o), CANDOR_OK);
		}
		for (int q = 1; q < 3; q++)
			assert_memory_equal(candor_explanation_values(e[0]),
			                    candor_explanation_values(e[q]), n * m * sizeof(double));
		for (int q = 0; q < 3; q++)
			candor_explanation_free(e[q]);
	}
	candor_model_free(model);
	candor_background_free(b);
	free(bg);
	free(x);
}

/*
 * The built-in models get small predict calls (explain.c: COAL_CACHE_BYTES;
 * 100 background rows of 6 features fill 5 slots, so the 62 coalitions take
 * 13 calls). On a linear model with the identity link, exact Shapley and
 * KernelSHAP with every coalition equal coef_j / scale_j (x_j - E x_j).
 */
static void test_builtin_model_batches(void **state)
{
	const char *lin = "{\"kind\": \"linear\", \"features\": [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"],"
	                  " \"coef\": [0.7, -1.3, 0.25, 2.0, -0.6, 1.1], \"intercept\": 0.3,"
	                  " \"scale\": [2.0, 0.5, 4.0, 3.0, 1.0, 0.8]}";
	const double coef[6] = { 0.7, -1.3, 0.25, 2.0, -0.6, 1.1 };
	const double scale[6] = { 2.0, 0.5, 4.0, 3.0, 1.0, 0.8 };
	const size_t m = 6, n = 4, nbg = 100;
	double *bg = random_matrix(nbg, m, 91), *x = random_matrix(n, m, 92), ex[6] = { 0 };
	candor_background *b = NULL;
	candor_model *model = NULL;
	const candor_explain_method methods[2] = { CANDOR_METHOD_EXACT, CANDOR_METHOD_KERNEL };

	(void)state;
	for (size_t i = 0; i < nbg; i++)
		for (size_t j = 0; j < m; j++)
			ex[j] += bg[i * m + j] / (double)nbg;
	assert_int_equal(candor_background_new(&b, bg, nbg, m, NULL), CANDOR_OK);
	assert_int_equal(candor_model_load_buffer(&model, lin, strlen(lin), NULL), CANDOR_OK);
	for (int t = 0; t < 2; t++) {
		candor_explanation *e = run(model, x, n, b, methods[t], CANDOR_LINK_IDENTITY, 62, 0, 2);

		/* sums of 100 terms of size ~1, then a 5 x 5 solve: 1e-10 */
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < m; j++)
				assert_near(candor_explanation_values(e)[i * m + j],
				            coef[j] / scale[j] * (x[i * m + j] - ex[j]), 1e-10);
		check_efficiency(e, 1e-9);
		candor_explanation_free(e);
	}
	candor_model_free(model);
	candor_background_free(b);
	free(bg);
	free(x);
}

static void test_lime_recovers_linear(void **state)
{
	const char *lin = "{\"kind\": \"linear\", \"features\": [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"],"
	                  " \"coef\": [1.7, 0, 0, -2.385, 0, 0], \"intercept\": 0.5}";
	const double coef[6] = { 1.7, 0, 0, -2.385, 0, 0 };
	const size_t m = 6, ntrain = 400, n = 3;
	double *train = random_matrix(ntrain, m, 81), *x = random_matrix(n, m, 82), sd[6];
	candor_background *b = NULL;
	candor_model *model = NULL;
	candor_explain_options o = CANDOR_EXPLAIN_OPTIONS_INIT;
	candor_explanation *e = NULL;

	(void)state;
	for (size_t j = 0; j < m; j++) {
		double mu = 0, v = 0;

		for (size_t i = 0; i < ntrain; i++)
			mu += train[i * m + j] / (double)ntrain;
		for (size_t i = 0; i < ntrain; i++)
			v += (train[i * m + j] - mu) * (train[i * m + j] - mu) / (double)ntrain;
		sd[j] = sqrt(v);
	}
	assert_int_equal(candor_background_new(&b, train, ntrain, m, NULL), CANDOR_OK);
	assert_int_equal(candor_model_load_buffer(&model, lin, strlen(lin), NULL), CANDOR_OK);
	/* continuous sampling regresses on standardised features: weight = coef * sd */
	o.method = CANDOR_METHOD_LIME;
	o.lime_sampling = CANDOR_LIME_CONTINUOUS;
	o.lime_selection = CANDOR_LIME_SELECT_NONE;
	assert_int_equal(candor_explain(&e, model, x, n, b, &o), CANDOR_OK);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < m; j++)
			/* ridge alpha 1 against a weighted Gram of ~10^3: shrinkage < 0.5% */
			assert_near(candor_explanation_values(e)[i * m + j], coef[j] * sd[j],
			            0.01 * fabs(coef[j] * sd[j]) + 0.005);
		assert_true(candor_explanation_score(e)[i] > 0.999);
		/* the local model reproduces the prediction at x */
		assert_near(candor_explanation_local_prediction(e)[i], candor_explanation_prediction(e)[i],
		            0.02);
	}
	candor_explanation_free(e);
	/* every selection picks the two informative features (quartile sampling) */
	for (int sel = CANDOR_LIME_SELECT_HIGHEST; sel <= CANDOR_LIME_SELECT_LASSO; sel++) {
		o.lime_sampling = CANDOR_LIME_QUARTILE;
		o.lime_selection = (candor_lime_selection)sel;
		o.lime_num_features = 2;
		assert_int_equal(candor_explain(&e, model, x, n, b, &o), CANDOR_OK);
		for (size_t i = 0; i < n; i++) {
			const double *wt = candor_explanation_values(e) + i * m;

			for (size_t j = 0; j < m; j++) {
				if ((coef[j] != 0) != (wt[j] != 0))
					print_message("selection %d row %zu: weight %zu = %g\n", sel, i, j, wt[j]);
				/* the support only: the sign of a "same quartile as x"
				 * indicator depends on which quartile x is in */
				assert_true((coef[j] != 0) == (wt[j] != 0));
			}
		}
		candor_explanation_free(e);
	}
	candor_model_free(model);
	candor_background_free(b);
	free(train);
	free(x);
}

/*
 * Issue 9, finding 2: LIME never reports weights 0 with R^2 = 1 for a fit
 * it could not make. A kernel whose weights underflow (1e-300 on a healthy
 * model, or 0.01 with quartile sampling, where every sample but x is at
 * distance >= 1) and a model that does not vary are errors; a NaN
 * prediction is refused by the model layer, naming the row, and KernelSHAP
 * no longer calls it a budget matter.
 */
static void test_lime_degenerate(void **state)
{
	const char *flat = "{\"kind\": \"linear\", \"features\": [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"],"
	                   " \"coef\": [0, 0, 0, 0, 0, 0], \"intercept\": 0.5}";
	const char *lin = "{\"kind\": \"linear\", \"features\": [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"],"
	                  " \"coef\": [1.7, 0, 0, -2.385, 0, 0], \"intercept\": 0.5}";
	const size_t m = 6, ntrain = 300, n = 2;
	double *train = random_matrix(ntrain, m, 83), *x = random_matrix(n, m, 84);
	candor_background *b = NULL;
	candor_model *model = make_model(F_NL), *fm = NULL, *lm = NULL;
	candor_explain_options o = CANDOR_EXPLAIN_OPTIONS_INIT;
	candor_explanation *e = NULL;
	const double widths[] = { 1e-300, 0.01 };

	(void)state;
	assert_int_equal(candor_background_new(&b, train, ntrain, m, NULL), CANDOR_OK);
	o.method = CANDOR_METHOD_LIME;
	o.nsamples = 500;
	for (size_t t = 0; t < 2; t++) {
		o.lime_kernel_width = widths[t];
		assert_int_equal(candor_explain(&e, model, x, n, b, &o), CANDOR_EDOMAIN);
		assert_null(e);
		assert_non_null(strstr(candor_last_error()->message, "gives weight 0 to every sample"));
	}
	o.lime_kernel_width = 0;
	assert_int_equal(candor_explain(&e, model, x, n, b, &o), CANDOR_OK);
	candor_explanation_free(e);
	e = NULL;
	/* a model whose output does not vary: R^2 is 0/0, not 1 */
	assert_int_equal(candor_model_load_buffer(&fm, flat, strlen(flat), NULL), CANDOR_OK);
	assert_int_equal(candor_explain(&e, fm, x, n, b, &o), CANDOR_EDOMAIN);
	assert_non_null(strstr(candor_last_error()->message, "does not vary"));
	/* a NaN prediction (a missing value into a linear model) */
	assert_int_equal(candor_model_load_buffer(&lm, lin, strlen(lin), "lin.json"), CANDOR_OK);
	x[m + 3] = NAN;
	assert_int_equal(candor_explain(&e, lm, x, n, b, &o), CANDOR_EDOMAIN);
	assert_non_null(strstr(candor_last_error()->message, "'lin.json' predicted nan for row 1"));
	o.method = CANDOR_METHOD_KERNEL;
	o.nsamples = 0;
	assert_int_equal(candor_explain(&e, lm, x, n, b, &o), CANDOR_EDOMAIN);
	assert_null(strstr(candor_last_error()->message, "budget"));
	assert_non_null(strstr(candor_last_error()->message, "predicted nan for row 1"));
	candor_model_free(model);
	candor_model_free(fm);
	candor_model_free(lm);
	candor_background_free(b);
	free(train);
	free(x);
}

static void test_errors(void **state)
{
	double *x = random_matrix(2, 10, 91);
	candor_background *b = NULL;
	candor_model *model = make_model(F_BIG);
	candor_explain_options o = CANDOR_EXPLAIN_OPTIONS_INIT;
	candor_explanation *e = NULL;

	(void)state;
	assert_int_equal(candor_background_new(&b, x, 2, 10, NULL), CANDOR_OK);
	o.method = CANDOR_METHOD_EXACT;
	o.max_exact_features = 8;
	assert_int_equal(candor_explain(&e, model, x, 2, b, &o), CANDOR_EUNSUPPORTED);
	assert_non_null(strstr(candor_last_error()->message, "exceed the limit of 8"));
	o.method = CANDOR_METHOD_KERNEL;
	o.nsamples = 5;
	assert_int_equal(candor_explain(&e, model, x, 2, b, &o), CANDOR_EINVAL);
	assert_non_null(strstr(candor_last_error()->message, "too small"));
	o.method = CANDOR_METHOD_PERMUTATION;
	assert_int_equal(candor_explain(&e, model, x, 2, b, &o), CANDOR_EINVAL);
	assert_non_null(strstr(candor_last_error()->message, "too small"));
	o.method = CANDOR_METHOD_KERNEL;
	o.nsamples = 0;
	o.link = CANDOR_LINK_LOGIT;
	assert_int_equal(candor_explain(&e, model, x, 2, b, &o), CANDOR_EINVAL);
	assert_non_null(strstr(candor_last_error()->message, "probabilities"));
	o.link = CANDOR_LINK_IDENTITY;
	o.method = CANDOR_METHOD_LINEAR;
	assert_int_equal(candor_explain(&e, model, x, 2, b, &o), CANDOR_EUNSUPPORTED);
	o.method = CANDOR_METHOD_TREE;
	assert_int_equal(candor_explain(&e, model, x, 2, b, &o), CANDOR_EINVAL);
	assert_null(e);
	candor_model_free(model);
	candor_background_free(b);
	free(x);
}

static void test_background(void **state)
{
	/* three well-separated clusters of 50, 30 and 20 points */
	const size_t n = 100, m = 2;
	double x[200];
	uint64_t s = 5;
	candor_background *b = NULL, *b2 = NULL;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const double cx = i < 50 ? 0 : i < 80 ? 100 : -100;

		x[i * m] = cx + urand(&s);
		x[i * m + 1] = (i < 50 ? 5 : 0) + urand(&s);
	}
	assert_int_equal(candor_background_kmeans(&b, x, n, m, NULL, 3, 9), CANDOR_OK);
	assert_int_equal(candor_background_nrows(b), 3);
	{
		double got[3] = { 0 };

		for (size_t c = 0; c < 3; c++) {
			const double cx = candor_background_rows(b)[c * m];
			const size_t id = cx > 50 ? 1 : cx < -50 ? 2 : 0;
			bool observed = false;

			got[id] = candor_background_weights(b)[c];
			/* centroids are snapped to observed values */
			for (size_t i = 0; i < n; i++)
				observed |= x[i * m] == cx;
			assert_true(observed);
		}
		assert_near(got[0], 0.5, 1e-15);
		assert_near(got[1], 0.3, 1e-15);
		assert_near(got[2], 0.2, 1e-15);
	}
	assert_int_equal(candor_background_kmeans(&b2, x, n, m, NULL, 3, 9), CANDOR_OK);
	assert_memory_equal(candor_background_rows(b), candor_background_rows(b2), 3 * m * sizeof(double));
	candor_background_free(b);
	candor_background_free(b2);
	/* a random sample keeps k rows in their order */
	assert_int_equal(candor_background_sample(&b, x, n, m, 10, 4), CANDOR_OK);
	assert_int_equal(candor_background_nrows(b), 10);
	{
		size_t last = 0;

		for (size_t c = 0; c < 10; c++) {
			size_t i = 0;

			while (i < n && memcmp(x + i * m, candor_background_rows(b) + c * m, m * sizeof(double)))
				i++;
			assert_true(i < n);
			assert_true(c == 0 || i > last);
			last = i;
		}
	}
	candor_background_free(b);
	x[7] = NAN;
	assert_int_equal(candor_background_kmeans(&b, x, n, m, NULL, 3, 9), CANDOR_EDOMAIN);
}

static void test_importance_groups_csv(void **state)
{
	const size_t m = 6, n = 5;
	double *bg = random_matrix(8, m, 101), *x = random_matrix(n, m, 102);
	candor_background *b = NULL;
	candor_model *model = make_model(F_NL);
	candor_explanation *e;
	const int32_t groups[5] = { 0, 1, 0, -1, 1 };
	double imp[6], means[12];
	size_t counts[2];

	(void)state;
	assert_int_equal(candor_background_new(&b, bg, 8, m, NULL), CANDOR_OK);
	e = run(model, x, n, b, CANDOR_METHOD_EXACT, CANDOR_LINK_IDENTITY, 0, 0, 0);
	assert_int_equal(candor_explanation_importance(e, 1, imp), CANDOR_OK);
	assert_int_equal(candor_explanation_group_means(e, 1, groups, 2, means, counts), CANDOR_OK);
	assert_int_equal(counts[0], 2);
	assert_int_equal(counts[1], 2);
	for (size_t j = 0; j < m; j++) {
		const double *v = candor_explanation_values(e);
		double s = 0;

		for (size_t i = 0; i < n; i++)
			s += fabs(v[(i * 2 + 1) * m + j]);
		assert_near(imp[j], s / 5, 1e-15);
		assert_near(means[j], (v[(0 * 2 + 1) * m + j] + v[(2 * 2 + 1) * m + j]) / 2, 1e-15);
		assert_near(means[m + j], (v[(1 * 2 + 1) * m + j] + v[(4 * 2 + 1) * m + j]) / 2, 1e-15);
	}
	/* the CSV: K = 2 adds an output column; the numbers read back exactly */
	{
		FILE *f = tmpfile();
		char line[4096];
		size_t rows = 0;

		assert_int_equal(candor_explanation_write_csv(e, f), CANDOR_OK);
		rewind(f);
		assert_non_null(fgets(line, sizeof(line), f));
		assert_string_equal(line, "row,output,x0,x1,x2,x3,x4,x5,base_value,prediction\n");
		while (fgets(line, sizeof(line), f)) {
			double v[10], s = 0;
			char *p = line;

			for (int c = 0; c < 10; c++) {
				v[c] = strtod(p, &p);
				p++;
			}
			for (int c = 2; c < 9; c++)
				s += v[c];
			assert_near(s, v[9], 1e-9);
			assert_near(v[2], candor_explanation_values(e)[rows * m], 0);
			rows++;
		}
		assert_int_equal(rows, n * 2);
		fclose(f);
	}
	candor_explanation_free(e);
	candor_model_free(model);
	candor_background_free(b);
	free(bg);
	free(x);
}

/* Fail the n-th allocation for n = 0, 1, ... until a call succeeds: every
 * failure must return CANDOR_ENOMEM and leak nothing (ASan in CI). One thread,
 * because the fail-after-N hook is per thread. */
static void test_out_of_memory(void **state)
{
	const size_t m = 6, n = 3;
	double *bg = random_matrix(10, m, 111), *x = random_matrix(n, m, 112);
	candor_model *model = make_model(F_PROB);
	const candor_explain_method methods[] = { CANDOR_METHOD_EXACT, CANDOR_METHOD_KERNEL,
	                                          CANDOR_METHOD_PERMUTATION, CANDOR_METHOD_LIME };

	(void)state;
	for (int t = 0; t < 4; t++) {
		candor_background *b = NULL;
		long i;

		assert_int_equal(candor_background_new(&b, bg, 10, m, NULL), CANDOR_OK);
		for (i = 0; i < 100000; i++) {
			candor_explain_options o = CANDOR_EXPLAIN_OPTIONS_INIT;
			candor_explanation *e = NULL;
			candor_status st;

			o.method = methods[t];
			o.threads = 1;
			o.nsamples = 40;
			candor__failalloc_arm(i);
			st = candor_explain(&e, model, x, n, b, &o);
			candor__failalloc_arm(-1);
			if (st == CANDOR_OK) {
				candor_explanation_free(e);
				break;
			}
			assert_int_equal(st, CANDOR_ENOMEM);
			assert_null(e);
		}
		assert_true(i > 3);
		candor_background_free(b);
	}
	for (long i = 0;; i++) {
		candor_background *b = NULL;
		candor_status st;

		candor__failalloc_arm(i);
		st = candor_background_kmeans(&b, bg, 10, m, NULL, 3, 1);
		candor__failalloc_arm(-1);
		if (st == CANDOR_OK) {
			candor_background_free(b);
			break;
		}
		assert_int_equal(st, CANDOR_ENOMEM);
	}
	candor_model_free(model);
	free(bg);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_vs_bruteforce),
		cmocka_unit_test(test_efficiency_all),
		cmocka_unit_test(test_linear_shap),
		cmocka_unit_test(test_convergence),
		cmocka_unit_test(test_stderr_calibrated),
		cmocka_unit_test(test_dummy_symmetry),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_batching),
		cmocka_unit_test(test_builtin_model_batches),
		cmocka_unit_test(test_lime_recovers_linear),
		cmocka_unit_test(test_lime_degenerate),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_background),
		cmocka_unit_test(test_importance_groups_csv),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
