/*
 * test_json.c - the JSON reading core (core/json_int.h) on its own, and a
 * table of faults read through all three parsers that use it: the model
 * loader (candor_model_load_buffer), the policy parser
 * (candor_fairness_policy_parse) and the audit-document reader
 * (candor_audit_doc_parse). Each must give the same wording for the same
 * fault, at the same place.
 *
 * The oracle for positions: every text in the table marks the offending
 * byte with '@' (removed before parsing); the expected line is 1 + the
 * number of '\n' before the mark, the column 1 + the bytes since the last
 * '\n' (RFC 8259 text, byte columns as the CLI prints them).
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

#include "candor/fairness.h"
#include "candor/models.h"
#include "candor/report.h"
#include "core/json_int.h"

enum { MODEL, POLICY, DOC, NPARSERS };
static const char *const parser_name[NPARSERS] = { "model", "policy", "audit document" };

/* Parse `text` (with its '@' removed) with parser `which`; return the status. */
static candor_status parse_with(int which, const char *text, size_t len)
{
	switch (which) {
	case MODEL: {
		candor_model *m = NULL;
		candor_status st = candor_model_load_buffer(&m, text, len, "t.json");
		candor_model_free(m);
		return st;
	}
	case POLICY: {
		candor_fairness_policy *p = NULL;
		candor_status st = candor_fairness_policy_parse(&p, text, len, "t.json");
		candor_fairness_policy_free(p);
		return st;
	}
	default: {
		candor_audit_doc *d = NULL;
		candor_status st = candor_audit_doc_parse(&d, text, len, "t.json");
		candor_audit_doc_free(d);
		return st;
	}
	}
}

/* Strip the '@' of `marked` into buf; *line and *col of the mark. */
static size_t unmark(char *buf, size_t size, const char *marked, uint64_t *line, uint64_t *col)
{
	const char *at = strchr(marked, '@');
	size_t n = 0;

	assert_non_null(at);
	*line = 1;
	*col = 1;
	for (const char *s = marked; s < at; s++) {
		if (*s == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
	for (const char *s = marked; *s; s++)
		if (s != at) {
			assert_true(n + 1 < size);
			buf[n++] = *s;
		}
	buf[n] = '\0';
	return n;
}

/* One fault: a text per parser (NULL: the same as the model's; "" : the
 * fault cannot be put to this parser), and the message each must give. */
typedef struct fault {
	const char *what;
	const char *text[NPARSERS];
	const char *message[NPARSERS]; /* NULL: the same as the model's */
} fault;

#define DOC_HEAD "{\"kind\": \"candor-audit\", \"verdict\": \"pass\", "

static const fault faults[] = {
	/* ---- syntax: one text for all three */
	{ "stray byte", { "{\"x\": [1, @x]}" }, { "expected a value, found 'x'" } },
	{ "end of input", { "{\"x\": [1, 2@" }, { "unexpected end of input" } },
	{ "end after a line", { "{\"x\":\n  [1,\n   2@" }, { "unexpected end of input" } },
	{ "duplicate key", { "{\"x\": 1,\n @\"x\": 2}" }, { "duplicate key 'x'" } },
	{ "NaN", { "{\"x\": @NaN}" }, { "NaN is not a JSON number" } },
	{ "-Infinity", { "[@-Infinity]" }, { "Infinity is not a JSON number" } },
	{ "overflow", { "{\"x\": @1e400}" }, { "number 1e400 overflows a double" } },
	{ "integer overflow",
	  { "{\"x\": @99999999999999999999}" },
	  { "integer 99999999999999999999 is outside -2^63..2^63-1" } },
	{ "leading zero", { "{\"x\": @01}" }, { "malformed number '01'" } },
	{ "bare fraction", { "{\"x\": @1.}" }, { "malformed number '1.'" } },
	{ "invalid UTF-8", { "{\"x\": \"ab@\xff\"}" }, { "invalid UTF-8 (byte 0xFF) in a string" } },
	{ "overlong UTF-8", { "{\"x\": \"@\xc0\xaf\"}" }, { "invalid UTF-8 (byte 0xC0) in a string" } },
	{ "NUL escape", { "{\"x\": \"fe@\\u0000male\"}" }, { "NUL character (\\u0000) in a string" } },
	{ "NUL in a key", { "{\"x@\\u0000\": 1}" }, { "NUL character (\\u0000) in a key" } },
	{ "lone surrogate", { "{\"x\": \"@\\uDC00\"}" }, { "lone surrogate (\\uDC00) in a string" } },
	{ "raw control character",
	  { "{\"x\": \"a@\tb\"}" },
	  { "control character (byte 0x09) in a string" } },
	{ "bad escape", { "{\"x\": \"@\\q\"}" }, { "invalid escape '\\q' in a string" } },
	{ "unterminated string", { "{\"x\": @\"abc" }, { "unterminated string" } },
	{ "missing colon", { "{\"x\" @1}" }, { "expected ':' after a key" } },
	{ "trailing comma in an object",
	  { "{\"x\": 1,@}" },
	  { "expected a key (a string in double quotes)" } },
	{ "single quotes", { "{@'x': 1}" }, { "expected a key (a string in double quotes)" } },
	{ "comment", { "{\"x\": 1 @/* c */}" }, { "expected ',' or '}'" } },
	{ "missing comma", { "[1 @2]" }, { "expected ',' or ']'" } },
	{ "text after", { "{\"x\": 1}\n@x" }, { "text after the JSON document" } },
	{ "too deep",
	  { "{\"x\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[@[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}" },
	  { "nesting is deeper than 32 levels" } },

	/* ---- a value of the wrong type: the path, then the one wording */
	{ "a string expected",
	  { "{\"kind\": @5}", "{\"checks\": [{\"metric\": @5}]}", DOC_HEAD "\"x\": 1, @\"x\": 2}" },
	  { "kind: expected a string, found a number", "checks[0].metric: expected a string, found a number",
	    "duplicate key 'x'" } },
	{ "a string expected (document)",
	  { "", "", "{\"kind\": @5, \"verdict\": \"pass\", \"fairness\": {\"groups\": []}}" },
	  { "", "", "kind: expected a string, found a number" } },
	{ "a number expected",
	  { "{\"kind\": \"linear\", \"features\": [\"a\"], \"coef\": [@\"1\"]}",
	    "[{\"metric\": \"tpr\", \"min\": @\"1\"}]", "" },
	  { "coef[0]: expected a number, found a string", "[0].min: expected a number, found a string",
	    "" } },
	{ "an array expected",
	  { "{\"kind\": \"linear\", \"features\": @{}}", "{\"checks\": @{}}",
	    "{\"kind\": \"candor-audit\", \"verdict\": \"pass\", \"fairness\": {\"groups\": @{}}}" },
	  { "features: expected an array, found an object", "checks: expected an array, found an object",
	    "fairness.groups: expected an array, found an object" } },
	{ "a null where an array belongs",
	  { "{\"kind\": \"linear\", \"features\": @null}", "{\"checks\": @null}",
	    "{\"kind\": \"candor-audit\", \"verdict\": \"pass\", \"fairness\": {\"groups\": @null}}" },
	  { "features: expected an array, found null", "checks: expected an array, found null",
	    "fairness.groups: expected an array, found null" } },
	{ "an object expected",
	  { "@[1]", "[@1]", "@[1]" },
	  { "expected an object, found an array", "[0]: expected an object, found a number",
	    "expected an object, found an array" } },
	{ "a missing key",
	  { "@{\"kind\": \"linear\", \"features\": [\"a\"]}", "@{\"name\": \"p\"}",
	    "@{\"kind\": \"candor-audit\", \"verdict\": \"pass\"}" },
	  { "missing key 'coef'", "missing key 'checks'", "missing key 'fairness'" } },
	{ "a missing key, deeper",
	  { "", "{\"checks\": [@{\"min\": 1}]}",
	    "{\"kind\": \"candor-audit\", \"verdict\": \"pass\", \"fairness\": @{}}" },
	  { "", "checks[0]: missing key 'metric'", "fairness: missing key 'groups'" } },
};

static void test_fault_table(void **state)
{
	char buf[512];
	(void)state;

	for (size_t f = 0; f < sizeof(faults) / sizeof(faults[0]); f++) {
		for (int p = 0; p < NPARSERS; p++) {
			const char *marked = faults[f].text[p] ? faults[f].text[p] : faults[f].text[MODEL];
			const char *want = faults[f].message[p] ? faults[f].message[p]
			                                        : faults[f].message[MODEL];
			uint64_t line, col;

			if (!*marked)
				continue;
			const size_t n = unmark(buf, sizeof(buf), marked, &line, &col);
			const candor_status st = parse_with(p, buf, n);
			const candor_error *e = candor_last_error();
			if (st != CANDOR_EPARSE || e->line != line || e->column != col ||
			    strcmp(e->message, want) != 0 || strcmp(e->path, "t.json") != 0)
				fail_msg("%s through the %s parser: %s %s:%llu:%llu: \"%s\"; want "
				         "t.json:%llu:%llu: \"%s\"",
				         faults[f].what, parser_name[p], candor_status_str(st), e->path,
				         (unsigned long long)e->line, (unsigned long long)e->column,
				         e->message, (unsigned long long)line, (unsigned long long)col, want);
		}
	}
}

/* ---- the core itself ------------------------------------------------------ */

static void test_read_values(void **state)
{
	(void)state;
	const char *text = "{\"s\": \"a\\u00e9\\ud83d\\ude00\\n\", \"i\": -9223372036854775808,\n"
	                   " \"j\": 9223372036854775807, \"d\": 1.50E+2, \"t\": true, \"n\": null,\n"
	                   " \"a\": [0.1, -0, {}]}";
	candor__json j;
	json_object *v;
	double d;
	int64_t i;

	assert_int_equal(candor__json_read(&j, text, strlen(text), "v.json", NULL), CANDOR_OK);
	/* escapes: U+00E9 and the surrogate pair of U+1F600 become UTF-8 */
	assert_int_equal(candor__json_member(&v, &j, j.root, "s", json_type_string, true), CANDOR_OK);
	assert_string_equal(json_object_get_string(v), "a\xc3\xa9\xf0\x9f\x98\x80\n");
	assert_int_equal(candor__json_member(&v, &j, j.root, "i", json_type_int, true), CANDOR_OK);
	assert_int_equal(candor__json_integer(&i, &j, v), CANDOR_OK);
	assert_true(i == INT64_MIN);
	assert_int_equal(candor__json_member(&v, &j, j.root, "j", json_type_int, true), CANDOR_OK);
	assert_true(json_object_get_int64(v) == INT64_MAX);
	/* a double keeps its text */
	assert_int_equal(candor__json_member(&v, &j, j.root, "d", json_type_double, true), CANDOR_OK);
	assert_int_equal(candor__json_number(&d, &j, v), CANDOR_OK);
	assert_true(d == 150.0);
	assert_string_equal(json_object_get_string(v), "1.50E+2");
	/* an optional null is absent; a required one is a type fault at its place */
	assert_int_equal(candor__json_member(&v, &j, j.root, "n", json_type_double, false), CANDOR_OK);
	assert_null(v);
	assert_int_equal(candor__json_member(&v, &j, j.root, "n", json_type_double, true),
	                 CANDOR_EPARSE);
	assert_string_equal(candor_last_error()->message, "n: expected a number, found null");
	/* columns here: Python's str.index on each line, plus one */
	assert_int_equal(candor_last_error()->line, 2);
	assert_int_equal(candor_last_error()->column, 58);
	/* an error at a value deep in the tree: path and place */
	json_object *a;
	assert_int_equal(candor__json_member(&a, &j, j.root, "a", json_type_array, true), CANDOR_OK);
	assert_int_equal(candor__json_error(&j, json_object_array_get_idx(a, 2), CANDOR_EPARSE,
	                                    "too %s", "empty"),
	                 CANDOR_EPARSE);
	assert_string_equal(candor_last_error()->message, "a[2]: too empty");
	assert_int_equal(candor_last_error()->line, 3);
	assert_int_equal(candor_last_error()->column, 17);
	/* at a key */
	assert_int_equal(candor__json_error_key(&j, j.root, "t", CANDOR_EPARSE, "unknown key"),
	                 CANDOR_EPARSE);
	assert_string_equal(candor_last_error()->message, "unknown key");
	assert_int_equal(candor_last_error()->line, 2);
	assert_int_equal(candor_last_error()->column, 42);
	/* an integer where a fraction is */
	assert_int_equal(candor__json_elem(&v, &j, a, 0, json_type_int), CANDOR_EPARSE);
	assert_string_equal(candor_last_error()->message, "a[0]: expected an integer, found 0.1");
	assert_int_equal(candor_last_error()->column, 8);
	candor__json_done(&j);
	assert_null(j.root);
}

static void test_limits(void **state)
{
	(void)state;
	candor__json j;
	const candor__json_limits lim = { .max_depth = 2, .max_string = 3, .max_key = 2,
		                          .max_magnitude = 1e3, .max_number = 6 };
	static const struct {
		const char *text, *message;
	} cases[] = {
		{ "[[@[]]]", "nesting is deeper than 2 levels" },
		{ "[@\"abcd\"]", "string is over 3 characters" },
		{ "[\"\xc3\xa9\xc3\xa9\xc3\xa9\"]", NULL }, /* three characters, six bytes */
		{ "{@\"abc\": 1}", "key is over 2 characters" },
		{ "[@1001.0]", "number 1001.0 exceeds 1000 in magnitude" },
		{ "[@1.00000]", "number is over 6 characters" },
		{ "[999]", NULL },
		{ "@", "unexpected end of input" },
	};
	char buf[64];
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		uint64_t line = 1, col = 1;
		size_t n;
		if (cases[k].message) {
			n = unmark(buf, sizeof(buf), cases[k].text, &line, &col);
		} else {
			n = strlen(cases[k].text);
			memcpy(buf, cases[k].text, n + 1);
		}
		const candor_status st = candor__json_read(&j, buf, n, "l.json", &lim);
		if (!cases[k].message) {
			assert_int_equal(st, CANDOR_OK);
			candor__json_done(&j);
			continue;
		}
		assert_int_equal(st, CANDOR_EPARSE);
		assert_null(j.root);
		assert_string_equal(candor_last_error()->message, cases[k].message);
		assert_int_equal(candor_last_error()->line, line);
		assert_int_equal(candor_last_error()->column, col);
	}
	/* nonfinite: XGBoost's NaN and infinities are numbers, found again by
	 * their place */
	const candor__json_limits xgb = { .nonfinite = true };
	const char *t = "[1, NaN, -Infinity]";
	assert_int_equal(candor__json_read(&j, t, strlen(t), "x.json", &xgb), CANDOR_OK);
	json_object *v = json_object_array_get_idx(j.root, 2);
	assert_true(json_object_get_double(v) < 0 && !isfinite(json_object_get_double(v)));
	assert_int_equal(candor__json_error(&j, v, CANDOR_EPARSE, "not finite"), CANDOR_EPARSE);
	assert_int_equal(candor_last_error()->column, 10);
	candor__json_done(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_table),
		cmocka_unit_test(test_read_values),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
