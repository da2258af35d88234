/*
 * test_datasets.c - the table, the CSV and ARFF readers, the CSV writer and
 * the synthetic generator.
 *
 * Oracles: hand-written expectations for each RFC 4180 case and error
 * position; a round trip through the writer of random tables (strings with
 * delimiters, quotes, line breaks and non-ASCII text, doubles of every
 * magnitude) large enough to cross the reader's 8 MiB blocks; Python's csv
 * module in csv_oracle.py (a separate test); the closed-form group rates in
 * synth_truth.py (a separate test).
 */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "datasets/datasets_int.h"

static candor_table *csv(const char *text, const candor_csv_options *opts)
{
	candor_table *t = NULL;
	candor_status st = candor_csv_read_buffer(&t, text, strlen(text), opts);

	if (st)
		fail_msg("unexpected error %d: %llu:%llu: %s", st,
		         (unsigned long long)candor_last_error()->line,
		         (unsigned long long)candor_last_error()->column, candor_last_error()->message);
	return t;
}

static const char *cat(const candor_table *t, size_t j, size_t i)
{
	int32_t c = candor_table_codes(t, j)[i];

	return c < 0 ? NULL : candor_table_level(t, j, c);
}

static void test_csv_rfc4180(void **state)
{
	candor_table *t;

	(void)state;
	t = csv("\xef\xbb\xbf" "id,\"na,me\",\"q\"\"uote\"\r\n"
	        "1,\"Smith, J\",\"say \"\"hi\"\"\"\r\n"
	        "2,\"two\r\nlines\",\r\n"
	        "3,,\"\"\r\n"
	        "-4.5e1,plain,x",
	        NULL);
	assert_int_equal(candor_table_nrows(t), 4);
	assert_int_equal(candor_table_ncols(t), 3);
	assert_string_equal(candor_table_colname(t, 0), "id");
	assert_string_equal(candor_table_colname(t, 1), "na,me");
	assert_string_equal(candor_table_colname(t, 2), "q\"uote");
	assert_int_equal(candor_table_coltype(t, 0), CANDOR_COL_NUMERIC);
	assert_true(candor_table_numeric(t, 0)[3] == -45.0);
	assert_int_equal(candor_table_coltype(t, 1), CANDOR_COL_CATEGORICAL);
	assert_string_equal(cat(t, 1, 0), "Smith, J");
	assert_string_equal(cat(t, 1, 1), "two\r\nlines");
	assert_null(cat(t, 1, 2)); /* empty field: missing */
	assert_string_equal(cat(t, 2, 0), "say \"hi\"");
	assert_null(cat(t, 2, 1));
	assert_null(cat(t, 2, 2)); /* "" is missing too */
	assert_string_equal(cat(t, 2, 3), "x");
	candor_table_free(t);

	/* LF only, trailing newline, a blank line skipped, numeric missing = NaN */
	t = csv("a,b\n1,2\n\n,3.25\n", NULL);
	assert_int_equal(candor_table_nrows(t), 2);
	assert_true(isnan(candor_table_numeric(t, 0)[1]));
	assert_true(candor_table_numeric(t, 1)[1] == 3.25);
	candor_table_free(t);

	/* header only: zero rows */
	t = csv("a,b\n", NULL);
	assert_int_equal(candor_table_nrows(t), 0);
	assert_int_equal(candor_table_ncols(t), 2);
	candor_table_free(t);
}

static void test_csv_delimiter_and_spaces(void **state)
{
	candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;
	candor_table *t;

	(void)state;
	o.delimiter = ';';
	t = csv("a;b\n1,5; 2 \n\"x;y\";3\n", &o);
	assert_int_equal(candor_table_coltype(t, 0), CANDOR_COL_CATEGORICAL);
	assert_string_equal(cat(t, 0, 0), "1,5");
	assert_string_equal(cat(t, 0, 1), "x;y");
	/* spaces around a number are allowed */
	assert_int_equal(candor_table_coltype(t, 1), CANDOR_COL_NUMERIC);
	assert_true(candor_table_numeric(t, 1)[0] == 2.0);
	candor_table_free(t);
	o.delimiter = '"';
	assert_int_equal(candor_csv_read_buffer(&t, "a\n", 2, &o), CANDOR_EINVAL);
}

static void test_csv_types(void **state)
{
	const char *names[] = {"zip", "n"};
	const candor_coltype types[] = {CANDOR_COL_CATEGORICAL, CANDOR_COL_NUMERIC};
	candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;
	candor_table *t;

	(void)state;
	/* a late text value turns a numeric column categorical: the reader
	 * reads again and keeps the numbers' original text */
	t = csv("zip,n,late\n01234,1,1.50\n98765,2,2\n,3,abc\n", NULL);
	assert_int_equal(candor_table_coltype(t, 0), CANDOR_COL_NUMERIC);
	assert_int_equal(candor_table_coltype(t, 2), CANDOR_COL_CATEGORICAL);
	assert_string_equal(cat(t, 2, 0), "1.50");
	assert_string_equal(cat(t, 2, 1), "2");
	assert_string_equal(cat(t, 2, 2), "abc");
	assert_true(candor_table_numeric(t, 1)[2] == 3.0);
	candor_table_free(t);
	/* a column missing until its first text value switches in place */
	t = csv("a,b\n1,\n2,\n3,x\n", NULL);
	assert_int_equal(candor_table_coltype(t, 1), CANDOR_COL_CATEGORICAL);
	assert_null(cat(t, 1, 0));
	assert_string_equal(cat(t, 1, 2), "x");
	candor_table_free(t);
	/* overrides */
	o.override_names = names;
	o.override_types = types;
	o.noverrides = 2;
	t = csv("zip,n\n01234,1\n98765,2\n", &o);
	assert_int_equal(candor_table_coltype(t, 0), CANDOR_COL_CATEGORICAL);
	assert_string_equal(cat(t, 0, 0), "01234");
	candor_table_free(t);
}

typedef struct bad_case {
	const char *text;
	candor_status status;
	uint64_t line, col;
	const char *words;
} bad_case;

static void test_csv_errors(void **state)
{
	static const bad_case cases[] = {
		{"", CANDOR_EPARSE, 1, 1, "empty file"},
		{"\xef\xbb\xbf", CANDOR_EPARSE, 1, 1, "empty file"},
		{"a,b\n1,2\n3\n", CANDOR_EPARSE, 3, 2, "row has 1 fields, the header has 2"},
		{"a,b\n1,2\n3,4,5\n", CANDOR_EPARSE, 3, 5, "more than the header's 2"},
		{"a,b\n1,\"open\n2,3\n", CANDOR_EPARSE, 2, 3, "unterminated quoted field"},
		{"a,b\n1,2\n3,\xff\n", CANDOR_EPARSE, 3, 3, "invalid UTF-8"},
		{"a,b\n1,\"ok \xc0\xaf\"\n", CANDOR_EPARSE, 2, 7, "invalid UTF-8"}, /* overlong */
		{"a,b\n1,\xed\xa0\x80\n", CANDOR_EPARSE, 2, 3, "invalid UTF-8"},   /* surrogate */
		{"a,b,a\n1,2,3\n", CANDOR_EPARSE, 1, 5, "duplicate column name 'a'"},
		{"a,,c\n1,2,3\n", CANDOR_EPARSE, 1, 3, "column 2 has an empty name"},
		{"a,b\n1,x\"y\n", CANDOR_EPARSE, 2, 4, "quote inside an unquoted field"},
		{"a,b\n1,\"x\"y\n", CANDOR_EPARSE, 2, 6, "after a closing quote"},
		{"a,b\n\"multi\nline\",2\n3\n", CANDOR_EPARSE, 4, 2, "row has 1 fields"},
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		candor_table *t = NULL;
		candor_status st = candor_csv_read_buffer(&t, cases[k].text, strlen(cases[k].text),
		                                          NULL);
		const candor_error *e = candor_last_error();

		if (st != cases[k].status || e->line != cases[k].line || e->column != cases[k].col ||
		    !strstr(e->message, cases[k].words))
			fail_msg("case %zu: got status %d at %llu:%llu '%s', want %d at %llu:%llu '%s'", k,
			         st, (unsigned long long)e->line, (unsigned long long)e->column, e->message,
			         cases[k].status, (unsigned long long)cases[k].line,
			         (unsigned long long)cases[k].col, cases[k].words);
		assert_null(t);
		assert_string_equal(e->path, "<buffer>");
	}
}

static void test_csv_forced_numeric_error(void **state)
{
	const char *names[] = {"b"};
	const char *missing[] = {"nope"};
	const candor_coltype types[] = {CANDOR_COL_NUMERIC};
	candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;
	candor_table *t = NULL;

	(void)state;
	o.override_names = names;
	o.override_types = types;
	o.noverrides = 1;
	o.display_name = "data.csv";
	assert_int_equal(candor_csv_read_buffer(&t, "a,b\n1,2\n3,x7\n", 13, &o), CANDOR_EPARSE);
	assert_string_equal(candor_last_error()->path, "data.csv");
	assert_int_equal(candor_last_error()->line, 3);
	assert_int_equal(candor_last_error()->column, 3);
	assert_non_null(strstr(candor_last_error()->message, "'x7' is not a number"));
	o.override_names = missing;
	assert_int_equal(candor_csv_read_buffer(&t, "a,b\n1,2\n", 8, &o), CANDOR_ENOTFOUND);
	assert_non_null(strstr(candor_last_error()->message, "'nope'"));
}

static void test_csv_file_errors(void **state)
{
	candor_table *t = NULL;

	(void)state;
	assert_int_equal(candor_csv_read(&t, "/nonexistent/x.csv", NULL), CANDOR_EIO);
	assert_string_equal(candor_last_error()->path, "/nonexistent/x.csv");
	assert_int_equal(candor_csv_read(&t, "/", NULL), CANDOR_EIO);
	assert_null(t);
}

/* Numbers read the same under a locale whose decimal separator is a comma. */
static void test_csv_locale(void **state)
{
	const char *loc = NULL;
	static const char *tries[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
	candor_table *t;
	char buf[40];

	(void)state;
	for (size_t k = 0; k < 4 && !loc; k++)
		loc = setlocale(LC_ALL, tries[k]);
	if (!loc) {
		/* CI generates de_DE.UTF-8 (.ci/run); a bare machine may not have it */
		print_message("no comma-decimal locale installed: locale part skipped\n");
		skip();
	}
	t = csv("a\n1.5\n2e-3\n", NULL);
	assert_true(candor_table_numeric(t, 0)[0] == 1.5);
	assert_true(candor_table_numeric(t, 0)[1] == 0.002);
	candor_table_free(t);
	candor__format_double(buf, sizeof(buf), 1.5);
	assert_string_equal(buf, "1.5");
	setlocale(LC_ALL, "C");
}

/* ---- random round trip through the writer, across block boundaries ---- */

static uint64_t rng = 42;
static uint64_t next(void)
{
	return rng = candor__splitmix64(rng);
}

static void random_text(char *s, size_t cap)
{
	static const char *atoms[] = {"a", "b", "Z", ",", "\"", "\n", "\r\n", " ", "é", "日本",
	                              "x1", ";", "'", "\t", "€", "0"};
	size_t n = 0, k = 1 + next() % 6;

	for (size_t i = 0; i < k; i++) {
		const char *a = atoms[next() % 16];

		if (n + strlen(a) + 1 >= cap)
			break;
		memcpy(s + n, a, strlen(a));
		n += strlen(a);
	}
	/* "0" alone would read back as a number; keep text columns text */
	if (n == 1 && s[0] == '0')
		s[n++] = 'z';
	s[n] = '\0';
}

static double random_double(void)
{
	uint64_t x = next();
	double v;

	switch (x % 4) {
	case 0:
		memcpy(&v, &x, sizeof(v));
		return isfinite(v) ? v : 1.0;
	case 1:
		return (double)(int64_t)(next() % 2000001) - 1000000.0;
	case 2:
		return (double)(next() % 1000000) / 1000.0;
	default:
		return NAN;
	}
}

static void test_csv_roundtrip_random(void **state)
{
	enum { ROWS = 300000, NLEV = 300 };
	char *levels[NLEV];
	int32_t *codes = malloc(ROWS * sizeof(*codes));
	double *num = malloc(ROWS * sizeof(*num)), *num2 = malloc(ROWS * sizeof(*num2));
	candor_table *t = NULL, *back = NULL;
	char path[] = "/tmp/candor-rt-XXXXXX";
	int fd = mkstemp(path);
	size_t jc, jn;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (int k = 0; k < NLEV; k++) {
		char s[64];

		do {
			random_text(s, sizeof(s));
			levels[k] = strdup(s);
			for (int m = 0; m < k; m++) {
				if (!strcmp(levels[m], s)) {
					free(levels[k]);
					levels[k] = NULL;
					break;
				}
			}
		} while (!levels[k]);
	}
	for (size_t i = 0; i < ROWS; i++) {
		codes[i] = next() % 10 == 0 ? -1 : (int32_t)(next() % NLEV);
		num[i] = random_double();
		num2[i] = random_double();
	}
	codes[0] = 0; /* the first row fixes nothing, but keep the column text */
	assert_int_equal(candor_table_new(&t), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "x, \"first\"", num, ROWS), CANDOR_OK);
	assert_int_equal(candor_table_add_categorical(t, "text\ncol", codes, ROWS,
	                                              (const char *const *)levels, NLEV),
	                 CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "y", num2, ROWS), CANDOR_OK);
	assert_int_equal(candor_csv_write(t, path), CANDOR_OK);
	if (candor_csv_read(&back, path, NULL))
		fail_msg("%llu:%llu: %s", (unsigned long long)candor_last_error()->line,
		         (unsigned long long)candor_last_error()->column, candor_last_error()->message);
	assert_int_equal(candor_table_nrows(back), ROWS);
	assert_int_equal(candor_table_find(back, "text\ncol", &jc), CANDOR_OK);
	assert_int_equal(candor_table_find(back, "x, \"first\"", &jn), CANDOR_OK);
	assert_int_equal(candor_table_coltype(back, jc), CANDOR_COL_CATEGORICAL);
	for (size_t i = 0; i < ROWS; i++) {
		const double a = num[i], b = candor_table_numeric(back, jn)[i];
		const double a2 = num2[i], b2 = candor_table_numeric(back, 2)[i];
		const char *s = cat(back, jc, i);

		if (!(isnan(a) ? isnan(b) : a == b) || !(isnan(a2) ? isnan(b2) : a2 == b2))
			fail_msg("row %zu: number %.17g read back as %.17g", i, a, b);
		if (codes[i] < 0 ? s != NULL : (s == NULL || strcmp(s, levels[codes[i]])))
			fail_msg("row %zu: text '%s' read back as '%s'", i,
			         codes[i] < 0 ? "(missing)" : levels[codes[i]], s ? s : "(missing)");
	}
	/* the file is big enough to span blocks */
	{
		FILE *f = fopen(path, "rb");

		fseek(f, 0, SEEK_END);
		assert_true(ftell(f) > (8 << 20));
		fclose(f);
	}
	unlink(path);
	candor_table_free(t);
	candor_table_free(back);
	for (int k = 0; k < NLEV; k++)
		free(levels[k]);
	free(codes);
	free(num);
	free(num2);
}

/* A record larger than the reader's block makes it grow the block. */
static void test_csv_huge_field(void **state)
{
	size_t n = (size_t)9 << 20;
	char *text = malloc(n + 64), path[] = "/tmp/candor-big-XXXXXX";
	int fd = mkstemp(path);
	candor_table *t = NULL;
	size_t len;
	FILE *f;

	(void)state;
	if (!text) {
		fail_msg("out of memory");
		return; /* fail_msg is not marked noreturn */
	}
	len = (size_t)sprintf(text, "a,b\n1,\"");
	memset(text + len, 'q', n);
	len += n;
	len += (size_t)sprintf(text + len, "\"\n2,x\n");
	f = fdopen(fd, "wb");
	fwrite(text, 1, len, f);
	fclose(f);
	assert_int_equal(candor_csv_read(&t, path, NULL), CANDOR_OK);
	assert_int_equal(candor_table_nrows(t), 2);
	assert_int_equal(strlen(cat(t, 1, 0)), n);
	assert_string_equal(cat(t, 1, 1), "x");
	candor_table_free(t);
	unlink(path);
	free(text);
}

/* Allocation failures anywhere in the readers: an error, never a crash or
 * a leak (the sanitizer build checks the leaks). */
static void test_readers_failalloc(void **state)
{
	const char *text = "a,b,c\n1,\"x\"\"y\",q\n2,z,\n3,w,r\n";
	const char *arff = "@relation r\n@attribute a numeric\n@attribute b {x,y}\n"
	                   "@attribute c string\n@data\n1,x,'s'\n?,y,t\n";
	int ok = 0;

	(void)state;
	for (long n = 0; n < 200; n++) {
		candor_table *t = NULL;
		candor_status st;

		candor__failalloc_arm(n);
		st = candor_csv_read_buffer(&t, text, strlen(text), NULL);
		candor__failalloc_arm(-1);
		assert_true(st == CANDOR_OK || st == CANDOR_ENOMEM);
		ok += st == CANDOR_OK;
		candor_table_free(t);
		t = NULL;
		candor__failalloc_arm(n);
		st = candor_arff_read_buffer(&t, arff, strlen(arff), "f.arff");
		candor__failalloc_arm(-1);
		assert_true(st == CANDOR_OK || st == CANDOR_ENOMEM);
		candor_table_free(t);
	}
	assert_true(ok > 0);
}

/* ---- ARFF ---------------------------------------------------------------- */

static void test_arff_good(void **state)
{
	const char *text = "% a comment\n"
	                   "@RELATION 'credit g'\n"
	                   "\n"
	                   "@attribute 'checking status' {'<0', '0<=X<200', 'no checking'}\n"
	                   "@ATTRIBUTE duration NUMERIC\n"
	                   "@attribute \"purpose\" string\n"
	                   "@attribute class {good,bad}\n"
	                   "@attribute n integer\n"
	                   "@data\n"
	                   "'<0',6,'radio/tv',good,1\n"
	                   "% comment inside data\n"
	                   "'no checking',?, 'new \\'car\\'' , bad,2\r\n"
	                   "?,12.5,?,good,-3\n";
	candor_table *t = NULL;

	(void)state;
	assert_int_equal(candor_arff_read_buffer(&t, text, strlen(text), "g.arff"), CANDOR_OK);
	assert_int_equal(candor_table_nrows(t), 3);
	assert_int_equal(candor_table_ncols(t), 5);
	assert_string_equal(candor_table_colname(t, 0), "checking status");
	/* nominal codes follow the declaration order */
	assert_int_equal(candor_table_nlevels(t, 0), 3);
	assert_int_equal(candor_table_codes(t, 0)[1], 2);
	assert_int_equal(candor_table_codes(t, 0)[2], -1);
	assert_true(isnan(candor_table_numeric(t, 1)[1]));
	assert_true(candor_table_numeric(t, 1)[2] == 12.5);
	assert_string_equal(cat(t, 2, 1), "new 'car'");
	assert_string_equal(cat(t, 3, 1), "bad");
	assert_true(candor_table_numeric(t, 4)[2] == -3);
	candor_table_free(t);
}

static void test_arff_errors(void **state)
{
	static const bad_case cases[] = {
		{"", CANDOR_EPARSE, 1, 1, "empty file"},
		{"@relation r\n@attribute a {x,y}\n@data\nz\n", CANDOR_EPARSE, 4, 1,
		 "'z' is not a declared value"},
		{"@relation r\n@attribute a numeric\n@data\n1x\n", CANDOR_EPARSE, 4, 1,
		 "'1x' is not a number"},
		{"@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n1\n", CANDOR_EPARSE,
		 5, 2, "row has 1 values"},
		{"@relation r\n@attribute a numeric\n@data\n1,2\n", CANDOR_EPARSE, 4, 2,
		 "more values"},
		{"@relation r\n@attribute a numeric\n@data\n{0 1}\n", CANDOR_EUNSUPPORTED, 4, 1,
		 "sparse"},
		{"@relation r\n@attribute d date\n@data\n", CANDOR_EUNSUPPORTED, 2, 14, "date"},
		{"@relation r\n@attribute a blob\n@data\n", CANDOR_EPARSE, 2, 14, "unknown attribute type"},
		{"@relation r\n@attribute a numeric\n", CANDOR_EPARSE, 2, 1, "no @data"},
		{"@relation r\n@attribute 'a numeric\n@data\n", CANDOR_EPARSE, 2, 12, "unterminated"},
		{"@relation r\n@attribute a numeric\n@attribute a numeric\n@data\n", CANDOR_EPARSE, 3,
		 12, "duplicate attribute"},
		{"hello\n", CANDOR_EPARSE, 1, 1, "expected @relation"},
		{"@relation r\n@attribute a {x,x}\n@data\n", CANDOR_EPARSE, 2, 17, "listed twice"},
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		candor_table *t = NULL;
		candor_status st = candor_arff_read_buffer(&t, cases[k].text, strlen(cases[k].text),
		                                           "f.arff");
		const candor_error *e = candor_last_error();

		if (st != cases[k].status || e->line != cases[k].line || e->column != cases[k].col ||
		    !strstr(e->message, cases[k].words))
			fail_msg("case %zu: got status %d at %llu:%llu '%s', want %d at %llu:%llu '%s'", k,
			         st, (unsigned long long)e->line, (unsigned long long)e->column, e->message,
			         cases[k].status, (unsigned long long)cases[k].line,
			         (unsigned long long)cases[k].col, cases[k].words);
		assert_null(t);
	}
}

/* ---- table ---------------------------------------------------------------- */

static void test_table_ops(void **state)
{
	const double x[] = {1.5, NAN, 3.25, 4};
	const int32_t g[] = {1, 0, -1, 1};
	const char *levels[] = {"lo", "hi"};
	const size_t rows[] = {3, 0, 3};
	const size_t cols[] = {1, 0};
	candor_table *t = NULL, *d = NULL;
	double m[8];
	size_t j;

	(void)state;
	assert_int_equal(candor_table_new(&t), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "x", x, 4), CANDOR_OK);
	assert_int_equal(candor_table_add_categorical(t, "g", g, 4, levels, 2), CANDOR_OK);
	assert_int_equal(candor_table_add_numeric(t, "x", x, 4), CANDOR_EINVAL); /* duplicate */
	assert_int_equal(candor_table_add_numeric(t, "short", x, 3), CANDOR_EINVAL);
	{
		const int32_t badg[] = {0, 2, 0, 0};

		assert_int_equal(candor_table_add_categorical(t, "bad", badg, 4, levels, 2),
		                 CANDOR_EINVAL);
	}
	assert_int_equal(candor_table_find(t, "g", &j), CANDOR_OK);
	assert_int_equal(j, 1);
	assert_int_equal(candor_table_find(t, "nope", &j), CANDOR_ENOTFOUND);
	assert_non_null(strstr(candor_last_error()->message, "'nope'"));
	assert_int_equal(candor_table_level_code(t, 1, "hi"), 1);
	assert_int_equal(candor_table_level_code(t, 1, "mid"), -1);

	{
		candor_column_summary sum;

		assert_int_equal(candor_table_summarize(t, 0, &sum), CANDOR_OK);
		assert_int_equal(sum.missing, 1);
		assert_int_equal(sum.present, 3);
		assert_true(sum.min == 1.5 && sum.max == 4);
		assert_int_equal(sum.nlevels, 0);
		assert_int_equal(candor_table_summarize(t, 1, &sum), CANDOR_OK);
		assert_int_equal(sum.missing, 1);
		assert_int_equal(sum.present, 3);
		assert_int_equal(sum.nlevels, 2);
		assert_true(isnan(sum.min));
		assert_int_equal(candor_table_summarize(t, 2, &sum), CANDOR_EINVAL);
	}
	assert_int_equal(candor_table_matrix(m, t, cols, 2), CANDOR_OK);
	assert_true(m[0] == 1 && m[1] == 1.5 && m[2] == 0 && isnan(m[3]) && isnan(m[4]));

	assert_int_equal(candor_table_slice(&d, t, 1, 3), CANDOR_OK);
	assert_int_equal(candor_table_nrows(d), 2);
	assert_true(candor_table_numeric(d, 0)[1] == 3.25);
	assert_int_equal(candor_table_codes(d, 1)[0], 0);
	assert_string_equal(candor_table_level(d, 1, 1), "hi");
	candor_table_free(d);
	assert_int_equal(candor_table_slice(&d, t, 2, 5), CANDOR_EINVAL);

	assert_int_equal(candor_table_subset(&d, t, rows, 3), CANDOR_OK);
	assert_true(candor_table_numeric(d, 0)[0] == 4 && candor_table_numeric(d, 0)[1] == 1.5);
	candor_table_free(d);

	assert_int_equal(candor_table_select(&d, t, cols, 2), CANDOR_OK);
	assert_string_equal(candor_table_colname(d, 0), "g");
	assert_int_equal(candor_table_nrows(d), 4);
	candor_table_free(d);
	candor_table_free(t);
}

/* ---- where cells came from ------------------------------------------------ */

typedef struct pos {
	uint64_t line, col;
} pos;

/* Write a CSV whose records span lines (quoted line breaks), with blank
 * lines and a late text value (a second pass), recording where each field
 * starts as it is written: the oracle for candor_table_locate. */
static void test_table_locate_csv(void **state)
{
	enum { ROWS = 3000 };
	static pos where[ROWS][3];
	char path[] = "/tmp/candor-loc-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	uint64_t line = 2, col = 1;
	candor_table *t = NULL;
	uint64_t l, c;

	(void)state;
	fputs("a,b,c\n", f);
	for (size_t i = 0; i < ROWS; i++) {
		char b[64], cc[32];
		int n;

		if (i % 500 == 250) {
			fputs("\n", f); /* a blank line, skipped */
			line++;
		}
		if (i % 7 == 3)
			snprintf(b, sizeof(b), "\"two\nlines %zu\"", i);
		else
			snprintf(b, sizeof(b), "plain%zu", i);
		snprintf(cc, sizeof(cc), i == ROWS - 10 ? "late" : "%zu.5", i);
		where[i][0] = (pos){line, col};
		n = fprintf(f, "%zu,", i);
		col += (uint64_t)n;
		where[i][1] = (pos){line, col};
		fputs(b, f);
		if (strchr(b, '\n')) {
			line++;
			col = strlen(strchr(b, '\n') + 1) + 1;
		} else {
			col += strlen(b);
		}
		fputc(',', f);
		col++;
		where[i][2] = (pos){line, col};
		fprintf(f, "%s\n", cc);
		line++;
		col = 1;
	}
	fclose(f);
	candor__csv_test_block_size(4096); /* records cross blocks too */
	assert_int_equal(candor_csv_read(&t, path, NULL), CANDOR_OK);
	candor__csv_test_block_size(0);
	assert_int_equal(candor_table_coltype(t, 2), CANDOR_COL_CATEGORICAL); /* second pass */
	assert_string_equal(candor_table_source(t), path);
	for (size_t i = 0; i < ROWS; i += (i < 1100 ? 1 : 37)) {
		for (size_t j = 0; j < 3; j++) {
			assert_int_equal(candor_table_locate(t, i, j, &l, &c), CANDOR_OK);
			if (l != where[i][j].line || c != where[i][j].col)
				fail_msg("row %zu col %zu: located %llu:%llu, written at %llu:%llu", i, j,
				         (unsigned long long)l, (unsigned long long)c,
				         (unsigned long long)where[i][j].line,
				         (unsigned long long)where[i][j].col);
		}
	}
	assert_int_equal(candor_table_locate(t, ROWS, 0, &l, &c), CANDOR_EINVAL);
	candor_table_free(t);
	unlink(path);

	/* a table from a buffer, or derived, does not know */
	t = csv("a\n1\n", NULL);
	assert_int_equal(candor_table_locate(t, 0, 0, &l, &c), CANDOR_ENOTFOUND);
	assert_string_equal(candor_table_source(t), "<buffer>");
	candor_table_free(t);
}

static void test_table_locate_arff(void **state)
{
	char path[] = "/tmp/candor-loc-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	candor_table *t = NULL, *d = NULL;
	uint64_t l, c;

	(void)state;
	fputs("@relation r\n@attribute a numeric\n@attribute b {x,y}\n@data\n", f);
	/* data row i is on line 5 + i + (comments before it) */
	for (int i = 0; i < 2500; i++) {
		if (i % 1000 == 999)
			fputs("% a comment line\n", f);
		fprintf(f, "%d,  'y'\n", i);
	}
	fclose(f);
	assert_int_equal(candor_arff_read(&t, path), CANDOR_OK);
	assert_int_equal(candor_table_locate(t, 0, 1, &l, &c), CANDOR_OK);
	assert_int_equal(l, 5);
	assert_int_equal(c, 5);
	assert_int_equal(candor_table_locate(t, 2400, 0, &l, &c), CANDOR_OK);
	assert_int_equal(l, 5 + 2400 + 2);
	assert_int_equal(c, 1);
	assert_int_equal(candor_table_locate(t, 2400, 1, &l, &c), CANDOR_OK);
	assert_int_equal(c, 8);
	assert_int_equal(candor_table_slice(&d, t, 0, 10), CANDOR_OK);
	assert_int_equal(candor_table_locate(d, 0, 0, &l, &c), CANDOR_ENOTFOUND);
	candor_table_free(d);
	candor_table_free(t);
	unlink(path);
}

/* ---- synthetic data ------------------------------------------------------- */

static void test_synth_deterministic_and_reads_back(void **state)
{
	candor_table *a = NULL, *b = NULL, *back = NULL;
	char path[] = "/tmp/candor-synth-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	close(fd);
	assert_int_equal(candor_synth_generate(&a, CANDOR_SYNTH_CREDIT, 20000, 7), CANDOR_OK);
	assert_int_equal(candor_synth_generate(&b, CANDOR_SYNTH_CREDIT, 20000, 7), CANDOR_OK);
	assert_int_equal(candor_table_ncols(a), 12);
	assert_int_equal(candor_csv_write(a, path), CANDOR_OK);
	assert_int_equal(candor_csv_read(&back, path, NULL), CANDOR_OK);
	for (size_t j = 0; j < candor_table_ncols(a); j++) {
		assert_string_equal(candor_table_colname(a, j), candor_table_colname(back, j));
		assert_int_equal(candor_table_coltype(a, j), candor_table_coltype(back, j));
		for (size_t i = 0; i < 20000; i++) {
			if (candor_table_coltype(a, j) == CANDOR_COL_NUMERIC) {
				assert_true(candor_table_numeric(a, j)[i] == candor_table_numeric(b, j)[i]);
				assert_true(candor_table_numeric(a, j)[i] == candor_table_numeric(back, j)[i]);
			} else {
				assert_int_equal(candor_table_codes(a, j)[i], candor_table_codes(b, j)[i]);
				assert_string_equal(cat(a, j, i), cat(back, j, i));
			}
		}
	}
	/* another seed gives another table */
	candor_table_free(b);
	assert_int_equal(candor_synth_generate(&b, CANDOR_SYNTH_CREDIT, 20000, 8), CANDOR_OK);
	assert_true(memcmp(candor_table_numeric(a, 3), candor_table_numeric(b, 3),
	                   20000 * sizeof(double)) != 0);
	unlink(path);
	candor_table_free(a);
	candor_table_free(b);
	candor_table_free(back);
}

/* The bundled model file is the library's model text, byte for byte. */
static void test_synth_model_file(void **state)
{
	const char *root = getenv("CANDOR_SOURCE_ROOT");
	char path[4096], buf[4096];
	size_t n;
	FILE *f;

	(void)state;
	assert_non_null(root);
	snprintf(path, sizeof(path), "%s/datasets/credit_model.json", root);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf, candor_synth_credit_model_json());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_rfc4180),
		cmocka_unit_test(test_csv_delimiter_and_spaces),
		cmocka_unit_test(test_csv_types),
		cmocka_unit_test(test_csv_errors),
		cmocka_unit_test(test_csv_forced_numeric_error),
		cmocka_unit_test(test_csv_file_errors),
		cmocka_unit_test(test_csv_locale),
		cmocka_unit_test(test_csv_roundtrip_random),
		cmocka_unit_test(test_csv_huge_field),
		cmocka_unit_test(test_readers_failalloc),
		cmocka_unit_test(test_arff_good),
		cmocka_unit_test(test_arff_errors),
		cmocka_unit_test(test_table_ops),
		cmocka_unit_test(test_table_locate_csv),
		cmocka_unit_test(test_table_locate_arff),
		cmocka_unit_test(test_synth_deterministic_and_reads_back),
		cmocka_unit_test(test_synth_model_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
