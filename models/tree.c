/*
 * tree.c - prediction and the model handle of the one tree engine
 * (layout in tree_int.h), shared by every tree-ensemble reader.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/tree_int.h"

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
	if (ens)
		ens->sigmoid = 1.0;
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
	candor_status s = candor__model_alloc(&m, ens->nfeatures);
	*out = NULL;
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

const candor__tree_ensemble *candor__tree_ensemble_of(const candor_model *model)
{
	if (!model || model->vt != &tree_vtable)
		return NULL;
	return model->state;
}
