/*
 * test_core.c - errors, allocation, numbers and random streams.
 *
 * Oracle for number parsing: glibc's strtod_l in the "C" locale, which is
 * correctly rounded; candor's fast path must agree bit for bit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core_int.h"

static double ref_strtod(const char *s)
{
	return strtod_l(s, NULL, candor__c_locale());
}

static void test_error_record(void **state)
{
	(void)state;
	candor_error_clear();
	assert_int_equal(candor_last_error()->status, CANDOR_OK);
	assert_int_equal(candor__error(CANDOR_EPARSE, "f.csv", 7, 12, "bad %s", "thing"),
	                 CANDOR_EPARSE);
	assert_string_equal(candor_last_error()->path, "f.csv");
	assert_int_equal(candor_last_error()->line, 7);
	assert_int_equal(candor_last_error()->column, 12);
	assert_string_equal(candor_last_error()->message, "bad thing");
	assert_int_equal(candor__oom(), CANDOR_ENOMEM);
	assert_string_equal(candor_last_error()->message, "out of memory");
	assert_string_equal(candor_last_error()->path, "");
	assert_string_equal(candor_status_str(CANDOR_EPARSE), "parse error");
	assert_non_null(candor_version());
}

static void test_failalloc(void **state)
{
	void *p;

	(void)state;
	candor__failalloc_arm(1);
	p = candor__malloc(8);
	assert_non_null(p);
	candor__free(p);
	assert_null(candor__malloc(8)); /* the second one fails */
	assert_int_equal(candor_last_error()->status, CANDOR_ENOMEM);
	p = candor__malloc(8); /* disarmed again */
	assert_non_null(p);
	candor__free(p);
	assert_null(candor__mallocarray(SIZE_MAX / 2, 4)); /* overflow */
}

static void test_parse_fixed(void **state)
{
	static const char *good[] = {
		"0", "-0", "1", "+1", "1.5", "-2.25", ".5", "5.", "1e10", "1E-5", "1.7976931348623157e308",
		"4.9406564584124654e-324", "2.2250738585072014e-308", "0.1", "0.3",
		"123456789012345678901234567890", "9007199254740993", "3.14159265358979323846",
		"1e23", "8.98846567431158e307", "0.000000000000000000000000001", "1e-400", "1e400",
		"72057594037927933", "2.385", "-0.000",
	};
	static const char *bad[] = {"", "-", "+", ".", "e5", "1e", "1e+", "1..2", "1,5", " 1", "1 ",
	                            "inf", "nan", "0x10", "1.2.3", "--1", "1e5.5"};
	double v;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		assert_true(candor__parse_double(good[i], strlen(good[i]), &v));
		if (memcmp(&(double){ref_strtod(good[i])}, &v, sizeof(v)) != 0)
			fail_msg("'%s' parsed as %.17g, strtod says %.17g", good[i], v,
			         ref_strtod(good[i]));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (candor__parse_double(bad[i], strlen(bad[i]), &v))
			fail_msg("'%s' should not parse", bad[i]);
}

/* Random decimal strings of every shape the fast path and the slow path
 * see: the result must equal strtod's bit for bit. */
static void test_parse_random(void **state)
{
	uint64_t x = 12345;

	(void)state;
	for (int it = 0; it < 200000; it++) {
		char s[64];
		int n = 0, digits, frac;
		double v, ref;

		x = candor__splitmix64(x);
		if (x & 1)
			s[n++] = '-';
		digits = 1 + (int)((x >> 1) % 20);
		frac = (int)((x >> 8) % 12);
		for (int k = 0; k < digits; k++) {
			x = candor__splitmix64(x);
			s[n++] = (char)('0' + x % 10);
		}
		if (frac) {
			s[n++] = '.';
			for (int k = 0; k < frac; k++) {
				x = candor__splitmix64(x);
				s[n++] = (char)('0' + x % 10);
			}
		}
		if ((x >> 20) % 3 == 0)
			n += snprintf(s + n, sizeof(s) - (size_t)n, "e%d", (int)((x >> 24) % 80) - 40);
		s[n] = '\0';
		assert_true(candor__parse_double(s, (size_t)n, &v));
		ref = ref_strtod(s);
		if (memcmp(&ref, &v, sizeof(v)) != 0)
			fail_msg("'%s' parsed as %.17g, strtod says %.17g", s, v, ref);
	}
}

static void test_format_roundtrip(void **state)
{
	uint64_t x = 99;
	char buf[40];

	(void)state;
	candor__format_double(buf, sizeof(buf), 0.1);
	assert_string_equal(buf, "0.1");
	candor__format_double(buf, sizeof(buf), 1e300);
	assert_string_equal(buf, "1e+300");
	candor__format_double(buf, sizeof(buf), 0.1 + 0.2);
	assert_string_equal(buf, "0.30000000000000004");
	candor__format_double(buf, sizeof(buf), 42);
	assert_string_equal(buf, "42");
	for (int it = 0; it < 100000; it++) {
		double v, back;

		x = candor__splitmix64(x);
		memcpy(&v, &x, sizeof(v));
		if (v != v || v - v != 0)
			continue; /* NaN or infinity */
		candor__format_double(buf, sizeof(buf), v);
		assert_true(candor__parse_double(buf, strlen(buf), &back));
		assert_memory_equal(&v, &back, sizeof(v));
	}
}

static void test_streams(void **state)
{
	(void)state;
	/* splitmix64 reference values: Steele, Lea & Flood (2014), seed 0
	 * (the first outputs of the published generator, as in Vigna's
	 * splitmix64.c with x = 0 then successive increments) */
	assert_true(candor__splitmix64(0) == UINT64_C(0xe220a8397b1dcdaf));
	assert_true(candor__stream_seed(1, 2, 3) == candor__stream_seed(1, 2, 3));
	assert_true(candor__stream_seed(1, 2, 3) != candor__stream_seed(1, 3, 2));
	assert_true(candor__stream_seed(1, 2, 3) != candor__stream_seed(2, 2, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_record),   cmocka_unit_test(test_failalloc),
		cmocka_unit_test(test_parse_fixed),    cmocka_unit_test(test_parse_random),
		cmocka_unit_test(test_format_roundtrip), cmocka_unit_test(test_streams),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
