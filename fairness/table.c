/*
 * table.c - feed a candor_table to a fairness accumulator.
 *
 * The label and prediction columns become 0/1 bytes (1 = the favourable
 * value). With a favourable value named, each must take at most two
 * distinct values, and a third one is an error at its cell, because
 * silently folding it into "unfavourable" would change every rate. Without
 * one, a column must hold 0/1 or true/false: a column of `1` and `yes`
 * could only be read by guessing that `yes` is unfavourable. A categorical sensitive column is used through
 * its codes as they are (no copy); a numeric one through its distinct
 * values. Everything is allocated once per call, never per row.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fairness_int.h"

#include "candor/datasets.h"

/* A message as it is shown (messages end up on terminals, and they quote
 * names and values from the data):
 * control characters, backslashes and bytes that are not UTF-8 become
 * \xHH escapes, so no value can move the cursor, recolour or retitle a
 * terminal; cut at `size` without splitting an escape. */
static const char *shown(char *buf, size_t size, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c;) {
		size_t k = 1;
		bool ok = *c >= 0x20 && *c != 0x7f && *c != '\\';
		if (*c >= 0x80) {
			k = (*c >= 0xC2 && *c <= 0xDF) ? 2 : (*c >= 0xE0 && *c <= 0xEF) ? 3
			    : (*c >= 0xF0 && *c <= 0xF4)                                ? 4
			                                                                : 0;
			ok = k > 0;
			for (size_t q = 1; ok && q < k; q++)
				ok = (c[q] & 0xC0) == 0x80;
			if (ok && k == 2 && (c[0] == 0xC2 && c[1] < 0xA0))
				ok = false; /* C1 control characters */
			if (ok && k == 3)
				ok = !(c[0] == 0xE0 && c[1] < 0xA0) && !(c[0] == 0xED && c[1] >= 0xA0);
			if (ok && k == 4)
				ok = !(c[0] == 0xF0 && c[1] < 0x90) && !(c[0] == 0xF4 && c[1] >= 0x90);
			if (!ok)
				k = 1;
		}
		if (ok) {
			if (o + k >= size)
				break;
			memcpy(buf + o, c, k);
			o += k;
		} else {
			if (o + 4 >= size)
				break;
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[*c >> 4];
			buf[o++] = hex[*c & 15];
		}
		c += k;
	}
	if (size)
		buf[o < size ? o : size - 1] = '\0';
	return buf;
}

/* An error about cell (i, j): at its line and column when the table was
 * read from a file (candor_table_locate), else "row N: ..." (rows from 1). */
static candor_status cell_error(const candor_table *t, size_t i, size_t j, const char *source,
                                const char *fmt, ...) CANDOR__PRINTF(5, 6);
static candor_status cell_error(const candor_table *t, size_t i, size_t j, const char *source,
                                const char *fmt, ...)
{
	char raw[400], msg[400];
	uint64_t line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	shown(msg, sizeof(msg), raw);
	if (candor_table_locate(t, i, j, &line, &col) == CANDOR_OK)
		return candor__error(CANDOR_EPARSE, source, line, col, "%s", msg);
	return candor__error(CANDOR_EPARSE, source, 0, 0, "row %zu: %s", i + 1, msg);
}

static candor_status row_error(const candor_table *t, size_t i, size_t j, const char *source,
                               const char *fmt_col, const char *col, const char *what)
{
	return cell_error(t, i, j, source, "%s '%s' %s", fmt_col, col, what);
}

static void value_text(char *buf, size_t size, const candor_table *t, size_t j, size_t i)
{
	if (candor_table_coltype(t, j) == CANDOR_COL_NUMERIC) {
		candor__format_double(buf, size, candor_table_numeric(t, j)[i]);
	} else {
		const char *s = candor_table_level(t, j, candor_table_codes(t, j)[i]);

		snprintf(buf, size, "%s", s ? s : "");
	}
}

/* The 0/1 meaning of a text value when no favourable value is named:
 * "1"/"true" -> 1, "0"/"false" -> 0 (true/false in any case), else -1. */
static int default_binary_text(const char *s)
{
	if (strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0)
		return 1;
	if (strcmp(s, "0") == 0 || strcasecmp(s, "false") == 0)
		return 0;
	return -1;
}

/* Column j as 0/1 bytes without a named favourable value: it must hold
 * 0/1 or true/false. Anything else could only be read by guessing which
 * value is favourable, so it is an error at its cell. */
static candor_status default_binary_column(uint8_t *out, const candor_table *t, size_t j,
                                           const char *colname, const char *role,
                                           const char *param, const char *source)
{
	const size_t n = candor_table_nrows(t);
	char c[64];

	if (candor_table_coltype(t, j) == CANDOR_COL_NUMERIC) {
		const double *v = candor_table_numeric(t, j);

		for (size_t i = 0; i < n; i++) {
			if (isnan(v[i]))
				return row_error(t, i, j, source, role, colname, "has a missing value");
			if (v[i] != 0 && v[i] != 1) {
				candor__format_double(c, sizeof(c), v[i]);
				return cell_error(t, i, j, source,
				                  "%s column '%s' holds '%s', which is not 0/1 or "
				                  "true/false; name its favourable value (%s)",
				                  role, colname, c, param);
			}
			out[i] = v[i] == 1;
		}
	} else {
		const int32_t *codes = candor_table_codes(t, j);
		const size_t nl = candor_table_nlevels(t, j);
		int8_t *map = candor__malloc(nl ? nl : 1);

		if (!map)
			return CANDOR_ENOMEM;
		for (size_t l = 0; l < nl; l++) {
			const char *s = candor_table_level(t, j, (int32_t)l);

			map[l] = (int8_t)(s ? default_binary_text(s) : -1);
		}
		for (size_t i = 0; i < n; i++) {
			if (codes[i] < 0) {
				candor__free(map);
				return row_error(t, i, j, source, role, colname, "has a missing value");
			}
			if (map[codes[i]] < 0) {
				candor_status st;

				value_text(c, sizeof(c), t, j, i);
				st = cell_error(t, i, j, source,
				                "%s column '%s' holds '%s', which is not 0/1 or "
				                "true/false; name its favourable value (%s)",
				                role, colname, c, param);
				candor__free(map);
				return st;
			}
			out[i] = (uint8_t)map[codes[i]];
		}
		candor__free(map);
	}
	return CANDOR_OK;
}

/* Column j as 0/1 bytes, 1 where it equals the favourable value `fav`
 * (NULL: default_binary_column). `param` names the option that sets it. */
static candor_status binary_column(uint8_t *out, const candor_table *t, size_t j,
                                   const char *colname, const char *fav, const char *role,
                                   const char *param, const char *source)
{
	const size_t n = candor_table_nrows(t);
	char a[64], b[64], c[64];

	if (!fav)
		return default_binary_column(out, t, j, colname, role, param, source);
	if (candor_table_coltype(t, j) == CANDOR_COL_NUMERIC) {
		const double *v = candor_table_numeric(t, j);
		double f, other = NAN;
		bool have_other = false;

		if (!candor__parse_double(fav, strlen(fav), &f))
			return candor__error(CANDOR_EINVAL, source, 0, 0,
			                     "favourable value '%s' is not a number, but %s column "
			                     "'%s' is numeric (%s)", fav, role, colname, param);
		for (size_t i = 0; i < n; i++) {
			if (isnan(v[i]))
				return row_error(t, i, j, source, role, colname, "has a missing value");
			if (v[i] == f) {
				out[i] = 1;
				continue;
			}
			out[i] = 0;
			if (!have_other) {
				other = v[i];
				have_other = true;
			} else if (v[i] != other) {
				candor__format_double(a, sizeof(a), f);
				candor__format_double(b, sizeof(b), other);
				candor__format_double(c, sizeof(c), v[i]);
				return cell_error(t, i, j, source,
				                  "%s column '%s' has a third value '%s' "
				                  "(besides '%s' and '%s'); it must be binary",
				                  role, colname, c, a, b);
			}
		}
	} else {
		const int32_t *codes = candor_table_codes(t, j);
		const int32_t fc = candor_table_level_code(t, j, fav);
		int32_t other = -2;

		if (fc < 0 && n > 0)
			return candor__error(CANDOR_EINVAL, source, 0, 0,
			                     "favourable value '%s' never occurs in %s column '%s' "
			                     "(%s)", fav, role, colname, param);
		for (size_t i = 0; i < n; i++) {
			if (codes[i] < 0)
				return row_error(t, i, j, source, role, colname, "has a missing value");
			if (codes[i] == fc) {
				out[i] = 1;
				continue;
			}
			out[i] = 0;
			if (other == -2) {
				other = codes[i];
			} else if (codes[i] != other) {
				value_text(c, sizeof(c), t, j, i);
				return cell_error(t, i, j, source,
				                  "%s column '%s' has a third value '%s' "
				                  "(besides '%s' and '%s'); it must be binary",
				                  role, colname, c, fav, candor_table_level(t, j, other));
			}
		}
	}
	return CANDOR_OK;
}

/* Codes of a numeric sensitive column: its distinct values, in order of
 * first appearance, become levels. */
#define MAX_NUMERIC_LEVELS 256
static candor_status numeric_codes(int32_t *codes, char ***levels_out, size_t *nlevels_out,
                                   const double *v, size_t n, const char *colname,
                                   const char *source)
{
	double seen[MAX_NUMERIC_LEVELS];
	size_t ns = 0;
	char **levels;

	for (size_t i = 0; i < n; i++) {
		size_t k;

		if (isnan(v[i])) {
			codes[i] = -1;
			continue;
		}
		for (k = 0; k < ns && seen[k] != v[i]; k++)
			;
		if (k == ns) {
			if (ns == MAX_NUMERIC_LEVELS)
				return candor__error(CANDOR_EUNSUPPORTED, source, 0, 0,
				                     "sensitive column '%s' is numeric with more than %d "
				                     "distinct values", colname, MAX_NUMERIC_LEVELS);
			seen[ns++] = v[i];
		}
		codes[i] = (int32_t)k;
	}
	levels = candor__calloc(ns + 1, sizeof(*levels));
	if (!levels)
		return CANDOR_ENOMEM;
	for (size_t k = 0; k < ns; k++) {
		char buf[40];

		candor__format_double(buf, sizeof(buf), seen[k]);
		levels[k] = candor__strdup(buf);
		if (!levels[k]) {
			for (size_t m = 0; m < k; m++)
				candor__free(levels[m]);
			candor__free(levels);
			return CANDOR_ENOMEM;
		}
	}
	*levels_out = levels;
	*nlevels_out = ns;
	return CANDOR_OK;
}

candor_status candor_fairness_acc_from_table(candor_fairness_acc **out, const candor_table *table,
                                             const candor_fairness_columns *in)
{
	candor_fairness_columns v2 = CANDOR_FAIRNESS_COLUMNS_INIT;
	const candor_fairness_columns *cols;
	candor_status st;
	size_t n, jl, jp = 0, js = 0, k;
	uint8_t *label = NULL, *pred = NULL;
	int32_t **owned_codes = NULL;
	char ***owned_levels = NULL;
	size_t *owned_n = NULL;
	const int32_t **groups = NULL;
	candor_fairness_attribute *attrs = NULL;
	const double *score = NULL;
	const char *fav, *pfav, *src;
	uint64_t hdr;
	double thr;

	if (!out || !table || !in)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL argument");
	*out = NULL;
	if (in->version == 1) {
		/* version 1 ends before pred_favorable; its threshold 0 meant 0.5 */
		memcpy(&v2, in, offsetof(candor_fairness_columns, pred_favorable));
		v2.version = CANDOR_FAIRNESS_COLUMNS_VERSION;
		v2.threshold_set = in->threshold != 0.0;
	} else if (in->version == CANDOR_FAIRNESS_COLUMNS_VERSION) {
		v2 = *in;
	} else {
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "fairness: columns version %u, expected 1 or %u", in->version,
		                     CANDOR_FAIRNESS_COLUMNS_VERSION);
	}
	cols = &v2;
	if (!cols->label || (!cols->pred && !cols->pred_values && !cols->score &&
	                     !cols->score_values) || !cols->nsensitive || !cols->sensitive)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "fairness: need a label, a prediction or a score, and at "
		                     "least one sensitive attribute");
	if ((cols->pred && cols->pred_values) || (cols->score && cols->score_values))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "fairness: give pred or pred_values, score or score_values, "
		                     "not both");
	if (cols->threads < 0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: negative thread count");
	src = cols->source;
	hdr = src ? 1 : 0; /* a missing column is about the header, line 1 */
	fav = cols->favorable;
	pfav = cols->pred_favorable ? cols->pred_favorable : cols->favorable;
	if (cols->pred_favorable && !cols->pred)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "fairness: pred_favorable is set but there is no pred column");
	if (cols->threshold_set && (cols->pred || cols->pred_values))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "fairness: threshold is set, but it applies only without "
		                     "predictions");
	if (!cols->threshold_set && cols->threshold != 0.0)
		return candor__error(CANDOR_EINVAL, NULL, 0, 0,
		                     "fairness: threshold is nonzero but threshold_set is false");
	thr = cols->threshold_set ? cols->threshold : 0.5;
	if (!isfinite(thr))
		return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: threshold is not finite");
	n = candor_table_nrows(table);
	k = cols->nsensitive;

	if ((st = candor_table_find(table, cols->label, &jl)) != CANDOR_OK)
		return candor__error(st, src, hdr, hdr, "no label column '%s'", cols->label);
	if (cols->pred && (st = candor_table_find(table, cols->pred, &jp)) != CANDOR_OK)
		return candor__error(st, src, hdr, hdr, "no prediction column '%s'", cols->pred);
	if (cols->score) {
		if ((st = candor_table_find(table, cols->score, &js)) != CANDOR_OK)
			return candor__error(st, src, hdr, hdr, "no score column '%s'", cols->score);
		score = candor_table_numeric(table, js);
		if (!score)
			return candor__error(CANDOR_EINVAL, src, 0, 0,
			                     "score column '%s' is not numeric", cols->score);
		for (size_t i = 0; i < n; i++)
			if (!isfinite(score[i]))
				return row_error(table, i, js, src, "score", cols->score,
				                 "has a missing value");
	} else if (cols->score_values) {
		score = cols->score_values;
		for (size_t i = 0; i < n; i++)
			if (!isfinite(score[i]))
				return candor__error(CANDOR_EINVAL, src, 0, 0,
				                     "fairness: row %zu: score_values[%zu] is not finite",
				                     i + 1, i);
	}
	for (size_t a = 0; a < k; a++) {
		size_t j;

		if (!cols->sensitive[a])
			return candor__error(CANDOR_EINVAL, NULL, 0, 0, "fairness: NULL column name");
		if ((st = candor_table_find(table, cols->sensitive[a], &j)) != CANDOR_OK)
			return candor__error(st, src, hdr, hdr, "no sensitive column '%s'",
			                     cols->sensitive[a]);
	}

	label = candor__malloc(n);
	pred = candor__malloc(n);
	owned_codes = candor__calloc(k, sizeof(*owned_codes));
	owned_levels = candor__calloc(k, sizeof(*owned_levels));
	owned_n = candor__calloc(k, sizeof(*owned_n));
	groups = candor__calloc(k, sizeof(*groups));
	attrs = candor__calloc(k, sizeof(*attrs));
	if (!label || !pred || !owned_codes || !owned_levels || !owned_n || !groups || !attrs) {
		st = CANDOR_ENOMEM;
		goto done;
	}
	st = binary_column(label, table, jl, cols->label, fav, "label", "favorable", src);
	if (st != CANDOR_OK)
		goto done;
	if (cols->pred) {
		st = binary_column(pred, table, jp, cols->pred, pfav, "prediction",
		                   cols->pred_favorable ? "pred_favorable"
		                                        : "pred_favorable or favorable", src);
		if (st != CANDOR_OK)
			goto done;
	} else if (cols->pred_values) {
		for (size_t i = 0; i < n; i++) {
			const double x = cols->pred_values[i];

			if (x != 0 && x != 1) {
				st = candor__error(CANDOR_EINVAL, src, 0, 0,
				                   "fairness: row %zu: pred_values[%zu] is not 0 or 1",
				                   i + 1, i);
				goto done;
			}
			pred[i] = x == 1;
		}
	} else {
		for (size_t i = 0; i < n; i++)
			pred[i] = score[i] >= thr;
	}
	for (size_t a = 0; a < k; a++) {
		size_t j;

		candor_table_find(table, cols->sensitive[a], &j);
		attrs[a].name = cols->sensitive[a];
		if (candor_table_coltype(table, j) == CANDOR_COL_CATEGORICAL) {
			const char **lv;

			groups[a] = candor_table_codes(table, j);
			attrs[a].nlevels = candor_table_nlevels(table, j);
			lv = candor__calloc(attrs[a].nlevels + 1, sizeof(*lv));
			if (!lv) {
				st = CANDOR_ENOMEM;
				goto done;
			}
			for (size_t l = 0; l < attrs[a].nlevels; l++)
				lv[l] = candor_table_level(table, j, (int32_t)l);
			/* borrowed strings: free only the array */
			owned_levels[a] = (char **)lv;
			owned_n[a] = 0;
			attrs[a].levels = lv;
		} else {
			owned_codes[a] = candor__mallocarray(n ? n : 1, sizeof(int32_t));
			if (!owned_codes[a]) {
				st = CANDOR_ENOMEM;
				goto done;
			}
			st = numeric_codes(owned_codes[a], &owned_levels[a], &owned_n[a],
			                   candor_table_numeric(table, j), n, cols->sensitive[a], src);
			if (st != CANDOR_OK)
				goto done;
			groups[a] = owned_codes[a];
			attrs[a].levels = (const char *const *)owned_levels[a];
			attrs[a].nlevels = owned_n[a];
		}
	}
	st = candor_fairness_acc_new(out, attrs, k, score != NULL);
	if (st == CANDOR_OK) {
		candor_fairness_rows rows = { n, label, pred, score, groups };

		st = candor_fairness_acc_add_parallel(*out, &rows, cols->threads);
		if (st != CANDOR_OK) {
			candor_fairness_acc_free(*out);
			*out = NULL;
		}
	}
done:
	for (size_t a = 0; owned_levels && a < k; a++) {
		if (owned_levels[a])
			for (size_t l = 0; l < owned_n[a]; l++)
				candor__free(owned_levels[a][l]);
		candor__free(owned_levels[a]);
	}
	for (size_t a = 0; owned_codes && a < k; a++)
		candor__free(owned_codes[a]);
	candor__free(owned_codes);
	candor__free(owned_levels);
	candor__free(owned_n);
	candor__free(groups);
	candor__free(attrs);
	candor__free(label);
	candor__free(pred);
	return st;
}

candor_status candor_fairness_columns_init(candor_fairness_columns *cols, unsigned int version)
{
	const size_t size = version == 1 ? offsetof(candor_fairness_columns, pred_favorable)
	                  : version == CANDOR_FAIRNESS_COLUMNS_VERSION ? sizeof(*cols) : 0;

	return candor__options_init(cols, size, version, CANDOR_FAIRNESS_COLUMNS_VERSION,
	                            "candor_fairness_columns");
}
