/*
 * tree.c - prediction and the model handle of the one tree engine
 * (layout in tree_int.h), shared by every tree-ensemble reader.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <omp.h>

#include "models/tree_int.h"

/*
 * The batch layout: XGBoost's numerical trees (every split LT_F32, margins
 * summed in float), walked level by level over a block of rows at a time.
 * A block's values are turned into floats once, feature by feature (the
 * comparison XGBoost makes is float(x) < float(threshold)), and every row of
 * the block takes one step down the tree before any takes the next, with no
 * branch: the next node is left + (goes right). A leaf steps to itself
 * (its threshold is NaN, so every value goes "right", and its left is its
 * own index minus one), so that all rows take exactly the tree's depth in
 * steps; the independent loads of the block's rows then overlap. The leaf
 * reached and the float sums in tree order are the same as the node walk's,
 * so the margins are bit for bit the same.
 */
typedef struct candor__tree_batch_node {
	float thr;         /* (float)threshold; NaN for a leaf */
	uint32_t left;     /* left child; a leaf: its own index - 1 (mod 2^32) */
	uint16_t feature;  /* a leaf: 0 */
	uint8_t nan_right; /* a missing value goes right; a leaf: 1 */
	uint8_t pad;
} candor__tree_batch_node;

struct candor__tree_batch {
	candor__tree_batch_node *nodes; /* ens->nnodes, indexed as ens->nodes */
	float *leaf;                    /* (float)value of each leaf, 0 elsewhere */
};

enum { BATCH_ROWS = 64, BATCH_MAX_OUTPUTS = 16 };

static void batch_free(struct candor__tree_batch *b)
{
	if (!b)
		return;
	candor__free(b->nodes);
	candor__free(b->leaf);
	candor__free(b);
}

void candor__tree_place(candor__tree_ensemble *ens, candor__tree *tree, size_t *next,
                        uint32_t nnodes, uint32_t nleaves, uint32_t depth)
{
	tree->first = *next;
	tree->nnodes = nnodes;
	tree->nleaves = nleaves;
	tree->depth = depth;
	if (depth > ens->max_depth)
		ens->max_depth = depth;
	*next += nnodes;
}

bool candor__tree_covers_agree(double parent, double a, double b)
{
	const double sum = a + b;
	return fabs(sum - parent) <= 1e-6 * fmax(sum, parent);
}

candor__tree_ensemble *candor__tree_ensemble_new(void)
{
	candor__tree_ensemble *ens = candor__calloc(1, sizeof *ens);
	if (ens) {
		ens->sigmoid = 1.0;
		ens->threads = 1;
	}
	return ens;
}

void candor__tree_ensemble_free(candor__tree_ensemble *ens)
{
	if (!ens)
		return;
	candor__free(ens->trees);
	candor__free(ens->nodes);
	candor__free(ens->cover);
	candor__free(ens->catset);
	candor__free(ens->input_rule);
	batch_free(ens->batch);
	candor__free(ens);
}

candor_status candor__tree_check_rows(const candor__tree_ensemble *ens, const double *x,
                                      size_t n)
{
	const size_t M = ens->nfeatures;
	if (!ens->input_rule)
		return CANDOR_OK;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < M; j++) {
			const double v = x[i * M + j];
			const char *why = NULL;
			switch (ens->input_rule[j]) {
			case CANDOR__INPUT_FINITE_F32:
				if (!isfinite((float)v))
					why = "scikit-learn's trees compare float32 values and refuse "
					      "missing, infinite and out-of-float32-range ones";
				break;
			case CANDOR__INPUT_CAT256:
				if (v >= 256.0)
					why = "a categorical feature of HistGradientBoosting takes the "
					      "categories 0 to 255 (scikit-learn would read this one "
					      "modulo 256)";
				break;
			case CANDOR__INPUT_INTEGER:
				if (v == v && v != floor(v))
					why = "a categorical feature of XGBoost takes integer category "
					      "codes (XGBoost would truncate this one)";
				break;
			default:
				break;
			}
			if (why) {
				char buf[40];
				if (v != v)
					snprintf(buf, sizeof buf, "missing (NaN)");
				else if (isinf(v))
					snprintf(buf, sizeof buf, "%sinf", v < 0 ? "-" : "");
				else
					candor__format_double(buf, sizeof buf, v);
				return candor__error(CANDOR_EDOMAIN, NULL, 0, 0,
				                     "row %zu of the rows given, feature %zu (0-based), is %s: %s", i, j,
				                     buf, why);
			}
		}
	return CANDOR_OK;
}


/* Build ens->batch when the fast path serves ens; CANDOR_OK also when it
 * does not (ens->batch stays NULL). */
static candor_status batch_new(candor__tree_ensemble *ens)
{
	struct candor__tree_batch *b;
	if (!ens->float_sum || ens->noutputs > BATCH_MAX_OUTPUTS || ens->nfeatures == 0 ||
	    ens->nfeatures > UINT16_MAX + 1u || ens->nnodes == 0)
		return CANDOR_OK;
	for (size_t k = 0; k < ens->nnodes; k++)
		if (ens->nodes[k].feature >= 0 && ens->nodes[k].split != CANDOR__SPLIT_LT_F32)
			return CANDOR_OK;
	if (!(b = candor__calloc(1, sizeof *b)))
		return CANDOR_ENOMEM;
	b->nodes = candor__calloc(ens->nnodes, sizeof *b->nodes);
	b->leaf = candor__calloc(ens->nnodes, sizeof *b->leaf);
	if (!b->nodes || !b->leaf) {
		batch_free(b);
		return CANDOR_ENOMEM;
	}
	for (size_t t = 0; t < ens->ntrees; t++) {
		const candor__tree *tr = &ens->trees[t];
		for (uint32_t k = 0; k < tr->nnodes; k++) {
			const candor__tree_node *nd = &ens->nodes[tr->first + k];
			candor__tree_batch_node *bn = &b->nodes[tr->first + k];
			if (nd->feature < 0) {
				bn->thr = NAN;
				bn->left = k - 1u;
				bn->nan_right = 1;
				b->leaf[tr->first + k] = (float)nd->value;
			} else {
				bn->thr = (float)nd->value;
				bn->left = nd->left;
				bn->feature = (uint16_t)nd->feature;
				bn->nan_right = !nd->default_left;
			}
		}
	}
	ens->batch = b;
	return CANDOR_OK;
}

/* Margins of rows x (n x M) into out (n x K) through ens->batch, n <=
 * BATCH_ROWS; xt holds M x BATCH_ROWS floats of scratch. */
static void margin_batch_block(const candor__tree_ensemble *ens, const double *x, size_t n,
                               double *out, float *xt)
{
	const size_t M = ens->nfeatures, K = ens->noutputs;
	const candor__tree_batch_node *bnodes = ens->batch->nodes;
	const float *leaf = ens->batch->leaf;
	float acc[BATCH_ROWS * BATCH_MAX_OUTPUTS];
	uint32_t idx[BATCH_ROWS];

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < M; j++)
			xt[j * BATCH_ROWS + i] = (float)x[i * M + j];
	for (size_t i = 0; i < n * K; i++)
		acc[i] = (float)ens->base_margin;
	for (size_t t = 0; t < ens->ntrees; t++) {
		const candor__tree *tr = &ens->trees[t];
		const candor__tree_batch_node *nodes = bnodes + tr->first;
		const float *lv = leaf + tr->first;
		for (size_t i = 0; i < n; i++)
			idx[i] = 0;
		for (uint32_t d = 0; d < tr->depth; d++)
			for (size_t i = 0; i < n; i++) {
				const candor__tree_batch_node *nd = &nodes[idx[i]];
				const float v = xt[(size_t)nd->feature * BATCH_ROWS + i];
				/* NaN: nan_right; else !(v < thr); with no branch */
				const uint32_t right = (uint32_t)!(v < nd->thr) &
				                       ((uint32_t)(v == v) | nd->nan_right);
				idx[i] = nd->left + right;
			}
		for (size_t i = 0; i < n; i++)
			acc[i * K + tr->group] += lv[idx[i]];
	}
	for (size_t i = 0; i < n * K; i++)
		out[i] = (double)acc[i];
}

/* Float sums in tree order (XGBoost): rows in blocks, each block's outputs
 * accumulated in a float buffer. */
static void margin_float(const candor__tree_ensemble *ens, const double *x, size_t n,
                         double *out)
{
	const size_t M = ens->nfeatures, K = ens->noutputs;
	enum { BLOCK = 64 };
	float acc[BLOCK * 16];
	const size_t block = K <= 16 ? BLOCK : 1;
	for (size_t r0 = 0; r0 < n; r0 += block) {
		const size_t nb = n - r0 < block ? n - r0 : block;
		if (K <= 16) {
			for (size_t i = 0; i < nb * K; i++)
				acc[i] = (float)ens->base_margin;
			for (size_t t = 0; t < ens->ntrees; t++) {
				const candor__tree *tr = &ens->trees[t];
				const candor__tree_node *nodes = ens->nodes + tr->first;
				for (size_t i = 0; i < nb; i++)
					acc[i * K + tr->group] += (float)nodes[candor__tree_leaf(
					        nodes, ens->catset, x + (r0 + i) * M)].value;
			}
			for (size_t i = 0; i < nb * K; i++)
				out[r0 * K + i] = (double)acc[i];
		} else {
			/* Many classes: one row at a time, accumulating in out as float. */
			double *o = out + r0 * K;
			for (size_t k = 0; k < K; k++)
				o[k] = (float)ens->base_margin;
			for (size_t t = 0; t < ens->ntrees; t++) {
				const candor__tree *tr = &ens->trees[t];
				const candor__tree_node *nodes = ens->nodes + tr->first;
				o[tr->group] = (double)((float)o[tr->group] +
				                        (float)nodes[candor__tree_leaf(nodes, ens->catset,
				                                                       x + r0 * M)]
				                                .value);
			}
		}
	}
}

void candor__tree_margin(const candor__tree_ensemble *ens, const double *x, size_t n,
                         double *out)
{
	const size_t M = ens->nfeatures, K = ens->noutputs;
	if (ens->batch) {
		/* rows in blocks; each block's margins depend on its rows alone, so
		 * any split of the blocks among threads gives the same bits */
		const size_t nblocks = (n + BATCH_ROWS - 1) / BATCH_ROWS;
		int nt = ens->threads > 0 ? ens->threads : omp_get_max_threads();
		if ((size_t)nt > nblocks / 4)
			nt = nblocks >= 8 ? (int)(nblocks / 4) : 1;
		float *xt = candor__mallocarray((size_t)nt * M * BATCH_ROWS, sizeof *xt);
		if (xt) {
#pragma omp parallel num_threads(nt) if (nt > 1)
			{
				float *mine = xt + (size_t)omp_get_thread_num() * M * BATCH_ROWS;
#pragma omp for schedule(static)
				for (size_t b = 0; b < nblocks; b++) {
					const size_t r0 = b * BATCH_ROWS;
					margin_batch_block(ens, x + r0 * M,
					                   n - r0 < BATCH_ROWS ? n - r0 : BATCH_ROWS,
					                   out + r0 * K, mine);
				}
			}
			candor__free(xt);
			return;
		}
	}
	if (ens->float_sum) {
		margin_float(ens, x, n, out);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		double *o = out + i * K;
		for (size_t k = 0; k < K; k++)
			o[k] = 0.0;
		for (size_t t = 0; t < ens->ntrees; t++) {
			const candor__tree *tr = &ens->trees[t];
			const candor__tree_node *nodes = ens->nodes + tr->first;
			o[tr->group] += nodes[candor__tree_leaf(nodes, ens->catset, x + i * M)].value;
		}
		/* LightGBM adds no base; a base would come first in its order */
		if (ens->base_margin != 0)
			for (size_t k = 0; k < K; k++)
				o[k] += ens->base_margin;
	}
}

static candor_status tree_predict(void *state, const double *x, size_t n, double *out)
{
	const candor__tree_ensemble *ens = state;
	const size_t K = ens->noutputs;
	const candor_status st = candor__tree_check_rows(ens, x, n);
	if (st)
		return st;
	candor__tree_margin(ens, x, n, out);
	switch (ens->transform) {
	case CANDOR__TREE_SIGMOID:
		for (size_t i = 0; i < n * K; i++)
			out[i] = 1.0 / (1.0 + exp(-ens->sigmoid * out[i]));
		break;
	case CANDOR__TREE_EXP:
		for (size_t i = 0; i < n * K; i++)
			out[i] = exp(out[i]);
		break;
	case CANDOR__TREE_SOFTMAX:
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
		break;
	case CANDOR__TREE_IDENTITY:
		break;
	}
	return CANDOR_OK;
}

static void tree_free(void *state)
{
	candor__tree_ensemble_free(state);
}

static const candor__model_vtable tree_vtable = { tree_predict, tree_free };

candor_status candor__tree_model_new(candor_model **out, candor__tree_ensemble *ens,
                                     candor_model_type type, candor_output_kind kind)
{
	candor_model *m = NULL;
	candor_status s = batch_new(ens);
	*out = NULL;
	if (!s)
		s = candor__model_alloc(&m, ens->nfeatures);
	if (s) {
		candor__tree_ensemble_free(ens);
		return s;
	}
	m->type = type;
	m->vt = &tree_vtable;
	m->state = ens;
	m->noutputs = ens->noutputs;
	m->output_kind = kind;
	m->reentrant = true;
	*out = m;
	return CANDOR_OK;
}

candor_status candor__tree_set_threads(candor_model *model, int threads)
{
	if (!model || model->vt != &tree_vtable)
		return CANDOR_EUNSUPPORTED;
	((candor__tree_ensemble *)model->state)->threads = threads;
	return CANDOR_OK;
}

const candor__tree_ensemble *candor__tree_ensemble_of(const candor_model *model)
{
	if (!model || model->vt != &tree_vtable)
		return NULL;
	return model->state;
}
