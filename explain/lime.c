/*
 * lime.c - LIME for tabular data (Ribeiro, Singh & Guestrin 2016, "Why
 * Should I Trust You?", KDD), following the lime library's
 * LimeTabularExplainer (0.2) so that its users recognise the numbers:
 *
 *  - training statistics from the background (the training data): with
 *    quartile discretisation (the default), each numeric feature is cut at
 *    its 25/50/75th percentiles (numpy's linear interpolation; duplicate
 *    edges merged), and each bin keeps its frequency, mean, standard
 *    deviation (+1e-11) and bounds; categorical features keep the frequency
 *    of each value. Without discretisation (continuous), each numeric
 *    feature keeps its mean and standard deviation.
 *  - sampling: row 0 is x itself. Quartile: every other sample draws a bin
 *    per feature from the training frequencies and a value from the bin's
 *    truncated normal; its interpretable representation is 1 where the bin
 *    (or category) equals x's. Continuous: numeric features are Gaussian
 *    around the training mean with the training scale, represented
 *    standardised; categorical features as above.
 *  - weights: sqrt(exp(-d^2 / width^2)), d the Euclidean distance to row 0
 *    in the representation, width 0.75 sqrt(M) by default.
 *  - feature selection: none, highest weights (|coef * x'| of a weighted
 *    ridge with alpha 0.01), forward selection (greedy by weighted R^2 of
 *    an unpenalised fit), lasso path, or auto (forward when at most 6
 *    features are kept, else highest weights).
 *  - the explanation: a weighted ridge (alpha 1, intercept unpenalised) on
 *    the selected features; its weighted R^2 is the score, its value at
 *    row 0 the local prediction.
 *
 * Departures, and why: (1) the lasso path is traced by warm-started
 * coordinate descent on a geometric grid of 100 penalties down to 1e-4 of
 * the largest, instead of LARS (same supports at the grid points; no
 * numerical subtleties of LARS at ties); (2) "unpenalised" fits use a ridge
 * of 1e-10 times the mean diagonal so a constant column cannot make the
 * system singular; (3) percentiles of a weighted background (k-means) are
 * weighted quantiles; (4) every output k is explained (lime explains the
 * labels asked for); (5) the model sees values through the link: with
 * --link logit LIME fits log-odds; (6) a degenerate fit is an error where
 * lime would report a number: a kernel so narrow that every sample but x
 * weighs 0, or an output that does not vary over the weighted samples
 * (sklearn's r2_score calls 0/0 a perfect 1.0; it says nothing).
 * Random numbers come from the row's stream, so results are reproducible
 * for any thread count.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "explain/explain_int.h"

#define BLOCK 256

typedef struct feat_stats {
	bool categorical;
	size_t nb;          /* bins or categories */
	double edges[3];    /* quartile edges (nb - 1 of them) */
	double *values;     /* categorical: the nb values */
	double *cdf;        /* nb cumulative frequencies */
	double *mean, *sd, *lo, *hi; /* quartile bins */
	double tmean, tsd;  /* continuous: training mean and scale */
} feat_stats;

struct candor__lime_stats {
	size_t m;
	feat_stats *f;
};

void candor__lime_stats_free(candor__lime_stats *s)
{
	if (!s)
		return;
	if (s->f)
		for (size_t j = 0; j < s->m; j++) {
			candor__free(s->f[j].values);
			candor__free(s->f[j].cdf);
			candor__free(s->f[j].mean);
			candor__free(s->f[j].sd);
			candor__free(s->f[j].lo);
			candor__free(s->f[j].hi);
		}
	candor__free(s->f);
	candor__free(s);
}

typedef struct vw {
	double v, w;
} vw;

static int cmp_vw(const void *a, const void *b)
{
	const double x = ((const vw *)a)->v, y = ((const vw *)b)->v;

	return (x > y) - (x < y);
}

/* The q-quantile of sorted (value, weight) pairs: numpy's linear rule when
 * the weights are equal, else the first value whose cumulative weight
 * reaches q. */
static double quantile(const vw *s, size_t n, double q, bool equal)
{
	if (equal) {
		double pos = q * (double)(n - 1);
		size_t lo = (size_t)floor(pos);

		if (lo + 1 >= n)
			return s[n - 1].v;
		return s[lo].v + (pos - (double)lo) * (s[lo + 1].v - s[lo].v);
	}
	{
		double acc = 0, tot = 0;

		for (size_t i = 0; i < n; i++)
			tot += s[i].w;
		for (size_t i = 0; i < n; i++) {
			acc += s[i].w;
			if (acc >= q * tot)
				return s[i].v;
		}
		return s[n - 1].v;
	}
}

/* Bin of value v (numpy searchsorted, side left): count of edges < v. */
static size_t bin_of(const feat_stats *f, double v)
{
	size_t b = 0;

	while (b + 1 < f->nb && f->edges[b] < v)
		b++;
	return b;
}

static candor_status stats_feature(feat_stats *f, const candor_background *bg, size_t j,
                                   bool categorical, bool quartile, vw *buf)
{
	size_t n = 0;
	bool equal = true;

	for (size_t b = 0; b < bg->n; b++) {
		double v = bg->x[b * bg->m + j];

		if (isnan(v) || bg->w[b] <= 0)
			continue;
		buf[n].v = v;
		buf[n].w = bg->w[b];
		if (fabs(bg->w[b] - bg->w[0]) > 1e-12 * bg->w[0])
			equal = false;
		n++;
	}
	if (n == 0)
		return candor__error(CANDOR_EDOMAIN, NULL, 0, 0,
		                     "LIME: feature %zu has no observed value in the training data", j);
	qsort(buf, n, sizeof(vw), cmp_vw);
	f->categorical = categorical;
	if (categorical || quartile) {
		double tot = 0, acc = 0;
		size_t nb = 0;

		if (categorical) {
			for (size_t i = 0; i < n; i++)
				nb += i == 0 || buf[i].v != buf[i - 1].v;
		} else {
			double q[3];

			for (int t = 0; t < 3; t++)
				q[t] = quantile(buf, n, 0.25 * (t + 1), equal);
			nb = 0;
			for (int t = 0; t < 3; t++)
				if (nb == 0 || q[t] != f->edges[nb - 1])
					f->edges[nb++] = q[t];
			nb++;
		}
		f->nb = nb;
		f->values = candor__calloc(nb, sizeof(double));
		f->cdf = candor__calloc(nb, sizeof(double));
		f->mean = candor__calloc(nb, sizeof(double));
		f->sd = candor__calloc(nb, sizeof(double));
		f->lo = candor__calloc(nb, sizeof(double));
		f->hi = candor__calloc(nb, sizeof(double));
		if (!f->values || !f->cdf || !f->mean || !f->sd || !f->lo || !f->hi)
			return CANDOR_ENOMEM;
		if (categorical) {
			size_t c = 0;

			for (size_t i = 0; i < n; i++) {
				if (i > 0 && buf[i].v != buf[i - 1].v)
					c++;
				f->values[c] = buf[i].v;
				f->cdf[c] += buf[i].w;
			}
		} else {
			double *sw = f->cdf; /* bin weights, made cumulative below */

			for (size_t i = 0; i < n; i++) {
				size_t b = bin_of(f, buf[i].v);

				sw[b] += buf[i].w;
				f->mean[b] += buf[i].w * buf[i].v;
			}
			for (size_t b = 0; b < nb; b++)
				f->mean[b] = sw[b] > 0 ? f->mean[b] / sw[b] : 0;
			for (size_t i = 0; i < n; i++) {
				size_t b = bin_of(f, buf[i].v);
				double d = buf[i].v - f->mean[b];

				f->sd[b] += buf[i].w * d * d;
			}
			for (size_t b = 0; b < nb; b++) {
				f->sd[b] = (sw[b] > 0 ? sqrt(f->sd[b] / sw[b]) : 0) + 1e-11;
				f->lo[b] = b == 0 ? buf[0].v : f->edges[b - 1];
				f->hi[b] = b + 1 == nb ? buf[n - 1].v : f->edges[b];
				f->values[b] = (double)b;
			}
		}
		for (size_t c = 0; c < nb; c++)
			tot += f->cdf[c];
		for (size_t c = 0; c < nb; c++) {
			acc += f->cdf[c];
			f->cdf[c] = acc / tot;
		}
		f->cdf[nb - 1] = 1.0;
	}
	{
		double tot = 0, mu = 0, var = 0;

		for (size_t i = 0; i < n; i++) {
			tot += buf[i].w;
			mu += buf[i].w * buf[i].v;
		}
		mu /= tot;
		for (size_t i = 0; i < n; i++)
			var += buf[i].w * (buf[i].v - mu) * (buf[i].v - mu);
		f->tmean = mu;
		f->tsd = var > 0 ? sqrt(var / tot) : 1.0; /* sklearn: zero variance scales by 1 */
	}
	return CANDOR_OK;
}

candor_status candor__lime_stats_new(candor__lime_stats **out, const candor__ctx *ctx)
{
	candor__lime_stats *s = candor__calloc(1, sizeof(*s));
	vw *buf;
	candor_status st = CANDOR_OK;

	*out = NULL;
	if (!s)
		return CANDOR_ENOMEM;
	s->m = ctx->m;
	s->f = candor__calloc(ctx->m, sizeof(feat_stats));
	buf = candor__mallocarray(ctx->bg->n, sizeof(vw));
	if (!s->f || !buf) {
		candor__free(buf);
		candor__lime_stats_free(s);
		return CANDOR_ENOMEM;
	}
	for (size_t j = 0; j < ctx->m && st == CANDOR_OK; j++)
		st = stats_feature(&s->f[j], ctx->bg, j, ctx->o.categorical && ctx->o.categorical[j],
		                   ctx->o.lime_sampling == CANDOR_LIME_QUARTILE, buf);
	candor__free(buf);
	if (st != CANDOR_OK) {
		candor__lime_stats_free(s);
		return st;
	}
	*out = s;
	return CANDOR_OK;
}

/* ===== the per-row workspace ============================================= */

typedef struct lime_ws {
	size_t s, m, k;
	double *inv;   /* S x M samples in the model's space */
	double *rep;   /* S x M interpretable representation */
	double *out;   /* S x K model outputs */
	double *y;     /* S: one output through the link */
	double *w;     /* S: kernel weights */
	double *z;     /* S x M: centred, sqrt(w)-scaled selected columns */
	double *zy;    /* S */
	double *a, *rhs, *coef; /* M x M, M, M */
	size_t *sel;   /* M selected feature indices */
	bool *used;    /* M */
	double *lcoef, *resid, *colsq; /* lasso: M, S, M */
} lime_ws;

static void lime_ws_free(void *p)
{
	lime_ws *w = p;

	if (!w)
		return;
	candor__free(w->inv);
	candor__free(w->rep);
	candor__free(w->out);
	candor__free(w->y);
	candor__free(w->w);
	candor__free(w->z);
	candor__free(w->zy);
	candor__free(w->a);
	candor__free(w->rhs);
	candor__free(w->coef);
	candor__free(w->sel);
	candor__free(w->used);
	candor__free(w->lcoef);
	candor__free(w->resid);
	candor__free(w->colsq);
	candor__free(w);
}

static candor_status lime_ws_new(void **out, const candor__ctx *ctx)
{
	lime_ws *w = candor__calloc(1, sizeof(*w));
	const size_t s = ctx->o.nsamples, m = ctx->m, k = ctx->k;

	*out = NULL;
	if (!w)
		return CANDOR_ENOMEM;
	w->s = s;
	w->m = m;
	w->k = k;
	w->inv = candor__mallocarray(s, m * sizeof(double));
	w->rep = candor__mallocarray(s, m * sizeof(double));
	w->out = candor__mallocarray(s, k * sizeof(double));
	w->y = candor__mallocarray(s, sizeof(double));
	w->w = candor__mallocarray(s, sizeof(double));
	w->z = candor__mallocarray(s, m * sizeof(double));
	w->zy = candor__mallocarray(s, sizeof(double));
	w->a = candor__mallocarray(m, m * sizeof(double));
	w->rhs = candor__mallocarray(m, sizeof(double));
	w->coef = candor__mallocarray(m, sizeof(double));
	w->sel = candor__mallocarray(m, sizeof(size_t));
	w->used = candor__mallocarray(m, sizeof(bool));
	w->lcoef = candor__mallocarray(m, sizeof(double));
	w->resid = candor__mallocarray(s, sizeof(double));
	w->colsq = candor__mallocarray(m, sizeof(double));
	if (!w->inv || !w->rep || !w->out || !w->y || !w->w || !w->z || !w->zy || !w->a ||
	    !w->rhs || !w->coef || !w->sel || !w->used || !w->lcoef || !w->resid || !w->colsq) {
		lime_ws_free(w);
		return CANDOR_ENOMEM;
	}
	*out = w;
	return CANDOR_OK;
}

/* ===== regression ======================================================== */

/* Weighted means of y and of the selected columns; fills z = sqrt(w)(X - xbar)
 * and zy = sqrt(w)(y - ybar). Returns ybar; xbar into `xbar` (p values). */
static double center(lime_ws *w, const size_t *sel, size_t p, double *xbar)
{
	double tw = 0, ybar = 0;

	for (size_t q = 0; q < p; q++)
		xbar[q] = 0;
	for (size_t i = 0; i < w->s; i++) {
		tw += w->w[i];
		ybar += w->w[i] * w->y[i];
		for (size_t q = 0; q < p; q++)
			xbar[q] += w->w[i] * w->rep[i * w->m + sel[q]];
	}
	ybar /= tw;
	for (size_t q = 0; q < p; q++)
		xbar[q] /= tw;
	for (size_t i = 0; i < w->s; i++) {
		const double sw = sqrt(w->w[i]);

		w->zy[i] = sw * (w->y[i] - ybar);
		for (size_t q = 0; q < p; q++)
			w->z[i * p + q] = sw * (w->rep[i * w->m + sel[q]] - xbar[q]);
	}
	return ybar;
}

/*
 * Weighted ridge on the selected columns (sklearn Ridge with sample_weight:
 * centre by weighted means, penalise only the coefficients). alpha < 0
 * means "unpenalised" (a tiny ridge, see the file comment). Writes coef
 * (p), *intercept and the weighted R^2. Returns false if singular.
 */
static bool ridge(lime_ws *w, const size_t *sel, size_t p, double alpha, double *coef,
                  double *intercept, double *r2)
{
	double xbar[64], ybar, ssr = 0, sst = 0, *xb = xbar;
	bool ok;

	if (p > 64) {
		xb = candor__mallocarray(p, sizeof(double));
		if (!xb)
			return false;
	}
	if (p == 0) {
		double tw = 0;

		ybar = 0;
		for (size_t i = 0; i < w->s; i++) {
			tw += w->w[i];
			ybar += w->w[i] * w->y[i];
		}
		ybar /= tw;
		*intercept = ybar;
		for (size_t i = 0; i < w->s; i++)
			sst += w->w[i] * (w->y[i] - ybar) * (w->y[i] - ybar);
		*r2 = sst > 0 && isfinite(sst) ? 0.0 : NAN;
		return true;
	}
	ybar = center(w, sel, p, xb);
	memset(w->a, 0, p * p * sizeof(double));
	memset(coef, 0, p * sizeof(double));
	for (size_t s = 0; s < w->s; s += BLOCK) {
		const size_t cnt = w->s - s < BLOCK ? w->s - s : BLOCK;

		candor__gram_add(w->a, w->z + s * p, cnt, p);
		cblas_dgemv(CblasRowMajor, CblasTrans, (int)cnt, (int)p, 1.0, w->z + s * p, (int)p,
		            w->zy + s, 1, 1.0, coef, 1);
	}
	if (alpha < 0) {
		double tr = 0;

		for (size_t q = 0; q < p; q++)
			tr += w->a[q * p + q];
		alpha = 1e-10 * (tr > 0 ? tr / (double)p : 1.0);
	}
	for (size_t q = 0; q < p; q++)
		w->a[q * p + q] += alpha;
	ok = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'L', (int)p, 1, w->a, (int)p, coef, 1) == 0;
	if (ok) {
		*intercept = ybar;
		for (size_t q = 0; q < p; q++)
			*intercept -= coef[q] * xb[q];
		for (size_t i = 0; i < w->s; i++) {
			double r = w->zy[i];

			for (size_t q = 0; q < p; q++)
				r -= w->z[i * p + q] * coef[q];
			ssr += r * r;
			sst += w->zy[i] * w->zy[i];
		}
		/* 0/0 is no score: an output that does not vary over the weighted
		 * samples is a degenerate fit (lime_row refuses it), never R^2 = 1. */
		*r2 = sst > 0 && isfinite(sst) && isfinite(ssr) ? 1.0 - ssr / sst : NAN;
	}
	if (xb != xbar)
		candor__free(xb);
	return ok;
}

/* ===== feature selection ================================================= */

static size_t select_highest(lime_ws *w, size_t nf)
{
	size_t all = w->m;
	double icpt, r2;

	for (size_t j = 0; j < all; j++)
		w->sel[j] = j;
	if (!ridge(w, w->sel, all, 0.01, w->coef, &icpt, &r2))
		return all;
	/* |coef_j * x'_j| at row 0, largest first, ties by feature order. */
	for (size_t j = 0; j < all; j++)
		w->lcoef[j] = fabs(w->coef[j] * w->rep[j]);
	for (size_t a = 0; a < nf; a++) {
		size_t best = a;

		for (size_t b = a + 1; b < all; b++)
			if (w->lcoef[w->sel[b]] > w->lcoef[w->sel[best]])
				best = b;
		if (best != a) {
			size_t t = w->sel[best];

			memmove(w->sel + a + 1, w->sel + a, (best - a) * sizeof(size_t));
			w->sel[a] = t;
		}
	}
	return nf;
}

static size_t select_forward(lime_ws *w, size_t nf)
{
	size_t p = 0;
	double icpt, r2;

	memset(w->used, 0, w->m * sizeof(bool));
	for (size_t step = 0; step < nf; step++) {
		double best_score = -INFINITY;
		size_t best = w->m;

		for (size_t j = 0; j < w->m; j++) {
			if (w->used[j])
				continue;
			w->sel[p] = j;
			if (ridge(w, w->sel, p + 1, -1, w->coef, &icpt, &r2) && r2 > best_score) {
				best_score = r2;
				best = j;
			}
		}
		if (best == w->m)
			break;
		w->used[best] = true;
		w->sel[p++] = best;
	}
	return p;
}

static double soft(double v, double t)
{
	return v > t ? v - t : v < -t ? v + t : 0.0;
}

/* The least-penalised model of a lasso path with at most nf features. */
static size_t select_lasso(lime_ws *w, size_t nf)
{
	const size_t m = w->m;
	double lmax = 0, xbar[64], *xb = xbar;
	size_t p_out = 0;

	if (m > 64) {
		xb = candor__mallocarray(m, sizeof(double));
		if (!xb)
			return select_highest(w, nf);
	}
	for (size_t j = 0; j < m; j++)
		w->sel[j] = j;
	center(w, w->sel, m, xb);
	for (size_t j = 0; j < m; j++) {
		double c = 0, sq = 0;

		for (size_t i = 0; i < w->s; i++) {
			c += w->z[i * m + j] * w->zy[i];
			sq += w->z[i * m + j] * w->z[i * m + j];
		}
		w->colsq[j] = sq;
		if (fabs(c) > lmax)
			lmax = fabs(c);
		w->lcoef[j] = 0;
	}
	memcpy(w->resid, w->zy, w->s * sizeof(double));
	memset(w->used, 0, m * sizeof(bool));
	for (int g = 0; g < 100; g++) {
		const double lam = lmax * pow(1e-4, (double)g / 99.0);
		size_t nnz = 0;

		for (int sweep = 0; sweep < 200; sweep++) {
			double maxd = 0;

			for (size_t j = 0; j < m; j++) {
				double rho, nb;

				if (w->colsq[j] <= 0)
					continue;
				rho = 0;
				for (size_t i = 0; i < w->s; i++)
					rho += w->z[i * m + j] * w->resid[i];
				rho += w->colsq[j] * w->lcoef[j];
				nb = soft(rho, lam) / w->colsq[j];
				if (nb != w->lcoef[j]) {
					const double d = nb - w->lcoef[j];

					for (size_t i = 0; i < w->s; i++)
						w->resid[i] -= d * w->z[i * m + j];
					if (fabs(d) > maxd)
						maxd = fabs(d);
					w->lcoef[j] = nb;
				}
			}
			if (maxd < 1e-10)
				break;
		}
		for (size_t j = 0; j < m; j++)
			nnz += w->lcoef[j] != 0;
		if (nnz > nf)
			break;
		/* remember this support */
		for (size_t j = 0; j < m; j++)
			w->used[j] = w->lcoef[j] != 0;
	}
	for (size_t j = 0; j < m; j++)
		if (w->used[j])
			w->sel[p_out++] = j;
	if (xb != xbar)
		candor__free(xb);
	return p_out;
}

/* ===== one row ============================================================ */

static double trunc_normal(gsl_rng *rng, double mu, double sd, double lo, double hi)
{
	const double a = gsl_cdf_ugaussian_P((lo - mu) / sd), b = gsl_cdf_ugaussian_P((hi - mu) / sd);
	double v;

	if (!(b > a))
		return mu < lo ? lo : mu > hi ? hi : mu;
	v = mu + sd * gsl_cdf_ugaussian_Pinv(a + (b - a) * gsl_rng_uniform_pos(rng));
	return v < lo ? lo : v > hi ? hi : v;
}

static size_t draw_cdf(gsl_rng *rng, const double *cdf, size_t nb)
{
	const double r = gsl_rng_uniform(rng);
	size_t c = 0;

	while (c + 1 < nb && r >= cdf[c])
		c++;
	return c;
}

static candor_status lime_row(void *pw, const candor__ctx *ctx, const double *x, gsl_rng *rng,
                              candor__row_out *out)
{
	lime_ws *w = pw;
	const candor__lime_stats *st = ctx->method_data;
	const size_t s = w->s, m = w->m, k = w->k;
	const bool quartile = ctx->o.lime_sampling == CANDOR_LIME_QUARTILE;
	const double width = ctx->o.lime_kernel_width;
	candor_status rc;

	/* Sample the neighbourhood; row 0 is x. */
	for (size_t j = 0; j < m; j++) {
		const feat_stats *f = &st->f[j];

		w->inv[j] = x[j];
		w->rep[j] = (f->categorical || quartile) ? 1.0 : (x[j] - f->tmean) / f->tsd;
	}
	for (size_t i = 1; i < s; i++) {
		double *iv = w->inv + i * m, *rp = w->rep + i * m;

		for (size_t j = 0; j < m; j++) {
			const feat_stats *f = &st->f[j];

			if (f->categorical) {
				size_t c = draw_cdf(rng, f->cdf, f->nb);

				iv[j] = f->values[c];
				rp[j] = iv[j] == x[j];
			} else if (quartile) {
				size_t b = draw_cdf(rng, f->cdf, f->nb);

				iv[j] = trunc_normal(rng, f->mean[b], f->sd[b], f->lo[b], f->hi[b]);
				rp[j] = !isnan(x[j]) && b == bin_of(f, x[j]);
			} else {
				double g = gsl_cdf_ugaussian_Pinv(gsl_rng_uniform_pos(rng));

				iv[j] = f->tmean + f->tsd * g;
				rp[j] = g;
			}
		}
	}
	for (size_t i = 0; i < s; i++) {
		double d2 = 0;

		for (size_t j = 0; j < m; j++) {
			double t = w->rep[i * m + j] - w->rep[j];

			d2 += t * t;
		}
		/* d2 == 0 first: width^2 may underflow to 0, and 0/0 is no weight */
		w->w[i] = d2 == 0 ? 1.0 : sqrt(exp(-d2 / (width * width)));
	}
	/* A kernel so narrow that every sample but x itself weighs 0 leaves
	 * nothing to fit: the "explanation" would be weights 0 with R^2 = 1. */
	{
		double others = 0;

		for (size_t i = 1; i < s; i++)
			others += w->w[i];
		if (!(others > 0))
			return candor__error(CANDOR_EDOMAIN, NULL, 0, 0,
			                     "LIME: the kernel width %g gives weight 0 to every sample but "
			                     "the explained row itself (exp(-d^2 / width^2) underflows); "
			                     "the local fit is undetermined: choose a wider "
			                     "lime_kernel_width (the default is 0.75 sqrt(M) = %g)",
			                     width, 0.75 * sqrt((double)m));
	}
	for (size_t i = 0; i < s; i += ctx->o.max_batch_rows) {
		size_t cnt = s - i < ctx->o.max_batch_rows ? s - i : ctx->o.max_batch_rows;

		rc = candor__predict(ctx->model, w->inv + i * m, cnt, w->out + i * k);
		if (rc != CANDOR_OK)
			return rc;
	}
	for (size_t kk = 0; kk < k; kk++) {
		size_t p, nf = ctx->o.lime_num_features;
		double icpt = 0, r2 = 0;
		candor_lime_selection sel = ctx->o.lime_selection;

		for (size_t i = 0; i < s; i++)
			w->y[i] = candor__link(ctx->o.link, w->out[i * k + kk]);
		if (sel == CANDOR_LIME_SELECT_AUTO)
			sel = nf <= 6 ? CANDOR_LIME_SELECT_FORWARD : CANDOR_LIME_SELECT_HIGHEST;
		switch (sel) {
		case CANDOR_LIME_SELECT_HIGHEST: p = select_highest(w, nf); break;
		case CANDOR_LIME_SELECT_FORWARD: p = select_forward(w, nf); break;
		case CANDOR_LIME_SELECT_LASSO: p = select_lasso(w, nf); break;
		default:
			for (size_t j = 0; j < m; j++)
				w->sel[j] = j;
			p = m;
			break;
		}
		if (!ridge(w, w->sel, p, ctx->o.lime_ridge_alpha, w->coef, &icpt, &r2))
			return candor__error(CANDOR_EDOMAIN, NULL, 0, 0,
			                     "LIME: the local ridge regression is singular");
		if (!isfinite(r2) || !isfinite(icpt))
			return candor__error(CANDOR_EDOMAIN, NULL, 0, 0,
			                     "LIME: the local fit is degenerate: output %zu of the model "
			                     "does not vary over the %zu weighted samples, so the weighted "
			                     "R^2 is 0/0 and the weights say nothing",
			                     kk, s);
		for (size_t q = 0; q < p; q++)
			if (!isfinite(w->coef[q]))
				return candor__error(CANDOR_EDOMAIN, NULL, 0, 0,
				                     "LIME: the local fit is degenerate: weight %zu is not "
				                     "finite", w->sel[q]);
		for (size_t j = 0; j < m; j++)
			out->phi[kk * m + j] = 0;
		out->local_pred[kk] = icpt;
		for (size_t q = 0; q < p; q++) {
			out->phi[kk * m + w->sel[q]] = w->coef[q];
			out->local_pred[kk] += w->coef[q] * w->rep[w->sel[q]];
		}
		out->base[kk] = icpt;
		out->score[kk] = r2;
	}
	return CANDOR_OK;
}

const candor__method candor__lime_method = { lime_ws_new, lime_ws_free, lime_row };
