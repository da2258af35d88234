/*
 * treeshap_int.h - test hooks of explain/treeshap.c (not installed).
 */
#ifndef CANDOR_EXPLAIN_TREESHAP_INT_H
#define CANDOR_EXPLAIN_TREESHAP_INT_H

#include <stdbool.h>

#include "candor/treeshap.h"

/* candor_treeshap(), choosing the per-leaf tables of Fast TreeSHAP v2
 * (`tables` true, the default) or Algorithm 2 for every tree (false), so
 * that tests can check both against XGBoost. */
candor_status candor__treeshap_path(const candor_model *model, const double *x, size_t n,
                                    double *phi, const candor_treeshap_options *opts,
                                    bool tables);

/* candor_treeshap_interactions(), likewise: the per-leaf tables where they
 * fit (true, the default) or Algorithm 2 conditioned on each feature for
 * every tree (false). */
candor_status candor__treeshap_interactions(const candor_model *model, const double *x,
                                            size_t n, double *phi,
                                            const candor_treeshap_options *opts, bool tables);

#endif
