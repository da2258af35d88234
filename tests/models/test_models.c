/*
 * test_models.c - the model interface and its adapters: linear/logistic
 * JSON, loading by content with line:column errors, plugins, and the
 * --model-cmd protocol including a command that crashes, stalls, answers
 * garbage or exits while we write, and each breach of issue 9 (an extra
 * line or byte, a probability outside [0, 1], NaN, infinity, a reply
 * without newline, a trickle, a main process that exits while its child
 * holds the socket), and the output check shared by every adapter. Oracles: the formula of DESIGN.md
 * evaluated here from the JSON's own numbers, and the fixture command's
 * documented answers (tests/models/fake_model.py).
 */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "candor/candor.h"
#include "core/core_int.h"
#include "models/models_int.h"

/* cmocka 1.1.5 (Debian 12) has no assert_double_equal. */
#define assert_near(a, b, tol)                                                              \
	do {                                                                                \
		const double a_ = (a), b_ = (b);                                            \
		if (!(fabs(a_ - b_) <= (tol)))                                              \
			fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #a, a_, b_,   \
			         (double)(tol));                                            \
	} while (0)

static const char *logistic_json =
	"{\"kind\": \"logistic\", \"features\": [\"a\", \"b\", \"c\"],\n"
	" \"coef\": [0.7, -1.3, 0.25], \"intercept\": -0.4,\n"
	" \"mean\": [1.5, 2.0, -3.0], \"scale\": [2.0, 0.5, 4.0]}\n";

static void test_linear_predict(void **state)
{
	candor_model *m = NULL;
	const double x[6] = { 0.3, 2.385, -1.7, -4.2, 1.1, 9.75 };
	const double coef[3] = { 0.7, -1.3, 0.25 }, mean[3] = { 1.5, 2.0, -3.0 },
	             scale[3] = { 2.0, 0.5, 4.0 };
	double out[2];

	(void)state;
	assert_int_equal(candor_model_load_buffer(&m, logistic_json, strlen(logistic_json), "t.json"),
	                 CANDOR_OK);
	assert_int_equal(candor_model_type_of(m), CANDOR_MODEL_LOGISTIC);
	assert_int_equal(candor_model_nfeatures(m), 3);
	assert_string_equal(candor_model_feature(m, 1), "b");
	assert_int_equal(candor_model_noutputs(m), 1);
	assert_int_equal(candor_model_output_kind(m), CANDOR_OUTPUT_PROBABILITY);
	assert_true(candor_model_is_reentrant(m));
	assert_int_equal(candor_model_predict(m, x, 2, out), CANDOR_OK);
	for (int i = 0; i < 2; i++) {
		/* DESIGN.md: intercept + sum coef (x - mean) / scale, then the sigmoid */
		double z = -0.4;

		for (int j = 0; j < 3; j++)
			z += coef[j] * (x[i * 3 + j] - mean[j]) / scale[j];
		assert_near(out[i], 1 / (1 + exp(-z)), 1e-15);
	}
	candor_model_free(m);

	/* linear kind, no mean/scale: plain dot product */
	const char *lin = "{\"kind\":\"linear\",\"features\":[\"u\",\"v\"],\"coef\":[2,-3],\"intercept\":1}";
	assert_int_equal(candor_model_load_buffer(&m, lin, strlen(lin), NULL), CANDOR_OK);
	assert_int_equal(candor_model_output_kind(m), CANDOR_OUTPUT_VALUE);
	assert_int_equal(candor_model_predict(m, x, 2, out), CANDOR_OK);
	assert_near(out[0], 1 + 2 * 0.3 - 3 * 2.385, 1e-14);
	assert_near(out[1], 1 + 2 * -1.7 - 3 * -4.2, 1e-14);
	candor_model_free(m);
}

static void expect_error(const char *text, candor_status want, uint64_t line, uint64_t col,
                         const char *needle)
{
	candor_model *m = (candor_model *)1;
	candor_status st = candor_model_load_buffer(&m, text, strlen(text), "bad.json");
	const candor_error *e = candor_last_error();

	assert_int_equal(st, want);
	assert_null(m);
	assert_string_equal(e->path, "bad.json");
	assert_int_equal(e->line, line);
	assert_int_equal(e->column, col);
	if (!strstr(e->message, needle))
		fail_msg("message '%s' lacks '%s'", e->message, needle);
}

static void test_load_errors(void **state)
{
	(void)state;
	/* the JSON core stops on line 3 at the stray 'x' (column 14) */
	expect_error("{\"kind\": \"linear\",\n \"features\": [\"a\"],\n \"coef\": [1, x]}\n",
	             CANDOR_EPARSE, 3, 14, "expected a value, found 'x'");
	/* the end of the text: line 2 is 18 bytes, so the end is column 19 */
	expect_error("{\"kind\": \"linear\",\n \"features\": [\"a\"]", CANDOR_EPARSE, 2, 19,
	             "unexpected end of input");
	expect_error("hello, world\n", CANDOR_EPARSE, 0, 0, "not a model file");
	/* errors at a value: its path, line and column (the columns are those
	 * of the value's first byte, found with Python's str.index) */
	expect_error("{\"weights\": [1, 2]}", CANDOR_EPARSE, 1, 1, "neither");
	expect_error("{\"kind\":\"linear\",\"features\":[\"a\",\"b\"],\"coef\":[1]}", CANDOR_EPARSE, 1,
	             46, "coef: 1 entries, but \"features\" has 2");
	expect_error("{\"kind\":\"tree\",\"features\":[\"a\"],\"coef\":[1]}", CANDOR_EUNSUPPORTED, 1,
	             9, "kind: model kind 'tree' is not supported");
	expect_error("{\"kind\":\"linear\",\"features\":[\"a\",\"a\"],\"coef\":[1,2]}", CANDOR_EPARSE,
	             1, 34, "features[1]: feature 'a' appears twice");
	expect_error("{\"kind\":\"linear\",\"features\":[\"a\"],\"coef\":[1],\"scale\":[0]}",
	             CANDOR_EPARSE, 1, 55, "scale[0]: a scale is zero");
	expect_error("{\"kind\":\"linear\",\"features\":[\"a\"],\"coef\":[null]}", CANDOR_EPARSE, 1,
	             43, "coef[0]: expected a number, found null");
	expect_error("{\"kind\":\"linear\",\"features\":[\"a\"]}", CANDOR_EPARSE, 1, 1,
	             "missing key 'coef'");
	/* strict JSON: a NaN in a linear model is refused at the token */
	expect_error("{\"kind\":\"linear\",\"features\":[\"a\"],\"coef\":[NaN]}", CANDOR_EPARSE, 1,
	             43, "NaN is not a JSON number");
	expect_error("{\"kind\":\"linear\",\"kind\":\"linear\"}", CANDOR_EPARSE, 1, 18,
	             "duplicate key 'kind'");
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/candor-model-XXXXXX";
	int fd = mkstemp(path);
	candor_model *m = NULL;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, logistic_json, strlen(logistic_json)), (ssize_t)strlen(logistic_json));
	close(fd);
	assert_int_equal(candor_model_load(&m, path), CANDOR_OK);
	assert_int_equal(candor_model_nfeatures(m), 3);
	candor_model_free(m);
	/* a CSV file is not a model; the message names the file */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "a,b\n1,2\n", 8), 8);
	close(fd);
	assert_int_equal(candor_model_load(&m, path), CANDOR_EPARSE);
	assert_string_equal(candor_last_error()->path, path);
	assert_non_null(strstr(candor_last_error()->message, "not a model file"));
	unlink(path);
	assert_int_equal(candor_model_load(&m, "/nonexistent/model.json"), CANDOR_EIO);
}

static void test_bind(void **state)
{
	candor_model *m = NULL;
	candor_table *t = NULL;
	const double v[2] = { 1, 2 };
	size_t cols[3];

	(void)state;
	assert_int_equal(candor_model_load_buffer(&m, logistic_json, strlen(logistic_json), NULL),
	                 CANDOR_OK);
	/* a linear model predicts on its caller's thread: 1 is accepted, more refused */
	assert_int_equal(candor_model_set_threads(m, 1), CANDOR_OK);
	assert_int_equal(candor_model_set_threads(m, 2), CANDOR_EUNSUPPORTED);
	assert_int_equal(candor_model_set_threads(m, -1), CANDOR_EINVAL);
	assert_int_equal(candor_table_new(&t), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "c", v, 2), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "z", v, 2), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "a", v, 2), CANDOR_OK);
	assert_int_equal(candor_model_bind(m, t, cols), CANDOR_ENOTFOUND);
	assert_non_null(strstr(candor_last_error()->message, "'b'"));
	assert_int_equal(candor_table_add_numeric(t, "b", v, 2), CANDOR_OK);
	assert_int_equal(candor_model_bind(m, t, cols), CANDOR_OK);
	assert_int_equal(cols[0], 2);
	assert_int_equal(cols[1], 3);
	assert_int_equal(cols[2], 0);
	candor_table_free(t);
	/* a text column for a model file's feature would reach it as codes of
	 * candor's dictionary, which the model never saw: refused */
	{
		const int32_t codes[2] = { 1, 0 };
		const char *levels[2] = { "lo", "hi" };

		assert_int_equal(candor_table_new(&t), CANDOR_OK);
		assert_int_equal(candor_table_add_numeric(t, "a", v, 2), CANDOR_OK);
		assert_int_equal(candor_table_add_categorical(t, "b", codes, 2, levels, 2),
		                 CANDOR_OK);
		assert_int_equal(candor_table_add_numeric(t, "c", v, 2), CANDOR_OK);
		assert_int_equal(candor_model_bind(m, t, cols), CANDOR_EUNSUPPORTED);
		assert_non_null(strstr(candor_last_error()->message, "column 'b' holds text"));
		candor_model_free(m);
		/* a plugin is documented to take the codes */
		m = NULL;
		assert_int_equal(candor_model_load(&m, PLUGIN_FIXTURE), CANDOR_OK);
		assert_int_equal(candor_model_bind(m, t, cols), CANDOR_OK);
		assert_int_equal(cols[1], 1);
		candor_table_free(t);
	}
	candor_model_free(m);
}

static void test_plugin(void **state)
{
	candor_model *m = NULL;
	const double x[4] = { 1.25, -3, NAN, 1 };
	double out[2];

	(void)state;
	assert_int_equal(candor_model_load(&m, PLUGIN_FIXTURE), CANDOR_OK);
	assert_int_equal(candor_model_type_of(m), CANDOR_MODEL_PLUGIN);
	assert_int_equal(candor_model_nfeatures(m), 2);
	assert_string_equal(candor_model_feature(m, 0), "a");
	assert_int_equal(candor_model_output_kind(m), CANDOR_OUTPUT_VALUE);
	assert_int_equal(candor_model_predict(m, x, 1, out), CANDOR_OK);
	assert_near(out[0], 2 * 1.25 + 3 + 0.5, 0);
	assert_int_equal(candor_model_predict(m, x, 2, out), CANDOR_EIO);
	assert_non_null(strstr(candor_last_error()->message, "feature a is missing"));
	candor_model_free(m);
}

/* ---- --model-cmd -------------------------------------------------------- */

static candor_table *cmd_table(size_t n)
{
	candor_table *t = NULL;
	double *num = malloc(n * sizeof(double));
	int32_t *codes = malloc(n * sizeof(int32_t));
	const char *levels[] = { "x", "yy", "with,comma \"q\"" };

	for (size_t i = 0; i < n; i++) {
		num[i] = 0.001 * (double)i - 2.385;
		codes[i] = (int32_t)(i % 3);
	}
	assert_int_equal(candor_table_new(&t), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "num", num, n), CANDOR_OK);
	assert_int_equal(candor_table_add_categorical(t, "cat", codes, n, levels, 3), CANDOR_OK);
	free(num);
	free(codes);
	return t;
}

static char *fixture_cmd(const char *mode)
{
	static char buf[1024];
	const char *src = getenv("CANDOR_SOURCE_ROOT");

	snprintf(buf, sizeof(buf), "%s %s/tests/models/fake_model.py %s",
	         getenv("PYTHON") ? getenv("PYTHON") : "/usr/bin/python3", src ? src : ".", mode);
	return buf;
}

static void test_cmd_ok(void **state)
{
	const size_t n = 70000; /* more than one request (max_batch 65536 by default: use 3000) */
	candor_table *t = cmd_table(n);
	const char *feats[] = { "cat", "num" };
	candor_model_cmd_options o = CANDOR_MODEL_CMD_OPTIONS_INIT;
	candor_model *m = NULL;
	double *x = malloc(n * 2 * sizeof(double)), *out = malloc(n * 2 * sizeof(double));
	size_t cols[2];
	const size_t lens[3] = { 1, 2, 14 };

	(void)state;
	o.max_batch = 30000;
	assert_int_equal(candor_model_cmd_new(&m, fixture_cmd("ok"), t, feats, 2, &o), CANDOR_OK);
	assert_int_equal(candor_model_type_of(m), CANDOR_MODEL_COMMAND);
	assert_int_equal(candor_model_noutputs(m), 2);
	assert_int_equal(candor_model_output_kind(m), CANDOR_OUTPUT_VALUE);
	assert_false(candor_model_is_reentrant(m));
	assert_int_equal(candor_model_bind(m, t, cols), CANDOR_OK);
	assert_int_equal(candor_table_matrix(x, t, cols, 2), CANDOR_OK);
	x[5 * 2 + 1] = NAN; /* a missing number goes as an empty field: read as 0 */
	assert_int_equal(candor_model_predict(m, x, n, out), CANDOR_OK);
	for (size_t i = 0; i < n; i++) {
		double num = i == 5 ? 0.0 : 0.001 * (double)i - 2.385;

		/* the fixture answers num + 10 * len(category string) */
		assert_near(out[2 * i], num + 10.0 * (double)lens[i % 3], 1e-12);
		assert_near(out[2 * i + 1], 0.25, 0);
	}
	/* the same process serves a second call */
	assert_int_equal(candor_model_predict(m, x, 3, out), CANDOR_OK);
	candor_model_free(m);
	candor_table_free(t);
	free(x);
	free(out);
}

static void expect_cmd_failure(const char *mode, double timeout, const char *needle,
                               bool at_handshake)
{
	candor_table *t = cmd_table(200000);
	const char *feats[] = { "num", "cat" };
	candor_model_cmd_options o = CANDOR_MODEL_CMD_OPTIONS_INIT;
	candor_model *m = NULL;
	size_t cols[2];
	double *x = malloc(200000 * 2 * sizeof(double)), *out = malloc(200000 * 2 * sizeof(double));
	struct timespec t0, t1;
	candor_status st;

	o.timeout = timeout;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = candor_model_cmd_new(&m, fixture_cmd(mode), t, feats, 2, &o);
	if (at_handshake) {
		assert_int_equal(st, CANDOR_EIO);
	} else {
		assert_int_equal(st, CANDOR_OK);
		assert_int_equal(candor_model_bind(m, t, cols), CANDOR_OK);
		assert_int_equal(candor_table_matrix(x, t, cols, 2), CANDOR_OK);
		/* 200000 rows (several MB): the command stops reading while we write */
		st = candor_model_predict(m, x, 200000, out);
		assert_int_equal(st, CANDOR_EIO);
	}
	if (!strstr(candor_last_error()->message, needle))
		fail_msg("mode %s: message '%s' lacks '%s'", mode, candor_last_error()->message, needle);
	if (!at_handshake) {
		/* the model refuses further work instead of hanging */
		assert_int_equal(candor_model_predict(m, x, 1, out), CANDOR_EIO);
	}
	candor_model_free(m);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* no hang: well under the 60 s default even for the stall case */
	assert_true(t1.tv_sec - t0.tv_sec < 20);
	candor_table_free(t);
	free(x);
	free(out);
}

static void test_cmd_failures(void **state)
{
	(void)state;
	expect_cmd_failure("crash", 0, "exited with status 3", false);
	expect_cmd_failure("early", 0, "exited with status 0", false);
	expect_cmd_failure("garbage", 0, "garbage", false);
	expect_cmd_failure("error", 0, "reported an error", false);
	expect_cmd_failure("stall", 1.0, "within 1 s", false);
	expect_cmd_failure("badhello", 0, "expected 'ok K KIND'", true);
	/* a command that does not exist: the shell exits 127 at the handshake */
	{
		candor_table *t = cmd_table(3);
		const char *feats[] = { "num" };
		candor_model *m = NULL;

		assert_int_equal(candor_model_cmd_new(&m, "/nonexistent/predictor", t, feats, 1, NULL),
		                 CANDOR_EIO);
		assert_non_null(strstr(candor_last_error()->message, "exited with status 127"));
		/* a feature the table lacks */
		feats[0] = "nope";
		assert_int_equal(candor_model_cmd_new(&m, "cat", t, feats, 1, NULL), CANDOR_ENOTFOUND);
		candor_table_free(t);
	}
}

/*
 * The protocol's guards (issue 9): each mode of fake_model.py breaks one
 * rule, and the call that meets it fails with CANDOR_EIO (or CANDOR_EDOMAIN
 * for a value no model may answer), a message naming the cause, and no
 * hang. `first_ok`: the first batch is answered correctly and the breach
 * is met by the second.
 */
static void expect_breach(const char *mode, double timeout, bool first_ok, candor_status want,
                          const char *needle, const char *needle2)
{
	const size_t n = 5;
	candor_table *t = cmd_table(n);
	const char *feats[] = { "num", "cat" };
	candor_model_cmd_options o = CANDOR_MODEL_CMD_OPTIONS_INIT;
	candor_model *m = NULL;
	size_t cols[2];
	double x[10], out[10];
	struct timespec t0, t1;
	candor_status st;

	o.timeout = timeout;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(candor_model_cmd_new(&m, fixture_cmd(mode), t, feats, 2, &o), CANDOR_OK);
	assert_int_equal(candor_model_bind(m, t, cols), CANDOR_OK);
	assert_int_equal(candor_table_matrix(x, t, cols, 2), CANDOR_OK);
	if (first_ok) {
		assert_int_equal(candor_model_predict(m, x, n, out), CANDOR_OK);
		assert_near(out[0], 0.001 * 0 - 2.385 + 10, 1e-12);
		/* the late extra line arrives before the next request */
		struct timespec ts = { 0, 500 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	st = candor_model_predict(m, x, n, out);
	if (st != want)
		fail_msg("mode %s: status %d, want %d (%s)", mode, st, want,
		         candor_last_error()->message);
	if (!strstr(candor_last_error()->message, needle) ||
	    (needle2 && !strstr(candor_last_error()->message, needle2)))
		fail_msg("mode %s: message '%s' lacks '%s'/'%s'", mode, candor_last_error()->message,
		         needle, needle2 ? needle2 : "");
	candor_model_free(m);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (t1.tv_sec - t0.tv_sec >= 6)
		fail_msg("mode %s: took %ld s", mode, (long)(t1.tv_sec - t0.tv_sec));
	candor_table_free(t);
}

typedef struct breach {
	const char *mode;
	double timeout;
	bool first_ok;
	candor_status want;
	const char *needle, *needle2;
} breach;

static const breach breaches[] = {
	/* finding 1: an extra line, an extra byte */
	{ "extra", 0, true, CANDOR_EIO, "no request asked for", "'1,1'" },
	{ "extrabytes", 0, false, CANDOR_EIO, "more lines than asked", "line 6 '7'" },
	/* finding 2: values no model may answer; the message names model, row, value */
	{ "prob15", 0, false, CANDOR_EDOMAIN, "predicted 1.5 for row 2 of 5", "fake_model.py prob15" },
	{ "negprob", 0, false, CANDOR_EDOMAIN, "predicted -0.2 for row 2", "[0, 1]" },
	{ "nan", 0, false, CANDOR_EDOMAIN, "predicted nan for row 2 of 5 (0-based, output 0)",
	  "finite" },
	{ "big", 0, false, CANDOR_EDOMAIN, "predicted inf for row 2", "finite" },
	/* finding 19: no newline (bounded memory), a trickle (the timeout bounds the reply) */
	{ "nonewline", 0, false, CANDOR_EIO, "longer than the protocol allows", NULL },
	{ "trickle", 1.0, false, CANDOR_EIO, "did not answer to a batch of 5 rows within 1 s", NULL },
	/* finding 24: the main process exits, a child it forked holds the socket */
	{ "forkexit", 20, false, CANDOR_EIO, "exited with status 4", "a process it started" },
};

static void test_cmd_breach(void **state)
{
	const breach *b = *state;

	expect_breach(b->mode, b->timeout, b->first_ok, b->want, b->needle, b->needle2);
}

/* A line sent late after the last answer of a run (it would have shifted
 * that answer) is found by candor__cmd_settle, which candor_explain calls
 * at its end. */
static void test_cmd_settle(void **state)
{
	candor_table *t = cmd_table(5);
	const char *feats[] = { "num", "cat" };
	candor_model *m = NULL;
	size_t cols[2];
	double x[10], out[10];

	(void)state;
	assert_int_equal(candor_model_cmd_new(&m, fixture_cmd("extralate"), t, feats, 2, NULL),
	                 CANDOR_OK);
	assert_int_equal(candor_model_bind(m, t, cols), CANDOR_OK);
	assert_int_equal(candor_table_matrix(x, t, cols, 2), CANDOR_OK);
	assert_int_equal(candor_model_predict(m, x, 5, out), CANDOR_OK);
	assert_int_equal(candor__cmd_settle(m, 50), CANDOR_OK); /* quiet after the first */
	assert_int_equal(candor_model_predict(m, x, 5, out), CANDOR_OK);
	assert_int_equal(candor__cmd_settle(m, 500), CANDOR_EIO);
	assert_non_null(strstr(candor_last_error()->message, "no request asked for, after"));
	candor_model_free(m);
	candor_table_free(t);
}

/* The shared output check covers the built-in adapters too: a linear model
 * given a missing value predicts NaN, which is refused, naming the model. */
static void test_output_check(void **state)
{
	candor_model *m = NULL;
	double x[6] = { 1, 2, 3, 1, NAN, 3 }, out[2];

	(void)state;
	assert_int_equal(candor_model_load_buffer(&m, logistic_json, strlen(logistic_json), "lg.json"),
	                 CANDOR_OK);
	assert_int_equal(candor_model_predict(m, x, 1, out), CANDOR_OK);
	assert_int_equal(candor_model_predict(m, x, 2, out), CANDOR_EDOMAIN);
	assert_non_null(strstr(candor_last_error()->message, "model 'lg.json' predicted nan for row 1"));
	candor_model_free(m);
}

/* Every allocation failure while loading returns CANDOR_ENOMEM and leaks
 * nothing (ASan in CI). */
static void test_out_of_memory(void **state)
{
	long i;

	(void)state;
	for (i = 0;; i++) {
		candor_model *m = NULL;
		candor_status st;

		candor__failalloc_arm(i);
		st = candor_model_load_buffer(&m, logistic_json, strlen(logistic_json), NULL);
		candor__failalloc_arm(-1);
		if (st == CANDOR_OK) {
			candor_model_free(m);
			break;
		}
		assert_int_equal(st, CANDOR_ENOMEM);
		assert_null(m);
	}
	assert_true(i > 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear_predict),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_plugin),
		cmocka_unit_test(test_cmd_ok),
		cmocka_unit_test(test_cmd_failures),
		cmocka_unit_test_prestate(test_cmd_breach, (void *)&breaches[0]),
		cmocka_unit_test_prestate(test_cmd_breach, (void *)&breaches[1]),
		cmocka_unit_test_prestate(test_cmd_breach, (void *)&breaches[2]),
		cmocka_unit_test_prestate(test_cmd_breach, (void *)&breaches[3]),
		cmocka_unit_test_prestate(test_cmd_breach, (void *)&breaches[4]),
		cmocka_unit_test_prestate(test_cmd_breach, (void *)&breaches[5]),
		cmocka_unit_test_prestate(test_cmd_breach, (void *)&breaches[6]),
		cmocka_unit_test_prestate(test_cmd_breach, (void *)&breaches[7]),
		cmocka_unit_test_prestate(test_cmd_breach, (void *)&breaches[8]),
		cmocka_unit_test(test_cmd_settle),
		cmocka_unit_test(test_output_check),
		cmocka_unit_test(test_out_of_memory),
	};

	/* The host keeps SIGPIPE's default action: a write to a dead command
	 * must not kill it (the adapter sends with MSG_NOSIGNAL). */
	signal(SIGPIPE, SIG_DFL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
