/*
 * json_loc.h - where a value sits in a JSON text (not installed).
 *
 * json-c's objects carry no source position, so a loader that finds a bad
 * value after parsing cannot say where it is. A loader describes the value
 * by its path from the root (a chain of member names and array indices,
 * built on the stack as it descends) and, only when it reports an error,
 * candor__json_locate() walks the text again to find that value's offset.
 */
#ifndef CANDOR_MODELS_JSON_LOC_H
#define CANDOR_MODELS_JSON_LOC_H

#include <stddef.h>
#include <stdint.h>

/* One step of a path: member `key` of an object, or (key NULL) element
 * `idx` of an array. `up` is the step above (NULL at the root). */
typedef struct candor__jloc {
	const struct candor__jloc *up;
	const char *key;
	size_t idx;
} candor__jloc;

#define CANDOR__JLOC_MAX_DEPTH 32 /* json-c's own nesting limit */

/*
 * Byte offset in text[0..len) of the first byte of the value at `at` (NULL:
 * the root document), or SIZE_MAX when the path cannot be followed (a member
 * spelt with escapes, a path deeper than CANDOR__JLOC_MAX_DEPTH). As in
 * json-c, the last of repeated members wins. `text` must be a document that
 * json-c accepted (comments, single quotes and NaN/Infinity are skipped as
 * json-c reads them); every access is bounded by `len`.
 */
size_t candor__json_locate(const char *text, size_t len, const candor__jloc *at);

#endif
