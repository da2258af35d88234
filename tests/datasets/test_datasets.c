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
#include <sys/wait.h>
#include <time.h>
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

	/* header only: zero rows, when asked for (an error by default: see
	 * test_csv_no_rows) */
	{
		candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;

		o.allow_no_rows = true;
		t = csv("a,b\n", &o);
		assert_int_equal(candor_table_nrows(t), 0);
		assert_int_equal(candor_table_ncols(t), 2);
		candor_table_free(t);
	}
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
	/* past the default field bound: an error at the field */
	assert_int_equal(candor_csv_read(&t, path, NULL), CANDOR_EPARSE);
	assert_int_equal(candor_last_error()->line, 2);
	assert_int_equal(candor_last_error()->column, 3);
	assert_non_null(strstr(candor_last_error()->message, "max_field_bytes"));
	{
		candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;

		o.max_field_bytes = (size_t)16 << 20;
		assert_int_equal(candor_csv_read(&t, path, &o), CANDOR_OK);
	}
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


/* ---- issue 9: numbers, NUL bytes, bounds, wide headers, empty files ------ */

static void expect_error(candor_status st, candor_status want, uint64_t line, uint64_t col,
                         const char *words)
{
	const candor_error *e = candor_last_error();

	if (st != want || e->line != line || e->column != col || !strstr(e->message, words))
		fail_msg("got status %d at %llu:%llu '%s', want %d at %llu:%llu '%s'", st,
		         (unsigned long long)e->line, (unsigned long long)e->column, e->message, want,
		         (unsigned long long)line, (unsigned long long)col, words);
}

static candor_status csv_status(const char *text, size_t len, const candor_csv_options *o)
{
	candor_table *t = NULL;
	candor_status st = candor_csv_read_buffer(&t, text, len, o);

	if (st == CANDOR_OK)
		candor_table_free(t);
	else
		assert_null(t);
	return st;
}

/* A decimal number that overflows a double is an error at its place, never
 * an infinity; the oracle for the values kept is strtod (C locale). */
static void test_csv_overflow(void **state)
{
	const char *names[] = {"a"};
	const candor_coltype num[] = {CANDOR_COL_NUMERIC};
	const candor_coltype text[] = {CANDOR_COL_CATEGORICAL};
	candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;
	candor_table *t;

	(void)state;
	expect_error(csv_status("a\n1\n1e400\n", 10, NULL), CANDOR_EPARSE, 3, 1,
	             "'1e400' is beyond the range of a double");
	expect_error(csv_status("a,b\n1,2\n3, -1.5e309\n", 20, NULL), CANDOR_EPARSE, 3, 3,
	             "beyond the range of a double (column 'b' is numeric)");
	/* two columns: the earlier in the file is reported */
	expect_error(csv_status("a,b\n1,1e999\n2e999,3\n", 20, NULL), CANDOR_EPARSE, 2, 3, "1e999");
	/* forced numeric: at once */
	o.override_names = names;
	o.override_types = num;
	o.noverrides = 1;
	expect_error(csv_status("a\n1e400\nx\n", 10, &o), CANDOR_EPARSE, 2, 1, "beyond the range");
	/* a column that turns out to be text holds the text, whatever it is */
	t = csv("a\n1e400\nabc\n", NULL);
	assert_int_equal(candor_table_coltype(t, 0), CANDOR_COL_CATEGORICAL);
	assert_string_equal(cat(t, 0, 0), "1e400");
	candor_table_free(t);
	o.override_types = text;
	t = csv("a\n1e400\n", &o);
	assert_string_equal(cat(t, 0, 0), "1e400");
	candor_table_free(t);
	/* the largest double and an underflow read as strtod reads them */
	t = csv("a\n1.7976931348623157e308\n1e-400\n-4.9e-324\n", NULL);
	assert_true(candor_table_numeric(t, 0)[0] == strtod("1.7976931348623157e308", NULL));
	assert_true(candor_table_numeric(t, 0)[1] == 0.0);
	assert_true(candor_table_numeric(t, 0)[2] == strtod("-4.9e-324", NULL));
	candor_table_free(t);
	/* inf and nan are text; a forced numeric column refuses them */
	t = csv("a,b\ninf,1\nnan,2\n", NULL);
	assert_int_equal(candor_table_coltype(t, 0), CANDOR_COL_CATEGORICAL);
	candor_table_free(t);
	o.override_types = num;
	expect_error(csv_status("a\nnan\n", 6, &o), CANDOR_EPARSE, 2, 1, "'nan' is not a number");
}

/* Missing-value tokens: exact, in every column, quoted or not. */
static void test_csv_missing_tokens(void **state)
{
	const char *toks[] = {"nan", "NA"};
	candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;
	candor_table *t;

	(void)state;
	o.missing_tokens = toks;
	o.nmissing_tokens = 2;
	t = csv("x,g\n1.5,a\nnan,NA\n\"NA\",nan\n2,NaN\n", &o);
	assert_int_equal(candor_table_coltype(t, 0), CANDOR_COL_NUMERIC);
	assert_true(candor_table_numeric(t, 0)[0] == 1.5);
	assert_true(isnan(candor_table_numeric(t, 0)[1]));
	assert_true(isnan(candor_table_numeric(t, 0)[2]));
	assert_true(candor_table_numeric(t, 0)[3] == 2);
	assert_null(cat(t, 1, 1));
	assert_null(cat(t, 1, 2));
	assert_string_equal(cat(t, 1, 3), "NaN"); /* no case folding */
	assert_int_equal(candor_table_nlevels(t, 1), 2);
	candor_table_free(t);
	o.nmissing_tokens = 3;
	o.missing_tokens = NULL;
	assert_int_equal(csv_status("a\n1\n", 4, &o), CANDOR_EINVAL);
	/* a version 1 caller (a smaller struct) still works */
	{
		struct {
			unsigned int version;
			char delimiter;
			const char *const *on;
			const candor_coltype *ot;
			size_t no;
			const char *dn;
		} v1 = {1, ';', NULL, NULL, 0, "v1.csv"};

		t = NULL;
		assert_int_equal(candor_csv_read_buffer(&t, "a;b\n1;2\n", 8,
		                                        (const candor_csv_options *)(void *)&v1),
		                 CANDOR_OK);
		assert_int_equal(candor_table_ncols(t), 2);
		candor_table_free(t);
	}
}

/* The writer never turns a non-finite number into an empty field. */
static void test_csv_write_nonfinite(void **state)
{
	char dir[] = "/tmp/candor-nonfinite-XXXXXX", path[128];
	const double bad[][2] = {{1, INFINITY}, {-INFINITY, 2}};

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.csv", dir);
	for (size_t k = 0; k < 2; k++) {
		candor_table *t = NULL;

		assert_int_equal(candor_table_new(&t), CANDOR_OK);
		assert_int_equal(candor_table_add_numeric(t, "x", bad[k], 2), CANDOR_OK);
		assert_int_equal(candor_csv_write(t, path), CANDOR_EDOMAIN);
		assert_non_null(strstr(candor_last_error()->message, "infinite"));
		assert_int_equal(access(path, F_OK), -1); /* nothing written */
		candor_table_free(t);
	}
	/* NaN is the table's missing value: an empty field, read back as NaN */
	{
		const double v[] = {NAN, 1};
		candor_table *t = NULL, *back = NULL;

		assert_int_equal(candor_table_new(&t), CANDOR_OK);
		assert_int_equal(candor_table_add_numeric(t, "x", v, 2), CANDOR_OK);
		assert_int_equal(candor_csv_write(t, path), CANDOR_OK);
		assert_int_equal(candor_csv_read(&back, path, NULL), CANDOR_OK);
		assert_true(isnan(candor_table_numeric(back, 0)[0]));
		candor_table_free(t);
		candor_table_free(back);
		unlink(path);
	}
	rmdir(dir);
}

/* Write `len` bytes to a fresh temporary file; returns its path (static). */
static const char *temp_file(const char *data, size_t len)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/candor-test-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

/* A NUL byte is an error at its place, in a buffer, in a file read in
 * blocks of any size, and from /dev/zero. */
static void test_csv_nul(void **state)
{
	static const struct {
		const char *text;
		size_t len;
		uint64_t line, col;
	} cases[] = {
		{"a,b\n1,a\0b\n", 10, 2, 4},
		{"y\0,b\n1,2\n", 9, 1, 2},
		{"a,b\n1,\"x\0\"\n", 11, 2, 5},
		{"a,b\n1,\"two\nli\0nes\"\n", 19, 3, 3},
		{"a,b\n\0", 5, 2, 1},
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		const char *path;

		expect_error(csv_status(cases[k].text, cases[k].len, NULL), CANDOR_EPARSE,
		             cases[k].line, cases[k].col, "NUL byte");
		path = temp_file(cases[k].text, cases[k].len);
		for (size_t b = 1; b <= 7; b += 3) {
			candor_table *t = NULL;

			candor__csv_test_block_size(b);
			expect_error(candor_csv_read(&t, path, NULL), CANDOR_EPARSE, cases[k].line,
			             cases[k].col, "NUL byte");
			candor__csv_test_block_size(0);
		}
		unlink(path);
	}
	{
		candor_table *t = NULL;

		expect_error(candor_csv_read(&t, "/dev/zero", NULL), CANDOR_EPARSE, 1, 1, "NUL byte");
		assert_string_equal(candor_last_error()->path, "/dev/zero");
		expect_error(candor_arff_read(&t, "/dev/zero"), CANDOR_EPARSE, 1, 1, "NUL byte");
	}
}

/* Field, record and column bounds: an error at the first byte past one,
 * the same whichever way the input is cut into blocks. */
static void test_csv_bounds(void **state)
{
	static const struct {
		const char *text;
		uint64_t line, col;
		const char *words; /* NULL: reads */
	} cases[] = {
		{"a,b\n1234,x\n", 0, 0, NULL},
		{"a,b\n12345,x\n", 2, 1, "field longer than 4 bytes"},
		{"a,b\n\"123\",x\n", 0, 0, NULL},
		{"a,b\n\"1234\",x\n", 2, 1, "record longer than 7 bytes"},
		{"a,b\n\"12345\",x\n", 2, 1, "field longer than 4"},
		{"a,b\n\"12\"\"3\",x\n", 2, 1, "field longer than 4"},
		{"a,b\n\"123\"\"\",x\n", 2, 1, "field longer than 4"},
		{"a,b\n\"12345", 2, 1, "field longer than 4"},
		{"a,b\n\"1234", 2, 1, "unterminated"},
		{"a,b\n1,x,y\n", 2, 5, "more than 2 columns"},
		{"a,b,c\n", 1, 5, "more than 2 columns"},
		{"a,b\n12,3456\n", 0, 0, NULL},     /* 7 bytes: the record bound */
		{"a,b\n12,34567\n", 2, 4, "field longer"},
		{"a,b\n123,4567\n", 2, 1, "record longer than 7 bytes"},
		{"a,b\n1234,\"12\"\n", 2, 1, "record longer than 7 bytes"},
		{"a,b\n123,\"1\"\r\n", 0, 0, NULL},
		{"a,b\n1234567,\n", 2, 1, "field longer"},
		{"a,b\n123456,\n", 2, 1, "field longer"},
		{"a,b\n1234,12,\n", 2, 1, "record longer"},
		{"a,b\n1,\"1\nx\"\n", 0, 0, NULL},
		{"a,b\n12,\"1\nx\"\n", 2, 1, "record longer"},
		/* a byte-order mark is not part of the first name, also when the
		 * first blocks cut it (fuzz found blocks of 1 and 2 bytes did) */
		{"\xef\xbb\xbf" "a,b\n1,2\n", 0, 0, NULL},
		{"\xef\xbb\xbf" "abcde,b\n1,2\n", 1, 1, "field longer than 4"},
		{"\xef\xbb\xbf" "a,b\n1,2\n12345,1\n", 3, 1, "field longer than 4"},
	};
	candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;

	(void)state;
	o.max_field_bytes = 4;
	o.max_record_bytes = 7;
	o.max_columns = 2;
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		const char *text = cases[k].text;
		const char *path = temp_file(text, strlen(text));
		candor_status st = csv_status(text, strlen(text), &o);

		if (!cases[k].words) {
			if (st)
				fail_msg("case %zu: %s", k, candor_last_error()->message);
		} else {
			expect_error(st, CANDOR_EPARSE, cases[k].line, cases[k].col, cases[k].words);
		}
		for (size_t b = 1; b <= 13; b++) {
			candor_table *t = NULL;

			candor__csv_test_block_size(b);
			st = candor_csv_read(&t, path, &o);
			candor__csv_test_block_size(0);
			candor_table_free(t);
			if (!cases[k].words)
				assert_int_equal(st, CANDOR_OK);
			else
				expect_error(st, CANDOR_EPARSE, cases[k].line, cases[k].col,
				             cases[k].words);
		}
		unlink(path);
	}
	/* the byte-order mark is skipped whatever the block size, before the
	 * field bound counts (a mark cut by the first block once counted) */
	{
		static const char text[] = "\xef\xbb\xbf" "a,c\n1,2\n";
		const char *path = temp_file(text, strlen(text));
		candor_csv_options small = CANDOR_CSV_OPTIONS_INIT;

		small.max_field_bytes = 1;
		for (size_t b = 0; b <= 5; b++) {
			candor_table *t = NULL;

			candor__csv_test_block_size(b);
			assert_int_equal(candor_csv_read(&t, path, &small), CANDOR_OK);
			candor__csv_test_block_size(0);
			assert_string_equal(candor_table_colname(t, 0), "a");
			assert_int_equal(candor_table_nrows(t), 1);
			candor_table_free(t);
		}
		unlink(path);
	}
	/* the default field bound: 1 MiB fits, one more byte does not */
	{
		const size_t n = CANDOR_CSV_MAX_FIELD_BYTES + 1;
		char *text = malloc(n + 16);

		assert_non_null(text);
		memcpy(text, "a\n", 2);
		memset(text + 2, 'x', n);
		text[2 + n] = '\n';
		expect_error(csv_status(text, n + 3, NULL), CANDOR_EPARSE, 2, 1, "max_field_bytes");
		text[2 + n - 1] = '\n';
		assert_int_equal(csv_status(text, n + 2, NULL), CANDOR_OK);
		free(text);
	}
}

/* Input that is not a regular file is bounded: an endless pipe ends with an
 * error. */
static void test_csv_pipe_bound(void **state)
{
	int fds[2];
	pid_t pid;
	char path[64];
	candor_table *t = NULL;
	candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (write(fds[1], "a,b\n", 4) != 4)
			_exit(1);
		for (;;)
			if (write(fds[1], "1,2\n", 4) != 4)
				_exit(0);
	}
	close(fds[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	o.max_stream_bytes = 100000;
	o.display_name = "pipe.csv";
	assert_int_equal(candor_csv_read(&t, path, &o), CANDOR_EPARSE);
	assert_non_null(strstr(candor_last_error()->message, "max_stream_bytes"));
	assert_string_equal(candor_last_error()->path, "pipe.csv");
	close(fds[0]);
	waitpid(pid, NULL, 0);
}

/* 200,000 columns: the header check (duplicates, overrides) and lookups by
 * name take linear time; a duplicate is found at its place. */
static void test_csv_wide_header(void **state)
{
	const size_t n = 200000;
	char *text = malloc(n * 10 + 64), *p = text;
	const char *names[] = {"c199999", "c7"};
	const candor_coltype types[] = {CANDOR_COL_CATEGORICAL, CANDOR_COL_NUMERIC};
	candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;
	candor_table *t = NULL;
	clock_t t0 = clock();
	size_t j, len;

	(void)state;
	assert_non_null(text);
	for (j = 0; j < n; j++)
		p += sprintf(p, "%sc%zu", j ? "," : "", j);
	p += sprintf(p, "\n");
	for (j = 0; j < n; j++)
		*p++ = j + 1 < n ? ',' : '\n';
	len = (size_t)(p - text);
	o.override_names = names;
	o.override_types = types;
	o.noverrides = 2;
	o.allow_no_rows = true; /* the data row is all missing: fine */
	assert_int_equal(candor_csv_read_buffer(&t, text, len, &o), CANDOR_OK);
	assert_int_equal(candor_table_ncols(t), n);
	assert_int_equal(candor_table_coltype(t, n - 1), CANDOR_COL_CATEGORICAL);
	assert_int_equal(candor_table_find(t, "c123456", &j), CANDOR_OK);
	assert_int_equal(j, 123456);
	candor_table_free(t);
	/* a duplicate of the first name as the last one */
	p = strchr(text, '\n');
	{
		char *last = text;

		for (char *q = text; q < p; q++)
			if (*q == ',')
				last = q + 1;
		memcpy(last, "c0", 2);
		memmove(last + 2, p, len - (size_t)(p - text));
		len -= (size_t)(p - (last + 2));
		expect_error(candor_csv_read_buffer(&t, text, len, NULL), CANDOR_EPARSE, 1,
		             (uint64_t)(last - text) + 1, "duplicate column name 'c0'");
	}
	free(text);
	if ((double)(clock() - t0) / CLOCKS_PER_SEC > 20)
		fail_msg("200,000 columns took %.1f s of CPU", (double)(clock() - t0) / CLOCKS_PER_SEC);
}

/* A file with a header and no rows is an error that names the file. */
static void test_csv_no_rows(void **state)
{
	candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;
	candor_table *t = NULL;
	const char *path;

	(void)state;
	o.display_name = "d.csv";
	expect_error(csv_status("a,b\n", 4, &o), CANDOR_EPARSE, 2, 1, "no data rows");
	assert_string_equal(candor_last_error()->path, "d.csv");
	expect_error(csv_status("a,b\r\n\r\n\r\n", 8, &o), CANDOR_EPARSE, 4, 1, "no data rows");
	path = temp_file("a,b\n", 4);
	expect_error(candor_csv_read(&t, path, NULL), CANDOR_EPARSE, 2, 1, "no data rows");
	assert_string_equal(candor_last_error()->path, path);
	unlink(path);
	expect_error(candor_arff_read_buffer(&t, "@relation r\n@attribute a numeric\n@data\n", 39,
	                                     "e.arff"),
	             CANDOR_EPARSE, 4, 1, "no data rows");
	assert_string_equal(candor_last_error()->path, "e.arff");
}

/* ARFF: the same classes of input. */
static void test_arff_hostile(void **state)
{
	static const char head[] = "@relation r\n@attribute a numeric\n@attribute b string\n@data\n";
	char buf[256];
	candor_table *t = NULL;
	size_t n;

	(void)state;
	n = (size_t)snprintf(buf, sizeof(buf), "%s1,x\n1e400,y\n", head);
	expect_error(candor_arff_read_buffer(&t, buf, n, "f.arff"), CANDOR_EPARSE, 6, 1,
	             "beyond the range of a double");
	n = (size_t)snprintf(buf, sizeof(buf), "%s1,x\n2,'a", head);
	buf[n++] = '\0';
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "b'\n");
	expect_error(candor_arff_read_buffer(&t, buf, n, "f.arff"), CANDOR_EPARSE, 6, 5, "NUL byte");
	memcpy(buf, "@rel\0", 5);
	expect_error(candor_arff_read_buffer(&t, buf, 5, "f.arff"), CANDOR_EPARSE, 1, 5, "NUL byte");
	/* a value past the field bound, a line past the record bound */
	{
		const size_t big = CANDOR_CSV_MAX_FIELD_BYTES + 1;
		char *text = malloc(sizeof(head) + big + 16);
		const char *path;

		assert_non_null(text);
		n = (size_t)sprintf(text, "%s1,", head);
		memset(text + n, 'z', big);
		n += big;
		text[n++] = '\n';
		expect_error(candor_arff_read_buffer(&t, text, n, "f.arff"), CANDOR_EPARSE, 5, 3,
		             "value longer than");
		path = temp_file(text, n);
		expect_error(candor_arff_read(&t, path), CANDOR_EPARSE, 5, 3, "value longer than");
		unlink(path);
		free(text);
	}
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

/* ---- candor_table_read: CSV or ARFF by content ----------------------------- */

/* Write `text` to a fresh file whose name ends in `suffix`; returns its path. */
static char *write_named(const char *text, const char *suffix)
{
	char dir[] = "/tmp/candor-tread-XXXXXX";
	static char path[128];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/data%s", dir, suffix);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
	return path;
}

static void remove_named(const char *path)
{
	char dir[128];

	unlink(path);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
}

static const char tread_arff[] = "% a comment first\n\n  @RELATION r\n@attribute x numeric\n"
                                 "@attribute c {a,b}\n@data\n1.5,a\n-2,b\n";
static const char tread_csv[] = "x,c\n1.5,a\n-2,b\n";

/* The same two rows, whichever reader made the table. */
static void check_tread_table(const candor_table *t, const char *want_source)
{
	assert_int_equal(candor_table_nrows(t), 2);
	assert_int_equal(candor_table_ncols(t), 2);
	assert_int_equal(candor_table_coltype(t, 0), CANDOR_COL_NUMERIC);
	assert_true(candor_table_numeric(t, 0)[0] == 1.5 && candor_table_numeric(t, 0)[1] == -2);
	assert_int_equal(candor_table_coltype(t, 1), CANDOR_COL_CATEGORICAL);
	assert_string_equal(cat(t, 1, 1), "b");
	(void)want_source;
}

static void test_table_read_by_content(void **state)
{
	candor_table *t = NULL;
	char *p;
	(void)state;

	/* an ARFF file named .csv is read as ARFF (the CSV reader would fail on
	 * its '%' line: checked below), a CSV file named .arff as CSV */
	p = write_named(tread_arff, ".csv");
	assert_int_equal(candor_table_read(&t, p, NULL), CANDOR_OK);
	check_tread_table(t, p);
	candor_table_free(t);
	assert_int_not_equal(candor_csv_read(&t, p, NULL), CANDOR_OK);
	candor_table_free(t);
	t = NULL;
	/* ARFF with a CSV-only option is refused, not read without it */
	candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;
	o.delimiter = ';';
	assert_int_equal(candor_table_read(&t, p, &o), CANDOR_EINVAL);
	assert_non_null(strstr(candor_last_error()->message, "options.delimiter"));
	assert_null(t);
	remove_named(p);

	p = write_named(tread_csv, ".arff");
	assert_int_equal(candor_table_read(&t, p, NULL), CANDOR_OK);
	check_tread_table(t, p);
	candor_table_free(t);
	t = NULL;
	assert_int_not_equal(candor_arff_read(&t, p), CANDOR_OK);
	remove_named(p);

	/* what could be read either way is an error at the deciding line */
	static const struct {
		const char *text;
		uint64_t line, col;
		const char *needle;
	} doubt[] = {
		{ "% comment\nx,c\n1,a\n", 2, 1, "'%' comment lines, then no @relation" },
		{ "\n\n @attribute x numeric\n@data\n1\n", 3, 2, "starts with @relation" },
		{ "@data\n1\n", 1, 1, "starts with @relation" },
		{ "% only comments\n%\n", 3, 1, "only '%' comment lines" },
	};
	for (size_t k = 0; k < sizeof(doubt) / sizeof(doubt[0]); k++) {
		p = write_named(doubt[k].text, ".csv");
		assert_int_equal(candor_table_read(&t, p, NULL), CANDOR_EPARSE);
		assert_null(t);
		assert_string_equal(candor_last_error()->path, p);
		assert_int_equal(candor_last_error()->line, doubt[k].line);
		assert_int_equal(candor_last_error()->column, doubt[k].col);
		if (!strstr(candor_last_error()->message, doubt[k].needle))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", k, candor_last_error()->message,
			         doubt[k].needle);
		remove_named(p);
	}
	/* a header named "@relationship" is CSV, not ARFF */
	p = write_named("@relationship,c\n1,a\n", ".arff");
	assert_int_equal(candor_table_read(&t, p, NULL), CANDOR_OK);
	assert_string_equal(candor_table_colname(t, 0), "@relationship");
	candor_table_free(t);
	t = NULL;
	remove_named(p);
	/* a missing file is an I/O error naming it */
	assert_int_equal(candor_table_read(&t, "/nonexistent/d.csv", NULL), CANDOR_EIO);
	assert_string_equal(candor_last_error()->path, "/nonexistent/d.csv");

	/* a pipe is read once: ARFF and CSV through /dev/fd */
	for (int which = 0; which < 2; which++) {
		int fds[2];
		char dev[64];
		const char *text = which ? tread_csv : tread_arff;
		assert_int_equal(pipe(fds), 0);
		assert_int_equal(write(fds[1], text, strlen(text)), (ssize_t)strlen(text));
		close(fds[1]);
		snprintf(dev, sizeof(dev), "/dev/fd/%d", fds[0]);
		assert_int_equal(candor_table_read(&t, dev, NULL), CANDOR_OK);
		check_tread_table(t, dev);
		candor_table_free(t);
		t = NULL;
		close(fds[0]);
	}
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
		cmocka_unit_test(test_table_read_by_content),
		cmocka_unit_test(test_table_locate_csv),
		cmocka_unit_test(test_table_locate_arff),
		cmocka_unit_test(test_synth_deterministic_and_reads_back),
		cmocka_unit_test(test_synth_model_file),
		cmocka_unit_test(test_csv_overflow),
		cmocka_unit_test(test_csv_missing_tokens),
		cmocka_unit_test(test_csv_write_nonfinite),
		cmocka_unit_test(test_csv_nul),
		cmocka_unit_test(test_csv_bounds),
		cmocka_unit_test(test_csv_pipe_bound),
		cmocka_unit_test(test_csv_wide_header),
		cmocka_unit_test(test_csv_no_rows),
		cmocka_unit_test(test_arff_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
