/*
 * num.c - locale-independent number parsing and formatting, random streams.
 *
 * Parsing uses Clinger's fast path (1990): when the decimal mantissa has at
 * most 19 digits, is below 2^53 and the power of ten is at most 22 in
 * magnitude, mantissa * 10^e (or / 10^-e) is a single correctly rounded IEEE
 * operation on two exact doubles. That covers nearly every number found in a
 * CSV file; the rest go to strtod_l() in the "C" locale, which is correctly
 * rounded as well. Either way the user's LC_NUMERIC is never consulted.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

uint64_t candor__splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t candor__stream_seed(uint64_t seed, uint64_t a, uint64_t b)
{
	return candor__splitmix64(candor__splitmix64(candor__splitmix64(seed) ^ a) ^ b);
}

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale_obj; /* written once under pthread_once, then read-only */

static void make_c_locale(void)
{
	c_locale_obj = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

locale_t candor__c_locale(void)
{
	pthread_once(&c_locale_once, make_c_locale);
	return c_locale_obj;
}

int candor__format_double(char *buf, size_t size, double v)
{
	locale_t old = uselocale(candor__c_locale());
	int len = 0;

	for (int prec = 15; prec <= 17; prec++) {
		len = snprintf(buf, size, "%.*g", prec, v);
		if (prec == 17 || strtod(buf, NULL) == v)
			break;
	}
	uselocale(old);
	return len;
}

static const double pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static bool parse_slow(const char *s, size_t n, double *out)
{
	char small[128];
	char *buf = small, *end;
	bool ok;

	if (n >= sizeof(small)) {
		buf = malloc(n + 1);
		if (!buf)
			return false;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtod_l(buf, &end, candor__c_locale());
	ok = end == buf + n;
	if (buf != small)
		free(buf);
	return ok;
}

static bool parse_decimal(const char *s, size_t n, double *out)
{
	const char *p = s, *e = s + n;
	bool neg = false;
	uint64_t mant = 0;
	int ndigits = 0, nsig = 0, dexp = 0;

	if (p < e && (*p == '+' || *p == '-')) {
		neg = *p == '-';
		p++;
	}
	/* integer part */
	while (p < e && (unsigned)(*p - '0') < 10) {
		if (nsig < 19) {
			mant = mant * 10 + (uint64_t)(*p - '0');
			if (mant)
				nsig++;
		} else {
			dexp++;
			nsig++;
		}
		ndigits++;
		p++;
	}
	if (p < e && *p == '.') {
		p++;
		while (p < e && (unsigned)(*p - '0') < 10) {
			if (nsig < 19) {
				mant = mant * 10 + (uint64_t)(*p - '0');
				if (mant)
					nsig++;
				dexp--;
			} else {
				nsig++;
			}
			ndigits++;
			p++;
		}
	}
	if (ndigits == 0)
		return false;
	if (p < e && (*p == 'e' || *p == 'E')) {
		bool eneg = false;
		int ev = 0, edigits = 0;

		p++;
		if (p < e && (*p == '+' || *p == '-')) {
			eneg = *p == '-';
			p++;
		}
		while (p < e && (unsigned)(*p - '0') < 10) {
			if (ev < 100000)
				ev = ev * 10 + (*p - '0');
			edigits++;
			p++;
		}
		if (edigits == 0)
			return false;
		dexp += eneg ? -ev : ev;
	}
	if (p != e)
		return false;
	if (nsig <= 19 && mant <= (UINT64_C(1) << 53) && dexp >= -22 && dexp <= 22) {
		double d = (double)mant;

		d = dexp < 0 ? d / pow10_exact[-dexp] : d * pow10_exact[dexp];
		*out = neg ? -d : d;
		return true;
	}
	if (mant == 0 && nsig == 0) {
		*out = neg ? -0.0 : 0.0;
		return true;
	}
	return parse_slow(s, n, out);
}

bool candor__parse_double(const char *s, size_t n, double *out)
{
	return parse_decimal(s, n, out);
}

/* The fast path never overflows; strtod_l rounds a finite decimal beyond
 * DBL_MAX (by half an ulp or more) to infinity, which is what is refused. An
 * underflow rounds to the nearest double (a subnormal or zero), which is
 * the correctly rounded value and kept. */
candor__num candor__parse_number(const char *s, size_t n, double *out)
{
	double v;

	if (!parse_decimal(s, n, &v))
		return CANDOR__NUM_SYNTAX;
	if (isinf(v))
		return CANDOR__NUM_RANGE;
	*out = v;
	return CANDOR__NUM_OK;
}
