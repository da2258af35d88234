/*
 * audit.c - one audit, from a table and a model to an audit document:
 * predict every row, measure group fairness of the decisions (fairness
 * module, with the policy's checks), explain a spread of rows (linear SHAP
 * for linear/logistic models, TreeSHAP for tree ensembles, KernelSHAP
 * otherwise) and a few with LIME, work out which features drive the gap in
 * model output between each group and its reference, and record the
 * reproducibility manifest (manifest.c). The document is built as a json-c
 * tree in memory, the fairness module's own tree for "fairness" (nothing
 * is written as text and read back); it is the audit.json structure
 * `candor report --from` reads (docs/report.md), and it is held to the same
 * bounds (check.c).
 *
 * Numbers go into the JSON through candor__format_double (shortest text
 * that reads back to the same double, in any locale), as the object json-c
 * makes of that text when it reads it; NaN and Inf become null with a
 * reason.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"
#include "candor/explain.h"
#include "candor/fairness.h"
#include "candor/treeshap.h"
#include "fairness/fairness_json.h"
#include "report/doc_build.h"

/* ===== JSON building ===================================================== */

static json_object *jd(double v)
{
	char buf[40];

	if (!isfinite(v))
		return NULL; /* json-c writes a NULL member as null */
	candor__format_double(buf, sizeof(buf), v);
	/* an integral text ("%.17g": at most 17 digits) is an int to a reader,
	 * and -0 is 0: the tree is the one a reader of its text gets */
	if (!strpbrk(buf, ".eE"))
		return json_object_new_int64(strtoll(buf, NULL, 10));
	return json_object_new_double_s(v, buf);
}

static json_object *jarr(const double *v, size_t n, size_t stride)
{
	json_object *a = json_object_new_array_ext((int)n);

	for (size_t i = 0; a && i < n; i++)
		json_object_array_add(a, jd(v[i * stride]));
	return a;
}

static void add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

/* ===== explanations ====================================================== */

/* SHAP values of rows `x` (n x M) through one explainer: the library's
 * auto method (TreeSHAP, path-dependent, for tree ensembles; linear SHAP
 * for linear/logistic models; KernelSHAP otherwise) against 100 rows of
 * the data. `method` receives the name of the method that ran. */
static candor_status shap(candor_explanation **out, candor_model *model, const double *x, size_t n,
                          const double *bgx, size_t nbg, const uint64_t *ids,
                          const candor_audit_options *o, const char **method)
{
	candor_background *bg = NULL;
	candor_explainer *ex = NULL;
	candor_explainer_options eo = CANDOR_EXPLAINER_OPTIONS_INIT;
	candor_status st;

	st = candor_background_sample(&bg, bgx, nbg, candor_model_nfeatures(model), 100, o->seed);
	if (st)
		return st;
	eo.tree_mode = candor_treeshap_supports(model) ? CANDOR_TREE_PATH_DEPENDENT : 0;
	eo.seed = o->seed;
	eo.threads = o->threads;
	st = candor_explainer_new(&ex, model, bg, &eo);
	candor_background_free(bg);
	if (st == CANDOR_OK)
		st = candor_explainer_run_ids(out, ex, x, n, ids);
	switch (candor_explainer_method(ex)) {
	case CANDOR_METHOD_TREE: *method = "tree"; break;
	case CANDOR_METHOD_LINEAR: *method = "linear"; break;
	default: *method = "kernel"; break;
	}
	candor_explainer_free(ex);
	return st;
}

static candor_status lime(candor_explanation **out, candor_model *model, const double *x, size_t n,
                          const double *bgx, size_t nbg, const uint64_t *ids,
                          const candor_audit_options *o)
{
	candor_background *bg = NULL;
	candor_explainer *ex = NULL;
	candor_explainer_options eo = CANDOR_EXPLAINER_OPTIONS_INIT;
	candor_status st;

	st = candor_background_sample(&bg, bgx, nbg, candor_model_nfeatures(model), 2000, o->seed);
	if (st)
		return st;
	eo.method = CANDOR_METHOD_LIME;
	eo.seed = o->seed;
	eo.threads = o->threads;
	eo.lime_selection = CANDOR_LIME_SELECT_NONE;
	st = candor_explainer_new(&ex, model, bg, &eo);
	candor_background_free(bg);
	if (st == CANDOR_OK)
		st = candor_explainer_run_ids(out, ex, x, n, ids);
	candor_explainer_free(ex);
	return st;
}

typedef struct drv {
	double d;
	size_t j;
} drv;

static int drv_cmp(const void *pa, const void *pb)
{
	const drv *a = pa, *b = pb;
	const double x = fabs(a->d), y = fabs(b->d);

	if (x != y)
		return x > y ? -1 : 1;
	return a->j < b->j ? -1 : a->j > b->j;
}

/* Which features drive the gap in model output between each group of each
 * attribute and its reference: the difference of the groups' mean SHAP
 * values, largest |difference| first. */
static candor_status drivers(json_object *out, const candor_explanation *e, const candor_table *t,
                             const size_t *rows, const candor_fairness_view *fv)
{
	const size_t n = candor_explanation_nrows(e), m = candor_explanation_nfeatures(e);
	candor_status st = CANDOR_OK;

	for (size_t a = 0; a < fv->nattributes && st == CANDOR_OK; a++) {
		const candor_fairness_attr_result *ar = &fv->attributes[a];
		size_t col, ng;
		int32_t *codes = NULL, refc;
		double *means = NULL;
		size_t *counts = NULL;
		drv *d = NULL;

		if (ar->is_intersection || candor_table_find(t, ar->name, &col) != CANDOR_OK ||
		    candor_table_coltype(t, col) != CANDOR_COL_CATEGORICAL) {
			candor__error_reset();
			continue;
		}
		ng = candor_table_nlevels(t, col);
		refc = candor_table_level_code(t, col, fv->groups[ar->reference].name);
		codes = candor__mallocarray(n ? n : 1, sizeof(*codes));
		means = candor__mallocarray((ng ? ng : 1) * (m ? m : 1), sizeof(*means));
		counts = candor__mallocarray(ng ? ng : 1, sizeof(*counts));
		d = candor__mallocarray(m ? m : 1, sizeof(*d));
		if (!codes || !means || !counts || !d) {
			st = CANDOR_ENOMEM;
			goto next;
		}
		for (size_t i = 0; i < n; i++)
			codes[i] = candor_table_codes(t, col)[rows[i]];
		st = candor_explanation_group_means(e, 0, codes, ng, means, counts);
		if (st || refc < 0 || counts[refc] == 0)
			goto next;
		for (size_t g = 0; g < ng; g++) {
			json_object *o, *fs;
			if ((int32_t)g == refc || counts[g] == 0)
				continue;
			for (size_t j = 0; j < m; j++)
				d[j] = (drv){means[g * m + j] - means[(size_t)refc * m + j], j};
			qsort(d, m, sizeof(*d), drv_cmp);
			o = json_object_new_object();
			fs = json_object_new_array();
			if (!o || !fs) {
				json_object_put(o);
				json_object_put(fs);
				st = candor__oom();
				goto next;
			}
			add(o, "attribute", json_object_new_string(ar->name));
			add(o, "group", json_object_new_string(candor_table_level(t, col, (int32_t)g)));
			add(o, "reference", json_object_new_string(candor_table_level(t, col, refc)));
			add(o, "n_group", json_object_new_uint64(counts[g]));
			add(o, "n_reference", json_object_new_uint64(counts[refc]));
			for (size_t k = 0; k < m; k++) {
				json_object *f = json_object_new_object();
				const size_t j = d[k].j;
				add(f, "feature", json_object_new_string(candor_explanation_feature(e, j)));
				add(f, "mean_group", jd(means[g * m + j]));
				add(f, "mean_reference", jd(means[(size_t)refc * m + j]));
				add(f, "difference", jd(d[k].d));
				json_object_array_add(fs, f);
			}
			add(o, "features", fs);
			json_object_array_add(out, o);
		}
	next:
		candor__free(codes);
		candor__free(means);
		candor__free(counts);
		candor__free(d);
	}
	return st;
}

static json_object *matrix(const double *v, size_t n, size_t m)
{
	json_object *a = json_object_new_array_ext((int)n);

	for (size_t i = 0; a && i < n; i++)
		json_object_array_add(a, jarr(v + i * m, m, 1));
	return a;
}

static candor_status explanations(json_object **out, candor_model *model, const double *x,
                                  size_t nrows, const candor_table *t,
                                  const candor_fairness_view *fv, const candor_audit_options *o)
{
	const size_t m = candor_model_nfeatures(model);
	size_t ne = o->explain_rows ? o->explain_rows : 200;
	size_t nl = o->lime_rows ? o->lime_rows : 3;
	size_t *rows = NULL;
	uint64_t *ids = NULL;
	double *xe = NULL, *imp = NULL;
	candor_explanation *e = NULL, *le = NULL;
	json_object *ex = NULL, *lj, *dj;
	const char *method = "?";
	candor_status st;

	if (ne > nrows)
		ne = nrows;
	if (nl > ne)
		nl = ne;
	rows = candor__mallocarray(ne, sizeof(*rows));
	ids = candor__mallocarray(ne, sizeof(*ids));
	xe = candor__mallocarray(ne * m, sizeof(*xe));
	imp = candor__mallocarray(m, sizeof(*imp));
	if (!rows || !ids || !xe || !imp) {
		st = CANDOR_ENOMEM;
		goto out;
	}
	/* an even spread over the data, the same for every run */
	for (size_t i = 0; i < ne; i++) {
		rows[i] = (size_t)((uint64_t)i * nrows / ne);
		ids[i] = rows[i];
		memcpy(xe + i * m, x + rows[i] * m, m * sizeof(*xe));
	}
	st = shap(&e, model, xe, ne, x, nrows, ids, o, &method);
	if (st)
		goto out;
	st = candor_explanation_importance(e, 0, imp);
	if (st)
		goto out;
	ex = json_object_new_object();
	if (!ex) {
		st = candor__oom();
		goto out;
	}
	/* TreeSHAP explains the trees' sum, the margin, whatever the model
	 * outputs: for a probability model (binary:logistic) that is the
	 * log-odds, the same scale as the logit link of linear SHAP */
	const bool logit = candor_explanation_link(e) == CANDOR_LINK_LOGIT ||
	                   (strcmp(method, "tree") == 0 &&
	                    candor_model_output_kind(model) == CANDOR_OUTPUT_PROBABILITY);
	const bool margin = candor_model_output_kind(model) == CANDOR_OUTPUT_MARGIN || logit;
	add(ex, "method", json_object_new_string(method));
	add(ex, "link", json_object_new_string(logit ? "logit" : "identity"));
	add(ex, "output", json_object_new_string(margin ? "margin (log-odds)" : "model output"));
	json_object *fs = json_object_new_array();
	for (size_t j = 0; j < m; j++)
		json_object_array_add(fs, json_object_new_string(candor_model_feature(model, j)));
	add(ex, "features", fs);
	json_object *rj = json_object_new_array();
	for (size_t i = 0; i < ne; i++)
		json_object_array_add(rj, json_object_new_uint64(ids[i]));
	add(ex, "rows", rj);
	add(ex, "values", matrix(xe, ne, m));
	add(ex, "shap", matrix(candor_explanation_values(e), ne, m));
	add(ex, "base_value", jarr(candor_explanation_base(e), ne, 1));
	add(ex, "prediction", jarr(candor_explanation_prediction(e), ne, 1));
	add(ex, "importance", jarr(imp, m, 1));
	/* LIME on the first rows explained */
	if (nl) {
		st = lime(&le, model, xe, nl, x, nrows, ids, o);
		if (st)
			goto out;
		lj = json_object_new_object();
		json_object *lr = json_object_new_array();
		for (size_t i = 0; i < nl; i++)
			json_object_array_add(lr, json_object_new_uint64(ids[i]));
		add(lj, "rows", lr);
		add(lj, "weights", matrix(candor_explanation_values(le), nl, m));
		add(lj, "intercept", jarr(candor_explanation_base(le), nl, 1));
		add(lj, "local_prediction", jarr(candor_explanation_local_prediction(le), nl, 1));
		add(lj, "prediction", jarr(candor_explanation_prediction(le), nl, 1));
		add(lj, "score", jarr(candor_explanation_score(le), nl, 1));
		add(ex, "lime", lj);
	}
	dj = json_object_new_array();
	if (!dj) {
		st = candor__oom();
		goto out;
	}
	add(ex, "group_drivers", dj);
	st = drivers(dj, e, t, rows, fv);
out:
	if (st) {
		json_object_put(ex);
		ex = NULL;
	}
	*out = ex;
	candor_explanation_free(e);
	candor_explanation_free(le);
	candor__free(rows);
	candor__free(ids);
	candor__free(xe);
	candor__free(imp);
	return st;
}

/* ===== the audit ========================================================= */

candor_status candor_audit_options_init(candor_audit_options *opts, unsigned int version)
{
	/* a version 1 struct ends before threshold_set */
	const size_t size = version == 1 ? offsetof(candor_audit_options, threshold_set)
	                  : version == CANDOR_AUDIT_OPTIONS_VERSION ? sizeof(*opts) : 0;

	return candor__options_init(opts, size, version, CANDOR_AUDIT_OPTIONS_VERSION,
	                            "candor_audit_options");
}

/* The caller's options as the current version, with every default filled
 * in and every field checked (the threshold only when `decisions`: a
 * fairness-only document ignores it). NULL: all defaults. */
static candor_status options(candor_audit_options *o, const candor_audit_options *opts,
                             bool decisions)
{
	candor_audit_options_init(o, CANDOR_AUDIT_OPTIONS_VERSION);
	if (!opts)
		return CANDOR_OK;
	if (opts->version < 1 || opts->version > CANDOR_AUDIT_OPTIONS_VERSION)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "audit options: version %u is not one of 1..%u", opts->version,
		                     CANDOR_AUDIT_OPTIONS_VERSION);
	/* copy only what a struct of that version has */
	memcpy(o, opts, opts->version == 1 ? offsetof(candor_audit_options, threshold_set)
	                                   : sizeof(*o));
	o->version = CANDOR_AUDIT_OPTIONS_VERSION;
	if (decisions && !(o->threshold >= 0 && o->threshold <= 1))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "audit options: options.threshold %g is not a probability in [0, 1]",
		                     o->threshold);
	if (!o->threshold_set && o->threshold == 0)
		o->threshold = 0.5;
	if (o->threads < 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "audit options: options.threads is %d; 0 means the default",
		                     o->threads);
	return CANDOR_OK;
}

/* The document around a fairness result: the fairness module's own tree,
 * the verdict, the manifest *man and the explanations *ex (NULL: none),
 * checked against the document's bounds. Takes *man and *ex, whatever
 * happens, and sets them NULL. */
static candor_status assemble(candor_audit_doc **out, const candor_fairness_result *res,
                              json_object **man, json_object **ex)
{
	json_object *root = NULL, *fair = NULL;
	candor_status st = candor__fairness_result_tree(res, &fair);

	if (st == CANDOR_OK && !(root = json_object_new_object()))
		st = candor__oom();
	if (st == CANDOR_OK) {
		add(root, "candor_version", json_object_new_string(candor_version()));
		add(root, "kind", json_object_new_string("candor-audit"));
		add(root, "verdict",
		    json_object_new_string(candor_fairness_result_view(res)->pass ? "pass" : "fail"));
		add(root, "manifest", *man);
		add(root, "fairness", fair);
		if (*ex)
			add(root, "explanations", *ex);
		*man = *ex = fair = NULL;
		st = candor__audit_check(root);
		if (st == CANDOR_OK)
			return candor__doc_adopt(out, root);
		json_object_put(root);
	} else {
		json_object_put(fair);
		json_object_put(*man);
		json_object_put(*ex);
		*man = *ex = NULL;
	}
	return st;
}

candor_status candor_audit_doc_from_fairness(candor_audit_doc **out,
                                             const candor_fairness_result *res,
                                             const candor_audit_options *opts)
{
	candor_audit_options o;
	const candor_fairness_view *v;
	const char **names = NULL;
	json_object *man = NULL, *ex = NULL;
	candor_status st;

	if (!out || !res)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "audit document: no fairness result");
	*out = NULL;
	if ((st = options(&o, opts, false)))
		return st;
	v = candor_fairness_result_view(res);
	if (!o.sensitive || o.nsensitive == 0) {
		/* the result's own attributes, without the intersection */
		names = candor__mallocarray(v->nattributes ? v->nattributes : 1, sizeof(*names));
		if (!names)
			return CANDOR_ENOMEM;
		o.nsensitive = 0;
		for (size_t a = 0; a < v->nattributes; a++)
			if (!v->attributes[a].is_intersection)
				names[o.nsensitive++] = v->attributes[a].name;
		o.sensitive = names;
	}
	st = candor__audit_manifest(&man, &o, (size_t)v->n, 0, NULL);
	candor__free(names);
	if (st)
		return st;
	return assemble(out, res, &man, &ex);
}

candor_status candor_audit_run(candor_audit_doc **out, const candor_table *data,
                               candor_model *model, const candor_audit_options *opts)
{
	const size_t n = data ? candor_table_nrows(data) : 0;
	const size_t m = model ? candor_model_nfeatures(model) : 0;
	size_t *cols = NULL;
	double *x = NULL, *score = NULL, *pred = NULL;
	candor_fairness_acc *acc = NULL;
	candor_fairness_result *res = NULL;
	json_object *man = NULL, *ex = NULL, *exrows;
	candor_audit_options o;
	candor_status st;

	if (!out || !data || !model || !opts)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "audit: missing argument");
	*out = NULL;
	if ((st = options(&o, opts, true)))
		return st;
	opts = &o; /* from here on, with the defaults filled in */
	if (!opts->label || !opts->sensitive || opts->nsensitive == 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "audit: options.label and at least one options.sensitive column are required");
	if (n == 0)
		return candor__error(CANDOR_EINVAL, opts->data_path, 0, 0, "audit: the data has no rows");
	if (candor_model_noutputs(model) != 1)
		return candor__error(CANDOR_EUNSUPPORTED, opts->model_path, 0, 0,
		                     "audit: the model has %zu outputs; only binary classifiers (1 output) can be audited",
		                     candor_model_noutputs(model));
	if (candor_model_output_kind(model) == CANDOR_OUTPUT_VALUE)
		return candor__error(CANDOR_EUNSUPPORTED, opts->model_path, 0, 0,
		                     "audit: the model is a regression; audits need a classifier");

	/* 1. every row through the model */
	cols = candor__mallocarray(m, sizeof(*cols));
	x = candor__mallocarray(n * m, sizeof(*x));
	score = candor__mallocarray(n, sizeof(*score));
	pred = candor__mallocarray(n, sizeof(*pred));
	if (!cols || !x || !score || !pred) {
		st = CANDOR_ENOMEM;
		goto out;
	}
	st = candor_model_bind(model, data, cols);
	if (st)
		goto out;
	st = candor_table_matrix(x, data, cols, m);
	if (st == CANDOR_OK)
		st = candor_model_predict(model, x, n, score);
	if (st)
		goto out;
	const double thr = opts->threshold;
	for (size_t i = 0; i < n; i++) {
		double p = score[i];
		if (candor_model_output_kind(model) == CANDOR_OUTPUT_MARGIN)
			p = 1 / (1 + exp(-p));
		if (!isfinite(p)) {
			st = candor__error(CANDOR_EDOMAIN, opts->data_path, i + 2, 0,
			                   "audit: the model's output for row %zu is not a number", i + 1);
			goto out;
		}
		score[i] = fmin(1, fmax(0, p));
		pred[i] = score[i] >= thr;
	}

	/* 2. fairness of those decisions: label and sensitive columns from the
	 * user's table (so errors point into the data file), the model's
	 * decisions and scores as arrays */
	candor_fairness_columns fc = CANDOR_FAIRNESS_COLUMNS_INIT;
	fc.label = opts->label;
	fc.pred_values = pred;
	fc.score_values = score;
	fc.sensitive = opts->sensitive;
	fc.nsensitive = opts->nsensitive;
	fc.favorable = opts->favorable;
	fc.source = opts->data_path;
	fc.threads = opts->threads;
	st = candor_fairness_acc_from_table(&acc, data, &fc);
	if (st)
		goto out;
	candor_fairness_options fo = CANDOR_FAIRNESS_OPTIONS_INIT;
	fo.seed = opts->seed;
	fo.threads = opts->threads;
	fo.policy = opts->policy;
	st = candor_fairness_compute(&res, acc, &fo);
	if (st)
		goto out;

	/* 3. explanations, 4. manifest, then the document */
	st = explanations(&ex, model, x, n, data, candor_fairness_result_view(res), opts);
	if (st == CANDOR_OK)
		st = candor__audit_manifest(&man, opts, n,
		                            json_object_object_get_ex(ex, "rows", &exrows)
		                                    ? json_object_array_length(exrows)
		                                    : 0,
		                            model);
	if (st == CANDOR_OK)
		st = assemble(out, res, &man, &ex);
out:
	json_object_put(man);
	json_object_put(ex);
	candor_fairness_result_free(res);
	candor_fairness_acc_free(acc);
	candor__free(cols);
	candor__free(x);
	candor__free(score);
	candor__free(pred);
	return st;
}
