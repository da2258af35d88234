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

/* Read numeric array `key` of length m into out; `required`, or else fill
 * with `dflt` when it is absent or null. */
static candor_status read_array(const candor__json *doc, const char *key, size_t m,
                                bool required, double dflt, double *out)
{
	json_object *a, *e;
	candor_status st;

	if ((st = candor__json_member(&a, doc, doc->root, key, json_type_array, required)))
		return st;
	if (!a) {
		for (size_t j = 0; j < m; j++)
			out[j] = dflt;
		return CANDOR_OK;
	}
	if (json_object_array_length(a) != m)
		return candor__json_error(doc, a, CANDOR_EPARSE,
		                          "%zu entries, but \"features\" has %zu",
		                          json_object_array_length(a), m);
	for (size_t j = 0; j < m; j++) {
		/* the core has held every number finite */
		if ((st = candor__json_elem(&e, doc, a, j, json_type_double)))
			return st;
		out[j] = json_object_get_double(e);
	}
	return CANDOR_OK;
}

candor_status candor__linear_load(candor_model **out, const candor__json *doc)
{
	json_object *root = doc->root, *kind, *feats, *icpt;
	const char *ks;
	bool logistic;
	size_t m;
	candor_model *model = NULL;
	linear_state *s = NULL;
	double *mean = NULL, *scale = NULL;
	candor_status st;

	*out = NULL;
	if ((st = candor__json_member(&kind, doc, root, "kind", json_type_string, true)))
		return st;
	ks = json_object_get_string(kind);
	if (strcmp(ks, "logistic") == 0)
		logistic = true;
	else if (strcmp(ks, "linear") == 0)
		logistic = false;
	else
		return candor__json_error(doc, kind, CANDOR_EUNSUPPORTED,
		                          "model kind '%.64s' is not supported (logistic or linear)",
		                          ks);
	if ((st = candor__json_member(&feats, doc, root, "features", json_type_array, true)))
		return st;
	if (json_object_array_length(feats) == 0)
		return candor__json_error(doc, feats, CANDOR_EPARSE,
		                          "must be a non-empty array of names");
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
		json_object *e;

		if ((st = candor__json_elem(&e, doc, feats, j, json_type_string)))
			goto fail;
		if (!json_object_get_string_len(e)) {
			st = candor__json_error(doc, e, CANDOR_EPARSE, "a feature name is empty");
			goto fail;
		}
		for (size_t k = 0; k < j; k++) {
			if (strcmp(model->features[k], json_object_get_string(e)) == 0) {
				st = candor__json_error(doc, e, CANDOR_EPARSE,
				                        "feature '%.64s' appears twice",
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
	if ((st = read_array(doc, "coef", m, true, 0, s->coef)) != CANDOR_OK ||
	    (st = read_array(doc, "mean", m, false, 0, mean)) != CANDOR_OK ||
	    (st = read_array(doc, "scale", m, false, 1, scale)) != CANDOR_OK)
		goto fail;
	s->intercept = 0;
	if ((st = candor__json_member(&icpt, doc, root, "intercept", json_type_double, false)))
		goto fail;
	if (icpt)
		s->intercept = json_object_get_double(icpt);
	for (size_t j = 0; j < m; j++) {
		if (scale[j] == 0) {
			json_object *a;
			json_object_object_get_ex(root, "scale", &a);
			st = candor__json_error_in(doc, a, NULL, j, CANDOR_EPARSE, "a scale is zero");
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
