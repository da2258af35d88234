/*
 * acc.c - the mergeable fairness accumulator.
 *
 * Design. A row is reduced to a cell (one combination of every attribute's
 * level, "missing" being a level of its own) and a 2-bit outcome (label,
 * prediction); the accumulator is a table of 64-bit counts, 4 per cell.
 * Counting is exact integer arithmetic, so merging is addition and any
 * split of the rows (chunks, threads, time windows, machines) gives the
 * same counts. Per-attribute groups and intersections are marginals of the
 * cells, computed when the result is made; so is every bootstrap
 * replicate (a multinomial draw per cell).
 *
 * Scores. An exact Mann-Whitney AUC needs the rank of every positive among
 * the negatives of its group, which no fixed-size summary preserves under
 * merging (a histogram would have to be as fine as the distinct scores).
 * So an accumulator made with scores keeps every score, split by cell and
 * label; merging concatenates. The score metrics are computed at the end
 * from the sorted scores, so they do not depend on arrival order either.
 *
 * Hot loop. A batch is validated in full first (a vectorisable OR over the
 * labels, predictions and codes), so a bad batch leaves the accumulator
 * unchanged; the counting loop then has no branch but the loop's own, and
 * no allocation.
 */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "fairness_int.h"

/* ===== small helpers ==================================================== */

candor_status candor__dvec_reserve(candor__dvec *d, size_t extra)
{
	size_t need = d->n + extra, cap;
	double *v;

	if (need < d->n)
		return candor__oom();
	if (need <= d->cap)
		return CANDOR_OK;
	cap = d->cap ? d->cap : 16;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	v = candor__reallocarray(d->v, cap, sizeof(*v));
	if (!v)
		return CANDOR_ENOMEM;
	d->v = v;
	d->cap = cap;
	return CANDOR_OK;
}

void candor_fairness_acc_free(candor_fairness_acc *acc)
{
	if (!acc)
		return;
	for (size_t a = 0; a < acc->nattrs; a++) {
		if (acc->names)
			candor__free(acc->names[a]);
		if (acc->levels && acc->levels[a]) {
			for (size_t l = 0; l < acc->nlevels[a]; l++)
				candor__free(acc->levels[a][l]);
			candor__free(acc->levels[a]);
		}
	}
	if (acc->pos)
		for (size_t c = 0; c < acc->ncells; c++)
			candor__free(acc->pos[c].v);
	if (acc->neg)
		for (size_t c = 0; c < acc->ncells; c++)
			candor__free(acc->neg[c].v);
	candor__free(acc->pos);
	candor__free(acc->neg);
	candor__free(acc->names);
	candor__free(acc->nlevels);
	candor__free(acc->levels);
	candor__free(acc->stride);
	candor__free(acc->counts);
	candor__free(acc);
}

/* ===== creation ========================================================= */

candor_status candor_fairness_acc_new(candor_fairness_acc **out,
                                      const candor_fairness_attribute *attrs, size_t nattrs,
                                      bool with_scores)
{
	candor_fairness_acc *acc;
	size_t ncells = 1;

	if (!out || (!attrs && nattrs))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL argument");
	*out = NULL;
	if (nattrs == 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: no sensitive attribute");
	for (size_t a = 0; a < nattrs; a++) {
		if (!attrs[a].name || !attrs[a].name[0])
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "fairness: attribute %zu has no name", a + 1);
		if (attrs[a].nlevels && !attrs[a].levels)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "fairness: attribute '%s' has no levels", attrs[a].name);
		for (size_t b = 0; b < a; b++)
			if (strcmp(attrs[a].name, attrs[b].name) == 0)
				return candor__error(CANDOR_EINVAL, NULL, 0, 0,
				                     "fairness: attribute '%s' given twice",
				                     attrs[a].name);
		for (size_t l = 0; l < attrs[a].nlevels; l++) {
			if (!attrs[a].levels[l])
				return candor__error(CANDOR_EINVAL, NULL, 0, 0,
				                     "fairness: attribute '%s': level %zu is NULL",
				                     attrs[a].name, l);
			for (size_t m = 0; m < l; m++)
				if (strcmp(attrs[a].levels[l], attrs[a].levels[m]) == 0)
					return candor__error(CANDOR_EINVAL, NULL, 0, 0,
					                     "fairness: attribute '%s': level '%s' "
					                     "given twice", attrs[a].name,
					                     attrs[a].levels[l]);
		}
		if (attrs[a].nlevels >= CANDOR_FAIRNESS_MAX_CELLS ||
		    candor__mul_overflow(ncells, attrs[a].nlevels + 1, &ncells) ||
		    ncells > CANDOR_FAIRNESS_MAX_CELLS)
			return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
			                     "fairness: too many combinations of groups (more "
			                     "than %zu)", CANDOR_FAIRNESS_MAX_CELLS);
	}
	acc = candor__calloc(1, sizeof(*acc));
	if (!acc)
		return CANDOR_ENOMEM;
	acc->nattrs = nattrs;
	acc->ncells = ncells;
	acc->with_scores = with_scores;
	acc->names = candor__calloc(nattrs, sizeof(*acc->names));
	acc->nlevels = candor__calloc(nattrs, sizeof(*acc->nlevels));
	acc->levels = candor__calloc(nattrs, sizeof(*acc->levels));
	acc->stride = candor__calloc(nattrs, sizeof(*acc->stride));
	acc->counts = candor__calloc(ncells * 4, sizeof(*acc->counts));
	if (!acc->names || !acc->nlevels || !acc->levels || !acc->stride || !acc->counts)
		goto oom;
	if (with_scores) {
		acc->pos = candor__calloc(ncells, sizeof(*acc->pos));
		acc->neg = candor__calloc(ncells, sizeof(*acc->neg));
		if (!acc->pos || !acc->neg)
			goto oom;
	}
	for (size_t a = nattrs, s = 1; a-- > 0;) {
		acc->stride[a] = s;
		s *= attrs[a].nlevels + 1;
	}
	for (size_t a = 0; a < nattrs; a++) {
		acc->names[a] = candor__strdup(attrs[a].name);
		if (!acc->names[a])
			goto oom;
		acc->levels[a] = candor__calloc(attrs[a].nlevels + 1, sizeof(char *));
		if (!acc->levels[a])
			goto oom;
		for (size_t l = 0; l < attrs[a].nlevels; l++) {
			acc->levels[a][l] = candor__strdup(attrs[a].levels[l]);
			acc->nlevels[a] = l + 1;
			if (!acc->levels[a][l])
				goto oom;
		}
		acc->nlevels[a] = attrs[a].nlevels;
	}
	*out = acc;
	return CANDOR_OK;
oom:
	candor_fairness_acc_free(acc);
	return CANDOR_ENOMEM;
}

uint64_t candor_fairness_acc_nrows(const candor_fairness_acc *acc)
{
	return acc ? acc->nrows : 0;
}

candor_status candor__fair_acc_clone_empty(candor_fairness_acc **out,
                                           const candor_fairness_acc *like)
{
	candor_fairness_attribute *attrs;
	candor_status st;

	attrs = candor__calloc(like->nattrs, sizeof(*attrs));
	if (!attrs)
		return CANDOR_ENOMEM;
	for (size_t a = 0; a < like->nattrs; a++) {
		attrs[a].name = like->names[a];
		attrs[a].levels = (const char *const *)like->levels[a];
		attrs[a].nlevels = like->nlevels[a];
	}
	st = candor_fairness_acc_new(out, attrs, like->nattrs, like->with_scores);
	candor__free(attrs);
	return st;
}

bool candor__fair_acc_compatible(const candor_fairness_acc *a, const candor_fairness_acc *b)
{
	if (a->nattrs != b->nattrs || a->with_scores != b->with_scores)
		return false;
	for (size_t i = 0; i < a->nattrs; i++) {
		if (strcmp(a->names[i], b->names[i]) != 0 || a->nlevels[i] != b->nlevels[i])
			return false;
		for (size_t l = 0; l < a->nlevels[i]; l++)
			if (strcmp(a->levels[i][l], b->levels[i][l]) != 0)
				return false;
	}
	return true;
}

/* ===== adding rows ====================================================== */

/* Check rows [0, n) of a batch; on failure find and name the first bad row. */
static candor_status check_rows(const candor_fairness_acc *acc, const candor_fairness_rows *r)
{
	unsigned bad = 0;
	size_t n = r->n;

	if (!r->label || !r->pred || (n && !r->groups))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL rows");
	if (acc->with_scores != (r->score != NULL))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     acc->with_scores ? "fairness: the accumulator needs scores"
		                                      : "fairness: scores given to an accumulator "
		                                        "made without scores");
	for (size_t i = 0; i < n; i++)
		bad |= r->label[i] | r->pred[i];
	if (bad > 1) {
		for (size_t i = 0; i < n; i++)
			if (r->label[i] > 1 || r->pred[i] > 1)
				return candor__error(CANDOR_EINVAL, NULL, 0, 0,
				                     "fairness: row %zu: %s %u is not 0 or 1", i,
				                     r->label[i] > 1 ? "label" : "prediction",
				                     (unsigned)(r->label[i] > 1 ? r->label[i]
				                                                : r->pred[i]));
	}
	for (size_t a = 0; a < acc->nattrs; a++) {
		const int32_t *g = r->groups[a];
		const uint32_t lim = (uint32_t)acc->nlevels[a];
		uint32_t worst = 0;

		if (!g && n)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "fairness: no codes for attribute '%s'", acc->names[a]);
		for (size_t i = 0; i < n; i++) {
			uint32_t s = (uint32_t)g[i] + 1u;

			worst = s > worst ? s : worst;
		}
		if (worst > lim) {
			for (size_t i = 0; i < n; i++)
				if ((uint32_t)g[i] + 1u > lim)
					return candor__error(CANDOR_EINVAL, NULL, 0, 0,
					                     "fairness: row %zu: code %d of attribute "
					                     "'%s' is not in [-1, %u)", i, (int)g[i],
					                     acc->names[a], (unsigned)lim);
		}
	}
	if (r->score)
		for (size_t i = 0; i < n; i++)
			if (!isfinite(r->score[i]))
				return candor__error(CANDOR_EINVAL, NULL, 0, 0,
				                     "fairness: row %zu: score is not a finite number", i);
	return CANDOR_OK;
}

/* The counting loop over rows [b, e), into `counts` (ncells * 4). */
static void count_rows(const candor_fairness_acc *acc, const candor_fairness_rows *r,
                       size_t b, size_t e, uint64_t *restrict counts)
{
	const uint8_t *restrict lab = r->label, *restrict prd = r->pred;

	if (acc->nattrs == 1) {
		const int32_t *restrict g = r->groups[0];

		for (size_t i = b; i < e; i++)
			counts[(((size_t)(uint32_t)(g[i] + 1)) << 2) | ((size_t)lab[i] << 1) | prd[i]]++;
	} else if (acc->nattrs == 2) {
		const int32_t *restrict g0 = r->groups[0], *restrict g1 = r->groups[1];
		const size_t s0 = acc->stride[0];

		for (size_t i = b; i < e; i++) {
			size_t cell = (size_t)(uint32_t)(g0[i] + 1) * s0 + (size_t)(uint32_t)(g1[i] + 1);

			counts[(cell << 2) | ((size_t)lab[i] << 1) | prd[i]]++;
		}
	} else {
		for (size_t i = b; i < e; i++) {
			size_t cell = 0;

			for (size_t a = 0; a < acc->nattrs; a++)
				cell += (size_t)(uint32_t)(r->groups[a][i] + 1) * acc->stride[a];
			counts[(cell << 2) | ((size_t)lab[i] << 1) | prd[i]]++;
		}
	}
}

static size_t cell_of(const candor_fairness_acc *acc, const candor_fairness_rows *r, size_t i)
{
	size_t cell = 0;

	for (size_t a = 0; a < acc->nattrs; a++)
		cell += (size_t)(uint32_t)(r->groups[a][i] + 1) * acc->stride[a];
	return cell;
}

/* Append the batch's scores: reserve every cell's growth first (one
 * reallocation per cell and batch), then fill. */
static candor_status add_scores(candor_fairness_acc *acc, const candor_fairness_rows *r)
{
	size_t *grow = candor__calloc(acc->ncells * 2, sizeof(*grow));
	candor_status st = CANDOR_OK;

	if (!grow)
		return CANDOR_ENOMEM;
	for (size_t i = 0; i < r->n; i++)
		grow[cell_of(acc, r, i) * 2 + r->label[i]]++;
	for (size_t c = 0; c < acc->ncells && st == CANDOR_OK; c++) {
		if (grow[2 * c + 1])
			st = candor__dvec_reserve(&acc->pos[c], grow[2 * c + 1]);
		if (st == CANDOR_OK && grow[2 * c])
			st = candor__dvec_reserve(&acc->neg[c], grow[2 * c]);
	}
	if (st == CANDOR_OK) {
		for (size_t i = 0; i < r->n; i++) {
			size_t c = cell_of(acc, r, i);
			candor__dvec *d = r->label[i] ? &acc->pos[c] : &acc->neg[c];

			d->v[d->n++] = r->score[i];
		}
	}
	candor__free(grow);
	return st;
}

candor_status candor_fairness_acc_add(candor_fairness_acc *acc, const candor_fairness_rows *rows)
{
	candor_status st;

	if (!acc || !rows)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL argument");
	if (rows->n == 0)
		return CANDOR_OK;
	if (acc->nrows > UINT64_MAX - rows->n)
		return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
		                     "fairness: the row count would exceed 2^64 - 1");
	st = check_rows(acc, rows);
	if (st != CANDOR_OK)
		return st;
	/* Scores first: it is the only step that can fail after checking. */
	if (acc->with_scores && (st = add_scores(acc, rows)) != CANDOR_OK)
		return st;
	count_rows(acc, rows, 0, rows->n, acc->counts);
	acc->nrows += rows->n;
	return CANDOR_OK;
}

candor_status candor_fairness_acc_add_parallel(candor_fairness_acc *acc,
                                               const candor_fairness_rows *rows, int threads)
{
	candor_status st;
	uint64_t *part;
	int nt;
	const size_t nc = acc ? acc->ncells * 4 : 0;

	if (!acc || !rows)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL argument");
	if (threads < 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: negative thread count");
	nt = threads ? threads : omp_get_max_threads();
	if (nt < 2 || rows->n < 65536)
		return candor_fairness_acc_add(acc, rows);
	if (acc->nrows > UINT64_MAX - rows->n)
		return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
		                     "fairness: the row count would exceed 2^64 - 1");
	st = check_rows(acc, rows);
	if (st != CANDOR_OK)
		return st;
	part = candor__mallocarray((size_t)nt, nc * sizeof(*part));
	if (!part)
		return CANDOR_ENOMEM;
	if (acc->with_scores && (st = add_scores(acc, rows)) != CANDOR_OK) {
		candor__free(part);
		return st;
	}
	/* Each thread counts a contiguous range into its own table; integer
	 * sums, so the reduction order does not matter. */
#pragma omp parallel num_threads(nt)
	{
		const int t = omp_get_thread_num(), T = omp_get_num_threads();
		const size_t b = rows->n / (size_t)T * (size_t)t;
		const size_t e = t == T - 1 ? rows->n : rows->n / (size_t)T * (size_t)(t + 1);
		uint64_t *mine = part + (size_t)t * nc;

		memset(mine, 0, nc * sizeof(*mine));
		count_rows(acc, rows, b, e, mine);
#pragma omp barrier
#pragma omp for schedule(static)
		for (size_t k = 0; k < nc; k++) {
			uint64_t s = 0;

			for (int u = 0; u < T; u++)
				s += part[(size_t)u * nc + k];
			acc->counts[k] += s;
		}
	}
	candor__free(part);
	acc->nrows += rows->n;
	return CANDOR_OK;
}

/* ===== merging ========================================================== */

candor_status candor_fairness_acc_merge(candor_fairness_acc *dst, const candor_fairness_acc *src)
{
	if (!dst || !src)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL argument");
	if (dst == src)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "fairness: cannot merge an accumulator into itself");
	if (!candor__fair_acc_compatible(dst, src))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "fairness: accumulators differ in attributes, levels or scores");
	/* every count is at most nrows, so no count can wrap if this does not */
	if (dst->nrows > UINT64_MAX - src->nrows)
		return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
		                     "fairness: the merged row count would exceed 2^64 - 1");
	if (dst->with_scores) {
		for (size_t c = 0; c < dst->ncells; c++) {
			if (candor__dvec_reserve(&dst->pos[c], src->pos[c].n) != CANDOR_OK ||
			    candor__dvec_reserve(&dst->neg[c], src->neg[c].n) != CANDOR_OK)
				return CANDOR_ENOMEM; /* only capacity changed: dst is intact */
		}
		for (size_t c = 0; c < dst->ncells; c++) {
			if (src->pos[c].n)
				memcpy(dst->pos[c].v + dst->pos[c].n, src->pos[c].v,
				       src->pos[c].n * sizeof(double));
			if (src->neg[c].n)
				memcpy(dst->neg[c].v + dst->neg[c].n, src->neg[c].v,
				       src->neg[c].n * sizeof(double));
			dst->pos[c].n += src->pos[c].n;
			dst->neg[c].n += src->neg[c].n;
		}
	}
	for (size_t k = 0; k < dst->ncells * 4; k++)
		dst->counts[k] += src->counts[k];
	dst->nrows += src->nrows;
	return CANDOR_OK;
}
