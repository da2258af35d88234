/*
 * explainer_windows.c - a program built against the installed libcandor
 * through pkg-config (tools/check-install.sh runs it under AddressSanitizer
 * with leak detection): it loads a model and a data file, makes a
 * background, builds an explainer, explains three windows of rows, checks
 * that they equal one run over the same rows bit for bit, and frees
 * everything. Usage: explainer_windows DATA.csv MODEL [kernel|interventional]
 * (default: the library's auto method). Exit 0 when all is well.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <candor/candor.h>

static int fail(const char *what)
{
	const candor_error *e = candor_last_error();

	fprintf(stderr, "explainer_windows: %s: %s\n", what, e->message);
	return 1;
}

int main(int argc, char **argv)
{
	candor_table *t = NULL;
	candor_model *model = NULL;
	candor_background *bg = NULL;
	candor_explainer *ex = NULL;
	candor_explanation *whole = NULL;
	candor_explainer_options o = CANDOR_EXPLAINER_OPTIONS_INIT;
	size_t *cols = NULL, n, m, rows = 45;
	double *x = NULL;
	uint64_t ids[45];
	int rc = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: explainer_windows DATA.csv MODEL [kernel|interventional]\n");
		return 2;
	}
	if (candor_csv_read(&t, argv[1], NULL) != CANDOR_OK)
		return fail(argv[1]);
	if (candor_model_load(&model, argv[2]) != CANDOR_OK) {
		candor_table_free(t);
		return fail(argv[2]);
	}
	m = candor_model_nfeatures(model);
	n = candor_table_nrows(t);
	cols = malloc(m * sizeof(*cols));
	x = malloc(n * m * sizeof(*x));
	if (!cols || !x || n < rows || candor_model_bind(model, t, cols) != CANDOR_OK ||
	    candor_table_matrix(x, t, cols, m) != CANDOR_OK) {
		fail("the feature matrix");
		goto out;
	}
	if (argc > 3 && strcmp(argv[3], "kernel") == 0) {
		o.method = CANDOR_METHOD_KERNEL;
		o.nsamples = 100;
	} else if (argc > 3 && strcmp(argv[3], "interventional") == 0) {
		o.method = CANDOR_METHOD_TREE;
		o.tree_mode = CANDOR_TREE_INTERVENTIONAL;
	}
	if (candor_background_sample(&bg, x, n, m, 25, 3) != CANDOR_OK) {
		fail("background");
		goto out;
	}
	if (candor_explainer_new(&ex, model, bg, &o) != CANDOR_OK) {
		fail("explainer_new");
		goto out;
	}
	candor_background_free(bg); /* the explainer keeps its own copy */
	bg = NULL;
	for (size_t i = 0; i < rows; i++)
		ids[i] = 500 + i;
	if (candor_explainer_run_ids(&whole, ex, x, rows, ids) != CANDOR_OK) {
		fail("run");
		goto out;
	}
	for (size_t w = 0; w < 3; w++) {
		const size_t lo = w * rows / 3, hi = (w + 1) * rows / 3;
		const size_t k = candor_explanation_noutputs(whole);
		candor_explanation *e = NULL;

		if (candor_explainer_run_ids(&e, ex, x + lo * m, hi - lo, ids + lo) != CANDOR_OK) {
			fail("window");
			goto out;
		}
		if (memcmp(candor_explanation_values(e), candor_explanation_values(whole) + lo * k * m,
		           (hi - lo) * k * m * sizeof(double)) != 0 ||
		    memcmp(candor_explanation_base(e), candor_explanation_base(whole) + lo * k,
		           (hi - lo) * k * sizeof(double)) != 0) {
			fprintf(stderr, "explainer_windows: window %zu differs from the whole run\n", w);
			candor_explanation_free(e);
			goto out;
		}
		candor_explanation_free(e);
	}
	printf("explainer_windows: %s, method %d, 3 windows = 1 run\n", argv[2],
	       (int)candor_explainer_method(ex));
	rc = 0;
out:
	candor_explanation_free(whole);
	candor_explainer_free(ex);
	candor_background_free(bg);
	candor_model_free(model);
	candor_table_free(t);
	free(cols);
	free(x);
	return rc;
}
