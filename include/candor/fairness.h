/**
 * @file candor/fairness.h
 * @brief Group fairness of a binary classifier's decisions: mergeable count
 *        accumulators, group metrics with intervals, disparities with
 *        p-values, published summary metrics and policy checks.
 *
 * The flow is: describe the sensitive attributes, feed rows (label,
 * prediction, optional score, group codes) to an accumulator in chunks,
 * merge accumulators made elsewhere (threads, time windows, machines, via
 * candor_fairness_acc_serialize()), then compute a result and read it
 * through candor_fairness_result_view() or write it as JSON.
 *
 * @code
 * candor_fairness_acc *acc = NULL;
 * candor_fairness_result *res = NULL;
 * const char *sex_levels[] = {"female", "male"};
 * candor_fairness_attribute attr = {"sex", sex_levels, 2};
 * candor_fairness_acc_new(&acc, &attr, 1, false);
 * candor_fairness_rows rows = {n, label, pred, NULL, groups};  // groups[0] = sex codes
 * candor_fairness_acc_add(acc, &rows);
 * candor_fairness_compute(&res, acc, NULL);
 * const candor_fairness_view *v = candor_fairness_result_view(res);
 * printf("%g\n", v->attributes[0].summary[CANDOR_FS_DISPARATE_IMPACT].value);
 * candor_fairness_result_free(res);
 * candor_fairness_acc_free(acc);
 * @endcode
 *
 * Conventions. Label and prediction are 1 for the favourable outcome and 0
 * otherwise. For a group with counts tp, fp, tn, fn (n = tp + fp + tn + fn):
 *
 * | metric         | definition              | metric        | definition            |
 * | -------------- | ----------------------- | ------------- | --------------------- |
 * | selection_rate | (tp + fp) / n           | ppv           | tp / (tp + fp)        |
 * | base_rate      | (tp + fn) / n           | npv           | tn / (tn + fn)        |
 * | tpr            | tp / (tp + fn)          | fdr           | fp / (tp + fp)        |
 * | fpr            | fp / (fp + tn)          | for           | fn / (tn + fn)        |
 * | tnr            | tn / (fp + tn)          | accuracy      | (tp + tn) / n         |
 * | fnr            | fn / (tp + fn)          | error_rate    | (fp + fn) / n         |
 * | f1             | 2tp / (2tp + fp + fn)   |               |                       |
 *
 * With scores s_i in [0, 1]: auc is the Mann-Whitney probability
 * P(s_pos > s_neg) + P(s_pos = s_neg) / 2, exact, ties counted half;
 * brier = mean (s_i - y_i)^2; ece = sum over 10 equal-width bins
 * [0, .1), ..., [.9, 1] of (n_b / n) |mean(y in b) - mean(s in b)|;
 * mean_score = mean s_i. A value whose denominator is 0 is undefined: NaN
 * in this API with a reason string, `null` plus a reason in JSON.
 *
 * Summary metrics, for one attribute with groups g (groups whose metric is
 * undefined are skipped, as pandas' max/min skip NaN in fairlearn), the
 * reference group r ("privileged" in AIF360) and u = the union of every
 * other group ("unprivileged_groups" = all other levels, OR-ed as AIF360
 * does):
 * - demographic_parity_difference = max_g SR_g - min_g SR_g (fairlearn)
 * - demographic_parity_ratio = min_g SR_g / max_g SR_g (fairlearn)
 * - equalized_odds_difference = max(max_g TPR - min_g TPR, max_g FPR - min_g FPR) (fairlearn)
 * - equalized_odds_ratio = min(min_g TPR / max_g TPR, min_g FPR / max_g FPR) (fairlearn)
 * - equal_opportunity_difference = TPR_u - TPR_r (AIF360)
 * - average_odds_difference = ((FPR_u - FPR_r) + (TPR_u - TPR_r)) / 2 (AIF360)
 * - disparate_impact = SR_u / SR_r (AIF360)
 * - theil_index = (1/n) sum_i (b_i/mu) ln(b_i/mu), over all n rows, with
 *   AIF360's benefit b_i = pred_i - label_i + 1 and mu = mean b (0 ln 0 = 0)
 * - generalized_entropy_index = 1/(n a (a-1)) sum_i ((b_i/mu)^a - 1), a = 2
 *   (AIF360's default alpha)
 *
 * Intervals. Wilson score intervals (Wilson 1927) for every metric that is a
 * proportion; Newcombe's hybrid score interval (Newcombe 1998, method 10)
 * for differences of proportions; none for f1, ratios, score metrics and
 * summaries unless bootstrap intervals are asked for. Bootstrap: percentile
 * intervals from replicates that resample rows within every cell (every
 * combination of the attributes' levels), so each group keeps its size.
 *
 * Thread-safety: a handle belongs to one thread at a time; a `const`
 * accumulator or result may be read from several threads.
 */
#ifndef CANDOR_FAIRNESS_H
#define CANDOR_FAIRNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "candor/common.h"
#include "candor/datasets.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ===== metric names ===================================================== */

/** Group metrics, in the order of DESIGN.md. */
typedef enum candor_fairness_metric {
	CANDOR_FM_SELECTION_RATE = 0,
	CANDOR_FM_BASE_RATE,
	CANDOR_FM_TPR,
	CANDOR_FM_FPR,
	CANDOR_FM_TNR,
	CANDOR_FM_FNR,
	CANDOR_FM_PPV,
	CANDOR_FM_NPV,
	CANDOR_FM_FDR,
	CANDOR_FM_FOR,
	CANDOR_FM_ACCURACY,
	CANDOR_FM_ERROR_RATE,
	CANDOR_FM_F1,
	CANDOR_FM_AUC,        /**< needs scores */
	CANDOR_FM_BRIER,      /**< needs scores */
	CANDOR_FM_ECE,        /**< needs scores */
	CANDOR_FM_MEAN_SCORE, /**< needs scores */
	CANDOR_FM_COUNT
} candor_fairness_metric;

/** Number of metrics computed from the confusion counts alone. */
#define CANDOR_FM_NCOUNT_METRICS 13

/** Summary metrics (see the file comment for the formulas). */
typedef enum candor_fairness_summary_metric {
	CANDOR_FS_DEMOGRAPHIC_PARITY_DIFFERENCE = 0,
	CANDOR_FS_DEMOGRAPHIC_PARITY_RATIO,
	CANDOR_FS_EQUALIZED_ODDS_DIFFERENCE,
	CANDOR_FS_EQUALIZED_ODDS_RATIO,
	CANDOR_FS_EQUAL_OPPORTUNITY_DIFFERENCE,
	CANDOR_FS_AVERAGE_ODDS_DIFFERENCE,
	CANDOR_FS_DISPARATE_IMPACT,
	CANDOR_FS_THEIL_INDEX,
	CANDOR_FS_GENERALIZED_ENTROPY_INDEX,
	CANDOR_FS_COUNT
} candor_fairness_summary_metric;

/** The JSON name of a group metric ("tpr"); NULL when out of range. */
CANDOR_API const char *candor_fairness_metric_name(candor_fairness_metric m);
/** The JSON name of a summary metric ("disparate_impact"); NULL when out of range. */
CANDOR_API const char *candor_fairness_summary_name(candor_fairness_summary_metric m);
/**
 * Look a name up among the group metrics (*is_summary = false) and the
 * summary metrics (*is_summary = true). Returns the index or -1.
 */
CANDOR_API int candor_fairness_metric_lookup(const char *name, bool *is_summary);

/* ===== the accumulator ================================================== */

/** A sensitive attribute: its name and its levels (group names). */
typedef struct candor_fairness_attribute {
	const char *name;
	const char *const *levels;
	size_t nlevels;
} candor_fairness_attribute;

/**
 * An opaque, mergeable accumulator. It holds integer confusion counts per
 * cell (one cell per combination of every attribute's level, a missing
 * value being a level of its own), so counts never depend on the order rows
 * arrive in. With scores it also keeps every row's score, split by cell and
 * label: that is what an exact AUC (Mann-Whitney with ties) needs, since
 * ranks cannot be merged from any fixed-size summary. Every score metric is
 * computed from the scores sorted at compute time, so results are identical
 * whatever the chunking, merge order or thread count. Memory: 32 bytes per
 * cell, plus 8 bytes per row with scores.
 */
typedef struct candor_fairness_acc candor_fairness_acc;

/** Largest number of cells, prod (nlevels + 1), an accumulator accepts. */
#define CANDOR_FAIRNESS_MAX_CELLS ((size_t)1 << 20)

/**
 * Create an empty accumulator for `nattrs` >= 1 attributes (copied). With
 * `with_scores` every batch must carry scores. Errors: CANDOR_EINVAL (no
 * attribute, duplicate names, a level repeated), CANDOR_EUNSUPPORTED (more
 * than CANDOR_FAIRNESS_MAX_CELLS cells), CANDOR_ENOMEM.
 */
CANDOR_API candor_status candor_fairness_acc_new(candor_fairness_acc **out,
                                                 const candor_fairness_attribute *attrs,
                                                 size_t nattrs, bool with_scores);

/** Free an accumulator; NULL is accepted. */
CANDOR_API void candor_fairness_acc_free(candor_fairness_acc *acc);

/** Number of rows accumulated so far. */
CANDOR_API uint64_t candor_fairness_acc_nrows(const candor_fairness_acc *acc);

/** A batch of rows, as parallel arrays of length n. */
typedef struct candor_fairness_rows {
	size_t n;
	const uint8_t *label;          /**< 1 favourable, 0 not */
	const uint8_t *pred;           /**< 1 favourable, 0 not */
	const double *score;           /**< finite; NULL when the accumulator has no scores */
	const int32_t *const *groups;  /**< groups[a][i]: level code of attribute a, -1 missing */
} candor_fairness_rows;

/**
 * Add a batch. The batch is checked in full before anything is counted, so
 * on error the accumulator is unchanged: CANDOR_EINVAL for a label or
 * prediction other than 0/1, a code outside [-1, nlevels), a non-finite
 * score, or scores missing/unexpected. No allocation per row (with scores,
 * the per-cell score arrays grow once per batch).
 */
CANDOR_API candor_status candor_fairness_acc_add(candor_fairness_acc *acc,
                                                 const candor_fairness_rows *rows);

/**
 * As candor_fairness_acc_add(), splitting the batch into chunks counted by
 * `threads` OpenMP threads (0: the OpenMP default) and merged; the result is
 * the same as a single call.
 */
CANDOR_API candor_status candor_fairness_acc_add_parallel(candor_fairness_acc *acc,
                                                          const candor_fairness_rows *rows,
                                                          int threads);

/**
 * Add `src` into `dst`. Both must have the same attributes (names and levels
 * in the same order) and both or neither must keep scores; otherwise
 * CANDOR_EINVAL and `dst` is unchanged.
 */
CANDOR_API candor_status candor_fairness_acc_merge(candor_fairness_acc *dst,
                                                   const candor_fairness_acc *src);

/**
 * Serialise into a compact, versioned byte string (little-endian; counts as
 * LEB128 varints; a 64-bit FNV-1a checksum at the end). `*out` is allocated
 * with malloc: release it with candor_free() (or free()).
 */
CANDOR_API candor_status candor_fairness_acc_serialize(const candor_fairness_acc *acc,
                                                       uint8_t **out, size_t *len);

/**
 * Rebuild an accumulator from candor_fairness_acc_serialize()'s bytes. Every
 * field is validated: a truncated, corrupt or foreign buffer gives
 * CANDOR_EPARSE (with the byte offset as the column), a newer format version
 * CANDOR_EUNSUPPORTED; never a crash.
 */
CANDOR_API candor_status candor_fairness_acc_deserialize(candor_fairness_acc **out,
                                                         const uint8_t *data, size_t len);

/* ===== from a table ===================================================== */

/** Which columns of a table to audit. Zero or NULL means the default. */
typedef struct candor_fairness_columns {
	unsigned int version;          /**< CANDOR_FAIRNESS_COLUMNS_VERSION (1 is still read) */
	const char *label;             /**< required */
	const char *pred;              /**< NULL: pred_values, or pred = score >= threshold */
	const char *score;             /**< NULL: score_values, or no score metrics */
	const char *const *sensitive;  /**< categorical (or numeric, used by value) columns */
	size_t nsensitive;             /**< >= 1 */
	/** The favourable value of the label column (and of the prediction
	 *  column unless pred_favorable is set): a level name for a text
	 *  column, a number for a numeric one. NULL: the column must hold
	 *  0/1 (numbers, or the texts "0"/"1") or true/false (any case), and
	 *  1/true is favourable; any other value is an error at its cell. */
	const char *favorable;
	/** Used when pred is NULL and threshold_set: decision = score >=
	 *  threshold, any finite number (scores need not be probabilities),
	 *  0 included. Version 1 of this struct: 0 meant 0.5. */
	double threshold;
	const char *source;            /**< the data file's name, for messages; NULL: none */
	int threads;                   /**< 0: OpenMP's default */
	/* version 2 */
	/** The favourable value of the prediction column; NULL: as favorable.
	 *  Only with pred (else CANDOR_EINVAL: it could not take effect). */
	const char *pred_favorable;
	/** false: threshold 0.5 (and threshold must be 0); true: threshold as
	 *  given. Only without pred (else CANDOR_EINVAL). */
	bool threshold_set;
	/** Decisions as an array of n values, 0 or 1 (1 favourable), instead
	 *  of a pred column (which must then be NULL); NULL: none. */
	const double *pred_values;
	/** Scores as an array of n finite values instead of a score column
	 *  (which must then be NULL); NULL: none. */
	const double *score_values;
} candor_fairness_columns;

#define CANDOR_FAIRNESS_COLUMNS_VERSION 2
#define CANDOR_FAIRNESS_COLUMNS_INIT { .version = CANDOR_FAIRNESS_COLUMNS_VERSION }

/** Fill `cols` with the defaults of `version` (1 or
 *  CANDOR_FAIRNESS_COLUMNS_VERSION): zero and the version; CANDOR_EINVAL
 *  for an unknown version. */
CANDOR_API candor_status candor_fairness_columns_init(candor_fairness_columns *cols,
                                                      unsigned int version);

/**
 * Build an accumulator from a table. With a favourable value named, the
 * label and prediction columns must take at most two values (one of them
 * the favourable value); a third value gives CANDOR_EPARSE at its cell.
 * Without one, a value other than 0/1 or true/false gives CANDOR_EPARSE at
 * its cell. A missing column gives CANDOR_ENOTFOUND, a missing label,
 * prediction or score CANDOR_EPARSE. A numeric sensitive
 * column is used through its distinct values (at most 256, written with
 * candor's number format). Rows are processed in parallel chunks.
 */
CANDOR_API candor_status candor_fairness_acc_from_table(candor_fairness_acc **out,
                                                        const candor_table *table,
                                                        const candor_fairness_columns *cols);

/* ===== policy =========================================================== */

/**
 * An opaque policy: a JSON file such as
 * @code
 * { "min_group_size": 30, "fail_only_if_ci_outside": false,
 *   "checks": [ {"metric": "disparate_impact", "min": 0.8},
 *               {"metric": "equalized_odds_difference", "max": 0.1, "attribute": "race"},
 *               {"metric": "tpr", "max_difference": 0.05},
 *               {"metric": "selection_rate", "min_ratio": 0.8} ] }
 * @endcode
 * or just the array of checks. A summary metric takes "min" and/or "max"; a
 * group metric takes "min", "max" (every group), "max_difference" (largest
 * |group - reference|) and/or "min_ratio" (smallest group / reference).
 * "attribute" limits a check to one attribute (else every attribute is
 * checked). "fail_only_if_ci_outside" (top level or per check) fails a
 * check only when the whole interval of the value lies outside the bound.
 * Groups smaller than min_group_size are flagged and left out of group
 * checks.
 */
typedef struct candor_fairness_policy candor_fairness_policy;

/**
 * Parse a policy from `text` (`len` bytes); `name` names it in errors.
 * Malformed JSON gives CANDOR_EPARSE with name:line:column; an unknown
 * metric or key CANDOR_EPARSE at the place of the offending string.
 */
CANDOR_API candor_status candor_fairness_policy_parse(candor_fairness_policy **out,
                                                      const char *text, size_t len,
                                                      const char *name);
/** Read and parse a policy file. CANDOR_EIO when it cannot be read. */
CANDOR_API candor_status candor_fairness_policy_read(candor_fairness_policy **out,
                                                     const char *path);
/** Free a policy; NULL is accepted. */
CANDOR_API void candor_fairness_policy_free(candor_fairness_policy *policy);

/* ===== computing ======================================================== */

/** How the reference group of an attribute is chosen. */
typedef enum candor_fairness_refmode {
	CANDOR_FAIRNESS_REF_LARGEST = 0,  /**< most rows (ties: first level); the default */
	CANDOR_FAIRNESS_REF_NAMED = 1,    /**< the group called `group` */
	CANDOR_FAIRNESS_REF_FAVOURED = 2  /**< highest selection rate (ties: larger, then first) */
} candor_fairness_refmode;

/**
 * The reference of one attribute. The intersection is named "a&b" and its
 * groups "x&y": the parts joined by '&', where a '\\' or '&' inside a part
 * is escaped by a '\\' (levels "x" and "y&z" give the group "x&y\\&z"), so
 * every name is unambiguous. At most one reference per attribute.
 */
typedef struct candor_fairness_reference {
	const char *attribute;
	candor_fairness_refmode mode;
	const char *group;               /**< for CANDOR_FAIRNESS_REF_NAMED */
} candor_fairness_reference;

/** Interval methods. */
typedef enum candor_fairness_ci {
	CANDOR_FAIRNESS_CI_WILSON = 0,    /**< the default */
	CANDOR_FAIRNESS_CI_BOOTSTRAP = 1,
	CANDOR_FAIRNESS_CI_NONE = 2
} candor_fairness_ci;

/**
 * Adjustment of the disparity p-values for multiple comparisons. The family
 * is one attribute and one metric: its groups against the reference (with
 * 41 countries, 40 tests), counting the tests whose p-value is defined.
 */
typedef enum candor_fairness_p_adjust {
	CANDOR_FAIRNESS_P_HOLM = 0,  /**< Holm (1979) step-down; the default */
	CANDOR_FAIRNESS_P_BH = 1,    /**< Benjamini & Hochberg (1995) step-up, false discovery rate */
	CANDOR_FAIRNESS_P_NONE = 2   /**< none: p_adjusted = p_value */
} candor_fairness_p_adjust;

/** Options of candor_fairness_compute(). Zero or NULL means the default. */
typedef struct candor_fairness_options {
	unsigned int version;        /**< CANDOR_FAIRNESS_OPTIONS_VERSION */
	bool intersect;              /**< add the groups of every combination of attributes */
	const candor_fairness_reference *references; /**< per attribute; others: largest */
	size_t nreferences;
	candor_fairness_ci ci;       /**< default Wilson */
	size_t bootstrap;            /**< replicates, at most CANDOR_FAIRNESS_MAX_BOOTSTRAP;
	                                  0: 1000; only with ci = bootstrap */
	uint64_t seed;               /**< replicate r draws from stream (seed, r, .) */
	double confidence;           /**< 0: 0.95 */
	size_t min_group_size;       /**< 0: the policy's, else 30 */
	int threads;                 /**< 0: OpenMP's default; results never depend on it */
	const candor_fairness_policy *policy; /**< NULL: no checks, verdict "pass" */
	/* version 2 */
	candor_fairness_p_adjust p_adjust; /**< default Holm (version 1: Holm too) */
} candor_fairness_options;

#define CANDOR_FAIRNESS_OPTIONS_VERSION 2
#define CANDOR_FAIRNESS_OPTIONS_INIT { .version = CANDOR_FAIRNESS_OPTIONS_VERSION }

/** Fill `opts` with the defaults of `version` (1 or
 *  CANDOR_FAIRNESS_OPTIONS_VERSION): zero and the version; CANDOR_EINVAL
 *  for an unknown version. */
CANDOR_API candor_status candor_fairness_options_init(candor_fairness_options *opts,
                                                      unsigned int version);

/** Largest number of bootstrap replicates candor_fairness_compute() accepts. */
#define CANDOR_FAIRNESS_MAX_BOOTSTRAP ((size_t)100000)
/** Largest size of the bootstrap replicate table (replicates x values kept
 *  per replicate, 8 bytes each) candor_fairness_compute() accepts. */
#define CANDOR_FAIRNESS_MAX_BOOTSTRAP_BYTES ((size_t)1 << 30)

/** An opaque result. */
typedef struct candor_fairness_result candor_fairness_result;

/**
 * Compute the result. Errors: CANDOR_EINVAL (bad options, no rows, two
 * references for one attribute, bootstrap replicates without bootstrap
 * intervals or more than CANDOR_FAIRNESS_MAX_BOOTSTRAP), CANDOR_EUNSUPPORTED
 * (a replicate table over CANDOR_FAIRNESS_MAX_BOOTSTRAP_BYTES),
 * CANDOR_ENOTFOUND (a reference naming an unknown attribute or group, or a
 * group without rows; a policy check naming an unknown attribute),
 * CANDOR_ENOMEM.
 */
CANDOR_API candor_status candor_fairness_compute(candor_fairness_result **out,
                                                 const candor_fairness_acc *acc,
                                                 const candor_fairness_options *opts);

/** Free a result; NULL is accepted. */
CANDOR_API void candor_fairness_result_free(candor_fairness_result *result);

/* ===== reading a result ================================================= */

/** A value with its interval. `value` is NaN exactly when `reason` is set. */
typedef struct candor_fairness_value {
	double value;
	double lo, hi;          /**< NaN when there is no interval */
	const char *reason;     /**< why value is undefined (static), else NULL */
	const char *ci_reason;  /**< why there is no interval (static), else NULL */
} candor_fairness_value;

/** A group (or "overall"). */
typedef struct candor_fairness_group {
	size_t attribute;       /**< index into view->attributes */
	const char *name;       /**< the level, or "x&y" for an intersection */
	uint64_t n, tp, fp, tn, fn;
	bool small;             /**< n < min_group_size */
	bool is_reference;
	/** metrics[m] for m < nmetrics, indexed by ::candor_fairness_metric
	 *  (nmetrics = CANDOR_FM_COUNT of the library run, which may be more
	 *  than the headers compiled against had); score metrics NaN without
	 *  scores */
	const candor_fairness_value *metrics;
	size_t nmetrics;
	/** An intersection's group: the level of each attribute, in the order
	 *  of view->attributes (one per real attribute); else NULL. `name` is
	 *  these joined by '&', each with '\\' and '&' escaped by a '\\'. */
	const char *const *levels;
} candor_fairness_group;

/** An attribute (the intersection is the last one when asked for). */
typedef struct candor_fairness_attr_result {
	const char *name;
	bool is_intersection;
	size_t first_group, ngroups; /**< its groups: view->groups[first_group ...] */
	size_t reference;            /**< index into view->groups */
	uint64_t nmissing;           /**< rows whose value is missing (left out of its groups) */
	/** summary[s] for s < nsummary, indexed by ::candor_fairness_summary
	 *  (nsummary = CANDOR_FS_COUNT of the library run) */
	const candor_fairness_value *summary;
	size_t nsummary;
} candor_fairness_attr_result;

/** A group against its attribute's reference for one metric. */
typedef struct candor_fairness_disparity {
	size_t attribute, group, reference; /**< indices */
	candor_fairness_metric metric;
	candor_fairness_value difference;   /**< group - reference */
	candor_fairness_value ratio;        /**< group / reference */
	double p_value;                     /**< NaN when undefined */
	const char *p_reason;               /**< why p_value is undefined, else NULL */
	const char *test;                   /**< "z", "fisher", or NULL */
	/** p_value adjusted within its family (view->p_adjust); NaN exactly
	 *  when p_value is */
	double p_adjusted;
} candor_fairness_disparity;

/** One evaluated policy check, for one attribute. */
typedef struct candor_fairness_check {
	const char *metric;
	size_t attribute;
	const char *kind;       /**< "min", "max", "max_difference" or "min_ratio" */
	double bound;
	candor_fairness_value value; /**< the value judged (worst group for group metrics) */
	const char *group;      /**< the worst group for a group metric, else NULL */
	bool pass;
} candor_fairness_check;

/** Everything in a result, as const arrays owned by the result. */
typedef struct candor_fairness_view {
	uint64_t n;
	bool has_scores;
	candor_fairness_ci ci;
	double confidence;
	size_t bootstrap;       /**< replicates, 0 unless bootstrap */
	uint64_t seed;
	size_t min_group_size;
	const candor_fairness_group *overall;
	const candor_fairness_attr_result *attributes;
	size_t nattributes;
	const candor_fairness_group *groups;
	size_t ngroups;
	const candor_fairness_disparity *disparities;
	size_t ndisparities;
	const candor_fairness_check *checks;
	size_t nchecks;
	bool pass;              /**< every check passed */
	candor_fairness_p_adjust p_adjust; /**< how p_adjusted was made */
} candor_fairness_view;

/** The result's contents; borrowed, valid while the result lives. */
CANDOR_API const candor_fairness_view *candor_fairness_result_view(const candor_fairness_result *result);

/**
 * The result as the JSON of DESIGN.md ("Fairness JSON"): `null` plus a
 * "reason" (or "<key>_reason") for undefined values, never NaN. `*out` is
 * NUL-terminated, allocated with malloc: release it with candor_free() (or free()).
 */
CANDOR_API candor_status candor_fairness_result_json(const candor_fairness_result *result,
                                                     char **out, size_t *len);

/** Write a readable table of the result to `f` (the caller's stream). */
CANDOR_API candor_status candor_fairness_result_write_text(const candor_fairness_result *result,
                                                           FILE *f);

#ifdef __cplusplus
}
#endif
#endif /* CANDOR_FAIRNESS_H */
