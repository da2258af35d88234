/*
 * doc.c - the audit document: reading, checking and writing audit.json,
 * and the questions every renderer asks of it (which metrics are present,
 * which cells break a failed check, a check in plain words, what a metric
 * means). The workbook, the PDF and the chart files read only this
 * document, which is why `candor report --from audit.json` needs nothing
 * else.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc_build.h"
#include "report_int.h"

/* ===== JSON access ======================================================= */

json_object *candor__jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

double candor__jval(json_object *v)
{
	if (!v)
		return NAN;
	if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
		return json_object_get_double(v);
	if (json_object_is_type(v, json_type_object))
		return candor__jval(candor__jget(v, "value"));
	return NAN;
}

double candor__jnum(json_object *o, const char *key)
{
	return candor__jval(candor__jget(o, key));
}

const char *candor__jstr(json_object *o, const char *key)
{
	json_object *v = candor__jget(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

size_t candor__jlen(json_object *arr)
{
	return arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
}

json_object *candor__jidx(json_object *arr, size_t i)
{
	return i < candor__jlen(arr) ? json_object_array_get_idx(arr, i) : NULL;
}

double candor__jarr_num(json_object *o, const char *key, size_t j)
{
	return candor__jval(candor__jidx(candor__jget(o, key), j));
}

/* ===== checking a document's text ======================================== *
 * json-c accepts more than JSON (NaN, Infinity, numbers that overflow to
 * infinity or wrap, duplicate keys that silently replace each other) and
 * keeps no positions. So after json-c has parsed a document (in strict
 * mode), this second pass reads the same text with a small lexer that
 * knows line and column, and then walks json-c's tree in the same order to
 * check what only the tree can tell (duplicate keys, numbers out of their
 * domain). Every error carries FILE:LINE:COL. The bounds are in
 * docs/report.md. */

/* Longest text of one string value and of one key, in characters: the
 * value bound is Excel's cell limit (libxlsxwriter counts UTF-8
 * characters), the key bound leaves room for the suffixes the workbook
 * adds to metric names ("_lo", "_hi"). */
#define DV_MAX_STRING 32767
#define DV_MAX_KEY 256
/* Largest magnitude of a number: sums and ranges of a document's numbers
 * (a waterfall's running total, an axis' span) then stay finite. */
#define DV_MAX_MAGNITUDE 1e300
/* Longest number token, in bytes. */
#define DV_MAX_NUMBER 400

typedef struct dv_node {
	size_t count; /* members of an object or array (0 for a scalar) */
	uint64_t line, col;
} dv_node;

typedef struct dv {
	const char *t, *name;
	size_t len, i, line_start;
	uint64_t line;
	dv_node *nodes;
	size_t n, cap;
} dv;

static candor_status dv_fail(const dv *d, size_t at, const char *fmt, ...) CANDOR__PRINTF(3, 4);
static candor_status dv_fail(const dv *d, size_t at, const char *fmt, ...)
{
	char msg[300];
	uint64_t line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	candor__text_position(d->t, d->len, at, &line, &col);
	return candor__error(CANDOR_EPARSE, d->name, line, col, "%s", msg);
}

static void dv_ws(dv *d)
{
	while (d->i < d->len && (d->t[d->i] == ' ' || d->t[d->i] == '\t' || d->t[d->i] == '\n' ||
	                         d->t[d->i] == '\r')) {
		if (d->t[d->i] == '\n') {
			d->line++;
			d->line_start = d->i + 1;
		}
		d->i++;
	}
}

static int dv_hex4(const dv *d, size_t at)
{
	int v = 0;

	if (at + 4 > d->len)
		return -1;
	for (size_t k = 0; k < 4; k++) {
		const char c = d->t[at + k];
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

/* A string at d->i (the opening quote): valid UTF-8, no NUL, no lone
 * surrogate escape, at most `max` characters. */
static candor_status dv_string(dv *d, size_t max, const char *what)
{
	const size_t start = d->i;
	size_t chars = 0;

	d->i++;
	while (d->i < d->len && d->t[d->i] != '"') {
		const unsigned char c = (unsigned char)d->t[d->i];
		if (c == '\\') {
			if (d->i + 1 < d->len && d->t[d->i + 1] == 'u') {
				int u = dv_hex4(d, d->i + 2);
				if (u == 0)
					return dv_fail(d, d->i, "%s holds a NUL character (\\u0000)", what);
				if (u >= 0xDC00 && u <= 0xDFFF)
					return dv_fail(d, d->i, "%s holds a lone surrogate (\\u%04X)", what,
					               (unsigned)u);
				if (u >= 0xD800 && u <= 0xDBFF) {
					const int lo = d->i + 7 < d->len && d->t[d->i + 6] == '\\' &&
					                               d->t[d->i + 7] == 'u'
					                       ? dv_hex4(d, d->i + 8)
					                       : -1;
					if (!(lo >= 0xDC00 && lo <= 0xDFFF))
						return dv_fail(d, d->i, "%s holds a lone surrogate (\\u%04X)",
						               what, (unsigned)u);
					d->i += 6;
				}
				d->i += 6;
			} else {
				d->i += 2;
			}
		} else if (c < 0x20) {
			return dv_fail(d, d->i, "%s holds a control character (byte 0x%02X)", what, c);
		} else {
			const size_t k = utf8_seq((const unsigned char *)d->t + d->i, d->len - d->i);
			if (!k)
				return dv_fail(d, d->i, "%s is not valid UTF-8 (byte 0x%02X)", what, c);
			d->i += k;
		}
		if (++chars > max)
			return dv_fail(d, start, "%s is over %zu characters", what, max);
	}
	if (d->i >= d->len)
		return dv_fail(d, start, "unterminated string");
	d->i++;
	return CANDOR_OK;
}

static candor_status dv_number(dv *d)
{
	const size_t start = d->i;
	char buf[DV_MAX_NUMBER + 1], *end;
	bool integral = true;
	size_t n;

	while (d->i < d->len && strchr("+-0123456789.eE", d->t[d->i]) && d->t[d->i]) {
		if (strchr(".eE", d->t[d->i]))
			integral = false;
		d->i++;
	}
	n = d->i - start;
	if (n == 0 || n > DV_MAX_NUMBER)
		return dv_fail(d, start, n ? "number is over %d characters" : "not a number",
		               DV_MAX_NUMBER);
	memcpy(buf, d->t + start, n);
	buf[n] = '\0';
	errno = 0;
	if (integral) {
		(void)strtoll(buf, &end, 10);
		if (errno == ERANGE)
			return dv_fail(d, start, "integer %s is outside -2^63 .. 2^63-1", buf);
	} else {
		const double v = strtod_l(buf, &end, candor__c_locale());
		if (!isfinite(v))
			return dv_fail(d, start, "number %s is not finite (overflows a double)", buf);
		if (fabs(v) > DV_MAX_MAGNITUDE)
			return dv_fail(d, start, "number %s is beyond +-1e300", buf);
	}
	return CANDOR_OK;
}

static candor_status dv_push(dv *d, size_t *idx)
{
	if (d->n == d->cap) {
		const size_t cap = d->cap ? d->cap * 2 : 256;
		dv_node *nn = candor__reallocarray(d->nodes, cap, sizeof(*nn));
		if (!nn)
			return candor__oom();
		d->nodes = nn;
		d->cap = cap;
	}
	*idx = d->n++;
	d->nodes[*idx] = (dv_node){0, d->line, (uint64_t)(d->i - d->line_start) + 1};
	return CANDOR_OK;
}

/* One value at d->i; json-c has accepted the text in strict mode, so only
 * what it lets through is checked here. Depth is json-c's (32). */
static candor_status dv_value(dv *d)
{
	size_t idx = 0;
	candor_status st;

	dv_ws(d);
	if (d->i >= d->len)
		return dv_fail(d, d->i, "unexpected end of input");
	if ((st = dv_push(d, &idx)))
		return st;
	const char c = d->t[d->i];
	if (c == '{' || c == '[') {
		const char close = c == '{' ? '}' : ']';
		size_t count = 0;
		d->i++;
		for (;;) {
			dv_ws(d);
			if (d->i < d->len && d->t[d->i] == close) {
				d->i++;
				break;
			}
			if (d->i < d->len && d->t[d->i] == ',') {
				d->i++;
				continue;
			}
			if (c == '{') {
				if (d->i >= d->len || d->t[d->i] != '"')
					return dv_fail(d, d->i, "expected a key");
				if ((st = dv_string(d, DV_MAX_KEY, "key")))
					return st;
				dv_ws(d);
				if (d->i >= d->len || d->t[d->i] != ':')
					return dv_fail(d, d->i, "expected ':'");
				d->i++;
			}
			if ((st = dv_value(d)))
				return st;
			count++;
		}
		d->nodes[idx].count = count;
		return CANDOR_OK;
	}
	if (c == '"')
		return dv_string(d, DV_MAX_STRING, "text");
	if (c == '-' || (c >= '0' && c <= '9')) {
		if (c == '-' && d->i + 1 < d->len && (d->t[d->i + 1] == 'I' || d->t[d->i + 1] == 'i'))
			return dv_fail(d, d->i, "-Infinity is not a JSON number");
		return dv_number(d);
	}
	static const char *const lits[] = {"true", "false", "null"};
	for (size_t k = 0; k < 3; k++) {
		const size_t n = strlen(lits[k]);
		if (d->len - d->i >= n && memcmp(d->t + d->i, lits[k], n) == 0) {
			d->i += n;
			return CANDOR_OK;
		}
	}
	return dv_fail(d, d->i, "%s is not a JSON value",
	               (c == 'N' || c == 'n') ? "NaN" : (c == 'I' || c == 'i') ? "Infinity" : "this");
}

/* ---- the tree walk: duplicate keys and each number's domain ------------ */

enum { DV_ANY, DV_COUNT, DV_UNIT, DV_NONNEG };

/* Group metrics that are shares or probabilities, so lie in [0, 1]. */
static bool unit_metric(const char *m)
{
	static const char *const names[] = {"selection_rate", "base_rate", "tpr", "fpr", "tnr",
	                                    "fnr", "ppv", "npv", "fdr", "for", "accuracy",
	                                    "error_rate", "f1", "auc", "brier", "ece"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], m) == 0)
			return true;
	return false;
}

#define DV_DEPTH 40
typedef struct dv_walk {
	dv *d;
	size_t k;                    /* next node */
	const char *path[DV_DEPTH]; /* keys; NULL for an array element */
	size_t depth;
} dv_walk;

static bool at(const dv_walk *w, size_t i, const char *key)
{
	if (i >= w->depth)
		return false;
	if (!key)
		return w->path[i] == NULL;
	return w->path[i] && strcmp(w->path[i], key) == 0;
}

/* The domain of the number at the current path. */
static int dv_rule(const dv_walk *w)
{
	const size_t n = w->depth;
	const char *last = n ? w->path[n - 1] : NULL;

	if (n == 2 && at(w, 0, "fairness") && at(w, 1, "n"))
		return DV_COUNT;
	if (n == 2 && at(w, 0, "manifest") && last &&
	    (!strcmp(last, "rows") || !strcmp(last, "explained_rows") || !strcmp(last, "threads")))
		return DV_COUNT;
	if (n == 4 && at(w, 0, "fairness") && at(w, 1, "groups") && at(w, 2, NULL) && last &&
	    (!strcmp(last, "n") || !strcmp(last, "tp") || !strcmp(last, "fp") ||
	     !strcmp(last, "tn") || !strcmp(last, "fn")))
		return DV_COUNT;
	/* fairness.groups[].metrics.M[.value | .ci[]] and fairness.overall.M... */
	size_t m = 0;
	if (n >= 5 && at(w, 0, "fairness") && at(w, 1, "groups") && at(w, 2, NULL) &&
	    at(w, 3, "metrics"))
		m = 4;
	else if (n >= 3 && at(w, 0, "fairness") && at(w, 1, "overall"))
		m = 2;
	if (m && w->path[m] && unit_metric(w->path[m]) &&
	    (n == m + 1 || (n == m + 2 && at(w, m + 1, "value")) ||
	     (n == m + 3 && at(w, m + 1, "ci") && at(w, m + 2, NULL))))
		return DV_UNIT;
	if (n == 4 && at(w, 0, "fairness") && at(w, 1, "disparities") && at(w, 2, NULL)) {
		if (at(w, 3, "ratio"))
			return DV_NONNEG;
		if (at(w, 3, "p_value"))
			return DV_UNIT;
	}
	if (n == 3 && at(w, 0, "explanations") && at(w, 1, "importance") && at(w, 2, NULL))
		return DV_NONNEG;
	if ((n == 3 && at(w, 0, "explanations") && at(w, 1, "rows") && at(w, 2, NULL)) ||
	    (n == 4 && at(w, 0, "explanations") && at(w, 1, "lime") && at(w, 2, "rows") &&
	     at(w, 3, NULL)))
		return DV_COUNT;
	return DV_ANY;
}

static void dv_pathstr(const dv_walk *w, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < w->depth && o + 1 < size; i++) {
		int k = w->path[i] ? snprintf(buf + o, size - o, "%s%.40s", i ? "." : "", w->path[i])
		                   : snprintf(buf + o, size - o, "[]");
		if (k < 0)
			break;
		o += (size_t)k;
	}
	if (o >= size)
		buf[size - 1] = '\0';
	/* keys may hold escaped control characters; messages reach terminals */
	for (char *c = buf; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}

static candor_status dv_walk_fail(const dv_walk *w, const dv_node *nd, const char *fmt,
                                  ...) CANDOR__PRINTF(3, 4);
static candor_status dv_walk_fail(const dv_walk *w, const dv_node *nd, const char *fmt, ...)
{
	char msg[300], path[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dv_pathstr(w, path, sizeof(path));
	return candor__error(CANDOR_EPARSE, w->d->name, nd->line, nd->col, "%s: %s", path, msg);
}

static candor_status dv_visit(dv_walk *w, json_object *o)
{
	const dv_node *nd;
	candor_status st;

	if (w->k >= w->d->n || w->depth >= DV_DEPTH)
		return candor__error(CANDOR_EINTERNAL, w->d->name, 0, 0,
		                     "audit document: the checker lost its place");
	nd = &w->d->nodes[w->k++];
	switch (json_object_get_type(o)) {
	case json_type_object:
		if ((size_t)json_object_object_length(o) != nd->count)
			return dv_walk_fail(w, nd, "a key appears twice in this object");
		json_object_object_foreach(o, key, val)
		{
			w->path[w->depth++] = key;
			st = dv_visit(w, val);
			w->depth--;
			if (st)
				return st;
		}
		return CANDOR_OK;
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			w->path[w->depth++] = NULL;
			st = dv_visit(w, json_object_array_get_idx(o, i));
			w->depth--;
			if (st)
				return st;
		}
		return CANDOR_OK;
	default:
		break;
	}
	const int rule = dv_rule(w);
	if (rule == DV_ANY || json_object_is_type(o, json_type_null))
		return CANDOR_OK;
	if (!json_object_is_type(o, json_type_int) && !json_object_is_type(o, json_type_double))
		return dv_walk_fail(w, nd, "must be a number or null");
	const double v = json_object_get_double(o);
	if (rule == DV_COUNT && !(v >= 0 && v <= 9007199254740992.0 && v == floor(v)))
		return dv_walk_fail(w, nd, "%.17g is not a whole number between 0 and 2^53", v);
	if (rule == DV_UNIT && !(v >= 0 && v <= 1))
		return dv_walk_fail(w, nd, "%.17g is outside [0, 1]", v);
	if (rule == DV_NONNEG && !(v >= 0))
		return dv_walk_fail(w, nd, "%.17g is negative", v);
	return CANDOR_OK;
}

/* Check the text of a document that json-c parsed into `root`. */
static candor_status dv_check(const char *text, size_t len, const char *name, json_object *root)
{
	dv d = {text, name, len, 0, 0, 1, NULL, 0, 0};
	candor_status st = dv_value(&d);

	if (st == CANDOR_OK) {
		dv_ws(&d);
		if (d.i < d.len)
			st = dv_fail(&d, d.i, "text after the end of the document");
	}
	if (st == CANDOR_OK) {
		dv_walk w = {&d, 0, {NULL}, 0};
		st = dv_visit(&w, root);
	}
	candor__free(d.nodes);
	return st;
}

/* ===== reading and writing =============================================== */

candor_status candor_audit_doc_parse(candor_audit_doc **out, const char *text, size_t len,
                                     const char *name)
{
	json_tokener *tok;
	json_object *root;
	candor_audit_doc *doc;
	enum json_tokener_error jerr;
	const char *nm = name ? name : "<buffer>";

	if (!out || !text)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "audit document: no text");
	*out = NULL;
	if (len > (size_t)INT32_MAX)
		return candor__error(CANDOR_EUNSUPPORTED, nm, 0, 0, "audit document is over 2 GiB");
	tok = json_tokener_new();
	if (!tok)
		return candor__oom();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!root || jerr != json_tokener_success) {
		uint64_t line, col;
		const size_t off = json_tokener_get_parse_end(tok);

		candor__text_position(text, len, off, &line, &col);
		json_tokener_free(tok);
		json_object_put(root);
		return candor__error(CANDOR_EPARSE, nm, line, col, "not valid JSON: %s",
		                     jerr == json_tokener_continue ? "unexpected end of input"
		                                                   : json_tokener_error_desc(jerr));
	}
	json_tokener_free(tok);
	candor_status vst = dv_check(text, len, nm, root);
	if (vst) {
		json_object_put(root);
		return vst;
	}
	const char *kind = candor__jstr(root, "kind");
	if (!kind || strcmp(kind, "candor-audit") != 0) {
		json_object_put(root);
		return candor__error(CANDOR_EPARSE, nm, 1, 1,
		                     "not a candor audit document (\"kind\" is not \"candor-audit\")");
	}
	json_object *fair = candor__jget(root, "fairness");
	if (!fair || !json_object_is_type(fair, json_type_object) ||
	    !json_object_is_type(candor__jget(fair, "groups"), json_type_array)) {
		json_object_put(root);
		return candor__error(CANDOR_EPARSE, nm, 1, 1,
		                     "audit document has no \"fairness\" object with \"groups\"");
	}
	const char *verdict = candor__jstr(root, "verdict");
	if (!verdict || (strcmp(verdict, "pass") != 0 && strcmp(verdict, "fail") != 0)) {
		json_object_put(root);
		return candor__error(CANDOR_EPARSE, nm, 1, 1,
		                     "audit document: \"verdict\" must be \"pass\" or \"fail\"");
	}
	doc = candor__calloc(1, sizeof(*doc));
	if (!doc) {
		json_object_put(root);
		return CANDOR_ENOMEM;
	}
	doc->root = root;
	doc->fairness = fair;
	doc->manifest = candor__jget(root, "manifest");
	doc->explanations = candor__jget(root, "explanations");
	*out = doc;
	return CANDOR_OK;
}

candor_status candor_audit_doc_read(candor_audit_doc **out, const char *path)
{
	char *buf;
	size_t len;
	candor_status st;

	if (!out || !path)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "audit document: no path");
	*out = NULL;
	if ((st = candor__file_read(path, &buf, &len)))
		return st;
	st = candor_audit_doc_parse(out, buf, len, path);
	candor__free(buf);
	return st;
}

candor_status candor__doc_adopt(candor_audit_doc **out, json_object *root)
{
	candor_audit_doc *doc;
	json_object *fair = candor__jget(root, "fairness");
	const char *kind = candor__jstr(root, "kind"), *verdict = candor__jstr(root, "verdict");

	/* built in memory by audit/, which keeps to the reader's bounds
	 * (audit/check.c): only the shape is asserted here */
	*out = NULL;
	if (!kind || strcmp(kind, "candor-audit") != 0 || !fair ||
	    !json_object_is_type(fair, json_type_object) ||
	    !json_object_is_type(candor__jget(fair, "groups"), json_type_array) || !verdict ||
	    (strcmp(verdict, "pass") != 0 && strcmp(verdict, "fail") != 0)) {
		json_object_put(root);
		return candor__error(CANDOR_EINTERNAL, NULL, 0, 0,
		                     "audit document: a built document lacks its kind, fairness or verdict");
	}
	doc = candor__calloc(1, sizeof(*doc));
	if (!doc) {
		json_object_put(root);
		return CANDOR_ENOMEM;
	}
	doc->root = root;
	doc->fairness = fair;
	doc->manifest = candor__jget(root, "manifest");
	doc->explanations = candor__jget(root, "explanations");
	*out = doc;
	return CANDOR_OK;
}

void candor_audit_doc_free(candor_audit_doc *doc)
{
	if (!doc)
		return;
	json_object_put(doc->root);
	candor__free(doc);
}

bool candor_audit_doc_passed(const candor_audit_doc *doc)
{
	const char *v = doc ? candor__jstr(doc->root, "verdict") : NULL;

	return v && strcmp(v, "pass") == 0;
}

candor_status candor_audit_doc_write_json(const candor_audit_doc *doc, const char *path)
{
	const char *s;
	FILE *f;
	size_t n;

	if (!doc || !path)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "audit json: no document or path");
	s = json_object_to_json_string_ext(doc->root,
	                                   JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	                                           JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return candor__oom();
	f = fopen(path, "wb");
	if (!f)
		return candor__error(CANDOR_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
	n = strlen(s);
	if (fwrite(s, 1, n, f) != n || fputc('\n', f) == EOF) {
		fclose(f);
		return candor__error(CANDOR_EIO, path, 0, 0, "write failed: %s", strerror(errno));
	}
	if (fclose(f) != 0)
		return candor__error(CANDOR_EIO, path, 0, 0, "write failed: %s", strerror(errno));
	return CANDOR_OK;
}

/* ===== questions renderers ask ========================================== */

const char **candor__doc_metrics(const candor_audit_doc *doc, size_t *n)
{
	json_object *groups = candor__jget(doc->fairness, "groups");
	const char **names = NULL;
	size_t count = 0, cap = 0;

	*n = 0;
	for (size_t g = 0; g < candor__jlen(groups); g++) {
		json_object *m = candor__jget(candor__jidx(groups, g), "metrics");
		if (!m || !json_object_is_type(m, json_type_object))
			continue;
		json_object_object_foreach(m, key, val)
		{
			bool seen = false;
			(void)val;
			for (size_t i = 0; i < count && !seen; i++)
				seen = strcmp(names[i], key) == 0;
			if (seen)
				continue;
			if (count == cap) {
				const char **nn;
				cap = cap ? cap * 2 : 16;
				nn = candor__reallocarray(names, cap, sizeof(*names));
				if (!nn) {
					candor__free(names);
					return NULL;
				}
				names = nn;
			}
			names[count++] = key;
		}
	}
	if (!names)
		names = candor__calloc(1, sizeof(*names));
	*n = count;
	return names;
}

const char *candor__check_kind(json_object *check, double *bound)
{
	static const char *const kinds[] = {"min", "max", "max_difference", "min_ratio"};
	const char *k = candor__jstr(check, "kind");

	if (k) {
		*bound = candor__jnum(check, "bound");
		if (isnan(*bound))
			*bound = candor__jnum(check, k);
		return k;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		json_object *b = candor__jget(check, kinds[i]);
		if (b) {
			*bound = candor__jval(b);
			return kinds[i];
		}
	}
	*bound = NAN;
	return "?";
}

json_object *candor__doc_reference(const candor_audit_doc *doc, const char *attribute)
{
	const char *ref = candor__jstr(candor__jget(doc->fairness, "reference"), attribute);
	json_object *groups = candor__jget(doc->fairness, "groups");

	if (!ref)
		return NULL;
	for (size_t g = 0; g < candor__jlen(groups); g++) {
		json_object *o = candor__jidx(groups, g);
		const char *a = candor__jstr(o, "attribute"), *nm = candor__jstr(o, "group");
		if (a && nm && strcmp(a, attribute) == 0 && strcmp(nm, ref) == 0)
			return o;
	}
	return NULL;
}

bool candor__cell_fails(const candor_audit_doc *doc, json_object *group, const char *metric)
{
	json_object *checks = candor__jget(doc->fairness, "checks");
	const char *attr = candor__jstr(group, "attribute");
	const double v = candor__jnum(candor__jget(group, "metrics"), metric);

	if (!attr || isnan(v))
		return false;
	for (size_t i = 0; i < candor__jlen(checks); i++) {
		json_object *c = candor__jidx(checks, i);
		json_object *pass = candor__jget(c, "pass");
		const char *m = candor__jstr(c, "metric"), *ca = candor__jstr(c, "attribute");
		double bound, ref = NAN;
		const char *kind;

		if (!m || strcmp(m, metric) != 0 || (pass && json_object_get_boolean(pass)))
			continue;
		if (ca && strcmp(ca, attr) != 0)
			continue;
		kind = candor__check_kind(c, &bound);
		if (isnan(bound))
			continue;
		json_object *rg = candor__doc_reference(doc, attr);
		if (rg)
			ref = candor__jnum(candor__jget(rg, "metrics"), metric);
		if (strcmp(kind, "min") == 0 && v < bound)
			return true;
		if (strcmp(kind, "max") == 0 && v > bound)
			return true;
		if (strcmp(kind, "max_difference") == 0 && isfinite(ref) && fabs(v - ref) > bound)
			return true;
		if (strcmp(kind, "min_ratio") == 0 && isfinite(ref) && ref > 0 && v / ref < bound)
			return true;
	}
	return false;
}

void candor__check_sentence(char *buf, size_t size, json_object *c)
{
	double bound;
	const char *kind = candor__check_kind(c, &bound);
	const char *metric = candor__jstr(c, "metric"), *attr = candor__jstr(c, "attribute");
	const char *group = candor__jstr(c, "group");
	json_object *pass = candor__jget(c, "pass");
	const bool ok = pass && json_object_get_boolean(pass);
	const double v = candor__jnum(c, "value");
	char who[200] = "";
	char val[48];

	if (!metric)
		metric = "?";
	if (group)
		candor__fmt(who, sizeof(who), " (worst group: %s)", group);
	if (isnan(v))
		candor__fmt(val, sizeof(val), "undefined");
	else
		candor__fmt(val, sizeof(val), "%.4g", v);
	if (strcmp(kind, "min") == 0)
		candor__fmt(buf, size, "%s for %s is %s%s; the policy asks for at least %.4g: %s.",
		            metric, attr ? attr : "every attribute", val, who, bound,
		            ok ? "passes" : "FAILS");
	else if (strcmp(kind, "max") == 0)
		candor__fmt(buf, size, "%s for %s is %s%s; the policy allows at most %.4g: %s.", metric,
		            attr ? attr : "every attribute", val, who, bound, ok ? "passes" : "FAILS");
	else if (strcmp(kind, "max_difference") == 0)
		candor__fmt(buf, size,
		            "%s for %s differs from the reference group by %s%s; the policy allows at "
		            "most %.4g: %s.",
		            metric, attr ? attr : "every attribute", val, who, bound,
		            ok ? "passes" : "FAILS");
	else if (strcmp(kind, "min_ratio") == 0)
		candor__fmt(buf, size,
		            "%s for %s is %s times the reference group's%s; the policy asks for at "
		            "least %.4g: %s.",
		            metric, attr ? attr : "every attribute", val, who, bound,
		            ok ? "passes" : "FAILS");
	else
		candor__fmt(buf, size, "%s for %s is %s: %s.", metric, attr ? attr : "every attribute",
		            val, ok ? "passes" : "FAILS");
}

static const struct {
	const char *name, *text;
} definitions[] = {
	{"selection_rate", "share of the group given the favourable decision: (TP + FP) / n"},
	{"base_rate", "share of the group whose true label is favourable: (TP + FN) / n"},
	{"tpr", "true positive rate (recall): TP / (TP + FN), favourable decisions among those who deserved one"},
	{"fpr", "false positive rate: FP / (FP + TN), favourable decisions among those who did not deserve one"},
	{"tnr", "true negative rate (specificity): TN / (FP + TN)"},
	{"fnr", "false negative rate: FN / (TP + FN), deserving people refused"},
	{"ppv", "positive predictive value (precision): TP / (TP + FP)"},
	{"npv", "negative predictive value: TN / (TN + FN)"},
	{"fdr", "false discovery rate: FP / (TP + FP)"},
	{"for", "false omission rate: FN / (TN + FN)"},
	{"accuracy", "share of correct decisions: (TP + TN) / n"},
	{"error_rate", "share of wrong decisions: (FP + FN) / n"},
	{"f1", "harmonic mean of precision and recall: 2TP / (2TP + FP + FN)"},
	{"auc", "area under the ROC curve of the score: the chance a random favourable case scores above a random unfavourable one"},
	{"brier", "mean squared difference between the score and the label"},
	{"ece", "expected calibration error over 10 equal-width score bins"},
	{"mean_score", "mean score of the group"},
	{"demographic_parity_difference", "largest minus smallest selection rate across groups (fairlearn)"},
	{"demographic_parity_ratio", "smallest over largest selection rate across groups (fairlearn)"},
	{"equalized_odds_difference", "the larger of the TPR gap and the FPR gap across groups (fairlearn)"},
	{"equalized_odds_ratio", "the smaller of the TPR ratio and the FPR ratio across groups (fairlearn)"},
	{"equal_opportunity_difference", "TPR of the other groups minus TPR of the reference group (AIF360)"},
	{"average_odds_difference", "mean of the FPR difference and the TPR difference, other groups minus reference (AIF360)"},
	{"disparate_impact", "selection rate of the other groups over that of the reference group (AIF360); the four-fifths rule asks for at least 0.8"},
	{"theil_index", "Theil index of the benefit pred - label + 1 over all rows (AIF360): 0 is perfectly even"},
	{"generalized_entropy_index", "generalized entropy index (alpha = 2) of the same benefit (AIF360)"},
	{"difference", "a group's value minus the reference group's value"},
	{"ratio", "a group's value divided by the reference group's value; 1 means parity"},
	{"p_value", "probability of a gap at least this large if the group and the reference had the same rate (z test, or Fisher's exact test for small counts)"},
	{"mean_abs_shap", "mean absolute SHAP value of a feature over the explained rows: its average impact on the model output"},
};

const char *candor__metric_definition(const char *metric)
{
	for (size_t i = 0; i < sizeof(definitions) / sizeof(definitions[0]); i++)
		if (strcmp(definitions[i].name, metric) == 0)
			return definitions[i].text;
	return NULL;
}

int64_t candor__doc_time(const candor_audit_doc *doc)
{
	const char *t = candor__jstr(doc->manifest, "time");
	struct tm tm;
	char *end;

	if (!t)
		return 0;
	memset(&tm, 0, sizeof(tm));
	end = strptime(t, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return 0;
	return (int64_t)timegm(&tm);
}
