/*
 * test_error.c - the error record keeps long texts whole (up to its bound),
 * cuts beyond it honestly, survives forwarding its own text, and frees a
 * thread's text when the thread exits (LeakSanitizer in the ASan build).
 *
 * Oracle: the strings built here, compared byte for byte.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core_int.h"

/* A string of n bytes cycling through "a".."z" and "/" (freed by caller). */
static char *long_text(size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = i % 27 == 26 ? '/' : (char)('a' + i % 27);
	s[n] = '\0';
	return s;
}

static void test_ten_kilobyte_path(void **state)
{
	char *path = long_text(10000), *msg = long_text(12345);

	(void)state;
	candor__error(CANDOR_EPARSE, path, 3, 4, "unexpected '%s'", msg);
	const candor_error *e = candor_last_error();
	assert_int_equal(e->status, CANDOR_EPARSE);
	assert_int_equal(strlen(e->path), 10000);
	assert_string_equal(e->path, path);
	assert_int_equal(strlen(e->message), 12345 + strlen("unexpected ''"));
	assert_memory_equal(e->message, "unexpected '", 12);
	assert_memory_equal(e->message + 12, msg, 12345);
	assert_int_equal(e->line, 3);
	assert_int_equal(e->column, 4);
	/* back to a short one: the record shrinks to its inline text */
	candor__error(CANDOR_EIO, NULL, 0, 0, "short");
	assert_string_equal(candor_last_error()->message, "short");
	assert_string_equal(candor_last_error()->path, "");
	free(path);
	free(msg);
}

static void test_bound_and_marker(void **state)
{
	char *msg = long_text(100000);

	(void)state;
	candor__error(CANDOR_EPARSE, NULL, 0, 0, "%s", msg);
	const char *m = candor_last_error()->message;
	const size_t len = strlen(m);
	assert_int_equal(len, CANDOR_ERROR_MAX_TEXT);
	assert_string_equal(m + len - 3, "...");
	assert_memory_equal(m, msg, len - 3);
	free(msg);

	/* a two-byte character is never cut in half before the marker */
	const size_t n = 40000;
	char *utf = malloc(2 * n + 1);
	assert_non_null(utf);
	for (size_t i = 0; i < n; i++)
		memcpy(utf + 2 * i, "\xc3\xa9", 2); /* U+00E9 */
	utf[2 * n] = '\0';
	candor__error(CANDOR_EPARSE, utf, 0, 0, "x");
	const char *p = candor_last_error()->path;
	const size_t plen = strlen(p);
	assert_true(plen <= CANDOR_ERROR_MAX_TEXT && plen >= CANDOR_ERROR_MAX_TEXT - 1);
	assert_string_equal(p + plen - 3, "...");
	assert_int_equal((plen - 3) % 2, 0);
	assert_memory_equal(p, utf, plen - 3);
	free(utf);

	/* exactly the bound is kept whole */
	msg = long_text(CANDOR_ERROR_MAX_TEXT);
	candor__error(CANDOR_EPARSE, NULL, 0, 0, "%s", msg);
	assert_string_equal(candor_last_error()->message, msg);
	free(msg);
}

static void test_forward_own_text(void **state)
{
	char *path = long_text(5000), *msg = long_text(7000);
	char *want = malloc(7000 + 20);

	(void)state;
	assert_non_null(want);
	candor__error(CANDOR_EPARSE, path, 1, 2, "%s", msg);
	/* a caller wraps the record's own message and path into a new error */
	const candor_error *e = candor_last_error();
	candor__error(CANDOR_EIO, e->path, e->line, e->column, "reading: %s", e->message);
	snprintf(want, 7000 + 20, "reading: %s", msg);
	assert_string_equal(candor_last_error()->message, want);
	assert_string_equal(candor_last_error()->path, path);
	/* and short ones held inline */
	candor__error(CANDOR_EPARSE, "a.csv", 1, 2, "bad");
	candor__error(CANDOR_EIO, candor_last_error()->path, 0, 0, "%s, then %s",
	              candor_last_error()->message, candor_last_error()->message);
	assert_string_equal(candor_last_error()->message, "bad, then bad");
	assert_string_equal(candor_last_error()->path, "a.csv");
	free(path);
	free(msg);
	free(want);
}

static void *worker(void *arg)
{
	candor__saved_error *saved = arg;
	char *path = long_text(20000);

	candor__error(CANDOR_ENOTFOUND, path, 9, 0, "no column '%s'", "x");
	candor__error_save(saved);
	free(path);
	return NULL; /* the thread's 20 kB path is freed at its exit */
}

static void test_threads(void **state)
{
	candor__saved_error saved;
	pthread_t t;
	char *path = long_text(20000);

	(void)state;
	candor__error(CANDOR_EPARSE, "main.csv", 0, 0, "main's own");
	assert_int_equal(pthread_create(&t, NULL, worker, &saved), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	/* the worker's error did not touch this thread's record */
	assert_string_equal(candor_last_error()->message, "main's own");
	/* and its copy, restored here, is whole */
	assert_int_equal(candor__error_restore(&saved), CANDOR_ENOTFOUND);
	assert_string_equal(candor_last_error()->message, "no column 'x'");
	assert_string_equal(candor_last_error()->path, path);
	assert_int_equal(candor_last_error()->line, 9);
	assert_null(saved.message);
	free(path);
	candor_error_clear();
	assert_string_equal(candor_last_error()->message, "");
	assert_string_equal(candor_last_error()->path, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ten_kilobyte_path),
		cmocka_unit_test(test_bound_and_marker),
		cmocka_unit_test(test_forward_own_text),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
