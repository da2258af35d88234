/*
 * bench_explain.c - time candor_explain() on a model loaded from a file,
 * with the model's predict wrapped by a stopwatch, so the share of time
 * spent outside predict (building coalition rows, reductions, the
 * regression) can be reported.
 *
 * usage: bench_explain MODEL DATA.csv METHOD NSAMPLES BG ROWS THREADS REPS
 * prints one line per repetition: "seconds_per_row outside_share"
 * (outside_share = 1 - predict time / (threads * wall time)).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "candor/candor.h"
#include "models/models_int.h"

static _Atomic uint64_t predict_ns;

typedef struct timed {
	const candor__model_vtable *vt;
	void *state;
} timed;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static candor_status timed_predict(void *state, const double *x, size_t n, double *out)
{
	timed *t = state;
	uint64_t t0 = now_ns();
	candor_status st = t->vt->predict(t->state, x, n, out);

	atomic_fetch_add(&predict_ns, now_ns() - t0);
	return st;
}

static void timed_free(void *state)
{
	timed *t = state;

	t->vt->free(t->state);
	free(t);
}

static const candor__model_vtable timed_vt = { timed_predict, timed_free };

int main(int argc, char **argv)
{
	static const char *const methods[] = { "exact", "kernel", "permutation", "linear", "lime" };
	candor_model *model = NULL;
	candor_table *t = NULL;
	candor_background *bg = NULL;
	candor_explain_options o = CANDOR_EXPLAIN_OPTIONS_INIT;
	size_t *cols, m, n, rows, reps;
	double *x;
	timed *tm;

	if (argc != 9) {
		fprintf(stderr, "usage: bench_explain MODEL DATA.csv METHOD NSAMPLES BG ROWS THREADS REPS\n");
		return 2;
	}
	if (candor_model_load(&model, argv[1]) || candor_csv_read(&t, argv[2], NULL)) {
		fprintf(stderr, "bench_explain: %s\n", candor_last_error()->message);
		return 2;
	}
	for (int i = 0; i < 5; i++)
		if (strcmp(argv[3], methods[i]) == 0)
			o.method = (candor_explain_method)(i + 1);
	o.nsamples = strtoull(argv[4], NULL, 10);
	rows = strtoull(argv[6], NULL, 10);
	o.threads = atoi(argv[7]);
	reps = strtoull(argv[8], NULL, 10);
	o.link = candor_model_output_kind(model) == CANDOR_OUTPUT_PROBABILITY ? CANDOR_LINK_LOGIT
	                                                                       : CANDOR_LINK_IDENTITY;
	m = candor_model_nfeatures(model);
	n = candor_table_nrows(t);
	cols = malloc(m * sizeof(size_t));
	x = malloc(n * m * sizeof(double));
	if (candor_model_bind(model, t, cols) || candor_table_matrix(x, t, cols, m) ||
	    candor_background_sample(&bg, x, n, m, strtoull(argv[5], NULL, 10), 1)) {
		fprintf(stderr, "bench_explain: %s\n", candor_last_error()->message);
		return 2;
	}
	if (rows > n)
		rows = n;
	/* wrap predict with the stopwatch */
	tm = malloc(sizeof(*tm));
	tm->vt = model->vt;
	tm->state = model->state;
	model->vt = &timed_vt;
	model->state = tm;
	for (size_t r = 0; r < reps; r++) {
		candor_explanation *e = NULL;
		uint64_t t0;
		double wall;

		atomic_store(&predict_ns, 0);
		t0 = now_ns();
		if (candor_explain(&e, model, x, rows, bg, &o)) {
			fprintf(stderr, "bench_explain: %s\n", candor_last_error()->message);
			return 2;
		}
		wall = (double)(now_ns() - t0) * 1e-9;
		printf("%.6g %.4f\n", wall / (double)rows,
		       1.0 - (double)atomic_load(&predict_ns) * 1e-9 / (wall * (o.threads ? o.threads : 1)));
		candor_explanation_free(e);
	}
	candor_background_free(bg);
	candor_model_free(model);
	candor_table_free(t);
	free(cols);
	free(x);
	return 0;
}
