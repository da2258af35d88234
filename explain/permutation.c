/*
 * permutation.c - permutation-sampling Shapley values (Castro, Gomez &
 * Tejada 2009, "Polynomial calculation of the Shapley value based on
 * sampling") with antithetic permutations (Mitchell, Cooper, Frank & Holmes
 * 2022, "Sampling Permutations for Shapley Value Estimation"), as in shap's
 * PermutationExplainer.
 *
 * For a permutation pi, walking from the empty coalition (v(0) = base value)
 * to the full one (v(1) = prediction) and adding one feature at a time gives
 * each feature its marginal contribution; the contributions telescope to
 * v(1) - v(0), so efficiency holds for every permutation and hence for the
 * estimate. Each sampled permutation is paired with its reverse. A pair costs
 * 2 (M - 1) coalition values; the budget (nsamples) is counted in coalition
 * values, so a row uses floor(nsamples / (2 (M - 1))) pairs. The standard
 * error of each value is the standard deviation of the per-pair means
 * divided by sqrt(pairs).
 *
 * Departure from shap: shap evaluates each prefix once per permutation
 * *including* the shared ends; we take the ends from the driver (base value
 * and prediction), which also makes efficiency hold against them exactly.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "explain/explain_int.h"

typedef struct perm_ws {
	candor__coal coal;
	size_t m, k, npairs, round;
	size_t *perm;     /* round x 2 x M: the permutations of the round */
	uint8_t *masks;   /* round x 2 (M - 1) x M */
	double *v;        /* round x 2 (M - 1) x K */
	double *contrib;  /* K x M: one pair's mean contribution */
	double *sum, *sumsq; /* K x M */
} perm_ws;

candor_status candor__permutation_check(const candor__ctx *ctx)
{
	const size_t m = ctx->m;

	if (m >= 2 && ctx->o.nsamples < 2 * (m - 1))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "permutation SHAP needs at least 2(M - 1) = %zu coalition values "
		                     "for one antithetic pair of permutations of %zu features; a "
		                     "budget of %zu is too small",
		                     2 * (m - 1), m, ctx->o.nsamples);
	return CANDOR_OK;
}

static void perm_ws_free(void *p)
{
	perm_ws *w = p;

	if (!w)
		return;
	candor__coal_free(&w->coal);
	candor__free(w->perm);
	candor__free(w->masks);
	candor__free(w->v);
	candor__free(w->contrib);
	candor__free(w->sum);
	candor__free(w->sumsq);
	candor__free(w);
}

static candor_status perm_ws_new(void **out, const candor__ctx *ctx)
{
	perm_ws *w = candor__calloc(1, sizeof(*w));
	const size_t m = ctx->m, k = ctx->k;
	size_t per_pair;
	candor_status st;

	*out = NULL;
	if (!w)
		return CANDOR_ENOMEM;
	w->m = m;
	w->k = k;
	per_pair = m > 1 ? 2 * (m - 1) : 1;
	w->npairs = m > 1 ? ctx->o.nsamples / per_pair : 0;
	/* Enough pairs per round to fill about one predict call. */
	w->round = ctx->o.max_batch_rows / (ctx->bg->n * per_pair);
	if (w->round == 0)
		w->round = 1;
	if (w->round > w->npairs)
		w->round = w->npairs ? w->npairs : 1;
	st = candor__coal_init(&w->coal, ctx->model, ctx->bg, ctx->o.link, ctx->o.max_batch_rows);
	if (st != CANDOR_OK) {
		perm_ws_free(w);
		return st;
	}
	w->perm = candor__mallocarray(w->round * 2, m * sizeof(size_t));
	w->masks = candor__mallocarray(w->round * per_pair, m);
	w->v = candor__mallocarray(w->round * per_pair, k * sizeof(double));
	w->contrib = candor__mallocarray(k, m * sizeof(double));
	w->sum = candor__mallocarray(k, m * sizeof(double));
	w->sumsq = candor__mallocarray(k, m * sizeof(double));
	if (!w->perm || !w->masks || !w->v || !w->contrib || !w->sum || !w->sumsq) {
		perm_ws_free(w);
		return CANDOR_ENOMEM;
	}
	*out = w;
	return CANDOR_OK;
}

static candor_status perm_row(void *pw, const candor__ctx *ctx, const double *x, gsl_rng *rng,
                              candor__row_out *out)
{
	perm_ws *w = pw;
	const size_t m = w->m, k = w->k, per = m > 1 ? m - 1 : 0;
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
	memset(w->sum, 0, k * m * sizeof(double));
	memset(w->sumsq, 0, k * m * sizeof(double));
	for (size_t done = 0; done < w->npairs;) {
		const size_t r = w->npairs - done < w->round ? w->npairs - done : w->round;

		/* Draw the round's permutations and their prefix coalitions. */
		for (size_t i = 0; i < r; i++) {
			size_t *fwd = w->perm + 2 * i * m, *rev = fwd + m;

			for (size_t j = 0; j < m; j++)
				fwd[j] = j;
			gsl_ran_shuffle(rng, fwd, m, sizeof(size_t));
			for (size_t j = 0; j < m; j++)
				rev[j] = fwd[m - 1 - j];
			for (size_t h = 0; h < 2; h++) {
				const size_t *pi = fwd + h * m;
				uint8_t *mk = w->masks + (2 * i + h) * per * m;

				memset(mk, 0, per * m);
				for (size_t l = 0; l < per; l++) {
					if (l)
						memcpy(mk + l * m, mk + (l - 1) * m, m);
					mk[l * m + pi[l]] = 1;
				}
			}
		}
		st = candor__coal_eval(&w->coal, x, w->masks, 2 * r * per, w->v);
		if (st != CANDOR_OK)
			return st;
		for (size_t i = 0; i < r; i++) {
			memset(w->contrib, 0, k * m * sizeof(double));
			for (size_t h = 0; h < 2; h++) {
				const size_t *pi = w->perm + (2 * i + h) * m;
				const double *v = w->v + (2 * i + h) * per * k;

				for (size_t kk = 0; kk < k; kk++) {
					double prev = ctx->base[kk];

					for (size_t l = 0; l < m; l++) {
						double cur = l < per ? v[l * k + kk] : out->pred[kk];

						w->contrib[kk * m + pi[l]] += 0.5 * (cur - prev);
						prev = cur;
					}
				}
			}
			for (size_t q = 0; q < k * m; q++) {
				w->sum[q] += w->contrib[q];
				w->sumsq[q] += w->contrib[q] * w->contrib[q];
			}
		}
		done += r;
	}
	for (size_t q = 0; q < k * m; q++) {
		const double np = (double)w->npairs, mean = w->sum[q] / np;

		out->phi[q] = mean;
		if (out->se) {
			double var = w->npairs > 1 ? (w->sumsq[q] - np * mean * mean) / (np - 1) : NAN;

			out->se[q] = var > 0 ? sqrt(var / np) : (var == var ? 0 : NAN);
		}
	}
	return CANDOR_OK;
}

const candor__method candor__permutation_method = { perm_ws_new, perm_ws_free, perm_row };
