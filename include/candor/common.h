/**
 * @file candor/common.h
 * @brief Status codes, the thread-local error record, and export macros
 *        shared by every candor module.
 *
 * Every fallible call returns a ::candor_status. On failure it also fills a
 * thread-local record, read with candor_last_error(), that carries a one-line
 * message and, when the problem lies in an input file, the file's name and
 * the 1-based line and column. The library never prints and never exits.
 *
 * **GSL.** libcandor uses the GNU Scientific Library but never lets GSL's
 * error handler run, so GSL's default handler (which aborts) can never end
 * the host: every GSL call the library makes is given arguments for which
 * it cannot fail, and the two generator calls that can fail
 * (gsl_rng_alloc, gsl_rng_uniform_int) are replaced by the library's own.
 * The library never sets the handler (gsl_set_error_handler() is
 * process-wide): a host's choice for its own GSL calls is left alone.
 *
 * **Threads.** A `threads` option of 0 means all cores: OpenMP's default
 * team size, omp_get_max_threads() (all cores unless the host set
 * OMP_NUM_THREADS or called omp_set_num_threads()). Results never depend on
 * it. A host with its own pool of P workers that each call candor should
 * pass threads = 1 (or its share of the cores, cores / P), since P calls of
 * threads = 0 would start P teams of all cores each; and may set
 * OMP_WAIT_POLICY=passive so that idle OpenMP threads do not spin.
 * docs/abi.md says, for every handle, which threads may use it.
 */
#ifndef CANDOR_COMMON_H
#define CANDOR_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "candor/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * CANDOR_API marks the public functions. meson defines CANDOR_BUILDING for the
 * library's own sources only, so on Windows they export and every program
 * that includes these headers imports (CANDOR_STATIC: a static library,
 * neither). With GCC and clang the library is compiled with
 * -fvisibility=hidden, so only these names are exported from libcandor.so.
 */
#if defined(_WIN32) || defined(__CYGWIN__)
#if defined(CANDOR_STATIC)
#define CANDOR_API
#elif defined(CANDOR_BUILDING)
#define CANDOR_API __declspec(dllexport)
#else
#define CANDOR_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define CANDOR_API __attribute__((visibility("default")))
#else
#define CANDOR_API
#endif

/** Status codes. 0 is success; every failure is negative. */
typedef enum candor_status {
	CANDOR_OK = 0,
	CANDOR_EINVAL = -1,      /**< an argument or option is invalid (a caller bug or bad usage) */
	CANDOR_EPARSE = -2,      /**< malformed input data: a file or buffer does not parse */
	CANDOR_EIO = -3,         /**< a file or process could not be read or written */
	CANDOR_ENOMEM = -4,      /**< out of memory, or a size overflowed */
	CANDOR_EUNSUPPORTED = -5,/**< well-formed input that candor does not support */
	CANDOR_EDOMAIN = -6,     /**< a computation is undefined for the given input */
	CANDOR_ENOTFOUND = -7,   /**< a named column, group or feature does not exist */
	CANDOR_EINTERNAL = -8    /**< a bug in candor: please report it */
} candor_status;

/** Longest message or path the error record keeps, in bytes before the
 *  NUL: a longer one is cut at a UTF-8 character boundary and ends in "..."
 *  (at most CANDOR_ERROR_MAX_TEXT bytes, the marker included). */
#define CANDOR_ERROR_MAX_TEXT ((size_t)65536 - 1)

/**
 * The error record of the calling thread. The strings are owned by the
 * thread's record: never NULL, NUL-terminated, as long as they need to be up
 * to CANDOR_ERROR_MAX_TEXT. Copy them to keep them past the next candor call
 * on the thread (or past the thread's end).
 */
typedef struct candor_error {
	candor_status status; /**< the code of the last failure, CANDOR_OK if none */
	const char *message;  /**< one line, lower case, no final full stop; "" if none */
	const char *path;     /**< the input's name, or "" when not about a file */
	uint64_t line;        /**< 1-based line in path, 0 when unknown */
	uint64_t column;      /**< 1-based column (bytes) in path, 0 when unknown */
} candor_error;

/**
 * The last error recorded on the calling thread. Never NULL; the record is
 * owned by the library and valid until the next candor call on this thread.
 * A thread's text is freed when the thread exits.
 */
CANDOR_API const candor_error *candor_last_error(void);

/** Forget the calling thread's last error. */
CANDOR_API void candor_error_clear(void);

/** A short English name of a status code ("parse error"). Never NULL. */
CANDOR_API const char *candor_status_str(candor_status status);

/** The version string of the library linked at run time, "MAJOR.MINOR.PATCH"
 *  (CANDOR_VERSION is the one of the headers compiled against). */
CANDOR_API const char *candor_version(void);

/** The run-time library's CANDOR_VERSION_NUMBER. */
CANDOR_API int candor_version_number(void);

/**
 * @name Temporaries of outputs
 * Every output candor writes is built under a temporary name beside its
 * target, `TARGET.tmp-PID.START.BOOT-XXXXXX` (the writing process's id, its
 * start time in clock ticks since boot, the first 8 hex digits of the boot id,
 * and mkdtemp's random part), and renamed into place at the end. These calls
 * let a host stage several outputs of its own the same way and clean up.
 * @{
 */

/**
 * Create a private folder (mode 0700, mkdtemp) named as above beside
 * `path`; *out receives its name (free with candor_free()). A host writes
 * TEMPDIR/NAME inside it and renames that over `path`: nobody else can
 * create a name in the folder, so no symlink can be planted there.
 */
CANDOR_API candor_status candor_temp_dir_new(char **out, const char *path);

/**
 * Write "BASENAME.tmp-PID.START.BOOT-" (the start of every temporary name of
 * `path` made by the calling process) to buf; returns snprintf's count, or
 * -1 for a NULL path. Hosts use it to find their own temporaries, e.g. from a
 * signal handler (call it before, not in the handler).
 */
CANDOR_API int candor_temp_prefix(char *buf, size_t size, const char *path);

/** Remove a temporary (a file or a folder tree; symlinks are never followed). */
CANDOR_API void candor_temp_remove(const char *tmp);

/**
 * Remove the temporaries of `path` that processes no longer running left
 * beside it: those of another boot, of a pid with no process, or of a pid
 * now held by a process that started at another time. Temporaries of live
 * processes, and names not of this form, are never touched.
 */
CANDOR_API void candor_temp_sweep(const char *path);

/** Free a buffer the library handed out (candor_temp_dir_new, the JSON texts
 *  of results, ...): the same as free(), for hosts whose free() is another
 *  heap's (Windows DLLs, bindings). NULL is fine. */
CANDOR_API void candor_free(void *p);
/** @} */

#ifdef __cplusplus
}
#endif
#endif /* CANDOR_COMMON_H */
