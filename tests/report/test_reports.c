/*
 * test_reports.c - the audit document and its reports, from the fixture
 * tests/report/fixture_audit.json: parse errors with positions; the
 * workbook read back by openpyxl and compared with the JSON cell for cell
 * (check_workbook.py); the PDF checked with pdftotext and pdfinfo
 * (check_pdf.py); every chart file written and parsed; the report folder
 * written atomically, with an earlier report left untouched on failure
 * (allocation failures injected one by one) and a foreign folder refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include "candor/audit.h" /* fairness-only documents to render */
#include "candor/report.h"
#include "core/core_int.h"

/* The fixture has 2 attributes (2 charts each), explanations (4 charts) and
 * LIME (1 chart). */
#define FIXTURE_CHARTS 9
/* Pages of the fixture's PDF: title, summary, one per attribute (sex fits
 * one page, race with its five groups spills its second chart onto a
 * second page), explanations (five charts, three pages), appendix and
 * manifest (two pages). Worked out from the layout; pdfinfo must agree. */
#define FIXTURE_PAGES 10

static char tmpdir[256], fixture[512];
static const char *py, *src;

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static candor_audit_doc *load(void)
{
	candor_audit_doc *doc = NULL;

	assert_int_equal(candor_audit_doc_read(&doc, fixture), CANDOR_OK);
	assert_non_null(doc);
	return doc;
}

static void test_doc_parse(void **state)
{
	candor_audit_doc *doc = load();
	const char bad[] = "{\n  \"kind\": \"candor-audit\",\n  \"verdict\": pass\n}";
	const char foreign[] = "{\"kind\": \"other\"}";
	const char nofair[] = "{\"kind\": \"candor-audit\", \"verdict\": \"pass\"}";
	candor_audit_doc *d2 = NULL;
	(void)state;

	assert_false(candor_audit_doc_passed(doc));
	candor_audit_doc_free(doc);
	assert_int_equal(candor_audit_doc_parse(&d2, bad, strlen(bad), "x.json"), CANDOR_EPARSE);
	assert_null(d2);
	assert_string_equal(candor_last_error()->path, "x.json");
	assert_int_equal(candor_last_error()->line, 3);
	assert_int_equal(candor_audit_doc_parse(&d2, foreign, strlen(foreign), "y.json"), CANDOR_EPARSE);
	assert_non_null(strstr(candor_last_error()->message, "candor-audit"));
	assert_int_equal(candor_audit_doc_parse(&d2, nofair, strlen(nofair), "z.json"), CANDOR_EPARSE);
	assert_int_equal(candor_audit_doc_read(&d2, "/nonexistent/audit.json"), CANDOR_EIO);
	candor_audit_doc_free(NULL);
}

static void test_workbook(void **state)
{
	candor_audit_doc *doc = load();
	char path[400];
	(void)state;

	snprintf(path, sizeof(path), "%s/audit.xlsx", tmpdir);
	assert_int_equal(candor_report_workbook(doc, path), CANDOR_OK);
	assert_int_equal(run("%s %s/tests/report/check_workbook.py %s %s %d", py, src, path, fixture,
	                     FIXTURE_CHARTS),
	                 0);
	/* the same document gives the same cells and properties (the zip's own
	 * timestamps aside): the check above pins `created` to the manifest */
	assert_int_equal(candor_report_workbook(doc, "/nonexistent-dir/a.xlsx"), CANDOR_EIO);
	/* written under a temporary name and renamed: allocation failures, one
	 * at a time, leave the earlier workbook byte for byte and no temporary
	 * file behind */
	assert_int_equal(run("cp %s %s.keep", path, path), 0);
	for (long n = 0; n < 100000; n += n < 64 ? 1 : n / 10) {
		candor__failalloc_arm(n);
		const candor_status st = candor_report_workbook(doc, path);
		candor__failalloc_arm(-1);
		if (st == CANDOR_OK)
			break;
		assert_int_equal(st, CANDOR_ENOMEM);
		assert_int_equal(run("cmp -s %s %s.keep", path, path), 0);
		assert_int_equal(run("test -z \"$(ls %s.tmp-* 2>/dev/null)\"", path), 0);
	}
	assert_int_equal(run("test -z \"$(ls %s.tmp-* 2>/dev/null)\"", path), 0);
	candor_audit_doc_free(doc);
}

/* A fairness-only document (candor fairness --xlsx): 40 rows, one attribute
 * with groups "a" (20 rows: tp 8, fp 2, tn 7, fn 3) and "b" (20 rows: tp 3,
 * fp 1, tn 12, fn 4), no policy. */
static candor_fairness_result *small_result(void)
{
	static const char *const levels[] = {"a", "b"};
	const candor_fairness_attribute attr = {"g", levels, 2};
	uint8_t label[40], pred[40];
	int32_t code[40];
	const int32_t *groups[1] = {code};
	/* per group: tp, fp, tn, fn */
	static const int counts[2][4] = {{8, 2, 7, 3}, {3, 1, 12, 4}};
	candor_fairness_acc *acc = NULL;
	candor_fairness_result *res = NULL;
	size_t i = 0;

	for (int g = 0; g < 2; g++)
		for (int k = 0; k < 4; k++)
			for (int c = 0; c < counts[g][k]; c++, i++) {
				code[i] = g;
				label[i] = k == 0 || k == 3;
				pred[i] = k == 0 || k == 1;
			}
	assert_int_equal(i, 40);
	const candor_fairness_rows rows = {40, label, pred, NULL, groups};
	assert_int_equal(candor_fairness_acc_new(&acc, &attr, 1, false), CANDOR_OK);
	assert_int_equal(candor_fairness_acc_add(acc, &rows), CANDOR_OK);
	assert_int_equal(candor_fairness_compute(&res, acc, NULL), CANDOR_OK);
	candor_fairness_acc_free(acc);
	return res;
}

static void test_from_fairness(void **state)
{
	candor_fairness_result *res = small_result();
	candor_audit_doc *doc = NULL;
	candor_audit_options bad = CANDOR_AUDIT_OPTIONS_INIT;
	char json[400], xlsx[400], pdf[400];
	size_t pages = 0;
	(void)state;

	snprintf(json, sizeof(json), "%s/fair.json", tmpdir);
	snprintf(xlsx, sizeof(xlsx), "%s/fair.xlsx", tmpdir);
	snprintf(pdf, sizeof(pdf), "%s/fair.pdf", tmpdir);
	assert_int_equal(candor_audit_doc_from_fairness(&doc, NULL, NULL), CANDOR_EINVAL);
	bad.version = 99;
	assert_int_equal(candor_audit_doc_from_fairness(&doc, res, &bad), CANDOR_EINVAL);
	bad.version = CANDOR_AUDIT_OPTIONS_VERSION;
	bad.data_path = "/nonexistent/d.csv";
	assert_int_equal(candor_audit_doc_from_fairness(&doc, res, &bad), CANDOR_EIO);
	assert_null(doc);
	/* every allocation failure is ENOMEM and leaks nothing (LeakSanitizer) */
	for (long n = 0; n < 10000; n++) {
		candor__failalloc_arm(n);
		const candor_status st = candor_audit_doc_from_fairness(&doc, res, NULL);
		candor__failalloc_arm(-1);
		if (st == CANDOR_OK)
			break;
		assert_int_equal(st, CANDOR_ENOMEM);
		assert_null(doc);
	}
	assert_non_null(doc);
	assert_true(candor_audit_doc_passed(doc));
	assert_int_equal(candor_audit_doc_write_json(doc, json), CANDOR_OK);
	/* the document: the fairness JSON with the hand-counted confusion
	 * matrices, a manifest naming the attribute and no model, and no
	 * explanations */
	assert_int_equal(run("%s -c \"import json,sys; d=json.load(open('%s')); m=d['manifest']; "
	                     "g={x['group']: x for x in d['fairness']['groups']}; "
	                     "sys.exit(not ('explanations' not in d and m['rows']==40 and "
	                     "m['sensitive']==['g'] and 'model_type' not in m and "
	                     "'explained_rows' not in m and m['files']==[] and "
	                     "[g['a'][k] for k in ('tp','fp','tn','fn')]==[8,2,7,3] and "
	                     "[g['b'][k] for k in ('tp','fp','tn','fn')]==[3,1,12,4]))\"",
	                     py, json),
	                 0);
	/* the workbook: no explanation sheets, two charts (group bars and the
	 * disparity chart of g) */
	assert_int_equal(candor_report_workbook(doc, xlsx), CANDOR_OK);
	assert_int_equal(run("%s %s/tests/report/check_workbook.py %s %s 2", py, src, xlsx, json), 0);
	/* the PDF: title, summary, the attribute, appendix and manifest */
	assert_int_equal(candor_report_pdf(doc, pdf, &pages), CANDOR_OK);
	assert_int_equal(run("%s %s/tests/report/check_pdf.py %s %s %zu", py, src, pdf, json, pages), 0);
	candor_audit_doc_free(doc);
	candor_fairness_result_free(res);
}

static void test_pdf(void **state)
{
	candor_audit_doc *doc = load();
	char path[400], path2[400];
	size_t pages = 0;
	(void)state;

	snprintf(path, sizeof(path), "%s/report.pdf", tmpdir);
	snprintf(path2, sizeof(path2), "%s/report2.pdf", tmpdir);
	assert_int_equal(candor_report_pdf(doc, path, &pages), CANDOR_OK);
	assert_int_equal(pages, FIXTURE_PAGES);
	assert_int_equal(run("%s %s/tests/report/check_pdf.py %s %s %zu", py, src, path, fixture, pages), 0);
	/* pinned metadata: rendering twice gives the same bytes */
	assert_int_equal(candor_report_pdf(doc, path2, NULL), CANDOR_OK);
	assert_int_equal(run("cmp -s %s %s", path, path2), 0);
	assert_int_equal(candor_report_pdf(doc, "/nonexistent-dir/r.pdf", NULL), CANDOR_EIO);
	candor_audit_doc_free(doc);
}

static void test_chart_files(void **state)
{
	candor_audit_doc *doc = load();
	char dir[400];
	(void)state;

	snprintf(dir, sizeof(dir), "%s/charts", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(candor_report_charts(doc, dir), CANDOR_OK);
	assert_int_equal(run("test $(ls %s/*.png | wc -l) -eq %d && test $(ls %s/*.svg | wc -l) -eq %d", dir,
	                     FIXTURE_CHARTS, dir, FIXTURE_CHARTS),
	                 0);
	assert_int_equal(run("test -s %s/fairness_race.png && test -s %s/disparity_sex.svg && "
	                     "test -s %s/shap_summary.png && test -s %s/waterfall_row0.png && "
	                     "test -s %s/dependence_income_k.svg && test -s %s/lime_row0.png",
	                     dir, dir, dir, dir, dir, dir),
	                 0);
	assert_int_equal(run("%s %s/tests/report/check_svg.py 900 540 %s/*.svg", py, src, dir), 0);
	candor_audit_doc_free(doc);
}

static void test_write_dir(void **state)
{
	candor_audit_doc *doc = load();
	char out[400], foreign[400];
	(void)state;

	snprintf(out, sizeof(out), "%s/out", tmpdir);
	assert_int_equal(candor_report_write_dir(doc, out), CANDOR_OK);
	assert_int_equal(run("test -s %s/audit.json && test -s %s/audit.xlsx && test -s %s/report.pdf && "
	                     "test $(ls %s/charts | wc -l) -eq %d",
	                     out, out, out, out, 2 * FIXTURE_CHARTS),
	                 0);
	/* the written JSON reads back as the same document */
	assert_int_equal(run("%s -c \"import json,sys; a=json.load(open('%s')); b=json.load(open('%s/audit.json')); "
	                     "sys.exit(a!=b)\"",
	                     py, fixture, out),
	                 0);
	/* mark the earlier report, then fail allocations one at a time (every
	 * one of the first 64, then every tenth-further one, to keep the run
	 * short under sanitizers): each failure must leave the marked report as
	 * it was and no temporary folder behind */
	/* (the mark is in a file candor wrote: a file candor did not write
	 * would make the folder one that is never replaced) */
	assert_int_equal(run("echo earlier > %s/report.pdf", out), 0);
	for (long n = 0; n < 100000; n += n < 64 ? 1 : n / 10) {
		candor__failalloc_arm(n);
		const candor_status st = candor_report_write_dir(doc, out);
		candor__failalloc_arm(-1);
		if (st == CANDOR_OK)
			break;
		assert_int_equal(st, CANDOR_ENOMEM);
		assert_int_equal(run("grep -qx earlier %s/report.pdf && test -s %s/audit.json", out, out), 0);
		assert_int_equal(run("test -z \"$(ls -d %s.tmp-* 2>/dev/null)\"", out), 0);
	}
	/* the last run succeeded: the new report replaced the old one whole */
	assert_int_equal(run("! grep -qx earlier %s/report.pdf && test -s %s/audit.json", out, out), 0);
	assert_int_equal(run("test -z \"$(ls -d %s.tmp-* 2>/dev/null)\"", out), 0);
	/* a folder of someone else's files is never replaced */
	snprintf(foreign, sizeof(foreign), "%s/foreign", tmpdir);
	assert_int_equal(run("mkdir %s && echo mine > %s/notes.txt", foreign, foreign), 0);
	assert_int_equal(candor_report_write_dir(doc, foreign), CANDOR_EINVAL);
	assert_int_equal(run("test \"$(cat %s/notes.txt)\" = mine && test $(ls %s | wc -l) -eq 1", foreign,
	                     foreign),
	                 0);
	/* an unwritable place */
	assert_int_equal(candor_report_write_dir(doc, "/proc/candor-cannot-write-here"), CANDOR_EIO);
	candor_audit_doc_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_parse),
		cmocka_unit_test(test_workbook),   cmocka_unit_test(test_from_fairness),
		cmocka_unit_test(test_pdf),
		cmocka_unit_test(test_chart_files), cmocka_unit_test(test_write_dir),
	};
	int rc;

	py = getenv("PYTHON") ? getenv("PYTHON") : "/usr/bin/python3";
	src = getenv("CANDOR_SOURCE_ROOT") ? getenv("CANDOR_SOURCE_ROOT") : ".";
	snprintf(fixture, sizeof(fixture), "%s/tests/report/fixture_audit.json", src);
	snprintf(tmpdir, sizeof(tmpdir), "%s/candor-reports-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (getenv("CANDOR_KEEP_REPORTS"))
		printf("reports kept in %s\n", tmpdir);
	else if (run("rm -rf '%s'", tmpdir) != 0)
		rc = rc ? rc : 1;
	candor_report_release_caches(); /* fontconfig's caches: tests/lsan.supp */
	return rc;
}
