/*
 * lightgbm_fuzz.c - libFuzzer target for the LightGBM text reader
 * (models/lightgbm.c): any input, given the "tree" first line the reader is
 * chosen by, gives a model or an error, never a crash, a hang or a leak. A
 * model that loads must predict and be explained by TreeSHAP (path-dependent
 * and interventional) on a few rows, including missing values, zeros,
 * negative and huge categories, since a malformed tree could otherwise
 * loop or read outside its node or bitset arrays.
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
	char *text = malloc(size + 5);

	if (!text)
		return 0;
	/* the reader is chosen by the first line; make every input reach it */
	if (size >= 5 && memcmp(data, "tree\n", 5) == 0) {
		memcpy(text, data, size);
	} else {
		memcpy(text, "tree\n", 5);
		memcpy(text + 5, data, size);
		size += 5;
	}
	if (candor_model_load_buffer(&m, text, size, "fuzz.txt") == CANDOR_OK) {
		const size_t nf = candor_model_nfeatures(m), k = candor_model_noutputs(m);

		if (nf <= 256 && k <= 16) {
			enum { ROWS = 4 };
			double *x = malloc(ROWS * nf * sizeof(double));
			double *out = malloc(ROWS * k * (nf + 1) * sizeof(double));

			if (x && out) {
				for (size_t j = 0; j < nf; j++) {
					x[j] = 0.5 * (double)j - 1.0;
					x[nf + j] = NAN;
					x[2 * nf + j] = 0.0;
					x[3 * nf + j] = j % 2 ? 1e12 : -3.0;
				}
				candor_treeshap_options o = CANDOR_TREESHAP_OPTIONS_INIT;
				o.threads = 1;
				(void)candor_model_predict(m, x, ROWS, out);
				(void)candor_treeshap(m, x, ROWS, out, &o);
				(void)candor_treeshap_interventional(m, x, 2, x + 2 * nf, 2, out, &o);
			}
			free(x);
			free(out);
		}
	}
	candor_model_free(m);
	free(text);
	return 0;
}
