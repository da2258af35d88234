/**
 * @file candor/mitigate.h
 * @brief Mitigation: what it would take to pass. Group-specific (randomised)
 *        score thresholds from the groups' ROC convex hulls (Hardt, Price and
 *        Srebro 2016), reweighing (Kamiran and Calders 2012), and the metrics
 *        before and after on the fitting data and on held-out data.
 *
 * Two levels:
 * - arrays: candor_mitigate_rule_fit() takes labels, scores and group codes
 *   and returns a candor_mitigate_rule, the exact optimum of the objective
 *   subject to the constraint; candor_mitigate_rule_prob() and
 *   candor_mitigate_rule_decide() apply it to new rows;
 * - tables: candor_mitigate_run() reads the columns of a table, fits the
 *   rule and the reweighing on the fitting part (all of `data`, or the rows a
 *   seeded split keeps), and evaluates the decisions before and after with
 *   the fairness module on the fitting part and on the evaluation part. This
 *   is the call the audit uses for its "what would pass" section.
 *
 * The decision rule of a group is a step function of the score: with
 * thresholds t[0] < ... < t[k-1] (k <= 2), a row whose score s satisfies
 * t[j-1] <= s < t[j] gets the favourable decision with probability prob[j]
 * (t[-1] = -inf, t[k] = +inf). A probability strictly between 0 and 1 means
 * a coin is tossed for that row: the rule is randomised and must be deployed
 * as such, or the promised parity does not hold. docs/mitigation.md has the
 * algorithms and the mapping to fairlearn's ThresholdOptimizer and AIF360's
 * Reweighing.
 *
 * Thread-safety: a handle belongs to one thread at a time; a `const` rule or
 * result may be read from several threads.
 */
#ifndef CANDOR_MITIGATE_H
#define CANDOR_MITIGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candor/common.h"
#include "candor/datasets.h"
#include "candor/fairness.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The parity a rule must satisfy, on the fitting data, exactly. */
typedef enum candor_mitigate_constraint {
	CANDOR_MITIGATE_NONE = 0,               /**< no constraint: the best threshold per group */
	CANDOR_MITIGATE_DEMOGRAPHIC_PARITY = 1, /**< equal selection rates */
	CANDOR_MITIGATE_EQUALIZED_ODDS = 2,     /**< equal true and false positive rates */
	CANDOR_MITIGATE_EQUAL_OPPORTUNITY = 3,  /**< equal true positive rates */
	/** the checks of options.policy that are linear in the groups' rates
	 *  (docs/mitigation.md lists them), met with the expected values */
	CANDOR_MITIGATE_POLICY = 4
} candor_mitigate_constraint;

/** What the rule maximises (over all rows of the fitting data). */
typedef enum candor_mitigate_objective {
	CANDOR_MITIGATE_ACCURACY = 0,           /**< (tp + tn) / n; the default */
	CANDOR_MITIGATE_BALANCED_ACCURACY = 1   /**< (tpr + tnr) / 2 */
} candor_mitigate_objective;

/** Largest number of groups a rule has. */
#define CANDOR_MITIGATE_MAX_GROUPS 4096

/** Options of candor_mitigate_rule_fit() and candor_mitigate_run(). */
typedef struct candor_mitigate_options {
	unsigned int version;                 /**< CANDOR_MITIGATE_OPTIONS_VERSION */
	candor_mitigate_constraint constraint;/**< 0: none (the unconstrained optimum) */
	candor_mitigate_objective objective;  /**< 0: accuracy */
	/** candor_mitigate_run() only: the decisions before mitigation are
	 *  score >= threshold when threshold_set (any finite number, 0
	 *  included), else score >= 0.5 (and threshold must be 0). Version 1
	 *  of this struct: 0 meant 0.5. */
	double threshold;
	/** candor_mitigate_run() only, without eval data: the fraction of rows
	 *  held out for evaluation, in (0, 1); row i is held out when the
	 *  uniform number of stream (seed, i, 1) is below it. 0: no split. */
	double split;
	/** The split's and the randomised decisions' seed (row i of a part
	 *  draws its coin from stream (seed, i, 2) on the fitting data, (seed,
	 *  i, 3) on eval data). */
	uint64_t seed;
	double confidence;                    /**< intervals; 0: 0.95 */
	int threads;                          /**< 0: OpenMP's default; results never depend on it */
	/** Required with CANDOR_MITIGATE_POLICY, refused otherwise (borrowed
	 *  for the call). candor_mitigate_run() also judges the decisions
	 *  before and after with it. */
	const candor_fairness_policy *policy;
	/* ---- version 2 ---- */
	bool threshold_set;                   /**< threshold is given (see threshold) */
} candor_mitigate_options;

#define CANDOR_MITIGATE_OPTIONS_VERSION 2
#define CANDOR_MITIGATE_OPTIONS_INIT { .version = CANDOR_MITIGATE_OPTIONS_VERSION }

/** Fill `opts` with the defaults of `version` (1 or
 *  CANDOR_MITIGATE_OPTIONS_VERSION): zero and the version; CANDOR_EINVAL for
 *  an unknown version. */
CANDOR_API candor_status candor_mitigate_options_init(candor_mitigate_options *opts,
                                                      unsigned int version);

/* ===== rules from arrays ================================================ */

/** Rows to fit on, as parallel arrays of length n. */
typedef struct candor_mitigate_rows {
	size_t n;
	const uint8_t *label;   /**< 1 favourable, 0 not */
	const double *score;    /**< finite; higher means more favourable */
	const int32_t *group;   /**< group code in [0, ngroups) */
} candor_mitigate_rows;

/** The rule of one group, with what it promises on the fitting data. */
typedef struct candor_mitigate_group_rule {
	const char *group;      /**< the group's name */
	size_t nthresholds;     /**< 0 to 2 */
	double thresholds[2];   /**< ascending */
	double prob[3];         /**< P(favourable) below t[0], in [t[0], t[1]), ...; nthresholds + 1 used */
	bool randomised;        /**< some prob is strictly between 0 and 1 */
	/* fairlearn's InterpolatedThresholder form of the same rule: with
	 * probability p0 "score >= threshold0" (else "score >= threshold1"),
	 * and that is replaced by a coin of probability `constant` with
	 * probability p_ignore. A threshold of +inf selects no row, -inf all. */
	double threshold0, threshold1, p0, p_ignore, constant;
	/* Expected values on the fitting data (the promise). */
	uint64_t n, positives;  /**< rows, and rows with label 1 */
	double tp, fp, tn, fn;  /**< expected confusion counts */
	double selection_rate, tpr, fpr, accuracy;
	size_t hull_vertices;   /**< vertices of the group's upper ROC hull */
} candor_mitigate_group_rule;

/** A fitted rule; opaque. */
typedef struct candor_mitigate_rule candor_mitigate_rule;

/** A rule's contents; borrowed, valid while the rule lives. */
typedef struct candor_mitigate_rule_contents {
	candor_mitigate_constraint constraint;
	candor_mitigate_objective objective;
	const candor_mitigate_group_rule *groups;
	size_t ngroups;
	uint64_t n;
	double objective_value; /**< the optimum (expected accuracy or balanced accuracy) */
	double accuracy, balanced_accuracy; /**< expected, overall, fitting data */
} candor_mitigate_rule_contents;

/**
 * Fit the rule: for each group the ROC points of the rules "score >= t"
 * (t = every distinct score, plus +inf), their upper convex hull, and the
 * optimum of the objective subject to the constraint over the randomised
 * rules, found exactly (docs/mitigation.md). With CANDOR_MITIGATE_POLICY the
 * groups are judged as one attribute called `policy_attribute` in checks
 * that name one (NULL: any name matches). `group_names` (ngroups names)
 * are copied; NULL names the groups "0", "1", ...
 * Errors: CANDOR_EINVAL (bad options, labels other than 0/1, codes out of
 * range, a non-finite score), CANDOR_EDOMAIN (a group without rows, or
 * without a positive or a negative label: its ROC curve is undefined; the
 * message names it; or a policy that no rule can meet),
 * CANDOR_EUNSUPPORTED (a policy check that is not linear in the rates),
 * CANDOR_ENOMEM.
 */
CANDOR_API candor_status candor_mitigate_rule_fit(candor_mitigate_rule **out,
                                                  const candor_mitigate_rows *rows,
                                                  size_t ngroups,
                                                  const char *const *group_names,
                                                  const char *policy_attribute,
                                                  const candor_mitigate_options *opts);

/** Free a rule; NULL is accepted. */
CANDOR_API void candor_mitigate_rule_free(candor_mitigate_rule *rule);

/** The rule's contents; borrowed, valid while the rule lives. */
CANDOR_API const candor_mitigate_rule_contents *candor_mitigate_rule_view(const candor_mitigate_rule *rule);

/**
 * The probability of the favourable decision for each of n rows:
 * out[i] = P(1 | score[i], group[i]). CANDOR_EINVAL for a code out of range
 * or a non-finite score (out is then unspecified).
 */
CANDOR_API candor_status candor_mitigate_rule_prob(const candor_mitigate_rule *rule, double *out,
                                                   const double *score, const int32_t *group,
                                                   size_t n);

/**
 * Realised decisions: out[i] = 1 when the uniform number u of stream
 * (seed, first_row + i, stream) is below P(1 | score[i], group[i]), so row
 * r's coin never depends on the batch it comes in.
 */
CANDOR_API candor_status candor_mitigate_rule_decide(const candor_mitigate_rule *rule,
                                                     uint8_t *out, const double *score,
                                                     const int32_t *group, size_t n,
                                                     uint64_t seed, uint64_t first_row,
                                                     uint64_t stream);

/**
 * Reweighing weights (Kamiran and Calders 2012, AIF360's Reweighing): for
 * the cell of group g and label y, w = P(g) P(y) / P(g, y) = n_g n_y / (n
 * n_gy); out[2g + y] (2 * ngroups values). A cell without rows gets 0 (no
 * row needs its weight). CANDOR_EINVAL as candor_mitigate_rule_fit().
 */
CANDOR_API candor_status candor_mitigate_reweigh(double *out, const candor_mitigate_rows *rows,
                                                 size_t ngroups);

/* ===== from tables: fit, evaluate, report =============================== */

/** Which columns to use. */
typedef struct candor_mitigate_columns {
	unsigned int version;          /**< CANDOR_MITIGATE_COLUMNS_VERSION */
	const char *label;             /**< required: a binary column */
	const char *score;             /**< required: a numeric column, higher = favourable */
	const char *const *sensitive;  /**< the groups are the combinations of these columns */
	size_t nsensitive;             /**< 1 to 8 */
	const char *favorable;         /**< the label's favourable value; NULL: "1" */
	const char *source;            /**< the data file's name, for messages; NULL: none */
	const char *eval_source;       /**< the eval file's name, for messages; NULL: none */
} candor_mitigate_columns;

#define CANDOR_MITIGATE_COLUMNS_VERSION 1
#define CANDOR_MITIGATE_COLUMNS_INIT { .version = CANDOR_MITIGATE_COLUMNS_VERSION }

/** Fill `cols` with the defaults of `version` (zero and the version);
 *  CANDOR_EINVAL for an unknown version. */
CANDOR_API candor_status candor_mitigate_columns_init(candor_mitigate_columns *cols,
                                                      unsigned int version);

/** Expected metrics of the mitigated rule on one part (exact, no interval). */
typedef struct candor_mitigate_expected {
	double accuracy, balanced_accuracy;
	const double *selection_rate, *tpr, *fpr; /**< per group (NaN where 0/0) */
} candor_mitigate_expected;

/** One part of the data (the fitting part, or the evaluation part). */
typedef struct candor_mitigate_part {
	uint64_t n;
	/** score >= threshold, through the fairness module (Wilson intervals). */
	const candor_fairness_result *before;
	/** The mitigated rule's realised decisions (each row's coin as in
	 *  candor_mitigate_rule_decide()), through the fairness module. */
	const candor_fairness_result *after;
	candor_mitigate_expected expected;  /**< the rule's expected values */
	/** Reweighing: base rate per group with and without the weights. */
	const double *base_rate, *weighted_base_rate;
	/** Whether the constraint holds for the realised decisions: false when
	 *  some group's difference to the reference group (selection rate for
	 *  demographic parity, tpr and/or fpr for the odds) has an interval
	 *  that excludes 0; with a policy, when `after` fails a check. Always
	 *  true without a constraint. */
	bool constraint_holds;
	const char *violation;   /**< the first such difference, as text, or NULL */
} candor_mitigate_part;

/** An opaque result: the rule, the weights and the parts. */
typedef struct candor_mitigate_result candor_mitigate_result;

/** Everything in a result; borrowed, valid while the result lives. */
typedef struct candor_mitigate_view {
	const candor_mitigate_rule *rule;
	const char *attribute;          /**< "A", or "A&B" for several columns */
	size_t ngroups;
	const double *weights;          /**< reweighing, per cell: weights[2g + y] */
	const double *row_weights;      /**< one per row of `data` (its cell's weight) */
	size_t nrows;                   /**< rows of `data` */
	candor_mitigate_part fit;
	bool has_eval;
	candor_mitigate_part eval;
} candor_mitigate_view;

/**
 * Fit the rule and the reweighing on `data` (or, with opts->split, on the
 * rows the split keeps) and evaluate them on the fitting part and on `eval`
 * (or the held-out rows); `eval` may be NULL. Groups are the combinations
 * of the sensitive columns' values that occur in the fitting part, named
 * "x" or "x&y", in order of first appearance. An eval row of a group the
 * fitting part lacks is an error (no rule exists for it), as are missing
 * labels, scores or sensitive values (CANDOR_EPARSE naming the cell), a
 * missing column (CANDOR_ENOTFOUND), and anything candor_mitigate_rule_fit()
 * refuses. `eval` together with opts->split is CANDOR_EINVAL.
 */
CANDOR_API candor_status candor_mitigate_run(candor_mitigate_result **out,
                                             const candor_table *data,
                                             const candor_table *eval,
                                             const candor_mitigate_columns *cols,
                                             const candor_mitigate_options *opts);

/** Free a result; NULL is accepted. */
CANDOR_API void candor_mitigate_result_free(candor_mitigate_result *result);

/** The result's contents; borrowed, valid while the result lives. */
CANDOR_API const candor_mitigate_view *candor_mitigate_result_view(const candor_mitigate_result *result);

/**
 * The result as JSON (docs/mitigation.md lists the keys): the rule per
 * group, and "fit" and "eval" each with "before", "after" (the fairness
 * JSON of DESIGN.md) and "expected". `*out` is NUL-terminated, allocated
 * with malloc: release it with candor_free() (or free()).
 */
CANDOR_API candor_status candor_mitigate_result_json(const candor_mitigate_result *result,
                                                     char **out, size_t *len);

/** The name of a constraint ("demographic_parity"); NULL when out of range. */
CANDOR_API const char *candor_mitigate_constraint_name(candor_mitigate_constraint c);

#ifdef __cplusplus
}
#endif
#endif /* CANDOR_MITIGATE_H */
