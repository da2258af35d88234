/*
 * ubjson_fuzz.c - libFuzzer target for the UBJSON reader (core/ubjson.c)
 * and, through the model loader, XGBoost's .ubj models: any input gives a
 * tree or an error, never a crash, a hang or a leak. A tree that is read
 * also has an error reported at its last value, which reads the input
 * again in find mode (candor__ubjson_find).
 */
#include <math.h>
#include <stdlib.h>

#include "candor/models.h"
#include "core/json_int.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	candor__json doc;
	candor_model *m = NULL;
	const candor__json_limits lim = { .nonfinite = true };

	if (candor__ubjson_read(&doc, (const char *)data, size, "fuzz.ubj", &lim) == CANDOR_OK) {
		json_object *v = doc.root;
		/* the last value of the last container, depth first */
		for (int k = 0; k < 300 && v; k++) {
			if (json_object_is_type(v, json_type_array) && json_object_array_length(v))
				v = json_object_array_get_idx(v, json_object_array_length(v) - 1);
			else
				break;
		}
		(void)candor__json_error(&doc, v, CANDOR_EPARSE, "fuzz");
		candor__json_done(&doc);
	}
	if (candor__ubjson_detect((const char *)data, size) &&
	    candor_model_load_buffer(&m, (const char *)data, size, "fuzz.ubj") == CANDOR_OK) {
		const size_t nf = candor_model_nfeatures(m), k = candor_model_noutputs(m);
		if (nf <= 4096 && k <= 4096) {
			double *x = malloc(2 * (nf ? nf : 1) * sizeof(double));
			double *out = malloc(2 * (k ? k : 1) * sizeof(double));
			if (x && out) {
				for (size_t j = 0; j < nf; j++) {
					x[j] = (double)j;
					x[nf + j] = NAN;
				}
				(void)candor_model_predict(m, x, 2, out);
			}
			free(x);
			free(out);
		}
	}
	candor_model_free(m);
	return 0;
}
