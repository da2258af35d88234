/*
 * model_fuzz.c - libFuzzer target for the model loaders (XGBoost JSON and
 * linear/logistic JSON, chosen by content): any input gives a model or an
 * error, never a crash, a hang or a leak. A model that loads must also
 * predict a few rows (including missing values) without going out of its
 * node arrays, since a malformed tree could otherwise loop or read past
 * its end at prediction time.
 */
#include <math.h>
#include <stdlib.h>

#include "candor/models.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	candor_model *m = NULL;

	if (candor_model_load_buffer(&m, (const char *)data, size, "fuzz.json") == CANDOR_OK) {
		const size_t nf = candor_model_nfeatures(m), k = candor_model_noutputs(m);

		if (nf <= 4096 && k <= 4096) {
			double *x = malloc(3 * (nf ? nf : 1) * sizeof(double));
			double *out = malloc(3 * (k ? k : 1) * sizeof(double));

			if (x && out) {
				for (size_t j = 0; j < nf; j++) {
					x[j] = 0.5 * (double)j - 1.0;
					x[nf + j] = NAN;
					x[2 * nf + j] = 1e6;
				}
				(void)candor_model_predict(m, x, 3, out);
			}
			free(x);
			free(out);
		}
	}
	candor_model_free(m);
	return 0;
}
