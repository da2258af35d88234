/*
 * arff_fuzz.c - libFuzzer target for the ARFF reader: any input gives a
 * table or an error, never a crash, a leak or undefined behaviour.
 */
#include "datasets/datasets_int.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	candor_table *t = NULL;

	if (candor_arff_read_buffer(&t, (const char *)data, size, "fuzz.arff") == CANDOR_OK) {
		/* touch every cell so the sanitizers see any bad storage */
		for (size_t j = 0; j < candor_table_ncols(t); j++)
			for (size_t i = 0; i < candor_table_nrows(t); i++)
				(void)candor_table_value(t, i, j);
	}
	candor_table_free(t);
	return 0;
}
