/*
 * rng.c - GSL random generators that cannot reach GSL's error handler.
 *
 * GSL reports errors through a process-wide handler whose default aborts,
 * and libcandor must neither abort its host nor change that global (a host
 * may rely on it for its own GSL calls, and setting it around our calls
 * would race with the host's threads). So every GSL call in the library is
 * made with arguments for which it cannot fail (docs/abi.md lists them;
 * tests/abi/gsl.sh checks that the library calls no other GSL function).
 * The two generator calls that can fail are replaced here:
 * gsl_rng_alloc() reports a failed malloc through the handler, and
 * gsl_rng_uniform_int() reports n = 0 or n above the generator's range.
 */
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

gsl_rng *candor__rng_new(void)
{
	/* What gsl_rng_alloc() does, with our allocator; gsl_rng_free() frees
	 * both blocks with free(), which is what candor__free() is. */
	const gsl_rng_type *T = gsl_rng_mt19937;
	gsl_rng *r = candor__malloc(sizeof(*r));

	if (!r)
		return NULL;
	r->state = candor__calloc(1, T->size);
	if (!r->state) {
		candor__free(r);
		return NULL;
	}
	r->type = T;
	gsl_rng_set(r, gsl_rng_default_seed);
	return r;
}

uint64_t candor__rng_index(const gsl_rng *r, uint64_t n)
{
	const unsigned long range = gsl_rng_max(r) - gsl_rng_min(r);

	if (n == 0)
		return 0;
	if (n <= range)
		return gsl_rng_uniform_int(r, (unsigned long)n); /* the same draws as before */
	/* Beyond the generator's range (mt19937: 2^32 - 1): two draws make 64
	 * bits, and rejection keeps the result uniform. */
	const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;

	do {
		const uint64_t hi = gsl_rng_get(r) - gsl_rng_min(r);
		const uint64_t lo = gsl_rng_get(r) - gsl_rng_min(r);

		x = hi << 32 | (lo & 0xffffffffu);
	} while (x >= limit);
	return x % n;
}
