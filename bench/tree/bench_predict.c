/*
 * bench_predict.c - time candor_model_predict() of a tree model on many rows.
 *
 * usage: bench_predict MODEL DATA.csv ROWS THREADS REPS [OUT.bin]
 *
 * Loads the model and the rows of DATA.csv (columns bound by the model's
 * feature names), repeats them to ROWS rows, runs one untimed warm-up
 * prediction, then REPS timed ones (wall clock, the call alone), and prints
 * "seconds_median seconds_min rows". THREADS goes to candor_model_set_threads.
 * OUT.bin receives the predictions as raw doubles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "candor/candor.h"
#include "bench_util.h"

static int die(const char *what)
{
	const candor_error *e = candor_last_error();
	fprintf(stderr, "bench_predict: %s: %s:%llu:%llu: %s\n", what, e->path,
	        (unsigned long long)e->line, (unsigned long long)e->column, e->message);
	return 2;
}

int main(int argc, char **argv)
{
	candor_model *m = NULL;
	candor_table *t = NULL;
	if (argc < 6) {
		fprintf(stderr, "usage: bench_predict MODEL DATA ROWS THREADS REPS [OUT.bin]\n");
		return 2;
	}
	const size_t rows = strtoull(argv[3], NULL, 10);
	const int threads = atoi(argv[4]), reps = atoi(argv[5]);
	if (candor_model_load(&m, argv[1]))
		return die("model");
	if (candor_model_set_threads(m, threads))
		return die("threads");
	if (candor_table_read(&t, argv[2], NULL))
		return die("data");
	const size_t M = candor_model_nfeatures(m), K = candor_model_noutputs(m);
	const size_t n = candor_table_nrows(t);
	size_t *cols = malloc(M * sizeof *cols);
	double *x0 = malloc(n * M * sizeof *x0), *x = malloc(rows * M * sizeof *x);
	double *out = malloc(rows * K * sizeof *out), *secs = malloc((size_t)(reps + 1) * sizeof *secs);
	if (!n || !cols || !x0 || !x || !out || !secs)
		return 3;
	if (candor_model_bind(m, t, cols) || candor_table_matrix(x0, t, cols, M))
		return die("bind");
	for (size_t i = 0; i < rows; i++)
		memcpy(x + i * M, x0 + (i % n) * M, M * sizeof *x);
	for (int r = 0; r <= reps; r++) {
		const double t0 = bench_now();
		if (candor_model_predict(m, x, rows, out))
			return die("predict");
		secs[r] = bench_now() - t0; /* secs[0] is the warm-up */
	}
	qsort(secs + 1, (size_t)reps, sizeof *secs, bench_cmp);
	printf("%.6f %.6f %zu\n",
	       bench_median(secs + 1, (size_t)reps), secs[1], rows);
	if (argc > 6) {
		FILE *f = fopen(argv[6], "wb");
		if (!f || fwrite(out, sizeof *out, rows * K, f) != rows * K || fclose(f))
			return 3;
	}
	free(cols);
	free(x0);
	free(x);
	free(out);
	free(secs);
	candor_table_free(t);
	candor_model_free(m);
	return 0;
}
