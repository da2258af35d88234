/**
 * @file candor/treeshap.h
 * @brief TreeSHAP for tree ensembles (XGBoost, LightGBM): path-dependent (Lundberg et
 *        al. 2020, Algorithm 2), interaction values, and interventional
 *        TreeSHAP against a background dataset.
 *
 * All values are in margin space. Output layout matches XGBoost's
 * `pred_contribs=True`: for n rows, K outputs and M features, `phi` is
 * n x K x (M + 1) row-major; the last entry of each (row, output) block is
 * the base value (the expected margin), so each block sums to the margin.
 * Interactions match `pred_interactions=True`: n x K x (M + 1) x (M + 1).
 *
 * These one-call functions build TreeSHAP's plan (per-leaf tables, tree
 * means, interventional weights) for every call. To explain many batches
 * of rows, build it once: candor_explainer_new() with CANDOR_METHOD_TREE
 * (candor/explain.h), whose explanations hold the same values bit for bit.
 */
#ifndef CANDOR_TREESHAP_H
#define CANDOR_TREESHAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "candor/common.h"
#include "candor/models.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Options of the TreeSHAP explainers. Zero means the default. */
typedef struct candor_treeshap_options {
	unsigned int version; /**< CANDOR_TREESHAP_OPTIONS_VERSION */
	int threads;          /**< OpenMP threads; 0: all available. Results do not depend on it. */
	/** Progress callback (rows done, rows total), may be NULL; called from one thread. */
	void (*on_progress)(uint64_t done, uint64_t total, void *payload);
	void *payload;
} candor_treeshap_options;

#define CANDOR_TREESHAP_OPTIONS_VERSION 1
#define CANDOR_TREESHAP_OPTIONS_INIT { .version = CANDOR_TREESHAP_OPTIONS_VERSION }

/** Fill `opts` with the defaults of `version` (all zero but the version),
 *  for bindings that cannot use the macro; CANDOR_EINVAL for an unknown one. */
CANDOR_API candor_status candor_treeshap_options_init(candor_treeshap_options *opts,
                                                      unsigned int version);

/**
 * True when `model` is a tree ensemble these functions explain (XGBoost
 * JSON, LightGBM text): the models for which `tree` is the default method.
 */
CANDOR_API bool candor_treeshap_supports(const candor_model *model);

/**
 * Path-dependent TreeSHAP of `n` rows `x` (n x M) of an XGBoost model.
 * `phi` (caller-allocated) receives n x K x (M + 1) values.
 * CANDOR_EUNSUPPORTED for a model that is not a tree ensemble.
 */
CANDOR_API candor_status candor_treeshap(const candor_model *model, const double *x, size_t n,
                                         double *phi, const candor_treeshap_options *opts);

/**
 * SHAP interaction values; `phi` receives n x K x (M + 1) x (M + 1) values.
 */
CANDOR_API candor_status candor_treeshap_interactions(const candor_model *model, const double *x,
                                                      size_t n, double *phi,
                                                      const candor_treeshap_options *opts);

/**
 * Interventional TreeSHAP against `nbg` background rows `bg` (nbg x M),
 * weighted uniformly; exact (no sampling). Layout as candor_treeshap().
 */
CANDOR_API candor_status candor_treeshap_interventional(const candor_model *model,
                                                        const double *x, size_t n,
                                                        const double *bg, size_t nbg,
                                                        double *phi,
                                                        const candor_treeshap_options *opts);

/**
 * Write interaction values `phi` (n x K x (M + 1) x (M + 1), as filled by
 * candor_treeshap_interactions()) to `f` as CSV: the header `row`, `output`
 * (only when K > 1), `feature`, one column per model feature, `base_value`;
 * then, for each row and output, M + 1 lines: the line of feature i holds
 * its interaction with every feature (its main effect on the diagonal) and
 * sums to its SHAP value; the last line, feature `base_value`, holds the
 * base value in its last column. Row r is numbered row_ids[r] (NULL: r).
 * Numbers read back to the same double. CANDOR_EIO when writing fails.
 */
CANDOR_API candor_status candor_treeshap_interactions_write_csv(FILE *f,
                                                                const candor_model *model,
                                                                const double *phi, size_t n,
                                                                const uint64_t *row_ids);

#ifdef __cplusplus
}
#endif
#endif /* CANDOR_TREESHAP_H */
