/*
 * fuzz_common.h - helpers shared by the fuzz targets: compare two tables
 * cell by cell, trap on a difference (libFuzzer and the replay driver both
 * report a trap as a crash).
 */
#ifndef CANDOR_FUZZ_COMMON_H
#define CANDOR_FUZZ_COMMON_H

#include <stdint.h>
#include <string.h>

#include "candor/datasets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_same_tables(const candor_table *a, const candor_table *b)
{
	if (candor_table_nrows(a) != candor_table_nrows(b) ||
	    candor_table_ncols(a) != candor_table_ncols(b))
		__builtin_trap();
	for (size_t j = 0; j < candor_table_ncols(a); j++) {
		if (strcmp(candor_table_colname(a, j), candor_table_colname(b, j)) ||
		    candor_table_coltype(a, j) != candor_table_coltype(b, j))
			__builtin_trap();
		for (size_t i = 0; i < candor_table_nrows(a); i++) {
			if (candor_table_coltype(a, j) == CANDOR_COL_NUMERIC) {
				double x = candor_table_numeric(a, j)[i], y = candor_table_numeric(b, j)[i];

				if (memcmp(&x, &y, sizeof(x)) != 0)
					__builtin_trap();
			} else {
				const char *x = candor_table_level(a, j, candor_table_codes(a, j)[i]);
				const char *y = candor_table_level(b, j, candor_table_codes(b, j)[i]);

				if ((x == NULL) != (y == NULL) || (x && strcmp(x, y)))
					__builtin_trap();
			}
		}
	}
}

#endif
