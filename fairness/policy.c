/*
 * policy.c - policy files (JSON, read by the JSON core, core/json_int.h)
 * and their checks.
 *
 * Places in errors: the core reports a malformed document at the offending
 * byte, and a wrong value (an unknown metric or key, a bound that is not a
 * number) at that value or key, with its path ("checks[2].min").
 *
 * Judging a check: with "fail_only_if_ci_outside" a check fails only when
 * the whole interval of the value lies beyond the bound (an estimate beyond
 * the bound whose interval still reaches it passes); without an interval
 * the estimate decides. A group metric is judged group by group (groups
 * below min_group_size and groups where the metric is undefined are left
 * out); the check passes when every group does, and reports the worst
 * failing group, or else the worst group. A value that cannot be computed
 * fails the check: a gate that cannot be verified is not passed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_int.h"
#include "fairness_int.h"

const char *const candor__check_kind_names[CANDOR__CHECK_NKINDS] = {
	"min", "max", "max_difference", "min_ratio",
};

void candor_fairness_policy_free(candor_fairness_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nchecks; i++)
		candor__free(p->checks[i].attribute);
	candor__free(p->checks);
	candor__free(p->name);
	candor__free(p);
}

static candor_status parse_check(candor__check_spec *c, const candor__json *doc, json_object *o)
{
	json_object *m;
	const char *metric;
	int idx;
	bool any = false;
	candor_status st;

	c->ci_mode = -1;
	if ((st = candor__json_expect(doc, o, json_type_object)) ||
	    (st = candor__json_member(&m, doc, o, "metric", json_type_string, true)))
		return st;
	metric = json_object_get_string(m);
	idx = candor_fairness_metric_lookup(metric, &c->is_summary);
	if (idx < 0)
		return candor__json_error(doc, m, CANDOR_EPARSE, "unknown metric '%.64s'", metric);
	c->metric = idx;
	json_object_object_foreach(o, key, val) {
		int kind = -1;

		if (strcmp(key, "metric") == 0)
			continue;
		if (strcmp(key, "attribute") == 0) {
			if ((st = candor__json_member(&val, doc, o, key, json_type_string, true)))
				return st;
			c->attribute = candor__strdup(json_object_get_string(val));
			if (!c->attribute)
				return CANDOR_ENOMEM;
			continue;
		}
		if (strcmp(key, "fail_only_if_ci_outside") == 0) {
			if ((st = candor__json_member(&val, doc, o, key, json_type_boolean, true)))
				return st;
			c->ci_mode = json_object_get_boolean(val) ? 1 : 0;
			continue;
		}
		for (int k = 0; k < CANDOR__CHECK_NKINDS; k++)
			if (strcmp(key, candor__check_kind_names[k]) == 0)
				kind = k;
		if (kind < 0)
			return candor__json_error_key(doc, o, key, CANDOR_EPARSE,
			                              "unknown key '%.64s' in a check", key);
		if (c->is_summary && (kind == CANDOR__CHECK_MAX_DIFFERENCE ||
		                      kind == CANDOR__CHECK_MIN_RATIO))
			return candor__json_error_key(doc, o, key, CANDOR_EPARSE,
			                              "'%s' applies to group metrics, not to summary "
			                              "metrics", key);
		/* the core has held every number finite */
		if ((st = candor__json_member(&val, doc, o, key, json_type_double, true)))
			return st;
		c->bound[kind] = json_object_get_double(val);
		c->has[kind] = true;
		any = true;
	}
	if (!any)
		return candor__json_error(doc, o, CANDOR_EPARSE,
		                          "the check of '%.64s' has no bound (min, max, max_difference "
		                          "or min_ratio)", metric);
	return CANDOR_OK;
}

candor_status candor_fairness_policy_parse(candor_fairness_policy **out, const char *text,
                                           size_t len, const char *name)
{
	candor__json doc;
	json_object *root, *checks = NULL;
	candor_fairness_policy *p = NULL;
	candor_status st = CANDOR_OK;
	const char *nm = name ? name : "<policy>";

	if (!out || (!text && len))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL argument");
	*out = NULL;
	if ((st = candor__json_read(&doc, text ? text : "", len, nm, NULL)))
		return st;
	root = doc.root;
	p = candor__calloc(1, sizeof(*p));
	if (!p || !(p->name = candor__strdup(nm))) {
		st = CANDOR_ENOMEM;
		goto done;
	}
	if (json_object_is_type(root, json_type_array)) {
		checks = root;
	} else if (json_object_is_type(root, json_type_object)) {
		json_object_object_foreach(root, key, val) {
			if (strcmp(key, "checks") == 0) {
				if ((st = candor__json_member(&checks, &doc, root, key, json_type_array,
				                              true)))
					goto done;
			} else if (strcmp(key, "min_group_size") == 0) {
				int64_t n;
				if ((st = candor__json_member(&val, &doc, root, key, json_type_int, true)) ||
				    (st = candor__json_integer(&n, &doc, val)))
					goto done;
				if (n < 1) {
					st = candor__json_error(&doc, val, CANDOR_EPARSE,
					                        "must be a positive integer");
					goto done;
				}
				p->min_group_size = (size_t)n;
			} else if (strcmp(key, "fail_only_if_ci_outside") == 0) {
				if ((st = candor__json_member(&val, &doc, root, key, json_type_boolean,
				                              true)))
					goto done;
				p->ci_outside = json_object_get_boolean(val);
			} else if (strcmp(key, "name") == 0 || strcmp(key, "description") == 0) {
				continue;
			} else {
				st = candor__json_error_key(&doc, root, key, CANDOR_EPARSE,
				                            "unknown policy key '%.64s'", key);
				goto done;
			}
		}
		if (!checks) {
			st = candor__json_member(&checks, &doc, root, "checks", json_type_array, true);
			goto done;
		}
	} else {
		st = candor__json_error(&doc, root, CANDOR_EPARSE,
		                        "a policy is an object with \"checks\", or an array of checks");
		goto done;
	}
	p->nchecks = json_object_array_length(checks);
	p->checks = candor__calloc(p->nchecks ? p->nchecks : 1, sizeof(*p->checks));
	if (!p->checks) {
		p->nchecks = 0;
		st = CANDOR_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < p->nchecks; i++) {
		json_object *c;
		if ((st = candor__json_elem(&c, &doc, checks, i, json_type_object)) ||
		    (st = parse_check(&p->checks[i], &doc, c)))
			goto done;
	}
done:
	candor__json_done(&doc);
	if (st != CANDOR_OK) {
		if (st == CANDOR_ENOMEM)
			candor__oom();
		candor_fairness_policy_free(p);
		return st;
	}
	*out = p;
	return CANDOR_OK;
}

candor_status candor_fairness_policy_read(candor_fairness_policy **out, const char *path)
{
	char *buf;
	size_t len;
	candor_status st;

	if (!out || !path)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL argument");
	*out = NULL;
	if ((st = candor__file_read(path, &buf, &len)))
		return st;
	st = candor_fairness_policy_parse(out, buf, len, path);
	candor__free(buf);
	return st;
}

/* ===== evaluating ======================================================= */

/* Does value x (with interval lo, hi) pass bound b of kind k? */
static bool passes(int kind, double x, double lo, double hi, double b, bool interval)
{
	const bool ci = interval && !isnan(lo) && !isnan(hi);

	switch (kind) {
	case CANDOR__CHECK_MIN:
	case CANDOR__CHECK_MIN_RATIO: return ci ? hi >= b : x >= b;
	case CANDOR__CHECK_MAX: return ci ? lo <= b : x <= b;
	default: return ci ? !(lo > b || hi < -b) : fabs(x) <= b;
	}
}

/* How bad x is for kind k (larger is worse). */
static double badness(int kind, double x)
{
	switch (kind) {
	case CANDOR__CHECK_MIN:
	case CANDOR__CHECK_MIN_RATIO: return -x;
	case CANDOR__CHECK_MAX: return x;
	default: return fabs(x);
	}
}

static void judge_group_metric(candor_fairness_check *c, const candor_fairness_result *r,
                               const candor__check_spec *s, size_t a, int kind, bool interval)
{
	const candor_fairness_view *v = &r->view;
	const candor_fairness_attr_result *A = &v->attributes[a];
	const candor_fairness_value *worst = NULL;
	bool worst_fails = false, all = true;
	double wb = -INFINITY;
	const char *wg = NULL;

	for (size_t g = A->first_group; g < A->first_group + A->ngroups; g++) {
		const candor_fairness_value *x = NULL;
		bool ok;
		double bad;

		if (v->groups[g].small)
			continue;
		if (kind == CANDOR__CHECK_MIN || kind == CANDOR__CHECK_MAX) {
			x = &v->groups[g].metrics[s->metric];
		} else {
			if (g == A->reference)
				continue;
			for (size_t d = 0; d < v->ndisparities; d++)
				if (v->disparities[d].group == g && (int)v->disparities[d].metric == s->metric) {
					x = kind == CANDOR__CHECK_MIN_RATIO ? &v->disparities[d].ratio
					                                    : &v->disparities[d].difference;
					break;
				}
		}
		if (!x || isnan(x->value))
			continue;
		ok = passes(kind, x->value, x->lo, x->hi, s->bound[kind], interval);
		all &= ok;
		bad = badness(kind, x->value);
		if (!worst || (!ok && !worst_fails) || (ok == !worst_fails && bad > wb)) {
			worst = x;
			worst_fails = !ok;
			wb = bad;
			wg = v->groups[g].name;
		}
	}
	if (!worst) {
		c->value.value = c->value.lo = c->value.hi = NAN;
		c->value.reason = "undefined, or no group of at least min_group_size rows";
		c->pass = false;
		return;
	}
	c->value = *worst;
	c->group = wg;
	c->pass = all;
}

candor_status candor__fair_eval_policy(candor_fairness_result *r, const candor_fairness_policy *p)
{
	const candor_fairness_view *v = &r->view;
	size_t n = 0, k = 0;

	for (size_t i = 0; i < p->nchecks; i++) {
		const candor__check_spec *s = &p->checks[i];
		size_t na = 0, nk = 0;

		if (s->attribute) {
			bool found = false;

			for (size_t a = 0; a < v->nattributes; a++)
				found |= strcmp(v->attributes[a].name, s->attribute) == 0;
			if (!found)
				return candor__error(CANDOR_ENOTFOUND, p->name, 0, 0,
				                     "check %zu names attribute '%s', which is not among "
				                     "the sensitive attributes", i + 1, s->attribute);
			na = 1;
		} else {
			na = v->nattributes;
		}
		for (int kind = 0; kind < CANDOR__CHECK_NKINDS; kind++)
			nk += s->has[kind];
		n += na * nk;
	}
	r->checks = candor__calloc(n ? n : 1, sizeof(*r->checks));
	if (!r->checks)
		return CANDOR_ENOMEM;
	for (size_t i = 0; i < p->nchecks; i++) {
		const candor__check_spec *s = &p->checks[i];
		const bool interval = s->ci_mode < 0 ? p->ci_outside : s->ci_mode == 1;

		for (size_t a = 0; a < v->nattributes; a++) {
			if (s->attribute && strcmp(v->attributes[a].name, s->attribute) != 0)
				continue;
			for (int kind = 0; kind < CANDOR__CHECK_NKINDS; kind++) {
				candor_fairness_check *c;

				if (!s->has[kind])
					continue;
				c = &r->checks[k++];
				c->metric = s->is_summary ? candor_fairness_summary_name(s->metric)
				                          : candor_fairness_metric_name(s->metric);
				c->attribute = a;
				c->kind = candor__check_kind_names[kind];
				c->bound = s->bound[kind];
				if (s->is_summary) {
					const candor_fairness_value *x = &v->attributes[a].summary[s->metric];

					c->value = *x;
					c->pass = !isnan(x->value) &&
					          passes(kind, x->value, x->lo, x->hi, c->bound, interval);
				} else {
					judge_group_metric(c, r, s, a, kind, interval);
				}
			}
		}
	}
	r->view.checks = r->checks;
	r->view.nchecks = k;
	r->view.pass = true;
	for (size_t i = 0; i < k; i++)
		r->view.pass &= r->checks[i].pass;
	return CANDOR_OK;
}
