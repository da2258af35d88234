/*
 * stats.c - intervals and tests for proportions.
 *
 * - Wilson score interval (Wilson 1927; Agresti & Coull 1998 recommend it
 *   over the Wald interval): centre (x + z^2/2) / (n + z^2), half-width
 *   z sqrt(p(1-p)/n + z^2/(4n^2)) / (1 + z^2/n).
 * - Newcombe's hybrid score interval for p1 - p2 (Newcombe 1998, "Interval
 *   estimation for the difference between independent proportions",
 *   method 10): from the Wilson limits (l1, u1), (l2, u2),
 *   [d - sqrt((p1-l1)^2 + (u2-p2)^2), d + sqrt((u1-p1)^2 + (p2-l2)^2)].
 * - Two-proportion z test with the pooled proportion; p = erfc(|z|/sqrt 2).
 * - Fisher's exact test, two-sided, summing the hypergeometric
 *   probabilities (gsl_ran_hypergeometric_pdf) of every table at most as
 *   likely as the observed one (R's fisher.test rule, with its relative
 *   tolerance 1e-7). Used when an expected cell count is below 5, the usual
 *   rule (Cochran 1954) for when the z approximation is poor.
 */
#include <limits.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "fairness_int.h"

void candor__wilson(double *lo, double *hi, uint64_t x, uint64_t n, double z)
{
	const double nn = (double)n, p = (double)x / nn, z2 = z * z;
	const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
	const double half = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);

	*lo = fmax(0.0, centre - half);
	*hi = fmin(1.0, centre + half);
	if (x == 0)
		*lo = 0.0;
	if (x == n)
		*hi = 1.0;
}

void candor__newcombe(double *lo, double *hi, uint64_t x1, uint64_t n1, uint64_t x2,
                      uint64_t n2, double z)
{
	double l1, u1, l2, u2;
	const double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2, d = p1 - p2;

	candor__wilson(&l1, &u1, x1, n1, z);
	candor__wilson(&l2, &u2, x2, n2, z);
	*lo = d - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
	*hi = d + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
}

/* log P(a) for the table with first cell a, margins: r1 = a + b, c1 = a + c,
 * N. Through lgamma so that any size works (GSL's hypergeometric pdf takes
 * unsigned int); for small tables it equals gsl_ran_hypergeometric_pdf. */
static double log_hyper(uint64_t a, uint64_t r1, uint64_t c1, uint64_t N)
{
	return gsl_sf_lnchoose((unsigned)c1, (unsigned)a) +
	       gsl_sf_lnchoose((unsigned)(N - c1), (unsigned)(r1 - a)) -
	       gsl_sf_lnchoose((unsigned)N, (unsigned)r1);
}

double candor__fisher_exact(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	const uint64_t r1 = a + b, c1 = a + c, N = a + b + c + d;
	const uint64_t lo = r1 + c1 > N ? r1 + c1 - N : 0, hi = r1 < c1 ? r1 : c1;
	double p_obs, p = 0;

	if (N > UINT_MAX)
		return NAN;
	if (N <= 1000) {
		/* GSL's pdf directly: the reference implementation. */
		p_obs = gsl_ran_hypergeometric_pdf((unsigned)a, (unsigned)c1, (unsigned)(N - c1),
		                                   (unsigned)r1);
		for (uint64_t k = lo; k <= hi; k++) {
			double pk = gsl_ran_hypergeometric_pdf((unsigned)k, (unsigned)c1,
			                                       (unsigned)(N - c1), (unsigned)r1);

			if (pk <= p_obs * (1 + 1e-7))
				p += pk;
		}
	} else {
		const double l_obs = log_hyper(a, r1, c1, N);

		for (uint64_t k = lo; k <= hi; k++) {
			double lk = log_hyper(k, r1, c1, N);

			if (lk <= l_obs + log1p(1e-7))
				p += exp(lk);
		}
	}
	return p > 1 ? 1 : p;
}

double candor__prop_test(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                         const char **test, const char **reason)
{
	const uint64_t N = n1 + n2, s = x1 + x2, f = N - s;
	double e_min;

	*test = NULL;
	*reason = NULL;
	if (n1 == 0 || n2 == 0) {
		*reason = "a proportion has no denominator";
		return NAN;
	}
	/* smallest expected count: (smallest row margin)(smallest column margin)/N */
	e_min = (double)(n1 < n2 ? n1 : n2) * (double)(s < f ? s : f) / (double)N;
	if (e_min < 5 && N <= UINT_MAX) {
		*test = "fisher";
		return candor__fisher_exact(x1, n1 - x1, x2, n2 - x2);
	}
	*test = "z";
	{
		const double p = (double)s / (double)N;
		const double se = sqrt(p * (1 - p) * (1.0 / (double)n1 + 1.0 / (double)n2));
		const double d = (double)x1 / (double)n1 - (double)x2 / (double)n2;

		if (se == 0)
			return 1.0; /* both proportions 0 or both 1: identical */
		return erfc(fabs(d / se) / M_SQRT2);
	}
}
