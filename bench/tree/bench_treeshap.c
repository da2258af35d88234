/*
 * bench_treeshap.c - time candor_treeshap() on a model and a CSV file.
 *
 * usage: bench_treeshap MODEL.json DATA.csv THREADS REPS [OUT.bin] [--interactions]
 *
 * Loads the model and the rows (columns bound by the model's feature names),
 * runs one untimed warm-up call, then REPS timed calls (wall clock, the call
 * alone: building the per-call tables included, loading excluded), and
 * prints "seconds_median seconds_min rows" on one line. OUT.bin receives the
 * values of the last run as raw little-endian doubles (n x K x (M+1)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "candor/candor.h"
#include "bench_util.h"
#include "candor/treeshap.h"

static int die(const char *what)
{
	const candor_error *e = candor_last_error();
	fprintf(stderr, "bench_treeshap: %s: %s:%llu:%llu: %s\n", what, e->path,
	        (unsigned long long)e->line, (unsigned long long)e->column, e->message);
	return 2;
}

int main(int argc, char **argv)
{
	candor_model *m = NULL;
	candor_table *t = NULL;
	if (argc < 5) {
		fprintf(stderr, "usage: bench_treeshap MODEL DATA THREADS REPS [OUT.bin] [--interactions]\n");
		return 2;
	}
	const int threads = atoi(argv[3]), reps = atoi(argv[4]);
	const char *out = argc > 5 && strcmp(argv[5], "--interactions") ? argv[5] : NULL;
	const int inter = !strcmp(argv[argc - 1], "--interactions");
	if (candor_model_load(&m, argv[1]))
		return die("model");
	if (candor_csv_read(&t, argv[2], NULL))
		return die("data");
	const size_t M = candor_model_nfeatures(m), K = candor_model_noutputs(m);
	const size_t n = candor_table_nrows(t);
	size_t *cols = malloc(M * sizeof *cols);
	double *x = malloc(n * M * sizeof *x);
	const size_t w = inter ? K * (M + 1) * (M + 1) : K * (M + 1);
	double *phi = malloc(n * w * sizeof *phi), *secs = malloc((size_t)(reps + 1) * sizeof *secs);
	if (!cols || !x || !phi || !secs)
		return 3;
	if (candor_model_bind(m, t, cols) || candor_table_matrix(x, t, cols, M))
		return die("bind");
	candor_treeshap_options o = CANDOR_TREESHAP_OPTIONS_INIT;
	o.threads = threads;
	for (int r = 0; r <= reps; r++) {
		const double t0 = bench_now();
		const candor_status st = inter ? candor_treeshap_interactions(m, x, n, phi, &o)
		                               : candor_treeshap(m, x, n, phi, &o);
		if (st)
			return die("treeshap");
		secs[r] = bench_now() - t0; /* secs[0] is the warm-up */
	}
	qsort(secs + 1, (size_t)reps, sizeof *secs, bench_cmp);
	printf("%.6f %.6f %zu\n",
	       bench_median(secs + 1, (size_t)reps), secs[1], n);
	if (out) {
		FILE *f = fopen(out, "wb");
		if (!f || fwrite(phi, sizeof *phi, n * w, f) != n * w || fclose(f))
			return 3;
	}
	free(cols);
	free(x);
	free(phi);
	free(secs);
	candor_table_free(t);
	candor_model_free(m);
	return 0;
}
