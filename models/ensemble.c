/*
 * ensemble.c - candor's tree-ensemble JSON (format "candor-tree-ensemble",
 * version 1, specified in docs/models.md), written by
 * tools/candor-export-sklearn for scikit-learn's tree ensembles, read into
 * the one tree engine (tree_int.h).
 *
 * The document says everything the prediction needs, so the reader has no
 * per-estimator code: the features, K outputs, a base per output, the
 * transform of the margin and what the outputs are, and the decision rule of
 * its splits ("sklearn_tree": float32(x) <= threshold, as scikit-learn's
 * DecisionTree and its forests and GradientBoosting compare; "sklearn_hist":
 * x <= threshold with a missing-value direction and categorical splits, as
 * HistGradientBoosting does). The margin of output k is base[k] plus, in the
 * file's tree order, scale * leaf of every tree of output k, in double:
 * the order and the arithmetic of scikit-learn's own predict, which starts
 * from the init (or baseline) prediction and adds the trees one by one.
 * The bases are loaded as K one-leaf trees ahead of the file's trees, so
 * that the engine's sum starts from them (and TreeSHAP counts them in the
 * base value).
 *
 * Strict: every member is checked for its type and bounds, an unknown
 * member is an error (a misspelt "scale" must not be ignored), every node
 * must be reached exactly once from the root, covers must add up
 * (candor__tree_covers_agree). Errors carry the line and column of the
 * offending value (the JSON core, core/json_int.h). All access to the parsed document goes
 * through the few helpers of the first section, so that a new JSON core
 * replaces them alone.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_int.h"
#include "models/tree_int.h"

#define ENS_MAX_FEATURES (1 << 20)
#define ENS_MAX_OUTPUTS (1 << 16)
#define ENS_MAX_TREE_NODES (1 << 26)
#define ENS_NCAT 256 /* HistGradientBoosting's categories are 0..255 */

/* A place in the document: member `key` (or, key NULL, element `idx`) of
 * the value at `up` (NULL: the root document). Built on the stack as the
 * reader descends, and resolved into the tree only to report an error. */
typedef struct jloc {
	const struct jloc *up;
	const char *key;
	size_t idx;
} jloc;

typedef struct ectx {
	const candor__json *doc;
	const char *path;
} ectx;

/* ===== JSON access: the only functions that see json-c ================== */

/* The value at `at`, and whether it is there (a null is there, as NULL). */
static json_object *resolve(const ectx *c, const jloc *at, bool *found)
{
	json_object *parent, *v = NULL;

	*found = true;
	if (!at)
		return c->doc->root;
	parent = resolve(c, at->up, found);
	if (!*found || !parent)
		return *found = false, NULL;
	if (at->key) {
		if (!json_object_is_type(parent, json_type_object) ||
		    !json_object_object_get_ex(parent, at->key, &v))
			*found = false;
	} else if (!json_object_is_type(parent, json_type_array) ||
	           at->idx >= json_object_array_length(parent)) {
		*found = false;
	} else {
		v = json_object_array_get_idx(parent, at->idx);
	}
	return v;
}

static candor_status fail(const ectx *c, const jloc *at, candor_status st, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static candor_status fail(const ectx *c, const jloc *at, candor_status st, const char *fmt, ...)
{
	char msg[480];
	bool found;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* the error sits at the value, or (a null, or a value that is not
	 * there) at its place in its parent, or at the nearest ancestor */
	while (at) {
		json_object *parent = resolve(c, at->up, &found);

		if (found && parent &&
		    (at->key ? json_object_is_type(parent, json_type_object)
		             : json_object_is_type(parent, json_type_array))) {
			bool here;
			(void)resolve(c, at, &here);
			if (here)
				return candor__json_error_in(c->doc, parent, at->key, at->idx, st,
				                             "tree-ensemble model: %s", msg);
			return candor__json_error(c->doc, parent, st, "tree-ensemble model: %s", msg);
		}
		at = at->up;
	}
	return candor__json_error(c->doc, NULL, st, "tree-ensemble model: %s", msg);
}

typedef json_object jv; /* a value of the document; NULL is JSON null */

/* Member `key` of object o: *found tells a null member from an absent one. */
static jv *member(jv *o, const char *key, bool *found)
{
	jv *v = NULL;
	*found = json_object_object_get_ex(o, key, &v);
	return v;
}

static bool is_object(jv *v) { return v && json_object_is_type(v, json_type_object); }
static bool is_array(jv *v) { return v && json_object_is_type(v, json_type_array); }
static bool is_string(jv *v) { return v && json_object_is_type(v, json_type_string); }
static bool is_int(jv *v) { return v && json_object_is_type(v, json_type_int); }
static bool is_bool(jv *v) { return v && json_object_is_type(v, json_type_boolean); }
static bool is_number(jv *v)
{
	return v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double));
}
static size_t length(jv *a) { return json_object_array_length(a); }
static jv *at_idx(jv *a, size_t i) { return json_object_array_get_idx(a, i); }
static const char *str(jv *v) { return json_object_get_string(v); }
static size_t str_len(jv *v) { return (size_t)json_object_get_string_len(v); }
static bool boolean(jv *v) { return json_object_get_boolean(v); }
static int64_t int_of(jv *v) { return json_object_get_int64(v); }
static const char *type_name(jv *v)
{
	return v ? json_type_to_name(json_object_get_type(v)) : "null";
}

/* The first member of object o not in keys[0..n), or NULL. */
static const char *unknown_member(jv *o, const char *const *keys, size_t n)
{
	json_object_object_foreach(o, k, v)
	{
		(void)v;
		size_t i = 0;
		while (i < n && strcmp(k, keys[i]))
			i++;
		if (i == n)
			return k;
	}
	return NULL;
}

/* The value of number v, read from its text (correctly rounded, locale
 * independent, as the exporter's repr wrote it). */
static bool number_of(jv *v, double *out)
{
	const char *s = str(v);
	return candor__parse_number(s, strlen(s), out) == CANDOR__NUM_OK && isfinite(*out);
}

/* ===== typed members ===================================================== */

static candor_status need(jv **out, const ectx *c, jv *o, const jloc *oat, const char *key,
                          const char *what)
{
	bool found;
	*out = member(o, key, &found);
	if (!found)
		return fail(c, oat, CANDOR_EPARSE, "%s has no \"%s\"", what, key);
	return CANDOR_OK;
}

static candor_status need_array(jv **out, const ectx *c, jv *o, const jloc *oat,
                                const char *key, const char *what)
{
	const jloc at = { oat, key, 0 };
	candor_status s = need(out, c, o, oat, key, what);
	if (s)
		return s;
	if (!is_array(*out))
		return fail(c, &at, CANDOR_EPARSE, "%s \"%s\" is %s, expected an array", what, key,
		            type_name(*out));
	return CANDOR_OK;
}

/* An integer in [lo, hi]. */
static candor_status int_in(int64_t *out, const ectx *c, jv *v, const jloc *at, int64_t lo,
                            int64_t hi, const char *what)
{
	if (!is_int(v))
		return fail(c, at, CANDOR_EPARSE, "%s is %s, expected an integer", what, type_name(v));
	*out = int_of(v);
	if (*out < lo || *out > hi)
		return fail(c, at, CANDOR_EPARSE, "%s is %lld, outside [%lld, %lld]", what,
		            (long long)*out, (long long)lo, (long long)hi);
	return CANDOR_OK;
}

static candor_status finite_num(double *out, const ectx *c, jv *v, const jloc *at, const char *what)
{
	if (!is_number(v))
		return fail(c, at, CANDOR_EPARSE, "%s is %s, expected a number", what, type_name(v));
	if (!number_of(v, out))
		return fail(c, at, CANDOR_EPARSE, "%s \"%.40s\" is not a finite number", what, str(v));
	return CANDOR_OK;
}

/* One of names[0..n) -> its index. */
static candor_status keyword(int *out, const ectx *c, jv *o, const jloc *oat, const char *key,
                             const char *const *names, size_t n, const char *allowed)
{
	const jloc at = { oat, key, 0 };
	jv *v;
	candor_status s = need(&v, c, o, oat, key, "the document");
	if (s)
		return s;
	if (!is_string(v))
		return fail(c, &at, CANDOR_EPARSE, "\"%s\" is %s, expected one of %s", key,
		            type_name(v), allowed);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(str(v), names[i]) && strlen(names[i]) == str_len(v)) {
			*out = (int)i;
			return CANDOR_OK;
		}
	return fail(c, &at, CANDOR_EUNSUPPORTED, "\"%s\" is \"%.40s\", not one of %s", key, str(v),
	            allowed);
}

/* ===== the header ======================================================== */

enum { DEC_TREE = 0, DEC_HIST = 1 };

typedef struct header {
	size_t M, K;
	int decision;
	candor_output_kind kind;
	jv *features, *base, *trees, *known;
	uint32_t *known_set; /* M x 8 words (hist with known_categories), else NULL */
	bool *has_known;
} header;

static const char *const top_keys[] = { "format", "version", "producer", "features",
	                                "outputs", "transform", "output_kind", "decision",
	                                "base", "known_categories", "trees" };

static candor_status read_known(header *h, const ectx *c, jv *root)
{
	const jloc at_k = { NULL, "known_categories", 0 };
	bool found;
	h->known = member(root, "known_categories", &found);
	if (!found)
		return CANDOR_OK;
	if (h->decision != DEC_HIST)
		return fail(c, &at_k, CANDOR_EPARSE,
		            "known_categories belongs to decision \"sklearn_hist\" only");
	if (!is_array(h->known) || length(h->known) != h->M)
		return fail(c, &at_k, CANDOR_EPARSE,
		            "known_categories is not an array of %zu entries (one per feature)", h->M);
	if (!(h->known_set = candor__calloc(h->M * 8, sizeof *h->known_set)) ||
	    !(h->has_known = candor__calloc(h->M, sizeof *h->has_known)))
		return CANDOR_ENOMEM;
	for (size_t j = 0; j < h->M; j++) {
		jv *cats = at_idx(h->known, j);
		const jloc at = { &at_k, NULL, j };
		int64_t prev = -1;
		if (!cats)
			continue; /* a numerical feature */
		if (!is_array(cats) || length(cats) == 0 || length(cats) > ENS_NCAT)
			return fail(c, &at, CANDOR_EPARSE,
			            "known_categories entry %zu is not null or an array of 1 to 256 "
			            "categories", j);
		h->has_known[j] = true;
		for (size_t i = 0; i < length(cats); i++) {
			const jloc ai = { &at, NULL, i };
			int64_t v;
			candor_status s = int_in(&v, c, at_idx(cats, i), &ai, 0, ENS_NCAT - 1,
			                         "a known category");
			if (s)
				return s;
			if (v <= prev)
				return fail(c, &ai, CANDOR_EPARSE,
				            "known_categories entry %zu is not strictly increasing", j);
			prev = v;
			h->known_set[j * 8 + (size_t)v / 32] |= 1u << (v % 32);
		}
	}
	return CANDOR_OK;
}

static candor_status read_header(header *h, candor__tree_ensemble *ens, const ectx *c, jv *root)
{
	static const char *const transforms[] = { "identity", "sigmoid", "softmax", "exp" };
	static const char *const kinds[] = { "probability", "margin", "value" };
	static const char *const decisions[] = { "sklearn_tree", "sklearn_hist" };
	const jloc at_fmt = { NULL, "format", 0 }, at_ver = { NULL, "version", 0 };
	const jloc at_feat = { NULL, "features", 0 }, at_out = { NULL, "outputs", 0 };
	const jloc at_tr = { NULL, "transform", 0 }, at_base = { NULL, "base", 0 };
	const jloc at_prod = { NULL, "producer", 0 };
	const char *bad;
	jv *v;
	int64_t iv;
	int t, k;
	bool found;
	candor_status s;

	if ((bad = unknown_member(root, top_keys, sizeof top_keys / sizeof *top_keys)))
		return fail(c, NULL, CANDOR_EPARSE, "unknown member \"%.64s\" (version 1 has none)",
		            bad);
	if ((s = need(&v, c, root, NULL, "format", "the document")))
		return s;
	if (!is_string(v) || strcmp(str(v), "candor-tree-ensemble") ||
	    str_len(v) != strlen("candor-tree-ensemble"))
		return fail(c, &at_fmt, CANDOR_EUNSUPPORTED,
		            "format is not \"candor-tree-ensemble\" (the only JSON model format "
		            "with a \"format\" member)");
	if ((s = need(&v, c, root, NULL, "version", "the document")))
		return s;
	if (!is_int(v) || int_of(v) != 1)
		return fail(c, &at_ver, CANDOR_EUNSUPPORTED,
		            "version %.20s is not supported (this candor reads version 1)", str(v));
	v = member(root, "producer", &found);
	if (found && !is_string(v))
		return fail(c, &at_prod, CANDOR_EPARSE, "producer is %s, expected a string",
		            type_name(v));
	if ((s = need_array(&h->features, c, root, NULL, "features", "the document")))
		return s;
	h->M = length(h->features);
	if (h->M == 0 || h->M > ENS_MAX_FEATURES)
		return fail(c, &at_feat, CANDOR_EPARSE, "features has %zu names, expected 1 to %d",
		            h->M, ENS_MAX_FEATURES);
	if ((s = need(&v, c, root, NULL, "outputs", "the document")) ||
	    (s = int_in(&iv, c, v, &at_out, 1, ENS_MAX_OUTPUTS, "outputs")))
		return s;
	h->K = (size_t)iv;
	if ((s = keyword(&t, c, root, NULL, "transform", transforms, 4,
	                 "identity, sigmoid, softmax, exp")) ||
	    (s = keyword(&k, c, root, NULL, "output_kind", kinds, 3, "probability, margin, value")) ||
	    (s = keyword(&h->decision, c, root, NULL, "decision", decisions, 2,
	                 "sklearn_tree, sklearn_hist")))
		return s;
	h->kind = k == 0 ? CANDOR_OUTPUT_PROBABILITY : k == 1 ? CANDOR_OUTPUT_MARGIN
	                                                      : CANDOR_OUTPUT_VALUE;
	ens->transform = t == 0 ? CANDOR__TREE_IDENTITY : t == 1 ? CANDOR__TREE_SIGMOID
	                 : t == 2 ? CANDOR__TREE_SOFTMAX : CANDOR__TREE_EXP;
	/* The transform decides what the outputs can be. */
	if ((t == 1 && (h->K != 1 || k != 0)) || (t == 2 && (h->K < 2 || k != 0)) ||
	    (t == 3 && k != 2))
		return fail(c, &at_tr, CANDOR_EPARSE,
		            "transform %s does not go with %zu output(s) of kind %s (sigmoid: one "
		            "probability; softmax: two or more probabilities; exp: values)",
		            transforms[t], h->K, kinds[k]);
	if ((s = need_array(&h->base, c, root, NULL, "base", "the document")))
		return s;
	if (length(h->base) != h->K)
		return fail(c, &at_base, CANDOR_EPARSE, "base has %zu entries for %zu outputs",
		            length(h->base), h->K);
	if ((s = read_known(h, c, root)) ||
	    (s = need_array(&h->trees, c, root, NULL, "trees", "the document")))
		return s;
	if (length(h->trees) == 0) {
		const jloc at = { NULL, "trees", 0 };
		return fail(c, &at, CANDOR_EPARSE, "the model has no trees");
	}
	ens->nfeatures = h->M;
	ens->noutputs = h->K;
	snprintf(ens->objective, sizeof ens->objective, "%s", decisions[h->decision]);
	return CANDOR_OK;
}

/* ===== trees ============================================================= */

typedef struct tarrays {
	jv *left, *right, *feature, *threshold, *value, *cover, *missing, *cats;
	jloc at_left, at_right, at_feature, at_threshold, at_value, at_cover, at_missing, at_cats;
} tarrays;

static const char *const tree_keys[] = { "output", "scale", "left", "right", "feature",
	                                 "threshold", "value", "cover", "missing_left",
	                                 "categories" };

/* The arrays of tree `t` at `tat`, each of n entries; *nn = n. */
static candor_status tree_arrays(tarrays *a, size_t *nn, const ectx *c, const header *h, jv *jt,
                                 const jloc *tat, size_t t)
{
	char what[40];
	const char *bad;
	candor_status s;
	snprintf(what, sizeof what, "tree %zu", t);
	if (!is_object(jt))
		return fail(c, tat, CANDOR_EPARSE, "%s is %s, expected an object", what, type_name(jt));
	if ((bad = unknown_member(jt, tree_keys, sizeof tree_keys / sizeof *tree_keys)))
		return fail(c, tat, CANDOR_EPARSE, "%s has an unknown member \"%.64s\"", what, bad);
	memset(a, 0, sizeof *a);
	a->at_left = (jloc){ tat, "left", 0 };
	if ((s = need_array(&a->left, c, jt, tat, "left", what)))
		return s;
	*nn = length(a->left);
	if (*nn == 0 || *nn > ENS_MAX_TREE_NODES)
		return fail(c, &a->at_left, CANDOR_EPARSE, "%s has %zu nodes, expected 1 to %d", what,
		            *nn, ENS_MAX_TREE_NODES);
#define ARR(field, key)                                                                    \
	do {                                                                               \
		a->at_##field = (jloc){ tat, key, 0 };                                     \
		if ((s = need_array(&a->field, c, jt, tat, key, what)))                    \
			return s;                                                          \
		if (length(a->field) != *nn)                                               \
			return fail(c, &a->at_##field, CANDOR_EPARSE,                      \
			            "%s \"%s\" has %zu entries, \"left\" %zu", what, key,  \
			            length(a->field), *nn);                                \
	} while (0)
	ARR(right, "right");
	ARR(feature, "feature");
	ARR(threshold, "threshold");
	ARR(value, "value");
	ARR(cover, "cover");
	if (h->decision == DEC_HIST) {
		ARR(missing, "missing_left");
		ARR(cats, "categories");
	} else {
		bool f1, f2;
		(void)member(jt, "missing_left", &f1);
		(void)member(jt, "categories", &f2);
		if (f1 || f2)
			return fail(c, tat, CANDOR_EPARSE,
			            "%s has \"%s\", which only decision \"sklearn_hist\" has", what,
			            f1 ? "missing_left" : "categories");
	}
#undef ARR
	return CANDOR_OK;
}

#define AT(base, i) ((jloc){ &(base), NULL, (i) })

/* A threshold: a finite number, or (sklearn_hist) the string "inf" or "-inf". */
static candor_status threshold_of(double *out, const ectx *c, const header *h, jv *v,
                                  const jloc *at, size_t t, size_t i)
{
	char what[64];
	snprintf(what, sizeof what, "tree %zu node %zu threshold", t, i);
	if (h->decision == DEC_HIST && is_string(v)) {
		if (!strcmp(str(v), "inf") && str_len(v) == 3) {
			*out = INFINITY;
			return CANDOR_OK;
		}
		if (!strcmp(str(v), "-inf") && str_len(v) == 4) {
			*out = -INFINITY;
			return CANDOR_OK;
		}
		return fail(c, at, CANDOR_EPARSE, "%s is \"%.40s\", expected a number, \"inf\" or "
		            "\"-inf\"", what, str(v));
	}
	return finite_num(out, c, v, at, what);
}

/* The categorical set of node i (its "categories" array cv) into
 * set[0..8): the categories that go left, and with missing_left the
 * categories the model never saw (HistGradientBoosting sends unknown
 * categories the missing way). */
static candor_status cat_set(uint32_t *set, const ectx *c, const header *h, jv *cv,
                             const jloc *at, size_t t, size_t i, int32_t f, bool missing_left)
{
	memset(set, 0, 8 * sizeof *set);
	if (!h->has_known || !h->has_known[f])
		return fail(c, at, CANDOR_EPARSE,
		            "tree %zu node %zu is a categorical split on feature %d, which "
		            "known_categories does not list as categorical", t, i, f);
	if (!is_array(cv) || length(cv) > ENS_NCAT)
		return fail(c, at, CANDOR_EPARSE,
		            "tree %zu node %zu categories is not an array of at most 256 categories",
		            t, i);
	const uint32_t *known = h->known_set + (size_t)f * 8;
	for (size_t q = 0; q < length(cv); q++) {
		const jloc aq = { at, NULL, q };
		int64_t v;
		candor_status s = int_in(&v, c, at_idx(cv, q), &aq, 0, ENS_NCAT - 1, "a category");
		if (s)
			return s;
		if (!(known[v / 32] >> (v % 32) & 1u))
			return fail(c, &aq, CANDOR_EPARSE,
			            "tree %zu node %zu sends category %lld left, which is not a known "
			            "category of feature %d", t, i, (long long)v, f);
		if (set[v / 32] >> (v % 32) & 1u)
			return fail(c, &aq, CANDOR_EPARSE,
			            "tree %zu node %zu lists category %lld twice", t, i, (long long)v);
		set[v / 32] |= 1u << (v % 32);
	}
	if (missing_left)
		for (size_t w = 0; w < 8; w++)
			set[w] |= ~known[w];
	return CANDOR_OK;
}

/* One node, old index `old`, into nd (value, feature, split) and *cv. */
static candor_status read_node(candor__tree_node *nd, double *cover, uint32_t *catset,
                               size_t *ncat, int64_t *l, int64_t *r, const ectx *c,
                               const header *h, const tarrays *a, size_t t, size_t old,
                               double scale)
{
	char what[64];
	int64_t f;
	bool missing_left = false;
	jv *th = at_idx(a->threshold, old), *val = at_idx(a->value, old);
	jv *cv = a->cats ? at_idx(a->cats, old) : NULL;
	candor_status s;

	snprintf(what, sizeof what, "tree %zu node %zu", t, old);
	memset(nd, 0, sizeof *nd);
	if ((s = int_in(l, c, at_idx(a->left, old), &AT(a->at_left, old), -1,
	                (int64_t)length(a->left) - 1, "a left child")) ||
	    (s = int_in(r, c, at_idx(a->right, old), &AT(a->at_right, old), -1,
	                (int64_t)length(a->left) - 1, "a right child")) ||
	    (s = int_in(&f, c, at_idx(a->feature, old), &AT(a->at_feature, old), -1,
	                (int64_t)h->M - 1, "a feature")) ||
	    (s = finite_num(cover, c, at_idx(a->cover, old), &AT(a->at_cover, old), "a cover")))
		return s;
	if (!(*cover >= 0))
		return fail(c, &AT(a->at_cover, old), CANDOR_EPARSE, "%s has cover %g", what, *cover);
	if (a->missing) {
		jv *m = at_idx(a->missing, old);
		if (!is_bool(m))
			return fail(c, &AT(a->at_missing, old), CANDOR_EPARSE,
			            "%s missing_left is %s, expected true or false", what, type_name(m));
		missing_left = boolean(m);
	}
	if (*l == -1 || *r == -1) {
		double v;
		if (*l != *r || f != -1)
			return fail(c, &AT(a->at_left, old), CANDOR_EPARSE,
			            "%s is neither a leaf (left, right and feature all -1) nor a split",
			            what);
		if (th || cv || missing_left)
			return fail(c, th ? &AT(a->at_threshold, old) : cv ? &AT(a->at_cats, old)
			                                                  : &AT(a->at_missing, old),
			            CANDOR_EPARSE,
			            "%s is a leaf: its threshold and categories are null and "
			            "missing_left is false", what);
		if ((s = finite_num(&v, c, val, &AT(a->at_value, old), "a leaf value")))
			return s;
		nd->value = scale == 1.0 ? v : scale * v;
		if (!isfinite(nd->value))
			return fail(c, &AT(a->at_value, old), CANDOR_EPARSE,
			            "%s: scale times its value overflows", what);
		nd->feature = -1;
		return CANDOR_OK;
	}
	if (*l == 0 || *r == 0 || *l == *r || f < 0)
		return fail(c, &AT(a->at_left, old), CANDOR_EPARSE,
		            "%s has children %lld and %lld and feature %lld: a split has two "
		            "distinct children other than the root and a feature",
		            what, (long long)*l, (long long)*r, (long long)f);
	if (val)
		return fail(c, &AT(a->at_value, old), CANDOR_EPARSE,
		            "%s is a split: its value is null", what);
	nd->feature = (int32_t)f;
	nd->default_left = missing_left;
	if (cv) {
		if (th)
			return fail(c, &AT(a->at_threshold, old), CANDOR_EPARSE,
			            "%s is a categorical split: its threshold is null", what);
		if ((s = cat_set(catset + *ncat, c, h, cv, &AT(a->at_cats, old), t, old,
		                 (int32_t)f, missing_left)))
			return s;
		nd->split = CANDOR__SPLIT_CAT_DEFAULT;
		nd->cat = (uint32_t)*ncat;
		nd->ncat = 8;
		*ncat += 8;
		return CANDOR_OK;
	}
	if ((s = threshold_of(&nd->value, c, h, th, &AT(a->at_threshold, old), t, old)))
		return s;
	if (h->decision == DEC_TREE) {
		nd->split = CANDOR__SPLIT_LE_F32D;
	} else {
		nd->split = CANDOR__SPLIT_LE;
		nd->missing = CANDOR__MISSING_NAN;
	}
	return CANDOR_OK;
}

/*
 * Tree t of the file into ens->nodes[*next..]: its nodes renumbered
 * breadth-first (siblings adjacent), every node reached exactly once.
 * `order` and `depth_of` are scratch of at least nn entries.
 */
static candor_status read_tree(candor__tree_ensemble *ens, candor__tree *tree, size_t *next,
                               size_t *ncat, const ectx *c, const header *h, const tarrays *a,
                               size_t nn, size_t t, double scale, uint32_t *order,
                               uint32_t *depth_of)
{
	candor__tree_node *nodes = ens->nodes + *next;
	double *cover = ens->cover + *next;
	uint32_t nleaves = 0, maxdepth = 0;
	size_t tail = 1;
	candor_status s;

	for (size_t i = 0; i < nn; i++)
		depth_of[i] = UINT32_MAX;
	order[0] = 0;
	depth_of[0] = 0;
	for (size_t k = 0; k < tail; k++) {
		const uint32_t old = order[k];
		int64_t l, r;
		if ((s = read_node(&nodes[k], &cover[k], ens->catset, ncat, &l, &r, c, h, a, t, old,
		                   scale)))
			return s;
		if (nodes[k].feature < 0) {
			nleaves++;
			if (depth_of[old] > maxdepth)
				maxdepth = depth_of[old];
			continue;
		}
		if (depth_of[l] != UINT32_MAX || depth_of[r] != UINT32_MAX || tail + 2 > nn)
			return fail(c, &AT(a->at_left, old), CANDOR_EPARSE,
			            "tree %zu is not a tree (node %lld or %lld is reached twice)", t,
			            (long long)l, (long long)r);
		depth_of[l] = depth_of[r] = depth_of[old] + 1;
		nodes[k].left = (uint32_t)tail;
		order[tail++] = (uint32_t)l;
		order[tail++] = (uint32_t)r;
	}
	if (tail != nn) {
		size_t i = 0;
		while (depth_of[i] != UINT32_MAX)
			i++;
		return fail(c, &AT(a->at_left, i), CANDOR_EPARSE,
		            "tree %zu node %zu is not reached from the root", t, i);
	}
	for (size_t k = 0; k < tail; k++) {
		if (nodes[k].feature < 0)
			continue;
		const uint32_t lc = nodes[k].left;
		if (!candor__tree_covers_agree(cover[k], cover[lc], cover[lc + 1]))
			return fail(c, &AT(a->at_cover, order[k]), CANDOR_EPARSE,
			            "tree %zu node %u has cover %.17g, but its children's add up to "
			            "%.17g: the covers are inconsistent",
			            t, order[k], cover[k], cover[lc] + cover[lc + 1]);
	}
	candor__tree_place(ens, tree, next, (uint32_t)tail, nleaves, maxdepth);
	return CANDOR_OK;
}

static candor_status read_trees(candor__tree_ensemble *ens, const ectx *c, const header *h)
{
	const jloc at_trees = { NULL, "trees", 0 }, at_base = { NULL, "base", 0 };
	const size_t T = length(h->trees), K = h->K;
	size_t total = K, maxnn = 1, ncatnodes = 0, next = 0, ncat = 0;
	uint32_t *scratch = NULL;
	tarrays a;
	candor_status s = CANDOR_OK;

	/* First pass: sizes, from the arrays themselves (never from a count). */
	for (size_t t = 0; t < T; t++) {
		const jloc tat = { &at_trees, NULL, t };
		size_t nn;
		if ((s = tree_arrays(&a, &nn, c, h, at_idx(h->trees, t), &tat, t)))
			return s;
		total += nn;
		if (nn > maxnn)
			maxnn = nn;
		if (total > (size_t)INT32_MAX)
			return fail(c, &tat, CANDOR_EUNSUPPORTED, "more than 2^31 nodes");
		if (a.cats)
			for (size_t i = 0; i < nn; i++)
				ncatnodes += at_idx(a.cats, i) != NULL;
	}
	ens->ntrees = K + T;
	if (!(ens->trees = candor__calloc(K + T, sizeof *ens->trees)) ||
	    !(ens->nodes = candor__calloc(total, sizeof *ens->nodes)) ||
	    !(ens->cover = candor__mallocarray(total, sizeof *ens->cover)) ||
	    !(ens->catset = candor__mallocarray(ncatnodes ? 8 * ncatnodes : 1,
	                                         sizeof *ens->catset)) ||
	    !(scratch = candor__mallocarray(2 * maxnn, sizeof *scratch)))
		return CANDOR_ENOMEM;
	ens->ncatset = 8 * ncatnodes;

	/* The bases: one single-leaf tree per output, first in the sum. */
	for (size_t k = 0; k < K; k++) {
		double b;
		if ((s = finite_num(&b, c, at_idx(h->base, k), &AT(at_base, k), "a base")))
			goto done;
		ens->nodes[next] = (candor__tree_node){ .value = b, .feature = -1 };
		ens->cover[next] = 1.0;
		ens->trees[k] = (candor__tree){ .first = next, .nnodes = 1, .nleaves = 1,
			                        .group = (uint32_t)k };
		next++;
	}
	for (size_t t = 0; t < T; t++) {
		const jloc tat = { &at_trees, NULL, t }, oat = { &tat, "output", 0 };
		const jloc sat = { &tat, "scale", 0 };
		jv *jt = at_idx(h->trees, t), *v;
		int64_t g;
		double scale = 1.0;
		size_t nn;
		bool found;
		if ((s = tree_arrays(&a, &nn, c, h, jt, &tat, t)) ||
		    (s = need(&v, c, jt, &tat, "output", "a tree")) ||
		    (s = int_in(&g, c, v, &oat, 0, (int64_t)K - 1, "a tree's output")))
			goto done;
		v = member(jt, "scale", &found);
		if (found && (s = finite_num(&scale, c, v, &sat, "a tree's scale")))
			goto done;
		ens->trees[K + t].group = (uint32_t)g;
		if ((s = read_tree(ens, &ens->trees[K + t], &next, &ncat, c, h, &a, nn, t, scale,
		                   scratch, scratch + maxnn)))
			goto done;
	}
	ens->nnodes = next;
done:
	candor__free(scratch);
	return s;
}

/* ===== features and loading ============================================= */

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static candor_status set_features(candor_model *m, const ectx *c, const header *h)
{
	const jloc at_f = { NULL, "features", 0 };
	const char **sorted;
	for (size_t j = 0; j < h->M; j++) {
		jv *v = at_idx(h->features, j);
		if (!is_string(v) || str_len(v) == 0 || strlen(str(v)) != str_len(v))
			return fail(c, &AT(at_f, j), CANDOR_EPARSE,
			            "features entry %zu is not a non-empty string", j);
		if (!(m->features[j] = candor__strdup(str(v))))
			return CANDOR_ENOMEM;
	}
	if (!(sorted = candor__mallocarray(h->M, sizeof *sorted)))
		return CANDOR_ENOMEM;
	memcpy(sorted, m->features, h->M * sizeof *sorted);
	qsort(sorted, h->M, sizeof *sorted, cmp_name);
	for (size_t j = 1; j < h->M; j++)
		if (!strcmp(sorted[j - 1], sorted[j])) {
			size_t second = 0;
			for (size_t i = 0, seen = 0; i < h->M; i++)
				if (!strcmp(m->features[i], sorted[j]) && seen++ == 1)
					second = i;
			candor_status s = fail(c, &AT(at_f, second), CANDOR_EPARSE,
			                       "features has \"%.64s\" twice (names must be unique)",
			                       sorted[j]);
			candor__free(sorted);
			return s;
		}
	candor__free(sorted);
	return CANDOR_OK;
}

bool candor__ensemble_detect(json_object *root)
{
	bool found;
	(void)member(root, "format", &found);
	return found;
}

candor_status candor__ensemble_load(candor_model **out, const candor__json *doc)
{
	const ectx c = { doc, doc->name };
	json_object *root = doc->root;
	header h;
	candor__tree_ensemble *ens;
	candor_model *m = NULL;
	candor_status s;

	*out = NULL;
	memset(&h, 0, sizeof h);
	if (!(ens = candor__tree_ensemble_new()))
		return CANDOR_ENOMEM;
	if ((s = read_header(&h, ens, &c, root)) || (s = read_trees(ens, &c, &h)))
		goto fail;
	if (!(ens->input_rule = candor__calloc(h.M, sizeof *ens->input_rule))) {
		s = CANDOR_ENOMEM;
		goto fail;
	}
	for (size_t j = 0; j < h.M; j++)
		ens->input_rule[j] = h.decision == DEC_TREE ? CANDOR__INPUT_FINITE_F32
		                     : h.has_known && h.has_known[j] ? CANDOR__INPUT_CAT256
		                                                     : CANDOR__INPUT_ANY;
	candor__free(h.known_set);
	candor__free(h.has_known);
	if ((s = candor__tree_model_new(&m, ens, CANDOR_MODEL_ENSEMBLE, h.kind)))
		return s;
	if ((s = set_features(m, &c, &h))) {
		candor_model_free(m);
		return s;
	}
	*out = m;
	return CANDOR_OK;
fail:
	candor__free(h.known_set);
	candor__free(h.has_known);
	candor__tree_ensemble_free(ens);
	return s;
}
