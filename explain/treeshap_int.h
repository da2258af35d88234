/*
 * treeshap_int.h - the TreeSHAP plan, for the explainer handle
 * (explain/explainer.c), and test hooks of explain/treeshap.c (not
 * installed).
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

/*
 * Everything TreeSHAP needs that does not depend on the explained rows:
 * the per-leaf tables (when `tables`: path-dependent values and
 * interactions), the tree means, and with background rows `bg` (nbg x M,
 * borrowed: they must outlive the plan; weighted equally) the
 * interventional weights and base values. Read-only once built: several
 * threads may run one plan at once. The one-call functions of
 * candor/treeshap.h build one per call.
 */
typedef struct candor__treeshap_plan candor__treeshap_plan;

typedef enum candor__treeshap_kind {
	CANDOR__TREESHAP_PATH = 0,          /* n x K x (M + 1) */
	CANDOR__TREESHAP_INTERACTIONS = 1,  /* n x K x (M + 1)^2; needs tables */
	CANDOR__TREESHAP_INTERVENTIONAL = 2 /* n x K x (M + 1); needs bg */
} candor__treeshap_kind;

candor_status candor__treeshap_plan_new(candor__treeshap_plan **out, const candor_model *model,
                                        bool tables, const double *bg, size_t nbg);
candor_status candor__treeshap_plan_run(const candor__treeshap_plan *tp,
                                        candor__treeshap_kind kind, const double *x, size_t n,
                                        double *phi, const candor_treeshap_options *opts);
void candor__treeshap_plan_free(candor__treeshap_plan *tp);

/* CANDOR_ENOMEM when n rows of interaction values overflow size_t. */
candor_status candor__treeshap_check_interactions(const candor_model *model, size_t n);
/* candor_treeshap_interactions(), likewise: the per-leaf tables where they
 * fit (true, the default) or Algorithm 2 conditioned on each feature for
 * every tree (false). */
candor_status candor__treeshap_interactions(const candor_model *model, const double *x,
                                            size_t n, double *phi,
                                            const candor_treeshap_options *opts, bool tables);

#endif
