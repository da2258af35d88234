/*
 * models_int.h - the model handle's private layout and the adapter vtable
 * (not installed). Each adapter (linear.c, xgboost.c, cmd.c, plugin.c) fills
 * a candor_model with its vtable and private state; model.c holds the
 * public functions and the by-content dispatch of candor_model_load().
 */
#ifndef CANDOR_MODELS_INT_H
#define CANDOR_MODELS_INT_H

#include <json-c/json.h>

#include "candor/models.h"
#include "core/core_int.h"

typedef struct candor__model_vtable {
	/* x: n x M row-major; out: n x K row-major. */
	candor_status (*predict)(void *state, const double *x, size_t n, double *out);
	void (*free)(void *state);
} candor__model_vtable;

struct candor_model {
	candor_model_type type;
	const candor__model_vtable *vt;
	void *state;               /* the adapter's own data, freed by vt->free */
	char **features;           /* M names, owned */
	size_t nfeatures;
	size_t noutputs;           /* K */
	candor_output_kind output_kind;
	bool reentrant;
};

/* Allocate a model with `nfeatures` NULL feature names (calloc'd), to be
 * filled by an adapter. Freed with candor_model_free(). */
candor_status candor__model_alloc(candor_model **out, size_t nfeatures);

/* Adapters. `root` is the parsed JSON document (borrowed); `path` names the
 * file in errors. */
candor_status candor__linear_load(candor_model **out, json_object *root, const char *path);
/* The XGBoost adapter also takes the document's text, to give the line and
 * column of a bad value. */
candor_status candor__xgboost_load(candor_model **out, json_object *root, const char *text,
                                   size_t len, const char *path);
candor_status candor__plugin_load(candor_model **out, const char *path);

/* The tree ensemble behind a tree model (XGBoost, LightGBM): see
 * candor__tree_ensemble_of() in tree_int.h, the one tree engine. */

/* ---- additions by the models/explainers issue (model.c, linear.c, cmd.c,
 * plugin.c); nothing above changes. ---- */

/* A json-c parse of `text`: on failure CANDOR_EPARSE with `path`, the line
 * and column computed from the tokener's offset, and json-c's reason. */
candor_status candor__json_parse(json_object **out, const char *text, size_t len,
                                 const char *path);

/* The margin-space form of a linear/logistic model: margin(x) = intercept +
 * sum coef[j] * x[j] (mean and scale folded in). Returns false for any other
 * model. Used by linear SHAP. */
bool candor__linear_margin_form(const candor_model *model, const double **coef,
                                double *intercept);

/* ---- additions by the tree-ensemble issue (lightgbm.c) ---- */

/* LightGBM's text model: its first line is "tree". */
bool candor__lightgbm_detect(const char *text, size_t len);
candor_status candor__lightgbm_load(candor_model **out, const char *text, size_t len,
                                    const char *path);

#endif
