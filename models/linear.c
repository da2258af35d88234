/*
 * linear.c - linear and logistic regression models from JSON (DESIGN.md):
 *
 *   {"kind": "logistic"|"linear", "features": [...], "coef": [...],
 *    "intercept": b, "mean": [...], "scale": [...]}
 *
 * prediction = intercept + sum coef_j * (x_j - mean_j) / scale_j, passed
 * through the sigmoid for "logistic" (outputs are probabilities). On load
 * the mean and scale are folded into an effective coefficient vector and
 * intercept, so predict is one dot product per row and linear SHAP can read
 * the margin form directly (candor__linear_margin_form).
 */
#include <math.h>
#include <string.h>

#include "models/models_int.h"

typedef struct linear_state {
	size_t m;
	bool logistic;
	double *coef;     /* effective: coef_j / scale_j */
	double intercept; /* effective: intercept - sum coef_j * mean_j / scale_j */
} linear_state;

static candor_status linear_predict(void *state, const double *x, size_t n, double *out)
{
	const linear_state *s = state;
	const size_t m = s->m;

	for (size_t i = 0; i < n; i++) {
		const double *xi = x + i * m;
		double z = s->intercept;

		for (size_t j = 0; j < m; j++)
			z += s->coef[j] * xi[j];
		if (s->logistic)
			z = z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
		out[i] = z;
	}
	return CANDOR_OK;
}

static void linear_free(void *state)
{
	linear_state *s = state;

	if (!s)
		return;
	candor__free(s->coef);
	candor__free(s);
}

static const candor__model_vtable linear_vt = { linear_predict, linear_free };

/* Read numeric array `key` of length m into out; `required` or fill with `dflt`. */
static candor_status read_array(json_object *root, const char *key, size_t m, bool required,
                                double dflt, double *out, const char *path)
{
	json_object *a;

	if (!json_object_object_get_ex(root, key, &a) || json_object_is_type(a, json_type_null)) {
		if (required)
			return candor__error(CANDOR_EPARSE, path, 0, 0,
			                     "linear model: missing \"%s\" array", key);
		for (size_t j = 0; j < m; j++)
			out[j] = dflt;
		return CANDOR_OK;
	}
	if (!json_object_is_type(a, json_type_array))
		return candor__error(CANDOR_EPARSE, path, 0, 0, "linear model: \"%s\" is not an array",
		                     key);
	if (json_object_array_length(a) != m)
		return candor__error(CANDOR_EPARSE, path, 0, 0,
		                     "linear model: \"%s\" has %zu entries, \"features\" has %zu", key,
		                     json_object_array_length(a), m);
	for (size_t j = 0; j < m; j++) {
		json_object *e = json_object_array_get_idx(a, j);

		if (!json_object_is_type(e, json_type_double) && !json_object_is_type(e, json_type_int))
			return candor__error(CANDOR_EPARSE, path, 0, 0,
			                     "linear model: \"%s\"[%zu] is not a number", key, j);
		out[j] = json_object_get_double(e);
		if (!isfinite(out[j]))
			return candor__error(CANDOR_EPARSE, path, 0, 0,
			                     "linear model: \"%s\"[%zu] is not finite", key, j);
	}
	return CANDOR_OK;
}

candor_status candor__linear_load(candor_model **out, json_object *root, const char *path)
{
	json_object *kind, *feats, *icpt;
	const char *ks;
	bool logistic;
	size_t m;
	candor_model *model = NULL;
	linear_state *s = NULL;
	double *mean = NULL, *scale = NULL;
	candor_status st;

	*out = NULL;
	if (!json_object_object_get_ex(root, "kind", &kind) ||
	    !json_object_is_type(kind, json_type_string))
		return candor__error(CANDOR_EPARSE, path, 0, 0, "linear model: \"kind\" is not a string");
	ks = json_object_get_string(kind);
	if (strcmp(ks, "logistic") == 0)
		logistic = true;
	else if (strcmp(ks, "linear") == 0)
		logistic = false;
	else
		return candor__error(CANDOR_EUNSUPPORTED, path, 0, 0,
		                     "model kind '%s' is not supported (logistic or linear)", ks);
	if (!json_object_object_get_ex(root, "features", &feats) ||
	    !json_object_is_type(feats, json_type_array) || json_object_array_length(feats) == 0)
		return candor__error(CANDOR_EPARSE, path, 0, 0,
		                     "linear model: \"features\" must be a non-empty array of names");
	m = json_object_array_length(feats);
	st = candor__model_alloc(&model, m);
	if (st != CANDOR_OK)
		return st;
	model->type = logistic ? CANDOR_MODEL_LOGISTIC : CANDOR_MODEL_LINEAR;
	model->vt = &linear_vt;
	model->noutputs = 1;
	model->output_kind = logistic ? CANDOR_OUTPUT_PROBABILITY : CANDOR_OUTPUT_VALUE;
	model->reentrant = true;
	s = candor__calloc(1, sizeof(*s));
	if (!s) {
		st = CANDOR_ENOMEM;
		goto fail;
	}
	model->state = s;
	s->m = m;
	s->logistic = logistic;
	s->coef = candor__mallocarray(m, sizeof(double));
	mean = candor__mallocarray(m, sizeof(double));
	scale = candor__mallocarray(m, sizeof(double));
	if (!s->coef || !mean || !scale) {
		st = CANDOR_ENOMEM;
		goto fail;
	}
	for (size_t j = 0; j < m; j++) {
		json_object *e = json_object_array_get_idx(feats, j);

		if (!json_object_is_type(e, json_type_string) || !json_object_get_string_len(e)) {
			st = candor__error(CANDOR_EPARSE, path, 0, 0,
			                   "linear model: \"features\"[%zu] is not a non-empty name", j);
			goto fail;
		}
		for (size_t k = 0; k < j; k++) {
			if (strcmp(model->features[k], json_object_get_string(e)) == 0) {
				st = candor__error(CANDOR_EPARSE, path, 0, 0,
				                   "linear model: feature '%s' appears twice",
				                   json_object_get_string(e));
				goto fail;
			}
		}
		model->features[j] = candor__strdup(json_object_get_string(e));
		if (!model->features[j]) {
			st = CANDOR_ENOMEM;
			goto fail;
		}
	}
	if ((st = read_array(root, "coef", m, true, 0, s->coef, path)) != CANDOR_OK ||
	    (st = read_array(root, "mean", m, false, 0, mean, path)) != CANDOR_OK ||
	    (st = read_array(root, "scale", m, false, 1, scale, path)) != CANDOR_OK)
		goto fail;
	s->intercept = 0;
	if (json_object_object_get_ex(root, "intercept", &icpt)) {
		if (!json_object_is_type(icpt, json_type_double) &&
		    !json_object_is_type(icpt, json_type_int)) {
			st = candor__error(CANDOR_EPARSE, path, 0, 0,
			                   "linear model: \"intercept\" is not a number");
			goto fail;
		}
		s->intercept = json_object_get_double(icpt);
	}
	for (size_t j = 0; j < m; j++) {
		if (scale[j] == 0) {
			st = candor__error(CANDOR_EPARSE, path, 0, 0,
			                   "linear model: \"scale\"[%zu] is zero", j);
			goto fail;
		}
		s->coef[j] /= scale[j];
		s->intercept -= s->coef[j] * mean[j];
	}
	candor__free(mean);
	candor__free(scale);
	*out = model;
	return CANDOR_OK;
fail:
	candor__free(mean);
	candor__free(scale);
	candor_model_free(model);
	return st;
}

bool candor__linear_margin_form(const candor_model *model, const double **coef,
                                double *intercept)
{
	const linear_state *s;

	if (!model || model->vt != &linear_vt)
		return false;
	s = model->state;
	*coef = s->coef;
	*intercept = s->intercept;
	return true;
}
