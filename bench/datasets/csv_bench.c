/*
 * csv_bench.c - time candor_csv_read on one file (one core).
 * Prints: bytes rows cols seconds MB/s table_bytes
 * (MB = 10^6 bytes; table_bytes = 8 per numeric cell, 4 per categorical
 * cell, the table's in-memory size without dictionaries).
 */
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "candor/datasets.h"

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct stat sb;
	candor_table *t = NULL;
	double secs;
	size_t bytes = 0;

	if (argc != 2 || stat(argv[1], &sb) != 0) {
		fprintf(stderr, "usage: csv_bench FILE.csv\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (candor_csv_read(&t, argv[1], NULL)) {
		fprintf(stderr, "csv_bench: %s\n", candor_last_error()->message);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	for (size_t j = 0; j < candor_table_ncols(t); j++)
		bytes += candor_table_nrows(t) *
		         (candor_table_coltype(t, j) == CANDOR_COL_NUMERIC ? 8 : 4);
	printf("%lld %zu %zu %.4f %.1f %zu\n", (long long)sb.st_size, candor_table_nrows(t),
	       candor_table_ncols(t), secs, (double)sb.st_size / secs / 1e6, bytes);
	candor_table_free(t);
	return 0;
}
