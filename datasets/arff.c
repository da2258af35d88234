/*
 * arff.c - the Weka ARFF reader.
 *
 * Follows the format as Weka documents it (weka.core.converters.ArffLoader):
 * a header of `@relation NAME`, one `@attribute NAME TYPE` per column and
 * `@data`, then one comma-separated row per line. Keywords are case
 * insensitive; names and values may be quoted with ' or " (backslash escapes
 * the next character); `%` starts a comment line; `?` is a missing value.
 * Types: numeric, real, integer (numeric columns); {a, b, ...} nominal
 * (categorical, codes in declaration order, so a value outside the list is an
 * error); string (categorical, dictionary in order of appearance). Sparse
 * rows `{i v, ...}`, date and relational attributes are refused as
 * unsupported rather than misread.
 *
 * Bounds (the CSV reader's defaults, a line standing for a record): a value
 * or name of at most CANDOR_CSV_MAX_FIELD_BYTES, a line of at most
 * CANDOR_CSV_MAX_RECORD_BYTES, at most CANDOR_CSV_MAX_COLUMNS attributes; a
 * NUL byte and a number beyond the range of a double are errors where they
 * are; a file with no data row is an error.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "datasets_int.h"

typedef struct arff {
	const char *name;
	const char *data, *end;
	const char *line;      /* start of the current line */
	uint64_t lineno;
	char *tok;             /* the current token, unescaped */
	size_t toklen, tokcap;
	candor_table *t;
	bool *nominal;         /* per column: values must be declared levels */
	size_t ncols, capnominal;
	size_t nrows, caprows;
	candor__locmap *loc;   /* checkpoints when read from a file, else NULL */
} arff;

#define AFAIL(a, p, ...) \
	candor__error(CANDOR_EPARSE, (a)->name, (a)->lineno, \
	              (uint64_t)((p) - (a)->line) + 1, __VA_ARGS__)

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* The end of the line that starts at p (the '\n', '\r' or end). */
static const char *line_end(const arff *a, const char *p)
{
	while (p < a->end && *p != '\n' && *p != '\r')
		p++;
	return p;
}

static candor_status tok_put(arff *a, char c)
{
	if (a->toklen + 1 >= a->tokcap) {
		size_t cap = a->tokcap ? a->tokcap * 2 : 64;
		char *t = candor__realloc(a->tok, cap);

		if (!t)
			return CANDOR_ENOMEM;
		a->tok = t;
		a->tokcap = cap;
	}
	a->tok[a->toklen++] = c;
	a->tok[a->toklen] = '\0';
	return CANDOR_OK;
}

/*
 * Read one token from *pp (stopping at `eol`): a quoted string, or a bare
 * word ending at whitespace or one of `stops`. Sets *quoted. Returns
 * CANDOR_OK, or an error (unterminated quote).
 */
static candor_status read_token(arff *a, const char **pp, const char *eol, const char *stops,
                                bool *quoted);

static candor_status next_token(arff *a, const char **pp, const char *eol, const char *stops,
                                bool *quoted)
{
	const char *p = *pp, *start;
	candor_status st;

	a->toklen = 0;
	if (tok_put(a, 'x'))
		return CANDOR_ENOMEM;
	a->toklen = 0;
	a->tok[0] = '\0';
	*quoted = false;
	while (p < eol && is_space(*p))
		p++;
	start = p;
	st = read_token(a, &p, eol, stops, quoted);
	if (st)
		return st;
	if (a->toklen > CANDOR_CSV_MAX_FIELD_BYTES)
		return AFAIL(a, start, "value longer than %zu bytes (the reader's bound)",
		             CANDOR_CSV_MAX_FIELD_BYTES);
	while (p < eol && is_space(*p))
		p++;
	*pp = p;
	return CANDOR_OK;
}

static candor_status read_token(arff *a, const char **pp, const char *eol, const char *stops,
                                bool *quoted)
{
	const char *p = *pp;
	if (p < eol && (*p == '\'' || *p == '"')) {
		const char q = *p;
		const char *open = p++;

		*quoted = true;
		for (;;) {
			if (p >= eol)
				return AFAIL(a, open, "unterminated quoted string");
			if (*p == '\\' && p + 1 < eol) {
				p++;
			} else if (*p == q) {
				p++;
				break;
			}
			if (tok_put(a, *p++))
				return CANDOR_ENOMEM;
		}
	} else {
		while (p < eol && !is_space(*p) && !strchr(stops, *p)) {
			if (tok_put(a, *p++))
				return CANDOR_ENOMEM;
		}
	}
	*pp = p;
	return CANDOR_OK;
}

static bool keyword(const char *p, const char *eol, const char *kw)
{
	size_t n = strlen(kw);

	return (size_t)(eol - p) >= n && strncasecmp(p, kw, n) == 0 &&
	       ((size_t)(eol - p) == n || is_space(p[n]) || p[n] == '{');
}

static candor_status add_column(arff *a, const char *at, candor_coltype type, bool nominal,
                                candor__column **out)
{
	bool *nom;
	candor_status st;

	if (a->toklen == 0)
		return AFAIL(a, at, "empty attribute name");
	if (candor__utf8_valid_prefix((const unsigned char *)a->tok, a->toklen) != a->toklen)
		return AFAIL(a, at, "attribute name is not valid UTF-8");
	if (a->ncols >= CANDOR_CSV_MAX_COLUMNS)
		return AFAIL(a, at, "more than %zu attributes (the reader's bound)",
		             CANDOR_CSV_MAX_COLUMNS);
	st = candor__table_push_column(a->t, a->tok, a->toklen, type, out);
	if (st == CANDOR_EINVAL)
		return AFAIL(a, at, "duplicate attribute name '%s'", a->tok);
	if (st)
		return st;
	if (a->ncols == a->capnominal) {
		size_t cap = a->capnominal ? a->capnominal * 2 : 16;

		nom = candor__reallocarray(a->nominal, cap, sizeof(*nom));
		if (!nom)
			return CANDOR_ENOMEM;
		a->nominal = nom;
		a->capnominal = cap;
	}
	a->nominal[a->ncols++] = nominal;
	return CANDOR_OK;
}

static candor_status parse_attribute(arff *a, const char *p, const char *eol)
{
	candor__column *c;
	const char *name_at, *type_at;
	bool quoted;
	candor_status st;

	p += strlen("@attribute");
	while (p < eol && is_space(*p))
		p++;
	name_at = p;
	if ((st = next_token(a, &p, eol, "{", &quoted)))
		return st;
	type_at = p;
	if (p < eol && *p == '{') {
		/* nominal: {v1, v2, ...} */
		if ((st = add_column(a, name_at, CANDOR_COL_CATEGORICAL, true, &c)))
			return st;
		p++;
		for (;;) {
			const char *v_at = p;
			int32_t code;

			if ((st = next_token(a, &p, eol, ",}", &quoted)))
				return st;
			if (a->toklen == 0 && !quoted) {
				if (p < eol && *p == '}' && c->dict.n == 0) {
					p++;
					break;
				}
				return AFAIL(a, v_at, "empty nominal value");
			}
			if (candor__utf8_valid_prefix((const unsigned char *)a->tok, a->toklen) !=
			    a->toklen)
				return AFAIL(a, v_at, "nominal value is not valid UTF-8");
			if (candor__dict_find(&c->dict, a->tok, a->toklen) >= 0)
				return AFAIL(a, v_at, "nominal value '%s' is listed twice", a->tok);
			if ((st = candor__dict_intern(&c->dict, a->tok, a->toklen, &code)))
				return st;
			if (p < eol && *p == ',') {
				p++;
				continue;
			}
			if (p < eol && *p == '}') {
				p++;
				break;
			}
			return AFAIL(a, p, "expected ',' or '}' in the list of nominal values");
		}
	} else {
		candor_coltype type;
		bool nominal = false;

		if ((st = next_token(a, &p, eol, "", &quoted)))
			return st;
		if (!strcasecmp(a->tok, "numeric") || !strcasecmp(a->tok, "real") ||
		    !strcasecmp(a->tok, "integer")) {
			type = CANDOR_COL_NUMERIC;
		} else if (!strcasecmp(a->tok, "string")) {
			type = CANDOR_COL_CATEGORICAL;
		} else if (!strcasecmp(a->tok, "date") || !strcasecmp(a->tok, "relational")) {
			return candor__error(CANDOR_EUNSUPPORTED, a->name, a->lineno,
			                     (uint64_t)(type_at - a->line) + 1,
			                     "%s attributes are not supported", a->tok);
		} else {
			return AFAIL(a, type_at, "unknown attribute type '%s'", a->tok);
		}
		/* re-read the name: next_token above overwrote it */
		{
			const char *q = name_at;

			if ((st = next_token(a, &q, eol, "{", &quoted)))
				return st;
		}
		if ((st = add_column(a, name_at, type, nominal, &c)))
			return st;
	}
	while (p < eol && is_space(*p))
		p++;
	if (p < eol && *p != '%')
		return AFAIL(a, p, "unexpected text after the attribute type");
	return CANDOR_OK;
}

static candor_status grow(arff *a)
{
	/* 256 rows first, fewer for very wide files (as the CSV reader) */
	size_t first = a->ncols > 4096 ? ((size_t)1 << 20) / a->ncols : 256;
	size_t cap = a->caprows ? a->caprows * 2 : first ? first : 1;
	candor_status st = candor__table_reserve(a->t, cap);

	if (!st)
		a->caprows = cap;
	return st;
}

static candor_status parse_row(arff *a, const char *p, const char *eol)
{
	candor_status st;

	if (*p == '{')
		return candor__error(CANDOR_EUNSUPPORTED, a->name, a->lineno, 1,
		                     "sparse ARFF rows are not supported");
	if (a->nrows == a->caprows && (st = grow(a)))
		return st;
	if (a->loc && a->nrows % CANDOR__LOC_EVERY == 0 &&
	    (st = candor__locmap_push(a->loc, (uint64_t)(a->line - a->data), a->lineno)))
		return st;
	for (size_t j = 0; j < a->ncols; j++) {
		candor__column *c = &a->t->cols[j];
		const char *v_at;
		bool quoted;

		while (p < eol && is_space(*p))
			p++;
		v_at = p;
		if ((st = next_token(a, &p, eol, ",", &quoted)))
			return st;
		if (candor__utf8_valid_prefix((const unsigned char *)a->tok, a->toklen) != a->toklen)
			return AFAIL(a, v_at, "value is not valid UTF-8");
		if (!quoted && a->toklen == 0)
			return AFAIL(a, v_at, "missing value for attribute '%s' (use ? for missing)",
			             c->name);
		if (!quoted && a->toklen == 1 && a->tok[0] == '?') {
			if (c->type == CANDOR_COL_NUMERIC)
				c->num[a->nrows] = NAN;
			else
				c->codes[a->nrows] = CANDOR_MISSING_CODE;
		} else if (c->type == CANDOR_COL_NUMERIC) {
			double v;
			candor__num k = candor__parse_number(a->tok, a->toklen, &v);

			if (k == CANDOR__NUM_RANGE)
				return AFAIL(a, v_at,
				             "'%.60s' is beyond the range of a double (attribute '%s' is "
				             "numeric)", a->tok, c->name);
			if (k != CANDOR__NUM_OK)
				return AFAIL(a, v_at, "'%.60s' is not a number (attribute '%s' is numeric)",
				             a->tok, c->name);
			c->num[a->nrows] = v;
		} else if (a->nominal[j]) {
			int32_t code = candor__dict_find(&c->dict, a->tok, a->toklen);

			if (code < 0)
				return AFAIL(a, v_at, "'%.60s' is not a declared value of attribute '%s'",
				             a->tok, c->name);
			c->codes[a->nrows] = code;
		} else {
			if ((st = candor__dict_intern(&c->dict, a->tok, a->toklen,
			                              &c->codes[a->nrows])))
				return st;
		}
		if (j + 1 < a->ncols) {
			if (p >= eol || *p != ',')
				return AFAIL(a, p, "row has %zu values, there are %zu attributes", j + 1,
				             a->ncols);
			p++;
		}
	}
	if (p < eol && *p == ',')
		return AFAIL(a, p, "row has more values than the %zu attributes", a->ncols);
	if (p < eol && *p != '%')
		return AFAIL(a, p, "unexpected text after the last value");
	a->nrows++;
	return CANDOR_OK;
}

static candor_status parse(arff *a)
{
	bool in_data = false, seen_relation = false;
	const char *p = a->data;
	candor_status st;

	if (a->end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	a->lineno = 0;
	while (p < a->end) {
		const char *eol = line_end(a, p), *s;
		const char *z;

		a->line = p;
		a->lineno++;
		if ((size_t)(eol - p) > CANDOR_CSV_MAX_RECORD_BYTES)
			return AFAIL(a, p + CANDOR_CSV_MAX_RECORD_BYTES,
			             "line longer than %zu bytes (the reader's bound)",
			             CANDOR_CSV_MAX_RECORD_BYTES);
		if ((z = memchr(p, '\0', (size_t)(eol - p))))
			return AFAIL(a, z, "NUL byte (binary data is not ARFF)");
		s = p;
		while (s < eol && is_space(*s))
			s++;
		if (s == eol || *s == '%') {
			/* blank or comment */
		} else if (in_data) {
			if ((st = parse_row(a, s, eol)))
				return st;
		} else if (keyword(s, eol, "@relation")) {
			seen_relation = true;
		} else if (keyword(s, eol, "@attribute")) {
			if ((st = parse_attribute(a, s, eol)))
				return st;
		} else if (keyword(s, eol, "@data")) {
			if (a->ncols == 0)
				return AFAIL(a, s, "@data before any @attribute");
			in_data = true;
		} else {
			return AFAIL(a, s, "expected @relation, @attribute or @data");
		}
		p = eol;
		if (p < a->end && *p == '\r')
			p++;
		if (p < a->end && *p == '\n')
			p++;
	}
	(void)seen_relation;
	if (!in_data)
		return candor__error(CANDOR_EPARSE, a->name, a->lineno ? a->lineno : 1, 1,
		                     a->ncols ? "no @data section" : "empty file: no @attribute");
	if (a->nrows == 0)
		return candor__error(CANDOR_EPARSE, a->name, a->lineno + 1, 1,
		                     "no data rows after @data");
	return CANDOR_OK;
}

/* Parse `data`; when `path` is given, keep checkpoints to read it again. */
static candor_status arff_parse(candor_table **out, const char *data, size_t len,
                                const char *name, const char *path)
{
	arff a;
	candor_status st;

	if (!out || (!data && len))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "arff_read_buffer: NULL argument");
	*out = NULL;
	memset(&a, 0, sizeof(a));
	a.name = name ? name : "<buffer>";
	a.data = data ? data : "";
	a.end = a.data + len;
	st = candor_table_new(&a.t);
	if (!st && path) {
		a.loc = candor__calloc(1, sizeof(*a.loc));
		if (!a.loc || !(a.loc->path = candor__strdup(path)))
			st = CANDOR_ENOMEM;
		else
			a.loc->kind = CANDOR__LOC_ARFF;
	}
	if (!st)
		st = parse(&a);
	if (!st)
		st = candor__table_reserve(a.t, a.nrows); /* shrink to fit */
	if (!st) {
		a.t->nrows = a.nrows;
		a.t->loc = a.loc;
		a.loc = NULL;
		st = candor__table_set_source(a.t, a.name);
	}
	candor__locmap_free(a.loc);
	candor__free(a.tok);
	candor__free(a.nominal);
	if (st) {
		candor_table_free(a.t);
		return st;
	}
	*out = a.t;
	return CANDOR_OK;
}

candor_status candor_arff_read_buffer(candor_table **out, const char *data, size_t len,
                                      const char *name)
{
	return arff_parse(out, data, len, name, NULL);
}

candor_status candor__arff_read_named(candor_table **out, const char *path, const char *name)
{
	char *buf;
	size_t len;
	bool stopped;
	candor_status st;

	if (!out || !path)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "arff_read: NULL argument");
	*out = NULL;
	if (!name)
		name = path;
	/* stops early at a NUL byte or in an over-long line, where the parse
	 * stops too (so /dev/zero costs one block) */
	if ((st = candor__file_read_text(path, name, CANDOR_CSV_MAX_RECORD_BYTES + 3,
	                                 CANDOR_CSV_MAX_STREAM_BYTES, &buf, &len, &stopped)))
		return st;
	st = arff_parse(out, buf, len, name, path);
	candor__free(buf);
	if (stopped && st == CANDOR_OK) {
		candor_table_free(*out);
		*out = NULL;
		return candor__error(CANDOR_EINTERNAL, name, 0, 0,
		                     "stopped reading early but found no error");
	}
	return st;
}

candor_status candor_arff_read(candor_table **out, const char *path)
{
	return candor__arff_read_named(out, path, NULL);
}

candor_status candor__arff_locate(const candor__locmap *m, uint64_t offset, uint64_t line,
                                  size_t skip, size_t col, uint64_t *out_line,
                                  uint64_t *out_col)
{
	arff a;
	char *buf;
	size_t len, row = 0;
	const char *p;
	candor_status st;

	if ((st = candor__file_read(m->path, &buf, &len)))
		return candor__error(CANDOR_ENOTFOUND, m->path, 0, 0, "cannot read it again");
	memset(&a, 0, sizeof(a));
	a.name = m->path;
	a.data = buf;
	a.end = buf + len;
	st = candor__error(CANDOR_ENOTFOUND, m->path, 0, 0, "the file changed since it was read");
	p = offset <= len ? buf + offset : a.end;
	a.lineno = line;
	while (p < a.end) {
		const char *eol = line_end(&a, p), *s = p;

		a.line = p;
		while (s < eol && is_space(*s))
			s++;
		if (s < eol && *s != '%' && row++ == skip) {
			/* the record: step over `col` values */
			for (size_t j = 0; j <= col && s <= eol; j++) {
				const char *v_at;
				bool quoted;

				while (s < eol && is_space(*s))
					s++;
				v_at = s;
				if (next_token(&a, &s, eol, ",", &quoted))
					break;
				if (j == col) {
					*out_line = a.lineno;
					*out_col = (uint64_t)(v_at - a.line) + 1;
					st = CANDOR_OK;
					break;
				}
				if (s >= eol || *s != ',')
					break;
				s++;
			}
			break;
		}
		p = eol;
		if (p < a.end && *p == '\r')
			p++;
		if (p < a.end && *p == '\n')
			p++;
		a.lineno++;
	}
	candor__free(a.tok);
	candor__free(buf);
	return st;
}
