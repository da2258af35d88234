/*
 * xgboost.c - the XGBoost JSON adapter: tree ensembles saved by
 * Booster.save_model("m.json") (format of XGBoost 1.x, checked against 1.7).
 *
 * What is read:
 *   learner.learner_model_param  base_score, num_feature, num_class, num_target
 *   learner.objective.name       binary:logistic, binary:logitraw, reg:logistic,
 *                                reg:squarederror, reg:pseudohubererror,
 *                                reg:absoluteerror, multi:softprob
 *   learner.feature_names        (optional; f0..fM-1 when absent)
 *   learner.gradient_booster     name "gbtree"; model.trees[], model.tree_info[]
 *   each tree                    left_children, right_children, split_indices,
 *                                split_conditions, default_left, sum_hessian,
 *                                split_type, tree_param.num_nodes
 *
 * Prediction follows XGBoost 1.7's CPU predictor exactly: the margin starts
 * at base_score (through the objective's ProbToMargin, the logit for the
 * logistic objectives), each tree adds the float leaf value in tree order in
 * float arithmetic, and x is compared as float(x) < threshold; a missing
 * value (NaN) follows default_left. The transform (sigmoid, softmax) is then
 * applied in double.
 *
 * Unsupported, with CANDOR_EUNSUPPORTED: categorical splits, gblinear and
 * dart boosters, multi-target models, other objectives (multi:softmax
 * outputs a class index, not a score).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/xgboost_int.h"

/* ===== small JSON helpers ============================================== */

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v))
		return v;
	return NULL;
}

/* A member that must exist and be of type `t`. */
static candor_status need(json_object **out, json_object *o, const char *key, json_type t,
                          const char *where, const char *path)
{
	json_object *v = get(o, key);
	if (!v)
		return candor__error(CANDOR_EPARSE, path, 0, 0, "xgboost model: %s has no \"%s\"",
		                     where, key);
	if (!json_object_is_type(v, t) &&
	    !(t == json_type_double && json_object_is_type(v, json_type_int)))
		return candor__error(CANDOR_EPARSE, path, 0, 0,
		                     "xgboost model: %s \"%s\" is a %s, expected a %s", where, key,
		                     json_type_to_name(json_object_get_type(v)), json_type_to_name(t));
	*out = v;
	return CANDOR_OK;
}

/* A number that XGBoost writes either as a JSON number or as a string ("5E-1"). */
static candor_status number(double *out, json_object *o, const char *key, const char *where,
                            const char *path)
{
	json_object *v = get(o, key);
	if (!v)
		return candor__error(CANDOR_EPARSE, path, 0, 0, "xgboost model: %s has no \"%s\"",
		                     where, key);
	if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)) {
		*out = json_object_get_double(v);
		return CANDOR_OK;
	}
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		if (candor__parse_double(s, strlen(s), out))
			return CANDOR_OK;
	}
	return candor__error(CANDOR_EPARSE, path, 0, 0, "xgboost model: %s \"%s\" is not a number",
	                     where, key);
}

/* Largest num_feature and num_class accepted (see read_header). */
#define XGB_MAX_FEATURES (1 << 20)
#define XGB_MAX_CLASSES (1 << 16)

static candor_status count(size_t *out, json_object *o, const char *key, const char *where,
                           const char *path)
{
	double d;
	candor_status st = number(&d, o, key, where, path);
	if (st)
		return st;
	if (!(d >= 0 && d <= 1e9 && d == floor(d)))
		return candor__error(CANDOR_EPARSE, path, 0, 0,
		                     "xgboost model: %s \"%s\" is not a count: %g", where, key, d);
	*out = (size_t)d;
	return CANDOR_OK;
}

/* An array member of exactly `n` entries (n == SIZE_MAX: any length). */
static candor_status array(json_object **out, json_object *o, const char *key, size_t n,
                           const char *where, const char *path)
{
	candor_status st = need(out, o, key, json_type_array, where, path);
	if (st)
		return st;
	if (n != SIZE_MAX && json_object_array_length(*out) != n)
		return candor__error(CANDOR_EPARSE, path, 0, 0,
		                     "xgboost model: %s \"%s\" has %zu entries, expected %zu", where,
		                     key, json_object_array_length(*out), n);
	return CANDOR_OK;
}

static double at_d(json_object *a, size_t i)
{
	return json_object_get_double(json_object_array_get_idx(a, i));
}

static int64_t at_i(json_object *a, size_t i)
{
	return json_object_get_int64(json_object_array_get_idx(a, i));
}

/* ===== the ensemble ===================================================== */

static void ensemble_free(void *state)
{
	candor__xgb_ensemble *ens = state;
	if (!ens)
		return;
	candor__free(ens->trees);
	candor__free(ens->nodes);
	candor__free(ens->cover);
	candor__free(ens);
}

/* Objective name -> transform of the margin, how base_score maps to a
 * margin, and the output kind. */
static candor_status objective(candor__xgb_ensemble *ens, candor_output_kind *kind,
                               double base_score, const char *name, const char *path)
{
	bool logit_base = false;
	if (!strcmp(name, "binary:logistic") || !strcmp(name, "reg:logistic")) {
		ens->transform = CANDOR__XGB_SIGMOID;
		*kind = CANDOR_OUTPUT_PROBABILITY;
		logit_base = true;
	} else if (!strcmp(name, "binary:logitraw")) {
		ens->transform = CANDOR__XGB_IDENTITY;
		*kind = CANDOR_OUTPUT_MARGIN;
		logit_base = true;
	} else if (!strcmp(name, "reg:squarederror") || !strcmp(name, "reg:pseudohubererror") ||
	           !strcmp(name, "reg:absoluteerror")) {
		ens->transform = CANDOR__XGB_IDENTITY;
		*kind = CANDOR_OUTPUT_VALUE;
	} else if (!strcmp(name, "multi:softprob")) {
		ens->transform = CANDOR__XGB_SOFTMAX;
		*kind = CANDOR_OUTPUT_PROBABILITY;
	} else {
		return candor__error(CANDOR_EUNSUPPORTED, path, 0, 0,
		                     "xgboost model: objective \"%s\" is not supported (supported: "
		                     "binary:logistic, binary:logitraw, reg:logistic, "
		                     "reg:squarederror, reg:pseudohubererror, reg:absoluteerror, "
		                     "multi:softprob)",
		                     name);
	}
	snprintf(ens->objective, sizeof ens->objective, "%s", name);
	if (logit_base) {
		/* XGBoost's ProbToMargin, in float: -log(1/p - 1). */
		const float p = (float)base_score;
		if (!(p > 0.0f && p < 1.0f))
			return candor__error(CANDOR_EPARSE, path, 0, 0,
			                     "xgboost model: base_score %g is not a probability in (0, 1)",
			                     base_score);
		ens->base_margin = -logf(1.0f / p - 1.0f);
	} else {
		ens->base_margin = (float)base_score;
	}
	return CANDOR_OK;
}

/*
 * Read tree `t` into ens->nodes[next..]: validate its arrays, renumber its
 * reachable nodes breadth-first (siblings adjacent), record depth and leaves.
 * `order` and `newid` are scratch arrays of at least num_nodes entries.
 */
static candor_status read_tree(candor__xgb_ensemble *ens, candor__xgb_tree *tree,
                               json_object *jt, size_t t, size_t *next, uint32_t *order,
                               uint32_t *depth_of, const char *path)
{
	char where[48];
	json_object *param, *lc, *rc, *si, *sc, *dl, *sh, *st = NULL;
	size_t nn;
	candor_status s;

	snprintf(where, sizeof where, "tree %zu", t);
	if (!json_object_is_type(jt, json_type_object))
		return candor__error(CANDOR_EPARSE, path, 0, 0, "xgboost model: %s is not an object",
		                     where);
	if ((s = need(&param, jt, "tree_param", json_type_object, where, path)) ||
	    (s = count(&nn, param, "num_nodes", where, path)))
		return s;
	if (nn == 0 || nn > UINT32_MAX / 2)
		return candor__error(CANDOR_EPARSE, path, 0, 0, "xgboost model: %s has %zu nodes",
		                     where, nn);
	if ((s = array(&lc, jt, "left_children", nn, where, path)) ||
	    (s = array(&rc, jt, "right_children", nn, where, path)) ||
	    (s = array(&si, jt, "split_indices", nn, where, path)) ||
	    (s = array(&sc, jt, "split_conditions", nn, where, path)) ||
	    (s = array(&dl, jt, "default_left", nn, where, path)) ||
	    (s = array(&sh, jt, "sum_hessian", nn, where, path)))
		return s;
	if (get(jt, "split_type") && (s = array(&st, jt, "split_type", nn, where, path)))
		return s;
	{
		json_object *cn = get(jt, "categories_nodes");
		if (cn && json_object_is_type(cn, json_type_array) && json_object_array_length(cn) > 0)
			return candor__error(CANDOR_EUNSUPPORTED, path, 0, 0,
			                     "xgboost model: %s has categorical splits, which are not "
			                     "supported",
			                     where);
	}

	/* Breadth-first walk from the root; order[k] = old id of new node k.
	 * A node reached twice (a cycle or a shared child) is an error. */
	candor__xgb_node *nodes = ens->nodes + *next;
	double *cover = ens->cover + *next;
	size_t head = 0, tail = 1;
	uint32_t maxdepth = 0, nleaves = 0;
	for (size_t k = 0; k < nn; k++)
		depth_of[k] = UINT32_MAX;
	order[0] = 0;
	depth_of[0] = 0;
	while (head < tail) {
		const uint32_t old = order[head];
		const size_t k = head++;
		const int64_t l = at_i(lc, old), r = at_i(rc, old);
		candor__xgb_node *nd = &nodes[k];
		const double h = at_d(sh, old);
		memset(nd, 0, sizeof *nd);
		if (!(h >= 0) || !isfinite(h))
			return candor__error(CANDOR_EPARSE, path, 0, 0,
			                     "xgboost model: %s node %u has sum_hessian %g", where, old, h);
		cover[k] = (double)(float)h;
		if (l == -1 && r == -1) {
			const double v = at_d(sc, old);
			if (!isfinite(v))
				return candor__error(CANDOR_EPARSE, path, 0, 0,
				                     "xgboost model: %s leaf %u has value %g", where, old, v);
			nd->value = (float)v;
			nd->feature = -1;
			nleaves++;
			if (depth_of[old] > maxdepth)
				maxdepth = depth_of[old];
			continue;
		}
		if (l < 0 || r < 0 || (size_t)l >= nn || (size_t)r >= nn || l == r)
			return candor__error(CANDOR_EPARSE, path, 0, 0,
			                     "xgboost model: %s node %u has children %lld and %lld, "
			                     "outside [0, %zu)",
			                     where, old, (long long)l, (long long)r, nn);
		if (st && at_i(st, old) != 0)
			return candor__error(CANDOR_EUNSUPPORTED, path, 0, 0,
			                     "xgboost model: %s node %u is a categorical split, which is "
			                     "not supported",
			                     where, old);
		{
			const int64_t f = at_i(si, old);
			const double thr = at_d(sc, old);
			if (f < 0 || (size_t)f >= ens->nfeatures)
				return candor__error(CANDOR_EPARSE, path, 0, 0,
				                     "xgboost model: %s node %u splits on feature %lld, "
				                     "outside [0, %zu)",
				                     where, old, (long long)f, ens->nfeatures);
			if (isnan(thr))
				return candor__error(CANDOR_EPARSE, path, 0, 0,
				                     "xgboost model: %s node %u has a NaN threshold", where,
				                     old);
			nd->feature = (int32_t)f;
			nd->value = (float)thr;
			nd->default_left = at_i(dl, old) != 0;
		}
		if (depth_of[l] != UINT32_MAX || depth_of[r] != UINT32_MAX || tail + 2 > nn)
			return candor__error(CANDOR_EPARSE, path, 0, 0,
			                     "xgboost model: %s is not a tree (node %lld or %lld is "
			                     "reached twice)",
			                     where, (long long)l, (long long)r);
		depth_of[l] = depth_of[r] = depth_of[old] + 1;
		nd->left = (uint32_t)tail;
		order[tail++] = (uint32_t)l;
		order[tail++] = (uint32_t)r;
	}
	tree->first = *next;
	tree->nnodes = (uint32_t)tail;
	tree->nleaves = nleaves;
	tree->depth = maxdepth;
	if (maxdepth > ens->max_depth)
		ens->max_depth = maxdepth;
	*next += tail;
	return CANDOR_OK;
}

static candor_status read_trees(candor__xgb_ensemble *ens, json_object *model,
                                const char *path)
{
	json_object *trees, *info, *gparam;
	size_t ntrees, total = 0, maxnn = 0;
	uint32_t *scratch = NULL;
	candor_status s;

	if ((s = need(&gparam, model, "gbtree_model_param", json_type_object, "gradient_booster",
	              path)) ||
	    (s = count(&ntrees, gparam, "num_trees", "gbtree_model_param", path)) ||
	    (s = array(&trees, model, "trees", ntrees, "gradient_booster model", path)) ||
	    (s = array(&info, model, "tree_info", ntrees, "gradient_booster model", path)))
		return s;
	if (ntrees == 0)
		return candor__error(CANDOR_EPARSE, path, 0, 0, "xgboost model: the model has no trees");

	/* First pass: node counts, so one allocation holds every node. Each
	 * count is held to its node array's length now, before it sizes an
	 * allocation: a 3 kB file claiming 600M nodes must not ask for 10 GB. */
	for (size_t t = 0; t < ntrees; t++) {
		json_object *param, *lc;
		size_t nn;
		char where[48];
		snprintf(where, sizeof where, "tree %zu", t);
		if ((s = need(&param, json_object_array_get_idx(trees, t), "tree_param",
		              json_type_object, where, path)) ||
		    (s = count(&nn, param, "num_nodes", where, path)) ||
		    (s = array(&lc, json_object_array_get_idx(trees, t), "left_children", nn, where,
		               path)))
			return s;
		total += nn;
		if (nn > maxnn)
			maxnn = nn;
		if (total > (size_t)INT32_MAX)
			return candor__error(CANDOR_EUNSUPPORTED, path, 0, 0,
			                     "xgboost model: more than 2^31 nodes");
	}
	ens->ntrees = ntrees;
	if (!(ens->trees = candor__calloc(ntrees, sizeof *ens->trees)) ||
	    !(ens->nodes = candor__mallocarray(total, sizeof *ens->nodes)) ||
	    !(ens->cover = candor__mallocarray(total, sizeof *ens->cover)) ||
	    !(scratch = candor__mallocarray(maxnn ? 2 * maxnn : 1, sizeof *scratch)))
		return CANDOR_ENOMEM;

	size_t next = 0;
	for (size_t t = 0; t < ntrees; t++) {
		const int64_t g = at_i(info, t);
		if (g < 0 || (size_t)g >= ens->noutputs) {
			s = candor__error(CANDOR_EPARSE, path, 0, 0,
			                  "xgboost model: tree_info[%zu] = %lld, outside [0, %zu)", t,
			                  (long long)g, ens->noutputs);
			break;
		}
		ens->trees[t].group = (uint32_t)g;
		s = read_tree(ens, &ens->trees[t], json_object_array_get_idx(trees, t), t, &next,
		              scratch, scratch + maxnn, path);
		if (s)
			break;
	}
	ens->nnodes = next;
	candor__free(scratch);
	return s;
}

/* ===== prediction ======================================================= */

void candor__xgboost_margin(const candor__xgb_ensemble *ens, const double *x, size_t n,
                            double *out)
{
	const size_t M = ens->nfeatures, K = ens->noutputs;
	enum { BLOCK = 64 };
	float acc[BLOCK * 16];
	/* Rows in blocks, trees in order within a block: the float sum of each
	 * (row, output) is accumulated in tree order, as in XGBoost. */
	const size_t block = K <= 16 ? BLOCK : 1;
	for (size_t r0 = 0; r0 < n; r0 += block) {
		const size_t nb = n - r0 < block ? n - r0 : block;
		if (K <= 16) {
			for (size_t i = 0; i < nb * K; i++)
				acc[i] = ens->base_margin;
			for (size_t t = 0; t < ens->ntrees; t++) {
				const candor__xgb_tree *tr = &ens->trees[t];
				const candor__xgb_node *nodes = ens->nodes + tr->first;
				for (size_t i = 0; i < nb; i++)
					acc[i * K + tr->group] +=
					        nodes[candor__xgb_leaf(nodes, x + (r0 + i) * M)].value;
			}
			for (size_t i = 0; i < nb * K; i++)
				out[r0 * K + i] = (double)acc[i];
		} else {
			/* Many classes: one row at a time, accumulating in out as float. */
			double *o = out + r0 * K;
			for (size_t k = 0; k < K; k++)
				o[k] = ens->base_margin;
			for (size_t t = 0; t < ens->ntrees; t++) {
				const candor__xgb_tree *tr = &ens->trees[t];
				const candor__xgb_node *nodes = ens->nodes + tr->first;
				o[tr->group] = (double)((float)o[tr->group] +
				                        nodes[candor__xgb_leaf(nodes, x + r0 * M)].value);
			}
		}
	}
}

static candor_status xgb_predict(void *state, const double *x, size_t n, double *out)
{
	const candor__xgb_ensemble *ens = state;
	const size_t K = ens->noutputs;
	candor__xgboost_margin(ens, x, n, out);
	if (ens->transform == CANDOR__XGB_SIGMOID) {
		for (size_t i = 0; i < n * K; i++)
			out[i] = 1.0 / (1.0 + exp(-out[i]));
	} else if (ens->transform == CANDOR__XGB_SOFTMAX) {
		for (size_t i = 0; i < n; i++) {
			double *o = out + i * K, mx = o[0], sum = 0;
			for (size_t k = 1; k < K; k++)
				if (o[k] > mx)
					mx = o[k];
			for (size_t k = 0; k < K; k++)
				sum += (o[k] = exp(o[k] - mx));
			for (size_t k = 0; k < K; k++)
				o[k] /= sum;
		}
	}
	return CANDOR_OK;
}

static const candor__model_vtable xgb_vtable = { xgb_predict, ensemble_free };

/* ===== loading ========================================================== */

static candor_status read_header(candor__xgb_ensemble *ens, candor_output_kind *kind,
                                 json_object *learner, const char *path)
{
	json_object *mp, *obj, *gb, *name;
	size_t num_class = 0, num_target = 1;
	double base_score;
	candor_status s;

	if ((s = need(&mp, learner, "learner_model_param", json_type_object, "learner", path)) ||
	    (s = count(&ens->nfeatures, mp, "num_feature", "learner_model_param", path)) ||
	    (s = number(&base_score, mp, "base_score", "learner_model_param", path)))
		return s;
	if (get(mp, "num_class") && (s = count(&num_class, mp, "num_class", "learner_model_param",
	                                       path)))
		return s;
	if (get(mp, "num_target") &&
	    (s = count(&num_target, mp, "num_target", "learner_model_param", path)))
		return s;
	if (num_target > 1)
		return candor__error(CANDOR_EUNSUPPORTED, path, 0, 0,
		                     "xgboost model: multi-target models (num_target %zu) are not "
		                     "supported",
		                     num_target);
	if (ens->nfeatures == 0)
		return candor__error(CANDOR_EPARSE, path, 0, 0, "xgboost model: num_feature is 0");
	/* These counts size allocations before anything in the file confirms
	 * them (feature names, per-output arrays), so a few bytes claiming 10^9
	 * would ask for gigabytes; no model candor can explain comes near. */
	if (ens->nfeatures > XGB_MAX_FEATURES)
		return candor__error(CANDOR_EUNSUPPORTED, path, 0, 0,
		                     "xgboost model: num_feature %zu is more than the %d candor supports",
		                     ens->nfeatures, XGB_MAX_FEATURES);
	if (num_class > XGB_MAX_CLASSES)
		return candor__error(CANDOR_EUNSUPPORTED, path, 0, 0,
		                     "xgboost model: num_class %zu is more than the %d candor supports",
		                     num_class, XGB_MAX_CLASSES);
	ens->noutputs = num_class > 1 ? num_class : 1;

	if ((s = need(&obj, learner, "objective", json_type_object, "learner", path)) ||
	    (s = need(&name, obj, "name", json_type_string, "objective", path)) ||
	    (s = objective(ens, kind, base_score, json_object_get_string(name), path)))
		return s;
	if ((ens->transform == CANDOR__XGB_SOFTMAX) != (ens->noutputs > 1))
		return candor__error(CANDOR_EPARSE, path, 0, 0,
		                     "xgboost model: objective %s does not agree with num_class %zu",
		                     ens->objective, num_class);

	if ((s = need(&gb, learner, "gradient_booster", json_type_object, "learner", path)) ||
	    (s = need(&name, gb, "name", json_type_string, "gradient_booster", path)))
		return s;
	if (strcmp(json_object_get_string(name), "gbtree") != 0)
		return candor__error(CANDOR_EUNSUPPORTED, path, 0, 0,
		                     "xgboost model: booster \"%s\" is not supported (only gbtree)",
		                     json_object_get_string(name));
	return CANDOR_OK;
}

static candor_status set_features(candor_model *m, json_object *learner)
{
	json_object *fn = get(learner, "feature_names");
	const bool named = fn && json_object_is_type(fn, json_type_array) &&
	                   json_object_array_length(fn) == m->nfeatures;
	for (size_t j = 0; j < m->nfeatures; j++) {
		char buf[32];
		const char *s = NULL;
		if (named)
			s = json_object_get_string(json_object_array_get_idx(fn, j));
		if (!s) {
			snprintf(buf, sizeof buf, "f%zu", j);
			s = buf;
		}
		if (!(m->features[j] = candor__strdup(s)))
			return CANDOR_ENOMEM;
	}
	return CANDOR_OK;
}

candor_status candor__xgboost_load(candor_model **out, json_object *root, const char *path)
{
	candor__xgb_ensemble *ens;
	candor_model *m = NULL;
	json_object *learner, *gb, *model;
	candor_output_kind kind = CANDOR_OUTPUT_MARGIN;
	candor_status s;

	*out = NULL;
	if ((s = need(&learner, root, "learner", json_type_object, "the document", path)))
		return s;
	if (!(ens = candor__calloc(1, sizeof *ens)))
		return CANDOR_ENOMEM;
	if ((s = read_header(ens, &kind, learner, path)) ||
	    (s = need(&gb, learner, "gradient_booster", json_type_object, "learner", path)) ||
	    (s = need(&model, gb, "model", json_type_object, "gradient_booster", path)) ||
	    (s = read_trees(ens, model, path))) {
		ensemble_free(ens);
		return s;
	}
	if ((s = candor__model_alloc(&m, ens->nfeatures))) {
		ensemble_free(ens);
		return s;
	}
	m->type = CANDOR_MODEL_XGBOOST;
	m->vt = &xgb_vtable;
	m->state = ens;
	m->noutputs = ens->noutputs;
	m->output_kind = kind;
	m->reentrant = true;
	if ((s = set_features(m, learner))) {
		candor_model_free(m);
		return s;
	}
	*out = m;
	return CANDOR_OK;
}

const struct candor__xgb_ensemble *candor__xgboost_ensemble(const candor_model *model)
{
	if (!model || model->type != CANDOR_MODEL_XGBOOST || model->vt != &xgb_vtable)
		return NULL;
	return model->state;
}
