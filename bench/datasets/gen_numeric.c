/*
 * gen_numeric.c - write a numeric CSV of about SIZE_MB megabytes: 12
 * columns of decimal numbers like those of real feature tables (mixed
 * integers, 2-6 decimals, a few negatives and exponents), deterministic.
 * usage: gen_numeric OUT.csv SIZE_MB
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/core_int.h"

int main(int argc, char **argv)
{
	FILE *f;
	uint64_t x = 2026, target, written = 0;

	if (argc != 3 || !(f = fopen(argv[1], "w"))) {
		fprintf(stderr, "usage: gen_numeric OUT.csv SIZE_MB\n");
		return 2;
	}
	target = strtoull(argv[2], NULL, 10) * 1000000ULL;
	setvbuf(f, NULL, _IOFBF, 1 << 22);
	written += (uint64_t)fprintf(f, "x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,x10,x11\n");
	while (written < target) {
		for (int j = 0; j < 12; j++) {
			double u;

			x = candor__splitmix64(x);
			u = (double)(x >> 11) / 9007199254740992.0;
			switch (j % 4) {
			case 0:
				written += (uint64_t)fprintf(f, "%d", (int)(u * 100000));
				break;
			case 1:
				written += (uint64_t)fprintf(f, "%.2f", u * 1000 - 200);
				break;
			case 2:
				written += (uint64_t)fprintf(f, "%.6f", u);
				break;
			default:
				written += (uint64_t)fprintf(f, "%.4e", (u - 0.5) * 1e-3);
				break;
			}
			fputc(j == 11 ? '\n' : ',', f);
			written++;
		}
	}
	return fclose(f) == 0 ? 0 : 1;
}
