/*
 * policy_fuzz.c - libFuzzer target for the fairness policy parser: any
 * input gives a policy or an error with a position inside the input, never
 * a crash, a leak or undefined behaviour.
 */
#include "candor/fairness.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	candor_fairness_policy *p = NULL;

	if (candor_fairness_policy_parse(&p, (const char *)data, size, "fuzz.json") != CANDOR_OK) {
		/* an error about the text points inside it */
		const candor_error *e = candor_last_error();

		if (e->line > (uint64_t)size + 1 || e->column > (uint64_t)size + 1)
			__builtin_trap();
	}
	candor_fairness_policy_free(p);
	return 0;
}
