/**
 * @file candor/common.h
 * @brief Status codes, the thread-local error record, and export macros
 *        shared by every candor module.
 *
 * Every fallible call returns a ::candor_status. On failure it also fills a
 * thread-local record, read with candor_last_error(), that carries a one-line
 * message and, when the problem lies in an input file, the file's name and
 * the 1-based line and column. The library never prints and never exits.
 */
#ifndef CANDOR_COMMON_H
#define CANDOR_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define CANDOR_API __declspec(dllexport)
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

/** The error record of the calling thread. */
typedef struct candor_error {
	candor_status status; /**< the code of the last failure, CANDOR_OK if none */
	char message[512];    /**< one line, lower case, no final full stop */
	char path[256];       /**< the input's name, or "" when not about a file */
	uint64_t line;        /**< 1-based line in path, 0 when unknown */
	uint64_t column;      /**< 1-based column (bytes) in path, 0 when unknown */
} candor_error;

/**
 * The last error recorded on the calling thread. Never NULL; the record is
 * owned by the library and valid until the next candor call on this thread.
 */
CANDOR_API const candor_error *candor_last_error(void);

/** Forget the calling thread's last error. */
CANDOR_API void candor_error_clear(void);

/** A short English name of a status code ("parse error"). Never NULL. */
CANDOR_API const char *candor_status_str(candor_status status);

/** The library's version string, "MAJOR.MINOR.PATCH". */
CANDOR_API const char *candor_version(void);

#ifdef __cplusplus
}
#endif
#endif /* CANDOR_COMMON_H */
