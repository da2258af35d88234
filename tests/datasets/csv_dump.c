/*
 * csv_dump.c - print a table read by candor in a canonical form that
 * csv_oracle.py compares with Python's csv module:
 *   line 1: column names, hex-encoded, space-separated
 *   line 2: N or C per column (numeric, categorical)
 *   then one line per row: per cell "M" (missing), "N<%.17g>" or "S<hex>"
 * Exit 2 with the error on stderr when the file does not read.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "candor/datasets.h"

static void hex(const char *s)
{
	if (!*s)
		putchar('-');
	for (; *s; s++)
		printf("%02x", (unsigned char)*s);
}

int main(int argc, char **argv)
{
	candor_table *t = NULL;
	candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;

	if (argc < 2)
		return 2;
	if (argc > 2)
		o.delimiter = argv[2][0];
	if (candor_csv_read(&t, argv[1], &o)) {
		const candor_error *e = candor_last_error();

		fprintf(stderr, "%s:%llu:%llu: %s\n", e->path, (unsigned long long)e->line,
		        (unsigned long long)e->column, e->message);
		return 2;
	}
	for (size_t j = 0; j < candor_table_ncols(t); j++) {
		if (j)
			putchar(' ');
		hex(candor_table_colname(t, j));
	}
	putchar('\n');
	for (size_t j = 0; j < candor_table_ncols(t); j++)
		putchar(candor_table_coltype(t, j) == CANDOR_COL_NUMERIC ? 'N' : 'C');
	putchar('\n');
	for (size_t i = 0; i < candor_table_nrows(t); i++) {
		for (size_t j = 0; j < candor_table_ncols(t); j++) {
			if (j)
				putchar(' ');
			if (candor_table_coltype(t, j) == CANDOR_COL_NUMERIC) {
				double v = candor_table_numeric(t, j)[i];

				if (isnan(v))
					putchar('M');
				else
					printf("N%.17g", v);
			} else {
				int32_t c = candor_table_codes(t, j)[i];

				if (c < 0) {
					putchar('M');
				} else {
					putchar('S');
					hex(candor_table_level(t, j, c));
				}
			}
		}
		putchar('\n');
	}
	candor_table_free(t);
	return 0;
}
