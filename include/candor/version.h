/**
 * @file candor/version.h
 * @brief The library's version and ABI number, for compile-time checks.
 *
 * CANDOR_VERSION_* describe the release (semantic versioning). CANDOR_SOVERSION
 * is the ABI major: the soname is libcandor.so.CANDOR_SOVERSION, and it
 * changes only when a change breaks programs compiled against an earlier
 * release (docs/abi.md). meson.build reads these lines, so they are the one
 * place the version is written.
 *
 * A program compiled against one release and run against another compares
 * candor_version_number() with CANDOR_VERSION_NUMBER.
 */
#ifndef CANDOR_VERSION_H
#define CANDOR_VERSION_H

#define CANDOR_VERSION_MAJOR 0
#define CANDOR_VERSION_MINOR 1
#define CANDOR_VERSION_PATCH 0
#define CANDOR_VERSION "0.1.0"
#define CANDOR_SOVERSION 1

/** MAJOR * 10000 + MINOR * 100 + PATCH (as SQLITE_VERSION_NUMBER does). */
#define CANDOR_VERSION_NUMBER \
	(CANDOR_VERSION_MAJOR * 10000 + CANDOR_VERSION_MINOR * 100 + CANDOR_VERSION_PATCH)

#endif /* CANDOR_VERSION_H */
