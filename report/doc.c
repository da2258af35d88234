/*
 * doc.c - the audit document: reading, checking and writing audit.json,
 * and the questions every renderer asks of it (which metrics are present,
 * which cells break a failed check, a check in plain words, what a metric
 * means). The workbook, the PDF and the chart files read only this
 * document, which is why `candor report --from audit.json` needs nothing
 * else.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json_int.h"
#include "doc_build.h"
#include "report_int.h"

/* ===== JSON access ======================================================= */

json_object *candor__jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

double candor__jval(json_object *v)
{
	if (!v)
		return NAN;
	if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
		return json_object_get_double(v);
	if (json_object_is_type(v, json_type_object))
		return candor__jval(candor__jget(v, "value"));
	return NAN;
}

double candor__jnum(json_object *o, const char *key)
{
	return candor__jval(candor__jget(o, key));
}

const char *candor__jstr(json_object *o, const char *key)
{
	json_object *v = candor__jget(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

size_t candor__jlen(json_object *arr)
{
	return arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
}

json_object *candor__jidx(json_object *arr, size_t i)
{
	return i < candor__jlen(arr) ? json_object_array_get_idx(arr, i) : NULL;
}

double candor__jarr_num(json_object *o, const char *key, size_t j)
{
	return candor__jval(candor__jidx(candor__jget(o, key), j));
}

/* ===== checking a document =============================================== *
 * The JSON core (core/json_int.h) reads the text strictly, within the
 * bounds below, and refuses a key given twice; then a walk of the tree
 * checks what only the tree can tell: each number's domain. Every error
 * carries FILE:LINE:COL and the value's path. The bounds are in
 * docs/report.md. */

/* Longest text of one string value and of one key, in characters: the
 * value bound is Excel's cell limit (libxlsxwriter counts UTF-8
 * characters), the key bound leaves room for the suffixes the workbook
 * adds to metric names ("_lo", "_hi"). */
static const candor__json_limits doc_limits = {
	.max_string = 32767,
	.max_key = 256,
	/* sums and ranges of a document's numbers (a waterfall's running
	 * total, an axis' span) then stay finite */
	.max_magnitude = 1e300,
	.max_number = 400,
};

/* ---- the tree walk: each number's domain -------------------------------- */

enum { DV_ANY, DV_COUNT, DV_UNIT, DV_NONNEG };

/* Group metrics that are shares or probabilities, so lie in [0, 1]. */
static bool unit_metric(const char *m)
{
	static const char *const names[] = {"selection_rate", "base_rate", "tpr", "fpr", "tnr",
	                                    "fnr", "ppv", "npv", "fdr", "for", "accuracy",
	                                    "error_rate", "f1", "auc", "brier", "ece"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], m) == 0)
			return true;
	return false;
}

#define DV_DEPTH 40
typedef struct dv_walk {
	const candor__json *doc;
	const char *path[DV_DEPTH]; /* keys; NULL for an array element */
	size_t depth;
} dv_walk;

static bool at(const dv_walk *w, size_t i, const char *key)
{
	if (i >= w->depth)
		return false;
	if (!key)
		return w->path[i] == NULL;
	return w->path[i] && strcmp(w->path[i], key) == 0;
}

/* The domain of the number at the current path. */
static int dv_rule(const dv_walk *w)
{
	const size_t n = w->depth;
	const char *last = n ? w->path[n - 1] : NULL;

	if (n == 2 && at(w, 0, "fairness") && at(w, 1, "n"))
		return DV_COUNT;
	if (n == 2 && at(w, 0, "manifest") && last &&
	    (!strcmp(last, "rows") || !strcmp(last, "explained_rows") || !strcmp(last, "threads")))
		return DV_COUNT;
	if (n == 4 && at(w, 0, "fairness") && at(w, 1, "groups") && at(w, 2, NULL) && last &&
	    (!strcmp(last, "n") || !strcmp(last, "tp") || !strcmp(last, "fp") ||
	     !strcmp(last, "tn") || !strcmp(last, "fn")))
		return DV_COUNT;
	/* fairness.groups[].metrics.M[.value | .ci[]] and fairness.overall.M... */
	size_t m = 0;
	if (n >= 5 && at(w, 0, "fairness") && at(w, 1, "groups") && at(w, 2, NULL) &&
	    at(w, 3, "metrics"))
		m = 4;
	else if (n >= 3 && at(w, 0, "fairness") && at(w, 1, "overall"))
		m = 2;
	if (m && w->path[m] && unit_metric(w->path[m]) &&
	    (n == m + 1 || (n == m + 2 && at(w, m + 1, "value")) ||
	     (n == m + 3 && at(w, m + 1, "ci") && at(w, m + 2, NULL))))
		return DV_UNIT;
	if (n == 4 && at(w, 0, "fairness") && at(w, 1, "disparities") && at(w, 2, NULL)) {
		if (at(w, 3, "ratio"))
			return DV_NONNEG;
		if (at(w, 3, "p_value"))
			return DV_UNIT;
	}
	if (n == 3 && at(w, 0, "explanations") && at(w, 1, "importance") && at(w, 2, NULL))
		return DV_NONNEG;
	if ((n == 3 && at(w, 0, "explanations") && at(w, 1, "rows") && at(w, 2, NULL)) ||
	    (n == 4 && at(w, 0, "explanations") && at(w, 1, "lime") && at(w, 2, "rows") &&
	     at(w, 3, NULL)))
		return DV_COUNT;
	return DV_ANY;
}

/* The value `o`, which is member `key` or element `idx` of `parent`
 * (NULL: the root), at the current path. */
static candor_status dv_visit(dv_walk *w, json_object *parent, const char *key, size_t idx,
                              json_object *o)
{
	candor_status st;

	if (w->depth >= DV_DEPTH)
		return candor__error(CANDOR_EINTERNAL, w->doc->name, 0, 0,
		                     "audit document: deeper than the checker's path");
	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, k, val)
		{
			w->path[w->depth++] = k;
			st = dv_visit(w, o, k, 0, val);
			w->depth--;
			if (st)
				return st;
		}
		return CANDOR_OK;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			w->path[w->depth++] = NULL;
			st = dv_visit(w, o, NULL, i, json_object_array_get_idx(o, i));
			w->depth--;
			if (st)
				return st;
		}
		return CANDOR_OK;
	default:
		break;
	}
	const int rule = dv_rule(w);
	if (rule == DV_ANY || json_object_is_type(o, json_type_null))
		return CANDOR_OK;
	if (!parent)
		return CANDOR_OK; /* a scalar document: refused by its kind */
	if (!json_object_is_type(o, json_type_int) && !json_object_is_type(o, json_type_double))
		return candor__json_error_in(w->doc, parent, key, idx, CANDOR_EPARSE,
		                             "expected a number or null, found %s",
		                             candor__json_kind(o));
	const double v = json_object_get_double(o);
	if (rule == DV_COUNT && !(v >= 0 && v <= 9007199254740992.0 && v == floor(v)))
		return candor__json_error_in(w->doc, parent, key, idx, CANDOR_EPARSE,
		                             "%.17g is not a whole number between 0 and 2^53", v);
	if (rule == DV_UNIT && !(v >= 0 && v <= 1))
		return candor__json_error_in(w->doc, parent, key, idx, CANDOR_EPARSE,
		                             "%.17g is outside [0, 1]", v);
	if (rule == DV_NONNEG && !(v >= 0))
		return candor__json_error_in(w->doc, parent, key, idx, CANDOR_EPARSE,
		                             "%.17g is negative", v);
	return CANDOR_OK;
}

/* ===== reading and writing =============================================== */

candor_status candor_audit_doc_parse(candor_audit_doc **out, const char *text, size_t len,
                                     const char *name)
{
	candor__json j;
	json_object *root, *fair, *kind, *verdict, *groups;
	candor_audit_doc *doc;
	candor_status st;
	const char *nm = name ? name : "<buffer>";

	if (!out || !text)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "audit document: no text");
	*out = NULL;
	if ((st = candor__json_read(&j, text, len, nm, &doc_limits)))
		return st;
	root = j.root;
	{
		dv_walk w = { &j, { NULL }, 0 };
		st = dv_visit(&w, NULL, NULL, 0, root);
	}
	if (!st && !(st = candor__json_expect(&j, root, json_type_object)) &&
	    !(st = candor__json_member(&kind, &j, root, "kind", json_type_string, true)) &&
	    strcmp(json_object_get_string(kind), "candor-audit") != 0)
		st = candor__json_error(&j, kind, CANDOR_EPARSE,
		                        "not a candor audit document (\"kind\" is not "
		                        "\"candor-audit\")");
	if (!st)
		st = candor__json_member(&fair, &j, root, "fairness", json_type_object, true);
	if (!st)
		st = candor__json_member(&groups, &j, fair, "groups", json_type_array, true);
	if (!st && !(st = candor__json_member(&verdict, &j, root, "verdict", json_type_string,
	                                      true)) &&
	    strcmp(json_object_get_string(verdict), "pass") != 0 &&
	    strcmp(json_object_get_string(verdict), "fail") != 0)
		st = candor__json_error(&j, verdict, CANDOR_EPARSE, "must be \"pass\" or \"fail\"");
	if (st) {
		candor__json_done(&j);
		return st;
	}
	doc = candor__calloc(1, sizeof(*doc));
	if (!doc) {
		candor__json_done(&j);
		return CANDOR_ENOMEM;
	}
	doc->root = candor__json_take(&j);
	doc->fairness = fair;
	doc->manifest = candor__jget(root, "manifest");
	doc->explanations = candor__jget(root, "explanations");
	*out = doc;
	return CANDOR_OK;
}

candor_status candor_audit_doc_read(candor_audit_doc **out, const char *path)
{
	char *buf;
	size_t len;
	candor_status st;

	if (!out || !path)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "audit document: no path");
	*out = NULL;
	if ((st = candor__file_read(path, &buf, &len)))
		return st;
	st = candor_audit_doc_parse(out, buf, len, path);
	candor__free(buf);
	return st;
}

candor_status candor__doc_adopt(candor_audit_doc **out, json_object *root)
{
	candor_audit_doc *doc;
	json_object *fair = candor__jget(root, "fairness");
	const char *kind = candor__jstr(root, "kind"), *verdict = candor__jstr(root, "verdict");

	/* built in memory by audit/, which keeps to the reader's bounds
	 * (audit/check.c): only the shape is asserted here */
	*out = NULL;
	if (!kind || strcmp(kind, "candor-audit") != 0 || !fair ||
	    !json_object_is_type(fair, json_type_object) ||
	    !json_object_is_type(candor__jget(fair, "groups"), json_type_array) || !verdict ||
	    (strcmp(verdict, "pass") != 0 && strcmp(verdict, "fail") != 0)) {
		json_object_put(root);
		return candor__error(CANDOR_EINTERNAL, NULL, 0, 0,
		                     "audit document: a built document lacks its kind, fairness or verdict");
	}
	doc = candor__calloc(1, sizeof(*doc));
	if (!doc) {
		json_object_put(root);
		return CANDOR_ENOMEM;
	}
	doc->root = root;
	doc->fairness = fair;
	doc->manifest = candor__jget(root, "manifest");
	doc->explanations = candor__jget(root, "explanations");
	*out = doc;
	return CANDOR_OK;
}

void candor_audit_doc_free(candor_audit_doc *doc)
{
	if (!doc)
		return;
	json_object_put(doc->root);
	candor__free(doc);
}

bool candor_audit_doc_passed(const candor_audit_doc *doc)
{
	const char *v = doc ? candor__jstr(doc->root, "verdict") : NULL;

	return v && strcmp(v, "pass") == 0;
}

candor_status candor_audit_doc_write_json(const candor_audit_doc *doc, const char *path)
{
	const char *s;
	FILE *f;
	size_t n;

	if (!doc || !path)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "audit json: no document or path");
	s = json_object_to_json_string_ext(doc->root,
	                                   JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	                                           JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return candor__oom();
	f = fopen(path, "wb");
	if (!f)
		return candor__error(CANDOR_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
	n = strlen(s);
	if (fwrite(s, 1, n, f) != n || fputc('\n', f) == EOF) {
		fclose(f);
		return candor__error(CANDOR_EIO, path, 0, 0, "write failed: %s", strerror(errno));
	}
	if (fclose(f) != 0)
		return candor__error(CANDOR_EIO, path, 0, 0, "write failed: %s", strerror(errno));
	return CANDOR_OK;
}

/* ===== questions renderers ask ========================================== */

const char **candor__doc_metrics(const candor_audit_doc *doc, size_t *n)
{
	json_object *groups = candor__jget(doc->fairness, "groups");
	const char **names = NULL;
	size_t count = 0, cap = 0;

	*n = 0;
	for (size_t g = 0; g < candor__jlen(groups); g++) {
		json_object *m = candor__jget(candor__jidx(groups, g), "metrics");
		if (!m || !json_object_is_type(m, json_type_object))
			continue;
		json_object_object_foreach(m, key, val)
		{
			bool seen = false;
			(void)val;
			for (size_t i = 0; i < count && !seen; i++)
				seen = strcmp(names[i], key) == 0;
			if (seen)
				continue;
			if (count == cap) {
				const char **nn;
				cap = cap ? cap * 2 : 16;
				nn = candor__reallocarray(names, cap, sizeof(*names));
				if (!nn) {
					candor__free(names);
					return NULL;
				}
				names = nn;
			}
			names[count++] = key;
		}
	}
	if (!names)
		names = candor__calloc(1, sizeof(*names));
	*n = count;
	return names;
}

const char *candor__check_kind(json_object *check, double *bound)
{
	static const char *const kinds[] = {"min", "max", "max_difference", "min_ratio"};
	const char *k = candor__jstr(check, "kind");

	if (k) {
		*bound = candor__jnum(check, "bound");
		if (isnan(*bound))
			*bound = candor__jnum(check, k);
		return k;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		json_object *b = candor__jget(check, kinds[i]);
		if (b) {
			*bound = candor__jval(b);
			return kinds[i];
		}
	}
	*bound = NAN;
	return "?";
}

json_object *candor__doc_reference(const candor_audit_doc *doc, const char *attribute)
{
	const char *ref = candor__jstr(candor__jget(doc->fairness, "reference"), attribute);
	json_object *groups = candor__jget(doc->fairness, "groups");

	if (!ref)
		return NULL;
	for (size_t g = 0; g < candor__jlen(groups); g++) {
		json_object *o = candor__jidx(groups, g);
		const char *a = candor__jstr(o, "attribute"), *nm = candor__jstr(o, "group");
		if (a && nm && strcmp(a, attribute) == 0 && strcmp(nm, ref) == 0)
			return o;
	}
	return NULL;
}

bool candor__cell_fails(const candor_audit_doc *doc, json_object *group, const char *metric)
{
	json_object *checks = candor__jget(doc->fairness, "checks");
	const char *attr = candor__jstr(group, "attribute");
	const double v = candor__jnum(candor__jget(group, "metrics"), metric);

	if (!attr || isnan(v))
		return false;
	for (size_t i = 0; i < candor__jlen(checks); i++) {
		json_object *c = candor__jidx(checks, i);
		json_object *pass = candor__jget(c, "pass");
		const char *m = candor__jstr(c, "metric"), *ca = candor__jstr(c, "attribute");
		double bound, ref = NAN;
		const char *kind;

		if (!m || strcmp(m, metric) != 0 || (pass && json_object_get_boolean(pass)))
			continue;
		if (ca && strcmp(ca, attr) != 0)
			continue;
		kind = candor__check_kind(c, &bound);
		if (isnan(bound))
			continue;
		json_object *rg = candor__doc_reference(doc, attr);
		if (rg)
			ref = candor__jnum(candor__jget(rg, "metrics"), metric);
		if (strcmp(kind, "min") == 0 && v < bound)
			return true;
		if (strcmp(kind, "max") == 0 && v > bound)
			return true;
		if (strcmp(kind, "max_difference") == 0 && isfinite(ref) && fabs(v - ref) > bound)
			return true;
		if (strcmp(kind, "min_ratio") == 0 && isfinite(ref) && ref > 0 && v / ref < bound)
			return true;
	}
	return false;
}

void candor__check_sentence(char *buf, size_t size, json_object *c)
{
	double bound;
	const char *kind = candor__check_kind(c, &bound);
	const char *metric = candor__jstr(c, "metric"), *attr = candor__jstr(c, "attribute");
	const char *group = candor__jstr(c, "group");
	json_object *pass = candor__jget(c, "pass");
	const bool ok = pass && json_object_get_boolean(pass);
	const double v = candor__jnum(c, "value");
	char who[200] = "";
	char val[48];

	if (!metric)
		metric = "?";
	if (group)
		candor__fmt(who, sizeof(who), " (worst group: %s)", group);
	if (isnan(v))
		candor__fmt(val, sizeof(val), "undefined");
	else
		candor__fmt(val, sizeof(val), "%.4g", v);
	if (strcmp(kind, "min") == 0)
		candor__fmt(buf, size, "%s for %s is %s%s; the policy asks for at least %.4g: %s.",
		            metric, attr ? attr : "every attribute", val, who, bound,
		            ok ? "passes" : "FAILS");
	else if (strcmp(kind, "max") == 0)
		candor__fmt(buf, size, "%s for %s is %s%s; the policy allows at most %.4g: %s.", metric,
		            attr ? attr : "every attribute", val, who, bound, ok ? "passes" : "FAILS");
	else if (strcmp(kind, "max_difference") == 0)
		candor__fmt(buf, size,
		            "%s for %s differs from the reference group by %s%s; the policy allows at "
		            "most %.4g: %s.",
		            metric, attr ? attr : "every attribute", val, who, bound,
		            ok ? "passes" : "FAILS");
	else if (strcmp(kind, "min_ratio") == 0)
		candor__fmt(buf, size,
		            "%s for %s is %s times the reference group's%s; the policy asks for at "
		            "least %.4g: %s.",
		            metric, attr ? attr : "every attribute", val, who, bound,
		            ok ? "passes" : "FAILS");
	else
		candor__fmt(buf, size, "%s for %s is %s: %s.", metric, attr ? attr : "every attribute",
		            val, ok ? "passes" : "FAILS");
}

static const struct {
	const char *name, *text;
} definitions[] = {
	{"selection_rate", "share of the group given the favourable decision: (TP + FP) / n"},
	{"base_rate", "share of the group whose true label is favourable: (TP + FN) / n"},
	{"tpr", "true positive rate (recall): TP / (TP + FN), favourable decisions among those who deserved one"},
	{"fpr", "false positive rate: FP / (FP + TN), favourable decisions among those who did not deserve one"},
	{"tnr", "true negative rate (specificity): TN / (FP + TN)"},
	{"fnr", "false negative rate: FN / (TP + FN), deserving people refused"},
	{"ppv", "positive predictive value (precision): TP / (TP + FP)"},
	{"npv", "negative predictive value: TN / (TN + FN)"},
	{"fdr", "false discovery rate: FP / (TP + FP)"},
	{"for", "false omission rate: FN / (TN + FN)"},
	{"accuracy", "share of correct decisions: (TP + TN) / n"},
	{"error_rate", "share of wrong decisions: (FP + FN) / n"},
	{"f1", "harmonic mean of precision and recall: 2TP / (2TP + FP + FN)"},
	{"auc", "area under the ROC curve of the score: the chance a random favourable case scores above a random unfavourable one"},
	{"brier", "mean squared difference between the score and the label"},
	{"ece", "expected calibration error over 10 equal-width score bins"},
	{"mean_score", "mean score of the group"},
	{"demographic_parity_difference", "largest minus smallest selection rate across groups (fairlearn)"},
	{"demographic_parity_ratio", "smallest over largest selection rate across groups (fairlearn)"},
	{"equalized_odds_difference", "the larger of the TPR gap and the FPR gap across groups (fairlearn)"},
	{"equalized_odds_ratio", "the smaller of the TPR ratio and the FPR ratio across groups (fairlearn)"},
	{"equal_opportunity_difference", "TPR of the other groups minus TPR of the reference group (AIF360)"},
	{"average_odds_difference", "mean of the FPR difference and the TPR difference, other groups minus reference (AIF360)"},
	{"disparate_impact", "selection rate of the other groups over that of the reference group (AIF360); the four-fifths rule asks for at least 0.8"},
	{"theil_index", "Theil index of the benefit pred - label + 1 over all rows (AIF360): 0 is perfectly even"},
	{"generalized_entropy_index", "generalized entropy index (alpha = 2) of the same benefit (AIF360)"},
	{"difference", "a group's value minus the reference group's value"},
	{"ratio", "a group's value divided by the reference group's value; 1 means parity"},
	{"p_value", "probability of a gap at least this large if the group and the reference had the same rate (z test, or Fisher's exact test for small counts)"},
	{"mean_abs_shap", "mean absolute SHAP value of a feature over the explained rows: its average impact on the model output"},
};

const char *candor__metric_definition(const char *metric)
{
	for (size_t i = 0; i < sizeof(definitions) / sizeof(definitions[0]); i++)
		if (strcmp(definitions[i].name, metric) == 0)
			return definitions[i].text;
	return NULL;
}

int64_t candor__doc_time(const candor_audit_doc *doc)
{
	const char *t = candor__jstr(doc->manifest, "time");
	struct tm tm;
	char *end;

	if (!t)
		return 0;
	memset(&tm, 0, sizeof(tm));
	end = strptime(t, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return 0;
	return (int64_t)timegm(&tm);
}
