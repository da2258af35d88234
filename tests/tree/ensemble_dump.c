/*
 * ensemble_dump.c - a test driver for tests/tree/sklearn_test.py: loads a
 * model file and prints, for rows read from a plain text file, candor's
 * predictions and TreeSHAP values, every number with 17 significant digits
 * (so the script compares candor's doubles with scikit-learn's).
 *
 * Usage: ensemble_dump MODEL ROWS [BACKGROUND]
 *   ROWS and BACKGROUND: a first line "n m", then n lines of m numbers
 *   ("nan" for a missing value), read with strtod.
 * Output, one line per row r:
 *   pred r v_1 .. v_K                   candor_model_predict()
 *   path r phi (K x (M + 1))            candor_treeshap()
 *   intv r phi (K x (M + 1))            candor_treeshap_interventional() (BACKGROUND)
 *   intr r phi (K x (M + 1) x (M + 1))  candor_treeshap_interactions()
 * A failing call prints "error STATUS FILE:LINE:COL: message" and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "candor/candor.h"
#include "candor/treeshap.h"

static int fail(const char *what)
{
	const candor_error *e = candor_last_error();
	printf("error %d %s:%llu:%llu: %s (%s)\n", (int)e->status, e->path,
	       (unsigned long long)e->line, (unsigned long long)e->column, e->message, what);
	return 1;
}

static double *read_rows(const char *path, size_t *n, size_t m)
{
	FILE *f = fopen(path, "r");
	size_t mm = 0;
	double *x;
	if (!f || fscanf(f, "%zu %zu", n, &mm) != 2 || mm != m) {
		fprintf(stderr, "ensemble_dump: %s: bad header (model has %zu features)\n", path, m);
		exit(2);
	}
	x = malloc((*n ? *n : 1) * m * sizeof *x);
	for (size_t i = 0; x && i < *n * m; i++) {
		char tok[64];
		if (fscanf(f, "%63s", tok) != 1) {
			fprintf(stderr, "ensemble_dump: %s: short\n", path);
			exit(2);
		}
		x[i] = strtod(tok, NULL);
	}
	fclose(f);
	return x;
}

static void print_block(const char *tag, size_t r, const double *v, size_t k)
{
	printf("%s %zu", tag, r);
	for (size_t i = 0; i < k; i++)
		printf(" %.17g", v[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	candor_model *model = NULL;
	size_t n, nbg = 0;
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: ensemble_dump MODEL ROWS [BACKGROUND]\n");
		return 2;
	}
	if (candor_model_load(&model, argv[1]))
		return fail("load");
	const size_t M = candor_model_nfeatures(model), K = candor_model_noutputs(model);
	double *x = read_rows(argv[2], &n, M), *bg = argc == 4 ? read_rows(argv[3], &nbg, M) : NULL;
	double *pred = malloc((n ? n : 1) * K * sizeof *pred);
	double *phi = malloc((n ? n : 1) * K * (M + 1) * sizeof *phi);
	double *iv = malloc((n ? n : 1) * K * (M + 1) * sizeof *iv);
	double *in = malloc((n ? n : 1) * K * (M + 1) * (M + 1) * sizeof *in);
	candor_treeshap_options to = CANDOR_TREESHAP_OPTIONS_INIT;
	int rc = 0;
	to.threads = 2;
	if (!x || !pred || !phi || !iv || !in)
		return 3;
	printf("kind %d outputs %zu type %d\n", (int)candor_model_output_kind(model), K,
	       (int)candor_model_type_of(model));
	if (candor_model_predict(model, x, n, pred)) {
		rc = fail("predict");
		goto done;
	}
	if (candor_treeshap(model, x, n, phi, &to)) {
		rc = fail("treeshap");
		goto done;
	}
	if (bg && candor_treeshap_interventional(model, x, n, bg, nbg, iv, &to)) {
		rc = fail("interventional");
		goto done;
	}
	if (candor_treeshap_interactions(model, x, n, in, &to)) {
		rc = fail("interactions");
		goto done;
	}
	for (size_t r = 0; r < n; r++) {
		print_block("pred", r, pred + r * K, K);
		print_block("path", r, phi + r * K * (M + 1), K * (M + 1));
		if (bg)
			print_block("intv", r, iv + r * K * (M + 1), K * (M + 1));
		print_block("intr", r, in + r * K * (M + 1) * (M + 1), K * (M + 1) * (M + 1));
	}
done:
	free(x);
	free(bg);
	free(pred);
	free(phi);
	free(iv);
	free(in);
	candor_model_free(model);
	return rc;
}
