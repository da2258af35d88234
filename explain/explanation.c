/*
 * explanation.c - the explanation object: its storage, accessors, the
 * summaries computed from it (global importance, means per group) and its
 * writers (CSV, JSON, interaction CSV). It computes no explanation: the
 * explainer handle (explainer.c) fills it.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "explain/explain_int.h"

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
	candor__free(e->inter);
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
const double *candor_explanation_interactions(const candor_explanation *e) { return e->inter; }
candor_tree_mode candor_explanation_tree_mode(const candor_explanation *e)
{
	return e->method == CANDOR_METHOD_TREE ? e->tree_mode : 0;
}

const char *candor_explanation_feature(const candor_explanation *e, size_t j)
{
	return j < e->m ? e->features[j] : NULL;
}

uint64_t candor_explanation_row_id(const candor_explanation *e, size_t i)
{
	return i < e->n ? e->row_ids[i] : 0;
}

void candor__explanation_set_contribs(candor_explanation *e, const double *phi)
{
	for (size_t i = 0; i < e->n; i++) {
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
	candor__explanation_set_contribs(e, phi);
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
	case CANDOR_METHOD_AUTO: break;
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
	fprintf(f, "{\"candor_version\":\"%s\",\"method\":\"%s\",", candor_version(),
	        method_name(e->method));
	/* path-dependent TreeSHAP, the first tree method, writes no mode */
	if (e->method == CANDOR_METHOD_TREE && e->tree_mode == CANDOR_TREE_INTERVENTIONAL)
		fputs("\"tree_mode\":\"interventional\",", f);
	fprintf(f, "\"link\":\"%s\",\"noutputs\":%zu,\"features\":[",
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

candor_status candor_explanation_write_interactions_csv(const candor_explanation *e, FILE *f)
{
	if (!e || !f)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "explanation_write_interactions_csv: NULL argument");
	if (!e->inter)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "the explanation holds no interaction values (options.interactions)");
	const size_t M = e->m, K = e->k, M1 = M + 1;
	fputs(K > 1 ? "row,output,feature" : "row,feature", f);
	for (size_t j = 0; j < M; j++) {
		fputc(',', f);
		candor__csv_put_text(f, e->features[j]);
	}
	fputs(",base_value\n", f);
	for (size_t r = 0; r < e->n; r++)
		for (size_t k = 0; k < K; k++)
			for (size_t i = 0; i < M1; i++) {
				const double *line = e->inter + ((r * K + k) * M1 + i) * M1;
				fprintf(f, "%llu,", (unsigned long long)e->row_ids[r]);
				if (K > 1)
					fprintf(f, "%zu,", k);
				candor__csv_put_text(f, i < M ? e->features[i] : "base_value");
				for (size_t j = 0; j < M1; j++) {
					fputc(',', f);
					put_num(f, line[j], "");
				}
				fputc('\n', f);
			}
	if (ferror(f) || fflush(f))
		return candor__error(CANDOR_EIO, NULL, 0, 0,
		                     "cannot write the interaction values: %s", strerror(errno));
	return CANDOR_OK;
}
