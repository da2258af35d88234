/*
 * lightgbm.c - LightGBM's text model (Booster.save_model("m.txt"), the
 * `lightgbm task=train` output), read into the one tree engine
 * (tree_int.h). Checked against LightGBM v4.6.0 and v3.3.5
 * (src/boosting/gbdt_model_text.cpp GBDT::LoadModelFromString,
 * src/io/tree.cpp Tree::Tree(const char*), include/LightGBM/tree.h).
 *
 * Layout: the line "tree", header lines key=value up to the first
 * "Tree=0", then one block per tree (key=value lines, ended by a blank
 * line), then "end of trees" and sections candor does not need
 * (feature importances, parameters).
 *
 * Header: version (v2, v3, v4), num_class, num_tree_per_iteration (K),
 * max_feature_idx (M - 1), objective, feature_names, average_output.
 * Trees: num_leaves, num_cat, split_feature, threshold, decision_type,
 * left_child, right_child (>= 0: an internal node, < 0: leaf ~c),
 * leaf_value (shrinkage already folded in), leaf_count, internal_count
 * (the covers of TreeSHAP, as LightGBM's own uses them), cat_boundaries,
 * cat_threshold, is_linear. internal_value is never used: v3 writes 0 at
 * the root.
 *
 * Prediction is LightGBM's PredictRaw: tree t adds its leaf to output t % K,
 * in tree order, in double, from 0; average_output (random forest) divides
 * by the number of iterations (folded into the leaves here). Splits follow
 * tree.h: numerical x <= threshold after the missing type (None: NaN is 0;
 * Zero: 0 and NaN go the default way; NaN: NaN goes the default way),
 * categorical by bitset, NaN and negatives right (candor__tree_left).
 *
 * Refused: linear trees (is_linear=1), objectives whose output transform
 * candor does not reproduce, models trained on pandas categories
 * (pandas_categorical: the codes of a text column would be candor's, not
 * the model's), counts that disagree (a node's internal_count is not its
 * children's sum), and anything malformed, at its line and column.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/tree_int.h"

#define LGB_MAX_FEATURES (1 << 20)
#define LGB_MAX_OUTPUTS (1 << 16)
#define LGB_MAX_LEAVES (1 << 20)

/* ===== text ============================================================ */

typedef struct slice {
	const char *s;   /* NULL: absent */
	size_t n;
	uint64_t line;   /* 1-based */
	uint64_t col;    /* 1-based column of s[0] */
} slice;

typedef struct lreader {
	const char *text;
	size_t len, pos;
	uint64_t line; /* of the last line returned */
	const char *path;
} lreader;

static candor_status lfail(const lreader *r, uint64_t line, uint64_t col, candor_status st,
                           const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static candor_status lfail(const lreader *r, uint64_t line, uint64_t col, candor_status st,
                           const char *fmt, ...)
{
	char msg[480];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return candor__error(st, r->path, line, col, "lightgbm model: %s", msg);
}

/* The next line (without its \n or \r\n); false at the end. */
static bool next_line(lreader *r, slice *out)
{
	if (r->pos >= r->len)
		return false;
	const char *s = r->text + r->pos;
	const char *nl = memchr(s, '\n', r->len - r->pos);
	size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
	r->pos += n + (nl ? 1 : 0);
	if (n && s[n - 1] == '\r')
		n--;
	r->line++;
	*out = (slice){ s, n, r->line, 1 };
	return true;
}

static bool slice_eq(const slice *a, const char *lit)
{
	const size_t n = strlen(lit);
	return a->s && a->n == n && memcmp(a->s, lit, n) == 0;
}

static bool starts(const slice *a, const char *lit)
{
	const size_t n = strlen(lit);
	return a->s && a->n >= n && memcmp(a->s, lit, n) == 0;
}

/* Split "key=value" into key and value (value absent: no '='). */
static void key_value(const slice *line, slice *key, slice *val)
{
	const char *eq = memchr(line->s, '=', line->n);
	*key = *line;
	*val = (slice){ NULL, 0, line->line, 1 };
	if (eq) {
		key->n = (size_t)(eq - line->s);
		*val = (slice){ eq + 1, line->n - key->n - 1, line->line, key->n + 2 };
	}
}

/* Tokens of a space-separated list: the next one from *pos. */
static bool next_token(const slice *v, size_t *pos, slice *tok)
{
	size_t i = *pos;
	while (i < v->n && (v->s[i] == ' ' || v->s[i] == '\t'))
		i++;
	if (i >= v->n)
		return false;
	size_t j = i;
	while (j < v->n && v->s[j] != ' ' && v->s[j] != '\t')
		j++;
	*tok = (slice){ v->s + i, j - i, v->line, v->col + i };
	*pos = j;
	return true;
}

static bool parse_int(const slice *t, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	int64_t v = 0;
	if (i < t->n && (t->s[i] == '-' || t->s[i] == '+'))
		neg = t->s[i++] == '-';
	if (i == t->n || t->n - i > 18)
		return false;
	for (; i < t->n; i++) {
		if (t->s[i] < '0' || t->s[i] > '9')
			return false;
		v = v * 10 + (t->s[i] - '0');
	}
	*out = neg ? -v : v;
	return true;
}

/* Exactly n numbers of list v (key named for messages), into dbl (finite,
 * or also infinite with allow_inf) or i64. */
static candor_status numbers_inf(const lreader *r, const slice *v, const char *key, size_t n,
                                 double *dbl, int64_t *i64, bool allow_inf)
{
	size_t pos = 0, k = 0;
	slice tok;
	if (!v->s)
		return lfail(r, v->line, 0, CANDOR_EPARSE, "the tree has no %s", key);
	while (next_token(v, &pos, &tok)) {
		if (k == n)
			return lfail(r, tok.line, tok.col, CANDOR_EPARSE,
			             "%s has more than the %zu entries expected", key, n);
		bool ok = dbl ? candor__parse_double(tok.s, tok.n, &dbl[k]) && isfinite(dbl[k])
		              : parse_int(&tok, &i64[k]);
		/* LightGBM writes the threshold of a split that sends every value
		 * one way as inf or -inf */
		if (!ok && dbl && allow_inf) {
			const bool neg = tok.n && tok.s[0] == '-';
			slice u = tok;
			if (tok.n && (tok.s[0] == '-' || tok.s[0] == '+')) {
				u.s++;
				u.n--;
			}
			if (slice_eq(&u, "inf") || slice_eq(&u, "Infinity")) {
				dbl[k] = neg ? -INFINITY : INFINITY;
				ok = true;
			}
		}
		if (!ok)
			return lfail(r, tok.line, tok.col, CANDOR_EPARSE, "%s entry \"%.*s\" is not %s",
			             key, (int)(tok.n < 40 ? tok.n : 40), tok.s,
			             dbl ? "a finite number" : "an integer");
		k++;
	}
	if (k != n)
		return lfail(r, v->line, v->col, CANDOR_EPARSE, "%s has %zu entries, expected %zu",
		             key, k, n);
	return CANDOR_OK;
}

static candor_status numbers(const lreader *r, const slice *v, const char *key, size_t n,
                             double *dbl, int64_t *i64)
{
	return numbers_inf(r, v, key, n, dbl, i64, false);
}

static candor_status one_int(const lreader *r, const slice *v, const char *key, int64_t lo,
                             int64_t hi, int64_t *out)
{
	slice t = *v;
	if (!v->s)
		return lfail(r, v->line, 0, CANDOR_EPARSE, "no %s", key);
	if (!parse_int(&t, out) || *out < lo || *out > hi)
		return lfail(r, v->line, v->col, CANDOR_EPARSE, "%s \"%.*s\" is not an integer in "
		             "[%lld, %lld]", key, (int)(v->n < 40 ? v->n : 40), v->s, (long long)lo,
		             (long long)hi);
	return CANDOR_OK;
}

/* ===== header ========================================================== */

typedef struct lheader {
	slice version, num_class, ntpi, max_feature_idx, objective, feature_names,
	        average_output;
	bool has_average;
} lheader;

typedef struct lobjective {
	const char *name;
	candor__tree_transform transform;
	candor_output_kind kind;
} lobjective;

/* First tokens of LightGBM's objective line (its objective's ToString). */
static const lobjective lobjectives[] = {
	{ "binary", CANDOR__TREE_SIGMOID, CANDOR_OUTPUT_PROBABILITY },
	{ "multiclass", CANDOR__TREE_SOFTMAX, CANDOR_OUTPUT_PROBABILITY },
	{ "multiclassova", CANDOR__TREE_SIGMOID, CANDOR_OUTPUT_PROBABILITY },
	{ "cross_entropy", CANDOR__TREE_SIGMOID, CANDOR_OUTPUT_PROBABILITY },
	{ "regression", CANDOR__TREE_IDENTITY, CANDOR_OUTPUT_VALUE },
	{ "regression_l1", CANDOR__TREE_IDENTITY, CANDOR_OUTPUT_VALUE },
	{ "huber", CANDOR__TREE_IDENTITY, CANDOR_OUTPUT_VALUE },
	{ "fair", CANDOR__TREE_IDENTITY, CANDOR_OUTPUT_VALUE },
	{ "quantile", CANDOR__TREE_IDENTITY, CANDOR_OUTPUT_VALUE },
	{ "mape", CANDOR__TREE_IDENTITY, CANDOR_OUTPUT_VALUE },
	{ "poisson", CANDOR__TREE_EXP, CANDOR_OUTPUT_VALUE },
	{ "gamma", CANDOR__TREE_EXP, CANDOR_OUTPUT_VALUE },
	{ "tweedie", CANDOR__TREE_EXP, CANDOR_OUTPUT_VALUE },
	{ "lambdarank", CANDOR__TREE_IDENTITY, CANDOR_OUTPUT_MARGIN },
	{ "rank_xendcg", CANDOR__TREE_IDENTITY, CANDOR_OUTPUT_MARGIN },
};

static candor_status read_objective(candor__tree_ensemble *ens, candor_output_kind *kind,
                                    const lreader *r, const slice *v)
{
	size_t pos = 0;
	slice tok;
	const lobjective *ob = NULL;
	if (!v->s || !next_token(v, &pos, &tok))
		return lfail(r, v->line, v->col, CANDOR_EUNSUPPORTED,
		             "the model names no objective, so its output transform is unknown");
	for (size_t i = 0; i < sizeof lobjectives / sizeof *lobjectives; i++)
		if (slice_eq(&tok, lobjectives[i].name))
			ob = &lobjectives[i];
	if (!ob)
		return lfail(r, tok.line, tok.col, CANDOR_EUNSUPPORTED,
		             "objective \"%.*s\" is not supported (supported: binary, multiclass, "
		             "multiclassova, cross_entropy, regression, regression_l1, huber, fair, "
		             "quantile, mape, poisson, gamma, tweedie, lambdarank, rank_xendcg)",
		             (int)(tok.n < 40 ? tok.n : 40), tok.s);
	snprintf(ens->objective, sizeof ens->objective, "%.*s", (int)tok.n, tok.s);
	ens->transform = ob->transform;
	*kind = ob->kind;
	/* parameters: "sigmoid:2", "num_class:3"; "sqrt" changes the output */
	while (next_token(v, &pos, &tok)) {
		if (slice_eq(&tok, "sqrt"))
			return lfail(r, tok.line, tok.col, CANDOR_EUNSUPPORTED,
			             "objective option sqrt (a squared output) is not supported");
		if (starts(&tok, "sigmoid:")) {
			if (!candor__parse_double(tok.s + 8, tok.n - 8, &ens->sigmoid) ||
			    !(ens->sigmoid > 0) || !isfinite(ens->sigmoid))
				return lfail(r, tok.line, tok.col, CANDOR_EPARSE,
				             "objective sigmoid parameter is not a positive number");
		}
	}
	return CANDOR_OK;
}

/* ===== trees =========================================================== */

typedef struct ltree {
	slice num_leaves, num_cat, split_feature, threshold, decision_type, left_child,
	        right_child, leaf_value, leaf_count, internal_count, cat_boundaries,
	        cat_threshold, is_linear;
	uint64_t line; /* of "Tree=N" */
	int64_t L, ncat;
} ltree;

/* The key=value lines of one tree block, after its "Tree=N" line. */
static void tree_block(lreader *r, ltree *t)
{
	slice line, key, val;
	slice *all[] = { &t->num_leaves,    &t->num_cat,        &t->split_feature, &t->threshold,
		         &t->decision_type, &t->left_child,     &t->right_child,   &t->leaf_value,
		         &t->leaf_count,    &t->internal_count, &t->cat_boundaries,
		         &t->cat_threshold, &t->is_linear };
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		*all[i] = (slice){ NULL, 0, t->line, 0 };
	while (next_line(r, &line) && line.n > 0) {
		key_value(&line, &key, &val);
#define K(name)                                 \
	if (slice_eq(&key, #name)) {            \
		t->name = val;                  \
		continue;                       \
	}
		K(num_leaves) K(num_cat) K(split_feature) K(threshold) K(decision_type)
		K(left_child) K(right_child) K(leaf_value) K(leaf_count) K(internal_count)
		K(cat_boundaries) K(cat_threshold) K(is_linear)
#undef K
	}
}

/* Scratch of one tree, sized for the largest. */
typedef struct lscratch {
	int64_t *feat, *dtype, *lc, *rc, *lcount, *icount, *cb, *ct;
	double *thr, *leaf;
	int64_t *queue;
} lscratch;

/*
 * Convert tree t (text in *tb) into ens->nodes[*next..] breadth-first,
 * its bitsets into ens->catset[*nextcat..].
 */
static candor_status convert_tree(candor__tree_ensemble *ens, size_t t, const ltree *tb,
                                  lscratch *w, size_t *next, size_t *nextcat, double scale,
                                  const lreader *r)
{
	const int64_t L = tb->L, NI = L - 1, M = (int64_t)ens->nfeatures;
	candor__tree *tr = &ens->trees[t];
	candor__tree_node *nodes = ens->nodes + *next;
	double *cover = ens->cover + *next;
	candor_status s;

	tr->group = (uint32_t)(t % ens->noutputs);
	if ((s = numbers(r, &tb->leaf_value, "leaf_value", (size_t)L, w->leaf, NULL)))
		return s;
	if (L == 1) {
		memset(nodes, 0, sizeof *nodes);
		nodes[0].feature = -1;
		nodes[0].value = w->leaf[0] * scale;
		cover[0] = 1.0;
		candor__tree_place(ens, tr, next, 1, 1, 0);
		return CANDOR_OK;
	}
	if (!tb->decision_type.s)
		for (int64_t i = 0; i < NI; i++)
			w->dtype[i] = 0;
	else if ((s = numbers(r, &tb->decision_type, "decision_type", (size_t)NI, NULL, w->dtype)))
		return s;
	if ((s = numbers(r, &tb->split_feature, "split_feature", (size_t)NI, NULL, w->feat)) ||
	    (s = numbers_inf(r, &tb->threshold, "threshold", (size_t)NI, w->thr, NULL, true)) ||
	    (s = numbers(r, &tb->left_child, "left_child", (size_t)NI, NULL, w->lc)) ||
	    (s = numbers(r, &tb->right_child, "right_child", (size_t)NI, NULL, w->rc)))
		return s;
	if (!tb->leaf_count.s || !tb->internal_count.s)
		return lfail(r, tb->line, 0, CANDOR_EUNSUPPORTED,
		             "tree %zu has no leaf_count or internal_count, the data counts "
		             "TreeSHAP needs", t);
	if ((s = numbers(r, &tb->leaf_count, "leaf_count", (size_t)L, NULL, w->lcount)) ||
	    (s = numbers(r, &tb->internal_count, "internal_count", (size_t)NI, NULL, w->icount)))
		return s;
	if (tb->ncat > 0) {
		if ((s = numbers(r, &tb->cat_boundaries, "cat_boundaries", (size_t)tb->ncat + 1, NULL,
		                 w->cb)))
			return s;
		/* the boundaries were checked when the bitsets were counted */
		if ((s = numbers(r, &tb->cat_threshold, "cat_threshold", (size_t)w->cb[tb->ncat],
		                 NULL, w->ct)))
			return s;
		for (int64_t i = 0; i < w->cb[tb->ncat]; i++) {
			if (w->ct[i] < 0 || w->ct[i] > (int64_t)UINT32_MAX)
				return lfail(r, tb->cat_threshold.line, tb->cat_threshold.col,
				             CANDOR_EPARSE, "cat_threshold entry %lld is not a 32-bit word",
				             (long long)i);
			ens->catset[*nextcat + (size_t)i] = (uint32_t)w->ct[i];
		}
	}

	/* breadth-first from internal node 0; refs >= 0 internal, < 0 leaf ~ref;
	 * seen[] marks internal nodes in w->queue's upper half, leaves below */
	int64_t *queue = w->queue, *seen = w->queue + 2 * L;
	for (int64_t i = 0; i < 2 * L; i++)
		seen[i] = -1; /* depth, -1: not reached */
	size_t head = 0, tail = 1;
	uint32_t depth = 0;
	queue[0] = 0;
	seen[0] = 0;
	while (head < tail) {
		const int64_t ref = queue[head];
		candor__tree_node *nd = &nodes[head];
		const int64_t d = ref >= 0 ? seen[ref] : seen[L + ~ref];
		head++;
		memset(nd, 0, sizeof *nd);
		if (ref < 0) {
			nd->feature = -1;
			nd->value = w->leaf[~ref] * scale;
			cover[head - 1] = (double)w->lcount[~ref];
			if ((uint32_t)d > depth)
				depth = (uint32_t)d;
			continue;
		}
		const int64_t f = w->feat[ref], dt = w->dtype[ref];
		if (f < 0 || f >= M)
			return lfail(r, tb->split_feature.line, tb->split_feature.col, CANDOR_EPARSE,
			             "tree %zu node %lld splits on feature %lld, outside [0, %lld)", t,
			             (long long)ref, (long long)f, (long long)M);
		if (dt < 0 || dt > 15 || ((dt >> 2) & 3) == 3)
			return lfail(r, tb->decision_type.line, tb->decision_type.col, CANDOR_EPARSE,
			             "tree %zu node %lld has decision_type %lld", t, (long long)ref,
			             (long long)dt);
		nd->feature = (int32_t)f;
		nd->default_left = (dt & 2) != 0;
		if (dt & 1) {
			const double ci = w->thr[ref];
			if (!(ci >= 0 && ci < (double)tb->ncat && ci == floor(ci)))
				return lfail(r, tb->threshold.line, tb->threshold.col, CANDOR_EPARSE,
				             "tree %zu node %lld: categorical threshold %g is not one of its "
				             "%lld category sets", t, (long long)ref, ci,
				             (long long)tb->ncat);
			const int64_t c0 = w->cb[(size_t)ci], c1 = w->cb[(size_t)ci + 1];
			nd->split = CANDOR__SPLIT_CAT;
			nd->cat = (uint32_t)(*nextcat + (size_t)c0);
			nd->ncat = (uint32_t)(c1 - c0);
		} else {
			const int64_t mt = (dt >> 2) & 3;
			nd->split = CANDOR__SPLIT_LE;
			nd->value = w->thr[ref];
			nd->missing = mt == 0 ? CANDOR__MISSING_NONE
			              : mt == 1 ? CANDOR__MISSING_ZERO : CANDOR__MISSING_NAN;
		}
		cover[head - 1] = (double)w->icount[ref];
		for (int side = 0; side < 2; side++) {
			const int64_t ch = side ? w->rc[ref] : w->lc[ref];
			if (ch >= NI || ch < -L)
				return lfail(r, (side ? tb->right_child : tb->left_child).line,
				             (side ? tb->right_child : tb->left_child).col, CANDOR_EPARSE,
				             "tree %zu node %lld has child %lld, outside the tree", t,
				             (long long)ref, (long long)ch);
			int64_t *mark = ch >= 0 ? &seen[ch] : &seen[L + ~ch];
			if (*mark != -1 || tail >= (size_t)(2 * L - 1))
				return lfail(r, tb->left_child.line, tb->left_child.col, CANDOR_EPARSE,
				             "tree %zu is not a tree (node %lld is reached twice)", t,
				             (long long)ch);
			*mark = d + 1;
			queue[tail++] = ch;
		}
		nd->left = (uint32_t)(tail - 2);
	}
	if (tail != (size_t)(2 * L - 1))
		return lfail(r, tb->line, 0, CANDOR_EPARSE,
		             "tree %zu is not a tree (%zu of its %lld nodes are reachable)", t, tail,
		             (long long)(2 * L - 1));
	for (size_t k = 0; k < tail; k++) {
		if (nodes[k].feature < 0)
			continue;
		const double a = cover[nodes[k].left], b = cover[nodes[k].left + 1];
		if (!candor__tree_covers_agree(cover[k], a, b))
			return lfail(r, tb->internal_count.line, tb->internal_count.col, CANDOR_EPARSE,
			             "tree %zu: a node's internal_count %.17g is not the sum of its "
			             "children's counts (%.17g): the counts are inconsistent", t, cover[k],
			             a + b);
	}
	candor__tree_place(ens, tr, next, (uint32_t)tail, (uint32_t)L, depth);
	if (tb->ncat > 0)
		*nextcat += (size_t)w->cb[tb->ncat];
	return CANDOR_OK;
}

/* num_leaves, num_cat and the bitset size of a tree block (first pass). */
static candor_status tree_sizes(ltree *tb, size_t t, size_t *words, const lreader *r)
{
	int64_t lin = 0;
	candor_status s;
	*words = 0;
	if (tb->is_linear.s && (s = one_int(r, &tb->is_linear, "is_linear", 0, 1, &lin)))
		return s;
	if (lin)
		return lfail(r, tb->is_linear.line, tb->is_linear.col, CANDOR_EUNSUPPORTED,
		             "tree %zu is a linear tree (linear_tree=true: piecewise-linear leaves), "
		             "which is not supported", t);
	if ((s = one_int(r, &tb->num_leaves, "num_leaves", 1, LGB_MAX_LEAVES, &tb->L)) ||
	    (s = one_int(r, &tb->num_cat, "num_cat", 0, tb->L - 1, &tb->ncat)))
		return s;
	if (tb->ncat > 0) {
		/* the last boundary is the number of words; boundaries rise from 0 */
		size_t pos = 0;
		slice tok;
		int64_t prev = -1, v = 0, k = 0;
		if (!tb->cat_boundaries.s)
			return lfail(r, tb->line, 0, CANDOR_EPARSE, "tree %zu has no cat_boundaries", t);
		while (next_token(&tb->cat_boundaries, &pos, &tok)) {
			if (!parse_int(&tok, &v) || (k == 0 ? v != 0 : v < prev) || v > INT32_MAX)
				return lfail(r, tok.line, tok.col, CANDOR_EPARSE,
				             "cat_boundaries must rise from 0");
			prev = v;
			k++;
		}
		if (k != tb->ncat + 1)
			return lfail(r, tb->cat_boundaries.line, tb->cat_boundaries.col, CANDOR_EPARSE,
			             "cat_boundaries has %lld entries, expected %lld", (long long)k,
			             (long long)tb->ncat + 1);
		/* the words themselves must be in the text: this bounds every
		 * bitset allocation by the file's size */
		int64_t nw = 0;
		pos = 0;
		while (tb->cat_threshold.s && next_token(&tb->cat_threshold, &pos, &tok))
			nw++;
		if (nw != v)
			return lfail(r, tb->cat_threshold.s ? tb->cat_threshold.line : tb->line,
			             tb->cat_threshold.s ? tb->cat_threshold.col : 0, CANDOR_EPARSE,
			             "cat_threshold has %lld words, cat_boundaries says %lld",
			             (long long)nw, (long long)v);
		*words = (size_t)v;
	}
	return CANDOR_OK;
}

static void scratch_free(lscratch *w)
{
	candor__free(w->feat);
	candor__free(w->dtype);
	candor__free(w->lc);
	candor__free(w->rc);
	candor__free(w->lcount);
	candor__free(w->icount);
	candor__free(w->cb);
	candor__free(w->ct);
	candor__free(w->thr);
	candor__free(w->leaf);
	candor__free(w->queue);
}

static candor_status scratch_alloc(lscratch *w, size_t L, size_t ncat, size_t words)
{
	memset(w, 0, sizeof *w);
	if (!(w->feat = candor__mallocarray(L, sizeof *w->feat)) ||
	    !(w->dtype = candor__mallocarray(L, sizeof *w->dtype)) ||
	    !(w->lc = candor__mallocarray(L, sizeof *w->lc)) ||
	    !(w->rc = candor__mallocarray(L, sizeof *w->rc)) ||
	    !(w->lcount = candor__mallocarray(L, sizeof *w->lcount)) ||
	    !(w->icount = candor__mallocarray(L, sizeof *w->icount)) ||
	    !(w->cb = candor__mallocarray(ncat + 1, sizeof *w->cb)) ||
	    !(w->ct = candor__mallocarray(words ? words : 1, sizeof *w->ct)) ||
	    !(w->thr = candor__mallocarray(L, sizeof *w->thr)) ||
	    !(w->leaf = candor__mallocarray(L, sizeof *w->leaf)) ||
	    !(w->queue = candor__mallocarray(4 * L, sizeof *w->queue))) {
		scratch_free(w);
		return CANDOR_ENOMEM;
	}
	return CANDOR_OK;
}

/* ===== feature names =================================================== */

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static candor_status set_features(candor_model *m, const slice *v, const lreader *r)
{
	const size_t M = m->nfeatures;
	size_t pos = 0, j = 0;
	slice tok;
	if (!v->s)
		return lfail(r, 0, 0, CANDOR_EPARSE, "the header has no feature_names");
	while (next_token(v, &pos, &tok)) {
		if (j == M)
			return lfail(r, tok.line, tok.col, CANDOR_EPARSE,
			             "feature_names has more than the %zu features (max_feature_idx + 1)",
			             M);
		if (memchr(tok.s, '\0', tok.n))
			return lfail(r, tok.line, tok.col, CANDOR_EPARSE, "a feature name holds a NUL");
		if (!(m->features[j] = candor__malloc(tok.n + 1)))
			return CANDOR_ENOMEM;
		memcpy(m->features[j], tok.s, tok.n);
		m->features[j][tok.n] = '\0';
		j++;
	}
	if (j != M)
		return lfail(r, v->line, v->col, CANDOR_EPARSE,
		             "feature_names has %zu names for %zu features", j, M);
	if (M > 1) {
		const char **sorted = candor__mallocarray(M, sizeof *sorted);
		const char *dup = NULL;
		if (!sorted)
			return CANDOR_ENOMEM;
		memcpy(sorted, m->features, M * sizeof *sorted);
		qsort(sorted, M, sizeof *sorted, cmp_name);
		for (size_t k = 1; k < M && !dup; k++)
			if (!strcmp(sorted[k - 1], sorted[k]))
				dup = sorted[k];
		if (dup) {
			candor_status s = lfail(r, v->line, v->col, CANDOR_EPARSE,
			                        "feature_names has \"%.64s\" twice (features must be "
			                        "unique)", dup);
			candor__free(sorted);
			return s;
		}
		candor__free(sorted);
	}
	return CANDOR_OK;
}

/* ===== loading ========================================================= */

bool candor__lightgbm_detect(const char *text, size_t len)
{
	return (len >= 5 && memcmp(text, "tree\n", 5) == 0) ||
	       (len >= 6 && memcmp(text, "tree\r\n", 6) == 0);
}

candor_status candor__lightgbm_load(candor_model **out, const char *text, size_t len,
                                    const char *path)
{
	lreader r = { text, len, 0, 0, path };
	lheader h;
	slice line, key, val;
	ltree *tb = NULL;
	size_t ntrees = 0, cap = 0, total = 0, words = 0, maxL = 1, maxcat = 0, maxwords = 0;
	int64_t K = 1, maxf = 0, ncls = 1;
	candor__tree_ensemble *ens = NULL;
	candor_output_kind kind = CANDOR_OUTPUT_MARGIN;
	lscratch w;
	candor_status s = CANDOR_OK;
	bool ended = false;

	*out = NULL;
	memset(&h, 0, sizeof h);
	memset(&w, 0, sizeof w);
	if (!next_line(&r, &line) || !slice_eq(&line, "tree"))
		return lfail(&r, 1, 1, CANDOR_EPARSE, "the first line is not \"tree\"");
	/* header */
	for (;;) {
		if (!next_line(&r, &line))
			return lfail(&r, r.line, 0, CANDOR_EPARSE, "the file ends before the first tree");
		if (starts(&line, "Tree="))
			break;
		if (line.n == 0)
			continue;
		key_value(&line, &key, &val);
#define K(name, field)                          \
	if (slice_eq(&key, name)) {             \
		h.field = val;                  \
		h.field.s = val.s ? val.s : ""; \
		continue;                       \
	}
		K("version", version) K("num_class", num_class) K("num_tree_per_iteration", ntpi)
		K("max_feature_idx", max_feature_idx) K("objective", objective)
		K("feature_names", feature_names)
#undef K
		if (slice_eq(&key, "average_output"))
			h.has_average = true;
	}
	if (h.version.s && !slice_eq(&h.version, "v2") && !slice_eq(&h.version, "v3") &&
	    !slice_eq(&h.version, "v4"))
		return lfail(&r, h.version.line, h.version.col, CANDOR_EUNSUPPORTED,
		             "model format version \"%.*s\" is not supported (v2, v3, v4)",
		             (int)(h.version.n < 16 ? h.version.n : 16), h.version.s);
	if ((s = one_int(&r, &h.num_class, "num_class", 1, LGB_MAX_OUTPUTS, &ncls)) ||
	    (s = one_int(&r, &h.max_feature_idx, "max_feature_idx", 0, LGB_MAX_FEATURES - 1,
	                 &maxf)))
		return s;
	if (h.ntpi.s && (s = one_int(&r, &h.ntpi, "num_tree_per_iteration", 1, LGB_MAX_OUTPUTS,
	                             &K)))
		return s;
	if (!(ens = candor__tree_ensemble_new()))
		return CANDOR_ENOMEM;
	ens->nfeatures = (size_t)maxf + 1;
	ens->noutputs = (size_t)K;
	if ((s = read_objective(ens, &kind, &r, &h.objective)))
		goto fail;
	if (ncls != K || (K > 1 && ens->transform != CANDOR__TREE_SOFTMAX &&
	                  strcmp(ens->objective, "multiclassova") != 0) ||
	    (K == 1 && ens->transform == CANDOR__TREE_SOFTMAX)) {
		s = lfail(&r, h.objective.line, h.objective.col, CANDOR_EPARSE,
		          "objective %s does not agree with num_class %lld and "
		          "num_tree_per_iteration %lld", ens->objective, (long long)ncls, (long long)K);
		goto fail;
	}

	/* tree blocks: remember their slices, count nodes and bitset words */
	while (!ended) {
		int64_t idx;
		slice num = { line.s + 5, line.n - 5, line.line, 6 };
		if (ntrees == cap) {
			cap = cap ? 2 * cap : 64;
			ltree *nt = candor__reallocarray(tb, cap, sizeof *tb);
			if (!nt) {
				s = CANDOR_ENOMEM;
				goto fail;
			}
			tb = nt;
		}
		if ((s = one_int(&r, &num, "Tree=", 0, INT32_MAX, &idx)))
			goto fail;
		if ((size_t)idx != ntrees) {
			s = lfail(&r, line.line, 6, CANDOR_EPARSE, "Tree=%lld where Tree=%zu was expected",
			          (long long)idx, ntrees);
			goto fail;
		}
		ltree *t = &tb[ntrees];
		memset(t, 0, sizeof *t);
		t->line = line.line;
		tree_block(&r, t);
		size_t tw;
		if ((s = tree_sizes(t, ntrees, &tw, &r)))
			goto fail;
		total += 2 * (size_t)t->L - 1;
		words += tw;
		if ((size_t)t->L > maxL)
			maxL = (size_t)t->L;
		if ((size_t)t->ncat > maxcat)
			maxcat = (size_t)t->ncat;
		if (tw > maxwords)
			maxwords = tw;
		if (total > (size_t)INT32_MAX) {
			s = lfail(&r, line.line, 1, CANDOR_EUNSUPPORTED, "more than 2^31 nodes");
			goto fail;
		}
		ntrees++;
		/* the next tree, or the end */
		for (;;) {
			if (!next_line(&r, &line)) {
				s = lfail(&r, r.line, 0, CANDOR_EPARSE,
				          "the file ends without \"end of trees\"");
				goto fail;
			}
			if (line.n == 0)
				continue;
			if (starts(&line, "Tree="))
				break;
			if (slice_eq(&line, "end of trees")) {
				ended = true;
				break;
			}
			s = lfail(&r, line.line, 1, CANDOR_EPARSE, "expected \"Tree=%zu\" or \"end of "
			          "trees\", found \"%.*s\"", ntrees, (int)(line.n < 40 ? line.n : 40),
			          line.s);
			goto fail;
		}
	}
	if (ntrees % (size_t)K != 0) {
		s = lfail(&r, line.line, 1, CANDOR_EPARSE,
		          "%zu trees is not a whole number of iterations of %lld trees", ntrees,
		          (long long)K);
		goto fail;
	}
	/* what follows the trees: refuse pandas categories */
	while (next_line(&r, &line)) {
		if (starts(&line, "pandas_categorical:") && !slice_eq(&line, "pandas_categorical:null")) {
			s = lfail(&r, line.line, 1, CANDOR_EUNSUPPORTED,
			          "the model was trained on pandas categories (pandas_categorical): "
			          "their codes are not candor's; give the codes as numbers and save the "
			          "model without them");
			goto fail;
		}
	}

	ens->ntrees = ntrees;
	ens->ncatset = words;
	if (!(ens->trees = candor__calloc(ntrees, sizeof *ens->trees)) ||
	    !(ens->nodes = candor__mallocarray(total, sizeof *ens->nodes)) ||
	    !(ens->cover = candor__mallocarray(total, sizeof *ens->cover)) ||
	    !(ens->catset = candor__mallocarray(words ? words : 1, sizeof *ens->catset)) ||
	    scratch_alloc(&w, maxL, maxcat, maxwords)) {
		s = CANDOR_ENOMEM;
		goto fail;
	}
	{
		const double scale = h.has_average ? 1.0 / (double)(ntrees / (size_t)K) : 1.0;
		size_t next = 0, nextcat = 0;
		for (size_t t = 0; t < ntrees; t++)
			if ((s = convert_tree(ens, t, &tb[t], &w, &next, &nextcat, scale, &r)))
				goto fail;
		ens->nnodes = next;
	}
	scratch_free(&w);
	{
		candor_model *m = NULL;
		const slice names = h.feature_names;
		candor__free(tb);
		tb = NULL;
		if ((s = candor__tree_model_new(&m, ens, CANDOR_MODEL_LIGHTGBM, kind)))
			return s;
		if ((s = set_features(m, &names, &r))) {
			candor_model_free(m);
			return s;
		}
		*out = m;
	}
	return CANDOR_OK;
fail:
	scratch_free(&w);
	candor__free(tb);
	candor__tree_ensemble_free(ens);
	return s;
}
