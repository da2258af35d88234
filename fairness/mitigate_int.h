/*
 * mitigate_int.h - the mitigation files' shared layout (not installed).
 *
 *   mitigate.c      ROC hulls, the exact optimum, rules, reweighing
 *   mitigate_run.c  tables: columns, groups, split, evaluation, JSON
 */
#ifndef CANDOR_MITIGATE_INT_H
#define CANDOR_MITIGATE_INT_H

#include "candor/mitigate.h"

/* A vertex of a group's upper ROC hull: the rule "score >= thr" (thr =
 * +inf: no row; -inf: every row) with its counts and rates. */
typedef struct candor__vertex {
	uint64_t tp, fp;
	double thr;
	double x, y, s;   /* fpr, tpr, selection rate */
} candor__vertex;

typedef struct candor__hull {
	uint64_t n, P, N;
	candor__vertex *v;      /* upper chain, (0,0) to (1,1) */
	size_t nv, cap;
	candor__vertex *lo;     /* lower chain, (0,0) to (1,1) */
	size_t nlo, locap;
} candor__hull;

/* Largest simplex tableau (doubles) the policy mode builds. */
#define CANDOR__LP_MAX_ENTRIES (1 << 23)

struct candor_mitigate_rule {
	candor_mitigate_rule_contents view;
	candor_mitigate_group_rule *groups;
	char **names;
};

void candor__mitigate_rule_free(candor_mitigate_rule *r);
/* Check `in` (any version this library reads) and write it to `out` as the
 * current version, with the threshold resolved (0.5 unless set). */
candor_status candor__mitigate_check_options(candor_mitigate_options *out,
                                             const candor_mitigate_options *in);
candor_status candor__mitigate_check_rows(const candor_mitigate_rows *rows, size_t ngroups);
/* The uniform number in [0, 1) of stream (seed, row, stream). */
double candor__mitigate_uniform(uint64_t seed, uint64_t row, uint64_t stream);

/* The policy's optimum: per group the point (fpr, tpr) and whether it is
 * below the diagonal. a, bcoef: the objective's coefficients. */
candor_status candor__mitigate_policy(double *fpr, double *tpr, bool *below,
                                      const candor__hull *h, size_t G, const double *a,
                                      const double *bcoef, const candor_fairness_policy *pol,
                                      const char *attribute);
/* The lowest point of h's lower chain at fpr x: vertex k with weight p0
 * (k + 1 with 1 - p0), at height *y. */
void candor__mitigate_lower_at(const candor__hull *h, double x, size_t *k, double *p0,
                               double *y);

#endif
