/*
 * cmd.h - the candor command line: shared helpers and the subcommands.
 *
 * Adding a subcommand (after git's builtin.h):
 *  1. write cli/cmd_NAME.c with `int cmd_NAME(int argc, char **argv)`; one
 *     static cli_option table drives both parsing and the --help text;
 *  2. add its row to `commands[]` in cli/main.c and its file to cli/meson.build;
 *  3. test it in tests/cli: --help, a good run, and each bad-input exit code;
 *  4. document it in README.md and keep DESIGN.md's contract.
 *
 * The CLI has no numerics of its own: it parses arguments, calls libcandor,
 * prints errors from candor_last_error(), and maps statuses to exit codes.
 */
#ifndef CANDOR_CLI_CMD_H
#define CANDOR_CLI_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "candor/candor.h"

/* Exit statuses (DESIGN.md). */
enum {
	CLI_EXIT_OK = 0,       /* success, or the policy passed */
	CLI_EXIT_POLICY = 1,   /* the policy failed */
	CLI_EXIT_USAGE = 2,    /* bad usage or bad input */
	CLI_EXIT_INTERNAL = 3  /* internal error, or not implemented yet */
};

/* One row of a subcommand's option table. `key` is what getopt_long
 * returns; `arg` names the value (NULL for a flag). */
typedef struct cli_option {
	const char *name;
	int key;
	const char *arg;
	const char *help;
} cli_option;

#define CLI_MAX_OPTIONS 64

/* Parser state for one subcommand. */
typedef struct cli_parser {
	const char *command;      /* "fairness" */
	const char *synopsis;     /* usage lines after "candor " */
	const char *description;  /* one paragraph */
	const cli_option *options;/* terminated by a row with name == NULL */
	bool operands;            /* accept non-option arguments (left at argv[optind..]) */
	struct option longopts[CLI_MAX_OPTIONS + 2];
} cli_parser;

/* Prepare `p` (adds --help) and reset getopt to argv[1]. */
void cli_parser_init(cli_parser *p, const char *command, const char *synopsis,
                     const char *description, const cli_option *options);

/*
 * Next option: returns its key and sets *arg; returns -1 at the end. On
 * --help prints the help and returns 'h' (caller exits 0); on a bad option
 * prints an error and returns '?' (caller exits 2).
 */
int cli_next(cli_parser *p, int argc, char **argv, const char **arg);

/* Print the help text of `p` to `f`. */
void cli_help(const cli_parser *p, FILE *f);

/* "candor SUB: message; see 'candor SUB --help'" to stderr; returns 2. */
int cli_usage_error(const cli_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print candor_last_error() as "candor: FILE:LINE:COL: message" and map
 * `status` to an exit code (2 for bad input, 3 for internal errors). */
int cli_fail(candor_status status);

/* Parse helpers: print a usage error and return false on bad text. */
bool cli_parse_u64(const cli_parser *p, const char *opt, const char *text, uint64_t *out);
bool cli_parse_size(const cli_parser *p, const char *opt, const char *text, size_t *out);
bool cli_parse_double(const cli_parser *p, const char *opt, const char *text, double *out);

/* Split "a,b,c" into a NULL-terminated array of strings (one allocation,
 * free with free()); *n receives the count. NULL on allocation failure. */
char **cli_split(const char *text, char sep, size_t *n);

/* Progress on stderr, only when stderr is a terminal: "\rLABEL done/total". */
void cli_progress(const char *label, uint64_t done, uint64_t total);
void cli_progress_end(void);

/* Atomic output: write to PATH.tmp-XXXXXX in the same folder, then rename.
 * cli_atomic_open returns NULL (after printing the error) on failure. */
typedef struct cli_atomic {
	FILE *f;
	char *path;
	char *tmp;
} cli_atomic;
FILE *cli_atomic_open(cli_atomic *a, const char *path);
/* Close; when `commit` rename over the target, else remove the temporary.
 * Returns 0, or prints the error and returns 2. */
int cli_atomic_close(cli_atomic *a, bool commit);

/* The command line for a manifest: "candor" and argv[0..argc) joined with
 * spaces, arguments holding spaces or quotes single-quoted (malloc'd; NULL
 * when out of memory). */
char *cli_command_line(int argc, char **argv);
/* The audit time for a manifest, "YYYY-MM-DDTHH:MM:SSZ": SOURCE_DATE_EPOCH
 * when set (the reproducible-builds convention), else the clock. */
void cli_audit_time(char *buf, size_t size);

/* Subcommands. */
int cmd_fairness(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_datasets(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_mitigate(int argc, char **argv);

#endif
