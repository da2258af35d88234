/*
 * metrics.c - group metrics from confusion counts and from scores.
 *
 * Count metrics are the usual confusion-matrix rates (definitions in
 * candor/fairness.h, the same as fairlearn's metrics and AIF360's
 * ClassificationMetric). A rate whose denominator is 0 is NaN here and gets
 * a reason string; nothing divides by zero.
 *
 * Score metrics:
 * - auc: Mann-Whitney U / (P N) (Hanley & McNeil 1982): for sorted positive
 *   and negative scores, U = sum over positives of (#negatives below +
 *   #negatives equal / 2). Exact, ties counted half, as
 *   sklearn.metrics.roc_auc_score.
 * - brier: mean (s - y)^2 (Brier 1950).
 * - ece: expected calibration error with 10 equal-width bins (Naeini et al.
 *   2015; Guo et al. 2017): bin b = min(floor(10 s), 9) for s in [0, 1];
 *   ece = sum_b (n_b / n) |mean(y in b) - mean(s in b)|.
 * - mean_score: mean s.
 * Sums run over the sorted scores, positives then negatives, so they do not
 * depend on the order rows arrived in (merging, threads).
 */
#include <stdlib.h>
#include <string.h>

#include "fairness_int.h"

static const char *const metric_names[CANDOR_FM_COUNT] = {
	"selection_rate", "base_rate", "tpr", "fpr", "tnr", "fnr", "ppv", "npv", "fdr", "for",
	"accuracy", "error_rate", "f1", "auc", "brier", "ece", "mean_score",
};

static const char *const summary_names[CANDOR_FS_COUNT] = {
	"demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
	"equalized_odds_ratio", "equal_opportunity_difference", "average_odds_difference",
	"disparate_impact", "theil_index", "generalized_entropy_index",
};

const char *candor_fairness_metric_name(candor_fairness_metric m)
{
	return (unsigned)m < CANDOR_FM_COUNT ? metric_names[m] : NULL;
}

const char *candor_fairness_summary_name(candor_fairness_summary_metric m)
{
	return (unsigned)m < CANDOR_FS_COUNT ? summary_names[m] : NULL;
}

int candor_fairness_metric_lookup(const char *name, bool *is_summary)
{
	if (!name)
		return -1;
	for (int m = 0; m < CANDOR_FM_COUNT; m++)
		if (strcmp(name, metric_names[m]) == 0) {
			if (is_summary)
				*is_summary = false;
			return m;
		}
	for (int m = 0; m < CANDOR_FS_COUNT; m++)
		if (strcmp(name, summary_names[m]) == 0) {
			if (is_summary)
				*is_summary = true;
			return m;
		}
	return -1;
}

void candor__fair_metric_nd(int m, uint64_t tp, uint64_t fp, uint64_t tn, uint64_t fn,
                            uint64_t *num, uint64_t *den)
{
	const uint64_t n = tp + fp + tn + fn;

	switch (m) {
	case CANDOR_FM_SELECTION_RATE: *num = tp + fp; *den = n; break;
	case CANDOR_FM_BASE_RATE: *num = tp + fn; *den = n; break;
	case CANDOR_FM_TPR: *num = tp; *den = tp + fn; break;
	case CANDOR_FM_FPR: *num = fp; *den = fp + tn; break;
	case CANDOR_FM_TNR: *num = tn; *den = fp + tn; break;
	case CANDOR_FM_FNR: *num = fn; *den = tp + fn; break;
	case CANDOR_FM_PPV: *num = tp; *den = tp + fp; break;
	case CANDOR_FM_NPV: *num = tn; *den = tn + fn; break;
	case CANDOR_FM_FDR: *num = fp; *den = tp + fp; break;
	case CANDOR_FM_FOR: *num = fn; *den = tn + fn; break;
	case CANDOR_FM_ACCURACY: *num = tp + tn; *den = n; break;
	case CANDOR_FM_ERROR_RATE: *num = fp + fn; *den = n; break;
	case CANDOR_FM_F1: *num = 2 * tp; *den = 2 * tp + fp + fn; break;
	default: *num = 0; *den = 0; break;
	}
}

const char *candor__fair_metric_reason(int m)
{
	switch (m) {
	case CANDOR_FM_SELECTION_RATE:
	case CANDOR_FM_BASE_RATE:
	case CANDOR_FM_ACCURACY:
	case CANDOR_FM_ERROR_RATE: return "the group has no rows";
	case CANDOR_FM_TPR:
	case CANDOR_FM_FNR: return "no actual positives (tp + fn = 0)";
	case CANDOR_FM_FPR:
	case CANDOR_FM_TNR: return "no actual negatives (fp + tn = 0)";
	case CANDOR_FM_PPV:
	case CANDOR_FM_FDR: return "no predicted positives (tp + fp = 0)";
	case CANDOR_FM_NPV:
	case CANDOR_FM_FOR: return "no predicted negatives (tn + fn = 0)";
	case CANDOR_FM_F1: return "no positives, actual or predicted (2tp + fp + fn = 0)";
	default: return "undefined";
	}
}

void candor__fair_count_metrics(double *out, uint64_t tp, uint64_t fp, uint64_t tn, uint64_t fn)
{
	for (int m = 0; m < CANDOR_FM_NCOUNT_METRICS; m++) {
		uint64_t num, den;

		candor__fair_metric_nd(m, tp, fp, tn, fn, &num, &den);
		out[m] = den ? (double)num / (double)den : NAN;
	}
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void candor__fair_score_metrics(double *out, const char **reasons, double *pos, size_t npos,
                                double *neg, size_t nneg)
{
	const size_t n = npos + nneg;
	double u = 0, sq = 0, sum = 0;
	double bn[10] = {0}, bs[10] = {0}, by[10] = {0};
	bool unit = true;
	size_t j = 0;

	for (int k = 0; k < 4; k++) {
		out[k] = NAN;
		reasons[k] = NULL;
	}
	if (n == 0) {
		for (int k = 0; k < 4; k++)
			reasons[k] = "the group has no rows";
		return;
	}
	qsort(pos, npos, sizeof(*pos), cmp_double);
	qsort(neg, nneg, sizeof(*neg), cmp_double);
	/* AUC: positives ascending; j = negatives strictly below, t = at most
	 * equal: both only move forward, so ties cost nothing extra. */
	for (size_t i = 0, t = 0; i < npos; i++) {
		while (j < nneg && neg[j] < pos[i])
			j++;
		if (t < j)
			t = j;
		while (t < nneg && neg[t] <= pos[i])
			t++;
		u += (double)j + 0.5 * (double)(t - j);
	}
	for (size_t i = 0; i < npos; i++) {
		const double s = pos[i];

		sum += s;
		sq += (1 - s) * (1 - s);
		if (s < 0 || s > 1) {
			unit = false;
		} else {
			int b = s >= 1 ? 9 : (int)(s * 10);

			bn[b] += 1;
			bs[b] += s;
			by[b] += 1;
		}
	}
	for (size_t i = 0; i < nneg; i++) {
		const double s = neg[i];

		sum += s;
		sq += s * s;
		if (s < 0 || s > 1) {
			unit = false;
		} else {
			int b = s >= 1 ? 9 : (int)(s * 10);

			bn[b] += 1;
			bs[b] += s;
		}
	}
	if (npos && nneg)
		out[0] = u / ((double)npos * (double)nneg);
	else
		reasons[0] = npos ? "no actual negatives" : "no actual positives";
	if (unit) {
		double ece = 0;

		out[1] = sq / (double)n;
		for (int b = 0; b < 10; b++)
			if (bn[b] > 0)
				ece += bn[b] / (double)n * fabs(by[b] / bn[b] - bs[b] / bn[b]);
		out[2] = ece;
	} else {
		reasons[1] = reasons[2] = "scores outside [0, 1] are not probabilities";
	}
	out[3] = sum / (double)n;
}
