/*
 * treeshap.c - exact SHAP values of tree ensembles (the one tree engine of
 * models/tree_int.h: XGBoost and LightGBM models alike; no per-format code).
 *
 * Path-dependent TreeSHAP: Lundberg, Erion, Chen, DeGrave, Prutkin, Nair,
 * Katz, Himmelfarb, Bansal & Lee (2020), "From local explanations to global
 * understanding with explainable AI for trees", Nature Machine Intelligence
 * 2, 56-67, Algorithm 2 (and its interaction values, Section 2.7 of the
 * supplement, computed as XGBoost's pred_interactions does). Interventional
 * TreeSHAP against a background set: the same paper, "Interventional Tree
 * SHAP" (Methods), one background row at a time.
 *
 * Values are in margin space, in the layout of XGBoost's pred_contribs: for
 * row r and output k, phi[(r*K + k)*(M+1) + j] for feature j and the base
 * value (expected margin) at j = M.
 *
 * How it is organised, and where it departs from the paper:
 *
 * 1. Fast TreeSHAP v2 (Yang 2021, "Fast TreeSHAP: accelerating SHAP value
 *    computation for trees", arXiv:2109.09847) for path-dependent values.
 *    For a leaf l with value v, d unique features on its path, zero
 *    fractions z_j (product of cover ratios of the path's edges at nodes
 *    splitting on j) and the set T of path features whose conditions row x
 *    satisfies, the leaf adds to feature i of its path
 *        i in T:      v * Zc(T) * (1 - z_i) * H(T \ {i})
 *        i not in T: -v * Zc(T) * H(T)
 *    with Zc(T) = prod_{j not in T} z_j and
 *        H(U) = sum_{S subset of U} |S|!(d-|S|-1)!/d! * prod_{j in U\S} z_j.
 *    Both depend on the model only, so they are tabulated once per call for
 *    every leaf and every subset (2^d entries each, built from the
 *    polynomials prod_{j in U}(t + z_j)). Per row a tree costs one
 *    comparison per internal node plus d table look-ups per leaf, instead of
 *    the O(d^2) path updates per leaf of Algorithm 2. This is our own
 *    derivation of Yang's v2 idea with two tables per leaf rather than his
 *    per-subset value vectors. T is found in one breadth-first pass over the
 *    flat node array: each internal node knows the "slot" of its feature
 *    among the unique features of its own root path (first occurrence
 *    order), which is the same slot for every leaf below it.
 *    Trees whose leaves would need more than 2^TS_FAST_MAX_D entries, or
 *    that do not fit TS_FAST_BUDGET bytes of tables, use Algorithm 2.
 * 2. Algorithm 2 itself (ts_recurse), in double rather than XGBoost's
 *    float, with XGBoost's conditioning on one feature (on / off) for the
 *    interaction values; the path buffer is a per-thread workspace sized
 *    from the maximum depth, as in the paper.
 * 3. Interactions follow XGBoost's CPU predictor: off-diagonal (i, j) is
 *    half the difference of feature j's values conditioned on i present and
 *    absent; the diagonal is phi_i minus the row's off-diagonal sum; the
 *    base value sits at (M, M). XGBoost reruns Algorithm 2 twice per
 *    feature; here a leaf's share of every pair of its path features comes
 *    from the tables of point 1 in closed form (see "interaction values"
 *    below), and only trees without tables are conditioned, on the
 *    features they split on.
 * 4. Interventional values (ts_interv): for each background row z and
 *    tree, a walk that branches only where x and z part ways, keeping the
 *    set A of features that must come from x and B from z; a leaf reached
 *    with |A| = a, |B| = b adds v * (a-1)! b! / (a+b)! to each feature in A
 *    and subtracts v * a! (b-1)! / (a+b)! from each in B. A feature met
 *    again on the path must keep its side. The mean over background rows is
 *    exact, with no sampling.
 *
 * Threads: rows are split into blocks, one block per OpenMP task; within a
 * block every row sums its trees in tree order, so results do not depend on
 * the thread count. Workspaces are allocated before the parallel region, one
 * per thread; nothing is allocated per row.
 *
 * Arithmetic follows the model's format where it decides the path (each
 * node's rule, candor__tree_left: XGBoost's float(x) < float threshold,
 * LightGBM's x <= threshold with its missing types and category bitsets)
 * and uses double elsewhere, so values agree with XGBoost's float results
 * to about 1e-6 relative and with LightGBM's double ones to about 1e-12.
 */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "candor/treeshap.h"
#include "core/core_int.h"
#include "explain/treeshap_int.h"
#include "models/tree_int.h"

#define TS_FAST_MAX_D 14                /* 2 * 2^14 doubles = 256 KiB per leaf at most */
#define TS_FAST_BUDGET ((size_t)256 << 20) /* bytes of tables per call */
#define TS_BLOCK 16                     /* rows per task */

/* ===== the per-call plan: tables shared by every row ===================== */

typedef struct ts_leaf {
	uint32_t d;   /* unique features on the path */
	uint32_t fo;  /* offset of its features / (1 - z) in plan->feat / plan->omz */
	size_t to;    /* offset of Zc (2^d) then v*H (2^d) in plan->tab */
} ts_leaf;

typedef struct ts_plan {
	const candor__tree_ensemble *ens;
	size_t M, K;
	uint8_t *slot;        /* nnodes: slot of an internal node's feature on its path */
	uint32_t *leafrec;    /* nnodes: a leaf's index in leaves[] */
	ts_leaf *leaves;
	int32_t *feat;        /* path features of each leaf, slot order */
	double *omz;          /* 1 - z_j, slot order */
	double *tab;
	bool *fast;           /* ntrees: use the tables */
	double *tree_mean;    /* ntrees: cover-weighted mean leaf value */
	size_t *ftree_off;    /* M + 1: trees splitting on feature j are */
	uint32_t *ftree;      /*   ftree[ftree_off[j] .. ftree_off[j+1]) */
	uint32_t max_path;    /* workspace size of Algorithm 2 (path elements) */
} ts_plan;

static void plan_free(ts_plan *p)
{
	candor__free(p->slot);
	candor__free(p->leafrec);
	candor__free(p->leaves);
	candor__free(p->feat);
	candor__free(p->omz);
	candor__free(p->tab);
	candor__free(p->fast);
	candor__free(p->tree_mean);
	candor__free(p->ftree_off);
	candor__free(p->ftree);
	memset(p, 0, sizeof *p);
}

/* The ratio of a child's cover to its parent's (XGBoost's zero fraction),
 * the parent's cover taken as the sum of its two children's. The loader
 * refuses covers that disagree beyond float rounding; dividing by the sum
 * makes the two fractions of a node add up to 1 exactly, so the values add
 * up to the model's output (efficiency) whatever rounding the file holds. */
static inline double cover_ratio(const candor__tree_node *nodes, const double *cover,
                                 uint32_t child, uint32_t node)
{
	const double sum = cover[nodes[node].left] + cover[nodes[node].left + 1];
	return sum > 0 ? cover[child] / sum : 0.0;
}

/*
 * Slots, unique path features and zero fractions of every leaf of tree t,
 * and its expected value. `parent` (nnodes of the tree) is scratch.
 */
static void plan_tree_paths(ts_plan *p, size_t t, uint32_t *parent, uint32_t *leafcount,
                            uint32_t *featcount, double *mean)
{
	const candor__tree *tr = &p->ens->trees[t];
	const candor__tree_node *nodes = p->ens->nodes + tr->first;
	const double *cover = p->ens->cover + tr->first;
	uint32_t path[256 + 1];

	parent[0] = UINT32_MAX;
	for (uint32_t k = 0; k < tr->nnodes; k++)
		if (nodes[k].feature >= 0)
			parent[nodes[k].left] = parent[nodes[k].left + 1] = k;

	for (uint32_t k = 0; k < tr->nnodes; k++) {
		/* the root path of k, root first: path[0..len) are ancestors */
		uint32_t len = 0, u = k;
		while (parent[u] != UINT32_MAX) {
			u = parent[u];
			path[len++] = u;
		}
		for (uint32_t a = 0, b = len ? len - 1 : 0; a < b; a++, b--) {
			const uint32_t tmp = path[a];
			path[a] = path[b];
			path[b] = tmp;
		}
		/* unique features in first-occurrence order */
		int32_t uf[257];
		double z[257];
		uint32_t d = 0;
		for (uint32_t s = 0; s < len; s++) {
			const uint32_t nd = path[s];
			const uint32_t child = s + 1 < len ? path[s + 1] : k;
			const int32_t f = nodes[nd].feature;
			uint32_t j = 0;
			while (j < d && uf[j] != f)
				j++;
			if (j == d) {
				uf[d] = f;
				z[d++] = 1.0;
			}
			z[j] *= cover_ratio(nodes, cover, child, nd);
		}
		if (nodes[k].feature >= 0) {
			const int32_t f = nodes[k].feature;
			uint32_t j = 0;
			while (j < d && uf[j] != f)
				j++;
			p->slot[tr->first + k] = (uint8_t)(j < 255 ? j : 255);
			continue;
		}
		/* a leaf */
		const uint32_t li = *leafcount;
		ts_leaf *lf = &p->leaves[li];
		p->leafrec[tr->first + k] = li;
		lf->d = d;
		lf->fo = *featcount;
		for (uint32_t j = 0; j < d; j++) {
			p->feat[lf->fo + j] = uf[j];
			p->omz[lf->fo + j] = 1.0 - z[j];
		}
		*featcount += d;
		*leafcount += 1;
	}

	/* expected value: XGBoost's node mean recursion, bottom-up */
	for (uint32_t k = tr->nnodes; k-- > 0;) {
		if (nodes[k].feature < 0) {
			mean[k] = nodes[k].value;
		} else {
			const uint32_t l = nodes[k].left, r = l + 1;
			const double sum = cover[l] + cover[r];
			mean[k] = sum > 0 ? (mean[l] * cover[l] + mean[r] * cover[r]) / sum : 0;
		}
	}
	p->tree_mean[t] = mean[0];
}

/*
 * The two tables of leaf lf: Zc(T) and v * H(U) for every subset of its d
 * path features. `poly` is scratch of 2^d * (d + 1) doubles.
 */
static void plan_leaf_tables(ts_plan *p, const ts_leaf *lf, double v, double *poly,
                             const double *wfac)
{
	const uint32_t d = lf->d;
	const size_t nsub = (size_t)1 << d, stride = d + 1;
	double *zc = p->tab + lf->to, *hv = zc + nsub;
	/* poly[U] = coefficients (t^0..t^d) of prod_{j in U} (t + z_j) */
	poly[0] = 1.0;
	for (uint32_t s = 1; s <= d; s++)
		poly[s] = 0.0;
	for (size_t U = 1; U < nsub; U++) {
		const unsigned j = (unsigned)__builtin_ctzll((unsigned long long)U);
		const double zj = 1.0 - p->omz[lf->fo + j];
		const double *src = poly + (U & (U - 1)) * stride;
		double *dst = poly + U * stride;
		dst[0] = src[0] * zj;
		for (uint32_t s = 1; s <= d; s++)
			dst[s] = src[s] * zj + src[s - 1];
	}
	/* w(s, d) = s! (d - s - 1)! / d! = wfac[d * (TS_W) + s] */
	for (size_t U = 0; U < nsub; U++) {
		const double *c = poly + U * stride;
		double h = 0;
		for (uint32_t s = 0; s < d; s++)
			h += wfac[s] * c[s];
		hv[U] = v * h;
		zc[U] = poly[((nsub - 1) ^ U) * stride];
	}
}

static candor_status plan_build(ts_plan *p, const candor__tree_ensemble *ens, bool tables)
{
	const size_t nn = ens->nnodes, T = ens->ntrees;
	size_t nleaves = 0, nfeat = 0, maxnn = 1, tabsize = 0;
	uint32_t *scratch = NULL;
	double *mean = NULL, *poly = NULL, *wfac = NULL;
	uint32_t maxd_fast = 0;
	candor_status st = CANDOR_OK;

	memset(p, 0, sizeof *p);
	p->ens = ens;
	p->M = ens->nfeatures;
	p->K = ens->noutputs;
	if (ens->max_depth > 255)
		return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
		                     "treeshap: trees deeper than 255 are not supported (depth %u)",
		                     ens->max_depth);
	for (size_t t = 0; t < T; t++) {
		nleaves += ens->trees[t].nleaves;
		nfeat += (size_t)ens->trees[t].nleaves * ens->trees[t].depth;
		if (ens->trees[t].nnodes > maxnn)
			maxnn = ens->trees[t].nnodes;
	}
	{
		const size_t D = (size_t)ens->max_depth + 2;
		p->max_path = (uint32_t)(D * (D + 1) / 2);
	}
	if (!(p->slot = candor__calloc(nn, 1)) ||
	    !(p->leafrec = candor__calloc(nn, sizeof *p->leafrec)) ||
	    !(p->leaves = candor__calloc(nleaves ? nleaves : 1, sizeof *p->leaves)) ||
	    !(p->feat = candor__mallocarray(nfeat ? nfeat : 1, sizeof *p->feat)) ||
	    !(p->omz = candor__mallocarray(nfeat ? nfeat : 1, sizeof *p->omz)) ||
	    !(p->fast = candor__calloc(T, sizeof *p->fast)) ||
	    !(p->tree_mean = candor__calloc(T, sizeof *p->tree_mean)) ||
	    !(p->ftree_off = candor__calloc(p->M + 2, sizeof *p->ftree_off)) ||
	    !(scratch = candor__mallocarray(maxnn, sizeof *scratch)) ||
	    !(mean = candor__mallocarray(maxnn, sizeof *mean))) {
		st = CANDOR_ENOMEM;
		goto done;
	}

	/* paths of every leaf, tree by tree */
	{
		uint32_t leafcount = 0, featcount = 0;
		for (size_t t = 0; t < T; t++)
			plan_tree_paths(p, t, scratch, &leafcount, &featcount, mean);
	}

	/* which trees get tables: greedy in tree order, within the budget */
	if (tables) {
		uint32_t li = 0;
		for (size_t t = 0; t < T; t++) {
			const candor__tree *tr = &ens->trees[t];
			size_t need = 0;
			uint32_t maxd = 0;
			for (uint32_t l = 0; l < tr->nleaves; l++) {
				const uint32_t d = p->leaves[li + l].d;
				if (d > maxd)
					maxd = d;
				if (d <= TS_FAST_MAX_D)
					need += (size_t)2 << d;
			}
			if (maxd <= TS_FAST_MAX_D && (tabsize + need) * sizeof(double) <= TS_FAST_BUDGET) {
				p->fast[t] = true;
				for (uint32_t l = 0; l < tr->nleaves; l++) {
					p->leaves[li + l].to = tabsize;
					tabsize += (size_t)2 << p->leaves[li + l].d;
				}
				if (maxd > maxd_fast)
					maxd_fast = maxd;
			}
			li += tr->nleaves;
		}
	}
	if (tabsize) {
		const size_t D = maxd_fast;
		if (!(p->tab = candor__mallocarray(tabsize, sizeof *p->tab)) ||
		    !(poly = candor__mallocarray(((size_t)1 << D) * (D + 1), sizeof *poly)) ||
		    !(wfac = candor__mallocarray((D + 1) * (D + 1), sizeof *wfac))) {
			st = CANDOR_ENOMEM;
			goto done;
		}
		/* wfac[d*(D+1) + s] = s! (d-s-1)! / d!, built as a product to stay exact-ish */
		for (size_t d = 1; d <= D; d++)
			for (size_t s = 0; s < d; s++) {
				double w = 1.0 / (double)d; /* s = 0: (d-1)!/d! */
				for (size_t q = 1; q <= s; q++)
					w *= (double)q / (double)(d - q);
				wfac[d * (D + 1) + s] = w;
			}
		for (size_t t = 0; t < T; t++) {
			const candor__tree *tr = &ens->trees[t];
			if (p->fast[t]) {
				const candor__tree_node *nodes = ens->nodes + tr->first;
				for (uint32_t k = 0; k < tr->nnodes; k++) {
					if (nodes[k].feature >= 0)
						continue;
					const ts_leaf *lf = &p->leaves[p->leafrec[tr->first + k]];
					plan_leaf_tables(p, lf, nodes[k].value, poly,
					                 wfac + (size_t)lf->d * (D + 1));
				}
			}
		}
	}

	/* trees that split on each feature (for the interaction values) */
	{
		size_t total = 0;
		for (size_t pass = 0; pass < 2; pass++) {
			for (size_t t = 0; t < T; t++) {
				const candor__tree *tr = &ens->trees[t];
				const candor__tree_node *nodes = ens->nodes + tr->first;
				/* mark features of this tree once */
				for (uint32_t k = 0; k < tr->nnodes; k++) {
					const int32_t f = nodes[k].feature;
					if (f < 0)
						continue;
					bool seen = false;
					for (uint32_t q = 0; q < k && !seen; q++)
						seen = nodes[q].feature == f;
					if (seen)
						continue;
					if (pass == 0)
						p->ftree_off[f + 1]++;
					else
						p->ftree[p->ftree_off[f]++] = (uint32_t)t;
				}
			}
			if (pass == 0) {
				for (size_t j = 0; j < p->M; j++)
					p->ftree_off[j + 1] += p->ftree_off[j];
				total = p->ftree_off[p->M];
				if (!(p->ftree = candor__mallocarray(total ? total : 1, sizeof *p->ftree))) {
					st = CANDOR_ENOMEM;
					goto done;
				}
			} else {
				/* ftree_off[j] now holds the end of j; shift back */
				for (size_t j = p->M; j > 0; j--)
					p->ftree_off[j] = p->ftree_off[j - 1];
				p->ftree_off[0] = 0;
			}
		}
	}
done:
	candor__free(scratch);
	candor__free(mean);
	candor__free(poly);
	candor__free(wfac);
	if (st)
		plan_free(p);
	return st;
}

/* ===== Algorithm 2 (Lundberg et al. 2020) ================================= */

typedef struct ts_path {
	int32_t feature;
	double zero, one, pweight;
} ts_path;

static void extend_path(ts_path *p, uint32_t depth, double zero, double one, int32_t feature)
{
	p[depth].feature = feature;
	p[depth].zero = zero;
	p[depth].one = one;
	p[depth].pweight = depth == 0 ? 1.0 : 0.0;
	for (int i = (int)depth - 1; i >= 0; i--) {
		p[i + 1].pweight += one * p[i].pweight * (i + 1) / (double)(depth + 1);
		p[i].pweight = zero * p[i].pweight * (depth - i) / (double)(depth + 1);
	}
}

static void unwind_path(ts_path *p, uint32_t depth, uint32_t idx)
{
	const double one = p[idx].one, zero = p[idx].zero;
	double next = p[depth].pweight;
	for (int i = (int)depth - 1; i >= 0; i--) {
		if (one != 0) {
			const double tmp = p[i].pweight;
			p[i].pweight = next * (depth + 1) / ((i + 1) * one);
			next = tmp - p[i].pweight * zero * (depth - i) / (double)(depth + 1);
		} else {
			p[i].pweight = p[i].pweight * (depth + 1) / (zero * (depth - i));
		}
	}
	for (uint32_t i = idx; i < depth; i++) {
		p[i].feature = p[i + 1].feature;
		p[i].zero = p[i + 1].zero;
		p[i].one = p[i + 1].one;
	}
}

static double unwound_sum(const ts_path *p, uint32_t depth, uint32_t idx)
{
	const double one = p[idx].one, zero = p[idx].zero;
	double total = 0, next = p[depth].pweight;
	for (int i = (int)depth - 1; i >= 0; i--) {
		if (one != 0) {
			const double tmp = next * (depth + 1) / ((i + 1) * one);
			total += tmp;
			next = p[i].pweight - tmp * zero * ((depth - i) / (double)(depth + 1));
		} else if (zero != 0) {
			total += (p[i].pweight / zero) / ((depth - i) / (double)(depth + 1));
		}
	}
	return total;
}

typedef struct ts_rec {
	const candor__tree_node *nodes;
	const uint32_t *catset;
	const double *cover;
	const double *x;
	double *phi;
	int condition;         /* 0, +1 (feature present) or -1 (absent) */
	int32_t cfeature;
} ts_rec;

static void ts_recurse(const ts_rec *r, uint32_t k, uint32_t depth, ts_path *parent_path,
                       double pzero, double pone, int32_t pfeature, double cfrac)
{
	const candor__tree_node *nd = &r->nodes[k];
	ts_path *path = parent_path + depth + 1;

	if (cfrac == 0)
		return;
	memcpy(path, parent_path, (depth + 1) * sizeof *path);
	if (r->condition == 0 || r->cfeature != pfeature)
		extend_path(path, depth, pzero, pone, pfeature);

	if (nd->feature < 0) {
		for (uint32_t i = 1; i <= depth; i++) {
			const double w = unwound_sum(path, depth, i);
			r->phi[path[i].feature] +=
			        w * (path[i].one - path[i].zero) * (double)nd->value * cfrac;
		}
		return;
	}
	const bool left = candor__tree_left(nd, r->catset, r->x[nd->feature]);
	const uint32_t hot = nd->left + (left ? 0u : 1u), cold = nd->left + (left ? 1u : 0u);
	const double hz = cover_ratio(r->nodes, r->cover, hot, k);
	const double cz = cover_ratio(r->nodes, r->cover, cold, k);
	double izero = 1, ione = 1;
	uint32_t pi = 0;
	for (; pi <= depth; pi++)
		if (path[pi].feature == nd->feature)
			break;
	if (pi != depth + 1) {
		izero = path[pi].zero;
		ione = path[pi].one;
		unwind_path(path, depth, pi);
		depth -= 1;
	}
	double hfrac = cfrac, cfr = cfrac;
	if (r->condition > 0 && nd->feature == r->cfeature) {
		cfr = 0;
		depth -= 1;
	} else if (r->condition < 0 && nd->feature == r->cfeature) {
		hfrac *= hz;
		cfr *= cz;
		depth -= 1;
	}
	ts_recurse(r, hot, depth + 1, path, hz * izero, ione, nd->feature, hfrac);
	ts_recurse(r, cold, depth + 1, path, cz * izero, 0, nd->feature, cfr);
}

/* Add tree t's Algorithm-2 values of row x to phi (M + 1 entries). */
static void tree_alg2(const ts_plan *p, size_t t, const double *x, double *phi, ts_path *ws,
                      int condition, int32_t cfeature)
{
	const candor__tree *tr = &p->ens->trees[t];
	const ts_rec r = { p->ens->nodes + tr->first, p->ens->catset, p->ens->cover + tr->first,
		           x, phi, condition, cfeature };
	ts_recurse(&r, 0, 0, ws, 1, 1, -1, 1);
}

/* ===== the fast path (Yang 2021 v2, see the head of the file) ============= */

static void tree_fast(const ts_plan *p, size_t t, const double *x, double *phi, uint32_t *mask)
{
	const candor__tree *tr = &p->ens->trees[t];
	const candor__tree_node *nodes = p->ens->nodes + tr->first;
	const uint8_t *slot = p->slot + tr->first;
	const uint32_t *leafrec = p->leafrec + tr->first;
	const uint32_t *catset = p->ens->catset;

	mask[0] = 0;
	for (uint32_t k = 0; k < tr->nnodes; k++) {
		const candor__tree_node *nd = &nodes[k];
		const uint32_t m = mask[k];
		if (nd->feature >= 0) {
			const bool left = candor__tree_left(nd, catset, x[nd->feature]);
			const uint32_t bit = 1u << slot[k];
			mask[nd->left] = m | (left ? 0u : bit);
			mask[nd->left + 1] = m | (left ? bit : 0u);
			continue;
		}
		const ts_leaf *lf = &p->leaves[leafrec[k]];
		const uint32_t d = lf->d;
		if (d == 0)
			continue;
		const size_t nsub = (size_t)1 << d;
		const uint32_t T = (uint32_t)(nsub - 1) & ~m;
		const double *zc = p->tab + lf->to, *hv = zc + nsub;
		const int32_t *feat = p->feat + lf->fo;
		const double *omz = p->omz + lf->fo;
		const double c = zc[T];
		if (c == 0)
			continue;
		const double neg = c * hv[T];
		for (uint32_t i = 0; i < d; i++) {
			if (T >> i & 1u)
				phi[feat[i]] += c * omz[i] * hv[T ^ (1u << i)];
			else
				phi[feat[i]] -= neg;
		}
	}
}

/* ===== driver ============================================================= */

typedef enum ts_kind { TS_PATH = 0, TS_INTER = 1, TS_INTERV = 2 } ts_kind;

typedef struct ts_job {
	const ts_plan *plan;
	const double *x;
	size_t n;
	const double *bg;
	size_t nbg;
	double *phi;
	ts_kind kind;
	double *bg_base;      /* K: interventional base values */
	double *wtab;         /* interventional weights */
} ts_job;

/* Per-thread workspace; sizes from the plan. */
typedef struct ts_ws {
	uint32_t *mask;       /* max nodes per tree */
	ts_path *path;        /* Algorithm 2 path buffer */
	double *on, *off;     /* K * (M + 1) each (interactions) */
	int8_t *side;         /* M (interventional) */
	int32_t *stack;       /* max depth (interventional) */
	double *acc;          /* K * (M + 1) (interventional) */
} ts_ws;

static size_t max_nodes(const candor__tree_ensemble *ens)
{
	size_t m = 1;
	for (size_t t = 0; t < ens->ntrees; t++)
		if (ens->trees[t].nnodes > m)
			m = ens->trees[t].nnodes;
	return m;
}

/* Path-dependent SHAP of one row into out (K * (M + 1)), base included. */
static void row_shap(const ts_plan *p, const double *x, double *out, ts_ws *ws)
{
	const size_t M = p->M, K = p->K;
	memset(out, 0, K * (M + 1) * sizeof *out);
	for (size_t k = 0; k < K; k++)
		out[k * (M + 1) + M] = p->ens->base_margin;
	for (size_t t = 0; t < p->ens->ntrees; t++) {
		double *o = out + p->ens->trees[t].group * (M + 1);
		if (p->fast[t])
			tree_fast(p, t, x, o, ws->mask);
		else
			tree_alg2(p, t, x, o, ws->path, 0, -1);
		o[M] += p->tree_mean[t];
	}
}

/*
 * ---- interaction values ----
 *
 * XGBoost's definition (point 3 at the head of the file): the off-diagonal
 * (i, j) is half of phi_j conditioned on i present minus phi_j conditioned
 * on i absent. For one leaf of the fast path (d path features D, zero
 * fractions z, satisfied set T, value v) the condition removes i from the
 * players and multiplies the leaf by [i in T] (present) or z_i (absent), so
 * with d - 1 players the leaf's phi_j is, as in the formula at the head,
 * Zc'(T') (1 - z_j) H'(T' \ {j}) or -Zc'(T') H'(T') with T' = T \ {i}.
 * Since Zc'(T') ([i in T] - z_i) is Zc(T) (1 - z_i) when i is in T and
 * -Zc(T) when not, the leaf adds
 *     I(i, j) = 1/2 v Zc(T) a_i a_j H_{d-1}(T \ {i, j}),
 *     a_k = 1 - z_k if k in T, else -1,
 * symmetric in i and j, where H_{d-1} is H with the weights of d - 1
 * players. Those weights are w_{d-1}(s) = w_d(s) + w_d(s + 1), and the
 * polynomial of U + {k} is (t + z_k) times that of U, so for any k in D \ U
 *     H_{d-1}(U) = (1 - z_k) H_d(U) + H_d(U + {k}):
 * the leaf's own table v H_d gives every pair in two look-ups (k = i), and
 * nothing is tabulated for the interactions. A leaf costs d(d-1)/2 pairs
 * instead of XGBoost's 2 d extra passes over every tree that splits on i.
 * Trees without tables take the conditioned Algorithm 2 (tree_inter_alg2).
 *
 * While a row's block (M+1 x M+1 per output) is filled, its diagonal holds
 * the SHAP values (base at (M, M)) and only cells above the diagonal hold
 * interactions; inter_finish mirrors them and sets the diagonal to phi_i
 * minus its row's off-diagonal sum, as XGBoost does.
 */

/* Tree t's share of row x into the block I (see above), tables path. */
static void tree_inter_fast(const ts_plan *p, size_t t, const double *x, double *I,
                            uint32_t *mask)
{
	const candor__tree *tr = &p->ens->trees[t];
	const candor__tree_node *nodes = p->ens->nodes + tr->first;
	const uint8_t *slot = p->slot + tr->first;
	const uint32_t *leafrec = p->leafrec + tr->first;
	const uint32_t *catset = p->ens->catset;
	const size_t M1 = p->M + 1;

	mask[0] = 0;
	for (uint32_t k = 0; k < tr->nnodes; k++) {
		const candor__tree_node *nd = &nodes[k];
		const uint32_t m = mask[k];
		if (nd->feature >= 0) {
			const bool left = candor__tree_left(nd, catset, x[nd->feature]);
			const uint32_t bit = 1u << slot[k];
			mask[nd->left] = m | (left ? 0u : bit);
			mask[nd->left + 1] = m | (left ? bit : 0u);
			continue;
		}
		const ts_leaf *lf = &p->leaves[leafrec[k]];
		const uint32_t d = lf->d;
		if (d == 0)
			continue;
		const size_t nsub = (size_t)1 << d;
		const uint32_t T = (uint32_t)(nsub - 1) & ~m;
		const double *zc = p->tab + lf->to, *hv = zc + nsub;
		const int32_t *feat = p->feat + lf->fo;
		const double *omz = p->omz + lf->fo;
		const double c = zc[T];
		if (c == 0)
			continue;
		const double neg = c * hv[T];
		double a[TS_FAST_MAX_D];
		for (uint32_t i = 0; i < d; i++) {
			double *Ii = I + (size_t)feat[i] * (M1 + 1);
			if (T >> i & 1u) {
				*Ii += c * omz[i] * hv[T ^ (1u << i)];
				a[i] = omz[i];
			} else {
				*Ii -= neg;
				a[i] = -1.0;
			}
		}
		const double half = 0.5 * c;
		for (uint32_t i = 0; i + 1 < d; i++) {
			const uint32_t bi = 1u << i, Ti = T & ~bi;
			const double ci = half * a[i], wi = omz[i];
			const size_t fi = (size_t)feat[i];
			for (uint32_t j = i + 1; j < d; j++) {
				const uint32_t U = Ti & ~(1u << j);
				const double v = ci * a[j] * (wi * hv[U] + hv[U | bi]);
				const size_t fj = (size_t)feat[j];
				I[fi < fj ? fi * M1 + fj : fj * M1 + fi] += v;
			}
		}
	}
}

/* Does tree t split on feature i? (ftree lists trees in increasing order.) */
static bool tree_splits_on(const ts_plan *p, size_t t, size_t i)
{
	size_t lo = p->ftree_off[i], hi = p->ftree_off[i + 1];
	while (lo < hi) {
		const size_t mid = lo + (hi - lo) / 2;
		if (p->ftree[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->ftree_off[i + 1] && p->ftree[lo] == t;
}

/* Tree t's share of row x into the block I by Algorithm 2, conditioned on
 * each feature the tree splits on. Both conditionings of a pair (on i for
 * phi_j, on j for phi_i) estimate the same value; the cell above the
 * diagonal gets their mean, so the block stays exactly symmetric. */
static void tree_inter_alg2(const ts_plan *p, size_t t, const double *x, double *I, ts_ws *ws)
{
	const size_t M = p->M, M1 = M + 1;
	double *phi = ws->acc, *on = ws->on, *off = ws->off;

	memset(phi, 0, M1 * sizeof *phi);
	tree_alg2(p, t, x, phi, ws->path, 0, -1);
	for (size_t j = 0; j < M; j++)
		I[j * (M1 + 1)] += phi[j];
	for (size_t i = 0; i < M; i++) {
		if (!tree_splits_on(p, t, i))
			continue;
		memset(on, 0, M1 * sizeof *on);
		memset(off, 0, M1 * sizeof *off);
		tree_alg2(p, t, x, on, ws->path, 1, (int32_t)i);
		tree_alg2(p, t, x, off, ws->path, -1, (int32_t)i);
		for (size_t j = 0; j < M; j++)
			if (j != i)
				I[i < j ? i * M1 + j : j * M1 + i] += (on[j] - off[j]) / 4;
	}
}

/* Mirror the cells above the diagonal and turn the diagonal from phi_i
 * into phi_i minus the row's interactions. */
static void inter_finish(double *I, size_t M)
{
	const size_t M1 = M + 1;
	for (size_t i = 0; i < M; i++)
		for (size_t j = i + 1; j < M; j++)
			I[j * M1 + i] = I[i * M1 + j];
	for (size_t i = 0; i < M; i++) {
		double s = 0;
		for (size_t j = 0; j < M; j++)
			if (j != i)
				s += I[i * M1 + j];
		I[i * M1 + i] -= s;
	}
}

/* Interaction values of rows [r0, r1) of x into out (K * (M+1)^2 per row),
 * tree-major so that each tree's tables stay in cache across the block;
 * every row still sums its trees in tree order. */
static void block_inter(const ts_plan *p, const double *x, size_t r0, size_t r1, double *out,
                        ts_ws *ws)
{
	const size_t M = p->M, K = p->K, M1 = M + 1, B = M1 * M1;
	for (size_t r = r0; r < r1; r++) {
		double *o = out + r * K * B;
		memset(o, 0, K * B * sizeof *o);
		for (size_t g = 0; g < K; g++)
			o[g * B + M * M1 + M] = p->ens->base_margin;
	}
	for (size_t t = 0; t < p->ens->ntrees; t++) {
		const size_t g = p->ens->trees[t].group;
		for (size_t r = r0; r < r1; r++) {
			double *I = out + (r * K + g) * B;
			if (p->fast[t])
				tree_inter_fast(p, t, x + r * M, I, ws->mask);
			else
				tree_inter_alg2(p, t, x + r * M, I, ws);
			I[M * M1 + M] += p->tree_mean[t];
		}
	}
	for (size_t r = r0; r < r1; r++)
		for (size_t g = 0; g < K; g++)
			inter_finish(out + (r * K + g) * B, M);
}

/* ---- interventional ---- */

typedef struct ts_iv {
	const candor__tree_node *nodes;
	const uint32_t *catset;
	const double *x, *z;
	int8_t *side;          /* per feature: 0 free, 1 from x (A), 2 from z (B) */
	int32_t *stack;        /* features in A or B, in path order */
	const double *w;       /* w[a * W + b]: see ts_interv */
	size_t W;
	double *phi;
} ts_iv;

static void ts_interv(const ts_iv *s, uint32_t k, uint32_t na, uint32_t nb)
{
	const candor__tree_node *nd = &s->nodes[k];
	if (nd->feature < 0) {
		if (na + nb == 0)
			return;
		const double v = nd->value;
		/* wA = (a-1)! b! / (a+b)!, wB = a! (b-1)! / (a+b)! */
		const double wa = na ? v * s->w[(na - 1) * s->W + nb] / (double)(na + nb) : 0;
		const double wb = nb ? v * s->w[na * s->W + nb - 1] / (double)(na + nb) : 0;
		for (uint32_t q = 0; q < na + nb; q++) {
			const int32_t f = s->stack[q];
			if (s->side[f] == 1)
				s->phi[f] += wa;
			else
				s->phi[f] -= wb;
		}
		return;
	}
	const int32_t f = nd->feature;
	const bool lx = candor__tree_left(nd, s->catset, s->x[f]);
	const bool lz = candor__tree_left(nd, s->catset, s->z[f]);
	if (s->side[f] == 1 || (s->side[f] == 0 && lx == lz)) {
		ts_interv(s, nd->left + (lx ? 0u : 1u), na, nb);
		return;
	}
	if (s->side[f] == 2) {
		ts_interv(s, nd->left + (lz ? 0u : 1u), na, nb);
		return;
	}
	s->stack[na + nb] = f;
	s->side[f] = 1;
	ts_interv(s, nd->left + (lx ? 0u : 1u), na + 1, nb);
	s->side[f] = 2;
	ts_interv(s, nd->left + (lz ? 0u : 1u), na, nb + 1);
	s->side[f] = 0;
}

static void row_interv(const ts_job *job, const double *x, double *out, ts_ws *ws)
{
	const ts_plan *p = job->plan;
	const size_t M = p->M, K = p->K, M1 = M + 1;
	const size_t W = (size_t)p->ens->max_depth + 1;
	memset(out, 0, K * M1 * sizeof *out);
	for (size_t b = 0; b < job->nbg; b++) {
		ts_iv s = { NULL, p->ens->catset, x, job->bg + b * M, ws->side, ws->stack, job->wtab,
			    W, NULL };
		memset(ws->acc, 0, K * M1 * sizeof *ws->acc);
		for (size_t t = 0; t < p->ens->ntrees; t++) {
			const candor__tree *tr = &p->ens->trees[t];
			s.nodes = p->ens->nodes + tr->first;
			s.phi = ws->acc + tr->group * M1;
			ts_interv(&s, 0, 0, 0);
		}
		for (size_t i = 0; i < K * M1; i++)
			out[i] += ws->acc[i];
	}
	for (size_t g = 0; g < K; g++) {
		for (size_t j = 0; j < M; j++)
			out[g * M1 + j] /= (double)job->nbg;
		out[g * M1 + M] = job->bg_base[g];
	}
}

static candor_status check_args(const candor_model *model, const double *x, size_t n,
                                const double *phi, const candor_treeshap_options *opts,
                                const candor__tree_ensemble **ens)
{
	if (!model)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "treeshap: no model");
	if (opts && opts->version != CANDOR_TREESHAP_OPTIONS_VERSION)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "treeshap: options version %u, expected %u", opts->version,
		                     CANDOR_TREESHAP_OPTIONS_VERSION);
	if (opts && opts->threads < 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "treeshap: threads is %d",
		                     opts->threads);
	if (n > 0 && (!x || !phi))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "treeshap: NULL rows or output");
	*ens = candor__tree_ensemble_of(model);
	if (!*ens)
		return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
		                     "treeshap: the model is not a tree ensemble (XGBoost, LightGBM, "
		                     "tree-ensemble JSON)");
	/* values the model's own library refuses (scikit-learn: NaN) are
	 * refused here too, as candor_model_predict() refuses them */
	return n > 0 ? candor_model_check_input(model, x, n) : CANDOR_OK;
}

static void ws_free(ts_ws *ws, size_t nt)
{
	if (!ws)
		return;
	for (size_t i = 0; i < nt; i++) {
		candor__free(ws[i].mask);
		candor__free(ws[i].path);
		candor__free(ws[i].on);
		candor__free(ws[i].off);
		candor__free(ws[i].side);
		candor__free(ws[i].stack);
		candor__free(ws[i].acc);
	}
	candor__free(ws);
}

static candor_status run(const ts_job *job, const candor_treeshap_options *opts)
{
	const ts_plan *p = job->plan;
	const size_t M = p->M, K = p->K, M1 = M + 1;
	const int nt = opts && opts->threads > 0 ? opts->threads : omp_get_max_threads();
	const size_t per_row = job->kind == TS_INTER ? K * M1 * M1 : K * M1;
	const size_t nblocks = (job->n + TS_BLOCK - 1) / TS_BLOCK;
	ts_ws *ws;
	size_t done = 0;

	if (!(ws = candor__calloc((size_t)nt, sizeof *ws)))
		return CANDOR_ENOMEM;
	for (int i = 0; i < nt; i++) {
		ts_ws *w = &ws[i];
		if (!(w->mask = candor__mallocarray(max_nodes(p->ens), sizeof *w->mask)) ||
		    !(w->path = candor__mallocarray(p->max_path, sizeof *w->path)) ||
		    !(w->on = candor__mallocarray(K * M1, sizeof *w->on)) ||
		    !(w->off = candor__mallocarray(K * M1, sizeof *w->off)) ||
		    !(w->side = candor__calloc(M, sizeof *w->side)) ||
		    !(w->stack = candor__mallocarray((size_t)p->ens->max_depth + 1,
		                                     sizeof *w->stack)) ||
		    !(w->acc = candor__mallocarray(K * M1, sizeof *w->acc))) {
			ws_free(ws, (size_t)nt);
			return CANDOR_ENOMEM;
		}
	}

#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
	for (size_t b = 0; b < nblocks; b++) {
		ts_ws *w = &ws[omp_get_thread_num()];
		const size_t r0 = b * TS_BLOCK, r1 = r0 + TS_BLOCK < job->n ? r0 + TS_BLOCK : job->n;
		if (job->kind == TS_PATH && K == 1) {
			/* tree-major within the block: each tree's tables stay in cache */
			for (size_t r = r0; r < r1; r++) {
				double *o = job->phi + r * M1;
				memset(o, 0, M1 * sizeof *o);
				o[M] = p->ens->base_margin;
			}
			for (size_t t = 0; t < p->ens->ntrees; t++) {
				for (size_t r = r0; r < r1; r++) {
					double *o = job->phi + r * M1;
					if (p->fast[t])
						tree_fast(p, t, job->x + r * M, o, w->mask);
					else
						tree_alg2(p, t, job->x + r * M, o, w->path, 0, -1);
					o[M] += p->tree_mean[t];
				}
			}
		} else if (job->kind == TS_INTER) {
			block_inter(p, job->x, r0, r1, job->phi, w);
		} else {
			for (size_t r = r0; r < r1; r++) {
				double *o = job->phi + r * per_row;
				if (job->kind == TS_PATH)
					row_shap(p, job->x + r * M, o, w);
				else
					row_interv(job, job->x + r * M, o, w);
			}
		}
		if (opts && opts->on_progress) {
			size_t now;
#pragma omp atomic capture
			now = done += r1 - r0;
			if (omp_get_thread_num() == 0)
				opts->on_progress(now, job->n, opts->payload);
		}
	}
	ws_free(ws, (size_t)nt);
	return CANDOR_OK;
}

bool candor_treeshap_supports(const candor_model *model)
{
	return candor__tree_ensemble_of(model) != NULL;
}

/* ===== the plan: everything a run needs that does not depend on its rows ===== */

struct candor__treeshap_plan {
	ts_plan plan;
	const double *bg;     /* nbg x M, borrowed; NULL: no interventional values */
	size_t nbg;
	double *bg_base;      /* K: the mean margin of the background */
	double *wtab;         /* W x W: see ts_interv */
};

void candor__treeshap_plan_free(candor__treeshap_plan *tp)
{
	if (!tp)
		return;
	plan_free(&tp->plan);
	candor__free(tp->bg_base);
	candor__free(tp->wtab);
	candor__free(tp);
}

candor_status candor__treeshap_plan_new(candor__treeshap_plan **out, const candor_model *model,
                                        bool tables, const double *bg, size_t nbg)
{
	const candor__tree_ensemble *ens = candor__tree_ensemble_of(model);
	candor__treeshap_plan *tp;
	candor_status st;

	*out = NULL;
	if (!ens)
		return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
		                     "treeshap: the model is not a tree ensemble (XGBoost, LightGBM, "
		                     "tree-ensemble JSON)");
	if (bg && nbg && (st = candor_model_check_input(model, bg, nbg)) != CANDOR_OK)
		return st;
	if (!(tp = candor__calloc(1, sizeof *tp)))
		return CANDOR_ENOMEM;
	if ((st = plan_build(&tp->plan, ens, tables))) {
		candor__free(tp);
		return st;
	}
	if (bg && nbg) {
		const size_t K = ens->noutputs, M = ens->nfeatures, W = (size_t)ens->max_depth + 1;
		double *base, *w;

		tp->bg = bg;
		tp->nbg = nbg;
		if (!(base = tp->bg_base = candor__calloc(K, sizeof *base)) ||
		    !(w = tp->wtab = candor__mallocarray(W * W, sizeof *w))) {
			candor__treeshap_plan_free(tp);
			return CANDOR_ENOMEM;
		}
		/* w[a * W + b] = a! b! / (a + b)!, so that (a-1)! b! / (a+b)! =
		 * w[(a-1) W + b] / (a + b) (see ts_interv) */
		for (size_t a = 0; a < W; a++)
			for (size_t b = 0; b < W; b++) {
				double v = 1.0;
				for (size_t q = 1; q <= b; q++)
					v *= (double)q / (double)(a + q);
				w[a * W + b] = v;
			}
		/* base value: the mean margin of the background, tree sums in double */
		for (size_t b = 0; b < nbg; b++) {
			for (size_t t = 0; t < ens->ntrees; t++) {
				const candor__tree *tr = &ens->trees[t];
				const candor__tree_node *nodes = ens->nodes + tr->first;
				base[tr->group] +=
					nodes[candor__tree_leaf(nodes, ens->catset, bg + b * M)].value;
			}
		}
		for (size_t k = 0; k < K; k++)
			base[k] = base[k] / (double)nbg + ens->base_margin;
	}
	*out = tp;
	return CANDOR_OK;
}

candor_status candor__treeshap_plan_run(const candor__treeshap_plan *tp,
                                        candor__treeshap_kind kind, const double *x, size_t n,
                                        double *phi, const candor_treeshap_options *opts)
{
	if (n == 0)
		return CANDOR_OK;
	if (kind == CANDOR__TREESHAP_INTERVENTIONAL && !tp->bg)
		return candor__error(CANDOR_EINTERNAL, NULL, 0, 0,
		                     "treeshap: the plan was built without background rows");
	const ts_job job = { &tp->plan, x, n, tp->bg, tp->nbg, phi,
	                     kind == CANDOR__TREESHAP_PATH ? TS_PATH
	                     : kind == CANDOR__TREESHAP_INTERACTIONS ? TS_INTER : TS_INTERV,
	                     tp->bg_base, tp->wtab };
	return run(&job, opts);
}

/* ===== the one-call entry points: a plan for the call, then its run ===== */

static candor_status one_call(const candor_model *model, bool tables, const double *bg,
                              size_t nbg, candor__treeshap_kind kind, const double *x, size_t n,
                              double *phi, const candor_treeshap_options *opts)
{
	candor__treeshap_plan *tp;
	candor_status st;

	if (n == 0)
		return CANDOR_OK;
	if ((st = candor__treeshap_plan_new(&tp, model, tables, bg, nbg)))
		return st;
	st = candor__treeshap_plan_run(tp, kind, x, n, phi, opts);
	candor__treeshap_plan_free(tp);
	return st;
}

candor_status candor__treeshap_path(const candor_model *model, const double *x, size_t n,
                                    double *phi, const candor_treeshap_options *opts,
                                    bool tables)
{
	const candor__tree_ensemble *ens = NULL;
	candor_status st;

	if ((st = check_args(model, x, n, phi, opts, &ens)))
		return st;
	return one_call(model, tables, NULL, 0, CANDOR__TREESHAP_PATH, x, n, phi, opts);
}

candor_status candor_treeshap(const candor_model *model, const double *x, size_t n,
                              double *phi, const candor_treeshap_options *opts)
{
	return candor__treeshap_path(model, x, n, phi, opts, true);
}

candor_status candor__treeshap_check_interactions(const candor_model *model, size_t n)
{
	const candor__tree_ensemble *ens = candor__tree_ensemble_of(model);
	size_t sz;

	if (ens && (candor__mul_overflow(ens->nfeatures + 1, ens->nfeatures + 1, &sz) ||
	            candor__mul_overflow(sz, ens->noutputs, &sz) || candor__mul_overflow(sz, n, &sz)))
		return candor__error(CANDOR_ENOMEM, NULL, 0, 0,
		                     "treeshap: the interaction output size overflows");
	return CANDOR_OK;
}

candor_status candor__treeshap_interactions(const candor_model *model, const double *x,
                                            size_t n, double *phi,
                                            const candor_treeshap_options *opts, bool tables)
{
	const candor__tree_ensemble *ens = NULL;
	candor_status st;

	if ((st = check_args(model, x, n, phi, opts, &ens)))
		return st;
	if ((st = candor__treeshap_check_interactions(model, n)))
		return st;
	return one_call(model, tables, NULL, 0, CANDOR__TREESHAP_INTERACTIONS, x, n, phi, opts);
}

candor_status candor_treeshap_interactions(const candor_model *model, const double *x,
                                           size_t n, double *phi,
                                           const candor_treeshap_options *opts)
{
	return candor__treeshap_interactions(model, x, n, phi, opts, true);
}

candor_status candor_treeshap_interventional(const candor_model *model, const double *x,
                                             size_t n, const double *bg, size_t nbg,
                                             double *phi, const candor_treeshap_options *opts)
{
	const candor__tree_ensemble *ens = NULL;
	candor_status st;

	if ((st = check_args(model, x, n, phi, opts, &ens)))
		return st;
	if (nbg == 0 || !bg)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "treeshap: interventional values need background rows");
	return one_call(model, false, bg, nbg, CANDOR__TREESHAP_INTERVENTIONAL, x, n, phi, opts);
}

/* ===== CSV output of interaction values =================================== */

static void csv_number(FILE *f, double v)
{
	char buf[40];
	if (isfinite(v)) {
		candor__format_double(buf, sizeof buf, v);
		fputs(buf, f);
	}
}

candor_status candor_treeshap_interactions_write_csv(FILE *f, const candor_model *model,
                                                     const double *phi, size_t n,
                                                     const uint64_t *row_ids)
{
	if (!f || !model || (n && !phi))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "treeshap: NULL file, model or values");
	const size_t M = candor_model_nfeatures(model), K = candor_model_noutputs(model);
	const size_t M1 = M + 1;
	fputs(K > 1 ? "row,output,feature" : "row,feature", f);
	for (size_t j = 0; j < M; j++) {
		fputc(',', f);
		candor__csv_put_text(f, candor_model_feature(model, j));
	}
	fputs(",base_value\n", f);
	for (size_t r = 0; r < n; r++)
		for (size_t k = 0; k < K; k++)
			for (size_t i = 0; i < M1; i++) {
				const double *line = phi + ((r * K + k) * M1 + i) * M1;
				fprintf(f, "%llu,", (unsigned long long)(row_ids ? row_ids[r] : r));
				if (K > 1)
					fprintf(f, "%zu,", k);
				candor__csv_put_text(f, i < M ? candor_model_feature(model, i) : "base_value");
				for (size_t j = 0; j < M1; j++) {
					fputc(',', f);
					csv_number(f, line[j]);
				}
				fputc('\n', f);
			}
	if (ferror(f) || fflush(f))
		return candor__error(CANDOR_EIO, NULL, 0, 0,
		                     "cannot write the interaction values: %s", strerror(errno));
	return CANDOR_OK;
}

candor_status candor_treeshap_options_init(candor_treeshap_options *opts, unsigned int version)
{
	return candor__options_init(opts,
	                            version == CANDOR_TREESHAP_OPTIONS_VERSION ? sizeof(*opts) : 0,
	                            version, CANDOR_TREESHAP_OPTIONS_VERSION,
	                            "candor_treeshap_options");
}
