/*
 * result.c - from an accumulator to a result: groups, references,
 * metrics, disparities, summaries, intervals.
 *
 * One evaluation path serves the point estimate and every bootstrap
 * replicate: confusion counts per non-empty cell -> counts per group ->
 * a flat vector of "slots" (group metrics, then disparity differences and
 * ratios, then summary metrics). Bootstrap replicate r resamples the rows
 * of every cell (so the design is stratified by every group and every
 * intersection) with a multinomial draw of the cell's four counts, which
 * is exactly the distribution of the confusion counts of n_c rows drawn
 * with replacement; it draws from its own stream (seed, r, 0). Score
 * metrics resample the stored scores of each group's cells from the stream
 * (seed, r, 1 + group). Replicates are independent, so the parallel loop
 * gives the same bits for any thread count. Intervals are the percentiles
 * (1 - c)/2 and (1 + c)/2 of the defined replicate values (Efron &
 * Tibshirani 1993, ch. 13).
 */
#include <omp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

#include "fairness_int.h"

#define NONE SIZE_MAX

/* ===== the plan: groups and slots ======================================= */

typedef struct plan {
	const candor_fairness_acc *acc;
	size_t k;             /* real attributes */
	size_t A;             /* attributes incl. the intersection */
	size_t G;             /* groups; index G is "overall" */
	size_t M;             /* metrics per group: 13, or 17 with scores */
	size_t nne;           /* non-empty cells */
	size_t *cells;        /* nne cell indices */
	size_t *cgroup;       /* nne x A: the cell's group in attribute a, or NONE */
	size_t *gattr;        /* G: attribute of each group */
	size_t *gfirst;       /* A + 1: groups of attribute a are [gfirst[a], gfirst[a+1]) */
	size_t *gcell_off;    /* G + 2: cells (positions in `cells`) of each group, CSR */
	size_t *gcell;
	size_t *ref;          /* A: reference group */
	size_t D;             /* disparity entries */
	size_t *dgroup;       /* D */
	int *dmetric;         /* D */
	size_t off_dd, off_dr, off_sm, nslots;
} plan;

static void plan_free(plan *p)
{
	candor__free(p->cells);
	candor__free(p->cgroup);
	candor__free(p->gattr);
	candor__free(p->gfirst);
	candor__free(p->gcell_off);
	candor__free(p->gcell);
	candor__free(p->ref);
	candor__free(p->dgroup);
	candor__free(p->dmetric);
}

/* Slot of group metric m of group g (g == G: overall). */
static inline size_t slot_gm(const plan *p, size_t g, size_t m)
{
	return g * p->M + m;
}

/* Counts of cell position i into cn[0..4). */
static void cell_counts(const plan *p, size_t i, uint64_t *cn)
{
	memcpy(cn, p->acc->counts + p->cells[i] * 4, 4 * sizeof(*cn));
}

/* Aggregate per-cell counts (nne x 4) into group counts ((G + 1) x 4). */
static void aggregate(const plan *p, const uint64_t *cc, uint64_t *gc)
{
	memset(gc, 0, (p->G + 1) * 4 * sizeof(*gc));
	for (size_t i = 0; i < p->nne; i++) {
		const uint64_t *c = cc + 4 * i;

		for (size_t a = 0; a < p->A; a++) {
			size_t g = p->cgroup[i * p->A + a];

			if (g != NONE)
				for (int q = 0; q < 4; q++)
					gc[4 * g + q] += c[q];
		}
		for (int q = 0; q < 4; q++)
			gc[4 * p->G + q] += c[q];
	}
}

static uint64_t gn(const uint64_t *gc, size_t g)
{
	return gc[4 * g] + gc[4 * g + 1] + gc[4 * g + 2] + gc[4 * g + 3];
}

/* Count metrics of every group and overall. */
static void fill_count_metrics(const plan *p, const uint64_t *gc, double *v)
{
	for (size_t g = 0; g <= p->G; g++) {
		const uint64_t *c = gc + 4 * g;

		candor__fair_count_metrics(v + slot_gm(p, g, 0), c[CANDOR__TP], c[CANDOR__FP],
		                           c[CANDOR__TN], c[CANDOR__FN]);
	}
}

static double ratio_or_nan(double a, double b)
{
	return (isnan(a) || isnan(b) || b == 0) ? NAN : a / b;
}

/* Summary metrics of attribute a into s[0..CANDOR_FS_COUNT). */
static void summaries(const plan *p, size_t a, const uint64_t *gc, const double *v, double *s)
{
	double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
	const int ms[3] = {CANDOR_FM_SELECTION_RATE, CANDOR_FM_TPR, CANDOR_FM_FPR};
	uint64_t u[4] = {0, 0, 0, 0};
	double um[CANDOR_FM_NCOUNT_METRICS];
	const size_t r = p->ref[a];
	const double *rm = v + slot_gm(p, r, 0);
	double range[3], rat[3];
	bool other = false;

	for (size_t g = p->gfirst[a]; g < p->gfirst[a + 1]; g++) {
		for (int q = 0; q < 3; q++) {
			const double x = v[slot_gm(p, g, (size_t)ms[q])];

			if (!isnan(x)) {
				lo[q] = fmin(lo[q], x);
				hi[q] = fmax(hi[q], x);
			}
		}
		if (g != r) {
			other = true;
			for (int q = 0; q < 4; q++)
				u[q] += gc[4 * g + q];
		}
	}
	for (int q = 0; q < 3; q++) {
		range[q] = hi[q] >= lo[q] ? hi[q] - lo[q] : NAN;
		rat[q] = hi[q] >= lo[q] && hi[q] > 0 ? lo[q] / hi[q] : NAN;
	}
	s[CANDOR_FS_DEMOGRAPHIC_PARITY_DIFFERENCE] = range[0];
	s[CANDOR_FS_DEMOGRAPHIC_PARITY_RATIO] = rat[0];
	s[CANDOR_FS_EQUALIZED_ODDS_DIFFERENCE] =
		isnan(range[1]) || isnan(range[2]) ? NAN : fmax(range[1], range[2]);
	s[CANDOR_FS_EQUALIZED_ODDS_RATIO] =
		isnan(rat[1]) || isnan(rat[2]) ? NAN : fmin(rat[1], rat[2]);
	candor__fair_count_metrics(um, u[CANDOR__TP], u[CANDOR__FP], u[CANDOR__TN], u[CANDOR__FN]);
	if (!other)
		for (int m = 0; m < CANDOR_FM_NCOUNT_METRICS; m++)
			um[m] = NAN;
	s[CANDOR_FS_EQUAL_OPPORTUNITY_DIFFERENCE] = um[CANDOR_FM_TPR] - rm[CANDOR_FM_TPR];
	s[CANDOR_FS_AVERAGE_ODDS_DIFFERENCE] =
		0.5 * ((um[CANDOR_FM_FPR] - rm[CANDOR_FM_FPR]) + (um[CANDOR_FM_TPR] - rm[CANDOR_FM_TPR]));
	s[CANDOR_FS_DISPARATE_IMPACT] =
		ratio_or_nan(um[CANDOR_FM_SELECTION_RATE], rm[CANDOR_FM_SELECTION_RATE]);
	{
		/* AIF360 benefit b = pred - label + 1: tp, tn -> 1; fp -> 2; fn -> 0. */
		const uint64_t *o = gc + 4 * p->G;
		const double n = (double)(o[0] + o[1] + o[2] + o[3]);
		const double ones = (double)(o[CANDOR__TP] + o[CANDOR__TN]), twos = (double)o[CANDOR__FP];
		const double mu = (ones + 2 * twos) / n;

		if (n > 0 && mu > 0) {
			s[CANDOR_FS_THEIL_INDEX] =
				(ones * (1 / mu) * log(1 / mu) + twos * (2 / mu) * log(2 / mu)) / n;
			s[CANDOR_FS_GENERALIZED_ENTROPY_INDEX] =
				(ones / (mu * mu) + twos * 4 / (mu * mu) - n) / (n * 2 * 1);
		} else {
			s[CANDOR_FS_THEIL_INDEX] = s[CANDOR_FS_GENERALIZED_ENTROPY_INDEX] = NAN;
		}
	}
}

/* Disparities and summaries from the group metrics. */
static void derive(const plan *p, const uint64_t *gc, double *v)
{
	for (size_t d = 0; d < p->D; d++) {
		const size_t g = p->dgroup[d], r = p->ref[p->gattr[g]];
		const double x = v[slot_gm(p, g, (size_t)p->dmetric[d])];
		const double y = v[slot_gm(p, r, (size_t)p->dmetric[d])];

		v[p->off_dd + d] = x - y;
		v[p->off_dr + d] = ratio_or_nan(x, y);
	}
	for (size_t a = 0; a < p->A; a++)
		summaries(p, a, gc, v, v + p->off_sm + a * CANDOR_FS_COUNT);
}

/* Gather the scores of group g's cells (g == G: all) into pos/neg. */
static void gather_scores(const plan *p, size_t g, double *pos, size_t *npos, double *neg,
                          size_t *nneg)
{
	size_t np = 0, nn = 0;

	for (size_t t = p->gcell_off[g]; t < p->gcell_off[g + 1]; t++) {
		const size_t c = p->cells[p->gcell[t]];
		const candor__dvec *dp = &p->acc->pos[c], *dn = &p->acc->neg[c];

		if (dp->n)
			memcpy(pos + np, dp->v, dp->n * sizeof(double));
		if (dn->n)
			memcpy(neg + nn, dn->v, dn->n * sizeof(double));
		np += dp->n;
		nn += dn->n;
	}
	*npos = np;
	*nneg = nn;
}

/* A bootstrap resample of group g's scores, cell by cell. */
static void resample_scores(const plan *p, size_t g, gsl_rng *rng, double *pos, size_t *npos,
                            double *neg, size_t *nneg)
{
	size_t np = 0, nn = 0;

	for (size_t t = p->gcell_off[g]; t < p->gcell_off[g + 1]; t++) {
		const size_t c = p->cells[p->gcell[t]];
		const candor__dvec *dp = &p->acc->pos[c], *dn = &p->acc->neg[c];
		const size_t m = dp->n + dn->n;

		for (size_t i = 0; i < m; i++) {
			size_t j = (size_t)candor__rng_index(rng, m);

			if (j < dp->n)
				pos[np++] = dp->v[j];
			else
				neg[nn++] = dn->v[j - dp->n];
		}
	}
	*npos = np;
	*nneg = nn;
}

/* ===== building the plan ================================================ */

static candor_status build_plan(plan *p, const candor_fairness_acc *acc, bool intersect)
{
	const size_t k = acc->nattrs;
	size_t *lvl_group = NULL, *lvl_off = NULL, *inter_group = NULL, G = 0, t;
	candor_status st = CANDOR_ENOMEM;

	memset(p, 0, sizeof(*p));
	p->acc = acc;
	p->k = k;
	p->A = k + (intersect && k >= 2);
	p->M = acc->with_scores ? CANDOR_FM_COUNT : CANDOR_FM_NCOUNT_METRICS;
	for (size_t c = 0; c < acc->ncells; c++) {
		const uint64_t *x = acc->counts + 4 * c;

		p->nne += (x[0] | x[1] | x[2] | x[3]) != 0;
	}
	/* level -> group maps */
	lvl_off = candor__calloc(k + 1, sizeof(*lvl_off));
	if (!lvl_off)
		goto done;
	for (size_t a = 0; a < k; a++)
		lvl_off[a + 1] = lvl_off[a] + acc->nlevels[a] + 1;
	lvl_group = candor__mallocarray(lvl_off[k] ? lvl_off[k] : 1, sizeof(*lvl_group));
	p->cells = candor__mallocarray(p->nne ? p->nne : 1, sizeof(*p->cells));
	p->cgroup = candor__mallocarray(p->nne ? p->nne * p->A : 1, sizeof(*p->cgroup));
	p->gfirst = candor__calloc(p->A + 1, sizeof(*p->gfirst));
	p->ref = candor__calloc(p->A, sizeof(*p->ref));
	inter_group = candor__mallocarray(p->nne ? p->nne : 1, sizeof(*inter_group));
	if (!lvl_group || !p->cells || !p->cgroup || !p->gfirst || !p->ref || !inter_group)
		goto done;
	/* which levels have rows */
	for (size_t i = 0; i < lvl_off[k]; i++)
		lvl_group[i] = 0;
	t = 0;
	for (size_t c = 0; c < acc->ncells; c++) {
		const uint64_t *x = acc->counts + 4 * c;

		if (!((x[0] | x[1] | x[2] | x[3])))
			continue;
		p->cells[t++] = c;
		for (size_t a = 0; a < k; a++)
			lvl_group[lvl_off[a] + (c / acc->stride[a]) % (acc->nlevels[a] + 1)] = 1;
	}
	for (size_t a = 0; a < k; a++) {
		p->gfirst[a] = G;
		lvl_group[lvl_off[a]] = NONE; /* missing */
		for (size_t l = 1; l <= acc->nlevels[a]; l++)
			lvl_group[lvl_off[a] + l] = lvl_group[lvl_off[a] + l] ? G++ : NONE;
	}
	if (p->A > k) {
		p->gfirst[k] = G;
		for (size_t i = 0; i < p->nne; i++) {
			bool full = true;

			for (size_t a = 0; a < k; a++)
				full &= (p->cells[i] / acc->stride[a]) % (acc->nlevels[a] + 1) != 0;
			inter_group[i] = full ? G++ : NONE;
		}
	}
	p->gfirst[p->A] = G;
	p->G = G;
	for (size_t i = 0; i < p->nne; i++) {
		for (size_t a = 0; a < k; a++)
			p->cgroup[i * p->A + a] =
				lvl_group[lvl_off[a] + (p->cells[i] / acc->stride[a]) % (acc->nlevels[a] + 1)];
		if (p->A > k)
			p->cgroup[i * p->A + k] = inter_group[i];
	}
	p->gattr = candor__mallocarray(G ? G : 1, sizeof(*p->gattr));
	p->gcell_off = candor__calloc(G + 2, sizeof(*p->gcell_off));
	p->gcell = candor__mallocarray(p->nne * (p->A + 1) + 1, sizeof(*p->gcell));
	if (!p->gattr || !p->gcell_off || !p->gcell)
		goto done;
	for (size_t a = 0; a < p->A; a++)
		for (size_t g = p->gfirst[a]; g < p->gfirst[a + 1]; g++)
			p->gattr[g] = a;
	/* CSR of cells per group (overall = G: every cell) */
	for (size_t i = 0; i < p->nne; i++) {
		for (size_t a = 0; a < p->A; a++)
			if (p->cgroup[i * p->A + a] != NONE)
				p->gcell_off[p->cgroup[i * p->A + a] + 1]++;
		p->gcell_off[G + 1]++;
	}
	for (size_t g = 0; g <= G; g++)
		p->gcell_off[g + 1] += p->gcell_off[g];
	{
		size_t *fill = candor__mallocarray(G + 1, sizeof(*fill));

		if (!fill)
			goto done;
		memcpy(fill, p->gcell_off, (G + 1) * sizeof(*fill));
		for (size_t i = 0; i < p->nne; i++) {
			for (size_t a = 0; a < p->A; a++) {
				size_t g = p->cgroup[i * p->A + a];

				if (g != NONE)
					p->gcell[fill[g]++] = i;
			}
			p->gcell[fill[G]++] = i;
		}
		candor__free(fill);
	}
	st = CANDOR_OK;
done:
	candor__free(lvl_group);
	candor__free(lvl_off);
	candor__free(inter_group);
	return st;
}

static candor_status plan_disparities(plan *p)
{
	size_t D = 0;

	for (size_t a = 0; a < p->A; a++) {
		const size_t ng = p->gfirst[a + 1] - p->gfirst[a];

		D += (ng ? ng - 1 : 0) * p->M;
	}
	p->D = D;
	p->dgroup = candor__mallocarray(D ? D : 1, sizeof(*p->dgroup));
	p->dmetric = candor__mallocarray(D ? D : 1, sizeof(*p->dmetric));
	if (!p->dgroup || !p->dmetric)
		return CANDOR_ENOMEM;
	D = 0;
	for (size_t a = 0; a < p->A; a++)
		for (size_t m = 0; m < p->M; m++)
			for (size_t g = p->gfirst[a]; g < p->gfirst[a + 1]; g++)
				if (g != p->ref[a]) {
					p->dgroup[D] = g;
					p->dmetric[D++] = (int)m;
				}
	p->off_dd = (p->G + 1) * p->M;
	p->off_dr = p->off_dd + D;
	p->off_sm = p->off_dr + D;
	p->nslots = p->off_sm + p->A * CANDOR_FS_COUNT;
	return CANDOR_OK;
}

/* ===== strings owned by the result ===================================== */

char *candor__fair_keep(candor_fairness_result *r, char *s)
{
	if (!s)
		return NULL;
	if (r->nstrings == r->capstrings) {
		size_t cap = r->capstrings ? 2 * r->capstrings : 16;
		char **v = candor__reallocarray(r->strings, cap, sizeof(*v));

		if (!v) {
			candor__free(s);
			return NULL;
		}
		r->strings = v;
		r->capstrings = cap;
	}
	r->strings[r->nstrings++] = s;
	return s;
}

void candor_fairness_result_free(candor_fairness_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nstrings; i++)
		candor__free(r->strings[i]);
	candor__free(r->strings);
	candor__free(r->attrs);
	candor__free(r->groups);
	candor__free(r->metric_store);
	candor__free(r->summary_store);
	candor__free(r->disp);
	candor__free(r->checks);
	candor__free(r->levels);
	candor__free(r);
}

const candor_fairness_view *candor_fairness_result_view(const candor_fairness_result *r)
{
	return r ? &r->view : NULL;
}

/* ===== intersection names ============================================== */

/* An intersection is named by its parts joined with '&', each part escaped
 * so that the name is unambiguous and reversible: a backslash becomes two,
 * and '&' becomes backslash-'&' (levels x and y&z give x&y\&z; levels x&y
 * and z give x\&y&z). Split on every '&' that no backslash escapes, then
 * drop the escaping backslashes, to get the parts back. Parts without '&'
 * or backslash, the usual case, read as before. */
static size_t escaped_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += 1 + (*s == '&' || *s == '\\');
	return n;
}

static char *append_escaped(char *d, const char *s)
{
	for (; *s; s++) {
		if (*s == '&' || *s == '\\')
			*d++ = '\\';
		*d++ = *s;
	}
	return d;
}

/* The parts[0..k) joined as above; malloc'd. */
static char *join_escaped(const char *const *parts, size_t k)
{
	size_t len = 1;
	char *s, *d;

	for (size_t b = 0; b < k; b++)
		len += escaped_len(parts[b]) + 1;
	s = candor__malloc(len);
	if (!s)
		return NULL;
	d = s;
	for (size_t b = 0; b < k; b++) {
		if (b)
			*d++ = '&';
		d = append_escaped(d, parts[b]);
	}
	*d = '\0';
	return s;
}

/* The level of attribute b (< k) in group g's first cell. */
static const char *group_level(const plan *p, size_t g, size_t b)
{
	const candor_fairness_acc *acc = p->acc;
	const size_t i = p->gcell[p->gcell_off[g]];
	const size_t slot = (p->cells[i] / acc->stride[b]) % (acc->nlevels[b] + 1);

	return acc->levels[b][slot - 1];
}

/* A group's name: its level, or the escaped levels of an intersection. */
static char *group_name(const plan *p, size_t g, const char **parts)
{
	const size_t a = p->gattr[g];

	if (a < p->k)
		return candor__strdup(group_level(p, g, a));
	for (size_t b = 0; b < p->k; b++)
		parts[b] = group_level(p, g, b);
	return join_escaped(parts, p->k);
}

static char *intersection_name(const candor_fairness_acc *acc)
{
	return join_escaped((const char *const *)acc->names, acc->nattrs);
}

/* ===== references ======================================================= */

static candor_status choose_references(plan *p, candor_fairness_result *r, const uint64_t *gc,
                                       const double *v, const candor_fairness_options *o)
{
	for (size_t i = 0; i < o->nreferences; i++) {
		const candor_fairness_reference *x = &o->references[i];
		bool found = false;

		for (size_t a = 0; a < p->A && x->attribute; a++)
			found |= strcmp(x->attribute, r->attrs[a].name) == 0;
		if (!found)
			return candor__error(CANDOR_ENOTFOUND, NULL, 0, 0,
			                     "reference given for '%s', which is not a sensitive "
			                     "attribute%s", x->attribute ? x->attribute : "(null)",
			                     p->A > p->k || p->k < 2 ? "" : " (an intersection needs "
			                                                   "options.intersect)");
		if ((unsigned)x->mode > CANDOR_FAIRNESS_REF_FAVOURED ||
		    (x->mode == CANDOR_FAIRNESS_REF_NAMED && !x->group))
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "fairness: bad reference for '%s'", x->attribute);
		/* two references for one attribute: which one was meant? */
		for (size_t j = 0; j < i; j++)
			if (strcmp(o->references[j].attribute, x->attribute) == 0)
				return candor__error(CANDOR_EINVAL, NULL, 0, 0,
				                     "references: attribute '%s' is given a reference "
				                     "twice", x->attribute);
	}
	for (size_t a = 0; a < p->A; a++) {
		candor_fairness_refmode mode = CANDOR_FAIRNESS_REF_LARGEST;
		const char *want = NULL;
		size_t best = NONE;

		for (size_t i = 0; i < o->nreferences; i++)
			if (o->references[i].attribute &&
			    strcmp(o->references[i].attribute, r->attrs[a].name) == 0) {
				mode = o->references[i].mode;
				want = o->references[i].group;
			}
		if (p->gfirst[a] == p->gfirst[a + 1])
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "attribute '%s' has no rows with a value",
			                     r->attrs[a].name);
		for (size_t g = p->gfirst[a]; g < p->gfirst[a + 1]; g++) {
			if (mode == CANDOR_FAIRNESS_REF_NAMED) {
				if (want && strcmp(r->groups[g].name, want) == 0)
					best = g;
			} else if (mode == CANDOR_FAIRNESS_REF_FAVOURED) {
				double x = v[slot_gm(p, g, CANDOR_FM_SELECTION_RATE)];
				double y = best == NONE ? -1 : v[slot_gm(p, best, CANDOR_FM_SELECTION_RATE)];

				if (best == NONE || x > y || (x == y && gn(gc, g) > gn(gc, best)))
					best = g;
			} else if (best == NONE || gn(gc, g) > gn(gc, best)) {
				best = g;
			}
		}
		if (best == NONE) {
			char list[256];
			size_t len = 0;

			list[0] = '\0';
			for (size_t g = p->gfirst[a]; g < p->gfirst[a + 1] && len < sizeof(list); g++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s'%s'",
				                        g > p->gfirst[a] ? ", " : "", r->groups[g].name);
			return candor__error(CANDOR_ENOTFOUND, NULL, 0, 0,
			                     "reference group '%s' of attribute '%s' does not exist "
			                     "(groups with rows: %s)", want ? want : "(none)",
			                     r->attrs[a].name, list);
		}
		p->ref[a] = best;
	}
	return CANDOR_OK;
}

/* ===== filling the result =============================================== */

static void set_value(candor_fairness_value *x, double v, const char *reason)
{
	x->value = isnan(v) ? NAN : v;
	x->reason = isnan(v) ? (reason ? reason : "undefined") : NULL;
	x->lo = x->hi = NAN;
	x->ci_reason = NULL;
}

static const char *summary_reason(int s)
{
	switch (s) {
	case CANDOR_FS_DEMOGRAPHIC_PARITY_DIFFERENCE: return "no group has rows";
	case CANDOR_FS_DEMOGRAPHIC_PARITY_RATIO: return "every group's selection rate is 0";
	case CANDOR_FS_EQUALIZED_ODDS_DIFFERENCE: return "tpr or fpr is undefined in every group";
	case CANDOR_FS_EQUALIZED_ODDS_RATIO:
		return "tpr or fpr is undefined in every group, or its largest value is 0";
	case CANDOR_FS_EQUAL_OPPORTUNITY_DIFFERENCE:
		return "tpr is undefined for the reference or for the other groups";
	case CANDOR_FS_AVERAGE_ODDS_DIFFERENCE:
		return "tpr or fpr is undefined for the reference or for the other groups";
	case CANDOR_FS_DISPARATE_IMPACT:
		return "the reference's selection rate is 0, or there is no other group";
	default: return "the mean benefit is 0 (every row is a false negative)";
	}
}

/* Percentile interval of slot s over the replicates. */
static void boot_ci(candor_fairness_value *x, const double *rep, size_t R, size_t nslots,
                    size_t s, double conf, double *tmp)
{
	size_t m = 0;

	if (isnan(x->value)) {
		x->ci_reason = "the value is undefined";
		return;
	}
	for (size_t r = 0; r < R; r++) {
		const double y = rep[r * nslots + s];

		if (!isnan(y))
			tmp[m++] = y;
	}
	if (m == 0 || 2 * m < R) {
		x->ci_reason = "fewer than half of the bootstrap replicates define it";
		return;
	}
	gsl_sort(tmp, 1, m);
	x->lo = gsl_stats_quantile_from_sorted_data(tmp, 1, m, (1 - conf) / 2);
	x->hi = gsl_stats_quantile_from_sorted_data(tmp, 1, m, (1 + conf) / 2);
}

/* Score metrics of every group and overall into v, using buffers of n. */
static void fill_score_metrics(const plan *p, double *v, double *pos, double *neg,
                               gsl_rng *rng, uint64_t seed, size_t rep, const char **reasons)
{
	for (size_t g = 0; g <= p->G; g++) {
		size_t np, nn;
		double out[4];
		const char *why[4];

		if (rng) {
			gsl_rng_set(rng, (unsigned long)candor__stream_seed(seed, rep, 1 + g));
			resample_scores(p, g, rng, pos, &np, neg, &nn);
		} else {
			gather_scores(p, g, pos, &np, neg, &nn);
		}
		candor__fair_score_metrics(out, why, pos, np, neg, nn);
		for (int q = 0; q < 4; q++) {
			v[slot_gm(p, g, CANDOR_FM_AUC + (size_t)q)] = out[q];
			if (reasons)
				reasons[g * 4 + (size_t)q] = why[q];
		}
	}
}

typedef struct boot_args {
	const plan *p;
	const candor_fairness_options *o;
	size_t R;
	double *rep;
	bool failed;
} boot_args;

static void run_bootstrap(boot_args *b, int threads)
{
	const plan *p = b->p;

#pragma omp parallel num_threads(threads)
	{
		gsl_rng *rng = candor__rng_new();
		uint64_t *cc = candor__mallocarray(p->nne * 4 + 1, sizeof(*cc));
		uint64_t *gc = candor__mallocarray((p->G + 1) * 4, sizeof(*gc));
		double *pos = NULL, *neg = NULL;
		bool ok = rng && cc && gc;

		if (ok && p->M > CANDOR_FM_NCOUNT_METRICS) {
			pos = candor__mallocarray(p->acc->nrows + 1, sizeof(*pos));
			neg = candor__mallocarray(p->acc->nrows + 1, sizeof(*neg));
			ok = pos && neg;
		}
		if (!ok) {
#pragma omp critical(candor_fair_boot)
			b->failed = true;
		}
#pragma omp for schedule(dynamic, 4)
		for (size_t r = 0; r < b->R; r++) {
			double *v = b->rep + r * p->nslots;

			if (!ok)
				continue;
			gsl_rng_set(rng, (unsigned long)candor__stream_seed(b->o->seed, r, 0));
			for (size_t i = 0; i < p->nne; i++) {
				uint64_t c[4];
				unsigned int drawn[4];
				double pr[4];
				uint64_t n;

				cell_counts(p, i, c);
				n = c[0] + c[1] + c[2] + c[3];
				for (int q = 0; q < 4; q++)
					pr[q] = (double)c[q];
				gsl_ran_multinomial(rng, 4, (unsigned)n, pr, drawn);
				for (int q = 0; q < 4; q++)
					cc[4 * i + (size_t)q] = drawn[q];
			}
			aggregate(p, cc, gc);
			fill_count_metrics(p, gc, v);
			if (pos)
				fill_score_metrics(p, v, pos, neg, rng, b->o->seed, r, NULL);
			derive(p, gc, v);
		}
		gsl_rng_free(rng);
		candor__free(cc);
		candor__free(gc);
		candor__free(pos);
		candor__free(neg);
	}
}

static candor_status check_options(const candor_fairness_options *o,
                                   const candor_fairness_acc *acc)
{
	if (o->version != CANDOR_FAIRNESS_OPTIONS_VERSION)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "fairness: options version %u, expected 1 or %u", o->version,
		                     CANDOR_FAIRNESS_OPTIONS_VERSION);
	if ((unsigned)o->p_adjust > CANDOR_FAIRNESS_P_NONE)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "fairness: unknown p-value adjustment");
	if ((unsigned)o->ci > CANDOR_FAIRNESS_CI_NONE)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: unknown interval method");
	if (o->confidence != 0 && !(o->confidence > 0 && o->confidence < 1))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "fairness: confidence must lie in (0, 1)");
	if (o->threads < 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: negative thread count");
	if (o->nreferences && !o->references)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL references");
	if (o->ci != CANDOR_FAIRNESS_CI_BOOTSTRAP && o->bootstrap > 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "fairness: bootstrap replicates are set, but ci is not "
		                     "bootstrap");
	if (o->ci == CANDOR_FAIRNESS_CI_BOOTSTRAP && o->bootstrap > 0 && o->bootstrap < 10)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "fairness: at least 10 bootstrap replicates are needed");
	if (o->bootstrap > CANDOR_FAIRNESS_MAX_BOOTSTRAP)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "fairness: bootstrap wants at most %zu replicates, not %zu",
		                     CANDOR_FAIRNESS_MAX_BOOTSTRAP, o->bootstrap);
	if (acc->nrows == 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: no rows");
	for (size_t c = 0; c < acc->ncells; c++) {
		const uint64_t *x = acc->counts + 4 * c;

		if (o->ci == CANDOR_FAIRNESS_CI_BOOTSTRAP && x[0] + x[1] + x[2] + x[3] > UINT32_MAX)
			return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
			                     "fairness: bootstrap needs fewer than 2^32 rows per cell");
	}
	return CANDOR_OK;
}

static candor_status fill_result(candor_fairness_result *r, plan *p, const uint64_t *gc,
                                 const double *v, const char **sreasons, const double *rep,
                                 size_t R, const candor_fairness_options *o, double conf,
                                 size_t min_size)
{
	const double z = gsl_cdf_ugaussian_Pinv(0.5 + conf / 2);
	const bool wilson = o->ci == CANDOR_FAIRNESS_CI_WILSON;
	const bool boot = o->ci == CANDOR_FAIRNESS_CI_BOOTSTRAP;
	double *tmp = NULL;

	if (boot && !(tmp = candor__mallocarray(R, sizeof(*tmp))))
		return CANDOR_ENOMEM;
	for (size_t g = 0; g <= p->G; g++) {
		candor_fairness_group *G = g < p->G ? &r->groups[g] : &r->overall;
		const uint64_t *c = gc + 4 * g;

		G->n = gn(gc, g);
		G->tp = c[CANDOR__TP];
		G->fp = c[CANDOR__FP];
		G->tn = c[CANDOR__TN];
		G->fn = c[CANDOR__FN];
		G->small = G->n < min_size;
		G->is_reference = g < p->G && p->ref[p->gattr[g]] == g;
		for (size_t m = 0; m < CANDOR_FM_COUNT; m++) {
			candor_fairness_value *x = &r->metric_store[g * CANDOR_FM_COUNT + m];

			if (m >= p->M) {
				set_value(x, NAN, "no score column");
				x->ci_reason = "the value is undefined";
				continue;
			}
			set_value(x, v[slot_gm(p, g, m)],
			          m < CANDOR_FM_NCOUNT_METRICS ? candor__fair_metric_reason((int)m)
			                                       : sreasons[g * 4 + m - CANDOR_FM_AUC]);
			if (isnan(x->value)) {
				x->ci_reason = "the value is undefined";
			} else if (boot) {
				boot_ci(x, rep, R, p->nslots, slot_gm(p, g, m), conf, tmp);
			} else if (wilson && m < CANDOR_FM_F1) {
				uint64_t num, den;

				candor__fair_metric_nd((int)m, G->tp, G->fp, G->tn, G->fn, &num, &den);
				candor__wilson(&x->lo, &x->hi, num, den, z);
			} else {
				x->ci_reason = wilson ? "no closed-form interval for this metric; bootstrap "
				                        "intervals give one"
				                      : "no interval asked for";
			}
		}
	}
	for (size_t d = 0; d < p->D; d++) {
		candor_fairness_disparity *D = &r->disp[d];
		const size_t g = p->dgroup[d], a = p->gattr[g], ref = p->ref[a];
		const int m = p->dmetric[d];
		const candor_fairness_group *Gg = &r->groups[g], *Gr = &r->groups[ref];
		const char *why;

		D->attribute = a;
		D->group = g;
		D->reference = ref;
		D->metric = (candor_fairness_metric)m;
		why = isnan(Gg->metrics[m].value) ? "undefined for the group"
		      : isnan(Gr->metrics[m].value) ? "undefined for the reference" : NULL;
		set_value(&D->difference, v[p->off_dd + d], why);
		set_value(&D->ratio, v[p->off_dr + d], why ? why : "the reference's value is 0");
		D->p_value = NAN;
		D->test = NULL;
		D->p_reason = NULL;
		if (m < CANDOR_FM_F1) {
			uint64_t x1, n1, x2, n2;

			candor__fair_metric_nd(m, Gg->tp, Gg->fp, Gg->tn, Gg->fn, &x1, &n1);
			candor__fair_metric_nd(m, Gr->tp, Gr->fp, Gr->tn, Gr->fn, &x2, &n2);
			D->p_value = candor__prop_test(x1, n1, x2, n2, &D->test, &D->p_reason);
			if (isnan(D->p_value) && !D->p_reason)
				D->p_reason = "the test could not be computed";
			if (boot) {
				boot_ci(&D->difference, rep, R, p->nslots, p->off_dd + d, conf, tmp);
				boot_ci(&D->ratio, rep, R, p->nslots, p->off_dr + d, conf, tmp);
			} else if (wilson && n1 && n2) {
				candor__newcombe(&D->difference.lo, &D->difference.hi, x1, n1, x2, n2, z);
				D->ratio.ci_reason = "no closed-form interval for a ratio; bootstrap "
				                     "intervals give one";
			} else {
				D->difference.ci_reason = D->ratio.ci_reason =
					isnan(D->difference.value) ? "the value is undefined"
					                           : "no interval asked for";
			}
		} else {
			D->p_reason = m == CANDOR_FM_F1 ? "no proportion test for f1"
			                                : "no proportion test for a score metric";
			if (boot) {
				boot_ci(&D->difference, rep, R, p->nslots, p->off_dd + d, conf, tmp);
				boot_ci(&D->ratio, rep, R, p->nslots, p->off_dr + d, conf, tmp);
			} else {
				D->difference.ci_reason = D->ratio.ci_reason =
					wilson ? "no closed-form interval; bootstrap intervals give one"
					       : "no interval asked for";
			}
		}
		if (isnan(D->difference.value))
			D->difference.ci_reason = "the value is undefined";
		if (isnan(D->ratio.value))
			D->ratio.ci_reason = "the value is undefined";
	}
	for (size_t a = 0; a < p->A; a++) {
		for (int s = 0; s < CANDOR_FS_COUNT; s++) {
			candor_fairness_value *x = &r->summary_store[a * CANDOR_FS_COUNT + (size_t)s];
			const size_t slot = p->off_sm + a * CANDOR_FS_COUNT + (size_t)s;

			set_value(x, v[slot], summary_reason(s));
			if (isnan(x->value))
				x->ci_reason = "the value is undefined";
			else if (boot)
				boot_ci(x, rep, R, p->nslots, slot, conf, tmp);
			else
				x->ci_reason = wilson ? "intervals of summary metrics need bootstrap intervals"
				                      : "no interval asked for";
		}
	}
	candor__free(tmp);
	return CANDOR_OK;
}

/* ===== multiple comparisons ============================================ */

/* Holm's step-down or Benjamini-Hochberg's step-up adjustment of p[0..m),
 * in place (R's p.adjust "holm" and "BH"): with p sorted ascending,
 * Holm: adj_(i) = max_{j <= i} min(1, (m - j + 1) p_(j));
 * BH:   adj_(i) = min_{j >= i} min(1, m p_(j) / j).
 * Tied p-values get the same adjusted value in both, so the order of ties
 * does not matter. `idx` (m) is a workspace. */
static int cmp_p(const void *a, const void *b, void *payload)
{
	const double *p = payload;
	const size_t i = *(const size_t *)a, j = *(const size_t *)b;

	return p[i] < p[j] ? -1 : p[i] > p[j] ? 1 : (i > j) - (i < j);
}

void candor__p_adjust(double *p, size_t m, int method, size_t *idx)
{
	if (m == 0 || method == CANDOR_FAIRNESS_P_NONE)
		return;
	for (size_t i = 0; i < m; i++)
		idx[i] = i;
	qsort_r(idx, m, sizeof(*idx), cmp_p, p);
	if (method == CANDOR_FAIRNESS_P_HOLM) {
		double run = 0;

		for (size_t j = 0; j < m; j++) {
			const double v = fmin(1.0, (double)(m - j) * p[idx[j]]);

			run = fmax(run, v);
			p[idx[j]] = run;
		}
	} else {
		double run = 1;

		for (size_t j = m; j-- > 0;) {
			const double v = fmin(1.0, (double)m * p[idx[j]] / (double)(j + 1));

			run = fmin(run, v);
			p[idx[j]] = run;
		}
	}
}

/* Adjust every disparity's p-value within its family (attribute, metric). */
static candor_status adjust_p_values(candor_fairness_result *r, const plan *p,
                                     candor_fairness_p_adjust method)
{
	double *v = candor__mallocarray(p->G + 1, sizeof(*v));
	size_t *pos = candor__mallocarray(p->G + 1, sizeof(*pos));
	size_t *idx = candor__mallocarray(p->G + 1, sizeof(*idx));

	if (!v || !pos || !idx) {
		candor__free(v);
		candor__free(pos);
		candor__free(idx);
		return candor__oom();
	}
	/* plan_disparities lays a family out contiguously: attribute, then
	 * metric, then its groups */
	for (size_t d = 0; d < p->D;) {
		const size_t a = r->disp[d].attribute;
		const candor_fairness_metric met = r->disp[d].metric;
		size_t e = d, m = 0;

		while (e < p->D && r->disp[e].attribute == a && r->disp[e].metric == met)
			e++;
		for (size_t k = d; k < e; k++) {
			r->disp[k].p_adjusted = r->disp[k].p_value;
			if (!isnan(r->disp[k].p_value)) {
				v[m] = r->disp[k].p_value;
				pos[m++] = k;
			}
		}
		candor__p_adjust(v, m, (int)method, idx);
		for (size_t k = 0; k < m; k++)
			r->disp[pos[k]].p_adjusted = v[k];
		d = e;
	}
	candor__free(v);
	candor__free(pos);
	candor__free(idx);
	return CANDOR_OK;
}

candor_status candor_fairness_compute(candor_fairness_result **out,
                                      const candor_fairness_acc *acc,
                                      const candor_fairness_options *opts)
{
	const candor_fairness_options defaults = CANDOR_FAIRNESS_OPTIONS_INIT;
	candor_fairness_options o2 = CANDOR_FAIRNESS_OPTIONS_INIT;
	const candor_fairness_options *o = opts ? opts : &defaults;
	candor_fairness_result *r = NULL;
	plan p;
	uint64_t *gc = NULL;
	double *v = NULL, *rep = NULL, *pos = NULL, *neg = NULL;
	const char **sreasons = NULL;
	candor_status st;
	size_t R = 0, min_size;
	double conf;
	int threads;

	if (!out || !acc)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL argument");
	*out = NULL;
	if (o->version == 1) {
		/* version 1 ends before p_adjust: Holm, the default */
		memcpy(&o2, o, offsetof(candor_fairness_options, p_adjust));
		o2.version = CANDOR_FAIRNESS_OPTIONS_VERSION;
		o = &o2;
	}
	if ((st = check_options(o, acc)) != CANDOR_OK)
		return st;
	conf = o->confidence ? o->confidence : 0.95;
	min_size = o->min_group_size ? o->min_group_size
	           : o->policy && o->policy->min_group_size ? o->policy->min_group_size : 30;
	threads = o->threads ? o->threads : omp_get_max_threads();
	if ((st = build_plan(&p, acc, o->intersect)) != CANDOR_OK)
		goto done;
	st = CANDOR_ENOMEM;
	r = candor__calloc(1, sizeof(*r));
	gc = candor__mallocarray((p.G + 1) * 4, sizeof(*gc));
	if (!r || !gc)
		goto done;
	r->attrs = candor__calloc(p.A, sizeof(*r->attrs));
	r->groups = candor__calloc(p.G ? p.G : 1, sizeof(*r->groups));
	r->metric_store = candor__calloc((p.G + 1) * CANDOR_FM_COUNT, sizeof(*r->metric_store));
	r->summary_store = candor__calloc(p.A ? p.A * CANDOR_FS_COUNT : 1, sizeof(*r->summary_store));
	if (!r->attrs || !r->groups || !r->metric_store || !r->summary_store)
		goto done;
	for (size_t g = 0; g <= p.G; g++) {
		candor_fairness_group *G = g < p.G ? &r->groups[g] : &r->overall;

		G->metrics = r->metric_store + g * CANDOR_FM_COUNT;
		G->nmetrics = CANDOR_FM_COUNT;
	}
	for (size_t a = 0; a < p.A; a++) {
		r->attrs[a].summary = r->summary_store + a * CANDOR_FS_COUNT;
		r->attrs[a].nsummary = CANDOR_FS_COUNT;
	}
	for (size_t a = 0; a < p.A; a++) {
		r->attrs[a].name = candor__fair_keep(r, a < p.k ? candor__strdup(acc->names[a])
		                                             : intersection_name(acc));
		if (!r->attrs[a].name)
			goto done;
		r->attrs[a].is_intersection = a >= p.k;
		r->attrs[a].first_group = p.gfirst[a];
		r->attrs[a].ngroups = p.gfirst[a + 1] - p.gfirst[a];
	}
	if (p.A > p.k) {
		const size_t ni = p.gfirst[p.A] - p.gfirst[p.k];

		r->levels = candor__mallocarray(ni * p.k + 1, sizeof(*r->levels));
		if (!r->levels)
			goto done;
	}
	for (size_t g = 0; g < p.G; g++) {
		const char **parts = NULL;

		r->groups[g].attribute = p.gattr[g];
		if (p.gattr[g] >= p.k) {
			/* the parts point into names kept by the result */
			parts = r->levels + (g - p.gfirst[p.k]) * p.k;
			r->groups[g].levels = parts;
		}
		r->groups[g].name = candor__fair_keep(r, group_name(&p, g, parts));
		if (!r->groups[g].name)
			goto done;
		for (size_t b = 0; parts && b < p.k; b++) {
			parts[b] = candor__fair_keep(r, candor__strdup(parts[b]));
			if (!parts[b])
				goto done;
		}
	}
	r->overall.name = "overall";
	r->overall.attribute = NONE;
	/* point estimate, part 1: counts and count metrics (for the references) */
	{
		uint64_t *cc = candor__mallocarray(p.nne * 4 + 1, sizeof(*cc));

		if (!cc)
			goto done;
		for (size_t i = 0; i < p.nne; i++)
			cell_counts(&p, i, cc + 4 * i);
		aggregate(&p, cc, gc);
		candor__free(cc);
	}
	for (size_t a = 0; a < p.A; a++) {
		uint64_t total = 0;

		for (size_t g = p.gfirst[a]; g < p.gfirst[a + 1]; g++)
			total += gn(gc, g);
		r->attrs[a].nmissing = acc->nrows - total;
	}
	/* slots need the reference to place the disparities: a provisional
	 * layout without disparities first */
	p.off_dd = p.off_dr = p.off_sm = (p.G + 1) * p.M;
	v = candor__mallocarray((p.G + 1) * p.M, sizeof(*v));
	if (!v)
		goto done;
	fill_count_metrics(&p, gc, v);
	if ((st = choose_references(&p, r, gc, v, o)) != CANDOR_OK)
		goto done;
	for (size_t a = 0; a < p.A; a++)
		r->attrs[a].reference = p.ref[a];
	st = CANDOR_ENOMEM;
	if (plan_disparities(&p) != CANDOR_OK)
		goto done;
	candor__free(v);
	v = candor__mallocarray(p.nslots, sizeof(*v));
	r->disp = candor__calloc(p.D ? p.D : 1, sizeof(*r->disp));
	sreasons = candor__calloc((p.G + 1) * 4, sizeof(*sreasons));
	if (!v || !r->disp || !sreasons)
		goto done;
	fill_count_metrics(&p, gc, v);
	if (acc->with_scores) {
		pos = candor__mallocarray(acc->nrows + 1, sizeof(*pos));
		neg = candor__mallocarray(acc->nrows + 1, sizeof(*neg));
		if (!pos || !neg)
			goto done;
		fill_score_metrics(&p, v, pos, neg, NULL, 0, 0, sreasons);
	}
	derive(&p, gc, v);
	if (o->ci == CANDOR_FAIRNESS_CI_BOOTSTRAP) {
		boot_args b;
		size_t cells;

		R = o->bootstrap ? o->bootstrap : 1000;
		if (candor__mul_overflow(R, p.nslots, &cells) ||
		    cells > CANDOR_FAIRNESS_MAX_BOOTSTRAP_BYTES / sizeof(*rep)) {
			st = candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
			                   "fairness: %zu bootstrap replicates of %zu values each "
			                   "exceed the %zu MiB bound; ask for fewer", R, p.nslots,
			                   CANDOR_FAIRNESS_MAX_BOOTSTRAP_BYTES >> 20);
			goto done;
		}
		rep = candor__mallocarray(R, p.nslots * sizeof(*rep));
		if (!rep)
			goto done;
		b.p = &p;
		b.o = o;
		b.R = R;
		b.rep = rep;
		b.failed = false;
		run_bootstrap(&b, threads);
		if (b.failed)
			goto done;
	}
	st = fill_result(r, &p, gc, v, sreasons, rep, R, o, conf, min_size);
	if (st != CANDOR_OK)
		goto done;
	r->view.n = acc->nrows;
	r->view.has_scores = acc->with_scores;
	r->view.ci = o->ci;
	r->view.confidence = conf;
	r->view.bootstrap = R;
	r->view.seed = o->seed;
	r->view.min_group_size = min_size;
	r->view.overall = &r->overall;
	r->view.attributes = r->attrs;
	r->view.nattributes = p.A;
	r->view.groups = r->groups;
	r->view.ngroups = p.G;
	r->view.disparities = r->disp;
	r->view.ndisparities = p.D;
	r->view.p_adjust = o->p_adjust;
	if ((st = adjust_p_values(r, &p, o->p_adjust)) != CANDOR_OK)
		goto done;
	st = CANDOR_ENOMEM;
	r->view.pass = true;
	if (o->policy && (st = candor__fair_eval_policy(r, o->policy)) != CANDOR_OK)
		goto done;
	*out = r;
	r = NULL;
	st = CANDOR_OK;
done:
	if (st == CANDOR_ENOMEM)
		candor__oom();
	candor_fairness_result_free(r);
	plan_free(&p);
	candor__free(gc);
	candor__free(v);
	candor__free(rep);
	candor__free(pos);
	candor__free(neg);
	candor__free(sreasons);
	return st;
}

candor_status candor_fairness_options_init(candor_fairness_options *opts, unsigned int version)
{
	const size_t size = version == 1 ? offsetof(candor_fairness_options, p_adjust)
	                  : version == CANDOR_FAIRNESS_OPTIONS_VERSION ? sizeof(*opts) : 0;

	return candor__options_init(opts, size, version, CANDOR_FAIRNESS_OPTIONS_VERSION,
	                            "candor_fairness_options");
}
