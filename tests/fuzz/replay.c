/*
 * replay.c - run a fuzz target over every file of its corpus folders, as an
 * ordinary test with any compiler (after libgit2's standalone_driver.c).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

/* libFuzzer calls a target's LLVMFuzzerInitialize, when it has one, once
 * before the first input; so does the replay */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int count = 0;

	/* the corpus folders as absolute paths: a target may change folder */
	for (int a = 1; a < argc; a++) {
		char *abs = realpath(argv[a], NULL);

		if (!abs) {
			fprintf(stderr, "replay: cannot open %s\n", argv[a]);
			return 1;
		}
		argv[a] = abs; /* kept to the end */
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int a = 1; a < argc; a++) {
		DIR *d = opendir(argv[a]);
		struct dirent *e;

		if (!d) {
			fprintf(stderr, "replay: cannot open %s\n", argv[a]);
			return 1;
		}
		while ((e = readdir(d))) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[a], e->d_name);
			if (run_file(path)) {
				fprintf(stderr, "replay: cannot read %s\n", path);
				closedir(d);
				return 1;
			}
			count++;
		}
		closedir(d);
	}
	printf("replayed %d inputs\n", count);
	for (int a = 1; a < argc; a++)
		free(argv[a]);
	return count ? 0 : 1;
}
