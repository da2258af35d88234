/**
 * @file candor/datasets.h
 * @brief The in-memory columnar table, its CSV and ARFF readers, a CSV
 *        writer, and synthetic datasets with planted, known bias.
 *
 * A table holds named columns of equal length. A numeric column stores
 * doubles, NaN meaning missing. A categorical column stores int32 codes into
 * a dictionary of distinct strings (in order of first appearance), -1 meaning
 * missing. Tables are immutable once built by a reader; a `const` table may be
 * read from several threads at once.
 *
 * @code
 * candor_table *t = NULL;
 * if (candor_csv_read(&t, "data.csv", NULL) != CANDOR_OK) {
 *     const candor_error *e = candor_last_error();
 *     fprintf(stderr, "candor: %s:%llu:%llu: %s\n", e->path,
 *             (unsigned long long)e->line, (unsigned long long)e->column, e->message);
 *     return 2;
 * }
 * size_t j;
 * candor_table_find(t, "income", &j);
 * const double *income = candor_table_numeric(t, j);
 * candor_table_free(t);
 * @endcode
 */
#ifndef CANDOR_DATASETS_H
#define CANDOR_DATASETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candor/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The type of a column. */
typedef enum candor_coltype {
	CANDOR_COL_AUTO = 0,        /**< readers only: infer from the values */
	CANDOR_COL_NUMERIC = 1,     /**< double, NaN = missing */
	CANDOR_COL_CATEGORICAL = 2  /**< int32 codes into a string dictionary, -1 = missing */
} candor_coltype;

/** Code of a missing categorical value. */
#define CANDOR_MISSING_CODE (-1)

/** An opaque columnar table. */
typedef struct candor_table candor_table;

/* ===== building and freeing ============================================ */

/** Create an empty table with no columns and no rows. */
CANDOR_API candor_status candor_table_new(candor_table **out);

/** Free a table; NULL is accepted. */
CANDOR_API void candor_table_free(candor_table *table);

/**
 * Append a numeric column, copying `n` values. The first column fixes the
 * row count; later columns must have the same `n`. Names must be unique.
 */
CANDOR_API candor_status candor_table_add_numeric(candor_table *table, const char *name,
                                                  const double *values, size_t n);

/**
 * Append a categorical column, copying `n` codes and `nlevels` level strings.
 * Each code is -1 (missing) or in [0, nlevels). Levels must be distinct.
 */
CANDOR_API candor_status candor_table_add_categorical(candor_table *table, const char *name,
                                                      const int32_t *codes, size_t n,
                                                      const char *const *levels, size_t nlevels);

/* ===== reading ========================================================= */

/** Number of rows. */
CANDOR_API size_t candor_table_nrows(const candor_table *table);
/** Number of columns. */
CANDOR_API size_t candor_table_ncols(const candor_table *table);
/** Name of column j (borrowed, valid while the table lives), NULL if out of range. */
CANDOR_API const char *candor_table_colname(const candor_table *table, size_t j);
/** Type of column j (CANDOR_COL_AUTO if j is out of range). */
CANDOR_API candor_coltype candor_table_coltype(const candor_table *table, size_t j);

/**
 * Find a column by name. Returns CANDOR_ENOTFOUND (with a message naming the
 * column) when there is none.
 */
CANDOR_API candor_status candor_table_find(const candor_table *table, const char *name,
                                           size_t *out);

/** The values of numeric column j (borrowed), NULL if not numeric. */
CANDOR_API const double *candor_table_numeric(const candor_table *table, size_t j);
/** The codes of categorical column j (borrowed), NULL if not categorical. */
CANDOR_API const int32_t *candor_table_codes(const candor_table *table, size_t j);
/** Dictionary size of categorical column j (0 for numeric columns). */
CANDOR_API size_t candor_table_nlevels(const candor_table *table, size_t j);
/** Level string `code` of categorical column j (borrowed), NULL if out of range. */
CANDOR_API const char *candor_table_level(const candor_table *table, size_t j, int32_t code);
/**
 * The code of `level` in categorical column j, or -1 when the column has no
 * such level (or is numeric).
 */
CANDOR_API int32_t candor_table_level_code(const candor_table *table, size_t j,
                                           const char *level);

/** Value (i, j) as a double: the number, or the code of a categorical (NaN when missing). */
CANDOR_API double candor_table_value(const candor_table *table, size_t i, size_t j);

/**
 * The name of the file the table was read from (borrowed), or NULL for a
 * table built in memory.
 */
CANDOR_API const char *candor_table_source(const candor_table *table);

/**
 * Where cell (row, col) came from: the 1-based line and byte column of its
 * field in the CSV or ARFF file the table was read from, so that an error
 * found after reading (a third label value, say) can name its place.
 * CANDOR_ENOTFOUND when the table was not read from a file (a buffer, a
 * derived table, one built in memory) or the file changed since. It reads
 * the file again from the nearest of the checkpoints the reader kept (one per
 * 1024 rows): meant for error messages, not for loops.
 */
CANDOR_API candor_status candor_table_locate(const candor_table *table, size_t row, size_t col,
                                             uint64_t *line, uint64_t *column);

/** A column's summary, from candor_table_summarize(). */
typedef struct candor_column_summary {
	size_t missing;  /**< missing values (NaN, or code -1) */
	size_t present;  /**< values that are not missing */
	double min, max; /**< numeric columns: smallest and largest present value; NaN when none */
	size_t nlevels;  /**< categorical columns: dictionary size; 0 for numeric ones */
} candor_column_summary;

/** Summarise column j: missing count, range, number of categories. */
CANDOR_API candor_status candor_table_summarize(const candor_table *table, size_t j,
                                                candor_column_summary *out);

/* ===== derived tables =================================================== */

/** A new table holding rows [begin, end) of `table` (all columns, dictionaries kept). */
CANDOR_API candor_status candor_table_slice(candor_table **out, const candor_table *table,
                                            size_t begin, size_t end);

/** A new table holding `rows[0..n)` of `table`, in that order (repeats allowed). */
CANDOR_API candor_status candor_table_subset(candor_table **out, const candor_table *table,
                                             const size_t *rows, size_t n);

/** A new table holding only the columns `cols[0..k)`, in that order. */
CANDOR_API candor_status candor_table_select(candor_table **out, const candor_table *table,
                                             const size_t *cols, size_t k);

/**
 * Fill `out` (nrows x k, row-major, caller-allocated) with columns cols[0..k):
 * numbers as they are, categoricals as their codes, missing as NaN. This is
 * the dense matrix a model consumes.
 */
CANDOR_API candor_status candor_table_matrix(double *out, const candor_table *table,
                                             const size_t *cols, size_t k);

/* ===== CSV ============================================================== */

/** Default bounds of the CSV and ARFF readers (see docs/datasets.md). */
#define CANDOR_CSV_MAX_FIELD_BYTES ((size_t)1 << 20)    /**< 1 MiB in one field */
#define CANDOR_CSV_MAX_RECORD_BYTES ((size_t)64 << 20)  /**< 64 MiB in one record (row) */
#define CANDOR_CSV_MAX_COLUMNS ((size_t)1000000)        /**< columns (fields in a record) */
#define CANDOR_CSV_MAX_STREAM_BYTES ((uint64_t)1 << 30) /**< 1 GiB from a pipe or device */

/** Options of the CSV reader. Zero means the default. */
typedef struct candor_csv_options {
	unsigned int version;        /**< CANDOR_CSV_OPTIONS_VERSION (1 is still accepted) */
	char delimiter;              /**< field separator; 0: ',' */
	/** Type overrides: names[i] gets types[i]; a name absent from the file is an error. */
	const char *const *override_names;
	const candor_coltype *override_types;
	size_t noverrides;
	/** Name used in error messages; NULL: the path (or "<buffer>"). */
	const char *display_name;
	/* ---- version 2 ---- */
	/**
	 * Fields that read as missing besides the empty field, compared byte for
	 * byte with the whole field (quoted or not, no case folding), in every
	 * column: for instance {"nan"} for files written by numpy or LightGBM,
	 * {"NA"} for R. NULL/0: none; "nan", "inf" and the like are then text, not
	 * numbers (a column holding them is categorical unless it is forced
	 * numeric, which makes them an error). Each token must be non-NULL.
	 */
	const char *const *missing_tokens;
	size_t nmissing_tokens;
	size_t max_field_bytes;      /**< bytes of one field as in the file; 0: CANDOR_CSV_MAX_FIELD_BYTES */
	size_t max_record_bytes;     /**< bytes of one record without its line break; 0: CANDOR_CSV_MAX_RECORD_BYTES */
	size_t max_columns;          /**< fields in one record; 0: CANDOR_CSV_MAX_COLUMNS */
	/** Input that is not a regular file is held in memory whole (it cannot be
	 * read twice): at most this many bytes; 0: CANDOR_CSV_MAX_STREAM_BYTES. */
	uint64_t max_stream_bytes;
	/** A file with a header and no data rows gives a table of 0 rows instead
	 * of an error. */
	bool allow_no_rows;
} candor_csv_options;

#define CANDOR_CSV_OPTIONS_VERSION 2
#define CANDOR_CSV_OPTIONS_INIT { .version = CANDOR_CSV_OPTIONS_VERSION }

/** Fill `opts` with the defaults of `version` (1 or CANDOR_CSV_OPTIONS_VERSION):
 *  zero and the version; CANDOR_EINVAL for an unknown version. For
 *  bindings that cannot use CANDOR_CSV_OPTIONS_INIT. */
CANDOR_API candor_status candor_csv_options_init(candor_csv_options *opts, unsigned int version);

/**
 * Read a CSV file (RFC 4180): one header row of unique, non-empty names;
 * quoted fields may hold delimiters, doubled quotes and newlines; LF, CRLF or
 * CR line ends; an optional UTF-8 byte-order mark; an empty field is missing
 * (so are the options' missing_tokens). The text must be valid UTF-8 without
 * NUL bytes. A column whose every non-missing value is a decimal number is
 * numeric, otherwise categorical, unless overridden. Numbers are read the
 * same in every locale; a decimal number beyond the range of a double
 * (`1e400`) in a numeric column is an error, never an infinity. A file with a
 * header and no rows is an error unless allow_no_rows. Fields, records and
 * the number of columns are bounded (the options' max_*; docs/datasets.md).
 *
 * On a malformed file (or one past a bound) returns CANDOR_EPARSE with the
 * file, line and column in candor_last_error(); CANDOR_EIO when the file
 * cannot be read; CANDOR_EINVAL for bad options.
 */
CANDOR_API candor_status candor_csv_read(candor_table **out, const char *path,
                                         const candor_csv_options *opts);

/** As candor_csv_read() on an in-memory buffer of `len` bytes. */
CANDOR_API candor_status candor_csv_read_buffer(candor_table **out, const char *data,
                                                size_t len, const candor_csv_options *opts);

/**
 * Write `table` as CSV to `path` (written to a temporary name in the same
 * folder and renamed, so a failure leaves no half-written file). Numbers are
 * written so that they read back to the same double; missing values are
 * empty fields; strings are quoted when they need it.
 */
CANDOR_API candor_status candor_csv_write(const candor_table *table, const char *path);

/* ===== ARFF ============================================================= */

/**
 * Read a Weka ARFF file: `@relation`, `@attribute NAME numeric|real|integer|
 * {v1,v2,...}|string`, `@data`; `%` comments; names and values may be quoted
 * with ' or "; `?` is missing. Sparse rows and dates are rejected as
 * unsupported. No NUL bytes; a number beyond the range of a double is an
 * error; at least one data row. The CSV reader's default bounds apply, with
 * a line in the place of a record: CANDOR_CSV_MAX_FIELD_BYTES per value,
 * CANDOR_CSV_MAX_RECORD_BYTES per line, CANDOR_CSV_MAX_COLUMNS attributes,
 * CANDOR_CSV_MAX_STREAM_BYTES from a pipe. Errors as for candor_csv_read().
 */
CANDOR_API candor_status candor_arff_read(candor_table **out, const char *path);

/** As candor_arff_read() on an in-memory buffer; `name` is used in errors. */
CANDOR_API candor_status candor_arff_read_buffer(candor_table **out, const char *data,
                                                 size_t len, const char *name);

/* ===== either, by content ================================================ */

/**
 * Read a data file that is CSV or ARFF, telling them apart by content and
 * never by the file's name: after an optional UTF-8 byte-order mark, blank
 * lines and `%` comment lines, a first line starting with `@relation` (any
 * case) makes it ARFF (candor_arff_read()), anything else CSV
 * (candor_csv_read(), with `opts`). What could be read either way is
 * CANDOR_EPARSE at its line: `%` comment lines followed by no `@relation`, a
 * first line starting with `@attribute` or `@data`, or no decision within
 * the first MiB. `opts` (NULL: the defaults) is the CSV reader's; for ARFF
 * only `display_name` applies, and any CSV-only option set (delimiter,
 * overrides, missing tokens, bounds, allow_no_rows) is CANDOR_EINVAL rather
 * than ignored. A pipe or device is read once, whole (bounded by
 * max_stream_bytes). Errors otherwise as for the reader chosen.
 */
CANDOR_API candor_status candor_table_read(candor_table **out, const char *path,
                                           const candor_csv_options *opts);

/* ===== synthetic data ==================================================== */

/** The kinds of synthetic dataset. */
typedef enum candor_synth_kind {
	CANDOR_SYNTH_CREDIT = 1 /**< credit scoring with planted bias: see datasets/SYNTH.md */
} candor_synth_kind;

/**
 * Generate `rows` rows of a synthetic dataset, deterministic for `seed` (the
 * same table on every machine and run). The credit kind's generating process
 * and its true group rates are documented in datasets/SYNTH.md.
 */
CANDOR_API candor_status candor_synth_generate(candor_table **out, candor_synth_kind kind,
                                               size_t rows, uint64_t seed);

/**
 * The JSON text of the logistic model that scores the credit dataset (the
 * model whose `pred` and `score` columns the generator writes). Static
 * string, never NULL.
 */
CANDOR_API const char *candor_synth_credit_model_json(void);

#ifdef __cplusplus
}
#endif
#endif /* CANDOR_DATASETS_H */
