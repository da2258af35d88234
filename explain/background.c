/*
 * background.c - background data for the interventional explainers: a copy
 * of given rows, a random sample, or a weighted k-means summary.
 *
 * The k-means summary follows shap.kmeans (Lundberg & Lee 2017's reference
 * implementation): cluster, snap each centroid coordinate to an observed
 * value, weigh each centroid by its cluster's size. Departures, and why:
 *  - k-means++ seeding (Arthur & Vassilvitskii 2007) from a fixed GSL stream
 *    instead of scikit-learn's, so the summary is the same on every machine;
 *  - distances are measured in units of each feature's (weighted) standard
 *    deviation, so a feature counted in thousands does not decide the
 *    clusters alone (shap clusters raw values);
 *  - centroid coordinates snap to the nearest value seen *in the cluster*
 *    (shap snaps to the whole column), which keeps a categorical code that
 *    the cluster actually holds.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "explain/explain_int.h"

static candor_status bg_alloc(candor_background **out, size_t n, size_t m)
{
	candor_background *bg;

	*out = NULL;
	if (n == 0 || m == 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "a background needs rows and columns");
	bg = candor__calloc(1, sizeof(*bg));
	if (!bg)
		return CANDOR_ENOMEM;
	bg->n = n;
	bg->m = m;
	bg->x = candor__mallocarray(n, m * sizeof(double));
	bg->w = candor__mallocarray(n, sizeof(double));
	if (!bg->x || !bg->w || m > SIZE_MAX / sizeof(double)) {
		candor_background_free(bg);
		return CANDOR_ENOMEM;
	}
	*out = bg;
	return CANDOR_OK;
}

void candor_background_free(candor_background *bg)
{
	if (!bg)
		return;
	candor__free(bg->x);
	candor__free(bg->w);
	candor__free(bg);
}

size_t candor_background_nrows(const candor_background *bg) { return bg->n; }
size_t candor_background_ncols(const candor_background *bg) { return bg->m; }
const double *candor_background_rows(const candor_background *bg) { return bg->x; }
const double *candor_background_weights(const candor_background *bg) { return bg->w; }

/* Normalise weights (NULL: equal); reject negative, non-finite or all-zero. */
static candor_status set_weights(double *dst, const double *w, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++) {
		double v = w ? w[i] : 1.0;

		if (!(v >= 0) || !isfinite(v))
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "background weight %zu is negative or not finite", i);
		dst[i] = v;
		s += v;
	}
	if (!(s > 0))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "the background weights sum to zero");
	for (size_t i = 0; i < n; i++)
		dst[i] /= s;
	return CANDOR_OK;
}

candor_status candor_background_new(candor_background **out, const double *x, size_t n,
                                    size_t m, const double *w)
{
	candor_background *bg;
	candor_status st;

	if (!out || (n && !x))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "background_new: NULL argument");
	st = bg_alloc(&bg, n, m);
	if (st != CANDOR_OK)
		return st;
	memcpy(bg->x, x, n * m * sizeof(double));
	st = set_weights(bg->w, w, n);
	if (st != CANDOR_OK) {
		candor_background_free(bg);
		return st;
	}
	*out = bg;
	return CANDOR_OK;
}

candor_status candor_background_sample(candor_background **out, const double *x, size_t n,
                                       size_t m, size_t k, uint64_t seed)
{
	candor_background *bg;
	candor_status st;
	gsl_rng *rng;
	size_t need = k < n ? k : n, picked = 0;

	if (!out || (n && !x))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "background_sample: NULL argument");
	if (k == 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "a background sample needs k >= 1");
	st = bg_alloc(&bg, need, m);
	if (st != CANDOR_OK)
		return st;
	rng = candor__rng_new();
	if (!rng) {
		candor_background_free(bg);
		return candor__oom();
	}
	gsl_rng_set(rng, (unsigned long)candor__stream_seed(seed, 0, 1));
	/* Selection sampling (Knuth's Algorithm S): keeps the rows' order. */
	for (size_t i = 0; i < n && picked < need; i++) {
		if ((double)(n - i) * gsl_rng_uniform(rng) < (double)(need - picked)) {
			memcpy(bg->x + picked * m, x + i * m, m * sizeof(double));
			picked++;
		}
	}
	gsl_rng_free(rng);
	for (size_t i = 0; i < need; i++)
		bg->w[i] = 1.0 / (double)need;
	*out = bg;
	return CANDOR_OK;
}

static double dist2(const double *a, const double *b, const double *inv_sd, size_t m)
{
	double d = 0;

	for (size_t j = 0; j < m; j++) {
		double t = (a[j] - b[j]) * inv_sd[j];

		d += t * t;
	}
	return d;
}

candor_status candor_background_kmeans(candor_background **out, const double *x, size_t n,
                                       size_t m, const double *w, size_t k, uint64_t seed)
{
	candor_background *bg = NULL;
	double *wt = NULL, *inv_sd = NULL, *cent = NULL, *d2 = NULL, *cw = NULL;
	size_t *assign = NULL, kept = 0;
	gsl_rng *rng = NULL;
	candor_status st;

	if (!out || (n && !x))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "background_kmeans: NULL argument");
	*out = NULL;
	if (k == 0 || n == 0 || m == 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "k-means needs k >= 1 and data");
	for (size_t i = 0; i < n * m; i++)
		if (!isfinite(x[i]))
			return candor__error(CANDOR_EDOMAIN, NULL, 0, 0,
			                     "k-means background: row %zu has a missing or non-finite value",
			                     i / m);
	if (k >= n)
		return candor_background_new(out, x, n, m, w);
	wt = candor__mallocarray(n, sizeof(double));
	inv_sd = candor__mallocarray(m, sizeof(double));
	cent = candor__mallocarray(k, m * sizeof(double));
	d2 = candor__mallocarray(n, sizeof(double));
	cw = candor__mallocarray(k, sizeof(double));
	assign = candor__mallocarray(n, sizeof(size_t));
	rng = candor__rng_new();
	if (!wt || !inv_sd || !cent || !d2 || !cw || !assign || !rng) {
		st = rng ? CANDOR_ENOMEM : candor__oom();
		goto done;
	}
	st = set_weights(wt, w, n);
	if (st != CANDOR_OK)
		goto done;
	gsl_rng_set(rng, (unsigned long)candor__stream_seed(seed, 0, 2));
	for (size_t j = 0; j < m; j++) {
		double mu = 0, var = 0;

		for (size_t i = 0; i < n; i++)
			mu += wt[i] * x[i * m + j];
		for (size_t i = 0; i < n; i++)
			var += wt[i] * (x[i * m + j] - mu) * (x[i * m + j] - mu);
		inv_sd[j] = var > 0 ? 1.0 / sqrt(var) : 0.0;
	}
	/* k-means++ seeding: the first centre by weight, then by weight * D^2. */
	{
		double r = gsl_rng_uniform(rng), acc = 0;
		size_t pick = n - 1;

		for (size_t i = 0; i < n; i++) {
			acc += wt[i];
			if (r < acc) {
				pick = i;
				break;
			}
		}
		memcpy(cent, x + pick * m, m * sizeof(double));
		for (size_t i = 0; i < n; i++)
			d2[i] = dist2(x + i * m, cent, inv_sd, m);
	}
	for (size_t c = 1; c < k; c++) {
		double tot = 0, r, acc = 0;
		size_t pick = n;

		for (size_t i = 0; i < n; i++)
			tot += wt[i] * d2[i];
		if (!(tot > 0))
			break; /* fewer distinct points than k */
		r = gsl_rng_uniform(rng) * tot;
		for (size_t i = 0; i < n; i++) {
			acc += wt[i] * d2[i];
			if (r < acc && wt[i] * d2[i] > 0) {
				pick = i;
				break;
			}
		}
		if (pick == n)
			for (size_t i = n; i-- > 0;)
				if (wt[i] * d2[i] > 0) {
					pick = i;
					break;
				}
		memcpy(cent + c * m, x + pick * m, m * sizeof(double));
		for (size_t i = 0; i < n; i++) {
			double d = dist2(x + i * m, cent + c * m, inv_sd, m);

			if (d < d2[i])
				d2[i] = d;
		}
		kept = c + 1;
	}
	if (kept == 0)
		kept = 1;
	/* Lloyd iterations to a fixed point. */
	for (size_t i = 0; i < n; i++)
		assign[i] = SIZE_MAX;
	for (int iter = 0; iter < 100; iter++) {
		bool changed = false;

		for (size_t i = 0; i < n; i++) {
			size_t best = 0;
			double bd = dist2(x + i * m, cent, inv_sd, m);

			for (size_t c = 1; c < kept; c++) {
				double d = dist2(x + i * m, cent + c * m, inv_sd, m);

				if (d < bd) {
					bd = d;
					best = c;
				}
			}
			if (assign[i] != best) {
				assign[i] = best;
				changed = true;
			}
		}
		if (!changed)
			break;
		for (size_t c = 0; c < kept; c++) {
			cw[c] = 0;
			for (size_t j = 0; j < m; j++)
				cent[c * m + j] = 0;
		}
		for (size_t i = 0; i < n; i++) {
			cw[assign[i]] += wt[i];
			for (size_t j = 0; j < m; j++)
				cent[assign[i] * m + j] += wt[i] * x[i * m + j];
		}
		for (size_t c = 0; c < kept; c++)
			if (cw[c] > 0)
				for (size_t j = 0; j < m; j++)
					cent[c * m + j] /= cw[c];
	}
	/* Snap to observed values within the cluster, weigh by cluster weight. */
	for (size_t c = 0; c < kept; c++) {
		cw[c] = 0;
		for (size_t j = 0; j < m; j++) {
			double best = NAN, bd = INFINITY;

			for (size_t i = 0; i < n; i++) {
				if (assign[i] != c)
					continue;
				if (fabs(x[i * m + j] - cent[c * m + j]) < bd) {
					bd = fabs(x[i * m + j] - cent[c * m + j]);
					best = x[i * m + j];
				}
			}
			cent[c * m + j] = best;
		}
	}
	for (size_t i = 0; i < n; i++)
		cw[assign[i]] += wt[i];
	{
		size_t nonempty = 0;

		for (size_t c = 0; c < kept; c++)
			nonempty += cw[c] > 0;
		st = bg_alloc(&bg, nonempty, m);
		if (st != CANDOR_OK)
			goto done;
		nonempty = 0;
		for (size_t c = 0; c < kept; c++) {
			if (!(cw[c] > 0))
				continue;
			memcpy(bg->x + nonempty * m, cent + c * m, m * sizeof(double));
			bg->w[nonempty++] = cw[c];
		}
		st = set_weights(bg->w, bg->w, nonempty);
	}
done:
	if (rng)
		gsl_rng_free(rng);
	candor__free(wt);
	candor__free(inv_sd);
	candor__free(cent);
	candor__free(d2);
	candor__free(cw);
	candor__free(assign);
	if (st != CANDOR_OK) {
		candor_background_free(bg);
		return st;
	}
	*out = bg;
	return CANDOR_OK;
}
