/*
 * audit_plugin.c - a model plugin for tests/report/test_audit_models.py: a
 * credit classifier that is not linear in its inputs, so that
 * candor_audit_run() explains it with KernelSHAP (its fallback for models
 * that are neither linear/logistic nor XGBoost). Probability output:
 *
 *   z = -1.2 + 0.9 tanh((income_k - 60) / 25) + 2.2 (credit_score - 650) / 100 * (1 - debt_ratio)
 *       - 0.6 [loan_amount_k > 30] + 0.02 (age - 40) * (debt_ratio < 0.35 ? 1 : -0.5)
 *   p = 1 / (1 + exp(-z))
 *
 * zip_score is a model input that the formula ignores: its Shapley value is
 * 0 (the dummy axiom), which the test checks. The test recomputes p in
 * Python from the data as an independent oracle of the audit's predictions.
 */
#include <math.h>

#include "candor/plugin.h"

static const char *const names[] = {"age", "income_k", "credit_score", "debt_ratio",
                                    "loan_amount_k", "zip_score"};

static int predict(void *state, const double *x, size_t n, double *out)
{
	(void)state;
	for (size_t i = 0; i < n; i++) {
		const double *r = x + 6 * i;
		const double age = r[0], inc = r[1], cs = r[2], dr = r[3], loan = r[4];
		const double z = -1.2 + 0.9 * tanh((inc - 60) / 25) + 2.2 * (cs - 650) / 100 * (1 - dr) -
		                 0.6 * (loan > 30) + 0.02 * (age - 40) * (dr < 0.35 ? 1 : -0.5);

		out[i] = 1 / (1 + exp(-z));
	}
	return 0;
}

CANDOR_PLUGIN_EXPORT int candor_plugin_init(candor_plugin *p, unsigned int abi);
CANDOR_PLUGIN_EXPORT int candor_plugin_init(candor_plugin *p, unsigned int abi)
{
	if (abi < CANDOR_PLUGIN_ABI_VERSION)
		return 1;
	p->abi_version = CANDOR_PLUGIN_ABI_VERSION;
	p->nfeatures = 6;
	p->features = names;
	p->noutputs = 1;
	p->output_kind = 2; /* probability */
	p->reentrant = 1;
	p->predict = predict;
	return 0;
}
