/*
 * test_audit_golden.c - the audit documents and the fairness JSON, byte for
 * byte against golden files (tests/audit/golden/) written by the code that
 * came before audit/ was its own module (issue 10): then the audit wrote
 * the fairness result to JSON text and parsed it back into the document;
 * now it builds the tree directly. The outputs must not have moved.
 *
 *   test_audit_golden SRCDIR OUTDIR           compare (the test)
 *   test_audit_golden SRCDIR OUTDIR --write   write the goldens into OUTDIR
 *
 * SRCDIR is tests/audit (golden_input.csv, golden/). Outputs:
 * - demo_audit.json: candor_audit_run() on 600 synthetic credit rows, the
 *   bundled logistic model and the demo policy (logit-linear SHAP, LIME,
 *   group drivers, a failing verdict);
 * - fairness.json and fairness_doc.json: candor_fairness_result_json() and
 *   candor_audit_doc_from_fairness() of golden_input.csv with scores,
 *   --intersect, bootstrap intervals, Benjamini-Hochberg, a small group,
 *   undefined metrics and a policy with every check kind;
 * - fairness_doc_plain.json: Wilson intervals, no policy, and the
 *   manifest's attributes taken from the result.
 * Each document is also read back (candor_audit_doc_read, the checker of
 * `candor report --from`) and written again: the same bytes, so the
 * document built in memory is the one its reader makes of its text.
 *
 * One deliberate change since: the library's messages stopped naming CLI
 * flags (issue 10), so the "ci_reason" of a metric without a closed-form
 * interval reads "bootstrap intervals give one" instead of "use --ci
 * bootstrap". demo_audit.json and fairness_doc_plain.json were written
 * again for it, after checking that swapping the old words back gives the
 * old goldens byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "candor/candor.h"

static int failures;

static void fail_status(const char *what, candor_status st)
{
	const candor_error *e = candor_last_error();

	fprintf(stderr, "FAIL: %s: %s: %s\n", what, candor_status_str(st), e->message);
	failures++;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* Compare OUTDIR/name with SRCDIR/golden/name byte for byte. */
static void compare(const char *src, const char *outdir, const char *name)
{
	char a[4096], b[4096];
	size_t la = 0, lb = 0, i;
	char *ga, *gb;

	snprintf(a, sizeof(a), "%s/golden/%s", src, name);
	snprintf(b, sizeof(b), "%s/%s", outdir, name);
	ga = slurp(a, &la);
	gb = slurp(b, &lb);
	if (!ga || !gb) {
		fprintf(stderr, "FAIL: %s: cannot read %s\n", name, ga ? b : a);
		failures++;
	} else {
		for (i = 0; i < la && i < lb && ga[i] == gb[i]; i++)
			;
		if (la != lb || i < la) {
			fprintf(stderr, "FAIL: %s differs from its golden at byte %zu (%zu vs %zu bytes)\n",
			        name, i, lb, la);
			failures++;
		} else {
			printf("ok: %s (%zu bytes) is byte-identical to its golden\n", name, la);
		}
	}
	free(ga);
	free(gb);
}

/* OUTDIR/name read back and written again gives the same bytes. */
static void reread(const char *outdir, const char *name)
{
	char a[4096], b[4096];
	candor_audit_doc *doc = NULL;
	candor_status st;
	size_t la = 0, lb = 0;
	char *ta, *tb;

	snprintf(a, sizeof(a), "%s/%s", outdir, name);
	snprintf(b, sizeof(b), "%s/%s.again", outdir, name);
	st = candor_audit_doc_read(&doc, a);
	if (!st)
		st = candor_audit_doc_write_json(doc, b);
	candor_audit_doc_free(doc);
	if (st) {
		fail_status(name, st);
		return;
	}
	ta = slurp(a, &la);
	tb = slurp(b, &lb);
	if (!ta || !tb || la != lb || memcmp(ta, tb, la) != 0) {
		fprintf(stderr, "FAIL: %s read back and written again differs\n", name);
		failures++;
	} else {
		printf("ok: %s reads back and writes the same bytes\n", name);
	}
	free(ta);
	free(tb);
}

static const char demo_policy[] =
	"{\"min_group_size\": 30, \"checks\": ["
	"{\"metric\": \"disparate_impact\", \"min\": 0.8},"
	"{\"metric\": \"selection_rate\", \"min_ratio\": 0.8},"
	"{\"metric\": \"tpr\", \"max_difference\": 0.1}]}";

static const char fair_policy[] =
	"{\"min_group_size\": 20, \"checks\": ["
	"{\"metric\": \"demographic_parity_difference\", \"max\": 0.1, \"attribute\": \"sex\"},"
	"{\"metric\": \"selection_rate\", \"min_ratio\": 0.8},"
	"{\"metric\": \"tpr\", \"max_difference\": 0.1, \"attribute\": \"race\"},"
	"{\"metric\": \"accuracy\", \"min\": 0.6},"
	"{\"metric\": \"fpr\", \"max\": 0.5},"
	"{\"metric\": \"ppv\", \"min\": 0.5, \"attribute\": \"race\"}]}";

static void demo_audit(const char *outdir)
{
	const char *mj = candor_synth_credit_model_json();
	const char *sens[] = {"sex", "race"};
	candor_table *t = NULL;
	candor_model *m = NULL;
	candor_fairness_policy *pol = NULL;
	candor_audit_doc *doc = NULL;
	candor_status st;
	char path[4096];

	st = candor_synth_generate(&t, CANDOR_SYNTH_CREDIT, 600, 3);
	if (!st)
		st = candor_model_load_buffer(&m, mj, strlen(mj), "<bundled credit model>");
	if (!st)
		st = candor_fairness_policy_parse(&pol, demo_policy, strlen(demo_policy), "<demo>");
	if (!st) {
		candor_audit_options o = CANDOR_AUDIT_OPTIONS_INIT;
		o.label = "label";
		o.sensitive = sens;
		o.nsensitive = 2;
		o.policy = pol;
		o.explain_rows = 40;
		o.lime_rows = 2;
		o.seed = 3;
		o.threads = 2;
		o.command_line = "golden demo audit";
		o.time = "2026-12-02T12:00:00Z";
		o.data_note = "synthetic credit data, 600 rows, seed 3";
		o.model_text = mj;
		st = candor_audit_run(&doc, t, m, &o);
	}
	snprintf(path, sizeof(path), "%s/demo_audit.json", outdir);
	if (!st)
		st = candor_audit_doc_write_json(doc, path);
	if (st)
		fail_status("demo audit", st);
	else if (candor_audit_doc_passed(doc))
		fprintf(stderr, "FAIL: the demo audit passes; its planted bias should fail it\n"),
			failures++;
	candor_audit_doc_free(doc);
	candor_fairness_policy_free(pol);
	candor_model_free(m);
	candor_table_free(t);
}

static void fairness_docs(const char *src, const char *outdir)
{
	const char *sens[] = {"sex", "race", "region"};
	candor_table *t = NULL;
	candor_fairness_acc *acc = NULL;
	candor_fairness_policy *pol = NULL;
	candor_fairness_result *res = NULL, *plain = NULL;
	candor_audit_doc *doc = NULL, *doc2 = NULL;
	char path[4096], *json = NULL;
	size_t len = 0;
	candor_status st;

	snprintf(path, sizeof(path), "%s/golden_input.csv", src);
	st = candor_csv_read(&t, path, NULL);
	if (!st) {
		candor_fairness_columns fc = CANDOR_FAIRNESS_COLUMNS_INIT;
		fc.label = "label";
		fc.pred = "pred";
		fc.score = "score";
		fc.sensitive = sens;
		fc.nsensitive = 3;
		st = candor_fairness_acc_from_table(&acc, t, &fc);
	}
	if (!st)
		st = candor_fairness_policy_parse(&pol, fair_policy, strlen(fair_policy), "<policy>");
	if (!st) {
		candor_fairness_options fo = CANDOR_FAIRNESS_OPTIONS_INIT;
		fo.intersect = true;
		fo.ci = CANDOR_FAIRNESS_CI_BOOTSTRAP;
		fo.bootstrap = 200;
		fo.seed = 7;
		fo.threads = 2;
		fo.policy = pol;
		fo.p_adjust = CANDOR_FAIRNESS_P_BH;
		st = candor_fairness_compute(&res, acc, &fo);
	}
	if (!st) {
		candor_fairness_options fo = CANDOR_FAIRNESS_OPTIONS_INIT;
		st = candor_fairness_compute(&plain, acc, &fo);
	}
	if (!st)
		st = candor_fairness_result_json(res, &json, &len);
	if (!st) {
		FILE *f;
		snprintf(path, sizeof(path), "%s/fairness.json", outdir);
		f = fopen(path, "wb");
		if (!f || fwrite(json, 1, len, f) != len || fclose(f) != 0) {
			fprintf(stderr, "FAIL: cannot write %s\n", path);
			failures++;
		}
	}
	if (!st) {
		candor_audit_options o = CANDOR_AUDIT_OPTIONS_INIT;
		o.label = "label";
		o.sensitive = sens;
		o.nsensitive = 3;
		o.seed = 7;
		o.threads = 2;
		o.command_line = "golden fairness --intersect --ci bootstrap";
		o.time = "2026-12-02T12:00:00Z";
		o.data_note = "tests/audit/golden_input.csv";
		st = candor_audit_doc_from_fairness(&doc, res, &o);
		snprintf(path, sizeof(path), "%s/fairness_doc.json", outdir);
		if (!st)
			st = candor_audit_doc_write_json(doc, path);
	}
	if (!st) {
		/* NULL options: an empty command line, time "unknown", and the
		 * result's own attributes in the manifest */
		st = candor_audit_doc_from_fairness(&doc2, plain, NULL);
		snprintf(path, sizeof(path), "%s/fairness_doc_plain.json", outdir);
		if (!st)
			st = candor_audit_doc_write_json(doc2, path);
	}
	if (st)
		fail_status("fairness documents", st);
	free(json);
	candor_audit_doc_free(doc);
	candor_audit_doc_free(doc2);
	candor_fairness_result_free(res);
	candor_fairness_result_free(plain);
	candor_fairness_policy_free(pol);
	candor_fairness_acc_free(acc);
	candor_table_free(t);
}

int main(int argc, char **argv)
{
	static const char *const names[] = {"demo_audit.json", "fairness.json", "fairness_doc.json",
	                                    "fairness_doc_plain.json"};

	if (argc < 3) {
		fprintf(stderr, "usage: test_audit_golden SRCDIR OUTDIR [--write]\n");
		return 2;
	}
	demo_audit(argv[2]);
	fairness_docs(argv[1], argv[2]);
	if (argc > 3 && strcmp(argv[3], "--write") == 0)
		return failures ? 1 : 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		compare(argv[1], argv[2], names[i]);
		if (strcmp(names[i], "fairness.json") != 0)
			reread(argv[2], names[i]);
	}
	candor_report_release_caches();
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
