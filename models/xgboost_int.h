/*
 * xgboost_int.h - the flat layout of an XGBoost tree ensemble (not installed).
 *
 * The loader (models/xgboost.c) turns the JSON of Booster.save_model() into
 * one array of packed nodes shared by every tree, so that prediction and
 * TreeSHAP (explain/treeshap.c) walk the same cache-friendly memory.
 *
 * Node numbering: each tree's nodes are renumbered breadth-first from its
 * root, so a parent always precedes its children and the two children of a
 * node are adjacent (right = left + 1). Node indices are relative to the
 * tree's `first` entry in `nodes` / `cover`.
 *
 * Arithmetic: XGBoost stores thresholds, leaf values and covers as float and
 * compares float(x) < threshold; we keep the float values so that every row
 * takes exactly the branch XGBoost takes.
 */
#ifndef CANDOR_MODELS_XGBOOST_INT_H
#define CANDOR_MODELS_XGBOOST_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/models_int.h"

/* One node, 16 bytes. A leaf has feature == -1 and left == 0. */
typedef struct candor__xgb_node {
	float value;          /* internal: split threshold (go left iff x < value); leaf: leaf value */
	int32_t feature;      /* split feature in [0, M), or -1 for a leaf */
	uint32_t left;        /* left child (relative to the tree); right child is left + 1 */
	uint8_t default_left; /* 1: a missing value (NaN) goes left */
	uint8_t pad[3];
} candor__xgb_node;

typedef struct candor__xgb_tree {
	size_t first;      /* index of the root in ens->nodes / ens->cover */
	uint32_t nnodes;   /* reachable nodes */
	uint32_t nleaves;
	uint32_t depth;    /* edges on the longest root-to-leaf path (0 for a lone leaf) */
	uint32_t group;    /* output (class) this tree adds to, in [0, K) */
} candor__xgb_tree;

/* What the objective does to the margin. */
typedef enum candor__xgb_transform {
	CANDOR__XGB_IDENTITY = 0, /* reg:squarederror, binary:logitraw, ... */
	CANDOR__XGB_SIGMOID = 1,  /* binary:logistic, reg:logistic */
	CANDOR__XGB_SOFTMAX = 2,  /* multi:softprob */
	CANDOR__XGB_EXP = 3       /* count:poisson, reg:gamma, reg:tweedie (log link) */
} candor__xgb_transform;

struct candor__xgb_ensemble {
	size_t nfeatures;          /* M */
	size_t noutputs;           /* K */
	size_t ntrees;
	size_t nnodes;             /* total over trees */
	uint32_t max_depth;        /* max over trees */
	candor__xgb_tree *trees;
	candor__xgb_node *nodes;   /* nnodes packed nodes */
	double *cover;             /* nnodes sum_hessian values (float in XGBoost, widened) */
	float base_margin;         /* base_score through the objective's ProbToMargin: the logit
	                              for the logistic objectives, the log for the log-link ones,
	                              as it is (a margin) for every other, binary:logitraw included */
	candor__xgb_transform transform;
	char objective[32];
};

typedef struct candor__xgb_ensemble candor__xgb_ensemble;

/*
 * Margins of `n` rows x (n x M) into out (n x K), summed in float in tree
 * order exactly as XGBoost 1.7's CPU predictor does, then widened.
 */
void candor__xgboost_margin(const candor__xgb_ensemble *ens, const double *x, size_t n,
                            double *out);

/* Index of the leaf (relative to the tree) that row x (M values) reaches. */
static inline uint32_t candor__xgb_leaf(const candor__xgb_node *nodes, const double *x)
{
	uint32_t i = 0;
	while (nodes[i].feature >= 0) {
		const candor__xgb_node *nd = &nodes[i];
		const double v = x[nd->feature];
		bool left;
		if (v != v)
			left = nd->default_left;
		else
			left = (float)v < nd->value;
		i = nd->left + (left ? 0u : 1u);
	}
	return i;
}

#endif
