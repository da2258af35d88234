/*
 * test_gsl.c - a host that keeps GSL's default error handler (which aborts
 * the process) and drives libcandor's GSL paths with the inputs that would
 * make GSL call it: a draw from [0, n) with n above the generator's range
 * (gsl_rng_uniform_int() calls the handler for it), generators whose
 * allocation fails (gsl_rng_alloc() calls it), Fisher tables with empty
 * cells, one-row bootstrap groups and a confidence near 1. The process must
 * not abort; each call returns a status.
 *
 * Oracles: gsl_rng_uniform_int() itself for n within the range (the same
 * draws); n = 2^33 must give values above 2^32 - 1 (from the high bits).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "core/core_int.h"
#include "candor/fairness.h"
#include "fairness/fairness_int.h"

static int setup(void **state)
{
	(void)state;
	gsl_set_error_handler(NULL); /* GSL's default: abort() on any error */
	return 0;
}

static void test_index(void **state)
{
	gsl_rng *a = candor__rng_new(), *b = candor__rng_new();
	uint64_t big = 0;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	gsl_rng_set(a, 2385);
	gsl_rng_set(b, 2385);
	for (int i = 0; i < 1000; i++) {
		const unsigned long n = i % 2 ? 4294967295ul : (unsigned long)i + 1;

		assert_int_equal(candor__rng_index(a, n), gsl_rng_uniform_int(b, n));
	}
	assert_int_equal(candor__rng_index(a, 0), 0);
	for (int i = 0; i < 1000; i++) {
		const uint64_t x = candor__rng_index(a, (uint64_t)1 << 33);

		assert_true(x < (uint64_t)1 << 33);
		if (x > big)
			big = x;
	}
	assert_true(big > 0xffffffffu);
	assert_true(candor__rng_index(a, UINT64_MAX) < UINT64_MAX);
	gsl_rng_free(a);
	gsl_rng_free(b);
}

static void test_alloc_fails(void **state)
{
	(void)state;
	for (long n = 0; n < 2; n++) {
		candor__failalloc_arm(n);
		assert_null(candor__rng_new());
		candor__failalloc_arm(-1);
		assert_int_equal(candor_last_error()->status, CANDOR_ENOMEM);
	}
	/* every allocation of a bootstrap computation, the generators' included */
	const char *lv[] = {"a", "b"};
	candor_fairness_attribute attr = {"g", lv, 2};
	const uint8_t y[] = {1, 0, 1}, p[] = {1, 1, 0};
	const double s[] = {0.9, 0.2, 0.4};
	const int32_t g0[] = {0, 1, 1};
	const int32_t *const groups[] = {g0};
	candor_fairness_rows rows = {3, y, p, s, groups};
	candor_fairness_acc *acc = NULL;
	candor_fairness_options o = CANDOR_FAIRNESS_OPTIONS_INIT;
	int ok = 0;

	assert_int_equal(candor_fairness_acc_new(&acc, &attr, 1, true), CANDOR_OK);
	assert_int_equal(candor_fairness_acc_add(acc, &rows), CANDOR_OK);
	o.ci = CANDOR_FAIRNESS_CI_BOOTSTRAP;
	o.bootstrap = 20;
	o.threads = 1;
	o.confidence = 0.999999;
	for (long n = 0; n < 400 && ok < 3; n++) {
		candor_fairness_result *res = NULL;
		candor_status st;

		candor__failalloc_arm(n);
		st = candor_fairness_compute(&res, acc, &o);
		candor__failalloc_arm(-1);
		if (st == CANDOR_OK)
			ok++;
		else
			assert_int_equal(st, CANDOR_ENOMEM);
		candor_fairness_result_free(res);
	}
	assert_true(ok > 0);
	candor_fairness_acc_free(acc);
}

static void test_edges(void **state)
{
	(void)state;
	/* Fisher's test on tables with empty rows and columns */
	static const uint64_t t[][4] = {{0, 0, 0, 0}, {0, 5, 0, 7}, {3, 0, 0, 0}, {0, 0, 4, 4}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const double pv = candor__fisher_exact(t[i][0], t[i][1], t[i][2], t[i][3]);

		assert_true(pv >= 0 && pv <= 1 + 1e-9);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_alloc_fails),
		cmocka_unit_test(test_edges),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
