/*
 * cli_fuzz.c - libFuzzer target for the whole command line: the input is
 * split into argv words (at spaces, tabs, newlines and NUL bytes) and run
 * in-process through cli_main(), the candor program without its main().
 * Any input gives an exit status 0 to 3, never a crash, a leak, undefined
 * behaviour or a hang.
 *
 * Ground rules, so that fuzzing is safe and bounded:
 *  - every run happens in a fresh folder inside a private temporary folder
 *    (mkdtemp under $TMPDIR), which is emptied after the run; inputs with an
 *    absolute path or ".." are skipped, so nothing is read or written
 *    outside it. Each run's folder holds small fixtures: data.csv (100 rows
 *    of `datasets synth --kind credit`), model.json (its model),
 *    policy.json, and demo/audit.json (of `audit --demo --rows 100`);
 *  - --model-cmd (and its abbreviations) is skipped: it runs a command;
 *  - inputs are at most 512 bytes and 48 words, and numbers in them at most
 *    4 digits, so every run is short (an option's own bounds are tested by
 *    tests/cli/limits_test.sh);
 *  - stdout and stderr (the FILE streams) go to /dev/null; sanitizer
 *    reports, written to file descriptor 2, still appear.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../cli/cmd.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_INPUT 512
#define MAX_WORDS 48

typedef struct fixture {
	const char *path;
	char *bytes;
	size_t size;
} fixture;

static char base[4096];
static fixture fixtures[] = {
	{"data.csv", NULL, 0},
	{"model.json", NULL, 0},
	{"policy.json", NULL, 0},
	{"demo/audit.json", NULL, 0},
};
static FILE *devnull;

static const char policy[] =
	"{\"min_group_size\": 5, \"checks\": ["
	"{\"metric\": \"disparate_impact\", \"min\": 0.8},"
	"{\"metric\": \"tpr\", \"max_difference\": 0.1}]}\n";

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove DIR and everything in it (never following a symlink). */
static void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*size = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int run(int argc, char **argv)
{
	FILE *out = stdout, *err = stderr;
	int rc;

	stdout = devnull;
	stderr = devnull;
	rc = cli_main(argc, argv);
	fflush(devnull);
	stdout = out;
	stderr = err;
	return rc;
}

static void die(const char *what)
{
	fprintf(stderr, "cli_fuzz: %s: %s\n", what, strerror(errno));
	abort();
}

static void remove_base(void)
{
	if (chdir("/") == 0)
		remove_tree(base);
}

/* Make the private folder and the fixtures, with the program itself. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	char gen[4200];
	char *synth[] = {"candor", "datasets", "synth", "--kind", "credit", "--rows", "100",
	                 "--seed", "5", "--out", "data.csv", "--model-out", "model.json", NULL};
	char *demo[] = {"candor", "audit", "--demo", "--rows", "100", "--explain-rows", "10",
	                "--threads", "1", "--out", "demo", NULL};
	FILE *f;

	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	snprintf(base, sizeof(base), "%s/candor-cli-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!devnull || !mkdtemp(base))
		die("cannot make a temporary folder");
	atexit(remove_base);
	snprintf(gen, sizeof(gen), "%s/gen", base);
	if (mkdir(gen, 0700) != 0 || chdir(gen) != 0)
		die(gen);
	if (run(13, synth) != 0 || run(11, demo) > 1)
		die("cannot make the fixtures");
	f = fopen("policy.json", "w");
	if (!f || fputs(policy, f) == EOF || fclose(f) != 0)
		die("policy.json");
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		if (!(fixtures[i].bytes = read_all(fixtures[i].path, &fixtures[i].size)))
			die(fixtures[i].path);
	if (chdir(base) != 0)
		die(base);
	remove_tree(gen);
	return 0;
}

/* A word that could reach outside the folder, or start a program. */
static int unsafe(const char *w)
{
	const char *eq = strchr(w, '=');

	if (w[0] == '/' || strstr(w, "..") || (eq && eq[1] == '/') || strstr(w, "--model-c"))
		return 1;
	for (const char *s = w; *s; s++) { /* numbers: at most 4 digits */
		size_t n = strspn(s, "0123456789");
		if (n > 4)
			return 1;
		s += n ? n - 1 : 0;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[MAX_INPUT + 1], *argv[MAX_WORDS + 2], dir[4200];
	int argc = 1, rc;

	if (size > MAX_INPUT)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = (char *)"candor";
	for (size_t i = 0; i < size;) {
		while (i < size && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\0'))
			buf[i++] = '\0';
		if (i == size)
			break;
		if (argc == MAX_WORDS + 1)
			return 0;
		argv[argc++] = buf + i;
		while (i < size && buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\0')
			i++;
	}
	argv[argc] = NULL;
	for (int i = 1; i < argc; i++)
		if (unsafe(argv[i]))
			return 0;

	snprintf(dir, sizeof(dir), "%s/run", base);
	if (mkdir(dir, 0700) != 0 || chdir(dir) != 0 || mkdir("demo", 0700) != 0)
		die(dir);
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		FILE *f = fopen(fixtures[i].path, "wb");

		if (!f || fwrite(fixtures[i].bytes, 1, fixtures[i].size, f) != fixtures[i].size ||
		    fclose(f) != 0)
			die(fixtures[i].path);
	}
	rc = run(argc, argv);
	if (chdir(base) != 0)
		die(base);
	remove_tree(dir);
	/* the exit statuses of DESIGN.md, and nothing else */
	if (rc < 0 || rc > 3)
		__builtin_trap();
	return 0;
}
