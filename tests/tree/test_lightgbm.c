/*
 * test_lightgbm.c - the LightGBM text reader and TreeSHAP on it, against
 * LightGBM's own output.
 *
 * Usage: test_lightgbm DIR [CASE...]
 *   DIR holds one folder per case with model.txt, data.csv, raw.csv and
 *   contrib.csv as LightGBM v4.6.0 / v3.3.5 wrote them (tests/tree/lightgbm/
 *   for the committed prefixes, ../shared/fixtures/lightgbm for all rows;
 *   README.md there gives the provenance). With no CASE, every case of the
 *   committed set. Exit 77 (skip) when DIR does not exist.
 *
 * Oracles: raw.csv (predict_raw_score) and contrib.csv (predict_contrib),
 * both printed with 17 significant digits, so they are LightGBM's doubles;
 * interventional values against an enumeration of all coalitions written
 * here. data.csv writes missing values as "nan": this test reads it with
 * its own parser (strtod), not with candor's CSV reader.
 *
 * Tolerances: candor sums the leaves in LightGBM's order in double, so raw
 * scores agree to 1e-9 relative (measured: bit for bit); SHAP values are
 * computed in a different order than LightGBM's Algorithm 2, so they get
 * 1e-6 of max(|value|, 0.1 * the row's largest) (measured: ~1e-13).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "candor/candor.h"
#include "candor/treeshap.h"
#include "explain/treeshap_int.h"
#include "models/tree_int.h"

static const char *g_dir;
static const char *const committed[] = { "tiny",          "binary_categorical",
	                                 "binary_nan_v3", "binary_zero_as_missing",
	                                 "multiclass_softmax", "regression_poisson" };
static const char *const *g_cases = committed;
static size_t g_ncases = sizeof committed / sizeof *committed;

/* A CSV of numbers with a header: names[ncols], values rows x ncols. */
typedef struct table {
	char **names;
	double *v;
	size_t rows, cols;
} table;

static void table_read(table *t, const char *dir, const char *kase, const char *file)
{
	char path[1024], *line = NULL;
	size_t cap = 0, vcap = 0, n = 0;
	ssize_t len;
	snprintf(path, sizeof path, "%s/%s/%s", dir, kase, file);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	memset(t, 0, sizeof *t);
	assert_true(getline(&line, &cap, f) > 0);
	for (char *tok = strtok(line, ",\r\n"); tok; tok = strtok(NULL, ",\r\n")) {
		t->names = realloc(t->names, (t->cols + 1) * sizeof *t->names);
		t->names[t->cols++] = strdup(tok);
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		char *s = line;
		for (size_t j = 0; j < t->cols; j++) {
			char *e;
			if (n == vcap) {
				vcap = vcap ? 2 * vcap : 4096;
				t->v = realloc(t->v, vcap * sizeof *t->v);
			}
			errno = 0;
			t->v[n++] = strtod(s, &e); /* "nan" is NaN */
			if (e == s)
				fail_msg("%s: row %zu field %zu is not a number", path, t->rows, j);
			s = *e == ',' ? e + 1 : e;
		}
		t->rows++;
	}
	free(line);
	fclose(f);
}

static void table_free(table *t)
{
	for (size_t j = 0; j < t->cols; j++)
		free(t->names[j]);
	free(t->names);
	free(t->v);
}

typedef struct lcase {
	const char *name;
	candor_model *model;
	double *x; /* rows x M in the model's feature order */
	size_t n, M, K;
} lcase;

static void case_load(lcase *c, const char *name)
{
	char path[1024];
	table d;
	memset(c, 0, sizeof *c);
	c->name = name;
	snprintf(path, sizeof path, "%s/%s/model.txt", g_dir, name);
	if (candor_model_load(&c->model, path))
		fail_msg("%s: %s", path, candor_last_error()->message);
	assert_int_equal(candor_model_type_of(c->model), CANDOR_MODEL_LIGHTGBM);
	c->M = candor_model_nfeatures(c->model);
	c->K = candor_model_noutputs(c->model);
	table_read(&d, g_dir, name, "data.csv");
	c->n = d.rows;
	c->x = malloc(c->n * c->M * sizeof *c->x);
	for (size_t j = 0; j < c->M; j++) {
		size_t col = SIZE_MAX;
		for (size_t q = 0; q < d.cols; q++)
			if (!strcmp(d.names[q], candor_model_feature(c->model, j)))
				col = q;
		if (col == SIZE_MAX)
			fail_msg("%s: data.csv has no column %s", name, candor_model_feature(c->model, j));
		for (size_t r = 0; r < c->n; r++)
			c->x[r * c->M + j] = d.v[r * d.cols + col];
	}
	table_free(&d);
}

static void case_free(lcase *c)
{
	candor_model_free(c->model);
	free(c->x);
}

/* |got - ref| <= rtol * max(|ref|, floor * the row's largest |ref|). */
static double compare(const char *what, const lcase *c, const double *got, const double *ref,
                      size_t w, double rtol, double floor_frac)
{
	double worst = 0;
	for (size_t r = 0; r < c->n; r++) {
		double big = 0;
		for (size_t j = 0; j < w; j++)
			big = fmax(big, fabs(ref[r * w + j]));
		for (size_t j = 0; j < w; j++) {
			const double a = got[r * w + j], b = ref[r * w + j];
			const double scale = fmax(fmax(fabs(b), floor_frac * big), 1e-300);
			const double e = fabs(a - b) / scale;
			if (!(e <= rtol))
				fail_msg("%s %s: row %zu entry %zu: candor %.17g, lightgbm %.17g (rel %.3g)",
				         c->name, what, r, j, a, b, e);
			worst = fmax(worst, e);
		}
	}
	print_message("%-24s %-14s max err %.2e over %zu x %zu\n", c->name, what, worst, c->n, w);
	return worst;
}

/* ===== raw scores and predictions ====================================== */

static void test_raw(void **state)
{
	(void)state;
	for (size_t i = 0; i < g_ncases; i++) {
		lcase c;
		table raw;
		case_load(&c, g_cases[i]);
		table_read(&raw, g_dir, c.name, "raw.csv");
		assert_int_equal(raw.rows, c.n);
		assert_int_equal(raw.cols, c.K);
		double *got = malloc(c.n * c.K * sizeof *got), *pred = malloc(c.n * c.K * sizeof *pred);
		const candor__tree_ensemble *ens = candor__tree_ensemble_of(c.model);
		candor__tree_margin(ens, c.x, c.n, got);
		compare("raw", &c, got, raw.v, c.K, 1e-9, 0);
		/* the prediction is the objective's transform of the raw score */
		assert_int_equal(candor_model_predict(c.model, c.x, c.n, pred), CANDOR_OK);
		for (size_t r = 0; r < c.n; r++) {
			const double *z = raw.v + r * c.K;
			double sum = 0, mx = z[0];
			for (size_t k = 1; k < c.K; k++)
				mx = fmax(mx, z[k]);
			for (size_t k = 0; k < c.K; k++)
				sum += exp(z[k] - mx);
			for (size_t k = 0; k < c.K; k++) {
				double want;
				if (ens->transform == CANDOR__TREE_SIGMOID)
					want = 1 / (1 + exp(-z[k]));
				else if (ens->transform == CANDOR__TREE_SOFTMAX)
					want = exp(z[k] - mx) / sum;
				else if (ens->transform == CANDOR__TREE_EXP)
					want = exp(z[k]);
				else
					want = z[k];
				assert_true(fabs(pred[r * c.K + k] - want) <= 1e-12 * fmax(1, fabs(want)));
			}
		}
		free(got);
		free(pred);
		table_free(&raw);
		case_free(&c);
	}
}

/* ===== TreeSHAP ======================================================== */

static void test_contrib(void **state)
{
	(void)state;
	for (size_t i = 0; i < g_ncases; i++) {
		lcase c;
		table ref, raw;
		case_load(&c, g_cases[i]);
		table_read(&ref, g_dir, c.name, "contrib.csv");
		table_read(&raw, g_dir, c.name, "raw.csv");
		const size_t w = c.K * (c.M + 1);
		assert_int_equal(ref.rows, c.n);
		assert_int_equal(ref.cols, w);
		double *a = malloc(c.n * w * sizeof *a), *b = malloc(c.n * w * sizeof *b);
		candor_treeshap_options o = CANDOR_TREESHAP_OPTIONS_INIT;
		o.threads = 1;
		assert_int_equal(candor__treeshap_path(c.model, c.x, c.n, a, &o, true), CANDOR_OK);
		compare("contrib", &c, a, ref.v, w, 1e-6, 0.1);
		assert_int_equal(candor__treeshap_path(c.model, c.x, c.n, b, &o, false), CANDOR_OK);
		compare("contrib/alg2", &c, b, ref.v, w, 1e-6, 0.1);
		/* the same bits on 2 threads */
		o.threads = 2;
		assert_int_equal(candor__treeshap_path(c.model, c.x, c.n, b, &o, true), CANDOR_OK);
		assert_memory_equal(a, b, c.n * w * sizeof *a);
		/* efficiency: each block sums to LightGBM's raw score */
		for (size_t r = 0; r < c.n; r++)
			for (size_t k = 0; k < c.K; k++) {
				double s = 0;
				for (size_t j = 0; j <= c.M; j++)
					s += a[(r * c.K + k) * (c.M + 1) + j];
				const double z = raw.v[r * c.K + k];
				if (!(fabs(s - z) <= 1e-9 * fmax(1, fabs(z))))
					fail_msg("%s efficiency row %zu: %.17g != %.17g", c.name, r, s, z);
			}
		free(a);
		free(b);
		table_free(&ref);
		table_free(&raw);
		case_free(&c);
	}
}

/* Interactions: symmetric, rows sum to the SHAP values (LightGBM has no
 * interaction output to compare with). */
static void test_interactions(void **state)
{
	(void)state;
	for (size_t i = 0; i < g_ncases; i++) {
		lcase c;
		case_load(&c, g_cases[i]);
		const size_t n = c.n < 8 ? c.n : 8, M1 = c.M + 1;
		double *I = malloc(n * c.K * M1 * M1 * sizeof *I), *phi = malloc(n * c.K * M1 * sizeof *phi);
		assert_int_equal(candor_treeshap_interactions(c.model, c.x, n, I, NULL), CANDOR_OK);
		assert_int_equal(candor_treeshap(c.model, c.x, n, phi, NULL), CANDOR_OK);
		for (size_t r = 0; r < n; r++)
			for (size_t k = 0; k < c.K; k++) {
				const double *B = I + (r * c.K + k) * M1 * M1;
				for (size_t a = 0; a < M1; a++) {
					double s = 0;
					for (size_t b = 0; b < M1; b++) {
						s += B[a * M1 + b];
						assert_true(fabs(B[a * M1 + b] - B[b * M1 + a]) <= 1e-12);
					}
					assert_true(fabs(s - phi[(r * c.K + k) * M1 + a]) <= 1e-9);
				}
			}
		free(I);
		free(phi);
		case_free(&c);
	}
}

/* Exact interventional values by enumerating every coalition of the
 * features the trees use (the others are dummies with value 0). */
static void test_interventional(void **state)
{
	(void)state;
	lcase c;
	case_load(&c, "tiny");
	const candor__tree_ensemble *ens = candor__tree_ensemble_of(c.model);
	const size_t M = c.M, nbg = 7, nx = 5;
	int used[64] = { 0 }, nu = 0, idx[64];
	for (size_t q = 0; q < ens->nnodes; q++)
		if (ens->nodes[q].feature >= 0 && !used[ens->nodes[q].feature]) {
			used[ens->nodes[q].feature] = 1;
			idx[nu++] = ens->nodes[q].feature;
		}
	const double *bg = c.x, *x = c.x + nbg * M;
	double *got = calloc(nx * (M + 1), sizeof *got);
	assert_int_equal(candor_treeshap_interventional(c.model, x, nx, bg, nbg, got, NULL),
	                 CANDOR_OK);
	double fact[65];
	fact[0] = 1;
	for (int q = 1; q <= 64; q++)
		fact[q] = fact[q - 1] * q;
	for (size_t r = 0; r < nx; r++) {
		const size_t nS = (size_t)1 << nu;
		double *v = calloc(nS, sizeof *v), row[64], out;
		for (size_t S = 0; S < nS; S++)
			for (size_t b = 0; b < nbg; b++) {
				memcpy(row, bg + b * M, M * sizeof *row);
				for (int q = 0; q < nu; q++)
					if (S >> q & 1)
						row[idx[q]] = x[r * M + idx[q]];
				candor__tree_margin(ens, row, 1, &out);
				v[S] += out / (double)nbg;
			}
		for (size_t j = 0; j < M; j++) {
			double want = 0;
			for (int q = 0; q < nu; q++) {
				if (idx[q] != (int)j)
					continue;
				for (size_t S = 0; S < nS; S++) {
					if (S >> q & 1)
						continue;
					const int s = __builtin_popcountll(S);
					want += fact[s] * fact[nu - s - 1] / fact[nu] * (v[S | (1u << q)] - v[S]);
				}
			}
			if (!(fabs(got[r * (M + 1) + j] - want) <= 1e-12))
				fail_msg("tiny interventional row %zu feature %zu: %.17g, want %.17g", r, j,
				         got[r * (M + 1) + j], want);
		}
		assert_true(fabs(got[r * (M + 1) + M] - v[0]) <= 1e-12);
		free(v);
	}
	free(got);
	case_free(&c);
}

/* ===== refusals ======================================================== */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	char *s = malloc(*len + 1);
	assert_int_equal(fread(s, 1, *len, f), *len);
	s[*len] = '\0';
	fclose(f);
	return s;
}

/* tiny's model with the first `from` replaced by `to`; expect st, a message
 * holding needle, at line `line` (0: any). */
static void refuse_edit(const char *from, const char *to, candor_status want, const char *needle,
                        uint64_t line)
{
	char path[1024];
	size_t len;
	snprintf(path, sizeof path, "%s/tiny/model.txt", g_dir);
	char *text = slurp(path, &len), *at = strstr(text, from);
	assert_non_null(at);
	const size_t fl = strlen(from), tl = strlen(to);
	char *ed = malloc(len - fl + tl + 1);
	memcpy(ed, text, (size_t)(at - text));
	memcpy(ed + (at - text), to, tl);
	memcpy(ed + (at - text) + tl, at + fl, len - (size_t)(at - text) - fl + 1);
	candor_model *m = NULL;
	candor_status st = candor_model_load_buffer(&m, ed, len - fl + tl, "edited.txt");
	const candor_error *e = candor_last_error();
	print_message("%-40.40s -> %s:%llu:%llu: %s\n", to, e->path, (unsigned long long)e->line,
	              (unsigned long long)e->column, e->message);
	assert_null(m);
	assert_int_equal(st, want);
	if (!strstr(e->message, needle))
		fail_msg("message \"%s\" lacks \"%s\"", e->message, needle);
	if (line)
		assert_int_equal(e->line, line);
	free(ed);
	free(text);
}

static void test_refused(void **state)
{
	(void)state;
	char path[1024];
	candor_model *m = NULL;
	struct stat sb;
	/* linear trees: LightGBM itself cannot explain them */
	snprintf(path, sizeof path, "%s/linear_tree/model.txt", g_dir);
	if (stat(path, &sb) == 0) {
		assert_int_equal(candor_model_load(&m, path), CANDOR_EUNSUPPORTED);
		assert_non_null(strstr(candor_last_error()->message, "linear tree"));
		assert_int_equal(candor_last_error()->line, 27); /* the first is_linear=1 */
	}
	refuse_edit("objective=binary sigmoid:1", "objective=cross_entropy_lambda",
	            CANDOR_EUNSUPPORTED, "cross_entropy_lambda", 7);
	refuse_edit("objective=binary sigmoid:1", "objective=regression sqrt", CANDOR_EUNSUPPORTED,
	            "sqrt", 7);
	refuse_edit("objective=binary sigmoid:1\n", "", CANDOR_EUNSUPPORTED, "no objective", 0);
	refuse_edit("internal_count=400 221 140", "internal_count=400 222 140", CANDOR_EPARSE,
	            "counts are inconsistent", 0);
	refuse_edit("left_child=1 -1 -3", "left_child=1 -1 -1", CANDOR_EPARSE, "not a tree", 0);
	refuse_edit("left_child=1 -1 -3", "left_child=1 -1 -9", CANDOR_EPARSE, "outside the tree", 0);
	refuse_edit("leaf_count=81 179 94 46", "leaf_count=81 179 94", CANDOR_EPARSE,
	            "leaf_count has 3 entries, expected 4", 0);
	refuse_edit("Tree=1", "Tree=2", CANDOR_EPARSE, "Tree=1 was expected", 33);
	refuse_edit("max_feature_idx=19", "max_feature_idx=20", CANDOR_EPARSE,
	            "feature_names has 20 names for 21 features", 0);
	refuse_edit("feature_names=checking_status duration", "feature_names=duration duration",
	            CANDOR_EPARSE, "twice", 0);
	refuse_edit("cat_boundaries=0 1 2", "cat_boundaries=0 2 1", CANDOR_EPARSE,
	            "cat_boundaries must rise", 0);
	refuse_edit("threshold=0 13.500000000000002 1", "threshold=0 nan 1", CANDOR_EPARSE,
	            "not a finite number", 0);
	refuse_edit("end of trees", "end of tree", CANDOR_EPARSE, "expected \"Tree=2\"", 0);
	refuse_edit("end of parameters", "end of parameters\npandas_categorical:[[\"a\", \"b\"]]",
	            CANDOR_EUNSUPPORTED, "pandas", 0);
	refuse_edit("version=v4", "version=v9", CANDOR_EUNSUPPORTED, "v9", 2);
}

int main(int argc, char **argv)
{
	struct stat sb;
	if (argc < 2)
		return 2;
	g_dir = argv[1];
	if (stat(g_dir, &sb) != 0) {
		fprintf(stderr, "%s is absent: skipped\n", g_dir);
		return 77;
	}
	if (argc > 2) {
		g_cases = (const char *const *)(argv + 2);
		g_ncases = (size_t)(argc - 2);
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw),          cmocka_unit_test(test_contrib),
		cmocka_unit_test(test_interactions), cmocka_unit_test(test_interventional),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
