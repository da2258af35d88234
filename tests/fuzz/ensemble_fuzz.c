/*
 * ensemble_fuzz.c - libFuzzer target for candor's tree-ensemble JSON reader
 * (models/ensemble.c, the files tools/candor-export-sklearn writes): any
 * input gives a model or an error, never a crash, a hang or a leak. A model
 * that loads must predict and be explained by TreeSHAP (path-dependent and
 * interventional) on a few rows, including missing values, negative,
 * fractional and out-of-range categories and values beyond float32, since
 * a malformed tree or bitset could otherwise loop or read out of bounds.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "candor/models.h"
#include "candor/treeshap.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	candor_model *m = NULL;

	if (candor_model_load_buffer(&m, (const char *)data, size, "fuzz.json") == CANDOR_OK) {
		const size_t nf = candor_model_nfeatures(m), k = candor_model_noutputs(m);

		if (nf <= 256 && k <= 16) {
			enum { ROWS = 5 };
			double *x = malloc(ROWS * nf * sizeof(double));
			double *out = malloc(ROWS * k * (nf + 1) * sizeof(double));

			if (x && out) {
				for (size_t j = 0; j < nf; j++) {
					x[j] = 0.5 * (double)j - 1.0;
					x[nf + j] = NAN;
					x[2 * nf + j] = j % 3 ? 2.5 : 255.0;
					x[3 * nf + j] = j % 2 ? 1e300 : -0.5;
					x[4 * nf + j] = j % 2 ? 300.0 : -1e300;
				}
				candor_treeshap_options o = CANDOR_TREESHAP_OPTIONS_INIT;
				o.threads = 1;
				(void)candor_model_predict(m, x, 3, out);
				(void)candor_model_predict(m, x, ROWS, out);
				(void)candor_treeshap(m, x, ROWS, out, &o);
				(void)candor_treeshap_interventional(m, x, 3, x + 3 * nf, 2, out, &o);
			}
			free(x);
			free(out);
		}
	}
	candor_model_free(m);
	return 0;
}
