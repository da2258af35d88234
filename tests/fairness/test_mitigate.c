/*
 * test_mitigate.c - unit tests of the mitigation files (cmocka).
 *
 * The optimum itself is checked against scipy's linprog by
 * mitigate_oracle.py; here, exact small cases worked out by hand in the
 * comments, the semantics of ties and infinite thresholds, the promise
 * against the rule applied (expected counts recomputed from
 * candor_mitigate_rule_prob), reweighing against its closed form, the
 * tables layer (eval groups matched by name, split sizes), every error
 * path, and allocation failures.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "candor/mitigate.h"
#include "core/core_int.h"

#define TOL 1e-12

/* Group 0 (hand-worked): (0.9, 1), (0.9, 0), (0.5, 1), (0.1, 0), so P = N
 * = 2. ROC points of "score >= t": +inf (0, 0); 0.9 (1/2, 1/2); 0.5
 * (1/2, 1); all (1, 1). (1/2, 1/2) lies under the chord (0,0)-(1/2,1): the
 * upper hull is (0,0), (1/2,1), (1,1). Best accuracy alone: t = 0.5, 3/4.
 * Group 1: (0.8, 1), (0.7, 1), (0.3, 0), (0.2, 0), (0.2, 1): P = 3, N = 2;
 * points: (0,0), 0.8 (0,1/3), 0.7 (0,2/3), 0.3 (1/2,2/3), all (1,1); hull
 * (0,0), (0,2/3), (1,1) [(0,1/3) is on the segment, (1/2,2/3) below].
 * Best accuracy alone: t = 0.7 (tp 2, tn 2: 4/5). */
static const double s9[] = {0.9, 0.9, 0.5, 0.1, 0.8, 0.7, 0.3, 0.2, 0.2};
static const uint8_t y9[] = {1, 0, 1, 0, 1, 1, 0, 0, 1};
static const int32_t g9[] = {0, 0, 0, 0, 1, 1, 1, 1, 1};
static const char *const names2[] = {"g0", "g1"};

static candor_mitigate_rule *fit(candor_mitigate_constraint c, candor_mitigate_objective obj)
{
	candor_mitigate_options o = CANDOR_MITIGATE_OPTIONS_INIT;
	candor_mitigate_rows rows = {9, y9, s9, g9};
	candor_mitigate_rule *r = NULL;

	o.constraint = c;
	o.objective = obj;
	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 2, names2, NULL, &o), CANDOR_OK);
	return r;
}

/* The rule applied here: expected tp and fp per group equal the promise. */
static void check_promise(const candor_mitigate_rule *r)
{
	const candor_mitigate_rule_contents *v = candor_mitigate_rule_view(r);
	double q[9], tp[2] = {0, 0}, fp[2] = {0, 0};

	assert_int_equal(candor_mitigate_rule_prob(r, q, s9, g9, 9), CANDOR_OK);
	for (size_t i = 0; i < 9; i++) {
		assert_true(q[i] >= 0.0 && q[i] <= 1.0);
		if (y9[i])
			tp[g9[i]] += q[i];
		else
			fp[g9[i]] += q[i];
	}
	for (size_t g = 0; g < 2; g++) {
		assert_float_equal(v->groups[g].tp, tp[g], TOL);
		assert_float_equal(v->groups[g].fp, fp[g], TOL);
	}
}

static void test_unconstrained_hand(void **state)
{
	(void)state;
	candor_mitigate_rule *r = fit(CANDOR_MITIGATE_NONE, CANDOR_MITIGATE_ACCURACY);
	const candor_mitigate_rule_contents *v = candor_mitigate_rule_view(r);

	assert_int_equal(v->ngroups, 2);
	assert_string_equal(v->groups[0].group, "g0");
	assert_int_equal(v->groups[0].hull_vertices, 3);
	assert_int_equal(v->groups[1].hull_vertices, 3);
	/* g0: score >= 0.5 */
	assert_int_equal(v->groups[0].nthresholds, 1);
	assert_float_equal(v->groups[0].thresholds[0], 0.5, 0);
	assert_float_equal(v->groups[0].prob[0], 0.0, 0);
	assert_float_equal(v->groups[0].prob[1], 1.0, 0);
	assert_false(v->groups[0].randomised);
	assert_float_equal(v->groups[0].accuracy, 0.75, TOL);
	/* g1: score >= 0.7 */
	assert_int_equal(v->groups[1].nthresholds, 1);
	assert_float_equal(v->groups[1].thresholds[0], 0.7, 0);
	assert_float_equal(v->groups[1].accuracy, 0.8, TOL);
	/* overall (3 + 4) / 9 */
	assert_float_equal(v->accuracy, 7.0 / 9.0, TOL);
	check_promise(r);
	candor_mitigate_rule_free(r);
}

/* Equal opportunity, accuracy: common tpr t; g0 on its hull has fpr 0 up
 * to... g0's hull (0,0)-(1/2,1): fpr = t/2; g1's (0,0)-(0,2/3)-(1,1):
 * fpr 0 for t <= 2/3, then 3(t - 2/3). Objective 9 * accuracy = 2t -
 * 2(t/2) + 3t - 2 fpr1 + 4 = 4t + 4 for t <= 2/3 (= 20/3 at 2/3), then
 * 4t - 6(t - 2/3) + 4 falls. So t = 2/3: accuracy 20/27; g0 mixes t0 =
 * 0.5 (weight 2/3) with +inf (1/3): P(1) = 2/3 for s >= 0.5. */
static void test_equal_opportunity_hand(void **state)
{
	(void)state;
	candor_mitigate_rule *r = fit(CANDOR_MITIGATE_EQUAL_OPPORTUNITY, CANDOR_MITIGATE_ACCURACY);
	const candor_mitigate_rule_contents *v = candor_mitigate_rule_view(r);

	assert_float_equal(v->accuracy, 20.0 / 27.0, TOL);
	assert_float_equal(v->groups[0].tpr, 2.0 / 3.0, TOL);
	assert_float_equal(v->groups[1].tpr, 2.0 / 3.0, TOL);
	assert_true(v->groups[0].randomised);
	assert_int_equal(v->groups[0].nthresholds, 1);
	assert_float_equal(v->groups[0].thresholds[0], 0.5, 0);
	assert_float_equal(v->groups[0].prob[1], 2.0 / 3.0, TOL);
	assert_false(v->groups[1].randomised);
	check_promise(r);
	candor_mitigate_rule_free(r);
}

static void test_constraints_hold(void **state)
{
	(void)state;
	for (int c = 1; c <= 3; c++)
		for (int o = 0; o <= 1; o++) {
			candor_mitigate_rule *r = fit((candor_mitigate_constraint)c,
			                              (candor_mitigate_objective)o);
			const candor_mitigate_rule_contents *v = candor_mitigate_rule_view(r);
			const candor_mitigate_group_rule *a = &v->groups[0], *b = &v->groups[1];

			if (c == CANDOR_MITIGATE_DEMOGRAPHIC_PARITY)
				assert_float_equal(a->selection_rate, b->selection_rate, TOL);
			if (c != CANDOR_MITIGATE_DEMOGRAPHIC_PARITY)
				assert_float_equal(a->tpr, b->tpr, TOL);
			if (c == CANDOR_MITIGATE_EQUALIZED_ODDS)
				assert_float_equal(a->fpr, b->fpr, TOL);
			check_promise(r);
			candor_mitigate_rule_free(r);
		}
}

/* Every row tied: the hull is (0,0)-(1,1), the rule a coin; no threshold
 * can be invented between equal scores. */
static void test_all_tied(void **state)
{
	(void)state;
	const double s[] = {0.3, 0.3, 0.3, 0.3};
	const uint8_t y[] = {1, 0, 0, 1};
	const int32_t g[] = {0, 0, 0, 0};
	candor_mitigate_rows rows = {4, y, s, g};
	candor_mitigate_rule *r = NULL;
	const candor_mitigate_rule_contents *v;

	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 1, NULL, NULL, NULL), CANDOR_OK);
	v = candor_mitigate_rule_view(r);
	assert_string_equal(v->groups[0].group, "0");
	assert_int_equal(v->groups[0].hull_vertices, 2);
	assert_int_equal(v->groups[0].nthresholds, 0);
	/* both vertices give accuracy 1/2: the tie goes to the first, +inf */
	assert_float_equal(v->groups[0].prob[0], 0.0, 0);
	assert_true(isinf(v->groups[0].threshold0) && v->groups[0].threshold0 > 0);
	candor_mitigate_rule_free(r);
}

/* Realised decisions: row r's coin depends on (seed, r, stream) only. */
static void test_decide_batches(void **state)
{
	(void)state;
	candor_mitigate_rule *r = fit(CANDOR_MITIGATE_EQUAL_OPPORTUNITY, CANDOR_MITIGATE_ACCURACY);
	uint8_t all[9], part[9];

	assert_int_equal(candor_mitigate_rule_decide(r, all, s9, g9, 9, 42, 0, 2), CANDOR_OK);
	assert_int_equal(candor_mitigate_rule_decide(r, part, s9, g9, 4, 42, 0, 2), CANDOR_OK);
	assert_int_equal(candor_mitigate_rule_decide(r, part + 4, s9 + 4, g9 + 4, 5, 42, 4, 2),
	                 CANDOR_OK);
	assert_memory_equal(all, part, 9);
	/* deterministic rows follow their threshold */
	assert_int_equal(all[3], 0); /* g0, 0.1 < 0.5 */
	assert_int_equal(all[4], 1); /* g1, 0.8 >= 0.7 */
	candor_mitigate_rule_free(r);
}

/* Reweighing: g0 has n = 4 (2 pos), g1 n = 5 (3 pos), n = 9, 5 pos, 4
 * neg. w(g0, 1) = 4 * 5 / (9 * 2) = 10/9; w(g0, 0) = 4 * 4 / (9 * 2) =
 * 8/9; w(g1, 1) = 5 * 5 / (9 * 3) = 25/27; w(g1, 0) = 5 * 4 / (9 * 2) =
 * 10/9. Weighted base rate of g0: 2 * 10/9 / (2 * 10/9 + 2 * 8/9) = 5/9. */
static void test_reweigh(void **state)
{
	(void)state;
	candor_mitigate_rows rows = {9, y9, s9, g9};
	double w[4];

	assert_int_equal(candor_mitigate_reweigh(w, &rows, 2), CANDOR_OK);
	assert_float_equal(w[1], 10.0 / 9.0, TOL);
	assert_float_equal(w[0], 8.0 / 9.0, TOL);
	assert_float_equal(w[3], 25.0 / 27.0, TOL);
	assert_float_equal(w[2], 10.0 / 9.0, TOL);
	assert_float_equal(2 * w[1] / (2 * w[1] + 2 * w[0]), 5.0 / 9.0, TOL);
	assert_float_equal(3 * w[3] / (3 * w[3] + 2 * w[2]), 5.0 / 9.0, TOL);
}

static void test_errors(void **state)
{
	(void)state;
	candor_mitigate_options o = CANDOR_MITIGATE_OPTIONS_INIT;
	candor_mitigate_rule *r = NULL;
	uint8_t y[9];
	int32_t g[9];
	double s[9], q[9];
	candor_mitigate_rows rows = {9, y, s, g};

	memcpy(y, y9, sizeof(y));
	memcpy(g, g9, sizeof(g));
	memcpy(s, s9, sizeof(s));
	o.constraint = CANDOR_MITIGATE_DEMOGRAPHIC_PARITY;
	/* a group without an unfavourable label: named, EDOMAIN */
	y[1] = 1;
	y[3] = 1;
	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 2, names2, NULL, &o), CANDOR_EDOMAIN);
	assert_null(r);
	assert_non_null(strstr(candor_last_error()->message, "'g0'"));
	assert_non_null(strstr(candor_last_error()->message, "no unfavourable label"));
	memcpy(y, y9, sizeof(y));
	/* a group without rows */
	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 3, NULL, NULL, &o), CANDOR_EDOMAIN);
	assert_non_null(strstr(candor_last_error()->message, "no rows"));
	/* bad label, code, score */
	y[2] = 2;
	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 2, NULL, NULL, &o), CANDOR_EINVAL);
	y[2] = 1;
	g[5] = 2;
	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 2, NULL, NULL, &o), CANDOR_EINVAL);
	g[5] = 1;
	s[0] = NAN;
	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 2, NULL, NULL, &o), CANDOR_EINVAL);
	s[0] = 0.9;
	/* options */
	o.version = 99;
	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 2, NULL, NULL, &o), CANDOR_EINVAL);
	o.version = CANDOR_MITIGATE_OPTIONS_VERSION;
	o.constraint = (candor_mitigate_constraint)17;
	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 2, NULL, NULL, &o), CANDOR_EINVAL);
	o.constraint = CANDOR_MITIGATE_EQUALIZED_ODDS;
	o.objective = (candor_mitigate_objective)5;
	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 2, NULL, NULL, &o), CANDOR_EINVAL);
	o.objective = CANDOR_MITIGATE_ACCURACY;
	o.split = 1.0;
	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 2, NULL, NULL, &o), CANDOR_EINVAL);
	o.split = 0;
	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 0, NULL, NULL, &o), CANDOR_EINVAL);
	assert_int_equal(candor_mitigate_rule_fit(NULL, &rows, 2, NULL, NULL, &o), CANDOR_EINVAL);
	/* applying: a code out of range, a non-finite score */
	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 2, NULL, NULL, &o), CANDOR_OK);
	g[0] = -1;
	assert_int_equal(candor_mitigate_rule_prob(r, q, s, g, 9), CANDOR_EINVAL);
	g[0] = 0;
	s[1] = INFINITY;
	assert_int_equal(candor_mitigate_rule_prob(r, q, s, g, 9), CANDOR_EINVAL);
	candor_mitigate_rule_free(r);
	candor_mitigate_rule_free(NULL);
	candor_mitigate_result_free(NULL);
	assert_string_equal(candor_mitigate_constraint_name(CANDOR_MITIGATE_EQUALIZED_ODDS),
	                    "equalized_odds");
	assert_null(candor_mitigate_constraint_name((candor_mitigate_constraint)9));
}

/* A policy whose only check is tpr parity (max_difference 0, every group
 * counted): the same optimum as equal opportunity, 20/27 (worked out
 * above), now from the linear program over the full hulls. */
static void test_policy_as_equal_opportunity(void **state)
{
	(void)state;
	const char *text = "{\"min_group_size\": 1, \"checks\": "
	                   "[{\"metric\": \"tpr\", \"max_difference\": 0}]}";
	candor_fairness_policy *pol = NULL;
	candor_mitigate_options o = CANDOR_MITIGATE_OPTIONS_INIT;
	candor_mitigate_rows rows = {9, y9, s9, g9};
	candor_mitigate_rule *r = NULL;
	const candor_mitigate_rule_contents *v;

	assert_int_equal(candor_fairness_policy_parse(&pol, text, strlen(text), "p"), CANDOR_OK);
	o.constraint = CANDOR_MITIGATE_POLICY;
	/* a policy is required, and refused without the policy constraint */
	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 2, names2, NULL, &o), CANDOR_EINVAL);
	o.policy = pol;
	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 2, names2, "grp", &o), CANDOR_OK);
	v = candor_mitigate_rule_view(r);
	assert_float_equal(v->accuracy, 20.0 / 27.0, 1e-12);
	assert_float_equal(v->groups[0].tpr, v->groups[1].tpr, 1e-12);
	check_promise(r);
	candor_mitigate_rule_free(r);
	o.constraint = CANDOR_MITIGATE_EQUAL_OPPORTUNITY;
	assert_int_equal(candor_mitigate_rule_fit(&r, &rows, 2, names2, NULL, &o), CANDOR_EINVAL);
	candor_fairness_policy_free(pol);
}

/* Many groups: every constraint holds and the promise is what the rule
 * gives, with 300 groups of 40 rows (ties on a 0.05 grid); this also keeps
 * the solvers' cost per group in check (they are O(V log V) and O(V G)). */
static void test_many_groups(void **state)
{
	(void)state;
	enum { G = 300, PER = 40, N = G * PER };
	uint8_t *y = malloc(N);
	double *s = malloc(N * sizeof(double)), *q = malloc(N * sizeof(double));
	int32_t *g = malloc(N * sizeof(int32_t));
	uint64_t st = 12345;

	assert_non_null(y);
	assert_non_null(s);
	assert_non_null(q);
	assert_non_null(g);
	for (size_t i = 0; i < N; i++) {
		st = candor__splitmix64(st);
		g[i] = (int32_t)(i % G);
		y[i] = (uint8_t)((i / G) % 2); /* both labels in every group */
		s[i] = 0.05 * (double)((st >> 40) % 21) * 0.5 + 0.25 * y[i] + 0.001 * (double)(g[i] % 7);
	}
	for (int c = 1; c <= 3; c++) {
		candor_mitigate_options o = CANDOR_MITIGATE_OPTIONS_INIT;
		candor_mitigate_rows rows = {N, y, s, g};
		candor_mitigate_rule *r = NULL;
		const candor_mitigate_rule_contents *v;
		double tp[G] = {0}, fp[G] = {0};

		o.constraint = (candor_mitigate_constraint)c;
		assert_int_equal(candor_mitigate_rule_fit(&r, &rows, G, NULL, NULL, &o), CANDOR_OK);
		v = candor_mitigate_rule_view(r);
		assert_int_equal(candor_mitigate_rule_prob(r, q, s, g, N), CANDOR_OK);
		for (size_t i = 0; i < N; i++) {
			if (y[i])
				tp[g[i]] += q[i];
			else
				fp[g[i]] += q[i];
		}
		for (size_t k = 0; k < G; k++) {
			assert_float_equal(v->groups[k].tp, tp[k], 1e-9);
			assert_float_equal(v->groups[k].fp, fp[k], 1e-9);
			if (c == CANDOR_MITIGATE_DEMOGRAPHIC_PARITY)
				assert_float_equal(v->groups[k].selection_rate, v->groups[0].selection_rate,
				                   1e-9);
			else
				assert_float_equal(v->groups[k].tpr, v->groups[0].tpr, 1e-9);
			if (c == CANDOR_MITIGATE_EQUALIZED_ODDS)
				assert_float_equal(v->groups[k].fpr, v->groups[0].fpr, 1e-9);
		}
		candor_mitigate_rule_free(r);
	}
	free(y);
	free(s);
	free(q);
	free(g);
}

/* ===== tables =========================================================== */

static candor_table *table9(bool swap_levels, bool extra_group)
{
	candor_table *t = NULL;
	const char *lv[] = {"g0", "g1", "g2"};
	const char *sw[] = {"g1", "g0", "g2"};
	int32_t codes[9];
	double lab[9];

	for (size_t i = 0; i < 9; i++) {
		codes[i] = swap_levels ? 1 - g9[i] : g9[i];
		lab[i] = y9[i];
	}
	if (extra_group)
		codes[8] = 2;
	assert_int_equal(candor_table_new(&t), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "y", lab, 9), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "s", s9, 9), CANDOR_OK);
	assert_int_equal(candor_table_add_categorical(t, "grp", codes, 9, swap_levels ? sw : lv,
	                                              extra_group ? 3 : 2), CANDOR_OK);
	return t;
}

static void test_run_tables(void **state)
{
	(void)state;
	candor_table *fitt = table9(false, false), *ev = table9(true, false);
	candor_table *bad = table9(true, true);
	const char *sens[] = {"grp"};
	candor_mitigate_columns cols = CANDOR_MITIGATE_COLUMNS_INIT;
	candor_mitigate_options o = CANDOR_MITIGATE_OPTIONS_INIT;
	candor_mitigate_result *res = NULL;
	const candor_mitigate_view *v;
	char *js = NULL;
	size_t len = 0;

	cols.label = "y";
	cols.score = "s";
	cols.sensitive = sens;
	cols.nsensitive = 1;
	o.constraint = CANDOR_MITIGATE_EQUAL_OPPORTUNITY;
	assert_int_equal(candor_mitigate_run(&res, fitt, ev, &cols, &o), CANDOR_OK);
	v = candor_mitigate_result_view(res);
	assert_true(v->has_eval);
	assert_int_equal(v->fit.n, 9);
	assert_int_equal(v->eval.n, 9);
	/* the eval file lists its levels the other way round: matched by name,
	 * so the expected values are the fitting part's */
	for (size_t g = 0; g < 2; g++) {
		assert_float_equal(v->eval.expected.tpr[g], v->fit.expected.tpr[g], TOL);
		assert_float_equal(v->fit.weighted_base_rate[g], 5.0 / 9.0, TOL);
	}
	assert_float_equal(v->fit.expected.accuracy, 20.0 / 27.0, TOL);
	assert_float_equal(v->row_weights[0], 10.0 / 9.0, TOL);
	assert_int_equal(candor_mitigate_result_json(res, &js, &len), CANDOR_OK);
	assert_non_null(strstr(js, "\"equal_opportunity\""));
	assert_int_equal(strlen(js), len);
	free(js);
	candor_mitigate_result_free(res);
	res = NULL;

	/* an eval group the fitting data lacks */
	assert_int_equal(candor_mitigate_run(&res, fitt, bad, &cols, &o), CANDOR_EPARSE);
	assert_non_null(strstr(candor_last_error()->message, "'g2'"));
	/* eval and split together; a missing column */
	o.split = 0.5;
	assert_int_equal(candor_mitigate_run(&res, fitt, ev, &cols, &o), CANDOR_EINVAL);
	o.split = 0;
	cols.score = "nope";
	assert_int_equal(candor_mitigate_run(&res, fitt, NULL, &cols, &o), CANDOR_ENOTFOUND);
	assert_null(res);
	candor_table_free(fitt);
	candor_table_free(ev);
	candor_table_free(bad);
}

static void test_failalloc(void **state)
{
	(void)state;
	candor_table *fitt = table9(false, false), *ev = table9(true, false);
	const char *sens[] = {"grp"};
	const char *text = "{\"min_group_size\": 1, \"checks\": [{\"metric\": \"tpr\", "
	                   "\"max_difference\": 0.01}, {\"metric\": \"disparate_impact\", "
	                   "\"min\": 0.8}]}";
	candor_fairness_policy *pol = NULL;
	size_t ok_runs = 0;

	assert_int_equal(candor_fairness_policy_parse(&pol, text, strlen(text), "p"), CANDOR_OK);
	for (long n = 0; n < 4000 && ok_runs < 6; n++) {
		candor_mitigate_columns cols = CANDOR_MITIGATE_COLUMNS_INIT;
		candor_mitigate_options o = CANDOR_MITIGATE_OPTIONS_INIT;
		candor_mitigate_result *res = NULL;
		char *js = NULL;
		size_t len;
		candor_status st;

		cols.label = "y";
		cols.score = "s";
		cols.sensitive = sens;
		cols.nsensitive = 1;
		o.constraint = n % 2 ? CANDOR_MITIGATE_POLICY : CANDOR_MITIGATE_EQUALIZED_ODDS;
		o.policy = n % 2 ? pol : NULL;
		o.threads = 1;
		candor__failalloc_arm(n);
		st = candor_mitigate_run(&res, fitt, ev, &cols, &o);
		if (st == CANDOR_OK)
			st = candor_mitigate_result_json(res, &js, &len);
		candor__failalloc_arm(-1);
		if (st == CANDOR_OK)
			ok_runs++;
		else
			assert_int_equal(st, CANDOR_ENOMEM);
		free(js);
		candor_mitigate_result_free(res);
	}
	assert_true(ok_runs >= 6);
	candor_fairness_policy_free(pol);
	candor_table_free(fitt);
	candor_table_free(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unconstrained_hand),
		cmocka_unit_test(test_equal_opportunity_hand),
		cmocka_unit_test(test_constraints_hold),
		cmocka_unit_test(test_all_tied),
		cmocka_unit_test(test_decide_batches),
		cmocka_unit_test(test_reweigh),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_policy_as_equal_opportunity),
		cmocka_unit_test(test_many_groups),
		cmocka_unit_test(test_run_tables),
		cmocka_unit_test(test_failalloc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
