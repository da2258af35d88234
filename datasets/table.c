/*
 * table.c - the columnar table: typed columns, category dictionaries,
 * lookups, slices and subsets, and the dense matrix a model consumes.
 */
#include <math.h>
#include <string.h>

#include "datasets_int.h"

/* ===== dictionary ======================================================= */

uint64_t candor__hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void candor__dict_free(candor__dict *d)
{
	for (size_t i = 0; i < d->n; i++)
		candor__free(d->levels[i]);
	candor__free(d->levels);
	candor__free(d->lens);
	candor__free(d->slots);
	candor__free(d->hashes);
	memset(d, 0, sizeof(*d));
}

static candor_status dict_rehash(candor__dict *d, size_t nslots)
{
	int32_t *slots = candor__mallocarray(nslots, sizeof(*slots));

	if (!slots)
		return CANDOR_ENOMEM;
	memset(slots, 0xff, nslots * sizeof(*slots));
	for (size_t c = 0; c < d->n; c++) {
		size_t i = d->hashes[c] & (nslots - 1);

		while (slots[i] >= 0)
			i = (i + 1) & (nslots - 1);
		slots[i] = (int32_t)c;
	}
	candor__free(d->slots);
	d->slots = slots;
	d->nslots = nslots;
	return CANDOR_OK;
}

static int32_t dict_lookup(const candor__dict *d, const char *s, size_t len, uint64_t h,
                           size_t *slot)
{
	size_t i;

	if (!d->nslots) {
		*slot = 0;
		return -1;
	}
	i = h & (d->nslots - 1);
	for (;;) {
		int32_t c = d->slots[i];

		if (c < 0) {
			*slot = i;
			return -1;
		}
		if (d->hashes[c] == h && d->lens[c] == len && memcmp(d->levels[c], s, len) == 0)
			return c;
		i = (i + 1) & (d->nslots - 1);
	}
}

int32_t candor__dict_find(const candor__dict *d, const char *s, size_t len)
{
	size_t slot;

	return dict_lookup(d, s, len, candor__hash(s, len), &slot);
}

candor_status candor__dict_intern(candor__dict *d, const char *s, size_t len, int32_t *code)
{
	uint64_t h = candor__hash(s, len);
	size_t slot;
	int32_t c = dict_lookup(d, s, len, h, &slot);
	char *copy;

	if (c >= 0) {
		*code = c;
		return CANDOR_OK;
	}
	if (d->n >= INT32_MAX)
		return candor__error(CANDOR_EUNSUPPORTED, NULL, 0, 0,
		                     "more than %d distinct categories", INT32_MAX);
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		char **levels = candor__reallocarray(d->levels, cap, sizeof(*levels));

		if (!levels)
			return CANDOR_ENOMEM;
		d->levels = levels;
		size_t *lens = candor__reallocarray(d->lens, cap, sizeof(*lens));
		if (!lens)
			return CANDOR_ENOMEM;
		d->lens = lens;
		uint64_t *hashes = candor__reallocarray(d->hashes, cap, sizeof(*hashes));
		if (!hashes)
			return CANDOR_ENOMEM;
		d->hashes = hashes;
		d->cap = cap;
	}
	copy = candor__strndup(s, len);
	if (!copy)
		return CANDOR_ENOMEM;
	d->levels[d->n] = copy;
	d->lens[d->n] = len;
	d->hashes[d->n] = h;
	d->n++;
	if (2 * d->n > d->nslots) {
		candor_status st = dict_rehash(d, d->nslots ? d->nslots * 2 : 32);

		if (st) {
			d->n--;
			candor__free(copy);
			return st;
		}
	} else {
		d->slots[slot] = (int32_t)(d->n - 1);
	}
	*code = (int32_t)(d->n - 1);
	return CANDOR_OK;
}

candor_status candor__dict_copy(candor__dict *dst, const candor__dict *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->n; i++) {
		int32_t code;
		candor_status st = candor__dict_intern(dst, src->levels[i], src->lens[i], &code);

		if (st) {
			candor__dict_free(dst);
			return st;
		}
	}
	return CANDOR_OK;
}

/* ===== table ============================================================ */

candor_status candor_table_new(candor_table **out)
{
	candor_table *t;

	if (!out)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "table_new: out is NULL");
	t = candor__calloc(1, sizeof(*t));
	*out = t;
	return t ? CANDOR_OK : CANDOR_ENOMEM;
}

void candor_table_free(candor_table *t)
{
	if (!t)
		return;
	for (size_t j = 0; j < t->ncols; j++) {
		candor__column *c = &t->cols[j];

		candor__free(c->name);
		candor__free(c->num);
		candor__free(c->codes);
		candor__dict_free(&c->dict);
	}
	candor__free(t->cols);
	candor__free(t->name_slots);
	candor__free(t->source);
	candor__locmap_free(t->loc);
	candor__free(t);
}

void candor__locmap_free(candor__locmap *m)
{
	if (!m)
		return;
	candor__free(m->path);
	candor__free(m->offset);
	candor__free(m->line);
	candor__free(m);
}

candor_status candor__locmap_push(candor__locmap *m, uint64_t offset, uint64_t line)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		uint64_t *o = candor__reallocarray(m->offset, cap, sizeof(*o));

		if (!o)
			return CANDOR_ENOMEM;
		m->offset = o;
		o = candor__reallocarray(m->line, cap, sizeof(*o));
		if (!o)
			return CANDOR_ENOMEM;
		m->line = o;
		m->cap = cap;
	}
	m->offset[m->n] = offset;
	m->line[m->n] = line;
	m->n++;
	return CANDOR_OK;
}

const char *candor_table_source(const candor_table *t)
{
	return t ? t->source : NULL;
}

candor_status candor_table_locate(const candor_table *t, size_t row, size_t col,
                                  uint64_t *line, uint64_t *column)
{
	const candor__locmap *m;
	size_t k;

	if (!t || !line || !column)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "table_locate: NULL argument");
	*line = *column = 0;
	if (row >= t->nrows || col >= t->ncols)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "cell (%zu, %zu) is outside the table",
		                     row, col);
	m = t->loc;
	k = row / CANDOR__LOC_EVERY;
	if (!m || k >= m->n)
		return candor__error(CANDOR_ENOTFOUND, t->source, 0, 0,
		                     "the table does not know where its rows came from");
	if (m->kind == CANDOR__LOC_CSV)
		return candor__csv_locate(m, m->offset[k], m->line[k], row % CANDOR__LOC_EVERY, col,
		                          line, column);
	return candor__arff_locate(m, m->offset[k], m->line[k], row % CANDOR__LOC_EVERY, col, line,
	                           column);
}

candor_status candor__table_set_source(candor_table *t, const char *source)
{
	char *s = candor__strdup(source);

	if (!s)
		return CANDOR_ENOMEM;
	candor__free(t->source);
	t->source = s;
	return CANDOR_OK;
}

bool candor__table_find_col(const candor_table *t, const char *name, size_t len, size_t *idx)
{
	const uint64_t h = candor__hash(name, len);

	if (!t->nname_slots)
		return false;
	for (size_t i = h & (t->nname_slots - 1);; i = (i + 1) & (t->nname_slots - 1)) {
		const size_t j = t->name_slots[i];
		const candor__column *c;

		if (j == SIZE_MAX)
			return false;
		c = &t->cols[j];
		if (c->name_hash == h && c->namelen == len && memcmp(c->name, name, len) == 0) {
			if (idx)
				*idx = j;
			return true;
		}
	}
}

static const candor__column *find_col(const candor_table *t, const char *name, size_t len,
                                      size_t *idx)
{
	size_t j;

	if (!candor__table_find_col(t, name, len, &j))
		return NULL;
	if (idx)
		*idx = j;
	return &t->cols[j];
}

/* Put column j into the name index (which has room for it). */
static void name_index_put(candor_table *t, size_t j)
{
	size_t i = t->cols[j].name_hash & (t->nname_slots - 1);

	while (t->name_slots[i] != SIZE_MAX)
		i = (i + 1) & (t->nname_slots - 1);
	t->name_slots[i] = j;
}

/* Make room in the name index for one more column. */
static candor_status name_index_reserve(candor_table *t)
{
	size_t n;
	size_t *slots;

	if (2 * (t->ncols + 1) <= t->nname_slots)
		return CANDOR_OK;
	n = t->nname_slots ? t->nname_slots * 2 : 16;
	slots = candor__mallocarray(n, sizeof(*slots));
	if (!slots)
		return CANDOR_ENOMEM;
	memset(slots, 0xff, n * sizeof(*slots));
	candor__free(t->name_slots);
	t->name_slots = slots;
	t->nname_slots = n;
	for (size_t j = 0; j < t->ncols; j++)
		name_index_put(t, j);
	return CANDOR_OK;
}

candor_status candor__table_reserve(candor_table *t, size_t cap)
{
	for (size_t j = 0; j < t->ncols; j++) {
		candor__column *c = &t->cols[j];

		if (c->type == CANDOR_COL_NUMERIC) {
			double *v = candor__reallocarray(c->num, cap ? cap : 1, sizeof(*v));

			if (!v)
				return CANDOR_ENOMEM;
			c->num = v;
		} else {
			int32_t *v = candor__reallocarray(c->codes, cap ? cap : 1, sizeof(*v));

			if (!v)
				return CANDOR_ENOMEM;
			c->codes = v;
		}
	}
	return CANDOR_OK;
}

candor_status candor__table_push_column(candor_table *t, const char *name, size_t namelen,
                                        candor_coltype type, candor__column **out)
{
	candor__column *c;

	if (find_col(t, name, namelen, NULL))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "duplicate column name '%.*s'",
		                     (int)(namelen > 200 ? 200 : namelen), name);
	if (name_index_reserve(t))
		return CANDOR_ENOMEM;
	if (t->ncols == t->capcols) {
		size_t cap = t->capcols ? t->capcols * 2 : 8;
		candor__column *cols = candor__reallocarray(t->cols, cap, sizeof(*cols));

		if (!cols)
			return CANDOR_ENOMEM;
		t->cols = cols;
		t->capcols = cap;
	}
	c = &t->cols[t->ncols];
	memset(c, 0, sizeof(*c));
	c->name = candor__strndup(name, namelen);
	if (!c->name)
		return CANDOR_ENOMEM;
	c->namelen = namelen;
	c->name_hash = candor__hash(name, namelen);
	c->type = type;
	name_index_put(t, t->ncols);
	t->ncols++;
	*out = c;
	return CANDOR_OK;
}

static candor_status check_new_column(candor_table *t, const char *name, size_t n)
{
	if (!t || !name)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "table or column name is NULL");
	if (!name[0])
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "empty column name");
	if (t->ncols > 0 && n != t->nrows)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "column '%s' has %zu rows, the table has %zu", name, n,
		                     t->nrows);
	return CANDOR_OK;
}

candor_status candor_table_add_numeric(candor_table *t, const char *name, const double *values,
                                       size_t n)
{
	candor__column *c;
	double *copy;
	candor_status st = check_new_column(t, name, n);

	if (st)
		return st;
	if (n && !values)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "column '%s': values are NULL", name);
	copy = candor__mallocarray(n, sizeof(*copy));
	if (!copy)
		return CANDOR_ENOMEM;
	if (n)
		memcpy(copy, values, n * sizeof(*copy));
	st = candor__table_push_column(t, name, strlen(name), CANDOR_COL_NUMERIC, &c);
	if (st) {
		candor__free(copy);
		return st;
	}
	c->num = copy;
	t->nrows = n;
	return CANDOR_OK;
}

candor_status candor_table_add_categorical(candor_table *t, const char *name,
                                           const int32_t *codes, size_t n,
                                           const char *const *levels, size_t nlevels)
{
	candor__column tmp;
	candor__column *c;
	candor_status st = check_new_column(t, name, n);

	if (st)
		return st;
	if ((n && !codes) || (nlevels && !levels))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "column '%s': codes or levels are NULL",
		                     name);
	for (size_t i = 0; i < n; i++)
		if (codes[i] < -1 || (codes[i] >= 0 && (size_t)codes[i] >= nlevels))
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "column '%s': code %d at row %zu is outside [-1, %zu)", name,
			                     (int)codes[i], i, nlevels);
	memset(&tmp, 0, sizeof(tmp));
	for (size_t k = 0; k < nlevels; k++) {
		int32_t code;

		if (!levels[k]) {
			candor__dict_free(&tmp.dict);
			return candor__error(CANDOR_EINVAL, NULL, 0, 0, "column '%s': level %zu is NULL",
			                     name, k);
		}
		st = candor__dict_intern(&tmp.dict, levels[k], strlen(levels[k]), &code);
		if (!st && (size_t)code != k)
			st = candor__error(CANDOR_EINVAL, NULL, 0, 0, "column '%s': level '%s' repeats",
			                   name, levels[k]);
		if (st) {
			candor__dict_free(&tmp.dict);
			return st;
		}
	}
	tmp.codes = candor__mallocarray(n, sizeof(*tmp.codes));
	if (!tmp.codes) {
		candor__dict_free(&tmp.dict);
		return CANDOR_ENOMEM;
	}
	if (n)
		memcpy(tmp.codes, codes, n * sizeof(*codes));
	st = candor__table_push_column(t, name, strlen(name), CANDOR_COL_CATEGORICAL, &c);
	if (st) {
		candor__free(tmp.codes);
		candor__dict_free(&tmp.dict);
		return st;
	}
	c->codes = tmp.codes;
	c->dict = tmp.dict;
	t->nrows = n;
	return CANDOR_OK;
}

size_t candor_table_nrows(const candor_table *t)
{
	return t ? t->nrows : 0;
}

size_t candor_table_ncols(const candor_table *t)
{
	return t ? t->ncols : 0;
}

const char *candor_table_colname(const candor_table *t, size_t j)
{
	return t && j < t->ncols ? t->cols[j].name : NULL;
}

candor_coltype candor_table_coltype(const candor_table *t, size_t j)
{
	return t && j < t->ncols ? t->cols[j].type : CANDOR_COL_AUTO;
}

candor_status candor_table_find(const candor_table *t, const char *name, size_t *out)
{
	if (!t || !name || !out)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "table_find: NULL argument");
	if (find_col(t, name, strlen(name), out))
		return CANDOR_OK;
	if (t->source)
		return candor__error(CANDOR_ENOTFOUND, t->source, 1, 1, "no column named '%s'", name);
	return candor__error(CANDOR_ENOTFOUND, NULL, 0, 0, "no column named '%s'", name);
}

const double *candor_table_numeric(const candor_table *t, size_t j)
{
	return t && j < t->ncols && t->cols[j].type == CANDOR_COL_NUMERIC ? t->cols[j].num : NULL;
}

const int32_t *candor_table_codes(const candor_table *t, size_t j)
{
	return t && j < t->ncols && t->cols[j].type == CANDOR_COL_CATEGORICAL ? t->cols[j].codes
	                                                                      : NULL;
}

size_t candor_table_nlevels(const candor_table *t, size_t j)
{
	return t && j < t->ncols && t->cols[j].type == CANDOR_COL_CATEGORICAL ? t->cols[j].dict.n
	                                                                      : 0;
}

const char *candor_table_level(const candor_table *t, size_t j, int32_t code)
{
	if (!t || j >= t->ncols || t->cols[j].type != CANDOR_COL_CATEGORICAL || code < 0 ||
	    (size_t)code >= t->cols[j].dict.n)
		return NULL;
	return t->cols[j].dict.levels[code];
}

int32_t candor_table_level_code(const candor_table *t, size_t j, const char *level)
{
	if (!t || !level || j >= t->ncols || t->cols[j].type != CANDOR_COL_CATEGORICAL)
		return -1;
	return candor__dict_find(&t->cols[j].dict, level, strlen(level));
}

double candor_table_value(const candor_table *t, size_t i, size_t j)
{
	const candor__column *c;

	if (!t || i >= t->nrows || j >= t->ncols)
		return NAN;
	c = &t->cols[j];
	if (c->type == CANDOR_COL_NUMERIC)
		return c->num[i];
	return c->codes[i] < 0 ? NAN : (double)c->codes[i];
}

candor_status candor_table_summarize(const candor_table *t, size_t j,
                                     candor_column_summary *out)
{
	const candor__column *c;

	if (!t || !out)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "table_summarize: NULL argument");
	if (j >= t->ncols)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "column %zu is outside the table's %zu columns", j, t->ncols);
	c = &t->cols[j];
	memset(out, 0, sizeof(*out));
	out->min = out->max = NAN;
	if (c->type == CANDOR_COL_NUMERIC) {
		for (size_t i = 0; i < t->nrows; i++) {
			const double v = c->num[i];

			if (isnan(v)) {
				out->missing++;
				continue;
			}
			if (!out->present || v < out->min)
				out->min = v;
			if (!out->present || v > out->max)
				out->max = v;
			out->present++;
		}
	} else {
		for (size_t i = 0; i < t->nrows; i++)
			out->missing += c->codes[i] < 0;
		out->present = t->nrows - out->missing;
		out->nlevels = c->dict.n;
	}
	return CANDOR_OK;
}

/* ===== derived tables ==================================================== */

/* Copy the columns `cols` (all when NULL) of `t`, taking rows `rows[0..n)`
 * (or the range [begin, begin + n) when rows is NULL). */
static candor_status derive(candor_table **out, const candor_table *t, const size_t *rows,
                            size_t begin, size_t n, const size_t *cols, size_t k)
{
	candor_table *d = NULL;
	candor_status st;

	*out = NULL;
	st = candor_table_new(&d);
	if (st)
		return st;
	if (t->source && (st = candor__table_set_source(d, t->source)))
		goto fail;
	for (size_t jj = 0; jj < k; jj++) {
		const candor__column *src = &t->cols[cols ? cols[jj] : jj];
		candor__column *c;

		st = candor__table_push_column(d, src->name, strlen(src->name), src->type, &c);
		if (st)
			goto fail;
		if (src->type == CANDOR_COL_NUMERIC) {
			c->num = candor__mallocarray(n, sizeof(double));
			if (!c->num) {
				st = CANDOR_ENOMEM;
				goto fail;
			}
			for (size_t i = 0; i < n; i++)
				c->num[i] = src->num[rows ? rows[i] : begin + i];
		} else {
			c->codes = candor__mallocarray(n, sizeof(int32_t));
			if (!c->codes) {
				st = CANDOR_ENOMEM;
				goto fail;
			}
			for (size_t i = 0; i < n; i++)
				c->codes[i] = src->codes[rows ? rows[i] : begin + i];
			st = candor__dict_copy(&c->dict, &src->dict);
			if (st)
				goto fail;
		}
	}
	d->nrows = n;
	*out = d;
	return CANDOR_OK;
fail:
	candor_table_free(d);
	return st;
}

candor_status candor_table_slice(candor_table **out, const candor_table *t, size_t begin,
                                 size_t end)
{
	if (!out || !t)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "table_slice: NULL argument");
	if (begin > end || end > t->nrows)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "rows %zu:%zu are outside the table's %zu rows", begin, end,
		                     t->nrows);
	return derive(out, t, NULL, begin, end - begin, NULL, t->ncols);
}

candor_status candor_table_subset(candor_table **out, const candor_table *t, const size_t *rows,
                                  size_t n)
{
	if (!out || !t || (n && !rows))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "table_subset: NULL argument");
	for (size_t i = 0; i < n; i++)
		if (rows[i] >= t->nrows)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "row %zu is outside the table's %zu rows", rows[i], t->nrows);
	return derive(out, t, rows, 0, n, NULL, t->ncols);
}

candor_status candor_table_select(candor_table **out, const candor_table *t, const size_t *cols,
                                  size_t k)
{
	if (!out || !t || (k && !cols))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "table_select: NULL argument");
	{
		bool *seen = candor__calloc(t->ncols ? t->ncols : 1, sizeof(*seen));

		if (!seen)
			return CANDOR_ENOMEM;
		for (size_t j = 0; j < k; j++) {
			candor_status st = CANDOR_OK;

			if (cols[j] >= t->ncols)
				st = candor__error(CANDOR_EINVAL, NULL, 0, 0,
				                   "column %zu is outside the table's %zu columns", cols[j],
				                   t->ncols);
			else if (seen[cols[j]])
				st = candor__error(CANDOR_EINVAL, NULL, 0, 0, "column '%s' selected twice",
				                   t->cols[cols[j]].name);
			if (st) {
				candor__free(seen);
				return st;
			}
			seen[cols[j]] = true;
		}
		candor__free(seen);
	}
	return derive(out, t, NULL, 0, t->nrows, cols, k);
}

candor_status candor_table_matrix(double *out, const candor_table *t, const size_t *cols,
                                  size_t k)
{
	if (!out || !t || (k && !cols))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "table_matrix: NULL argument");
	for (size_t jj = 0; jj < k; jj++)
		if (cols[jj] >= t->ncols)
			return candor__error(CANDOR_EINVAL, NULL, 0, 0,
			                     "column %zu is outside the table's %zu columns", cols[jj],
			                     t->ncols);
	for (size_t jj = 0; jj < k; jj++) {
		const candor__column *c = &t->cols[cols[jj]];

		if (c->type == CANDOR_COL_NUMERIC) {
			for (size_t i = 0; i < t->nrows; i++)
				out[i * k + jj] = c->num[i];
		} else {
			for (size_t i = 0; i < t->nrows; i++)
				out[i * k + jj] = c->codes[i] < 0 ? NAN : (double)c->codes[i];
		}
	}
	return CANDOR_OK;
}
