/*
 * coalition.c - the helper library of the explainers: the link, the
 * model's predict as the methods call it, coalition values v(S) evaluated
 * in batched predict calls, and the Gram-matrix update of the regressions.
 * Nothing here dispatches methods (explainer.c does) or stores results
 * (explanation.c does).
 *
 * BLAS inside the explainers' parallel regions: OpenBLAS here is the
 * pthread build, whose thread count is global state, so the library never
 * changes it. Instead every BLAS/LAPACK call made per row is small:
 * KernelSHAP's (M-1) x (M-1) normal equations and LIME's p x p ridge
 * systems are built with dgemm from blocks of at most 256 rows, so m * n * k
 * stays below OpenBLAS 0.3.21's threshold for threading gemm (65536 * 4)
 * for up to ~30 features; dgemv on such blocks is below its own; dposv/
 * dpotrs on matrices this small run unthreaded. dsyrk is avoided: its
 * interface threads without a size check. So each call runs on the OpenMP
 * thread that made it, and no global OpenBLAS setting is touched.
 */
#include <math.h>
#include <string.h>

#include <cblas.h>

#include "explain/explain_int.h"

/* Synthetic rows per predict call of an in-process model (candor__coal_init). */
#define COAL_CACHE_BYTES (24 * 1024)


void candor__gram_add(double *c, const double *a, size_t n, size_t p)
{
	cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, (int)p, (int)n, 1.0, a, (int)p, a,
	            (int)p, 1.0, c, (int)p);
}

double candor__link(candor_link link, double p)
{
	if (link != CANDOR_LINK_LOGIT)
		return p;
	if (p < 1e-15)
		p = 1e-15;
	else if (p > 1 - 1e-15)
		p = 1 - 1e-15;
	return log(p / (1 - p));
}

/* A model that is not reentrant serialises its own calls, with a lock of
 * its own (models/model.c): two explainers on two models never wait for
 * each other. */
candor_status candor__predict(candor_model *model, const double *x, size_t n, double *out)
{
	return candor_model_predict(model, x, n, out);
}

candor_status candor__coal_init(candor__coal *c, candor_model *model,
                                const candor_background *bg, candor_link link,
                                size_t max_batch_rows)
{
	memset(c, 0, sizeof(*c));
	c->model = model;
	c->bg = bg->x;
	c->bgw = bg->w;
	c->nbg = bg->n;
	c->m = bg->m;
	c->k = candor_model_noutputs(model);
	c->link = link;
	c->chunk = max_batch_rows / bg->n;
	/*
	 * The built-in models cost nothing per call beyond their rows, so they
	 * are called with at most COAL_CACHE_BYTES of synthetic rows: the rows
	 * fill_slot patches are then still in L1 from the predict call that
	 * read them (the L2 round trip was most of the patching cost). Command
	 * models pay a request per call and plugins an unknown cost: they get
	 * max_batch_rows.
	 */
	switch (candor_model_type_of(model)) {
	case CANDOR_MODEL_LINEAR: case CANDOR_MODEL_LOGISTIC: case CANDOR_MODEL_XGBOOST: {
		const size_t fit = COAL_CACHE_BYTES / (bg->n * c->m * sizeof(double));

		if (c->chunk > fit)
			c->chunk = fit;
		break;
	}
	default:
		break;
	}
	if (c->chunk == 0)
		c->chunk = 1;
	c->rows = candor__mallocarray(c->chunk * c->nbg, c->m * sizeof(double));
	c->out = candor__mallocarray(c->chunk * c->nbg, c->k * sizeof(double));
	c->slot_mask = candor__mallocarray(c->chunk, c->m);
	c->slot_ok = candor__calloc(c->chunk, 1);
	c->last_x = candor__calloc(c->m, sizeof(double));
	c->sums = candor__mallocarray(c->chunk, c->k * sizeof(double));
	if (!c->rows || !c->out || !c->slot_mask || !c->slot_ok || !c->last_x || !c->sums) {
		candor__coal_free(c);
		return CANDOR_ENOMEM;
	}
	return CANDOR_OK;
}

void candor__coal_free(candor__coal *c)
{
	candor__free(c->rows);
	candor__free(c->out);
	candor__free(c->slot_mask);
	candor__free(c->slot_ok);
	candor__free(c->last_x);
	candor__free(c->sums);
	c->rows = c->out = c->last_x = c->sums = NULL;
	c->slot_mask = c->slot_ok = NULL;
}

/*
 * Column j of a block of nbg synthetic rows (row stride m): set to x_j, or
 * restored from the background. One strided loop per changed column, with
 * no branch inside: a block (nbg x m doubles, 9.6 kB for 100 rows of 12)
 * stays in L1 while its few changed columns are written.
 */
static void set_column(double *rows, size_t m, size_t nbg, size_t j, double xj)
{
	double *p = rows + j;

	for (size_t b = 0; b < nbg; b++, p += m)
		*p = xj;
}

static void restore_column(double *rows, const double *bg, size_t m, size_t nbg, size_t j)
{
	double *p = rows + j;
	const double *q = bg + j;

	for (size_t b = 0; b < nbg; b++, p += m, q += m)
		*p = *q;
}

/*
 * The synthetic rows of coalition `mask` in slot s. A slot that holds no
 * coalition of this x gets the background block once (memcpy); after that
 * only the columns where the held coalition and `mask` differ are written.
 * Callers list coalitions so that neighbours differ in few features (see
 * candor__coal_eval), so a slot costs about nbg stores per changed column.
 */
static void fill_slot(candor__coal *c, size_t s, const uint8_t *mask, const double *x)
{
	const size_t m = c->m, nbg = c->nbg;
	double *rows = c->rows + s * nbg * m;
	uint8_t *held = c->slot_mask + s * m;

	if (!c->slot_ok[s]) {
		memcpy(rows, c->bg, nbg * m * sizeof(double));
		memset(held, 0, m);
		c->slot_ok[s] = 1;
	}
	for (size_t j = 0; j < m; j++) {
		if (held[j] == mask[j])
			continue;
		held[j] = mask[j];
		if (mask[j])
			set_column(rows, m, nbg, j, x[j]);
		else
			restore_column(rows, c->bg, m, nbg, j);
	}
}

/*
 * v[s] = g(sum_b w_b out[s][b]) for the cnt coalitions of one predict call.
 * Each sum runs over b in order, so v depends neither on how coalitions are
 * cut into calls nor on the BLAS build. Coalitions are summed side by side
 * (4, then 2, in registers) so that their chains of dependent adds overlap.
 * (OpenBLAS dgemv was tried here and was no faster on the bench.) `vout`
 * receives coalition s at vout[s * vstride * k].
 */
static void aggregate(candor__coal *c, size_t cnt, double *vout, size_t vstride)
{
	const size_t k = c->k, nbg = c->nbg;
	const double *w = c->bgw;

	if (k == 1) {
		const double *o = c->out;
		size_t s = 0;

		for (; s + 4 <= cnt; s += 4) {
			double a0 = 0, a1 = 0, a2 = 0, a3 = 0;

			for (size_t b = 0; b < nbg; b++) {
				a0 += w[b] * o[s * nbg + b];
				a1 += w[b] * o[(s + 1) * nbg + b];
				a2 += w[b] * o[(s + 2) * nbg + b];
				a3 += w[b] * o[(s + 3) * nbg + b];
			}
			c->sums[s] = a0;
			c->sums[s + 1] = a1;
			c->sums[s + 2] = a2;
			c->sums[s + 3] = a3;
		}
		for (; s + 2 <= cnt; s += 2) {
			double a0 = 0, a1 = 0;

			for (size_t b = 0; b < nbg; b++) {
				a0 += w[b] * o[s * nbg + b];
				a1 += w[b] * o[(s + 1) * nbg + b];
			}
			c->sums[s] = a0;
			c->sums[s + 1] = a1;
		}
		for (; s < cnt; s++) {
			double a0 = 0;

			for (size_t b = 0; b < nbg; b++)
				a0 += w[b] * o[s * nbg + b];
			c->sums[s] = a0;
		}
	} else {
		for (size_t s = 0; s < cnt; s++)
			for (size_t kk = 0; kk < k; kk++) {
				double acc = 0;

				for (size_t b = 0; b < nbg; b++)
					acc += w[b] * c->out[(s * nbg + b) * k + kk];
				c->sums[s * k + kk] = acc;
			}
	}
	for (size_t s = 0; s < cnt; s++)
		for (size_t kk = 0; kk < k; kk++)
			vout[s * vstride * k + kk] = candor__link(c->link, c->sums[s * k + kk]);
}

candor_status candor__coal_eval(candor__coal *c, const double *x, const uint8_t *masks,
                                size_t ncoal, double *v)
{
	const size_t m = c->m, k = c->k, nbg = c->nbg;

	/* A new row invalidates every slot (bitwise comparison: NaN-safe). */
	if (memcmp(c->last_x, x, m * sizeof(double)) != 0) {
		memcpy(c->last_x, x, m * sizeof(double));
		memset(c->slot_ok, 0, c->chunk);
	}
	/*
	 * Round r evaluates coalitions s * rounds + r for slots s = 0, 1, ...:
	 * each slot walks through consecutive coalitions, which callers list in
	 * orders where neighbours differ in few features (KernelSHAP: Gray-code
	 * order; exact: Gray-code order; permutation: prefixes), so fill_slot
	 * rewrites few columns.
	 */
	const size_t rounds = (ncoal + c->chunk - 1) / c->chunk;

	for (size_t r = 0; r < rounds; r++) {
		const size_t cnt = (ncoal - r + rounds - 1) / rounds;
		candor_status st;

		for (size_t s = 0; s < cnt; s++)
			fill_slot(c, s, masks + (s * rounds + r) * m, x);
		st = candor__predict(c->model, c->rows, cnt * nbg, c->out);
		if (st != CANDOR_OK)
			return st;
		aggregate(c, cnt, v + r * k, rounds);
	}
	return CANDOR_OK;
}
