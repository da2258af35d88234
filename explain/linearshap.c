/*
 * linearshap.c - SHAP values of a linear or logistic model in closed form
 * (Lundberg & Lee 2017, "Linear SHAP"; the interventional form of shap's
 * LinearExplainer): for margin(x) = b + sum_j c_j x_j and a background
 * with weights w,
 *
 *   phi_j = c_j (x_j - E_w[x_j]),  base = b + sum_j c_j E_w[x_j],
 *
 * which is exact, on the margin (log-odds for logistic models: --link
 * logit). No departures; missing values (NaN) propagate to NaN.
 */
#include <math.h>

#include "explain/explain_int.h"

candor_status candor__linear_shap(const candor__ctx *ctx, const double *x, size_t n,
                                  candor_explanation *e)
{
	const double *coef;
	double intercept, base;
	const candor_background *bg = ctx->bg;
	const size_t m = ctx->m;
	double *mean;

	if (!candor__linear_margin_form(ctx->model, &coef, &intercept))
		return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
		                     "linear SHAP needs a linear or logistic model; use another "
		                     "options.method (kernel, permutation or exact) for this one");
	if (candor_model_type_of(ctx->model) == CANDOR_MODEL_LOGISTIC &&
	    ctx->o.link != CANDOR_LINK_LOGIT)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "linear SHAP explains a logistic model's log-odds: set options.link to logit");
	if (candor_model_type_of(ctx->model) == CANDOR_MODEL_LINEAR &&
	    ctx->o.link != CANDOR_LINK_IDENTITY)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "linear SHAP of a linear model uses the identity link");
	mean = candor__calloc(m, sizeof(double));
	if (!mean)
		return CANDOR_ENOMEM;
	for (size_t b = 0; b < bg->n; b++)
		for (size_t j = 0; j < m; j++)
			mean[j] += bg->w[b] * bg->x[b * m + j];
	base = intercept;
	for (size_t j = 0; j < m; j++)
		base += coef[j] * mean[j];
	for (size_t i = 0; i < n; i++) {
		double pred = intercept;

		for (size_t j = 0; j < m; j++) {
			e->values[i * m + j] = coef[j] * (x[i * m + j] - mean[j]);
			e->se[i * m + j] = 0;
			pred += coef[j] * x[i * m + j];
		}
		e->base[i] = base;
		e->pred[i] = pred;
		if (ctx->o.on_progress && (i + 1 == n || (i + 1) % 4096 == 0))
			ctx->o.on_progress(i + 1, n, ctx->o.payload);
	}
	candor__free(mean);
	return CANDOR_OK;
}
