/*
 * bench_windows.c - one explainer handle over windows against one run
 * (bench/explainer_windows.sh). usage:
 *   bench_windows MODEL DATA.csv METHOD NSAMPLES NBG ROWS WINDOWS THREADS RUNS
 * METHOD: tree (path-dependent TreeSHAP), kernel or lime. Each run times
 * (a) candor_explainer_new + one run over ROWS rows + free, and (b)
 * candor_explainer_new + WINDOWS runs over ROWS / WINDOWS rows each (the
 * same rows and ids) + free, and prints "A B" in seconds, one line per run,
 * after a warm-up of each. It also checks once that (b) equals (a) bit for
 * bit, exit 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "candor/candor.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_windows: %s: %s\n", what, candor_last_error()->message);
	exit(2);
}

/* One explainer, `nwin` runs; the values of all rows into `vals` (rows x M). */
static double timed(candor_model *model, const candor_background *bg,
                    const candor_explainer_options *o, const double *x, const uint64_t *ids,
                    size_t rows, size_t m, size_t nwin, double *vals)
{
	const double t0 = now_s();
	candor_explainer *ex = NULL;

	if (candor_explainer_new(&ex, model, bg, o) != CANDOR_OK)
		die("explainer_new");
	for (size_t w = 0; w < nwin; w++) {
		const size_t lo = w * rows / nwin, hi = (w + 1) * rows / nwin;
		candor_explanation *e = NULL;

		if (candor_explainer_run_ids(&e, ex, x + lo * m, hi - lo, ids + lo) != CANDOR_OK)
			die("run");
		if (vals)
			memcpy(vals + lo * m, candor_explanation_values(e), (hi - lo) * m * sizeof(double));
		candor_explanation_free(e);
	}
	candor_explainer_free(ex);
	return now_s() - t0;
}

int main(int argc, char **argv)
{
	candor_table *t = NULL;
	candor_model *model = NULL;
	candor_background *bg = NULL;
	candor_explainer_options o = CANDOR_EXPLAINER_OPTIONS_INIT;
	size_t m, n, rows, nwin, nbg, cols[256];
	int runs;
	double *x, *va, *vb;
	uint64_t *ids;

	if (argc != 10) {
		fprintf(stderr, "usage: bench_windows MODEL DATA.csv tree|kernel|lime NSAMPLES NBG ROWS "
		                "WINDOWS THREADS RUNS\n");
		return 2;
	}
	if (candor_model_load(&model, argv[1]) != CANDOR_OK)
		die(argv[1]);
	if (candor_csv_read(&t, argv[2], NULL) != CANDOR_OK)
		die(argv[2]);
	m = candor_model_nfeatures(model);
	n = candor_table_nrows(t);
	rows = strtoul(argv[6], NULL, 10);
	nwin = strtoul(argv[7], NULL, 10);
	nbg = strtoul(argv[5], NULL, 10);
	runs = atoi(argv[9]);
	if (m > 256 || rows > n || nwin == 0)
		die("sizes");
	x = malloc(n * m * sizeof(double));
	va = malloc(rows * m * sizeof(double));
	vb = malloc(rows * m * sizeof(double));
	ids = malloc(rows * sizeof(uint64_t));
	if (!x || !va || !vb || !ids || candor_model_bind(model, t, cols) != CANDOR_OK ||
	    candor_table_matrix(x, t, cols, m) != CANDOR_OK)
		die("the feature matrix");
	for (size_t i = 0; i < rows; i++)
		ids[i] = i;
	if (strcmp(argv[3], "tree") == 0) {
		o.method = CANDOR_METHOD_TREE;
		o.tree_mode = CANDOR_TREE_PATH_DEPENDENT;
	} else {
		o.method = strcmp(argv[3], "lime") == 0 ? CANDOR_METHOD_LIME : CANDOR_METHOD_KERNEL;
		o.nsamples = strtoul(argv[4], NULL, 10);
	}
	o.threads = atoi(argv[8]);
	/* LIME's background is its training data: all rows; kernel: a sample;
	 * path-dependent TreeSHAP: none */
	if (o.method != CANDOR_METHOD_TREE &&
	    candor_background_sample(&bg, x, n, m, o.method == CANDOR_METHOD_LIME ? n : nbg, 1) !=
	            CANDOR_OK)
		die("background");
	timed(model, bg, &o, x, ids, rows, m, 1, va);
	timed(model, bg, &o, x, ids, rows, m, nwin, vb);
	if (memcmp(va, vb, rows * m * sizeof(double)) != 0) {
		fprintf(stderr, "bench_windows: the windows differ from the one run\n");
		return 1;
	}
	for (int r = 0; r < runs; r++) {
		const double a = timed(model, bg, &o, x, ids, rows, m, 1, NULL);
		const double b = timed(model, bg, &o, x, ids, rows, m, nwin, NULL);

		printf("%.6f %.6f\n", a, b);
		fflush(stdout);
	}
	candor_background_free(bg);
	candor_model_free(model);
	candor_table_free(t);
	free(x);
	free(va);
	free(vb);
	free(ids);
	return 0;
}
