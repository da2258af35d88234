/*
 * doccharts.c - the charts of an audit document: which charts an audit has
 * (per sensitive attribute: selection-rate bars and the disparity chart;
 * with explanations: SHAP summary, importance, a waterfall and a dependence
 * scatter, and LIME weights), feeding each chart from the document's
 * arrays, and writing them all as PNG and SVG files.
 *
 * Chart i of a document always has the same name, so the workbook, the PDF
 * and charts/ show the same pictures.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

enum { DC_GROUP, DC_DISPARITY, DC_BEESWARM, DC_IMPORTANCE, DC_WATERFALL, DC_DEPENDENCE, DC_LIME };

/* The metric drawn per group: the one the four-fifths rule is about. */
#define DC_METRIC "selection_rate"

typedef struct dc_item {
	int kind;
	const char *attribute; /* borrowed from the document */
} dc_item;

/* The list of charts; returns the count (at most cap). */
static size_t dc_list(const candor_audit_doc *doc, dc_item *items, size_t cap)
{
	json_object *attrs = candor__jget(doc->fairness, "attributes");
	json_object *ex = doc->explanations;
	size_t n = 0;

	for (size_t a = 0; a < candor__jlen(attrs) && n + 2 <= cap; a++) {
		const char *name = json_object_get_string(candor__jidx(attrs, a));
		items[n++] = (dc_item){DC_GROUP, name};
		items[n++] = (dc_item){DC_DISPARITY, name};
	}
	if (ex && candor__jlen(candor__jget(ex, "features")) && candor__jlen(candor__jget(ex, "shap"))) {
		static const int kinds[] = {DC_BEESWARM, DC_IMPORTANCE, DC_WATERFALL, DC_DEPENDENCE};
		for (size_t k = 0; k < 4 && n < cap; k++)
			items[n++] = (dc_item){kinds[k], NULL};
		json_object *lime = candor__jget(ex, "lime");
		if (lime && candor__jlen(candor__jget(lime, "weights")) && n < cap)
			items[n++] = (dc_item){DC_LIME, NULL};
	}
	return n;
}

#define DC_MAX 256

size_t candor__doc_nchart(const candor_audit_doc *doc)
{
	dc_item items[DC_MAX];
	return dc_list(doc, items, DC_MAX);
}

/* Longest part of a chart's file name taken from a name in the document. */
#define DC_SAFE_MAX 64

/* File-name-safe form of s: letters, digits, '_' and '-' are kept, at most
 * DC_SAFE_MAX of them. When that changed anything (another character was
 * replaced by '_', or the name was cut), "_" and 16 hex digits of a 64-bit
 * FNV-1a hash of the exact name are appended, so that names which differ
 * get different files ("a/b", "a_b" and "a&b" used to share one). The one
 * way two names could still meet (a hash collision, or a kept name that
 * spells another's hash) is caught by candor__doc_chart's check. */
static void safe(char *out, size_t size, const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	bool changed = false;
	size_t i = 0;

	if (!s)
		s = "";
	for (const char *p = s; *p; p++) {
		const char c = *p;
		const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		                (c >= '0' && c <= '9') || c == '-' || c == '_';
		h = (h ^ (unsigned char)c) * 1099511628211ULL;
		if (i < DC_SAFE_MAX && i + 1 < size)
			out[i++] = ok ? c : '_';
		else
			changed = true;
		changed |= !ok;
	}
	if (!s[0])
		changed = true;
	out[i] = '\0';
	if (changed && i + 18 < size)
		candor__fmt(out + i, size - i, "_%016llx", (unsigned long long)h);
}

/* Read matrix member `key` (n rows of m numbers, null -> NaN) into *out
 * (NULL when the member is absent). */
static candor_status read_matrix(double **out, json_object *o, const char *key, size_t n, size_t m)
{
	json_object *rows = candor__jget(o, key);
	double *x;

	*out = NULL;
	if (!rows)
		return CANDOR_OK;
	if (candor__jlen(rows) < n)
		return candor__error(CANDOR_EPARSE, NULL, 0, 0,
		                     "audit document: \"%s\" has %zu rows, not %zu", key,
		                     candor__jlen(rows), n);
	x = candor__mallocarray(n ? n * m : 1, sizeof(*x));
	if (!x)
		return CANDOR_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *r = candor__jidx(rows, i);
		for (size_t j = 0; j < m; j++)
			x[i * m + j] = candor__jval(candor__jidx(r, j));
	}
	*out = x;
	return CANDOR_OK;
}

/* Index of the feature with the largest mean |SHAP|. */
static size_t top_feature(json_object *ex, size_t m)
{
	size_t best = 0;
	double bv = -1;

	for (size_t j = 0; j < m; j++) {
		const double v = candor__jarr_num(ex, "importance", j);
		if (v > bv) {
			bv = v;
			best = j;
		}
	}
	return best;
}

/* The policy line on the group chart of DC_METRIC, from the checks;
 * *failed says whether that check failed. */
static double group_threshold(const candor_audit_doc *doc, const char *attr, double ref,
                              bool *failed)
{
	json_object *checks = candor__jget(doc->fairness, "checks");

	for (size_t i = 0; i < candor__jlen(checks); i++) {
		json_object *c = candor__jidx(checks, i);
		const char *m = candor__jstr(c, "metric"), *ca = candor__jstr(c, "attribute");
		double bound;
		const char *kind = candor__check_kind(c, &bound);

		json_object *ps = candor__jget(c, "pass");

		if (!m || (ca && strcmp(ca, attr) != 0) || isnan(bound))
			continue;
		*failed = !(ps && json_object_get_boolean(ps));
		if (strcmp(m, DC_METRIC) == 0 && (strcmp(kind, "min") == 0 || strcmp(kind, "max") == 0))
			return bound;
		if ((strcmp(m, DC_METRIC) == 0 && strcmp(kind, "min_ratio") == 0) ||
		    (strcmp(m, "disparate_impact") == 0 && strcmp(kind, "min") == 0))
			if (isfinite(ref))
				return bound * ref;
	}
	*failed = false;
	return NAN;
}

/* The fairness module's ratio of DC_METRIC of `group` to the reference
 * group's (fairness.disparities[].ratio; NaN when null or absent): the
 * disparity chart shows the document's numbers, it does not divide. */
static double disparity_ratio(const candor_audit_doc *doc, const char *attr, const char *group)
{
	json_object *disp = candor__jget(doc->fairness, "disparities");

	for (size_t i = 0; i < candor__jlen(disp); i++) {
		json_object *d = candor__jidx(disp, i);
		const char *a = candor__jstr(d, "attribute"), *m = candor__jstr(d, "metric");
		const char *g = candor__jstr(d, "group");

		if (a && m && g && strcmp(a, attr) == 0 && strcmp(m, DC_METRIC) == 0 &&
		    strcmp(g, group) == 0)
			return candor__jnum(d, "ratio");
	}
	return NAN;
}

static candor_status draw_fairness(const candor_audit_doc *doc, const dc_item *it, cairo_t *cr,
                                   double w, double h)
{
	json_object *groups = candor__jget(doc->fairness, "groups");
	const char *names[CANDOR_CHART_MAX_SLOTS];
	double v[CANDOR_CHART_MAX_SLOTS], lo[CANDOR_CHART_MAX_SLOTS], hi[CANDOR_CHART_MAX_SLOTS];
	bool fail[CANDOR_CHART_MAX_SLOTS];
	size_t k = 0;
	json_object *ref = candor__doc_reference(doc, it->attribute);
	const double refv = ref ? candor__jnum(candor__jget(ref, "metrics"), DC_METRIC) : NAN;
	const char *refname = candor__jstr(candor__jget(doc->fairness, "reference"), it->attribute);
	char title[200];
	candor_chart_options o = CANDOR_CHART_OPTIONS_INIT;

	for (size_t g = 0; g < candor__jlen(groups) && k < CANDOR_CHART_MAX_SLOTS; g++) {
		json_object *gr = candor__jidx(groups, g);
		const char *a = candor__jstr(gr, "attribute");
		if (!a || strcmp(a, it->attribute) != 0)
			continue;
		json_object *m = candor__jget(candor__jget(gr, "metrics"), DC_METRIC);
		json_object *ci = candor__jget(m, "ci");
		names[k] = candor__jstr(gr, "group");
		if (!names[k])
			names[k] = "?";
		v[k] = candor__jval(m);
		lo[k] = candor__jval(candor__jidx(ci, 0));
		hi[k] = candor__jval(candor__jidx(ci, 1));
		fail[k] = candor__cell_fails(doc, gr, DC_METRIC);
		/* the reference against itself is 1 (when it has a rate to compare) */
		if (it->kind == DC_DISPARITY)
			v[k] = gr == ref ? (isfinite(refv) && refv > 0 ? 1.0 : NAN)
			                 : disparity_ratio(doc, it->attribute, names[k]);
		k++;
	}
	if (k == 0)
		return candor__error(CANDOR_EPARSE, NULL, 0, 0, "audit document: attribute '%s' has no groups",
		                     it->attribute);
	if (it->kind == DC_GROUP) {
		candor__fmt(title, sizeof(title), "Selection rate by %s (95%% intervals)", it->attribute);
		o.title = title;
		/* below the line of a failed check: those groups are why it failed */
		bool failed = false;
		const double thr = group_threshold(doc, it->attribute, refv, &failed);
		for (size_t g = 0; g < k; g++)
			if (failed && isfinite(thr) && isfinite(v[g]) && v[g] < thr)
				fail[g] = true;
		return candor_chart_group_bars(cr, w, h, DC_METRIC, names, v, lo, hi, k, thr, fail, &o,
		                               NULL);
	}
	candor__fmt(title, sizeof(title), "Selection rate of each %s group / %s", it->attribute,
	            refname ? refname : "reference");
	o.title = title;
	return candor_chart_disparity(cr, w, h, DC_METRIC, refname ? refname : "reference", names, v,
	                              k, 0.8, 1.25, &o, NULL);
}

static candor_status draw_explain(const candor_audit_doc *doc, const dc_item *it, cairo_t *cr,
                                  double w, double h)
{
	json_object *ex = doc->explanations, *fjs = candor__jget(ex, "features");
	const size_t m = candor__jlen(fjs), n = candor__jlen(candor__jget(ex, "shap"));
	const char **feat = candor__mallocarray(m, sizeof(*feat));
	double *shap = NULL, *vals = NULL, *col = NULL, *col2 = NULL;
	candor_status st = CANDOR_OK;
	char title[200];
	candor_chart_options o = CANDOR_CHART_OPTIONS_INIT;

	if (!feat)
		return CANDOR_ENOMEM;
	for (size_t j = 0; j < m; j++)
		feat[j] = json_object_get_string(candor__jidx(fjs, j));
	st = read_matrix(&shap, ex, "shap", n, m);
	if (st == CANDOR_OK)
		st = read_matrix(&vals, ex, "values", n, m);
	if (st)
		goto out;
	col = candor__mallocarray(n > m ? n : m, sizeof(*col));
	col2 = candor__mallocarray(n > m ? n : m, sizeof(*col2));
	if (!shap || !col || !col2) {
		st = !shap ? candor__error(CANDOR_EPARSE, NULL, 0, 0, "audit document: no \"shap\" values")
		           : CANDOR_ENOMEM;
		goto out;
	}
	switch (it->kind) {
	case DC_BEESWARM:
		st = candor_chart_beeswarm(cr, w, h, feat, m, shap, vals, n, NULL, NULL);
		break;
	case DC_IMPORTANCE:
		for (size_t j = 0; j < m; j++)
			col[j] = candor__jarr_num(ex, "importance", j);
		st = candor_chart_importance(cr, w, h, feat, col, m, NULL, NULL);
		break;
	case DC_WATERFALL:
		candor__fmt(title, sizeof(title), "Waterfall of row %.0f",
		            candor__jarr_num(ex, "rows", 0));
		o.title = title;
		st = candor_chart_waterfall(cr, w, h, feat, shap, vals, m,
		                            candor__jarr_num(ex, "base_value", 0), &o, NULL);
		break;
	case DC_DEPENDENCE: {
		const size_t j = top_feature(ex, m);
		for (size_t i = 0; i < n; i++) {
			col[i] = vals ? vals[i * m + j] : NAN;
			col2[i] = shap[i * m + j];
		}
		st = candor_chart_dependence(cr, w, h, feat[j], col, col2, n, NULL, NULL);
		break;
	}
	case DC_LIME: {
		json_object *lime = candor__jget(ex, "lime");
		json_object *wrow = candor__jidx(candor__jget(lime, "weights"), 0);
		for (size_t j = 0; j < m; j++)
			col[j] = candor__jval(candor__jidx(wrow, j));
		candor__fmt(title, sizeof(title), "LIME weights of row %.0f",
		            candor__jarr_num(lime, "rows", 0));
		o.title = title;
		st = candor_chart_lime(cr, w, h, feat, col, m, &o, NULL);
		break;
	}
	default:
		st = candor__error(CANDOR_EINTERNAL, NULL, 0, 0, "unknown chart kind %d", it->kind);
	}
out:
	candor__free(feat);
	candor__free(shap);
	candor__free(vals);
	candor__free(col);
	candor__free(col2);
	return st;
}

static candor_status doc_chart(const candor_audit_doc *doc, size_t i, char *name, size_t namesz,
                               char *caption, size_t capsz, cairo_t *cr, double w, double h)
{
	dc_item items[DC_MAX];
	const size_t n = dc_list(doc, items, DC_MAX);
	char s[128];

	if (i >= n)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "chart %zu of %zu", i, n);
	const dc_item *it = &items[i];
	safe(s, sizeof(s), it->attribute);
	json_object *ex = doc->explanations;
	switch (it->kind) {
	case DC_GROUP:
		candor__fmt(name, namesz, "fairness_%s", s);
		candor__fmt(caption, capsz,
		            "Selection rate of each %s group with its 95%% interval; vermillion bars "
		            "break the policy, the dashed line is the policy's limit.",
		            it->attribute);
		break;
	case DC_DISPARITY:
		candor__fmt(name, namesz, "disparity_%s", s);
		candor__fmt(caption, capsz,
		            "Selection rate of each %s group divided by the reference group's, on a log "
		            "scale; the shaded band is 0.8 to 1.25.",
		            it->attribute);
		break;
	case DC_BEESWARM:
		candor__fmt(name, namesz, "shap_summary");
		candor__fmt(caption, capsz,
		            "SHAP value of every explained row for each feature, coloured by the "
		            "feature's value.");
		break;
	case DC_IMPORTANCE:
		candor__fmt(name, namesz, "importance");
		candor__fmt(caption, capsz, "Mean |SHAP value| of each feature over the explained rows.");
		break;
	case DC_WATERFALL:
		candor__fmt(name, namesz, "waterfall_row%.0f", candor__jarr_num(ex, "rows", 0));
		candor__fmt(caption, capsz,
		            "How each feature moves row %.0f's output from the expected value to its "
		            "prediction.",
		            candor__jarr_num(ex, "rows", 0));
		break;
	case DC_DEPENDENCE: {
		const size_t m = candor__jlen(candor__jget(ex, "features"));
		const char *f = json_object_get_string(
		        candor__jidx(candor__jget(ex, "features"), top_feature(ex, m)));
		safe(s, sizeof(s), f);
		candor__fmt(name, namesz, "dependence_%s", s);
		candor__fmt(caption, capsz, "SHAP value of %s against its value.", f);
		break;
	}
	case DC_LIME:
		candor__fmt(name, namesz, "lime_row%.0f",
		            candor__jarr_num(candor__jget(ex, "lime"), "rows", 0));
		candor__fmt(caption, capsz, "Weights of LIME's local linear surrogate for one row.");
		break;
	}
	if (!cr)
		return CANDOR_OK;
	if (it->kind == DC_GROUP || it->kind == DC_DISPARITY)
		return draw_fairness(doc, it, cr, w, h);
	return draw_explain(doc, it, cr, w, h);
}

/* Chart i, with a file name no other chart of the document has: should
 * two base names still meet (two names whose hashes collide), the later
 * chart gets "_" and its number appended, and that is checked again. */
candor_status candor__doc_chart(const candor_audit_doc *doc, size_t i, char *name, size_t namesz,
                                char *caption, size_t capsz, cairo_t *cr, double w, double h)
{
	const size_t n = candor__doc_nchart(doc);
	char other[128], cap[8];
	candor_status st = doc_chart(doc, i, name, namesz, caption, capsz, NULL, 0, 0);
	bool clash = false;

	if (st)
		return st;
	for (size_t j = 0; j < i && !clash; j++) {
		if ((st = doc_chart(doc, j, other, sizeof(other), cap, sizeof(cap), NULL, 0, 0)))
			return st;
		clash = strcmp(other, name) == 0;
	}
	if (clash) {
		const size_t len = strlen(name);
		candor__fmt(name + len, namesz - len, "_%zu", i + 1);
		for (size_t j = 0; j < n; j++) {
			if (j == i)
				continue;
			if ((st = doc_chart(doc, j, other, sizeof(other), cap, sizeof(cap), NULL, 0, 0)))
				return st;
			if (strcmp(other, name) == 0)
				return candor__error(CANDOR_EINTERNAL, NULL, 0, 0,
				                     "two charts would both be named '%s'", name);
		}
	}
	if (!cr)
		return CANDOR_OK;
	return doc_chart(doc, i, other, sizeof(other), caption, capsz, cr, w, h);
}

/* Returns whether chart i is about `attribute` (NULL: an explanation chart). */
bool candor__doc_chart_is(const candor_audit_doc *doc, size_t i, const char *attribute)
{
	dc_item items[DC_MAX];
	const size_t n = dc_list(doc, items, DC_MAX);

	if (i >= n)
		return false;
	if (!attribute)
		return items[i].attribute == NULL;
	return items[i].attribute && strcmp(items[i].attribute, attribute) == 0;
}

typedef struct dc_payload {
	const candor_audit_doc *doc;
	size_t i;
} dc_payload;

static candor_status dc_draw(cairo_t *cr, double w, double h, void *payload)
{
	const dc_payload *p = payload;
	char name[128], cap[400];

	return candor__doc_chart(p->doc, p->i, name, sizeof(name), cap, sizeof(cap), cr, w, h);
}

candor_status candor_report_charts(const candor_audit_doc *doc, const char *dir)
{
	const size_t n = doc ? candor__doc_nchart(doc) : 0;

	if (!doc || !dir)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "charts: no document or folder");
	for (size_t i = 0; i < n; i++) {
		char name[128], cap[400], path[4096];
		dc_payload p = {doc, i};
		candor_status st = candor__doc_chart(doc, i, name, sizeof(name), cap, sizeof(cap), NULL,
		                                     0, 0);
		if (st)
			return st;
		candor__fmt(path, sizeof(path), "%s/%s.png", dir, name);
		st = candor_chart_render(path, CANDOR_CHART_PNG, CANDOR__CHART_W, CANDOR__CHART_H, dc_draw,
		                         &p);
		if (st)
			return st;
		candor__fmt(path, sizeof(path), "%s/%s.svg", dir, name);
		st = candor_chart_render(path, CANDOR_CHART_SVG, CANDOR__CHART_W, CANDOR__CHART_H, dc_draw,
		                         &p);
		if (st)
			return st;
	}
	return CANDOR_OK;
}
