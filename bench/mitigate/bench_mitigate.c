/*
 * bench_mitigate.c - time candor_mitigate_rule_fit() on generated rows.
 *
 * usage: bench_mitigate ROWS GROUPS RUNS
 * Rows: group g = row mod GROUPS (so every group has ROWS / GROUPS rows),
 * label ~ Bernoulli(0.3 + 0.4 g / GROUPS), score = logistic(1.2 label +
 * 0.3 g / GROUPS + normal noise), continuous, so nearly every score is
 * distinct (the hardest case for the hulls). Everything is generated from
 * splitmix64 streams, so the input is the same on every machine.
 * Prints one line per constraint: name rows groups median_wall_seconds
 * median_cpu_seconds hull_vertices (summed over the groups). The fit is
 * single-threaded, so CPU seconds are what one core needs, whatever else
 * the machine is running.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "candor/mitigate.h"

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static double unif(uint64_t a, uint64_t b)
{
	return ((double)(mix64(mix64(a) ^ b) >> 11) + 0.5) * 0x1.0p-53;
}

static double now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	const size_t G = argc > 2 ? strtoull(argv[2], NULL, 10) : 10;
	const int runs = argc > 3 ? atoi(argv[3]) : 5;
	uint8_t *label = malloc(n);
	double *score = malloc(n * sizeof(double)), *t = malloc((size_t)runs * sizeof(double));
	double *u = malloc((size_t)runs * sizeof(double));
	int32_t *group = malloc(n * sizeof(int32_t));
	const candor_mitigate_constraint cs[] = {CANDOR_MITIGATE_DEMOGRAPHIC_PARITY,
	                                         CANDOR_MITIGATE_EQUALIZED_ODDS,
	                                         CANDOR_MITIGATE_EQUAL_OPPORTUNITY};

	if (!label || !score || !group || !t || !u || G == 0 || runs < 1)
		return 2;
	for (size_t i = 0; i < n; i++) {
		const double g = (double)(i % G) / (double)G;
		const double u1 = unif(i, 1), u2 = unif(i, 2), u3 = unif(i, 3);
		const double z = sqrt(-2.0 * log(u2)) * cos(2.0 * M_PI * u3);

		group[i] = (int32_t)(i % G);
		label[i] = u1 < 0.3 + 0.4 * g;
		score[i] = 1.0 / (1.0 + exp(-(1.2 * label[i] + 0.3 * g + z)));
	}
	for (size_t c = 0; c < sizeof(cs) / sizeof(cs[0]); c++) {
		candor_mitigate_options o = CANDOR_MITIGATE_OPTIONS_INIT;
		candor_mitigate_rows rows = {n, label, score, group};
		size_t hv = 0;

		o.constraint = cs[c];
		for (int r = 0; r < runs; r++) {
			candor_mitigate_rule *rule = NULL;
			const double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);

			if (candor_mitigate_rule_fit(&rule, &rows, G, NULL, NULL, &o) != CANDOR_OK) {
				fprintf(stderr, "bench_mitigate: %s\n", candor_last_error()->message);
				return 1;
			}
			t[r] = now(CLOCK_MONOTONIC) - t0;
			u[r] = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
			hv = 0;
			for (size_t g = 0; g < G; g++)
				hv += candor_mitigate_rule_view(rule)->groups[g].hull_vertices;
			candor_mitigate_rule_free(rule);
		}
		qsort(t, (size_t)runs, sizeof(*t), cmp);
		qsort(u, (size_t)runs, sizeof(*u), cmp);
		printf("%s %zu %zu %.4f %.4f %zu\n", candor_mitigate_constraint_name(cs[c]), n, G,
		       t[runs / 2], u[runs / 2], hv);
	}
	free(label);
	free(score);
	free(group);
	free(t);
	free(u);
	return 0;
}
