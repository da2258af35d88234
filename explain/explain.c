/*
 * explain.c - the explanation driver and the result object.
 *
 * candor_explain() validates every option in one pass, predicts the rows to
 * explain and the background once (large predict calls), then explains the
 * rows in parallel with OpenMP. Each thread allocates one workspace of the
 * method and reuses it for all its rows; row r draws from a GSL mt19937
 * stream seeded with candor__stream_seed(seed, r, 0), and every reduction
 * runs in a fixed order, so numbers do not depend on the thread count.
 *
 * BLAS/LAPACK inside the parallel region: OpenBLAS here is the pthread build,
 * whose thread count is global state, so the library never changes it.
 * Instead every BLAS/LAPACK call made per row is small: KernelSHAP's
 * (M-1) x (M-1) normal equations and LIME's p x p ridge systems are built
 * with dgemm from blocks of at most 256 rows, so m * n * k stays below
 * OpenBLAS 0.3.21's threshold for threading gemm (65536 * 4) for up to
 * ~30 features; dgemv on such blocks is below its own; dposv/dpotrs on
 * matrices this small run unthreaded. dsyrk is avoided: its interface
 * threads without a size check. So each call runs on the OpenMP thread
 * that made it, and no global OpenBLAS setting is touched.
 *
 * Errors raised on a worker thread are copied, with path, line and column,
 * into the calling thread's error record before candor_explain() returns.
 */
#include <math.h>
#include <omp.h>
#include <string.h>

#include <cblas.h>
#include <gsl/gsl_rng.h>

#include "explain/explain_int.h"

/* Synthetic rows per predict call of an in-process model (candor__coal_init). */
#define COAL_CACHE_BYTES (24 * 1024)

/* ===== the explanation object =========================================== */

candor_status candor__explanation_alloc(candor_explanation **out, const candor_model *model,
                                        size_t n, candor_explain_method method,
                                        candor_link link, bool with_se, bool lime,
                                        const uint64_t *row_ids)
{
	candor_explanation *e;
	size_t m = candor_model_nfeatures(model), k = candor_model_noutputs(model), nk, nkm;

	*out = NULL;
	if (candor__mul_overflow(n, k, &nk) || candor__mul_overflow(nk, m, &nkm))
		return candor__error(CANDOR_ENOMEM, NULL, 0, 0, "%zu rows are too many to explain", n);
	e = candor__calloc(1, sizeof(*e));
	if (!e)
		return CANDOR_ENOMEM;
	e->method = method;
	e->link = link;
	e->n = n;
	e->m = m;
	e->k = k;
	e->features = candor__calloc(m, sizeof(char *));
	e->row_ids = candor__mallocarray(n ? n : 1, sizeof(uint64_t));
	e->values = candor__calloc(nkm ? nkm : 1, sizeof(double));
	e->base = candor__calloc(nk ? nk : 1, sizeof(double));
	e->pred = candor__calloc(nk ? nk : 1, sizeof(double));
	if (with_se)
		e->se = candor__calloc(nkm ? nkm : 1, sizeof(double));
	if (lime) {
		e->local_pred = candor__calloc(nk ? nk : 1, sizeof(double));
		e->score = candor__calloc(nk ? nk : 1, sizeof(double));
	}
	if (!e->features || !e->row_ids || !e->values || !e->base || !e->pred ||
	    (with_se && !e->se) || (lime && (!e->local_pred || !e->score)))
		goto oom;
	for (size_t j = 0; j < m; j++) {
		e->features[j] = candor__strdup(candor_model_feature(model, j));
		if (!e->features[j])
			goto oom;
	}
	for (size_t i = 0; i < n; i++)
		e->row_ids[i] = row_ids ? row_ids[i] : i;
	*out = e;
	return CANDOR_OK;
oom:
	candor_explanation_free(e);
	return CANDOR_ENOMEM;
}

void candor_explanation_free(candor_explanation *e)
{
	if (!e)
		return;
	if (e->features)
		for (size_t j = 0; j < e->m; j++)
			candor__free(e->features[j]);
	candor__free(e->features);
	candor__free(e->row_ids);
	candor__free(e->values);
	candor__free(e->base);
	candor__free(e->pred);
	candor__free(e->se);
	candor__free(e->local_pred);
	candor__free(e->score);
	candor__free(e);
}

size_t candor_explanation_nrows(const candor_explanation *e) { return e->n; }
size_t candor_explanation_nfeatures(const candor_explanation *e) { return e->m; }
size_t candor_explanation_noutputs(const candor_explanation *e) { return e->k; }
candor_explain_method candor_explanation_method(const candor_explanation *e) { return e->method; }
candor_link candor_explanation_link(const candor_explanation *e) { return e->link; }
const double *candor_explanation_values(const candor_explanation *e) { return e->values; }
const double *candor_explanation_base(const candor_explanation *e) { return e->base; }
const double *candor_explanation_prediction(const candor_explanation *e) { return e->pred; }
const double *candor_explanation_stderr(const candor_explanation *e) { return e->se; }
const double *candor_explanation_local_prediction(const candor_explanation *e)
{
	return e->local_pred;
}
const double *candor_explanation_score(const candor_explanation *e) { return e->score; }

const char *candor_explanation_feature(const candor_explanation *e, size_t j)
{
	return j < e->m ? e->features[j] : NULL;
}

uint64_t candor_explanation_row_id(const candor_explanation *e, size_t i)
{
	return i < e->n ? e->row_ids[i] : 0;
}

candor_status candor_explanation_from_contribs(candor_explanation **out,
                                               const candor_model *model, const double *phi,
                                               size_t n, const uint64_t *row_ids)
{
	candor_explanation *e;
	candor_status st;

	if (!out || !model || (n && !phi))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "explanation_from_contribs: NULL argument");
	st = candor__explanation_alloc(&e, model, n, CANDOR_METHOD_TREE, CANDOR_LINK_IDENTITY,
	                               false, false, row_ids);
	if (st != CANDOR_OK)
		return st;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < e->k; k++) {
			const double *blk = phi + (i * e->k + k) * (e->m + 1);
			double sum = blk[e->m];

			for (size_t j = 0; j < e->m; j++) {
				e->values[(i * e->k + k) * e->m + j] = blk[j];
				sum += blk[j];
			}
			e->base[i * e->k + k] = blk[e->m];
			e->pred[i * e->k + k] = sum;
		}
	}
	*out = e;
	return CANDOR_OK;
}

candor_status candor_explanation_importance(const candor_explanation *e, size_t k, double *out)
{
	if (!e || !out || k >= e->k)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "explanation_importance: bad argument");
	for (size_t j = 0; j < e->m; j++) {
		double s = 0;

		for (size_t i = 0; i < e->n; i++)
			s += fabs(e->values[(i * e->k + k) * e->m + j]);
		out[j] = e->n ? s / (double)e->n : NAN;
	}
	return CANDOR_OK;
}

candor_status candor_explanation_group_means(const candor_explanation *e, size_t k,
                                             const int32_t *group, size_t ngroups,
                                             double *means, size_t *counts)
{
	if (!e || (e->n && !group) || !means || k >= e->k || ngroups == 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "explanation_group_means: bad argument");
	for (size_t i = 0; i < e->n; i++)
		if (group[i] < -1 || (group[i] >= 0 && (size_t)group[i] >= ngroups))
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "group code %d of row %zu is outside [0, %zu)", group[i], i,
			                     ngroups);
	for (size_t g = 0; g < ngroups; g++) {
		size_t cnt = 0;

		for (size_t j = 0; j < e->m; j++)
			means[g * e->m + j] = 0;
		for (size_t i = 0; i < e->n; i++) {
			if (group[i] != (int32_t)g)
				continue;
			cnt++;
			for (size_t j = 0; j < e->m; j++)
				means[g * e->m + j] += e->values[(i * e->k + k) * e->m + j];
		}
		for (size_t j = 0; j < e->m; j++)
			means[g * e->m + j] = cnt ? means[g * e->m + j] / (double)cnt : NAN;
		if (counts)
			counts[g] = cnt;
	}
	return CANDOR_OK;
}

/* ===== writers =========================================================== */

static void put_num(FILE *f, double v, const char *nan_text)
{
	char buf[40];

	if (!isfinite(v)) {
		fputs(nan_text, f);
		return;
	}
	candor__format_double(buf, sizeof(buf), v);
	fputs(buf, f);
}

candor_status candor_explanation_write_csv(const candor_explanation *e, FILE *f)
{
	bool lime;

	if (!e || !f)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "explanation_write_csv: NULL argument");
	lime = e->method == CANDOR_METHOD_LIME;
	fputs("row", f);
	if (e->k > 1)
		fputs(",output", f);
	for (size_t j = 0; j < e->m; j++) {
		fputc(',', f);
		candor__csv_put_text(f, e->features[j]);
	}
	fputs(lime ? ",intercept,local_prediction,prediction,score\n" : ",base_value,prediction\n", f);
	for (size_t i = 0; i < e->n; i++) {
		for (size_t k = 0; k < e->k; k++) {
			const size_t ik = i * e->k + k;

			fprintf(f, "%llu", (unsigned long long)e->row_ids[i]);
			if (e->k > 1)
				fprintf(f, ",%zu", k);
			for (size_t j = 0; j < e->m; j++) {
				fputc(',', f);
				put_num(f, e->values[ik * e->m + j], "");
			}
			fputc(',', f);
			put_num(f, e->base[ik], "");
			if (lime) {
				fputc(',', f);
				put_num(f, e->local_pred[ik], "");
			}
			fputc(',', f);
			put_num(f, e->pred[ik], "");
			if (lime) {
				fputc(',', f);
				put_num(f, e->score[ik], "");
			}
			fputc('\n', f);
		}
	}
	if (ferror(f))
		return candor__error(CANDOR_EIO, NULL, 0, 0, "cannot write the explanation CSV");
	return CANDOR_OK;
}

static const char *method_name(candor_explain_method m)
{
	switch (m) {
	case CANDOR_METHOD_EXACT: return "exact";
	case CANDOR_METHOD_KERNEL: return "kernel";
	case CANDOR_METHOD_PERMUTATION: return "permutation";
	case CANDOR_METHOD_LINEAR: return "linear";
	case CANDOR_METHOD_LIME: return "lime";
	case CANDOR_METHOD_TREE: return "tree";
	}
	return "unknown";
}

static void put_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void put_json_array(FILE *f, const double *v, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		put_num(f, v[i], "null");
	}
	fputc(']', f);
}

candor_status candor_explanation_write_json(const candor_explanation *e, FILE *f)
{
	double *imp;

	if (!e || !f)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "explanation_write_json: NULL argument");
	imp = candor__mallocarray(e->m ? e->m : 1, sizeof(double));
	if (!imp)
		return CANDOR_ENOMEM;
	fprintf(f, "{\"candor_version\":\"%s\",\"method\":\"%s\",\"link\":\"%s\",\"noutputs\":%zu,"
	           "\"features\":[",
	        candor_version(), method_name(e->method),
	        e->link == CANDOR_LINK_LOGIT ? "logit" : "identity", e->k);
	for (size_t j = 0; j < e->m; j++) {
		if (j)
			fputc(',', f);
		put_json_string(f, e->features[j]);
	}
	fputs("],\n\"global_importance\":[", f);
	for (size_t k = 0; k < e->k; k++) {
		candor_explanation_importance(e, k, imp);
		if (k)
			fputc(',', f);
		put_json_array(f, imp, e->m);
	}
	fputs("],\n\"rows\":[\n", f);
	for (size_t i = 0; i < e->n; i++) {
		fprintf(f, "%s{\"row\":%llu,", i ? ",\n" : "", (unsigned long long)e->row_ids[i]);
		fputs(e->method == CANDOR_METHOD_LIME ? "\"intercept\":" : "\"base_value\":", f);
		put_json_array(f, e->base + i * e->k, e->k);
		fputs(",\"prediction\":", f);
		put_json_array(f, e->pred + i * e->k, e->k);
		fputs(",\"values\":[", f);
		for (size_t k = 0; k < e->k; k++) {
			if (k)
				fputc(',', f);
			put_json_array(f, e->values + (i * e->k + k) * e->m, e->m);
		}
		fputc(']', f);
		if (e->se) {
			fputs(",\"stderr\":[", f);
			for (size_t k = 0; k < e->k; k++) {
				if (k)
					fputc(',', f);
				put_json_array(f, e->se + (i * e->k + k) * e->m, e->m);
			}
			fputc(']', f);
		}
		if (e->local_pred) {
			fputs(",\"local_prediction\":", f);
			put_json_array(f, e->local_pred + i * e->k, e->k);
			fputs(",\"score\":", f);
			put_json_array(f, e->score + i * e->k, e->k);
		}
		fputc('}', f);
	}
	fputs("\n]}\n", f);
	candor__free(imp);
	if (ferror(f))
		return candor__error(CANDOR_EIO, NULL, 0, 0, "cannot write the explanation JSON");
	return CANDOR_OK;
}

/* ===== shared helpers ==================================================== */

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

candor_status candor__predict(candor_model *model, const double *x, size_t n, double *out)
{
	candor_status st;

	if (candor_model_is_reentrant(model))
		return candor_model_predict(model, x, n, out);
#pragma omp critical(candor_predict)
	st = candor_model_predict(model, x, n, out);
	return st;
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

/* ===== the driver ======================================================== */

static candor_status check_options(candor__ctx *ctx, const candor_model *model,
                                   const candor_background *bg, const candor_explain_options *in)
{
	candor_explain_options *o = &ctx->o;
	const size_t m = ctx->m;

	if (in) {
		if (in->version != CANDOR_EXPLAIN_OPTIONS_VERSION)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "explain options version %u is not %u", in->version,
			                     CANDOR_EXPLAIN_OPTIONS_VERSION);
		*o = *in;
	} else {
		candor_explain_options d = CANDOR_EXPLAIN_OPTIONS_INIT;
		*o = d;
	}
	switch (o->method) {
	case CANDOR_METHOD_EXACT: case CANDOR_METHOD_KERNEL: case CANDOR_METHOD_PERMUTATION:
	case CANDOR_METHOD_LINEAR: case CANDOR_METHOD_LIME:
		break;
	case CANDOR_METHOD_TREE:
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "the tree method is candor_treeshap(), not candor_explain()");
	default:
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "no explanation method chosen");
	}
	if (o->link == 0)
		o->link = CANDOR_LINK_IDENTITY;
	if (o->link != CANDOR_LINK_IDENTITY && o->link != CANDOR_LINK_LOGIT)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "unknown link %d", (int)o->link);
	if (o->link == CANDOR_LINK_LOGIT && o->method != CANDOR_METHOD_LINEAR &&
	    candor_model_output_kind(model) != CANDOR_OUTPUT_PROBABILITY)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "the logit link needs a model whose outputs are probabilities");
	if (!bg)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "no background data");
	if (bg->m != m)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "the background has %zu columns, the model %zu features", bg->m, m);
	if (o->max_batch_rows == 0)
		o->max_batch_rows = 8192;
	if (o->max_exact_features == 0)
		o->max_exact_features = 16;
	if (o->threads < 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "threads must be >= 0");
	if (!(o->target_stderr >= 0))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "the target standard error must be >= 0");
	if (o->method == CANDOR_METHOD_LIME) {
		if (o->nsamples == 0)
			o->nsamples = 5000;
		if (o->nsamples < 2)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "LIME needs at least 2 samples per row, not %zu", o->nsamples);
		if (o->lime_sampling == 0)
			o->lime_sampling = CANDOR_LIME_QUARTILE;
		if (o->lime_sampling != CANDOR_LIME_QUARTILE && o->lime_sampling != CANDOR_LIME_CONTINUOUS)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0, "unknown LIME sampling %d",
			                     (int)o->lime_sampling);
		if (o->lime_kernel_width == 0)
			o->lime_kernel_width = 0.75 * sqrt((double)m);
		if (!(o->lime_kernel_width > 0) || !isfinite(o->lime_kernel_width))
			return candor__error(CANDOR_EINVAL, NULL, 0, 0, "the LIME kernel width must be > 0");
		if (o->lime_selection == 0)
			o->lime_selection = CANDOR_LIME_SELECT_AUTO;
		if (o->lime_selection < CANDOR_LIME_SELECT_AUTO ||
		    o->lime_selection > CANDOR_LIME_SELECT_LASSO)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0, "unknown LIME feature selection %d",
			                     (int)o->lime_selection);
		if (o->lime_num_features == 0)
			o->lime_num_features = 10;
		if (o->lime_num_features > m)
			o->lime_num_features = m;
		if (o->lime_ridge_alpha == 0)
			o->lime_ridge_alpha = 1.0;
		if (!(o->lime_ridge_alpha > 0))
			return candor__error(CANDOR_EINVAL, NULL, 0, 0, "the LIME ridge alpha must be > 0");
	} else if (o->method == CANDOR_METHOD_KERNEL || o->method == CANDOR_METHOD_PERMUTATION) {
		if (o->nsamples == 0)
			o->nsamples = 2 * m + 2048;
	}
	return CANDOR_OK;
}

typedef struct worker_error {
	candor_status status;
	candor__saved_error rec; /* a copy: a worker's own record is its thread's */
} worker_error;

static void keep_error(worker_error *we, candor_status st)
{
#pragma omp critical(candor_explain_error)
	{
		if (we->status == CANDOR_OK) {
			we->status = st;
			candor__error_save(&we->rec);
		}
	}
}

static candor_status rows_loop(const candor__method *meth, const candor__ctx *ctx,
                               const double *x, size_t n, candor_explanation *e)
{
	worker_error we = { CANDOR_OK, { CANDOR_OK, NULL, NULL, 0, 0 } };
	uint64_t done = 0;
	const int threads = ctx->o.threads > 0 ? ctx->o.threads : omp_get_max_threads();
	int stop = 0;

#pragma omp parallel num_threads(threads)
	{
		void *ws = NULL;
		gsl_rng *rng = candor__rng_new();
		candor_status st = rng ? meth->ws_new(&ws, ctx) : candor__oom();
		long i;

		if (st != CANDOR_OK)
			keep_error(&we, st);
#pragma omp for schedule(dynamic, 1)
		for (i = 0; i < (long)n; i++) {
			candor__row_out ro;
			const size_t r = (size_t)i;
			int stopped;

#pragma omp atomic read
			stopped = stop;
			if (stopped || st != CANDOR_OK)
				continue;
			ro.phi = e->values + r * e->k * e->m;
			ro.base = e->base + r * e->k;
			ro.pred = e->pred + r * e->k;
			ro.se = e->se ? e->se + r * e->k * e->m : NULL;
			ro.local_pred = e->local_pred ? e->local_pred + r * e->k : NULL;
			ro.score = e->score ? e->score + r * e->k : NULL;
			gsl_rng_set(rng, (unsigned long)candor__stream_seed(ctx->o.seed, e->row_ids[r], 0));
			st = meth->row(ws, ctx, x + r * ctx->m, rng, &ro);
			if (st != CANDOR_OK) {
				keep_error(&we, st);
#pragma omp atomic write
				stop = 1;
				continue;
			}
			if (ctx->o.on_progress) {
#pragma omp critical(candor_explain_progress)
				ctx->o.on_progress(++done, n, ctx->o.payload);
			}
		}
		if (ws)
			meth->ws_free(ws);
		if (rng)
			gsl_rng_free(rng);
	}
	if (we.status != CANDOR_OK)
		return candor__error_restore(&we.rec);
	return CANDOR_OK;
}

candor_status candor_explain(candor_explanation **out, candor_model *model, const double *x,
                             size_t n, const candor_background *bg,
                             const candor_explain_options *opts)
{
	candor__ctx ctx;
	candor_explanation *e = NULL;
	double *bgout = NULL, *base = NULL;
	candor__lime_stats *lime = NULL;
	const candor__method *meth = NULL;
	candor_status st;
	size_t k;

	if (!out || !model || (n && !x))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "explain: NULL argument");
	*out = NULL;
	memset(&ctx, 0, sizeof(ctx));
	ctx.model = model;
	ctx.bg = bg;
	ctx.m = candor_model_nfeatures(model);
	ctx.k = k = candor_model_noutputs(model);
	st = check_options(&ctx, model, bg, opts);
	if (st != CANDOR_OK)
		return st;
	switch (ctx.o.method) {
	case CANDOR_METHOD_EXACT:
		st = candor__exact_check(&ctx);
		meth = &candor__exact_method;
		break;
	case CANDOR_METHOD_KERNEL:
		st = candor__kernel_check(&ctx);
		meth = &candor__kernel_method;
		break;
	case CANDOR_METHOD_PERMUTATION:
		st = candor__permutation_check(&ctx);
		meth = &candor__permutation_method;
		break;
	case CANDOR_METHOD_LIME:
		meth = &candor__lime_method;
		break;
	default:
		break;
	}
	if (st != CANDOR_OK)
		return st;
	st = candor__explanation_alloc(&e, model, n, ctx.o.method, ctx.o.link,
	                               ctx.o.method != CANDOR_METHOD_LIME,
	                               ctx.o.method == CANDOR_METHOD_LIME, ctx.o.row_ids);
	if (st != CANDOR_OK)
		return st;
	if (ctx.o.method == CANDOR_METHOD_LINEAR) {
		st = candor__linear_shap(&ctx, x, n, e);
		goto done;
	}
	/* The predictions, in large batches, then g(E f) over the background. */
	for (size_t i = 0; i < n && st == CANDOR_OK; i += ctx.o.max_batch_rows) {
		size_t cnt = n - i < ctx.o.max_batch_rows ? n - i : ctx.o.max_batch_rows;

		st = candor_model_predict(model, x + i * ctx.m, cnt, e->pred + i * k);
	}
	if (st != CANDOR_OK)
		goto done;
	for (size_t i = 0; i < n * k; i++)
		e->pred[i] = candor__link(ctx.o.link, e->pred[i]);
	bgout = candor__mallocarray(bg->n, k * sizeof(double));
	base = candor__calloc(k, sizeof(double));
	if (!bgout || !base) {
		st = CANDOR_ENOMEM;
		goto done;
	}
	st = candor_model_predict(model, bg->x, bg->n, bgout);
	if (st != CANDOR_OK)
		goto done;
	for (size_t kk = 0; kk < k; kk++) {
		double s = 0;

		for (size_t b = 0; b < bg->n; b++)
			s += bg->w[b] * bgout[b * k + kk];
		base[kk] = candor__link(ctx.o.link, s);
	}
	ctx.base = base;
	if (ctx.o.method == CANDOR_METHOD_LIME) {
		st = candor__lime_stats_new(&lime, &ctx);
		if (st != CANDOR_OK)
			goto done;
		ctx.method_data = lime;
	}
	st = rows_loop(meth, &ctx, x, n, e);
	/* validation: a command model must not have sent more than its answers */
	if (st == CANDOR_OK)
		st = candor__cmd_settle(model, 50);
done:
	candor__lime_stats_free(lime);
	candor__free(bgout);
	candor__free(base);
	if (st != CANDOR_OK) {
		candor_explanation_free(e);
		return st;
	}
	*out = e;
	return CANDOR_OK;
}
