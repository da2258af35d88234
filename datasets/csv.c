/*
 * csv.c - the CSV reader (RFC 4180).
 *
 * The file is read in blocks (8 MiB, grown only when one record is larger),
 * never whole, so peak memory is the table plus one block. Each record is
 * first cut into fields (pointers into the block, or into a scratch buffer
 * for quoted fields with doubled quotes); only a complete record is stored,
 * so a record cut by the end of a block is simply tokenised again once the
 * next block is in.
 *
 * Types. A column whose type is not forced starts as numeric and stays so
 * while every non-empty value is a decimal number. When a value that is not
 * a number turns up after numbers were stored, the text of those numbers is
 * gone, so the reader stops storing, finishes the file checking structure
 * and types only, and reads it once more with every type known. Files whose
 * types are settled by their first data row (the common case) are read once.
 *
 * Bounds and hostile bytes (docs/datasets.md). A field, a record and the
 * number of columns are bounded (the options' max_*, checked at the first
 * byte past a bound, so the block size never changes an error); a NUL byte
 * is an error where it is; a number beyond the range of a double is an
 * error once its column is known to be numeric. Input that is not a regular
 * file is read whole, bounded by max_stream_bytes, and parsed as a buffer.
 *
 * Positions. Errors carry the 1-based line and byte column of the offending
 * field, counting lines inside quoted fields, so `candor: f.csv:7:12: ...`
 * points at the right spot even in multi-line records.
 *
 * Why not libcsv (Debian's libcsv3): see README.md, "CSV reader"; in short a
 * callback per field with a copy of each field, no positions for errors, and
 * no UTF-8 checks, measured by bench/csv_libcsv.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datasets_int.h"

#define BLOCK_SIZE ((size_t)8 << 20)

/* Test hook: a tiny block makes every record cross block boundaries. */
static _Thread_local size_t test_block_size;

void candor__csv_test_block_size(size_t n)
{
	test_block_size = n;
}

typedef struct field {
	const char *p;
	size_t len;
	uint64_t line, col;  /* where the field starts */
	bool quoted;
	bool in_scratch;     /* p is an offset into the reader's scratch until the record ends */
	bool ascii;          /* seen by the tokenizer to hold only bytes < 0x80 */
} field;

/* Per column, beside its type (the column's own, numeric until a value
 * says otherwise): */
typedef struct colstate {
	bool forced;         /* fixed by the caller, or settled by a first pass */
	bool overflow;       /* a number beyond the range of a double was seen */
	size_t nonmissing;   /* stored non-missing values */
	/* the first such number, reported once the column is known to be
	 * numeric (in a column that turns out categorical it is only text) */
	uint64_t ovf_line, ovf_col;
	char ovf_text[64];
} colstate;

enum { REC_OK = 1, REC_END = 0, REC_MORE = 2, REC_ERR = -1 };

typedef struct reader {
	const char *name;
	char delim;
	const candor_csv_options *opts; /* resolved: every field set (see resolve_opts) */
	unsigned char special[256];     /* bytes that end an unquoted scan */
	size_t max_field, max_record, max_columns;
	size_t miss_min, miss_max;      /* lengths of the shortest and longest missing token */

	/* input: either a whole buffer, or a file read in blocks into buf */
	int fd;
	const char *data;
	size_t datalen;
	char *buf;
	size_t cap, have;
	bool eof;
	uint64_t base;        /* absolute offset of the block's first byte */
	uint64_t total;       /* input size in bytes, if known (for row estimates) */

	/* position of the next record */
	uint64_t line, line_start;

	field *fields;
	size_t nfields, capfields;
	char *scratch;
	size_t scratch_cap, scratch_len;

	candor_table *t;
	colstate *cs;
	size_t ncols;
	size_t nrows, caprows;
	uint64_t data_start;  /* offset of the first data row */
	bool header_done;
	bool skip_header;     /* second pass: the first record is the header again */
	bool storing;         /* false once a late type change forces a second pass */

	uint64_t start;       /* where reading begins (a checkpoint when locating) */
	uint64_t rec_off, rec_line; /* where the record being stored starts */
	candor__locmap *loc;  /* checkpoints for candor_table_locate, or NULL */

	/* locating: stop at field loc_col of the loc_skip-th record */
	bool locating, found;
	size_t loc_skip, loc_col, loc_count;
	uint64_t found_line, found_col;
} reader;

/* ===== UTF-8 ============================================================== */

size_t candor__utf8_valid_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return i;
		}
		for (size_t m = 1; m <= k; m++) {
			if (i + m >= n || (s[i + m] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + m] & 0x3f);
		}
		/* overlong forms, surrogates, and beyond U+10FFFF */
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += k + 1;
	}
	return n;
}

/* ===== errors ============================================================= */

/* Record a parse error at (line, col) of the input and return REC_ERR. */
#define FAIL_AT(r, line, col, ...) \
	(candor__error(CANDOR_EPARSE, (r)->name, (line), (col), __VA_ARGS__), REC_ERR)

/* At most this many bytes of a field are quoted in a message. */
#define SHOW(len) ((int)((len) > 60 ? 60 : (len)))

static bool check_utf8(reader *r, const field *f)
{
	size_t ok;

	if (f->ascii)
		return true; /* the tokenizer saw every byte */
	ok = candor__utf8_valid_prefix((const unsigned char *)f->p, f->len);

	if (ok == f->len)
		return true;
	/* column of the bad byte: exact for unquoted fields and for quoted ones
	 * without embedded newlines or doubled quotes, which covers real files */
	(void)FAIL_AT(r, f->line, f->col + ok + (f->quoted ? 1 : 0), "invalid UTF-8 byte 0x%02x",
	              (unsigned)(unsigned char)f->p[ok]);
	return false;
}

/* ===== tokeniser ========================================================== */

static uint64_t abs_of(const reader *r, const char *p, const char *block)
{
	return r->base + (uint64_t)(p - block);
}

static candor_status push_field(reader *r, const char *p, size_t len, uint64_t line,
                                uint64_t col, bool quoted, bool in_scratch, bool ascii)
{
	if (r->nfields == r->capfields) {
		size_t cap = r->capfields ? r->capfields * 2 : 64;
		field *f = candor__reallocarray(r->fields, cap, sizeof(*f));

		if (!f)
			return CANDOR_ENOMEM;
		r->fields = f;
		r->capfields = cap;
	}
	r->fields[r->nfields++] = (field){p, len, line, col, quoted, in_scratch, ascii};
	return CANDOR_OK;
}

/* Which bytes stop the scan of an unquoted field: the delimiter, line
 * breaks, and the two that are errors there (a quote, a NUL byte). */
static void init_special(reader *r)
{
	memset(r->special, 0, sizeof(r->special));
	r->special[(unsigned char)r->delim] = 1;
	r->special['\n'] = r->special['\r'] = r->special['"'] = r->special[0] = 1;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* A bound is exceeded: the field starting at (line, col), or the record. */
static int too_long(reader *r, bool in_field, uint64_t line, uint64_t col)
{
	if (in_field)
		return FAIL_AT(r, line, col, "field longer than %zu bytes (the max_field_bytes bound)",
		               r->max_field);
	return FAIL_AT(r, line, col, "record longer than %zu bytes (the max_record_bytes bound)",
	               r->max_record);
}

static int nul_at(reader *r, const char *z, const char *block)
{
	return FAIL_AT(r, r->line, abs_of(r, z, block) - r->line_start + 1,
	               "NUL byte (binary data is not CSV)");
}

/* Count the line breaks of quoted text [q, e). */
static void count_lines(reader *r, const char *q, const char *e, const char *block)
{
	for (const char *nl = q < e ? memchr(q, '\n', (size_t)(e - q)) : NULL; nl;
	     nl = memchr(nl + 1, '\n', (size_t)(e - nl - 1))) {
		r->line++;
		r->line_start = abs_of(r, nl + 1, block);
	}
}

/*
 * Cut one record starting at *pp (block [block, end)). Returns REC_OK with
 * *pp past the record, REC_END at the end of input, REC_MORE when the record
 * is cut by the end of the block (and more input may come), REC_ERR.
 *
 * Bounds. A field holds at most max_field bytes (as in the file, without
 * its enclosing quotes), a record at most max_record bytes (without its line
 * break), max_columns fields. Each bound is checked at the first byte that
 * exceeds it, never by looking further, so that the error is the same
 * whichever way the input is cut into blocks, and no block ever grows
 * beyond about one record's bound.
 */
static int next_record(reader *r, const char **pp, const char *block, const char *end)
{
	const char *p = *pp;
	const char *const rec = p;
	const char delim = r->delim;
	const uint64_t rec_line = r->line, rec_col = abs_of(r, p, block) - r->line_start + 1;

	r->nfields = 0;
	r->scratch_len = 0;
	if (p == end)
		return r->eof ? REC_END : REC_MORE;
	for (;;) {
		const uint64_t line0 = r->line;
		const uint64_t col0 = abs_of(r, p, block) - r->line_start + 1;
		/* bytes of the record still allowed from p on (p - rec never exceeds
		 * the bound: a byte past it is an error where it is met) */
		const size_t rec_room = r->max_record - (size_t)(p - rec);
		const size_t avail = (size_t)(end - p);
		const char *fs;
		size_t flen;
		bool quoted = false, in_scratch = false;
		unsigned char high = 0; /* OR of an unquoted field's bytes */

		if (r->nfields >= r->max_columns)
			return FAIL_AT(r, line0, col0, "more than %zu columns (the max_columns bound)",
			               r->max_columns);
		if (p < end && *p == '"') {
			bool doubled = false;
			const char *const cs = p + 1; /* the quoted text */
			/* the closing quote may sit at most max_field bytes into the text,
			 * and must itself lie within the record's bound */
			const size_t fmax = r->max_field == SIZE_MAX ? SIZE_MAX : r->max_field + 1;
			size_t qn;
			bool at_field;
			const char *qlim, *q = cs;

			if (rec_room == 0)
				return too_long(r, false, rec_line, rec_col);
			qn = min_size(min_size(avail - 1, fmax), rec_room - 1);
			at_field = qn == fmax;
			qlim = cs + qn;
			quoted = true;
			for (;;) {
				const char *hit = q < qlim ? memchr(q, '"', (size_t)(qlim - q)) : NULL;
				const char *stop = hit ? hit : q < qlim ? qlim : q;
				const char *z = q < stop ? memchr(q, '\0', (size_t)(stop - q)) : NULL;

				if (z) {
					count_lines(r, q, z, block);
					return nul_at(r, z, block);
				}
				count_lines(r, q, stop, block);
				if (!hit) {
					if (qlim == end) {
						if (!r->eof)
							return REC_MORE;
						if (at_field)
							return too_long(r, true, line0, col0);
						return FAIL_AT(r, line0, col0, "unterminated quoted field");
					}
					/* the byte at qlim is text (or a quote) past a bound */
					return at_field ? too_long(r, true, line0, col0)
					                : too_long(r, false, rec_line, rec_col);
				}
				if (hit + 1 < end && hit[1] == '"') {
					doubled = true;
					q = hit + 2;
					continue;
				}
				if (hit + 1 == end && !r->eof)
					return REC_MORE;
				fs = cs;
				flen = (size_t)(hit - fs);
				p = hit + 1;
				break;
			}
			if (p < end && (size_t)(p - rec) == r->max_record && *p != '\n' && *p != '\r')
				return too_long(r, false, rec_line, rec_col);
			if (p < end && *p != delim && *p != '\n' && *p != '\r')
				return FAIL_AT(r, r->line, abs_of(r, p, block) - r->line_start + 1,
				               "unexpected character after a closing quote");
			if (doubled) {
				/* unescape into scratch; fields keep offsets, since scratch
				 * may move while the record grows */
				char *out;
				size_t n = 0;

				if (r->scratch_len + flen > r->scratch_cap) {
					size_t cap = (r->scratch_len + flen) * 2;
					char *sc = candor__realloc(r->scratch, cap);

					if (!sc)
						return REC_ERR;
					r->scratch = sc;
					r->scratch_cap = cap;
				}
				out = r->scratch + r->scratch_len;
				for (size_t i = 0; i < flen; i++) {
					out[n++] = fs[i];
					if (fs[i] == '"')
						i++;
				}
				fs = (const char *)(uintptr_t)r->scratch_len;
				flen = n;
				in_scratch = true;
				r->scratch_len += n;
			}
		} else {
			const unsigned char *const special = r->special;
			const size_t n = min_size(min_size(avail, r->max_field), rec_room);
			const char *const lim = p + n;

			fs = p;
			while (p < lim && !special[(unsigned char)*p]) {
				high |= (unsigned char)*p;
				p++;
			}
			if (p < lim) {
				if (*p == '"')
					return FAIL_AT(r, r->line, abs_of(r, p, block) - r->line_start + 1,
					               "quote inside an unquoted field (quote the whole "
					               "field and double the quote)");
				if (*p == '\0')
					return nul_at(r, p, block);
			} else if (p == end) {
				if (!r->eof)
					return REC_MORE;
			} else if (*p == delim) {
				/* the field fits; the delimiter is part of the record */
				if (n == rec_room)
					return too_long(r, false, rec_line, rec_col);
			} else if (*p != '\n' && *p != '\r') {
				/* a byte of this field past a bound */
				return n == r->max_field ? too_long(r, true, line0, col0)
				                         : too_long(r, false, rec_line, rec_col);
			}
			flen = (size_t)(p - fs);
		}
		/* quoted text is found by memchr, not walked: it is checked later */
		if (push_field(r, fs, flen, line0, col0, quoted, in_scratch, !quoted && high < 0x80))
			return REC_ERR;
		if (p == end)
			break;
		if (*p == delim) {
			p++;
			continue;
		}
		if (*p == '\r') {
			if (p + 1 == end && !r->eof)
				return REC_MORE;
			p++;
			if (p < end && *p == '\n')
				p++;
		} else {
			p++; /* '\n' */
		}
		r->line++;
		r->line_start = abs_of(r, p, block);
		break;
	}
	for (size_t j = 0; j < r->nfields; j++)
		if (r->fields[j].in_scratch)
			r->fields[j].p = r->scratch + (uintptr_t)r->fields[j].p;
	*pp = p;
	return REC_OK;
}

/* ===== storing ============================================================ */

static candor_status grow_rows(reader *r)
{
	/* the first reservation: 1024 rows, fewer for very wide files (at most
	 * about a million cells before the row estimate below takes over) */
	size_t first = r->ncols > 1024 ? ((size_t)1 << 20) / r->ncols : 1024;
	size_t cap = r->caprows ? r->caprows + r->caprows / 2 : first ? first : 1;

	/* Estimate the row count from the bytes per row so far, so that a large
	 * file is reserved once instead of growing by halves (peak memory). */
	if (r->nrows >= 256 && r->total) {
		uint64_t used = r->line_start > r->data_start ? r->line_start - r->data_start : 1;
		double est = (double)(r->total - r->data_start) * (double)r->nrows / (double)used;
		size_t want = (size_t)(est * 1.02) + 64;

		if (want > cap)
			cap = want;
	}
	if (candor__table_reserve(r->t, cap))
		return CANDOR_ENOMEM;
	r->caprows = cap;
	return CANDOR_OK;
}

/* Turn column j into a categorical column in place; only valid while every
 * stored value of it is missing. */
static candor_status to_categorical(reader *r, size_t j)
{
	candor__column *c = &r->t->cols[j];

	c->type = CANDOR_COL_CATEGORICAL;
	if (!r->storing)
		return CANDOR_OK;
	c->codes = candor__mallocarray(r->caprows ? r->caprows : 1, sizeof(int32_t));
	if (!c->codes)
		return CANDOR_ENOMEM;
	for (size_t i = 0; i < r->nrows; i++)
		c->codes[i] = CANDOR_MISSING_CODE;
	candor__free(c->num);
	c->num = NULL;
	return CANDOR_OK;
}

static candor__num parse_number(const char *s, size_t n, double *out)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return candor__parse_number(s, n, out);
}

/* An empty field, or one of the caller's missing-value tokens. */
static bool is_missing(const reader *r, const field *f)
{
	if (f->len == 0)
		return true;
	if (f->len < r->miss_min || f->len > r->miss_max)
		return false;
	for (size_t k = 0; k < r->opts->nmissing_tokens; k++) {
		const char *tok = r->opts->missing_tokens[k];

		if (strlen(tok) == f->len && memcmp(tok, f->p, f->len) == 0)
			return true;
	}
	return false;
}

/* A blank line between records is skipped, as pandas does (in a file of one
 * column it is a missing value instead). */
static bool is_blank_line(const reader *r)
{
	return r->ncols > 1 && r->nfields == 1 && r->fields[0].len == 0 && !r->fields[0].quoted;
}

static int store_record(reader *r)
{
	const field *f = r->fields;

	if (r->nfields != r->ncols) {
		if (is_blank_line(r))
			return REC_OK;
		if (r->nfields > r->ncols)
			return FAIL_AT(r, f[r->ncols].line, f[r->ncols].col,
			               "row has more than the header's %zu fields", r->ncols);
		return FAIL_AT(r, f[r->nfields - 1].line,
		               f[r->nfields - 1].col + f[r->nfields - 1].len +
		                       (f[r->nfields - 1].quoted ? 2 : 0),
		               "row has %zu fields, the header has %zu", r->nfields, r->ncols);
	}
	if (r->storing && r->nrows == r->caprows && grow_rows(r))
		return REC_ERR;
	if (r->storing && r->loc && r->nrows % CANDOR__LOC_EVERY == 0 &&
	    candor__locmap_push(r->loc, r->rec_off, r->rec_line))
		return REC_ERR;
	for (size_t j = 0; j < r->ncols; j++) {
		candor__column *c = &r->t->cols[j];
		colstate *cs = &r->cs[j];
		bool miss;

		if (!check_utf8(r, &f[j]))
			return REC_ERR;
		miss = is_missing(r, &f[j]);
		if (c->type == CANDOR_COL_NUMERIC) {
			double v = NAN;
			candor__num k = miss ? CANDOR__NUM_OK : parse_number(f[j].p, f[j].len, &v);

			if (k == CANDOR__NUM_SYNTAX) {
				if (cs->forced)
					return FAIL_AT(r, f[j].line, f[j].col,
					               "'%.*s' is not a number (column '%s' is numeric)",
					               SHOW(f[j].len), f[j].p, c->name);
				/* numbers were stored as doubles: read again (see top) */
				if (cs->nonmissing > 0)
					r->storing = false;
				cs->overflow = false; /* text in a text column */
				if (to_categorical(r, j))
					return REC_ERR;
			} else {
				if (k == CANDOR__NUM_RANGE) {
					if (cs->forced)
						return FAIL_AT(r, f[j].line, f[j].col,
						               "'%.*s' is beyond the range of a double (column "
						               "'%s' is numeric)",
						               SHOW(f[j].len), f[j].p, c->name);
					if (!cs->overflow) {
						cs->overflow = true;
						cs->ovf_line = f[j].line;
						cs->ovf_col = f[j].col;
						snprintf(cs->ovf_text, sizeof(cs->ovf_text), "%.*s",
						         SHOW(f[j].len), f[j].p);
					}
					v = NAN; /* never stored: an error unless the column turns text */
				}
				if (r->storing)
					c->num[r->nrows] = v;
				cs->nonmissing += !miss;
				continue;
			}
		}
		/* categorical */
		if (r->storing) {
			int32_t code = CANDOR_MISSING_CODE;

			if (!miss && candor__dict_intern(&c->dict, f[j].p, f[j].len, &code))
				return REC_ERR;
			c->codes[r->nrows] = code;
		}
		cs->nonmissing += !miss;
	}
	r->nrows++;
	return REC_OK;
}

static int store_header(reader *r)
{
	const field *f = r->fields;

	r->ncols = r->nfields;
	r->cs = candor__calloc(r->ncols, sizeof(*r->cs));
	if (!r->cs)
		return REC_ERR;
	for (size_t j = 0; j < r->ncols; j++) {
		candor__column *c;

		if (!check_utf8(r, &f[j]))
			return REC_ERR;
		if (f[j].len == 0)
			return FAIL_AT(r, f[j].line, f[j].col, "column %zu has an empty name", j + 1);
		if (candor__table_push_column(r->t, f[j].p, f[j].len, CANDOR_COL_NUMERIC, &c)) {
			if (candor_last_error()->status == CANDOR_EINVAL)
				return FAIL_AT(r, f[j].line, f[j].col, "duplicate column name '%.*s'",
				               SHOW(f[j].len), f[j].p);
			return REC_ERR;
		}
	}
	if (r->opts) {
		for (size_t k = 0; k < r->opts->noverrides; k++) {
			const char *name = r->opts->override_names ? r->opts->override_names[k] : NULL;
			candor_coltype type =
			        r->opts->override_types ? r->opts->override_types[k] : CANDOR_COL_AUTO;
			size_t j;

			if (!name) {
				candor__error(CANDOR_EINVAL, NULL, 0, 0, "type override %zu has no name", k);
				return REC_ERR;
			}
			if (!candor__table_find_col(r->t, name, strlen(name), &j)) {
				candor__error(CANDOR_ENOTFOUND, r->name, 1, 1,
				              "no column named '%s' (asked for by a type override)", name);
				return REC_ERR;
			}
			if (type == CANDOR_COL_AUTO)
				continue;
			r->cs[j].forced = true;
			r->t->cols[j].type = type;
		}
	}
	r->header_done = true;
	return REC_OK;
}

/* ===== driver ============================================================= */

/* Parse what the block holds; *consumed receives how far complete records go. */
static int parse_block(reader *r, const char *block, size_t len, size_t *consumed)
{
	const char *p = block, *end = block + len;

	if (r->base == 0 && r->line_start == 0) {
		/* a byte-order mark is skipped, also when the first block cuts it */
		size_t k = len < 3 ? len : 3;

		if (memcmp(block, "\xef\xbb\xbf", k) == 0) {
			if (k < 3 && !r->eof) {
				*consumed = 0;
				return REC_MORE;
			}
			if (k == 3) {
				p += 3;
				r->line_start = 3;
			}
		}
	}
	for (;;) {
		const uint64_t line = r->line, line_start = r->line_start;
		const char *rec = p;
		int rc;

		rc = next_record(r, &p, block, end);
		if (rc == REC_MORE) {
			r->line = line;
			r->line_start = line_start;
			*consumed = (size_t)(rec - block);
			return REC_MORE;
		}
		if (rc != REC_OK) {
			*consumed = (size_t)(p - block);
			if (rc == REC_END && !r->header_done)
				return FAIL_AT(r, 1, 1, "empty file: no header row");
			return rc;
		}
		if (r->locating) {
			/* count records as store_record does: without skipped blank lines */
			if (is_blank_line(r))
				continue;
			if (r->loc_count++ < r->loc_skip)
				continue;
			if (r->loc_col < r->nfields) {
				r->found = true;
				r->found_line = r->fields[r->loc_col].line;
				r->found_col = r->fields[r->loc_col].col;
			}
			*consumed = (size_t)(p - block);
			return REC_END;
		}
		if (r->skip_header) {
			r->skip_header = false;
			r->data_start = abs_of(r, p, block);
		} else if (!r->header_done) {
			if (store_header(r) != REC_OK)
				return REC_ERR;
			r->data_start = abs_of(r, p, block);
		} else {
			r->rec_off = abs_of(r, rec, block);
			r->rec_line = line;
			if (store_record(r) != REC_OK)
				return REC_ERR;
		}
	}
}

static int read_input(reader *r)
{
	size_t consumed;

	if (!r->buf) {
		r->eof = true;
		r->base = 0;
		return parse_block(r, r->data, r->datalen, &consumed);
	}
	r->have = 0;
	r->base = r->start;
	r->eof = false;
	if (lseek(r->fd, (off_t)r->start, SEEK_SET) < 0) {
		candor__error(CANDOR_EIO, r->name, 0, 0, "cannot seek: %s", strerror(errno));
		return REC_ERR;
	}
	for (;;) {
		int rc;

		while (!r->eof && r->have < r->cap) {
			ssize_t n = read(r->fd, r->buf + r->have, r->cap - r->have);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				candor__error(CANDOR_EIO, r->name, 0, 0, "read failed: %s", strerror(errno));
				return REC_ERR;
			}
			if (n == 0)
				r->eof = true;
			r->have += (size_t)n;
		}
		rc = parse_block(r, r->buf, r->have, &consumed);
		if (rc != REC_MORE)
			return rc;
		/* keep the cut record, read more behind it */
		memmove(r->buf, r->buf + consumed, r->have - consumed);
		r->have -= consumed;
		r->base += consumed;
		if (r->have == r->cap) {
			char *b = candor__realloc(r->buf, r->cap * 2);

			if (!b)
				return REC_ERR;
			r->buf = b;
			r->cap *= 2;
		}
	}
}

static void reset_pass(reader *r)
{
	for (size_t j = 0; j < r->t->ncols; j++) {
		candor__column *c = &r->t->cols[j];

		candor__free(c->num);
		candor__free(c->codes);
		c->num = NULL;
		c->codes = NULL;
		candor__dict_free(&c->dict);
		r->cs[j].forced = true;
		r->cs[j].overflow = false;
		r->cs[j].nonmissing = 0;
	}
	r->storing = true;
	if (r->loc)
		r->loc->n = 0;
	r->nrows = 0;
	r->caprows = 0;
	r->line = 1;
	r->line_start = 0;
}

static candor_status finish(reader *r)
{
	candor_status st = candor__table_reserve(r->t, r->nrows); /* shrink to fit */

	if (st)
		return st;
	r->t->nrows = r->nrows;
	if (r->loc)
		r->loc->ncols = r->ncols;
	r->t->loc = r->loc; /* the table owns the checkpoints now */
	r->loc = NULL;
	return candor__table_set_source(r->t, r->name);
}

/* After a whole pass: a column still numeric that met a number beyond the
 * range of a double is an error at the first such number (the earliest in
 * the file when several columns have one). */
static int check_overflow(reader *r)
{
	size_t worst = SIZE_MAX;

	for (size_t j = 0; j < r->ncols; j++) {
		const colstate *cs = &r->cs[j];

		if (!cs->overflow || r->t->cols[j].type != CANDOR_COL_NUMERIC)
			continue;
		if (worst == SIZE_MAX || cs->ovf_line < r->cs[worst].ovf_line ||
		    (cs->ovf_line == r->cs[worst].ovf_line && cs->ovf_col < r->cs[worst].ovf_col))
			worst = j;
	}
	if (worst == SIZE_MAX)
		return REC_END;
	return FAIL_AT(r, r->cs[worst].ovf_line, r->cs[worst].ovf_col,
	               "'%s' is beyond the range of a double (column '%s' is numeric)",
	               r->cs[worst].ovf_text, r->t->cols[worst].name);
}

/*
 * Check the options and fill `out` with every field set: the defaults for
 * zeros, and for a version 1 struct (which ends at display_name) the
 * version 2 fields, which it does not have.
 */
static candor_status resolve_opts(const candor_csv_options *in, candor_csv_options *out)
{
	candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;

	if (in) {
		if (in->version == 1)
			memcpy(&o, in, offsetof(candor_csv_options, missing_tokens));
		else if (in->version == CANDOR_CSV_OPTIONS_VERSION)
			o = *in;
		else
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "csv options version %u, this library knows 1 to %u",
			                     in->version, CANDOR_CSV_OPTIONS_VERSION);
		o.version = CANDOR_CSV_OPTIONS_VERSION;
	}
	if (o.nmissing_tokens && !o.missing_tokens)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "csv options: nmissing_tokens is %zu but missing_tokens is NULL",
		                     o.nmissing_tokens);
	for (size_t k = 0; k < o.nmissing_tokens; k++)
		if (!o.missing_tokens[k])
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "csv options: missing_tokens[%zu] is NULL", k);
	if (!o.max_field_bytes)
		o.max_field_bytes = CANDOR_CSV_MAX_FIELD_BYTES;
	if (!o.max_record_bytes)
		o.max_record_bytes = CANDOR_CSV_MAX_RECORD_BYTES;
	if (!o.max_columns)
		o.max_columns = CANDOR_CSV_MAX_COLUMNS;
	if (!o.max_stream_bytes)
		o.max_stream_bytes = CANDOR_CSV_MAX_STREAM_BYTES;
	*out = o;
	return CANDOR_OK;
}

static candor_status run(reader *r, const candor_csv_options *opts, candor_table **out)
{
	candor_status st = CANDOR_OK;
	candor_csv_options o;
	int rc;

	*out = NULL;
	if ((st = resolve_opts(opts, &o)))
		return st;
	r->opts = &o;
	r->delim = o.delimiter ? o.delimiter : ',';
	if (r->loc)
		r->loc->delim = r->delim;
	if (r->delim == '"' || r->delim == '\n' || r->delim == '\r' )
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "the delimiter cannot be a quote or "
		                                                "a line break");
	init_special(r);
	r->max_field = o.max_field_bytes;
	r->max_record = o.max_record_bytes;
	r->max_columns = o.max_columns;
	r->miss_min = SIZE_MAX;
	r->miss_max = 0;
	for (size_t k = 0; k < o.nmissing_tokens; k++) {
		size_t n = strlen(o.missing_tokens[k]);

		r->miss_min = n < r->miss_min ? n : r->miss_min;
		r->miss_max = n > r->miss_max ? n : r->miss_max;
	}
	st = candor_table_new(&r->t);
	if (st)
		return st;
	r->line = 1;
	r->storing = true;
	rc = read_input(r);
	if (rc == REC_END)
		rc = check_overflow(r);
	if (rc == REC_END && r->nrows == 0 && !o.allow_no_rows)
		rc = FAIL_AT(r, r->line, 1, "no data rows: the file has only its header");
	if (rc == REC_END && !r->storing) {
		/* Second pass: every type is now settled. The header was checked by
		 * the first pass; the columns keep their names. */
		reset_pass(r);
		r->skip_header = true;
		rc = read_input(r);
	}
	if (rc != REC_END && rc != REC_OK) {
		st = candor_last_error()->status ? candor_last_error()->status : CANDOR_EINTERNAL;
		goto done;
	}
	st = finish(r);
done:
	if (st) {
		candor_table_free(r->t);
		r->t = NULL;
	}
	r->opts = NULL;
	*out = r->t;
	return st;
}

/* ===== public entry points ================================================ */

candor_status candor_csv_read_buffer(candor_table **out, const char *data, size_t len,
                                     const candor_csv_options *opts)
{
	reader r;
	candor_status st;

	if (!out || (!data && len))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "csv_read_buffer: NULL argument");
	memset(&r, 0, sizeof(r));
	r.fd = -1;
	r.name = opts && opts->display_name ? opts->display_name : "<buffer>";
	r.data = data ? data : "";
	r.datalen = len;
	r.total = len;
	st = run(&r, opts, out);
	candor__free(r.fields);
	candor__free(r.scratch);
	candor__free(r.cs);
	return st;
}

candor_status candor_csv_read(candor_table **out, const char *path,
                              const candor_csv_options *opts)
{
	reader r;
	struct stat sb;
	candor_status st;

	if (!out || !path)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "csv_read: NULL argument");
	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.name = opts && opts->display_name ? opts->display_name : path;
	r.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r.fd < 0)
		return candor__error(CANDOR_EIO, r.name, 0, 0, "cannot open: %s", strerror(errno));
	if (fstat(r.fd, &sb) != 0 || S_ISDIR(sb.st_mode)) {
		st = candor__error(CANDOR_EIO, r.name, 0, 0, "cannot read: %s",
		                   S_ISDIR(sb.st_mode) ? "is a folder" : strerror(errno));
		close(r.fd);
		return st;
	}
	if (!S_ISREG(sb.st_mode)) {
		/* A pipe or device cannot be read twice: read it whole (bounded by
		 * max_stream_bytes; stopping early at a NUL byte or in a line that
		 * is too long, where the parse below stops), then parse the buffer. */
		candor_csv_options o;
		char *all;
		size_t n;
		bool stopped;

		close(r.fd);
		if ((st = resolve_opts(opts, &o)))
			return st;
		st = candor__file_read_text(path, r.name,
		                            o.max_record_bytes > SIZE_MAX - 3 ? SIZE_MAX
		                                                              : o.max_record_bytes + 3,
		                            o.max_stream_bytes, &all, &n, &stopped);
		if (st)
			return st;
		o.display_name = r.name;
		st = candor_csv_read_buffer(out, all, n, &o);
		candor__free(all);
		if (stopped && st == CANDOR_OK) {
			candor_table_free(*out);
			*out = NULL;
			return candor__error(CANDOR_EINTERNAL, r.name, 0, 0,
			                     "stopped reading early but found no error");
		}
		return st;
	}
	r.total = (uint64_t)sb.st_size;
	r.cap = test_block_size ? test_block_size : BLOCK_SIZE;
	r.buf = candor__malloc(r.cap);
	r.loc = candor__calloc(1, sizeof(*r.loc));
	if (!r.buf || !r.loc || !(r.loc->path = candor__strdup(path))) {
		candor__free(r.buf);
		candor__locmap_free(r.loc);
		close(r.fd);
		return CANDOR_ENOMEM;
	}
	r.loc->kind = CANDOR__LOC_CSV;
	st = run(&r, opts, out);
	candor__locmap_free(r.loc); /* NULL when the table took it */
	close(r.fd);
	candor__free(r.buf);
	candor__free(r.fields);
	candor__free(r.scratch);
	candor__free(r.cs);
	return st;
}

candor_status candor__csv_locate(const candor__locmap *m, uint64_t offset, uint64_t line,
                                 size_t skip, size_t col, uint64_t *out_line,
                                 uint64_t *out_col)
{
	reader r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.name = m->path;
	r.delim = m->delim;
	r.ncols = m->ncols;
	/* the file was read within its bounds already */
	r.max_field = r.max_record = r.max_columns = SIZE_MAX;
	init_special(&r);
	r.fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (r.fd < 0)
		return candor__error(CANDOR_ENOTFOUND, m->path, 0, 0, "cannot open it again: %s",
		                     strerror(errno));
	r.cap = (size_t)64 << 10;
	r.buf = candor__malloc(r.cap);
	if (!r.buf) {
		close(r.fd);
		return CANDOR_ENOMEM;
	}
	r.start = offset;
	r.line = line;
	r.line_start = offset;
	r.header_done = true;
	r.locating = true;
	r.loc_skip = skip;
	r.loc_col = col;
	rc = read_input(&r);
	close(r.fd);
	candor__free(r.buf);
	candor__free(r.fields);
	candor__free(r.scratch);
	if (rc == REC_ERR && candor_last_error()->status == CANDOR_ENOMEM)
		return CANDOR_ENOMEM;
	if (!r.found)
		return candor__error(CANDOR_ENOTFOUND, m->path, 0, 0,
		                     "the file changed since it was read");
	*out_line = r.found_line;
	*out_col = r.found_col;
	return CANDOR_OK;
}

candor_status candor_csv_options_init(candor_csv_options *opts, unsigned int version)
{
	const size_t size = version == 1 ? offsetof(candor_csv_options, missing_tokens)
	                  : version == CANDOR_CSV_OPTIONS_VERSION ? sizeof(*opts) : 0;

	return candor__options_init(opts, size, version, CANDOR_CSV_OPTIONS_VERSION,
	                            "candor_csv_options");
}
