/*
 * test_abi.c - the ABI habits, through the shared library as a host sees it:
 * the version agrees with meson's, every options struct's INIT macro and
 * candor_X_options_init() give the same bytes (zero but the version), an
 * older version fills only its own prefix, an unknown one is refused, and a
 * threshold of 0 given through threshold_set is used (not read as "0.5").
 *
 * Oracles: meson.project_version() (passed as MESON_VERSION); static INIT
 * objects (padding zero by C11 6.7.9p10); selection rates counted by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <candor/candor.h>

static void test_version(void **state)
{
	int major, minor, patch;

	(void)state;
	assert_string_equal(candor_version(), MESON_VERSION);
	assert_string_equal(CANDOR_VERSION, MESON_VERSION);
	assert_int_equal(sscanf(MESON_VERSION, "%d.%d.%d", &major, &minor, &patch), 3);
	assert_int_equal(CANDOR_VERSION_MAJOR, major);
	assert_int_equal(CANDOR_VERSION_MINOR, minor);
	assert_int_equal(CANDOR_VERSION_PATCH, patch);
	assert_int_equal(candor_version_number(), CANDOR_VERSION_NUMBER);
	assert_int_equal(CANDOR_VERSION_NUMBER, major * 10000 + minor * 100 + patch);
}

/* init(buf, v) on a buffer of 0xA5 bytes must give `want` over `size` bytes
 * and leave the rest alone. */
#define CHECK_INIT(type, fn, init_macro, version_macro)                                   \
	do {                                                                                  \
		static const type want = init_macro;                                              \
		unsigned char buf[sizeof(type) + 16];                                             \
		memset(buf, 0xA5, sizeof(buf));                                                   \
		assert_int_equal(fn((type *)(void *)buf, version_macro), CANDOR_OK);              \
		assert_memory_equal(buf, &want, sizeof(type));                                    \
		for (size_t b_ = sizeof(type); b_ < sizeof(buf); b_++)                            \
			assert_int_equal(buf[b_], 0xA5);                                              \
		assert_int_equal(want.version, version_macro);                                    \
		assert_int_equal(fn((type *)(void *)buf, version_macro + 1), CANDOR_EINVAL);     \
		assert_non_null(strstr(candor_last_error()->message, #type));                     \
		assert_int_equal(fn((type *)(void *)buf, 0), CANDOR_EINVAL);                      \
		assert_int_equal(fn(NULL, version_macro), CANDOR_EINVAL);                         \
	} while (0)

/* Version 1 of a struct that grew: only its prefix is written. */
#define CHECK_OLD(type, fn, first_new_field)                                              \
	do {                                                                                  \
		unsigned char buf[sizeof(type)];                                                  \
		const size_t pre = offsetof(type, first_new_field);                              \
		memset(buf, 0xA5, sizeof(buf));                                                   \
		assert_int_equal(fn((type *)(void *)buf, 1), CANDOR_OK);                          \
		assert_int_equal(((type *)(void *)buf)->version, 1);                              \
		for (size_t b_ = sizeof(unsigned int); b_ < pre; b_++)                            \
			assert_int_equal(buf[b_], 0);                                                 \
		for (size_t b_ = pre; b_ < sizeof(buf); b_++)                                     \
			assert_int_equal(buf[b_], 0xA5);                                              \
	} while (0)

static void test_options_init(void **state)
{
	(void)state;
	CHECK_INIT(candor_csv_options, candor_csv_options_init, CANDOR_CSV_OPTIONS_INIT,
	           CANDOR_CSV_OPTIONS_VERSION);
	CHECK_INIT(candor_model_cmd_options, candor_model_cmd_options_init,
	           CANDOR_MODEL_CMD_OPTIONS_INIT, CANDOR_MODEL_CMD_OPTIONS_VERSION);
	CHECK_INIT(candor_chart_options, candor_chart_options_init, CANDOR_CHART_OPTIONS_INIT,
	           CANDOR_CHART_OPTIONS_VERSION);
	CHECK_INIT(candor_fairness_columns, candor_fairness_columns_init,
	           CANDOR_FAIRNESS_COLUMNS_INIT, CANDOR_FAIRNESS_COLUMNS_VERSION);
	CHECK_INIT(candor_fairness_options, candor_fairness_options_init,
	           CANDOR_FAIRNESS_OPTIONS_INIT, CANDOR_FAIRNESS_OPTIONS_VERSION);
	CHECK_INIT(candor_mitigate_options, candor_mitigate_options_init,
	           CANDOR_MITIGATE_OPTIONS_INIT, CANDOR_MITIGATE_OPTIONS_VERSION);
	CHECK_INIT(candor_mitigate_columns, candor_mitigate_columns_init,
	           CANDOR_MITIGATE_COLUMNS_INIT, CANDOR_MITIGATE_COLUMNS_VERSION);
	CHECK_INIT(candor_explain_options, candor_explain_options_init,
	           CANDOR_EXPLAIN_OPTIONS_INIT, CANDOR_EXPLAIN_OPTIONS_VERSION);
	CHECK_INIT(candor_explainer_options, candor_explainer_options_init,
	           CANDOR_EXPLAINER_OPTIONS_INIT, CANDOR_EXPLAINER_OPTIONS_VERSION);
	CHECK_INIT(candor_treeshap_options, candor_treeshap_options_init,
	           CANDOR_TREESHAP_OPTIONS_INIT, CANDOR_TREESHAP_OPTIONS_VERSION);
	CHECK_INIT(candor_audit_options, candor_audit_options_init, CANDOR_AUDIT_OPTIONS_INIT,
	           CANDOR_AUDIT_OPTIONS_VERSION);
	CHECK_OLD(candor_csv_options, candor_csv_options_init, missing_tokens);
	CHECK_OLD(candor_fairness_columns, candor_fairness_columns_init, pred_favorable);
	CHECK_OLD(candor_fairness_options, candor_fairness_options_init, p_adjust);
	CHECK_OLD(candor_mitigate_options, candor_mitigate_options_init, threshold_set);
}

/* Eight rows: scores -0.75 .. 1.0 in two groups. Decisions score >= 0 select
 * 5 rows (0, .25, .5, .75, 1); score >= 0.5 select 3. */
static const char rows8[] = "y,s,grp\n"
                            "0,-0.75,a\n1,-0.5,b\n0,-0.25,a\n0,0,b\n"
                            "0,0.25,a\n1,0.5,b\n1,0.75,a\n1,1,b\n";

static double before_selection(const candor_table *t, const candor_mitigate_options *o,
                               candor_status *st)
{
	const char *sens[] = {"grp"};
	candor_mitigate_columns cols = CANDOR_MITIGATE_COLUMNS_INIT;
	candor_mitigate_result *res = NULL;
	double sr = -1;

	cols.label = "y";
	cols.score = "s";
	cols.sensitive = sens;
	cols.nsensitive = 1;
	*st = candor_mitigate_run(&res, t, NULL, &cols, o);
	if (*st != CANDOR_OK)
		print_message("mitigate: %s\n", candor_last_error()->message);
	if (*st == CANDOR_OK) {
		const candor_fairness_view *v =
			candor_fairness_result_view(candor_mitigate_result_view(res)->fit.before);
		assert_true(v->overall->nmetrics >= CANDOR_FM_COUNT);
		sr = v->overall->metrics[CANDOR_FM_SELECTION_RATE].value;
	}
	candor_mitigate_result_free(res);
	return sr;
}

static void test_threshold_zero(void **state)
{
	candor_table *t = NULL;
	candor_mitigate_options o = CANDOR_MITIGATE_OPTIONS_INIT;
	candor_status st;

	(void)state;
	assert_int_equal(candor_csv_read_buffer(&t, rows8, strlen(rows8), NULL), CANDOR_OK);
	/* zero: the default 0.5 */
	assert_float_equal(before_selection(t, &o, &st), 3.0 / 8, 1e-12);
	/* a real threshold of 0 */
	o.threshold_set = true;
	assert_float_equal(before_selection(t, &o, &st), 5.0 / 8, 1e-12);
	/* a threshold without threshold_set could not take effect: refused */
	o.threshold_set = false;
	o.threshold = 0.25;
	before_selection(t, &o, &st);
	assert_int_equal(st, CANDOR_EINVAL);
	assert_non_null(strstr(candor_last_error()->message, "options.threshold_set"));
	/* version 1 callers keep their meaning: 0 is 0.5, 0.25 is 0.25 */
	assert_int_equal(candor_mitigate_options_init(&o, 1), CANDOR_OK);
	assert_float_equal(before_selection(t, &o, &st), 3.0 / 8, 1e-12);
	o.threshold = 0.25;
	assert_float_equal(before_selection(t, &o, &st), 4.0 / 8, 1e-12);
	candor_table_free(t);
}

/* The fairness view's per-group metrics and summaries are pointer + count. */
static void test_fairness_view_counts(void **state)
{
	candor_table *t = NULL;
	candor_fairness_acc *acc = NULL;
	candor_fairness_result *res = NULL;
	candor_fairness_columns cols;
	const char *sens[] = {"grp"};

	(void)state;
	assert_int_equal(candor_csv_read_buffer(&t, rows8, strlen(rows8), NULL), CANDOR_OK);
	assert_int_equal(candor_fairness_columns_init(&cols, CANDOR_FAIRNESS_COLUMNS_VERSION),
	                 CANDOR_OK);
	cols.label = "y";
	cols.score = "s";
	cols.sensitive = sens;
	cols.nsensitive = 1;
	/* scores outside [0, 1] are fine for decisions, but the score metrics
	 * want probabilities: decide by threshold without score metrics */
	cols.score = NULL;
	cols.pred = NULL;
	const double pred[8] = {0, 0, 0, 1, 1, 1, 1, 1};
	cols.pred_values = pred;
	assert_int_equal(candor_fairness_acc_from_table(&acc, t, &cols), CANDOR_OK);
	assert_int_equal(candor_fairness_compute(&res, acc, NULL), CANDOR_OK);
	const candor_fairness_view *v = candor_fairness_result_view(res);
	assert_int_equal(v->overall->nmetrics, CANDOR_FM_COUNT);
	assert_int_equal(v->nattributes, 1);
	assert_int_equal(v->attributes[0].nsummary, CANDOR_FS_COUNT);
	for (size_t g = 0; g < v->ngroups; g++)
		assert_int_equal(v->groups[g].nmetrics, CANDOR_FM_COUNT);
	/* a: rows 0,2,4,6 decided 0,0,1,1; b: rows 1,3,5,7 decided 0,1,1,1 */
	assert_float_equal(v->overall->metrics[CANDOR_FM_SELECTION_RATE].value, 5.0 / 8, 1e-12);
	assert_float_equal(v->attributes[0].summary[CANDOR_FS_DEMOGRAPHIC_PARITY_DIFFERENCE].value,
	                   0.75 - 0.5, 1e-12);
	candor_fairness_result_free(res);
	candor_fairness_acc_free(acc);
	candor_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_options_init),
		cmocka_unit_test(test_threshold_zero),
		cmocka_unit_test(test_fairness_view_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
