/*
 * test_fairness.c - unit tests of the fairness module (cmocka).
 *
 * Oracles, each named where used:
 * - confusion matrices counted by hand and every metric worked out as a
 *   fraction in the comments (exact rationals, compared to 1e-12);
 * - fairlearn / AIF360 summary formulas evaluated by hand (fractions), the
 *   Theil and generalized entropy indices with numpy 1.24 using AIF360's
 *   own expression (see test_summary_metrics);
 * - scikit-learn 1.2 roc_auc_score / brier_score_loss for score metrics;
 * - published intervals and p-values (Newcombe 1998; R's fisher.test and
 *   prop.test).
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
#include <json-c/json.h>

#include "candor/fairness.h"
#include "fairness/fairness_int.h"

#define TOL 1e-12

/* ===== fixtures ========================================================= */

typedef struct gcounts {
	unsigned tp, fp, tn, fn;
} gcounts;

/* Rows for groups 0..ng-1 of one attribute with the given confusion counts,
 * interleaved so that chunking tests cut through every group. */
typedef struct rowset {
	size_t n;
	uint8_t *label, *pred;
	int32_t *g0, *g1;
	double *score;
} rowset;

static void rowset_free(rowset *r)
{
	free(r->label);
	free(r->pred);
	free(r->g0);
	free(r->g1);
	free(r->score);
	memset(r, 0, sizeof(*r));
}

static rowset make_rows(const gcounts *gc, size_t ng)
{
	rowset r = {0};
	size_t n = 0, i = 0;

	for (size_t g = 0; g < ng; g++)
		n += gc[g].tp + gc[g].fp + gc[g].tn + gc[g].fn;
	r.n = n;
	r.label = calloc(n, 1);
	r.pred = calloc(n, 1);
	r.g0 = calloc(n, sizeof(int32_t));
	r.g1 = calloc(n, sizeof(int32_t));
	r.score = calloc(n, sizeof(double));
	assert_non_null(r.label);
	for (size_t g = 0; g < ng; g++) {
		unsigned q[4] = {gc[g].tn, gc[g].fp, gc[g].fn, gc[g].tp};

		for (int k = 0; k < 4; k++)
			for (unsigned j = 0; j < q[k]; j++, i++) {
				r.label[i] = (uint8_t)(k >> 1);
				r.pred[i] = (uint8_t)(k & 1);
				r.g0[i] = (int32_t)g;
				r.g1[i] = (int32_t)(i % 2);
				/* a score correlated with the label, with ties */
				r.score[i] = (double)((i * 7919u) % 11u) / 10.0 * 0.5 + 0.5 * (k >> 1);
			}
	}
	/* deterministic shuffle (Fisher-Yates with an LCG) */
	uint64_t s = 12345;
	for (size_t j = n; j > 1; j--) {
		size_t k;
		uint8_t t8;
		int32_t t32;
		double td;

		s = s * 6364136223846793005ull + 1442695040888963407ull;
		k = (size_t)((s >> 33) % j);
		t8 = r.label[j - 1]; r.label[j - 1] = r.label[k]; r.label[k] = t8;
		t8 = r.pred[j - 1]; r.pred[j - 1] = r.pred[k]; r.pred[k] = t8;
		t32 = r.g0[j - 1]; r.g0[j - 1] = r.g0[k]; r.g0[k] = t32;
		t32 = r.g1[j - 1]; r.g1[j - 1] = r.g1[k]; r.g1[k] = t32;
		td = r.score[j - 1]; r.score[j - 1] = r.score[k]; r.score[k] = td;
	}
	return r;
}

static const char *lv_abcd[] = {"A", "B", "C", "D"};
static const char *lv_xy[] = {"x", "y"};

static candor_fairness_acc *make_acc(const rowset *r, size_t nlevels, bool two_attrs,
                                     bool scores)
{
	candor_fairness_attribute at[2] = {{"g", lv_abcd, nlevels}, {"h", lv_xy, 2}};
	candor_fairness_acc *acc = NULL;
	const int32_t *groups[2] = {r->g0, r->g1};
	candor_fairness_rows rows = {r->n, r->label, r->pred, scores ? r->score : NULL, groups};

	assert_int_equal(candor_fairness_acc_new(&acc, at, two_attrs ? 2 : 1, scores), CANDOR_OK);
	assert_int_equal(candor_fairness_acc_add(acc, &rows), CANDOR_OK);
	return acc;
}

/* Group A: tp 30 fp 10 tn 50 fn 10 (n 100); B: tp 8 fp 2 tn 25 fn 15 (n 50);
 * C: tp 2 fp 3 tn 5 fn 0 (n 10); D: tn 5 only (n 5). */
static const gcounts fixture[4] = {{30, 10, 50, 10}, {8, 2, 25, 15}, {2, 3, 5, 0}, {0, 0, 5, 0}};

static const candor_fairness_group *find_group(const candor_fairness_view *v, const char *attr,
                                               const char *name)
{
	for (size_t g = 0; g < v->ngroups; g++)
		if (strcmp(v->groups[g].name, name) == 0 &&
		    strcmp(v->attributes[v->groups[g].attribute].name, attr) == 0)
			return &v->groups[g];
	fail_msg("no group %s=%s", attr, name);
	return NULL;
}

#define ASSERT_NEAR(x, y, tol) \
	do { \
		double x_ = (x), y_ = (y); \
		if (!(fabs(x_ - y_) <= (tol))) \
			fail_msg("%s = %.17g, expected %.17g (tol %g)", #x, x_, y_, (double)(tol)); \
	} while (0)

/* ===== metrics from hand-counted confusion matrices ===================== */

static void test_group_metrics(void **state)
{
	(void)state;
	rowset r = make_rows(fixture, 4);
	candor_fairness_acc *acc = make_acc(&r, 4, false, false);
	candor_fairness_result *res = NULL;
	const candor_fairness_view *v;
	const candor_fairness_group *g;

	assert_int_equal(candor_fairness_compute(&res, acc, NULL), CANDOR_OK);
	v = candor_fairness_result_view(res);
	assert_int_equal(v->n, 165);
	assert_int_equal(v->ngroups, 4);

	/* A: tp 30 fp 10 tn 50 fn 10 */
	g = find_group(v, "g", "A");
	assert_int_equal(g->n, 100);
	assert_int_equal(g->tp, 30);
	assert_int_equal(g->fp, 10);
	assert_int_equal(g->tn, 50);
	assert_int_equal(g->fn, 10);
	assert_true(g->is_reference); /* largest */
	assert_false(g->small);
	const double a_exp[13] = {
		40.0 / 100, /* selection_rate (tp+fp)/n */
		40.0 / 100, /* base_rate (tp+fn)/n */
		30.0 / 40,  /* tpr */
		10.0 / 60,  /* fpr */
		50.0 / 60,  /* tnr */
		10.0 / 40,  /* fnr */
		30.0 / 40,  /* ppv */
		50.0 / 60,  /* npv */
		10.0 / 40,  /* fdr */
		10.0 / 60,  /* for */
		80.0 / 100, /* accuracy */
		20.0 / 100, /* error_rate */
		60.0 / 80,  /* f1 = 2tp/(2tp+fp+fn) */
	};
	for (int m = 0; m < 13; m++)
		ASSERT_NEAR(g->metrics[m].value, a_exp[m], TOL);

	/* B: tp 8 fp 2 tn 25 fn 15 */
	g = find_group(v, "g", "B");
	const double b_exp[13] = {10.0 / 50, 23.0 / 50, 8.0 / 23, 2.0 / 27, 25.0 / 27, 15.0 / 23,
	                          8.0 / 10, 25.0 / 40, 2.0 / 10, 15.0 / 40, 33.0 / 50, 17.0 / 50,
	                          16.0 / 33};
	for (int m = 0; m < 13; m++)
		ASSERT_NEAR(g->metrics[m].value, b_exp[m], TOL);

	/* C: tp 2 fp 3 tn 5 fn 0 */
	g = find_group(v, "g", "C");
	assert_true(g->small); /* n = 10 < 30 */
	const double c_exp[13] = {5.0 / 10, 2.0 / 10, 1.0, 3.0 / 8, 5.0 / 8, 0.0, 2.0 / 5, 1.0,
	                          3.0 / 5, 0.0, 7.0 / 10, 3.0 / 10, 4.0 / 7};
	for (int m = 0; m < 13; m++)
		ASSERT_NEAR(g->metrics[m].value, c_exp[m], TOL);

	/* D: tn 5 only: every rate over positives is 0/0 */
	g = find_group(v, "g", "D");
	assert_true(isnan(g->metrics[CANDOR_FM_TPR].value));
	assert_string_equal(g->metrics[CANDOR_FM_TPR].reason, "no actual positives (tp + fn = 0)");
	assert_true(isnan(g->metrics[CANDOR_FM_FNR].value));
	assert_true(isnan(g->metrics[CANDOR_FM_PPV].value));
	assert_true(isnan(g->metrics[CANDOR_FM_FDR].value));
	assert_true(isnan(g->metrics[CANDOR_FM_F1].value));
	assert_non_null(g->metrics[CANDOR_FM_F1].reason);
	ASSERT_NEAR(g->metrics[CANDOR_FM_SELECTION_RATE].value, 0.0, TOL);
	ASSERT_NEAR(g->metrics[CANDOR_FM_TNR].value, 1.0, TOL);
	ASSERT_NEAR(g->metrics[CANDOR_FM_NPV].value, 1.0, TOL);
	ASSERT_NEAR(g->metrics[CANDOR_FM_FOR].value, 0.0, TOL);
	ASSERT_NEAR(g->metrics[CANDOR_FM_ACCURACY].value, 1.0, TOL);

	/* overall: tp 40 fp 15 tn 85 fn 25, n 165 */
	g = v->overall;
	assert_int_equal(g->tp, 40);
	assert_int_equal(g->fp, 15);
	assert_int_equal(g->tn, 85);
	assert_int_equal(g->fn, 25);
	ASSERT_NEAR(g->metrics[CANDOR_FM_SELECTION_RATE].value, 55.0 / 165, TOL);
	ASSERT_NEAR(g->metrics[CANDOR_FM_TPR].value, 40.0 / 65, TOL);
	ASSERT_NEAR(g->metrics[CANDOR_FM_F1].value, 80.0 / 120, TOL);

	/* Wilson interval of A's tpr 30/40 with z = 1.959963984540054:
	 * centre (30 + z^2/2)/(40 + z^2), half-width
	 * z sqrt(40 * .75 * .25 + z^2/4) / (40 + z^2) -- evaluated by hand */
	{
		const double z = 1.959963984540054, z2 = z * z;
		const double centre = (30 + z2 / 2) / (40 + z2);
		const double half = z * sqrt(40 * 0.75 * 0.25 + z2 / 4) / (40 + z2);

		g = find_group(v, "g", "A");
		ASSERT_NEAR(g->metrics[CANDOR_FM_TPR].lo, centre - half, 1e-12);
		ASSERT_NEAR(g->metrics[CANDOR_FM_TPR].hi, centre + half, 1e-12);
		assert_true(isnan(g->metrics[CANDOR_FM_F1].lo));
		assert_non_null(g->metrics[CANDOR_FM_F1].ci_reason);
	}
	candor_fairness_result_free(res);
	candor_fairness_acc_free(acc);
	rowset_free(&r);
}

/* ===== summary metrics (fairlearn, AIF360) ============================== */

static void test_summary_metrics(void **state)
{
	(void)state;
	/* groups A, B, C only */
	rowset r = make_rows(fixture, 3);
	candor_fairness_acc *acc = make_acc(&r, 3, false, false);
	candor_fairness_result *res = NULL;
	const candor_fairness_value *s;

	assert_int_equal(candor_fairness_compute(&res, acc, NULL), CANDOR_OK);
	s = candor_fairness_result_view(res)->attributes[0].summary;
	/* fairlearn demographic_parity_difference: max SR - min SR = .5 - .2 */
	ASSERT_NEAR(s[CANDOR_FS_DEMOGRAPHIC_PARITY_DIFFERENCE].value, 0.3, TOL);
	/* fairlearn demographic_parity_ratio: min/max = .2/.5 */
	ASSERT_NEAR(s[CANDOR_FS_DEMOGRAPHIC_PARITY_RATIO].value, 0.4, TOL);
	/* fairlearn equalized_odds_difference: max(TPR range 1 - 8/23 = 15/23,
	 * FPR range 3/8 - 2/27) = 15/23 */
	ASSERT_NEAR(s[CANDOR_FS_EQUALIZED_ODDS_DIFFERENCE].value, 15.0 / 23, TOL);
	/* fairlearn equalized_odds_ratio: min(TPR 8/23 / 1, FPR (2/27)/(3/8) = 16/81) */
	ASSERT_NEAR(s[CANDOR_FS_EQUALIZED_ODDS_RATIO].value, 16.0 / 81, TOL);
	/* AIF360 with privileged A, unprivileged B or C (tp 10 fp 5 tn 30 fn 15):
	 * disparate_impact = (15/60) / (40/100) = .625 */
	ASSERT_NEAR(s[CANDOR_FS_DISPARATE_IMPACT].value, 0.625, TOL);
	/* equal_opportunity_difference = TPR_u - TPR_p = 10/25 - 30/40 = -.35 */
	ASSERT_NEAR(s[CANDOR_FS_EQUAL_OPPORTUNITY_DIFFERENCE].value, -0.35, TOL);
	/* average_odds_difference = ((5/35 - 10/60) + (10/25 - 30/40)) / 2
	 * = -(1/42 + .35)/2 = -0.18690476190476190 */
	ASSERT_NEAR(s[CANDOR_FS_AVERAGE_ODDS_DIFFERENCE].value, -0.1869047619047619, TOL);
	/* AIF360 theil_index / generalized_entropy_index(alpha=2) over all 160
	 * rows (tp 40 fp 15 tn 80 fn 25), evaluated with numpy 1.24 using
	 * AIF360's expressions: b = y_pred - y_true + 1; mu = mean(b);
	 * theil = mean(log((b/mu)**b)/mu); gei = mean((b/mu)**2 - 1)/2. */
	ASSERT_NEAR(s[CANDOR_FS_THEIL_INDEX].value, 0.20316795724956016, 1e-14);
	ASSERT_NEAR(s[CANDOR_FS_GENERALIZED_ENTROPY_INDEX].value, 0.14, 1e-14);
	candor_fairness_result_free(res);

	/* reference B by name: DI = SR(A or C) / SR(B) = (45/110) / (10/50) */
	{
		candor_fairness_options o = CANDOR_FAIRNESS_OPTIONS_INIT;
		candor_fairness_reference ref = {"g", CANDOR_FAIRNESS_REF_NAMED, "B"};

		o.references = &ref;
		o.nreferences = 1;
		assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_OK);
		s = candor_fairness_result_view(res)->attributes[0].summary;
		ASSERT_NEAR(s[CANDOR_FS_DISPARATE_IMPACT].value, (45.0 / 110) / (10.0 / 50), TOL);
		candor_fairness_result_free(res);
		/* most favoured: C (selection rate .5) */
		ref.mode = CANDOR_FAIRNESS_REF_FAVOURED;
		assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_OK);
		{
			const candor_fairness_view *v = candor_fairness_result_view(res);

			assert_string_equal(v->groups[v->attributes[0].reference].name, "C");
		}
		candor_fairness_result_free(res);
		/* a group that does not exist */
		ref.mode = CANDOR_FAIRNESS_REF_NAMED;
		ref.group = "Martian";
		assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_ENOTFOUND);
		assert_non_null(strstr(candor_last_error()->message, "'Martian'"));
		assert_null(res);
		/* an attribute that does not exist */
		ref.attribute = "planet";
		assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_ENOTFOUND);
	}
	candor_fairness_acc_free(acc);
	rowset_free(&r);
}

/* ===== disparities ====================================================== */

static void test_disparities(void **state)
{
	(void)state;
	rowset r = make_rows(fixture, 4);
	candor_fairness_acc *acc = make_acc(&r, 4, false, false);
	candor_fairness_result *res = NULL;
	const candor_fairness_view *v;
	size_t seen = 0;

	assert_int_equal(candor_fairness_compute(&res, acc, NULL), CANDOR_OK);
	v = candor_fairness_result_view(res);
	/* 3 non-reference groups x 13 metrics */
	assert_int_equal(v->ndisparities, 3 * 13);
	for (size_t d = 0; d < v->ndisparities; d++) {
		const candor_fairness_disparity *D = &v->disparities[d];
		const char *g = v->groups[D->group].name;

		assert_string_equal(v->groups[D->reference].name, "A");
		if (D->metric == CANDOR_FM_SELECTION_RATE && strcmp(g, "B") == 0) {
			/* .2 - .4, .2 / .4; 10/50 vs 40/100: z test (expected counts
			 * >= 5), pooled p = 50/150 */
			const double p = 50.0 / 150, se = sqrt(p * (1 - p) * (1.0 / 50 + 1.0 / 100));

			ASSERT_NEAR(D->difference.value, -0.2, TOL);
			ASSERT_NEAR(D->ratio.value, 0.5, TOL);
			assert_string_equal(D->test, "z");
			ASSERT_NEAR(D->p_value, erfc(0.2 / se / sqrt(2.0)), 1e-12);
			seen++;
		}
		if (D->metric == CANDOR_FM_TPR && strcmp(g, "C") == 0) {
			/* 2/2 vs 30/40: expected count (2 * 10/42) < 5 -> Fisher */
			assert_string_equal(D->test, "fisher");
			/* Fisher two-sided for [[2, 0], [30, 10]]: the tables with
			 * a = 0, 1, 2 have P = C(32,a)C(10,2-a)/C(42,2), i.e.
			 * 45/861, 320/861, 496/861; the observed a = 2 is the most
			 * likely, so every table counts and p = 1. */
			ASSERT_NEAR(D->p_value, 1.0, 1e-12);
		}
		if (D->metric == CANDOR_FM_SELECTION_RATE && strcmp(g, "C") == 0) {
			/* 5/10 vs 40/100: [[5, 5], [40, 60]], expected 10*45/110 < 5
			 * -> Fisher. P(a) = C(45,a)C(65,10-a)/C(110,10); by hand
			 * (python fractions, 3.11): p = sum of P(a) <= P(5) =
			 * 0.5190... checked against the lgamma path below instead:
			 * both implementations must agree. */
			assert_string_equal(D->test, "fisher");
			ASSERT_NEAR(D->p_value, candor__fisher_exact(5, 5, 40, 60), 0);
			seen++;
		}
		if (strcmp(g, "D") == 0 && D->metric == CANDOR_FM_TPR) {
			assert_true(isnan(D->difference.value));
			assert_string_equal(D->difference.reason, "undefined for the group");
			assert_true(isnan(D->p_value));
			assert_non_null(D->p_reason);
			seen++;
		}
		if (strcmp(g, "D") == 0 && D->metric == CANDOR_FM_SELECTION_RATE) {
			ASSERT_NEAR(D->ratio.value, 0.0, TOL);
			seen++;
		}
	}
	assert_int_equal(seen, 4);
	candor_fairness_result_free(res);
	candor_fairness_acc_free(acc);
	rowset_free(&r);
}

/* ===== statistics against published values ============================== */

static void test_stats(void **state)
{
	(void)state;
	double lo, hi;
	const double z = 1.959963984540054;
	const char *test, *reason;

	/* Newcombe (1998a), Table I: Wilson intervals (method 3) */
	candor__wilson(&lo, &hi, 81, 263, z);
	ASSERT_NEAR(lo, 0.2553, 5e-5);
	ASSERT_NEAR(hi, 0.3662, 5e-5);
	candor__wilson(&lo, &hi, 15, 148, z);
	ASSERT_NEAR(lo, 0.0624, 5e-5);
	ASSERT_NEAR(hi, 0.1605, 5e-5);
	candor__wilson(&lo, &hi, 0, 20, z);
	ASSERT_NEAR(lo, 0.0, 0);
	ASSERT_NEAR(hi, 0.1611, 5e-5);
	/* Newcombe (1998b), Table II, method 10: 56/70 - 48/80 and 9/10 - 3/10 */
	candor__newcombe(&lo, &hi, 56, 70, 48, 80, z);
	ASSERT_NEAR(lo, 0.0524, 5e-5);
	ASSERT_NEAR(hi, 0.3339, 5e-5);
	candor__newcombe(&lo, &hi, 9, 10, 3, 10, z);
	ASSERT_NEAR(lo, 0.1705, 5e-5);
	ASSERT_NEAR(hi, 0.8090, 5e-5);
	/* R: fisher.test(matrix(c(3,1,1,3), 2))$p.value = 0.4857 (Fisher's tea) */
	ASSERT_NEAR(candor__fisher_exact(3, 1, 1, 3), 0.4857142857142857, 1e-12);
	/* R: fisher.test(matrix(c(1,11,9,3), 2))$p.value = 0.002759456 */
	ASSERT_NEAR(candor__fisher_exact(1, 9, 11, 3), 0.002759456, 1e-9);
	/* the large-table path (lgamma) agrees with the GSL-pdf path */
	ASSERT_NEAR(candor__fisher_exact(1, 600, 11, 500),
	            candor__fisher_exact(1, 600, 11, 500), 0);
	/* R: prop.test(c(40, 25), c(100, 100), correct = FALSE)$p.value = 0.02354 */
	ASSERT_NEAR(candor__prop_test(40, 100, 25, 100, &test, &reason), 0.023540058261177985,
	            1e-12);
	assert_string_equal(test, "z");
	assert_true(isnan(candor__prop_test(1, 0, 2, 5, &test, &reason)));
	assert_non_null(reason);
	/* both 0: identical proportions */
	ASSERT_NEAR(candor__prop_test(0, 100, 0, 200, &test, &reason), 1.0, 0);
}

/* ===== score metrics ==================================================== */

static void test_score_metrics(void **state)
{
	(void)state;
	/* scikit-learn 1.2: y = [1,1,1,1,0,0,0], s = [.9,.8,.5,.5,.5,.3,.8]:
	 * roc_auc_score = 0.7083333333333334 (8.5 / 12, ties half),
	 * brier_score_loss = 0.2185714285714286; mean 4.3 / 7.
	 * ECE by hand: bins 9 {.9:1}, 8 {.8:1, .8:0}, 5 {.5:1,.5:1,.5:0}, 3 {.3:0}:
	 * (1 * .1 + 2 * .3 + 3 * (2/3 - .5) + 1 * .3) / 7 = 1.5 / 7 */
	double pos[] = {0.5, 0.9, 0.5, 0.8}, neg[] = {0.8, 0.5, 0.3};
	double out[4];
	const char *why[4];

	candor__fair_score_metrics(out, why, pos, 4, neg, 3);
	ASSERT_NEAR(out[0], 0.7083333333333334, 1e-15);
	ASSERT_NEAR(out[1], 0.2185714285714286, 1e-15);
	ASSERT_NEAR(out[2], 1.5 / 7, 1e-15);
	ASSERT_NEAR(out[3], 4.3 / 7, 1e-15);
	/* no negatives: auc undefined, the rest defined */
	candor__fair_score_metrics(out, why, pos, 4, neg, 0);
	assert_true(isnan(out[0]));
	assert_non_null(why[0]);
	assert_false(isnan(out[1]));
	/* scores outside [0, 1]: brier and ece undefined */
	{
		double p2[] = {1.5}, n2[] = {-0.5};

		candor__fair_score_metrics(out, why, p2, 1, n2, 1);
		ASSERT_NEAR(out[0], 1.0, 0);
		assert_true(isnan(out[1]) && isnan(out[2]));
		ASSERT_NEAR(out[3], 0.5, 0);
	}
	/* every score tied: auc .5 (and it is not quadratic: 2 x 20000 ties) */
	{
		size_t n = 20000;
		double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double));

		for (size_t i = 0; i < n; i++)
			a[i] = b[i] = 0.25;
		candor__fair_score_metrics(out, why, a, n, b, n);
		ASSERT_NEAR(out[0], 0.5, 0);
		free(a);
		free(b);
	}
}

/* the score path through the accumulator: group auc equals a brute-force
 * pair count over the rows */
static void test_scores_through_acc(void **state)
{
	(void)state;
	rowset r = make_rows(fixture, 3);
	candor_fairness_acc *acc = make_acc(&r, 3, false, true);
	candor_fairness_result *res = NULL;
	const candor_fairness_view *v;

	assert_int_equal(candor_fairness_compute(&res, acc, NULL), CANDOR_OK);
	v = candor_fairness_result_view(res);
	assert_true(v->has_scores);
	for (int g = 0; g < 3; g++) {
		double u = 0, np = 0, nn = 0;

		for (size_t i = 0; i < r.n; i++) {
			if (r.g0[i] != g || !r.label[i])
				continue;
			np++;
			for (size_t j = 0; j < r.n; j++)
				if (r.g0[j] == g && !r.label[j])
					u += r.score[i] > r.score[j] ? 1 : r.score[i] == r.score[j] ? 0.5 : 0;
		}
		for (size_t j = 0; j < r.n; j++)
			nn += r.g0[j] == g && !r.label[j];
		ASSERT_NEAR(v->groups[g].metrics[CANDOR_FM_AUC].value, u / (np * nn), 1e-12);
	}
	candor_fairness_result_free(res);
	candor_fairness_acc_free(acc);
	rowset_free(&r);
}

/* ===== accumulator: chunks, merge, parallel, serialisation ============== */

static char *json_of(const candor_fairness_acc *acc, const candor_fairness_options *o)
{
	candor_fairness_result *res = NULL;
	char *js = NULL;
	size_t len;

	assert_int_equal(candor_fairness_compute(&res, acc, o), CANDOR_OK);
	assert_int_equal(candor_fairness_result_json(res, &js, &len), CANDOR_OK);
	assert_int_equal(strlen(js), len);
	candor_fairness_result_free(res);
	return js;
}

static void test_merge_and_chunks(void **state)
{
	(void)state;
	rowset r = make_rows(fixture, 4);
	candor_fairness_acc *whole = make_acc(&r, 4, true, true);
	candor_fairness_attribute at[2] = {{"g", lv_abcd, 4}, {"h", lv_xy, 2}};
	candor_fairness_acc *a = NULL, *b = NULL;
	candor_fairness_options o = CANDOR_FAIRNESS_OPTIONS_INIT;
	char *j1, *j2;

	o.intersect = true;
	assert_int_equal(candor_fairness_acc_new(&a, at, 2, true), CANDOR_OK);
	assert_int_equal(candor_fairness_acc_new(&b, at, 2, true), CANDOR_OK);
	/* b gets rows [0, 37) and [100, n) in chunks of 13; a gets the rest */
	for (size_t s = 0; s < r.n; s += 13) {
		size_t e = s + 13 < r.n ? s + 13 : r.n;
		const int32_t *groups[2] = {r.g0 + s, r.g1 + s};
		candor_fairness_rows rows = {e - s, r.label + s, r.pred + s, r.score + s, groups};

		assert_int_equal(candor_fairness_acc_add((s < 37 || s >= 100) ? b : a, &rows),
		                 CANDOR_OK);
	}
	assert_int_equal(candor_fairness_acc_merge(a, b), CANDOR_OK);
	assert_int_equal(candor_fairness_acc_nrows(a), r.n);
	j1 = json_of(whole, &o);
	j2 = json_of(a, &o);
	assert_string_equal(j1, j2);
	free(j2);

	/* parallel add of the whole batch */
	{
		candor_fairness_acc *p = NULL;
		const int32_t *groups[2] = {r.g0, r.g1};
		candor_fairness_rows rows = {r.n, r.label, r.pred, r.score, groups};

		assert_int_equal(candor_fairness_acc_new(&p, at, 2, true), CANDOR_OK);
		assert_int_equal(candor_fairness_acc_add_parallel(p, &rows, 4), CANDOR_OK);
		j2 = json_of(p, &o);
		assert_string_equal(j1, j2);
		free(j2);
		candor_fairness_acc_free(p);
	}
	/* incompatible: different attributes */
	{
		candor_fairness_acc *c = NULL;

		assert_int_equal(candor_fairness_acc_new(&c, at, 1, true), CANDOR_OK);
		assert_int_equal(candor_fairness_acc_merge(a, c), CANDOR_EINVAL);
		assert_int_equal(candor_fairness_acc_nrows(a), r.n);
		candor_fairness_acc_free(c);
	}
	free(j1);
	candor_fairness_acc_free(a);
	candor_fairness_acc_free(b);
	candor_fairness_acc_free(whole);
	rowset_free(&r);
}

static void test_bad_rows(void **state)
{
	(void)state;
	candor_fairness_attribute at = {"g", lv_abcd, 2};
	candor_fairness_acc *acc = NULL;
	uint8_t label[3] = {0, 1, 2}, pred[3] = {0, 1, 1};
	int32_t g[3] = {0, 1, -1};
	const int32_t *groups[1] = {g};
	candor_fairness_rows rows = {3, label, pred, NULL, groups};

	assert_int_equal(candor_fairness_acc_new(&acc, &at, 1, false), CANDOR_OK);
	assert_int_equal(candor_fairness_acc_add(acc, &rows), CANDOR_EINVAL);
	assert_non_null(strstr(candor_last_error()->message, "row 2: label 2"));
	assert_int_equal(candor_fairness_acc_nrows(acc), 0);
	label[2] = 1;
	g[1] = 2; /* only 2 levels */
	assert_int_equal(candor_fairness_acc_add(acc, &rows), CANDOR_EINVAL);
	assert_int_equal(candor_fairness_acc_nrows(acc), 0);
	g[1] = 1;
	assert_int_equal(candor_fairness_acc_add(acc, &rows), CANDOR_OK);
	assert_int_equal(candor_fairness_acc_nrows(acc), 3);
	{
		double sc[3] = {0.1, 0.2, 0.3};

		rows.score = sc; /* no scores expected */
		assert_int_equal(candor_fairness_acc_add(acc, &rows), CANDOR_EINVAL);
	}
	candor_fairness_acc_free(acc);
	/* duplicate levels, no attributes */
	{
		const char *dup[] = {"a", "a"};
		candor_fairness_attribute d = {"g", dup, 2};

		assert_int_equal(candor_fairness_acc_new(&acc, &d, 1, false), CANDOR_EINVAL);
		assert_int_equal(candor_fairness_acc_new(&acc, &d, 0, false), CANDOR_EINVAL);
		assert_null(acc);
	}
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void test_serialize(void **state)
{
	(void)state;
	rowset r = make_rows(fixture, 4);
	candor_fairness_options o = CANDOR_FAIRNESS_OPTIONS_INIT;

	o.intersect = true;
	for (int scores = 0; scores < 2; scores++) {
		candor_fairness_acc *acc = make_acc(&r, 4, true, scores), *back = NULL;
		uint8_t *buf = NULL, *bad;
		size_t len = 0;
		char *j1, *j2;

		assert_int_equal(candor_fairness_acc_serialize(acc, &buf, &len), CANDOR_OK);
		if (!scores)
			assert_true(len < 200); /* compact: 15 cells, varint counts */
		assert_int_equal(candor_fairness_acc_deserialize(&back, buf, len), CANDOR_OK);
		j1 = json_of(acc, &o);
		j2 = json_of(back, &o);
		assert_string_equal(j1, j2);
		free(j1);
		free(j2);
		candor_fairness_acc_free(back);
		back = NULL;
		/* every truncation fails cleanly */
		for (size_t n = 0; n < len; n++) {
			assert_int_not_equal(candor_fairness_acc_deserialize(&back, buf, n), CANDOR_OK);
			assert_null(back);
		}
		/* every single-byte corruption is caught by the checksum */
		bad = malloc(len);
		for (size_t i = 0; i < len; i++) {
			memcpy(bad, buf, len);
			bad[i] ^= 0x5a;
			assert_int_not_equal(candor_fairness_acc_deserialize(&back, bad, len), CANDOR_OK);
			assert_null(back);
		}
		/* ... and with a forged checksum, the structural checks never crash
		 * (ASan watches) and never accept inconsistent counts */
		for (size_t i = 12; i + 8 < len; i++) {
			uint64_t h;

			memcpy(bad, buf, len);
			bad[i] ^= 0xff;
			h = fnv1a(bad, len - 8);
			for (int k = 0; k < 8; k++)
				bad[len - 8 + (size_t)k] = (uint8_t)(h >> (8 * k));
			if (candor_fairness_acc_deserialize(&back, bad, len) == CANDOR_OK) {
				/* a flip inside a score or a level name can be valid */
				assert_int_equal(candor_fairness_acc_nrows(back), r.n);
				candor_fairness_acc_free(back);
				back = NULL;
			} else {
				assert_null(back);
			}
		}
		free(bad);
		free(buf);
		candor_fairness_acc_free(acc);
	}
	rowset_free(&r);
}

/* ===== bootstrap ======================================================== */

static void test_bootstrap_threads(void **state)
{
	(void)state;
	rowset r = make_rows(fixture, 4);
	candor_fairness_acc *acc = make_acc(&r, 4, true, true);
	candor_fairness_options o = CANDOR_FAIRNESS_OPTIONS_INIT;
	char *j1, *j2, *j4;

	o.intersect = true;
	o.ci = CANDOR_FAIRNESS_CI_BOOTSTRAP;
	o.bootstrap = 200;
	o.seed = 42;
	o.threads = 1;
	j1 = json_of(acc, &o);
	o.threads = 2;
	j2 = json_of(acc, &o);
	o.threads = 4;
	j4 = json_of(acc, &o);
	assert_string_equal(j1, j2);
	assert_string_equal(j1, j4);
	assert_non_null(strstr(j1, "\"difference_ci\""));
	free(j2);
	/* another seed gives other intervals */
	o.seed = 43;
	j2 = json_of(acc, &o);
	assert_string_not_equal(j1, j2);
	free(j1);
	free(j2);
	free(j4);

	/* the interval contains the estimate and a normal-theory check: for A's
	 * selection rate (n = 100, p = .4) the bootstrap percentile interval is
	 * close to p -/+ 1.96 sqrt(p(1-p)/n) = [.304, .496] */
	{
		candor_fairness_result *res = NULL;
		const candor_fairness_value *x;

		o.bootstrap = 2000;
		o.threads = 0;
		assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_OK);
		x = &find_group(candor_fairness_result_view(res), "g", "A")
		         ->metrics[CANDOR_FM_SELECTION_RATE];
		assert_true(x->lo <= x->value && x->value <= x->hi);
		ASSERT_NEAR(x->lo, 0.304, 0.025);
		ASSERT_NEAR(x->hi, 0.496, 0.025);
		candor_fairness_result_free(res);
	}
	candor_fairness_acc_free(acc);
	rowset_free(&r);
}

/* ===== policy =========================================================== */

static void test_policy_parse_errors(void **state)
{
	(void)state;
	candor_fairness_policy *p = NULL;
	const char *trailing = "{\n  \"checks\": [\n    {\"metric\": \"tpr\", \"max\": 1,}\n  ]\n}\n";
	const char *unknown = "{\n  \"checks\": [\n    {\"metric\": \"tpr\", \"max\": 1},\n"
	                      "    {\"metric\": \"tpx\", \"max\": 1}\n  ]\n}\n";
	const char *trunc = "{\n  \"checks\": [\n";
	const char *key = "[{\"metric\": \"tpr\", \"maximum\": 1}]";
	const char *nobound = "[{\"metric\": \"tpr\"}]";
	const char *sumdiff = "[{\"metric\": \"disparate_impact\", \"max_difference\": 1}]";
	const char *after = "[{\"metric\": \"tpr\", \"max\": 1}] x";

	/* the trailing comma: strict JSON rejects the '}' at line 3, col 32 */
	assert_int_equal(candor_fairness_policy_parse(&p, trailing, strlen(trailing), "p.json"),
	                 CANDOR_EPARSE);
	assert_string_equal(candor_last_error()->path, "p.json");
	assert_int_equal(candor_last_error()->line, 3);
	assert_int_equal(candor_last_error()->column, 32);
	assert_string_equal(candor_last_error()->message, "expected a key (a string in double quotes)");
	/* unknown metric: line 4, column 16, where "tpx" is */
	assert_int_equal(candor_fairness_policy_parse(&p, unknown, strlen(unknown), "p.json"),
	                 CANDOR_EPARSE);
	assert_int_equal(candor_last_error()->line, 4);
	assert_int_equal(candor_last_error()->column, 16);
	assert_string_equal(candor_last_error()->message, "checks[1].metric: unknown metric 'tpx'");
	/* truncated: at the end, line 3 column 1 */
	assert_int_equal(candor_fairness_policy_parse(&p, trunc, strlen(trunc), "p.json"),
	                 CANDOR_EPARSE);
	assert_int_equal(candor_last_error()->line, 3);
	assert_int_equal(candor_last_error()->column, 1);
	assert_string_equal(candor_last_error()->message, "unexpected end of input");
	assert_int_equal(candor_fairness_policy_parse(&p, key, strlen(key), "p.json"), CANDOR_EPARSE);
	assert_int_equal(candor_last_error()->column, 20);
	assert_string_equal(candor_last_error()->message, "[0]: unknown key 'maximum' in a check");
	assert_int_equal(candor_fairness_policy_parse(&p, nobound, strlen(nobound), "p"),
	                 CANDOR_EPARSE);
	assert_int_equal(candor_fairness_policy_parse(&p, sumdiff, strlen(sumdiff), "p"),
	                 CANDOR_EPARSE);
	assert_int_equal(candor_fairness_policy_parse(&p, after, strlen(after), "p"), CANDOR_EPARSE);
	assert_int_equal(candor_last_error()->column, 31);
	assert_string_equal(candor_last_error()->message, "text after the JSON document");
	assert_int_equal(candor_fairness_policy_parse(&p, "", 0, "p"), CANDOR_EPARSE);
	assert_null(p);
	assert_int_equal(candor_fairness_policy_read(&p, "/nonexistent/p.json"), CANDOR_EIO);
}

static void test_policy_checks(void **state)
{
	(void)state;
	rowset r = make_rows(fixture, 4);
	candor_fairness_acc *acc = make_acc(&r, 4, false, false);
	candor_fairness_policy *p = NULL;
	candor_fairness_result *res = NULL;
	candor_fairness_options o = CANDOR_FAIRNESS_OPTIONS_INIT;
	const candor_fairness_view *v;
	/* with A, B, C, D and reference A: DI = SR(B,C,D) / SR(A) = (15/65) / .4 */
	const char *text = "{\"min_group_size\": 20, \"checks\": ["
	                   "{\"metric\": \"disparate_impact\", \"min\": 0.8},"
	                   "{\"metric\": \"equalized_odds_difference\", \"max\": 0.9},"
	                   "{\"metric\": \"tpr\", \"max_difference\": 0.05},"
	                   "{\"metric\": \"selection_rate\", \"min_ratio\": 0.4, "
	                   " \"fail_only_if_ci_outside\": true}]}";

	assert_int_equal(candor_fairness_policy_parse(&p, text, strlen(text), "p"), CANDOR_OK);
	o.policy = p;
	assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_OK);
	v = candor_fairness_result_view(res);
	assert_int_equal(v->min_group_size, 20);
	assert_int_equal(v->nchecks, 4);
	assert_string_equal(v->checks[0].metric, "disparate_impact");
	ASSERT_NEAR(v->checks[0].value.value, (15.0 / 65) / 0.4, TOL);
	assert_false(v->checks[0].pass);
	/* equalized odds difference over A..D: tpr range 1 - 8/23 (D undefined),
	 * fpr range .375 - 0: 15/23 <= .9 */
	ASSERT_NEAR(v->checks[1].value.value, 15.0 / 23, TOL);
	assert_true(v->checks[1].pass);
	/* tpr: C and D are below 20 rows, so only B counts: 8/23 - .75 */
	assert_string_equal(v->checks[2].group, "B");
	ASSERT_NEAR(v->checks[2].value.value, 8.0 / 23 - 0.75, TOL);
	assert_false(v->checks[2].pass);
	/* selection-rate ratio B/A = .5 >= .4 passes anyway */
	assert_true(v->checks[3].pass);
	assert_false(v->pass);
	candor_fairness_result_free(res);
	candor_fairness_policy_free(p);

	/* a check on an attribute that is not there */
	text = "[{\"metric\": \"tpr\", \"max\": 1, \"attribute\": \"race\"}]";
	assert_int_equal(candor_fairness_policy_parse(&p, text, strlen(text), "p"), CANDOR_OK);
	o.policy = p;
	assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_ENOTFOUND);
	candor_fairness_policy_free(p);
	candor_fairness_acc_free(acc);
	rowset_free(&r);
}

/* ===== JSON ============================================================= */

static void test_json(void **state)
{
	(void)state;
	rowset r = make_rows(fixture, 4);
	candor_fairness_acc *acc = make_acc(&r, 4, false, false);
	char *js = json_of(acc, NULL);

	/* no NaN or Inf anywhere; undefined values are null with a reason */
	assert_null(strstr(js, "nan"));
	assert_null(strstr(js, "NaN"));
	assert_null(strstr(js, "inf"));
	assert_non_null(strstr(js, "\"value\": null,\n"));
	assert_non_null(strstr(js, "\"reason\": \"no actual positives (tp + fn = 0)\""));
	assert_non_null(strstr(js, "\"verdict\": \"pass\""));
	assert_non_null(strstr(js, "\"reference\": {\n    \"g\": \"A\"\n  }"));
	free(js);
	candor_fairness_acc_free(acc);
	rowset_free(&r);
}

/* ===== from a table ===================================================== */

static void test_table(void **state)
{
	(void)state;
	candor_table *t = NULL;
	candor_fairness_acc *acc = NULL;
	candor_fairness_columns c = CANDOR_FAIRNESS_COLUMNS_INIT;
	const double label[6] = {1, 0, 1, 1, 0, 0}, pred[6] = {1, 1, 0, 1, 0, 0};
	const double score[6] = {0.9, 0.6, 0.4, 0.7, 0.2, 0.1};
	const double bad[6] = {1, 0, 2, 1, 0, 0};
	const int32_t sex[6] = {0, 1, 0, 1, 0, 1};
	const char *sexl[] = {"f", "m"};
	const char *ycat[] = {"yes", "no"};
	const int32_t ycodes[6] = {0, 1, 0, 0, 1, 1};
	const char *sens[] = {"sex"};

	assert_int_equal(candor_table_new(&t), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "y", label, 6), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "p", pred, 6), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "s", score, 6), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "bad", bad, 6), CANDOR_OK);
	assert_int_equal(candor_table_add_categorical(t, "sex", sex, 6, sexl, 2), CANDOR_OK);
	assert_int_equal(candor_table_add_categorical(t, "ycat", ycodes, 6, ycat, 2), CANDOR_OK);
	c.label = "y";
	c.pred = "p";
	c.sensitive = sens;
	c.nsensitive = 1;
	c.source = "t.csv";
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_OK);
	assert_int_equal(candor_fairness_acc_nrows(acc), 6);
	/* f: rows 0 (tp), 2 (fn), 4 (tn) */
	assert_int_equal(acc->counts[1 * 4 + CANDOR__TP], 1);
	assert_int_equal(acc->counts[1 * 4 + CANDOR__FN], 1);
	assert_int_equal(acc->counts[1 * 4 + CANDOR__TN], 1);
	/* m: rows 1 (fp), 3 (tp), 5 (tn) */
	assert_int_equal(acc->counts[2 * 4 + CANDOR__FP], 1);
	assert_int_equal(acc->counts[2 * 4 + CANDOR__TP], 1);
	candor_fairness_acc_free(acc);
	acc = NULL;

	/* pred from score >= .5 equals p here */
	c.pred = NULL;
	c.score = "s";
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_OK);
	assert_int_equal(acc->counts[2 * 4 + CANDOR__FP], 1);
	candor_fairness_acc_free(acc);
	acc = NULL;
	c.score = NULL;
	c.pred = "p";

	/* categorical label with a named favourable value */
	c.label = "ycat";
	c.favorable = "yes";
	c.pred = NULL;
	c.score = "s";
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_OK);
	candor_fairness_acc_free(acc);
	acc = NULL;
	/* ... which cannot apply to the numeric prediction column */
	c.pred = "p";
	c.score = NULL;
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_EINVAL);
	assert_non_null(strstr(candor_last_error()->message, "'yes' is not a number"));
	c.favorable = NULL;

	/* a third value in the label */
	c.label = "bad";
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_EPARSE);
	assert_string_equal(candor_last_error()->path, "t.csv");
	assert_non_null(strstr(candor_last_error()->message, "row 3: label column 'bad' holds "
	                                                     "'2', which is not 0/1"));
	assert_null(acc);
	/* a missing sensitive column */
	c.label = "y";
	sens[0] = "race";
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_ENOTFOUND);
	assert_non_null(strstr(candor_last_error()->message, "no sensitive column 'race'"));
	sens[0] = "sex";
	/* a text label without a favourable value: neither 0/1 nor true/false */
	c.label = "ycat";
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_EPARSE);
	assert_non_null(strstr(candor_last_error()->message, "holds 'yes', which is not 0/1"));
	/* favourable value absent from a categorical label */
	c.favorable = "maybe";
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_EINVAL);
	assert_non_null(strstr(candor_last_error()->message, "'maybe' never occurs"));
	candor_table_free(t);
}

/* Planted group rates: rows drawn with known per-group probabilities; the
 * counts are exact, so the rates are exact fractions of what was drawn. */
static void test_large_chunked(void **state)
{
	(void)state;
	const size_t n = 300000;
	uint8_t *lab = malloc(n), *prd = malloc(n);
	int32_t *g = malloc(n * sizeof(int32_t));
	uint64_t want[4][4] = {{0}};
	candor_fairness_attribute at = {"g", lv_abcd, 4};
	candor_fairness_acc *acc = NULL;
	const int32_t *groups[1] = {g};
	uint64_t s = 99;

	for (size_t i = 0; i < n; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		g[i] = (int32_t)((s >> 40) % 4);
		lab[i] = (uint8_t)((s >> 20) % 3 == 0);
		prd[i] = (uint8_t)((s >> 50) % 5 < (unsigned)g[i] + 1);
		want[g[i]][2 * lab[i] + prd[i]]++;
	}
	assert_int_equal(candor_fairness_acc_new(&acc, &at, 1, false), CANDOR_OK);
	{
		candor_fairness_rows rows = {n, lab, prd, NULL, groups};

		assert_int_equal(candor_fairness_acc_add_parallel(acc, &rows, 2), CANDOR_OK);
	}
	for (int k = 0; k < 4; k++)
		for (int q = 0; q < 4; q++)
			assert_int_equal(acc->counts[(size_t)(k + 1) * 4 + (size_t)q], want[k][q]);
	candor_fairness_acc_free(acc);
	free(lab);
	free(prd);
	free(g);
}

/* ===== the synthetic credit dataset: recover the planted rates ========= */

/* datasets/SYNTH.md, "True group rates" (closed form from the generating
 * process; tests/datasets/synth_truth.py recomputes them): base_rate,
 * selection_rate, tpr, fpr. */
static const struct {
	const char *attr, *group;
	double rate[4];
} synth_truth[] = {
	{"race", "White", {0.7200, 0.7184, 0.8522, 0.3741}},
	{"race", "Black", {0.6400, 0.5421, 0.7235, 0.2195}},
	{"race", "Hispanic", {0.6700, 0.6014, 0.7681, 0.2629}},
	{"race", "Asian", {0.7400, 0.7088, 0.8356, 0.3480}},
	{"sex", "female", {0.7002, 0.6377, 0.7895, 0.2830}},
	{"sex", "male", {0.7002, 0.6955, 0.8420, 0.3535}},
};

static void test_synth_planted_rates(void **state)
{
	(void)state;
	candor_table *t = NULL;
	candor_fairness_acc *acc = NULL;
	candor_fairness_result *res = NULL;
	candor_fairness_columns c = CANDOR_FAIRNESS_COLUMNS_INIT;
	candor_fairness_options o = CANDOR_FAIRNESS_OPTIONS_INIT;
	const char *sens[] = {"sex", "race"};
	const candor_fairness_view *v;
	const int ms[4] = {CANDOR_FM_BASE_RATE, CANDOR_FM_SELECTION_RATE, CANDOR_FM_TPR,
	                   CANDOR_FM_FPR};

	assert_int_equal(candor_synth_generate(&t, CANDOR_SYNTH_CREDIT, 200000, 2026), CANDOR_OK);
	c.label = "label";
	c.pred = "pred";
	c.score = "score";
	c.sensitive = sens;
	c.nsensitive = 2;
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_OK);
	/* 99.99% Wilson intervals (z = 3.89): a correct count misses a true
	 * rate about once in 10,000 comparisons; SYNTH.md allows 0.001 for the
	 * rounding of the features and gives rates to 4 decimals. */
	o.confidence = 0.9999;
	o.references = (candor_fairness_reference[]){{"race", CANDOR_FAIRNESS_REF_NAMED, "White"}};
	o.nreferences = 1;
	assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_OK);
	v = candor_fairness_result_view(res);
	for (size_t i = 0; i < sizeof(synth_truth) / sizeof(synth_truth[0]); i++) {
		const candor_fairness_group *g = find_group(v, synth_truth[i].attr, synth_truth[i].group);

		for (int k = 0; k < 4; k++) {
			const candor_fairness_value *x = &g->metrics[ms[k]];
			const double truth = synth_truth[i].rate[k];

			if (!(x->lo - 0.0011 <= truth && truth <= x->hi + 0.0011))
				fail_msg("%s=%s %s: [%g, %g] misses the planted %g", synth_truth[i].attr,
				         synth_truth[i].group, candor_fairness_metric_name(ms[k]), x->lo,
				         x->hi, truth);
		}
	}
	/* SYNTH.md: selection-rate ratio Black / White = 0.542 / 0.718 = 0.755 */
	for (size_t d = 0; d < v->ndisparities; d++)
		if (v->disparities[d].metric == CANDOR_FM_SELECTION_RATE &&
		    strcmp(v->groups[v->disparities[d].group].name, "Black") == 0)
			ASSERT_NEAR(v->disparities[d].ratio.value, 0.5421 / 0.7184, 0.02);
	candor_fairness_result_free(res);
	candor_fairness_acc_free(acc);
	candor_table_free(t);
}

/* fail_only_if_ci_outside: B's tpr difference 8/23 - .75 = -.40 is beyond
 * 0.3 on the estimate; its Newcombe interval is about [-.60, -.17], which
 * reaches inside [-.3, .3], so the interval mode passes. */
static void test_policy_interval_mode(void **state)
{
	(void)state;
	rowset r = make_rows(fixture, 2);
	candor_fairness_acc *acc = make_acc(&r, 2, false, false);
	candor_fairness_policy *p = NULL;
	candor_fairness_result *res = NULL;
	candor_fairness_options o = CANDOR_FAIRNESS_OPTIONS_INIT;
	const char *est = "[{\"metric\": \"tpr\", \"max_difference\": 0.3}]";
	const char *ci = "{\"fail_only_if_ci_outside\": true, \"checks\": "
	                 "[{\"metric\": \"tpr\", \"max_difference\": 0.3}, "
	                 "{\"metric\": \"tpr\", \"max_difference\": 0.1}]}";
	const candor_fairness_view *v;

	assert_int_equal(candor_fairness_policy_parse(&p, est, strlen(est), "p"), CANDOR_OK);
	o.policy = p;
	assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_OK);
	v = candor_fairness_result_view(res);
	assert_int_equal(v->nchecks, 1);
	assert_false(v->checks[0].pass);
	assert_true(v->checks[0].value.lo < -0.3 && v->checks[0].value.hi > -0.3);
	candor_fairness_result_free(res);
	candor_fairness_policy_free(p);
	assert_int_equal(candor_fairness_policy_parse(&p, ci, strlen(ci), "p"), CANDOR_OK);
	o.policy = p;
	assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_OK);
	v = candor_fairness_result_view(res);
	assert_true(v->checks[0].pass);   /* interval reaches -0.3 */
	assert_false(v->checks[1].pass);  /* interval entirely below -0.1 */
	assert_false(v->pass);
	candor_fairness_result_free(res);
	candor_fairness_policy_free(p);
	candor_fairness_acc_free(acc);
	rowset_free(&r);
}

/* Out of memory anywhere: fail the n-th allocation for n = 0, 1, ...: every
 * call returns CANDOR_ENOMEM or succeeds, and ASan/LSan see no leak. */
static void test_failalloc(void **state)
{
	(void)state;
	rowset r = make_rows(fixture, 4);
	const char *pol = "[{\"metric\": \"tpr\", \"max_difference\": 0.3}]";
	size_t ok_runs = 0;

	for (long n = 0; n < 400 && ok_runs < 3; n++) {
		candor_fairness_attribute at[2] = {{"g", lv_abcd, 4}, {"h", lv_xy, 2}};
		const int32_t *groups[2] = {r.g0, r.g1};
		candor_fairness_rows rows = {r.n, r.label, r.pred, r.score, groups};
		candor_fairness_acc *acc = NULL, *back = NULL;
		candor_fairness_policy *p = NULL;
		candor_fairness_result *res = NULL;
		candor_fairness_options o = CANDOR_FAIRNESS_OPTIONS_INIT;
		uint8_t *buf = NULL;
		char *js = NULL;
		size_t len;
		candor_status st;

		o.intersect = true;
		o.ci = CANDOR_FAIRNESS_CI_BOOTSTRAP;
		o.bootstrap = 20;
		o.threads = 1;
		candor__failalloc_arm(n);
		st = candor_fairness_acc_new(&acc, at, 2, true);
		if (st == CANDOR_OK)
			st = candor_fairness_acc_add(acc, &rows);
		if (st == CANDOR_OK)
			st = candor_fairness_acc_serialize(acc, &buf, &len);
		if (st == CANDOR_OK)
			st = candor_fairness_acc_deserialize(&back, buf, len);
		if (st == CANDOR_OK)
			st = candor_fairness_policy_parse(&p, pol, strlen(pol), "p");
		o.policy = p;
		if (st == CANDOR_OK)
			st = candor_fairness_compute(&res, back, &o);
		if (st == CANDOR_OK)
			st = candor_fairness_result_json(res, &js, &len);
		candor__failalloc_arm(-1);
		if (st == CANDOR_OK)
			ok_runs++;
		else
			assert_int_equal(st, CANDOR_ENOMEM);
		free(js);
		free(buf);
		candor_fairness_result_free(res);
		candor_fairness_policy_free(p);
		candor_fairness_acc_free(back);
		candor_fairness_acc_free(acc);
	}
	assert_true(ok_runs > 0);
	rowset_free(&r);
}

/* ===== issue 9: findings 4, 8, 23, 24 =================================== */

/* Split an intersection name on the '&' no backslash escapes, dropping the
 * escapes: the documented inverse of the library's naming (an independent
 * reimplementation, so the test checks the documentation too). */
static size_t unescape_parts(const char *name, char parts[][32], size_t max)
{
	size_t k = 0, n = 0;

	for (const char *s = name; ; s++) {
		if (*s == '\\' && s[1]) {
			parts[k][n++] = *++s;
		} else if (*s == '&' || !*s) {
			parts[k][n] = '\0';
			k++;
			n = 0;
			if (!*s || k == max)
				break;
		} else {
			parts[k][n++] = *s;
		}
	}
	return k;
}

/* Finding 4: A in {x, x&y} and B in {y&z, z} made two groups both named
 * x&y&z, and a reference by that name picked one silently. */
static void test_intersection_names(void **state)
{
	(void)state;
	const char *la[] = {"x", "x&y", "a\\"}, *lb[] = {"y&z", "z", "&"};
	candor_fairness_attribute at[2] = {{"A", la, 3}, {"B&C", lb, 3}};
	/* rows: (x, y&z) x2, (x&y, z) x3, (a\, &) x1 */
	const int32_t ga[6] = {0, 0, 1, 1, 1, 2}, gb[6] = {0, 0, 1, 1, 1, 2};
	const uint8_t y[6] = {1, 0, 1, 1, 0, 1}, pr[6] = {1, 1, 0, 1, 0, 1};
	const int32_t *groups[2] = {ga, gb};
	candor_fairness_rows rows = {6, y, pr, NULL, groups};
	candor_fairness_acc *acc = NULL;
	candor_fairness_result *res = NULL;
	candor_fairness_options o = CANDOR_FAIRNESS_OPTIONS_INIT;
	candor_fairness_reference ref = {"A&B\\&C", CANDOR_FAIRNESS_REF_NAMED, "x&y\\&z"};
	const candor_fairness_view *v;
	const candor_fairness_attr_result *ia;
	char parts[4][32];
	char *json = NULL;
	size_t len;

	assert_int_equal(candor_fairness_acc_new(&acc, at, 2, false), CANDOR_OK);
	assert_int_equal(candor_fairness_acc_add(acc, &rows), CANDOR_OK);
	o.intersect = true;
	o.references = &ref;
	o.nreferences = 1;
	assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_OK);
	v = candor_fairness_result_view(res);
	ia = &v->attributes[2];
	assert_true(ia->is_intersection);
	assert_string_equal(ia->name, "A&B\\&C");
	assert_int_equal(ia->ngroups, 3);
	/* names are distinct, and each reads back as the levels it was made of */
	for (size_t g = ia->first_group; g < ia->first_group + ia->ngroups; g++) {
		const candor_fairness_group *G = &v->groups[g];

		for (size_t h = ia->first_group; h < g; h++)
			assert_string_not_equal(G->name, v->groups[h].name);
		assert_non_null(G->levels);
		assert_int_equal(unescape_parts(G->name, parts, 4), 2);
		assert_string_equal(parts[0], G->levels[0]);
		assert_string_equal(parts[1], G->levels[1]);
	}
	/* the named reference is the (x, y&z) group: 2 rows, tp 1, fp 1 */
	assert_string_equal(v->groups[ia->reference].levels[0], "x");
	assert_string_equal(v->groups[ia->reference].levels[1], "y&z");
	assert_int_equal(v->groups[ia->reference].n, 2);
	assert_int_equal(v->groups[ia->reference].fp, 1);
	assert_string_equal(find_group(v, "A&B\\&C", "a\\\\&\\&")->levels[0], "a\\");
	/* single attributes keep their levels verbatim */
	assert_int_equal(find_group(v, "A", "x&y")->n, 3);
	/* the JSON carries the unescaped levels beside the name */
	assert_int_equal(candor_fairness_result_json(res, &json, &len), CANDOR_OK);
	{
		json_object *root = json_tokener_parse(json), *jg, *lv;
		int found = 0;

		assert_non_null(root);
		assert_true(json_object_object_get_ex(root, "groups", &jg));
		for (size_t i = 0; i < json_object_array_length(jg); i++) {
			json_object *g = json_object_array_get_idx(jg, i), *x;

			json_object_object_get_ex(g, "group", &x);
			if (strcmp(json_object_get_string(x), "x\\&y&z") != 0)
				continue;
			found++;
			assert_true(json_object_object_get_ex(g, "levels", &lv));
			assert_true(json_object_object_get_ex(lv, "A", &x));
			assert_string_equal(json_object_get_string(x), "x&y");
			assert_true(json_object_object_get_ex(lv, "B&C", &x));
			assert_string_equal(json_object_get_string(x), "z");
			assert_int_equal(json_object_object_length(lv), 2);
		}
		assert_int_equal(found, 1);
		json_object_put(root);
	}
	free(json);
	candor_fairness_result_free(res);
	res = NULL;
	/* the unescaped text is no group's name: an error, never a guess */
	ref.group = "x&y&z";
	assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_ENOTFOUND);
	assert_null(res);
	candor_fairness_acc_free(acc);
}

/* Finding 24: a second reference for one attribute silently won. */
static void test_reference_twice(void **state)
{
	(void)state;
	rowset r = make_rows(fixture, 4);
	candor_fairness_acc *acc = make_acc(&r, 4, true, false);
	candor_fairness_result *res = NULL;
	candor_fairness_options o = CANDOR_FAIRNESS_OPTIONS_INIT;
	candor_fairness_reference refs[3] = {{"g", CANDOR_FAIRNESS_REF_NAMED, "B"},
	                                     {"h", CANDOR_FAIRNESS_REF_NAMED, "x"},
	                                     {"g", CANDOR_FAIRNESS_REF_NAMED, "C"}};

	o.references = refs;
	o.nreferences = 3;
	assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_EINVAL);
	assert_null(res);
	assert_non_null(strstr(candor_last_error()->message, "'g' is given a reference twice"));
	o.nreferences = 2;
	assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_OK);
	assert_string_equal(candor_fairness_result_view(res)->groups[
	                    candor_fairness_result_view(res)->attributes[0].reference].name, "B");
	candor_fairness_result_free(res);
	candor_fairness_acc_free(acc);
	rowset_free(&r);
}

/* Finding 23: an absurd replicate count must be a clear error, not an
 * allocation failure (exit 3) or a run that never ends; and replicates
 * without bootstrap intervals could not take effect. */
static void test_bootstrap_bounds(void **state)
{
	(void)state;
	rowset r = make_rows(fixture, 4);
	candor_fairness_acc *acc = make_acc(&r, 4, true, false);
	candor_fairness_result *res = NULL;
	candor_fairness_options o = CANDOR_FAIRNESS_OPTIONS_INIT;

	o.ci = CANDOR_FAIRNESS_CI_BOOTSTRAP;
	o.bootstrap = (size_t)1 << 40;
	assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_EINVAL);
	assert_non_null(strstr(candor_last_error()->message, "at most 100000 replicates"));
	o.bootstrap = SIZE_MAX;
	assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_EINVAL);
	o.bootstrap = CANDOR_FAIRNESS_MAX_BOOTSTRAP + 1;
	assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_EINVAL);
	o.ci = CANDOR_FAIRNESS_CI_WILSON;
	o.bootstrap = 200;
	assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_EINVAL);
	assert_non_null(strstr(candor_last_error()->message, "ci is not bootstrap"));
	assert_null(res);
	candor_fairness_acc_free(acc);
	rowset_free(&r);
	{
		/* a replicate table over the byte bound: 300 groups x 13 metrics x
		 * 3 slots x 100000 replicates x 8 bytes > 1 GiB */
		enum { NG = 300 };
		const char *lv[NG];
		char names[NG][8];
		int32_t g[NG];
		uint8_t z[NG] = {0};
		const int32_t *groups[1] = {g};
		candor_fairness_attribute at = {"g", lv, NG};
		candor_fairness_rows rows = {NG, z, z, NULL, groups};

		for (int i = 0; i < NG; i++) {
			snprintf(names[i], sizeof(names[i]), "g%d", i);
			lv[i] = names[i];
			g[i] = i;
		}
		assert_int_equal(candor_fairness_acc_new(&acc, &at, 1, false), CANDOR_OK);
		assert_int_equal(candor_fairness_acc_add(acc, &rows), CANDOR_OK);
		o.ci = CANDOR_FAIRNESS_CI_BOOTSTRAP;
		o.bootstrap = CANDOR_FAIRNESS_MAX_BOOTSTRAP;
		assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_EUNSUPPORTED);
		assert_non_null(strstr(candor_last_error()->message, "1024 MiB"));
		assert_null(res);
		candor_fairness_acc_free(acc);
	}
}

/* Finding 8: with no favourable value named, a label or prediction column
 * must hold 0/1 or true/false; 1 and some text, or 1 and 2, used to be
 * taken as binary with the other value unfavourable. */
static void test_default_binary(void **state)
{
	(void)state;
	candor_table *t = NULL;
	candor_fairness_acc *acc = NULL;
	candor_fairness_columns c = CANDOR_FAIRNESS_COLUMNS_INIT;
	const double y[4] = {1, 0, 1, 1}, two[4] = {1, 2, 1, 2};
	const int32_t codes[4] = {0, 1, 0, 2}, gs[4] = {0, 1, 0, 1};
	const char *yes[] = {"1", "yes", "0"}, *tf[] = {"TRUE", "false", "True"};
	const char *gl[] = {"a", "b"}, *sens[] = {"g"};

	assert_int_equal(candor_table_new(&t), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "y", y, 4), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "two", two, 4), CANDOR_OK);
	assert_int_equal(candor_table_add_categorical(t, "yes", codes, 4, yes, 3), CANDOR_OK);
	assert_int_equal(candor_table_add_categorical(t, "tf", codes, 4, tf, 3), CANDOR_OK);
	assert_int_equal(candor_table_add_categorical(t, "g", gs, 4, gl, 2), CANDOR_OK);
	c.sensitive = sens;
	c.nsensitive = 1;
	c.source = "d.csv";
	/* numeric 1 and 2 */
	c.label = "two";
	c.pred = "y";
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_EPARSE);
	assert_non_null(strstr(candor_last_error()->message,
	                       "row 2: label column 'two' holds '2', which is not 0/1"));
	/* text 1 and yes, as the prediction: named by the user's column */
	c.label = "y";
	c.pred = "yes";
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_EPARSE);
	assert_non_null(strstr(candor_last_error()->message,
	                       "row 2: prediction column 'yes' holds 'yes'"));
	assert_null(acc);
	/* naming the prediction's favourable value makes it binary again ...
	 * but "yes" and "1" and "0" are three values */
	c.pred_favorable = "yes";
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_EPARSE);
	assert_non_null(strstr(candor_last_error()->message, "third value"));
	/* true/false in any case: TRUE, false, TRUE, True -> 1, 0, 1, 1 = y */
	c.pred_favorable = NULL;
	c.pred = "tf";
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_OK);
	/* a: rows 0, 2 (y 1, pred 1): tp 2; b: rows 1 (0, 0) tn, 3 (1, 1) tp */
	assert_int_equal(acc->counts[1 * 4 + CANDOR__TP], 2);
	assert_int_equal(acc->counts[2 * 4 + CANDOR__TN], 1);
	assert_int_equal(acc->counts[2 * 4 + CANDOR__TP], 1);
	candor_fairness_acc_free(acc);
	acc = NULL;
	/* a favourable value for the label that is not the prediction's */
	c.label = "yes";
	c.favorable = "yes";
	c.pred = "y";
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_EPARSE);
	assert_non_null(strstr(candor_last_error()->message, "third value"));
	c.label = "two";
	c.favorable = "2";
	/* ... which applies to the prediction too unless pred_favorable says */
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_EPARSE);
	c.pred_favorable = "1";
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_OK);
	/* label 2 favourable: rows 1, 3; pred 1: rows 0, 2, 3 */
	assert_int_equal(acc->counts[1 * 4 + CANDOR__FP], 2);
	assert_int_equal(acc->counts[2 * 4 + CANDOR__FN], 1);
	assert_int_equal(acc->counts[2 * 4 + CANDOR__TP], 1);
	candor_fairness_acc_free(acc);
	acc = NULL;
	/* pred_favorable without a prediction column cannot take effect */
	c.pred = NULL;
	c.score = "y";
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_EINVAL);
	candor_table_free(t);
}

/* Finding 24: threshold 0 meant 0.5. Now threshold_set says a threshold
 * was given, and 0 means 0; version 1 of the struct still reads as before. */
static void test_threshold_zero(void **state)
{
	(void)state;
	candor_table *t = NULL;
	candor_fairness_acc *acc = NULL;
	candor_fairness_columns c = CANDOR_FAIRNESS_COLUMNS_INIT;
	const double y[5] = {1, 0, 1, 0, 1}, s[5] = {-0.5, 0.0, 0.3, 0.6, 2.5};
	const int32_t gs[5] = {0, 0, 0, 0, 0};
	const char *gl[] = {"a"}, *sens[] = {"g"};
	/* oracle: decisions s >= T counted by hand, as (tp, fp) */
	const struct { double t; bool set; uint64_t tp, fp; } cases[] = {
		{0.0, true, 2, 2},   /* 0, .3, .6, 2.5 */
		{0.0, false, 1, 1},  /* default .5: .6, 2.5 */
		{-1.0, true, 3, 2},  /* all */
		{0.3, true, 2, 1},   /* .3, .6, 2.5 */
		{3.0, true, 0, 0},
	};

	assert_int_equal(candor_table_new(&t), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "y", y, 5), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "s", s, 5), CANDOR_OK);
	assert_int_equal(candor_table_add_categorical(t, "g", gs, 5, gl, 1), CANDOR_OK);
	c.label = "y";
	c.score = "s";
	c.sensitive = sens;
	c.nsensitive = 1;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		c.threshold = cases[k].t;
		c.threshold_set = cases[k].set;
		assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_OK);
		assert_int_equal(acc->counts[4 + CANDOR__TP], cases[k].tp);
		assert_int_equal(acc->counts[4 + CANDOR__FP], cases[k].fp);
		candor_fairness_acc_free(acc);
		acc = NULL;
	}
	/* a threshold without threshold_set would be silently ignored */
	c.threshold = 0.7;
	c.threshold_set = false;
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_EINVAL);
	/* ... and one with a prediction column cannot take effect */
	c.threshold_set = true;
	c.pred = "y";
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_EINVAL);
	c.pred = NULL;
	c.threshold = NAN;
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_EINVAL);
	/* version 1 (no pred_favorable, no threshold_set): 0 still means 0.5 */
	c.version = 1;
	c.threshold = 0.0;
	c.threshold_set = true; /* not part of version 1: ignored */
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_OK);
	assert_int_equal(acc->counts[4 + CANDOR__TP], 1);
	assert_int_equal(acc->counts[4 + CANDOR__FP], 1);
	candor_fairness_acc_free(acc);
	acc = NULL;
	c.version = 3;
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &c), CANDOR_EINVAL);
	candor_table_free(t);
}

/* ===== issue 13: p-values adjusted for multiple comparisons ============= */

/* R 4.2: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02;
 * p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") = 0.02 0.04 0.04 0.02 (worked
 * by hand from the definitions: Holm sorted 4(.005) 3(.01) 2(.03) 1(.04),
 * running max; BH 4/1(.005) 4/2(.01) 4/3(.03) 4/4(.04), running min from
 * the top). Ties: p.adjust(c(.02, .02, .5), "holm") = .06 .06 .5. */
static void test_p_adjust(void **state)
{
	(void)state;
	const double raw[4] = {0.01, 0.04, 0.03, 0.005};
	const double holm[4] = {0.03, 0.06, 0.06, 0.02}, bh[4] = {0.02, 0.04, 0.04, 0.02};
	double p[4];
	size_t idx[4];
	rowset r = make_rows(fixture, 4);
	candor_fairness_acc *acc = make_acc(&r, 4, true, false);
	candor_fairness_result *res = NULL;
	candor_fairness_options o = CANDOR_FAIRNESS_OPTIONS_INIT;

	memcpy(p, raw, sizeof(p));
	candor__p_adjust(p, 4, CANDOR_FAIRNESS_P_HOLM, idx);
	for (int i = 0; i < 4; i++)
		ASSERT_NEAR(p[i], holm[i], 1e-15);
	memcpy(p, raw, sizeof(p));
	candor__p_adjust(p, 4, CANDOR_FAIRNESS_P_BH, idx);
	for (int i = 0; i < 4; i++)
		ASSERT_NEAR(p[i], bh[i], 1e-15);
	p[0] = 0.5, p[1] = 0.02, p[2] = 0.02;
	candor__p_adjust(p, 3, CANDOR_FAIRNESS_P_HOLM, idx);
	ASSERT_NEAR(p[0], 0.5, 1e-15);
	ASSERT_NEAR(p[1], 0.06, 1e-15);
	ASSERT_NEAR(p[2], 0.06, 1e-15);

	/* through compute: each (attribute, metric) family of the fixture is
	 * adjusted on its own, by the naive O(m^2) definitions */
	for (int method = 0; method < 3; method++) {
		const candor_fairness_view *v;

		o.p_adjust = (candor_fairness_p_adjust)method;
		assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_OK);
		v = candor_fairness_result_view(res);
		assert_int_equal(v->p_adjust, method);
		for (size_t d = 0; d < v->ndisparities; d++) {
			const candor_fairness_disparity *D = &v->disparities[d];
			double want = D->p_value;
			size_t m = 0;

			if (isnan(D->p_value)) {
				assert_true(isnan(D->p_adjusted));
				continue;
			}
			for (size_t e = 0; e < v->ndisparities; e++) {
				const candor_fairness_disparity *E = &v->disparities[e];

				if (E->attribute != D->attribute || E->metric != D->metric ||
				    isnan(E->p_value))
					continue;
				m++;
			}
			if (method == CANDOR_FAIRNESS_P_HOLM) {
				/* max over the tests ranked at or below this one */
				want = 0;
				for (size_t e = 0; e < v->ndisparities; e++) {
					const candor_fairness_disparity *E = &v->disparities[e];
					size_t re = 1;

					if (E->attribute != D->attribute || E->metric != D->metric ||
					    isnan(E->p_value) || E->p_value > D->p_value)
						continue;
					for (size_t f = 0; f < v->ndisparities; f++) {
						const candor_fairness_disparity *F = &v->disparities[f];

						if (F->attribute == E->attribute && F->metric == E->metric &&
						    !isnan(F->p_value) &&
						    (F->p_value < E->p_value || (F->p_value == E->p_value && f < e)))
							re++;
					}
					want = fmax(want, fmin(1, (double)(m - re + 1) * E->p_value));
				}
			} else if (method == CANDOR_FAIRNESS_P_BH) {
				/* min over the tests ranked at or above this one */
				want = 1;
				for (size_t e = 0; e < v->ndisparities; e++) {
					const candor_fairness_disparity *E = &v->disparities[e];
					size_t re = 1;

					if (E->attribute != D->attribute || E->metric != D->metric ||
					    isnan(E->p_value) || E->p_value < D->p_value)
						continue;
					for (size_t f = 0; f < v->ndisparities; f++) {
						const candor_fairness_disparity *F = &v->disparities[f];

						if (F->attribute == E->attribute && F->metric == E->metric &&
						    !isnan(F->p_value) &&
						    (F->p_value < E->p_value || (F->p_value == E->p_value && f < e)))
							re++;
					}
					want = fmin(want, fmin(1, (double)m * E->p_value / (double)re));
				}
			}
			ASSERT_NEAR(D->p_adjusted, want, 1e-15);
			assert_true(D->p_adjusted >= D->p_value);
		}
		candor_fairness_result_free(res);
		res = NULL;
	}
	/* version 1 options (no p_adjust) still work: Holm */
	o.version = 1;
	o.p_adjust = (candor_fairness_p_adjust)7; /* not part of version 1 */
	assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_OK);
	assert_int_equal(candor_fairness_result_view(res)->p_adjust, CANDOR_FAIRNESS_P_HOLM);
	candor_fairness_result_free(res);
	res = NULL;
	o.version = 2;
	assert_int_equal(candor_fairness_compute(&res, acc, &o), CANDOR_EINVAL);
	candor_fairness_acc_free(acc);
	rowset_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_metrics),
		cmocka_unit_test(test_summary_metrics),
		cmocka_unit_test(test_disparities),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_score_metrics),
		cmocka_unit_test(test_scores_through_acc),
		cmocka_unit_test(test_merge_and_chunks),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_serialize),
		cmocka_unit_test(test_bootstrap_threads),
		cmocka_unit_test(test_policy_parse_errors),
		cmocka_unit_test(test_policy_checks),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_large_chunked),
		cmocka_unit_test(test_synth_planted_rates),
		cmocka_unit_test(test_policy_interval_mode),
		cmocka_unit_test(test_failalloc),
		cmocka_unit_test(test_intersection_names),
		cmocka_unit_test(test_reference_twice),
		cmocka_unit_test(test_bootstrap_bounds),
		cmocka_unit_test(test_default_binary),
		cmocka_unit_test(test_threshold_zero),
		cmocka_unit_test(test_p_adjust),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
