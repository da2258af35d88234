/*
 * fairness_int.h - the fairness module's private layout, shared by its
 * files (not installed).
 *
 *   acc.c      the accumulator: cells, counting, merging, table ingestion
 *   serial.c   the byte-string format of an accumulator
 *   metrics.c  group metrics from confusion counts and from scores
 *   stats.c    Wilson and Newcombe intervals, z and Fisher tests
 *   result.c   groups, references, disparities, summaries, bootstrap
 *   policy.c   policy files and checks
 *   json.c     the JSON of DESIGN.md
 *   text.c     the readable table
 */
#ifndef CANDOR_FAIRNESS_INT_H
#define CANDOR_FAIRNESS_INT_H

#include <math.h>

#include "candor/fairness.h"
#include "core/core_int.h"

/* ===== accumulator ====================================================== */

/* A growable array of doubles (one per cell and label). */
typedef struct candor__dvec {
	double *v;
	size_t n, cap;
} candor__dvec;

candor_status candor__dvec_reserve(candor__dvec *d, size_t extra);

/* Cells: attribute a has slots 0 (missing) and 1..nlevels[a] (code + 1).
 * cell = sum_a slot_a * stride[a]; the last attribute has stride 1, so the
 * first attribute is the most significant digit. counts[cell * 4 + 2 *
 * label + pred] counts rows, so index 0 = tn, 1 = fp, 2 = fn, 3 = tp. */
enum { CANDOR__TN = 0, CANDOR__FP = 1, CANDOR__FN = 2, CANDOR__TP = 3 };

struct candor_fairness_acc {
	size_t nattrs;
	char **names;        /* nattrs */
	size_t *nlevels;     /* nattrs */
	char ***levels;      /* levels[a][l] */
	size_t *stride;      /* nattrs */
	size_t ncells;
	bool with_scores;
	uint64_t nrows;
	uint64_t *counts;    /* ncells * 4 */
	candor__dvec *pos;   /* with scores: ncells arrays of positives' scores */
	candor__dvec *neg;   /* ... and of negatives' scores */
};

/* Allocate an empty accumulator shaped like `like` (same attributes). */
candor_status candor__fair_acc_clone_empty(candor_fairness_acc **out,
                                           const candor_fairness_acc *like);
/* Same attribute names, levels and score flag. */
bool candor__fair_acc_compatible(const candor_fairness_acc *a, const candor_fairness_acc *b);

/* ===== metrics ========================================================== */

/* The 13 count metrics of (tp, fp, tn, fn) into out[0..13): NaN when 0/0. */
void candor__fair_count_metrics(double *out, uint64_t tp, uint64_t fp, uint64_t tn,
                                uint64_t fn);
/* Numerator and denominator of count metric m (m < 12: proportions; f1 is
 * 2tp / (2tp + fp + fn)). */
void candor__fair_metric_nd(int m, uint64_t tp, uint64_t fp, uint64_t tn, uint64_t fn,
                            uint64_t *num, uint64_t *den);
/* Why count metric m is undefined for these counts (static string). */
const char *candor__fair_metric_reason(int m);

/* Score metrics (auc, brier, ece, mean_score) into out[0..4) from the
 * positives' and negatives' scores; both arrays are sorted in place. NaN
 * when undefined, with reasons[i] set (static strings). */
void candor__fair_score_metrics(double *out, const char **reasons, double *pos, size_t npos,
                                double *neg, size_t nneg);

/* ===== statistics ======================================================= */

/* Wilson score interval of x successes out of n (n > 0) at normal quantile z. */
void candor__wilson(double *lo, double *hi, uint64_t x, uint64_t n, double z);
/* Newcombe's hybrid score interval for p1 - p2 (both n > 0). */
void candor__newcombe(double *lo, double *hi, uint64_t x1, uint64_t n1, uint64_t x2,
                      uint64_t n2, double z);
/* Two-sided p-value for p1 = p2: Fisher's exact test when an expected cell
 * count is below 5, else the pooled two-proportion z test. *test gets
 * "fisher" or "z". NaN (with *reason) when undefined. */
double candor__prop_test(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2,
                         const char **test, const char **reason);
/* Two-sided Fisher exact p-value of [[a, b], [c, d]]. */
double candor__fisher_exact(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

/* Adjust p[0..m) in place for multiple comparisons (method: a
 * candor_fairness_p_adjust); idx is a workspace of m. */
void candor__p_adjust(double *p, size_t m, int method, size_t *idx);

/* ===== result =========================================================== */

struct candor_fairness_result {
	candor_fairness_view view;
	candor_fairness_group overall;
	candor_fairness_attr_result *attrs;
	candor_fairness_group *groups;
	candor_fairness_disparity *disp;
	candor_fairness_check *checks;
	/* what the views' metrics and summary point into: CANDOR_FM_COUNT per
	 * group (the overall group last), CANDOR_FS_COUNT per attribute */
	candor_fairness_value *metric_store, *summary_store;
	const char **levels; /* the intersection groups' levels (k each), strings kept */
	char **strings;      /* owned names, freed with the result */
	size_t nstrings, capstrings;
};

/* Keep `s` (takes ownership) in r->strings; returns it, NULL on OOM (s freed). */
char *candor__fair_keep(candor_fairness_result *r, char *s);

/* ===== policy =========================================================== */

typedef enum candor__check_kind {
	CANDOR__CHECK_MIN = 0,
	CANDOR__CHECK_MAX,
	CANDOR__CHECK_MAX_DIFFERENCE,
	CANDOR__CHECK_MIN_RATIO,
	CANDOR__CHECK_NKINDS
} candor__check_kind;

typedef struct candor__check_spec {
	int metric;           /* index into group or summary metrics */
	bool is_summary;
	char *attribute;      /* NULL: every attribute */
	bool has[CANDOR__CHECK_NKINDS];
	double bound[CANDOR__CHECK_NKINDS];
	int ci_mode;          /* -1: the policy's, 0: estimate, 1: interval */
} candor__check_spec;

struct candor_fairness_policy {
	char *name;
	size_t min_group_size; /* 0: not given */
	bool ci_outside;
	candor__check_spec *checks;
	size_t nchecks;
};

/* Evaluate the policy's checks into r->checks; sets r->view.pass. */
candor_status candor__fair_eval_policy(candor_fairness_result *r,
                                       const candor_fairness_policy *p);

extern const char *const candor__check_kind_names[CANDOR__CHECK_NKINDS];

#endif
