/* plugin_fixture.c - a model plugin for tests/models: f(x) = 2 x0 - x1 + 0.5,
 * K = 1, values; predict fails (returns 1 with a reason) when x0 is NaN. */
#include <math.h>

#include "candor/plugin.h"

static const char *const names[] = { "a", "b" };

static int predict(void *state, const double *x, size_t n, double *out)
{
	candor_plugin *p = state;

	for (size_t i = 0; i < n; i++) {
		if (isnan(x[2 * i])) {
			const char msg[] = "feature a is missing";

			for (size_t c = 0; c < sizeof(msg); c++)
				p->error[c] = msg[c];
			return 1;
		}
		out[i] = 2 * x[2 * i] - x[2 * i + 1] + 0.5;
	}
	return 0;
}

CANDOR_PLUGIN_EXPORT int candor_plugin_init(candor_plugin *p, unsigned int abi);
CANDOR_PLUGIN_EXPORT int candor_plugin_init(candor_plugin *p, unsigned int abi)
{
	if (abi < CANDOR_PLUGIN_ABI_VERSION)
		return 1;
	p->abi_version = CANDOR_PLUGIN_ABI_VERSION;
	p->nfeatures = 2;
	p->features = names;
	p->noutputs = 1;
	p->output_kind = 3;
	p->reentrant = 1;
	p->state = p;
	p->predict = predict;
	return 0;
}
