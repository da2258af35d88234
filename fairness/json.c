/*
 * json.c - a result as the "Fairness JSON" of DESIGN.md, with json-c.
 *
 * The keys of DESIGN.md are kept exactly; what it leaves open is filled in
 * as follows (docs/fairness.md lists it):
 * - a metric is {"value": x, "ci": [lo, hi]}; an undefined value is
 *   {"value": null, "reason": "..."}; a missing interval is "ci": null with
 *   "ci_reason";
 * - a plain number that is undefined (a disparity's difference, ratio or
 *   p_value, a summary metric, a check's value) is null with a sibling
 *   "<key>_reason";
 * - groups carry "small": true below min_group_size and "reference": true
 *   for the reference group; an intersection's groups carry "levels", the
 *   level of each attribute by name (the "group" name escapes '&' and '\'
 *   in them, see result.c); disparities carry "test" ("z" or "fisher") and
 *   "difference_ci"/"ratio_ci" when there is an interval;
 * - "summary" is that of the intersection of all attributes when it was
 *   asked for (fairlearn's convention for several sensitive features), else
 *   of the first attribute; "summary_by_attribute" has every attribute's;
 *   "summary_ci" has the summary's intervals when there are any;
 * - disparities carry "p_value_adjusted" beside the raw "p_value", and
 *   the root "p_adjust" ("holm", "bh" or "none") says how;
 * - "min_group_size", "ci_method" ("wilson"/"bootstrap"/"none"),
 *   "confidence", and with bootstrap "bootstrap" and "seed".
 * Numbers are written by candor__format_double (shortest round-trip text,
 * locale independent) through json_object_new_double_s, or as an int when
 * that text is integral (as json-c reads it back; -0 is written 0); NaN and
 * infinities never reach the text. The tree (candor__fairness_result_tree)
 * is also the "fairness" member of an audit document (fairness_json.h).
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fairness_int.h"
#include "fairness_json.h"

typedef struct jctx {
	bool oom;
} jctx;

static json_object *num(jctx *j, double x)
{
	char buf[40];
	json_object *o;

	if (!isfinite(x))
		return NULL;
	candor__format_double(buf, sizeof(buf), x);
	/* what json-c makes of this text when it reads it: "%.17g" writes at
	 * most 17 digits without an exponent, so an integral text fits int64 */
	if (!strpbrk(buf, ".eE"))
		o = json_object_new_int64(strtoll(buf, NULL, 10));
	else
		o = json_object_new_double_s(x, buf);
	if (!o)
		j->oom = true;
	return o;
}

static json_object *str(jctx *j, const char *s)
{
	json_object *o = json_object_new_string(s ? s : "");

	if (!o)
		j->oom = true;
	return o;
}

static json_object *u64(jctx *j, uint64_t x)
{
	json_object *o = x > INT64_MAX ? json_object_new_uint64(x) : json_object_new_int64((int64_t)x);

	if (!o)
		j->oom = true;
	return o;
}

static void add(jctx *j, json_object *obj, const char *key, json_object *val)
{
	if (json_object_object_add(obj, key, val) != 0)
		j->oom = true;
}

static json_object *obj(jctx *j)
{
	json_object *o = json_object_new_object();

	if (!o)
		j->oom = true;
	return o;
}

static json_object *ci_array(jctx *j, const candor_fairness_value *v)
{
	json_object *a;

	if (isnan(v->lo) || isnan(v->hi))
		return NULL;
	a = json_object_new_array();
	if (!a) {
		j->oom = true;
		return NULL;
	}
	json_object_array_add(a, num(j, v->lo));
	json_object_array_add(a, num(j, v->hi));
	return a;
}

/* {"value": x, "ci": [lo, hi]} with reasons. */
static json_object *value_obj(jctx *j, const candor_fairness_value *v)
{
	json_object *o = obj(j);
	json_object *ci;

	if (!o)
		return NULL;
	add(j, o, "value", num(j, v->value));
	if (isnan(v->value))
		add(j, o, "reason", str(j, v->reason ? v->reason : "undefined"));
	ci = ci_array(j, v);
	add(j, o, "ci", ci);
	if (!ci && v->ci_reason && !isnan(v->value))
		add(j, o, "ci_reason", str(j, v->ci_reason));
	return o;
}

/* key: x (or null and key_reason) into o, plus key_ci when there is one. */
static void plain(jctx *j, json_object *o, const char *key, const candor_fairness_value *v,
                  bool with_ci)
{
	char k2[96];

	add(j, o, key, num(j, v->value));
	if (isnan(v->value)) {
		snprintf(k2, sizeof(k2), "%s_reason", key);
		add(j, o, k2, str(j, v->reason ? v->reason : "undefined"));
	} else if (with_ci) {
		json_object *ci = ci_array(j, v);

		if (ci) {
			snprintf(k2, sizeof(k2), "%s_ci", key);
			add(j, o, k2, ci);
		}
	}
}

static json_object *metrics_obj(jctx *j, const candor_fairness_view *v,
                                const candor_fairness_group *g)
{
	json_object *o = obj(j);
	const size_t M = v->has_scores ? CANDOR_FM_COUNT : CANDOR_FM_NCOUNT_METRICS;

	for (size_t m = 0; o && m < M; m++)
		add(j, o, candor_fairness_metric_name((candor_fairness_metric)m),
		    value_obj(j, &g->metrics[m]));
	return o;
}

static json_object *summary_obj(jctx *j, const candor_fairness_attr_result *a, bool ci_only)
{
	json_object *o = obj(j);

	for (int s = 0; o && s < CANDOR_FS_COUNT; s++) {
		const char *name = candor_fairness_summary_name((candor_fairness_summary_metric)s);

		if (ci_only) {
			json_object *ci = ci_array(j, &a->summary[s]);

			if (ci)
				add(j, o, name, ci);
		} else {
			plain(j, o, name, &a->summary[s], false);
		}
	}
	return o;
}

static const char *ci_name(candor_fairness_ci ci)
{
	return ci == CANDOR_FAIRNESS_CI_BOOTSTRAP ? "bootstrap"
	       : ci == CANDOR_FAIRNESS_CI_NONE ? "none" : "wilson";
}

candor_status candor__fairness_result_tree(const candor_fairness_result *result,
                                           json_object **out)
{
	const candor_fairness_view *v;
	jctx j = { false };
	json_object *root, *attrs, *ref, *groups, *disp, *checks, *byattr, *sci;
	const candor_fairness_attr_result *main_attr;

	if (!result || !out)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL argument");
	*out = NULL;
	v = &result->view;
	root = obj(&j);
	if (!root)
		return candor__oom();
	add(&j, root, "candor_version", str(&j, candor_version()));
	add(&j, root, "n", u64(&j, v->n));
	attrs = json_object_new_array();
	ref = obj(&j);
	for (size_t a = 0; attrs && a < v->nattributes; a++) {
		json_object_array_add(attrs, str(&j, v->attributes[a].name));
		if (ref)
			add(&j, ref, v->attributes[a].name,
			    str(&j, v->groups[v->attributes[a].reference].name));
	}
	if (!attrs)
		j.oom = true;
	add(&j, root, "attributes", attrs);
	add(&j, root, "reference", ref);
	add(&j, root, "overall", metrics_obj(&j, v, v->overall));

	groups = json_object_new_array();
	for (size_t g = 0; groups && g < v->ngroups; g++) {
		const candor_fairness_group *G = &v->groups[g];
		json_object *o = obj(&j);

		if (!o)
			break;
		add(&j, o, "attribute", str(&j, v->attributes[G->attribute].name));
		add(&j, o, "group", str(&j, G->name));
		if (G->levels) {
			/* an intersection's group: each attribute's level, unescaped */
			json_object *lv = obj(&j);

			for (size_t b = 0; lv && b < v->nattributes; b++)
				if (!v->attributes[b].is_intersection)
					add(&j, lv, v->attributes[b].name, str(&j, G->levels[b]));
			add(&j, o, "levels", lv);
		}
		add(&j, o, "n", u64(&j, G->n));
		add(&j, o, "tp", u64(&j, G->tp));
		add(&j, o, "fp", u64(&j, G->fp));
		add(&j, o, "tn", u64(&j, G->tn));
		add(&j, o, "fn", u64(&j, G->fn));
		add(&j, o, "small", json_object_new_boolean(G->small));
		add(&j, o, "reference", json_object_new_boolean(G->is_reference));
		add(&j, o, "metrics", metrics_obj(&j, v, G));
		json_object_array_add(groups, o);
	}
	if (!groups)
		j.oom = true;
	add(&j, root, "groups", groups);

	disp = json_object_new_array();
	for (size_t d = 0; disp && d < v->ndisparities; d++) {
		const candor_fairness_disparity *D = &v->disparities[d];
		json_object *o = obj(&j);

		if (!o)
			break;
		add(&j, o, "attribute", str(&j, v->attributes[D->attribute].name));
		add(&j, o, "metric", str(&j, candor_fairness_metric_name(D->metric)));
		add(&j, o, "group", str(&j, v->groups[D->group].name));
		add(&j, o, "reference", str(&j, v->groups[D->reference].name));
		plain(&j, o, "difference", &D->difference, true);
		plain(&j, o, "ratio", &D->ratio, true);
		add(&j, o, "p_value", num(&j, D->p_value));
		if (isnan(D->p_value))
			add(&j, o, "p_value_reason", str(&j, D->p_reason ? D->p_reason : "undefined"));
		add(&j, o, "p_value_adjusted", num(&j, D->p_adjusted));
		if (isnan(D->p_adjusted))
			add(&j, o, "p_value_adjusted_reason",
			    str(&j, D->p_reason ? D->p_reason : "undefined"));
		else
			add(&j, o, "test", str(&j, D->test));
		json_object_array_add(disp, o);
	}
	if (!disp)
		j.oom = true;
	add(&j, root, "disparities", disp);

	main_attr = v->attributes[v->nattributes - 1].is_intersection
	            ? &v->attributes[v->nattributes - 1] : &v->attributes[0];
	add(&j, root, "summary", summary_obj(&j, main_attr, false));
	sci = summary_obj(&j, main_attr, true);
	if (sci && json_object_object_length(sci) > 0)
		add(&j, root, "summary_ci", sci);
	else
		json_object_put(sci);
	byattr = obj(&j);
	for (size_t a = 0; byattr && a < v->nattributes; a++)
		add(&j, byattr, v->attributes[a].name, summary_obj(&j, &v->attributes[a], false));
	add(&j, root, "summary_by_attribute", byattr);

	checks = json_object_new_array();
	for (size_t i = 0; checks && i < v->nchecks; i++) {
		const candor_fairness_check *c = &v->checks[i];
		json_object *o = obj(&j);
		json_object *ci;

		if (!o)
			break;
		add(&j, o, "metric", str(&j, c->metric));
		add(&j, o, "attribute", str(&j, v->attributes[c->attribute].name));
		if (c->group)
			add(&j, o, "group", str(&j, c->group));
		add(&j, o, "value", num(&j, c->value.value));
		if (isnan(c->value.value))
			add(&j, o, "value_reason", str(&j, c->value.reason ? c->value.reason : "undefined"));
		ci = ci_array(&j, &c->value);
		if (ci)
			add(&j, o, "ci", ci);
		add(&j, o, c->kind, num(&j, c->bound));
		add(&j, o, "pass", json_object_new_boolean(c->pass));
		json_object_array_add(checks, o);
	}
	if (!checks)
		j.oom = true;
	add(&j, root, "checks", checks);
	add(&j, root, "verdict", str(&j, v->pass ? "pass" : "fail"));
	add(&j, root, "min_group_size", u64(&j, v->min_group_size));
	add(&j, root, "ci_method", str(&j, ci_name(v->ci)));
	add(&j, root, "p_adjust", str(&j, v->p_adjust == CANDOR_FAIRNESS_P_HOLM ? "holm"
	                                  : v->p_adjust == CANDOR_FAIRNESS_P_BH ? "bh" : "none"));
	add(&j, root, "confidence", num(&j, v->confidence));
	if (v->ci == CANDOR_FAIRNESS_CI_BOOTSTRAP) {
		add(&j, root, "bootstrap", u64(&j, v->bootstrap));
		add(&j, root, "seed", u64(&j, v->seed));
	}
	if (j.oom) {
		json_object_put(root);
		return candor__oom();
	}
	*out = root;
	return CANDOR_OK;
}

candor_status candor_fairness_result_json(const candor_fairness_result *result, char **out,
                                          size_t *len)
{
	json_object *root;
	const char *text;
	size_t tlen;
	candor_status st;

	if (!result || !out)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL argument");
	*out = NULL;
	if ((st = candor__fairness_result_tree(result, &root)))
		return st;
	text = json_object_to_json_string_length(root, JSON_C_TO_STRING_PRETTY |
	                                         JSON_C_TO_STRING_SPACED |
	                                         JSON_C_TO_STRING_NOSLASHESCAPE, &tlen);
	if (!text) {
		json_object_put(root);
		return candor__oom();
	}
	*out = candor__malloc(tlen + 2);
	if (!*out) {
		json_object_put(root);
		return CANDOR_ENOMEM;
	}
	memcpy(*out, text, tlen);
	(*out)[tlen] = '\n';
	(*out)[tlen + 1] = '\0';
	if (len)
		*len = tlen + 1;
	json_object_put(root);
	return CANDOR_OK;
}
