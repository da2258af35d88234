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

#include <float.h>
#include <getopt.h>
#include <signal.h>
#include <math.h>
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

/* A library message with the names of the library's parameters
 * ("options.link") replaced by the flags that set them ("--link"), in buf. */
const char *cli_flag_words(char *buf, size_t size, const char *msg);

/* Print candor_last_error() as "candor: FILE:LINE:COL: message" (with
 * cli_flag_words) and map
 * `status` to an exit code (2 for bad input, 3 for internal errors). */
int cli_fail(candor_status status);

/*
 * Numeric option values, each with its bounds (docs/cli.md lists every
 * option's): on text that is not a number, or a number outside the bounds,
 * print a usage error naming --OPT and the bounds ("--bootstrap wants an
 * integer in [10, 100000], not '1e9'") and return false (the caller exits 2).
 * Integers are decimal digits only (no sign, space or 0x). Doubles are read
 * in the C locale; NaN is never accepted, nor an infinity unless a bound is
 * one; `open` is CLI_OPEN_MIN and/or CLI_OPEN_MAX for an exclusive bound.
 */
enum { CLI_CLOSED = 0, CLI_OPEN_MIN = 1, CLI_OPEN_MAX = 2 };
bool cli_parse_u64(const cli_parser *p, const char *opt, const char *text, uint64_t min,
                   uint64_t max, uint64_t *out);
bool cli_parse_size(const cli_parser *p, const char *opt, const char *text, size_t min,
                    size_t max, size_t *out);
bool cli_parse_double(const cli_parser *p, const char *opt, const char *text, double min,
                      double max, unsigned open, double *out);

/* The bounds of the numeric options (docs/cli.md, "Limits"). */
#define CLI_THREADS_MAX 1024                 /* --threads: 1..1024 */
#define CLI_SYNTH_ROWS_MAX ((size_t)10000000) /* datasets synth / audit --demo --rows */
#define CLI_DEMO_ROWS_MIN ((size_t)100)       /* audit --demo --rows */
#define CLI_BOOTSTRAP_MIN ((size_t)10)        /* fairness --bootstrap */
#define CLI_BOOTSTRAP_MAX ((size_t)100000)
#define CLI_EXPLAIN_ROWS_MAX ((size_t)100000) /* audit --explain-rows */
#define CLI_LIME_ROWS_MAX ((size_t)1000)      /* audit --lime-rows */
#define CLI_NSAMPLES_MAX ((size_t)1000000)    /* explain --nsamples */
#define CLI_BACKGROUND_MAX ((size_t)100000)   /* explain --background-size */
#define CLI_MODEL_BATCH_MAX ((size_t)1048576) /* explain --model-batch */
#define CLI_LIME_FEATURES_MAX ((size_t)10000) /* explain --lime-features */
#define CLI_TIMEOUT_MAX 86400.0               /* explain --model-timeout, seconds */
#define CLI_KERNEL_WIDTH_MAX 1e6              /* explain --kernel-width */
#define CLI_TARGET_STDERR_MAX 1e300           /* explain --target-stderr */

/* Split "a,b,c" into a NULL-terminated array of strings (one allocation,
 * free with free()); *n receives the count. NULL on allocation failure. */
char **cli_split(const char *text, char sep, size_t *n);

/* Progress on stderr, only when stderr is a terminal: "\rLABEL done/total". */
void cli_progress(const char *label, uint64_t done, uint64_t total);
void cli_progress_end(void);

/* Atomic output (docs/cli-outputs.md): write TEMPDIR/BASENAME inside a
 * private folder beside PATH (PATH.tmp-PID.START.BOOT-XXXXXX, mode 0700),
 * then rename. cli_atomic_open gives a FILE to write (its errors keep their
 * errno); cli_atomic_stage gives instead the name (a->tmp) under which a
 * library call writes the output itself. Both print the error and return
 * NULL on failure. */
typedef struct cli_sink cli_sink;
typedef struct cli_atomic {
	FILE *f;        /* NULL for a staged output */
	char *path;     /* the target */
	char *tmp;      /* TEMPDIR/BASENAME */
	char *tmpdir;   /* the private folder (candor_free) */
	cli_sink *sink; /* the errno of the first failed write */
	bool staged;
} cli_atomic;
FILE *cli_atomic_open(cli_atomic *a, const char *path);
const char *cli_atomic_stage(cli_atomic *a, const char *path);
/* The outputs of one run, together: when `commit`, close and check them all,
 * then swap each with its target (renameat2), undoing the earlier swaps when
 * a later one fails, so either every target gets its new content or none
 * does; else remove every temporary. Entries with path NULL (never opened)
 * are skipped. Returns 0, or prints the error (with its errno) and returns 2.
 * Every entry is cleared. */
int cli_atomic_commit(cli_atomic *outs, size_t n, bool commit);
/* cli_fail for a library call that wrote the staged output `a`: an error
 * about its temporary name is reported under the target's name. */
int cli_fail_staged(candor_status status, const cli_atomic *a);
/* cli_atomic_commit of one output. */
int cli_atomic_close(cli_atomic *a, bool commit);

/* The paths of one run, for cli_check_paths. */
typedef enum cli_path_kind {
	CLI_PATH_IN,            /* a file the run reads */
	CLI_PATH_IN_OWN_REPORT, /* an input that may lie inside the --out folder
	                           (report --from DIR/audit.json --out DIR) */
	CLI_PATH_OUT,           /* a file the run writes */
	CLI_PATH_OUT_DIR        /* a folder the run replaces whole */
} cli_path_kind;
typedef struct cli_path {
	const char *option; /* "json", for messages */
	const char *path;   /* NULL: not given, skipped */
	cli_path_kind kind;
} cli_path;
/* Refuse (print, return 2) a run where an output is an input or another
 * output (same device and inode, so hard links and symlinks count; or the
 * same name in the same folder for outputs not yet there), where an input or
 * output lies inside an --out folder that is replaced, or where an output
 * file exists and is not a regular file (a symlink, device, FIFO, folder).
 * Registers every output with cli_signals_watch. Returns 0 when all is well.
 * Every command calls it before reading its inputs. */
int cli_check_paths(const cli_path *paths, size_t n);

/* cli/signals.c: SIGTERM, SIGINT and SIGHUP kill the model commands
 * (candor_terminate_children), remove this run's temporaries of every
 * watched output, and re-raise the signal. A signal the parent ignored
 * stays ignored. */
void cli_signals_init(void);
/* Watch the temporaries of output `path`; false when no room is left (16
 * outputs) or the name is too long: those temporaries are then left to the
 * stale sweep of a later run. */
bool cli_signals_watch(const char *path);
/* Around the renames of a commit: block those signals in this thread, and
 * make a handler running in another thread wait (5 s at most) until
 * cli_signals_release, so that a signal never leaves a set half renamed. */
void cli_signals_hold(sigset_t *old);
void cli_signals_release(const sigset_t *old);

/* The command line for a manifest: "candor" and argv[0..argc) joined with
 * spaces, arguments holding spaces or quotes single-quoted (malloc'd; NULL
 * when out of memory). */
char *cli_command_line(int argc, char **argv);
/* The audit time for a manifest, "YYYY-MM-DDTHH:MM:SSZ": SOURCE_DATE_EPOCH
 * when set (the reproducible-builds convention), else the clock. */
void cli_audit_time(char *buf, size_t size);

/* The whole program: dispatch argv[1] (main.c); returns the exit status. */
int cli_main(int argc, char **argv);

/* Subcommands. */
int cmd_fairness(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_datasets(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_mitigate(int argc, char **argv);

#endif
