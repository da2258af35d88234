/*
 * render_bench.c - time the render stage of an audit, part by part, from
 * an audit.json: every chart as PNG and SVG, the workbook, the PDF. Prints
 * one line per part: "NAME SECONDS" (the median of RUNS runs, wall clock).
 *
 * usage: render_bench AUDIT.json OUTDIR [RUNS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "candor/report.h"
#include "bench_util.h"

int main(int argc, char **argv)
{
	candor_audit_doc *doc = NULL;
	const int runs = argc > 3 ? atoi(argv[3]) : 5;
	double t[3][64];
	char path[4096];

	if (argc < 3 || runs < 1 || runs > 64) {
		fprintf(stderr, "usage: render_bench AUDIT.json OUTDIR [RUNS <= 64]\n");
		return 2;
	}
	if (candor_audit_doc_read(&doc, argv[1]) != CANDOR_OK) {
		fprintf(stderr, "render_bench: %s\n", candor_last_error()->message);
		return 2;
	}
	mkdir(argv[2], 0755);
	for (int r = 0; r < runs; r++) {
		double t0 = bench_now();
		if (candor_report_charts(doc, argv[2]) != CANDOR_OK)
			goto fail;
		double t1 = bench_now();
		snprintf(path, sizeof(path), "%s/audit.xlsx", argv[2]);
		if (candor_report_workbook(doc, path) != CANDOR_OK)
			goto fail;
		double t2 = bench_now();
		snprintf(path, sizeof(path), "%s/report.pdf", argv[2]);
		if (candor_report_pdf(doc, path, NULL) != CANDOR_OK)
			goto fail;
		double t3 = bench_now();
		t[0][r] = t1 - t0;
		t[1][r] = t2 - t1;
		t[2][r] = t3 - t2;
	}
	static const char *const names[] = {"charts_png_svg", "workbook", "pdf"};
	for (int k = 0; k < 3; k++) {
		qsort(t[k], (size_t)runs, sizeof(double), bench_cmp);
		printf("%s %.3f\n", names[k], t[k][runs / 2]);
	}
	candor_audit_doc_free(doc);
	return 0;
fail:
	fprintf(stderr, "render_bench: %s\n", candor_last_error()->message);
	candor_audit_doc_free(doc);
	return 1;
}
