/*
 * core_int.h - helpers shared by every candor module (not installed).
 *
 * Errors: set the thread-local record where a problem is found, then return
 * the code unchanged up the stack:
 *
 *     if (n == 0)
 *         return candor__error(CANDOR_EINVAL, NULL, 0, 0, "no rows to explain");
 *
 * Allocation goes through candor__malloc and friends so that a test build can
 * make the Nth allocation fail (see candor__failalloc_arm) and so that
 * `rows * cols` overflow is checked in one place.
 */
#ifndef CANDOR_CORE_INT_H
#define CANDOR_CORE_INT_H

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candor/common.h"

#if defined(__GNUC__)
#define CANDOR__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CANDOR__PRINTF(a, b)
#endif

/* Record an error on this thread and return `status`. `path` may be NULL;
 * line and column are 1-based, 0 for unknown. */
candor_status candor__error(candor_status status, const char *path, uint64_t line,
                            uint64_t column, const char *fmt, ...) CANDOR__PRINTF(5, 6);

/* Record an out-of-memory error (never allocates) and return CANDOR_ENOMEM. */
candor_status candor__oom(void);

/* A copy of a thread's error record that outlives the thread's next call
 * (or the thread), for passing a worker's failure to the thread that
 * reports it: candor__error_save() copies this thread's record and returns
 * its status; candor__error_restore() records the copy on the calling
 * thread, frees it and returns its status. A copy that could not allocate
 * restores as out of memory. */
typedef struct candor__saved_error {
	candor_status status;
	char *message, *path;
	uint64_t line, column;
} candor__saved_error;
candor_status candor__error_save(candor__saved_error *s);
candor_status candor__error_restore(candor__saved_error *s);

/* The body of the candor_X_options_init() functions: zero the first `size`
 * bytes of opts (the struct as it was at that version) and set its version
 * field (the first member); `size` 0 means `version` is unknown, which
 * gives CANDOR_EINVAL naming `what` ("candor_csv_options") and `current`. */
candor_status candor__options_init(void *opts, size_t size, unsigned int version,
                                   unsigned int current, const char *what);

/* Clear the thread's record (called on success paths that report "no error"). */
void candor__error_reset(void);

/* Allocation. All return NULL on failure *and* record the out-of-memory error,
 * so a caller can simply `return CANDOR_ENOMEM`. candor__mallocarray checks
 * n * size for overflow. candor__free accepts NULL. */
void *candor__malloc(size_t size);
void *candor__calloc(size_t n, size_t size);
void *candor__mallocarray(size_t n, size_t size);
void *candor__realloc(void *p, size_t size);
void *candor__reallocarray(void *p, size_t n, size_t size);
char *candor__strdup(const char *s);
char *candor__strndup(const char *s, size_t n);
void candor__free(void *p);

/* true when a * b overflows size_t; otherwise *out = a * b. */
static inline bool candor__mul_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_mul_overflow(a, b, out);
}

/* Test hook: make the allocation after `n` more succeed fail (n = 0 fails the
 * next one); a negative value disarms it. Per thread. */
void candor__failalloc_arm(long n);

/* ---- deterministic random streams ---------------------------------------
 * Results must not depend on thread count, so every unit of work (a row, a
 * bootstrap replicate, a group) draws from its own stream whose seed is a
 * hash of (seed, a, b). splitmix64 (Steele, Lea & Flood 2014) mixes well
 * enough that neighbouring indices give unrelated streams. */
uint64_t candor__splitmix64(uint64_t x);

/* GSL generators that never reach GSL's error handler (rng.c): use these,
 * never gsl_rng_alloc or gsl_rng_uniform_int. candor__rng_new() gives a
 * mt19937 generator (NULL on out of memory, recorded); free it with
 * gsl_rng_free(). candor__rng_index() is uniform in [0, n) for any n >= 1
 * (the draws of gsl_rng_uniform_int when n fits the generator), 0 for n = 0. */
#include <gsl/gsl_rng.h>
gsl_rng *candor__rng_new(void);
uint64_t candor__rng_index(const gsl_rng *r, uint64_t n);
uint64_t candor__stream_seed(uint64_t seed, uint64_t a, uint64_t b);

/* ---- locale independence -------------------------------------------------
 * Numbers are read and written the same way whatever LC_NUMERIC says. The
 * "C" locale object is created once (pthread_once) and never changes. */
locale_t candor__c_locale(void);

/* Format a finite double with the shortest "%.17g"-style text that reads
 * back to the same value; locale independent. Returns the length written
 * (buf must hold at least 32 bytes). */
int candor__format_double(char *buf, size_t size, double v);

/* Parse the whole of [s, s+n) as a decimal number (optional sign, digits,
 * optional fraction, optional exponent; no "inf"/"nan", no spaces). Returns
 * true and sets *out on success. Correctly rounded; locale independent. */
bool candor__parse_double(const char *s, size_t n, double *out);

/* As candor__parse_double(), telling apart text that is not a decimal
 * number from a decimal number too large for a double (which
 * candor__parse_double reads as an infinity): readers of data files use
 * this one, so that `1e400` is an error and never an infinity. *out is set
 * only on CANDOR__NUM_OK. */
typedef enum { CANDOR__NUM_OK = 0, CANDOR__NUM_SYNTAX = 1, CANDOR__NUM_RANGE = 2 } candor__num;
candor__num candor__parse_number(const char *s, size_t n, double *out);

/* ---- files -----------------------------------------------------------------
 * Read a whole file into a NUL-terminated buffer (*out, *len without the NUL;
 * free with candor__free). CANDOR_EIO names the path. */
candor_status candor__file_read(const char *path, char **out, size_t *len);

/* As candor__file_read(), for the data readers, which report errors by
 * position: reading stops early (*stopped = true) after the first NUL byte,
 * or once more than max_line bytes without a '\n' or '\r' were read, since
 * the parser then stops at that point anyway (so /dev/zero or a file of one
 * endless line costs one block, not all of it). Input that is not a regular
 * file (a pipe, a device) is refused once it exceeds max_nonregular bytes:
 * CANDOR_EPARSE naming `name` (used in messages; the path when NULL). */
candor_status candor__file_read_text(const char *path, const char *name, size_t max_line,
                                     uint64_t max_nonregular, char **out, size_t *len,
                                     bool *stopped);

/* ---- temporaries (file.c explains the name PATH.tmp-PID.START.BOOT-XXXXXX)
 * Every output is written inside a private folder made with mkdtemp (0700)
 * beside its target, then renamed into place.
 *
 * candor__temp_dir: create the private folder for `path`; *dir_out (free
 * with candor__free). candor__temp_file: the same, and *tmp_out is
 * TEMPDIR/BASENAME, not yet created (for a library that creates the file by
 * name itself). candor__open_temp: candor__temp_file, then create that file
 * (O_EXCL, mode 0666 less the umask) and return its descriptor. All return
 * -1 with errno set on failure.
 *
 * candor__temp_commit renames the file over `path` and removes the private
 * folder (-1 with errno when the rename fails; the temporary then stays, so
 * discard it); candor__temp_discard removes file and folder. */
int candor__temp_dir(const char *path, char **dir_out);
int candor__temp_file(const char *path, char **tmp_out);
int candor__open_temp(const char *path, char **tmp_out);
int candor__temp_commit(const char *tmp, const char *path);
void candor__temp_discard(const char *tmp);

/* "PID.START.BOOT" of the calling process (snprintf's return value). */
int candor__temp_tag(char *buf, size_t size);

/* true when `tag` ("PID.START.BOOT-XXXXXX", the part after "TARGET.tmp-")
 * is well formed and names a process that is no longer running. */
bool candor__temp_is_stale(const char *tag);

/* Remove the temporaries of `path` that dead processes left beside it. */
void candor__temp_sweep(const char *path);

/* Remove a file or a folder tree (16 levels at most); symlinks are removed,
 * never followed. */
void candor__remove_tree(const char *path);

/* The 1-based line and column of byte `off` of text[0..len) (clamped to
 * len), for error messages about a parser's stopping point. */
void candor__text_position(const char *text, size_t len, size_t off, uint64_t *line,
                           uint64_t *col);

/* Write one CSV field: as it is, or quoted (RFC 4180) when it holds a comma,
 * a quote, a line break, or leading/trailing spaces. */
void candor__csv_put_text(FILE *f, const char *s);

#endif
