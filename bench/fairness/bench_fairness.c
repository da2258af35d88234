/*
 * bench_fairness.c - throughput of the fairness accumulator plus the result
 * (every count metric with Wilson intervals, disparities with p-values,
 * summaries) over in-memory arrays.
 *
 * usage: bench_fairness ROWS RUNS THREADS [scores]
 * Two cases: one attribute with 4 groups; two attributes (2 x 4 levels)
 * with --intersect. Rows are generated once (not timed); each run times
 * candor_fairness_acc_new + add (THREADS = 1: candor_fairness_acc_add,
 * else _add_parallel) + compute + result free. Prints, per case, one line:
 *   CASE ROWS median_seconds rows_per_second (median of RUNS runs)
 * and checks every run's counts against the first, so a fast wrong answer
 * cannot pass.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "candor/fairness.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static const char *sex_l[] = {"female", "male"};
static const char *race_l[] = {"White", "Black", "Hispanic", "Asian"};

static int run_case(const char *name, size_t n, int runs, int threads, bool two, bool scores,
                    const uint8_t *lab, const uint8_t *prd, const int32_t *race,
                    const int32_t *sex, const double *score)
{
	candor_fairness_attribute at2[2] = {{"sex", sex_l, 2}, {"race", race_l, 4}};
	candor_fairness_attribute at1[1] = {{"race", race_l, 4}};
	const int32_t *g2[2] = {sex, race}, *g1[1] = {race};
	double *t = calloc((size_t)runs, sizeof(double));
	uint64_t first_tp = 0;

	for (int r = 0; r < runs; r++) {
		candor_fairness_acc *acc = NULL;
		candor_fairness_result *res = NULL;
		candor_fairness_options o = CANDOR_FAIRNESS_OPTIONS_INIT;
		candor_fairness_rows rows = {n, lab, prd, scores ? score : NULL, two ? g2 : g1};
		double t0 = now();
		candor_status st;

		o.intersect = two;
		o.threads = threads;
		st = candor_fairness_acc_new(&acc, two ? at2 : at1, two ? 2 : 1, scores);
		if (st == CANDOR_OK)
			st = threads == 1 ? candor_fairness_acc_add(acc, &rows)
			                  : candor_fairness_acc_add_parallel(acc, &rows, threads);
		if (st == CANDOR_OK)
			st = candor_fairness_compute(&res, acc, &o);
		if (st != CANDOR_OK) {
			fprintf(stderr, "bench_fairness: %s\n", candor_last_error()->message);
			return 1;
		}
		if (r == 0)
			first_tp = candor_fairness_result_view(res)->overall->tp;
		else if (candor_fairness_result_view(res)->overall->tp != first_tp) {
			fprintf(stderr, "bench_fairness: counts differ between runs\n");
			return 1;
		}
		candor_fairness_result_free(res);
		candor_fairness_acc_free(acc);
		t[r] = now() - t0;
	}
	qsort(t, (size_t)runs, sizeof(double), cmp);
	{
		double med = runs % 2 ? t[runs / 2] : 0.5 * (t[runs / 2 - 1] + t[runs / 2]);

		printf("%s %zu %.6f %.0f\n", name, n, med, (double)n / med);
	}
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	size_t n;
	int runs, threads, rc = 0;
	bool scores;
	uint8_t *lab, *prd;
	int32_t *race, *sex;
	double *score;
	uint64_t s = 20261127;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_fairness ROWS RUNS THREADS [scores]\n");
		return 2;
	}
	n = strtoull(argv[1], NULL, 10);
	runs = atoi(argv[2]);
	threads = atoi(argv[3]);
	scores = argc > 4 && strcmp(argv[4], "scores") == 0;
	if (n == 0 || runs < 1 || threads < 1)
		return 2;
	lab = malloc(n);
	prd = malloc(n);
	race = malloc(n * sizeof(*race));
	sex = malloc(n * sizeof(*sex));
	score = malloc(n * sizeof(*score));
	if (!lab || !prd || !race || !sex || !score)
		return 3;
	for (size_t i = 0; i < n; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		race[i] = (int32_t)((s >> 60) % 4 == 3 ? 3 : (s >> 58) % 3);
		sex[i] = (int32_t)((s >> 30) & 1);
		lab[i] = (uint8_t)(((s >> 20) & 0xff) < 180);
		prd[i] = (uint8_t)((int)((s >> 40) & 0xff) < 150 + 40 * lab[i] - 10 * race[i]);
		score[i] = (double)((s >> 8) & 0xfff) / 4096.0;
	}
	rc |= run_case(scores ? "one-attribute-4-groups+scores" : "one-attribute-4-groups", n, runs,
	               threads, false, scores, lab, prd, race, sex, score);
	rc |= run_case(scores ? "intersection-2x4+scores" : "intersection-2x4", n, runs, threads,
	               true, scores, lab, prd, race, sex, score);
	free(lab);
	free(prd);
	free(race);
	free(sex);
	free(score);
	return rc;
}
