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
	size_t nonmissing;   /* stored non-missing values */
} colstate;

enum { REC_OK = 1, REC_END = 0, REC_MORE = 2, REC_ERR = -1 };

typedef struct reader {
	const char *name;
	char delim;
	const candor_csv_options *opts;

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

/*
 * Cut one record starting at *pp (block [block, end)). Returns REC_OK with
 * *pp past the record, REC_END at the end of input, REC_MORE when the record
 * is cut by the end of the block (and more input may come), REC_ERR.
 */
static int next_record(reader *r, const char **pp, const char *block, const char *end)
{
	const char *p = *pp;
	const char delim = r->delim;

	r->nfields = 0;
	r->scratch_len = 0;
	if (p == end)
		return r->eof ? REC_END : REC_MORE;
	for (;;) {
		const uint64_t line0 = r->line;
		const uint64_t col0 = abs_of(r, p, block) - r->line_start + 1;
		const char *fs;
		size_t flen;
		bool quoted = false, in_scratch = false;
		unsigned char high = 0; /* OR of an unquoted field's bytes */

		if (p < end && *p == '"') {
			bool doubled = false;
			const char *q = p + 1;

			quoted = true;
			for (;;) {
				const char *hit = memchr(q, '"', (size_t)(end - q));
				const char *nl;

				/* count the newlines inside the quoted text */
				for (nl = memchr(q, '\n', (size_t)((hit ? hit : end) - q)); nl;
				     nl = memchr(nl + 1, '\n', (size_t)((hit ? hit : end) - nl - 1))) {
					r->line++;
					r->line_start = abs_of(r, nl + 1, block);
				}
				if (!hit) {
					if (!r->eof)
						return REC_MORE;
					return FAIL_AT(r, line0, col0, "unterminated quoted field");
				}
				if (hit + 1 < end && hit[1] == '"') {
					doubled = true;
					q = hit + 2;
					continue;
				}
				if (hit + 1 == end && !r->eof)
					return REC_MORE;
				fs = p + 1;
				flen = (size_t)(hit - fs);
				p = hit + 1;
				break;
			}
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
					char *s = candor__realloc(r->scratch, cap);

					if (!s)
						return REC_ERR;
					r->scratch = s;
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
			fs = p;
			while (p < end) {
				const char c = *p;

				if (c == delim || c == '\n' || c == '\r')
					break;
				if (c == '"')
					return FAIL_AT(r, r->line, abs_of(r, p, block) - r->line_start + 1,
					               "quote inside an unquoted field (quote the whole "
					               "field and double the quote)");
				high |= (unsigned char)c;
				p++;
			}
			if (p == end && !r->eof)
				return REC_MORE;
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
	size_t cap = r->caprows ? r->caprows + r->caprows / 2 : 1024;

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

static bool parse_number(const char *s, size_t n, double *out)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return candor__parse_double(s, n, out);
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

		if (!check_utf8(r, &f[j]))
			return REC_ERR;
		if (c->type == CANDOR_COL_NUMERIC) {
			double v = NAN;

			if (f[j].len && !parse_number(f[j].p, f[j].len, &v)) {
				if (cs->forced)
					return FAIL_AT(r, f[j].line, f[j].col,
					               "'%.*s' is not a number (column '%s' is numeric)",
					               SHOW(f[j].len), f[j].p, c->name);
				/* numbers were stored as doubles: read again (see top) */
				if (cs->nonmissing > 0)
					r->storing = false;
				if (to_categorical(r, j))
					return REC_ERR;
			} else {
				if (r->storing)
					c->num[r->nrows] = v;
				cs->nonmissing += f[j].len != 0;
				continue;
			}
		}
		/* categorical */
		if (r->storing) {
			int32_t code = CANDOR_MISSING_CODE;

			if (f[j].len && candor__dict_intern(&c->dict, f[j].p, f[j].len, &code))
				return REC_ERR;
			c->codes[r->nrows] = code;
		}
		cs->nonmissing += f[j].len != 0;
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
			for (j = 0; j < r->ncols; j++)
				if (strcmp(r->t->cols[j].name, name) == 0)
					break;
			if (j == r->ncols) {
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

	if (r->base == 0 && len >= 3 && memcmp(block, "\xef\xbb\xbf", 3) == 0 && r->line_start == 0) {
		p += 3;
		r->line_start = 3;
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

static candor_status run(reader *r, candor_table **out)
{
	candor_status st = CANDOR_OK;
	int rc;

	*out = NULL;
	if (r->opts && r->opts->version != CANDOR_CSV_OPTIONS_VERSION)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "csv options version %u, this library knows %u", r->opts->version,
		                     CANDOR_CSV_OPTIONS_VERSION);
	r->delim = r->opts && r->opts->delimiter ? r->opts->delimiter : ',';
	if (r->loc)
		r->loc->delim = r->delim;
	if (r->delim == '"' || r->delim == '\n' || r->delim == '\r')
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "the delimiter cannot be a quote or "
		                                                "a line break");
	st = candor_table_new(&r->t);
	if (st)
		return st;
	r->line = 1;
	r->storing = true;
	rc = read_input(r);
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
	r.opts = opts;
	r.name = opts && opts->display_name ? opts->display_name : "<buffer>";
	r.data = data ? data : "";
	r.datalen = len;
	r.total = len;
	st = run(&r, out);
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
	r.opts = opts;
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
		/* a pipe cannot be read twice: read it whole, then parse the buffer */
		size_t cap = BLOCK_SIZE, n = 0;
		char *all = candor__malloc(cap);

		while (all) {
			ssize_t k = read(r.fd, all + n, cap - n);

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				st = candor__error(CANDOR_EIO, r.name, 0, 0, "read failed: %s",
				                   strerror(errno));
				candor__free(all);
				close(r.fd);
				return st;
			}
			if (k == 0)
				break;
			n += (size_t)k;
			if (n == cap) {
				char *b = candor__realloc(all, cap * 2);

				if (!b) {
					candor__free(all);
					all = NULL;
					break;
				}
				all = b;
				cap *= 2;
			}
		}
		close(r.fd);
		if (!all)
			return CANDOR_ENOMEM;
		{
			candor_csv_options o = CANDOR_CSV_OPTIONS_INIT;

			if (opts)
				o = *opts;
			o.display_name = r.name;
			st = candor_csv_read_buffer(out, all, n, &o);
		}
		candor__free(all);
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
	st = run(&r, out);
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
