/*
 * accumulator_fuzz.c - libFuzzer target for the serialised fairness
 * accumulator (candor_fairness_acc_deserialize).
 *
 * Each input is tried twice: as it is, and with its last 8 bytes replaced by
 * the FNV-1a checksum of the rest, so that the fuzzer gets past the
 * checksum and reaches the structural checks. When reading succeeds:
 * - serialising the accumulator again gives exactly the input (the format
 *   is canonical: shortest varints, fixed order);
 * - merging a second copy in doubles every count (or is refused when the
 *   row count would overflow), and the merged bytes read back;
 * - the metrics are computed (per attribute, with the intersection, and a
 *   small bootstrap), written as JSON and as the table, without a crash,
 *   a leak or undefined behaviour.
 * A failure leaves no accumulator and points inside the input.
 */
#include <stdio.h>
#include <stdlib.h>

#include "candor/fairness.h"
#include "fuzz_common.h"

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void compute_all(const candor_fairness_acc *acc)
{
	candor_fairness_options o = CANDOR_FAIRNESS_OPTIONS_INIT;

	for (int mode = 0; mode < 3; mode++) {
		candor_fairness_result *res = NULL;
		candor_status st;

		o.intersect = mode >= 1;
		o.ci = mode == 2 ? CANDOR_FAIRNESS_CI_BOOTSTRAP : CANDOR_FAIRNESS_CI_WILSON;
		o.bootstrap = mode == 2 ? 10 : 0;
		o.threads = 1;
		/* bootstrap resamples every stored score per replicate: keep it
		 * to inputs that stay fast */
		if (mode == 2 && candor_fairness_acc_nrows(acc) > 100000)
			break;
		st = candor_fairness_compute(&res, acc, &o);
		if (st == CANDOR_OK) {
			char *json = NULL;
			size_t len = 0;
			FILE *f = fopen("/dev/null", "w");

			if (!res)
				__builtin_trap();
			if (candor_fairness_result_json(res, &json, &len) == CANDOR_OK &&
			    (!json || json[len] != '\0'))
				__builtin_trap();
			free(json);
			if (f) {
				candor_fairness_result_write_text(res, f);
				fclose(f);
			}
		} else if (res) {
			__builtin_trap();
		}
		candor_fairness_result_free(res);
	}
}

static void run(const uint8_t *data, size_t size)
{
	candor_fairness_acc *acc = NULL, *copy = NULL, *back = NULL;
	uint8_t *out = NULL;
	size_t len = 0;
	uint64_t n;
	candor_status st;

	st = candor_fairness_acc_deserialize(&acc, data, size);
	if (st != CANDOR_OK) {
		const candor_error *e = candor_last_error();

		if (acc)
			__builtin_trap();
		if (st == CANDOR_EPARSE && e->column > (uint64_t)size + 1)
			__builtin_trap();
		return;
	}
	/* the round trip gives the very bytes back */
	st = candor_fairness_acc_serialize(acc, &out, &len);
	if (st == CANDOR_OK && (len != size || memcmp(out, data, size) != 0))
		__builtin_trap();
	free(out);
	out = NULL;
	compute_all(acc);
	/* merging a copy doubles the rows */
	n = candor_fairness_acc_nrows(acc);
	if (candor_fairness_acc_deserialize(&copy, data, size) != CANDOR_OK)
		__builtin_trap();
	st = candor_fairness_acc_merge(acc, copy);
	if (st == CANDOR_OK) {
		if (candor_fairness_acc_nrows(acc) != 2 * n)
			__builtin_trap();
		if (candor_fairness_acc_serialize(acc, &out, &len) == CANDOR_OK) {
			if (candor_fairness_acc_deserialize(&back, out, len) != CANDOR_OK ||
			    candor_fairness_acc_nrows(back) != 2 * n)
				__builtin_trap();
		}
		compute_all(acc);
	} else if (st != CANDOR_EUNSUPPORTED && st != CANDOR_ENOMEM) {
		__builtin_trap();
	} else if (candor_fairness_acc_nrows(acc) != n) {
		__builtin_trap(); /* a refused merge leaves dst as it was */
	}
	free(out);
	candor_fairness_acc_free(back);
	candor_fairness_acc_free(copy);
	candor_fairness_acc_free(acc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fixed;
	uint64_t h;

	run(data, size);
	if (size < 8)
		return 0;
	fixed = malloc(size);
	if (!fixed)
		return 0;
	memcpy(fixed, data, size);
	h = fnv1a(fixed, size - 8);
	for (int k = 0; k < 8; k++)
		fixed[size - 8 + (size_t)k] = (uint8_t)(h >> (8 * k));
	if (memcmp(fixed, data, size) != 0)
		run(fixed, size);
	free(fixed);
	return 0;
}
