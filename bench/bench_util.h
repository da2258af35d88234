/*
 * bench_util.h - what every bench program needs: a monotonic clock, a
 * comparison for qsort of doubles, and the median of sorted seconds.
 */
#ifndef CANDOR_BENCH_UTIL_H
#define CANDOR_BENCH_UTIL_H

#include <stddef.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int bench_cmp(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median of n sorted values. */
static inline double bench_median(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
