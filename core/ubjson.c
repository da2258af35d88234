/*
 * ubjson.c - a strict, bounded reader of UBJSON (Universal Binary JSON,
 * draft 12, what XGBoost's Booster.save_model("m.ubj") writes) into the
 * same json-c tree the JSON core builds (json_int.h), so that the readers
 * of a document do not know which of the two it came from.
 *
 * Accepted: null Z, true T, false F, integers i U I l L (big-endian), floats
 * d (float32) and D (float64), strings S (a length, then UTF-8 bytes),
 * arrays [ ... ], [#count ...] and typed arrays [$T#count ...] of a numeric
 * type T, objects { key value ... } and {#count ...} with keys as a length
 * and bytes. A length or a count is any integer marker, non-negative.
 * Refused, at the offending byte: the no-op N, char C, high-precision H,
 * typed objects, a typed array of a non-numeric type, a count larger than
 * the bytes left could hold (a 20-byte file claiming 2^60 elements asks
 * for nothing), nesting deeper than the limit, a key given twice, strings
 * that are not UTF-8 or hold NUL, non-finite floats unless limits allow
 * them (XGBoost writes NaN conditions for categorical splits), bytes after
 * the document.
 *
 * Positions: a UBJSON file has no lines, so every error is at line 1 and
 * column = 1 + the 0-based byte offset of the offending byte
 * (FILE:1:OFFSET+1). Like the JSON core, the tree keeps no positions: an
 * error found later at a value (candor__json_error) finds its offset again
 * by reading once more in find mode (candor__ubjson_find), stopping at the
 * value with the same pre-order ordinal.
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/json_int.h"

#define UBJ_DEFAULT_DEPTH 32
#define UBJ_HARD_DEPTH 256
#define UBJ_DEFAULT_STRING ((size_t)1 << 24)
#define UBJ_DEFAULT_KEY 4096
#define UBJ_FOUND 1

typedef struct up {
	const unsigned char *t;
	const char *name;
	size_t n, i;
	size_t max_depth, max_string, max_key;
	bool nonfinite, build;
	size_t count, target, found, found_key;
} up;

static int up_fail(const up *p, size_t at, const char *fmt, ...) CANDOR__PRINTF(3, 4);
static int up_fail(const up *p, size_t at, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!p->build)
		return CANDOR_EPARSE;
	return candor__error(CANDOR_EPARSE, p->name, 1, (uint64_t)at + 1, "%s", msg);
}

static const char *show(char *b, size_t size, unsigned char c)
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(b, size, "'%c'", c);
	else
		snprintf(b, size, "byte 0x%02X", c);
	return b;
}

/* Size of a numeric marker's payload, 0 for any other marker. */
static size_t num_size(unsigned char m)
{
	switch (m) {
	case 'i': case 'U': return 1;
	case 'I': return 2;
	case 'l': case 'd': return 4;
	case 'L': case 'D': return 8;
	default: return 0;
	}
}

static bool is_int_marker(unsigned char m)
{
	return m == 'i' || m == 'U' || m == 'I' || m == 'l' || m == 'L';
}

static uint64_t be(const unsigned char *s, size_t k)
{
	uint64_t v = 0;
	for (size_t b = 0; b < k; b++)
		v = v << 8 | s[b];
	return v;
}

/* The integer of marker m at s (its payload). */
static int64_t int_of(unsigned char m, const unsigned char *s)
{
	switch (m) {
	case 'i': return (int8_t)s[0];
	case 'U': return s[0];
	case 'I': return (int16_t)(uint16_t)be(s, 2);
	case 'l': return (int32_t)(uint32_t)be(s, 4);
	default: return (int64_t)be(s, 8);
	}
}

/* A length or a count: an integer marker and its value, >= 0. */
static int up_len(up *p, size_t *out, const char *what)
{
	char b[16];
	if (p->i >= p->n)
		return up_fail(p, p->i, "unexpected end of input");
	const size_t at = p->i;
	const unsigned char m = p->t[p->i];
	if (!is_int_marker(m))
		return up_fail(p, at, "expected an integer marker for %s, found %s", what,
		               show(b, sizeof b, m));
	const size_t k = num_size(m);
	if (p->n - p->i - 1 < k)
		return up_fail(p, p->n, "unexpected end of input");
	const int64_t v = int_of(m, p->t + p->i + 1);
	if (v < 0)
		return up_fail(p, at, "%s %lld is negative", what, (long long)v);
	p->i += 1 + k;
	*out = (size_t)v;
	return 0;
}

static size_t utf8_seq(const unsigned char *s, size_t n)
{
	const unsigned c = s[0];
	size_t k;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) { k = 2; cp = c & 0x1F; }
	else if (c >= 0xE0 && c <= 0xEF) { k = 3; cp = c & 0x0F; }
	else if (c >= 0xF0 && c <= 0xF4) { k = 4; cp = c & 0x07; }
	else return 0;
	if (n < k)
		return 0;
	for (size_t b = 1; b < k; b++) {
		if ((s[b] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[b] & 0x3F);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return k;
}

/* A length-prefixed string at p->i: its bytes at *s, *len of them. */
static int up_bytes(up *p, size_t max, const char *what, const unsigned char **s, size_t *len)
{
	int st;
	size_t n, chars = 0;
	if ((st = up_len(p, &n, "a string length")))
		return st;
	if (n > p->n - p->i)
		return up_fail(p, p->i, "%s of %zu bytes runs past the end of input (%zu left)",
		               what, n, p->n - p->i);
	for (size_t k = 0; k < n;) {
		const unsigned char c = p->t[p->i + k];
		const size_t q = utf8_seq(p->t + p->i + k, n - k);
		if (c == 0)
			return up_fail(p, p->i + k, "NUL character in a %s", what);
		if (!q)
			return up_fail(p, p->i + k, "invalid UTF-8 (byte 0x%02X) in a %s", c, what);
		k += q;
		if (++chars > max)
			return up_fail(p, p->i, "%s is over %zu characters", what, max);
	}
	*s = p->t + p->i;
	*len = n;
	p->i += n;
	return 0;
}

/* A number of marker m whose payload is at p->i (moved past it). */
static int up_number(up *p, unsigned char m, size_t at, json_object **out)
{
	const size_t k = num_size(m);
	char text[40];
	if (p->n - p->i < k)
		return up_fail(p, p->n, "unexpected end of input");
	const unsigned char *s = p->t + p->i;
	p->i += k;
	if (is_int_marker(m)) {
		if (p->build && !(*out = json_object_new_int64(int_of(m, s))))
			return candor__oom();
		return 0;
	}
	double v;
	if (m == 'd') {
		const uint32_t u = (uint32_t)be(s, 4);
		float f;
		memcpy(&f, &u, sizeof f);
		v = (double)f;
		snprintf(text, sizeof text, "%.9g", v);
	} else {
		const uint64_t u = be(s, 8);
		memcpy(&v, &u, sizeof v);
		snprintf(text, sizeof text, "%.17g", v);
	}
	if (!isfinite(v)) {
		if (!p->nonfinite)
			return up_fail(p, at, "%s is not a JSON number", v != v ? "NaN" : "Infinity");
		snprintf(text, sizeof text, "%s", v != v ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
	}
	if (p->build && !(*out = json_object_new_double_s(v, text)))
		return candor__oom();
	return 0;
}

static int up_value(up *p, size_t depth, size_t key_at, json_object **out);

/* Is the value about to start at `at` the one find mode looks for? */
static bool up_hit(up *p, size_t at, size_t key_at)
{
	if (!p->build && p->count == p->target) {
		p->found = at;
		p->found_key = key_at;
		return true;
	}
	p->count++;
	return false;
}

static int up_array(up *p, size_t depth, json_object **out)
{
	char b[16];
	int st;
	json_object *arr = NULL;
	size_t cnt = SIZE_MAX;
	unsigned char type = 0;

	if (p->i < p->n && p->t[p->i] == '$') {
		const size_t at = ++p->i;
		if (p->i >= p->n)
			return up_fail(p, p->i, "unexpected end of input");
		type = p->t[p->i++];
		if (!num_size(type))
			return up_fail(p, at, "typed array of %s is not supported (only numbers)",
			               show(b, sizeof b, type));
		if (p->i >= p->n)
			return up_fail(p, p->i, "unexpected end of input");
		if (p->t[p->i] != '#')
			return up_fail(p, p->i, "expected '#' after a typed array's type, found %s",
			               show(b, sizeof b, p->t[p->i]));
	}
	if (p->i < p->n && p->t[p->i] == '#') {
		p->i++;
		const size_t at = p->i;
		if ((st = up_len(p, &cnt, "an array count")))
			return st;
		const size_t each = type ? num_size(type) : 1;
		if (cnt > (p->n - p->i) / each)
			return up_fail(p, at, "array count %zu exceeds what the %zu bytes left can hold",
			               cnt, p->n - p->i);
	}
	if (p->build && !(arr = json_object_new_array_ext(cnt == SIZE_MAX ? 8 : cnt ? (int)cnt : 1)))
		return candor__oom();
	for (size_t k = 0;; k++) {
		json_object *v = NULL;
		if (cnt == SIZE_MAX) {
			if (p->i >= p->n) {
				st = up_fail(p, p->i, "unexpected end of input");
				goto bad;
			}
			if (p->t[p->i] == ']') {
				p->i++;
				break;
			}
		} else if (k == cnt) {
			break;
		}
		if (type) {
			if (up_hit(p, p->i, SIZE_MAX)) {
				st = UBJ_FOUND;
				goto bad;
			}
			st = up_number(p, type, p->i, &v);
		} else {
			st = up_value(p, depth + 1, SIZE_MAX, &v);
		}
		if (st)
			goto bad;
		if (p->build && json_object_array_add(arr, v)) {
			json_object_put(v);
			st = candor__oom();
			goto bad;
		}
	}
	*out = arr;
	return 0;
bad:
	json_object_put(arr);
	return st;
}

static int up_object(up *p, size_t depth, json_object **out)
{
	int st;
	json_object *obj = NULL;
	size_t cnt = SIZE_MAX;

	if (p->i < p->n && p->t[p->i] == '$')
		return up_fail(p, p->i, "typed objects are not supported");
	if (p->i < p->n && p->t[p->i] == '#') {
		p->i++;
		const size_t at = p->i;
		if ((st = up_len(p, &cnt, "an object count")))
			return st;
		if (cnt > (p->n - p->i) / 3)
			return up_fail(p, at, "object count %zu exceeds what the %zu bytes left can hold",
			               cnt, p->n - p->i);
	}
	if (p->build && !(obj = json_object_new_object()))
		return candor__oom();
	for (size_t k = 0;; k++) {
		if (cnt == SIZE_MAX) {
			if (p->i >= p->n) {
				st = up_fail(p, p->i, "unexpected end of input");
				goto bad;
			}
			if (p->t[p->i] == '}') {
				p->i++;
				break;
			}
		} else if (k == cnt) {
			break;
		}
		const size_t key_at = p->i;
		const unsigned char *ks;
		size_t klen;
		char key[UBJ_DEFAULT_KEY * 4 + 1], *kbuf = key;
		if ((st = up_bytes(p, p->max_key, "key", &ks, &klen)))
			goto bad;
		if (klen >= sizeof key) {
			st = up_fail(p, key_at, "key is over %zu bytes", sizeof key - 1);
			goto bad;
		}
		memcpy(kbuf, ks, klen);
		kbuf[klen] = '\0';
		if (p->build && json_object_object_get_ex(obj, kbuf, NULL)) {
			st = up_fail(p, key_at, "duplicate key '%.60s'", kbuf);
			goto bad;
		}
		json_object *v = NULL;
		if ((st = up_value(p, depth + 1, key_at, &v)))
			goto bad;
		if (p->build && json_object_object_add(obj, kbuf, v)) {
			json_object_put(v);
			st = candor__oom();
			goto bad;
		}
	}
	*out = obj;
	return 0;
bad:
	json_object_put(obj);
	return st;
}

static int up_value(up *p, size_t depth, size_t key_at, json_object **out)
{
	char b[16];
	*out = NULL;
	if (p->i >= p->n)
		return up_fail(p, p->i, "unexpected end of input");
	const size_t at = p->i;
	if (up_hit(p, at, key_at))
		return UBJ_FOUND;
	const unsigned char m = p->t[p->i++];
	switch (m) {
	case 'Z':
		return 0;
	case 'T':
	case 'F':
		if (p->build && !(*out = json_object_new_boolean(m == 'T')))
			return candor__oom();
		return 0;
	case 'i': case 'U': case 'I': case 'l': case 'L': case 'd': case 'D':
		return up_number(p, m, at, out);
	case 'S': {
		const unsigned char *s;
		size_t len;
		int st = up_bytes(p, p->max_string, "string", &s, &len);
		if (st)
			return st;
		if (len > INT32_MAX)
			return up_fail(p, at, "string is over %d bytes", INT32_MAX);
		if (p->build && !(*out = json_object_new_string_len((const char *)s, (int)len)))
			return candor__oom();
		return 0;
	}
	case '[':
	case '{':
		if (depth >= p->max_depth)
			return up_fail(p, at, "nesting is deeper than %zu levels", p->max_depth);
		return m == '[' ? up_array(p, depth, out) : up_object(p, depth, out);
	case 'N':
		return up_fail(p, at, "the no-op marker 'N' is not supported");
	case 'C':
		return up_fail(p, at, "the char marker 'C' is not supported");
	case 'H':
		return up_fail(p, at, "high-precision numbers ('H') are not supported");
	default:
		return up_fail(p, at, "expected a UBJSON value, found %s", show(b, sizeof b, m));
	}
}

static void up_init(up *p, const char *data, size_t len, const char *name, size_t depth,
                    bool nonfinite, const candor__json_limits *lim)
{
	memset(p, 0, sizeof *p);
	p->t = (const unsigned char *)(data ? data : "");
	p->n = data ? len : 0;
	p->name = name;
	p->max_depth = depth;
	p->nonfinite = nonfinite;
	p->max_string = lim && lim->max_string ? lim->max_string : UBJ_DEFAULT_STRING;
	p->max_key = lim && lim->max_key && lim->max_key < UBJ_DEFAULT_KEY ? lim->max_key
	                                                                   : UBJ_DEFAULT_KEY;
	p->found = p->found_key = SIZE_MAX;
}

bool candor__ubjson_detect(const char *data, size_t len)
{
	/* JSON text puts whitespace, '"' or '}' after its '{'; UBJSON a length
	 * marker, or '#' / '$' */
	return data && len >= 2 && data[0] == '{' && data[1] &&
	       strchr("iUIlL#$", data[1]) != NULL;
}

candor_status candor__ubjson_read(candor__json *out, const char *data, size_t len,
                                  const char *name, const candor__json_limits *limits)
{
	up p;
	size_t depth = limits && limits->max_depth ? limits->max_depth : UBJ_DEFAULT_DEPTH;
	json_object *root = NULL;
	int st;

	if (depth > UBJ_HARD_DEPTH)
		depth = UBJ_HARD_DEPTH;
	memset(out, 0, sizeof *out);
	out->text = data;
	out->len = data ? len : 0;
	out->name = name;
	out->max_depth = depth;
	out->nonfinite = limits && limits->nonfinite;
	out->binary = true;
	up_init(&p, data, len, name, depth, out->nonfinite, limits);
	p.build = true;
	st = up_value(&p, 0, SIZE_MAX, &root);
	if (st == 0 && p.i < p.n)
		st = up_fail(&p, p.i, "bytes after the UBJSON document");
	if (st) {
		json_object_put(root);
		return (candor_status)st;
	}
	out->root = root;
	return CANDOR_OK;
}

bool candor__ubjson_find(const candor__json *j, size_t target, size_t *off, size_t *key_off)
{
	up p;
	json_object *unused = NULL;
	if (!j->text)
		return false;
	up_init(&p, j->text, j->len, j->name, j->max_depth, true, NULL);
	p.max_string = p.max_key = SIZE_MAX;
	p.target = target;
	if (up_value(&p, 0, SIZE_MAX, &unused) != UBJ_FOUND)
		return false;
	*off = p.found;
	*key_off = p.found_key;
	return true;
}
