/*
 * kernelshap.c - KernelSHAP (Lundberg & Lee 2017, "A Unified Approach to
 * Interpreting Model Predictions", Theorem 2), with the sampling scheme of
 * the shap library's KernelExplainer and the variance estimate of Covert &
 * Lee 2021 ("Improving KernelSHAP: Practical Shapley Value Estimation via
 * Linear Regression", AISTATS).
 *
 * The Shapley values are the solution of a weighted least-squares problem
 * over coalitions z in {0,1}^M with the Shapley kernel
 *   pi(z) = (M - 1) / (C(M, |z|) |z| (M - |z|)),
 * subject to the efficiency constraint sum phi = v(1) - v(0). We:
 *  1. spend the budget on whole coalition sizes, smallest and largest first
 *     (sizes s and M - s together), as long as the budget share of their
 *     kernel mass covers all their coalitions; those get their exact kernel
 *     weight;
 *  2. spend the rest on paired (antithetic) samples z, 1 - z, with |z| drawn
 *     from the kernel mass of the sizes left and z uniform given its size;
 *     together they carry the kernel mass left, equally;
 *  3. impose efficiency exactly by eliminating the last feature
 *     (phi_M = v(1) - v(0) - sum_{j<M} phi_j), then solve the (M-1) x (M-1)
 *     normal equations with BLAS dgemm and LAPACK dposv;
 *  4. estimate standard errors from the i.i.d. sampled pairs, following
 *     Covert & Lee's asymptotic normality of the estimator (their Theorem 1)
 *     with its delta-method covariance: each pair p contributes
 *     r_p = sum_{c in p} x'_c (y'_c - x'_c . phi) (its share of the
 *     regression's residual score), and
 *     Cov(phi) = A^-1 (wleft^2 / (4 P)) Cov(r) A^-1
 *     (the eliminated feature's variance is 1' Cov 1). With a target
 *     standard error the pairs are drawn in rounds of 32 and sampling stops
 *     once every SE is at or below the target.
 *
 * Departure from Covert & Lee: they hold the normal matrix fixed and take the
 * covariance of the right-hand side only (exact for their unbiased
 * estimator); for KernelSHAP proper, where both are sampled and strongly
 * correlated, that overstates the error about tenfold in our tests, so we
 * use the residual (sandwich) form above, which tests/explain checks
 * against exact values.
 * Departures from shap, and why: coalitions drawn twice are kept twice
 * instead of merged (it keeps the pairs i.i.d. for the variance estimate and
 * costs only duplicates that are rare once small sizes are enumerated);
 * features whose value equals every background row's are not dropped (the
 * value function is still exact; their phi is 0 only up to sampling noise);
 * no regularisation of the final regression (shap's "auto" l1 step is a
 * feature selection we do not apply). The empty and full coalitions have
 * infinite kernel weight: they enter as the constraint, as in the paper.
 *
 * BLAS calls are made on blocks of at most 256 coalitions so that OpenBLAS
 * (pthread build) never spawns threads of its own inside our OpenMP region.
 */
#include <math.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>
#include <gsl/gsl_rng.h>

#include "explain/explain_int.h"

#define BLOCK 256      /* coalitions per BLAS call */
#define ROUND_PAIRS 32 /* pairs per round when a target SE is set */

typedef struct kernel_ws {
	candor__coal coal;
	size_t m, p, k;
	/* the plan, the same for every row */
	size_t n_enum;     /* enumerated coalitions */
	uint8_t *enum_masks;
	double *enum_w;    /* kernel weight of each */
	double *enum_x;    /* n_enum x p: z_j - z_M */
	double *h_enum;    /* p x p: sum w x x' */
	size_t max_pairs;  /* sampled pairs allowed */
	double wleft;      /* kernel mass carried by the samples */
	double *size_cdf;  /* M: cumulative probability of sampled sizes */
	/* per row */
	double *v;         /* n_enum x K: values of the enumerated coalitions */
	uint8_t *smasks;   /* 2 * max_pairs x M: the sampled pairs, z then 1 - z */
	double *sv;        /* 2 * max_pairs x K */
	size_t *idx;       /* M */
	uint64_t *bits;    /* pairs per round: drawn coalitions as bit sets */
	uint64_t *bits_tmp;/* pairs per round: radix sort buffer */
	double *xb, *yb;   /* BLOCK x p, BLOCK x K */
	double *ub;        /* BLOCK x p (pair contributions, one output) */
	double *b_enum;    /* p x K */
	double *g_sum;     /* p x p */
	double *u_sum;     /* p x K */
	double *a, *b, *c; /* p x p, p x K, p x p */
	double *rhs_tmp;   /* p */
	size_t round;      /* pairs per round */
} kernel_ws;

/* Kernel mass of coalitions of size s (all C(M, s) of them): (M-1)/(s(M-s)). */
static double size_mass(size_t m, size_t s)
{
	return (double)(m - 1) / ((double)s * (double)(m - s));
}

static double binom(size_t n, size_t k)
{
	double c = 1;

	for (size_t i = 1; i <= k; i++)
		c = c * (double)(n - k + i) / (double)i;
	return c;
}

candor_status candor__kernel_check(const candor__ctx *ctx)
{
	const size_t m = ctx->m, n = ctx->o.nsamples;
	const double all = m < 63 ? (double)(((uint64_t)1 << m) - 2) : 1e300;

	if (m < 2)
		return CANDOR_OK;
	if ((double)n < all && n < 2 * m)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "KernelSHAP needs at least 2M = %zu coalitions for %zu features "
		                     "(or all %.0f); a budget of %zu is too small",
		                     2 * m, m, all, n);
	return CANDOR_OK;
}

static void kernel_ws_free(void *p)
{
	kernel_ws *w = p;

	if (!w)
		return;
	candor__coal_free(&w->coal);
	candor__free(w->enum_masks);
	candor__free(w->enum_w);
	candor__free(w->enum_x);
	candor__free(w->h_enum);
	candor__free(w->size_cdf);
	candor__free(w->v);
	candor__free(w->smasks);
	candor__free(w->sv);
	candor__free(w->idx);
	candor__free(w->bits);
	candor__free(w->bits_tmp);
	candor__free(w->xb);
	candor__free(w->yb);
	candor__free(w->ub);
	candor__free(w->b_enum);
	candor__free(w->g_sum);
	candor__free(w->u_sum);
	candor__free(w->a);
	candor__free(w->b);
	candor__free(w->c);
	candor__free(w->rhs_tmp);
	candor__free(w);
}

/* x' of a coalition: z_j - z_M for j < M. */
static void reduced_x(const uint8_t *z, size_t m, double *xp)
{
	for (size_t j = 0; j + 1 < m; j++)
		xp[j] = (double)z[j] - (double)z[m - 1];
}

/*
 * Coalition order. candor__coal_eval rewrites, for each coalition, only the
 * columns where it differs from the coalition evaluated before it in the
 * same buffer slot, so coalitions are listed in binary-reflected Gray-code
 * order: coalition z sorts by gray_rank(z), the position of z in the Gray
 * sequence 0, 1, 3, 2, 6, ... where each step flips one feature. Neighbours
 * in a sparse subset of that sequence differ in about 2.3 features (12
 * features, 2048 coalitions) against 2.7 in plain binary order.
 */
static uint64_t gray_rank(uint64_t g)
{
	g ^= g >> 1;
	g ^= g >> 2;
	g ^= g >> 4;
	g ^= g >> 8;
	g ^= g >> 16;
	g ^= g >> 32;
	return g;
}

static uint64_t gray_code(uint64_t rank) { return rank ^ (rank >> 1); }

static int cmp_gray(const void *a, const void *b)
{
	const uint64_t x = gray_rank(*(const uint64_t *)a), y = gray_rank(*(const uint64_t *)b);

	return (x > y) - (x < y);
}

/* Sort n bit sets of m features into Gray-code order: an LSD radix sort of
 * their ranks, 8 bits a pass, through tmp (n values). */
static void sort_gray(uint64_t *bits, uint64_t *tmp, size_t n, size_t m)
{
	for (size_t i = 0; i < n; i++)
		bits[i] = gray_rank(bits[i]);
	for (size_t shift = 0; shift < m; shift += 8) {
		size_t count[257] = { 0 };

		for (size_t i = 0; i < n; i++)
			count[((bits[i] >> shift) & 0xff) + 1]++;
		for (size_t d = 1; d < 257; d++)
			count[d] += count[d - 1];
		for (size_t i = 0; i < n; i++)
			tmp[count[(bits[i] >> shift) & 0xff]++] = bits[i];
		memcpy(bits, tmp, n * sizeof(uint64_t));
	}
	for (size_t i = 0; i < n; i++)
		bits[i] = gray_code(bits[i]);
}

/* Decide which sizes are enumerated (shap's rule) and fill the plan. */
static candor_status plan(kernel_ws *w, size_t budget)
{
	const size_t m = w->m;
	double total = 0, remaining_mass;
	size_t s, left = budget, n_enum = 0;
	bool *enumerated;
	uint64_t *all_bits;

	for (s = 1; s < m; s++)
		total += size_mass(m, s);
	enumerated = candor__calloc(m + 1, sizeof(bool));
	if (!enumerated)
		return CANDOR_ENOMEM;
	remaining_mass = 1.0;
	for (s = 1; s <= m / 2; s++) {
		const bool paired = s != m - s;
		const double nsub = binom(m, s) * (paired ? 2 : 1);
		const double mass = size_mass(m, s) * (paired ? 2 : 1) / total;

		if ((double)left * mass / remaining_mass < nsub - 1e-8)
			break;
		enumerated[s] = enumerated[m - s] = true;
		left -= (size_t)nsub;
		n_enum += (size_t)nsub;
		remaining_mass -= mass;
	}
	w->n_enum = n_enum;
	w->wleft = remaining_mass < 1e-12 ? 0 : remaining_mass;
	w->max_pairs = w->wleft > 0 ? left / 2 : 0;
	w->enum_masks = candor__mallocarray(n_enum ? n_enum : 1, m);
	w->enum_w = candor__mallocarray(n_enum ? n_enum : 1, sizeof(double));
	w->enum_x = candor__mallocarray(n_enum ? n_enum : 1, w->p * sizeof(double));
	w->size_cdf = candor__calloc(m + 1, sizeof(double));
	if (!w->enum_masks || !w->enum_w || !w->enum_x || !w->size_cdf) {
		candor__free(enumerated);
		return CANDOR_ENOMEM;
	}
	/* Enumerate each chosen size (index sets in lexicographic order), then
	 * list them all in Gray-code order. */
	all_bits = candor__mallocarray(w->n_enum ? w->n_enum : 1, sizeof(uint64_t));
	if (!all_bits) {
		candor__free(enumerated);
		return CANDOR_ENOMEM;
	}
	n_enum = 0;
	for (s = 1; s < m; s++) {
		size_t comb[64];

		if (!enumerated[s])
			continue;
		for (size_t i = 0; i < s; i++)
			comb[i] = i;
		for (;;) {
			uint64_t z = 0;
			size_t i;

			for (i = 0; i < s; i++)
				z |= (uint64_t)1 << comb[i];
			all_bits[n_enum++] = z;
			for (i = s; i-- > 0;)
				if (comb[i] != i + m - s)
					break;
			if (i == (size_t)-1)
				break;
			comb[i]++;
			for (size_t q = i + 1; q < s; q++)
				comb[q] = comb[q - 1] + 1;
		}
	}
	qsort(all_bits, n_enum, sizeof(uint64_t), cmp_gray);
	for (size_t c = 0; c < n_enum; c++) {
		uint8_t *z = w->enum_masks + c * m;
		const size_t sz = (size_t)__builtin_popcountll(all_bits[c]);

		for (size_t j = 0; j < m; j++)
			z[j] = (uint8_t)((all_bits[c] >> j) & 1);
		w->enum_w[c] = size_mass(m, sz) / total / binom(m, sz);
		reduced_x(z, m, w->enum_x + c * w->p);
	}
	candor__free(all_bits);
	{
		double acc = 0, tot = 0;

		for (s = 1; s < m; s++)
			if (!enumerated[s])
				tot += size_mass(m, s);
		for (s = 1; s < m; s++) {
			if (!enumerated[s])
				acc += size_mass(m, s);
			w->size_cdf[s] = tot > 0 ? acc / tot : 1.0;
		}
	}
	candor__free(enumerated);
	return CANDOR_OK;
}

/* out (p x p) += X' diag(wt) X over n rows of X (n x p), in BLAS blocks. */
static void add_gram(double *out, const double *x, const double *wt, size_t n, size_t p,
                     double *xb)
{
	for (size_t s = 0; s < n; s += BLOCK) {
		const size_t cnt = n - s < BLOCK ? n - s : BLOCK;

		for (size_t i = 0; i < cnt; i++) {
			const double sw = wt ? sqrt(wt[s + i]) : 1.0;

			for (size_t j = 0; j < p; j++)
				xb[i * p + j] = sw * x[(s + i) * p + j];
		}
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, (int)p, (int)cnt, 1.0,
		            xb, (int)p, xb, (int)p, 1.0, out, (int)p);
	}
}

static candor_status kernel_ws_new(void **out, const candor__ctx *ctx)
{
	kernel_ws *w = candor__calloc(1, sizeof(*w));
	const size_t m = ctx->m, k = ctx->k;
	size_t p;
	candor_status st;

	*out = NULL;
	if (!w)
		return CANDOR_ENOMEM;
	w->m = m;
	w->k = k;
	w->p = p = m > 1 ? m - 1 : 1;
	if (m > 62) {
		kernel_ws_free(w);
		return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
		                     "KernelSHAP supports at most 62 features, not %zu", m);
	}
	st = candor__coal_init(&w->coal, ctx->model, ctx->bg, ctx->o.link, ctx->o.max_batch_rows);
	if (st == CANDOR_OK && m > 1)
		st = plan(w, ctx->o.nsamples);
	if (st != CANDOR_OK) {
		kernel_ws_free(w);
		return st;
	}
	w->round = ctx->o.target_stderr > 0 ? ROUND_PAIRS : (w->max_pairs ? w->max_pairs : 1);
	w->v = candor__mallocarray(w->n_enum ? w->n_enum : 1, k * sizeof(double));
	w->smasks = candor__mallocarray(w->max_pairs ? 2 * w->max_pairs : 1, m);
	w->sv = candor__mallocarray(w->max_pairs ? 2 * w->max_pairs : 1, k * sizeof(double));
	w->idx = candor__mallocarray(m, sizeof(size_t));
	w->bits = candor__mallocarray(w->round, sizeof(uint64_t));
	w->bits_tmp = candor__mallocarray(w->round, sizeof(uint64_t));
	w->xb = candor__mallocarray(BLOCK, p * sizeof(double));
	w->yb = candor__mallocarray(BLOCK, k * sizeof(double));
	w->ub = candor__mallocarray(BLOCK, p * sizeof(double));
	w->h_enum = candor__calloc(p * p, sizeof(double));
	w->b_enum = candor__mallocarray(p, k * sizeof(double));
	w->g_sum = candor__mallocarray(p, p * sizeof(double));
	w->u_sum = candor__mallocarray(p, k * sizeof(double));
	w->a = candor__mallocarray(p, p * sizeof(double));
	w->b = candor__mallocarray(p, k * sizeof(double));
	w->c = candor__mallocarray(p, p * sizeof(double));
	w->rhs_tmp = candor__mallocarray(p, sizeof(double));
	if (!w->v || !w->smasks || !w->sv || !w->idx || !w->bits || !w->bits_tmp || !w->xb || !w->yb || !w->ub ||
	    !w->h_enum || !w->b_enum || !w->g_sum || !w->u_sum || !w->a || !w->b || !w->c ||
	    !w->rhs_tmp) {
		kernel_ws_free(w);
		return CANDOR_ENOMEM;
	}
	if (m > 1)
		add_gram(w->h_enum, w->enum_x, w->enum_w, w->n_enum, p, w->xb);
	*out = w;
	return CANDOR_OK;
}

/* A random coalition from the sampled sizes, as a bit set. */
static uint64_t draw_coalition(kernel_ws *w, gsl_rng *rng)
{
	const size_t m = w->m;
	const double r = gsl_rng_uniform(rng);
	uint64_t bits = 0;
	size_t s = 1;

	while (s < m - 1 && r >= w->size_cdf[s])
		s++;
	for (size_t j = 0; j < m; j++)
		w->idx[j] = j;
	for (size_t i = 0; i < s; i++) {
		size_t q = i + (size_t)candor__rng_index(rng, m - i);
		size_t t = w->idx[i];

		w->idx[i] = w->idx[q];
		w->idx[q] = t;
		bits |= (uint64_t)1 << w->idx[i];
	}
	return bits;
}

/*
 * Draw a round of r pairs into masks (2r x M): the r coalitions first, in
 * Gray-code order, then their complements in the same order (complementing
 * keeps neighbours' differences). Which pairs are drawn, and so the
 * estimate up to summation order, does not depend on the order.
 */
static void draw_round(kernel_ws *w, gsl_rng *rng, size_t r, uint8_t *masks)
{
	const size_t m = w->m;

	for (size_t i = 0; i < r; i++)
		w->bits[i] = draw_coalition(w, rng);
	sort_gray(w->bits, w->bits_tmp, r, m);
	for (size_t i = 0; i < r; i++)
		for (size_t j = 0; j < m; j++) {
			const uint8_t on = (uint8_t)((w->bits[i] >> j) & 1);

			masks[i * m + j] = on;
			masks[(r + i) * m + j] = (uint8_t)!on;
		}
}

/* Index (in smasks) of coalition h (0: z, 1: 1 - z) of sampled pair p. */
static size_t pair_index(const kernel_ws *w, size_t p, size_t h)
{
	const size_t base = p / w->round * w->round;
	const size_t rr = w->max_pairs - base < w->round ? w->max_pairs - base : w->round;

	return 2 * base + (p - base) + h * rr;
}

/* y' = v - v(0) - z_M * (v(1) - v(0)), for one coalition and all outputs. */
static void reduced_y(const double *v, const uint8_t *z, const candor__ctx *ctx,
                      const candor__row_out *out, double *y)
{
	for (size_t kk = 0; kk < ctx->k; kk++)
		y[kk] = v[kk] - ctx->base[kk] - (double)z[ctx->m - 1] * (out->pred[kk] - ctx->base[kk]);
}

/* Solve for phi (and SE when npairs >= 2) from the accumulated sums. */
static candor_status solve(kernel_ws *w, const candor__ctx *ctx, size_t npairs,
                           candor__row_out *out, double *max_se)
{
	const size_t m = w->m, p = w->p, k = w->k;
	const double sw = npairs ? w->wleft / (2.0 * (double)npairs) : 0.0;
	lapack_int info;

	for (size_t i = 0; i < p; i++)
		for (size_t j = 0; j <= i; j++)
			w->a[i * p + j] = w->a[j * p + i] = w->h_enum[i * p + j] + sw * w->g_sum[i * p + j];
	for (size_t i = 0; i < p * k; i++)
		w->b[i] = w->b_enum[i] + sw * w->u_sum[i];
	info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'L', (int)p, (int)k, w->a, (int)p, w->b, (int)k);
	/* info < 0: LAPACKE refused an argument (its NaN check): not a budget
	 * matter, and impossible once the model's outputs are checked. */
	if (info < 0)
		return candor__error(CANDOR_EINTERNAL, NULL, 0, 0,
		                     "KernelSHAP: LAPACK refused the normal equations (argument %d; a "
		                     "value that is not finite?)", -(int)info);
	if (info > 0)
		return candor__error(CANDOR_EDOMAIN, NULL, 0, 0,
		                     "KernelSHAP: the sampled coalitions do not determine the values "
		                     "(singular regression); raise the budget (nsamples)");
	*max_se = 0;
	for (size_t kk = 0; kk < k; kk++) {
		const double delta = out->pred[kk] - ctx->base[kk];
		double sum = 0;

		for (size_t j = 0; j < p; j++) {
			out->phi[kk * m + j] = w->b[j * k + kk];
			sum += w->b[j * k + kk];
		}
		out->phi[kk * m + m - 1] = delta - sum;
		if (!out->se)
			continue;
		if (w->max_pairs == 0 || w->wleft == 0) {
			for (size_t j = 0; j < m; j++)
				out->se[kk * m + j] = 0;
			continue;
		}
		if (npairs < 2) {
			for (size_t j = 0; j < m; j++)
				out->se[kk * m + j] = NAN;
			*max_se = INFINITY;
			continue;
		}
		/* Cov(phi) = A^-1 (wleft^2 / (4 P)) Cov(r) A^-1, r the pairs' residual scores. */
		{
			const double scale = w->wleft * w->wleft / (4.0 * (double)npairs) /
			                     (double)(npairs - 1);
			double tot = 0, *rsum = w->rhs_tmp;

			memset(w->c, 0, p * p * sizeof(double));
			memset(rsum, 0, p * sizeof(double));
			for (size_t s0 = 0; s0 < npairs; s0 += BLOCK / 2) {
				const size_t cnt = npairs - s0 < BLOCK / 2 ? npairs - s0 : BLOCK / 2;

				for (size_t i = 0; i < cnt; i++) {
					double *r = w->ub + i * p;

					memset(r, 0, p * sizeof(double));
					for (size_t h = 0; h < 2; h++) {
						const size_t c = pair_index(w, s0 + i, h);
						const uint8_t *z = w->smasks + c * m;
						double y, e;

						reduced_x(z, m, w->xb);
						reduced_y(w->sv + c * k, z, ctx, out, w->yb);
						y = w->yb[kk];
						e = y;
						for (size_t j = 0; j < p; j++)
							e -= w->xb[j] * out->phi[kk * m + j];
						for (size_t j = 0; j < p; j++)
							r[j] += w->xb[j] * e;
					}
					for (size_t j = 0; j < p; j++)
						rsum[j] += r[j];
				}
				candor__gram_add(w->c, w->ub, cnt, p);
			}
			for (size_t i = 0; i < p; i++)
				for (size_t j = 0; j <= i; j++) {
					double cv = w->c[i * p + j] - rsum[i] * rsum[j] / (double)npairs;

					w->c[i * p + j] = w->c[j * p + i] = scale * cv;
				}
			/* C <- A^-1 C, then (A^-1 C)' solved again: A^-1 C A^-1. */
			LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (int)p, (int)p, w->a, (int)p, w->c, (int)p);
			for (size_t i = 0; i < p; i++)
				for (size_t j = 0; j < i; j++) {
					double t = w->c[i * p + j];

					w->c[i * p + j] = w->c[j * p + i];
					w->c[j * p + i] = t;
				}
			LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (int)p, (int)p, w->a, (int)p, w->c, (int)p);
			for (size_t j = 0; j < p; j++) {
				double var = w->c[j * p + j];

				out->se[kk * m + j] = var > 0 ? sqrt(var) : 0;
				for (size_t q = 0; q < p; q++)
					tot += w->c[j * p + q];
			}
			out->se[kk * m + m - 1] = tot > 0 ? sqrt(tot) : 0;
			for (size_t j = 0; j < m; j++)
				if (out->se[kk * m + j] > *max_se)
					*max_se = out->se[kk * m + j];
		}
	}
	return CANDOR_OK;
}

static candor_status kernel_row(void *pw, const candor__ctx *ctx, const double *x, gsl_rng *rng,
                                candor__row_out *out)
{
	kernel_ws *w = pw;
	const size_t m = w->m, p = w->p, k = w->k;
	size_t npairs = 0;
	double max_se = 0;
	candor_status st;

	for (size_t kk = 0; kk < k; kk++)
		out->base[kk] = ctx->base[kk];
	if (m == 1) {
		for (size_t kk = 0; kk < k; kk++) {
			out->phi[kk] = out->pred[kk] - ctx->base[kk];
			if (out->se)
				out->se[kk] = 0;
		}
		return CANDOR_OK;
	}
	/* 1. the enumerated sizes: b_enum = X' W y'. */
	memset(w->b_enum, 0, p * k * sizeof(double));
	if (w->n_enum) {
		st = candor__coal_eval(&w->coal, x, w->enum_masks, w->n_enum, w->v);
		if (st != CANDOR_OK)
			return st;
		for (size_t s = 0; s < w->n_enum; s += BLOCK) {
			const size_t cnt = w->n_enum - s < BLOCK ? w->n_enum - s : BLOCK;

			for (size_t i = 0; i < cnt; i++) {
				reduced_y(w->v + (s + i) * k, w->enum_masks + (s + i) * m, ctx, out,
				          w->yb + i * k);
				for (size_t kk = 0; kk < k; kk++)
					w->yb[i * k + kk] *= w->enum_w[s + i];
			}
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, (int)k, (int)cnt, 1.0,
			            w->enum_x + s * p, (int)p, w->yb, (int)k, 1.0, w->b_enum, (int)k);
		}
	}
	/* 2. paired samples, in rounds, kept for the standard errors. */
	memset(w->g_sum, 0, p * p * sizeof(double));
	memset(w->u_sum, 0, p * k * sizeof(double));
	while (npairs < w->max_pairs) {
		const size_t r = w->max_pairs - npairs < w->round ? w->max_pairs - npairs : w->round;
		uint8_t *masks = w->smasks + 2 * npairs * m;
		double *v = w->sv + 2 * npairs * k;

		draw_round(w, rng, r, masks);
		st = candor__coal_eval(&w->coal, x, masks, 2 * r, v);
		if (st != CANDOR_OK)
			return st;
		for (size_t s = 0; s < 2 * r; s += BLOCK) {
			const size_t cnt = 2 * r - s < BLOCK ? 2 * r - s : BLOCK;

			for (size_t i = 0; i < cnt; i++) {
				reduced_x(masks + (s + i) * m, m, w->xb + i * p);
				reduced_y(v + (s + i) * k, masks + (s + i) * m, ctx, out, w->yb + i * k);
			}
			candor__gram_add(w->g_sum, w->xb, cnt, p);
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, (int)k, (int)cnt, 1.0,
			            w->xb, (int)p, w->yb, (int)k, 1.0, w->u_sum, (int)k);
		}
		npairs += r;
		if (ctx->o.target_stderr > 0 && npairs >= 2) {
			st = solve(w, ctx, npairs, out, &max_se);
			if (st != CANDOR_OK && npairs < w->max_pairs)
				continue; /* not determined yet: keep sampling */
			if (st == CANDOR_OK && max_se <= ctx->o.target_stderr)
				return CANDOR_OK;
		}
	}
	return solve(w, ctx, npairs, out, &max_se);
}

const candor__method candor__kernel_method = { kernel_ws_new, kernel_ws_free, kernel_row };
