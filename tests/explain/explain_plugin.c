/*
 * explain_plugin.c - a model plugin for tests/explain: a credit classifier
 * that is not linear in its inputs (probability output), so that `candor
 * audit` and `candor explain` take their KernelSHAP branch on it:
 *
 *   z = -1.1 + 0.8 tanh((income_k - 55) / 20) + 2 (credit_score - 660) / 100 * (1 - debt_ratio)
 *       - 0.5 [loan_amount_k > 25] + 0.015 (age - 45)
 *   p = 1 / (1 + exp(-z))
 *
 * It also serves the per-model lock test (test_explainer.c): at init it
 * reads CANDOR_TEST_PLUGIN_REENTRANT (0/1, default 1) and
 * CANDOR_TEST_PLUGIN_SLEEP_US (microseconds slept inside every predict
 * call, default 0). The most calls inside predict at one moment, over
 * every model loaded from this file, is read by the test through
 * explain_plugin_max_inside() (dlsym).
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "candor/plugin.h"

static const char *const names[] = {"age", "income_k", "credit_score", "debt_ratio",
                                    "loan_amount_k", "zip_score"};

typedef struct state {
	long sleep_us;
} state;

static atomic_int all_inside, all_max_inside;

static void raise_max(atomic_int *max, int now)
{
	int seen = atomic_load(max);

	while (now > seen && !atomic_compare_exchange_weak(max, &seen, now))
		;
}

static int predict(void *vs, const double *x, size_t n, double *out)
{
	state *s = vs;
	const int all = atomic_fetch_add(&all_inside, 1) + 1;

	raise_max(&all_max_inside, all);
	if (s->sleep_us > 0) {
		struct timespec ts = { s->sleep_us / 1000000, (s->sleep_us % 1000000) * 1000 };

		nanosleep(&ts, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		const double *r = x + 6 * i;
		const double age = r[0], inc = r[1], cs = r[2], dr = r[3], loan = r[4];
		const double z = -1.1 + 0.8 * tanh((inc - 55) / 20) + 2 * (cs - 660) / 100 * (1 - dr) -
		                 0.5 * (loan > 25) + 0.015 * (age - 45);

		out[i] = 1 / (1 + exp(-z));
	}
	atomic_fetch_sub(&all_inside, 1);
	return 0;
}

static void destroy(void *vs)
{
	free(vs);
}

CANDOR_PLUGIN_EXPORT int candor_plugin_init(candor_plugin *p, unsigned int abi);
CANDOR_PLUGIN_EXPORT int candor_plugin_init(candor_plugin *p, unsigned int abi)
{
	const char *re = getenv("CANDOR_TEST_PLUGIN_REENTRANT");
	const char *sl = getenv("CANDOR_TEST_PLUGIN_SLEEP_US");
	state *s;

	if (abi < CANDOR_PLUGIN_ABI_VERSION)
		return 1;
	s = calloc(1, sizeof(*s));
	if (!s)
		return 1;
	s->sleep_us = sl ? atol(sl) : 0;
	p->abi_version = CANDOR_PLUGIN_ABI_VERSION;
	p->nfeatures = 6;
	p->features = names;
	p->noutputs = 1;
	p->output_kind = 2; /* probability */
	p->reentrant = re ? atoi(re) != 0 : 1;
	p->state = s;
	p->predict = predict;
	p->destroy = destroy;
	return 0;
}

/* The most calls that were inside predict at once over every model of
 * this plugin since the last reset (the test uses one or two models). */
CANDOR_PLUGIN_EXPORT int explain_plugin_max_inside(void);
CANDOR_PLUGIN_EXPORT int explain_plugin_max_inside(void)
{
	return atomic_load(&all_max_inside);
}

CANDOR_PLUGIN_EXPORT void explain_plugin_reset(void);
CANDOR_PLUGIN_EXPORT void explain_plugin_reset(void)
{
	atomic_store(&all_max_inside, 0);
}
