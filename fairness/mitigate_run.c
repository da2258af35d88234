/*
 * mitigate_run.c - mitigation from tables: read the label, score and
 * sensitive columns, form the groups, split off the evaluation part, fit
 * the rule and the reweighing on the fitting part, and evaluate both parts
 * through the fairness module's public API (accumulators, Wilson and
 * Newcombe intervals), then write it all as JSON.
 *
 * Groups. A row's group is the combination of its sensitive values, named
 * "x" or "x&y"; the groups are those of the fitting part, numbered in order
 * of first appearance. The eval part is matched by name, so its columns may
 * have their levels in another order; a value the fitting part lacks has no
 * rule and is an error, never a guess.
 *
 * Honest evaluation. "before" is score >= threshold. "after" is the rule's
 * realised decisions, one coin per row from the row's own stream, so it is
 * what a deployment would have decided, and its intervals say what the data
 * supports; "expected" holds the rule's expected values (the coins
 * averaged out), which on the fitting part are exactly the promise.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fairness_int.h"
#include "mitigate_int.h"

#define MAX_SENSITIVE 8
#define MAX_LEVELS 65536
#define MAX_NUMERIC_LEVELS 256

/* ===== the result ======================================================= */

typedef struct part_store {
	candor_fairness_result *before, *after;
	double *sr, *tpr, *fpr, *base, *wbase;
	char *violation;
} part_store;

struct candor_mitigate_result {
	candor_mitigate_view view;
	candor_mitigate_rule *rule;
	char *attribute;
	double *weights, *row_weights;
	part_store fit, eval;
	candor_mitigate_options opts;
	char *label, *score;
	char **sensitive;
	size_t nsensitive;
	/* the policy as the realised decisions are judged: every check in its
	 * interval mode (fails only when the whole interval is outside the
	 * bound), since their coins add noise to the sample's; shares the
	 * caller's check specs but owns its array copy */
	candor_fairness_policy judge_store;
	candor__check_spec *judge_checks;
	const candor_fairness_policy *judge;
};

static void part_free(part_store *p)
{
	candor_fairness_result_free(p->before);
	candor_fairness_result_free(p->after);
	candor__free(p->sr);
	candor__free(p->tpr);
	candor__free(p->fpr);
	candor__free(p->base);
	candor__free(p->wbase);
	candor__free(p->violation);
}

void candor_mitigate_result_free(candor_mitigate_result *r)
{
	if (!r)
		return;
	candor__mitigate_rule_free(r->rule);
	candor__free(r->attribute);
	candor__free(r->weights);
	candor__free(r->row_weights);
	part_free(&r->fit);
	part_free(&r->eval);
	candor__free(r->judge_checks);
	candor__free(r->label);
	candor__free(r->score);
	if (r->sensitive)
		for (size_t a = 0; a < r->nsensitive; a++)
			candor__free(r->sensitive[a]);
	candor__free(r->sensitive);
	candor__free(r);
}

const candor_mitigate_view *candor_mitigate_result_view(const candor_mitigate_result *r)
{
	return r ? &r->view : NULL;
}

/* ===== columns ========================================================== */

static candor_status cell_error(const candor_table *t, size_t i, size_t j, const char *source,
                                const char *fmt, ...) CANDOR__PRINTF(5, 6);
static candor_status cell_error(const candor_table *t, size_t i, size_t j, const char *source,
                                const char *fmt, ...)
{
	char msg[400];
	uint64_t line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (candor_table_locate(t, i, j, &line, &col) == CANDOR_OK)
		return candor__error(CANDOR_EPARSE, source, line, col, "%s", msg);
	return candor__error(CANDOR_EPARSE, source, 0, 0, "row %zu: %s", i + 1, msg);
}

static candor_status find_col(const candor_table *t, const char *name, const char *role,
                              const char *src, size_t *j)
{
	candor_status st = candor_table_find(t, name, j);

	if (st != CANDOR_OK)
		return candor__error(st, src, src ? 1 : 0, src ? 1 : 0, "no %s column '%s'", role,
		                     name);
	return CANDOR_OK;
}

/* The label as 0/1 (1 = the favourable value); exactly the values `fav`
 * and one other are allowed. */
static candor_status label_column(uint8_t *out, const candor_table *t, const char *name,
                                  const char *fav, const char *src)
{
	const size_t n = candor_table_nrows(t);
	size_t j;
	candor_status st = find_col(t, name, "label", src, &j);

	if (st != CANDOR_OK)
		return st;
	if (candor_table_coltype(t, j) == CANDOR_COL_NUMERIC) {
		const double *v = candor_table_numeric(t, j);
		double f, other = NAN;

		if (!candor__parse_double(fav, strlen(fav), &f))
			return candor__error(CANDOR_EINVAL, src, 0, 0,
			                     "favourable value '%s' is not a number, but label column "
			                     "'%s' is numeric", fav, name);
		for (size_t i = 0; i < n; i++) {
			if (isnan(v[i]))
				return cell_error(t, i, j, src, "label '%s' has a missing value", name);
			out[i] = v[i] == f;
			if (out[i])
				continue;
			if (isnan(other))
				other = v[i];
			else if (v[i] != other)
				return cell_error(t, i, j, src,
				                  "label column '%s' has a third value; it must be binary",
				                  name);
		}
	} else {
		const int32_t *codes = candor_table_codes(t, j);
		const int32_t fc = candor_table_level_code(t, j, fav);
		int32_t other = -2;

		if (fc < 0 && n > 0)
			return candor__error(CANDOR_EINVAL, src, 0, 0,
			                     "favourable value '%s' never occurs in label column '%s'",
			                     fav, name);
		for (size_t i = 0; i < n; i++) {
			if (codes[i] < 0)
				return cell_error(t, i, j, src, "label '%s' has a missing value", name);
			out[i] = codes[i] == fc;
			if (out[i])
				continue;
			if (other == -2)
				other = codes[i];
			else if (codes[i] != other)
				return cell_error(t, i, j, src,
				                  "label column '%s' has a third value '%s'; it must be "
				                  "binary", name, candor_table_level(t, j, codes[i]));
		}
	}
	return CANDOR_OK;
}

static candor_status score_column(const double **out, const candor_table *t, const char *name,
                                  const char *src)
{
	size_t j;
	candor_status st = find_col(t, name, "score", src, &j);
	const double *v;

	if (st != CANDOR_OK)
		return st;
	v = candor_table_numeric(t, j);
	if (!v)
		return candor__error(CANDOR_EINVAL, src, 0, 0, "score column '%s' is not numeric",
		                     name);
	for (size_t i = 0; i < candor_table_nrows(t); i++)
		if (!isfinite(v[i]))
			return cell_error(t, i, j, src, "score '%s' has a missing value", name);
	*out = v;
	return CANDOR_OK;
}

/* A sensitive column as level indices into a list of names. */
typedef struct levels {
	size_t n;
	char **names;        /* owned */
	int32_t *code;       /* per row */
} levels;

static void levels_free(levels *l)
{
	if (l->names)
		for (size_t k = 0; k < l->n; k++)
			candor__free(l->names[k]);
	candor__free(l->names);
	candor__free(l->code);
	memset(l, 0, sizeof(*l));
}

static candor_status sensitive_column(levels *l, const candor_table *t, const char *name,
                                      const char *src)
{
	const size_t n = candor_table_nrows(t);
	size_t j;
	candor_status st = find_col(t, name, "sensitive", src, &j);

	if (st != CANDOR_OK)
		return st;
	l->code = candor__mallocarray(n ? n : 1, sizeof(*l->code));
	if (!l->code)
		return CANDOR_ENOMEM;
	if (candor_table_coltype(t, j) == CANDOR_COL_CATEGORICAL) {
		const int32_t *c = candor_table_codes(t, j);

		l->n = candor_table_nlevels(t, j);
		if (l->n > MAX_LEVELS)
			return candor__error(CANDOR_EUNSUPPORTED, src, 0, 0,
			                     "sensitive column '%s' has more than %d values", name,
			                     MAX_LEVELS);
		l->names = candor__calloc(l->n ? l->n : 1, sizeof(*l->names));
		if (!l->names)
			return CANDOR_ENOMEM;
		for (size_t k = 0; k < l->n; k++)
			if (!(l->names[k] = candor__strdup(candor_table_level(t, j, (int32_t)k))))
				return CANDOR_ENOMEM;
		for (size_t i = 0; i < n; i++) {
			if (c[i] < 0)
				return cell_error(t, i, j, src, "sensitive '%s' has a missing value", name);
			l->code[i] = c[i];
		}
	} else {
		const double *v = candor_table_numeric(t, j);
		double seen[MAX_NUMERIC_LEVELS];

		for (size_t i = 0; i < n; i++) {
			size_t k;

			if (isnan(v[i]))
				return cell_error(t, i, j, src, "sensitive '%s' has a missing value", name);
			for (k = 0; k < l->n && seen[k] != v[i]; k++)
				;
			if (k == l->n) {
				if (l->n == MAX_NUMERIC_LEVELS)
					return candor__error(CANDOR_EUNSUPPORTED, src, 0, 0,
					                     "sensitive column '%s' is numeric with more than "
					                     "%d distinct values", name, MAX_NUMERIC_LEVELS);
				seen[l->n++] = v[i];
			}
			l->code[i] = (int32_t)k;
		}
		l->names = candor__calloc(l->n ? l->n : 1, sizeof(*l->names));
		if (!l->names)
			return CANDOR_ENOMEM;
		for (size_t k = 0; k < l->n; k++) {
			char buf[40];

			candor__format_double(buf, sizeof(buf), seen[k]);
			if (!(l->names[k] = candor__strdup(buf)))
				return CANDOR_ENOMEM;
		}
	}
	return CANDOR_OK;
}

/* ===== groups =========================================================== */

typedef struct grouping {
	size_t ns;
	levels fit[MAX_SENSITIVE];
	size_t stride[MAX_SENSITIVE];
	size_t ncells;
	int32_t *cell_group;   /* ncells: group index or -1 */
	size_t ngroups;
	char **names;          /* ngroups, owned */
} grouping;

static void grouping_free(grouping *g)
{
	for (size_t a = 0; a < g->ns; a++)
		levels_free(&g->fit[a]);
	candor__free(g->cell_group);
	if (g->names)
		for (size_t k = 0; k < g->ngroups; k++)
			candor__free(g->names[k]);
	candor__free(g->names);
}

static size_t cell_of(const grouping *g, const int32_t *const *codes, size_t i)
{
	size_t c = 0;

	for (size_t a = 0; a < g->ns; a++)
		c += (size_t)codes[a][i] * g->stride[a];
	return c;
}

static candor_status group_name(char **out, const grouping *g, size_t cell)
{
	size_t len = 1;
	char *s;

	for (size_t a = 0; a < g->ns; a++)
		len += strlen(g->fit[a].names[(cell / g->stride[a]) % g->fit[a].n]) + 1;
	s = candor__malloc(len);
	if (!s)
		return CANDOR_ENOMEM;
	s[0] = '\0';
	for (size_t a = 0; a < g->ns; a++) {
		if (a)
			strcat(s, "&");
		strcat(s, g->fit[a].names[(cell / g->stride[a]) % g->fit[a].n]);
	}
	*out = s;
	return CANDOR_OK;
}

/* The fit levels of the sensitive columns and the cell -> group map. */
static candor_status grouping_new(grouping *g, const candor_table *t,
                                  const candor_mitigate_columns *cols)
{
	candor_status st;
	size_t prod = 1;

	g->ns = cols->nsensitive;
	for (size_t a = 0; a < g->ns; a++)
		if ((st = sensitive_column(&g->fit[a], t, cols->sensitive[a], cols->source)) !=
		    CANDOR_OK)
			return st;
	for (size_t a = g->ns; a-- > 0;) {
		g->stride[a] = prod;
		if (g->fit[a].n && candor__mul_overflow(prod, g->fit[a].n, &prod))
			prod = SIZE_MAX;
		if (prod > CANDOR_FAIRNESS_MAX_CELLS)
			return candor__error(CANDOR_EUNSUPPORTED, cols->source, 0, 0,
			                     "the sensitive columns have more than %zu combinations",
			                     (size_t)CANDOR_FAIRNESS_MAX_CELLS);
	}
	g->ncells = prod;
	g->cell_group = candor__mallocarray(prod, sizeof(*g->cell_group));
	if (!g->cell_group)
		return CANDOR_ENOMEM;
	for (size_t c = 0; c < prod; c++)
		g->cell_group[c] = -1;
	return CANDOR_OK;
}

/* Number the groups of rows where keep[i] (NULL: all) in order of first
 * appearance; group[i] gets the row's group (-1 for rows not kept). */
static candor_status grouping_assign(grouping *g, int32_t *group, const uint8_t *keep, size_t n)
{
	const int32_t *codes[MAX_SENSITIVE];

	for (size_t a = 0; a < g->ns; a++)
		codes[a] = g->fit[a].code;
	for (size_t i = 0; i < n; i++) {
		const size_t c = cell_of(g, codes, i);

		if (keep && !keep[i])
			continue;
		if (g->cell_group[c] < 0)
			g->cell_group[c] = (int32_t)g->ngroups++;
	}
	g->names = candor__calloc(g->ngroups ? g->ngroups : 1, sizeof(*g->names));
	if (!g->names)
		return CANDOR_ENOMEM;
	for (size_t c = 0; c < g->ncells; c++)
		if (g->cell_group[c] >= 0) {
			candor_status st = group_name(&g->names[g->cell_group[c]], g, c);

			if (st != CANDOR_OK)
				return st;
		}
	for (size_t i = 0; i < n; i++)
		group[i] = g->cell_group[cell_of(g, codes, i)];
	return CANDOR_OK;
}

typedef struct named {
	const char *name;
	int32_t index;
} named;

static int cmp_named(const void *a, const void *b)
{
	return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

/* Groups of the eval table's rows, matched to the fit groups by name. */
static candor_status eval_groups(int32_t *group, const grouping *g, const candor_table *t,
                                 const candor_mitigate_columns *cols)
{
	const size_t n = candor_table_nrows(t);
	levels ev[MAX_SENSITIVE];
	int32_t *map[MAX_SENSITIVE];
	named *sorted = NULL;
	candor_status st = CANDOR_OK;

	memset(ev, 0, sizeof(ev));
	memset(map, 0, sizeof(map));
	for (size_t a = 0; a < g->ns; a++) {
		const levels *f = &g->fit[a];

		if ((st = sensitive_column(&ev[a], t, cols->sensitive[a], cols->eval_source)) !=
		    CANDOR_OK)
			goto done;
		sorted = candor__mallocarray(f->n ? f->n : 1, sizeof(*sorted));
		map[a] = candor__mallocarray(ev[a].n ? ev[a].n : 1, sizeof(*map[a]));
		if (!sorted || !map[a]) {
			st = CANDOR_ENOMEM;
			goto done;
		}
		for (size_t k = 0; k < f->n; k++) {
			sorted[k].name = f->names[k];
			sorted[k].index = (int32_t)k;
		}
		qsort(sorted, f->n, sizeof(*sorted), cmp_named);
		for (size_t k = 0; k < ev[a].n; k++) {
			const named key = {ev[a].names[k], 0};
			const named *hit = f->n ? bsearch(&key, sorted, f->n, sizeof(*sorted),
			                                  cmp_named) : NULL;

			map[a][k] = hit ? hit->index : -1;
		}
		candor__free(sorted);
		sorted = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		size_t c = 0;
		bool known = true;

		for (size_t a = 0; a < g->ns; a++) {
			const int32_t k = map[a][ev[a].code[i]];

			if (k < 0) {
				known = false;
				break;
			}
			c += (size_t)k * g->stride[a];
		}
		group[i] = known ? g->cell_group[c] : -1;
		if (group[i] < 0) {
			size_t j = 0;
			char name[256] = "";

			for (size_t a = 0; a < g->ns; a++) {
				if (a)
					strncat(name, "&", sizeof(name) - strlen(name) - 1);
				strncat(name, ev[a].names[ev[a].code[i]], sizeof(name) - strlen(name) - 1);
			}
			candor_table_find(t, cols->sensitive[0], &j);
			st = cell_error(t, i, j, cols->eval_source,
			                "group '%s' does not occur in the fitting data, so it has no "
			                "rule", name);
			goto done;
		}
	}
done:
	candor__free(sorted);
	for (size_t a = 0; a < g->ns; a++) {
		levels_free(&ev[a]);
		candor__free(map[a]);
	}
	return st;
}

/* ===== evaluating a part ================================================ */

typedef struct part_in {
	size_t n;
	const uint8_t *label;
	const double *score;
	const int32_t *group;
	const uint64_t *row;   /* the row's index in its file, for its coin */
	uint64_t stream;
	const char *what;      /* "fitting" or "evaluation", for messages */
} part_in;

static candor_status fairness_of(candor_fairness_result **out, const candor_fairness_attribute *attr,
                                 const part_in *in, const uint8_t *pred,
                                 const candor_mitigate_options *o,
                                 const candor_fairness_policy *judge)
{
	candor_fairness_acc *acc = NULL;
	candor_fairness_options fo = CANDOR_FAIRNESS_OPTIONS_INIT;
	const int32_t *groups[1] = {in->group};
	candor_fairness_rows rows = {in->n, in->label, pred, NULL, groups};
	candor_status st = candor_fairness_acc_new(&acc, attr, 1, false);

	if (st == CANDOR_OK)
		st = candor_fairness_acc_add(acc, &rows);
	fo.confidence = o->confidence;
	fo.threads = o->threads;
	fo.policy = judge;
	if (st == CANDOR_OK)
		st = candor_fairness_compute(out, acc, &fo);
	candor_fairness_acc_free(acc);
	return st;
}

/* The first difference to the reference, for `metric`, whose interval
 * excludes 0; NULL when there is none. */
static candor_status find_violation(char **out, const candor_fairness_result *res,
                                    candor_fairness_metric metric)
{
	const candor_fairness_view *v = candor_fairness_result_view(res);

	for (size_t d = 0; d < v->ndisparities; d++) {
		const candor_fairness_disparity *x = &v->disparities[d];
		char buf[512];

		if (x->metric != metric || isnan(x->difference.lo) || isnan(x->difference.hi))
			continue;
		if (x->difference.lo <= 0.0 && x->difference.hi >= 0.0)
			continue;
		snprintf(buf, sizeof(buf),
		         "%s of group '%s' minus reference '%s' is %.4g, interval [%.4g, %.4g] "
		         "excludes 0", candor_fairness_metric_name(metric), v->groups[x->group].name,
		         v->groups[x->reference].name, x->difference.value, x->difference.lo,
		         x->difference.hi);
		*out = candor__strdup(buf);
		return *out ? CANDOR_OK : CANDOR_ENOMEM;
	}
	return CANDOR_OK;
}

/* The first failing check of the policy, as text; NULL when all pass. */
static candor_status policy_violation(char **out, const candor_fairness_result *res)
{
	const candor_fairness_view *v = candor_fairness_result_view(res);

	for (size_t i = 0; i < v->nchecks; i++) {
		const candor_fairness_check *c = &v->checks[i];
		char buf[512];

		if (c->pass)
			continue;
		snprintf(buf, sizeof(buf), "check %s %s %.4g fails%s%s%s: value %.4g", c->metric,
		         c->kind, c->bound, c->group ? " (group '" : "", c->group ? c->group : "",
		         c->group ? "')" : "", c->value.value);
		*out = candor__strdup(buf);
		return *out ? CANDOR_OK : CANDOR_ENOMEM;
	}
	return CANDOR_OK;
}

static candor_status eval_part(part_store *ps, candor_mitigate_part *pv,
                               const candor_mitigate_result *r, const part_in *in,
                               const candor_fairness_attribute *attr)
{
	const candor_mitigate_options *o = &r->opts;
	const size_t G = r->view.ngroups;
	const double thr = o->threshold; /* resolved by the options check */
	uint8_t *pred = NULL;
	double *q = NULL, *acc = NULL;
	candor_status st;

	if (in->n == 0)
		return candor__error(CANDOR_EDOMAIN, NULL, 0, 0, "mitigate: the %s part has no rows",
		                     in->what);
	pred = candor__malloc(in->n);
	q = candor__mallocarray(in->n, sizeof(*q));
	acc = candor__calloc(8 * G, sizeof(*acc)); /* tp fp tn fn, n, pos, w, wpos */
	ps->sr = candor__calloc(G, sizeof(double));
	ps->tpr = candor__calloc(G, sizeof(double));
	ps->fpr = candor__calloc(G, sizeof(double));
	ps->base = candor__calloc(G, sizeof(double));
	ps->wbase = candor__calloc(G, sizeof(double));
	if (!pred || !q || !acc || !ps->sr || !ps->tpr || !ps->fpr || !ps->base || !ps->wbase) {
		st = CANDOR_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < in->n; i++)
		pred[i] = in->score[i] >= thr;
	if ((st = fairness_of(&ps->before, attr, in, pred, o, o->policy)) != CANDOR_OK)
		goto done;
	if ((st = candor_mitigate_rule_prob(r->rule, q, in->score, in->group, in->n)) != CANDOR_OK)
		goto done;
	for (size_t i = 0; i < in->n; i++) {
		const size_t g = (size_t)in->group[i];
		const double w = r->weights[2 * g + in->label[i]];

		pred[i] = q[i] >= 1.0 ? 1 : q[i] <= 0.0 ? 0 :
		          (uint8_t)(candor__mitigate_uniform(o->seed, in->row[i], in->stream) < q[i]);
		acc[8 * g + (in->label[i] ? 0 : 1)] += q[i];         /* tp or fp */
		acc[8 * g + (in->label[i] ? 3 : 2)] += 1.0 - q[i];   /* fn or tn */
		acc[8 * g + 4] += 1.0;
		acc[8 * g + 5] += in->label[i];
		acc[8 * g + 6] += w;
		acc[8 * g + 7] += w * in->label[i];
	}
	if ((st = fairness_of(&ps->after, attr, in, pred, o, r->judge)) != CANDOR_OK)
		goto done;
	{
		double tp = 0, fp = 0, tn = 0, fn = 0;

		for (size_t g = 0; g < G; g++) {
			const double *c = &acc[8 * g];

			tp += c[0];
			fp += c[1];
			tn += c[2];
			fn += c[3];
			ps->sr[g] = c[4] > 0 ? (c[0] + c[1]) / c[4] : NAN;
			ps->tpr[g] = c[0] + c[3] > 0 ? c[0] / (c[0] + c[3]) : NAN;
			ps->fpr[g] = c[1] + c[2] > 0 ? c[1] / (c[1] + c[2]) : NAN;
			ps->base[g] = c[4] > 0 ? c[5] / c[4] : NAN;
			ps->wbase[g] = c[6] > 0 ? c[7] / c[6] : NAN;
		}
		pv->expected.accuracy = (tp + tn) / (double)in->n;
		pv->expected.balanced_accuracy =
		    (tp + fn > 0 && tn + fp > 0) ? 0.5 * (tp / (tp + fn) + tn / (tn + fp)) : NAN;
	}
	pv->n = in->n;
	pv->before = ps->before;
	pv->after = ps->after;
	pv->expected.selection_rate = ps->sr;
	pv->expected.tpr = ps->tpr;
	pv->expected.fpr = ps->fpr;
	pv->base_rate = ps->base;
	pv->weighted_base_rate = ps->wbase;
	switch (o->constraint) {
	case CANDOR_MITIGATE_NONE:
		break;
	case CANDOR_MITIGATE_DEMOGRAPHIC_PARITY:
		st = find_violation(&ps->violation, ps->after, CANDOR_FM_SELECTION_RATE);
		break;
	case CANDOR_MITIGATE_EQUAL_OPPORTUNITY:
		st = find_violation(&ps->violation, ps->after, CANDOR_FM_TPR);
		break;
	case CANDOR_MITIGATE_EQUALIZED_ODDS:
		st = find_violation(&ps->violation, ps->after, CANDOR_FM_TPR);
		if (st == CANDOR_OK && !ps->violation)
			st = find_violation(&ps->violation, ps->after, CANDOR_FM_FPR);
		break;
	case CANDOR_MITIGATE_POLICY:
		st = policy_violation(&ps->violation, ps->after);
		break;
	}
	pv->constraint_holds = ps->violation == NULL;
	pv->violation = ps->violation;
done:
	candor__free(pred);
	candor__free(q);
	candor__free(acc);
	return st;
}

/* ===== the run ========================================================== */

static candor_status check_columns(const candor_mitigate_columns *cols)
{
	if (cols->version != CANDOR_MITIGATE_COLUMNS_VERSION)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "mitigate: columns version %u, expected %u", cols->version,
		                     CANDOR_MITIGATE_COLUMNS_VERSION);
	if (!cols->label || !cols->score || !cols->sensitive || cols->nsensitive == 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "mitigate: need a label, a score and at least one sensitive "
		                     "column");
	if (cols->nsensitive > MAX_SENSITIVE)
		return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
		                     "mitigate: at most %d sensitive columns", MAX_SENSITIVE);
	for (size_t a = 0; a < cols->nsensitive; a++)
		if (!cols->sensitive[a])
			return candor__error(CANDOR_EINVAL, NULL, 0, 0, "mitigate: NULL column name");
	return CANDOR_OK;
}

static candor_status keep_names(candor_mitigate_result *r, const candor_mitigate_columns *cols)
{
	size_t len = 1;

	r->label = candor__strdup(cols->label);
	r->score = candor__strdup(cols->score);
	r->sensitive = candor__calloc(cols->nsensitive, sizeof(*r->sensitive));
	if (!r->label || !r->score || !r->sensitive)
		return CANDOR_ENOMEM;
	r->nsensitive = cols->nsensitive;
	for (size_t a = 0; a < cols->nsensitive; a++) {
		if (!(r->sensitive[a] = candor__strdup(cols->sensitive[a])))
			return CANDOR_ENOMEM;
		len += strlen(cols->sensitive[a]) + 1;
	}
	r->attribute = candor__malloc(len);
	if (!r->attribute)
		return CANDOR_ENOMEM;
	r->attribute[0] = '\0';
	for (size_t a = 0; a < cols->nsensitive; a++) {
		if (a)
			strcat(r->attribute, "&");
		strcat(r->attribute, cols->sensitive[a]);
	}
	return CANDOR_OK;
}

candor_status candor_mitigate_run(candor_mitigate_result **out, const candor_table *data,
                                  const candor_table *eval, const candor_mitigate_columns *cols,
                                  const candor_mitigate_options *opts)
{
	const candor_mitigate_options defaults = CANDOR_MITIGATE_OPTIONS_INIT;
	candor_mitigate_options opts_v;
	candor_mitigate_result *r = NULL;
	grouping g;
	candor_status st;
	size_t n, ne = 0, nf = 0, nh = 0;
	uint8_t *label = NULL, *keep = NULL, *elabel = NULL;
	int32_t *group = NULL, *egroup = NULL;
	const double *score = NULL, *escore = NULL;
	/* the two parts as compact arrays */
	uint8_t *fl = NULL, *hl = NULL;
	double *fs = NULL, *hs = NULL;
	int32_t *fg = NULL, *hg = NULL;
	uint64_t *fr = NULL, *hr = NULL;

	memset(&g, 0, sizeof(g));
	if (!out || !data || !cols)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "mitigate: NULL argument");
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if ((st = candor__mitigate_check_options(&opts_v, opts)) != CANDOR_OK)
		return st;
	opts = &opts_v;
	if ((st = check_columns(cols)) != CANDOR_OK)
		return st;
	if (eval && opts->split > 0.0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "mitigate: give eval data or a split, not both");
	r = candor__calloc(1, sizeof(*r));
	if (!r)
		return CANDOR_ENOMEM;
	r->opts = *opts;
	if ((st = keep_names(r, cols)) != CANDOR_OK)
		goto done;
	if (opts->policy) {
		const candor_fairness_policy *p = opts->policy;

		r->judge_store = *p;
		r->judge_store.ci_outside = true;
		r->judge_checks = candor__calloc(p->nchecks ? p->nchecks : 1, sizeof(*r->judge_checks));
		if (!r->judge_checks) {
			st = CANDOR_ENOMEM;
			goto done;
		}
		for (size_t i = 0; i < p->nchecks; i++) {
			r->judge_checks[i] = p->checks[i];
			r->judge_checks[i].ci_mode = 1;
		}
		r->judge_store.checks = r->judge_checks;
		r->judge = &r->judge_store;
	}

	n = candor_table_nrows(data);
	label = candor__malloc(n ? n : 1);
	keep = candor__malloc(n ? n : 1);
	group = candor__mallocarray(n ? n : 1, sizeof(*group));
	if (!label || !keep || !group) {
		st = CANDOR_ENOMEM;
		goto done;
	}
	if ((st = label_column(label, data, cols->label, cols->favorable ? cols->favorable : "1",
	                       cols->source)) != CANDOR_OK)
		goto done;
	if ((st = score_column(&score, data, cols->score, cols->source)) != CANDOR_OK)
		goto done;
	if ((st = grouping_new(&g, data, cols)) != CANDOR_OK)
		goto done;
	for (size_t i = 0; i < n; i++) {
		keep[i] = !(opts->split > 0.0 &&
		            candor__mitigate_uniform(opts->seed, i, 1) < opts->split);
		nf += keep[i];
	}
	nh = n - nf;
	if ((st = grouping_assign(&g, group, keep, n)) != CANDOR_OK)
		goto done;
	for (size_t i = 0; i < n; i++)
		if (group[i] < 0) {
			size_t j = 0;
			char *name = NULL;

			candor_table_find(data, cols->sensitive[0], &j);
			{
				const int32_t *codes[MAX_SENSITIVE];

				for (size_t a = 0; a < g.ns; a++)
					codes[a] = g.fit[a].code;
				if ((st = group_name(&name, &g, cell_of(&g, codes, i))) != CANDOR_OK)
					goto done;
			}
			st = cell_error(data, i, j, cols->source,
			                "group '%s' has rows only in the held-out part, so it has no "
			                "rule (use a smaller split or another seed)", name);
			candor__free(name);
			goto done;
		}
	if (g.ngroups == 0) {
		st = candor__error(CANDOR_EDOMAIN, cols->source, 0, 0, "mitigate: no rows to fit on");
		goto done;
	}

	/* compact parts */
	fl = candor__malloc(nf ? nf : 1);
	fs = candor__mallocarray(nf ? nf : 1, sizeof(*fs));
	fg = candor__mallocarray(nf ? nf : 1, sizeof(*fg));
	fr = candor__mallocarray(nf ? nf : 1, sizeof(*fr));
	hl = candor__malloc(nh ? nh : 1);
	hs = candor__mallocarray(nh ? nh : 1, sizeof(*hs));
	hg = candor__mallocarray(nh ? nh : 1, sizeof(*hg));
	hr = candor__mallocarray(nh ? nh : 1, sizeof(*hr));
	if (!fl || !fs || !fg || !fr || !hl || !hs || !hg || !hr) {
		st = CANDOR_ENOMEM;
		goto done;
	}
	for (size_t i = 0, a = 0, b = 0; i < n; i++) {
		if (keep[i]) {
			fl[a] = label[i];
			fs[a] = score[i];
			fg[a] = group[i];
			fr[a++] = i;
		} else {
			hl[b] = label[i];
			hs[b] = score[i];
			hg[b] = group[i];
			hr[b++] = i;
		}
	}
	{
		const candor_mitigate_rows rows = {nf, fl, fs, fg};

		st = candor_mitigate_rule_fit(&r->rule, &rows, g.ngroups,
		                              (const char *const *)g.names, r->attribute, opts);
		if (st != CANDOR_OK)
			goto done;
		r->weights = candor__calloc(2 * g.ngroups, sizeof(*r->weights));
		r->row_weights = candor__mallocarray(n ? n : 1, sizeof(*r->row_weights));
		if (!r->weights || !r->row_weights) {
			st = CANDOR_ENOMEM;
			goto done;
		}
		if ((st = candor_mitigate_reweigh(r->weights, &rows, g.ngroups)) != CANDOR_OK)
			goto done;
		for (size_t i = 0; i < n; i++)
			r->row_weights[i] = r->weights[2 * (size_t)group[i] + label[i]];
	}
	r->view.rule = r->rule;
	r->view.attribute = r->attribute;
	r->view.ngroups = g.ngroups;
	r->view.weights = r->weights;
	r->view.row_weights = r->row_weights;
	r->view.nrows = n;
	{
		candor_fairness_attribute attr = {r->attribute, (const char *const *)g.names,
		                                  g.ngroups};
		const part_in fit = {nf, fl, fs, fg, fr, 2, "fitting"};

		if ((st = eval_part(&r->fit, &r->view.fit, r, &fit, &attr)) != CANDOR_OK)
			goto done;
		if (nh > 0) {
			const part_in held = {nh, hl, hs, hg, hr, 2, "evaluation"};

			if ((st = eval_part(&r->eval, &r->view.eval, r, &held, &attr)) != CANDOR_OK)
				goto done;
			r->view.has_eval = true;
		} else if (eval) {
			ne = candor_table_nrows(eval);
			elabel = candor__malloc(ne ? ne : 1);
			egroup = candor__mallocarray(ne ? ne : 1, sizeof(*egroup));
			candor__free(hr);
			hr = candor__mallocarray(ne ? ne : 1, sizeof(*hr));
			if (!elabel || !egroup || !hr) {
				st = CANDOR_ENOMEM;
				goto done;
			}
			st = label_column(elabel, eval, cols->label,
			                  cols->favorable ? cols->favorable : "1", cols->eval_source);
			if (st == CANDOR_OK)
				st = score_column(&escore, eval, cols->score, cols->eval_source);
			if (st == CANDOR_OK)
				st = eval_groups(egroup, &g, eval, cols);
			if (st != CANDOR_OK)
				goto done;
			for (size_t i = 0; i < ne; i++)
				hr[i] = i;
			{
				const part_in ev = {ne, elabel, escore, egroup, hr, 3, "evaluation"};

				if ((st = eval_part(&r->eval, &r->view.eval, r, &ev, &attr)) != CANDOR_OK)
					goto done;
			}
			r->view.has_eval = true;
		}
	}
	/* the policy was borrowed for the call: keep no pointer into it */
	r->opts.policy = NULL;
	r->judge = NULL;
	memset(&r->judge_store, 0, sizeof(r->judge_store));
	*out = r;
	r = NULL;
done:
	candor_mitigate_result_free(r);
	grouping_free(&g);
	candor__free(label);
	candor__free(keep);
	candor__free(group);
	candor__free(elabel);
	candor__free(egroup);
	candor__free(fl);
	candor__free(fs);
	candor__free(fg);
	candor__free(fr);
	candor__free(hl);
	candor__free(hs);
	candor__free(hg);
	candor__free(hr);
	return st;
}

/* ===== JSON ============================================================= */

typedef struct jctx {
	bool oom;
} jctx;

static json_object *jnum(jctx *j, double x)
{
	char buf[40];
	json_object *o;

	if (!isfinite(x))
		return NULL;
	candor__format_double(buf, sizeof(buf), x);
	o = json_object_new_double_s(x, buf);
	if (!o)
		j->oom = true;
	return o;
}

static json_object *jstr(jctx *j, const char *s)
{
	json_object *o = json_object_new_string(s ? s : "");

	if (!o)
		j->oom = true;
	return o;
}

static json_object *jobj(jctx *j)
{
	json_object *o = json_object_new_object();

	if (!o)
		j->oom = true;
	return o;
}

static json_object *jarr(jctx *j)
{
	json_object *o = json_object_new_array();

	if (!o)
		j->oom = true;
	return o;
}

static void jadd(jctx *j, json_object *o, const char *key, json_object *v)
{
	if (!o) {
		json_object_put(v);
		return;
	}
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		j->oom = true;
	}
}

static void jpush(jctx *j, json_object *a, json_object *v)
{
	if (!a) {
		json_object_put(v);
		return;
	}
	if (json_object_array_add(a, v) != 0) {
		json_object_put(v);
		j->oom = true;
	}
}

/* A number, or null with "<key>_reason". */
static void jadd_num(jctx *j, json_object *o, const char *key, double x, const char *why)
{
	jadd(j, o, key, jnum(j, x));
	if (!isfinite(x)) {
		char k[64];

		snprintf(k, sizeof(k), "%s_reason", key);
		jadd(j, o, k, jstr(j, why));
	}
}

static void jadd_threshold(jctx *j, json_object *o, const char *key, double t)
{
	jadd(j, o, key, jnum(j, t));
	if (!isfinite(t)) {
		char k[64];

		snprintf(k, sizeof(k), "%s_reason", key);
		jadd(j, o, k, jstr(j, t > 0 ? "+inf: selects no row" : "-inf: selects every row"));
	}
}

static json_object *fairness_json(jctx *j, const candor_fairness_result *res,
                                  candor_status *st)
{
	char *text = NULL;
	size_t len = 0;
	json_object *o;

	if ((*st = candor_fairness_result_json(res, &text, &len)) != CANDOR_OK)
		return NULL;
	o = json_tokener_parse(text);
	free(text);
	if (!o)
		j->oom = true;
	return o;
}

static json_object *part_json(jctx *j, const candor_mitigate_result *r,
                              const candor_mitigate_part *p, candor_status *st)
{
	json_object *o = jobj(j), *e = jobj(j), *gs = jarr(j), *rw = jobj(j), *rg = jarr(j);
	const candor_mitigate_rule_contents *rv = candor_mitigate_rule_view(r->rule);

	jadd(j, o, "n", json_object_new_int64((int64_t)p->n));
	jadd(j, o, "before", fairness_json(j, p->before, st));
	if (*st == CANDOR_OK)
		jadd(j, o, "after", fairness_json(j, p->after, st));
	jadd_num(j, e, "accuracy", p->expected.accuracy, "no rows");
	jadd_num(j, e, "balanced_accuracy", p->expected.balanced_accuracy,
	         "a label value is absent");
	for (size_t g = 0; g < r->view.ngroups; g++) {
		json_object *x = jobj(j);

		jadd(j, x, "group", jstr(j, rv->groups[g].group));
		jadd_num(j, x, "selection_rate", p->expected.selection_rate[g], "no rows");
		jadd_num(j, x, "tpr", p->expected.tpr[g], "no positive label");
		jadd_num(j, x, "fpr", p->expected.fpr[g], "no negative label");
		jpush(j, gs, x);
	}
	jadd(j, e, "groups", gs);
	jadd(j, o, "expected", e);
	jadd(j, o, "constraint_holds", json_object_new_boolean(p->constraint_holds));
	if (p->violation)
		jadd(j, o, "violation", jstr(j, p->violation));
	for (size_t g = 0; g < r->view.ngroups; g++) {
		json_object *x = jobj(j);

		jadd(j, x, "group", jstr(j, rv->groups[g].group));
		jadd_num(j, x, "base_rate", p->base_rate[g], "no rows");
		jadd_num(j, x, "weighted_base_rate", p->weighted_base_rate[g], "no rows");
		jpush(j, rg, x);
	}
	jadd(j, rw, "groups", rg);
	{
		/* the labels' statistical parity difference (AIF360's, as max - min
		 * over the groups), without and with the weights */
		double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};

		for (size_t g = 0; g < r->view.ngroups; g++) {
			const double v[2] = {p->base_rate[g], p->weighted_base_rate[g]};

			for (int k = 0; k < 2; k++)
				if (!isnan(v[k])) {
					lo[k] = fmin(lo[k], v[k]);
					hi[k] = fmax(hi[k], v[k]);
				}
		}
		jadd_num(j, rw, "base_rate_difference", hi[0] - lo[0], "no group has rows");
		jadd_num(j, rw, "weighted_base_rate_difference", hi[1] - lo[1], "no group has rows");
	}
	jadd(j, o, "reweighing", rw);
	return o;
}

candor_status candor_mitigate_result_json(const candor_mitigate_result *r, char **out,
                                          size_t *len)
{
	jctx j = {false};
	json_object *root, *rule, *groups, *cells;
	const candor_mitigate_rule_contents *rv;
	candor_status st = CANDOR_OK;
	const char *text;
	size_t tlen;

	if (!r || !out)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "mitigate: NULL argument");
	*out = NULL;
	rv = candor_mitigate_rule_view(r->rule);
	root = jobj(&j);
	jadd(&j, root, "candor_version", jstr(&j, candor_version()));
	jadd(&j, root, "label", jstr(&j, r->label));
	jadd(&j, root, "score", jstr(&j, r->score));
	jadd(&j, root, "attribute", jstr(&j, r->attribute));
	jadd(&j, root, "constraint", jstr(&j, candor_mitigate_constraint_name(rv->constraint)));
	jadd(&j, root, "objective", jstr(&j, rv->objective == CANDOR_MITIGATE_ACCURACY
	                                        ? "accuracy" : "balanced_accuracy"));
	jadd(&j, root, "threshold_before",
	     jnum(&j, r->opts.threshold));
	jadd(&j, root, "seed", json_object_new_uint64(r->opts.seed));
	if (r->opts.split > 0.0)
		jadd(&j, root, "split", jnum(&j, r->opts.split));

	rule = jobj(&j);
	jadd(&j, rule, "objective_value", jnum(&j, rv->objective_value));
	jadd(&j, rule, "accuracy", jnum(&j, rv->accuracy));
	jadd(&j, rule, "balanced_accuracy", jnum(&j, rv->balanced_accuracy));
	groups = jarr(&j);
	for (size_t g = 0; g < rv->ngroups; g++) {
		const candor_mitigate_group_rule *gr = &rv->groups[g];
		json_object *x = jobj(&j), *t = jarr(&j), *pr = jarr(&j), *fl = jobj(&j);

		jadd(&j, x, "group", jstr(&j, gr->group));
		jadd(&j, x, "n", json_object_new_int64((int64_t)gr->n));
		jadd(&j, x, "positives", json_object_new_int64((int64_t)gr->positives));
		for (size_t k = 0; k < gr->nthresholds; k++)
			jpush(&j, t, jnum(&j, gr->thresholds[k]));
		for (size_t k = 0; k <= gr->nthresholds; k++)
			jpush(&j, pr, jnum(&j, gr->prob[k]));
		jadd(&j, x, "thresholds", t);
		jadd(&j, x, "probabilities", pr);
		jadd(&j, x, "randomised", json_object_new_boolean(gr->randomised));
		jadd(&j, fl, "p0", jnum(&j, gr->p0));
		jadd_threshold(&j, fl, "threshold0", gr->threshold0);
		jadd(&j, fl, "p1", jnum(&j, 1.0 - gr->p0));
		jadd_threshold(&j, fl, "threshold1", gr->threshold1);
		jadd(&j, fl, "p_ignore", jnum(&j, gr->p_ignore));
		jadd(&j, fl, "prediction_constant", jnum(&j, gr->constant));
		jadd(&j, x, "interpolation", fl);
		jadd(&j, x, "tp", jnum(&j, gr->tp));
		jadd(&j, x, "fp", jnum(&j, gr->fp));
		jadd(&j, x, "tn", jnum(&j, gr->tn));
		jadd(&j, x, "fn", jnum(&j, gr->fn));
		jadd(&j, x, "selection_rate", jnum(&j, gr->selection_rate));
		jadd(&j, x, "tpr", jnum(&j, gr->tpr));
		jadd(&j, x, "fpr", jnum(&j, gr->fpr));
		jadd(&j, x, "accuracy", jnum(&j, gr->accuracy));
		jadd(&j, x, "hull_vertices", json_object_new_int64((int64_t)gr->hull_vertices));
		jpush(&j, groups, x);
	}
	jadd(&j, rule, "groups", groups);
	jadd(&j, root, "rule", rule);

	cells = jarr(&j);
	for (size_t g = 0; g < rv->ngroups; g++)
		for (int y = 0; y < 2; y++) {
			json_object *x = jobj(&j);

			jadd(&j, x, "group", jstr(&j, rv->groups[g].group));
			jadd(&j, x, "label", json_object_new_int(y));
			jadd(&j, x, "weight", jnum(&j, r->weights[2 * g + (size_t)y]));
			jpush(&j, cells, x);
		}
	{
		json_object *rw = jobj(&j);

		jadd(&j, rw, "cells", cells);
		jadd(&j, root, "reweighing", rw);
	}
	jadd(&j, root, "fit", part_json(&j, r, &r->view.fit, &st));
	if (st == CANDOR_OK && r->view.has_eval)
		jadd(&j, root, "eval", part_json(&j, r, &r->view.eval, &st));
	if (st == CANDOR_OK) {
		const candor_fairness_view *bv = candor_fairness_result_view(r->view.fit.before);

		/* accuracy before (score >= threshold) minus the rule's expected one */
		jadd(&j, root, "accuracy_cost",
		     jnum(&j, bv->overall->metrics[CANDOR_FM_ACCURACY].value - rv->accuracy));
	}
	if (st != CANDOR_OK || j.oom) {
		json_object_put(root);
		return st != CANDOR_OK ? st : candor__oom();
	}
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
	                                                JSON_C_TO_STRING_NOSLASHESCAPE);
	tlen = strlen(text);
	*out = malloc(tlen + 2);
	if (!*out) {
		json_object_put(root);
		return candor__oom();
	}
	memcpy(*out, text, tlen);
	(*out)[tlen] = '\n';
	(*out)[tlen + 1] = '\0';
	if (len)
		*len = tlen + 1;
	json_object_put(root);
	return CANDOR_OK;
}

candor_status candor_mitigate_columns_init(candor_mitigate_columns *cols, unsigned int version)
{
	return candor__options_init(cols, version == CANDOR_MITIGATE_COLUMNS_VERSION ? sizeof(*cols) : 0,
	                            version, CANDOR_MITIGATE_COLUMNS_VERSION, "candor_mitigate_columns");
}
