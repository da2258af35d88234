/**
 * @file candor/explain.h
 * @brief Model-agnostic explanations: exact Shapley values, KernelSHAP,
 *        permutation SHAP, linear SHAP, LIME; background data and its
 *        summaries; global importance and mean SHAP per group.
 *
 * The SHAP explainers are interventional: the value of a coalition S of
 * features for a row x is the background-weighted mean of the model's
 * output when the features in S take x's values and the others take a
 * background row's, passed through the link (identity, or logit for
 * probabilities): v(S) = g( sum_b w_b f(x_S, b_~S) ). Every explainer
 * returns a ::candor_explanation whose values satisfy efficiency:
 * sum_j phi_j = prediction - base_value, with prediction = g(f(x)) and
 * base_value = g(sum_b w_b f(b)).
 *
 * The way in is the explainer handle: candor_explainer_new() builds, once,
 * everything that does not depend on the rows to explain (a copy of the
 * background, its predictions and base values, LIME's training statistics,
 * TreeSHAP's per-leaf tables and interventional weights), and every
 * candor_explainer_run() reuses it, so a service that explains a window of
 * rows every hour pays for the plan once.
 *
 * @code
 * candor_background *bg = NULL;
 * candor_explainer *ex = NULL;
 * candor_explanation *e = NULL;
 * candor_explainer_options o = CANDOR_EXPLAINER_OPTIONS_INIT; // method auto
 * candor_background_kmeans(&bg, train, ntrain, M, NULL, 50, 0);
 * candor_explainer_new(&ex, model, bg, &o);
 * candor_background_free(bg);           // the explainer holds its own copy
 * candor_explainer_run_ids(&e, ex, window, n, ids);
 * const double *phi = candor_explanation_values(e); // n x K x M
 * candor_explanation_free(e);
 * candor_explainer_free(ex);            // before the model
 * @endcode
 *
 * Determinism: row r (its id, see candor_explainer_run_ids()) draws every
 * random number from its own GSL stream seeded with a hash of (seed, id),
 * and every sum runs in a fixed order, so results depend neither on the
 * thread count nor on how rows are split between runs: windows give, bit for
 * bit, the values of one run over their concatenation with the same ids.
 *
 * Ownership: the caller owns what it creates and frees it: a background
 * (candor_background_free(), any time after candor_explainer_new(), which
 * copies it), an explainer (candor_explainer_free(), before the model it
 * explains: the explainer borrows the model), an explanation
 * (candor_explanation_free(); it owns all its arrays and names and outlives
 * the explainer and the model). Pointers the accessors return are borrowed
 * from their object.
 *
 * Threads: a const ::candor_background, a const ::candor_explanation and an
 * explainer after candor_explainer_new() are read-only and may be used from
 * several threads at once; several threads may call candor_explainer_run()
 * on one explainer at the same time (each run allocates its own
 * workspaces). candor_explainer_free() needs every run to have returned.
 * Model calls: a reentrant model (candor_model_is_reentrant()) is called
 * from several threads at once, one that is not is serialised by a lock of
 * its own, so two explainers on two models never wait for each other.
 * `threads` = 0 means all cores (OpenMP's default team size) for each call;
 * a host that runs explanations from a worker pool of its own should set
 * threads = 1 and call from its workers, so that the pool alone decides
 * the parallelism (or set a fixed share, e.g. cores / workers).
 */
#ifndef CANDOR_EXPLAIN_H
#define CANDOR_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "candor/common.h"
#include "candor/models.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ===== background data ================================================= */

/** Background rows with weights that sum to 1 (opaque). */
typedef struct candor_background candor_background;

/**
 * A background of `n` rows `x` (n x M, copied). `w` (n weights >= 0, not all
 * zero) may be NULL for equal weights; weights are normalised to sum to 1.
 */
CANDOR_API candor_status candor_background_new(candor_background **out, const double *x,
                                               size_t n, size_t m, const double *w);

/**
 * A uniform random sample of `k` of the `n` rows `x` (without replacement,
 * in their original order), deterministic for `seed`. k >= n keeps all rows.
 */
CANDOR_API candor_status candor_background_sample(candor_background **out, const double *x,
                                                  size_t n, size_t m, size_t k, uint64_t seed);

/**
 * A weighted k-means summary of `n` rows `x` (weights `w`, NULL for equal):
 * k-means++ seeding from the stream of `seed`, then Lloyd iterations to a
 * fixed point (at most 100), with distances in units of each feature's
 * standard deviation; each centroid coordinate is then snapped to the
 * nearest value observed in its cluster (so categorical codes stay codes),
 * and each centroid weighs the total weight of its cluster. Empty clusters
 * are dropped. Deterministic for (x, w, k, seed). Rows with a missing value
 * are not allowed (CANDOR_EDOMAIN).
 */
CANDOR_API candor_status candor_background_kmeans(candor_background **out, const double *x,
                                                  size_t n, size_t m, const double *w, size_t k,
                                                  uint64_t seed);

/** Free a background; NULL is accepted. */
CANDOR_API void candor_background_free(candor_background *bg);
/** Number of rows. */
CANDOR_API size_t candor_background_nrows(const candor_background *bg);
/** Number of columns M. */
CANDOR_API size_t candor_background_ncols(const candor_background *bg);
/** The rows, n x M row-major (borrowed, valid while bg lives). */
CANDOR_API const double *candor_background_rows(const candor_background *bg);
/** The weights, n values summing to 1 (borrowed). */
CANDOR_API const double *candor_background_weights(const candor_background *bg);

/* ===== explaining ======================================================== */

/** Explanation methods. */
typedef enum candor_explain_method {
	/** candor_explainer_new() only: TreeSHAP for a tree ensemble
	 *  (candor_treeshap_supports()), linear SHAP for a linear or logistic
	 *  model, KernelSHAP otherwise */
	CANDOR_METHOD_AUTO = 0,
	CANDOR_METHOD_EXACT = 1,       /**< all 2^M coalitions; refused above max_exact_features */
	CANDOR_METHOD_KERNEL = 2,      /**< KernelSHAP (Lundberg & Lee 2017) */
	CANDOR_METHOD_PERMUTATION = 3, /**< permutation sampling with antithetic pairs */
	CANDOR_METHOD_LINEAR = 4,      /**< closed form for linear/logistic models (margin) */
	CANDOR_METHOD_LIME = 5,        /**< LIME tabular (Ribeiro et al. 2016) */
	CANDOR_METHOD_TREE = 6         /**< TreeSHAP (candor/treeshap.h), through the explainer */
} candor_explain_method;

/** The scale on which values are additive. */
typedef enum candor_link {
	CANDOR_LINK_IDENTITY = 1, /**< the model's output as it is */
	CANDOR_LINK_LOGIT = 2     /**< log(p / (1 - p)) of a probability output */
} candor_link;

/** LIME's sampling of the neighbourhood. */
typedef enum candor_lime_sampling {
	CANDOR_LIME_QUARTILE = 1,  /**< quartile bins, binary "same bin as x" features (lime's default) */
	CANDOR_LIME_CONTINUOUS = 2 /**< Gaussian around the training mean, standardised features */
} candor_lime_sampling;

/** LIME's feature selection (as the lime library's feature_selection). */
typedef enum candor_lime_selection {
	CANDOR_LIME_SELECT_AUTO = 1,    /**< forward if num_features <= 6, else highest weights */
	CANDOR_LIME_SELECT_NONE = 2,    /**< all features */
	CANDOR_LIME_SELECT_HIGHEST = 3, /**< largest |coef * x| of a weighted ridge (alpha 0.01) */
	CANDOR_LIME_SELECT_FORWARD = 4, /**< greedy forward selection by weighted R^2 */
	CANDOR_LIME_SELECT_LASSO = 5    /**< the least-penalised model of a lasso path with <= num_features */
} candor_lime_selection;

/** TreeSHAP's two value functions. */
typedef enum candor_tree_mode {
	/** E[f | x_S] along the trees' own cover (Lundberg et al. 2020, Algorithm 2) */
	CANDOR_TREE_PATH_DEPENDENT = 1,
	/** E_b[f(x_S, b_~S)] over the background rows (interventional TreeSHAP) */
	CANDOR_TREE_INTERVENTIONAL = 2
} candor_tree_mode;

/** Options of candor_explain() (the one-call form; see the explainer). Zero means the default. */
typedef struct candor_explain_options {
	unsigned int version;          /**< CANDOR_EXPLAIN_OPTIONS_VERSION */
	candor_explain_method method;  /**< required: 0 is refused here (the explainer resolves 0 as auto); not TREE */
	candor_link link;              /**< 0: identity */
	/**
	 * Budget. kernel: coalitions per row (default 2M + 2048, at least 2M
	 * unless >= 2^M - 2, which enumerates all and is exact); permutation:
	 * coalition evaluations per row (default 2M + 2048; at least 2(M - 1) for
	 * one antithetic pair); lime: samples per row (default 5000).
	 */
	size_t nsamples;
	uint64_t seed;                 /**< row r uses the stream of (seed, r); default 0 */
	int threads;                   /**< OpenMP threads; 0: all. Results do not depend on it. */
	/** kernel: stop sampling a row once every standard error is <= this; 0: use the whole budget. */
	double target_stderr;
	size_t max_exact_features;     /**< exact: refuse above this M; 0: 16 */
	/** Most model rows per predict call (explainers); 0: 8192. The built-in
	 *  linear, logistic and XGBoost models are called with smaller, cache-sized
	 *  batches of coalition rows (about 24 kB); results never depend on it. */
	size_t max_batch_rows;
	/** Row ids (n values) labelling rows and seeding their streams; NULL: 0..n-1. Copied. */
	const uint64_t *row_ids;
	/* LIME */
	candor_lime_sampling lime_sampling; /**< 0: quartile */
	double lime_kernel_width;      /**< 0: 0.75 * sqrt(M) */
	candor_lime_selection lime_selection; /**< 0: auto */
	size_t lime_num_features;      /**< features kept by the selection; 0: 10 (capped at M) */
	double lime_ridge_alpha;       /**< ridge penalty of the final fit; 0: 1 (lime's Ridge()) */
	/** M flags marking categorical features (codes) for LIME; NULL: none. */
	const bool *categorical;
	/** Progress (rows done, rows total); may be NULL; called by one thread at a time. */
	void (*on_progress)(uint64_t done, uint64_t total, void *payload);
	void *payload;
} candor_explain_options;

#define CANDOR_EXPLAIN_OPTIONS_VERSION 1
#define CANDOR_EXPLAIN_OPTIONS_INIT { .version = CANDOR_EXPLAIN_OPTIONS_VERSION }

/** Fill `opts` with the defaults of `version` (all zero but the version),
 *  for bindings that cannot use the macro; CANDOR_EINVAL for an unknown one. */
CANDOR_API candor_status candor_explain_options_init(candor_explain_options *opts,
                                                     unsigned int version);

/** The result of an explainer (opaque, read-only once built). */
typedef struct candor_explanation candor_explanation;

/* ===== the explainer handle ============================================= */

/** An explainer: a model, a background and a method, planned once (opaque). */
typedef struct candor_explainer candor_explainer;

/**
 * Options of candor_explainer_new(). Zero means the default for every field
 * but `version`; CANDOR_EXPLAINER_OPTIONS_INIT or
 * candor_explainer_options_init() set it.
 */
typedef struct candor_explainer_options {
	unsigned int version;          /**< CANDOR_EXPLAINER_OPTIONS_VERSION */
	candor_explain_method method;  /**< 0: CANDOR_METHOD_AUTO */
	/**
	 * tree: 0 means interventional when a background is given, else
	 * path-dependent. Path-dependent values use no background (it may be
	 * NULL; a given one is not used). Interventional needs a background of
	 * equally weighted rows (CANDOR_EINVAL without one, CANDOR_EUNSUPPORTED
	 * for a weighted summary such as k-means). Other methods: must be 0.
	 */
	candor_tree_mode tree_mode;
	/** tree, path-dependent: nonzero also computes SHAP interaction values
	 *  (candor_explanation_interactions()). Other methods: must be 0. */
	int interactions;
	/**
	 * 0: logit for linear SHAP of a logistic model (its log-odds), identity
	 * otherwise. tree: values are margins (log-odds for a model of
	 * probabilities), so identity is refused for a probability model and
	 * logit for any other; the explanation reports the identity link.
	 */
	candor_link link;
	size_t nsamples;               /**< as candor_explain_options::nsamples */
	uint64_t seed;                 /**< row id r uses the stream of (seed, r); default 0 */
	/** OpenMP threads of each run; 0: all cores. Results do not depend on
	 *  it. A host with its own worker pool sets 1 (see the file's notes). */
	int threads;
	double target_stderr;          /**< kernel: as candor_explain_options::target_stderr */
	size_t max_exact_features;     /**< exact: refuse above this M; 0: 16 */
	size_t max_batch_rows;         /**< as candor_explain_options::max_batch_rows; 0: 8192 */
	candor_lime_sampling lime_sampling;   /**< 0: quartile */
	double lime_kernel_width;             /**< 0: 0.75 * sqrt(M) */
	candor_lime_selection lime_selection; /**< 0: auto */
	size_t lime_num_features;             /**< 0: 10 (capped at M) */
	double lime_ridge_alpha;              /**< 0: 1 */
	/** M flags marking categorical features (codes) for LIME; NULL: none. Copied. */
	const bool *categorical;
	/** Progress of each run (rows done, rows total); may be NULL; called by
	 *  one thread of a run at a time (several runs at once: several callers). */
	void (*on_progress)(uint64_t done, uint64_t total, void *payload);
	void *payload;
} candor_explainer_options;

#define CANDOR_EXPLAINER_OPTIONS_VERSION 1
#define CANDOR_EXPLAINER_OPTIONS_INIT { .version = CANDOR_EXPLAINER_OPTIONS_VERSION }

/** Fill `opts` with the defaults (zeroes) of `version`; CANDOR_EINVAL for an unknown version. */
CANDOR_API candor_status candor_explainer_options_init(candor_explainer_options *opts,
                                                       unsigned int version);

/**
 * Build an explainer of `model` (borrowed: it must outlive the explainer)
 * against the background `bg` (M columns; copied, so it may be freed at
 * once; for LIME it is the training data whose statistics drive the
 * sampling; NULL only for path-dependent TreeSHAP). `opts` may be NULL for
 * the defaults. Errors: CANDOR_EINVAL for bad options or a budget too
 * small for the method (the message says the minimum),
 * CANDOR_EUNSUPPORTED for a method the model does not allow (tree on a
 * model that is not a tree ensemble, linear on one that is not linear or
 * logistic, exact above the size limit), and the model's own errors (the
 * background is predicted here).
 */
CANDOR_API candor_status candor_explainer_new(candor_explainer **out, candor_model *model,
                                              const candor_background *bg,
                                              const candor_explainer_options *opts);

/**
 * Explain `n` rows `x` (n x M in the model's feature order), labelled
 * `row_ids` (n values, copied; they also seed each row's random stream:
 * give a row the same id in every window to get the same values; NULL:
 * 0..n-1). *out receives a new explanation, which the caller frees.
 * Several threads may run one explainer at once.
 */
CANDOR_API candor_status candor_explainer_run_ids(candor_explanation **out,
                                                  const candor_explainer *ex, const double *x,
                                                  size_t n, const uint64_t *row_ids);

/** candor_explainer_run_ids() with row ids 0..n-1. */
CANDOR_API candor_status candor_explainer_run(candor_explanation **out,
                                              const candor_explainer *ex, const double *x,
                                              size_t n);

/**
 * The method CANDOR_METHOD_AUTO resolves to for `model`: CANDOR_METHOD_TREE
 * for a tree ensemble TreeSHAP reads (candor_treeshap_supports()),
 * CANDOR_METHOD_LINEAR for a linear or logistic model, CANDOR_METHOD_KERNEL
 * otherwise. The one place that rule lives; a caller that must know the method
 * before building an explainer (to check its own options) asks here.
 */
CANDOR_API candor_explain_method candor_explainer_auto_method(const candor_model *model);

/** The method the explainer runs (auto resolved). */
CANDOR_API candor_explain_method candor_explainer_method(const candor_explainer *ex);

/** Free an explainer; NULL is accepted. No run may be in progress. */
CANDOR_API void candor_explainer_free(candor_explainer *ex);

/* ===== one call ========================================================== */

/**
 * Explain `n` rows `x` (n x M in the model's feature order) against the
 * background `bg` (M columns; for LIME it is the training data whose
 * statistics drive the sampling): an explainer built, run once and freed,
 * with the same results (every method but tree and auto). Errors: CANDOR_EINVAL for bad options or a
 * budget too small for the method (the message says the minimum),
 * CANDOR_EUNSUPPORTED for exact above the size limit or linear on a model
 * that is not linear/logistic, and the model's own errors.
 */
CANDOR_API candor_status candor_explain(candor_explanation **out, candor_model *model,
                                        const double *x, size_t n,
                                        const candor_background *bg,
                                        const candor_explain_options *opts);

/**
 * Wrap TreeSHAP output (`phi`: n x K x (M + 1), the base value last, as
 * candor_treeshap() writes it) of `model` as an explanation (copied), with
 * prediction = the sum of each block. `row_ids` may be NULL. Kept for
 * compatibility: the explainer with CANDOR_METHOD_TREE gives this directly.
 */
CANDOR_API candor_status candor_explanation_from_contribs(candor_explanation **out,
                                                          const candor_model *model,
                                                          const double *phi, size_t n,
                                                          const uint64_t *row_ids);

/** Free an explanation; NULL is accepted. */
CANDOR_API void candor_explanation_free(candor_explanation *e);

/** Number of explained rows n. */
CANDOR_API size_t candor_explanation_nrows(const candor_explanation *e);
/** Number of features M. */
CANDOR_API size_t candor_explanation_nfeatures(const candor_explanation *e);
/** Number of outputs K. */
CANDOR_API size_t candor_explanation_noutputs(const candor_explanation *e);
/** Name of feature j (borrowed, valid while e lives), NULL out of range. */
CANDOR_API const char *candor_explanation_feature(const candor_explanation *e, size_t j);
/** The method that produced it. */
CANDOR_API candor_explain_method candor_explanation_method(const candor_explanation *e);
/** The link: values are additive on this scale. */
CANDOR_API candor_link candor_explanation_link(const candor_explanation *e);
/** The id of row i (its row number in the data, by default i). */
CANDOR_API uint64_t candor_explanation_row_id(const candor_explanation *e, size_t i);

/**
 * The values, n x K x M row-major (borrowed): SHAP values, or for LIME the
 * local model's weights (0 for features it did not select).
 */
CANDOR_API const double *candor_explanation_values(const candor_explanation *e);
/** n x K base values (SHAP: g(E f); LIME: the local model's intercept). */
CANDOR_API const double *candor_explanation_base(const candor_explanation *e);
/** n x K predictions g(f(x)). */
CANDOR_API const double *candor_explanation_prediction(const candor_explanation *e);
/**
 * n x K x M standard errors of the values (kernel: Covert & Lee 2021;
 * permutation: across antithetic pairs; exact and linear: zeros), or NULL
 * when the method has none (LIME, tree).
 */
CANDOR_API const double *candor_explanation_stderr(const candor_explanation *e);
/** LIME: n x K predictions of the local model at x; NULL for other methods. */
CANDOR_API const double *candor_explanation_local_prediction(const candor_explanation *e);
/** LIME: n x K weighted R^2 of the local model; NULL for other methods. */
CANDOR_API const double *candor_explanation_score(const candor_explanation *e);
/**
 * Tree with interactions: n x K x (M + 1) x (M + 1) SHAP interaction
 * values (the layout of candor_treeshap_interactions()); NULL otherwise.
 */
CANDOR_API const double *candor_explanation_interactions(const candor_explanation *e);
/** Tree: the value function of its values; 0 for other methods. */
CANDOR_API candor_tree_mode candor_explanation_tree_mode(const candor_explanation *e);

/**
 * Global importance of output k: out[j] = mean over rows of |value_j|
 * (M values, caller-allocated).
 */
CANDOR_API candor_status candor_explanation_importance(const candor_explanation *e, size_t k,
                                                       double *out);

/**
 * Mean values per group of a sensitive attribute, for output k. `group`
 * holds n codes in [0, ngroups) or -1 (row skipped), aligned with the
 * explained rows. `means` (ngroups x M) receives the mean value of each
 * feature in each group (NaN for an empty group) and `counts` (ngroups, may
 * be NULL) the group sizes. The difference of two groups' rows shows which
 * features drive a gap between them.
 */
CANDOR_API candor_status candor_explanation_group_means(const candor_explanation *e, size_t k,
                                                        const int32_t *group, size_t ngroups,
                                                        double *means, size_t *counts);

/**
 * Write the DESIGN.md CSV to `f`: SHAP methods: `row`, one column per
 * feature, `base_value`, `prediction`; LIME: `row`, one weight per feature,
 * `intercept`, `local_prediction`, `prediction`, `score`. With K > 1 an
 * `output` column follows `row` and each row has K lines. Numbers round-trip
 * exactly; NaN is an empty field. CANDOR_EIO on a write error.
 */
CANDOR_API candor_status candor_explanation_write_csv(const candor_explanation *e, FILE *f);

/**
 * Write the interaction values of a tree explanation as the CSV of
 * candor_treeshap_interactions_write_csv(), rows numbered by their ids.
 * CANDOR_EINVAL when it holds none; CANDOR_EIO on a write error.
 */
CANDOR_API candor_status candor_explanation_write_interactions_csv(const candor_explanation *e,
                                                                   FILE *f);

/**
 * Write the explanation as JSON: method (with "tree_mode":"interventional"
 * after it for interventional TreeSHAP), link, features, per-row values,
 * base values, predictions (and standard errors or LIME fields), and the
 * global importance per output. Non-finite numbers are written as null.
 */
CANDOR_API candor_status candor_explanation_write_json(const candor_explanation *e, FILE *f);

#ifdef __cplusplus
}
#endif
#endif /* CANDOR_EXPLAIN_H */
