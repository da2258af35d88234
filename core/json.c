/*
 * json.c - the JSON reading core (see json_int.h): a strict recursive
 * descent reader that builds json-c's tree, and the error reports that
 * find a value's place in the text again when, and only when, one is
 * needed.
 *
 * One lexer serves both: in build mode it makes the tree; in find mode it
 * builds nothing and stops at the start of the value whose pre-order
 * ordinal it was asked for (the text was read once already, so it meets no
 * error there).
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "core/json_int.h"

#define JSON_DEFAULT_DEPTH 32
#define JSON_HARD_DEPTH 256
#define JSON_DEFAULT_STRING ((size_t)1 << 24)
#define JSON_DEFAULT_KEY 4096
#define JSON_FOUND 1 /* find mode: the value was reached */

typedef struct jp {
	const char *t, *name;
	size_t n, i;
	size_t max_depth, max_string, max_key, max_number;
	double max_magnitude;
	bool nonfinite;
	bool build;
	size_t count;        /* values started so far (pre-order) */
	size_t target;       /* find mode: the ordinal sought */
	size_t found, found_key; /* its offset, and its key's (SIZE_MAX: none) */
	char *buf;           /* unescaped strings, used as a stack (keys stay below) */
	size_t top, cap;
} jp;

static int jp_fail(const jp *p, size_t at, const char *fmt, ...) CANDOR__PRINTF(3, 4);
static int jp_fail(const jp *p, size_t at, const char *fmt, ...)
{
	char msg[300];
	uint64_t line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	candor__text_position(p->t, p->n, at, &line, &col);
	return candor__error(CANDOR_EPARSE, p->name, line, col, "%s", msg);
}

static void jp_ws(jp *p)
{
	while (p->i < p->n) {
		const char c = p->t[p->i];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->i++;
	}
}

/* The byte at `at` for a message: 'x' when printable ASCII, else its code. */
static const char *show_byte(char *buf, size_t size, unsigned char c)
{
	if (c > 0x20 && c < 0x7f && c != '\'')
		snprintf(buf, size, "'%c'", c);
	else
		snprintf(buf, size, "byte 0x%02X", c);
	return buf;
}

static int jp_reserve(jp *p, size_t more)
{
	if (p->top + more <= p->cap)
		return 0;
	size_t cap = p->cap ? p->cap : 256;
	while (cap < p->top + more)
		cap *= 2;
	char *nb = candor__realloc(p->buf, cap);
	if (!nb)
		return CANDOR_ENOMEM;
	p->buf = nb;
	p->cap = cap;
	return 0;
}

static int hex4(const jp *p, size_t at)
{
	int v = 0;

	if (at + 4 > p->n)
		return -1;
	for (size_t k = 0; k < 4; k++) {
		const char c = p->t[at + k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Length of the UTF-8 sequence at s[0..n) (1..4), or 0 when it is not
 * valid UTF-8 (RFC 3629: no overlong forms, no surrogates, <= U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		const unsigned char lo = s[0] == 0xE0 ? 0xA0 : 0x80, hi = s[0] == 0xED ? 0x9F : 0xBF;
		return n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
	}
	if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		const unsigned char lo = s[0] == 0xF0 ? 0x90 : 0x80, hi = s[0] == 0xF4 ? 0x8F : 0xBF;
		return n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 &&
		                       (s[3] & 0xC0) == 0x80
		               ? 4
		               : 0;
	}
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * The string whose opening quote is at p->i, unescaped and NUL-terminated
 * at p->buf + p->top (*len bytes; p->top is not moved). `what` is "string"
 * or "key", `max` its bound in characters.
 */
static int jp_string(jp *p, size_t max, const char *what, size_t *len)
{
	const size_t start = p->i;
	size_t chars = 0, o = 0;
	char b[16];
	int st;

	p->i++;
	for (;;) {
		if (p->i >= p->n)
			return jp_fail(p, start, "unterminated %s", what);
		const unsigned char c = (unsigned char)p->t[p->i];
		if (c == '"')
			break;
		char tmp[8];
		if (p->build && (st = jp_reserve(p, o + 5)))
			return st;
		/* find mode keeps nothing: write into a throwaway buffer */
		char *out = p->build ? p->buf + p->top + o : tmp;
		if (c == '\\') {
			const char e = p->i + 1 < p->n ? p->t[p->i + 1] : '\0';
			const char *simple = strchr("\"\\/bfnrt", e);
			if (p->i + 1 >= p->n)
				return jp_fail(p, start, "unterminated %s", what);
			if (e && simple) {
				static const char map[] = "\"\\/\b\f\n\r\t";
				*out = map[simple - "\"\\/bfnrt"];
				o += p->build;
				p->i += 2;
			} else if (e == 'u') {
				int u = hex4(p, p->i + 2);
				unsigned cp;
				if (u < 0)
					return jp_fail(p, p->i, "invalid \\u escape in a %s", what);
				if (u == 0)
					return jp_fail(p, p->i, "NUL character (\\u0000) in a %s", what);
				if (u >= 0xDC00 && u <= 0xDFFF)
					return jp_fail(p, p->i, "lone surrogate (\\u%04X) in a %s",
					               (unsigned)u, what);
				if (u >= 0xD800 && u <= 0xDBFF) {
					const int lo = p->i + 7 < p->n && p->t[p->i + 6] == '\\' &&
					                               p->t[p->i + 7] == 'u'
					                       ? hex4(p, p->i + 8)
					                       : -1;
					if (!(lo >= 0xDC00 && lo <= 0xDFFF))
						return jp_fail(p, p->i, "lone surrogate (\\u%04X) in a %s",
						               (unsigned)u, what);
					cp = 0x10000 + (((unsigned)u - 0xD800) << 10) +
					     ((unsigned)lo - 0xDC00);
					p->i += 12;
				} else {
					cp = (unsigned)u;
					p->i += 6;
				}
				o += p->build ? put_utf8(out, cp) : 0;
			} else {
				return jp_fail(p, p->i, "invalid escape '\\%s' in a %s",
				               e > 0x20 && e < 0x7f ? (char[2]){ e, 0 } : "?", what);
			}
		} else if (c < 0x20) {
			return jp_fail(p, p->i, "control character (byte 0x%02X) in a %s", c, what);
		} else {
			const size_t k = utf8_seq((const unsigned char *)p->t + p->i, p->n - p->i);
			if (!k)
				return jp_fail(p, p->i, "invalid UTF-8 (%s) in a %s",
				               show_byte(b, sizeof(b), c), what);
			memcpy(out, p->t + p->i, k);
			o += p->build ? k : 0;
			p->i += k;
		}
		if (++chars > max)
			return jp_fail(p, start, "%s is over %zu characters", what, max);
	}
	p->i++;
	*len = o;
	if (!p->build)
		return 0;
	if ((st = jp_reserve(p, o + 1)))
		return st;
	p->buf[p->top + o] = '\0';
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The number at p->i (a '-' or a digit). */
static int jp_number(jp *p, json_object **out)
{
	const size_t start = p->i;
	const char *t = p->t;
	size_t i = p->i, end;
	bool integral = true, ok = true;

	if (i < p->n && t[i] == '-')
		i++;
	if (i < p->n && t[i] == '0') {
		i++;
		if (i < p->n && is_digit(t[i]))
			ok = false; /* a leading zero */
	} else if (i < p->n && is_digit(t[i])) {
		while (i < p->n && is_digit(t[i]))
			i++;
	} else {
		ok = false;
	}
	if (ok && i < p->n && t[i] == '.') {
		integral = false;
		i++;
		if (!(i < p->n && is_digit(t[i])))
			ok = false;
		while (i < p->n && is_digit(t[i]))
			i++;
	}
	if (ok && i < p->n && (t[i] == 'e' || t[i] == 'E')) {
		integral = false;
		i++;
		if (i < p->n && (t[i] == '+' || t[i] == '-'))
			i++;
		if (!(i < p->n && is_digit(t[i])))
			ok = false;
		while (i < p->n && is_digit(t[i]))
			i++;
	}
	/* the token as a reader would see it, for messages */
	end = i;
	while (end < p->n && (is_digit(t[end]) || strchr("+-.eE", t[end]) != NULL) && t[end])
		end++;
	if (!ok || end != i)
		return jp_fail(p, start, "malformed number '%.*s'", (int)(end - start > 40 ? 40 : end - start),
		               t + start);
	const int show = (int)(i - start > 40 ? 40 : i - start);
	if (i - start > p->max_number)
		return jp_fail(p, start, "number is over %zu characters", p->max_number);
	p->i = i;
	if (integral) {
		const bool neg = t[start] == '-';
		uint64_t mag = 0;
		const uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		for (size_t k = start + neg; k < i; k++) {
			const uint64_t d = (uint64_t)(t[k] - '0');
			if (mag > (lim - d) / 10)
				return jp_fail(p, start, "integer %.*s%s is outside -2^63..2^63-1", show,
				               t + start, i - start > 40 ? "..." : "");
			mag = mag * 10 + d;
		}
		if (p->build) {
			const int64_t v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
			if (!(*out = json_object_new_int64(v)))
				return candor__oom();
		}
		return 0;
	}
	double v;
	if (candor__parse_number(t + start, i - start, &v) != CANDOR__NUM_OK)
		return jp_fail(p, start, "number %.*s%s overflows a double", show, t + start,
		               i - start > 40 ? "..." : "");
	if (p->max_magnitude > 0 && fabs(v) > p->max_magnitude)
		return jp_fail(p, start, "number %.*s%s exceeds %g in magnitude", show, t + start,
		               i - start > 40 ? "..." : "", p->max_magnitude);
	if (p->build) {
		int st;
		if ((st = jp_reserve(p, i - start + 1)))
			return st;
		memcpy(p->buf + p->top, t + start, i - start);
		p->buf[p->top + i - start] = '\0';
		if (!(*out = json_object_new_double_s(v, p->buf + p->top)))
			return candor__oom();
	}
	return 0;
}

static int jp_value(jp *p, size_t depth, size_t key_at, json_object **out);

static int jp_object(jp *p, size_t depth, json_object **out)
{
	json_object *obj = NULL;
	int st;

	p->i++;
	if (p->build && !(obj = json_object_new_object()))
		return candor__oom();
	jp_ws(p);
	if (p->i < p->n && p->t[p->i] == '}') {
		p->i++;
		*out = obj;
		return 0;
	}
	for (;;) {
		size_t klen;
		const size_t ktop = p->top;
		json_object *v = NULL;

		jp_ws(p);
		if (p->i >= p->n) {
			st = jp_fail(p, p->i, "unexpected end of input");
			goto fail;
		}
		if (p->t[p->i] != '"') {
			st = jp_fail(p, p->i, "expected a key (a string in double quotes)");
			goto fail;
		}
		const size_t key_at = p->i;
		if ((st = jp_string(p, p->max_key, "key", &klen)))
			goto fail;
		if (p->build && json_object_object_get_ex(obj, p->buf + ktop, NULL)) {
			char k[80];
			size_t m = 0;
			for (const char *s = p->buf + ktop; *s && m + 4 < sizeof(k); s++)
				k[m++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
			k[m] = '\0';
			st = jp_fail(p, key_at, "duplicate key '%s'", k);
			goto fail;
		}
		if (p->build)
			p->top += klen + 1; /* the key stays while its value is read */
		jp_ws(p);
		if (p->i >= p->n || p->t[p->i] != ':') {
			st = p->i >= p->n ? jp_fail(p, p->i, "unexpected end of input")
			                  : jp_fail(p, p->i, "expected ':' after a key");
			p->top = ktop;
			goto fail;
		}
		p->i++;
		st = jp_value(p, depth + 1, key_at, &v);
		p->top = ktop;
		if (st)
			goto fail;
		if (p->build &&
		    json_object_object_add_ex(obj, p->buf + ktop, v, JSON_C_OBJECT_ADD_KEY_IS_NEW)) {
			json_object_put(v);
			st = candor__oom();
			goto fail;
		}
		jp_ws(p);
		if (p->i < p->n && p->t[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->t[p->i] == '}') {
			p->i++;
			break;
		}
		st = p->i >= p->n ? jp_fail(p, p->i, "unexpected end of input")
		                  : jp_fail(p, p->i, "expected ',' or '}'");
		goto fail;
	}
	*out = obj;
	return 0;
fail:
	json_object_put(obj);
	return st;
}

static int jp_array(jp *p, size_t depth, json_object **out)
{
	json_object *arr = NULL;
	int st;

	p->i++;
	if (p->build && !(arr = json_object_new_array()))
		return candor__oom();
	jp_ws(p);
	if (p->i < p->n && p->t[p->i] == ']') {
		p->i++;
		*out = arr;
		return 0;
	}
	for (;;) {
		json_object *v = NULL;

		if ((st = jp_value(p, depth + 1, SIZE_MAX, &v)))
			goto fail;
		if (p->build && json_object_array_add(arr, v)) {
			json_object_put(v);
			st = candor__oom();
			goto fail;
		}
		jp_ws(p);
		if (p->i < p->n && p->t[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->t[p->i] == ']') {
			p->i++;
			break;
		}
		st = p->i >= p->n ? jp_fail(p, p->i, "unexpected end of input")
		                  : jp_fail(p, p->i, "expected ',' or ']'");
		goto fail;
	}
	*out = arr;
	return 0;
fail:
	json_object_put(arr);
	return st;
}

/* One value (after white space) at p->i; `key_at` is the offset of its key
 * when it is a member's value (SIZE_MAX otherwise). */
static int jp_value(jp *p, size_t depth, size_t key_at, json_object **out)
{
	char b[16];

	*out = NULL;
	jp_ws(p);
	if (p->i >= p->n)
		return jp_fail(p, p->i, "unexpected end of input");
	if (!p->build && p->count == p->target) {
		p->found = p->i;
		p->found_key = key_at;
		return JSON_FOUND;
	}
	p->count++;
	const char c = p->t[p->i];
	if (p->nonfinite && (c == 'N' || c == 'I' || c == '-')) {
		static const struct { const char *lit; int sign; } nf[] = {
			{ "NaN", 0 }, { "Infinity", 1 }, { "-Infinity", -1 } };
		for (size_t k = 0; k < 3; k++) {
			const size_t n = strlen(nf[k].lit);
			if (p->n - p->i >= n && memcmp(p->t + p->i, nf[k].lit, n) == 0) {
				const double v = nf[k].sign == 0 ? NAN : nf[k].sign * INFINITY;
				p->i += n;
				if (p->build && !(*out = json_object_new_double_s(v, nf[k].lit)))
					return candor__oom();
				return 0;
			}
		}
	}
	switch (c) {
	case '{':
	case '[':
		if (depth >= p->max_depth)
			return jp_fail(p, p->i, "nesting is deeper than %zu levels", p->max_depth);
		return c == '{' ? jp_object(p, depth, out) : jp_array(p, depth, out);
	case '"': {
		size_t len;
		int st = jp_string(p, p->max_string, "string", &len);
		if (st)
			return st;
		if (p->build && !(*out = json_object_new_string_len(p->buf + p->top, (int)len)))
			return candor__oom();
		return 0;
	}
	case 't':
	case 'f':
	case 'n': {
		static const char *const lits[] = { "true", "false", "null" };
		const char *lit = lits[c == 't' ? 0 : c == 'f' ? 1 : 2];
		const size_t n = strlen(lit);
		if (p->n - p->i >= n && memcmp(p->t + p->i, lit, n) == 0) {
			p->i += n;
			if (p->build && c != 'n' && !(*out = json_object_new_boolean(c == 't')))
				return candor__oom();
			return 0;
		}
		if (c == 'n' && p->n - p->i >= 3 && strncmp(p->t + p->i, "nan", 3) == 0)
			return jp_fail(p, p->i, "NaN is not a JSON number");
		return jp_fail(p, p->i, "expected a value, found %s", show_byte(b, sizeof(b), c));
	}
	case 'N':
		if (p->n - p->i >= 3 && strncmp(p->t + p->i, "NaN", 3) == 0)
			return jp_fail(p, p->i, "NaN is not a JSON number");
		break;
	case 'I':
	case 'i':
		if (p->n - p->i >= 3 && strncasecmp(p->t + p->i, "inf", 3) == 0)
			return jp_fail(p, p->i, "Infinity is not a JSON number");
		break;
	case '-':
		if (p->i + 1 < p->n && (p->t[p->i + 1] == 'I' || p->t[p->i + 1] == 'i'))
			return jp_fail(p, p->i, "Infinity is not a JSON number");
		return jp_number(p, out);
	default:
		if (is_digit(c))
			return jp_number(p, out);
		break;
	}
	return jp_fail(p, p->i, "expected a value, found %s", show_byte(b, sizeof(b), c));
}

static void jp_init(jp *p, const char *text, size_t len, const char *name, size_t depth,
                    bool nonfinite, const candor__json_limits *lim)
{
	memset(p, 0, sizeof(*p));
	p->t = text ? text : "";
	p->n = text ? len : 0;
	p->name = name;
	p->max_depth = depth;
	p->nonfinite = nonfinite;
	p->max_string = lim && lim->max_string ? lim->max_string : JSON_DEFAULT_STRING;
	p->max_key = lim && lim->max_key ? lim->max_key : JSON_DEFAULT_KEY;
	p->max_number = lim && lim->max_number ? lim->max_number : SIZE_MAX;
	p->max_magnitude = lim && lim->max_magnitude > 0 ? lim->max_magnitude : DBL_MAX;
	p->found = p->found_key = SIZE_MAX;
}

candor_status candor__json_read(candor__json *out, const char *text, size_t len,
                                const char *name, const candor__json_limits *limits)
{
	jp p;
	size_t depth = limits && limits->max_depth ? limits->max_depth : JSON_DEFAULT_DEPTH;
	json_object *root = NULL;
	int st;

	if (depth > JSON_HARD_DEPTH)
		depth = JSON_HARD_DEPTH;
	memset(out, 0, sizeof(*out));
	out->text = text;
	out->len = text ? len : 0;
	out->name = name;
	out->max_depth = depth;
	out->nonfinite = limits && limits->nonfinite;
	jp_init(&p, text, len, name, depth, out->nonfinite, limits);
	p.build = true;
	st = jp_value(&p, 0, SIZE_MAX, &root);
	if (st == 0) {
		jp_ws(&p);
		if (p.i < p.n)
			st = jp_fail(&p, p.i, "text after the JSON document");
	}
	candor__free(p.buf);
	if (st) {
		json_object_put(root);
		return (candor_status)st;
	}
	out->root = root;
	return CANDOR_OK;
}

void candor__json_done(candor__json *j)
{
	if (!j)
		return;
	json_object_put(j->root);
	j->root = NULL;
}

json_object *candor__json_take(candor__json *j)
{
	json_object *r = j->root;

	j->root = NULL;
	return r;
}

/* ===== finding a value again ============================================= */

/* What to find: a value by its pointer, or (parent set) member `key` or
 * element `idx` of `parent`, which also finds a null (json-c keeps null as
 * a NULL pointer, so it has no pointer of its own). */
typedef struct jfind {
	json_object *target, *parent;
	const char *key;
	size_t idx;
	size_t ord;        /* pre-order ordinal of the next node */
	char *path;        /* the path, built as the walk descends */
	size_t size, len, parent_len;
} jfind;

static void path_push(jfind *f, const char *key, size_t idx)
{
	int k;

	if (f->len + 1 >= f->size)
		return;
	if (key) {
		char part[64];
		size_t m = 0;
		const char *s = key;
		/* at most 40 bytes of a key, never cutting a UTF-8 sequence */
		for (; *s; s++) {
			const unsigned char c = (unsigned char)*s;
			if (m >= 36 && (c & 0xC0) != 0x80)
				break;
			part[m++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
		}
		part[m] = '\0';
		k = snprintf(f->path + f->len, f->size - f->len, "%s%s%s", f->len ? "." : "", part,
		             *s ? "..." : "");
	} else {
		k = snprintf(f->path + f->len, f->size - f->len, "[%zu]", idx);
	}
	if (k < 0 || (size_t)k >= f->size - f->len) {
		f->path[f->len] = '\0'; /* too long: the path stops here */
		f->len = f->size;
		return;
	}
	f->len += (size_t)k;
}

static void path_pop(jfind *f, size_t len)
{
	if (len < f->size)
		f->path[len] = '\0';
	f->len = len;
}

/* Depth-first search, in the order of the text; true when found (f->ord
 * is then the ordinal of the value sought, f->path its path). */
static bool find(jfind *f, json_object *o, size_t depth)
{
	const size_t len = f->len;

	if (!f->parent && o == f->target)
		return true;
	f->ord++;
	if (depth > JSON_HARD_DEPTH)
		return false;
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, val)
		{
			if (o == f->parent && f->key && strcmp(key, f->key) == 0) {
				f->parent_len = len;
				path_push(f, key, 0);
				return true;
			}
			path_push(f, key, 0);
			if (find(f, val, depth + 1))
				return true;
			path_pop(f, len);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		const size_t n = json_object_array_length(o);
		for (size_t i = 0; i < n; i++) {
			if (o == f->parent && !f->key && i == f->idx) {
				f->parent_len = len;
				path_push(f, NULL, i);
				return true;
			}
			path_push(f, NULL, i);
			if (find(f, json_object_array_get_idx(o, i), depth + 1))
				return true;
			path_pop(f, len);
		}
	}
	return false;
}

/* Offsets of the value `f` describes (and of its key) in j's text, and its
 * path in f->path; false when it cannot be found. Records no error: the
 * text was read once already, and find mode allocates nothing. */
static bool locate(const candor__json *j, jfind *f, size_t *off, size_t *key_off)
{
	f->path[0] = '\0';
	if (!j->root || !find(f, j->root, 0))
		return false;
	if (f->len >= f->size)
		f->path[f->size - 1] = '\0';
	if (!j->text)
		return false;
	if (j->binary)
		return candor__ubjson_find(j, f->ord, off, key_off);
	jp p;
	json_object *unused = NULL;
	jp_init(&p, j->text, j->len, j->name, j->max_depth, j->nonfinite, NULL);
	p.max_string = p.max_key = SIZE_MAX;
	p.target = f->ord;
	if (jp_value(&p, 0, SIZE_MAX, &unused) != JSON_FOUND)
		return false;
	/* the value found must be of the kind the tree holds (a tree changed
	 * after reading would otherwise point elsewhere) */
	json_object *v = f->target;
	if (f->parent) {
		v = NULL;
		if (f->key)
			json_object_object_get_ex(f->parent, f->key, &v);
		else
			v = json_object_array_get_idx(f->parent, f->idx);
	}
	const char c = j->text[p.found];
	bool kind_ok;
	switch (json_object_get_type(v)) {
	case json_type_object: kind_ok = c == '{'; break;
	case json_type_array: kind_ok = c == '['; break;
	case json_type_string: kind_ok = c == '"'; break;
	case json_type_int:
	case json_type_double: kind_ok = c == '-' || is_digit(c) || c == 'N' || c == 'I'; break;
	case json_type_boolean: kind_ok = c == 't' || c == 'f'; break;
	default: kind_ok = c == 'n'; break;
	}
	if (!kind_ok)
		return false;
	*off = p.found;
	*key_off = p.found_key;
	return true;
}

/* Line and column of byte `off` (a UBJSON document: line 1, 1 + offset). */
static void position(const candor__json *j, size_t off, uint64_t *line, uint64_t *col)
{
	if (j->binary) {
		*line = 1;
		*col = (uint64_t)off + 1;
	} else {
		candor__text_position(j->text, j->len, off, line, col);
	}
}

void candor__json_where(const candor__json *j, json_object *at, uint64_t *line, uint64_t *col,
                        char *path, size_t path_size)
{
	char scratch[8];
	jfind f = { at ? at : j->root, NULL, NULL, 0, 0, path && path_size ? path : scratch,
	            path && path_size ? path_size : sizeof(scratch), 0, 0 };
	size_t off, key_off;

	*line = *col = 0;
	if (locate(j, &f, &off, &key_off))
		position(j, off, line, col);
}

enum { AT_VALUE, AT_CHILD, AT_KEY };

static candor_status report(const candor__json *j, int mode, json_object *at, const char *key,
                            size_t idx, candor_status status, const char *fmt, va_list ap)
{
	char msg[400], path[200];
	uint64_t line = 0, col = 0;
	size_t off, key_off;
	jfind f = { at ? at : j->root, NULL, NULL, 0, 0, path, sizeof(path), 0, 0 };

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (mode != AT_VALUE) {
		f.parent = at ? at : j->root;
		f.key = key;
		f.idx = idx;
	}
	if (locate(j, &f, &off, &key_off)) {
		if (mode == AT_KEY && key_off != SIZE_MAX)
			off = key_off;
		position(j, off, &line, &col);
	}
	if (mode == AT_KEY)
		path_pop(&f, f.parent_len);
	if (path[0])
		return candor__error(status, j->name, line, col, "%s: %s", path, msg);
	return candor__error(status, j->name, line, col, "%s", msg);
}

candor_status candor__json_error(const candor__json *j, json_object *at, candor_status status,
                                 const char *fmt, ...)
{
	va_list ap;
	candor_status st;

	va_start(ap, fmt);
	st = report(j, AT_VALUE, at, NULL, 0, status, fmt, ap);
	va_end(ap);
	return st;
}

candor_status candor__json_error_in(const candor__json *j, json_object *parent, const char *key,
                                    size_t idx, candor_status status, const char *fmt, ...)
{
	va_list ap;
	candor_status st;

	va_start(ap, fmt);
	st = report(j, AT_CHILD, parent, key, idx, status, fmt, ap);
	va_end(ap);
	return st;
}

candor_status candor__json_error_key(const candor__json *j, json_object *obj, const char *key,
                                     candor_status status, const char *fmt, ...)
{
	va_list ap;
	candor_status st;

	va_start(ap, fmt);
	st = report(j, AT_KEY, obj, key, 0, status, fmt, ap);
	va_end(ap);
	return st;
}

/* ===== typed access ====================================================== */

const char *candor__json_kind(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	case json_type_int:
	case json_type_double: return "a number";
	case json_type_boolean: return "true or false";
	default: return "null";
	}
}

static const char *want_name(json_type t)
{
	switch (t) {
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	case json_type_int: return "an integer";
	case json_type_double: return "a number";
	case json_type_boolean: return "true or false";
	default: return "null";
	}
}

static bool has_type(json_object *v, json_type type)
{
	const json_type have = json_object_get_type(v);

	return type == json_type_null || have == type ||
	       (type == json_type_double && have == json_type_int);
}

/* The one wording of a type fault, at v (or at child key/idx of parent). */
static candor_status wrong_type(const candor__json *j, json_object *parent, const char *key,
                                size_t idx, json_object *v, json_type type)
{
	char found[64];

	if (type == json_type_int && json_object_is_type(v, json_type_double))
		snprintf(found, sizeof(found), "%.40s", json_object_get_string(v));
	else
		snprintf(found, sizeof(found), "%s", candor__json_kind(v));
	if (parent)
		return candor__json_error_in(j, parent, key, idx, CANDOR_EPARSE, "expected %s, found %s",
		                             want_name(type), found);
	return candor__json_error(j, v, CANDOR_EPARSE, "expected %s, found %s", want_name(type),
	                          found);
}

candor_status candor__json_expect(const candor__json *j, json_object *v, json_type type)
{
	return has_type(v, type) ? CANDOR_OK : wrong_type(j, NULL, NULL, 0, v, type);
}

candor_status candor__json_member(json_object **out, const candor__json *j, json_object *obj,
                                  const char *key, json_type type, bool required)
{
	json_object *v = NULL;

	*out = NULL;
	if (!json_object_is_type(obj, json_type_object))
		return candor__json_expect(j, obj, json_type_object);
	if (!json_object_object_get_ex(obj, key, &v) || (!required && !v)) {
		if (required)
			return candor__json_error(j, obj, CANDOR_EPARSE, "missing key '%s'", key);
		return CANDOR_OK;
	}
	if (!has_type(v, type))
		return wrong_type(j, obj, key, 0, v, type);
	*out = v;
	return CANDOR_OK;
}

candor_status candor__json_elem(json_object **out, const candor__json *j, json_object *arr,
                                size_t idx, json_type type)
{
	json_object *v;

	*out = NULL;
	if (!json_object_is_type(arr, json_type_array))
		return candor__json_expect(j, arr, json_type_array);
	if (idx >= json_object_array_length(arr))
		return candor__json_error(j, arr, CANDOR_EPARSE, "has no element %zu", idx);
	v = json_object_array_get_idx(arr, idx);
	if (!has_type(v, type))
		return wrong_type(j, arr, NULL, idx, v, type);
	*out = v;
	return CANDOR_OK;
}

candor_status candor__json_number(double *out, const candor__json *j, json_object *v)
{
	candor_status st = candor__json_expect(j, v, json_type_double);

	if (st)
		return st;
	*out = json_object_get_double(v);
	return CANDOR_OK;
}

candor_status candor__json_integer(int64_t *out, const candor__json *j, json_object *v)
{
	candor_status st = candor__json_expect(j, v, json_type_int);

	if (st)
		return st;
	*out = json_object_get_int64(v);
	return CANDOR_OK;
}
