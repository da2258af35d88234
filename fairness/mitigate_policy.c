/*
 * mitigate_policy.c - group thresholds under a policy file's checks: the
 * optimum of the objective over every group's randomised rules, subject to
 * the checks that are linear in the groups' rates, by a linear program.
 *
 * The program. Group g's randomised rules reach exactly the convex hull of
 * its ROC points, whose vertices are those of its upper and lower hull
 * chains. Variables: a weight lambda_gk >= 0 per vertex k of group g, with
 * sum_k lambda_gk = 1; then tp_g = sum_k lambda_gk tp_k and fp_g likewise,
 * and every rate that is linear in (tp_g, fp_g) is linear in lambda. The
 * objective is that of mitigate.c. Each check becomes linear rows:
 * - group metrics selection_rate, base_rate, tpr, fpr, tnr, fnr, accuracy,
 *   error_rate: "min"/"max" for every group of at least min_group_size rows
 *   (as the fairness module judges them), "max_difference" as two rows
 *   against the reference group (the largest, as candor fairness picks
 *   it), "min_ratio" as m_g - c m_ref >= 0;
 * - demographic_parity_difference / equalized_odds_difference "max": every
 *   pair of groups within the bound (for equalized odds on tpr and fpr);
 *   the *_ratio "min": m_g - c m_h >= 0 for every ordered pair;
 * - equal_opportunity_difference, average_odds_difference "min"/"max" and
 *   disparate_impact "min"/"max" (SR_u - c SR_r) with AIF360's union u of
 *   the non-reference groups.
 * Anything else (ppv and the other ratios of counts, theil_index, a "min"
 * on a difference of extremes, a "max" on a ratio of extremes) is not
 * linear, or not convex, in the rates, so no exact optimum can be promised:
 * CANDOR_EUNSUPPORTED names the check. Intervals play no part in fitting
 * (fail_only_if_ci_outside is ignored there): the rule meets every bound
 * with its expected values on the fitting data.
 *
 * The solver: a dense two-phase simplex (Dantzig's rule, falling back to
 * Bland's after a run of degenerate pivots, so it cannot cycle). Its
 * solution is a vertex of the feasible polytope, exact up to rounding. The
 * tableau is bounded (CANDOR__LP_MAX_ENTRIES); larger problems are
 * CANDOR_EUNSUPPORTED, as docs/mitigation.md says.
 *
 * The rule of a group at the optimum point (x, y): above the diagonal, its
 * upper hull's point at fpr x mixed with the coin of probability x
 * (fairlearn's p_ignore); below it, the lower hull's point at x mixed with
 * the same coin. So every rule keeps the two-threshold form.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fairness_int.h"
#include "mitigate_int.h"

/* ===== a dense two-phase simplex ======================================== */

typedef struct lp_row {
	double *a;   /* n coefficients */
	int sense;   /* -1: <=, 0: =, 1: >= */
	double b;
} lp_row;

#define LP_EPS 1e-11

/* maximise c x subject to the rows and x >= 0; x gets the n values. */
static candor_status lp_solve(double *x, const double *c, size_t n, const lp_row *rows,
                              size_t m)
{
	size_t ns = 0, na = 0, cols, w;
	double *T = NULL;
	size_t *basis = NULL;
	bool *art = NULL;
	candor_status st = CANDOR_OK;

	for (size_t i = 0; i < m; i++) {
		const int s = rows[i].b < 0 ? -rows[i].sense : rows[i].sense;

		ns += s != 0;
		na += s >= 0;
	}
	cols = n + ns + na;
	w = cols + 1;
	if ((double)(m + 1) * (double)w > (double)CANDOR__LP_MAX_ENTRIES)
		return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
		                     "mitigate: the policy's linear program has %zu rows and %zu "
		                     "columns, more than candor solves (%d entries)", m, cols,
		                     CANDOR__LP_MAX_ENTRIES);
	T = candor__calloc((m + 1) * w, sizeof(*T));
	basis = candor__calloc(m ? m : 1, sizeof(*basis));
	art = candor__calloc(cols, sizeof(*art));
	if (!T || !basis || !art) {
		st = CANDOR_ENOMEM;
		goto done;
	}
	{
		size_t js = n, ja = n + ns;

		for (size_t i = 0; i < m; i++) {
			const double f = rows[i].b < 0 ? -1.0 : 1.0;
			const int s = rows[i].b < 0 ? -rows[i].sense : rows[i].sense;
			double *r = T + i * w;

			for (size_t j = 0; j < n; j++)
				r[j] = f * rows[i].a[j];
			r[cols] = f * rows[i].b;
			if (s < 0) {
				r[js] = 1.0;
				basis[i] = js++;
			} else {
				if (s > 0)
					r[js++] = -1.0;
				r[ja] = 1.0;
				art[ja] = true;
				basis[i] = ja++;
			}
		}
	}
	for (int phase = 1; phase <= 2; phase++) {
		double *z = T + m * w;
		size_t degenerate = 0, iter = 0;
		const size_t max_iter = 50 * (m + cols) + 1000;

		/* z[j] = reduced gain of column j; z[cols] = -objective */
		memset(z, 0, w * sizeof(*z));
		for (size_t j = 0; j < cols; j++)
			z[j] = phase == 1 ? (art[j] ? -1.0 : 0.0) : (j < n ? c[j] : 0.0);
		for (size_t i = 0; i < m; i++) {
			const double cb = z[basis[i]];

			if (cb != 0.0)
				for (size_t j = 0; j <= cols; j++)
					z[j] -= cb * T[i * w + j];
		}
		for (;;) {
			size_t e = cols, p = m;
			double best = LP_EPS, ratio = INFINITY;

			if (++iter > max_iter) {
				st = candor__error(CANDOR_EINTERNAL, NULL, 0, 0,
				                   "mitigate: the simplex did not converge in %zu pivots",
				                   max_iter);
				goto done;
			}
			for (size_t j = 0; j < cols; j++) {
				if (phase == 2 && art[j])
					continue;
				if (z[j] > best) {
					best = z[j];
					e = j;
					if (degenerate > 50)
						break; /* Bland: the first improving column */
				}
			}
			if (e == cols)
				break;
			for (size_t i = 0; i < m; i++) {
				const double a = T[i * w + e];

				if (a > LP_EPS) {
					const double q = T[i * w + cols] / a;

					if (q < ratio - 1e-15 || (q <= ratio + 1e-15 && p < m &&
					                          basis[i] < basis[p])) {
						ratio = q;
						p = i;
					}
				}
			}
			if (p == m) {
				st = candor__error(CANDOR_EINTERNAL, NULL, 0, 0,
				                   "mitigate: the linear program is unbounded");
				goto done;
			}
			degenerate = ratio <= 1e-15 ? degenerate + 1 : 0;
			{
				double *pr = T + p * w;
				const double piv = pr[e];

				for (size_t j = 0; j <= cols; j++)
					pr[j] /= piv;
				for (size_t i = 0; i <= m; i++) {
					double *r = T + i * w;
					const double f = r[e];

					if (i == p || f == 0.0)
						continue;
					for (size_t j = 0; j <= cols; j++)
						r[j] -= f * pr[j];
					r[e] = 0.0;
				}
				basis[p] = e;
			}
		}
		if (phase == 1) {
			if (-z[cols] < -1e-9) {
				st = candor__error(CANDOR_EDOMAIN, NULL, 0, 0,
				                   "no decision rule meets every check of the policy on "
				                   "the fitting data (the checks conflict, or ask for rates "
				                   "the groups' ROC curves cannot reach)");
				goto done;
			}
			/* drive artificials at zero out of the basis where possible */
			for (size_t i = 0; i < m; i++) {
				if (!art[basis[i]])
					continue;
				for (size_t j = 0; j < n + ns; j++) {
					if (fabs(T[i * w + j]) > 1e-9) {
						double *pr = T + i * w;
						const double piv = pr[j];

						for (size_t k = 0; k <= cols; k++)
							pr[k] /= piv;
						for (size_t r = 0; r <= m; r++) {
							double *rr = T + r * w;
							const double f = rr[j];

							if (r == i || f == 0.0)
								continue;
							for (size_t k = 0; k <= cols; k++)
								rr[k] -= f * pr[k];
							rr[j] = 0.0;
						}
						basis[i] = j;
						break;
					}
				}
			}
		}
	}
	for (size_t j = 0; j < n; j++)
		x[j] = 0.0;
	for (size_t i = 0; i < m; i++)
		if (basis[i] < n)
			x[basis[i]] = fmax(0.0, T[i * w + cols]);
done:
	candor__free(T);
	candor__free(basis);
	candor__free(art);
	return st;
}

/* ===== the policy as rows =============================================== */

typedef struct builder {
	const candor__hull *h;
	size_t G, n;         /* groups, variables */
	size_t *off;         /* first variable of group g (G + 1) */
	lp_row *rows;
	size_t m, cap;
	bool *small;
	size_t ref;
} builder;

/* The value of linear metric `metric` at vertex k of group g. */
static double vertex_metric(const candor__hull *h, const candor__vertex *v, int metric)
{
	const double tp = (double)v->tp, fp = (double)v->fp;
	const double P = (double)h->P, N = (double)h->N, n = (double)h->n;

	switch (metric) {
	case CANDOR_FM_SELECTION_RATE: return (tp + fp) / n;
	case CANDOR_FM_BASE_RATE: return P / n;
	case CANDOR_FM_TPR: return tp / P;
	case CANDOR_FM_FPR: return fp / N;
	case CANDOR_FM_TNR: return 1.0 - fp / N;
	case CANDOR_FM_FNR: return 1.0 - tp / P;
	case CANDOR_FM_ACCURACY: return (tp + N - fp) / n;
	case CANDOR_FM_ERROR_RATE: return (P - tp + fp) / n;
	}
	return NAN;
}

static bool linear_metric(int m)
{
	return m == CANDOR_FM_SELECTION_RATE || m == CANDOR_FM_BASE_RATE || m == CANDOR_FM_TPR ||
	       m == CANDOR_FM_FPR || m == CANDOR_FM_TNR || m == CANDOR_FM_FNR ||
	       m == CANDOR_FM_ACCURACY || m == CANDOR_FM_ERROR_RATE;
}

static candor__vertex *vertex_of(const builder *b, size_t g, size_t k)
{
	const candor__hull *h = &b->h[g];

	return k < h->nv ? &h->v[k] : &h->lo[k - h->nv];
}

static double *new_row(builder *b, int sense, double rhs)
{
	lp_row *r;

	if (b->m == b->cap) {
		const size_t cap = b->cap ? 2 * b->cap : 64;
		lp_row *nr = candor__reallocarray(b->rows, cap, sizeof(*nr));

		if (!nr)
			return NULL;
		b->rows = nr;
		b->cap = cap;
	}
	r = &b->rows[b->m];
	r->a = candor__calloc(b->n, sizeof(double));
	if (!r->a)
		return NULL;
	r->sense = sense;
	r->b = rhs;
	b->m++;
	return r->a;
}

/* a += f * metric of group g. */
static void add_group(const builder *b, double *a, size_t g, int metric, double f)
{
	for (size_t k = b->off[g]; k < b->off[g + 1]; k++)
		a[k] += f * vertex_metric(&b->h[g], vertex_of(b, g, k - b->off[g]), metric);
}

/* a += f * the rate of the union of the non-reference groups: tpr (on
 * positives), fpr (on negatives) or selection rate (on rows). */
static void add_union(const builder *b, double *a, int metric, double f)
{
	double den = 0.0;

	for (size_t g = 0; g < b->G; g++)
		if (g != b->ref)
			den += metric == CANDOR_FM_TPR ? (double)b->h[g].P
			       : metric == CANDOR_FM_FPR ? (double)b->h[g].N : (double)b->h[g].n;
	for (size_t g = 0; g < b->G; g++) {
		if (g == b->ref)
			continue;
		for (size_t k = b->off[g]; k < b->off[g + 1]; k++) {
			const candor__vertex *v = vertex_of(b, g, k - b->off[g]);
			const double num = metric == CANDOR_FM_TPR ? (double)v->tp
			                   : metric == CANDOR_FM_FPR ? (double)v->fp
			                                             : (double)(v->tp + v->fp);

			a[k] += f * num / den;
		}
	}
}

/* Rows for one (check, kind). */
static candor_status check_rows(builder *b, const candor__check_spec *s, int kind, size_t idx,
                                const char *pname)
{
	const double bound = s->bound[kind];
	double *a;

	if (!s->is_summary) {
		const int m = s->metric;

		if (!linear_metric(m))
			return candor__error(CANDOR_EUNSUPPORTED, pname, 0, 0,
			                     "check %zu (%s): not linear in the groups' rates, so no "
			                     "exact optimum exists for it; mitigation supports "
			                     "selection_rate, base_rate, tpr, fpr, tnr, fnr, accuracy "
			                     "and error_rate", idx + 1, candor_fairness_metric_name(m));
		for (size_t g = 0; g < b->G; g++) {
			if (b->small[g])
				continue;
			switch (kind) {
			case CANDOR__CHECK_MIN:
			case CANDOR__CHECK_MAX:
				if (!(a = new_row(b, kind == CANDOR__CHECK_MIN ? 1 : -1, bound)))
					return CANDOR_ENOMEM;
				add_group(b, a, g, m, 1.0);
				break;
			case CANDOR__CHECK_MAX_DIFFERENCE:
				if (g == b->ref)
					break;
				for (int sg = -1; sg <= 1; sg += 2) {
					if (!(a = new_row(b, sg, sg * -bound)))
						return CANDOR_ENOMEM;
					/* -1: g - ref <= bound; +1: g - ref >= -bound */
					add_group(b, a, g, m, 1.0);
					add_group(b, a, b->ref, m, -1.0);
				}
				break;
			case CANDOR__CHECK_MIN_RATIO:
				if (g == b->ref)
					break;
				if (!(a = new_row(b, 1, 0.0)))
					return CANDOR_ENOMEM;
				add_group(b, a, g, m, 1.0);
				add_group(b, a, b->ref, m, -bound);
				break;
			}
		}
		return CANDOR_OK;
	}
	switch (s->metric) {
	case CANDOR_FS_DEMOGRAPHIC_PARITY_DIFFERENCE:
	case CANDOR_FS_EQUALIZED_ODDS_DIFFERENCE:
	case CANDOR_FS_DEMOGRAPHIC_PARITY_RATIO:
	case CANDOR_FS_EQUALIZED_ODDS_RATIO: {
		const bool diff = s->metric == CANDOR_FS_DEMOGRAPHIC_PARITY_DIFFERENCE ||
		                  s->metric == CANDOR_FS_EQUALIZED_ODDS_DIFFERENCE;
		const bool dp = s->metric == CANDOR_FS_DEMOGRAPHIC_PARITY_DIFFERENCE ||
		                s->metric == CANDOR_FS_DEMOGRAPHIC_PARITY_RATIO;
		const int ms[2] = {dp ? CANDOR_FM_SELECTION_RATE : CANDOR_FM_TPR, CANDOR_FM_FPR};

		if (diff != (kind == CANDOR__CHECK_MAX))
			goto nonconvex;
		for (int q = 0; q < (dp ? 1 : 2); q++)
			for (size_t g = 0; g < b->G; g++)
				for (size_t h = 0; h < b->G; h++) {
					if (g == h)
						continue;
					/* diff: m_g - m_h <= bound; ratio: m_g - c m_h >= 0 */
					if (!(a = new_row(b, diff ? -1 : 1, diff ? bound : 0.0)))
						return CANDOR_ENOMEM;
					add_group(b, a, g, ms[q], 1.0);
					add_group(b, a, h, ms[q], diff ? -1.0 : -bound);
				}
		return CANDOR_OK;
	}
	case CANDOR_FS_EQUAL_OPPORTUNITY_DIFFERENCE:
	case CANDOR_FS_AVERAGE_ODDS_DIFFERENCE:
	case CANDOR_FS_DISPARATE_IMPACT:
		if (b->G < 2)
			return candor__error(CANDOR_EDOMAIN, pname, 0, 0,
			                     "check %zu (%s) needs at least two groups", idx + 1,
			                     candor_fairness_summary_name(s->metric));
		if (!(a = new_row(b, kind == CANDOR__CHECK_MIN ? 1 : -1,
		                  s->metric == CANDOR_FS_DISPARATE_IMPACT ? 0.0 : bound)))
			return CANDOR_ENOMEM;
		if (s->metric == CANDOR_FS_DISPARATE_IMPACT) {
			add_union(b, a, CANDOR_FM_SELECTION_RATE, 1.0);
			add_group(b, a, b->ref, CANDOR_FM_SELECTION_RATE, -bound);
		} else if (s->metric == CANDOR_FS_EQUAL_OPPORTUNITY_DIFFERENCE) {
			add_union(b, a, CANDOR_FM_TPR, 1.0);
			add_group(b, a, b->ref, CANDOR_FM_TPR, -1.0);
		} else {
			add_union(b, a, CANDOR_FM_TPR, 0.5);
			add_group(b, a, b->ref, CANDOR_FM_TPR, -0.5);
			add_union(b, a, CANDOR_FM_FPR, 0.5);
			add_group(b, a, b->ref, CANDOR_FM_FPR, -0.5);
		}
		return CANDOR_OK;
	default:
		break;
	}
nonconvex:
	return candor__error(CANDOR_EUNSUPPORTED, pname, 0, 0,
	                     "check %zu (%s \"%s\"): not a linear (or convex) constraint on the "
	                     "groups' rates, so no exact optimum exists for it", idx + 1,
	                     candor_fairness_summary_name(s->metric), candor__check_kind_names[kind]);
}

/* ===== the solve ======================================================== */

/* The lowest point of the lower chain at fpr x. */
static void lower_at(const candor__hull *h, double x, size_t *k, double *p0, double *y)
{
	size_t j = 0;

	while (j + 1 < h->nlo && h->lo[j + 1].x <= x)
		j++;
	/* lo[j].x <= x < lo[j+1].x, or j is the last: take the first vertex at x */
	while (j > 0 && h->lo[j - 1].x == x)
		j--;
	if (h->lo[j].x == x || j + 1 >= h->nlo) {
		*k = j;
		*p0 = 1.0;
		*y = h->lo[j].y;
		return;
	}
	*k = j;
	*p0 = (h->lo[j + 1].x - x) / (h->lo[j + 1].x - h->lo[j].x);
	*y = *p0 * h->lo[j].y + (1.0 - *p0) * h->lo[j + 1].y;
}

candor_status candor__mitigate_policy(double *fpr, double *tpr, bool *below,
                                      const candor__hull *h, size_t G, const double *a,
                                      const double *bcoef, const candor_fairness_policy *pol,
                                      const char *attribute)
{
	builder b;
	candor_status st = CANDOR_OK;
	double *c = NULL, *x = NULL;
	const size_t min_size = pol->min_group_size ? pol->min_group_size : 30;

	memset(&b, 0, sizeof(b));
	b.h = h;
	b.G = G;
	b.off = candor__calloc(G + 1, sizeof(*b.off));
	b.small = candor__calloc(G, sizeof(*b.small));
	if (!b.off || !b.small) {
		st = CANDOR_ENOMEM;
		goto done;
	}
	for (size_t g = 0; g < G; g++) {
		b.off[g + 1] = b.off[g] + h[g].nv + h[g].nlo;
		b.small[g] = h[g].n < min_size;
		if (h[g].n > h[b.ref].n)
			b.ref = g;
	}
	b.n = b.off[G];
	for (size_t i = 0; i < pol->nchecks; i++) {
		const candor__check_spec *s = &pol->checks[i];

		if (s->attribute && strcmp(s->attribute, attribute) != 0) {
			st = candor__error(CANDOR_ENOTFOUND, pol->name, 0, 0,
			                   "check %zu names attribute '%s', but the groups are those "
			                   "of '%s'", i + 1, s->attribute, attribute);
			goto done;
		}
		for (int kind = 0; kind < CANDOR__CHECK_NKINDS; kind++)
			if (s->has[kind] && (st = check_rows(&b, s, kind, i, pol->name)) != CANDOR_OK)
				goto done;
	}
	for (size_t g = 0; g < G; g++) {
		double *r = new_row(&b, 0, 1.0);

		if (!r) {
			st = CANDOR_ENOMEM;
			goto done;
		}
		for (size_t k = b.off[g]; k < b.off[g + 1]; k++)
			r[k] = 1.0;
	}
	c = candor__calloc(b.n, sizeof(*c));
	x = candor__calloc(b.n, sizeof(*x));
	if (!c || !x) {
		st = CANDOR_ENOMEM;
		goto done;
	}
	for (size_t g = 0; g < G; g++)
		for (size_t k = b.off[g]; k < b.off[g + 1]; k++) {
			const candor__vertex *v = vertex_of(&b, g, k - b.off[g]);

			c[k] = a[g] * v->y - bcoef[g] * v->x;
		}
	if ((st = lp_solve(x, c, b.n, b.rows, b.m)) != CANDOR_OK)
		goto done;
	for (size_t g = 0; g < G; g++) {
		double tp = 0.0, fp = 0.0, sum = 0.0;

		for (size_t k = b.off[g]; k < b.off[g + 1]; k++) {
			const candor__vertex *v = vertex_of(&b, g, k - b.off[g]);

			tp += x[k] * (double)v->tp;
			fp += x[k] * (double)v->fp;
			sum += x[k];
		}
		fpr[g] = fmin(1.0, fmax(0.0, fp / sum / (double)h[g].N));
		tpr[g] = fmin(1.0, fmax(0.0, tp / sum / (double)h[g].P));
		below[g] = tpr[g] < fpr[g];
	}
done:
	for (size_t i = 0; i < b.m; i++)
		candor__free(b.rows[i].a);
	candor__free(b.rows);
	candor__free(b.off);
	candor__free(b.small);
	candor__free(c);
	candor__free(x);
	return st;
}

void candor__mitigate_lower_at(const candor__hull *h, double x, size_t *k, double *p0,
                               double *y)
{
	lower_at(h, x, k, p0, y);
}
