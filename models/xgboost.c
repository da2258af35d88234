/*
 * xgboost.c - the XGBoost JSON adapter: tree ensembles saved by
 * Booster.save_model("m.json") (format of XGBoost 1.x, checked against 1.7).
 *
 * What is read:
 *   learner.learner_model_param  base_score, num_feature, num_class, num_target
 *   learner.objective.name       see `objectives` below
 *   learner.feature_names        (optional; f0..fM-1 when absent or empty)
 *   learner.feature_types        (optional; q, float, int, i, c)
 *   learner.gradient_booster     name "gbtree"; model.trees[], model.tree_info[]
 *                                (name "dart": gbtree.model, weight_drop[])
 *   each tree                    left_children, right_children, parents,
 *                                split_indices, split_conditions, default_left,
 *                                sum_hessian, loss_changes, base_weights,
 *                                split_type, tree_param.num_nodes
 *
 * Prediction follows XGBoost 1.7's CPU predictor exactly: the margin starts
 * at base_score through the objective's ProbToMargin (src/objective/: the
 * logit for the logistic objectives, the log for the log-link ones, the
 * value itself for every other, binary:logitraw included), each tree adds
 * the float leaf value in tree order in float arithmetic, and x is compared
 * as float(x) < threshold; a missing value (NaN) follows default_left. The
 * transform (sigmoid, softmax, exp) is then applied in double.
 *
 * Validation. A file is refused when XGBoost 1.7 would refuse it
 * (RegTree::LoadModel in src/tree/tree_model.cc: every node array present
 * with num_nodes entries, integers where it reads integers; Python's
 * feature-name rules: unique names, one per feature) or when it is
 * inconsistent in a way that would make a number silently wrong:
 *   - a number that is not finite as the float XGBoost stores (1e39 in a
 *     leaf reads as infinity in XGBoost; NaN, Infinity);
 *   - a node whose sum_hessian (cover) is not the sum of its children's,
 *     beyond float rounding (candor__tree_covers_agree): TreeSHAP's base value and
 *     zero fractions come from the covers, and its values would no longer
 *     add up to the model's output;
 *   - default_left other than 0/1 (XGBoost reads 2 as false), a child whose
 *     `parents` entry is not its parent, a node reached twice.
 * Errors carry the line and column of the offending value (json_loc.h).
 * Numbers are read from their text as XGBoost does (one rounding, decimal
 * to float, in the C locale), not through a double.
 *
 * Categorical splits (split_type 1; categories, categories_nodes,
 * categories_segments, categories_sizes) become CANDOR__SPLIT_CAT_XGB
 * nodes, with XGBoost's rule (tree_int.h); categorical features take
 * integer codes (CANDOR__INPUT_INTEGER). dart boosters: the gbtree inside,
 * each leaf scaled in float by its tree's weight_drop.
 *
 * Unsupported, with CANDOR_EUNSUPPORTED: gblinear boosters, multi-target
 * models, other objectives
 * (multi:softmax and binary:hinge output a class, not a score; ranking and
 * survival objectives).
 */
/* strtof_l and newlocale: the build defines _GNU_SOURCE */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/tree_int.h"

/* Largest num_feature and num_class accepted (see read_header). */
#define XGB_MAX_FEATURES (1 << 20)
#define XGB_MAX_CLASSES (1 << 16)
/* Covers must agree to 1e-6 (candor__tree_covers_agree). XGBoost stores
 * each cover as the float of a double sum, so the two sides differ by a few
 * float roundings: at most 1.1e-7 relative, measured on models of 200k rows
 * trained with hist, approx and exact and five objectives. */

/* ===== reading context and errors ======================================= */

typedef struct xctx {
	const candor__json *doc; /* the document, which reports errors at its values */
	locale_t cloc;           /* the C locale, for strtof_l */
	size_t *catcap;          /* capacity of ens->catset (words) */
	uint8_t *catfeat;        /* M flags: feature used by a categorical split */
} xctx;

/* A value by its path from the root: member `key` of the value at `up`, or
 * (key NULL) its element `idx`; NULL is the root. Built on the stack as the
 * loader descends, so that a value can be named even when it is a null or
 * absent (json-c keeps no pointer for a null). */
typedef struct jloc {
	const struct jloc *up;
	const char *key;
	size_t idx;
} jloc;

#define XGB_MAX_DEPTH 16 /* no path of the format is deeper */

/* Follow `at` down the tree: *parent and the last step (key or idx) of the
 * value at `at`; false for the root, or when a step does not exist (then
 * *parent is the deepest value that does). */
static bool resolve(const xctx *c, const jloc *at, json_object **parent, const char **key,
                    size_t *idx)
{
	const jloc *steps[XGB_MAX_DEPTH];
	size_t ns = 0;
	json_object *cur = c->doc->root;

	*parent = cur;
	for (const jloc *s = at; s && ns < XGB_MAX_DEPTH; s = s->up)
		steps[ns++] = s;
	if (ns == 0)
		return false;
	while (ns-- > 1) {
		json_object *next = NULL;
		const jloc *s = steps[ns];
		if (s->key ? !json_object_is_type(cur, json_type_object) ||
		                     !json_object_object_get_ex(cur, s->key, &next)
		           : !json_object_is_type(cur, json_type_array) ||
		                     s->idx >= json_object_array_length(cur))
			return false;
		if (!s->key)
			next = json_object_array_get_idx(cur, s->idx);
		if (!next)
			return false;
		*parent = cur = next;
	}
	*key = steps[0]->key;
	*idx = steps[0]->idx;
	if (*key ? !json_object_is_type(cur, json_type_object) ||
	                   !json_object_object_get_ex(cur, *key, NULL)
	         : !json_object_is_type(cur, json_type_array) ||
	                   *idx >= json_object_array_length(cur))
		return false;
	return true;
}

/* An error at the value `at` (the core adds its path, line and column). */
static candor_status fail(const xctx *c, const jloc *at, candor_status st, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static candor_status fail(const xctx *c, const jloc *at, candor_status st, const char *fmt, ...)
{
	char msg[400];
	json_object *parent;
	const char *key = NULL;
	size_t idx = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (resolve(c, at, &parent, &key, &idx))
		return candor__json_error_in(c->doc, parent, key, idx, st, "%s", msg);
	return candor__json_error(c->doc, parent, st, "%s", msg);
}

/* The value at `at`, of type `t` (json_type_double: any number; _null:
 * any), with the core's one wording when it is absent or of another type. */
static candor_status child(json_object **out, const xctx *c, const jloc *at, json_type t)
{
	json_object *parent;
	const char *key = NULL;
	size_t idx = 0;

	*out = NULL;
	if (!resolve(c, at, &parent, &key, &idx)) {
		if (at && at->key && json_object_is_type(parent, json_type_object))
			return candor__json_member(out, c->doc, parent, at->key, t, true);
		return fail(c, at, CANDOR_EPARSE, "missing");
	}
	return key ? candor__json_member(out, c->doc, parent, key, t, true)
	           : candor__json_elem(out, c->doc, parent, idx, t);
}

/* ===== small JSON helpers ============================================== */

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v))
		return v;
	return NULL;
}

static bool is_number_or_string(json_object *v)
{
	return json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int) ||
	       json_object_is_type(v, json_type_string);
}

/* Member `key` of o (at `oat`), which must exist and be of type `t`. */
static candor_status need(json_object **out, const xctx *c, json_object *o, const jloc *oat,
                          const char *key, json_type t, const char *where)
{
	(void)oat;
	(void)where;
	return candor__json_member(out, c->doc, o, key, t, true);
}

/* "WHERE node N FIELD" (or "WHERE FIELD" for node < 0), for messages. */
static const char *what_of(char *buf, size_t size, const char *where, int64_t node,
                           const char *field)
{
	if (node >= 0)
		snprintf(buf, size, "%s node %lld %s", where, (long long)node, field);
	else
		snprintf(buf, size, "%s%s%s", where, *where ? " " : "", field);
	return buf;
}

/*
 * The float XGBoost reads from the value at `at`: a JSON number, or
 * (allow_string) a string holding one, as XGBoost writes base_score
 * ("5E-1"). The decimal text is rounded once, to float, as XGBoost's
 * from_chars does. A literal beyond the float range (which XGBoost reads
 * as infinity) is an error; the core has already refused NaN, Infinity and
 * numbers beyond a double. `where`, `node` and `field` name the value in
 * messages (see what_of).
 */
static candor_status jfloat(float *out, const xctx *c, json_object *v, const jloc *at,
                            bool allow_string, const char *where, int64_t node,
                            const char *field)
{
	const char *s;
	char *end, w[96];
	double d;
	candor_status st;
	if (!(allow_string && v && json_object_is_type(v, json_type_string)) &&
	    (st = child(&v, c, at, json_type_double)))
		return st;
	s = json_object_get_string(v);
	if (!candor__parse_double(s, strlen(s), &d) || !isfinite(d))
		return fail(c, at, CANDOR_EPARSE, "%s is \"%.40s\", not a finite number",
		            what_of(w, sizeof w, where, node, field), s);
	errno = 0;
	const float f = strtof_l(s, &end, c->cloc);
	if (*end != '\0' || !isfinite(f))
		return fail(c, at, CANDOR_EPARSE, "%s %.40s overflows a float (XGBoost stores it as one)",
		            what_of(w, sizeof w, where, node, field), s);
	*out = f;
	return CANDOR_OK;
}

/* An integer of a JSON integer array. */
static candor_status jint(int64_t *out, const xctx *c, json_object *v, const jloc *at,
                          const char *where, int64_t node, const char *field)
{
	candor_status st;
	(void)where;
	(void)node;
	(void)field;
	if (!v || !json_object_is_type(v, json_type_int)) {
		if ((st = child(&v, c, at, json_type_int)))
			return st;
	}
	*out = json_object_get_int64(v);
	return CANDOR_OK;
}

/* A count XGBoost writes as a number or a string ("5"). */
static candor_status count(size_t *out, const xctx *c, json_object *o, const jloc *oat,
                           const char *key, const char *where)
{
	json_object *v;
	const jloc at = { oat, key, 0 };
	double d = NAN;
	candor_status st;
	(void)where;
	if ((st = candor__json_member(&v, c->doc, o, key, json_type_null, true)))
		return st;
	if (is_number_or_string(v)) {
		const char *s = json_object_get_string(v);
		if (!candor__parse_double(s, strlen(s), &d))
			d = NAN;
	}
	if (!(d >= 0 && d <= 1e9 && d == floor(d)))
		return fail(c, &at, CANDOR_EPARSE, "is not a count");
	*out = (size_t)d;
	return CANDOR_OK;
}

/* An array member of exactly `n` entries (n == SIZE_MAX: any length). */
static candor_status array(json_object **out, const xctx *c, json_object *o, const jloc *oat,
                           const char *key, size_t n, const char *where)
{
	const jloc at = { oat, key, 0 };
	candor_status st = need(out, c, o, oat, key, json_type_array, where);
	if (st)
		return st;
	if (n != SIZE_MAX && json_object_array_length(*out) != n)
		return fail(c, &at, CANDOR_EPARSE, "has %zu entries, expected %zu",
		            json_object_array_length(*out), n);
	return CANDOR_OK;
}

/* ===== the ensemble ===================================================== */

/* How an objective's base_score becomes a margin (its ProbToMargin in
 * XGBoost 1.7: src/objective/regression_loss.h, regression_obj.cu). */
typedef enum base_map { BASE_AS_IS, BASE_LOGIT, BASE_LOG } base_map;

static const struct xgb_objective {
	const char *name;
	candor__tree_transform transform;
	base_map base;
	candor_output_kind kind;
} objectives[] = {
	{ "binary:logistic", CANDOR__TREE_SIGMOID, BASE_LOGIT, CANDOR_OUTPUT_PROBABILITY },
	{ "reg:logistic", CANDOR__TREE_SIGMOID, BASE_LOGIT, CANDOR_OUTPUT_PROBABILITY },
	/* LogisticRaw::ProbToMargin returns base_score itself: it is a margin */
	{ "binary:logitraw", CANDOR__TREE_IDENTITY, BASE_AS_IS, CANDOR_OUTPUT_MARGIN },
	{ "reg:squarederror", CANDOR__TREE_IDENTITY, BASE_AS_IS, CANDOR_OUTPUT_VALUE },
	{ "reg:squaredlogerror", CANDOR__TREE_IDENTITY, BASE_AS_IS, CANDOR_OUTPUT_VALUE },
	{ "reg:pseudohubererror", CANDOR__TREE_IDENTITY, BASE_AS_IS, CANDOR_OUTPUT_VALUE },
	{ "reg:absoluteerror", CANDOR__TREE_IDENTITY, BASE_AS_IS, CANDOR_OUTPUT_VALUE },
	{ "count:poisson", CANDOR__TREE_EXP, BASE_LOG, CANDOR_OUTPUT_VALUE },
	{ "reg:gamma", CANDOR__TREE_EXP, BASE_LOG, CANDOR_OUTPUT_VALUE },
	{ "reg:tweedie", CANDOR__TREE_EXP, BASE_LOG, CANDOR_OUTPUT_VALUE },
	{ "multi:softprob", CANDOR__TREE_SOFTMAX, BASE_AS_IS, CANDOR_OUTPUT_PROBABILITY },
};

/* Objective name -> transform of the margin, base margin and output kind. */
static candor_status objective(candor__tree_ensemble *ens, candor_output_kind *kind,
                               float base_score, const char *name, const xctx *c,
                               const jloc *name_at, const jloc *base_at)
{
	const struct xgb_objective *ob = NULL;
	for (size_t i = 0; i < sizeof objectives / sizeof *objectives; i++)
		if (!strcmp(name, objectives[i].name))
			ob = &objectives[i];
	if (!ob)
		return fail(c, name_at, CANDOR_EUNSUPPORTED,
		            "objective \"%.64s\" is not supported (supported: binary:logistic, "
		            "binary:logitraw, reg:logistic, reg:squarederror, reg:squaredlogerror, "
		            "reg:pseudohubererror, reg:absoluteerror, count:poisson, reg:gamma, "
		            "reg:tweedie, multi:softprob)",
		            name);
	ens->transform = ob->transform;
	*kind = ob->kind;
	snprintf(ens->objective, sizeof ens->objective, "%s", name);
	switch (ob->base) {
	case BASE_LOGIT:
		/* LogisticRegression::ProbToMargin, in float; XGBoost CHECKs (0, 1) */
		if (!(base_score > 0.0f && base_score < 1.0f))
			return fail(c, base_at, CANDOR_EPARSE,
			            "base_score %g of objective %s is not a probability in (0, 1)",
			            (double)base_score, name);
		ens->base_margin = (double)-logf(1.0f / base_score - 1.0f);
		break;
	case BASE_LOG:
		/* std::log(float) of the log-link objectives */
		if (!(base_score > 0.0f))
			return fail(c, base_at, CANDOR_EPARSE,
			            "base_score %g of objective %s is not positive (its margin is the log)",
			            (double)base_score, name);
		ens->base_margin = (double)logf(base_score);
		break;
	case BASE_AS_IS:
		ens->base_margin = (double)base_score;
		break;
	}
	return CANDOR_OK;
}

/* The arrays of one tree, with their locations. */
typedef struct xtree {
	json_object *lc, *rc, *par, *si, *sc, *dl, *sh, *st;
	jloc at_lc, at_rc, at_par, at_si, at_sc, at_dl, at_sh, at_st;
} xtree;

static candor_status tree_arrays(xtree *a, const xctx *c, json_object *jt, const jloc *tat,
                                 size_t nn, const char *where)
{
	json_object *unused;
	candor_status s;
	memset(a, 0, sizeof *a);
#define ARR(field, key)                                                                      \
	do {                                                                                 \
		a->at_##field = (jloc){ tat, key, 0 };                                       \
		if ((s = array(&a->field, c, jt, tat, key, nn, where)))                      \
			return s;                                                            \
	} while (0)
	ARR(lc, "left_children");
	ARR(rc, "right_children");
	ARR(par, "parents");
	ARR(si, "split_indices");
	ARR(sc, "split_conditions");
	ARR(dl, "default_left");
	ARR(sh, "sum_hessian");
	if (get(jt, "split_type"))
		ARR(st, "split_type");
#undef ARR
	/* read by XGBoost, not needed here: present, of the right length */
	if ((s = array(&unused, c, jt, tat, "loss_changes", nn, where)) ||
	    (s = array(&unused, c, jt, tat, "base_weights", nn, where)))
		return s;
	return CANDOR_OK;
}

/* Entry i of array `arr` at `aat`, as a location. */
#define AT(aat, i) ((jloc){ &(aat), NULL, (i) })

/* Categories at most this (XGBoost's OutOfRangeCat is 2^24), and at most
 * this many bitset words in all (64 MB). */
#define XGB_MAX_CATEGORY ((1 << 24) - 1)
#define XGB_MAX_CATWORDS ((size_t)1 << 24)

/* The set of categorical node `old` (segment `seg`): a bitset appended to
 * ens->catset, of ceil((max category + 1) / 32) words as XGBoost builds it. */
static candor_status read_categories(candor__tree_ensemble *ens, candor__tree_node *nd,
                                     const xctx *c, json_object *cseg, json_object *csize,
                                     json_object *cats, const jloc *at_cs, const jloc *at_cz,
                                     const jloc *at_ct, size_t seg, const char *where,
                                     uint32_t old)
{
	int64_t beg, size, maxc = -1;
	candor_status s;
	const size_t ncats = json_object_array_length(cats);
	if ((s = jint(&beg, c, json_object_array_get_idx(cseg, seg), &AT(*at_cs, seg), where, -1,
	              "categories_segments")) ||
	    (s = jint(&size, c, json_object_array_get_idx(csize, seg), &AT(*at_cz, seg), where, -1,
	              "categories_sizes")))
		return s;
	if (beg < 0 || size <= 0 || (size_t)beg > ncats || (size_t)size > ncats - (size_t)beg)
		return fail(c, &AT(*at_cs, seg), CANDOR_EPARSE,
		            "%s node %u has the categories [%lld, %lld + %lld), not a non-empty "
		            "range of the %zu categories", where, old, (long long)beg,
		            (long long)beg, (long long)size, ncats);
	for (int64_t j = beg; j < beg + size; j++) {
		int64_t cat;
		if ((s = jint(&cat, c, json_object_array_get_idx(cats, (size_t)j),
		              &AT(*at_ct, (size_t)j), where, -1, "categories")))
			return s;
		if (cat < 0 || cat > XGB_MAX_CATEGORY)
			return fail(c, &AT(*at_ct, (size_t)j), CANDOR_EPARSE,
			            "%s node %u has category %lld, outside [0, %d]", where, old,
			            (long long)cat, XGB_MAX_CATEGORY);
		if (cat > maxc)
			maxc = cat;
	}
	const size_t words = (size_t)maxc / 32 + 1;
	if (ens->ncatset + words > XGB_MAX_CATWORDS)
		return fail(c, &AT(*at_ct, (size_t)beg), CANDOR_EUNSUPPORTED,
		            "the categorical splits need more than %zu words of sets",
		            XGB_MAX_CATWORDS);
	if (ens->ncatset + words > *c->catcap) {
		size_t cap = *c->catcap ? *c->catcap : 64;
		while (cap < ens->ncatset + words)
			cap *= 2;
		uint32_t *grown = candor__reallocarray(ens->catset, cap, sizeof *grown);
		if (!grown)
			return CANDOR_ENOMEM;
		ens->catset = grown;
		*c->catcap = cap;
	}
	uint32_t *set = ens->catset + ens->ncatset;
	memset(set, 0, words * sizeof *set);
	for (int64_t j = beg; j < beg + size; j++) {
		const uint32_t cat =
		        (uint32_t)json_object_get_int64(json_object_array_get_idx(cats, (size_t)j));
		set[cat / 32] |= 1u << (cat % 32);
	}
	nd->cat = (uint32_t)ens->ncatset;
	nd->ncat = (uint32_t)words;
	ens->ncatset += words;
	return CANDOR_OK;
}

/*
 * Read tree `t` into ens->nodes[next..]: validate its arrays, renumber its
 * reachable nodes breadth-first (siblings adjacent), record depth and leaves.
 * `order` and `depth_of` are scratch arrays of at least num_nodes entries.
 */
static candor_status read_tree(candor__tree_ensemble *ens, candor__tree *tree,
                               json_object *jt, const jloc *tat, size_t t, size_t *next,
                               uint32_t *order, uint32_t *depth_of, const xctx *c)
{
	char where[48];
	json_object *param;
	xtree a;
	size_t nn;
	candor_status s;
	const jloc at_param = { tat, "tree_param", 0 };

	snprintf(where, sizeof where, "tree %zu", t);
	if (!json_object_is_type(jt, json_type_object))
		return fail(c, tat, CANDOR_EPARSE, "%s is not an object", where);
	if ((s = need(&param, c, jt, tat, "tree_param", json_type_object, where)) ||
	    (s = count(&nn, c, param, &at_param, "num_nodes", where)))
		return s;
	if (nn == 0 || nn > UINT32_MAX / 2)
		return fail(c, &at_param, CANDOR_EPARSE, "%s has %zu nodes", where, nn);
	if ((s = tree_arrays(&a, c, jt, tat, nn, where)))
		return s;
	json_object *cnodes = NULL, *cseg = NULL, *csize = NULL, *cats = NULL;
	const jloc at_cn = { tat, "categories_nodes", 0 }, at_cs = { tat, "categories_segments", 0 };
	const jloc at_cz = { tat, "categories_sizes", 0 }, at_ct = { tat, "categories", 0 };
	size_t ncn = 0;
	if (get(jt, "categories_nodes") || a.st) {
		/* XGBoost's LoadCategoricalSplit: one segment of `categories` per
		 * categorical node, the nodes in increasing order */
		if ((s = array(&cnodes, c, jt, tat, "categories_nodes", SIZE_MAX, where)))
			return s;
		ncn = json_object_array_length(cnodes);
		if ((s = array(&cseg, c, jt, tat, "categories_segments", ncn, where)) ||
		    (s = array(&csize, c, jt, tat, "categories_sizes", ncn, where)) ||
		    (s = array(&cats, c, jt, tat, "categories", SIZE_MAX, where)))
			return s;
		int64_t prev = -1;
		for (size_t k = 0; k < ncn; k++) {
			int64_t nid;
			if ((s = jint(&nid, c, json_object_array_get_idx(cnodes, k), &AT(at_cn, k), where,
			              -1, "categories_nodes")))
				return s;
			if (nid <= prev || (size_t)nid >= nn)
				return fail(c, &AT(at_cn, k), CANDOR_EPARSE,
				            "%s categories_nodes[%zu] = %lld is not increasing within "
				            "[0, %zu)", where, k, (long long)nid, nn);
			prev = nid;
		}
	} else if (get(jt, "categories_nodes")) {
		return fail(c, &at_cn, CANDOR_EPARSE, "%s has categories_nodes but no split_type", where);
	}

	/* Breadth-first walk from the root; order[k] = old id of new node k.
	 * A node reached twice (a cycle or a shared child) is an error. */
	candor__tree_node *nodes = ens->nodes + *next;
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
		candor__tree_node *nd = &nodes[k];
		int64_t l, r, dl;
		float h, v;
		memset(nd, 0, sizeof *nd);
		if ((s = jint(&l, c, json_object_array_get_idx(a.lc, old), &AT(a.at_lc, old), where,
		              old, "left_children")) ||
		    (s = jint(&r, c, json_object_array_get_idx(a.rc, old), &AT(a.at_rc, old), where,
		              old, "right_children")) ||
		    (s = jfloat(&h, c, json_object_array_get_idx(a.sh, old), &AT(a.at_sh, old), false,
		                where, old, "sum_hessian")))
			return s;
		int64_t ty = 0;
		if (a.st && (s = jint(&ty, c, json_object_array_get_idx(a.st, old), &AT(a.at_st, old),
		                      where, old, "split_type")))
			return s;
		if (ty != 0 && ty != 1)
			return fail(c, &AT(a.at_st, old), CANDOR_EPARSE,
			            "%s node %u has split_type %lld, expected 0 (numerical) or 1 "
			            "(categorical)", where, old, (long long)ty);
		if (ty == 1 && l == -1 && r == -1)
			return fail(c, &AT(a.at_st, old), CANDOR_EPARSE,
			            "%s node %u is a leaf with a categorical split_type", where, old);
		/* a categorical split's condition is not used (XGBoost writes NaN) */
		v = 0.0f;
		if (ty == 0 && (s = jfloat(&v, c, json_object_array_get_idx(a.sc, old),
		                           &AT(a.at_sc, old), false, where, old, "split_conditions")))
			return s;
		if (!(h >= 0))
			return fail(c, &AT(a.at_sh, old), CANDOR_EPARSE,
			            "%s node %u has sum_hessian %g", where, old, (double)h);
		cover[k] = (double)h;
		if (l == -1 && r == -1) {
			nd->value = (double)v;
			nd->feature = -1;
			nleaves++;
			if (depth_of[old] > maxdepth)
				maxdepth = depth_of[old];
			continue;
		}
		if (l < 0 || r < 0 || (size_t)l >= nn || (size_t)r >= nn || l == r)
			return fail(c, &AT(a.at_lc, old), CANDOR_EPARSE,
			            "%s node %u has children %lld and %lld, outside [0, %zu)", where, old,
			            (long long)l, (long long)r, nn);
		/* categorical nodes: the node's segment of `categories`, found by
		 * binary search in categories_nodes */
		size_t seg = SIZE_MAX;
		{
			size_t lo = 0, hi = ncn;
			while (lo < hi) {
				const size_t mid = lo + (hi - lo) / 2;
				const int64_t nid = json_object_get_int64(
				        json_object_array_get_idx(cnodes, mid));
				if (nid == (int64_t)old) {
					seg = mid;
					break;
				}
				if (nid < (int64_t)old)
					lo = mid + 1;
				else
					hi = mid;
			}
		}
		if ((ty == 1) != (seg != SIZE_MAX))
			return fail(c, &AT(a.at_st, old), CANDOR_EPARSE,
			            ty == 1 ? "%s node %u is categorical but not in categories_nodes"
			                    : "%s node %u is in categories_nodes but numerical",
			            where, old);
		if (ty == 1 && (s = read_categories(ens, nd, c, cseg, csize, cats, &at_cs, &at_cz,
		                                    &at_ct, seg, where, old)))
			return s;
		{
			int64_t f;
			json_object *jd = json_object_array_get_idx(a.dl, old);
			if ((s = jint(&f, c, json_object_array_get_idx(a.si, old), &AT(a.at_si, old),
			              where, old, "split_indices")))
				return s;
			if (f < 0 || (size_t)f >= ens->nfeatures)
				return fail(c, &AT(a.at_si, old), CANDOR_EPARSE,
				            "%s node %u splits on feature %lld, outside [0, %zu)", where,
				            old, (long long)f, ens->nfeatures);
			/* XGBoost reads an integer default_left as (value == 1) */
			if (jd && json_object_is_type(jd, json_type_boolean) && c->doc->binary)
				return fail(c, &AT(a.at_dl, old), CANDOR_EUNSUPPORTED,
				            "%s node %u has a boolean default_left, which XGBoost 1.7 "
				            "misreads in UBJSON (false as true)", where, old);
			if (jd && json_object_is_type(jd, json_type_boolean))
				dl = json_object_get_boolean(jd);
			else if ((s = jint(&dl, c, jd, &AT(a.at_dl, old), where, old, "default_left")))
				return s;
			if (dl != 0 && dl != 1)
				return fail(c, &AT(a.at_dl, old), CANDOR_EPARSE,
				            "%s node %u has default_left %lld, expected 0 or 1", where, old,
				            (long long)dl);
			nd->feature = (int32_t)f;
			nd->value = (double)v;
			nd->split = ty == 1 ? CANDOR__SPLIT_CAT_XGB : CANDOR__SPLIT_LT_F32;
			nd->default_left = (uint8_t)dl;
			if (ty == 1)
				c->catfeat[f] = 1;
		}
		if (depth_of[l] != UINT32_MAX || depth_of[r] != UINT32_MAX || tail + 2 > nn)
			return fail(c, &AT(a.at_lc, old), CANDOR_EPARSE,
			            "%s is not a tree (node %lld or %lld is reached twice)", where,
			            (long long)l, (long long)r);
		for (int side = 0; side < 2; side++) {
			const int64_t ch = side ? r : l;
			int64_t p;
			if ((s = jint(&p, c, json_object_array_get_idx(a.par, (size_t)ch),
			              &AT(a.at_par, (size_t)ch), where, ch, "parents")))
				return s;
			if (p != old)
				return fail(c, &AT(a.at_par, (size_t)ch), CANDOR_EPARSE,
				            "%s node %lld has parent %lld, but it is a child of node %u",
				            where, (long long)ch, (long long)p, old);
		}
		depth_of[l] = depth_of[r] = depth_of[old] + 1;
		nd->left = (uint32_t)tail;
		order[tail++] = (uint32_t)l;
		order[tail++] = (uint32_t)r;
	}
	/* Covers: a node's is the sum of its children's (up to float rounding). */
	for (size_t k = 0; k < tail; k++) {
		if (nodes[k].feature < 0)
			continue;
		const double sum = cover[nodes[k].left] + cover[nodes[k].left + 1];
		if (!candor__tree_covers_agree(cover[k], cover[nodes[k].left], cover[nodes[k].left + 1]))
			return fail(c, &AT(a.at_sh, order[k]), CANDOR_EPARSE,
			            "%s node %u has sum_hessian %.9g, but its children's add up to "
			            "%.9g: the covers are inconsistent",
			            where, order[k], cover[k], sum);
	}
	candor__tree_place(ens, tree, next, (uint32_t)tail, nleaves, maxdepth);
	return CANDOR_OK;
}

static candor_status read_trees(candor__tree_ensemble *ens, json_object *model,
                                const jloc *mat, const xctx *c)
{
	json_object *trees, *info, *gparam;
	size_t ntrees, total = 0, maxnn = 0;
	uint32_t *scratch = NULL;
	candor_status s;
	const jloc at_gparam = { mat, "gbtree_model_param", 0 };
	const jloc at_trees = { mat, "trees", 0 }, at_info = { mat, "tree_info", 0 };

	if ((s = need(&gparam, c, model, mat, "gbtree_model_param", json_type_object,
	              "gradient_booster")) ||
	    (s = count(&ntrees, c, gparam, &at_gparam, "num_trees", "gbtree_model_param")) ||
	    (s = array(&trees, c, model, mat, "trees", ntrees, "gradient_booster model")) ||
	    (s = array(&info, c, model, mat, "tree_info", ntrees, "gradient_booster model")))
		return s;
	if (ntrees == 0)
		return fail(c, &at_trees, CANDOR_EPARSE, "the model has no trees");

	/* First pass: node counts, so one allocation holds every node. Each
	 * count is held to its node array's length now, before it sizes an
	 * allocation: a 3 kB file claiming 600M nodes must not ask for 10 GB. */
	for (size_t t = 0; t < ntrees; t++) {
		json_object *param, *lc, *jt = json_object_array_get_idx(trees, t);
		const jloc tat = { &at_trees, NULL, t }, pat = { &tat, "tree_param", 0 };
		size_t nn;
		char where[48];
		snprintf(where, sizeof where, "tree %zu", t);
		if ((s = need(&param, c, jt, &tat, "tree_param", json_type_object, where)) ||
		    (s = count(&nn, c, param, &pat, "num_nodes", where)) ||
		    (s = array(&lc, c, jt, &tat, "left_children", nn, where)))
			return s;
		total += nn;
		if (nn > maxnn)
			maxnn = nn;
		if (total > (size_t)INT32_MAX)
			return fail(c, &tat, CANDOR_EUNSUPPORTED, "more than 2^31 nodes");
	}
	ens->ntrees = ntrees;
	if (!(ens->trees = candor__calloc(ntrees, sizeof *ens->trees)) ||
	    !(ens->nodes = candor__mallocarray(total, sizeof *ens->nodes)) ||
	    !(ens->cover = candor__mallocarray(total, sizeof *ens->cover)) ||
	    !(scratch = candor__mallocarray(maxnn ? 2 * maxnn : 1, sizeof *scratch)))
		return CANDOR_ENOMEM;

	size_t next = 0;
	for (size_t t = 0; t < ntrees; t++) {
		const jloc tat = { &at_trees, NULL, t };
		int64_t g;
		if ((s = jint(&g, c, json_object_array_get_idx(info, t), &AT(at_info, t), "",
		              -1, "tree_info entry")))
			break;
		if (g < 0 || (size_t)g >= ens->noutputs) {
			s = fail(c, &AT(at_info, t), CANDOR_EPARSE, "tree_info[%zu] = %lld, outside [0, %zu)",
			         t, (long long)g, ens->noutputs);
			break;
		}
		ens->trees[t].group = (uint32_t)g;
		s = read_tree(ens, &ens->trees[t], json_object_array_get_idx(trees, t), &tat, t, &next,
		              scratch, scratch + maxnn, c);
		if (s)
			break;
	}
	ens->nnodes = next;
	candor__free(scratch);
	return s;
}

/* ===== loading ========================================================== */

static candor_status read_header(candor__tree_ensemble *ens, candor_output_kind *kind,
                                 json_object *learner, const jloc *lat, const xctx *c)
{
	json_object *mp, *obj, *gb, *name;
	size_t num_class = 0, num_target = 1;
	float base_score;
	candor_status s;
	const jloc at_mp = { lat, "learner_model_param", 0 };
	const jloc at_base = { &at_mp, "base_score", 0 };
	const jloc at_obj = { lat, "objective", 0 }, at_name = { &at_obj, "name", 0 };
	const jloc at_gb = { lat, "gradient_booster", 0 }, at_gbname = { &at_gb, "name", 0 };

	if ((s = need(&mp, c, learner, lat, "learner_model_param", json_type_object, "learner")) ||
	    (s = count(&ens->nfeatures, c, mp, &at_mp, "num_feature", "learner_model_param")))
		return s;
	if (!get(mp, "base_score"))
		return fail(c, &at_mp, CANDOR_EPARSE, "learner_model_param has no \"base_score\"");
	if ((s = jfloat(&base_score, c, get(mp, "base_score"), &at_base, true, "", -1,
	                   "base_score")))
		return s;
	if (get(mp, "num_class") &&
	    (s = count(&num_class, c, mp, &at_mp, "num_class", "learner_model_param")))
		return s;
	if (get(mp, "num_target") &&
	    (s = count(&num_target, c, mp, &at_mp, "num_target", "learner_model_param")))
		return s;
	if (num_target > 1)
		return fail(c, &at_mp, CANDOR_EUNSUPPORTED,
		            "multi-target models (num_target %zu) are not supported", num_target);
	if (ens->nfeatures == 0)
		return fail(c, &at_mp, CANDOR_EPARSE, "num_feature is 0");
	/* These counts size allocations before anything in the file confirms
	 * them (feature names, per-output arrays), so a few bytes claiming 10^9
	 * would ask for gigabytes; no model candor can explain comes near. */
	if (ens->nfeatures > XGB_MAX_FEATURES)
		return fail(c, &at_mp, CANDOR_EUNSUPPORTED,
		            "num_feature %zu is more than the %d candor supports", ens->nfeatures,
		            XGB_MAX_FEATURES);
	if (num_class > XGB_MAX_CLASSES)
		return fail(c, &at_mp, CANDOR_EUNSUPPORTED,
		            "num_class %zu is more than the %d candor supports", num_class,
		            XGB_MAX_CLASSES);
	ens->noutputs = num_class > 1 ? num_class : 1;

	if ((s = need(&obj, c, learner, lat, "objective", json_type_object, "learner")) ||
	    (s = need(&name, c, obj, &at_obj, "name", json_type_string, "objective")) ||
	    (s = objective(ens, kind, base_score, json_object_get_string(name), c, &at_name,
	                   &at_base)))
		return s;
	if ((ens->transform == CANDOR__TREE_SOFTMAX) != (ens->noutputs > 1))
		return fail(c, &at_name, CANDOR_EPARSE, "objective %s does not agree with num_class %zu",
		            ens->objective, num_class);

	if ((s = need(&gb, c, learner, lat, "gradient_booster", json_type_object, "learner")) ||
	    (s = need(&name, c, gb, &at_gb, "name", json_type_string, "gradient_booster")))
		return s;
	if (strcmp(json_object_get_string(name), "gbtree") != 0 &&
	    strcmp(json_object_get_string(name), "dart") != 0)
		return fail(c, &at_gbname, CANDOR_EUNSUPPORTED,
		            "booster \"%.32s\" is not supported (only gbtree and dart)",
		            json_object_get_string(name));
	return CANDOR_OK;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Feature names: absent or empty means f0..fM-1 (XGBoost writes [] for a
 * model trained without names); otherwise exactly M distinct non-empty
 * strings, as XGBoost's Python package demands of a DMatrix (one feature
 * must never read another's column). feature_types: absent, empty, or M
 * numerical types.
 */
static candor_status set_features(candor_model *m, json_object *learner, const jloc *lat,
                                  const xctx *c)
{
	json_object *fn = get(learner, "feature_names"), *ft = get(learner, "feature_types");
	const jloc at_fn = { lat, "feature_names", 0 }, at_ft = { lat, "feature_types", 0 };
	const size_t M = m->nfeatures;
	const bool named = fn && json_object_is_type(fn, json_type_array) &&
	                   json_object_array_length(fn) > 0;

	if (fn && !json_object_is_type(fn, json_type_array))
		return fail(c, &at_fn, CANDOR_EPARSE, "feature_names is not an array");
	if (named && json_object_array_length(fn) != M)
		return fail(c, &at_fn, CANDOR_EPARSE, "feature_names has %zu names for %zu features",
		            json_object_array_length(fn), M);
	if (ft && !json_object_is_type(ft, json_type_array))
		return fail(c, &at_ft, CANDOR_EPARSE, "feature_types is not an array");
	if (ft && json_object_array_length(ft) > 0) {
		if (json_object_array_length(ft) != M)
			return fail(c, &at_ft, CANDOR_EPARSE,
			            "feature_types has %zu types for %zu features",
			            json_object_array_length(ft), M);
		for (size_t j = 0; j < M; j++) {
			json_object *v = json_object_array_get_idx(ft, j);
			const char *s = json_object_is_type(v, json_type_string)
			                        ? json_object_get_string(v) : NULL;
			if (!s || (strcmp(s, "q") && strcmp(s, "c") && strcmp(s, "float") && strcmp(s, "int") &&
			           strcmp(s, "i")))
				return fail(c, &AT(at_ft, j), CANDOR_EPARSE,
				            "feature_types entry %zu is not one of q, c, float, int, i", j);
		}
	}
	for (size_t j = 0; j < M; j++) {
		char buf[32];
		const char *s;
		if (named) {
			json_object *v = json_object_array_get_idx(fn, j);
			if (!json_object_is_type(v, json_type_string) ||
			    json_object_get_string_len(v) == 0 ||
			    strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
				return fail(c, &AT(at_fn, j), CANDOR_EPARSE,
				            "feature_names entry %zu is not a non-empty string", j);
			s = json_object_get_string(v);
		} else {
			snprintf(buf, sizeof buf, "f%zu", j);
			s = buf;
		}
		if (!(m->features[j] = candor__strdup(s)))
			return CANDOR_ENOMEM;
	}
	if (named && M > 1) {
		/* duplicates: sort a copy of the pointers */
		const char **sorted = candor__mallocarray(M, sizeof *sorted);
		if (!sorted)
			return CANDOR_ENOMEM;
		memcpy(sorted, m->features, M * sizeof *sorted);
		qsort(sorted, M, sizeof *sorted, cmp_name);
		const char *dup = NULL;
		for (size_t j = 1; j < M && !dup; j++)
			if (!strcmp(sorted[j - 1], sorted[j]))
				dup = sorted[j];
		candor__free(sorted);
		if (dup) {
			size_t second = 0;
			for (size_t j = 0, seen = 0; j < M; j++)
				if (!strcmp(m->features[j], dup) && seen++ == 1)
					second = j;
			return fail(c, &AT(at_fn, second), CANDOR_EPARSE,
			            "feature_names has \"%.64s\" twice (features must be unique)", dup);
		}
	}
	return CANDOR_OK;
}

candor_status candor__xgboost_load(candor_model **out, const candor__json *doc)
{
	json_object *root = doc->root;
	candor__tree_ensemble *ens;
	candor_model *m = NULL;
	json_object *learner, *gb, *model;
	candor_output_kind kind = CANDOR_OUTPUT_MARGIN;
	candor_status s;
	size_t catcap = 0;
	xctx c = { doc, (locale_t)0, &catcap, NULL };
	const jloc at_learner = { NULL, "learner", 0 };
	const jloc at_gb = { &at_learner, "gradient_booster", 0 };
	const jloc at_inner = { &at_gb, "gbtree", 0 };
	const jloc at_wd = { &at_gb, "weight_drop", 0 };
	json_object *inner = NULL, *wd = NULL, *gbname;
	bool dart;

	*out = NULL;
	if ((s = need(&learner, &c, root, NULL, "learner", json_type_object, "the document")))
		return s;
	if (!(c.cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0)))
		return candor__oom();
	if (!(ens = candor__tree_ensemble_new())) {
		freelocale(c.cloc);
		return CANDOR_ENOMEM;
	}
	if ((s = read_header(ens, &kind, learner, &at_learner, &c)) ||
	    (s = need(&gb, &c, learner, &at_learner, "gradient_booster", json_type_object,
	              "learner")) ||
	    (s = need(&gbname, &c, gb, &at_gb, "name", json_type_string, "gradient_booster")))
		goto failed;
	/* dart keeps a gbtree inside, and one weight per tree (weight_drop) */
	dart = !strcmp(json_object_get_string(gbname), "dart");
	if (dart && ((s = need(&inner, &c, gb, &at_gb, "gbtree", json_type_object,
	                       "gradient_booster")) ||
	             (s = need(&wd, &c, gb, &at_gb, "weight_drop", json_type_array,
	                       "gradient_booster"))))
		goto failed;
	const jloc at_model = { dart ? &at_inner : &at_gb, "model", 0 };
	if (!(c.catfeat = candor__calloc(ens->nfeatures, 1))) {
		s = CANDOR_ENOMEM;
		goto failed;
	}
	if ((s = need(&model, &c, dart ? inner : gb, dart ? &at_inner : &at_gb, "model",
	              json_type_object, "gradient_booster")) ||
	    (s = read_trees(ens, model, &at_model, &c)))
		goto failed;
	if (dart) {
		/* XGBoost's Dart::PredictBatchImpl adds float(tree output * weight):
		 * the same as each leaf scaled in float */
		if (json_object_array_length(wd) != ens->ntrees) {
			s = fail(&c, &at_wd, CANDOR_EPARSE, "has %zu entries for %zu trees",
			         json_object_array_length(wd), ens->ntrees);
			goto failed;
		}
		for (size_t t = 0; t < ens->ntrees; t++) {
			float w;
			if ((s = jfloat(&w, &c, json_object_array_get_idx(wd, t), &AT(at_wd, t), false,
			                "", -1, "weight_drop entry")))
				goto failed;
			candor__tree_node *nodes = ens->nodes + ens->trees[t].first;
			for (uint32_t k = 0; k < ens->trees[t].nnodes; k++)
				if (nodes[k].feature < 0)
					nodes[k].value = (double)((float)nodes[k].value * w);
		}
	}
	{
		/* categorical features (typed "c" or split on by a set) take integer
		 * codes: XGBoost would truncate 2.5 to category 2 */
		json_object *ft = get(learner, "feature_types");
		bool any = false;
		for (size_t j = 0; j < ens->nfeatures; j++) {
			json_object *v = ft && json_object_is_type(ft, json_type_array) &&
			                                 j < json_object_array_length(ft)
			                         ? json_object_array_get_idx(ft, j) : NULL;
			if (v && json_object_is_type(v, json_type_string) &&
			    !strcmp(json_object_get_string(v), "c"))
				c.catfeat[j] = 1;
			any = any || c.catfeat[j];
		}
		if (any) {
			ens->input_rule = c.catfeat;
			for (size_t j = 0; j < ens->nfeatures; j++)
				ens->input_rule[j] = c.catfeat[j] ? CANDOR__INPUT_INTEGER
				                                  : CANDOR__INPUT_ANY;
			c.catfeat = NULL;
		}
	}
	candor__free(c.catfeat);
	freelocale(c.cloc);
	ens->float_sum = true;
	if ((s = candor__tree_model_new(&m, ens, CANDOR_MODEL_XGBOOST, kind)))
		return s;
	if ((s = set_features(m, learner, &at_learner, &c))) {
		candor_model_free(m);
		return s;
	}
	*out = m;
	return CANDOR_OK;
failed:
	candor__tree_ensemble_free(ens);
	candor__free(c.catfeat);
	freelocale(c.cloc);
	return s;
}
