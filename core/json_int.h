/*
 * json_int.h - the one JSON reading core of the model, policy and
 * audit-document parsers (not installed).
 *
 * candor__json_read() reads a text strictly as RFC 8259 JSON (no comments,
 * no NaN or Infinity, no single quotes, no trailing commas, valid UTF-8, no
 * NUL character even escaped, no lone surrogate) within bounds (nesting
 * depth, characters of a string and of a key, magnitude of a number;
 * integers fit int64, other numbers are finite doubles), refuses a key
 * given twice in one object, and builds json-c's tree, which stays the DOM
 * every reader walks. A double keeps its source text
 * (json_object_new_double_s), so json_object_get_string() returns it as
 * written.
 *
 * Positions. The tree keeps no positions; an error found later, at a value
 * of the tree, is reported through candor__json_error() and friends, which
 * find the value's place in the text only then: the value's pre-order
 * ordinal in the tree (members in their order in the text, which json-c
 * keeps, and no key twice) is also its ordinal in the text, so one more
 * pass of the same lexer finds it. That costs nothing until an error, and
 * an error costs one pass. Every message about a value starts with its path
 * from the root ("trees[3].split_conditions[7]: ..."), and every error
 * carries FILE:LINE:COL (1-based, column in bytes).
 *
 * One wording for one fault, whoever reads the text:
 *   unexpected end of input | expected a value, found 'x' |
 *   expected ',' or ']' | expected ',' or '}' | expected ':' after a key |
 *   expected a key (a string in double quotes) | duplicate key 'k' |
 *   NaN is not a JSON number | Infinity is not a JSON number |
 *   malformed number '01' | number 1e400 overflows a double |
 *   integer 9...9 is outside -2^63..2^63-1 | number 1e301 exceeds 1e+300 in magnitude |
 *   unterminated string | control character (byte 0x0A) in a string |
 *   invalid UTF-8 (byte 0xFF) in a string | NUL character (\u0000) in a string |
 *   lone surrogate (\uDC00) in a string | invalid escape '\x' in a string |
 *   string is over N characters | key is over N characters |
 *   number is over N characters |
 *   nesting is deeper than N levels | text after the JSON document |
 *   PATH: missing key 'k' | PATH: expected a number, found a string (also
 *   an integer, a string, an object, an array, true or false).
 */
#ifndef CANDOR_CORE_JSON_INT_H
#define CANDOR_CORE_JSON_INT_H

#include <json-c/json.h>

#include "core/core_int.h"

/* The bounds of one reading. Zero means the default given. */
typedef struct candor__json_limits {
	size_t max_depth;     /* nested arrays and objects; 0: 32 (json-c's own); at most 256 */
	size_t max_string;    /* characters (code points) of a string value; 0: 1 << 24 */
	size_t max_key;       /* characters of a key; 0: 4096 */
	double max_magnitude; /* largest |number|; 0: any finite double */
	size_t max_number;    /* bytes of a number token; 0: no bound */
	/* Read NaN, Infinity and -Infinity as numbers (false: they are errors).
	 * Only for XGBoost's JSON, whose writer emits them for non-finite floats
	 * (the split conditions of a categorical split); a reader that sets it
	 * checks every number it uses. */
	bool nonfinite;
} candor__json_limits;

/* A document read from a text. `text` and `name` are borrowed: they must
 * outlive every call that reports an error at a value of `root`. */
typedef struct candor__json {
	json_object *root; /* owned; NULL after a failed read */
	const char *text;
	size_t len;
	const char *name; /* the input's name in messages */
	size_t max_depth; /* as read */
	bool nonfinite;   /* as read */
	bool binary;      /* read from UBJSON (candor__ubjson_read): positions are
	                     line 1, column 1 + byte offset */
} candor__json;

/*
 * Read text[0..len) as one JSON document into *out (NULL limits: all the
 * defaults). On failure out->root is NULL and the error (CANDOR_EPARSE at
 * the offending byte, or CANDOR_ENOMEM) is recorded.
 */
candor_status candor__json_read(candor__json *out, const char *text, size_t len,
                                const char *name, const candor__json_limits *limits);

/*
 * UBJSON (core/ubjson.c): is data[0..len) UBJSON rather than JSON text (a
 * '{' followed by a UBJSON length marker, '#' or '$')? And read it, as
 * candor__json_read() reads JSON text, into the same json-c tree (floats
 * keep a text that reads back to the same value); errors are at
 * FILE:1:(1 + byte offset). candor__ubjson_find: the byte offsets of the
 * value of pre-order ordinal `target` and of its key, for the reports.
 */
bool candor__ubjson_detect(const char *data, size_t len);
candor_status candor__ubjson_read(candor__json *out, const char *data, size_t len,
                                  const char *name, const candor__json_limits *limits);
bool candor__ubjson_find(const candor__json *j, size_t target, size_t *off, size_t *key_off);

/* Release the tree (json_object_put). */
void candor__json_done(candor__json *j);

/* Hand the tree over to the caller (who then puts it); j->root becomes NULL. */
json_object *candor__json_take(candor__json *j);

/*
 * Record an error about the value `at` of j's tree (NULL: the root) and
 * return `status`: the message is "PATH: MESSAGE" (just MESSAGE at the
 * root), the position that of the value's first byte. A value not found in
 * the text (a tree changed after reading, a document without text) gets
 * line and column 0.
 */
candor_status candor__json_error(const candor__json *j, json_object *at, candor_status status,
                                 const char *fmt, ...) CANDOR__PRINTF(4, 5);

/* As candor__json_error(), about member `key` (key != NULL) or element
 * `idx` of `parent`, whose path and position are the error's: this also
 * reaches a null, which json-c keeps as a NULL pointer. */
candor_status candor__json_error_in(const candor__json *j, json_object *parent, const char *key,
                                    size_t idx, candor_status status, const char *fmt, ...)
        CANDOR__PRINTF(6, 7);

/* As candor__json_error(), about member `key` of the object `obj`: the
 * position of the key itself (of the object when it has no such member),
 * the path that of the object ("checks[0]: unknown key 'x'"). */
candor_status candor__json_error_key(const candor__json *j, json_object *obj, const char *key,
                                     candor_status status, const char *fmt, ...)
        CANDOR__PRINTF(5, 6);

/* Line and column (0, 0 when not found) and path of value `at`. */
void candor__json_where(const candor__json *j, json_object *at, uint64_t *line, uint64_t *col,
                        char *path, size_t path_size);

/* "an object", "an array", "a string", "a number", "true or false", "null". */
const char *candor__json_kind(json_object *v);

/*
 * `v` has type `type` (json_type_double: any number; json_type_int: an
 * integer) or it is an error "PATH: expected a number, found a string" at v.
 */
candor_status candor__json_expect(const candor__json *j, json_object *v, json_type type);

/*
 * *out = member `key` of object `obj`. Absent (or, when !required, null):
 * *out = NULL, and with `required` the error "PATH: missing key 'key'" at
 * the object. Present: checked as by candor__json_expect (json_type_null:
 * any type).
 */
candor_status candor__json_member(json_object **out, const candor__json *j, json_object *obj,
                                  const char *key, json_type type, bool required);

/* *out = element `idx` of array `arr`, checked as by candor__json_member
 * (json_type_null: any type, and *out is NULL for a null). */
candor_status candor__json_elem(json_object **out, const candor__json *j, json_object *arr,
                                size_t idx, json_type type);

/* The number `v` (an error unless it is one). */
candor_status candor__json_number(double *out, const candor__json *j, json_object *v);

/* The integer `v` (an error unless it is a JSON integer). */
candor_status candor__json_integer(int64_t *out, const candor__json *j, json_object *v);

#endif
