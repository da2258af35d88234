/*
 * mitigate.c - group-specific, possibly randomised score thresholds that
 * maximise accuracy or balanced accuracy subject to a parity constraint,
 * found exactly from the groups' ROC convex hulls (Hardt, Price and Srebro
 * 2016, "Equality of opportunity in supervised learning"; the procedure of
 * fairlearn's ThresholdOptimizer), and reweighing (Kamiran and Calders
 * 2012). docs/mitigation.md explains it for users.
 *
 * ROC points. For a group with P positives and N negatives, the rule
 * "score >= t" for t = every distinct score, and t = +inf (no row), gives
 * the points (fp / N, tp / P): ties at a score are selected together, so
 * a point exists only between distinct scores. The rule at the lowest
 * score selects every row and is written t = -inf, which is what it means
 * for new rows too. Randomising between rules reaches every point of their
 * convex hull; the upper hull (from (0,0) to (1,1)) holds the rules that,
 * at a given false positive rate, selection rate or true positive rate,
 * are best for every objective that rewards tp and penalises fp, which
 * accuracy and balanced accuracy both do. It is built by Andrew's monotone
 * chain on the integer counts (cross products in 128-bit integers), so
 * collinear points are dropped exactly.
 *
 * The optimum. The objective is linear in the groups' rates: accuracy =
 * sum_g (P_g tpr_g - N_g fpr_g) / n + N / n; balanced accuracy = sum_g
 * (P_g tpr_g / P - N_g fpr_g / N) / 2 + 1/2.
 * - Demographic parity: every group at a common selection rate s. Along a
 *   group's upper hull the selection rate increases strictly and the
 *   group's term is linear in s on each hull segment, so the objective is
 *   piecewise linear in s with breakpoints only at the groups' vertices:
 *   the maximum is at one of those, and evaluating each is exact (where
 *   fairlearn searches a grid of 1000 rates).
 * - Equal opportunity: a common tpr t; a group's best point at tpr t is the
 *   leftmost point of its hull at height t, on its upper hull, linear in t
 *   between vertices: again, the maximum is at a vertex's tpr.
 * - Equalized odds: a common point (x, y), inside every group's hull. The
 *   intersection of the hulls is a convex polygon whose upper chain is
 *   y = m(x) = min_g u_g(x) (u_g the group's upper hull; every hull holds
 *   the diagonal, so the lower chain never matters for an objective that
 *   rewards y and penalises x). A(m(x)) - Bx is concave, so its maximum
 *   over the vertices of m is found by evaluating m at every group's
 *   vertex, taking the best, and then examining the crossings of the
 *   groups' segments in the two intervals beside it (by concavity the
 *   maximum lies there). A group whose hull is above y at x mixes its hull
 *   point with the constant coin of probability x, which sits at (x, x):
 *   fairlearn's p_ignore.
 * - None: every group at its own best vertex.
 * - A policy: a linear program over the full hulls (mitigate_policy.c).
 * Ties between equally good parameters go to the smallest.
 *
 * Sorting. Scores become 64-bit keys whose unsigned order is the numeric
 * order (-0 is made +0 first), and each (group, label) cell is sorted by
 * an LSD radix sort (11-bit digits, passes whose digit is constant
 * skipped), so 10 million rows sort in well under a second on one core.
 * The hull then comes from merging the positives and negatives of a group,
 * highest score first.
 */
#include <float.h>
#include <stddef.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fairness_int.h"
#include "mitigate_int.h"

/* ===== sorting ========================================================== */

static uint64_t score_key(double s)
{
	uint64_t k;

	if (s == 0.0)
		s = 0.0; /* -0 sorts with +0 */
	memcpy(&k, &s, sizeof(k));
	return (k & 0x8000000000000000ull) ? ~k : (k | 0x8000000000000000ull);
}

static double key_score(uint64_t k)
{
	double s;

	k = (k & 0x8000000000000000ull) ? (k & 0x7fffffffffffffffull) : ~k;
	memcpy(&s, &k, sizeof(s));
	return s;
}

static int cmp_u64(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Sort v[0..n) ascending; tmp holds n keys, count 6 * 2048 counters.
 * LSD radix sort with 11-bit digits (six passes; the histograms of all six
 * come from one read, and a pass whose digit is the same for every key is
 * skipped), whose counters stay in the first-level cache. */
#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_PASSES 6
static void radix_sort(uint64_t *v, uint64_t *tmp, size_t n, size_t *count)
{
	uint64_t *src = v, *dst = tmp;

	if (n < 1024) {
		qsort(v, n, sizeof(*v), cmp_u64);
		return;
	}
	memset(count, 0, RADIX_PASSES * RADIX_SIZE * sizeof(*count));
	for (size_t i = 0; i < n; i++) {
		const uint64_t k = v[i];

		for (int p = 0; p < RADIX_PASSES; p++)
			count[p * RADIX_SIZE + ((k >> (RADIX_BITS * p)) & (RADIX_SIZE - 1))]++;
	}
	for (int p = 0; p < RADIX_PASSES; p++) {
		const int shift = RADIX_BITS * p;
		size_t *c = count + p * RADIX_SIZE, sum = 0;

		if (c[(src[0] >> shift) & (RADIX_SIZE - 1)] == n)
			continue; /* every key has this digit */
		for (size_t d = 0; d < RADIX_SIZE; d++) {
			const size_t x = c[d];

			c[d] = sum;
			sum += x;
		}
		for (size_t i = 0; i < n; i++)
			dst[c[(src[i] >> shift) & (RADIX_SIZE - 1)]++] = src[i];
		{
			uint64_t *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
}

/* ===== hulls ============================================================ */

__extension__ typedef unsigned __int128 u128;

/* Push (tp, fp) onto a monotone chain: the upper chain (upper = true)
 * drops a last point on or below the line to the new one, the lower chain
 * one on or above it. */
static candor_status chain_push(candor__vertex **v, size_t *nv, size_t *cap, bool upper,
                                uint64_t tp, uint64_t fp, double thr)
{
	while (*nv >= 2) {
		const candor__vertex *r0 = &(*v)[*nv - 2], *r1 = &(*v)[*nv - 1];
		const u128 lhs = (u128)(r1->tp - r0->tp) * (fp - r0->fp);
		const u128 rhs = (u128)(tp - r0->tp) * (r1->fp - r0->fp);

		if (upper ? lhs <= rhs : lhs >= rhs)
			(*nv)--;
		else
			break;
	}
	if (*nv == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		candor__vertex *nvv = candor__reallocarray(*v, c, sizeof(*nvv));

		if (!nvv)
			return CANDOR_ENOMEM;
		*v = nvv;
		*cap = c;
	}
	(*v)[*nv].tp = tp;
	(*v)[*nv].fp = fp;
	(*v)[*nv].thr = thr;
	(*nv)++;
	return CANDOR_OK;
}

static candor_status hull_push(candor__hull *h, uint64_t tp, uint64_t fp, double thr)
{
	candor_status st = chain_push(&h->v, &h->nv, &h->cap, true, tp, fp, thr);

	if (st == CANDOR_OK)
		st = chain_push(&h->lo, &h->nlo, &h->locap, false, tp, fp, thr);
	return st;
}

static void chain_rates(const candor__hull *h, candor__vertex *v, size_t nv)
{
	for (size_t k = 0; k < nv; k++) {
		candor__vertex *p = &v[k];

		p->x = (double)p->fp / (double)h->N;
		p->y = (double)p->tp / (double)h->P;
		p->s = (double)(p->tp + p->fp) / (double)h->n;
	}
}

/* The upper hull of a group from its positives' and negatives' keys, each
 * sorted ascending. */
static candor_status hull_build(candor__hull *h, const uint64_t *pos, size_t np,
                                const uint64_t *neg, size_t nn)
{
	size_t i = np, j = nn; /* walk down from the end */
	uint64_t tp = 0, fp = 0;
	candor_status st;

	h->P = np;
	h->N = nn;
	h->n = np + nn;
	if ((st = hull_push(h, 0, 0, INFINITY)) != CANDOR_OK)
		return st;
	while (i > 0 || j > 0) {
		uint64_t k;
		double s;

		if (i > 0 && (j == 0 || pos[i - 1] >= neg[j - 1]))
			k = pos[i - 1];
		else
			k = neg[j - 1];
		s = key_score(k);
		while (i > 0 && key_score(pos[i - 1]) == s) {
			i--;
			tp++;
		}
		while (j > 0 && key_score(neg[j - 1]) == s) {
			j--;
			fp++;
		}
		st = hull_push(h, tp, fp, (i == 0 && j == 0) ? -INFINITY : s);
		if (st != CANDOR_OK)
			return st;
	}
	chain_rates(h, h->v, h->nv);
	chain_rates(h, h->lo, h->nlo);
	return CANDOR_OK;
}

/* ===== points on a hull ================================================= */

/* A point on group g's upper hull: weight p0 on vertex k, 1 - p0 on k + 1
 * (k + 1 unused when p0 == 1). */
typedef struct hpoint {
	size_t k;
	double p0;
	double x, y;
} hpoint;

static hpoint mix(const candor__hull *h, size_t k, double p0)
{
	hpoint r;

	if (p0 >= 1.0 || k + 1 >= h->nv) {
		r.k = k;
		r.p0 = 1.0;
		r.x = h->v[k].x;
		r.y = h->v[k].y;
		return r;
	}
	r.k = k;
	r.p0 = p0;
	r.x = p0 * h->v[k].x + (1.0 - p0) * h->v[k + 1].x;
	r.y = p0 * h->v[k].y + (1.0 - p0) * h->v[k + 1].y;
	return r;
}

/* The point at selection rate s in [0, 1] (s strictly increases along the
 * hull). */
static hpoint at_rate(const candor__hull *h, double s)
{
	size_t lo = 0, hi = h->nv - 1;

	if (s <= h->v[0].s)
		return mix(h, 0, 1.0);
	if (s >= h->v[hi].s)
		return mix(h, hi, 1.0);
	while (hi - lo > 1) { /* v[lo].s < s <= v[hi].s */
		const size_t mid = lo + (hi - lo) / 2;

		if (h->v[mid].s < s)
			lo = mid;
		else
			hi = mid;
	}
	if (h->v[hi].s == s)
		return mix(h, hi, 1.0);
	return mix(h, lo, (h->v[hi].s - s) / (h->v[hi].s - h->v[lo].s));
}

/* The leftmost point at tpr t: the first vertex with y >= t, or the mix of
 * it and the one before. */
static hpoint at_tpr(const candor__hull *h, double t)
{
	size_t lo = 0, hi = h->nv - 1;

	if (t <= h->v[0].y)
		return mix(h, 0, 1.0);
	if (t > h->v[hi].y)
		return mix(h, hi, 1.0);
	while (hi - lo > 1) { /* v[lo].y < t <= v[hi].y */
		const size_t mid = lo + (hi - lo) / 2;

		if (h->v[mid].y < t)
			lo = mid;
		else
			hi = mid;
	}
	if (h->v[hi].y == t)
		return mix(h, hi, 1.0);
	return mix(h, lo, (h->v[hi].y - t) / (h->v[hi].y - h->v[lo].y));
}

/* The highest point at fpr x: the last vertex with x_k <= x, or the mix of
 * it and the next one. */
static hpoint at_fpr(const candor__hull *h, double x)
{
	size_t lo = 0, hi = h->nv - 1;

	if (x >= h->v[hi].x)
		return mix(h, hi, 1.0);
	if (x < h->v[0].x)
		return mix(h, 0, 1.0);
	while (hi - lo > 1) { /* v[lo].x <= x < v[hi].x */
		const size_t mid = lo + (hi - lo) / 2;

		if (h->v[mid].x <= x)
			lo = mid;
		else
			hi = mid;
	}
	if (h->v[lo].x == x)
		return mix(h, lo, 1.0);
	return mix(h, lo, (h->v[hi].x - x) / (h->v[hi].x - h->v[lo].x));
}

/* ===== the optimum ====================================================== */

typedef struct problem {
	candor__hull *h;
	size_t G;
	double *a, *b;    /* objective: sum_g a_g tpr_g - b_g fpr_g + c */
	double c;
} problem;

static double term(const problem *p, size_t g, hpoint q)
{
	return p->a[g] * q.y - p->b[g] * q.x;
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Every vertex's coordinate (0: x, 1: y, 2: s) of every group, sorted and
 * deduplicated into *out. */
static candor_status candidates(const problem *p, int coord, double **out, size_t *nout)
{
	size_t total = 0, m = 0;
	double *c;

	for (size_t g = 0; g < p->G; g++)
		total += p->h[g].nv;
	c = candor__mallocarray(total, sizeof(*c));
	if (!c)
		return CANDOR_ENOMEM;
	for (size_t g = 0; g < p->G; g++)
		for (size_t k = 0; k < p->h[g].nv; k++) {
			const candor__vertex *v = &p->h[g].v[k];

			c[m++] = coord == 0 ? v->x : coord == 1 ? v->y : v->s;
		}
	qsort(c, m, sizeof(*c), cmp_double);
	total = 0;
	for (size_t i = 0; i < m; i++)
		if (total == 0 || c[i] != c[total - 1])
			c[total++] = c[i];
	*out = c;
	*nout = total;
	return CANDOR_OK;
}

/* Demographic parity (coord 2) or equal opportunity (coord 1): the best
 * common rate among the vertices' rates; pts[g] gets each group's point.
 * The objective is the sum of the groups' piecewise-linear terms, so it is
 * swept over the sorted breakpoints with the sum of the slopes (each
 * segment adds its slope change at its start): O(V log V) for V vertices
 * in all, whatever the number of groups. The chosen rate's points are then
 * computed directly. */
typedef struct event {
	double at, dslope;
} event;

static int cmp_event(const void *a, const void *b)
{
	const double x = ((const event *)a)->at, y = ((const event *)b)->at;

	return (x > y) - (x < y);
}

static candor_status solve_common_rate(const problem *p, int coord, hpoint *pts, double *best)
{
	size_t total = 0, m = 0, i = 0;
	event *ev;
	double f = 0.0, slope = 0.0, pos = 0.0, bestv = -INFINITY, bestc = 0.0;

	for (size_t g = 0; g < p->G; g++)
		total += p->h[g].nv;
	ev = candor__mallocarray(total ? total : 1, sizeof(*ev));
	if (!ev)
		return CANDOR_ENOMEM;
	for (size_t g = 0; g < p->G; g++) {
		const candor__hull *h = &p->h[g];
		double prev = 0.0;

		for (size_t k = 0; k + 1 < h->nv; k++) {
			const candor__vertex *u = &h->v[k], *w = &h->v[k + 1];
			const double p0 = coord == 2 ? u->s : u->y, p1 = coord == 2 ? w->s : w->y;
			double sl;

			if (!(p1 > p0))
				continue; /* the flat top of a hull: tpr stays 1 */
			sl = ((p->a[g] * w->y - p->b[g] * w->x) - (p->a[g] * u->y - p->b[g] * u->x)) /
			     (p1 - p0);
			ev[m].at = p0;
			ev[m++].dslope = sl - prev;
			prev = sl;
		}
	}
	qsort(ev, m, sizeof(*ev), cmp_event);
	/* every group's term is 0 at rate 0, its vertex (0, 0) */
	for (;;) {
		double next;

		if (f > bestv) {
			bestv = f;
			bestc = pos;
		}
		while (i < m && ev[i].at <= pos)
			slope += ev[i++].dslope;
		next = i < m ? ev[i].at : 1.0;
		if (!(next > pos))
			break;
		f += slope * (next - pos);
		pos = next;
	}
	for (size_t g = 0; g < p->G; g++)
		pts[g] = coord == 2 ? at_rate(&p->h[g], bestc) : at_tpr(&p->h[g], bestc);
	*best = bestc;
	candor__free(ev);
	return CANDOR_OK;
}

/* m(x) = min_g u_g(x). */
static double envelope(const problem *p, double x)
{
	double m = INFINITY;

	for (size_t g = 0; g < p->G; g++) {
		const double y = at_fpr(&p->h[g], x).y;

		if (y < m)
			m = y;
	}
	return m;
}

static void odds_sums(const problem *p, double *A, double *B)
{
	*A = 0.0;
	*B = 0.0;
	for (size_t g = 0; g < p->G; g++) {
		*A += p->a[g];
		*B += p->b[g];
	}
}

/* The maximum of A m(x) - B x on [xl, xr], where every u_g is linear: walk
 * the lower envelope of the G lines from xl, switching at each crossing to
 * the line of smaller slope, until the envelope's slope falls to B / A
 * (concavity: from there the objective only falls). O(G) per crossing. */
static void odds_interval(const problem *p, double *sl, double *yl, double xl, double xr,
                          double *bx, double *bv)
{
	double A, B, x = xl;
	size_t cur = 0;

	odds_sums(p, &A, &B);
	for (size_t g = 0; g < p->G; g++) {
		yl[g] = at_fpr(&p->h[g], xl).y;
		sl[g] = (at_fpr(&p->h[g], xr).y - yl[g]) / (xr - xl);
		if (yl[g] < yl[cur] || (yl[g] == yl[cur] && sl[g] < sl[cur]))
			cur = g;
	}
	for (size_t steps = 0; steps <= p->G; steps++) {
		const double ycur = yl[cur] + sl[cur] * (x - xl);
		double xc = INFINITY;
		size_t nxt = cur;

		if (A * sl[cur] - B <= 0.0)
			break;
		for (size_t h = 0; h < p->G; h++) {
			double c;

			if (!(sl[h] < sl[cur]))
				continue;
			c = x + ((yl[h] + sl[h] * (x - xl)) - ycur) / (sl[cur] - sl[h]);
			if (c < xc || (c == xc && sl[h] < sl[nxt])) {
				xc = c;
				nxt = h;
			}
		}
		if (!(xc < xr)) {
			x = xr;
			break;
		}
		if (xc > x)
			x = xc;
		cur = nxt;
	}
	if (x > xl && x < xr) {
		const double f = A * envelope(p, x) - B * x + p->c;

		if (f > *bv || (f == *bv && x < *bx)) {
			*bv = f;
			*bx = x;
		}
	}
}

/* Equalized odds: m at every vertex's fpr (one pointer per group, so
 * O(V G)), then the crossings beside the best. */
static candor_status solve_odds(const problem *p, double *bx_out, double *by_out)
{
	double *c = NULL, *sl = NULL, *yl = NULL, bv = -INFINITY, bx = 0.0, A, B;
	size_t nc = 0, bk = 0, *at = NULL;
	candor_status st = candidates(p, 0, &c, &nc);

	if (st != CANDOR_OK)
		return st;
	at = candor__calloc(p->G, sizeof(*at));
	sl = candor__calloc(p->G, sizeof(*sl));
	yl = candor__calloc(p->G, sizeof(*yl));
	if (!at || !sl || !yl) {
		st = CANDOR_ENOMEM;
		goto done;
	}
	odds_sums(p, &A, &B);
	for (size_t i = 0; i < nc; i++) {
		const double x = c[i];
		double m = INFINITY, f;

		for (size_t g = 0; g < p->G; g++) {
			const candor__hull *h = &p->h[g];
			size_t j = at[g];
			double y;

			while (j + 1 < h->nv && h->v[j + 1].x <= x)
				j++;
			at[g] = j;
			if (h->v[j].x == x || j + 1 == h->nv)
				y = h->v[j].y;
			else
				y = h->v[j].y + (h->v[j + 1].y - h->v[j].y) * (x - h->v[j].x) /
				                    (h->v[j + 1].x - h->v[j].x);
			if (y < m)
				m = y;
		}
		f = A * m - B * x + p->c;
		if (f > bv) {
			bv = f;
			bx = x;
			bk = i;
		}
	}
	if (bk > 0)
		odds_interval(p, sl, yl, c[bk - 1], c[bk], &bx, &bv);
	if (bk + 1 < nc)
		odds_interval(p, sl, yl, c[bk], c[bk + 1], &bx, &bv);
	*bx_out = bx;
	*by_out = envelope(p, bx);
done:
	candor__free(c);
	candor__free(at);
	candor__free(sl);
	candor__free(yl);
	return st;
}

/* ===== the rule of a group ============================================== */

/* Fill r from the hull point q, mixed with the coin of probability
 * `constant` with probability p_ignore. */
static void make_rule_on(candor_mitigate_group_rule *r, const candor__hull *h,
                         const candor__vertex *chain, hpoint q, double p_ignore, double constant)
{
	const candor__vertex *v0 = &chain[q.k];
	const candor__vertex *v1 = q.p0 < 1.0 ? &chain[q.k + 1] : v0;
	const double pi = p_ignore, c = constant;
	double thr[2], base[3], prob[3];
	size_t nt = 0, nb = 0;

	r->threshold0 = v0->thr;
	r->threshold1 = v1->thr;
	r->p0 = q.p0;
	r->p_ignore = pi;
	r->constant = c;
	r->n = h->n;
	r->positives = h->P;
	r->hull_vertices = h->nv;
	r->tp = (1.0 - pi) * (q.p0 * (double)v0->tp + (1.0 - q.p0) * (double)v1->tp) +
	        pi * c * (double)h->P;
	r->fp = (1.0 - pi) * (q.p0 * (double)v0->fp + (1.0 - q.p0) * (double)v1->fp) +
	        pi * c * (double)h->N;
	r->fn = (double)h->P - r->tp;
	r->tn = (double)h->N - r->fp;
	r->selection_rate = (r->tp + r->fp) / (double)h->n;
	r->tpr = r->tp / (double)h->P;
	r->fpr = r->fp / (double)h->N;
	r->accuracy = (r->tp + r->tn) / (double)h->n;

	/* step function: v1->thr <= v0->thr; below v1: 0, between: 1 - p0,
	 * at or above v0: 1 (regions no score reaches are left out: +inf
	 * selects no row, -inf every row) */
	if (v0 == v1) {
		if (v0->thr == INFINITY) {
			base[nb++] = 0.0;
		} else if (v0->thr == -INFINITY) {
			base[nb++] = 1.0;
		} else {
			base[nb++] = 0.0;
			thr[nt++] = v0->thr;
			base[nb++] = 1.0;
		}
	} else {
		if (isfinite(v1->thr)) {
			base[nb++] = 0.0;
			thr[nt++] = v1->thr;
		}
		base[nb++] = 1.0 - q.p0;
		if (isfinite(v0->thr)) {
			thr[nt++] = v0->thr;
			base[nb++] = 1.0;
		}
	}
	(void)nt; /* nt == nb - 1: thr[i - 1] separates base[i - 1] and base[i] */
	for (size_t i = 0; i < nb; i++)
		prob[i] = (1.0 - pi) * base[i] + pi * c;
	/* merge equal neighbours */
	r->nthresholds = 0;
	r->prob[0] = prob[0];
	for (size_t i = 1; i < nb; i++) {
		if (prob[i] == r->prob[r->nthresholds])
			continue;
		r->thresholds[r->nthresholds] = thr[i - 1];
		r->nthresholds++;
		r->prob[r->nthresholds] = prob[i];
	}
	r->randomised = false;
	for (size_t i = 0; i <= r->nthresholds; i++)
		if (r->prob[i] > 0.0 && r->prob[i] < 1.0)
			r->randomised = true;
}

static void make_rule(candor_mitigate_group_rule *r, const candor__hull *h, hpoint q,
                      double p_ignore, double constant)
{
	make_rule_on(r, h, h->v, q, p_ignore, constant);
}

/* ===== fitting ========================================================== */

void candor__mitigate_rule_free(candor_mitigate_rule *r)
{
	if (!r)
		return;
	if (r->names)
		for (size_t g = 0; g < r->view.ngroups; g++)
			candor__free(r->names[g]);
	candor__free(r->names);
	candor__free(r->groups);
	candor__free(r);
}

void candor_mitigate_rule_free(candor_mitigate_rule *rule)
{
	candor__mitigate_rule_free(rule);
}

const candor_mitigate_rule_contents *candor_mitigate_rule_view(const candor_mitigate_rule *rule)
{
	return rule ? &rule->view : NULL;
}

const char *candor_mitigate_constraint_name(candor_mitigate_constraint c)
{
	switch (c) {
	case CANDOR_MITIGATE_NONE: return "none";
	case CANDOR_MITIGATE_DEMOGRAPHIC_PARITY: return "demographic_parity";
	case CANDOR_MITIGATE_EQUALIZED_ODDS: return "equalized_odds";
	case CANDOR_MITIGATE_EQUAL_OPPORTUNITY: return "equal_opportunity";
	case CANDOR_MITIGATE_POLICY: return "policy";
	}
	return NULL;
}

candor_status candor__mitigate_check_options(candor_mitigate_options *out,
                                             const candor_mitigate_options *in)
{
	const candor_mitigate_options *o = out;

	/* Version 1 ends before threshold_set, and its threshold 0 meant 0.5. */
	memset(out, 0, sizeof(*out));
	if (in->version == 1) {
		memcpy(out, in, offsetof(candor_mitigate_options, threshold_set));
		out->threshold_set = in->threshold != 0.0;
	} else if (in->version == CANDOR_MITIGATE_OPTIONS_VERSION) {
		*out = *in;
		if (!in->threshold_set && in->threshold != 0.0)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "mitigate: options.threshold is given but not "
			                     "options.threshold_set");
	} else {
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "mitigate: options version %u, expected 1 or %u", in->version,
		                     CANDOR_MITIGATE_OPTIONS_VERSION);
	}
	out->version = CANDOR_MITIGATE_OPTIONS_VERSION;
	if (!out->threshold_set)
		out->threshold = 0.5;
	out->threshold_set = true;
	if (!candor_mitigate_constraint_name(o->constraint))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "mitigate: unknown constraint %d",
		                     (int)o->constraint);
	if (o->objective != CANDOR_MITIGATE_ACCURACY &&
	    o->objective != CANDOR_MITIGATE_BALANCED_ACCURACY)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "mitigate: unknown objective %d",
		                     (int)o->objective);
	if (!isfinite(o->threshold))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "mitigate: threshold is not finite");
	if (!(o->split >= 0.0 && o->split < 1.0))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "mitigate: split must be in [0, 1) (the held-out fraction)");
	if (!(o->confidence == 0.0 || (o->confidence > 0.0 && o->confidence < 1.0)))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "mitigate: confidence must be in (0, 1)");
	if (o->threads < 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "mitigate: negative thread count");
	if ((o->constraint == CANDOR_MITIGATE_POLICY) != (o->policy != NULL))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     o->policy ? "mitigate: a policy is used only with the policy "
		                                 "constraint"
		                               : "mitigate: the policy constraint needs a policy");
	return CANDOR_OK;
}

candor_status candor__mitigate_check_rows(const candor_mitigate_rows *rows, size_t ngroups)
{
	uint8_t bad = 0;

	if (!rows || (rows->n && (!rows->label || !rows->score || !rows->group)))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "mitigate: NULL rows");
	if (ngroups == 0 || ngroups > CANDOR_MITIGATE_MAX_GROUPS)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "mitigate: ngroups must be 1 to %d", CANDOR_MITIGATE_MAX_GROUPS);
	for (size_t i = 0; i < rows->n; i++)
		bad |= (uint8_t)(rows->label[i] > 1) |
		       (uint8_t)((rows->group[i] < 0 || (size_t)rows->group[i] >= ngroups) << 1) |
		       (uint8_t)(!isfinite(rows->score[i]) << 2);
	if (bad) {
		for (size_t i = 0; i < rows->n; i++) {
			if (rows->label[i] > 1)
				return candor__error(CANDOR_EINVAL, NULL, 0, 0,
				                     "mitigate: label of row %zu is %u, not 0 or 1", i,
				                     rows->label[i]);
			if (rows->group[i] < 0 || (size_t)rows->group[i] >= ngroups)
				return candor__error(CANDOR_EINVAL, NULL, 0, 0,
				                     "mitigate: group code of row %zu is %d, outside "
				                     "[0, %zu)", i, (int)rows->group[i], ngroups);
			if (!isfinite(rows->score[i]))
				return candor__error(CANDOR_EINVAL, NULL, 0, 0,
				                     "mitigate: score of row %zu is not finite", i);
		}
	}
	return CANDOR_OK;
}

static candor_status build_hulls(candor__hull *h, const candor_mitigate_rows *rows, size_t G,
                                 char *const *names)
{
	size_t *off = NULL, *count = NULL, *fill = NULL;
	uint64_t *keys = NULL, *tmp = NULL;
	candor_status st = CANDOR_OK;
	const size_t n = rows->n;

	off = candor__calloc(2 * G + 1, sizeof(*off));
	fill = candor__calloc(2 * G, sizeof(*fill));
	count = candor__mallocarray(RADIX_PASSES * RADIX_SIZE, sizeof(*count));
	keys = candor__mallocarray(n ? n : 1, sizeof(*keys));
	tmp = candor__mallocarray(n ? n : 1, sizeof(*tmp));
	if (!off || !fill || !count || !keys || !tmp) {
		st = CANDOR_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		off[2 * (size_t)rows->group[i] + rows->label[i] + 1]++;
	for (size_t c = 0; c < 2 * G; c++)
		off[c + 1] += off[c];
	for (size_t i = 0; i < n; i++) {
		const size_t c = 2 * (size_t)rows->group[i] + rows->label[i];

		keys[off[c] + fill[c]++] = score_key(rows->score[i]);
	}
	for (size_t g = 0; g < G; g++) {
		const size_t nn = off[2 * g + 1] - off[2 * g], np = off[2 * g + 2] - off[2 * g + 1];

		if (np == 0 || nn == 0) {
			st = candor__error(CANDOR_EDOMAIN, NULL, 0, 0,
			                   "group '%s' has %s: its ROC curve, and so any rule with a "
			                   "parity constraint, is undefined",
			                   names[g], np + nn == 0 ? "no rows" : np == 0 ?
			                   "no favourable label" : "no unfavourable label");
			goto done;
		}
		radix_sort(keys + off[2 * g], tmp, nn, count);
		radix_sort(keys + off[2 * g + 1], tmp, np, count);
		st = hull_build(&h[g], keys + off[2 * g + 1], np, keys + off[2 * g], nn);
		if (st != CANDOR_OK)
			goto done;
	}
done:
	candor__free(off);
	candor__free(fill);
	candor__free(count);
	candor__free(keys);
	candor__free(tmp);
	return st;
}

candor_status candor_mitigate_rule_fit(candor_mitigate_rule **out,
                                       const candor_mitigate_rows *rows, size_t ngroups,
                                       const char *const *group_names,
                                       const char *policy_attribute,
                                       const candor_mitigate_options *opts)
{
	const candor_mitigate_options defaults = CANDOR_MITIGATE_OPTIONS_INIT;
	candor_mitigate_options opts_v;
	candor_mitigate_rule *r = NULL;
	candor__hull *h = NULL;
	hpoint *pts = NULL;
	problem p = {0};
	candor_status st;
	uint64_t P = 0, N = 0;
	const size_t G = ngroups;

	if (!out)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "mitigate: NULL argument");
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if ((st = candor__mitigate_check_options(&opts_v, opts)) != CANDOR_OK)
		return st;
	opts = &opts_v;
	if ((st = candor__mitigate_check_rows(rows, ngroups)) != CANDOR_OK)
		return st;

	r = candor__calloc(1, sizeof(*r));
	if (!r)
		return CANDOR_ENOMEM;
	r->names = candor__calloc(G, sizeof(*r->names));
	r->groups = candor__calloc(G, sizeof(*r->groups));
	h = candor__calloc(G, sizeof(*h));
	pts = candor__calloc(G, sizeof(*pts));
	p.a = candor__calloc(G, sizeof(*p.a));
	p.b = candor__calloc(G, sizeof(*p.b));
	if (!r->names || !r->groups || !h || !pts || !p.a || !p.b) {
		st = CANDOR_ENOMEM;
		goto fail;
	}
	r->view.ngroups = G;
	for (size_t g = 0; g < G; g++) {
		char buf[32];

		if (group_names && group_names[g]) {
			r->names[g] = candor__strdup(group_names[g]);
		} else {
			snprintf(buf, sizeof(buf), "%zu", g);
			r->names[g] = candor__strdup(buf);
		}
		if (!r->names[g]) {
			st = CANDOR_ENOMEM;
			goto fail;
		}
		r->groups[g].group = r->names[g];
	}
	if ((st = build_hulls(h, rows, G, r->names)) != CANDOR_OK)
		goto fail;

	for (size_t g = 0; g < G; g++) {
		P += h[g].P;
		N += h[g].N;
	}
	p.h = h;
	p.G = G;
	for (size_t g = 0; g < G; g++) {
		if (opts->objective == CANDOR_MITIGATE_ACCURACY) {
			p.a[g] = (double)h[g].P / (double)rows->n;
			p.b[g] = (double)h[g].N / (double)rows->n;
		} else {
			p.a[g] = (double)h[g].P / (2.0 * (double)P);
			p.b[g] = (double)h[g].N / (2.0 * (double)N);
		}
	}
	p.c = opts->objective == CANDOR_MITIGATE_ACCURACY ? (double)N / (double)rows->n : 0.5;

	switch (opts->constraint) {
	case CANDOR_MITIGATE_NONE:
		for (size_t g = 0; g < G; g++) {
			double best = -INFINITY;

			for (size_t k = 0; k < h[g].nv; k++) {
				const hpoint q = mix(&h[g], k, 1.0);

				if (term(&p, g, q) > best) {
					best = term(&p, g, q);
					pts[g] = q;
				}
			}
			make_rule(&r->groups[g], &h[g], pts[g], 0.0, 0.0);
		}
		break;
	case CANDOR_MITIGATE_DEMOGRAPHIC_PARITY:
	case CANDOR_MITIGATE_EQUAL_OPPORTUNITY: {
		double best;
		const int coord = opts->constraint == CANDOR_MITIGATE_DEMOGRAPHIC_PARITY ? 2 : 1;

		if ((st = solve_common_rate(&p, coord, pts, &best)) != CANDOR_OK)
			goto fail;
		for (size_t g = 0; g < G; g++)
			make_rule(&r->groups[g], &h[g], pts[g], 0.0, 0.0);
		break;
	}
	case CANDOR_MITIGATE_POLICY: {
		double *x = candor__calloc(G, sizeof(double)), *y = candor__calloc(G, sizeof(double));
		bool *below = candor__calloc(G, sizeof(bool));

		st = x && y && below ? candor__mitigate_policy(x, y, below, h, G, p.a, p.b, opts->policy,
		                                               policy_attribute ? policy_attribute : "")
		                     : CANDOR_ENOMEM;
		for (size_t g = 0; st == CANDOR_OK && g < G; g++) {
			if (!below[g]) {
				/* the upper hull's point at x, mixed down to y with the coin */
				const hpoint q = at_fpr(&h[g], x[g]);
				const double pi = q.y - y[g] > 8.0 * DBL_EPSILON ? (q.y - y[g]) / (q.y - x[g])
				                                                 : 0.0;

				make_rule(&r->groups[g], &h[g], q, pi, x[g]);
			} else {
				/* the lower chain's point at x, mixed up to y with the coin */
				hpoint q;
				double yl;

				candor__mitigate_lower_at(&h[g], x[g], &q.k, &q.p0, &yl);
				q.x = x[g];
				q.y = yl;
				make_rule_on(&r->groups[g], &h[g], h[g].lo, q,
				             y[g] - yl > 8.0 * DBL_EPSILON ? (y[g] - yl) / (x[g] - yl) : 0.0,
				             x[g]);
			}
		}
		candor__free(x);
		candor__free(y);
		candor__free(below);
		if (st != CANDOR_OK)
			goto fail;
		break;
	}
	case CANDOR_MITIGATE_EQUALIZED_ODDS: {
		double bx, by;

		if ((st = solve_odds(&p, &bx, &by)) != CANDOR_OK)
			goto fail;
		for (size_t g = 0; g < G; g++) {
			const hpoint q = at_fpr(&h[g], bx);
			/* a group whose hull passes through (bx, by) up to rounding
			 * (a crossing computed from two groups' segments) needs no
			 * coin: distinct rates k/N differ by far more than this */
			const double pi = q.y - by > 8.0 * DBL_EPSILON ? (q.y - by) / (q.y - bx) : 0.0;

			make_rule(&r->groups[g], &h[g], q, pi, bx);
		}
		break;
	}
	}

	r->view.constraint = opts->constraint;
	r->view.objective = opts->objective;
	r->view.groups = r->groups;
	r->view.n = rows->n;
	{
		double tp = 0.0, tn = 0.0;

		for (size_t g = 0; g < G; g++) {
			tp += r->groups[g].tp;
			tn += r->groups[g].tn;
		}
		r->view.accuracy = (tp + tn) / (double)rows->n;
		r->view.balanced_accuracy = 0.5 * (tp / (double)P + tn / (double)N);
		r->view.objective_value = opts->objective == CANDOR_MITIGATE_ACCURACY
		                              ? r->view.accuracy : r->view.balanced_accuracy;
	}
	for (size_t g = 0; g < G; g++) {
		candor__free(h[g].v);
		candor__free(h[g].lo);
	}
	candor__free(h);
	candor__free(pts);
	candor__free(p.a);
	candor__free(p.b);
	*out = r;
	return CANDOR_OK;
fail:
	for (size_t g = 0; h && g < G; g++) {
		candor__free(h[g].v);
		candor__free(h[g].lo);
	}
	candor__free(h);
	candor__free(pts);
	candor__free(p.a);
	candor__free(p.b);
	candor__mitigate_rule_free(r);
	return st;
}

/* ===== applying ========================================================= */

static double rule_prob1(const candor_mitigate_group_rule *r, double s)
{
	size_t j = 0;

	while (j < r->nthresholds && s >= r->thresholds[j])
		j++;
	return r->prob[j];
}

candor_status candor_mitigate_rule_prob(const candor_mitigate_rule *rule, double *out,
                                        const double *score, const int32_t *group, size_t n)
{
	if (!rule || (n && (!out || !score || !group)))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "mitigate: NULL argument");
	for (size_t i = 0; i < n; i++) {
		if (group[i] < 0 || (size_t)group[i] >= rule->view.ngroups)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "mitigate: group code of row %zu is %d, outside [0, %zu)", i,
			                     (int)group[i], rule->view.ngroups);
		if (!isfinite(score[i]))
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "mitigate: score of row %zu is not finite", i);
		out[i] = rule_prob1(&rule->groups[group[i]], score[i]);
	}
	return CANDOR_OK;
}

double candor__mitigate_uniform(uint64_t seed, uint64_t row, uint64_t stream)
{
	return (double)(candor__stream_seed(seed, row, stream) >> 11) * 0x1.0p-53;
}

candor_status candor_mitigate_rule_decide(const candor_mitigate_rule *rule, uint8_t *out,
                                          const double *score, const int32_t *group, size_t n,
                                          uint64_t seed, uint64_t first_row, uint64_t stream)
{
	if (!rule || (n && (!out || !score || !group)))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "mitigate: NULL argument");
	for (size_t i = 0; i < n; i++) {
		double q;

		if (group[i] < 0 || (size_t)group[i] >= rule->view.ngroups)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "mitigate: group code of row %zu is %d, outside [0, %zu)", i,
			                     (int)group[i], rule->view.ngroups);
		if (!isfinite(score[i]))
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "mitigate: score of row %zu is not finite", i);
		q = rule_prob1(&rule->groups[group[i]], score[i]);
		out[i] = q >= 1.0 ? 1 : q <= 0.0 ? 0 :
		         (uint8_t)(candor__mitigate_uniform(seed, first_row + i, stream) < q);
	}
	return CANDOR_OK;
}

/* ===== reweighing ======================================================= */

candor_status candor_mitigate_reweigh(double *out, const candor_mitigate_rows *rows,
                                      size_t ngroups)
{
	uint64_t *cnt, ny[2] = {0, 0};
	candor_status st;

	if (!out)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "mitigate: NULL argument");
	if ((st = candor__mitigate_check_rows(rows, ngroups)) != CANDOR_OK)
		return st;
	if (rows->n == 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "mitigate: no rows to reweigh");
	cnt = candor__calloc(2 * ngroups, sizeof(*cnt));
	if (!cnt)
		return CANDOR_ENOMEM;
	for (size_t i = 0; i < rows->n; i++) {
		cnt[2 * (size_t)rows->group[i] + rows->label[i]]++;
		ny[rows->label[i]]++;
	}
	for (size_t g = 0; g < ngroups; g++) {
		const double ng = (double)(cnt[2 * g] + cnt[2 * g + 1]);

		for (int y = 0; y < 2; y++) {
			const uint64_t c = cnt[2 * g + (size_t)y];

			out[2 * g + (size_t)y] =
			    c ? ng * (double)ny[y] / ((double)rows->n * (double)c) : 0.0;
		}
	}
	candor__free(cnt);
	return CANDOR_OK;
}

candor_status candor_mitigate_options_init(candor_mitigate_options *opts, unsigned int version)
{
	const size_t size = version == 1 ? offsetof(candor_mitigate_options, threshold_set)
	                  : version == CANDOR_MITIGATE_OPTIONS_VERSION ? sizeof(*opts) : 0;

	return candor__options_init(opts, size, version, CANDOR_MITIGATE_OPTIONS_VERSION,
	                            "candor_mitigate_options");
}
