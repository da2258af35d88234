/*
 * exact.c - exact interventional Shapley values by enumerating all 2^M
 * coalitions (Shapley 1953; the interventional value function of Janzing,
 * Minorics & Bloebaum 2020 and of shap's ExactExplainer):
 *
 *   phi_j = sum_{S not containing j} |S|! (M - |S| - 1)! / M! (v(S + j) - v(S))
 *
 * with v(S) = g(sum_b w_b f(x_S, b_~S)). Costs 2^M * nbg model rows per
 * explained row, so it is refused above max_exact_features (default 16).
 * Departure: v(empty) and v(all) are taken from the base value and the
 * prediction computed once by the driver (the same numbers up to rounding),
 * so efficiency holds against the reported base_value and prediction.
 */
#include <math.h>
#include <string.h>

#include "explain/explain_int.h"

typedef struct exact_ws {
	candor__coal coal;
	uint8_t *masks; /* 2^M x M */
	double *v;      /* 2^M x K */
	double *w;      /* M Shapley weights by coalition size */
} exact_ws;

candor_status candor__exact_check(const candor__ctx *ctx)
{
	if (ctx->m > ctx->o.max_exact_features || ctx->m > 30)
		return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
		                     "exact Shapley values enumerate 2^M coalitions: %zu features "
		                     "exceed the limit of %zu; use another options.method (kernel or permutation)",
		                     ctx->m, ctx->o.max_exact_features < 30 ? ctx->o.max_exact_features
		                                                            : (size_t)30);
	return CANDOR_OK;
}

static void exact_ws_free(void *p)
{
	exact_ws *w = p;

	if (!w)
		return;
	candor__coal_free(&w->coal);
	candor__free(w->masks);
	candor__free(w->v);
	candor__free(w->w);
	candor__free(w);
}

static candor_status exact_ws_new(void **out, const candor__ctx *ctx)
{
	const size_t m = ctx->m, ns = (size_t)1 << m;
	exact_ws *w = candor__calloc(1, sizeof(*w));
	candor_status st;

	*out = NULL;
	if (!w)
		return CANDOR_ENOMEM;
	st = candor__coal_init(&w->coal, ctx->model, ctx->bg, ctx->o.link, ctx->o.max_batch_rows);
	if (st != CANDOR_OK) {
		exact_ws_free(w);
		return st;
	}
	w->masks = candor__mallocarray(ns, m);
	w->v = candor__mallocarray(ns, ctx->k * sizeof(double));
	w->w = candor__mallocarray(m, sizeof(double));
	if (!w->masks || !w->v || !w->w) {
		exact_ws_free(w);
		return CANDOR_ENOMEM;
	}
	for (size_t s = 0; s < ns; s++)
		for (size_t j = 0; j < m; j++)
			w->masks[s * m + j] = (uint8_t)((s >> j) & 1);
	/* w(s) = s! (M - s - 1)! / M! = 1 / (M * C(M - 1, s)) */
	for (size_t s = 0; s < m; s++) {
		double c = 1;

		for (size_t i = 1; i <= s; i++)
			c = c * (double)(m - 1 - s + i) / (double)i;
		w->w[s] = 1.0 / ((double)m * c);
	}
	*out = w;
	return CANDOR_OK;
}

static candor_status exact_row(void *p, const candor__ctx *ctx, const double *x, gsl_rng *rng,
                               candor__row_out *out)
{
	exact_ws *w = p;
	const size_t m = ctx->m, k = ctx->k, ns = (size_t)1 << m, full = ns - 1;
	candor_status st;

	(void)rng;
	/* Interior coalitions only; the two ends come from the driver. */
	if (ns > 2) {
		st = candor__coal_eval(&w->coal, x, w->masks + m, ns - 2, w->v + k);
		if (st != CANDOR_OK)
			return st;
	}
	for (size_t kk = 0; kk < k; kk++) {
		w->v[kk] = ctx->base[kk];
		w->v[full * k + kk] = out->pred[kk];
		out->base[kk] = ctx->base[kk];
	}
	for (size_t kk = 0; kk < k; kk++) {
		for (size_t j = 0; j < m; j++) {
			const size_t bit = (size_t)1 << j;
			double phi = 0;

			for (size_t s = 0; s < ns; s++) {
				if (s & bit)
					continue;
				phi += w->w[__builtin_popcountll(s)] *
				       (w->v[(s | bit) * k + kk] - w->v[s * k + kk]);
			}
			out->phi[kk * m + j] = phi;
			if (out->se)
				out->se[kk * m + j] = 0;
		}
	}
	return CANDOR_OK;
}

const candor__method candor__exact_method = { exact_ws_new, exact_ws_free, exact_row };
