/*
 * tree_int.h - the one tree engine: the flat layout every tree-ensemble
 * format loads into (not installed).
 *
 * The loaders (models/xgboost.c, models/lightgbm.c, models/ensemble.c) turn
 * a file into one array of packed nodes shared by every tree, with the split rule of each
 * node spelt out (numerical with the format's comparison and missing-value
 * rule, or categorical with a bitset of categories), so that prediction
 * (tree.c) and TreeSHAP (explain/treeshap.c) walk the same memory with no
 * per-format code.
 *
 * Node numbering: each tree's nodes are renumbered breadth-first from its
 * root, so a parent always precedes its children and the two children of a
 * node are adjacent (right = left + 1). Node indices are relative to the
 * tree's `first` entry in `nodes` / `cover`.
 *
 * Covers: cover[k] is the training weight (XGBoost's sum_hessian,
 * LightGBM's data count) that reached node k; a loader only accepts covers
 * whose parent equals the sum of its children up to float rounding
 * (candor__tree_covers_agree), since TreeSHAP's zero fractions and base
 * value come from them. scikit-learn's covers are weighted_n_node_samples
 * (classic trees) and count (HistGradientBoosting).
 */
#ifndef CANDOR_MODELS_TREE_INT_H
#define CANDOR_MODELS_TREE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/models_int.h"

/* How an internal node decides. */
typedef enum candor__split {
	CANDOR__SPLIT_LT_F32 = 1, /* XGBoost: left iff float(x) < float(threshold); NaN: default */
	CANDOR__SPLIT_LE = 2,     /* LightGBM: left iff x <= threshold, after the missing rule */
	CANDOR__SPLIT_CAT = 3,    /* left iff category (int)x is in the node's set; see below */
	/* scikit-learn's classic trees: left iff (double)(float)x <= threshold
	 * (X is cast to float32, the threshold is a double); NaN: default */
	CANDOR__SPLIT_LE_F32D = 4,
	/* scikit-learn's HistGradientBoosting categories: NaN, negative values
	 * and categories beyond the set go the default way; otherwise category
	 * (uint32)x goes left iff its bit is set */
	CANDOR__SPLIT_CAT_DEFAULT = 5,
	/* XGBoost's categories (src/common/categorical.h, Decision, 1.7): NaN
	 * goes the default way; float(x) negative or >= 2^24 goes left; category
	 * (int)float(x) goes RIGHT iff its bit is set, left otherwise (also
	 * beyond the set) */
	CANDOR__SPLIT_CAT_XGB = 6
} candor__split;

/* The missing-value rule of a CANDOR__SPLIT_LE node (LightGBM's missing type). */
typedef enum candor__missing {
	CANDOR__MISSING_NAN = 0,  /* NaN goes the default way */
	CANDOR__MISSING_NONE = 1, /* NaN is compared as 0 */
	CANDOR__MISSING_ZERO = 2  /* NaN and |x| <= 1e-35f go the default way */
} candor__missing;

/*
 * One node, 32 bytes. A leaf has feature == -1 and holds its value.
 * Categorical nodes (LightGBM's rule): NaN and negative values go right; a
 * category c goes left iff bit c of the set (ncat 32-bit words from
 * ens->catset[cat]) is 1; categories beyond the set go right.
 */
typedef struct candor__tree_node {
	double value;         /* internal: threshold; leaf: leaf value */
	int32_t feature;      /* split feature in [0, M), or -1 for a leaf */
	uint32_t left;        /* left child (relative to the tree); right child is left + 1 */
	uint32_t cat;         /* CAT: first word of the set in ens->catset */
	uint32_t ncat;        /* CAT: words in the set */
	uint8_t split;        /* candor__split (internal nodes) */
	uint8_t default_left; /* 1: a missing value goes left */
	uint8_t missing;      /* candor__missing (LE nodes) */
	uint8_t pad[5];
} candor__tree_node;

typedef struct candor__tree {
	size_t first;      /* index of the root in ens->nodes / ens->cover */
	uint32_t nnodes;   /* reachable nodes */
	uint32_t nleaves;
	uint32_t depth;    /* edges on the longest root-to-leaf path (0 for a lone leaf) */
	uint32_t group;    /* output (class) this tree adds to, in [0, K) */
} candor__tree;

/* What the objective does to the margin. */
typedef enum candor__tree_transform {
	CANDOR__TREE_IDENTITY = 0,
	CANDOR__TREE_SIGMOID = 1, /* 1 / (1 + exp(-sigmoid * margin)) */
	CANDOR__TREE_SOFTMAX = 2,
	CANDOR__TREE_EXP = 3      /* log link */
} candor__tree_transform;

typedef struct candor__tree_ensemble {
	size_t nfeatures;          /* M */
	size_t noutputs;           /* K */
	size_t ntrees;
	size_t nnodes;             /* total over trees */
	uint32_t max_depth;        /* max over trees */
	candor__tree *trees;
	candor__tree_node *nodes;  /* nnodes packed nodes */
	double *cover;             /* nnodes covers */
	uint32_t *catset;          /* bitsets of the categorical nodes */
	size_t ncatset;
	double base_margin;        /* added to every output's margin (float for XGBoost) */
	bool float_sum;            /* XGBoost: margins summed in float, tree order */
	candor__tree_transform transform;
	double sigmoid;            /* CANDOR__TREE_SIGMOID's scale (1 but for LightGBM's sigmoid:) */
	char objective[32];
	/* NULL, or M rules (candor__tree_input) that candor__tree_check_rows
	 * holds every input value to: the values the model's own library
	 * refuses or cannot read with certainty (models/ensemble.c) */
	uint8_t *input_rule;
	/* NULL, or the batch layout of candor__tree_margin's fast path (tree.c),
	 * built by candor__tree_model_new for an ensemble it serves */
	struct candor__tree_batch *batch;
	/* threads of one prediction call (candor_model_set_threads): 1 by
	 * default, 0 for all cores; only the batch path splits its rows */
	int threads;
} candor__tree_ensemble;

/* What an input value of a feature may be (ens->input_rule). */
typedef enum candor__tree_input {
	CANDOR__INPUT_ANY = 0,
	CANDOR__INPUT_FINITE_F32 = 1, /* finite as a float32 (scikit-learn's classic trees) */
	CANDOR__INPUT_CAT256 = 2,     /* NaN or below 256 (a HistGradientBoosting category) */
	CANDOR__INPUT_INTEGER = 3     /* NaN or an integer (an XGBoost category code) */
} candor__tree_input;

/* Does node nd send value v left? */
static inline bool candor__tree_left(const candor__tree_node *nd, const uint32_t *catset,
                                     double v)
{
	switch (nd->split) {
	case CANDOR__SPLIT_LT_F32:
		return v != v ? nd->default_left : (float)v < (float)nd->value;
	case CANDOR__SPLIT_LE:
		if (v != v) {
			if (nd->missing == CANDOR__MISSING_NAN)
				return nd->default_left;
			v = 0.0;
		}
		if (nd->missing == CANDOR__MISSING_ZERO && v >= -(double)1e-35f &&
		    v <= (double)1e-35f)
			return nd->default_left;
		return v <= nd->value;
	case CANDOR__SPLIT_LE_F32D:
		return v != v ? nd->default_left : (double)(float)v <= nd->value;
	case CANDOR__SPLIT_CAT_XGB: {
		if (v != v)
			return nd->default_left;
		const float f = (float)v;
		if (!(f >= 0.0f && f < 16777216.0f))
			return true;
		const uint32_t c = (uint32_t)f;
		return !(c / 32 < nd->ncat && (catset[nd->cat + c / 32] >> (c % 32) & 1u));
	}
	case CANDOR__SPLIT_CAT_DEFAULT:
		if (!(v >= 0.0 && v < 32.0 * nd->ncat))
			return nd->default_left;
		return catset[nd->cat + (uint32_t)v / 32] >> ((uint32_t)v % 32) & 1u;
	default: {
		/* LightGBM's static_cast<int>: NaN, negatives and values that do
		 * not fit an int (INT_MIN on x86) go right */
		if (!(v > -1.0 && v < 2147483648.0))
			return false;
		const uint32_t c = (uint32_t)v;
		return c / 32 < nd->ncat && (catset[nd->cat + c / 32] >> (c % 32) & 1u);
	}
	}
}

/* Index of the leaf (relative to the tree) that row x (M values) reaches. */
static inline uint32_t candor__tree_leaf(const candor__tree_node *nodes, const uint32_t *catset,
                                         const double *x)
{
	uint32_t i = 0;
	while (nodes[i].feature >= 0) {
		const candor__tree_node *nd = &nodes[i];
		i = nd->left + (candor__tree_left(nd, catset, x[nd->feature]) ? 0u : 1u);
	}
	return i;
}

/* |a + b - parent| within float rounding of the larger (1e-6 relative):
 * the covers of a node and its children agree. */
bool candor__tree_covers_agree(double parent, double a, double b);

/* Record a loaded tree's extent: its root at ens->nodes[*next], `nnodes`
 * reachable nodes of which `nleaves` leaves, `depth` edges at the deepest;
 * raise ens->max_depth to it and move *next past its nodes. Every loader
 * ends a tree with this. */
void candor__tree_place(candor__tree_ensemble *ens, candor__tree *tree, size_t *next,
                        uint32_t nnodes, uint32_t nleaves, uint32_t depth);

/*
 * Margins of `n` rows x (n x M) into out (n x K): base_margin plus the
 * trees' leaves in tree order, in float when ens->float_sum (XGBoost's CPU
 * predictor), in double otherwise (LightGBM).
 */
void candor__tree_margin(const candor__tree_ensemble *ens, const double *x, size_t n,
                         double *out);

/* CANDOR_OK when every value of the n rows x (n x M) passes its feature's
 * ens->input_rule; otherwise CANDOR_EDOMAIN naming the row and the feature
 * (0-based) and the value. Prediction calls it; TreeSHAP's callers should. */
candor_status candor__tree_check_rows(const candor__tree_ensemble *ens, const double *x,
                                      size_t n);

/* A new, empty ensemble (calloc'd), and its destructor (NULL accepted). */
candor__tree_ensemble *candor__tree_ensemble_new(void);
void candor__tree_ensemble_free(candor__tree_ensemble *ens);

/* Wrap `ens` (ownership passes, also on failure) in a model of `type` with
 * `kind` outputs, predicting through the transform. Feature names are
 * left NULL for the loader to fill. */
candor_status candor__tree_model_new(candor_model **out, candor__tree_ensemble *ens,
                                     candor_model_type type, candor_output_kind kind);

/* Set the threads of candor__tree_margin's batch path; see
 * candor_model_set_threads(). */
candor_status candor__tree_set_threads(candor_model *model, int threads);

/* The ensemble behind a tree model; NULL for any other model. */
const candor__tree_ensemble *candor__tree_ensemble_of(const candor_model *model);

#endif
