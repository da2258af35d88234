/*
 * text.c - a result as a readable table (the `candor fairness` stdout).
 *
 * Numbers are printed with "%.3f": that follows LC_NUMERIC, which the CLI
 * leaves at "C"; the table is for people, the JSON is for programs.
 * Undefined values print as "-".
 */
#include <string.h>

#include "fairness_int.h"

static void cell(FILE *f, const candor_fairness_value *v)
{
	if (isnan(v->value))
		fprintf(f, " %9s", "-");
	else
		fprintf(f, " %9.3f", v->value);
}

static const int shown[] = {
	CANDOR_FM_SELECTION_RATE, CANDOR_FM_BASE_RATE, CANDOR_FM_TPR, CANDOR_FM_FPR,
	CANDOR_FM_PPV, CANDOR_FM_ACCURACY, CANDOR_FM_F1,
};

static void header(FILE *f, const candor_fairness_view *v)
{
	static const char *const short_names[] = {"selection", "base_rate", "tpr", "fpr", "ppv",
	                                          "accuracy", "f1"};

	fprintf(f, "%-24s %9s", "group", "n");
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		fprintf(f, " %9s", short_names[i]);
	if (v->has_scores)
		fprintf(f, " %9s", "auc");
	fputc('\n', f);
}

static void row(FILE *f, const candor_fairness_view *v, const candor_fairness_group *g)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s%s", g->name, g->is_reference ? " (ref)" : "",
	         g->small ? " (small)" : "");
	fprintf(f, "%-24s %9llu", name, (unsigned long long)g->n);
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		cell(f, &g->metrics[shown[i]]);
	if (v->has_scores)
		cell(f, &g->metrics[CANDOR_FM_AUC]);
	fputc('\n', f);
}

candor_status candor_fairness_result_write_text(const candor_fairness_result *result, FILE *f)
{
	const candor_fairness_view *v;

	if (!result || !f)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL argument");
	v = &result->view;
	fprintf(f, "rows: %llu   intervals: %s   min group size: %zu\n"
	        "selection = selection_rate; (ref) = reference group; (small) = fewer "
	        "rows than the minimum\n\n",
	        (unsigned long long)v->n,
	        v->ci == CANDOR_FAIRNESS_CI_BOOTSTRAP ? "bootstrap"
	        : v->ci == CANDOR_FAIRNESS_CI_NONE ? "none" : "wilson",
	        v->min_group_size);
	header(f, v);
	row(f, v, v->overall);
	for (size_t a = 0; a < v->nattributes; a++) {
		const candor_fairness_attr_result *A = &v->attributes[a];

		fprintf(f, "\n[%s]", A->name);
		if (A->nmissing)
			fprintf(f, "  (%llu rows with no value left out)",
			        (unsigned long long)A->nmissing);
		fputc('\n', f);
		for (size_t g = A->first_group; g < A->first_group + A->ngroups; g++)
			row(f, v, &v->groups[g]);
		for (int s = 0; s < CANDOR_FS_COUNT; s++) {
			const candor_fairness_value *x = &A->summary[s];
			const char *nm = candor_fairness_summary_name((candor_fairness_summary_metric)s);

			fprintf(f, "%s%-30s", s % 2 ? "  " : "  ", nm);
			if (isnan(x->value))
				fprintf(f, " %8s", "-");
			else
				fprintf(f, " %8.3f", x->value);
			if (s % 2 || s == CANDOR_FS_COUNT - 1)
				fputc('\n', f);
		}
	}
	if (v->nchecks) {
		fprintf(f, "\nchecks:\n");
		for (size_t i = 0; i < v->nchecks; i++) {
			const candor_fairness_check *c = &v->checks[i];

			fprintf(f, "  %-4s %s[%s]%s%s ", c->pass ? "pass" : "FAIL", c->metric,
			        v->attributes[c->attribute].name, c->group ? " worst group " : "",
			        c->group ? c->group : "");
			if (isnan(c->value.value))
				fprintf(f, "= undefined (%s)", c->value.reason ? c->value.reason : "");
			else
				fprintf(f, "= %.4f", c->value.value);
			fprintf(f, ", %s %g\n", c->kind, c->bound);
		}
	}
	fprintf(f, "\nverdict: %s\n", v->pass ? "pass" : "fail");
	return CANDOR_OK;
}
