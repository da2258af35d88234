/*
 * model.c - the public model interface: loading by content, the accessors,
 * batched predict and binding a model's features to a table.
 *
 * candor_model_load() reads the file once and decides by content:
 *   - "\x7fELF" magic: a shared-library plugin (plugin.c);
 *   - a first line "tree": LightGBM's text model (lightgbm.c);
 *   - JSON whose top-level object has "format": candor's tree-ensemble JSON
 *     (ensemble.c, written by tools/candor-export-sklearn);
 *   - JSON whose top-level object has "learner": XGBoost (xgboost.c);
 *   - UBJSON ('{' then a UBJSON marker, core/ubjson.c) with "learner":
 *     XGBoost's binary JSON, read by the same loader;
 *   - JSON whose top-level object has "kind": linear/logistic (linear.c);
 *   - anything else: CANDOR_EPARSE naming the file.
 * JSON is read by the JSON core (core/json_int.h): strictly, with its bounds
 * and its one wording of every fault, at the fault's line and column.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/models_int.h"
#include "models/tree_int.h"

/* Model files are small; refuse anything absurd rather than exhaust memory. */

candor_status candor__model_alloc(candor_model **out, size_t nfeatures)
{
	candor_model *m = candor__calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return CANDOR_ENOMEM;
	m->features = candor__calloc(nfeatures ? nfeatures : 1, sizeof(char *));
	if (!m->features) {
		candor__free(m);
		return CANDOR_ENOMEM;
	}
	if (pthread_mutex_init(&m->lock, NULL) != 0) {
		candor__free(m->features);
		candor__free(m);
		return candor__error(CANDOR_ENOMEM, NULL, 0, 0, "cannot create the model's lock");
	}
	m->nfeatures = nfeatures;
	m->noutputs = 1;
	*out = m;
	return CANDOR_OK;
}

void candor_model_free(candor_model *model)
{
	if (!model)
		return;
	if (model->vt && model->vt->free)
		model->vt->free(model->state);
	if (model->features)
		for (size_t j = 0; j < model->nfeatures; j++)
			candor__free(model->features[j]);
	candor__free(model->features);
	candor__free(model->name);
	pthread_mutex_destroy(&model->lock);
	candor__free(model);
}

static candor_status load_json(candor_model **out, const char *text, size_t len,
                               const char *name)
{
	candor__json doc;
	candor_status st;
	size_t i = 0;

	if (candor__ubjson_detect(text, len)) {
		/* XGBoost's binary JSON (save_model("m.ubj")): only XGBoost
		 * writes it, so it is read as XGBoost's, NaN included */
		const candor__json_limits ulim = { .nonfinite = true };
		if ((st = candor__ubjson_read(&doc, text, len, name, &ulim)))
			return st;
		if (!json_object_is_type(doc.root, json_type_object) ||
		    !json_object_object_get_ex(doc.root, "learner", NULL))
			st = candor__json_error(&doc, doc.root, CANDOR_EPARSE,
			                        "not a model file: UBJSON without \"learner\" "
			                        "(only XGBoost models are read from UBJSON)");
		else
			st = candor__xgboost_load(out, &doc);
		candor__json_done(&doc);
		return st;
	}
	while (i < len && strchr(" \t\r\n", text[i]))
		i++;
	if (i == len || (text[i] != '{' && text[i] != '['))
		return candor__error(CANDOR_EPARSE, name, 0, 0,
		                     "not a model file: expected XGBoost JSON, candor's "
		                     "tree-ensemble JSON, linear/logistic JSON, a LightGBM text "
		                     "model or a shared-library plugin");
	/* XGBoost's writer emits NaN for the conditions of categorical splits:
	 * read them, and let its loader refuse what it cannot use. Any other
	 * JSON model is read again strictly (they are small). */
	const candor__json_limits lim = { .nonfinite = true };
	st = candor__json_read(&doc, text, len, name, &lim);
	if (st != CANDOR_OK)
		return st; /* a fault whatever the document is */
	if (!json_object_is_type(doc.root, json_type_object) ||
	         !json_object_object_get_ex(doc.root, "learner", NULL)) {
		candor__json_done(&doc);
		st = candor__json_read(&doc, text, len, name, NULL);
	}
	if (st != CANDOR_OK)
		return st;
	if (!json_object_is_type(doc.root, json_type_object))
		st = candor__json_expect(&doc, doc.root, json_type_object);
	else if (candor__ensemble_detect(doc.root))
		st = candor__ensemble_load(out, &doc);
	else if (json_object_object_get_ex(doc.root, "learner", NULL))
		st = candor__xgboost_load(out, &doc);
	else if (json_object_object_get_ex(doc.root, "kind", NULL))
		st = candor__linear_load(out, &doc);
	else
		st = candor__json_error(&doc, doc.root, CANDOR_EPARSE,
		                        "not a model file: JSON with neither \"format\" (candor's "
		                        "tree-ensemble JSON), \"learner\" (XGBoost) nor \"kind\" "
		                        "(linear/logistic)");
	candor__json_done(&doc);
	return st;
}

/* Name a freshly loaded model for messages (unless its adapter did). */
static candor_status set_name(candor_model **m, const char *name)
{
	if ((*m)->name)
		return CANDOR_OK;
	(*m)->name = candor__strdup(name);
	if ((*m)->name)
		return CANDOR_OK;
	candor_model_free(*m);
	*m = NULL;
	return CANDOR_ENOMEM;
}

candor_status candor_model_load(candor_model **out, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	candor_status st;

	if (!out || !path)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "model_load: NULL argument");
	*out = NULL;
	st = candor__file_read(path, &text, &len);
	if (st != CANDOR_OK)
		return st;
	if (len >= 4 && memcmp(text, "\x7f" "ELF", 4) == 0)
		st = candor__plugin_load(out, path);
	else if (candor__lightgbm_detect(text, len))
		st = candor__lightgbm_load(out, text, len, path);
	else
		st = load_json(out, text, len, path);
	candor__free(text);
	return st == CANDOR_OK ? set_name(out, path) : st;
}

candor_status candor_model_load_buffer(candor_model **out, const char *data, size_t len,
                                       const char *name)
{
	candor_status st;

	if (!out || (!data && len))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "model_load_buffer: NULL argument");
	*out = NULL;
	if (!name)
		name = "<buffer>";
	if (len >= 4 && memcmp(data, "\x7f" "ELF", 4) == 0)
		return candor__error(CANDOR_EUNSUPPORTED, name, 0, 0,
		                     "a plugin must be loaded from a file");
	if (data && candor__lightgbm_detect(data, len))
		st = candor__lightgbm_load(out, data, len, name);
	else
		st = load_json(out, data ? data : "", len, name);
	return st == CANDOR_OK ? set_name(out, name) : st;
}

candor_model_type candor_model_type_of(const candor_model *model)
{
	return model->type;
}

size_t candor_model_nfeatures(const candor_model *model)
{
	return model->nfeatures;
}

const char *candor_model_feature(const candor_model *model, size_t j)
{
	return j < model->nfeatures ? model->features[j] : NULL;
}

size_t candor_model_noutputs(const candor_model *model)
{
	return model->noutputs;
}

candor_output_kind candor_model_output_kind(const candor_model *model)
{
	return model->output_kind;
}

bool candor_model_is_reentrant(const candor_model *model)
{
	return model->reentrant;
}

/*
 * Every adapter's outputs pass one check before anyone uses them: a number
 * that is not finite, or a "probability" outside [0, 1], is not a
 * prediction that an explanation or a decision may be built on (a logit of
 * 1.5 would be clamped, a NaN would empty a SHAP cell). The error names the
 * model, the row (0-based, within this call) and the value.
 */
static candor_status check_outputs(const candor_model *model, const double *out, size_t n)
{
	const size_t k = model->noutputs, cells = n * k;
	const bool prob = model->output_kind == CANDOR_OUTPUT_PROBABILITY;
	bool bad = false;
	size_t c;

	/* One pass without an early exit (vectorisable), then find the culprit. */
	if (prob)
		for (c = 0; c < cells; c++)
			bad |= !(out[c] >= 0.0 && out[c] <= 1.0);
	else
		for (c = 0; c < cells; c++)
			bad |= !isfinite(out[c]);
	if (!bad)
		return CANDOR_OK;
	for (c = 0; c < cells; c++)
		if (!isfinite(out[c]) || (prob && !(out[c] >= 0.0 && out[c] <= 1.0)))
			break;
	{
		char v[40], where[64] = "";

		if (isnan(out[c]))
			snprintf(v, sizeof(v), "nan");
		else if (isinf(out[c]))
			snprintf(v, sizeof(v), "%sinf", out[c] < 0 ? "-" : "");
		else
			candor__format_double(v, sizeof(v), out[c]);
		if (k > 1)
			snprintf(where, sizeof(where), ", output %zu", c % k);
		return candor__error(CANDOR_EDOMAIN, NULL, 0, 0,
		                     "model '%s' predicted %s for row %zu of %zu (0-based%s): %s",
		                     model->name ? model->name : "(unnamed)", v, c / k, n, where,
		                     isfinite(out[c]) ? "the model declares probabilities, which lie "
		                                        "in [0, 1]"
		                                      : "a prediction must be a finite number");
	}
}

candor_status candor_model_check_input(const candor_model *model, const double *x, size_t n)
{
	const candor__tree_ensemble *ens;

	if (!model || (n && !x))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "model_check_input: NULL argument");
	ens = candor__tree_ensemble_of(model);
	return ens ? candor__tree_check_rows(ens, x, n) : CANDOR_OK;
}

candor_status candor_model_set_threads(candor_model *model, int threads)
{
	if (!model)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "model is NULL");
	if (threads < 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "threads must be >= 0");
	if (candor__tree_set_threads(model, threads) == CANDOR_OK || threads == 1)
		return CANDOR_OK;
	return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
	                     "only a tree model splits one prediction call among threads; "
	                     "this model's calls run on the caller's thread (threads 1)");
}

candor_status candor_model_predict(candor_model *model, const double *x, size_t n, double *out)
{
	size_t cells;
	candor_status st;

	if (!model || (n && (!x || !out)))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "model_predict: NULL argument");
	if (n == 0)
		return CANDOR_OK;
	if (candor__mul_overflow(n, model->nfeatures, &cells) ||
	    candor__mul_overflow(n, model->noutputs, &cells))
		return candor__error(CANDOR_ENOMEM, NULL, 0, 0, "model_predict: %zu rows overflow", n);
	if (model->reentrant) {
		st = model->vt->predict(model->state, x, n, out);
	} else {
		pthread_mutex_lock(&model->lock);
		st = model->vt->predict(model->state, x, n, out);
		pthread_mutex_unlock(&model->lock);
	}
	return st == CANDOR_OK ? check_outputs(model, out, n) : st;
}

candor_status candor_model_bind(const candor_model *model, const candor_table *table,
                                size_t *cols)
{
	if (!model || !table || (model->nfeatures && !cols))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "model_bind: NULL argument");
	for (size_t j = 0; j < model->nfeatures; j++) {
		if (candor_table_find(table, model->features[j], &cols[j]) != CANDOR_OK)
			return candor__error(CANDOR_ENOTFOUND, NULL, 0, 0,
			                     "the data has no column '%s', which the model needs",
			                     model->features[j]);
		/* A text column reaches a model as the codes of its dictionary. A
		 * plugin or a command is told so (docs/explain.md); a model file
		 * (linear, XGBoost, LightGBM) was trained on numbers that its file
		 * does not map to text (a categorical split's categories are the
		 * integers of training), so codes would be a guess. */
		if (candor_table_coltype(table, cols[j]) == CANDOR_COL_CATEGORICAL &&
		    model->type != CANDOR_MODEL_COMMAND && model->type != CANDOR_MODEL_PLUGIN)
			return candor__error(CANDOR_EUNSUPPORTED, candor_table_source(table), 0, 0,
			                     "column '%s' holds text, but the model file takes numbers "
			                     "for feature '%s' and does not say which number each "
			                     "text stood for; give the numbers it was trained on "
			                     "(for a categorical split, the integer categories)",
			                     model->features[j], model->features[j]);
	}
	return CANDOR_OK;
}
