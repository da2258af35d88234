/*
 * test_audit.c - the audit module's API: the options convention (INIT
 * sets the version only, candor_audit_options_init(), a version 1 struct
 * read without reading past its end, the threshold's explicit _set flag,
 * every refused value named by its parameter), the bounds a built
 * document is held to (what its reader would refuse is refused when it is
 * built, naming the member) and the manifest's SHA-256 against FIPS 180-2.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <json-c/json.h>

#include "candor/candor.h"

static char tmpdir[256];

static const char *msg(void)
{
	return candor_last_error()->message;
}

/* n rows of the bundled credit model's features, a label and "sex", row
 * `big` (when < n) holding income_k = 1e301; the caller frees it. */
static candor_table *credit_table(size_t n, size_t big)
{
	size_t cap = 200 + n * 80, len = 0;
	char *buf = malloc(cap);
	candor_table *t = NULL;

	assert_non_null(buf);
	len += (size_t)snprintf(buf + len, cap - len,
	                        "age,income_k,credit_score,debt_ratio,loan_amount_k,zip_score,label,sex\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%zu,%s,%zu,0.3,20,0.1,%zu,%s\n",
		                        30 + i % 30, i == big ? "1e301" : (i % 3 ? "60" : "40"),
		                        600 + (i * 7) % 150, (i * 5) % 3 ? (size_t)1 : (size_t)0,
		                        i % 2 ? "f" : "m");
	assert_int_equal(candor_csv_read_buffer(&t, buf, len, NULL), CANDOR_OK);
	free(buf);
	return t;
}

static candor_model *credit_model(void)
{
	const char *mj = candor_synth_credit_model_json();
	candor_model *m = NULL;

	assert_int_equal(candor_model_load_buffer(&m, mj, strlen(mj), "<credit>"), CANDOR_OK);
	return m;
}

static const char *const sex[] = {"sex"};

static candor_status audit(candor_audit_doc **doc, const candor_table *t, candor_model *m,
                           const candor_audit_options *o)
{
	*doc = NULL;
	return candor_audit_run(doc, t, m, o);
}

/* The document's text, written by candor_audit_doc_write_json(). */
static char *doc_text(const candor_audit_doc *doc, const char *name)
{
	char path[400];
	FILE *f;
	long n;
	char *s;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_int_equal(candor_audit_doc_write_json(doc, path), CANDOR_OK);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = calloc(1, (size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return s;
}

static void test_options_init(void **state)
{
	candor_audit_options a = CANDOR_AUDIT_OPTIONS_INIT, b, zero;
	(void)state;

	memset(&b, 0xA5, sizeof(b));
	assert_int_equal(candor_audit_options_init(&b, CANDOR_AUDIT_OPTIONS_VERSION), CANDOR_OK);
	assert_int_equal(b.version, CANDOR_AUDIT_OPTIONS_VERSION);
	assert_int_equal(a.version, CANDOR_AUDIT_OPTIONS_VERSION);
	/* every field but the version is zero, as the macro leaves it */
	memset(&zero, 0, sizeof(zero));
	zero.version = CANDOR_AUDIT_OPTIONS_VERSION;
	assert_memory_equal(&b, &zero, sizeof(zero));
	assert_null(a.label);
	assert_true(a.threshold == 0 && !a.threshold_set && a.explain_rows == 0 && a.threads == 0);
	assert_int_equal(candor_audit_options_init(&b, 1), CANDOR_OK);
	assert_int_equal(b.version, 1);
	assert_int_equal(candor_audit_options_init(&b, 0), CANDOR_EINVAL);
	assert_int_equal(candor_audit_options_init(&b, CANDOR_AUDIT_OPTIONS_VERSION + 1),
	                 CANDOR_EINVAL);
	assert_non_null(strstr(msg(), "version"));
	assert_int_equal(candor_audit_options_init(NULL, 1), CANDOR_EINVAL);
}

/* A caller built against version 1 passes a struct that ends before
 * threshold_set: the library must read no further (ASan sees the heap
 * block's end), and the document is the one version 2 gives. */
static void test_options_v1(void **state)
{
	const size_t v1 = offsetof(candor_audit_options, threshold_set);
	candor_audit_options *old = malloc(v1), cur = CANDOR_AUDIT_OPTIONS_INIT, fill;
	candor_table *t = credit_table(300, (size_t)-1);
	candor_model *m = credit_model();
	candor_audit_doc *d1 = NULL, *d2 = NULL;
	char *s1, *s2;
	(void)state;

	assert_non_null(old);
	assert_int_equal(candor_audit_options_init(&fill, 1), CANDOR_OK);
	fill.label = cur.label = "label";
	fill.sensitive = cur.sensitive = sex;
	fill.nsensitive = cur.nsensitive = 1;
	fill.explain_rows = cur.explain_rows = 10;
	fill.lime_rows = cur.lime_rows = 1;
	fill.threshold = cur.threshold = 0.6;
	fill.time = cur.time = "2026-12-02T12:00:00Z";
	memcpy(old, &fill, v1); /* only the version 1 part exists */
	assert_int_equal(audit(&d1, t, m, old), CANDOR_OK);
	assert_int_equal(audit(&d2, t, m, &cur), CANDOR_OK);
	s1 = doc_text(d1, "v1.json");
	s2 = doc_text(d2, "v2.json");
	assert_string_equal(s1, s2);
	free(s1);
	free(s2);
	candor_audit_doc_free(d2);
	d2 = NULL;
	/* and candor_audit_doc_from_fairness reads it the same way */
	fill.threshold = 0;
	memcpy(old, &fill, v1);
	candor_audit_doc_free(d1);
	d1 = NULL;
	{
		candor_fairness_acc *acc = NULL;
		candor_fairness_result *res = NULL;
		candor_fairness_columns fc = CANDOR_FAIRNESS_COLUMNS_INIT;
		const double pred[300] = {1};
		fc.label = "label";
		fc.pred_values = pred;
		fc.sensitive = sex;
		fc.nsensitive = 1;
		assert_int_equal(candor_fairness_acc_from_table(&acc, t, &fc), CANDOR_OK);
		assert_int_equal(candor_fairness_compute(&res, acc, NULL), CANDOR_OK);
		assert_int_equal(candor_audit_doc_from_fairness(&d1, res, old), CANDOR_OK);
		candor_audit_doc_free(d1);
		/* the decision fields are ignored there; threads are not */
		cur.threshold = -1;
		assert_int_equal(candor_audit_doc_from_fairness(&d1, res, &cur), CANDOR_OK);
		candor_audit_doc_free(d1);
		cur.threads = -2;
		assert_int_equal(candor_audit_doc_from_fairness(&d1, res, &cur), CANDOR_EINVAL);
		assert_non_null(strstr(msg(), "options.threads"));
		candor_fairness_result_free(res);
		candor_fairness_acc_free(acc);
	}
	free(old);
	candor_model_free(m);
	candor_table_free(t);
}

/* Selection rate of group `g` of "sex" in a document's text. */
static double selection_rate(const char *text, const char *g)
{
	json_object *root = json_tokener_parse(text), *groups, *grp, *sr, *v;
	double r = NAN;

	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "fairness", &groups));
	assert_true(json_object_object_get_ex(groups, "groups", &groups));
	for (size_t i = 0; i < json_object_array_length(groups); i++) {
		grp = json_object_array_get_idx(groups, i);
		json_object_object_get_ex(grp, "group", &v);
		if (strcmp(json_object_get_string(v), g) != 0)
			continue;
		json_object_object_get_ex(grp, "metrics", &sr);
		json_object_object_get_ex(sr, "selection_rate", &sr);
		json_object_object_get_ex(sr, "value", &v);
		r = json_object_get_double(v);
	}
	json_object_put(root);
	return r;
}

static void test_threshold(void **state)
{
	candor_table *t = credit_table(300, (size_t)-1);
	candor_model *m = credit_model();
	candor_audit_options o = CANDOR_AUDIT_OPTIONS_INIT;
	candor_audit_doc *d = NULL;
	char *def, *half, *zero;
	(void)state;

	o.label = "label";
	o.sensitive = sex;
	o.nsensitive = 1;
	o.explain_rows = 5;
	o.lime_rows = 1;
	/* zero without threshold_set is the default, 0.5 */
	assert_int_equal(audit(&d, t, m, &o), CANDOR_OK);
	def = doc_text(d, "def.json");
	candor_audit_doc_free(d);
	o.threshold = 0.5;
	assert_int_equal(audit(&d, t, m, &o), CANDOR_OK);
	half = doc_text(d, "half.json");
	candor_audit_doc_free(d);
	assert_string_equal(def, half);
	/* threshold_set: 0 is a threshold, every row favourable */
	o.threshold = 0;
	o.threshold_set = true;
	assert_int_equal(audit(&d, t, m, &o), CANDOR_OK);
	zero = doc_text(d, "zero.json");
	candor_audit_doc_free(d);
	assert_true(selection_rate(zero, "f") == 1.0 && selection_rate(zero, "m") == 1.0);
	assert_true(selection_rate(half, "f") < 1.0);
	free(def);
	free(half);
	free(zero);
	/* refused values, named by the library's parameter */
	const double bad[] = {-0.1, 1.5, NAN, INFINITY};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.threshold = bad[i];
		assert_int_equal(audit(&d, t, m, &o), CANDOR_EINVAL);
		assert_null(d);
		assert_non_null(strstr(msg(), "options.threshold"));
	}
	o.threshold = 0.5;
	o.threads = -1;
	assert_int_equal(audit(&d, t, m, &o), CANDOR_EINVAL);
	assert_non_null(strstr(msg(), "options.threads"));
	o.threads = 0;
	o.version = 3;
	assert_int_equal(audit(&d, t, m, &o), CANDOR_EINVAL);
	o.version = CANDOR_AUDIT_OPTIONS_VERSION;
	o.label = NULL;
	assert_int_equal(audit(&d, t, m, &o), CANDOR_EINVAL);
	assert_non_null(strstr(msg(), "options.label"));
	candor_model_free(m);
	candor_table_free(t);
}

/* What the reader of audit.json refuses, the audit refuses to build: the
 * document it hands out always reads back. */
static void test_bounds(void **state)
{
	candor_table *t = credit_table(300, 7);
	candor_model *m = credit_model();
	candor_audit_options o = CANDOR_AUDIT_OPTIONS_INIT;
	candor_audit_doc *d = NULL, *back = NULL;
	char *longline = malloc(40000);
	char path[400];
	(void)state;

	o.label = "label";
	o.sensitive = sex;
	o.nsensitive = 1;
	o.lime_rows = 1;
	/* every row explained, so row 7 (its income_k is 1e301) is too */
	o.explain_rows = 300;
	assert_int_equal(audit(&d, t, m, &o), CANDOR_EUNSUPPORTED);
	assert_null(d);
	assert_non_null(strstr(msg(), "explanations.values[7][1]"));
	assert_non_null(strstr(msg(), "1e+301"));
	candor_table_free(t);
	t = credit_table(300, (size_t)-1);
	/* a command line beyond a text's 32767 characters, one that is not UTF-8 */
	assert_non_null(longline);
	memset(longline, 'x', 39999);
	longline[39999] = '\0';
	o.command_line = longline;
	assert_int_equal(audit(&d, t, m, &o), CANDOR_EUNSUPPORTED);
	assert_non_null(strstr(msg(), "manifest.command_line"));
	o.command_line = "candor audit \xff";
	assert_int_equal(audit(&d, t, m, &o), CANDOR_EUNSUPPORTED);
	assert_non_null(strstr(msg(), "UTF-8"));
	/* within the bounds: the document reads back */
	longline[32767] = '\0';
	o.command_line = longline;
	assert_int_equal(audit(&d, t, m, &o), CANDOR_OK);
	snprintf(path, sizeof(path), "%s/bounds.json", tmpdir);
	assert_int_equal(candor_audit_doc_write_json(d, path), CANDOR_OK);
	assert_int_equal(candor_audit_doc_read(&back, path), CANDOR_OK);
	candor_audit_doc_free(back);
	candor_audit_doc_free(d);
	free(longline);
	candor_model_free(m);
	candor_table_free(t);
}

/* The manifest names every model type: a LightGBM model's was "?". */
static void test_model_type(void **state)
{
	const char *root = getenv("CANDOR_SOURCE_ROOT");
	char path[1024], line[4096], *buf, *text;
	size_t len = 0, cap = 1 << 20, row = 0;
	candor_table *t = NULL;
	candor_model *m = NULL;
	candor_audit_options o = CANDOR_AUDIT_OPTIONS_INIT;
	candor_audit_doc *d = NULL;
	static const char *const nan_token[] = { "nan" };
	candor_csv_options csv = CANDOR_CSV_OPTIONS_INIT;
	FILE *f;
	(void)state;

	if (!root)
		skip();
	/* LightGBM's own binary model and data, with a group column added */
	snprintf(path, sizeof(path), "%s/tests/tree/lightgbm/binary_nan_v3/data.csv", root);
	f = fopen(path, "r");
	assert_non_null(f);
	buf = malloc(cap);
	assert_non_null(buf);
	while (fgets(line, sizeof(line), f) && len + sizeof(line) + 8 < cap) {
		line[strcspn(line, "\n")] = '\0';
		len += (size_t)snprintf(buf + len, cap - len, "%s,%s\n", line,
		                        row++ == 0 ? "sex" : row % 2 ? "f" : "m");
	}
	fclose(f);
	/* LightGBM writes missing values as "nan" */
	csv.missing_tokens = nan_token;
	csv.nmissing_tokens = 1;
	assert_int_equal(candor_csv_read_buffer(&t, buf, len, &csv), CANDOR_OK);
	free(buf);
	snprintf(path, sizeof(path), "%s/tests/tree/lightgbm/binary_nan_v3/model.txt", root);
	assert_int_equal(candor_model_load(&m, path), CANDOR_OK);
	assert_int_equal(candor_model_type_of(m), CANDOR_MODEL_LIGHTGBM);
	o.label = "label";
	o.sensitive = sex;
	o.nsensitive = 1;
	o.explain_rows = 10;
	o.lime_rows = 1;
	assert_int_equal(audit(&d, t, m, &o), CANDOR_OK);
	text = doc_text(d, "lightgbm.json");
	assert_non_null(strstr(text, "\"model_type\": \"lightgbm\""));
	free(text);
	candor_audit_doc_free(d);
	candor_model_free(m);
	candor_table_free(t);
}

static void test_sha256(void **state)
{
	char path[400], hex[65];
	FILE *f;
	(void)state;

	snprintf(path, sizeof(path), "%s/abc.txt", tmpdir);
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs("abc", f);
	fclose(f);
	assert_int_equal(candor_sha256_file(hex, path), CANDOR_OK);
	/* FIPS 180-2, appendix B.1: SHA-256("abc") */
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(candor_sha256_file(hex, "/nonexistent/x"), CANDOR_EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_init), cmocka_unit_test(test_options_v1),
		cmocka_unit_test(test_threshold),    cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_model_type),   cmocka_unit_test(test_sha256),
	};
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/candor-test-audit-XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (rc == 0) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			rc = 1;
	}
	return rc;
}
