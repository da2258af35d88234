/*
 * libcsv_bench.c - the same job as csv_bench with Debian's libcsv (3.0.3)
 * doing the tokenising: 8 MiB reads fed to csv_parse, each field's callback
 * parses the number with the same parser candor uses and appends it to a
 * growing array. Prints: bytes fields seconds MB/s.
 */
#include <csv.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/core_int.h"

typedef struct sink {
	double *v;
	size_t n, cap;
	size_t row;
} sink;

static void on_field(void *s, size_t len, void *p)
{
	sink *k = p;
	double v = 0;

	if (k->row == 0)
		return; /* header */
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 1 << 20;
		k->v = realloc(k->v, k->cap * sizeof(double));
		if (!k->v)
			exit(3);
	}
	if (len && !candor__parse_double(s, len, &v))
		v = 0;
	k->v[k->n++] = v;
}

static void on_row(int c, void *p)
{
	(void)c;
	((sink *)p)->row++;
}

int main(int argc, char **argv)
{
	struct csv_parser parser;
	struct timespec t0, t1;
	struct stat sb;
	sink k = {0};
	size_t cap = (size_t)8 << 20;
	char *buf = malloc(cap);
	ssize_t n;
	double secs;
	int fd;

	if (argc != 2 || stat(argv[1], &sb) != 0 || !buf) {
		fprintf(stderr, "usage: libcsv_bench FILE.csv\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = open(argv[1], O_RDONLY);
	csv_init(&parser, CSV_APPEND_NULL);
	while ((n = read(fd, buf, cap)) > 0)
		if (csv_parse(&parser, buf, (size_t)n, on_field, on_row, &k) != (size_t)n)
			return 2;
	csv_fini(&parser, on_field, on_row, &k);
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	printf("%lld %zu %.4f %.1f\n", (long long)sb.st_size, k.n, secs,
	       (double)sb.st_size / secs / 1e6);
	csv_free(&parser);
	free(k.v);
	free(buf);
	return 0;
}
